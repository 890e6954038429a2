"""Charts of the analysis (matplotlib, Agg backend), written as SVG or PNG.

Each ``*_figure`` function takes the records the analysis already computed (so the report, the
CLI and the tests draw exactly the numbers they print) and returns a matplotlib Figure;
:func:`save_figure` writes it, :func:`figure_svg` returns SVG text ready to inline in HTML.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display, no GUI toolkit: a server or CI renders the same

import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.figure import Figure

from imrgraph.errors import ImrGraphError

__all__ = [
    "KINDS",
    "figure_svg",
    "guideline_network_figure",
    "outcomes_by_category_figure",
    "rate_by_guideline_figure",
    "rate_by_year_figure",
    "save_figure",
]

KINDS: tuple[str, ...] = ("guidelines", "categories", "years", "network")
UPHELD = "#b5472f"  # denial stands
OVERTURNED = "#2f7fb5"  # denial reversed
INK = "#2b2b2b"
GRID = "#d9d9d9"

matplotlib.rcParams.update(
    {
        "font.family": "DejaVu Sans",  # shipped with matplotlib: no system font lookup
        "font.size": 9,
        "axes.edgecolor": "#888888",
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "path",  # glyphs as paths: the SVG needs no font at all
        "svg.hashsalt": "imrgraph",  # deterministic ids
    }
)


def _short(text: str, width: int = 52) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def rate_by_guideline_figure(records: list[dict[str, Any]], top: int = 15) -> Figure:
    """Uphold rate per guideline with its Wilson 95% interval, top ``top`` records in order."""
    rows = records[:top]
    fig, ax = plt.subplots(figsize=(8.0, 0.34 * max(len(rows), 3) + 1.1), layout="constrained")
    if not rows:
        _empty(ax, "No guideline citations in this selection")
        return fig
    y = list(range(len(rows)))[::-1]
    rates = [r["uphold_rate"] for r in rows]
    low = [r["uphold_rate"] - r["ci_low"] for r in rows]
    high = [r["ci_high"] - r["uphold_rate"] for r in rows]
    ax.errorbar(rates, y, xerr=[low, high], fmt="o", color=UPHELD, ecolor="#999999", capsize=3)
    ax.set_yticks(y, [f"{_short(r['guideline'])}  (n={r['items']:,})" for r in rows])
    ax.set_xlim(_lower_limit([r["ci_low"] for r in rows]), 1.01)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("items upheld (dot) with Wilson 95% interval (bar)")
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def outcomes_by_category_figure(records: list[dict[str, Any]]) -> Figure:
    """Stacked bars: upheld, overturned (and unreadable-outcome) items per service category."""
    fig, ax = plt.subplots(figsize=(8.0, 0.34 * max(len(records), 3) + 1.1), layout="constrained")
    if not records:
        _empty(ax, "No items in this selection")
        return fig
    y = list(range(len(records)))[::-1]
    upheld = [r["upheld"] for r in records]
    over = [r["overturned"] for r in records]
    ax.barh(y, upheld, color=UPHELD, label="Upheld")
    ax.barh(y, over, left=upheld, color=OVERTURNED, label="Overturned")
    unknown = [r.get("unknown", 0) for r in records]
    if any(unknown):  # items whose decision line could not be read: shown, in no rate
        left = [u + o for u, o in zip(upheld, over, strict=True)]
        ax.barh(y, unknown, left=left, color="#bbbbbb", label="Outcome not readable")
    ax.set_yticks(y, [_short(str(r["label"]), 40) for r in records])
    for yy, r in zip(y, records, strict=True):
        rate = r["uphold_rate"]
        rate = "no decided item" if math.isnan(rate) else f"{rate:.0%} upheld"
        ax.text(r["items"], yy, f" {r['items']:,}  ({rate})", va="center")
    ax.set_xlim(0, max(r["items"] for r in records) * 1.35)
    ax.set_xlabel("disputed items")
    ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="lower right", frameon=False)
    return fig


def rate_by_year_figure(records: list[dict[str, Any]]) -> Figure:
    """Uphold rate per year with interval band, and the number of items per year."""
    rows = [r for r in records if r["key"] is not None]
    fig, ax = plt.subplots(figsize=(8.0, 3.2), layout="constrained")
    if not rows:
        _empty(ax, "No dated letters in this selection")
        return fig
    years = [int(r["key"]) for r in rows]
    rates = [r["uphold_rate"] for r in rows]
    ax.fill_between(
        years,
        [r["ci_low"] for r in rows],
        [r["ci_high"] for r in rows],
        color=UPHELD,
        alpha=0.15,
        linewidth=0,
        label="Wilson 95% interval",
    )
    ax.plot(years, rates, "o-", color=UPHELD, label="uphold rate")
    for x, r in zip(years, rows, strict=True):
        ax.annotate(
            f"n={r['items']:,}",
            (x, r["uphold_rate"]),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize=8,
            color="#555555",
        )
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylim(_lower_limit([r["ci_low"] for r in rows]), 1.05)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_ylabel("items upheld")
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.legend(loc="lower left", frameon=False)
    if len(years) == 1:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    return fig


def guideline_network_figure(graph: nx.Graph, top: int = 12) -> Figure:
    """The guideline-service network restricted to the ``top`` guidelines by items.

    Guideline nodes are sized by items and coloured by uphold rate; the other side (category or
    service) is grey; edge width follows the items behind the link.
    """
    fig, ax = plt.subplots(figsize=(8.0, 6.0), layout="constrained")
    ax.set_axis_off()
    guidelines = sorted(
        (n for n, d in graph.nodes(data=True) if d.get("kind") == "guideline"),
        key=lambda n: -graph.nodes[n].get("items", 0),
    )[:top]
    keep = set(guidelines) | {m for n in guidelines for m in graph.neighbors(n)}
    sub = graph.subgraph(keep)
    if not sub.number_of_edges():
        _empty(ax, "No guideline-service links in this selection")
        return fig
    pos = nx.spring_layout(sub, weight="weight", seed=7, k=1.6 / math.sqrt(len(sub)))
    widths = [
        0.6 + 4.0 * d["items"] / max(dd["items"] for *_, dd in sub.edges(data=True))
        for *_, d in sub.edges(data=True)
    ]
    nx.draw_networkx_edges(sub, pos, ax=ax, width=widths, edge_color="#bbbbbb")
    gl_nodes = [n for n in sub if sub.nodes[n].get("kind") == "guideline"]
    other = [n for n in sub if n not in gl_nodes]
    max_items = max(sub.nodes[n].get("items", 1) or 1 for n in sub)
    cmap = matplotlib.colormaps["RdBu_r"]
    nx.draw_networkx_nodes(
        sub,
        pos,
        nodelist=gl_nodes,
        ax=ax,
        node_size=[120 + 900 * sub.nodes[n]["items"] / max_items for n in gl_nodes],
        # the share of decided items upheld (an unreadable outcome is neither)
        node_color=[
            sub.nodes[n]["upheld"] / max(sub.nodes[n]["upheld"] + sub.nodes[n]["overturned"], 1)
            for n in gl_nodes
        ],
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        edgecolors=INK,
        linewidths=0.5,
    )
    nx.draw_networkx_nodes(
        sub,
        pos,
        nodelist=other,
        ax=ax,
        node_shape="s",
        node_color="#e6e6e6",
        node_size=[80 + 500 * (sub.nodes[n].get("items", 0) or 0) / max_items for n in other],
        edgecolors="#888888",
        linewidths=0.5,
    )
    label_pos = {n: (x, y - 0.055) for n, (x, y) in pos.items()}  # below the marker
    nx.draw_networkx_labels(
        sub,
        label_pos,
        ax=ax,
        font_size=7,
        labels={n: _short(str(sub.nodes[n].get("label", n)), 34) for n in sub},
    )
    sm = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, 1))
    bar = fig.colorbar(sm, ax=ax, shrink=0.5, pad=0.01)
    bar.set_label("guideline uphold rate")
    bar.ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    return fig


def _lower_limit(lows: list[float]) -> float:
    """Axis start: 0, or closer to the data when every interval sits high (uphold rates of
    90% and more are the norm, and a 0-100% axis would flatten their differences)."""
    known = [x for x in lows if not math.isnan(x)]
    if not known:
        return 0.0
    return max(0.0, math.floor((min(known) - 0.05) * 10) / 10)


def _empty(ax: Any, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#666666")


def save_figure(fig: Figure, path: Path) -> None:
    """Write ``fig`` as SVG or PNG according to the file name; close it."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        plt.close(fig)
        raise ImrGraphError(f"{path}: plots are written as .svg or .png")
    try:
        fig.savefig(path, format=fmt, dpi=150 if fmt == "png" else None)
    except OSError as exc:
        raise ImrGraphError(f"{path}: cannot write the plot: {exc.strerror or exc}") from exc
    finally:
        plt.close(fig)


_counter = itertools.count()
_ID = re.compile(r'\bid="([^"]+)"')


def figure_svg(fig: Figure) -> str:
    """``fig`` as an ``<svg>`` element to inline in HTML; closes the figure.

    The XML prologue is dropped and every id is prefixed per figure, so several charts inline in
    one page cannot collide on matplotlib's ids (clip paths, glyphs).
    """
    buffer = io.StringIO()
    try:
        fig.savefig(buffer, format="svg")
    finally:
        plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    prefix = f"f{next(_counter)}-"
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)

    def ref(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}#{prefix}{name}" if name in ids else match.group(0)

    svg = re.sub(r'(xlink:href="|href="|url\()#([^")]+)', ref, svg)
    return svg
