"""The codebook: the code tree with counts, definitions and edits.

Every edit is one ``project.codes`` call (so one undoable action); the tree
is rebuilt from the store afterwards rather than patched, because a move or
merge reshapes it.
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Static, Tree

from qualcode.model import Code
from qualcode.tui.messages import DataChanged
from qualcode.tui.modals.picker import CodePicker, Pick
from qualcode.tui.modals.prompt import PromptModal
from qualcode.tui.screens.base import QScreen
from qualcode.tui.spans import code_colour


def _valid_colour(value: str) -> str | None:
    from rich.color import Color, ColorParseError

    if not value:
        return None
    try:
        Color.parse(value)
    except ColorParseError:
        return f"not a colour: {value!r} (try #4e79a7 or a name like 'green')"
    return None


class CodebookScreen(QScreen):
    """Tree of codes on the left, the selected code's definition on the right."""

    screen_name = "codebook"
    BINDINGS = [
        Binding("a", "add(True)", "Add sub-code", id="codebook.add_child"),
        Binding("A", "add(False)", "Add top-level code", show=False, id="codebook.add_top"),
        Binding("r", "rename", "Rename", id="codebook.rename"),
        Binding("m", "move", "Move", id="codebook.move"),
        Binding("g", "merge", "Merge into…", id="codebook.merge"),
        Binding("k", "colour", "Colour", id="codebook.colour"),
        Binding("K", "key", "Shortcut key", show=False, id="codebook.key"),
        Binding("d", "delete", "Delete", show=False, id="codebook.delete"),
        Binding("e", "excerpts", "Excerpts", id="codebook.excerpts"),
        Binding("escape", "app.back", "Back", show=False, id="codebook.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[Code] = []
        self.selected_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="codebook"):
            yield Tree("Codebook", id="code-tree")
            with VerticalScroll(id="code-detail-box"):
                yield Static(id="code-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Codebook"
        self.reload()
        self.query_one(Tree).focus()

    # -- data ---------------------------------------------------------------------
    def reload(self) -> None:
        project = self.project
        self.codes = project.codes.all()
        own = Counter(c.code_id for c in project.codings.all() if c.status != "rejected")
        total: Counter[int] = Counter()
        by_id = {c.id: c for c in self.codes}
        for code in self.codes:
            node: Code | None = code
            while node is not None:
                total[node.id] += own[code.id]
                node = by_id.get(node.parent_id) if node.parent_id else None
        tree: Tree[int] = self.query_one(Tree)
        tree.clear()
        tree.root.expand()
        nodes = {None: tree.root}
        cursor_node = None
        for code in self.codes:
            label = Text()
            label.append("■ ", style=code_colour(code, self.codes))
            label.append(code.name)
            count = f" ({own[code.id]}" + (f"/{total[code.id]}" if total[code.id] != own[code.id] else "") + ")"
            label.append(count, style="dim")
            if code.key:
                label.append(f" [{code.key}]", style="bold")
            parent = nodes.get(code.parent_id, tree.root)
            has_children = any(c.parent_id == code.id for c in self.codes)
            node = parent.add(label, data=code.id, expand=True, allow_expand=has_children)
            nodes[code.id] = node
            if code.id == self.selected_id:
                cursor_node = node
        if cursor_node is not None:
            self.call_after_refresh(tree.move_cursor, cursor_node)
        self.counts = own
        self._detail()

    def selected(self) -> Code | None:
        by_id = {c.id: c for c in self.codes}
        return by_id.get(self.selected_id) if self.selected_id is not None else None

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.selected_id = event.node.data
        self._detail()

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected) -> None:
        self.selected_id = event.node.data

    def _detail(self) -> None:
        code = self.selected()
        out = Text()
        if code is None:
            out.append("Select a code.\n\n", style="bold")
            out.append("a: add · r: rename · m: move · g: merge · k: colour · K: key · d: delete · e: excerpts")
        else:
            out.append(code.path + "\n", style=f"bold {code_colour(code, self.codes)}")
            out.append(f"{self.counts.get(code.id, 0)} codings", style="dim")
            if code.key:
                out.append(f" · key {code.key}", style="dim")
            out.append("\n\n")
            for title, value in (
                ("Definition", code.description),
                ("Include", code.include),
                ("Exclude", code.exclude),
            ):
                if value:
                    out.append(f"{title}\n", style="bold underline")
                    out.append(value + "\n\n")
            if code.examples:
                out.append("Examples\n", style="bold underline")
                for ex in code.examples:
                    out.append(f"  “{ex}”\n", style="italic")
            if code.keywords:
                out.append("\nKeywords: ", style="bold")
                out.append(", ".join(code.keywords))
        self.query_one("#code-detail", Static).update(out)

    # -- edits ----------------------------------------------------------------------
    def _changed(self) -> None:
        self.post_message(DataChanged(self))
        self.reload()

    def _need_code(self) -> Code | None:
        code = self.selected()
        if code is None:
            self.notify("select a code first", severity="warning")
        return code

    def action_add(self, as_child: bool) -> None:
        parent = self.selected() if as_child else None

        def done(name: str | None) -> None:
            if name:
                made = self.attempt(self.project.codes.add, name, parent.id if parent else None)
                if made is not None:
                    self.selected_id = made.id
                    self._changed()

        where = f" under {parent.path}" if parent else " (top level)"
        self.app.push_screen(PromptModal(f"New code{where}", validate=lambda v: None if v else "name it"), done)

    def action_rename(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def done(name: str | None) -> None:
            if name and name != code.name and self.attempt(self.project.codes.rename, code.id, name):
                self._changed()

        self.app.push_screen(PromptModal(f"Rename {code.path}", code.name), done)

    def action_move(self) -> None:
        code = self._need_code()
        if code is None:
            return
        inside = {c.id for c in self.project.codes.descendants(code.id)}
        choices = [c for c in self.codes if c.id not in inside]

        def done(pick: Pick | None) -> None:
            if pick is None:
                return
            if self.attempt(self.project.codes.move, code.id, pick.code_id):
                self._changed()

        self.app.push_screen(
            CodePicker(choices, title=f"Move {code.name} under… (escape: cancel)", allow_create=False), done
        )

    def action_merge(self) -> None:
        code = self._need_code()
        if code is None:
            return
        inside = {c.id for c in self.project.codes.descendants(code.id)}
        choices = [c for c in self.codes if c.id not in inside]

        def done(pick: Pick | None) -> None:
            if pick is None or pick.code_id is None:
                return
            merged = self.attempt(self.project.codes.merge, code.id, pick.code_id)
            if merged is not None:
                self.notify(f"Merged {code.path} into {merged.path}")
                self.selected_id = merged.id
                self._changed()

        self.app.push_screen(CodePicker(choices, title=f"Merge {code.name} into…", allow_create=False), done)

    def action_colour(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def done(value: str | None) -> None:
            if value is not None and self.attempt(self.project.codes.update, code.id, colour=value or None):
                self._changed()

        self.app.push_screen(
            PromptModal(f"Colour of {code.name} (empty: automatic)", code.colour or "", validate=_valid_colour), done
        )

    def action_key(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def done(value: str | None) -> None:
            if value is not None and self.attempt(self.project.codes.update, code.id, key=value or None):
                self._changed()

        self.app.push_screen(
            PromptModal(
                f"Shortcut key of {code.name} (one character; empty: none)",
                code.key or "",
                validate=lambda v: None if len(v) <= 1 else "one character",
            ),
            done,
        )

    def action_delete(self) -> None:
        code = self._need_code()
        if code is not None and self.attempt(self.project.codes.delete, code.id):
            self.notify(f"Deleted {code.path}")
            self.selected_id = code.parent_id
            self._changed()

    def action_excerpts(self) -> None:
        from qualcode.tui.screens.excerpts import ExcerptsScreen

        code = self._need_code()
        if code is not None:
            self.app.push_screen(ExcerptsScreen(code.id))
