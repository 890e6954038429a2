"""Why: the reasons behind the decisions, counted (``imrgraph reasons``, the report's "Why").

The unit is the disputed item. An item counts for a reason when its rationale states that reason
(``imr:hasReason``, read by ``imrgraph/parse/reasons.py``); an item stating several reasons
counts once for each, so the rows add up to more than the items. ``rate`` = items stating the
reason / items in the selection (with or without any reason). Each row carries one example: the
shortest sentence that states the reason in the selection (ties: alphabetical), so the answer
is the same on every run.

Counting happens in the store, one GROUP BY query for the reasons and one for the items of the
selection; the user's values are bound RDF terms. The service words (``--service``) are matched
in Python against the service labels the queries group by (each word must occur in the label,
case-insensitive; "MRI" also matches "magnetic resonance imaging"), because a word test is not
an equality a bound variable can express.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode

from imrgraph.analysis.counts import TallyCounts, resolve
from imrgraph.analysis.guidelines import GuidelineInfo, guideline_scheme
from imrgraph.analysis.selection import ONTOLOGY_GRAPH, Selection, category_iri, run_select
from imrgraph.errors import QueryError
from imrgraph.rdf.vocab import IMR, RSN

__all__ = [
    "COLUMNS",
    "ReasonQuery",
    "count_reasons",
    "reason_breakdown",
    "reason_labels",
    "resolve_guideline",
]

#: Columns of a reason record, in output order.
COLUMNS: tuple[str, ...] = ("reason", "label", "items", "upheld", "rate", "example")

# Spellings of the same study, so that "lumbar MRI" finds "Magnetic resonance imaging (MRI) of
# the lumbar spine" and "MRI scan of the lumbosacral spine".
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mri": ("mri", "magnetic resonance"),
    "ct": ("ct", "computed tomography", "cat scan"),
    "lumbar": ("lumbar", "lumbosacral", "low back", "l-spine"),
    "cervical": ("cervical", "neck", "c-spine"),
    "emg": ("emg", "electromyograph", "electrodiagnostic"),
    "pt": ("pt", "physical therapy"),
}
_WORD = re.compile(r"[\w/-]+")
_PADDING = 100_000  # example sentences are compared by "<100000 + length><sentence>"

# The outcomes a reason can be asked for: a decided item's (an unreadable outcome has no side).
_DECIDED = ("Upheld", "Overturned")


@dataclass(frozen=True)
class ReasonQuery:
    """Which items' reasons are counted. Every filter is optional."""

    service: str | None = None  # words that must all occur in the service label
    category: str | None = None
    guideline: str | None = None  # a guideline the expert reviewer cites, by name
    outcome: str | None = None  # "Upheld" or "Overturned"
    year: int | None = None

    def __post_init__(self) -> None:
        if self.outcome is not None and self.outcome not in _DECIDED:
            raise QueryError(f"unknown outcome {self.outcome!r}; choose {' or '.join(_DECIDED)}")
        if self.service is not None and not _WORD.findall(self.service):
            raise QueryError(f"--service {self.service!r}: no words to look for")

    def words(self) -> list[tuple[str, ...]]:
        """Each service word with its spellings (all lower case)."""
        words = [w.casefold() for w in _WORD.findall(self.service or "")]
        return [_SYNONYMS.get(w, (w,)) for w in words]

    def matches(self, label: str) -> bool:
        text = label.casefold()
        return all(
            any(re.search(rf"(?<![a-z]){re.escape(s)}", text) for s in spellings)
            for spellings in self.words()
        )


def reason_labels(store: Any) -> dict[str, str]:
    """Reason concept IRI -> its preferred label, from the reason scheme in the store."""
    rows = run_select(
        store,
        f"SELECT ?reason ?label WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{\n"
        "  ?reason skos:inScheme ?scheme ; skos:prefLabel ?label .\n"
        "} }",
        {"scheme": NamedNode(f"{RSN}scheme")},
    )
    return {str(row["reason"]): str(row["label"]) for row in rows}


