"""The in-memory codebook tree shared by every codebook format.

Why a tree type of its own (not the store's ``Code`` rows): codebook files
are read, validated, compared and written without any project open, and a
file only says *what* a code is, never its database id. Each format reader
builds a :class:`Codebook`; :mod:`qualcode.codebook.merge` maps it onto a
project by path.

A node remembers where it came from (``where``, e.g. ``codebooks/x.yaml:12``)
and which fields its source actually set (``fields_set``), so a merge can say
*where* a clash is and never wipes a field a format does not carry (a
Taguette CSV has no shortcut keys; loading it must not clear yours).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from qualcode.errors import CodebookFormatError
from qualcode.model import PATH_SEP

#: Definition fields a codebook node carries besides its name and children.
FIELDS: tuple[str, ...] = ("description", "include", "exclude", "examples", "keywords", "colour", "key")
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass
class CodebookNode:
    """One code of a codebook file; ``children`` are its sub-codes.

    ``where`` and ``fields_set`` are bookkeeping about the source and take no
    part in equality, so two trees read from different formats compare equal
    when they say the same thing.
    """

    name: str
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    colour: str | None = None
    key: str | None = None
    children: list["CodebookNode"] = field(default_factory=list)
    where: str | None = field(default=None, compare=False, repr=False)
    fields_set: frozenset[str] | None = field(default=None, compare=False, repr=False)

    def sets(self, name: str) -> bool:
        """Whether the source set ``name`` (``None`` means every field)."""
        return self.fields_set is None or name in self.fields_set

    def child(self, name: str) -> "CodebookNode | None":
        """The direct sub-code called ``name`` (case-insensitive), if any."""
        wanted = name.casefold()
        return next((c for c in self.children if c.name.casefold() == wanted), None)


@dataclass
class Codebook:
    """A whole codebook: a title, a description and the top-level themes."""

    name: str = ""
    description: str = ""
    nodes: list[CodebookNode] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[str, CodebookNode]]:
        """Every node depth-first, parents before children, with its path."""

        def rec(nodes: list[CodebookNode], prefix: str) -> Iterator[tuple[str, CodebookNode]]:
            for node in nodes:
                path = f"{prefix}{PATH_SEP}{node.name}" if prefix else node.name
                yield path, node
                yield from rec(node.children, path)

        yield from rec(self.nodes, "")

    def count(self) -> int:
        """How many codes the codebook holds, at every depth."""
        return sum(1 for _ in self.walk())

    def find(self, path: str) -> CodebookNode | None:
        """The node at ``path`` (levels joined by `` > ``, case-insensitive)."""
        from qualcode.model import split_path

        level: list[CodebookNode] = self.nodes
        node: CodebookNode | None = None
        for part in split_path(path):
            node = next((n for n in level if n.name.casefold() == part.casefold()), None)
            if node is None:
                return None
            level = node.children
        return node


def check_name(name: str, where: str | None) -> str:
    """A stripped, valid code name, or a :class:`CodebookFormatError`."""
    name = name.strip()
    if not name:
        raise CodebookFormatError("code has no name", where=where)
    if ">" in name:
        raise CodebookFormatError(
            f"code name {name!r} contains '>', which separates levels of a code path", where=where
        )
    return name


def check_colour(colour: str | None, where: str | None) -> str | None:
    """``#rrggbb`` or ``None``; anything else is a format error."""
    if colour in (None, ""):
        return None
    if not COLOUR_RE.match(colour):
        raise CodebookFormatError(f"colour {colour!r} is not of the form #rrggbb", where=where)
    return colour


def check_key(key: str | None, where: str | None) -> str | None:
    """A one-character shortcut key or ``None``."""
    if key in (None, ""):
        return None
    if len(key) != 1:
        raise CodebookFormatError(f"shortcut key {key!r} must be a single character", where=where)
    return key


def check_tree(codebook: Codebook) -> None:
    """Check what every format must satisfy: names, siblings, colours, keys.

    Readers check as they go (so errors point at the offending line); this
    second pass catches the rules that span nodes (duplicate siblings,
    duplicate shortcut keys) and guards trees built in code.

    Raises:
        CodebookFormatError: the first problem found, located by ``where``.
    """
    keys: dict[str, tuple[str, str | None]] = {}

    def rec(nodes: list[CodebookNode], parent: str) -> None:
        seen: dict[str, CodebookNode] = {}
        for node in nodes:
            node.name = check_name(node.name, node.where)
            path = f"{parent}{PATH_SEP}{node.name}" if parent else node.name
            folded = node.name.casefold()
            if folded in seen:
                first = seen[folded].where
                also = f" (first at {first})" if first else ""
                where_txt = parent or "the top level"
                raise CodebookFormatError(
                    f"duplicate code name {node.name!r} under {where_txt}{also}", where=node.where
                )
            seen[folded] = node
            node.colour = check_colour(node.colour, node.where)
            node.key = check_key(node.key, node.where)
            if node.key:
                if node.key in keys:
                    other, other_where = keys[node.key]
                    at = f" ({other_where})" if other_where else ""
                    raise CodebookFormatError(
                        f"shortcut key {node.key!r} of {path!r} is already used by {other!r}{at}",
                        where=node.where,
                    )
                keys[node.key] = (path, node.where)
            rec(node.children, path)

    rec(codebook.nodes, "")


def codebook_from_pairs(entries: Iterable[str], sep: str = ":", *, name: str = "", description: str = "") -> Codebook:
    """Build a two-level codebook from ``"Category: code"`` strings.

    Why: many coded data sets (NaPiRE's validation files, spreadsheet exports)
    carry their hierarchy as a prefix in one column. Entries are split at the
    first ``sep``; both halves are stripped and inner whitespace collapsed.
    Categories and codes are merged case-insensitively (the first spelling
    wins), so ``People: x`` and ``people: X`` give one code. An entry without
    ``sep`` becomes a top-level code (e.g. ``NotCodable``); blank entries are
    ignored.
    """
    book = Codebook(name=name, description=description)
    index: dict[str, CodebookNode] = {}

    def clean(text: str) -> str:
        return " ".join(text.split())

    for entry in entries:
        if entry is None:
            continue
        text = clean(str(entry))
        if not text:
            continue
        if sep in text:
            cat_name, code_name = (clean(part) for part in text.split(sep, 1))
        else:
            cat_name, code_name = "", text
        if not cat_name:
            if code_name and code_name.casefold() not in index:
                node = CodebookNode(check_name(code_name, None))
                index[code_name.casefold()] = node
                book.nodes.append(node)
            continue
        cat = index.get(cat_name.casefold())
        if cat is None:
            cat = CodebookNode(check_name(cat_name, None))
            index[cat_name.casefold()] = cat
            book.nodes.append(cat)
        if code_name and cat.child(code_name) is None:
            cat.children.append(CodebookNode(check_name(code_name, None)))
    return book
