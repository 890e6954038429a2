"""Which guidelines lead to upheld denials: the ranking behind ``imrgraph guidelines``.

Counting happens in the store (one GROUP BY query; filters are bound RDF terms); only the
statistics (rate, Wilson interval, lift) are computed here. The method, in words:

* The unit is the disputed item (one service in one letter), with its outcome.
* An item is counted for a guideline when the chosen party (the expert reviewer by default, or
  the claims administrator) cites that guideline for the item. An item citing several
  guidelines counts once for EACH distinct guideline concept at the chosen level, and once only
  for a guideline it cites several times (two Chronic Pain sections are one Chronic Pain
  document at document level, two concepts at section level). So the items of all rows add up
  to more than the number of items.
* ``uphold_rate`` = upheld / (upheld + overturned): an item whose outcome could not be read
  (imr:UnknownOutcome, column ``unknown``) counts in ``items`` but in no rate;
  ``ci_low``/``ci_high`` = the Wilson 95% score interval over the same decided items;
  ``lift`` = uphold_rate / the uphold rate of ALL items in the same selection (category, year),
  whether or not they cite a guideline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from imrgraph.analysis.counts import TallyCounts, resolve
from imrgraph.analysis.selection import (
    ONTOLOGY_GRAPH,
    OUTCOME_BINDS,
    OUTCOME_COUNTS,
    PARTIES,
    Selection,
    category_iri,
    level_fragment,
    run_select,
)
from imrgraph.analysis.stats import base_rate as rate_of
from imrgraph.analysis.stats import outcome_fields, overturned_of
from imrgraph.errors import ImrGraphError, QueryError

__all__ = [
    "COLUMNS",
    "GuidelineInfo",
    "guideline_category_counts",
    "guideline_counts",
    "guideline_scheme",
    "overall_outcomes",
    "rank_guidelines",
    "to_dataframe",
]

#: Columns of a ranking record, in output order.
COLUMNS: tuple[str, ...] = (
    "guideline",
    "family",
    "document",
    "section",
    "items",
    "upheld",
    "overturned",
    "unknown",
    "uphold_rate",
    "ci_low",
    "ci_high",
    "lift",
    "concept",
)
SORTS: tuple[str, ...] = ("upheld", "rate")


@dataclass(frozen=True)
class GuidelineInfo:
    """Where a concept sits in the guideline scheme, for labelling rows."""

    concept: str
    label: str
    family: str | None
    document: str | None  # None for a family concept (unrecognised document)
    section: str | None  # None unless the concept is a section

    @property
    def display(self) -> str:
        """A name a reader recognises out of context: family, document, section."""
        if self.document is None:
            if self.family in (None, "OTHER"):
                return self.label  # "Other": FDA, studies, peer-reviewed literature
            return f"{self.family} (document not recognised)"
        name = self.document
        if self.family == "OTHER":
            name = f"Other: {name}"
        elif self.family and not name.startswith(self.family):
            name = f"{self.family} {name}"
        return f"{name}, {self.section}" if self.section else name


def guideline_scheme(store: Any) -> dict[str, GuidelineInfo]:
    """Every concept of the guideline scheme with its family, document and section labels."""
    rows = run_select(
        store,
        f"SELECT ?concept ?label ?family ?broader WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{\n"
        "  ?concept skos:inScheme <https://w3id.org/imrgraph/guideline/scheme> ;\n"
        "    skos:prefLabel ?label .\n"
        "  OPTIONAL { ?concept imr:family ?family }\n"
        "  OPTIONAL { ?concept skos:broader ?broader }\n"
        "} }",
    )
    label: dict[str, str] = {}
    family: dict[str, str | None] = {}
    parent: dict[str, str | None] = {}
    for row in rows:
        concept = str(row["concept"])
        label[concept] = str(row["label"])
        family.setdefault(concept, None if row["family"] is None else str(row["family"]))
        parent.setdefault(concept, None if row["broader"] is None else str(row["broader"]))

    def chain(concept: str) -> list[str]:
        out = [concept]
        while (up := parent.get(out[-1])) is not None and up not in out:
            out.append(up)
        return out  # self, ..., family

    scheme: dict[str, GuidelineInfo] = {}
    for concept in label:
        up = chain(concept)
        fam_concept = up[-1]
        fam = family[concept] or label[fam_concept]
        if len(up) == 1:
            info = GuidelineInfo(concept, label[concept], fam, None, None)
        elif len(up) == 2:
            info = GuidelineInfo(concept, label[concept], fam, label[concept], None)
        else:
            info = GuidelineInfo(concept, label[concept], fam, label[up[-2]], label[concept])
        scheme[concept] = info
    return scheme


def overall_outcomes(
    store: Any, selection: Selection, tallies: TallyCounts | bool | None = None
) -> tuple[int, int, int]:
    """(items, upheld, overturned) over every item in the selection: the base of the lift.

    ``tallies``: see ``imrgraph.analysis.counts`` (None: the store's tallies if current).
    """
    counts = resolve(store, tallies)
    if counts is not None:
        return counts.overall(_category(store, selection), selection.year)
    bound = selection.projection()
    rows = run_select(
        store,
        f"SELECT (COUNT(DISTINCT ?item) AS ?items) {OUTCOME_COUNTS} {bound}\n"
        f"WHERE {{ GRAPH ?g {{\n{selection.items_fragment()}{OUTCOME_BINDS}"
        f"}} }}\n" + (f"GROUP BY {bound}" if bound else ""),
        selection.bindings(store),
    )
    if not rows:
        return (0, 0, 0)
    row = rows[0]
    return (int(row["items"] or 0), int(row["upheld"] or 0), int(row["overturned"] or 0))


def _count_query(selection: Selection, by_category: bool = False) -> str:
    bound = selection.projection(with_party=True)
    key = "?guideline ?itemCategory" if by_category else "?guideline"
    # A plain join, not an OPTIONAL (20% cheaper on a large store): every item has exactly one
    # service with exactly one category (letter.schema.json; the SHACL shapes check it).
    category = (
        "?item imr:requestsService ?isvc . ?isvc imr:serviceCategory ?itemCategory .\n"
        if by_category
        else ""
    )
    return (
        f"SELECT {key} (COUNT(DISTINCT ?item) AS ?items) {OUTCOME_COUNTS} {bound}\n"
        f"WHERE {{\n  GRAPH ?g {{\n{selection.citation_fragment()}{selection.items_fragment()}"
        f"{category}{OUTCOME_BINDS}  }}\n"
        f"{level_fragment('concept', 'guideline', selection.level)}}}\n"
        f"GROUP BY {key} {bound}"
    )


def _category(store: Any, selection: Selection) -> str | None:
    return category_iri(store, selection.category) if selection.category is not None else None


def _tallied(
    counts: TallyCounts, store: Any, selection: Selection, by_category: bool = False
) -> list[dict[str, Any]]:
    return counts.guideline_counts(
        PARTIES[selection.party],
        selection.level,
        _category(store, selection),
        selection.year,
        by_category=by_category,
    )


def guideline_counts(
    store: Any,
    by: str = "reviewer",
    level: str = "document",
    category: str | None = None,
    year: int | None = None,
    tallies: TallyCounts | bool | None = None,
) -> list[dict[str, Any]]:
    """guideline -> items, upheld, overturned: the raw counts behind :func:`rank_guidelines`."""
    selection = Selection(category=category, year=year, party=by, level=level)
    counts = resolve(store, tallies)
    if counts is not None:
        return _tallied(counts, store, selection)
    rows = run_select(store, _count_query(selection), selection.bindings(store, with_party=True))
    return [{"guideline": str(r["guideline"]), **_counted(r)} for r in rows]


def guideline_category_counts(
    store: Any,
    by: str = "reviewer",
    level: str = "document",
    category: str | None = None,
    year: int | None = None,
    tallies: TallyCounts | bool | None = None,
) -> list[dict[str, Any]]:
    """(guideline, service category) -> items, upheld, overturned, in one GROUP BY.

    An item has exactly one service category, so summing these rows over categories gives the
    guideline's own counts exactly: the report gets the ranking and the guideline-service
    network from one pass over the citations (``rank_guidelines(..., pairs=...)``).
    """
    selection = Selection(category=category, year=year, party=by, level=level)
    counts = resolve(store, tallies)
    if counts is not None:
        return _tallied(counts, store, selection, by_category=True)
    rows = run_select(
        store,
        _count_query(selection, by_category=True),
        selection.bindings(store, with_party=True),
    )
    return [
        {
            "guideline": str(r["guideline"]),
            "category": None if r["itemCategory"] is None else str(r["itemCategory"]),
            **_counted(r),
        }
        for r in rows
    ]


def rank_guidelines(
    store: Any,
    by: str = "reviewer",
    level: str = "document",
    category: str | None = None,
    year: int | None = None,
    min_items: int = 1,
    top: int | None = None,
    sort: str = "upheld",
    base: tuple[int, int] | None = None,
    pairs: list[dict[str, Any]] | None = None,
    tallies: TallyCounts | bool | None = None,
) -> list[dict[str, Any]]:
    """The guideline ranking as a list of records (see ``COLUMNS``), best first.

    ``base`` = (items, upheld, overturned) of the whole selection when the caller already has
    it (the report), saving one query; by default it is counted here. ``pairs`` = the
    :func:`guideline_counts` or :func:`guideline_category_counts` of the same selection,
    summed instead of querying.

    ``sort="upheld"`` orders by upheld items (then items); ``sort="rate"`` by the lower bound of
    the Wilson interval, so that a guideline cited twice cannot top the list by luck.
    ``tallies``: see ``imrgraph.analysis.counts`` (None: the store's tallies if current, else
    counted from the citations).
    """
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}; choose upheld or rate")
    if min_items < 1:
        raise QueryError(f"--min-items must be at least 1, got {min_items}")
    if top is not None and top < 1:
        raise QueryError(f"--top must be at least 1, got {top}")
    selection = Selection(category=category, year=year, party=by, level=level)
    counts = resolve(store, tallies) if base is None or pairs is None else None
    use: TallyCounts | bool = counts if counts is not None else False  # read once, or direct
    if base is None:
        base = overall_outcomes(store, selection, use)
    base_rate = rate_of(base)
    scheme = guideline_scheme(store)
    rows: list[dict[str, Any]]
    if pairs is None:
        rows = guideline_counts(store, by, level, category, year, tallies=use)
    else:
        summed: dict[str, list[int]] = {}
        for pair in pairs:
            total_pair = summed.setdefault(pair["guideline"], [0, 0, 0])
            total_pair[0] += pair["items"]
            total_pair[1] += pair["upheld"]
            total_pair[2] += overturned_of(pair)
        rows = [
            {"guideline": g, "items": n, "upheld": u, "overturned": o}
            for g, (n, u, o) in summed.items()
        ]
    records: list[dict[str, Any]] = []
    for row in rows:
        items = int(row["items"])
        if items < min_items:
            continue
        concept = str(row["guideline"])
        info = scheme.get(concept) or GuidelineInfo(concept, concept, None, None, None)
        records.append(
            {
                "guideline": info.display,
                "family": info.family,
                "document": info.document,
                "section": info.section,
                **outcome_fields(items, int(row["upheld"]), overturned_of(row), base_rate),
                "concept": concept,
            }
        )
    if sort == "rate":
        # a guideline whose items all have unreadable outcomes has no interval: it goes last
        records.sort(key=lambda r: (-_or_minus_one(r["ci_low"]), -r["items"], r["guideline"]))
    else:
        records.sort(key=lambda r: (-r["upheld"], -r["items"], r["guideline"]))
    return records[:top] if top is not None else records


def _or_minus_one(value: float) -> float:
    return -1.0 if math.isnan(value) else value


def _counted(row: dict[str, Any]) -> dict[str, int]:
    return {
        "items": int(row["items"]),
        "upheld": int(row["upheld"] or 0),
        "overturned": int(row["overturned"] or 0),
    }


def to_dataframe(records: list[dict[str, Any]]) -> Any:
    """The records as a pandas DataFrame (pandas is optional; raise a clear error without it)."""
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImrGraphError("pandas is not installed; use the list of records instead") from exc
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
