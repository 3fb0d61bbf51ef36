"""Shared fixtures: a fresh project, the shared corpora, the demo study."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


def _span(text: str, first: str, last: str | None = None) -> tuple[int, int]:
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

    code("c1", "int1", _span(t1, "What does water cost you?", "every month."), "Barriers > Cost")
    code("c2", "int1", _span(t1, "The water tastes of rust."), "Quality")
    code("c3", "int1", _span(t1, "Anything else?", "in winter."), "Barriers > Winter")
    code("c4", "int1", _span(t1, "And the quality?"), "Quality")
    code("c5", "int2", _span(t2, "Why expensive?", "Fuel prices."), "Barriers > Cost")
    code("c6", "int2", _span(t2, "The water is fine but expensive."), "Barriers > Cost")
    code("c7", "int2", _span(t2, "Transcript 2, June 2023"), "Quality")
    code("c8", "fg", _span(tf, "Pipes freeze in winter.", "we haul water."), "Barriers > Winter")
    code("c9", "fg", _span(tf, "Costs go up too."), "Barriers > Cost")
    cost, winter = proj.codes.resolve("Barriers > Cost"), proj.codes.resolve("Barriers > Winter")
    s10, s11 = _span(tf, "Costs go up too."), _span(tf, "Yes, the pipes freeze")
    new = proj.codings.add_many([
        NewCoding(cost.id, docs["fg"].id, *s10, coder="auto", origin="auto", status="pending"),
        NewCoding(winter.id, docs["fg"].id, *s11, coder="auto", origin="auto", status="pending"),
    ])
    ids["c10"], ids["c11"] = new
    proj.codings.set_status([ids["c10"]], "rejected")
    code("c12", "int1", _span(t1, "It costs too much"), "Barriers > Cost", coder="bob")
    for name, site in (("int1 · Participant", "North"), ("Dan", "North"), ("Tomas", "South"), ("Dana", "South")):
        proj.participants.set_attributes(name, {"site": site})
    yield proj, ids
    proj.close()
