"""Put a codebook into a project, and read a project's codebook back.

Why merge by path: analysts revise a codebook file while coding is under
way. Loading the revised file must keep every existing code's id (and so its
codings and memos), update the definitions the file sets, and add what is
new, all in one undoable action, never half of it. Codes the file no longer
lists stay unless ``replace`` is asked, and even then a code that has codings
is kept (and reported), because deleting it would silently drop analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.codebook.tree import FIELDS, Codebook, CodebookNode, check_tree
from qualcode.errors import CodebookFormatError
from qualcode.model import PATH_SEP, Code

if TYPE_CHECKING:
    from qualcode.store import Project


@dataclass
class ApplyResult:
    """What loading a codebook did, as code paths.

    ``kept`` lists codes that ``replace`` would have removed but that have
    codings (or sub-codes with codings), so they stay.
    """

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _fields_of(code: Code) -> dict[str, Any]:
    return {
        "description": code.description,
        "include": code.include,
        "exclude": code.exclude,
        "examples": list(code.examples),
        "keywords": list(code.keywords),
        "colour": code.colour,
        "key": code.key,
    }


def _wanted(node: CodebookNode) -> dict[str, Any]:
    """The fields this node's source set, normalised like the store stores them."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        if node.sets(name):
            value = getattr(node, name)
            if name in ("examples", "keywords"):
                value = list(value)
            elif name in ("colour", "key"):
                value = value or None
            out[name] = value
    return out


def _check_keys(codebook: Codebook, existing: dict[str, Code]) -> None:
    """Refuse a load that would give one shortcut key to two codes.

    Checked on the *final* state (file keys over existing keys), so swapping
    two codes' keys in the file is fine; a file key already held by a code
    the file does not mention (or does not re-key) is a clash.
    """
    final: dict[str, str] = {}  # folded path -> key
    shown: dict[str, str] = {folded: code.path for folded, code in existing.items()}
    owner_where: dict[str, str | None] = {}
    for folded, code in existing.items():
        if code.key:
            final[folded] = code.key
    for path, node in codebook.walk():
        if node.sets("key"):
            folded = path.casefold()
            shown.setdefault(folded, path)
            if node.key:
                final[folded] = node.key
                owner_where[folded] = node.where
            else:
                final.pop(folded, None)
    seen: dict[str, str] = {}
    for folded in sorted(final, key=lambda f: (f not in owner_where, f)):
        key = final[folded]
        if key in seen:
            first = seen[key]
            raise CodebookFormatError(
                f"shortcut key {key!r} would be used by both {shown[first]!r} and {shown[folded]!r}; "
                "change one of them (nothing was loaded)",
                where=owner_where.get(first) or owner_where.get(folded),
            )
        seen[key] = folded


def apply_codebook(project: "Project", codebook: Codebook, replace: bool = False) -> ApplyResult:
    """Merge ``codebook`` into ``project`` by code path, in one action.

    Existing codes keep their ids and codings; the fields the file sets are
    updated (a field a format does not carry is left alone); new codes are
    created in file order. With ``replace``, codes absent from the file are
    deleted when neither they nor their sub-codes have codings.

    Raises:
        CodebookFormatError: the tree is invalid, or a shortcut key would be
            shared by two codes. Nothing is changed.
    """
    check_tree(codebook)
    codes = project.codes
    existing = {c.path.casefold(): c for c in codes.all()}
    _check_keys(codebook, existing)
    result = ApplyResult()
    file_paths = {path.casefold() for path, _ in codebook.walk()}
    summary = f"load codebook {codebook.name}".strip()
    with project.action("codebook-load", summary) as act:
        # Free the keys that move first, so no intermediate state clashes.
        for path, node in codebook.walk():
            code = existing.get(path.casefold())
            if code and code.key and node.sets("key") and node.key != code.key:
                codes.update(code.id, key=None)
        ids: dict[str, int] = {}
        for path, node in codebook.walk():
            folded = path.casefold()
            parent_folded = folded.rsplit(PATH_SEP.casefold(), 1)[0] if PATH_SEP in path else None
            parent_id = ids[parent_folded] if parent_folded else None
            code = existing.get(folded)
            wanted = _wanted(node)
            if code is None:
                new = codes.add(node.name, parent_id, **{k: v for k, v in wanted.items() if v not in (None, "", [])})
                ids[folded] = new.id
                result.added.append(path)
                continue
            ids[folded] = code.id
            current = _fields_of(code)
            changes = {k: v for k, v in wanted.items() if current[k] != v}
            renamed = code.name != node.name
            if renamed:
                codes.rename(code.id, node.name)
            if changes:
                codes.update(code.id, **changes)
            if changes or renamed:
                result.updated.append(path)
            else:
                result.unchanged.append(path)
        if replace:
            _remove_absent(project, existing, file_paths, result)
        if act.name == "codebook-load":  # our own action, not an outer one we joined
            n = len(result.added), len(result.updated), len(result.removed)
            act.summary = f"{summary}: {n[0]} added, {n[1]} updated, {n[2]} removed"
    return result


def _remove_absent(project: "Project", existing: dict[str, Code], file_paths: set[str], result: ApplyResult) -> None:
    """Delete codes the file no longer lists, deepest first, unless coded."""
    counts: dict[int, int] = {}
    for coding in project.codings.all():
        counts[coding.code_id] = counts.get(coding.code_id, 0) + 1
    absent = [c for folded, c in existing.items() if folded not in file_paths]
    keep_ids: set[int] = set()
    by_id = {c.id: c for c in existing.values()}
    for code in absent:
        if counts.get(code.id):
            # Keep it and every ancestor, so its codings keep their place.
            walk: Code | None = code
            while walk is not None:
                keep_ids.add(walk.id)
                walk = by_id.get(walk.parent_id) if walk.parent_id is not None else None
    for code in sorted(absent, key=lambda c: c.depth, reverse=True):
        if code.id in keep_ids:
            result.kept.append(code.path)
        else:
            project.codes.delete(code.id)
            result.removed.append(code.path)
    order = {c.path: i for i, c in enumerate(existing.values())}  # codebook (depth-first) order
    result.kept.sort(key=order.__getitem__)
    result.removed.sort(key=order.__getitem__)


def node_from_code(code: Code) -> CodebookNode:
    """A stored code's definition as a codebook node (without its children)."""
    return CodebookNode(
        name=code.name,
        description=code.description,
        include=code.include,
        exclude=code.exclude,
        examples=list(code.examples),
        keywords=list(code.keywords),
        colour=code.colour,
        key=code.key,
    )


def codebook_from_project(project: "Project") -> Codebook:
    """The project's codes as a :class:`Codebook` (for export or comparison)."""
    name = project.meta("name") or project.path.stem
    book = Codebook(name=name, description=project.meta("description") or "")
    nodes: dict[int, CodebookNode] = {}
    for code in project.codes.all():
        node = node_from_code(code)
        nodes[code.id] = node
        if code.parent_id is None:
            book.nodes.append(node)
        else:
            nodes[code.parent_id].children.append(node)
    return book
