"""Tallies (imrgraph.rdf.tallies): the fast counts equal the counts made from the citations.

The direct counts (``tallies=False``: SPARQL joins over every item's citations, the analysis as
it was before tallies existed) are the reference. Every count the analysis makes from tallies is
compared with them on the example letters plus a generated corpus, after every way a letter can
change: stored, re-ingested with --force, replaced by a corrected version, kept as a superseded
version, changed by a user's SPARQL Update, re-tallied.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from imrgraph.analysis.counts import TallyCounts
from imrgraph.analysis.guidelines import (
    guideline_category_counts,
    guideline_counts,
    overall_outcomes,
)
from imrgraph.analysis.outcomes import corpus_overview, outcome_counts
from imrgraph.analysis.selection import Selection
from imrgraph.cli import app
from imrgraph.errors import QueryError
from imrgraph.rdf.guidelines import guideline_scheme
from imrgraph.rdf.tallies import COUNTED_UNDER, TALLY_GRAPH, Tally, letter_tallies
from imrgraph.rdf.vocab import CAT, GL, IMR
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest
from imrgraph.store.queries import load_query, run_select
from imrgraph.store.tallies import read_tallies, retally, tallies_current

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "letters"
# The saved queries that now read tallies, as they were written before (joins over citations)
DIRECT_QUERIES = Path(__file__).resolve().parent / "data" / "direct-queries"
sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402

REVIEWER = f"{IMR}ExpertReviewer"
UPHELD = f"{IMR}Upheld"


@pytest.fixture(scope="module")
def letters_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example PDFs plus 120 generated text letters (varied years, categories, citations)."""
    folder = tmp_path_factory.mktemp("letters")
    for pdf in sorted(EXAMPLES.glob("*.pdf")):
        shutil.copy(pdf, folder / pdf.name)
    generated = tmp_path_factory.mktemp("generated")
    corpus.write_corpus(generated, 120, seed=5, formats=("text",), workers=1)
    for txt in sorted(generated.rglob("*.txt")):
        shutil.copy(txt, folder / f"gen-{txt.name}")
    return folder


def _store_with(tmp: Path, letters: Path) -> Any:
    store = open_store(tmp / "store", None, read_only=False)
    summary = ingest([letters], store, workers=1)
    assert summary.failed == 0, summary.failures
    return store


@pytest.fixture
def store(tmp_path: Path, letters_dir: Path) -> Iterator[Any]:
    store = _store_with(tmp_path, letters_dir)
    yield store
    store.close()


def _sorted(rows: list[dict[str, Any]]) -> list[tuple]:
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in rows)


