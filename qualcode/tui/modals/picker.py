"""The fuzzy code picker: type part of a name, enter applies.

Why rapidfuzz: coders remember fragments ("bid cost", "feedbak"), not exact
paths; ``WRatio`` over the full path ranks such fragments well. A name that
matches nothing offers "create code …", so coding never stops for a detour
to the codebook.
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


STRONG_MATCH = 85.0


def rank_codes(query: str, codes: Sequence[Code], limit: int = 30) -> list[tuple[Code, float]]:
    """Codes with their match score (0-100), best first, for ``query``.

    A code whose shortcut key equals the query comes first with score 100.
    """
    query = query.strip()
    if not query:
        return [(c, 100.0) for c in list(codes)[:limit]]
    from rapidfuzz import fuzz, process, utils

    choices = {c.id: c.path for c in codes}
    hits = process.extract(
        query, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit, score_cutoff=50
    )
    by_id = {c.id: c for c in codes}
    exact_key = [(c, 100.0) for c in codes if c.key and c.key == query]
    keyed = {c.id for c, _ in exact_key}
    return exact_key + [(by_id[k], float(score)) for _, score, k in hits if k not in keyed]


class CodePicker(TypeaheadModal[Pick]):
    """Pick a code by fuzzy name; optionally offer to create a new one."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id="picker.down"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(self, codes: Sequence[Code], *, title: str = "Apply code", allow_create: bool = True,
                 colours: dict[int, str] | None = None) -> None:
        super().__init__()
        self.codes = list(codes)
        self.title_text = title
        self.allow_create = allow_create
        self.colours = colours or {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder="type a code name…", id="picker-input")
            yield OptionList(id="picker-options")
            yield Label("enter: choose · ↑↓: move · escape: cancel", classes="hint")

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
        name = query.strip()
        if self.allow_create and name and not any(c.name.casefold() == name.casefold() or
                                                  c.path.casefold() == name.casefold() for c in self.codes):
            create = Option(Text.assemble(("+ create code ", "bold green"), name))
            # A new name that matches nothing well is most likely meant to be
            # created: offer that first so enter does it.
            if not ranked or ranked[0][1] < STRONG_MATCH:
                items.insert(0, create)
                self.choices.insert(0, Pick(create=name))
            else:
                items.append(create)
                self.choices.append(Pick(create=name))
        options.add_options(items)
        if items:
            options.highlighted = 0
