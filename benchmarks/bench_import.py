"""Import speed on the real transcripts in ../shared/corpora, next to spaCy.

Imports the Alaska interviews CSV, both Anthropic Interviewer CSVs and every
AMI meeting JSON into a temporary project, then tokenises the same stored
texts with ``spacy.blank("en")`` through ``nlp.pipe`` in the same run, and
prints words per second for both and their ratio (import / tokenise). The
ratio, not the absolute number, is what to compare across machines.

Run: ``.venv/bin/python benchmarks/bench_import.py [--shared PATH]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sources(corpora: Path) -> list[Path]:
    files = [corpora / "alaska-water-interviews" / "all_public_interviews.csv"]
    files += sorted((corpora / "anthropic-interviewer").glob("*_transcripts.csv"))
    files += sorted((corpora / "qmsum-ami-product" / "meetings").glob("*.json"))
    return [f for f in files if f.is_file()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    corpora = args.shared / "corpora"
    files = sources(corpora)
    if not files:
        print(f"no corpora under {corpora}", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    from qualcode.ingest import import_paths
    from qualcode.store import open_project

    with tempfile.TemporaryDirectory() as tmp:
        with open_project(Path(tmp) / "bench.db") as project:
            t0 = time.perf_counter()
            results = import_paths(project, files)
            import_s = time.perf_counter() - t0
            errors = [r for r in results if r.status == "error"]
            texts = [d.text for d in project.documents.all()]
            turns = len(project.documents.all_turns())
    words = sum(len(t.split()) for t in texts)

    import spacy

    nlp = spacy.blank("en")
    t0 = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=256))
    spacy_s = time.perf_counter() - t0

    import_wps, spacy_wps = words / import_s, words / spacy_s
    print(f"files: {len(files)} ({len(errors)} errors), documents: {len(texts)}, turns: {turns}, words: {words:,}")
    print(f"import (parse + store):  {import_s:7.2f} s  {import_wps:12,.0f} words/s")
    print(f"spaCy blank tokenizer:   {spacy_s:7.2f} s  {spacy_wps:12,.0f} words/s  ({tokens:,} tokens)")
    print(f"ratio import/spaCy:      {import_wps / spacy_wps:7.2f}")
    for r in errors:
        print(f"error: {r.error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
