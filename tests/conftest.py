"""Shared fixtures: a fresh project, the shared corpora, the demo study."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qualcode.model import ParsedDocument, ParsedTurn
from qualcode.store import NewCoding, Project

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("QUALCODE_SHARED", ROOT.parent / "shared"))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A new, empty project in a temporary folder."""
    from qualcode.store import open_project

    monkeypatch.setenv("QUALCODE_CODER", "tester")
    proj = open_project(tmp_path / "study.db")
    yield proj
    proj.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (read-only third-party corpora); skips when absent."""
    if not (SHARED / "corpora").is_dir():
        pytest.skip(f"shared corpora not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def corpora_dir(shared_dir) -> Path:
    return shared_dir / "corpora"


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo study shipped in ``corpora/demo``."""
    return ROOT / "corpora" / "demo"


@pytest.fixture(scope="session")
def codebooks_dir() -> Path:
    return ROOT / "codebooks"


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch):
    """Text cursors do not blink in tests, so screenshots and timings are steady.

    Why here and not in the app: blinking is a property of Textual's widgets;
    the switch flips their default for the test session instead of threading a
    test-only flag through every screen.
    """
    try:
        from textual.widgets import Input, TextArea
    except ImportError:  # pragma: no cover - Textual is a dependency
        return
    for widget in (Input, TextArea):
        monkeypatch.setattr(widget.__dict__["cursor_blink"], "_default", False)


class Notices(list):
    """The notifications an app showed, collected through ``run_test(message_hook=...)``."""

    def hook(self, message) -> None:
        from textual.notifications import Notify

        if isinstance(message, Notify):
            self.append(message.notification.message)


@pytest.fixture
def notices() -> Notices:
    """Pass ``message_hook=notices.hook`` to ``app.run_test``; read the notifications' texts."""
    return Notices()


