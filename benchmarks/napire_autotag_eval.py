"""Evaluate the auto-tagger against NaPiRE 2018's human coding of free-text answers.

For each question v_277 … v_286 (causes and effects of requirements
engineering problems) this builds a throw-away project: one survey document
per respondent (``lfdn``) holding the answer, one code per tag, and the
human codings (each row's tag over the whole answer; several rows per lfdn
make it multi-label). It then runs ``evaluate`` (5-fold CV grouped by
document) and prints macro- and micro-F1 beside the majority and keyword
baselines. Codes get their own tag name's content words as keywords (what
a user writing a codebook from the tag list would start with); codes with
fewer than 5 answers are skipped and counted.

The model is the default hierarchy tagger (``qualcode.autotag.tagger``;
``--method previous`` for the one-vs-rest model of ``classifier``): its
thresholds and calibration are chosen inside each outer training fold on
inner folds; ``--seed`` changes the outer split, to check a result is not
one lucky split.

Usage: .venv/bin/python benchmarks/napire_autotag_eval.py [--folds 5] [--seed 0] [--method model|previous] [--json]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("QUALCODE_SHARED", ROOT.parent / "shared")) / "corpora/napire-2018/data/freetext_coded"
QUESTIONS = range(277, 287)


def decode(raw: bytes) -> str:
    """UTF-8 first, cp1252 as the fallback (the files mix encodings)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_question(path: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """``{lfdn: answer}`` and ``{lfdn: {tags}}`` from one coded CSV."""
    reader = csv.reader(io.StringIO(decode(path.read_bytes())), delimiter=";")
    header = next(reader)
    answers: dict[str, str] = {}
    tags: dict[str, set[str]] = {}
    spelling: dict[str, str] = {}
    for row in reader:
        if len(row) < 4 or not row[0].strip():
            continue
        lfdn = row[0].strip().removesuffix(".0")
        answer, tag = row[2].strip(), row[3].strip()
        if not answer or not tag:
            continue
        answers.setdefault(lfdn, answer)
        # Tags differ in case across rows ("Incomplete Requirements"): one code.
        tag = spelling.setdefault(" ".join(tag.split()).casefold(), " ".join(tag.split()))
        tags.setdefault(lfdn, set()).add(tag)
    assert len(header) >= 4, path
    return answers, tags


def keywords_for(tag: str) -> list[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    words = [w.strip("()").lower() for w in tag.replace("/", " ").split()]
    return [w for w in words if len(w) > 2 and w not in STOP_WORDS]


def build_project(path: Path, answers: dict[str, str], tags: dict[str, set[str]]):  # noqa: ANN201
    from qualcode.model import ParsedDocument
    from qualcode.store import NewCoding, open_project

    proj = open_project(path)
    doc_ids = {}
    for lfdn, text in answers.items():
        doc, _ = proj.documents.add(ParsedDocument(name=f"lfdn-{lfdn}", kind="survey", text=text))
        doc_ids[lfdn] = doc.id
    code_ids = {}
    for tag in sorted({t for ts in tags.values() for t in ts}):
        name = tag.replace(">", "-")
        code_ids[tag] = proj.codes.add(name, keywords=keywords_for(tag)).id
    proj.codings.add_many(
        [
            NewCoding(code_ids[t], doc_ids[lfdn], 0, len(answers[lfdn]), coder="napire")
            for lfdn, ts in tags.items()
            for t in sorted(ts)
        ],
        summary="NaPiRE human coding",
    )
    return proj


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--method",
        default="model",
        choices=["model", "previous"],
        help="model: the hierarchy tagger; previous: the one-vs-rest model it replaced",
    )
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"NaPiRE data not found at {DATA}", file=sys.stderr)
        return 1
    from qualcode.autotag import evaluate

    rows = []
    t0 = time.perf_counter()
    for q in QUESTIONS:
        path = next(DATA.glob(f"v_{q}_*_coded.csv"))
        answers, tags = read_question(path)
        with tempfile.TemporaryDirectory() as tmp:
            proj = build_project(Path(tmp) / "napire.db", answers, tags)
            ev = evaluate(proj, folds=args.folds, unit="turn", method=args.method, seed=args.seed)
            proj.close()
        n_codes = len({t for ts in tags.values() for t in ts})
        rows.append(
            {
                "question": f"v_{q}",
                "answers": len(answers),
                "codes": n_codes,
                "evaluated": len(ev.scores.codes),
                "skipped": n_codes - len(ev.scores.codes),
                "model": {"micro_f1": ev.scores.micro_f1, "macro_f1": ev.scores.macro_f1, "kappa": ev.scores.kappa},
                **{
                    name: {"micro_f1": s.micro_f1, "macro_f1": s.macro_f1, "kappa": s.kappa}
                    for name, s in ev.baselines.items()
                },
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(
        f"{'question':<9}{'answers':>8}{'codes':>6}{'eval':>5}{'skip':>5} | "
        f"{'model mi/ma':>13} | {'majority mi/ma':>15} | {'keywords mi/ma':>15}"
    )
    for r in rows:
        cells = [f"{r[k]['micro_f1']:.3f}/{r[k]['macro_f1']:.3f}" for k in ("model", "majority", "keywords")]
        print(
            f"{r['question']:<9}{r['answers']:>8}{r['codes']:>6}{r['evaluated']:>5}{r['skipped']:>5} | "
            f"{cells[0]:>13} | {cells[1]:>15} | {cells[2]:>15}"
        )
    mean = {
        k: (sum(r[k]["micro_f1"] for r in rows) / len(rows), sum(r[k]["macro_f1"] for r in rows) / len(rows))
        for k in ("model", "majority", "keywords")
    }
    print(
        f"{'mean':<33} | "
        + " | ".join(
            f"{mean[k][0]:.3f}/{mean[k][1]:.3f}".rjust(w)
            for k, w in (("model", 13), ("majority", 15), ("keywords", 15))
        )
    )
    print(
        f"({args.folds}-fold CV grouped by respondent, seed {args.seed}; codes with < 5 answers skipped; "
        f"{time.perf_counter() - t0:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
