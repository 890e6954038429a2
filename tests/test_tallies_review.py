"""Review of the tallies (issues 5 and 6): states and code paths tests/test_tallies.py leaves out.

The claim under test: every count made from the tallies equals the count made from the
citations (``tallies=False``), in every state the store can reach through imrgraph, and the
trust mark is present only when that holds. The letters here are the hand-written sample letters
of tests/conftest.py (known answers, no parser) plus variants, written through the real ingest
path (``prepare_tallies``, ``check_letters`` with SHACL, ``LetterWriter``): a letter with no
date at all, a reviewer with two specialties and one with none, several sections of one
document cited for one item, family concepts (unrecognised documents), the rationale party,
a letter with warnings.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import sample_letters
from test_tallies import assert_tallies_match_direct

from imrgraph.analysis.counts import TallyCounts
from imrgraph.analysis.guidelines import guideline_counts, overall_outcomes
from imrgraph.analysis.outcomes import outcome_counts
from imrgraph.analysis.selection import Selection
from imrgraph.model import Letter
from imrgraph.rdf.vocab import DEFAULT_DATA_BASE, GL, IMR
from imrgraph.store import open_store
from imrgraph.store.ingest import IngestSummary, LetterWriter, check_letters, prepare_tallies
from imrgraph.store.tallies import tallies_current

NO_DATE_SHA = f"{4:064x}"


def review_letters() -> list[dict[str, Any]]:
    """The three sample letters plus one with no date at all and a reviewer with two
    specialties, whose one item cites two sections of one document (and a family concept)."""
    letters = sample_letters()
    nodate = copy.deepcopy(letters[0])
    nodate["source"] = {"path": "four.txt", "sha256": NO_DATE_SHA, "format": "text"}
    nodate["case_number"] = "CM17-0000004"
    nodate["dates"] = {}
    nodate["reviewer"]["specialties"] = ["Pain Medicine", "Anesthesiology"]
    nodate["items"] = nodate["items"][:1]
    first = letters[0]["items"][1]["reviewer_citations"][0]  # Chronic Pain, Physical Medicine
    nodate["items"][0]["reviewer_citations"] = [
        *nodate["items"][0]["reviewer_citations"],  # Chronic Pain, Opioids
        first,
        letters[2]["items"][0]["reviewer_citations"][1],  # an unheard-of MTUS guide: family
    ]
    return [*letters, nodate]


def ingest_letters(
    store: Any, letters: list[dict[str, Any]], *, force: bool = False
) -> IngestSummary:
    """What ``ingest`` does with parsed letters: prepare the tallies, check, write one by one."""
    prepare_tallies(store)
    summary = IngestSummary()
    writer = LetterWriter(store, summary, force=force)
    parsed = [(data["source"]["path"], Letter.from_dict(data)) for data in letters]
    for load in check_letters(parsed, DEFAULT_DATA_BASE):
        writer.write(load)
    assert summary.failures == [], summary.failures
    return summary


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    store = open_store(tmp_path / "store", None, read_only=False)
    summary = ingest_letters(store, review_letters())
    assert summary.stored == 4
    yield store
    store.close()


def _by_guideline(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    return {str(r["guideline"]): (r["items"], r["upheld"]) for r in rows}


def test_a_letter_without_any_date_is_counted_in_no_year(store: Any) -> None:
    """Letter two (2016) is the only letter of 2016: the dateless letter must not join it.

    The direct counts used to let it in: the year is computed inside ``GRAPH ?g`` and the
    user's year joins it from outside, and an unbound variable is compatible with any value.
    """
    tallies = TallyCounts.of(store)
    assert tallies is not None
    expected = {
        f"{GL}MTUS-LowBack": (1, 1),  # the MRI, upheld
        f"{GL}MTUS-ChronicPain": (1, 0),  # Norco (Opioids), overturned
        f"{GL}ODG-Pain": (1, 0),
    }
    for use in (tallies, False):
        rows = guideline_counts(store, "reviewer", "document", None, 2016, tallies=use)
        assert _by_guideline(rows) == expected, use
        assert overall_outcomes(store, Selection(year=2016), use) == (2, 1, 1), use
        by_category = outcome_counts(store, "category", None, 2016, tallies=use)
        assert sorted((str(r["key"]).rsplit("/", 1)[-1], r["items"]) for r in by_category) == [
            ("diagnostic-imaging", 1),
            ("pharmaceuticals", 1),
        ], use
    # ... and it is counted, under no year, when no year is asked for
    years = {r["key"]: r["items"] for r in outcome_counts(store, "year", tallies=False)}
    assert years == {2014: 1, 2015: 2, 2016: 2, None: 1}


def test_every_count_matches_on_the_review_letters(store: Any) -> None:
    assert tallies_current(store)
    assert_tallies_match_direct(store)
    # the dateless letter's reviewer has two specialties: its item counts under each
    specialties = {r["key"]: r["items"] for r in outcome_counts(store, "specialty")}
    assert specialties["Anesthesiology"] == 1
    assert specialties["Pain Medicine"] == 3  # letter one's two items, and this one
    assert specialties[None] == 1  # letter three states none


def _letter(index: int) -> dict[str, Any]:
    return copy.deepcopy(review_letters()[index])


def test_versions_of_one_letter_count_once(store: Any) -> None:
    """The same letter again: re-ingested with --force after its case number changed (the old
    graph is dropped), and as the PDF of the text letter (another file, the same case)."""
    renamed = _letter(0)  # same file (sha256), the case number now read differently
    renamed["case_number"] = "CM15-0000009"
    summary = ingest_letters(store, [renamed], force=True)
    assert summary.stored == 1
    graphs = {str(row[0]) for row in store.select("SELECT DISTINCT ?g { GRAPH ?g {} }").rows}
    assert not any(g.endswith("/CM15-0000001") for g in graphs)
    as_pdf = _letter(1)
    as_pdf["source"] = {"path": "two.pdf", "sha256": f"{5:064x}", "format": "pdf", "pages": 2}
    for page, item in enumerate(as_pdf["items"], start=1):
        item["page"] = page
    for force in (False, True):  # the same content from another file: kept once either way
        summary = ingest_letters(store, [as_pdf], force=force)
        assert summary.stored + summary.skipped == 1
        assert tallies_current(store)
        assert_tallies_match_direct(store)
        letters, _ = TallyCounts.of(store).letters()  # type: ignore[union-attr]
        assert letters == 4


ONTOLOGY = "https://w3id.org/imrgraph/graph/ontology"
_HAS_VERSION = "<http://purl.org/dc/terms/hasVersion>"


def _as_if_an_older_scheme_were_loaded(store: Any) -> None:
    """What a store written by an imrgraph with another guideline scheme looks like to this one:
    another ontology version recorded (written raw, as that imrgraph's ingest did: no unmark)."""
    store._update(
        f"DELETE WHERE {{ GRAPH <{ONTOLOGY}> {{ <{ONTOLOGY}> {_HAS_VERSION} ?v }} }} ;\n"
        f'INSERT DATA {{ GRAPH <{ONTOLOGY}> {{ <{ONTOLOGY}> {_HAS_VERSION} "sha256:older" }} }}'
    )


def test_a_new_scheme_unmarks_a_store_with_letters_and_tally_restores_it(store: Any) -> None:
    from imrgraph.store.tallies import retally

    _as_if_an_older_scheme_were_loaded(store)
    assert tallies_current(store)  # the mark an older ingest left
    summary = ingest_letters(store, [])  # any ingest: it loads this imrgraph's scheme
    assert not tallies_current(store)
    assert TallyCounts.of(store) is None
    assert summary.stored == 0
    retally(store)
    assert tallies_current(store)
    assert_tallies_match_direct(store)


def test_a_new_scheme_on_an_empty_store_keeps_it_marked(tmp_path: Path) -> None:
    """An empty store has nothing to re-tally: a scheme change leaves it trusted."""
    store = open_store(tmp_path / "empty", None, read_only=False)
    try:
        prepare_tallies(store)
        _as_if_an_older_scheme_were_loaded(store)
        ingest_letters(store, review_letters()[:1])
        assert tallies_current(store)
    finally:
        store.close()


def test_a_crash_right_after_the_new_scheme_is_stored_leaves_no_mark(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies (here: the store fails) just after the new scheme is written.

    The mark must not survive: the rerun finds the scheme already loaded, so it can no longer
    tell that the letters' links were made under the old one. Removing the mark in the very
    transaction that replaces the scheme closes that window.
    """
    from imrgraph.errors import StoreError

    _as_if_an_older_scheme_were_loaded(store)
    real_update = store._update

    def dies_after_the_ontology(sparql: str) -> None:
        real_update(sparql)
        if f"GRAPH <{ONTOLOGY}> {{\n" in sparql:  # the new scheme is in: die before going on
            raise StoreError("store: gone (simulated crash)")

    monkeypatch.setattr(store, "_update", dies_after_the_ontology)
    with pytest.raises(StoreError):
        prepare_tallies(store)
    monkeypatch.setattr(store, "_update", real_update)
    assert ingest_letters(store, []).stored == 0  # the rerun
    assert not tallies_current(store)


# ---- two writers on one server: `imrgraph tally` while an ingest runs ----------------------


@pytest.fixture
def server_store(oxigraph_server: Any) -> Iterator[Any]:
    """The review letters on a real Oxigraph server (tests/conftest.py), emptied afterwards."""
    oxigraph_server.clear()
    store = open_store(endpoint=oxigraph_server.query_url, read_only=False)
    try:
        assert ingest_letters(store, review_letters()).stored == 4
        yield store
    finally:
        store.close()
        oxigraph_server.clear()


def _while_tally_reads(store: Any, monkeypatch: pytest.MonkeyPatch, graph: str, write) -> None:
    """Run ``write`` (another writer) right after ``retally`` has read the letter ``graph``."""
    real_quads = store.quads

    def quads(name: str | None = None) -> list[Any]:
        read = list(real_quads(name))
        if name is not None and name.endswith(graph):
            monkeypatch.setattr(store, "quads", real_quads)
            write()
        return read

    monkeypatch.setattr(store, "quads", quads)


@pytest.mark.parametrize("change", ["corrected", "case-renamed", "reparsed"])
def test_tally_while_an_ingest_changes_a_letter(
    server_store: Any, oxigraph_server: Any, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """Another writer changes a letter between tally's read of it and tally's write of its
    links: a corrected version with the other outcome becomes current, or a --force re-ingest
    moves the letter to another graph. Tally must not write the links of what it read over
    the new letter (or into the dropped graph), then mark the counts current."""
    from imrgraph.store.tallies import retally

    letter = _letter(1)  # CM16-0000002: MRI upheld, Norco overturned
    letter["source"]["parser_version"] = "1.0"
    if change == "corrected":
        letter["source"] = {"path": "two-corrected.txt", "sha256": f"{6:064x}", "format": "text"}
        letter["dates"] = {"decision": "2016-06-01"}  # later: the current version
        letter["items"][0]["outcome"] = "Overturned"
        force = False
    elif change == "case-renamed":
        letter["case_number"] = "CM16-0000022"  # same file, its case number read anew
        force = True
    else:  # same file and case, re-read by a newer parser that finds the other outcome
        letter["source"]["parser_version"] = "2.0"
        letter["items"][0]["outcome"] = "Overturned"
        force = True
    other = open_store(endpoint=oxigraph_server.query_url, read_only=False)
    try:
        _while_tally_reads(
            server_store,
            monkeypatch,
            "/CM16-0000002",
            lambda: ingest_letters(other, [letter], force=force),
        )
        retally(server_store, batch=1)
    finally:
        other.close()
    assert tallies_current(server_store)
    assert_tallies_match_direct(server_store)


def test_tally_counts_a_letter_stored_after_the_command_listed_the_letters(
    server_store: Any, oxigraph_server: Any
) -> None:
    """`imrgraph tally` lists the letters (for its progress bar) before it drops the tallies
    graph; a letter an ingest stores in between has its links, but the descriptions of its
    tallies went with the graph: its items would not be counted, under a fresh mark."""
    from imrgraph.store.tallies import letter_and_version_graphs, retally

    listed = letter_and_version_graphs(server_store)  # what the command does first
    new = _letter(1)
    new["source"] = {"path": "seven.txt", "sha256": f"{7:064x}", "format": "text"}
    new["case_number"] = "CM19-0000007"
    new["dates"] = {"decision": "2019-01-15"}  # a year no other letter has: tallies of its own
    other = open_store(endpoint=oxigraph_server.query_url, read_only=False)
    try:
        assert ingest_letters(other, [new]).stored == 1
    finally:
        other.close()
    retally(server_store, graphs=listed)
    assert tallies_current(server_store)
    assert_tallies_match_direct(server_store)
    years = {r["key"]: r["items"] for r in outcome_counts(server_store, "year")}
    assert years[2019] == 2


def test_a_tallies_graph_edited_by_another_tool_is_a_one_line_error(store: Any) -> None:
    """A description with a dimension this imrgraph does not know, or a year that is not a
    number (another tool wrote into the server; the mark stays): an ImrGraphError naming the
    tally and saying how to rebuild, not a TypeError traceback from ``Tally(**values)``."""
    from imrgraph.errors import ImrGraphError
    from imrgraph.rdf.tallies import TALLY_GRAPH
    from imrgraph.store.tallies import read_tallies

    tally = str(next(r.tally for r in read_tallies(store) if r.tally.kind == "item").iri)
    for edit in (
        f'<{tally}> <https://w3id.org/imrgraph/ontology#tallyColour> "red"',
        f'<{tally}> <https://w3id.org/imrgraph/ontology#tallyYear> "soon"^^'
        "<http://www.w3.org/2001/XMLSchema#integer>",
    ):
        store._update(f"INSERT DATA {{ GRAPH <{TALLY_GRAPH}> {{ {edit} }} }}")
        for count in (TallyCounts.of, lambda s: s.stats()):
            with pytest.raises(ImrGraphError, match=r"imrgraph tally") as error:
                count(store)
            assert tally in str(error.value) and "\n" not in str(error.value)
        store._update(f"DELETE DATA {{ GRAPH <{TALLY_GRAPH}> {{ {edit} }} }}")
    assert_tallies_match_direct(store)


def test_tally_does_not_mark_over_an_update_made_while_it_ran(
    server_store: Any, oxigraph_server: Any
) -> None:
    """A user's SPARQL Update (`query --allow-update`, from another shell) changes a letter tally
    has already rewritten: the update removes the mark, and tally must not put it back at its
    end over links that no longer say the truth."""
    from imrgraph.errors import ImrGraphError
    from imrgraph.store.tallies import retally

    other = open_store(endpoint=oxigraph_server.query_url, read_only=False)
    done: list[str] = []

    def after(graph: str) -> None:
        done.append(graph)
        if len(done) == 1:  # the first letter is rewritten: now the user changes it
            other.update(
                "PREFIX imr: <https://w3id.org/imrgraph/ontology#>\n"
                "DELETE { GRAPH ?g { ?i imr:hasOutcome ?o } } "
                "INSERT { GRAPH ?g { ?i imr:hasOutcome ?flipped } } "
                f"WHERE {{ GRAPH ?g {{ ?i imr:hasOutcome ?o }} FILTER(?g = <{graph}>) "
                "BIND(IF(?o = imr:Upheld, imr:Overturned, imr:Upheld) AS ?flipped) }"
            )

    try:
        with pytest.raises(ImrGraphError, match="imrgraph tally"):
            retally(server_store, on_letter=after, batch=1)
    finally:
        other.close()
    assert len(done) >= 1
    assert not tallies_current(server_store)
    assert TallyCounts.of(server_store) is None
    retally(server_store)  # run again, undisturbed
    assert_tallies_match_direct(server_store)


def test_an_update_the_store_rejects_keeps_the_mark(store: Any) -> None:
    """A typo in `query --allow-update` changes nothing, so it must not cost the user a
    rebuild (minutes on a large store): the mark goes in the update's own transaction."""
    from imrgraph.errors import QueryError

    with pytest.raises(QueryError):
        store.update("DELETE WHERE { GRAPH ?g { ?s <https://w3id.org/imrgraph/ontology#x> } }")
    assert tallies_current(store)
    # an accepted one still removes it: prefixes, a closing ";" and a last comment and all
    store.update(
        "PREFIX imr: <https://w3id.org/imrgraph/ontology#>\n"
        "DELETE WHERE { GRAPH ?g { ?d imr:warning ?w } } ; # no more warnings"
    )
    assert not tallies_current(store)
    assert not store.ask("ASK { GRAPH ?g { ?d <https://w3id.org/imrgraph/ontology#warning> ?w } }")


def test_an_update_that_untypes_every_letter_leaves_its_links_untrusted(store: Any) -> None:
    """Links without a typed letter are not an empty store: the next ingest must not mark them.

    An update deleting only the letters' types leaves their items, outcomes and tally links; a
    store judged empty by its types alone would be marked current over those links, and every
    count would then read them while the letters' own triples count nothing.
    """
    store.update(
        "PREFIX imr: <https://w3id.org/imrgraph/ontology#>\n"
        "DELETE WHERE { GRAPH ?g { ?d a imr:Determination } }"
    )
    assert not tallies_current(store)
    ingest_letters(store, [])  # any later ingest prepares the tallies
    assert not tallies_current(store)
    assert TallyCounts.of(store) is None
    assert overall_outcomes(store, Selection()) == overall_outcomes(
        store, Selection(), tallies=False
    )


def _drop_the_descriptions(store: Any) -> None:
    """What `imrgraph tally` does first (retally), as another process would do it meanwhile."""
    from imrgraph.rdf.tallies import TALLY_GRAPH, UNMARK_TALLIES

    store._update(f"{UNMARK_TALLIES} ;\nDROP SILENT GRAPH <{TALLY_GRAPH}>")


def test_a_rebuild_starting_while_the_analysis_reads_the_tallies(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mark was there when asked, the descriptions gone when read: counted directly."""
    import imrgraph.store.tallies as tallies_module

    direct = overall_outcomes(store, Selection(), tallies=False)
    read = tallies_module.read_tallies

    def read_after_a_rebuild_began(st: Any) -> Any:
        _drop_the_descriptions(st)
        return read(st)

    monkeypatch.setattr(tallies_module, "read_tallies", read_after_a_rebuild_began)
    assert TallyCounts.of(store) is None
    monkeypatch.setattr(tallies_module, "read_tallies", read)
    assert overall_outcomes(store, Selection()) == direct


def test_a_rebuild_starting_while_a_saved_query_runs(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A saved query on tallies whose descriptions went mid-way refuses its short result."""
    from imrgraph.errors import QueryError
    from imrgraph.store.queries import load_query, run_select

    query = load_query("outcomes-by-category")
    assert run_select(store, query).rows  # undisturbed, it counts
    select = store.select

    def select_after_a_rebuild_began(*args: Any, **kwargs: Any) -> Any:
        _drop_the_descriptions(store)
        return select(*args, **kwargs)

    monkeypatch.setattr(store, "select", select_after_a_rebuild_began)
    with pytest.raises(QueryError, match="changed while the query ran"):
        run_select(store, query)


def test_the_report_says_what_it_counted_from_and_counts_the_same(store: Any) -> None:
    """The report (its counts run in parallel threads sharing one ``TallyCounts``) from the
    tallies, then, the mark removed, from the citations: the same numbers, and the footer
    says which."""
    from imrgraph.analysis.report import build_report, report_data

    def numbers(data: dict[str, Any]) -> dict[str, Any]:
        keys = ("overview", "ranking", "by_rate", "ca_ranking", "categories", "specialties")
        return {key: data[key] for key in (*keys, "years", "ranking_total")}

    fast = report_data(store, shacl=None)
    assert fast["counted_from"] == "tallies"
    assert "counted from the tallies" in build_report(fast)
    store.update("DELETE WHERE { GRAPH ?g { ?s <https://w3id.org/imrgraph/ontology#nothing> ?o } }")
    slow = report_data(store, shacl=None)
    assert slow["counted_from"] == "citations"
    assert "counted from the citations" in build_report(slow)
    assert numbers(fast) == numbers(slow)
    assert fast["overview"]["letters"] == 4 and fast["overview"]["items"] == 6


@pytest.mark.parametrize(
    ("kind", "service"),
    [
        ("guideline-service", "category"),
        ("guideline-service", "service"),
        ("co-citation", "category"),
        ("reviewer-guideline", "category"),
    ],
)
def test_networks_of_one_year_from_tallies_and_from_citations(
    store: Any, kind: str, service: str
) -> None:
    """Every network kind, for 2016 only: the same nodes and edges whether its counts come
    from the tallies or from the citations (some edges always come from the citations), and
    nothing of the dateless letter (its item cites Chronic Pain and the MTUS family concept)."""
    from imrgraph.analysis.network import build_network

    tallies = TallyCounts.of(store)
    assert tallies is not None
    graphs = [
        build_network(store, kind, year=2016, service=service, tallies=use)
        for use in (tallies, False)
    ]
    fast, slow = (
        (sorted(g.nodes(data=True)), sorted((*sorted((a, b)), d) for a, b, d in g.edges(data=True)))
        for g in graphs
    )
    assert fast == slow
    assert graphs[0].number_of_nodes() > 0
    assert f"{GL}MTUS" not in graphs[0]


def test_a_store_from_before_tallies_ingested_into_then_tally_interrupted_and_rerun(
    store: Any,
) -> None:
    """The letters as an imrgraph without tallies left them (no links, no tallies graph, no
    mark), a new letter ingested (it gets links, the store no mark), then `imrgraph tally`
    interrupted (Ctrl-C) after its first letters and run again."""
    from imrgraph.rdf.tallies import COUNTED_UNDER, TALLY_GRAPH
    from imrgraph.store.tallies import retally

    store._update(  # raw, as the older imrgraph's store simply was
        f"DELETE WHERE {{ GRAPH ?g {{ ?s <{COUNTED_UNDER.value}> ?t }} }} ;\n"
        f"DROP GRAPH <{TALLY_GRAPH}> ;\n"
    )
    new = _letter(1)
    new["source"] = {"path": "seven.txt", "sha256": f"{7:064x}", "format": "text"}
    new["case_number"] = "CM19-0000007"
    new["dates"] = {"decision": "2019-01-15"}
    assert ingest_letters(store, [new]).stored == 1
    assert not tallies_current(store)

    def interrupt(graph: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        retally(store, on_letter=interrupt, batch=2)
    assert not tallies_current(store)
    assert TallyCounts.of(store) is None
    assert retally(store) == 5
    assert_tallies_match_direct(store)
    assert {r["key"]: r["items"] for r in outcome_counts(store, "year")}[2019] == 2


def test_the_text_and_the_pdf_of_one_letter_through_ingest(tmp_path: Path) -> None:
    """The real files (parser included): both forms of two example letters, without then with
    --force, in one folder; each letter is counted once, as from its citations."""
    import shutil

    from imrgraph.store.ingest import ingest

    examples = Path(__file__).resolve().parents[1] / "examples" / "letters"
    folder = tmp_path / "letters"
    folder.mkdir()
    for name in ("cm14-wrist-nine-items", "cm15-low-back-date-conflict"):  # with case numbers
        for suffix in (".txt", ".pdf"):
            shutil.copy(examples / f"{name}{suffix}", folder / f"{name}{suffix}")
    store = open_store(tmp_path / "store", None, read_only=False)
    try:
        for force in (False, True):
            summary = ingest([folder], store, workers=1, force=force)
            assert summary.failed == 0, summary.failures
            assert tallies_current(store)
            tallies = TallyCounts.of(store)
            assert tallies is not None and tallies.letters()[0] == 2
            for party in ("reviewer", "claims-administrator"):
                for level in ("document", "section"):
                    assert sorted(
                        guideline_counts(store, party, level, tallies=tallies), key=str
                    ) == sorted(guideline_counts(store, party, level, tallies=False), key=str)
            assert overall_outcomes(store, Selection(), tallies) == overall_outcomes(
                store, Selection(), False
            )
    finally:
        store.close()


def test_descriptions_left_without_links_are_not_counted(store: Any) -> None:
    """Descriptions are never deleted (only `imrgraph tally` drops them): a corrected version
    moving letter two, the only letter of 2016, to 2017 leaves its 2016 tallies described but
    linked from nowhere. They are neither counted nor shown as zero rows."""
    from imrgraph.rdf.tallies import TALLY_GRAPH
    from imrgraph.store.queries import load_query, run_select
    from imrgraph.store.tallies import read_tallies

    corrected = _letter(1)
    corrected["source"] = {"path": "two-corrected.txt", "sha256": f"{8:064x}", "format": "text"}
    corrected["dates"] = {"decision": "2017-02-01"}
    assert ingest_letters(store, [corrected]).stored == 1
    orphans = store.select(
        f"SELECT ?t WHERE {{ GRAPH <{TALLY_GRAPH}> {{ ?t <{IMR}tallyYear> 2016 }} "
        f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?x <{IMR}countedUnder> ?t }} }} }}"
    ).rows
    assert orphans  # the case this test is about
    assert not [r for r in read_tallies(store) if r.tally.year == 2016]
    for name in ("outcomes-by-category", "outcomes-by-reviewer-specialty"):
        rows = run_select(store, load_query(name)).rows
        assert all(row[1] > 0 for row in rows), name
    assert_tallies_match_direct(store)
