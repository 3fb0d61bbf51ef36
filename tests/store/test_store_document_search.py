"""The indexed document filter (trigram name index) lists what a plain LIKE over every document lists."""

from __future__ import annotations

import pytest

from qualcode.model import ParsedDocument, ParsedTurn
from qualcode.store import document_search

NAMES = [
    "50% off",
    "a_b notes",
    "ab notes",
    "École Nord",
    "école sud",
    "ECOLE est",
    "back\\slash",
    "Café Ünïcode",
    "CAFÉ upper",
    'say "hi"',
    "Interview 1",
    "interview 10",
    "Zoë's diary",
    "bus stop",
]
PEOPLE = ["Zoë", "ZOË", "Ana_María", "Ben 100%", "bob", "Café", None, "Éric", "ana", "Ben", "Zed", "zed2", None, "Ábc"]


@pytest.fixture
def odd(project):
    for i, (name, who) in enumerate(zip(NAMES, PEOPLE)):
        kind = ("interview", "survey", "focus_group", "other")[i % 4]
        project.documents.add(ParsedDocument(name=name, kind=kind, text=f"text {i} here", participant=who))
    text = "Q: hello\n\nMara: the pump\n\nÉlodie: and the valve"
    turns = [
        ParsedTurn("Q", 3, 8, "interviewer", None),
        ParsedTurn("Mara", 16, 24, "participant", "Mara"),
        ParsedTurn("Élodie", 34, 47, "participant", "Élodie"),
    ]
    project.documents.add(ParsedDocument(name="Focus group", kind="focus_group", text=text, turns=turns))
    return project


def _reference(project, query):
    """The filter as one LIKE query over every document, best first (the listing before the index)."""
    like = document_search.like_pattern(query)
    rows = project.db.execute(
        "WITH mp AS (SELECT id FROM participants WHERE name LIKE ? ESCAPE '\\')"
        " SELECT d.name FROM documents d WHERE d.name LIKE ? ESCAPE '\\' OR d.kind LIKE ? ESCAPE '\\'"
        " OR d.participant_id IN mp"
        " OR EXISTS (SELECT 1 FROM turns t WHERE t.document_id = d.id AND t.participant_id IN mp)"
        " ORDER BY instr(lower(d.name), lower(?)) = 0, instr(lower(d.name), lower(?)), lower(d.name), d.id",
        [like, like, like, query, query],
    )
    return [r[0] for r in rows]


QUERIES = [
    "a", "A", "%", "_", "\\", '"', "é", "É", "ol", "ÉCO", "eco", "école", "Cole", "50%", "0% o", "a_b", "_b",
    "b n", "back\\s", "ç", "afé", "AFÉ", "zoë", "ZOË", "oë'", "ana_", "100%", "ben", "mara", "élodie", "lodie",
    "view", "survey", "group", "focus", "intERview 1", "say \"h", "zzz", "zed", "1", "10",
]  # fmt: skip


def test_indexed_filter_lists_what_like_lists(odd):
    assert document_search.DocumentSearch(odd).indexed  # the SQLite here has the trigram tokenizer
    for q in QUERIES:
        got = [s.name for s in odd.documents.summaries(query=q)]
        assert got == _reference(odd, q), q
        assert [s.name for s in odd.documents.summaries(query=q, limit=3)] == got[:3], q
        assert odd.documents.matching(q) == len(got), q
    # hand-checked: LIKE folds ASCII letters only, so "é" does not find "École" but "ÉCO" does
    assert [s.name for s in odd.documents.summaries(query="ÉCO")] == ["École Nord"]
    assert [s.name for s in odd.documents.summaries(query="50%")] == ["50% off"]
    assert [s.name for s in odd.documents.summaries(query="mara")] == ["Focus group"]


def test_index_follows_renames_removals_and_undo(odd):
    doc = odd.documents.find("bus stop")
    with odd.action("rename", "rename a document") as act:
        act.update("documents", doc.id, {"name": "tram stop"})
    assert [s.name for s in odd.documents.summaries(query="tram")] == ["tram stop"]
    assert odd.documents.summaries(query="bus s") == []
    odd.history.undo()
    assert [s.name for s in odd.documents.summaries(query="bus s")] == ["bus stop"]
    odd.documents.remove("bus stop")
    assert odd.documents.summaries(query="bus s") == []
    odd.history.undo()
    assert [s.name for s in odd.documents.summaries(query="bus s")] == ["bus stop"]
    for q in QUERIES:
        assert [s.name for s in odd.documents.summaries(query=q)] == _reference(odd, q), q
    # a bulk insert undone and redone (rows moved out and back by SQL): FTS5's own check against the tables
    odd.documents.add_many(
        [ParsedDocument(name=f"bulk {i}", kind="other", text="x y", participant=f"B{i}") for i in range(50)]
    )
    odd.history.undo()
    odd.history.redo()
    for fts in document_search.TRIGRAM_TABLES:
        odd.db.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")
    assert (
        len(odd.documents.summaries(query="bulk")) == 50 and odd.documents.matching("b4") == 11
    )  # participants B4, B40…B49


def test_many_matches_put_prefixes_first_within_the_bound(odd, monkeypatch):
    odd.documents.add_many(
        [ParsedDocument(name=f"note {i:03d}", kind="other", text="x y", participant=None) for i in range(40)]
        + [ParsedDocument(name=f"a note {i:03d}", kind="other", text="x y", participant=None) for i in range(40)]
    )
    monkeypatch.setattr(document_search, "BOUND", 10)
    for q in ("note", "no"):  # indexed and scanned
        page = [s.name for s in odd.documents.summaries(query=q, limit=10)]
        assert page == [f"note {i:03d}" for i in range(10)], q  # names starting with it, in name order
        assert odd.documents.matching(q, cap=50) == 51  # "more than 50"
    assert odd.documents.matching("note") == 40 + 40 + 2  # "ab notes", "a_b notes"
    wide = [s.name for s in odd.documents.summaries(query="note", limit=60)]
    assert wide[:40] == [f"note {i:03d}" for i in range(40)] and len(wide) == 60
    assert set(wide[40:]) <= set(_reference(odd, "note"))


def test_without_the_trigram_tokenizer_the_filter_scans(odd, monkeypatch):
    monkeypatch.setattr(document_search.DocumentSearch, "indexed", property(lambda self: False))
    for q in QUERIES:
        assert [s.name for s in odd.documents.summaries(query=q)] == _reference(odd, q), q
