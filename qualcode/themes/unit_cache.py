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
from typing import TYPE_CHECKING, Any

from qualcode.themes.params import SuggestParams, Unit

if TYPE_CHECKING:
    from qualcode.store import Project

#: Bump when the way units are built changes, so old entries are never read.
UNITS_VERSION = 1
#: Names of the space-cache parts that hold units.
PARTS = (
    "u_ints",
    "u_names",
    "u_name_ix",
    "u_speakers",
    "u_speaker_ix",
    "u_text",
    "u_text_len",
    "u_lemma",
    "u_lemma_len",
)


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
    return dict(zip(PARTS, (ints.tobytes(), names, name_ix, speakers, speaker_ix, text, text_len, lemma, lemma_len)))


class UnitColumns(Sequence[Unit]):
    """Units read back from the cache, kept as columns; a :class:`Unit` is built only when one is indexed.

    Why: a run needs every unit's document, offsets and participant (as
    columns: memberships, topic shares) but whole units only for a topic's
    excerpts; building 10^6 frozen dataclasses took longer than clustering.
    """

    def __init__(
        self,
        ints: list[list[int]],
        names: list[str],
        name_ix: list[int],
        speakers: list[str],
        speaker_ix: list[int],
        text: str,
        text_ends: list[int],
    ) -> None:
        self._ints, self._names, self._name_ix = ints, names, name_ix
        self._speakers, self._speaker_ix, self._text, self._ends = speakers, speaker_ix, text, text_ends
        self.document_ids = [r[0] for r in ints]
        self.starts = [r[1] for r in ints]
        self.ends = [r[2] for r in ints]
        self.participant_ids = [None if r[3] < 0 else r[3] for r in ints]

    def __len__(self) -> int:
        return len(self._ints)

    def _unit(self, i: int) -> Unit:
        d, s, e, p, t = self._ints[i]
        text = self._text[self._ends[i - 1] if i else 0 : self._ends[i]]
        return Unit(
            d,
            self._names[self._name_ix[i]],
            s,
            e,
            text,
            self._speakers[self._speaker_ix[i]],
            None if p < 0 else p,
            None if t < 0 else t,
        )

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._unit(j) for j in range(*i.indices(len(self)))]
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._unit(i)


def decode_units(parts: dict[str, bytes]) -> tuple[UnitColumns, list[str]] | None:
    """Units and lemma strings back from space-cache parts (``None`` when any part is missing)."""
    import numpy as np

    if any(name not in parts for name in PARTS):
        return None
    ints = np.frombuffer(parts["u_ints"], dtype="<i8").reshape(-1, 5).tolist()
    name_ix = np.frombuffer(parts["u_name_ix"], dtype="<i8").tolist()
    speaker_ix = np.frombuffer(parts["u_speaker_ix"], dtype="<i8").tolist()
    text = parts["u_text"].decode("utf-8", "surrogatepass")
    text_ends = np.cumsum(np.frombuffer(parts["u_text_len"], dtype="<i8")).tolist()
    lemmas = _unstrings(parts["u_lemma"], parts["u_lemma_len"])
    if not (len(ints) == len(name_ix) == len(speaker_ix) == len(text_ends) == len(lemmas)):
        return None
    units = UnitColumns(
        ints, json.loads(parts["u_names"]), name_ix, json.loads(parts["u_speakers"]), speaker_ix, text, text_ends
    )
    return units, lemmas
