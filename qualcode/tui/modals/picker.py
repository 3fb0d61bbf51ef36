"""The code picker: type part of a name, enter applies an existing code.

Why this order: a coder who types "cost" means the code they already have
("Bidding burden for SMEs > Cost of bidding"), not a new top-level "cost".
Existing codes come first — an exact name or path, then a name or path that
starts with the text, then fuzzy matches (rapidfuzz ``WRatio`` over the name
and the path, for fragments like "bid cost" or "feedbak"). Creating a code is
the last row (or ctrl+n at any time) and then asks for the parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qualcode.model import Code
from qualcode.tui.modals.typeahead import TypeaheadModal


@dataclass(frozen=True, slots=True)
class Pick:
    """The picker's answer: an existing code, or the name of one to create."""

    code_id: int | None = None
    create: str | None = None
    parent_id: int | None = None
    """With ``create``: the parent of the new code (``None``: top level)."""


def rank_codes(query: str, codes: Sequence[Code], limit: int = 30) -> list[tuple[Code, float]]:
    """Codes with their match score (0-100), best first, for ``query``.

    Order: the code whose shortcut key is the query, exact names or paths,
    names, path levels or paths starting with the query, then fuzzy matches
    on name and path (score at least 50).
    """
    query = query.strip()
    if not query:
        return [(c, 100.0) for c in list(codes)[:limit]]
    from rapidfuzz import fuzz, utils

    q = query.casefold()

    def tier(c: Code) -> int:
        levels = [part.strip().casefold() for part in c.path.split(">")]
        if c.key and c.key == query:
            return 0
        if q in (c.name.casefold(), c.path.casefold()):
            return 1
        if c.name.casefold().startswith(q) or c.path.casefold().startswith(q):
            return 2
        if any(level.startswith(q) for level in levels):
            return 3
        return 4

    ranked = []
    for c in codes:
        t = tier(c)
        score = (
            100.0
            if t < 4
            else max(
                fuzz.WRatio(query, c.name, processor=utils.default_process),
                fuzz.WRatio(query, c.path, processor=utils.default_process),
            )
        )
        if t < 4 or score >= 50:
            ranked.append((t, -score, c.path.casefold(), c, float(score)))
    ranked.sort(key=lambda r: r[:3])
    return [(c, score) for *_, c, score in ranked[:limit]]


TOP_LEVEL = "(top level)"


class CodePicker(TypeaheadModal[Pick]):
    """Pick a code by fuzzy name; optionally offer to create a new one."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id="picker.down"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="picker.up"),
        Binding("ctrl+n", "create", "Create code as typed", id="picker.create"),
    ]

    def __init__(
        self,
        codes: Sequence[Code],
        *,
        title: str = "Apply code",
        allow_create: bool = True,
        colours: dict[int, str] | None = None,
        top_level: bool = False,
    ) -> None:
        super().__init__()
        self.codes = list(codes)
        self.title_text = title
        self.allow_create = allow_create
        self.colours = colours or {}
        self.top_level = top_level
        """Offer "(top level)" first (answered as ``Pick()``): the parent picker of a new code."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder="type a code name…", id="picker-input")
            yield OptionList(id="picker-options")
            hint = (
                "enter: choose · ↑↓: move · ctrl+n: create · escape: cancel"
                if self.allow_create
                else "enter: choose · ↑↓: move · escape: cancel"
            )
            yield Label(hint, classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.refill("")

    def refill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        self.choices = []
        items: list[Option] = []
        ranked = rank_codes(query, self.codes)
        for code, _ in ranked:
            label = Text()
            label.append("■ ", style=self.colours.get(code.id, "#888888"))
            label.append(code.path)
            if code.key:
                label.append(f"  [{code.key}]", style="dim")
            items.append(Option(label))
            self.choices.append(Pick(code_id=code.id))
        if self.top_level and not query.strip():
            items.insert(0, Option(Text(TOP_LEVEL, style="italic")))
            self.choices.insert(0, Pick())
        name = query.strip()
        if (
            self.allow_create
            and name
            and not any(
                c.name.casefold() == name.casefold() or c.path.casefold() == name.casefold() for c in self.codes
            )
        ):
            items.append(Option(Text.assemble(("+ create code ", "bold green"), name, ("  (ctrl+n)", "dim"))))
            self.choices.append(Pick(create=name))
        options.add_options(items)
        if items:
            options.highlighted = 0

    def choose(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.choices) and self.choices[index].create:
            self.ask_parent(str(self.choices[index].create))
            return
        super().choose(index)

    def action_create(self) -> None:
        name = self.query_one(Input).value.strip()
        if not self.allow_create:
            return
        if not name:
            self.notify("type the new code's name first", severity="warning")
            return
        self.ask_parent(name)

    def ask_parent(self, name: str) -> None:
        """Ask where the new code goes, then answer ``Pick(create=name, parent_id=…)``."""
        if ">" in name:  # a path names its parents itself
            self.dismiss(Pick(create=name))
            return

        def done(parent: Pick | None) -> None:
            if parent is not None:
                self.dismiss(Pick(create=name, parent_id=parent.code_id))

        self.app.push_screen(
            CodePicker(
                self.codes,
                title=f"Create “{name}” under… (enter: top level)",
                allow_create=False,
                colours=self.colours,
                top_level=True,
            ),
            done,
        )
