"""PNG charts for reports (matplotlib, Agg backend: no display needed).

Why these two: a theme-frequency bar chart split by group and a diverging
Likert chart are the two figures policy readers expect beside an evidence
table; anything fancier belongs in the analyst's own notebook. Labels come
from :mod:`qualcode.export.labels`, so the figures say what the tables say.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.export.labels import groups_of, item_label
from qualcode.outputs import atomic_path

if TYPE_CHECKING:
    import pandas as pd

MAX_BARS = 30
PALETTE = ["#1f4e79", "#e08a2c", "#5b9a68", "#b04a5a", "#7f6aa8", "#8c8c8c"]
NEUTRAL = "#a6a6a6"  # mid grey: visible on white, clearly neither side


def _pyplot():  # noqa: ANN202 - matplotlib type is lazy
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _num(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number else 0.0


def axis_limit(largest: float, step: int = 10) -> int:
    """A round axis end just above ``largest`` (a multiple of ``step``, at most 100)."""
    return int(min(100, max(step, math.ceil((largest + 0.5) / step) * step)))


def frequency_chart(frame: "pd.DataFrame", path: str | Path) -> Path | None:
    """Horizontal bars: % of participants per code, one bar per group of the first ``by`` attribute.

    Themes (top-level codes) have bold labels on a light band; sub-codes are
    plain. Returns the PNG path, or ``None`` when there is nothing to draw.
    """
    if frame.empty or "participants_percent" not in frame:
        return None
    plt = _pyplot()
    rows = frame.head(MAX_BARS)
    groups = groups_of(frame.attrs, single_only=True)
    if groups:
        groups = [g for g in groups if g.attrs == groups[0].attrs]
        series = [(g.name, [_num(v) for v in rows[f"{g.label}: participants_percent"]]) for g in groups]
    else:
        series = [("all participants", [_num(v) for v in rows["participants_percent"]])]
    top = int(rows["depth"].min())
    depths = [int(d) - top for d in rows["depth"]]
    height = 0.8 / len(series)
    fig_h = min(11.0, 1.4 + len(rows) * (0.16 + 0.1 * len(series)))
    fig, ax = plt.subplots(figsize=(8, fig_h))
    for y, depth in enumerate(depths):
        if depth == 0:
            ax.axhspan(y - 0.5, y + 0.5, color="#eef2f7", zorder=0)
    for i, (name, values) in enumerate(series):
        ys = [y - 0.4 + height * (i + 0.5) for y in range(len(rows))]
        ax.barh(ys, values, height=height * 0.92, label=name, color=PALETTE[i % len(PALETTE)], zorder=2)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([("   " * d) + str(name) for d, name in zip(depths, rows["code"])])
    for label, depth in zip(ax.get_yticklabels(), depths):
        label.set_fontweight("bold" if depth == 0 else "normal")
        label.set_color("#111111" if depth == 0 else "#444444")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    largest = max((v for _, values in series for v in values), default=0.0)
    ax.set_xlim(0, axis_limit(largest))
    ax.set_xlabel("% of participants")
    ax.grid(axis="x", color="#dddddd", zorder=1)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(series) > 1:
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(series), frameon=False)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(str(tmp), format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return Path(path)


def likert_colours(k: int) -> list[Any]:
    """Reds for disagree levels, blues for agree, mid grey for the neutral middle of an odd scale."""
    from matplotlib import colormaps

    cmap = colormaps["RdBu"]
    colours = [cmap(0.08 + 0.84 * i / max(k - 1, 1)) for i in range(k)]
    if k % 2:
        colours[k // 2] = NEUTRAL
    return colours


def likert_chart(frame: "pd.DataFrame", path: str | Path) -> Path | None:
    """Diverging stacked bars: disagree levels left of zero, agree right, the neutral level split."""
    scale = frame.attrs.get("scale", [])
    if frame.empty or not scale:
        return None
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter

    rows = frame.head(MAX_BARS)
    grouped = "group" in rows
    overall = [not grouped or r["group"] == "(all)" for _, r in rows.iterrows()]
    labels = [item_label(r["item"]) if o else str(r["group"]) for o, (_, r) in zip(overall, rows.iterrows())]
    k = len(scale)
    colours = likert_colours(k)
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.42 * len(rows) + 1.6)))
    mid = k // 2
    extent = 0.0
    for y, (_, r) in enumerate(rows.iterrows()):
        values = [_num(r[f"{lv}: percent"]) for lv in scale]
        left = -sum(values[:mid]) - (values[mid] / 2 if k % 2 else 0)
        extent = max(extent, -left, left + sum(values))
        for i, value in enumerate(values):
            ax.barh(
                y,
                value,
                left=left,
                color=colours[i],
                height=0.72 if overall[y] or not grouped else 0.6,
                label=scale[i] if y == 0 else None,
                edgecolor="white",
                linewidth=0.5,
            )
            left += value
        if grouped and overall[y] and y:
            ax.axhline(y - 0.5, color="#cccccc", linewidth=0.8)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels)
    for label, o in zip(ax.get_yticklabels(), overall):
        label.set_fontweight("bold" if o and grouped else "normal")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    limit = axis_limit(extent, 25)
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}%"))
    ax.set_xlabel("% of answers  (disagree ←  → agree)")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles, names = ax.get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.legend(
        handles, names, loc="lower center", ncol=min(k, 5), frameon=False, fontsize="small", bbox_to_anchor=(0.5, 0.0)
    )
    with atomic_path(path) as tmp:
        fig.savefig(str(tmp), format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return Path(path)
