"""PNG charts for reports (matplotlib, Agg backend: no display needed).

Why these two: a theme-frequency bar chart split by group and a diverging
Likert chart are the two figures policy readers expect beside an evidence
table; anything fancier belongs in the analyst's own notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

MAX_BARS = 30


def _pyplot():  # noqa: ANN202 - matplotlib type is lazy
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def frequency_chart(frame: "pd.DataFrame", path: str | Path) -> Path | None:
    """Horizontal bars: % of participants per theme, one bar per group of the first ``by`` attribute.

    Returns the PNG path, or ``None`` when there is nothing to draw.
    """
    if frame.empty or "participants_percent" not in frame:
        return None
    plt = _pyplot()
    rows = frame.head(MAX_BARS)
    groups = [g for g in frame.attrs.get("groups", []) if len(g["attrs"]) == 1]
    if groups:
        first = groups[0]["attrs"][0]
        series = [(g["label"], rows[f"{g['label']}: participants_percent"]) for g in groups if g["attrs"][0] == first]
    else:
        series = [("all participants", rows["participants_percent"])]
    labels = [("› " * int(d)) + str(p).split(" > ")[-1] for d, p in zip(rows["depth"], rows["path"])]
    height = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.4 * len(rows) * max(1, len(series) / 2) + 1)))
    for i, (name, values) in enumerate(series):
        ys = [y + i * height for y in range(len(rows))]
        ax.barh(ys, values.fillna(0).astype(float), height=height, label=name)
    ax.set_yticks([y + height * (len(series) - 1) / 2 for y in range(len(rows))])
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of participants")
    ax.set_title("Themes by % of participants")
    if len(series) > 1:
        ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(str(path), dpi=110)
    plt.close(fig)
    return Path(path)


def likert_chart(frame: "pd.DataFrame", path: str | Path) -> Path | None:
    """Diverging stacked bars: disagree levels left of zero, agree right, the neutral level split."""
    scale = frame.attrs.get("scale", [])
    if frame.empty or not scale:
        return None
    plt = _pyplot()
    from matplotlib import colormaps

    rows = frame.head(MAX_BARS)
    labels = [f"{r['item']} ({r['group']})" if "group" in rows and r["group"] != "(all)" else str(r["item"])
              for _, r in rows.iterrows()]
    k = len(scale)
    colours = [colormaps["RdBu"](0.1 + 0.8 * i / max(k - 1, 1)) for i in range(k)]
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.45 * len(rows) + 1.5)))
    mid = k // 2
    for y, (_, r) in enumerate(rows.iterrows()):
        pct = [float(r[f"{lv}: percent"] or 0) if r[f"{lv}: percent"] == r[f"{lv}: percent"] else 0.0 for lv in scale]
        left = -sum(pct[:mid]) - (pct[mid] / 2 if k % 2 else 0)
        for i, value in enumerate(pct):
            ax.barh(y, value, left=left, color=colours[i], label=scale[i] if y == 0 else None)
            left += value
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlim(-100, 100)
    ax.set_xlabel("% of answers (disagree ← → agree)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=min(k, 4), fontsize="small")
    fig.tight_layout()
    fig.savefig(str(path), dpi=110)
    plt.close(fig)
    return Path(path)
