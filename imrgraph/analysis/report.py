"""``imrgraph report``: one self-contained HTML page for claims and legal analysts.

Self-contained means the file can be mailed, archived or opened offline: charts are inline SVG,
styles are inline CSS, fonts are the reader's system fonts, and nothing is fetched (no script,
no font, no image URL). Everything that comes from the letters (services, sentences, case
numbers, specialties, warnings) is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pyoxigraph import NamedNode

from imrgraph import __version__
from imrgraph.analysis.counts import TallyCounts
from imrgraph.analysis.guidelines import (
    guideline_category_counts,
    guideline_counts,
    rank_guidelines,
)
from imrgraph.analysis.modified import modified_request_outcomes
from imrgraph.analysis.network import build_network
from imrgraph.analysis.outcomes import (
    corpus_overview,
    outcome_counts,
    outcome_records,
    year_category_counts,
)
from imrgraph.analysis.plots import (
    figure_svg,
    guideline_network_figure,
    outcomes_by_category_figure,
    rate_by_guideline_figure,
    rate_by_year_figure,
)
from imrgraph.analysis.reasons import reason_breakdown
from imrgraph.analysis.selection import ONTOLOGY_GRAPH, category_labels, run_select
from imrgraph.errors import ImrGraphError
from imrgraph.rdf.vocab import IMR

__all__ = ["build_report", "report_data", "shacl_sample", "write_report"]

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("imrgraph.analysis", "templates"),
    autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.{digits}f}%"


def _num(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _interval(record: dict[str, Any]) -> str:
    """The Wilson interval of a row, or one dash when no item of it was decided."""
    low, high = record["ci_low"], record["ci_high"]
    if low is None or (isinstance(low, float) and math.isnan(low)):
        return "–"
    return f"{_pct(low)} – {_pct(high)}"


_ENV.filters["pct"] = _pct
_ENV.filters["interval"] = _interval
_ENV.filters["num"] = _num
_ENV.filters["thousands"] = lambda n: f"{n:,}"


def _examples(
    store: Any, concept: str, is_family: bool, per_outcome: dict[str, int]
) -> list[dict[str, Any]]:
    """A few decisions whose reviewer cited ``concept`` (document level), with the sentence.

    A document counts its sections' citations too; a family concept (citations of documents the
    scheme does not know) only itself, as in the ranking.
    """
    if is_family:
        cites = "?cit imr:citesGuideline ?guideline .\n"
    else:  # the document itself, or one of its sections
        cites = (
            "{ ?cit imr:citesGuideline ?guideline } UNION\n"
            f"{{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?concept a imr:GuidelineSection ;"
            " skos:broader ?guideline }\n"
            "  ?cit imr:citesGuideline ?concept }\n"
        )
    out: list[dict[str, Any]] = []
    for outcome, limit in per_outcome.items():
        # Citations of the guideline first, then their items, no OPTIONAL: with LIMIT the engine
        # stops after a few matches. (An OPTIONAL next to a bound variable made Oxigraph walk
        # every letter: 9 s per example on 100,000 letters.)
        rows = run_select(
            store,
            "SELECT DISTINCT ?item ?det ?g ?guideline ?outcome ?party WHERE {\n"
            f"  GRAPH ?g {{\n{cites}"
            "    ?cit imr:citedBy ?party . ?item imr:hasCitation ?cit ; imr:hasOutcome ?outcome .\n"
            "    ?det imr:hasItem ?item .\n  }\n"
            "}\n"
            f"LIMIT {int(limit)}",
            {
                "guideline": NamedNode(concept),
                "outcome": NamedNode(f"{IMR}{outcome}"),
                "party": NamedNode(f"{IMR}ExpertReviewer"),
            },
        )
        for row in rows:
            item = _describe(store, str(row["item"]))
            letter = _describe(store, str(row["det"]))
            service = item.get(f"{IMR}requestsService")
            label = _describe(store, service).get(RDFS_LABEL) if service else None
            source = letter.get(f"{PROV}wasDerivedFrom")
            file_name = _describe(store, source).get(f"{IMR}fileName") if source else None
            case = (
                letter.get(DCTERMS_IDENTIFIER)
                or (Path(file_name).name if file_name else None)
                or str(row["g"]).rsplit("/", 1)[-1][:20]
            )
            out.append(
                {
                    "case": case,
                    "service": label or "",
                    "outcome": outcome,
                    "sentence": item.get(f"{IMR}decisiveSentence")
                    or "(no rationale in the letter)",
                }
            )
    return out


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCTERMS_IDENTIFIER = "http://purl.org/dc/terms/identifier"
PROV = "http://www.w3.org/ns/prov#"


def _describe(store: Any, node: str) -> dict[str, str]:
    """Property -> value (first one) of ``node``: one index range, cheap at any store size."""
    rows = run_select(
        store, "SELECT ?node ?p ?o WHERE { GRAPH ?g { ?node ?p ?o } }", {"node": NamedNode(node)}
    )
    out: dict[str, str] = {}
    for row in rows:
        out.setdefault(str(row["p"]), str(row["o"]))
    return out


def _warnings(store: Any, limit: int = 25) -> dict[str, Any]:
    """Warning codes with letter counts, and ``limit`` letters that have warnings."""
    codes = run_select(
        store,
        "SELECT ?code (COUNT(DISTINCT ?det) AS ?letters) WHERE { GRAPH ?g {\n"
        "  ?det a imr:Determination ; imr:warning ?w .\n"  # not a superseded version's
        "  BIND(STRBEFORE(CONCAT(?w, ':'), ':') AS ?code)\n"
        "} } GROUP BY ?code ORDER BY DESC(?letters) ?code",
    )
    # A few letters (no ORDER BY: sorting every warned letter of a large store to show 25
    # costs seconds), then each one's warnings and case number by direct look-up.
    dets = run_select(
        store,
        "SELECT DISTINCT ?det WHERE { GRAPH ?g { ?det a imr:Determination ; "
        f"imr:warning ?any }} }} LIMIT {int(limit)}",
    )
    letters = []
    for row in dets:
        det = str(row["det"])
        warnings = run_select(
            store,
            "SELECT ?det ?w WHERE { GRAPH ?g { ?det imr:warning ?w } }",
            {"det": NamedNode(det)},
        )
        case = _describe(store, det).get(DCTERMS_IDENTIFIER)
        letters.append(
            {
                "case": case or det.rsplit("/", 1)[-1],
                "warnings": sorted(str(w["w"]) for w in warnings),
            }
        )
    letters.sort(key=lambda letter: letter["case"])
    return {
        "codes": [{"code": r["code"], "letters": int(r["letters"])} for r in codes],
        "letters": letters,
        "limit": limit,
    }


class _Sample:
    """``size`` letter graphs of a store (no sorting of 100,000 graphs), as a letter source."""

    def __init__(self, store: Any, size: int) -> None:
        self.store = store
        rows = run_select(
            store,
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d a imr:Determination } } "
            f"LIMIT {int(size) + 1}",
        )
        graphs = [str(r["g"]) for r in rows]
        self.chosen = sorted(graphs[:size])
        self.more = len(graphs) > size

    def letter_graphs(self) -> list[str]:
        return self.chosen

    def quads(self, graph: str | None = None) -> Any:
        return self.store.quads(graph)


def shacl_sample(store: Any, sample: int = 100) -> dict[str, Any] | None:
    """Re-validate up to ``sample`` stored letters against the SHACL shapes.

    Ingest stores only conforming letters, so this checks that the store still conforms
    (shapes may have changed since, or data came in another way). The letters are the first
    ``sample`` the store lists (the same store gives the same report); validating every letter
    is ``imrgraph validate --store``'s job (minutes for 100,000 letters).
    """
    from imrgraph.rdf.validate import validate_store

    letters = _Sample(store, sample)
    if not letters.chosen:
        return {"letters": 0, "sampled": False, "violations": 0, "failing": 0, "results": []}
    report = validate_store(letters)
    violations = report.violations
    return {
        "letters": len(letters.chosen),
        "sampled": letters.more,
        "violations": len(violations),
        "failing": len(report.failed),
        "results": [
            {"letter": v.letter, "focus": v.focus_node, "message": v.message}
            for v in violations[:25]
        ],
    }


ShaclRunner = Callable[[Any], "dict[str, Any] | None"]


def report_data(
    store: Any,
    top: int = 15,
    examples_for: int = 5,
    shacl: ShaclRunner | None = shacl_sample,
) -> dict[str, Any]:
    """Everything the report shows, as plain data (the template only formats it)."""
    # Each full pass over the items or citations costs seconds on 100,000 letters: every count
    # below is made once and reused (categories -> item totals; guideline x category pairs ->
    # the ranking and the network), and the independent passes run in parallel threads (the
    # store evaluates queries without holding Python's GIL).
    # With current tallies (imrgraph.analysis.counts) every count below comes from one read of
    # them, in memory; without, each is a pass over the citations.
    tallies = TallyCounts.of(store)
    use: TallyCounts | bool = tallies if tallies is not None else False
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        # longest passes first: two workers finish together
        pairs_f = pool.submit(guideline_category_counts, store, "reviewer", "document", tallies=use)
        ca_f = pool.submit(guideline_counts, store, "claims-administrator", "document", tallies=use)
        years_categories_f = pool.submit(year_category_counts, store, use)
        # the base of the specialties' lift is the categories' item totals (no extra pass)
        specialty_rows_f = pool.submit(outcome_counts, store, "specialty", tallies=use)
        warnings_f = pool.submit(_warnings, store)
        why_f = pool.submit(reason_breakdown, store, category_labels(store), tallies=use)
        shacl_f = pool.submit(shacl, store) if shacl else None
        year_rows, category_rows = years_categories_f.result()
        years = outcome_records(year_rows, "year")
        categories = outcome_records(category_rows, "category", labels=category_labels(store))
        # modified requests: a scan of the few modified items, against the category totals
        modified_f = pool.submit(modified_request_outcomes, store, False, category_rows)
        overview = corpus_overview(store, years, categories, tallies=use)
        decided = overview["upheld"] + overview["overturned"]  # not the unreadable outcomes
        overview["uphold_rate"] = overview["upheld"] / decided if decided else None
        # every item: the base of every lift
        base = (overview["items"], overview["upheld"], overview["overturned"])
        pairs = pairs_f.result()
        ranking = rank_guidelines(
            store, "reviewer", "document", base=base, pairs=pairs, tallies=use
        )
        ca_ranking = rank_guidelines(
            store,
            "claims-administrator",
            "document",
            top=top,
            base=base,
            pairs=ca_f.result(),
            tallies=use,
        )
        examples_f = [
            pool.submit(
                _examples,
                store,
                rec["concept"],
                rec["document"] is None,
                {"Upheld": 2, "Overturned": 1},
            )
            for rec in ranking[:examples_for]
        ]
        network = build_network(
            store, "guideline-service", ranking=ranking, categories=categories, pairs=pairs
        )
        charts = {
            "ranking": figure_svg(rate_by_guideline_figure(ranking, top=top)),
            "categories": figure_svg(outcomes_by_category_figure(categories)),
            "years": figure_svg(rate_by_year_figure(years)),
            "network": figure_svg(guideline_network_figure(network, top=12)),
        }
        examples = [
            {
                "guideline": rec["guideline"],
                "items": rec["items"],
                "upheld": rec["upheld"],
                "decisions": future.result(),
            }
            for rec, future in zip(ranking, examples_f, strict=False)
        ]
        specialties = outcome_records(specialty_rows_f.result(), "specialty", base)
        modified = modified_f.result()
        warnings = warnings_f.result()
        why = why_f.result()
        shacl_result = shacl_f.result() if shacl_f else None
    # The same counts ordered by the interval's lower bound (what --sort rate does).
    by_rate = sorted(
        (r for r in ranking if r["items"] >= 5),
        key=lambda r: (-r["ci_low"], -r["items"], r["guideline"]),
    )
    return {
        "version": __version__,
        "counted_from": "tallies" if tallies is not None else "citations",
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "overview": overview,
        "ranking": ranking[:top],
        "ranking_total": len(ranking),
        "by_rate": by_rate[:top],
        "ca_ranking": ca_ranking,
        "categories": categories,
        "modified": modified,
        "specialties": specialties[:top],
        "specialties_total": len(specialties),
        "years": years,
        "examples": examples,
        "why": why,
        "warnings": warnings,
        "shacl": shacl_result,
        "charts": charts,
    }


def build_report(data: dict[str, Any]) -> str:
    """Render the report HTML from :func:`report_data`'s output."""
    # matplotlib writes well-formed, escaped SVG; mark it safe so it is inlined, not escaped.
    charts = {name: Markup(svg) for name, svg in data["charts"].items()}
    return _ENV.get_template("report.html.j2").render(**{**data, "charts": charts})


def write_report(store: Any, path: Path, **options: Any) -> dict[str, Any]:
    """Build the report from ``store`` and write it to ``path``; return the data shown."""
    data = report_data(store, **options)
    html = build_report(data)
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise ImrGraphError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc
    return data
