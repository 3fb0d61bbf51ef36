"""A small synthetic study with three planted themes, for the themes tests.

Each participant turn draws its content words from one theme's vocabulary;
interviewer turns use a fourth, distinct vocabulary so that including them by
mistake would be visible.
"""

from __future__ import annotations


def test_corpus_has_planted_counts(project, build_themes) -> None:
    counts = build_themes(project)
    assert counts == {"water": 20, "money": 20, "staff": 20}
    turns = project.documents.all_turns()
    assert sum(t.role == "participant" for t in turns) == 60
    assert sum(t.role == "interviewer" for t in turns) == 60
