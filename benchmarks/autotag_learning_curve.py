"""The auto-tagging learning curve on every coded study available.

Studies (each skipped with a note when its data is absent):

- ``demo``: the demo project (``qualcode/data/demo``: 6 interviews and a focus
  group coded by ``codings.csv``, codebook ``qualcode/data/codebooks/social_value.yaml``
  with descriptions, include/exclude notes, examples and keywords). The
  curve runs over the 7 transcripts (the 13 coded survey answers are
  one-line documents and would make "k documents" meaningless).
- ``napire-causes`` / ``napire-effects``: NaPiRE 2018's human coding of the
  free-text causes (questions v_277-v_281) and effects (v_282-v_286) of
  requirements-engineering problems. Each question is one document, each
  respondent's answer one turn; codes sit under the study's own categories
  (``Problem_coding-Categories.xlsx``: Input/Method/Organization/People/
  Tools for causes, Customer/Product/... for effects); tags the sheet does
  not list go under ``Other``. Codes have only their names and the content
  words of their names as keywords (what a user would start from).
- the Alaska water interviews (``../shared/corpora/alaska-water-interviews``)
  carry no researcher codings, so there is nothing to learn from or score
  against; the script says so.

For each study: ``learning_curve`` (``qualcode autotag evaluate
--by-document``) with ``--repeats`` seeded document orders; it prints
top-theme and turn-level micro/macro-F1 per k for the model, the previous
model, the commonest-theme baseline and keyword rules, and a summary line:
does the model beat both baselines on top-theme micro and macro F1 at every
k >= 3?

Usage: .venv/bin/python benchmarks/autotag_learning_curve.py [--repeats 3] [--seed 0] [--json] [--study demo]
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
SHARED = Path(os.environ.get("QUALCODE_SHARED", ROOT.parent / "shared")) / "corpora"
NAPIRE = SHARED / "napire-2018/data"
ALASKA = SHARED / "alaska-water-interviews"
STUDIES = {"napire-causes": range(277, 282), "napire-effects": range(282, 287)}
METHODS = ("model", "previous", "commonest", "keywords")


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def norm(tag: str) -> str:
    return " ".join(tag.split()).casefold()


def categories(sheet: str) -> dict[str, str]:
    """``{normalised code: category}`` from the study's own category sheet."""
    import openpyxl

    wb = openpyxl.load_workbook(NAPIRE / "freetext_code-validation/Problem_coding-Categories.xlsx", read_only=True)
    out: dict[str, str] = {}
    for row in wb[sheet].iter_rows(min_row=2, values_only=True):
        if row and row[0] and row[1]:
            out.setdefault(norm(str(row[1])), " ".join(str(row[0]).split()))
    return out


def napire_project(path: Path, questions: range, sheet: str):  # noqa: ANN201
    """One document per question, one turn per answer, codes under the study's categories."""
    from spacy.lang.en.stop_words import STOP_WORDS

    from qualcode.model import ParsedDocument, ParsedTurn
    from qualcode.store import NewCoding, open_project

    cats = categories(sheet)
    proj = open_project(path)
    code_ids: dict[str, int] = {}
    spelling: dict[str, str] = {}
    codings = []
    for q in questions:
        src = next((NAPIRE / "freetext_coded").glob(f"v_{q}_*_coded.csv"))
        reader = csv.reader(io.StringIO(decode(src.read_bytes())), delimiter=";")
        next(reader)
        answers: dict[str, str] = {}
        tags: dict[str, set[str]] = {}
        for row in reader:
            if len(row) < 4 or not row[0].strip() or not row[2].strip() or not row[3].strip():
                continue
            lfdn = row[0].strip().removesuffix(".0")
            answers.setdefault(lfdn, " ".join(row[2].split()))
            tag = spelling.setdefault(norm(row[3]), " ".join(row[3].split()))
            tags.setdefault(lfdn, set()).add(tag)
        parts, turns, pos = [], [], 0
        for lfdn, text in answers.items():
            turns.append(ParsedTurn(f"R{lfdn}", pos, pos + len(text)))
            parts.append(text)
            pos += len(text) + 1
        doc, _ = proj.documents.add(ParsedDocument(f"v_{q}", "survey", "\n".join(parts), turns))
        for lfdn, t in zip(answers, turns):
            for tag in sorted(tags.get(lfdn, ())):
                if tag not in code_ids:
                    cat = cats.get(norm(tag), "Other")
                    words = [w.strip("()").lower() for w in tag.replace("/", " ").split()]
                    kws = [w for w in words if len(w) > 2 and w not in STOP_WORDS]
                    path_ = f"{cat} > {tag.replace('>', '-')}"
                    code_ids[tag] = proj.codes.ensure_path(path_, keywords=kws)[0].id
                codings.append(NewCoding(code_ids[tag], doc.id, t.start, t.end, coder="napire"))
    proj.codings.add_many(codings, summary="NaPiRE human coding")
    return proj, None


