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

import pytest

from qualcode.store import NewCoding, Project


@pytest.fixture
def study(project, build_study) -> tuple[Project, object]:  # (project, Study)
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
