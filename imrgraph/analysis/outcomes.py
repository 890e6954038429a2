"""Outcomes broken down by service category, reviewer specialty or year, and the corpus overview.

The report and the plots need the same breakdowns; they are counted here in the store (GROUP BY
with bound filters), with the Wilson interval added in Python like the guideline ranking.
"""

from __future__ import annotations

import math
from typing import Any

from imrgraph.analysis.selection import Selection, category_labels, run_select, year_fragment
from imrgraph.analysis.stats import proportion
from imrgraph.errors import QueryError

__all__ = ["DIMENSIONS", "corpus_overview", "outcomes_by"]

#: Breakdown name -> pattern (inside ``GRAPH ?g``) binding ``?key`` for ``?item`` / ``?det``.
DIMENSIONS: dict[str, str] = {
    "category": "?item imr:requestsService ?keysvc . ?keysvc imr:serviceCategory ?key .\n",
    "specialty": "OPTIONAL { ?det imr:reviewedBy ?keyrev . ?keyrev imr:specialty ?key }\n",
    "year": year_fragment("key", suffix="k"),
}


def outcomes_by(
    store: Any, dimension: str, category: str | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    """Items and upheld items per value of ``dimension`` (category, specialty or year).

    An item whose reviewer lists two specialties counts once for each; an item with no such
    value (no date at all, no stated specialty) is grouped under ``None``. Records carry
    ``key``, ``label``, ``items``, ``upheld``, ``overturned``, ``uphold_rate``, ``ci_low``,
    ``ci_high``, ``lift`` (over the whole selection), sorted by items (year: by year).
    """
    if dimension not in DIMENSIONS:
        raise QueryError(f"unknown breakdown {dimension!r}; choose {', '.join(DIMENSIONS)}")
    selection = Selection(category=category, year=year)
    bound = selection.projection()
    rows = run_select(
        store,
        "SELECT ?key (COUNT(DISTINCT ?item) AS ?items) "
        f"(COUNT(DISTINCT ?upheldItem) AS ?upheld) {bound}\n"
        f"WHERE {{ GRAPH ?g {{\n{selection.items_fragment()}{DIMENSIONS[dimension]}"
        "BIND(IF(?outcome = imr:Upheld, ?item, ?none) AS ?upheldItem)\n"
        f"}} }}\nGROUP BY ?key {bound}",
        selection.bindings(store),
    )
    labels = category_labels(store) if dimension == "category" else {}
    total = sum(int(r["items"]) for r in rows)
    total_upheld = sum(int(r["upheld"]) for r in rows)
    if dimension != "category":  # specialties overlap: take the base from the items themselves
        total, total_upheld = _overall(store, selection)
    base = total_upheld / total if total else math.nan
    records = []
    for row in rows:
        key = row["key"]
        items, upheld = int(row["items"]), int(row["upheld"])
        p = proportion(upheld, items, base)
        label = labels.get(str(key), str(key)) if key is not None else "unknown"
        records.append(
            {
                "key": key,
                "label": label,
                "items": items,
                "upheld": upheld,
                "overturned": items - upheld,
                "uphold_rate": p.rate,
                "ci_low": p.ci_low,
                "ci_high": p.ci_high,
                "lift": p.lift,
            }
        )
    if dimension == "year":
        records.sort(key=lambda r: (r["key"] is None, r["key"] or 0))
    else:
        records.sort(key=lambda r: (-r["items"], r["label"]))
    return records


def _overall(store: Any, selection: Selection) -> tuple[int, int]:
    from imrgraph.analysis.guidelines import overall_outcomes

    return overall_outcomes(store, selection)


def corpus_overview(store: Any, years: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Letters, items, upheld items, letters with warnings, first and last year.

    ``years``: the :func:`outcomes_by` year records, when the caller has them already.
    """
    rows = run_select(
        store,
        "SELECT (COUNT(DISTINCT ?det) AS ?letters) (COUNT(DISTINCT ?item) AS ?items) "
        "(COUNT(DISTINCT ?upheldItem) AS ?upheld) (COUNT(DISTINCT ?warned) AS ?warned)\n"
        "WHERE { GRAPH ?g {\n"
        "  ?det a imr:Determination .\n"
        "  OPTIONAL { ?det imr:hasItem ?item . ?item imr:hasOutcome ?outcome .\n"
        "    BIND(IF(?outcome = imr:Upheld, ?item, ?none) AS ?upheldItem) }\n"
        "  OPTIONAL { ?det imr:warning ?w . BIND(?det AS ?warned) }\n"
        "} }",
    )
    row = rows[0] if rows else {}
    by_year = years if years is not None else outcomes_by(store, "year")
    known = [r["key"] for r in by_year if r["key"] is not None]
    return {
        "letters": int(row.get("letters") or 0),
        "items": int(row.get("items") or 0),
        "upheld": int(row.get("upheld") or 0),
        "letters_with_warnings": int(row.get("warned") or 0),
        "first_year": min(known) if known else None,
        "last_year": max(known) if known else None,
    }
