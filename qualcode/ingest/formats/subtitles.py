"""WebVTT and SubRip captions (Teams, Zoom, Otter exports), via webvtt-py.

Speakers come from ``<v Name>`` voice tags (Teams) or a ``Name:`` prefix in
the cue (Zoom). Consecutive cues of the same speaker are merged into one
turn, since captioning splits a turn every few seconds; the turn keeps the
first cue's start and the last cue's end time.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.build import RawDoc, RawFile, Utterance, merge_consecutive, render
from qualcode.ingest.decode import decode
from qualcode.ingest.options import ImportOptions
from qualcode.ingest.registry import register
from qualcode.ingest.turns import is_speaker_label

_PREFIX = re.compile(r"^\s*(?P<label>[^\W\d_][\w.'’&/ -]{0,39}?)\s*:\s+(?P<rest>.+)$", re.S)


@register(".vtt", ".srt")
def parse_captions(path: Path, data: bytes, options: ImportOptions) -> RawFile:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    text, encoding = decode(data, path, options.encoding)
    try:
        if path.suffix.lower() == ".srt":
            captions = webvtt.WebVTT.from_buffer(io.StringIO(text), format="srt").captions
        else:
            captions = webvtt.WebVTT.from_string(text).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise ImportFormatError(f"malformed {path.suffix[1:]} file: {exc}", where=str(path)) from None
    utterances: list[Utterance] = []
    for cap in captions:
        body = " ".join(line.strip() for line in cap.text.split("\n") if line.strip())
        speaker = (cap.voice or "").strip()
        if not speaker:
            m = _PREFIX.match(body)
            if m and is_speaker_label(m.group("label")):
                speaker, body = m.group("label").strip(), m.group("rest").strip()
        if body:
            utterances.append(Utterance(speaker, body, cap.start, cap.end))
    if not utterances:
        raise ImportFormatError("no captions with text found", where=str(path))
    doc_text, turns = render(merge_consecutive(utterances))
    return RawFile([RawDoc(path.stem, doc_text, turns, metadata={"cues": len(captions)})], encoding=encoding)
