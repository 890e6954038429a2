"""The data behind each page, as plain dictionaries (the templates only format them).

Every function takes the store to read and returns what its page shows; ``?format=json`` sends
the same dictionary and ``?format=csv`` its main table. Counting goes through
``imrgraph.analysis`` (the tallies when current), so the numbers are those of
``imrgraph guidelines`` and ``imrgraph report``. Letter text reaches the templates as data and
is escaped there (Jinja2 autoescape).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from imrgraph.analysis.counts import TallyCounts
from imrgraph.analysis.guidelines import (
    GuidelineInfo,
    guideline_category_counts,
    guideline_scheme,
    rank_guidelines,
)
from imrgraph.analysis.network import normalise_service
from imrgraph.analysis.outcomes import corpus_overview, outcome_records, year_category_counts
from imrgraph.analysis.reasons import ReasonQuery, count_reasons, reason_labels
from imrgraph.analysis.selection import ONTOLOGY_GRAPH, category_iri, category_labels, run_select
from imrgraph.analysis.stats import proportion
from imrgraph.errors import QueryError
from imrgraph.rdf.vocab import IMR, RSN
from imrgraph.store import GraphStore
from imrgraph.store.results import to_python

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OUTCOMES = ("Upheld", "Overturned")
#: decisions shown per page of search results
PAGE_SIZE = 100
MAX_WORDS = 8


_SERVER_SECONDS = 10.0  # how long a SPARQL server's answers below are reused (it may change)


def _memo(store: GraphStore, name: str, compute: Any) -> Any:
    """``compute(store)`` once per view of a read-only embedded store (it cannot change), at
    most every 10 s on a server: the tallies, the guideline scheme, the category labels."""
    from imrgraph.serve.storeview import ReadOnlyEmbedded

    memo = store.__dict__.setdefault("_serve_memo", {})
    now = time.monotonic()
    cached = memo.get(name)
    if cached is not None and (
        isinstance(store, ReadOnlyEmbedded) or now - cached[1] < _SERVER_SECONDS
    ):
        return cached[0]
    value = compute(store)
    memo[name] = (value, now)
    return value


def _tallies(store: GraphStore) -> TallyCounts | bool:
    """The store's tallies (False: count from the citations)."""

    def read(s: GraphStore) -> TallyCounts | bool:
        counts = TallyCounts.of(s)
        return counts if counts is not None else False

    return _memo(store, "tallies", read)


def _scheme(store: GraphStore) -> dict[str, GuidelineInfo]:
    return _memo(store, "scheme", guideline_scheme)


def _categories(store: GraphStore) -> dict[str, str]:
    return _memo(store, "categories", category_labels)


def _reason_labels(store: GraphStore) -> dict[str, str]:
    return _memo(store, "reason-labels", reason_labels)


# -- home and the ranking -------------------------------------------------------------------


def home(store: GraphStore, top: int = 10) -> dict[str, Any]:
    """The corpus at a glance: counts, years, categories and the top guidelines."""
    use = _tallies(store)
    year_rows, category_rows = year_category_counts(store, use)
    years = outcome_records(year_rows, "year")
    categories = outcome_records(category_rows, "category", labels=_categories(store))
    overview = corpus_overview(store, years, categories, tallies=use)
    # Rates are over decided items: an item whose outcome could not be read is in neither side.
    decided = overview["upheld"] + overview["overturned"]
    overview["uphold_rate"] = overview["upheld"] / decided if decided else None
    base = (overview["items"], overview["upheld"], overview["overturned"])
    ranking = rank_guidelines(store, "reviewer", "document", top=top, base=base, tallies=use)
    return {
        "overview": overview,
        "years": years,
        "categories": categories,
        "ranking": ranking,
        "counted_from": "tallies" if use is not False else "citations",
    }


