"""Two-level codebooks from "Category: code" strings (NaPiRE's category-prefixed codes)."""

from __future__ import annotations

import csv
import io

import pytest

from qualcode.codebook import apply_codebook, codebook_from_pairs
from qualcode.codebook.csv_format import decode

VALIDATION = "napire-2018/data/freetext_code-validation"


def test_pairs_basic_rules():
    book = codebook_from_pairs(
        [
            "People: Missing domain knowledge",
            "people:missing  domain knowledge",
            "People: Lack of time",
            "Organization: Lack of time",
            "NotCodable",
            "  ",
            "Input:  Unclear  goals ",
        ]
    )
    assert [n.name for n in book.nodes] == ["People", "Organization", "NotCodable", "Input"]
    assert [c.name for c in book.nodes[0].children] == ["Missing domain knowledge", "Lack of time"]
    assert book.find("Input > Unclear goals") is not None
    assert book.count() == 4 + 4
    assert book.find("NotCodable").children == []


def _tags(corpora_dir, name: str) -> list[str]:
    path = corpora_dir / VALIDATION / name
    if not path.exists():
        pytest.skip(f"{path} not found")
    rows = csv.DictReader(io.StringIO(decode(path.read_bytes()), newline=""), delimiter=";")
    return [r["tag"] for r in rows]


def test_napire_clean_file(corpora_dir, project):
    # The category-prefixed tags are in the *_coded.csv files of freetext_code-validation
    # (the *_validation.csv files there hold the plain codes).
    tags = _tags(corpora_dir, "v_286_with_254_total_262_coded.csv")
    book = codebook_from_pairs(tags, ":", name="NaPiRE effects")
    # Hand counts (scratch pandas script, distinct case-folded category/code pairs):
    # 5 categories + the flat NotCodable; 42 codes: Product 16, Project or Organization 13,
    # Design or Implementation 7, Customer 4, Verification or Validation 2.
    cats = {n.name: len(n.children) for n in book.nodes}
    assert cats == {
        "Product": 16,
        "Project or Organization": 13,
        "Design or Implementation": 7,
        "Customer": 4,
        "Verification or Validation": 2,
        "NotCodable": 0,
    }
    assert book.count() == 6 + 42
    result = apply_codebook(project, book)
    assert len(result.added) == 48
    assert len([c for c in project.codes.all() if c.depth == 1]) == 42


def test_napire_messy_file_merges_case_variants(corpora_dir):
    tags = _tags(corpora_dir, "v_279_with_250_total_322_coded.csv")
    book = codebook_from_pairs(tags)
    # Hand counts: categories Input, Method, Organisation, Organization (with "organization"
    # folded in), People (with "people"), Tools, plus the flat "Lack of time"; 104 distinct codes.
    names = sorted(n.name.casefold() for n in book.nodes)
    assert names == ["input", "lack of time", "method", "organisation", "organization", "people", "tools"]
    assert sum(len(n.children) for n in book.nodes) == 104
    assert len(book.find("Organization").children) == 35
    assert len(book.find("People").children) == 35
