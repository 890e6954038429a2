"""Saved queries: headers, parameters (typed, checked, bound as terms), answers, injection."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from imrgraph.errors import QueryError
from imrgraph.store import EmbeddedStore
from imrgraph.store.queries import adhoc_query, load_query, run_select, saved_queries
from imrgraph.store.sparqltext import bind_with_values, query_form

REQUIRED = {
    "guidelines-upheld-denials": ["guideline", "items", "upheld", "uphold_rate"],
    "outcomes-by-category": ["category", "items", "upheld", "overturned"],
    "outcomes-by-reviewer-specialty": ["specialty", "items", "upheld", "overturned"],
    "uphold-rate-by-year": ["year", "items", "upheld", "overturned"],
    "uphold-rate-by-year-for-service": ["year", "items", "upheld", "overturned"],
    "decisions-for-service": ["case", "service", "outcome", "decisive_sentence"],
    "claims-administrator-citations-overturned": ["guideline", "items", "overturned"],
    "letters-with-warnings": ["case", "code"],
    "modified-requests": ["request", "category", "items", "upheld", "overturned", "uphold_rate"],
}
# Parameters a query needs to run at all.
NEEDS = {
    "decisions-for-service": {"service": "norco"},
    "uphold-rate-by-year-for-service": {"service": "norco"},
}


def test_every_required_query_exists_and_is_documented() -> None:
    queries = {q.name: q for q in saved_queries()}
    assert set(REQUIRED) <= set(queries)
    for query in queries.values():
        assert query.title and query.description and query.columns, query.name
        assert query.form == "SELECT"


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_columns_are_the_documented_ones(sample_store: EmbeddedStore, name: str) -> None:
    query = load_query(name)
    result = run_select(sample_store, query, NEEDS.get(name, {}))
    assert result.columns == query.columns
    assert all(column in result.columns for column in REQUIRED[name])
    assert result.rows, name


# The sample letters (tests/conftest.py) worked out by hand:
# CM15-0000001 (2015): 1 Norco Upheld (CA+reviewer: Chronic Pain/Opioids),
#                      2 PT Overturned (CA: ODG Low Back; reviewer: Chronic Pain/Physical Medicine)
# CM16-0000002 (2016): 1 MRI Upheld (CA+reviewer: Low Back Complaints),
#                      2 Norco Overturned (reviewer: Chronic Pain/Opioids and ODG Pain Chapter)
# no case (UR 2014):   1 cream Upheld (reviewer: FDA, and an unknown MTUS document -> MTUS)
def _run(store, name, **params):
    return run_select(store, load_query(name), params).rows


def test_guidelines_upheld_denials_document_level(sample_store: EmbeddedStore) -> None:
    assert _run(sample_store, "guidelines-upheld-denials") == [
        ("Chronic Pain Medical Treatment Guidelines", 3, 1, Decimal("0.333")),
        ("FDA (Food and Drug Administration)", 1, 1, Decimal("1")),
        ("Low Back Complaints", 1, 1, Decimal("1")),
        ("MTUS", 1, 1, Decimal("1")),
        ("Pain Chapter", 1, 0, Decimal("0")),
    ]


def test_guidelines_upheld_denials_section_level(sample_store: EmbeddedStore) -> None:
    rows = _run(sample_store, "guidelines-upheld-denials", level="section")
    assert rows[0] == ("Chronic Pain Medical Treatment Guidelines, Opioids", 2, 1, Decimal("0.5"))
    assert (
        "Chronic Pain Medical Treatment Guidelines, Physical Medicine",
        1,
        0,
        Decimal("0"),
    ) in rows
    assert ("Low Back Complaints", 1, 1, Decimal("1")) in rows  # no section: its document
    assert len(rows) == 6


def test_guidelines_upheld_denials_claims_administrator(sample_store: EmbeddedStore) -> None:
    assert _run(sample_store, "guidelines-upheld-denials", party="claims-administrator") == [
        ("Chronic Pain Medical Treatment Guidelines", 1, 1, Decimal("1")),
        ("Low Back Complaints", 1, 1, Decimal("1")),
        ("Low Back Chapter", 1, 0, Decimal("0")),
    ]


def test_claims_administrator_citations_overturned(sample_store: EmbeddedStore) -> None:
    assert _run(sample_store, "claims-administrator-citations-overturned")[0] == (
        "Low Back Chapter",
        1,
        1,
        Decimal("1"),
    )


def test_outcomes_by_category(sample_store: EmbeddedStore) -> None:
    assert _run(sample_store, "outcomes-by-category") == [
        ("Pharmaceuticals", 3, 2, 1, 0),
        ("Diagnostic Imaging", 1, 1, 0, 0),
        ("Physical Medicine", 1, 0, 1, 0),
    ]


def test_outcomes_by_reviewer_specialty(sample_store: EmbeddedStore) -> None:
    assert _run(sample_store, "outcomes-by-reviewer-specialty") == [
        ("Orthopedic Surgery", 2, 1, 1, 0, Decimal("0.5")),
        ("Pain Medicine", 2, 1, 1, 0, Decimal("0.5")),
        ("(not stated)", 1, 1, 0, 0, Decimal("1")),
    ]


def test_uphold_rate_by_year_and_its_filters(sample_store: EmbeddedStore) -> None:
    assert _run(sample_store, "uphold-rate-by-year") == [
        (2014, 1, 1, 0, 0, Decimal("1")),  # only a UR date: the fallback of the year rule
        (2015, 2, 1, 1, 0, Decimal("0.5")),
        (2016, 2, 1, 1, 0, Decimal("0.5")),
    ]
    assert _run(sample_store, "uphold-rate-by-year-for-service", service="NORCO") == [
        (2015, 1, 1, 0, 0, Decimal("1")),
        (2016, 1, 0, 1, 0, Decimal("0")),
    ]
    assert _run(
        sample_store, "uphold-rate-by-year-for-service", service="o", category="pharmaceuticals"
    ) == [  # Norco and the compound cream; not "Physical therapy" (Physical Medicine)
        (2014, 1, 1, 0, 0, Decimal("1")),
        (2015, 1, 1, 0, 0, Decimal("1")),
        (2016, 1, 0, 1, 0, Decimal("0")),
    ]
    assert _run(sample_store, "uphold-rate-by-year", category="diagnostic imaging") == [
        (2016, 1, 1, 0, 0, Decimal("1")),
    ]


def test_decisions_for_service(sample_store: EmbeddedStore) -> None:
    assert _run(sample_store, "decisions-for-service", service="norco") == [
        ("CM15-0000001", "Norco 10/325mg #60", "Upheld", "Norco is not medically necessary."),
        ("CM16-0000002", "Norco 5/325mg #30", "Overturned", "Norco is medically necessary."),
    ]
    assert _run(sample_store, "decisions-for-service", service="norco", outcome="overturned") == [
        ("CM16-0000002", "Norco 5/325mg #30", "Overturned", "Norco is medically necessary."),
    ]
    rows = _run(sample_store, "decisions-for-service", service="cream")
    assert rows[0][0].startswith("content-")  # no case number: the letter's key


def test_a_service_is_found_by_its_words_in_any_order(sample_store: EmbeddedStore) -> None:
    """Users ask about "a lumbar MRI"; letters write "MRI of the lumbar spine"."""
    lumbar_mri = [
        ("CM16-0000002", "MRI of the lumbar spine", "Upheld", "The MRI is not medically necessary.")
    ]
    for words in ("lumbar MRI", "  spine LUMBAR  mri ", "the lumbar spine MRI"):
        assert _run(sample_store, "decisions-for-service", service=words) == lumbar_mri, words
    assert _run(sample_store, "decisions-for-service", service="lumbar norco") == []
    # past three words the rest must appear as written: "of the spine" is not in the label
    assert _run(sample_store, "decisions-for-service", service="mri lumbar of the spine") == []
    assert _run(sample_store, "uphold-rate-by-year-for-service", service="lumbar MRI") == [
        (2016, 1, 1, 0, 0, Decimal("1")),
    ]


def test_modified_requests_against_requests_denied_whole(tmp_path: Path) -> None:
    """The letters of tests/published_letters.py, whose table gives the expected numbers."""
    from published_letters import published_letters, store_of

    with store_of(published_letters(), tmp_path / "store") as store:
        # request, category, items, upheld, overturned, unknown (not readable), uphold_rate
        assert _run(store, "modified-requests") == [
            ("modified", "all categories", 3, 2, 1, 0, Decimal("0.667")),
            ("not modified", "all categories", 4, 1, 1, 2, Decimal("0.5")),
        ]
        assert _run(store, "modified-requests", group="category") == [
            ("not modified", "Diagnostic Imaging", 1, 0, 0, 1, None),  # nothing decided: no rate
            ("modified", "Pharmaceuticals", 3, 2, 1, 0, Decimal("0.667")),
            ("not modified", "Pharmaceuticals", 1, 0, 1, 0, Decimal("0")),
            ("not modified", "Physical Medicine", 2, 1, 0, 1, Decimal("1")),
        ]


def test_letters_with_warnings(sample_store: EmbeddedStore) -> None:
    assert _run(sample_store, "letters-with-warnings") == [
        ("CM16-0000002", "two.txt", "age-missing", "no age"),
        ("CM16-0000002", "two.txt", "citation-unrecognized", "Some guide"),
    ]
    assert _run(sample_store, "letters-with-warnings", code="age-missing") == [
        ("CM16-0000002", "two.txt", "age-missing", "no age"),
    ]


# ---- parameters ---------------------------------------------------------------------------


def test_parameter_choices_required_and_unknown_are_checked() -> None:
    query = load_query("guidelines-upheld-denials")
    with pytest.raises(QueryError, match="level must be one of document, section"):
        query.bindings({"level": "chapter"})
    with pytest.raises(QueryError, match="unknown parameter 'year'") as refused:
        query.bindings({"year": "2015"})
    assert "takes" not in str(refused.value)  # no query named like it takes a year
    # the years of one service are their own query (it reads only that service's items)
    with pytest.raises(QueryError, match="the query uphold-rate-by-year-for-service takes"):
        load_query("uphold-rate-by-year").bindings({"service": "norco"})
    with pytest.raises(QueryError, match="parameter service is required"):
        load_query("decisions-for-service").bindings({})
    assert query.bindings({"level": "SECTION"})["level"].value == "section"


def test_typed_parameters(tmp_path: Path) -> None:
    path = tmp_path / "typed.rq"
    path.write_text(
        "# title: typed\n# description: d\n"
        "# param: n:integer = 3 A number.\n# param: day:date (required) A day.\n"
        "# param: who:iri (optional) Someone.\n# columns: n\n"
        "SELECT ?n WHERE { }\n"
    )
    query = load_query(str(path))
    terms = query.bindings({"day": "2015-03-10"})
    assert str(terms["n"]) == '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert str(terms["day"]) == '"2015-03-10"^^<http://www.w3.org/2001/XMLSchema#date>'
    with pytest.raises(QueryError, match="needs a integer"):
        query.bindings({"n": "three", "day": "2015-03-10"})
    with pytest.raises(QueryError, match="needs a date"):
        query.bindings({"day": "10/03/2015"})
    with pytest.raises(QueryError, match="needs a iri"):
        query.bindings({"day": "2015-03-10", "who": "not an iri"})


def test_unknown_query_name_lists_the_saved_ones() -> None:
    with pytest.raises(QueryError, match="guidelines-upheld-denials"):
        load_query("no-such-query")


# ---- injection and updates -------------------------------------------------------------------

INJECTIONS = [
    'x")) } } ; DROP ALL ; #',
    "x' } } DELETE WHERE { GRAPH ?g { ?s ?p ?o } } #",
    'norco" || true || "',
    '\\" } INSERT DATA { <http://e/x> <http://e/y> 1 } #\n',
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_through_a_parameter_fails_safely(
    sample_store: EmbeddedStore, payload: str
) -> None:
    before = sample_store.stats()
    rows = _run(sample_store, "decisions-for-service", service=payload)
    assert rows == []  # matched literally: no service contains that text
    assert sample_store.stats() == before


def test_a_parameter_with_sparql_syntax_is_matched_literally(sample_store: EmbeddedStore) -> None:
    # '#' would start a comment and '"' end a string if the value were pasted into the text
    rows = _run(sample_store, "decisions-for-service", service="10/325mg #60")
    assert [r[1] for r in rows] == ["Norco 10/325mg #60"]


def test_values_block_is_inserted_in_the_where_group_not_in_strings_or_comments() -> None:
    import pyoxigraph as ox

    text = (
        "PREFIX ex: <http://e/#>\n# a comment with a { brace\n"
        'SELECT ?s WHERE { ?s ex:p "{not here}" }'
    )
    bound = bind_with_values(text, {"v": ox.Literal('a"b')})
    assert bound.endswith('WHERE { VALUES (?v) { ("a\\"b") }  ?s ex:p "{not here}" }')


@pytest.mark.parametrize(
    "text,form",
    [
        ("PREFIX a: <http://a/> SELECT * {}", "SELECT"),
        ("# SELECT\nprefix insert: <http://i/> ask {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("PREFIX a: <http://a/>\nINSERT DATA { <a:x> <a:y> 1 }", "UPDATE"),
        ("drop all", "UPDATE"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert query_form(text) == form


def test_a_saved_query_that_is_an_update_is_refused(
    sample_store: EmbeddedStore, tmp_path: Path
) -> None:
    path = tmp_path / "sneaky.rq"
    path.write_text("# title: harmless\nDELETE WHERE { GRAPH ?g { ?s ?p ?o } }\n")
    with pytest.raises(QueryError, match="is a SPARQL Update"):
        run_select(sample_store, load_query(str(path)))
    assert sample_store.stats()["letters"] == 3


def test_cli_refuses_updates_unless_allowed(sample_store: EmbeddedStore, cli) -> None:
    location = sample_store.path
    sample_store.close()
    refused = cli("query", "--sparql", "DROP ALL", env={"IMRGRAPH_STORE": str(location)})
    assert refused.returncode == 1
    assert "refused" in refused.stderr and "Traceback" not in refused.stderr
    with EmbeddedStore(location) as store:
        assert store.stats()["letters"] == 3
    done = cli(
        "query",
        "--sparql",
        "DROP GRAPH <https://w3id.org/imrgraph/data/graph/CM15-0000001>",
        "--allow-update",
        env={"IMRGRAPH_STORE": str(location)},
    )
    assert done.returncode == 0, done.stderr
    with EmbeddedStore(location) as store:
        assert store.stats()["letters"] == 2


def test_cli_formats(sample_store: EmbeddedStore, cli) -> None:
    location = sample_store.path
    sample_store.close()
    run = cli(
        "query", "outcomes-by-category", "--format", "csv", env={"IMRGRAPH_STORE": str(location)}
    )
    assert run.returncode == 0, run.stderr
    assert list(csv.reader(io.StringIO(run.stdout))) == [
        ["category", "items", "upheld", "overturned", "unknown"],
        ["Pharmaceuticals", "3", "2", "1", "0"],
        ["Diagnostic Imaging", "1", "1", "0", "0"],
        ["Physical Medicine", "1", "0", "1", "0"],
    ]
    run = cli(
        "query",
        "guidelines-upheld-denials",
        "--format",
        "json",
        "-p",
        "level=section",
        env={"IMRGRAPH_STORE": str(location)},
    )
    assert json.loads(run.stdout)[0] == {
        "guideline": "Chronic Pain Medical Treatment Guidelines, Opioids",
        "items": 2,
        "upheld": 1,
        "uphold_rate": 0.5,
    }
    run = cli(
        "query",
        "decisions-for-service",
        "--format",
        "tsv",
        "-p",
        "service=MRI",
        env={"IMRGRAPH_STORE": str(location)},
    )
    assert run.stdout.splitlines()[1].split("\t") == [
        "CM16-0000002",
        "MRI of the lumbar spine",
        "Upheld",
        "The MRI is not medically necessary.",
    ]
    run = cli("query", "decisions-for-service", env={"IMRGRAPH_STORE": str(location)})
    assert run.returncode == 1 and "parameter service is required" in run.stderr
    run = cli("queries", env={"IMRGRAPH_STORE": str(location)})
    assert "guidelines-upheld-denials" in run.stdout and "--param level=" in run.stdout


def test_adhoc_query_with_parameters(sample_store: EmbeddedStore) -> None:
    query = adhoc_query(
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?d WHERE { GRAPH ?g { ?d dcterms:identifier ?case } }"
    )
    rows = run_select(sample_store, query, {"case": "CM16-0000002"}).rows
    assert rows == [("https://w3id.org/imrgraph/data/determination/CM16-0000002",)]
