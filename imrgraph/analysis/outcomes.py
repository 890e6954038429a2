"""Outcomes broken down by service category, reviewer specialty or year, and the corpus overview.

The report and the plots need the same breakdowns; they are counted here in the store (GROUP BY
with bound filters), with the Wilson interval added in Python like the guideline ranking.
"""

from __future__ import annotations

from typing import Any

from imrgraph.analysis.counts import TallyCounts, resolve
from imrgraph.analysis.selection import (
    OUTCOME_BINDS,
    OUTCOME_COUNTS,
    Selection,
    category_iri,
    category_labels,
    run_select,
    year_fragment,
)
from imrgraph.analysis.stats import base_rate, outcome_fields, overturned_of
from imrgraph.errors import QueryError

__all__ = [
    "DIMENSIONS",
    "corpus_overview",
    "outcome_counts",
    "outcome_records",
    "outcomes_by",
    "year_category_counts",
]

#: Breakdown name -> pattern (inside ``GRAPH ?g``) binding ``?key`` for ``?item`` / ``?det``.
DIMENSIONS: dict[str, str] = {
    "category": (
        "OPTIONAL { ?item imr:requestsService ?keysvc . ?keysvc imr:serviceCategory ?key }\n"
    ),
    "specialty": "OPTIONAL { ?det imr:reviewedBy ?keyrev . ?keyrev imr:specialty ?key }\n",
    "year": year_fragment("key", suffix="k"),
}


def outcomes_by(
    store: Any,
    dimension: str,
    category: str | None = None,
    year: int | None = None,
    base: tuple[int, int] | None = None,
    tallies: TallyCounts | bool | None = None,
) -> list[dict[str, Any]]:
    """Items and upheld items per value of ``dimension`` (category, specialty or year).

    An item whose reviewer lists two specialties counts once for each; an item with no such
    value (no date at all, no stated specialty) is grouped under ``None``. Records carry
    ``key``, ``label``, ``items``, ``upheld``, ``overturned``, ``unknown`` (outcome not
    readable), ``uphold_rate`` (over decided items), ``ci_low``, ``ci_high``, ``lift`` (over the
    whole selection), sorted by items (year: by year).
    Categories and years partition the items, so their rows also give the selection's totals;
    specialties overlap, so their lift needs the totals: ``base`` = (items, upheld, overturned)
    when the caller has them, else one more query. ``tallies``: see ``imrgraph.analysis.counts``.
    """
    if dimension not in DIMENSIONS:
        raise QueryError(f"unknown breakdown {dimension!r}; choose {', '.join(DIMENSIONS)}")
    counts = resolve(store, tallies)
    use = counts if counts is not None else False
    rows = outcome_counts(store, dimension, category, year, tallies=use)
    if dimension == "specialty" and base is None:  # specialties overlap: base from the items
        base = _overall(store, Selection(category=category, year=year), use)
    labels = category_labels(store) if dimension == "category" else {}
    return outcome_records(rows, dimension, base, labels)


def outcome_counts(
    store: Any,
    dimension: str,
    category: str | None = None,
    year: int | None = None,
    tallies: TallyCounts | bool | None = None,
) -> list[dict[str, Any]]:
    """The raw GROUP BY of :func:`outcomes_by`: ``key``, ``items``, ``upheld``, ``overturned``."""
    if dimension not in DIMENSIONS:
        raise QueryError(f"unknown breakdown {dimension!r}; choose {', '.join(DIMENSIONS)}")
    selection = Selection(category=category, year=year)
    counts = resolve(store, tallies)
    if counts is not None:
        iri = category_iri(store, category) if category is not None else None
        return counts.outcome_counts(dimension, iri, year)
    bound = selection.projection()
    rows = run_select(
        store,
        f"SELECT ?key (COUNT(DISTINCT ?item) AS ?items) {OUTCOME_COUNTS} {bound}\n"
        f"WHERE {{ GRAPH ?g {{\n{_patterns(selection, dimension)}{OUTCOME_BINDS}"
        f"}} }}\nGROUP BY ?key {bound}",
        selection.bindings(store),
    )
    return [{"key": r["key"], **_counted(r)} for r in rows]


def _counted(row: dict[str, Any]) -> dict[str, int]:
    return {
        "items": int(row["items"]),
        "upheld": int(row["upheld"] or 0),
        "overturned": int(row["overturned"] or 0),
    }


