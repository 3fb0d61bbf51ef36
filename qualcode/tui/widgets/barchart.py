"""A horizontal bar chart drawn with block characters.

Why not matplotlib: the chart lives in the terminal next to the table it
illustrates and must redraw as the cursor moves; eighth-block characters
give a resolution of 1/8 cell, enough to compare percentages by eye.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

EIGHTHS = " ▏▎▍▌▋▊▉"
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7")


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value (``None``: no base) and the text after it."""

    label: str
    value: float | None
    note: str = ""
    colour: str = PALETTE[0]


def bar_text(value: float, maximum: float, width: int) -> str:
    """Full blocks plus one partial block for ``value`` on a ``width``-cell scale."""
    if width <= 0 or maximum <= 0 or value <= 0:
        return ""
    eighths = round(min(value, maximum) / maximum * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


class BarChart(Widget):
    """Bars with labels on the left and ``note`` (e.g. ``3 (17.6%)``) on the right."""

    DEFAULT_CSS = "BarChart { height: auto; }"

    def __init__(self, *, maximum: float = 100.0, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.title = ""
        self.bars: list[Bar] = []
        self.maximum = maximum

    def set_bars(self, title: str, bars: list[Bar]) -> None:
        """Replace what the chart shows and redraw."""
        self.title, self.bars = title, list(bars)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001 - Textual signature
        return 1 + max(1, len(self.bars))

    def render(self) -> Text:
        out = Text()
        out.append(self.title + "\n", style="bold")
        if not self.bars:
            out.append("(nothing to chart)", style="dim")
            return out
        width = max(20, self.size.width)
        label_w = min(max(len(b.label) for b in self.bars), max(10, width // 3))
        note_w = max(len(b.note) for b in self.bars)
        bar_w = max(5, width - label_w - note_w - 3)
        for i, b in enumerate(self.bars):
            label = b.label if len(b.label) <= label_w else b.label[: label_w - 1] + "…"
            out.append(label.ljust(label_w) + " ", style="dim" if b.value is None else "")
            drawn = bar_text(b.value or 0.0, self.maximum, bar_w)
            out.append(drawn, style=b.colour)
            out.append(" " * (bar_w - len(drawn) + 1))
            out.append(b.note.rjust(note_w), style="dim")
            if i < len(self.bars) - 1:
                out.append("\n")
        return out
