"""Structured JSON transcripts: a list of ``{speaker, text}`` turns.

Accepts the list itself or an object holding it (AMI/QMSum meetings keep it
under ``meeting_transcripts`` with ``content`` for the text). Key names are
matched from short lists of common spellings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qualcode.errors import ImportFormatError
from qualcode.ingest.build import RawDoc, RawFile, Utterance, render
from qualcode.ingest.decode import decode
from qualcode.ingest.options import ImportOptions
from qualcode.ingest.registry import register

LIST_KEYS = (
    "turns",
    "transcript",
    "meeting_transcripts",
    "utterances",
    "segments",
    "messages",
    "dialogue",
    "dialog",
    "conversation",
    "entries",
)
SPEAKER_KEYS = ("speaker", "speaker_name", "name", "role", "author", "who", "participant")
TEXT_KEYS = ("text", "content", "utterance", "message", "transcript", "words", "body")
START_KEYS = ("start", "start_time", "time_start", "begin", "timestamp", "time")
END_KEYS = ("end", "end_time", "time_end", "stop")


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lowered = {str(k).lower(): v for k, v in item.items()}
    for key in keys:
        if key in lowered and lowered[key] is not None:
            return lowered[key]
    return None


def _is_turn_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) for v in value)
        and any(_first(v, TEXT_KEYS) is not None for v in value)
    )


def _find_turns(obj: Any, depth: int = 0) -> tuple[str, list[dict[str, Any]]] | None:
    if _is_turn_list(obj):
        return "", obj
    if isinstance(obj, dict) and depth < 3:
        lowered = {str(k).lower(): k for k in obj}
        ordered = [lowered[k] for k in LIST_KEYS if k in lowered] + list(obj)
        for key in ordered:
            if _is_turn_list(obj[key]):
                return str(key), obj[key]
        for key in obj:
            found = _find_turns(obj[key], depth + 1)
            if found:
                return f"{key}.{found[0]}".rstrip("."), found[1]
    return None


@register(".json")
def parse_json(path: Path, data: bytes, options: ImportOptions) -> RawFile:
    text, encoding = decode(data, path, options.encoding)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"malformed JSON: {exc.msg} (column {exc.colno})", where=f"{path}:{exc.lineno}"
        ) from None
    found = _find_turns(obj)
    if found is None:
        raise ImportFormatError("no list of {speaker, text} turns found in the JSON", where=str(path))
    key, items = found
    utterances: list[Utterance] = []
    for i, item in enumerate(items, start=1):
        body = _first(item, TEXT_KEYS)
        if body is None:
            raise ImportFormatError(f"turn {i} has no text", where=str(path))
        if not isinstance(body, str):
            raise ImportFormatError(f"turn {i}: text is not a string", where=str(path))
        speaker = _first(item, SPEAKER_KEYS)
        start, end = _first(item, START_KEYS), _first(item, END_KEYS)
        utterances.append(
            Utterance(
                str(speaker).strip() if speaker is not None else "",
                body.replace("\r\n", "\n").replace("\r", "\n"),
                str(start) if start is not None else None,
                str(end) if end is not None else None,
            )
        )
    doc_text, turns = render(utterances)
    if not turns:
        raise ImportFormatError("every turn in the JSON is empty", where=str(path))
    meta = {"json_key": key} if key else {}
    return RawFile([RawDoc(path.stem, doc_text, turns, metadata=meta)], encoding=encoding)
