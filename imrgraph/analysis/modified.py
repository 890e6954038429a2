"""How modified requests fare at IMR: items UR partly authorized against items it denied whole.

A modified request is an item whose heading states what the claims administrator authorized of
the original request, the rest going to IMR (``imr:originalRequest`` / ``imr:authorizedPortion``
on the item, docs/DESIGN.md). Modified items are few (about one in nine in the published
letters), so they are counted directly (a scan of the two predicates, then their items'
outcome and category); the totals they are compared with come from the same counts as the rest
of the analysis (the tallies when current), and "not modified" is the difference.
"""

from __future__ import annotations

from typing import Any

from imrgraph.analysis.counts import TallyCounts, resolve
from imrgraph.analysis.outcomes import outcome_counts
from imrgraph.analysis.selection import category_labels, run_select
from imrgraph.analysis.stats import base_rate, outcome_fields, overturned_of
from imrgraph.rdf.vocab import IMR

__all__ = ["REQUEST_KINDS", "modified_request_outcomes"]

#: The two rows of every group: items UR partly authorized, and the rest.
REQUEST_KINDS: tuple[str, ...] = ("modified", "not modified")

# The modified items first (a scan of the two predicates), then their outcome and category: the
# other order walks every item of the store (200 ms at 2,000 letters, against 2 ms). Only the
# items of current letters have imr:hasOutcome (a superseded version's have
# imr:supersededOutcome), so no version is counted twice.
_MODIFIED = """SELECT ?category ?outcome (COUNT(DISTINCT ?item) AS ?items) WHERE {
  { SELECT DISTINCT ?g ?item WHERE { GRAPH ?g {
      { ?item imr:originalRequest ?stated } UNION { ?item imr:authorizedPortion ?stated } } } }
  GRAPH ?g {
    ?item imr:hasOutcome ?outcome ; imr:requestsService ?svc .
    ?svc imr:serviceCategory ?category .
  }
} GROUP BY ?category ?outcome"""


def modified_request_outcomes(
    store: Any,
    by_category: bool = False,
    totals: list[dict[str, Any]] | None = None,
    tallies: TallyCounts | bool | None = None,
) -> list[dict[str, Any]]:
    """Outcomes of modified and not modified items, overall or per service category.

    Records: ``category`` (label; None overall), ``request`` ("modified" / "not modified"),
    ``items``, ``upheld``, ``overturned``, ``unknown``, ``uphold_rate`` (over decided items),
    ``ci_low``, ``ci_high``, ``lift`` (over all items of the same group). ``totals``: the
    :func:`imrgraph.analysis.outcomes.outcome_counts` rows by category when the caller has them.
    """
    if totals is None:
        counts = resolve(store, tallies)
        totals = outcome_counts(store, "category", tallies=counts if counts is not None else False)
    labels = category_labels(store) if by_category else {}
    upheld, overturned = f"{IMR}Upheld", f"{IMR}Overturned"

    def group(category: Any) -> str | None:
        if not by_category:
            return None
        return labels.get(str(category), str(category)) if category is not None else "unknown"

    all_items: dict[str | None, list[int]] = {}
    for row in totals:
        cell = all_items.setdefault(group(row["key"]), [0, 0, 0])
        cell[0] += row["items"]
        cell[1] += row["upheld"]
        cell[2] += overturned_of(row)
    modified: dict[str | None, list[int]] = {}
    for row in run_select(store, _MODIFIED):
        cell = modified.setdefault(group(row["category"]), [0, 0, 0])
        n = int(row["items"])
        cell[0] += n
        if str(row["outcome"]) == upheld:
            cell[1] += n
        elif str(row["outcome"]) == overturned:
            cell[2] += n
    records = []
    for key, total in all_items.items():
        part = modified.get(key, [0, 0, 0])
        rest = [a - b for a, b in zip(total, part, strict=True)]
        rate_of_group = base_rate(tuple(total))
        for kind, (items, up, over) in zip(REQUEST_KINDS, (part, rest), strict=True):
            if by_category and items == 0:
                continue
            records.append(
                {"category": key, "request": kind, **outcome_fields(items, up, over, rate_of_group)}
            )
    records.sort(key=lambda r: (r["category"] or "", REQUEST_KINDS.index(r["request"])))
    if by_category:  # most items first, as the other breakdowns
        size = {k: v[0] for k, v in all_items.items()}
        records.sort(key=lambda r: -size[r["category"]])
    return records