def assert_tallies_match_direct(store: Any) -> None:
    """Every count the analysis makes: from tallies == from the citations."""
    tallies = TallyCounts.of(store)
    assert tallies is not None, "tallies are not current"
    direct_years = [r["key"] for r in outcome_counts(store, "year", tallies=False)]
    years = [None, *[y for y in direct_years if y is not None][:2]]
    assert len(years) == 3, "the corpus should span several years"
    for party in ("reviewer", "claims-administrator"):
        for level in ("document", "section"):
            for category in (None, "Pharmaceuticals", "Diagnostic Imaging"):
                for year in years:
                    args = (store, party, level, category, year)
                    assert _sorted(guideline_counts(*args, tallies=tallies)) == _sorted(
                        guideline_counts(*args, tallies=False)
                    ), (party, level, category, year)
            assert _sorted(guideline_category_counts(store, party, level, tallies=tallies)) == (
                _sorted(guideline_category_counts(store, party, level, tallies=False))
            )
    for category in (None, "Pharmaceuticals"):
        for year in years:
            selection = Selection(category=category, year=year)
            assert overall_outcomes(store, selection, tallies) == overall_outcomes(
                store, selection, False
            )
            for dimension in ("category", "specialty", "year"):
                assert _sorted(
                    outcome_counts(store, dimension, category, year, tallies=tallies)
                ) == _sorted(outcome_counts(store, dimension, category, year, tallies=False))
    assert corpus_overview(store, tallies=tallies) == corpus_overview(store, tallies=False)
    letters, by_outcome = store._counted_stats()  # `imrgraph stats` without tallies
    stats = store.stats()
    assert (stats["letters"], stats["upheld"], stats["overturned"]) == (
        letters,
        by_outcome.get("Upheld", 0),
        by_outcome.get("Overturned", 0),
    )
    for party in ("reviewer", "claims-administrator", "rationale"):
        for level in ("document", "section"):
            values = {"party": party, "level": level}
            fast = run_select(store, load_query("guidelines-upheld-denials"), values)
            slow = run_select(store, load_query("guidelines-upheld-denials-from-letters"), values)
            assert fast.rows == slow.rows, (party, level)
    # the saved queries rewritten on tallies, against their direct versions as they were
    for path in sorted(DIRECT_QUERIES.glob("*.rq")):
        levels = ("document", "section") if "level" in path.read_text() else (None,)
        for level in levels:
            values = {"level": level} if level else {}
            fast = run_select(store, load_query(path.stem), values)
            slow = run_select(store, load_query(str(path)), values)
            assert fast.rows == slow.rows, (path.stem, level)
            assert fast.rows, path.stem
    # modified requests: all items from the tallies, against a pass over every item
    direct = load_query(str(DIRECT_QUERIES / "modified-requests.rq"))
    for group in ("total", "category"):
        fast = run_select(store, load_query("modified-requests"), {"group": group})
        assert fast.rows == run_select(store, direct, {"group": group}).rows, group
    # the year table by category, and for a service (its own query now), against the old text
    direct = load_query(str(DIRECT_QUERIES / "uphold-rate-by-year.rq"))
    for category in (None, "Pharmaceuticals", "Diagnostic Imaging", "Surgery"):
        narrow = {"category": category} if category else {}
        fast = run_select(store, load_query("uphold-rate-by-year"), narrow)
        assert fast.rows == run_select(store, direct, narrow).rows, category
        for service in ("mri", "o", "Norco", "no such service"):
            values = {"service": service, **narrow}
            fast = run_select(store, load_query("uphold-rate-by-year-for-service"), values)
            assert fast.rows == run_select(store, direct, values).rows, values


def test_seed_letter_tallies_are_the_facts_of_the_letter() -> None:
    """Written out by hand from the seed letter (examples/letters/seed-letter.expected.json)."""
    from test_mapper import seed_letter

    from imrgraph.rdf.mapper import letter_to_triples

    _, triples = letter_to_triples(seed_letter())
    links, tallies = letter_tallies(triples, guideline_scheme().section_documents)
    by_node: dict[str, set[str]] = {}
    for link in links:
        by_node.setdefault(link.subject.value, set()).add(link.object.value)
    det = next(n for n in by_node if "/item/" not in n)
    therapy = next(n for n in by_node if n.endswith("/item/1"))
    mri = next(n for n in by_node if n.endswith("/item/2"))
    neck = Tally(
        "guideline",
        party=REVIEWER,
        level="document",
        guideline=f"{GL}MTUS-NeckUpperBack",
        category=f"{CAT}diagnostic-imaging",
        year=2015,
        outcome=UPHELD,
    )
    general = Tally(
        "guideline",
        party=REVIEWER,
        level="document",
        guideline=f"{GL}MTUS-GeneralApproaches",
        category=f"{CAT}physical-medicine",
        year=2015,
        outcome=f"{IMR}Overturned",
    )
    assert neck.iri in by_node[mri]
    assert general.iri in by_node[therapy]
    assert neck in tallies and general in tallies
    assert neck.iri == (
        "https://w3id.org/imrgraph/tally/guideline/ExpertReviewer/document/MTUS-NeckUpperBack/"
        "diagnostic-imaging/2015/Upheld"
    )
    # the letter is counted once, in its year; each item once under its item tally
    assert by_node[det] == {"https://w3id.org/imrgraph/tally/letter/2015/clean"}
    item_tallies = [t for t in by_node[mri] if "/tally/item/" in t]
    assert item_tallies == ["https://w3id.org/imrgraph/tally/item/diagnostic-imaging/2015/Upheld"]