def demo_project(path: Path):  # noqa: ANN201
    from qualcode.demo import build_demo
    from qualcode.store import open_project

    build_demo(path)
    proj = open_project(path, create=False)
    docs = [d.name for d in proj.documents.all() if d.kind != "survey"]
    return proj, docs


def run_study(name: str, repeats: int, seed: int) -> dict:
    from qualcode.autotag.curve import learning_curve

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / f"{name}.db"
        if name == "demo":
            proj, docs = demo_project(db)
        else:
            proj, docs = napire_project(db, STUDIES[name], "Causes" if name.endswith("causes") else "Effects")
        t = time.perf_counter()
        curve = learning_curve(proj, repeats=repeats, seed=seed, documents=docs)
        secs = time.perf_counter() - t
        codes = proj.codes.all()
        proj.close()
    out = curve.to_json()
    out.update(
        {
            "study": name,
            "seconds": round(secs, 1),
            "codes": len(codes),
            "themes": sum(1 for c in codes if c.parent_id is None),
        }
    )
    return out


def verdict(study: dict) -> str:
    """Does the model beat both baselines on theme micro and macro F1 at every k >= 3?"""
    pts = {(p["k"], p["level"], p["method"]): p for p in study["points"]}
    ks = sorted({p["k"] for p in study["points"] if p["k"] >= 3})
    if not ks:
        return "no k >= 3 (too few documents)"
    misses = []
    for k in ks:
        for f in ("micro_f1", "macro_f1"):
            m = pts[(k, "theme", "model")][f]
            for base in ("commonest", "keywords"):
                if m <= pts[(k, "theme", base)][f]:
                    misses.append(f"k={k} {f} vs {base} ({m:.3f} <= {pts[(k, 'theme', base)][f]:.3f})")
    return "beats both baselines at every k >= 3" if not misses else "does NOT beat: " + "; ".join(misses)


def print_study(s: dict) -> None:
    print(
        f"\n## {s['study']}: {s['documents']} documents, {s['units']} units, {s['codes']} codes "
        f"({s['themes']} top-level), {s['repeats']} orders, {s['seconds']} s"
    )
    pts = {(p["k"], p["level"], p["method"]): p for p in s["points"]}
    for level in ("theme", "turn"):
        print(f"{level:<6}k | " + " | ".join(f"{m:>13}" for m in METHODS) + "   (micro/macro F1)")
        for k in sorted({p["k"] for p in s["points"]}):
            cells = [
                f"{pts[(k, level, m)]['micro_f1']:.3f}/{pts[(k, level, m)]['macro_f1']:.3f}"
                if (k, level, m) in pts
                else "-"
                for m in METHODS
            ]
            print(f"{'':<6}{k} | " + " | ".join(f"{c:>13}" for c in cells))
    rel = ", ".join(
        f"{b['lower']:.1f}-{b['upper']:.1f}: {b['mean_confidence']:.2f}->{b['observed']:.2f} (n={b['n']})"
        for b in s["reliability"]
    )
    print(f"reliability (confidence -> observed): {rel}; ECE {s['ece']:.3f}")
    print("verdict:", verdict(s))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--study", action="append", choices=["demo", *STUDIES])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    wanted = args.study or ["demo", *STUDIES]
    results = []
    for name in wanted:
        if name != "demo" and not NAPIRE.is_dir():
            print(f"{name}: NaPiRE data not found at {NAPIRE}; skipped", file=sys.stderr)
            continue
        results.append(run_study(name, args.repeats, args.seed))
        if not args.json:
            print_study(results[-1])
    if not args.json and ALASKA.is_dir():
        print("\nalaska-water-interviews: transcripts only, no researcher codings -> not a coded study; skipped")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