def resolve_guideline(store: Any, name: str) -> GuidelineInfo:
    """The guideline concept a user means by ``name``: its IRI, or every word must occur in its
    display name ("MTUS Low Back Complaints"); among several, a document before its sections,
    then the shortest name. Raises ``QueryError`` naming a few candidates when nothing matches."""
    words = [w.casefold() for w in _WORD.findall(name)]
    if not words:
        raise QueryError(f"--guideline {name!r}: no words to look for")
    scheme = guideline_scheme(store)
    if name in scheme:  # a concept IRI (the web page of one guideline): exactly that concept
        return scheme[name]
    found = [info for info in scheme.values() if all(w in info.display.casefold() for w in words)]
    if not found:
        some = sorted({i.display for i in scheme.values() if i.section is None})[:8]
        raise QueryError(f"no guideline matches {name!r}; for example: {'; '.join(some)}")
    found.sort(key=lambda i: (i.section is not None, len(i.display), i.display))
    return found[0]


def _bindings(query: ReasonQuery, selection: Selection, store: Any, guideline: str | None):
    out = selection.bindings(store)
    if query.outcome is not None:
        out["outcome"] = NamedNode(f"{IMR}{query.outcome}")
    if guideline is not None:
        out["guideline"] = NamedNode(guideline)
    return out


def _guideline_fragment() -> str:
    # A citation of the expert reviewer naming the guideline, or a section of it (a section's
    # skos:broader is its document). Outside the letter's GRAPH block, joined on ?g and ?item.
    cited = (
        "GRAPH ?g { ?item imr:hasCitation ?gcit . "
        "?gcit imr:citedBy imr:ExpertReviewer ; imr:citesGuideline "
    )
    return (
        f"  {{ {cited}?guideline }} }}\n  UNION\n"
        f"  {{ {cited}?gsection }}\n"
        f"    GRAPH <{ONTOLOGY_GRAPH}> {{ ?gsection skos:broader ?guideline }} }}\n"
    )


def _query(query: ReasonQuery, selection: Selection, guideline: bool, reasons: bool) -> str:
    bound = selection.projection()
    if query.outcome is not None:
        bound += " ?outcome"
    if guideline:
        bound += " ?guideline"
    by_label = query.service is not None
    keys = ("?label " if by_label else "") + ("?reason" if reasons else "")
    label = "?item imr:requestsService ?rsvc . ?rsvc rdfs:label ?label .\n" if by_label else ""
    reason = (
        "?item imr:hasReason ?stmt . ?stmt imr:reasonConcept ?reason ; "
        "imr:evidenceSentence ?sentence .\n"
        if reasons
        else ""
    )
    example = (
        f"(MIN(CONCAT(STR({_PADDING} + STRLEN(?sentence)), ?sentence)) AS ?example) "
        if reasons
        else ""
    )
    group = f"GROUP BY {keys} {bound}" if (keys.strip() or bound.strip()) else ""
    return (
        f"SELECT {keys} (COUNT(DISTINCT ?item) AS ?items) "
        f"(COUNT(DISTINCT ?upheldItem) AS ?upheld) {example}{bound}\n"
        "WHERE {\n  GRAPH ?g {\n"
        f"{selection.items_fragment()}{label}{reason}"
        "BIND(IF(?outcome = imr:Upheld, ?item, ?none) AS ?upheldItem)\n  }\n"
        f"{_guideline_fragment() if guideline else ''}}}\n"
        f"{group}"
    )


_EXAMPLE_POOL = 100  # with tallies, the example is the shortest of this many sentences


def _example(store: Any, reason: str, selection: Selection, outcome: str | None) -> str | None:
    """The shortest of the first sentences the store returns for ``reason`` in the selection:
    a bounded read, where the exact shortest would mean reading every statement of it."""
    bindings = selection.bindings(store)
    bindings["reason"] = NamedNode(reason)
    projected = selection.projection() + " ?reason"
    if outcome is not None:
        bindings["outcome"] = NamedNode(outcome)
        projected += " ?outcome"
    rows = run_select(
        store,
        f"SELECT ?sentence {projected} WHERE {{ GRAPH ?g {{\n"
        "?stmt imr:reasonConcept ?reason ; imr:evidenceSentence ?sentence .\n"
        f"?item imr:hasReason ?stmt .\n{selection.items_fragment()}"
        f"}} }} LIMIT {_EXAMPLE_POOL}",
        bindings,
    )
    sentences = [str(row["sentence"]) for row in rows]
    return min(sentences, key=lambda t: (len(t), t)) if sentences else None


