"""Dialogs of the Themes screen: run options and accepting a suggestion.

Why small forms instead of one prompt: a run has three choices an analyst
actually changes (unit, number of topics, seed) and accepting has three
(name, parent, apply); each field validates on submit and the modal returns
a typed value, so the screen never parses text.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from qualcode.themes.params import UNITS, SuggestParams


def parse_topics(value: str) -> int | None:
    """``auto``/empty → ``None`` (chosen by silhouette), else a whole number ≥ 2.

    Raises:
        ValueError: with a message fit to show under the field.
    """
    value = value.strip().lower()
    if value in ("", "auto"):
        return None
    if not value.isdigit() or int(value) < 2:
        raise ValueError("topics: 'auto' or a whole number of at least 2")
    return int(value)


class SuggestOptionsModal(ModalScreen[SuggestParams | None]):
    """Unit, topics (auto or N), seed and interviewer turns for a new run."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="suggest.cancel")]

    def __init__(self, params: SuggestParams | None = None) -> None:
        super().__init__()
        self.params = params or SuggestParams()

    def compose(self) -> ComposeResult:
        p = self.params
        with Vertical(classes="dialog form"):
            yield Label("Suggest themes", classes="dialog-title")
            with Horizontal(classes="field"):
                yield Label("Unit", classes="field-label")
                yield Select([(u, u) for u in UNITS], value=p.unit, allow_blank=False, id="opt-unit")
            with Horizontal(classes="field"):
                yield Label("Topics", classes="field-label")
                yield Input(
                    "auto" if p.topics is None else str(p.topics), id="opt-topics", placeholder="auto or a number"
                )
            with Horizontal(classes="field"):
                yield Label("Seed", classes="field-label")
                yield Input(str(p.seed), id="opt-seed", type="integer")
            yield Checkbox("Include interviewer turns", p.include_interviewer, id="opt-interviewer")
            yield Label("", id="opt-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Run (enter)", variant="primary", id="run")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#opt-topics", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run":
            self._submit()
        else:
            self.action_cancel()

    def _submit(self) -> None:
        from dataclasses import replace

        error = self.query_one("#opt-error", Label)
        try:
            topics = parse_topics(self.query_one("#opt-topics", Input).value)
            seed_text = self.query_one("#opt-seed", Input).value.strip() or "0"
            if not seed_text.lstrip("-").isdigit():
                raise ValueError("seed: a whole number")
        except ValueError as exc:
            error.update(str(exc))
            return
        unit = self.query_one("#opt-unit", Select).value
        self.dismiss(
            replace(
                self.params,
                unit=str(unit),
                topics=topics,
                seed=int(seed_text),
                include_interviewer=self.query_one("#opt-interviewer", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class AcceptChoice:
    """How to accept a suggestion: the code's name, its parent, apply or not."""

    name: str
    parent: str | None
    apply: bool


class AcceptModal(ModalScreen[AcceptChoice | None]):
    """Name (prefilled with the label), optional parent path, apply checkbox."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="accept.cancel"),
        Binding("ctrl+s", "accept", "Accept", id="accept.ok"),
    ]

    def __init__(self, label: str, size: int, *, name: str = "", parent: str = "") -> None:
        super().__init__()
        self.label = label
        self.size_n = size
        self.name_value = name
        self.parent_value = parent

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield Label(f"Accept “{self.label}” as a code", classes="dialog-title")
            with Horizontal(classes="field"):
                yield Label("Name", classes="field-label")
                yield Input(self.name_value, id="accept-name", placeholder="code name")
            with Horizontal(classes="field"):
                yield Label("Parent", classes="field-label")
                yield Input(self.parent_value, id="accept-parent", placeholder="(top level) or a code path")
            yield Checkbox(
                f"Apply to its {self.size_n} excerpts (as pending codings to review)", False, id="accept-apply"
            )
            yield Label("", id="accept-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Accept (enter / ctrl+s)", variant="primary", id="accept")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#accept-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_accept()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "accept":
            self.action_accept()
        else:
            self.action_cancel()

    def action_accept(self) -> None:
        name = self.query_one("#accept-name", Input).value.strip()
        if not name:
            self.query_one("#accept-error", Label).update("the code needs a name")
            return
        parent = self.query_one("#accept-parent", Input).value.strip() or None
        self.dismiss(AcceptChoice(name, parent, self.query_one("#accept-apply", Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)
