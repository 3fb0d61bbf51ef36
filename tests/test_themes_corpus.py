"""A small synthetic study with three planted themes, for the themes tests.

Each participant turn draws its content words from one theme's vocabulary;
interviewer turns use a fourth, distinct vocabulary so that including them by
mistake would be visible.
"""

from __future__ import annotations

import random

from tests.helpers import transcript

THEMES: dict[str, list[str]] = {
    "water": ["pipe", "sewer", "leak", "plumbing", "drain", "pump", "valve", "tank", "flush", "hose"],
    "money": ["funding", "grant", "budget", "cost", "money", "expense", "loan", "invoice", "tax", "salary"],
    "staff": ["training", "operator", "staff", "hiring", "certification", "turnover", "mentor", "shift", "crew", "retire"],
}
INTERVIEWER_WORDS = ["weather", "fishing", "season", "snow", "caribou", "festival", "boat", "river"]


def said(rng: random.Random, vocab: list[str]) -> str:
    w = rng.sample(vocab, 5)
    return f"Well, the {w[0]} and the {w[1]} are a worry, {w[2]} {w[3]} and {w[4]} again."


def build(project, *, per_theme: int = 20, docs: int = 6, seed: int = 7) -> dict[str, int]:
    """Import ``docs`` interviews; returns how many participant turns per theme."""
    rng = random.Random(seed)
    plan = [name for name in THEMES for _ in range(per_theme)]
    rng.shuffle(plan)
    counts = dict.fromkeys(THEMES, 0)
    for d in range(docs):
        person = f"P{d + 1}"
        turns: list[tuple[str, str]] = []
        for theme in plan[d::docs]:
            turns.append(("Interviewer", said(rng, INTERVIEWER_WORDS)))
            turns.append((person, said(rng, THEMES[theme])))
            counts[theme] += 1
        size = "SME" if d % 2 == 0 else "large"
        project.documents.add(transcript(f"int{d + 1}", turns, participants={person: {"org_size": size}}))
    return counts


def test_corpus_has_planted_counts(project) -> None:
    counts = build(project)
    assert counts == {"water": 20, "money": 20, "staff": 20}
    turns = project.documents.all_turns()
    assert sum(t.role == "participant" for t in turns) == 60
    assert sum(t.role == "interviewer" for t in turns) == 60