def _from_tallies(
    store: Any, query: ReasonQuery, counts: TallyCounts
) -> tuple[int, list[dict[str, Any]]]:
    selection = Selection(category=query.category, year=query.year)
    category = category_iri(store, query.category) if query.category is not None else None
    outcome = f"{IMR}{query.outcome}" if query.outcome is not None else None
    items, upheld, overturned = counts.overall(category, query.year)
    total = {None: items, "Upheld": upheld, "Overturned": overturned}[query.outcome]
    labels = reason_labels(store)
    records = []
    for row in counts.reason_counts(category, query.year, outcome):
        concept = str(row["reason"])
        code = concept.removeprefix(str(RSN))
        records.append(
            {
                "reason": code,
                "label": labels.get(concept, code),
                "items": row["items"],
                "upheld": row["upheld"],
                "rate": row["items"] / total if total else float("nan"),
                "example": _example(store, concept, selection, outcome),
            }
        )
    records.sort(key=lambda r: (-r["items"], r["reason"]))
    return total, records


def count_reasons(
    store: Any, query: ReasonQuery, tallies: TallyCounts | bool | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """(items in the selection, one record per reason stated in it: see ``COLUMNS``), the most
    frequent reason first.

    Without service words and guideline, from the tallies when they are current (``tallies``:
    see ``imrgraph.analysis.counts``); the example is then the shortest of the first
    sentences found. Otherwise counted from the reason statements, with the shortest sentence.
    """
    if query.service is None and query.guideline is None:
        counts = resolve(store, tallies)
        if counts is not None:
            return _from_tallies(store, query, counts)
    selection = Selection(category=query.category, year=query.year)
    concept = resolve_guideline(store, query.guideline).concept if query.guideline else None
    bindings = _bindings(query, selection, store, concept)
    has_guideline = concept is not None

    totals = run_select(store, _query(query, selection, has_guideline, False), bindings)
    rows = run_select(store, _query(query, selection, has_guideline, True), bindings)
    if query.service is not None:
        totals = [r for r in totals if query.matches(str(r["label"]))]
        rows = [r for r in rows if query.matches(str(r["label"]))]
    # With the service words the counts are per service label: an item has one service, so
    # summing over labels counts each item once.
    total = sum(int(r["items"] or 0) for r in totals)
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["reason"] is None:
            continue
        code = str(row["reason"])
        rec = merged.setdefault(code, {"items": 0, "upheld": 0, "example": None})
        rec["items"] += int(row["items"])
        rec["upheld"] += int(row["upheld"])
        example = str(row["example"])  # "<padded length><sentence>": shortest first
        if rec["example"] is None or example < rec["example"]:
            rec["example"] = example
    labels = reason_labels(store)
    records = []
    for concept_iri, rec in merged.items():
        code = concept_iri.removeprefix(str(RSN))
        records.append(
            {
                "reason": code,
                "label": labels.get(concept_iri, code),
                "items": rec["items"],
                "upheld": rec["upheld"],
                "rate": rec["items"] / total if total else float("nan"),
                "example": rec["example"][len(str(_PADDING)) :],
            }
        )
    records.sort(key=lambda r: (-r["items"], r["reason"]))
    return total, records


def _breakdown_rows(store: Any, key: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(key, reason) -> items, example; and key -> items. ``key`` is "category" or "label"."""
    pattern = (
        "?item imr:requestsService ?svc . ?svc imr:serviceCategory ?key .\n"
        if key == "category"
        else "?item imr:requestsService ?svc . ?svc rdfs:label ?key .\n"
    )
    reasons = run_select(
        store,
        "SELECT ?key ?reason (COUNT(DISTINCT ?item) AS ?items) "
        f"(MIN(CONCAT(STR({_PADDING} + STRLEN(?sentence)), ?sentence)) AS ?example)\n"
        "WHERE { GRAPH ?g {\n"
        f"?item imr:hasOutcome ?outcome .\n{pattern}"
        "?item imr:hasReason ?stmt . ?stmt imr:reasonConcept ?reason ; "
        "imr:evidenceSentence ?sentence .\n} }\nGROUP BY ?key ?reason",
    )
    totals = run_select(
        store,
        "SELECT ?key (COUNT(DISTINCT ?item) AS ?items)\n"
        f"WHERE {{ GRAPH ?g {{\n?item imr:hasOutcome ?outcome .\n{pattern}}} }}\nGROUP BY ?key",
    )
    return reasons, totals


def _group(
    reasons: list[dict[str, Any]],
    totals: list[dict[str, Any]],
    name_of: Any,
    labels: dict[str, str],
    top_groups: int | None,
    per_group: int,
) -> list[dict[str, Any]]:
    items: dict[str, int] = {}
    for row in totals:
        name = name_of(str(row["key"]))
        items[name] = items.get(name, 0) + int(row["items"])
    merged: dict[str, dict[str, dict[str, Any]]] = {}
    for row in reasons:
        name = name_of(str(row["key"]))
        rec = merged.setdefault(name, {}).setdefault(
            str(row["reason"]), {"items": 0, "example": None}
        )
        rec["items"] += int(row["items"])
        example = str(row["example"])
        if rec["example"] is None or example < rec["example"]:
            rec["example"] = example
    groups = []
    for name, n in sorted(items.items(), key=lambda kv: (-kv[1], kv[0])):
        rows = [
            {
                "reason": concept.removeprefix(str(RSN)),
                "label": labels.get(concept, concept.removeprefix(str(RSN))),
                "items": rec["items"],
                "rate": rec["items"] / n if n else float("nan"),
                "example": rec["example"][len(str(_PADDING)) :],
            }
            for concept, rec in merged.get(name, {}).items()
        ]
        rows.sort(key=lambda r: (-r["items"], r["reason"]))
        groups.append({"name": name, "items": n, "reasons": rows[:per_group]})
    return groups[:top_groups] if top_groups is not None else groups


def _categories_from_tallies(
    store: Any,
    counts: TallyCounts,
    category_names: dict[str, str],
    labels: dict[str, str],
    per_group: int,
) -> list[dict[str, Any]]:
    totals = {row["key"]: row["items"] for row in counts.outcome_counts("category")}
    per: dict[str, list[dict[str, Any]]] = {}
    for row in counts.reason_counts(by_category=True):
        per.setdefault(row["category"], []).append(row)
    groups = []
    for category, n in sorted(
        totals.items(), key=lambda kv: (-kv[1], category_names.get(kv[0], kv[0] or ""))
    ):
        name = category_names.get(category, category)
        selection = Selection(category=name) if category in category_names else Selection()
        rows = sorted(per.get(category, []), key=lambda r: (-r["items"], str(r["reason"])))
        reasons = []
        for row in rows[:per_group]:
            concept = str(row["reason"])
            code = concept.removeprefix(str(RSN))
            reasons.append(
                {
                    "reason": code,
                    "label": labels.get(concept, code),
                    "items": row["items"],
                    "rate": row["items"] / n if n else float("nan"),
                    "example": _example(store, concept, selection, None),
                }
            )
        groups.append({"name": name, "items": n, "reasons": reasons})
    return groups


def reason_breakdown(
    store: Any,
    category_names: dict[str, str],
    top_services: int = 8,
    per_group: int = 3,
    tallies: TallyCounts | bool | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The report's "Why": for each service category, and for the services with the most
    items (names normalised as in the networks: "MRI of the lumbar spine" and "MRI lumbar
    spine" are one), the reasons stated most often, each with its items, its share of the
    group's items and the shortest sentence stating it. ``category_names``: concept -> label.

    The categories come from the tallies when they are current (``tallies``: see
    ``imrgraph.analysis.counts``; the example is then the shortest of the first sentences
    found); the services always from the reason statements (a service is free text)."""
    from imrgraph.analysis.network import normalise_service

    labels = reason_labels(store)
    counts = resolve(store, tallies)
    if counts is not None:
        categories = _categories_from_tallies(store, counts, category_names, labels, per_group)
    else:
        by_category = _breakdown_rows(store, "category")
        categories = _group(
            *by_category, lambda c: category_names.get(c, c), labels, None, per_group
        )
    by_service = _breakdown_rows(store, "label")
    return {
        "categories": categories,
        "services": _group(*by_service, normalise_service, labels, top_services, per_group),
    }
