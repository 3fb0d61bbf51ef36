"""Full-text search over the project, with snippets; enter jumps to a hit."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qualcode.store import SearchHit
from qualcode.tui.modals.typeahead import TypeaheadModal


def snippet_text(hit: SearchHit) -> Text:
    """``doc · speaker: …snippet…`` with the FTS ``[match]`` marks in bold."""
    out = Text()
    out.append(hit.document, style="bold")
    out.append(f" · {hit.speaker or '—'}: ", style="dim")
    rest = hit.snippet
    while "[" in rest and "]" in rest[rest.index("[") :]:
        a = rest.index("[")
        b = rest.index("]", a)
        out.append(rest[:a])
        out.append(rest[a + 1 : b], style="bold reverse")
        rest = rest[b + 1 :]
    out.append(rest)
    return out


class SearchModal(TypeaheadModal[SearchHit]):
    """Search as you type; returns the chosen hit."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="search.cancel"),
        Binding("down", "cursor(1)", "Next", show=False, id="search.down"),
        Binding("up", "cursor(-1)", "Previous", show=False, id="search.up"),
    ]

    def __init__(self, search: Callable[[str], Sequence[SearchHit]], query: str = "") -> None:
        super().__init__()
        self.search = search
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog search"):
            yield Label("Search the project", classes="dialog-title")
            yield Input(self.query_text, placeholder='words, "a phrase", prefix*', id="search-input")
            yield OptionList(id="search-hits")
            yield Label("", id="search-count", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.query_text:
            self.refill(self.query_text)

    def refill(self, query: str) -> None:
        from qualcode.errors import QualcodeError

        try:
            self.choices = list(self.search(query))
        except QualcodeError as exc:
            self.choices = []
            self.query_one("#search-count", Label).update(str(exc))
            return
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(snippet_text(h)) for h in self.choices])
        if self.choices:
            options.highlighted = 0
        self.query_one("#search-count", Label).update(
            f"{len(self.choices)} hit{'s' if len(self.choices) != 1 else ''} · enter: open · escape: close"
        )
