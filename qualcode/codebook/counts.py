"""The codebook tree with coding counts, for ``codebook show`` and the TUI.

Why both ``codings`` and ``codings_total``: a theme can be applied directly
(a coder tags a passage with the theme itself) and also gathers its
sub-codes. Reporting only the roll-up hides direct use; reporting only the
direct count makes a theme with busy sub-codes look empty. Rejected machine
codings are never counted; pending ones are (they are visible in the text
until reviewed), and ``pending`` says how many of the count they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.model import Code

if TYPE_CHECKING:
    from qualcode.store import Project


@dataclass
class CodeCount:
    """A code with its counts; ``*_total`` cover the code and its whole subtree."""

    code: Code
    codings: int = 0
    codings_total: int = 0
    pending: int = 0
    documents: int = 0
    documents_total: int = 0
    children: list["CodeCount"] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The stable ``codebook show --json`` shape."""
        c = self.code
        return {
            "id": c.id,
            "name": c.name,
            "path": c.path,
            "description": c.description,
            "include": c.include,
            "exclude": c.exclude,
            "examples": list(c.examples),
            "keywords": list(c.keywords),
            "colour": c.colour,
            "key": c.key,
            "codings": self.codings,
            "codings_total": self.codings_total,
            "pending": self.pending,
            "documents": self.documents,
            "documents_total": self.documents_total,
            "children": [child.to_json() for child in self.children],
        }


def code_tree(project: "Project") -> list[CodeCount]:
    """Top-level codes with counts, children nested in codebook order."""
    own: dict[int, int] = {}
    pending: dict[int, int] = {}
    docs: dict[int, set[int]] = {}
    for coding in project.codings.all():
        if coding.status == "rejected":
            continue
        own[coding.code_id] = own.get(coding.code_id, 0) + 1
        if coding.status == "pending":
            pending[coding.code_id] = pending.get(coding.code_id, 0) + 1
        docs.setdefault(coding.code_id, set()).add(coding.document_id)
    nodes: dict[int, CodeCount] = {}
    roots: list[CodeCount] = []
    for code in project.codes.all():  # depth-first: parents come first
        node = CodeCount(
            code=code,
            codings=own.get(code.id, 0),
            pending=pending.get(code.id, 0),
            documents=len(docs.get(code.id, ())),
        )
        nodes[code.id] = node
        (nodes[code.parent_id].children if code.parent_id is not None else roots).append(node)

    def roll_up(node: CodeCount) -> set[int]:
        subtree_docs = set(docs.get(node.code.id, ()))
        node.codings_total = node.codings
        for child in node.children:
            subtree_docs |= roll_up(child)
            node.codings_total += child.codings_total
        node.documents_total = len(subtree_docs)
        return subtree_docs

    for root in roots:
        roll_up(root)
    return roots
