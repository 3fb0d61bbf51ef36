"""A real coded question (NaPiRE 2018, v_277): frequencies per tag equal the distinct
respondents per tag counted independently with the csv module."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from qualcode.analysis import frequencies
from qualcode.model import ParsedDocument
from qualcode.store import NewCoding

FILE = "napire-2018/data/freetext_coded/v_277_with_246_total_365_coded.csv"


def read_rows(path):
    # ';'-separated, cp1252, CRLF, some answers quoted with ';' inside.
    with open(path, encoding="cp1252", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def test_frequencies_equal_distinct_respondents_per_tag(corpora_dir, project):
    path = corpora_dir / FILE
    if not path.exists():
        pytest.skip(f"{FILE} not available")
    rows = read_rows(path)
    # Independent count: distinct respondents (lfdn) and rows per tag.
    respondents = defaultdict(set)
    for r in rows:
        respondents[r["tag"]].add(r["lfdn"])
    # Import through the store: one document per respondent's answer, a coding per row over the whole answer.
    answers = {}
    for r in rows:
        answers.setdefault(r["lfdn"], r["v_277"])
    doc_ids = {}
    with project.action("import", "napire v_277"):
        for lfdn, text in answers.items():
            doc, _ = project.documents.add(
                ParsedDocument(
                    name=f"v_277 {lfdn}",
                    kind="survey",
                    text=text,
                    participant=f"R{lfdn}",
                    participants={f"R{lfdn}": {}},
                )
            )
            doc_ids[lfdn] = (doc.id, len(doc.text))
        code_ids = {tag: project.codes.ensure_path(tag)[0].id for tag in respondents}
    project.codings.add_many(
        NewCoding(code_ids[r["tag"]], doc_ids[r["lfdn"]][0], 0, doc_ids[r["lfdn"]][1], coder="napire") for r in rows
    )
    freq = frequencies(project).set_index("path")
    assert len(freq) == len(respondents)
    assert freq.attrs["participants_base"] == len(answers)  # every respondent has a document
    for tag, people in respondents.items():
        assert freq.loc[tag, "participants"] == len(people), tag
        assert freq.loc[tag, "documents"] == len(people), tag
        assert freq.loc[tag, "participants_percent"] == pytest.approx(len(people) / len(answers) * 100)
    assert freq["codings"].sum() == len({(r["lfdn"], r["tag"]) for r in rows})
