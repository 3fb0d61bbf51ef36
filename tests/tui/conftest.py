"""Builders and the async runner of the workbench (Textual Pilot) tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.model import ParsedDocument, ParsedTurn

# -- workbench (TUI) builders ----------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests with asyncio (Textual's Pilot is async; no pytest-asyncio here)."""
    import asyncio
    import inspect

    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**args))
    return True


SCREEN_SIZE = (120, 40)


TURNS_A = [
    ("Interviewer", "interviewer", "How do you find the feedback after a bid?"),
    ("Alice", "participant", "It took five weeks to get a reply. The feedback was one line. One line!"),
    ("Interviewer", "interviewer", "And the scoring?"),
    ("Alice", "participant", "Scores were inconsistent between tenders. Nobody explained the moderation."),
]


TURNS_B = [
    ("Interviewer", "interviewer", "Tell me about social value questions."),
    ("Bob", "participant", "They add weeks of work for a small firm. We cannot afford a bid writer."),
]


def _parsed_flows_doc(name: str, turns: list[tuple[str, str, str]], attrs: dict[str, str]) -> ParsedDocument:
    text, parsed = "", []
    for speaker, role, said in turns:
        label = f"{speaker}: "
        start = len(text) + len(label)
        text += label + said + "\n\n"
        parsed.append(
            ParsedTurn(
                speaker, start, start + len(said), role=role, participant=speaker if role == "participant" else None
            )
        )
    people = {t[0]: attrs for t in turns if t[1] == "participant"}
    return ParsedDocument(name=name, kind="interview", text=text, turns=parsed, participants=people)


def _build_flows_project(path: Path) -> Path:
    """Two interviews and a small codebook with keys (digits and f)."""
    from qualcode.store import open_project

    with open_project(path) as project:
        project.documents.add(_parsed_flows_doc("interview_a", TURNS_A, {"org_size": "SME"}))
        project.documents.add(_parsed_flows_doc("interview_b", TURNS_B, {"org_size": "large"}))
        project.codes.add("Feedback", colour="#4e79a7", key="f")
        project.codes.add(
            "Timeliness",
            "Feedback",
            key="1",
            description="When feedback arrives.",
            include="Delays",
            exclude="Content",
            examples=["five weeks"],
        )
        project.codes.add("Quality", "Feedback", key="2")
        project.codes.add("Burden", key="3")
    return path


@pytest.fixture(scope="session")
def workbench():
    """A builder: ``workbench(path)`` is the app on that project, coding as ``tester``."""
    from qualcode.tui import make_app

    return lambda path: make_app(path, coder="tester")


@pytest.fixture(scope="session")
def screen_size() -> tuple[int, int]:
    """The terminal size of every Pilot test and snapshot."""
    return SCREEN_SIZE


@pytest.fixture(scope="session")
def flows_turns() -> dict[str, list[tuple[str, str, str]]]:
    """The (speaker, role, text) turns of the flows project's two interviews, by document name."""
    return {"interview_a": TURNS_A, "interview_b": TURNS_B}


@pytest.fixture(scope="session")
def build_flows_project():
    """A builder: ``build_flows_project(path)``: two interviews and a small codebook with keys (digits and f)."""
    return _build_flows_project


PLANNED = [
    ("Timeliness", "five weeks", 0.91, 1),
    ("Quality", "one line", 0.75, 1),
    ("Burden", "Scores were inconsistent", 0.40, 2),
    ("Burden", "cannot afford", 0.66, 2),
]


def _build_review_project(path: Path) -> Path:
    """The flows project plus the PLANNED pending auto codings in two runs."""
    from qualcode.store import NewCoding, open_project

    _build_flows_project(path)
    with open_project(path) as p:
        runs = [p.runs.start("autotag", {"methods": ["rules"]}).id for _ in range(2)]
        new = []
        for code, phrase, conf, run in PLANNED:
            doc = next(d for d in p.documents.all() if phrase in d.text)
            start = doc.text.index(phrase)
            new.append(
                NewCoding(
                    p.codes.resolve(code).id,
                    doc.id,
                    start,
                    start + len(phrase),
                    coder="autotag",
                    origin="auto",
                    status="pending",
                    method="rules",
                    rule=f"kw:{phrase}",
                    confidence=conf,
                    run_id=runs[run - 1],
                )
            )
        p.codings.add_many(new, summary="planted auto codings")
    return path


@pytest.fixture(scope="session")
def planned_autotags():
    """(code, phrase, confidence, run) of the pending auto codings of the review project."""
    return PLANNED


@pytest.fixture(scope="session")
def build_review_project():
    """A builder: ``build_review_project(path)``: the flows project plus the planned pending auto codings."""
    return _build_review_project


def _build_tables_project(path: Path) -> Path:
    """The flows project with five manual codings (hand counts in the tests)."""
    from qualcode.store import open_project

    _build_flows_project(path)
    with open_project(path) as p:
        a = p.documents.resolve("interview_a")
        b = p.documents.resolve("interview_b")
        for doc, phrase, code in [
            (a, "five weeks", "Timeliness"),
            (a, "one line", "Quality"),
            (a, "Scores were", "Quality"),
            (b, "small firm", "Burden"),
            (b, "bid writer", "Timeliness"),
        ]:
            start = doc.text.index(phrase)
            p.codings.apply(doc.id, start, start + len(phrase), [code], coder="tester")
    return path


@pytest.fixture(scope="session")
def build_tables_project():
    """A builder: ``build_tables_project(path)``: the flows project with five manual codings."""
    return _build_tables_project
