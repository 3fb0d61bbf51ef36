"""NaPiRE end to end: survey import, human codes via ``code --batch``, frequencies.

The expected numbers are counted here straight from the raw coded file with
the csv module (independently of qualcode): per tag, the rows (codings) and
the distinct respondents (documents and participants).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest
from typer.testing import CliRunner

from qualcode.cli.main import app

runner = CliRunner()
CODED = "napire-2018/data/freetext_coded/v_277_with_246_total_365_coded.csv"
TRUTH = "napire-2018/data/napire_truth.csv"


def hand_counts(path):
    text = path.read_bytes().decode("cp1252")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    codings: dict[str, int] = defaultdict(int)
    people: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        codings[r["tag"]] += 1
        people[r["tag"]].add(r["lfdn"])
    return rows, codings, people


@pytest.fixture(scope="module")
def napire_project(corpora_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("napire")
    db = tmp / "napire.db"
    res = runner.invoke(
        app,
        [
            "import",
            str(corpora_dir / TRUTH),
            "--survey",
            "--id-column",
            "lfdn",
            "--text-column",
            "v_277",
            "-p",
            str(db),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows, _, _ = hand_counts(corpora_dir / CODED)
    batch = tmp / "batch.csv"
    with batch.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["document", "start", "end", "code"])
        for r in rows:
            w.writerow([r["lfdn"], "", "", r["tag"]])
    res = runner.invoke(app, ["code", "--batch", str(batch), "--create-codes", "-p", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["added"] == len(rows)
    return db


def test_frequencies_match_hand_counts(napire_project, corpora_dir):
    _, codings, people = hand_counts(corpora_dir / CODED)
    res = runner.invoke(app, ["export", "frequencies", "--format", "json", "-o", "-", "-p", str(napire_project)])
    assert res.exit_code == 0, res.output
    table = {row["path"]: row for row in json.loads(res.output)}
    assert set(table) == set(codings)
    for tag in codings:
        row = table[tag]
        assert row["codings"] == codings[tag], tag
        assert row["documents"] == len(people[tag]), tag  # one answer document per respondent
        assert row["participants"] == len(people[tag]), tag
        assert row["participants_percent"] == pytest.approx(100 * len(people[tag]) / row["participants_base"])


def test_every_survey_row_is_a_participant(napire_project, corpora_dir):
    text = (corpora_dir / TRUTH).read_bytes().decode("utf-8-sig")
    respondents = {r["lfdn"] for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    res = runner.invoke(app, ["participants", "--json", "-p", str(napire_project)])
    names = {p["name"] for p in json.loads(res.output)}
    assert names == respondents