def test_an_item_citing_a_document_twice_has_one_link_to_it() -> None:
    from test_mapper import seed_letter

    from imrgraph.model import Citation
    from imrgraph.rdf.mapper import letter_to_triples

    letter = seed_letter()
    first = letter.items[0].reviewer_citations[0]
    letter.items[0].reviewer_citations.append(Citation(**{**first.__dict__, "pages": "9"}))
    _, triples = letter_to_triples(letter)
    links, _ = letter_tallies(triples, guideline_scheme().section_documents)
    assert len(links) == len(set(links))
    # the links are a set, and recomputing them from their own output changes nothing
    again, _ = letter_tallies(triples + links, guideline_scheme().section_documents)
    assert again == links


def test_ingest_writes_tallies_that_count_as_the_citations_do(store: Any) -> None:
    assert tallies_current(store)
    assert_tallies_match_direct(store)
    letters = corpus_overview(store, tallies=False)["letters"]
    assert letters == len(list(EXAMPLES.glob("*.pdf"))) + 120


def test_force_reingest_does_not_count_twice(store: Any, letters_dir: Path) -> None:
    before = [(r.tally, r.count) for r in read_tallies(store)]
    summary = ingest([letters_dir], store, workers=1, force=True)
    assert summary.stored == len(list(letters_dir.iterdir()))
    assert sorted(before, key=repr) == sorted(
        [(r.tally, r.count) for r in read_tallies(store)], key=repr
    )
    assert_tallies_match_direct(store)


def _version(source: Path, folder: Path, name: str, **changes: str) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    out = folder / name
    out.write_text(text, encoding="utf-8")
    return out


def test_corrected_and_superseded_versions_count_once(store: Any, tmp_path: Path) -> None:
    source = EXAMPLES / "cm13-older-knee-running-lines.txt"  # CM13-0023456, decided 10/04/2013
    overturn = {
        "(DOS: 07/22/2013) is not medically necessary": "(DOS: 07/22/2013) is medically necessary"
    }
    later = _version(
        source,
        tmp_path,
        "corrected.txt",
        **{"Decision Date: 10/04/2013": "Decision Date: 11/04/2013"},
        **overturn,
    )
    summary = ingest([later], store, workers=1)  # later decision date: the new version is current
    assert summary.stored == 1, summary.failures
    superseded = [q for q in store.quads() if "/superseded/" in q.graph_name.value]
    assert superseded, "the first version should be kept as superseded"
    assert not [q for q in superseded if q.predicate == COUNTED_UNDER]
    assert_tallies_match_direct(store)
    earlier = _version(
        source,
        tmp_path,
        "earlier.txt",
        **{"Decision Date: 10/04/2013": "Decision Date: 09/20/2013"},
    )
    summary = ingest([earlier], store, workers=1)  # older than the current: kept as superseded
    assert summary.stored == 1, summary.failures
    assert_tallies_match_direct(store)


def test_user_update_unmarks_and_tally_rebuilds(store: Any) -> None:
    # a user changes an outcome: the links no longer say the truth, so the mark goes
    store.update(
        "PREFIX imr: <https://w3id.org/imrgraph/ontology#>\n"
        "DELETE { GRAPH ?g { ?i imr:hasOutcome imr:Upheld } } "
        "INSERT { GRAPH ?g { ?i imr:hasOutcome imr:Overturned } } "
        "WHERE { GRAPH ?g { ?i imr:hasOutcome imr:Upheld } "
        'FILTER(CONTAINS(STR(?g), "CM13-0023456")) }'
    )
    assert not tallies_current(store)
    assert TallyCounts.of(store) is None  # the analysis counts from the citations meanwhile
    with pytest.raises(QueryError, match="imrgraph tally"):
        run_select(store, load_query("guidelines-upheld-denials"))
    graphs = retally(store)
    assert graphs >= 128
    assert tallies_current(store)
    assert_tallies_match_direct(store)