def year_category_counts(
    store: Any, tallies: TallyCounts | bool | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(year rows, category rows) of :func:`outcome_counts` from ONE pass over the items.

    Every letter has one year (or none) and every item one category, so the (year, category)
    cells sum exactly to either breakdown; the report saves a full pass over the store.
    """
    counts = resolve(store, tallies)
    if counts is not None:
        return counts.outcome_counts("year"), counts.outcome_counts("category")
    rows = run_select(
        store,
        f"SELECT ?year ?key (COUNT(DISTINCT ?item) AS ?items) {OUTCOME_COUNTS}\n"
        "WHERE { GRAPH ?g {\n?det a imr:Determination .\n"
        + year_fragment("year", suffix="y")
        + "?det imr:hasItem ?item . ?item imr:hasOutcome ?outcome .\n"
        + DIMENSIONS["category"]
        + OUTCOME_BINDS
        + "} }\nGROUP BY ?year ?key",
    )
    years: dict[Any, list[int]] = {}
    categories: dict[Any, list[int]] = {}
    for row in rows:
        counted = _counted(row)
        for table, key in ((years, row["year"]), (categories, row["key"])):
            cell = table.setdefault(key, [0, 0, 0])
            cell[0] += counted["items"]
            cell[1] += counted["upheld"]
            cell[2] += counted["overturned"]

    def as_rows(table: dict[Any, list[int]]) -> list[dict[str, Any]]:
        return [
            {"key": k, "items": n, "upheld": u, "overturned": o} for k, (n, u, o) in table.items()
        ]

    return as_rows(years), as_rows(categories)


def outcome_records(
    rows: list[dict[str, Any]],
    dimension: str,
    base: tuple[int, int] | None = None,
    labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Records with rate, Wilson interval and lift from :func:`outcome_counts` rows.

    ``base`` = (items, upheld, overturned) of the selection; by default the sum of the rows
    (exact for categories and years, which partition the items).
    """
    labels = labels or {}
    if base is None:
        base = (
            sum(r["items"] for r in rows),
            sum(r["upheld"] for r in rows),
            sum(overturned_of(r) for r in rows),
        )
    rate_of_all = base_rate(base)
    records = []
    for row in rows:
        key = row["key"]
        label = labels.get(str(key), str(key)) if key is not None else "unknown"
        records.append(
            {
                "key": key,
                "label": label,
                **outcome_fields(row["items"], row["upheld"], overturned_of(row), rate_of_all),
            }
        )
    if dimension == "year":
        records.sort(key=lambda r: (r["key"] is None, r["key"] or 0))
    else:
        records.sort(key=lambda r: (-r["items"], r["label"]))
    return records


def _patterns(selection: Selection, dimension: str) -> str:
    """The WHERE patterns of a breakdown, letter before items where the key is the letter's.

    The year is a property of the letter: binding it once per letter and then walking the
    letter's items costs half the index look-ups of binding it once per item.
    """
    if dimension == "category":
        return selection.items_fragment() + DIMENSIONS["category"]
    if dimension == "year":
        return (
            "?det a imr:Determination .\n"
            + DIMENSIONS["year"]
            + "?det imr:hasItem ?item . ?item imr:hasOutcome ?outcome .\n"
            + selection.filters_fragment()
        )
    return selection.items_fragment(det=True) + DIMENSIONS[dimension]


def _overall(
    store: Any, selection: Selection, tallies: TallyCounts | bool | None = None
) -> tuple[int, int, int]:
    from imrgraph.analysis.guidelines import overall_outcomes

    return overall_outcomes(store, selection, tallies)


def corpus_overview(
    store: Any,
    years: list[dict[str, Any]] | None = None,
    categories: list[dict[str, Any]] | None = None,
    tallies: TallyCounts | bool | None = None,
) -> dict[str, Any]:
    """Letters, items, upheld, overturned and unknown-outcome items, letters with warnings,
    first and last year.

    ``years`` and ``categories``: the :func:`outcomes_by` records, when the caller has them
    already (the categories partition the items, so they give the item totals).
    """
    counts = resolve(store, tallies)
    use = counts if counts is not None else False
    by_category = (
        categories if categories is not None else outcomes_by(store, "category", tallies=use)
    )
    if counts is not None:
        letters, letters_warned = counts.letters()
    else:
        rows = run_select(
            store,
            "SELECT (COUNT(DISTINCT ?det) AS ?letters) WHERE { GRAPH ?g {\n"
            "  ?det a imr:Determination } }",
        )
        warned = run_select(
            store,
            "SELECT (COUNT(DISTINCT ?det) AS ?warned) WHERE { GRAPH ?g {\n"
            "  ?det a imr:Determination ; imr:warning ?w } }",  # not a superseded version's
        )
        letters = int(rows[0]["letters"] or 0) if rows else 0
        letters_warned = int(warned[0]["warned"] or 0) if warned else 0
    by_year = years if years is not None else outcomes_by(store, "year", tallies=use)
    known = [r["key"] for r in by_year if r["key"] is not None]
    return {
        "letters": letters,
        "items": sum(r["items"] for r in by_category),
        "upheld": sum(r["upheld"] for r in by_category),
        "overturned": sum(r["overturned"] for r in by_category),
        "unknown": sum(r["unknown"] for r in by_category),
        "letters_with_warnings": letters_warned,
        "first_year": min(known) if known else None,
        "last_year": max(known) if known else None,
    }
