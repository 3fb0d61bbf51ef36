"""Auto-tagging throughput on 100,000 segments, beside a bare scikit-learn predict.

Segments are synthesised from BANKING77 (one or two customer messages joined),
codes are the 20 most frequent intents; rules use each intent's words as
keywords, the model is trained on 10,000 labelled segments. Reported, all
measured in this one run on this machine:

- rules: ``RuleMatcher.match`` (spaCy tokeniser, PhraseMatcher on words and
  lemmas, Matcher, regexes) over every segment;
- training: the hierarchy model (one multi-output ridge fit, refitted on
  3 inner folds) against the previous one-vs-rest liblinear model (C grid x
  inner folds x codes) on the same ``--train`` segments (10,000 by default);
- model: lemmatise + vectorise, then scores + definition similarities +
  decisions (thresholds, ceiling, deepest level);
- bare: scikit-learn ``Ridge.predict`` with the same coefficients on the
  same vectorised matrix; the throughput figure is its ratio to our
  decision step on that matrix (scores, calibration, definitions,
  thresholds, ceiling, deepest level: ``decide_matrix``), >= 0.5 x bare
  being the target, and to the same plus one proposal object per coding
  (``decide``); best of seven alternated runs each;
- end to end: ``autotag()`` on a project holding the segments as turns,
  rules method, including SQLite writes in batches of 5,000.

Usage: .venv/bin/python benchmarks/bench_autotag.py [--segments 100000]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("QUALCODE_SHARED", ROOT.parent / "shared")) / "corpora/banking77/train.csv"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train", type=int, default=10_000, help="segments the models are trained on")
    parser.add_argument("--skip-previous", action="store_true", help="do not time the previous model's training")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"BANKING77 not found at {DATA}", file=sys.stderr)
        return 1
    from qualcode.autotag.classifier import ModelParams, lemmatise, train
    from qualcode.autotag.decide import decide, decide_matrix
    from qualcode.autotag.rules import RuleMatcher
    from qualcode.autotag.tagger import TaggerParams, train_tagger
    from qualcode.model import Code

    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    top = [c for c, _ in Counter(r["category"] for r in rows).most_common(20)]
    rows = [r for r in rows if r["category"] in top]
    rng = random.Random(args.seed)
    segs: list[str] = []
    labels: list[set[int]] = []
    ids = {c: i + 1 for i, c in enumerate(top)}
    for _ in range(args.segments):
        picked = rng.sample(rows, rng.choice((1, 1, 2)))
        segs.append(" ".join(r["text"] for r in picked))
        labels.append({ids[r["category"]] for r in picked})
    codes = [Code(ids[c], c, path=c, keywords=tuple(w for w in c.split("_") if len(w) > 3)) for c in top]
    n = len(segs)
    print(f"{n} segments, {len(codes)} codes")

    t = time.perf_counter()
    hits = RuleMatcher(codes).match(segs)
    rules_s = time.perf_counter() - t
    print(f"rules       {n / rules_s:>10,.0f} seg/s  ({rules_s:.1f} s, {len(hits)} hits)")

    n_train = min(args.train, n)
    lem_train = lemmatise(segs[:n_train])
    t = time.perf_counter()
    tagger = train_tagger(lem_train, labels[:n_train], codes, TaggerParams(seed=args.seed))
    train_new = time.perf_counter() - t
    print(
        f"train hierarchy model on {n_train:,} segments: {train_new:.1f} s "
        f"({len(tagger.code_ids)} codes, one ridge fit x {tagger.params.cv_folds + 1})"
    )
    model = None
    if not args.skip_previous:
        t = time.perf_counter()
        model = train(lem_train, labels[:n_train], list(ids.values()), ModelParams(seed=args.seed))
        train_old = time.perf_counter() - t
        print(
            f"train previous model on {n_train:,} segments: {train_old:.1f} s "
            f"(one-vs-rest liblinear, C grid x inner folds); ratio previous/new {train_old / train_new:.1f}x"
        )

    t = time.perf_counter()
    lem = lemmatise(segs)
    t_lem = time.perf_counter() - t
    X = tagger.vectorizer.transform(lem)
    t_vec = time.perf_counter() - t - t_lem
    from sklearn.linear_model import Ridge

    bare = Ridge()
    bare.coef_, bare.intercept_ = tagger.regressor.coef_, tagger.regressor.intercept_
    runs: dict[str, list[float]] = {"bare": [], "matrix": [], "proposals": []}
    for _ in range(7):  # alternated, best of seven: one cold cache or a busy moment must not decide it
        t = time.perf_counter()
        bare.predict(X)
        runs["bare"].append(time.perf_counter() - t)
        t = time.perf_counter()
        decide_matrix(tagger, tagger.scores(X), tagger.similarities(X), segs)
        runs["matrix"].append(time.perf_counter() - t)
        t = time.perf_counter()
        props = decide(tagger, tagger.scores(X), tagger.similarities(X), segs)
        runs["proposals"].append(time.perf_counter() - t)
    bare_s, matrix_s, decide_s = (min(runs[k]) for k in ("bare", "matrix", "proposals"))
    print(
        f"model       {n / (t_lem + t_vec + decide_s):>10,.0f} seg/s  (lemmas {t_lem:.1f} s, vectorise {t_vec:.1f} s,"
        f" scores + decisions + proposal objects {decide_s:.2f} s; {len(props)} codings)"
    )
    print(f"bare predict{n / bare_s:>10,.0f} seg/s  ({bare_s:.3f} s: sklearn Ridge.predict on the same matrix)")
    print(
        f"on the same features: decision matrix {n / matrix_s:,.0f} seg/s = {bare_s / matrix_s:.2f}x of bare predict; "
        f"with one proposal object per coding {n / decide_s:,.0f} seg/s = {bare_s / decide_s:.2f}x (target >= 0.5x)"
    )
    print(
        f"text processing (lemmas, vectorise) costs {(t_lem + t_vec) / bare_s:.0f}x the predict, as in any text "
        "pipeline"
    )
    if model is not None:
        t = time.perf_counter()
        model.decisions(model.predict_matrix(model.vectorizer.transform(lem)))
        print(f"previous model (vectorise + predict + thresholds): {n / (time.perf_counter() - t):,.0f} seg/s")

    from qualcode.autotag import AutotagOptions, autotag
    from qualcode.model import ParsedDocument, ParsedTurn
    from qualcode.store import open_project

    with tempfile.TemporaryDirectory() as tmp:
        proj = open_project(Path(tmp) / "bench.db")
        for c in codes:
            proj.codes.add(c.name, keywords=list(c.keywords))
        per_doc = 100
        for d in range(0, n, per_doc):
            parts, turns, pos = [], [], 0
            for s in segs[d : d + per_doc]:
                turns.append(ParsedTurn("P", pos, pos + len(s)))
                parts.append(s)
                pos += len(s) + 1
            proj.documents.add(ParsedDocument(f"d{d // per_doc:05}", "survey", "\n".join(parts), turns))
        t = time.perf_counter()
        res = autotag(proj, AutotagOptions(methods=("rules",)))
        e2e = time.perf_counter() - t
        print(f"end to end  {res.units / e2e:>10,.0f} seg/s  (rules + {res.added} codings written, {e2e:.1f} s)")
        # The model end to end: a human codes the first --train segments (their labels), the model
        # trains on them and tags every segment (as `qualcode autotag --method model`).
        from qualcode.store import NewCoding

        code_id = {c.name: c.id for c in proj.codes.all()}
        names = {i: c.name for i, c in zip(ids.values(), codes)}
        turns = [(t.document_id, t.start, t.end) for t in proj.documents.all_turns()]
        proj.codings.add_many(
            [
                NewCoding(code_id[names[c]], d, s, e, coder="human")
                for (d, s, e), lab in zip(turns[:n_train], labels[:n_train])
                for c in sorted(lab)
            ],
            summary="human coding",
        )
        t = time.perf_counter()
        res = autotag(proj, AutotagOptions(methods=("model",)))
        e2e = time.perf_counter() - t
        print(
            f"end to end  {res.units / e2e:>10,.0f} seg/s  (model trained on {n_train:,} coded segments, "
            f"{res.added} codings written, {res.skipped_existing} already proposed by the rules run, "
            f"{res.skipped_human} human-coded; {e2e:.1f} s)"
        )
        proj.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
