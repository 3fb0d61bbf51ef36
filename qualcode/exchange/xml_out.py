"""A small streaming XML writer: escaped text written straight into a binary stream.

Why not a tree: ``project.qde`` for 10^6 survey answers is gigabytes of XML;
building it as an lxml tree (and then serialising it) held the whole project
several times over. This writer keeps one buffer of about a megabyte, so an
export's memory does not depend on the size of the project. Text and
attribute values are escaped as lxml escapes them (``&#13;`` keeps a carriage
return through an XML parser's line-end normalisation; tabs and newlines in
attributes survive as character references), and characters XML cannot hold
are dropped.
"""

from __future__ import annotations

import re
from typing import BinaryIO

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Characters XML cannot hold, dropped by the same ``str.translate`` that escapes (one pass per value).
_DROP: dict[int, None] = {c: None for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]}
_DROP.update({c: None for c in range(0xD800, 0xE000)})
_TEXT = {**_DROP, **str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})}
_ATTR = {
    **_DROP,
    **str.maketrans(
        {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
    ),
}
_FLUSH_AT = 1 << 20


def safe(text: str) -> str:
    """Text XML can hold (control characters other than tab and newlines dropped)."""
    return _XML_ILLEGAL.sub("", text)


class XmlOut:
    """Writes elements into ``stream`` (UTF-8), buffered; :attr:`written` counts the bytes so far."""

    def __init__(self, stream: BinaryIO, namespace: str) -> None:
        self.stream = stream
        self.namespace = namespace
        self.written = 0
        self._parts: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']
        self._size = 0
        self._first = True

    def _raw(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= _FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        """Send the buffered text to the stream."""
        data = "".join(self._parts).encode("utf-8")
        self.stream.write(data)
        self.written += len(data)
        self._parts, self._size = [], 0

    def _tag(self, tag: str, attrs: dict[str, object | None]) -> str:
        parts = [tag]
        if self._first:  # the root carries the default namespace
            parts.append(f'xmlns="{self.namespace}"')
            self._first = False
        for key, value in attrs.items():
            if value is not None:
                parts.append(f'{key}="{value if type(value) is int else str(value).translate(_ATTR)}"')
        return " ".join(parts)

    def open(self, tag: str, **attrs: object | None) -> None:
        """``<tag attrs>``; close it with :meth:`close`."""
        self._raw(f"<{self._tag(tag, attrs)}>\n")

    def close(self, tag: str) -> None:
        self._raw(f"</{tag}>\n")

    def leaf(self, tag: str, text: str | None = None, **attrs: object | None) -> None:
        """An element without children: empty, or holding ``text``."""
        head = self._tag(tag, attrs)
        if text is None:
            self._raw(f"<{head}/>\n")
        else:
            self._raw(f"<{head}>{text.translate(_TEXT)}</{tag}>\n")
