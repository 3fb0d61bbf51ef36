"""The format registry: file extension → parser function.

Why a registry: each source format lives in its own small module and
announces itself with ``@register(".vtt", ".srt")``; the import driver only
asks the registry, so adding a format never touches the driver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import ImportFormatError

if TYPE_CHECKING:
    from qualcode.ingest.build import RawFile
    from qualcode.ingest.options import ImportOptions

Parser = Callable[[Path, "bytes | None", "ImportOptions"], "RawFile"]


@dataclass(frozen=True)
class Format:
    """One registered format: its extensions and parser."""

    name: str
    extensions: tuple[str, ...]
    parser: Parser
    #: The parser reads the file itself, as a stream (it is given ``None``, not the bytes).
    stream: bool = False


class Registry:
    """Extensions (lower case, with the dot) mapped to parsers."""

    def __init__(self) -> None:
        self._by_ext: dict[str, Format] = {}
        self._formats: list[Format] = []

    def register(self, *extensions: str, stream: bool = False) -> Callable[[Parser], Parser]:
        """Decorator registering a parser for the given extensions.

        ``stream=True``: the parser opens the file itself and is given ``None``
        for the bytes (tables of millions of rows are never read whole).
        """

        def deco(func: Parser) -> Parser:
            exts = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in extensions)
            fmt = Format(func.__module__.rsplit(".", 1)[-1], exts, func, stream)
            self._formats.append(fmt)
            for ext in exts:
                self._by_ext[ext] = fmt
            return func

        return deco

    def formats(self) -> list[Format]:
        """Every registered format, in registration order."""
        return list(self._formats)

    def extensions(self) -> list[str]:
        return sorted(self._by_ext)

    def supports(self, path: Path) -> bool:
        return path.suffix.lower() in self._by_ext

    def for_path(self, path: Path) -> Format:
        """The format of ``path`` by its extension.

        Raises:
            ImportFormatError: no parser handles this extension.
        """
        fmt = self._by_ext.get(path.suffix.lower())
        if fmt is None:
            raise ImportFormatError(
                f"unsupported file type {path.suffix or '(none)'!r}; supported: {', '.join(self.extensions())}",
                where=str(path),
            )
        return fmt


registry = Registry()
register = registry.register
