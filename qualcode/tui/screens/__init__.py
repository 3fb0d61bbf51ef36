"""The registry of top-level screens the app can switch between.

Why a registry: later screens (Themes, Review, Tables) plug in by adding one
:class:`ScreenEntry` here; the app derives its switch bindings (``f2``…),
command-palette entries and help rows from this list, so nothing else has to
change. Factories import their module lazily to keep start-up light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from textual.screen import Screen


@dataclass(frozen=True, slots=True)
class ScreenEntry:
    """A switchable screen: its name, title, key and how to build it."""

    name: str
    title: str
    key: str
    help: str
    factory: Callable[[], "Screen"]


def _home() -> "Screen":
    from qualcode.tui.screens.home import HomeScreen

    return HomeScreen()


def _codebook() -> "Screen":
    from qualcode.tui.screens.codebook import CodebookScreen

    return CodebookScreen()


def _excerpts() -> "Screen":
    from qualcode.tui.screens.excerpts import ExcerptsScreen

    return ExcerptsScreen()


def _themes() -> "Screen":
    from qualcode.tui.screens.themes import ThemesScreen

    return ThemesScreen()


def _review() -> "Screen":
    from qualcode.tui.screens.review import ReviewScreen

    return ReviewScreen()


def _tables() -> "Screen":
    from qualcode.tui.screens.tables import TablesScreen

    return TablesScreen()


SCREENS: list[ScreenEntry] = [
    ScreenEntry("home", "Documents", "f2", "Documents and participants", _home),
    ScreenEntry("codebook", "Codebook", "f3", "The code tree, definitions and edits", _codebook),
    ScreenEntry("excerpts", "Excerpts", "f4", "Every excerpt of a code", _excerpts),
    ScreenEntry("themes", "Themes", "f5", "Suggest themes; accept, reject or merge suggestions", _themes),
    ScreenEntry("review", "Review", "f6", "Accept or reject pending machine codings", _review),
    ScreenEntry("tables", "Tables", "f7", "Code frequencies by group, charts and export", _tables),
]


def entry(name: str) -> ScreenEntry:
    for e in SCREENS:
        if e.name == name:
            return e
    raise KeyError(name)
