"""The YAML codebook format, read with line numbers for every error.

Why compose instead of ``yaml.safe_load``: a loaded dict has forgotten
where its values were, and a codebook error that does not say *which line*
sends the analyst hunting through a 300-line file. ``yaml.compose`` keeps
each node's start mark; we build the tree from those nodes ourselves, which
also lets us reject duplicate keys that ``safe_load`` silently drops.

Shape::

    codebook: Title
    description: ...
    themes:
      - name: Theme
        description: ...
        colour: "#4e79a7"
        key: f
        include: ...
        exclude: ...
        examples: ["..."]
        keywords: ["..."]
        codes:            # sub-codes, same shape, any depth
          - name: ...
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml

from qualcode.codebook.tree import (
    Codebook,
    CodebookNode,
    check_colour,
    check_key,
    check_name,
    check_tree,
)
from qualcode.errors import CodebookFormatError
from qualcode.outputs import write_text_atomic

TOP_KEYS = ("codebook", "description", "themes")
NODE_KEYS = ("name", "description", "include", "exclude", "examples", "keywords", "colour", "key", "codes")
_TEXT = ("description", "include", "exclude")
_LISTS = ("examples", "keywords")
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"


class _Reader:
    """Turns composed YAML nodes into a :class:`Codebook`, locating errors."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.seen: set[int] = set()  # code nodes already read: a YAML alias must not repeat a code

    def where(self, node: yaml.Node) -> str:
        return f"{self.source}:{node.start_mark.line + 1}"

    def fail(self, node: yaml.Node, message: str) -> CodebookFormatError:
        return CodebookFormatError(message, where=self.where(node))

    def mapping(self, node: yaml.Node, allowed: tuple[str, ...], what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's entries by key, rejecting unknown and repeated keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys (name: ..., description: ...)")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, f"{what} has a key that is not plain text")
            key = str(key_node.value)
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                if what == "codebook" and key == "codes":
                    hint = ["themes"]
                did = f"; did you mean {hint[0]!r}?" if hint else f"; allowed: {', '.join(allowed)}"
                raise self.fail(key_node, f"unknown key {key!r} in {what}{did}")
            if key in out:
                first = out[key][0].start_mark.line + 1
                raise self.fail(key_node, f"duplicate key {key!r} in {what} (first on line {first})")
            out[key] = (key_node, value_node)
        return out

    def text(self, node: yaml.Node, key: str) -> str:
        """A scalar field as text; ``null`` reads as empty."""
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _NULL_TAG and node.style is None:
                return ""
            return str(node.value)
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
        raise self.fail(node, f"{key!r} must be text, not {kind}")

    def strings(self, node: yaml.Node, key: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and node.style is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f'{key!r} must be a list, e.g. {key}: ["...", "..."]')
        items = []
        for item in node.value:
            value = self.text(item, f"an item of {key}").strip()
            if value:
                items.append(value)
        return items

    def codebook(self, root: yaml.Node | None) -> Codebook:
        if root is None:
            raise CodebookFormatError("the codebook file is empty", where=f"{self.source}:1")
        entries = self.mapping(root, TOP_KEYS, "codebook")
        book = Codebook(
            name=self.text(entries["codebook"][1], "codebook").strip() if "codebook" in entries else "",
            description=self.text(entries["description"][1], "description").strip() if "description" in entries else "",
        )
        if "themes" not in entries:
            raise self.fail(root, "the codebook has no 'themes:' list")
        book.nodes = self.nodes(entries["themes"][1], "themes")
        return book

    def nodes(self, node: yaml.Node, key: str) -> list[CodebookNode]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and node.style is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{key!r} must be a list of codes (each starting with '- name: ...')")
        return [self.code(item) for item in node.value]

    def code(self, node: yaml.Node) -> CodebookNode:
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
            raise self.fail(node, f"code {node.value!r} must be a mapping: write '- name: {node.value}'")
        if id(node) in self.seen:
            raise self.fail(node, "a code is repeated through a YAML alias (*name); write it out once")
        self.seen.add(id(node))
        entries = self.mapping(node, NODE_KEYS, "code")
        where = self.where(node)
        if "name" not in entries:
            raise self.fail(node, "code has no name")
        name_node = entries["name"][1]
        name = check_name(self.text(name_node, "name"), self.where(name_node))
        out = CodebookNode(name=name, where=where, fields_set=frozenset(entries) - {"name", "codes"})
        for key in _TEXT:
            if key in entries:
                setattr(out, key, self.text(entries[key][1], key).strip())
        for key in _LISTS:
            if key in entries:
                setattr(out, key, self.strings(entries[key][1], key))
        if "colour" in entries:
            value_node = entries["colour"][1]
            if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _NULL_TAG and value_node.style is None:
                raise self.fail(
                    value_node, 'colour is empty; quote it, since # starts a YAML comment: colour: "#4e79a7"'
                )
            colour = self.text(value_node, "colour").strip()
            out.colour = check_colour(colour, self.where(value_node))
        if "key" in entries:
            value_node = entries["key"][1]
            out.key = check_key(self.text(value_node, "key"), self.where(value_node))
        if "codes" in entries:
            out.children = self.nodes(entries["codes"][1], "codes")
        return out


def read_yaml(path: str | Path, text: str | None = None) -> Codebook:
    """Read and validate a YAML codebook.

    Args:
        path: the file, also used to name it in errors.
        text: the file's content, if already read (tests, stdin).

    Raises:
        CodebookFormatError: with ``where="file:line"``.
    """
    source = str(path)
    if text is None:
        text = _read_text(Path(path))
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "invalid YAML"
        raise CodebookFormatError(f"invalid YAML: {problem}", where=f"{source}:{line}") from None
    except yaml.YAMLError as exc:
        raise CodebookFormatError(f"invalid YAML: {exc}", where=source) from None
    book = _Reader(source).codebook(root)
    if not book.name:
        book.name = Path(path).stem
    check_tree(book)
    return book


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CodebookFormatError(f"cannot read file: {exc.strerror}", where=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CodebookFormatError("not UTF-8 text (save the YAML file as UTF-8)", where=f"{path}:{line}") from None


def _node_dict(node: CodebookNode) -> dict[str, Any]:
    out: dict[str, Any] = {"name": node.name}
    for key in ("description", "colour", "key", "include", "exclude"):
        value = getattr(node, key)
        if value:
            out[key] = value
    for key in ("examples", "keywords"):
        value = getattr(node, key)
        if value:
            out[key] = list(value)
    if node.children:
        out["codes"] = [_node_dict(c) for c in node.children]
    return out


def dump_yaml(codebook: Codebook) -> str:
    """The YAML text of a codebook (empty fields left out, keys in a fixed order)."""
    data: dict[str, Any] = {"codebook": codebook.name}
    if codebook.description:
        data["description"] = codebook.description
    data["themes"] = [_node_dict(n) for n in codebook.nodes]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def write_yaml(codebook: Codebook, path: str | Path) -> None:
    """Write a codebook as YAML (UTF-8)."""
    write_text_atomic(path, dump_yaml(codebook), encoding="utf-8")
