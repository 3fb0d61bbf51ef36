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

Run: ``.venv/bin/python benchmarks/bench_themes.py [--shared PATH]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
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


def run_qualcode(texts: list[str], clusterer: str = "kmeans", seed: int = 0) -> tuple[float, np.ndarray, list[list[str]], int]:
    from qualcode.text import lemma_text_many
    from qualcode.themes.embed import make_embedder
    from qualcode.themes.params import SuggestParams
    from qualcode.themes.pipeline import fit_topics

    params = SuggestParams(clusterer=clusterer, seed=seed)
    t0 = time.perf_counter()
    lemmas = lemma_text_many(texts)
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


def stock_bertopic(texts: list[str]) -> str:
    """Try BERTopic's stock pipeline (sentence-transformers + UMAP + HDBSCAN) offline."""
    missing = [m for m in ("sentence_transformers", "umap") if importlib.util.find_spec(m) is None]
    if missing:
        return f"not run: {' and '.join(missing)} not installed (BERTopic installed --no-deps; no downloads)"
    return "not run: would download all-MiniLM-L6-v2 (offline policy)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from qualcode.text import lemma_text_many

    lemma_text_many(["warm up the spaCy pipeline"])  # imports and model load are not timed
    import bertopic  # noqa: F401
    import hdbscan  # noqa: F401

    rows: list[Row] = []
    neural = (
        "not run: sentence-transformers not installed (optional 'neural' extra)"
        if importlib.util.find_spec("sentence_transformers") is None
        else "not run: no local model given"
    )
    corpora: list[tuple[str, list[str], list[str] | None]] = []
    texts, gold = load_banking(args.shared)
    corpora.append(("BANKING77", texts, gold))
    corpora.append(("Alaska", load_alaska(args.shared), None))

    for name, texts, gold in corpora:
        reference = [f"{raw} {lem}".lower() for raw, lem in zip(texts, lemma_text_many(texts))]

        def scored(method: str, seconds: float, labels: np.ndarray, words: list[list[str]], note: str = "") -> Row:
            row = Row(name, method, seconds, len(words), npmi=npmi(words, reference), note=note)
            if gold is not None:
                row.nmi = normalized_mutual_info_score(gold, labels)
                row.ari = adjusted_rand_score(gold, labels)
            return row

        sec, labels, words, k = run_qualcode(texts, "kmeans", args.seed)
        rows.append(scored("qualcode default (kmeans)", sec, labels, words))
        sec, labels, words, _ = run_qualcode(texts, "hdbscan", args.seed)
        rows.append(scored("qualcode hdbscan", sec, labels, words, f"{int((labels == -1).sum())} outliers left"))
        k_lda = len(set(gold)) if gold is not None else k
        sec, labels, words = run_lda(texts, k_lda, args.seed)
        rows.append(scored(f"sklearn LDA (k={k_lda})", sec, labels, words))
        rows.append(Row(name, "qualcode neural backend", note=neural))
        rows.append(Row(name, "BERTopic stock pipeline", note=stock_bertopic(texts)))

    fmt = lambda v, p=3: "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{p}f}"  # noqa: E731
    print(f"{'corpus':<10} {'method':<28} {'time s':>7} {'topics':>6} {'NMI':>6} {'ARI':>6} {'NPMI':>6}  note")
    for r in rows:
        print(f"{r.corpus:<10} {r.method:<28} {fmt(r.seconds, 2):>7} {r.topics if r.topics is not None else '-':>6}"
              f" {fmt(r.nmi):>6} {fmt(r.ari):>6} {fmt(r.npmi):>6}  {r.note}")
    print("\nRatios against LDA (same corpus, same run):")
    for name, *_ in corpora:
        lda = next(r for r in rows if r.corpus == name and r.method.startswith("sklearn LDA"))
        for r in rows:
            if r.corpus != name or r.seconds is None or r is lda:
                continue
            ratio = f"time x{r.seconds / lda.seconds:.2f}"
            if r.nmi is not None and lda.nmi:
                ratio += f", NMI x{r.nmi / lda.nmi:.2f}"
            print(f"  {name}: {r.method}: {ratio}")


if __name__ == "__main__":
    main()