def guidelines(
    store: GraphStore,
    by: str = "reviewer",
    level: str = "document",
    category: str | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """The whole guideline ranking for a selection (``imrgraph guidelines``)."""
    if by not in ("reviewer", "claims-administrator"):
        raise QueryError(f"unknown party {by!r}; choose reviewer or claims-administrator")
    if level not in ("document", "section"):
        raise QueryError(f"unknown level {level!r}; choose document or section")
    ranking = rank_guidelines(store, by, level, category, year, tallies=_tallies(store))
    return {
        "by": by,
        "level": level,
        "category": category,
        "year": year,
        "ranking": ranking,
        "categories": sorted(_categories(store).values()),
    }


# -- one guideline -------------------------------------------------------------------------


def _cites(is_section: bool, is_family: bool) -> str:
    """Citations of ``?guideline``: a document counts its sections' citations too."""
    if is_section or is_family:
        return "?cit imr:citesGuideline ?guideline .\n"
    return (
        "{ ?cit imr:citesGuideline ?guideline } UNION\n"
        f"{{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?concept a imr:GuidelineSection ;"
        " skos:broader ?guideline }\n"
        "  ?cit imr:citesGuideline ?concept }\n"
    )


def guideline(
    store: GraphStore, concept: str, data_base: str, examples: int = 3
) -> dict[str, Any] | None:
    """A guideline concept: its counts with Wilson interval, by year and category, the
    services it is cited for, and example decisions. None if the concept is unknown."""
    scheme = _scheme(store)
    info = scheme.get(concept)
    if info is None:
        return None
    level = "section" if info.section is not None else "document"
    is_family = info.document is None
    use = _tallies(store)
    record = next(
        (
            r
            for r in rank_guidelines(store, "reviewer", level, tallies=use)
            if r["concept"] == concept
        ),
        None,
    )
    ca_record = next(
        (
            r
            for r in rank_guidelines(store, "claims-administrator", level, tallies=use)
            if r["concept"] == concept
        ),
        None,
    )
    labels = _categories(store)
    by_category = [
        {"key": r["category"], "items": r["items"], "upheld": r["upheld"]}
        for r in guideline_category_counts(store, "reviewer", level, tallies=use)
        if r["guideline"] == concept
    ]
    year_rows, _ = year_category_counts(store, use)
    by_year = []
    for row in year_rows:
        if row["key"] is None:
            continue
        hit = next(
            (
                r
                for r in rank_guidelines(
                    store, "reviewer", level, year=int(row["key"]), tallies=use
                )
                if r["concept"] == concept
            ),
            None,
        )
        if hit:
            by_year.append({"key": int(row["key"]), "items": hit["items"], "upheld": hit["upheld"]})
    base = (record["items"], record["upheld"]) if record else None
    sections = sorted(
        (i for i in scheme.values() if _broader_is(i, info) and i.concept != concept),
        key=lambda i: i.label,
    )
    return {
        "concept": concept,
        "label": info.display,
        "family": info.family,
        "document": info.document,
        "section": info.section,
        "level": level,
        "record": record,
        "claims_administrator": ca_record,
        "by_year": outcome_records(by_year, "year", base),
        "by_category": outcome_records(by_category, "category", base, labels),
        "services": _services(store, concept, level == "section", is_family),
        "examples": _examples(store, concept, level == "section", is_family, data_base, examples),
        # a family (MTUS, ODG): the reasons' guideline filter reaches its documents but not
        # their sections, a scope no other figure here has; counted per document instead
        "reasons": None if is_family else _reasons(store, concept),
        "sections": [{"concept": s.concept, "label": s.section or s.label} for s in sections],
    }


def _reasons(store: GraphStore, concept: str) -> dict[str, Any]:
    """The reasons stated for the items whose reviewer cites the concept, as ``imrgraph
    reasons --guideline`` counts them: {"items": items cited for, "reasons": records}."""
    # by IRI, so the counts are those of this page's concept, never of a namesake
    items, records = count_reasons(store, ReasonQuery(guideline=concept))
    return {"items": items, "reasons": records}


def _broader_is(candidate: GuidelineInfo, info: GuidelineInfo) -> bool:
    return (
        info.section is None
        and info.document is not None
        and candidate.document == info.document
        and candidate.family == info.family
        and candidate.section is not None
    )


def _services(
    store: GraphStore, concept: str, is_section: bool, is_family: bool, top: int = 25
) -> list[dict[str, Any]]:
    """The services (grouped by ``normalise_service``) the reviewers cite the concept for."""
    rows = run_select(
        store,
        "SELECT ?label (COUNT(DISTINCT ?item) AS ?items) (COUNT(DISTINCT ?up) AS ?upheld) "
        "(COUNT(DISTINCT ?down) AS ?overturned) "
        "WHERE {\n  GRAPH ?g {\n"
        + _cites(is_section, is_family)
        + "    ?cit imr:citedBy imr:ExpertReviewer . ?item imr:hasCitation ?cit ;\n"
        "      imr:hasOutcome ?outcome ; imr:requestsService ?svc . ?svc rdfs:label ?label .\n"
        "  }\n  BIND(IF(?outcome = imr:Upheld, ?item, ?none) AS ?up)\n"
        "  BIND(IF(?outcome = imr:Overturned, ?item, ?none) AS ?down)\n} GROUP BY ?label",
        {"guideline": ox.NamedNode(concept)},
    )
    grouped: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        cell = grouped[normalise_service(str(row["label"]))]
        cell[0] += int(row["items"])
        cell[1] += int(row["upheld"])
        cell[2] += int(row["overturned"])
    out = []
    for name, (items, upheld, overturned) in grouped.items():
        p = proportion(upheld, upheld + overturned)  # over decided items
        out.append({"service": name, "items": items, "upheld": upheld, "uphold_rate": p.rate})
    out.sort(key=lambda r: (-r["items"], r["service"]))
    return out[:top]


def describe(store: GraphStore, node: str) -> dict[str, list[Any]]:
    """Property IRI -> values (Python values; IRIs as str) of ``node`` in any letter graph."""
    rows = run_select(
        store, "SELECT ?node ?p ?o WHERE { GRAPH ?g { ?node ?p ?o } }", {"node": ox.NamedNode(node)}
    )
    out: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        out[str(row["p"])].append(row["o"])
    return out


def letter_key(graph: str, data_base: str) -> str:
    """The key of a letter (its path under /letter/) from its graph IRI."""
    prefix = f"{data_base}graph/"
    return graph[len(prefix) :] if graph.startswith(prefix) else graph


def _examples(
    store: GraphStore,
    concept: str,
    is_section: bool,
    is_family: bool,
    data_base: str,
    per_outcome: int,
) -> list[dict[str, Any]]:
    """A few decisions whose reviewer cited the concept, each with its decisive sentence."""
    out: list[dict[str, Any]] = []
    for outcome in OUTCOMES:
        rows = run_select(
            store,
            "SELECT DISTINCT ?item ?det ?g WHERE {\n  GRAPH ?g {\n"
            + _cites(is_section, is_family)
            + "    ?cit imr:citedBy imr:ExpertReviewer . ?item imr:hasCitation ?cit ;\n"
            "      imr:hasOutcome ?outcome . ?det imr:hasItem ?item ; a imr:Determination .\n"
            f"  }}\n}} LIMIT {int(per_outcome)}",
            {"guideline": ox.NamedNode(concept), "outcome": ox.NamedNode(f"{IMR}{outcome}")},
        )
        for row in rows:
            item = describe(store, str(row["item"]))
            letter = describe(store, str(row["det"]))
            service = item.get(f"{IMR}requestsService", [None])[0]
            label = describe(store, service).get(RDFS_LABEL, [""])[0] if service else ""
            key = letter_key(str(row["g"]), data_base)
            out.append(
                {
                    "key": key,
                    "case": (letter.get(f"{DCTERMS}identifier") or [None])[0],
                    "service": label,
                    "outcome": outcome,
                    "sentence": (item.get(f"{IMR}decisiveSentence") or [None])[0],
                }
            )
    return out


# -- search --------------------------------------------------------------------------------

_SEARCH = """SELECT ?g ?case ?number ?service ?category ?outcome ?date ?sentence %(evidence)s
WHERE {
  GRAPH ?g {
    ?det a imr:Determination ; imr:hasItem ?item .
    ?item imr:hasOutcome ?outcomeNode ; imr:requestsService ?svc .
    %(reason)s
    ?svc rdfs:label ?serviceLabel ; imr:serviceCategory ?categoryNode .
    OPTIONAL { ?item imr:itemNumber ?number }
    OPTIONAL { ?item imr:decisiveSentence ?sentence }
    OPTIONAL { ?det dcterms:identifier ?caseNumber }
    OPTIONAL { ?det imr:decisionDate ?decided }
    OPTIONAL { ?det imr:dateAssigned ?assigned }
  }
  BIND(LCASE(STR(?serviceLabel)) AS ?label)
  FILTER(%(words)s)
  BIND(COALESCE(?decided, ?assigned) AS ?date)
  %(year)s
  BIND(STRAFTER(STR(?outcomeNode), "#") AS ?outcome)
  BIND(STR(?serviceLabel) AS ?service)
  BIND(COALESCE(STR(?caseNumber), STRAFTER(STR(?det), "/determination/")) AS ?case)
  BIND(?categoryNode AS ?category)
}
ORDER BY ?case ?number
LIMIT %(limit)d
"""


def search(
    store: GraphStore,
    text: str,
    data_base: str,
    outcome: str | None = None,
    year: int | None = None,
    category: str | None = None,
    limit: int = 10_000,
    reason: str | None = None,
) -> dict[str, Any]:
    """Every decision whose service holds every word of ``text`` (any order, any case).

    Filters: outcome (Upheld/Overturned), year (of the decision date, else date assigned),
    service category, a reason its rationale states (a code of the reason scheme; each
    decision then carries that reason's sentence). At most ``limit`` decisions
    (``truncated`` says when there were more). Words are bound as literals, never pasted into
    the query.
    """
    words = text.lower().split()[:MAX_WORDS]
    bindings: dict[str, Any] = {}
    for i, word in enumerate(words):
        bindings[f"w{i}"] = word
    if outcome:
        match = [o for o in OUTCOMES if o.lower() == outcome.lower()]
        if not match:
            raise QueryError(f"unknown outcome {outcome!r}; choose Upheld or Overturned")
        outcome = match[0]
        bindings["outcomeNode"] = ox.NamedNode(f"{IMR}{outcome}")
    if category:
        bindings["categoryNode"] = ox.NamedNode(category_iri(store, category))
    if year is not None:
        bindings["year"] = int(year)
    reason_names = _reason_labels(store)
    if reason:
        concept = f"{RSN}{reason}"
        if concept not in reason_names:
            some = ", ".join(sorted(c.removeprefix(str(RSN)) for c in reason_names))
            raise QueryError(f"unknown reason {reason!r}; choose one of: {some}")
        bindings["reasonNode"] = ox.NamedNode(concept)
    sparql = _SEARCH % {
        # one statement per (item, reason): the filter keeps one row per decision
        "reason": "?item imr:hasReason ?reasonStmt . ?reasonStmt imr:reasonConcept ?reasonNode ;"
        " imr:evidenceSentence ?evidence ."
        if reason
        else "",
        "evidence": "?evidence" if reason else "",
        "words": " && ".join(f"CONTAINS(?label, ?w{i})" for i in range(len(words))) or "true",
        "year": "FILTER(YEAR(?date) = ?year)" if year is not None else "",
        "limit": limit + 1,
    }
    rows = run_select(store, sparql, bindings)
    labels = _categories(store)
    decisions = [
        {
            "key": letter_key(str(r["g"]), data_base),
            "case": r["case"],
            "number": r["number"],
            "service": r["service"],
            "category": labels.get(str(r["category"]), str(r["category"])),
            "outcome": r["outcome"],
            "date": r["date"],
            "decisive_sentence": r["sentence"],
            "reason_sentence": r.get("evidence"),
        }
        for r in rows[:limit]
    ]
    upheld = sum(d["outcome"] == "Upheld" for d in decisions)
    decided = sum(d["outcome"] in ("Upheld", "Overturned") for d in decisions)
    p = proportion(upheld, decided)  # an unreadable outcome is in neither side of the rate
    return {
        "q": text,
        "outcome": outcome,
        "year": year,
        "category": category,
        "reason": reason or None,
        "decisions": decisions,
        "truncated": len(rows) > limit,
        "upheld": upheld,
        "uphold_rate": p.rate if decided else None,
        "ci_low": p.ci_low if decided else None,
        "ci_high": p.ci_high if decided else None,
        "categories": sorted(labels.values()),
        "reasons": reason_choices(store),
    }


def reason_choices(store: GraphStore) -> list[dict[str, str]]:
    """The reasons a search can filter by: code and label, by label."""
    return sorted(
        (
            {"code": concept.removeprefix(str(RSN)), "label": label}
            for concept, label in _reason_labels(store).items()
        ),
        key=lambda r: r["label"],
    )


SEARCH_COLUMNS = (
    "case",
    "number",
    "service",
    "category",
    "outcome",
    "date",
    "decisive_sentence",
    "reason_sentence",
)


def matching_guidelines(store: GraphStore, text: str, top: int = 10) -> list[dict[str, str]]:
    """Guideline concepts whose name holds every word of ``text``."""
    words = text.lower().split()
    if not words:
        return []
    out = []
    for info in _scheme(store).values():
        name = info.display.lower()
        if all(w in name for w in words):
            out.append({"concept": info.concept, "label": info.display})
    out.sort(key=lambda g: (len(g["label"]), g["label"]))
    return out[:top]


_CASE = re.compile(r"^[A-Za-z]{2}\d{2}-\d{4,}$")


def looks_like_case(text: str) -> bool:
    return bool(_CASE.match(text.strip()))


# -- one letter ----------------------------------------------------------------------------


def graph_triples(store: GraphStore, graph: str) -> list[ox.Triple]:
    """The triples of named graph ``graph``; none if the store has no such graph.

    Asked first: a SPARQL server's Graph Store Protocol answers an unknown graph with an
    HTTP 404, which the store API reports as a server failure.
    """
    if not store.ask("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(graph)}):
        return []
    return [quad.triple for quad in store.quads(graph)]


def letter(store: GraphStore, graph: str, data_base: str) -> dict[str, Any] | None:
    """A letter's facts read from its named graph; None if the graph holds no letter."""
    props: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    triples = graph_triples(store, graph)
    for quad in triples:
        props[str(quad.subject.value)][quad.predicate.value].append(
            quad.object.value if isinstance(quad.object, ox.NamedNode) else to_python(quad.object)
        )
    det_types = {f"{IMR}Determination": "current", f"{IMR}SupersededDetermination": "superseded"}
    det = next(
        (s for s, p in props.items() if any(t in det_types for t in p.get(RDF_TYPE, []))), None
    )
    if det is None:
        return None
    d = props[det]
    status = next(det_types[t] for t in d[RDF_TYPE] if t in det_types)

    def one(node: str | None, prop: str) -> Any:
        if node is None:
            return None
        values = props.get(node, {}).get(prop) or []
        return sorted(values, key=str)[0] if values else None

    def many(node: str | None, prop: str) -> list[Any]:
        if node is None:
            return []
        return sorted(props.get(node, {}).get(prop) or [], key=str)

    categories = _categories(store)
    scheme = _scheme(store)
    reason_names = _reason_labels(store)
    items = []
    for item in d.get(f"{IMR}hasItem", []):
        service = one(item, f"{IMR}requestsService")
        category = one(service, f"{IMR}serviceCategory")
        outcome = one(item, f"{IMR}hasOutcome") or one(item, f"{IMR}supersededOutcome")
        citations = []
        for cit in many(item, f"{IMR}hasCitation"):
            concept = one(cit, f"{IMR}citesGuideline")
            party = one(cit, f"{IMR}citedBy")
            info = scheme.get(concept) if concept else None
            citations.append(
                {
                    "iri": cit,
                    "party": _PARTY.get(str(party), str(party).rsplit("#", 1)[-1])
                    if party
                    else None,
                    "text": one(cit, f"{IMR}citationText"),
                    "guideline": concept,
                    "guideline_label": info.display if info else concept,
                    "section": one(cit, f"{IMR}section"),
                    "pages": one(cit, f"{IMR}pages"),
                }
            )
        citations.sort(key=lambda c: c["iri"])
        reasons = [
            {
                "reason": str(code).removeprefix(str(RSN)),
                "label": reason_names.get(str(code), str(code).removeprefix(str(RSN))),
                "sentence": one(statement, f"{IMR}evidenceSentence"),
                "page": one(statement, f"{IMR}evidencePage"),
            }
            for statement in many(item, f"{IMR}hasReason")
            if (code := one(statement, f"{IMR}reasonConcept"))
        ]
        # by code: the same order on every read (a graph's triples have none)
        reasons.sort(key=lambda r: r["reason"])
        items.append(
            {
                "iri": item,
                "number": one(item, f"{IMR}itemNumber"),
                "service": one(service, RDFS_LABEL),
                "category": categories.get(str(category), category),
                "outcome": str(outcome).rsplit("#", 1)[-1] if outcome else None,
                "decisive_sentence": one(item, f"{IMR}decisiveSentence"),
                "rationale": one(item, f"{IMR}rationale"),
                "page": one(item, f"{IMR}sourcePage"),
                "citations": citations,
                "reasons": reasons,
            }
        )
    items.sort(key=lambda i: (_position(i["iri"]), i["iri"]))
    applicant = one(det, f"{IMR}concernsApplicant")
    injury = one(det, f"{IMR}concernsInjury")
    reviewer = one(det, f"{IMR}reviewedBy")
    ur = one(det, f"{IMR}followsURDecision")
    source = one(det, f"{PROV}wasDerivedFrom")
    activity = one(det, f"{PROV}wasGeneratedBy")
    body_parts = [
        one(b, RDFS_LABEL) or str(b).rsplit("/", 1)[-1]
        for b in many(injury, f"{IMR}affectsBodyPart")
    ]
    key = letter_key(graph, data_base)
    return {
        "key": key,
        "graph": graph,
        "determination": det,
        "status": status,
        "superseded_by": one(det, f"{IMR}supersededBy"),
        "case": one(det, f"{DCTERMS}identifier"),
        "priority": one(det, f"{IMR}priority"),
        "date_assigned": one(det, f"{IMR}dateAssigned"),
        "decision_date": one(det, f"{IMR}decisionDate"),
        "application_received": one(det, f"{IMR}applicationReceivedDate"),
        "ur_decision_date": one(ur, f"{IMR}urDecisionDate"),
        "applicant_age": one(applicant, f"{IMR}age"),
        "applicant_sex": one(applicant, f"{IMR}sex"),
        "injury_date": one(injury, f"{IMR}injuryDate"),
        "body_parts": body_parts,
        "reviewer_specialties": many(reviewer, f"{IMR}specialty"),
        "reviewer_licensed_in": many(reviewer, f"{IMR}licensedIn"),
        "warnings": many(det, f"{IMR}warning"),
        "items": items,
        "source": {
            "iri": source,
            "file": one(source, f"{IMR}fileName"),
            "sha256": one(source, f"{IMR}sha256"),
            "format": one(source, f"{DCTERMS}format"),
            "pages": one(source, f"{IMR}pageCount"),
            "parser_version": one(activity, f"{IMR}parserVersion"),
            "parsed_at": one(activity, f"{PROV}endedAtTime"),
        },
        "triples": len(triples),
    }


_PARTY = {
    f"{IMR}ClaimsAdministrator": "claims administrator",
    f"{IMR}ExpertReviewer": "expert reviewer",
    f"{IMR}RationaleText": "rationale text",
}


def _position(iri: str) -> int:
    tail = iri.rsplit("/item/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


LETTER_COLUMNS = (
    "number",
    "service",
    "category",
    "outcome",
    "page",
    "decisive_sentence",
    "citations",
    "reasons",
)


def letter_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The letter's items as table rows (citations joined)."""
    return [
        {
            **item,
            "citations": [f"{c['party']}: {c['text']}" for c in item["citations"]],
            "reasons": [f"{r['reason']}: {r['sentence']}" for r in item["reasons"]],
        }
        for item in data["items"]
    ]


# -- any resource --------------------------------------------------------------------------


def resource(store: GraphStore, iri: str) -> dict[str, Any] | None:
    """What the store says about ``iri``: its triples (as subject), or the graph it names."""
    result = store.select(
        "SELECT ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?p ?o",
        {"s": ox.NamedNode(iri)},
    )
    triples = []
    graphs = set()
    for terms in result.terms:
        triples.append(ox.Triple(ox.NamedNode(iri), terms[0], terms[1]))
        graphs.add(str(terms[2].value))
    is_graph = False
    if not triples:
        is_graph = store.ask("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(iri)})
        if not is_graph:
            return None
    return {"iri": iri, "triples": triples, "graphs": sorted(graphs), "is_graph": is_graph}
