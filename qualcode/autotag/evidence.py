"""The codebook as evidence: definition texts, the code tree, and exclude vetoes.

Why: after three coded interviews most leaf codes have one or two examples,
but every code already has a name, a description, include notes, examples
and keywords written by the analyst. Those texts are turned into extra
(down-weighted) positive training rows and into a per-code "definition
profile", so a code with no coded example can still be proposed when a
unit fits its definition. The ``exclude`` notes and ``-keyword`` exclusions
become vetoes: a unit matching them never gets that code from the model.

Veto syntax read from a code's ``exclude`` text: quoted phrases
(``"price only"`` or ``“price only”``) are veto phrases, and ``(use Other
code)`` names a code that wins over this one on a unit where both are
proposed (the one with the higher confidence stays). Keyword exclusions
(``-term``, ``!term``) are veto phrases too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.model import Code

_QUOTED = re.compile(r"\"([^\"]{2,})\"|“([^”]{2,})”")
_USE = re.compile(r"\buse\s+([^);]+)\)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CodeTree:
    """Parent/child links among the codes a model covers (links to codes outside are cut)."""

    parent: dict[int, int | None]
    children: dict[int, list[int]]

    @classmethod
    def of(cls, codes: Sequence["Code"]) -> "CodeTree":
        ids = {c.id for c in codes}
        parent = {c.id: (c.parent_id if c.parent_id in ids else None) for c in codes}
        children: dict[int, list[int]] = {c.id: [] for c in codes}
        for c in codes:
            if parent[c.id] is not None:
                children[parent[c.id]].append(c.id)
        return cls(parent, children)

    def ancestors(self, code_id: int) -> list[int]:
        """Parent first, up to the top-level theme."""
        out: list[int] = []
        p = self.parent.get(code_id)
        while p is not None and p not in out:
            out.append(p)
            p = self.parent.get(p)
        return out

    def top(self, code_id: int) -> int:
        """The top-level theme a code sits under (itself for a theme)."""
        up = self.ancestors(code_id)
        return up[-1] if up else code_id

    def expand(self, labels: set[int]) -> set[int]:
        """The codes plus all their ancestors: a leaf example is also an example of its theme."""
        out = {c for c in labels if c in self.parent}
        for c in list(out):
            out.update(self.ancestors(c))
        return out


def definition_texts(code: "Code") -> list[str]:
    """The analyst's own words about a code: one training row per text."""
    head = " ".join(t for t in (code.name, code.description, code.include) if t and t.strip())
    rows = [head] if head.strip() else []
    rows += [e for e in code.examples if e and e.strip()]
    kws = [k.strip() for k in code.keywords if k.strip() and k.strip()[0] not in "-!/"]
    if kws:
        rows.append(" ".join(k.replace("*", "") for k in kws))
    return rows


def veto_phrases(code: "Code") -> list[str]:
    """Phrases that rule a code out: ``-keyword`` exclusions and quoted phrases of ``exclude``."""
    out = [k.strip()[1:].strip() for k in code.keywords if k.strip()[:1] in ("-", "!") and len(k.strip()) > 1]
    for m in _QUOTED.finditer(code.exclude or ""):
        out.append((m.group(1) or m.group(2)).strip())
    return [p for p in out if p]


def use_instead(code: "Code", codes: Sequence["Code"]) -> list[int]:
    """Codes named by ``(use X)`` in the exclude notes, resolved by name or path (case-insensitive)."""
    by_name: dict[str, int] = {}
    for c in codes:
        by_name.setdefault(c.name.casefold(), c.id)
        by_name.setdefault(c.path.casefold(), c.id)
    out = []
    for m in _USE.finditer(code.exclude or ""):
        target = by_name.get(m.group(1).strip().casefold())
        if target is not None and target != code.id:
            out.append(target)
    return out


def veto_hits(codes: Sequence["Code"], texts: Sequence[str]) -> set[tuple[int, int]]:
    """(unit, code id) pairs whose unit matches one of the code's veto phrases.

    Matching reuses the keyword matcher (whole tokens, lemmas, wildcards,
    ``/regex/``), so a veto phrase behaves exactly like a keyword.
    """
    vetoing = [replace(c, keywords=tuple(veto_phrases(c))) for c in codes if veto_phrases(c)]
    if not vetoing or not texts:
        return set()
    from qualcode.autotag.rules import RuleMatcher

    return {(h.unit, h.code_id) for h in RuleMatcher(vetoing).match(texts)}