@pytest.fixture(scope="session")
def copy_db():
    """A builder: ``copy_db(src, target)`` copies a project file (WAL included) and returns ``target``."""
    import sqlite3

    def copy(src: Path, target: Path) -> Path:
        source, dest = sqlite3.connect(src), sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            source.close()
            dest.close()
        return target

    return copy


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo study, built once per test process. Read only: take a ``demo_copy`` to change it."""
    from qualcode.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


@pytest.fixture
def demo_copy(demo_db, copy_db, tmp_path) -> Path:
    """A private copy of the demo study, free to change."""
    return copy_db(demo_db, tmp_path / "demo.db")


# -- builders shared by several areas (fixtures return the builder functions) -------------------


def _transcript(
    name: str,
    turns: list[tuple[str, str]],
    *,
    interviewer: str = "Interviewer",
    kind: str = "interview",
    participants: dict[str, dict[str, str]] | None = None,
) -> ParsedDocument:
    """A ParsedDocument rendered as ``Speaker: text`` paragraphs.

    Speakers other than ``interviewer`` become participants of the same name.
    """
    text_parts: list[str] = []
    parsed: list[ParsedTurn] = []
    pos = 0
    for speaker, said in turns:
        label = f"{speaker}: "
        start = pos + len(label)
        text_parts.append(label + said)
        role = "interviewer" if speaker == interviewer else "participant"
        parsed.append(
            ParsedTurn(
                speaker, start, start + len(said), role=role, participant=None if role == "interviewer" else speaker
            )
        )
        pos += len(label) + len(said) + 2
    return ParsedDocument(
        name=name, kind=kind, text="\n\n".join(text_parts), turns=parsed, participants=participants or {}, sha256=name
    )


@pytest.fixture(scope="session")
def transcript():
    """A builder: ``transcript(name, [(speaker, text)…], interviewer=, kind=, participants=)`` → ParsedDocument."""
    return _transcript


# The small study every analysis/export test counts by hand (see the ``build_study`` fixture).
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


def _parsed_study_doc(
    name: str, turns: list[tuple[str, str, str, str | None]], participant: str | None = None
) -> ParsedDocument:
    """``turns`` are (speaker, role, text, participant); rendered ``Speaker: text``."""
    parts, out, pos = [], [], 0
    for speaker, role, said, who in turns:
        label = f"{speaker}: "
        out.append(ParsedTurn(speaker, pos + len(label), pos + len(label) + len(said), role=role, participant=who))
        parts.append(label + said)
        pos += len(label) + len(said) + 2
    return ParsedDocument(name=name, kind="interview", text="\n\n".join(parts), turns=out, participant=participant)


def _span(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``phrase`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def _build_study(project: Project) -> Study:
    study = Study()
    for name, attrs in PEOPLE.items():
        project.participants.ensure(name, attrs)
    docs = [
        _parsed_study_doc(
            "Interview 1",
            [
                ("Interviewer", "interviewer", "What gets in the way of bidding?", None),
                ("Alice", "participant", "The bid cost is high. We never have enough time to write bids.", "Alice"),
                ("Interviewer", "interviewer", "Who helps you? Alice, is there support?", None),
                ("Alice", "participant", "Cost again: the legal fees.", "Alice"),
            ],
        ),
        _parsed_study_doc(
            "Focus group",
            [
                ("Moderator", "interviewer", "Tell me about deadlines.", None),
                ("Bob", "participant", "Deadlines are too short for small firms.", "Bob"),
                ("Carol", "participant", "Our bid team is expensive to run.", "Carol"),
                ("Bob", "participant", "The council helped us with a mentor.", "Bob"),
            ],
        ),
        _parsed_study_doc(
            "Interview 3",
            [
                ("Interviewer", "interviewer", "Anything else?", None),
                ("R", "participant", "Procurement is a barrier overall, mostly the price of compliance.", None),
            ],
            participant="Dan",
        ),
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
        ("c1", "Cost", "Interview 1", _span(t1, "The bid cost is high. We never have enough time"), "confirmed"),
        ("c2", "Time", "Interview 1", _span(t1, "We never have enough time to write bids."), "confirmed"),
        ("c3", "Cost", "Interview 1", _span(t1, "the legal fees"), "confirmed"),
        ("c4", "Support", "Interview 1", _span(t1, "Who helps you?"), "confirmed"),
        ("c5", "Time", "Focus group", _span(t2, "Deadlines are too short"), "pending"),
        ("c6", "Cost", "Focus group", _span(t2, "Our bid team is expensive to run."), "confirmed"),
        ("c7", "Support", "Focus group", _span(t2, "bid team"), "rejected"),
        ("c8", "Support", "Focus group", _span(t2, "The council helped us with a mentor."), "confirmed"),
        (
            "c9",
            "Barriers",
            "Interview 3",
            _span(t3, "Procurement is a barrier overall, mostly the price of compliance."),
            "confirmed",
        ),
        ("c10", "Cost", "Interview 3", _span(t3, "the price of compliance"), "confirmed"),
    ]
    items = [
        NewCoding(
            study.codes[code],
            study.docs[doc],
            s,
            e,
            coder="tester",
            origin="auto" if status == "pending" else "manual",
            status=status,
        )
        for _, code, doc, (s, e), status in plan
    ]
    ids = project.codings.add_many(items)
    study.codings = {key: cid for (key, *_), cid in zip(plan, ids)}
    return study


@pytest.fixture(scope="session")
def build_study():
    """A builder: ``build_study(project) -> Study`` stores the hand-counted analysis study.

    Participants (created first, so ids and pseudonyms P01… follow this order):
    Alice (SME, North), Bob (SME, South), Carol (multinational, North), Dan
    (multinational, South), Eve (SME, North), Frank (SME, North; no turn and no
    document, so NOT in scope). Codebook: Barriers > Cost, Barriers > Time,
    Enablers > Support, Other. D1 "Interview 1": Interviewer / Alice /
    Interviewer / Alice. D2 "Focus group": Moderator (interviewer) / Bob /
    Carol / Bob. D3 "Interview 3": document participant Dan; turns Interviewer /
    R (no participant on the turn, so the document's participant is used).
    D4 "Survey Eve": one turn by Eve, never coded.

    Codings c1 … c10: c1 Cost D1 Alice turn 1 (overlaps c2); c2 Time D1 Alice
    turn 1; c3 Cost D1 Alice turn 2; c4 Support D1 interviewer turn (excluded);
    c5 Time D2 Bob turn 1 (pending, auto); c6 Cost D2 Carol; c7 Support D2 Carol
    (rejected: never counted); c8 Support D2 Bob turn 2; c9 Barriers D3 R (Dan)
    whole turn; c10 Cost D3 inside c9. All confirmed unless said.

    Participants in scope (the base): Alice, Bob, Carol, Dan, Eve = 5; SME base
    = Alice, Bob, Eve = 3; multinational base = Carol, Dan = 2.
    """
    return _build_study


# Three planted themes: each participant turn draws its content words from one
# theme's vocabulary; interviewer turns use a fourth, distinct vocabulary so that
# including them by mistake would be visible.
THEMES: dict[str, list[str]] = {
    "water": ["pipe", "sewer", "leak", "plumbing", "drain", "pump", "valve", "tank", "flush", "hose"],
    "money": ["funding", "grant", "budget", "cost", "money", "expense", "loan", "invoice", "tax", "salary"],
    "staff": [
        "training",
        "operator",
        "staff",
        "hiring",
        "certification",
        "turnover",
        "mentor",
        "shift",
        "crew",
        "retire",
    ],
}


INTERVIEWER_WORDS = ["weather", "fishing", "season", "snow", "caribou", "festival", "boat", "river"]


def _said(rng: random.Random, vocab: list[str]) -> str:
    w = rng.sample(vocab, 5)
    return f"Well, the {w[0]} and the {w[1]} are a worry, {w[2]} {w[3]} and {w[4]} again."


def _build_themes(project, *, per_theme: int = 20, docs: int = 6, seed: int = 7) -> dict[str, int]:
    """Import ``docs`` interviews; returns how many participant turns per theme."""
    rng = random.Random(seed)
    plan = [name for name in THEMES for _ in range(per_theme)]
    rng.shuffle(plan)
    counts = dict.fromkeys(THEMES, 0)
    for d in range(docs):
        person = f"P{d + 1}"
        turns: list[tuple[str, str]] = []
        for theme in plan[d::docs]:
            turns.append(("Interviewer", _said(rng, INTERVIEWER_WORDS)))
            turns.append((person, _said(rng, THEMES[theme])))
            counts[theme] += 1
        size = "SME" if d % 2 == 0 else "large"
        project.documents.add(_transcript(f"int{d + 1}", turns, participants={person: {"org_size": size}}))
    return counts


@pytest.fixture(scope="session")
def planted_themes() -> dict[str, list[str]]:
    """The planted themes' vocabularies, by theme name."""
    return THEMES


@pytest.fixture(scope="session")
def build_themes():
    """A builder: ``build_themes(project, per_theme=20, docs=6, seed=7)`` imports interviews with planted
    themes and returns how many participant turns each theme got."""
    return _build_themes


@pytest.fixture(scope="session")
def unguided_run_db(tmp_path_factory) -> tuple[Path, int]:
    """The planted-themes study with one unguided suggestion run (default parameters), fitted once per session."""
    from qualcode.store import open_project
    from qualcode.themes import SuggestParams, suggest

    path = tmp_path_factory.mktemp("themes") / "study.db"
    with open_project(path) as project:
        _build_themes(project)
        run_id = suggest(project, SuggestParams(guided=False)).id
    return path, run_id


@pytest.fixture
def unguided_run(unguided_run_db, copy_db, tmp_path, monkeypatch):
    """``(project, run)``: a private copy of ``unguided_run_db``, open, and its run as ``load_run`` reads it."""
    from qualcode.store import open_project
    from qualcode.themes import load_run

    monkeypatch.setenv("QUALCODE_CODER", "tester")
    path, run_id = unguided_run_db
    project = open_project(copy_db(path, tmp_path / "study.db"))
    yield project, load_run(project, run_id)
    project.close()


# Intercoder agreement: two interviews (u1-u4 in int1, u5-u8 in int2) coded by ana and ben, int3 (u9-u10) by ana
# only, int4 by nobody; see tests/analysis/test_analysis_agreement.py for the hand counts.
Q = ("Interviewer", "What happened next?")
CODES = ("Feedback > Late", "Feedback > Useful", "Burden > Cost", "Unused")
UNITS = [f"u{i}" for i in range(1, 11)]
IN_SCOPE = UNITS[:8]
# coder -> code -> units (whole participant turns unless listed in PARTIAL)
TABLE = {
    "ana": {
        "Feedback > Late": {"u1", "u2", "u5", "u9"},
        "Feedback > Useful": {"u3"},
        "Burden > Cost": {"u4", "u7", "u8"},
    },
    "ben": {"Feedback > Late": {"u1", "u5", "u6"}, "Feedback > Useful": {"u3"}, "Burden > Cost": {"u4", "u8"}},
}
PARTIAL = {("ben", "Burden > Cost", "u4")}  # ben coded only a few words of u4


def _build_agreement_study(project) -> dict[str, tuple[int, int, int]]:
    """Add the study; return unit label -> (document id, start, end)."""
    said = [
        "The debrief came six weeks late. It said nothing useful.",
        "We waited and waited for news.",
        "Their notes helped us rewrite the bid.",
        "Writing the bid cost us two weeks.",
        "Late again, as usual.",
        "Nobody called us back.",
        "The fee was steep.",
        "Lawyers cost a fortune.",
        "It was fine.",
        "Nothing to add.",
    ]
    docs = [("int1", said[0:4]), ("int2", said[4:8]), ("int3", said[8:10]), ("int4", ["Just one answer."])]
    units: dict[str, tuple[int, int, int]] = {}
    n = 0
    for name, answers in docs:
        turns = [t for a in answers for t in (Q, ("Pat", a))]
        doc, _ = project.documents.add(_transcript(name, turns))
        for t in project.documents.turns(doc.id):
            if t.role == "participant" and name != "int4":
                n += 1
                units[f"u{n}"] = (doc.id, t.start, t.end)
    for path in CODES:
        project.codes.ensure_path(path)
    batch = []
    for coder, by_code in TABLE.items():
        for path, labels in by_code.items():
            code = project.codes.resolve(path)
            for label in sorted(labels):
                did, s, e = units[label]
                if (coder, path, label) in PARTIAL:
                    s, e = s + 4, s + 15
                batch.append(NewCoding(code.id, did, s, e, coder=coder))
    # ben also codes an interviewer turn of int1: not a unit, so it must not count
    first_q = project.documents.turns(units["u1"][0])[0]
    batch.append(
        NewCoding(
            project.codes.resolve("Burden > Cost").id, first_q.document_id, first_q.start, first_q.end, coder="ben"
        )
    )
    project.codings.add_many(batch)
    return units


@pytest.fixture(scope="session")
def agreement_study():
    """The two-coder study: ``.build(project)`` stores it and returns unit label -> (document id, start, end);
    ``.table`` (coder -> code -> units), ``.codes``, ``.units``, ``.in_scope``, ``.partial`` and ``.question``
    describe it."""
    from types import SimpleNamespace

    return SimpleNamespace(
        build=_build_agreement_study,
        table=TABLE,
        codes=CODES,
        units=UNITS,
        in_scope=IN_SCOPE,
        partial=PARTIAL,
        question=Q,
    )


# -- a small messy study (issue 9): question+answer codings, a misspelt label, a case variant, a focus group ----
MESSY_FILES = {
    "int1.txt": (
        "Interviewer: What does water cost you?\n"
        "Participant: It costs too much every month.\n"
        "Interviewer: And the quality?\n"
        "Participant: The water tastes of rust.\n"
        "Interviewer: Anything else?\n"
        "Particpant: We haul water in winter.\n"
        "Interviewer: Thank you.\n"
        "Participant: Goodbye.\n"
    ),
    "int2.txt": (
        "Transcript 2, June 2023\n\n"
        "Interviewer: How is the water?\n"
        "Tomas: The water is fine but expensive.\n"
        "Interviewer: Why expensive?\n"
        "TOMAS: Fuel prices.\n"
        "Interviewer: Anything more?\n"
        "Tomas: Pipes are old.\n"
        "Interviewer: Thanks.\n"
        "Tomas: You are welcome.\n"
    ),
    "fg.txt": (
        "Moderator: Tell me about water.\n"
        "Dan: Pipes freeze in winter.\n"
        "Dana: Yes, the pipes freeze and we haul water.\n"
        "Dan: Costs go up too.\n"
        "Moderator: Thanks all.\n"
    ),
}


def _messy_span(text: str, first: str, last: str | None = None) -> tuple[int, int]:
    """From the start of ``first`` to the end of ``last`` (or of ``first``)."""
    start = text.index(first)
    end = text.index(last, start) + len(last) if last else start + len(first)
    return start, end


@pytest.fixture
def messy_files(tmp_path) -> Path:
    """The issue-9 transcripts written to a folder (int1.txt, int2.txt, fg.txt)."""
    folder = tmp_path / "messy"
    folder.mkdir()
    for name, text in MESSY_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def messy_study(tmp_path, monkeypatch):
    """The issue-9 study, imported through the real importer and coded like real coders do.

    Codings (c1…c12; "ann" unless said), as selected by the coder:
      int1  c1  Cost     question "What does water cost you?" + answer "It costs too much every month."
            c2  Quality  answer "The water tastes of rust."
            c3  Winter   question "Anything else?" + the misspelt-label answer "We haul water in winter."
            c4  Quality  the question "And the quality?" only (interviewer-only)
            c12 Cost     by "bob": "It costs too much" (inside the answer)
      int2  c5  Cost     question "Why expensive?" + the TOMAS answer "Fuel prices."
            c6  Cost     "The water is fine but expensive." (Tomas)
            c7  Quality  the header "Transcript 2, June 2023" (outside turns)
      fg    c8  Winter   Dan's "Pipes freeze in winter." through Dana's "...we haul water." (two members)
            c9  Cost     Dan's "Costs go up too."
            c10 Cost     Dan's "Costs go up too." by "auto", rejected
            c11 Winter   Dana's "Yes, the pipes freeze", by "auto", pending
    Attributes: site=North for int1 · Participant and Dan, site=South for Tomas and Dana; Particpant has none.
    Returns (project, {name: coding id}).
    """
    from qualcode.ingest import ImportOptions, import_paths
    from qualcode.store import NewCoding, open_project

    monkeypatch.setenv("QUALCODE_CODER", "ann")
    for name, text in MESSY_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    proj = open_project(tmp_path / "messy.db")
    for name in MESSY_FILES:  # one by one: import order int1, int2, fg
        import_paths(proj, [tmp_path / name], ImportOptions())
    for path in ("Barriers > Cost", "Barriers > Winter", "Quality"):
        proj.codes.ensure_path(path)
    docs = {d.name: d for d in proj.documents.all()}
    t1, t2, tf = docs["int1"].text, docs["int2"].text, docs["fg"].text
    ids: dict[str, int] = {}

    def code(key: str, doc: str, span: tuple[int, int], path: str, coder: str = "ann") -> None:
        ids[key] = proj.codings.apply(doc, span[0], span[1], [path], coder=coder)[0].id

    code("c1", "int1", _messy_span(t1, "What does water cost you?", "every month."), "Barriers > Cost")
    code("c2", "int1", _messy_span(t1, "The water tastes of rust."), "Quality")
    code("c3", "int1", _messy_span(t1, "Anything else?", "in winter."), "Barriers > Winter")
    code("c4", "int1", _messy_span(t1, "And the quality?"), "Quality")
    code("c5", "int2", _messy_span(t2, "Why expensive?", "Fuel prices."), "Barriers > Cost")
    code("c6", "int2", _messy_span(t2, "The water is fine but expensive."), "Barriers > Cost")
    code("c7", "int2", _messy_span(t2, "Transcript 2, June 2023"), "Quality")
    code("c8", "fg", _messy_span(tf, "Pipes freeze in winter.", "we haul water."), "Barriers > Winter")
    code("c9", "fg", _messy_span(tf, "Costs go up too."), "Barriers > Cost")
    cost, winter = proj.codes.resolve("Barriers > Cost"), proj.codes.resolve("Barriers > Winter")
    s10, s11 = _messy_span(tf, "Costs go up too."), _messy_span(tf, "Yes, the pipes freeze")
    new = proj.codings.add_many(
        [
            NewCoding(cost.id, docs["fg"].id, *s10, coder="auto", origin="auto", status="pending"),
            NewCoding(winter.id, docs["fg"].id, *s11, coder="auto", origin="auto", status="pending"),
        ]
    )
    ids["c10"], ids["c11"] = new
    proj.codings.set_status([ids["c10"]], "rejected")
    code("c12", "int1", _messy_span(t1, "It costs too much"), "Barriers > Cost", coder="bob")
    for name, site in (("int1 · Participant", "North"), ("Dan", "North"), ("Tomas", "South"), ("Dana", "South")):
        proj.participants.set_attributes(name, {"site": site})
    yield proj, ids
    proj.close()