def test_tally_rebuild_writes_what_ingest_wrote(store: Any) -> None:
    def links_and_tallies() -> tuple[set, set]:
        links = {
            (q.subject, q.object, q.graph_name)
            for q in store.quads()
            if q.predicate == COUNTED_UNDER
        }
        described = {q.triple for q in store.quads(TALLY_GRAPH)}
        return links, described

    ingested = links_and_tallies()
    store.update(f"DROP GRAPH <{TALLY_GRAPH}>")
    store.update(
        "DELETE WHERE { GRAPH ?g { ?s <https://w3id.org/imrgraph/ontology#countedUnder> ?t } }"
    )
    retally(store)
    assert links_and_tallies() == ingested


def test_cli_tally_and_the_refusal_message(tmp_path: Path) -> None:
    runner = CliRunner()
    store_dir = tmp_path / "s"
    result = runner.invoke(
        app, ["ingest", "--store", str(store_dir), "-j", "1", str(EXAMPLES / "seed-letter.pdf")]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "query",
            "--store",
            str(store_dir),
            "--allow-update",
            "--sparql",
            "DELETE WHERE { GRAPH ?g { ?s <https://w3id.org/imrgraph/ontology#countedUnder> ?t } }",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["query", "guidelines-upheld-denials", "--store", str(store_dir)])
    # a QueryError: the console script prints it as one line (imrgraph.cli.main), exit 1
    assert isinstance(result.exception, QueryError)
    assert "run `imrgraph tally` once" in str(result.exception)
    result = runner.invoke(app, ["tally", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert "tallies rebuilt for 1 letter graphs" in result.output
    result = runner.invoke(
        app, ["query", "guidelines-upheld-denials", "--store", str(store_dir), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert "Neck and Upper Back Complaints,1,1,1" in result.output


def test_an_old_store_without_tallies_is_not_trusted_by_a_new_ingest(
    tmp_path: Path, letters_dir: Path
) -> None:
    """Letters stored without links (an older imrgraph) keep the mark off after an ingest."""
    store = _store_with(tmp_path, EXAMPLES / "seed-letter.pdf")
    try:
        store.update(  # the old store: no links, no tallies graph
            "DELETE WHERE { GRAPH ?g { ?s <https://w3id.org/imrgraph/ontology#countedUnder> ?t } }"
        )
        store.update(f"DROP GRAPH <{TALLY_GRAPH}>")
        summary = ingest(
            [EXAMPLES / "older-2013-low-back-physician-reviewer.pdf"], store, workers=1
        )
        assert summary.stored == 1
        assert summary.tallies_current is False
        assert summary.report()["tallies_current"] is False
    finally:
        store.close()


def test_tally_iri_of_a_foreign_value_is_a_digest() -> None:
    tally = Tally("item", category="http://example.org/other/x", year=None, outcome=UPHELD)
    assert tally.iri.startswith("https://w3id.org/imrgraph/tally/item/x-")
    assert tally.iri.endswith("/-/Upheld")
    described = {t.predicate.value for t in tally.description()}
    assert f"{IMR}tallyYear" not in described  # no year: the dimension is absent
    assert ox.NamedNode(tally.iri) in {t.subject for t in tally.description()}


def test_a_specialty_written_as_a_dash_is_not_no_specialty() -> None:
    none = Tally("specialty", specialty=None, category=f"{CAT}surgery", year=2015, outcome=UPHELD)
    dash = Tally("specialty", specialty="-", category=f"{CAT}surgery", year=2015, outcome=UPHELD)
    assert none.iri != dash.iri
    assert "/specialty/-/" in none.iri
