"""The small study every analysis/export test counts by hand, and its attribution rules.

Study (built with the store API only):

* participants (created first, so ids and pseudonyms P01… follow this order):
  Alice (SME, North), Bob (SME, South), Carol (multinational, North),
  Dan (multinational, South), Eve (SME, North), Frank (SME, North; no turn
  and no document, so NOT in scope).
* codebook: Barriers > Cost, Barriers > Time, Enablers > Support, Other.
* D1 "Interview 1": Interviewer / Alice / Interviewer / Alice turns.
* D2 "Focus group": Moderator (interviewer) / Bob / Carol / Bob.
* D3 "Interview 3": document participant Dan; turns Interviewer / R (no
  participant on the turn, so the document's participant is used).
* D4 "Survey Eve": one turn by Eve, never coded.

Codings (c1 … c10):

====  =========  =====================  ==============================
c     code       where                  status / note
====  =========  =====================  ==============================
c1    Cost       D1 Alice turn 1        confirmed, overlaps c2
c2    Time       D1 Alice turn 1        confirmed
c3    Cost       D1 Alice turn 2        confirmed
c4    Support    D1 interviewer turn    confirmed, interviewer: excluded
c5    Time       D2 Bob turn 1          pending (auto)
c6    Cost       D2 Carol turn          confirmed
c7    Support    D2 Carol turn          rejected: never counted
c8    Support    D2 Bob turn 2          confirmed
c9    Barriers   D3 R (Dan) turn        confirmed, whole turn
c10   Cost       D3 R (Dan) turn        confirmed, inside c9
====  =========  =====================  ==============================

Participants in scope (the base): Alice, Bob, Carol, Dan, Eve = 5;
SME base = Alice, Bob, Eve = 3; multinational base = Carol, Dan = 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from qualcode.model import ParsedDocument, ParsedTurn
from qualcode.store import NewCoding, Project

PEOPLE = {
    "Alice": {"org_size": "SME", "region": "North"},
    "Bob": {"org_size": "SME", "region": "South"},
    "Carol": {"org_size": "multinational", "region": "North"},
    "Dan": {"org_size": "multinational", "region": "South"},
    "Eve": {"org_size": "SME", "region": "North"},
    "Frank": {"org_size": "SME", "region": "North"},
}


@dataclass
class Study:
    """Ids of what :func:`build_study` made, by short name."""

    docs: dict[str, int] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    codings: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def parsed(name: str, turns: list[tuple[str, str, str, str | None]], participant: str | None = None) -> ParsedDocument:
    """``turns`` are (speaker, role, text, participant); rendered ``Speaker: text``."""
    parts, out, pos = [], [], 0
    for speaker, role, said, who in turns:
        label = f"{speaker}: "
        out.append(ParsedTurn(speaker, pos + len(label), pos + len(label) + len(said), role=role, participant=who))
        parts.append(label + said)
        pos += len(label) + len(said) + 2
    return ParsedDocument(name=name, kind="interview", text="\n\n".join(parts), turns=out, participant=participant)


def span(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``phrase`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def build_study(project: Project) -> Study:
    study = Study()
    for name, attrs in PEOPLE.items():
        project.participants.ensure(name, attrs)
    docs = [
        parsed("Interview 1", [
            ("Interviewer", "interviewer", "What gets in the way of bidding?", None),
            ("Alice", "participant", "The bid cost is high. We never have enough time to write bids.", "Alice"),
            ("Interviewer", "interviewer", "Who helps you? Alice, is there support?", None),
            ("Alice", "participant", "Cost again: the legal fees.", "Alice"),
        ]),
        parsed("Focus group", [
            ("Moderator", "interviewer", "Tell me about deadlines.", None),
            ("Bob", "participant", "Deadlines are too short for small firms.", "Bob"),
            ("Carol", "participant", "Our bid team is expensive to run.", "Carol"),
            ("Bob", "participant", "The council helped us with a mentor.", "Bob"),
        ]),
        parsed("Interview 3", [
            ("Interviewer", "interviewer", "Anything else?", None),
            ("R", "participant", "Procurement is a barrier overall, mostly the price of compliance.", None),
        ], participant="Dan"),
        ParsedDocument(name="Survey Eve", kind="survey", text="No comment really.", participant="Eve"),
    ]
    for doc in docs:
        stored, _ = project.documents.add(doc)
        study.docs[doc.name] = stored.id
        study.texts[doc.name] = stored.text
    for path in ("Barriers > Cost", "Barriers > Time", "Enablers > Support", "Other"):
        code, _ = project.codes.ensure_path(path, description=f"About {path.split(' > ')[-1].lower()}.")
        study.codes[code.name] = code.id
    study.codes["Barriers"] = project.codes.resolve("Barriers").id
    study.codes["Enablers"] = project.codes.resolve("Enablers").id
    t1, t2, t3 = study.texts["Interview 1"], study.texts["Focus group"], study.texts["Interview 3"]
    plan = [
        ("c1", "Cost", "Interview 1", span(t1, "The bid cost is high. We never have enough time"), "confirmed"),
        ("c2", "Time", "Interview 1", span(t1, "We never have enough time to write bids."), "confirmed"),
        ("c3", "Cost", "Interview 1", span(t1, "the legal fees"), "confirmed"),
        ("c4", "Support", "Interview 1", span(t1, "Who helps you?"), "confirmed"),
        ("c5", "Time", "Focus group", span(t2, "Deadlines are too short"), "pending"),
        ("c6", "Cost", "Focus group", span(t2, "Our bid team is expensive to run."), "confirmed"),
        ("c7", "Support", "Focus group", span(t2, "bid team"), "rejected"),
        ("c8", "Support", "Focus group", span(t2, "The council helped us with a mentor."), "confirmed"),
        ("c9", "Barriers", "Interview 3", span(t3, "Procurement is a barrier overall, mostly the price of compliance."),
         "confirmed"),
        ("c10", "Cost", "Interview 3", span(t3, "the price of compliance"), "confirmed"),
    ]
    items = [
        NewCoding(study.codes[code], study.docs[doc], s, e, coder="tester",
                  origin="auto" if status == "pending" else "manual", status=status)
        for _, code, doc, (s, e), status in plan
    ]
    ids = project.codings.add_many(items)
    study.codings = {key: cid for (key, *_), cid in zip(plan, ids)}
    return study


@pytest.fixture
def study(project) -> tuple[Project, Study]:
    return project, build_study(project)


# -- the attribution rules, checked on the fixture itself -------------------------

def test_counted_codings_skip_rejected_and_interviewer(study):
    from qualcode.analysis.corpus import load_corpus

    project, s = study
    corpus = load_corpus(project)
    counted = {cc.coding.id for cc in corpus.codings}
    # Hand count: c4 (interviewer turn) and c7 (rejected) are out; 8 remain.
    assert counted == {s.codings[k] for k in ("c1", "c2", "c3", "c5", "c6", "c8", "c9", "c10")}
    assert len(load_corpus(project, include_pending=False).codings) == 7  # minus pending c5
    with_int = {cc.coding.id for cc in load_corpus(project, include_interviewer=True).codings}
    assert s.codings["c4"] in with_int and s.codings["c7"] not in with_int


def test_participant_from_turn_then_document(study):
    from qualcode.analysis.corpus import load_corpus

    project, s = study
    corpus = load_corpus(project, include_interviewer=True)
    who = {cc.coding.id: corpus.participant_name(cc.participant_id) for cc in corpus.codings}
    assert who[s.codings["c1"]] == "Alice"  # Alice's turn
    assert who[s.codings["c6"]] == "Carol"
    assert who[s.codings["c10"]] == "Dan"  # turn has no participant: the document's (Dan)
    assert who[s.codings["c4"]] is None  # interviewer turn, document without participant


def test_scope_is_people_with_a_participant_turn_or_a_document(study):
    from qualcode.analysis.corpus import load_corpus

    project, _ = study
    corpus = load_corpus(project)
    # Frank has attributes only: not in the base; Dan via D3, Eve via D4.
    assert [p.name for p in corpus.scope] == ["Alice", "Bob", "Carol", "Dan", "Eve"]
    assert corpus.group_base("org_size") == {"SME": 3, "multinational": 2}


def test_a_start_between_turns_takes_the_next_turn(study):
    from qualcode.analysis.corpus import load_corpus

    project, s = study
    text = s.texts["Interview 1"]
    label = text.index("Alice: The bid")  # the coding starts on the speaker label
    project.codings.add_many([NewCoding(s.codes["Other"], s.docs["Interview 1"], label, label + 20, coder="t")])
    corpus = load_corpus(project)
    other = [cc for cc in corpus.codings if cc.code.name == "Other"]
    assert len(other) == 1 and corpus.participant_name(other[0].participant_id) == "Alice"
