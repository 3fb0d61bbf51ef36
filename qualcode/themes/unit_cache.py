"""Units and their lemma strings, stored with the embedding space they were embedded in.

Why: on a rerun with a new seed or topic count, building the units (reading
every turn, splitting it, looking its lemmas up) cost more than clustering
(25 s of 89 s at 10^6 answers), only to compute the space's cache key. The
key is now :func:`units_key`, a digest of the turn rows read as plain tuples
plus every unit setting, and the units themselves (offsets, ids, texts,
lemma strings) are kept as arrays next to the space, so a rerun builds none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualcode.themes.params import SuggestParams, Unit

if TYPE_CHECKING:
    from qualcode.store import Project

#: Bump when the way units are built changes, so old entries are never read.
UNITS_VERSION = 1
#: Names of the space-cache parts that hold units.
PARTS = ("u_ints", "u_names", "u_name_ix", "u_speakers", "u_speaker_ix", "u_text", "u_text_len", "u_lemma", "u_lemma_len")


def units_key(project: "Project", params: SuggestParams, document_ids: Sequence[int] | None) -> str:
    """Digest of everything :func:`~qualcode.themes.units.build_units_with_lemmas` depends on."""
    from qualcode.store.unit_source import participants_digest, turns_digest
    from qualcode.themes.lemmas import _key
    from qualcode.themes.units import stop_words

    settings = {
        "version": UNITS_VERSION,
        "unit": params.unit,
        "max_words": params.max_words,
        "kinds": sorted(params.kinds or ()),
        "include_interviewer": params.include_interviewer,
        "where": sorted(params.where or ()),
        "min_content_words": params.min_content_words,
        "lemmas": _key(),
        "stop_words": hashlib.sha1("\n".join(stop_words()).encode()).hexdigest(),
        "turns": turns_digest(project, document_ids),
        "participants": participants_digest(project) if params.where else None,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=list).encode()).hexdigest()


def _strings(values: Sequence[str]) -> tuple[bytes, bytes]:
    import numpy as np

    lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    return "".join(values).encode("utf-8", "surrogatepass"), lengths.astype("<i8").tobytes()


def _unstrings(blob: bytes, lengths: bytes) -> list[str]:
    import numpy as np

    text = blob.decode("utf-8", "surrogatepass")
    ends = np.cumsum(np.frombuffer(lengths, dtype="<i8")).tolist()
    starts = [0, *ends[:-1]]
    return [text[a:b] for a, b in zip(starts, ends)]


def _indexed(values: Sequence[str]) -> tuple[bytes, bytes]:
    import numpy as np

    index: dict[str, int] = {}
    ix = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    return json.dumps(list(index)).encode("utf-8"), ix.astype("<i8").tobytes()


def encode_units(units: Sequence[Unit], lemmas: Sequence[str]) -> dict[str, bytes]:
    """The units and lemma strings as space-cache parts."""
    import numpy as np

    ints = np.array(
        [
            (
                u.document_id,
                u.start,
                u.end,
                -1 if u.participant_id is None else u.participant_id,
                -1 if u.turn_id is None else u.turn_id,
            )
            for u in units
        ],
        dtype="<i8",
    ).reshape(len(units), 5)
    names, name_ix = _indexed([u.document for u in units])
    speakers, speaker_ix = _indexed([u.speaker for u in units])
    text, text_len = _strings([u.text for u in units])
    lemma, lemma_len = _strings(lemmas)
    return dict(
        zip(PARTS, (ints.tobytes(), names, name_ix, speakers, speaker_ix, text, text_len, lemma, lemma_len))
    )


def decode_units(parts: dict[str, bytes]) -> tuple[list[Unit], list[str]] | None:
    """Units and lemma strings back from space-cache parts (``None`` when any part is missing)."""
    import numpy as np

    if any(name not in parts for name in PARTS):
        return None
    ints = np.frombuffer(parts["u_ints"], dtype="<i8").reshape(-1, 5).tolist()
    names = json.loads(parts["u_names"])
    speakers = json.loads(parts["u_speakers"])
    name_ix = np.frombuffer(parts["u_name_ix"], dtype="<i8").tolist()
    speaker_ix = np.frombuffer(parts["u_speaker_ix"], dtype="<i8").tolist()
    texts = _unstrings(parts["u_text"], parts["u_text_len"])
    lemmas = _unstrings(parts["u_lemma"], parts["u_lemma_len"])
    if not (len(ints) == len(names_ix := name_ix) == len(speaker_ix) == len(texts) == len(lemmas)):
        return None
    units = [
        Unit(d, names[n], s, e, text, speakers[k], None if p < 0 else p, None if t < 0 else t)
        for (d, s, e, p, t), n, k, text in zip(ints, names_ix, speaker_ix, texts)
    ]
    return units, lemmas
