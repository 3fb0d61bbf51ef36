"""The codebook tree: codes, their definitions, paths and shortcut keys."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qualcode.errors import AmbiguousNameError, NotFoundError, ValidationError
from qualcode.model import PATH_SEP, Code, split_path

if TYPE_CHECKING:
    from qualcode.store.project import Project

_FIELDS = ("description", "include", "exclude", "examples", "keywords", "colour", "key")


def _encode(field: str, value: Any) -> Any:
    if field in ("examples", "keywords"):
        return json.dumps(list(value or []), ensure_ascii=False)
    return value


class CodeStore:
    """Create, find, rename, move, merge and delete codes."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    # -- reading ------------------------------------------------------------
    def all(self) -> list[Code]:
        """Every code, depth-first in codebook order, with its path."""
        rows = self.project.query("SELECT * FROM codes ORDER BY sort, id")
        by_parent: dict[int | None, list[dict[str, Any]]] = {}
        for r in rows:
            by_parent.setdefault(r["parent_id"], []).append(r)
        out: list[Code] = []

        def walk(parent: int | None, prefix: str) -> None:
            for r in by_parent.get(parent, []):
                path = f"{prefix}{PATH_SEP}{r['name']}" if prefix else r["name"]
                out.append(self._code(r, path))
                walk(r["id"], path)

        walk(None, "")
        return out

    @staticmethod
    def _code(r: dict[str, Any], path: str) -> Code:
        return Code(
            id=r["id"],
            name=r["name"],
            parent_id=r["parent_id"],
            path=path,
            description=r["description"] or "",
            include=r["include"] or "",
            exclude=r["exclude"] or "",
            examples=tuple(json.loads(r["examples"] or "[]")),
            keywords=tuple(json.loads(r["keywords"] or "[]")),
            colour=r["colour"],
            key=r["key"],
        )

    def get(self, code_id: int) -> Code:
        row = self.project.row("codes", code_id)
        if row is None:
            raise NotFoundError(f"no code with id {code_id}")
        names = [row["name"]]
        parent = row["parent_id"]
        seen = {code_id}
        while parent is not None and parent not in seen:
            seen.add(parent)
            up = self.project.query("SELECT name, parent_id FROM codes WHERE id = ?", [parent])
            if not up:
                break
            names.append(up[0]["name"])
            parent = up[0]["parent_id"]
        return self._code(row, PATH_SEP.join(reversed(names)))

    def find_path(self, path: str) -> Code | None:
        wanted = PATH_SEP.join(split_path(path)).casefold()
        for code in self.all():
            if code.path.casefold() == wanted:
                return code
        return None

    def resolve(self, ref: str | int) -> Code:
        """A code by path (``Theme > Code``), by a unique name, or by id.

        Raises:
            NotFoundError: nothing matches.
            AmbiguousNameError: the name is used by several codes.
        """
        if isinstance(ref, int):
            return self.get(ref)
        ref = ref.strip()
        codes = self.all()
        if ">" in ref:
            found = self.find_path(ref)
            if found:
                return found
            raise NotFoundError(f"no code with path {ref!r}")
        exact = [c for c in codes if c.name == ref]
        if not exact:
            exact = [c for c in codes if c.name.casefold() == ref.casefold()]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            paths = "; ".join(c.path for c in exact)
            raise AmbiguousNameError(f"code name {ref!r} is used by several codes, give the path: {paths}")
        if ref.lstrip("#").isdigit():
            return self.get(int(ref.lstrip("#")))
        raise NotFoundError(f"no code called {ref!r}")

    def by_key(self, key: str) -> Code | None:
        rows = self.project.query("SELECT id FROM codes WHERE key = ? LIMIT 1", [key])
        return self.get(rows[0]["id"]) if rows else None

    def children(self, code_id: int | None) -> list[Code]:
        if code_id is None:
            rows = self.project.query("SELECT id FROM codes WHERE parent_id IS NULL ORDER BY sort, id")
        else:
            rows = self.project.query("SELECT id FROM codes WHERE parent_id = ? ORDER BY sort, id", [code_id])
        return [self.get(r["id"]) for r in rows]

    def descendants(self, code_id: int) -> list[Code]:
        """The code itself and every code below it."""
        codes = self.all()
        keep = {code_id}
        out = []
        for c in codes:  # depth-first order: parents precede children
            if c.id == code_id or c.parent_id in keep:
                keep.add(c.id)
                out.append(c)
        return out

    # -- writing ------------------------------------------------------------
    def add(self, name: str, parent: str | int | None = None, **fields: Any) -> Code:
        """Create a code (under ``parent``, a path/name/id, if given)."""
        name = name.strip()
        if not name or ">" in name:
            raise ValidationError(f"invalid code name {name!r} (empty, or contains '>')")
        parent_code = self.resolve(parent) if parent not in (None, "") else None
        pid = parent_code.id if parent_code else None
        siblings = self.children(pid)
        if any(c.name.casefold() == name.casefold() for c in siblings):
            where = parent_code.path if parent_code else "the top level"
            raise ValidationError(f"a code called {name!r} already exists under {where}")
        self._check_key(fields.get("key"), None)
        row = {"name": name, "parent_id": pid, "sort": len(siblings)}
        for f in _FIELDS:
            if f in fields and fields[f] is not None:
                row[f] = _encode(f, fields[f])
        with self.project.action("code-add", f"add code {name}") as act:
            new_id = act.insert("codes", row)
        return self.get(new_id)

    def ensure_path(self, path: str, **fields: Any) -> tuple[Code, bool]:
        """Create every missing level of ``path``; the leaf gets ``fields``.

        Returns the leaf and whether anything was created.
        """
        parts = split_path(path)
        if not parts:
            raise ValidationError("empty code path")
        parent: Code | None = None
        created = False
        with self.project.action("code-add", f"add code {PATH_SEP.join(parts)}"):
            for i, part in enumerate(parts):
                leaf = i == len(parts) - 1
                pid = parent.id if parent else None
                found = next((c for c in self.children(pid) if c.name.casefold() == part.casefold()), None)
                if found is None:
                    found = self.add(part, pid, **(fields if leaf else {}))
                    created = True
                elif leaf and fields:
                    found = self.update(found.id, **fields)
                parent = found
        assert parent is not None
        return parent, created

    def update(self, ref: str | int, **fields: Any) -> Code:
        """Change definition fields (description, include, …, colour, key)."""
        code = self.resolve(ref)
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise ValidationError(f"unknown code field(s): {', '.join(sorted(unknown))}")
        if "key" in fields:
            self._check_key(fields["key"], code.id)
        values = {f: _encode(f, v) for f, v in fields.items()}
        with self.project.action("code-update", f"update code {code.path}") as act:
            act.update("codes", code.id, values)
        return self.get(code.id)

    def rename(self, ref: str | int, new_name: str) -> Code:
        code = self.resolve(ref)
        new_name = new_name.strip()
        if not new_name or ">" in new_name:
            raise ValidationError(f"invalid code name {new_name!r}")
        if any(c.name.casefold() == new_name.casefold() and c.id != code.id for c in self.children(code.parent_id)):
            raise ValidationError(f"a sibling called {new_name!r} already exists")
        with self.project.action("code-rename", f"rename {code.path} to {new_name}") as act:
            act.update("codes", code.id, {"name": new_name})
        return self.get(code.id)

    def move(self, ref: str | int, new_parent: str | int | None) -> Code:
        """Move a code (and its subtree) under another code or to the top."""
        code = self.resolve(ref)
        parent = self.resolve(new_parent) if new_parent not in (None, "") else None
        if parent and parent.id in {c.id for c in self.descendants(code.id)}:
            raise ValidationError("cannot move a code under itself or its own sub-code")
        pid = parent.id if parent else None
        if any(c.name.casefold() == code.name.casefold() and c.id != code.id for c in self.children(pid)):
            raise ValidationError(f"the new parent already has a code called {code.name!r}")
        where = parent.path if parent else "top level"
        with self.project.action("code-move", f"move {code.path} to {where}") as act:
            act.update("codes", code.id, {"parent_id": pid, "sort": len(self.children(pid))})
        return self.get(code.id)

    def merge(self, source: str | int, target: str | int) -> Code:
        """Merge ``source`` into ``target``: codings and sub-codes move, source goes.

        A coding that would duplicate one the target already has (same span,
        coder and origin) is dropped rather than doubled. Undo restores all.
        """
        src = self.resolve(source)
        dst = self.resolve(target)
        if src.id == dst.id:
            raise ValidationError("cannot merge a code into itself")
        if dst.id in {c.id for c in self.descendants(src.id)}:
            raise ValidationError("cannot merge a code into one of its own sub-codes")
        with self.project.action("code-merge", f"merge {src.path} into {dst.path}") as act:
            existing = {
                (r["document_id"], r["start"], r["end"], r["coder"], r["origin"])
                for r in self.project.query("SELECT * FROM codings WHERE code_id = ?", [dst.id])
            }
            for r in self.project.query("SELECT * FROM codings WHERE code_id = ?", [src.id]):
                key = (r["document_id"], r["start"], r["end"], r["coder"], r["origin"])
                if key in existing:
                    act.delete("codings", r["id"])
                else:
                    existing.add(key)
                    act.update("codings", r["id"], {"code_id": dst.id})
            for child in self.children(src.id):
                act.update("codes", child.id, {"parent_id": dst.id})
            for memo in self.project.query("SELECT id FROM memos WHERE target = 'code' AND target_id = ?", [src.id]):
                act.update("memos", memo["id"], {"target_id": dst.id})
            act.delete("codes", src.id)
        return self.get(dst.id)

    def delete(self, ref: str | int) -> Code:
        """Delete a code with no codings and no sub-codes."""
        code = self.resolve(ref)
        if self.children(code.id):
            raise ValidationError(f"{code.path} has sub-codes; move or merge them first")
        n = self.project.query("SELECT count(*) AS n FROM codings WHERE code_id = ?", [code.id])[0]["n"]
        if n:
            raise ValidationError(f"{code.path} has {n} codings; remove them or merge the code")
        with self.project.action("code-delete", f"delete code {code.path}") as act:
            act.delete_where("memos", "target = 'code' AND target_id = ?", [code.id])
            act.delete("codes", code.id)
        return code

    def _check_key(self, key: str | None, own_id: int | None) -> None:
        if not key:
            return
        if len(key) != 1:
            raise ValidationError(f"a shortcut key is one character, not {key!r}")
        other = self.by_key(key)
        if other and other.id != own_id:
            raise ValidationError(f"shortcut key {key!r} is already used by {other.path}")
