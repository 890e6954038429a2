"""``imrgraph serve`` over HTTP: a real server process on 127.0.0.1, driven with httpx.

Each test runs against the embedded store (the examples ingested as the README's quick start
does, plus a letter with markup in its service and rationale) and against a real
``oxigraph serve`` read through ``--endpoint``. Expected values come from other parts of
imrgraph (the CLI's ``query`` and ``guidelines``, ``export``, pyoxigraph's result parsers), not
from the server's own code.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import psutil
import pyoxigraph as ox
import pytest
import rdflib
from markupsafe import escape
from test_endpoint import PARAMS
from test_serve_support import (
    EXAMPLES,
    HOSTILE_CASE,
    HOSTILE_RATIONALE,
    HOSTILE_REASON,
    HOSTILE_SERVICE,
    Backend,
    Served,
    embedded_store,
    letter_paths,
    start_backend,
    start_server,
    stop_backend,
    stop_server,
)
from typer.testing import CliRunner

from imrgraph.cli import app as cli
from imrgraph.store.queries import saved_queries
from imrgraph.store.sparqltext import bind_with_values

pytestmark = [pytest.mark.server, pytest.mark.slow]

HTML = {"Accept": "text/html"}
SPARQL_CSV = {"Accept": "text/csv"}


@pytest.fixture(scope="module", params=["embedded", "endpoint"])
def backend(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Backend]:
    tmp = tmp_path_factory.mktemp(f"serve-{request.param}")
    found, handle = start_backend(request.param, tmp)
    try:
        yield found
    finally:
        stop_backend(handle)


@pytest.fixture(scope="module")
def server(backend: Backend, tmp_path_factory) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    served = start_server([*backend.args, "--max-rows", "2000"], log)
    try:
        yield served
    finally:
        stop_server(served)


@pytest.fixture(scope="module")
def http(server: Served) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def cli_json(*args: str, backend: Backend) -> object:
    where = (
        ["--store", str(backend.store_args["store"])]
        if "store" in backend.store_args
        else ["--endpoint", backend.store_args["endpoint"]]
    )
    result = CliRunner().invoke(cli, [*args, *where])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/guidelines",
        "/guideline/MTUS-ChronicPain",
        "/search?q=mri",
        "/letter/CM15-0045678",
        "/report",
        "/queries",
        "/queries/outcomes-by-category",
    ],
)
def test_every_page_is_html_with_its_data_as_json_and_csv(http: httpx.Client, path: str) -> None:
    page = http.get(path, headers=HTML)
    assert page.status_code == 200, page.text[-500:]
    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text.lower()  # no script on any page (CSP forbids them too)
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    by_accept = http.get(path, headers={"Accept": "application/json"})
    joiner = "&" if "?" in path else "?"
    by_param = http.get(f"{path}{joiner}format=json")
    assert by_accept.json() == by_param.json()
    table = http.get(f"{path}{joiner}format=csv")
    assert table.headers["content-type"].startswith("text/csv")
    assert next(iter(csv.reader(io.StringIO(table.text))))  # a header row


def test_home_shows_the_corpus_counts_of_imrgraph_stats(http, backend) -> None:
    data = http.get("/", params={"format": "json"}).json()
    where = (
        ["--store", str(backend.store_args["store"])]
        if "store" in backend.store_args
        else ["--endpoint", backend.store_args["endpoint"]]
    )
    result = CliRunner().invoke(cli, ["stats", *where])
    assert result.exit_code == 0, result.output
    letters = len(list(EXAMPLES.glob("*.pdf"))) + 1  # + the hostile letter
    assert data["overview"]["letters"] == letters
    assert str(letters) in result.output
    assert data["overview"]["items"] >= letters


def test_guideline_page_has_the_ranking_numbers_of_imrgraph_guidelines(http, backend) -> None:
    ranking = cli_json("guidelines", "--format", "json", backend=backend)
    assert isinstance(ranking, list) and ranking
    top = ranking[0]
    name = top["concept"].rsplit("/", 1)[-1]
    page = http.get(f"/guideline/{name}", params={"format": "json"}).json()
    record = page["record"]
    for key in ("items", "upheld", "overturned"):
        assert record[key] == top[key]
    for key in ("uphold_rate", "ci_low", "ci_high"):
        assert record[key] == pytest.approx(top[key])
    # by year and by category each add up to the guideline's items (an item has one of each)
    assert sum(r["items"] for r in page["by_category"]) == top["items"]
    assert sum(r["items"] for r in page["by_year"]) <= top["items"]
    assert page["examples"] and all(
        e["outcome"] in ("Upheld", "Overturned") for e in page["examples"]
    )
    html = http.get(f"/guideline/{name}", headers=HTML).text
    assert f"{100 * top['uphold_rate']:.1f}%" in html
    # each example links to its letter, and the link works
    first = page["examples"][0]
    assert f'href="/letter/{first["key"]}"' in html
    assert http.get(f"/letter/{first['key']}", headers=HTML).status_code == 200


def test_guideline_page_lists_the_reasons_of_imrgraph_reasons(http, backend) -> None:
    ranking = cli_json("guidelines", "--format", "json", backend=backend)
    shown = 0
    for top in ranking[:3]:
        expected = cli_json(
            "reasons", "--guideline", top["guideline"], "--format", "json", backend=backend
        )
        name = top["concept"].rsplit("/", 1)[-1]
        page = http.get(f"/guideline/{name}", params={"format": "json"}).json()
        assert page["reasons"] == expected
        html = http.get(f"/guideline/{name}", headers=HTML).text
        for row in expected["reasons"]:
            assert f'<td title="{row["reason"]}">{escape(row["label"])}</td>' in html
            assert f'<td class="n">{row["items"]}</td>' in html
            assert f"{100 * row['rate']:.1f}%" in html
            assert str(escape(row["example"])) in html
        shown += len(expected["reasons"])
    assert shown  # the examples state reasons: the test saw some


def test_a_guideline_family_page_shows_no_reasons_of_another_scope(http) -> None:
    # reasons are counted per document or section: a family's would leave out its sections
    page = http.get("/guideline/MTUS", params={"format": "json"}).json()
    assert page["document"] is None and page["reasons"] is None
    assert 'id="reasons"' not in http.get("/guideline/MTUS", headers=HTML).text


def test_unknown_guideline_is_a_404_page(http) -> None:
    page = http.get("/guideline/No-Such-Guideline", headers=HTML)
    assert page.status_code == 404
    assert "No-Such-Guideline" in page.text and "Traceback" not in page.text


def test_search_lists_every_decision_the_saved_query_finds(http, backend) -> None:
    words = "lumbar"
    expected = cli_json(
        "query",
        "decisions-for-service",
        "--param",
        f"service={words}",
        "--format",
        "json",
        backend=backend,
    )
    found = http.get("/search", params={"q": words, "format": "json"}).json()["decisions"]
    assert sorted((d["case"], d["service"], d["outcome"]) for d in found) == sorted(
        (d["case"], d["service"], d["outcome"]) for d in expected
    )
    assert all(words in d["service"].lower() for d in found)


def test_search_filters_by_outcome_year_and_category(http) -> None:
    every = http.get("/search", params={"q": "e", "format": "json"}).json()["decisions"]
    assert len({d["outcome"] for d in every}) == 2
    upheld = http.get("/search", params={"q": "e", "outcome": "Upheld", "format": "json"}).json()
    assert upheld["decisions"] == [d for d in every if d["outcome"] == "Upheld"]
    year = int(every[0]["date"][:4])
    by_year = http.get("/search", params={"q": "e", "year": year, "format": "json"}).json()
    assert by_year["decisions"] == [d for d in every if d["date"] and d["date"][:4] == str(year)]
    category = every[0]["category"]
    by_cat = http.get("/search", params={"q": "e", "category": category, "format": "json"}).json()
    assert by_cat["decisions"] == [d for d in every if d["category"] == category]
    bad = http.get("/search", params={"q": "e", "category": "Nonsense"}, headers=HTML)
    assert bad.status_code == 400 and "unknown service category" in bad.text


def test_search_filters_by_a_reason_and_shows_its_sentence(http, tmp_path) -> None:
    # expected: what the parser reads from the same letters (`imrgraph parse`)
    parsed = CliRunner().invoke(cli, ["parse", *letter_paths(tmp_path), "--format", "jsonl"])
    assert parsed.exit_code == 0, parsed.output
    items = [
        (letter["case_number"], item)
        for letter in map(json.loads, parsed.stdout.splitlines())
        for item in letter["items"]
        if "e" in item["service"].lower()
    ]
    stated = Counter(r["code"] for _, item in items for r in item["reasons"])
    assert len(stated) >= 2
    for code, _ in stated.most_common(2):
        expected = [
            (case, item["service"], r["sentence"])
            for case, item in items
            for r in item["reasons"]
            if r["code"] == code
        ]
        page = http.get("/search", params={"q": "e", "reason": code, "format": "json"}).json()
        # a letter without a case number is listed by its key: compare the others' cases
        found = [(d["case"], d["service"], d["reason_sentence"]) for d in page["decisions"]]
        assert sorted(f[1:] for f in found) == sorted(e[1:] for e in expected)
        assert {e[0] for e in expected if e[0]} <= {f[0] for f in found}
        html = http.get("/search", params={"q": "e", "reason": code}, headers=HTML).text
        assert f'<option value="{code}" selected>' in html
        assert "<th>the reason's sentence</th>" in html
        assert all(str(escape(sentence)) in html for _, _, sentence in expected)
    bad = http.get("/search", params={"q": "e", "reason": "astrology"}, headers=HTML)
    assert bad.status_code == 400 and "unknown reason" in bad.text


def test_search_by_case_number_opens_the_letter(http) -> None:
    response = http.get("/search", params={"q": "cm15-0045678"}, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/letter/CM15-0045678"


def test_search_names_matching_guidelines(http) -> None:
    page = http.get("/search", params={"q": "chronic pain"}, headers=HTML).text
    assert 'href="/guideline/MTUS-ChronicPain"' in page


def test_letter_page_shows_header_items_and_provenance(http) -> None:
    data = http.get("/letter/CM15-0045678", params={"format": "json"}).json()
    expected = json.loads((EXAMPLES / "cm15-low-back-date-conflict.expected.json").read_text())
    assert data["case"] == "CM15-0045678"
    assert [i["service"] for i in data["items"]] == [i["service"] for i in expected["items"]]
    assert [i["outcome"] for i in data["items"]] == [i["outcome"] for i in expected["items"]]
    assert [i["decisive_sentence"] for i in data["items"]] == [
        i["decisive_sentence"] for i in expected["items"]
    ]
    assert data["source"]["file"].endswith("cm15-low-back-date-conflict.pdf")
    assert all(i["page"] for i in data["items"])  # a PDF: every decision has its page
    html = http.get("/letter/CM15-0045678", headers=HTML).text
    assert "cm15-low-back-date-conflict.pdf" in html
    assert "?format=turtle" in html and "?format=jsonld" in html


def test_letter_page_shows_each_items_reasons_with_their_sentences(http) -> None:
    data = http.get("/letter/CM15-0045678", params={"format": "json"}).json()
    # what the parser reads from the same PDF (`imrgraph parse`), not what the graph holds
    parsed = CliRunner().invoke(
        cli, ["parse", str(EXAMPLES / "cm15-low-back-date-conflict.pdf"), "--format", "jsonl"]
    )
    assert parsed.exit_code == 0, parsed.output
    expected = json.loads(parsed.stdout.splitlines()[0])
    by_item = [
        sorted((r["reason"], r["sentence"], r["page"]) for r in i["reasons"]) for i in data["items"]
    ]
    assert by_item == [
        sorted((r["code"], r["sentence"], r["page"]) for r in i["reasons"])
        for i in expected["items"]
    ]
    assert any(by_item) and all(r["label"] for i in data["items"] for r in i["reasons"])
    html = http.get("/letter/CM15-0045678", headers=HTML).text
    for item in data["items"]:
        for r in item["reasons"]:
            assert f'{escape(r["label"])}</strong>: <q class="evidence">' in html
            assert str(escape(r["sentence"])) in html
    table = http.get("/letter/CM15-0045678", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == len(data["items"])
    for row, item in zip(rows, data["items"], strict=True):
        assert all(f"{r['reason']}: {r['sentence']}" in row["reasons"] for r in item["reasons"])


@pytest.mark.parametrize(
    ("fmt", "parser"), [("turtle", "turtle"), ("jsonld", "json-ld"), ("ntriples", "nt")]
)
def test_letter_graph_downloads_equal_imrgraph_export(http, backend, fmt, parser, tmp_path) -> None:
    response = http.get("/letter/CM15-0045678", params={"format": fmt})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    served = rdflib.Graph().parse(data=response.content, format=parser)
    out = tmp_path / "letter.nt"
    where = (
        ["--store", str(backend.store_args["store"])]
        if "store" in backend.store_args
        else ["--endpoint", backend.store_args["endpoint"]]
    )
    result = CliRunner().invoke(
        cli, ["export", "--format", "ntriples", "--case", "CM15-0045678", "-o", str(out), *where]
    )
    assert result.exit_code == 0, result.output
    exported = rdflib.Graph().parse(out, format="nt")
    assert len(served) == len(exported) > 100
    assert set(served) == set(exported)


def test_missing_letter_is_a_404_page(http) -> None:
    page = http.get("/letter/CM99-0000000", headers=HTML)
    assert page.status_code == 404 and "CM99-0000000" in page.text


# -- hostile letter text ---------------------------------------------------------------------


def test_markup_in_a_letter_renders_as_text(http) -> None:
    pages = [
        http.get(f"/letter/{HOSTILE_CASE}", headers=HTML).text,
        http.get("/search", params={"q": "support brace"}, headers=HTML).text,
        http.post(
            "/sparql",
            data={
                "query": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                "SELECT ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } } ",
                "format": "html",
            },
        ).text,
    ]
    for page in pages:
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    letter = pages[0]
    assert HOSTILE_RATIONALE not in letter
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in letter
    data = http.get(f"/letter/{HOSTILE_CASE}", params={"format": "json"}).json()
    assert HOSTILE_SERVICE in [i["service"] for i in data["items"]]  # kept as written


def test_markup_in_a_reasons_sentence_renders_as_text(http) -> None:
    data = http.get(f"/letter/{HOSTILE_CASE}", params={"format": "json"}).json()
    brace = next(i for i in data["items"] if i["service"] == HOSTILE_SERVICE)
    assert HOSTILE_REASON in [r["sentence"] for r in brace["reasons"]]  # kept as written
    raw, shown = "<script>alert(3)</script>", "&lt;script&gt;alert(3)&lt;/script&gt;"
    letter = http.get(f"/letter/{HOSTILE_CASE}", headers=HTML).text
    assert raw not in letter and shown in letter
    # the guideline the reviewer cites for the brace: its reasons' example is the sentence
    # (the shortest stating its reason there), escaped on that page too
    cited = {c["guideline"] for c in brace["citations"] if c["party"] == "expert reviewer"}
    examples = []
    for concept in sorted(c for c in cited if c):
        path = "/guideline/" + concept.rsplit("/", 1)[-1]
        reasons = http.get(path, params={"format": "json"}).json()["reasons"]["reasons"]
        page = http.get(path, headers=HTML).text
        assert raw not in page
        if HOSTILE_REASON in [r["example"] for r in reasons]:
            examples.append(concept)
            assert shown in page
    assert examples


# -- linked data -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "parser"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ],
)
def test_graph_iris_resolve_with_content_negotiation(http, accept, parser) -> None:
    iri = "https://w3id.org/imrgraph/data/determination/CM15-0045678"
    response = http.get("/data/determination/CM15-0045678", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.content, format=parser)
    identifier = rdflib.URIRef("http://purl.org/dc/terms/identifier")
    assert graph.value(rdflib.URIRef(iri), identifier) == rdflib.Literal("CM15-0045678")
    concept = http.get("/guideline/MTUS-ChronicPain", headers={"Accept": accept})
    assert concept.status_code == 200
    about = rdflib.Graph().parse(data=concept.content, format=parser)
    assert (
        rdflib.URIRef("https://w3id.org/imrgraph/guideline/MTUS-ChronicPain"),
        None,
        None,
    ) in about


def test_graph_iris_open_html_pages_in_a_browser(http) -> None:
    det = http.get("/data/determination/CM15-0045678", headers=HTML)
    assert det.status_code == 303 and det.headers["location"] == "/letter/CM15-0045678"
    graph = http.get("/data/graph/CM15-0045678", headers=HTML)
    assert graph.status_code == 303 and graph.headers["location"] == "/letter/CM15-0045678"
    item = http.get("/data/determination/CM15-0045678/item/2", headers=HTML)
    assert item.status_code == 200
    assert 'href="/letter/CM15-0045678"' in item.text
    assert 'href="/data/determination/CM15-0045678/item/2/service"' in item.text
    assert (
        http.get("/data/determination/CM99-0000000", headers={"Accept": "text/turtle"}).status_code
        == 404
    )


def test_the_base_is_configurable(backend, tmp_path) -> None:
    served = start_server([*backend.args, "--base", "https://w3id.org/"], tmp_path / "log")
    try:
        with served.client() as http:
            response = http.get(
                "/imrgraph/data/determination/CM15-0045678", headers={"Accept": "text/turtle"}
            )
            assert response.status_code == 200
            assert b"CM15-0045678" in response.content
    finally:
        stop_server(served)


# -- SPARQL protocol -------------------------------------------------------------------------

COUNT = (
    "SELECT (COUNT(DISTINCT ?d) AS ?n) "
    "WHERE { GRAPH ?g { ?d a <https://w3id.org/imrgraph/ontology#Determination> } }"
)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/csv", None),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_select_in_every_result_format_get_and_post(http, accept, fmt) -> None:
    letters = len(list(EXAMPLES.glob("*.pdf"))) + 1
    answers = [
        http.get("/sparql", params={"query": COUNT}, headers={"Accept": accept}),
        http.post("/sparql", data={"query": COUNT}, headers={"Accept": accept}),
        http.post(
            "/sparql",
            content=COUNT.encode(),
            headers={"Accept": accept, "Content-Type": "application/sparql-query"},
        ),
    ]
    for response in answers:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(accept)
        if fmt is None:  # CSV is lossy: pyoxigraph does not read it back; the csv module does
            rows = list(csv.reader(io.StringIO(response.text)))
            assert rows == [["n"], [str(letters)]]
            assert response.content.endswith(b"\r\n")  # RFC 4180 line ends
            continue
        solutions = ox.parse_query_results(response.content, format=fmt)
        assert [int(s["n"].value) for s in solutions] == [letters]


def test_ask_and_construct_answer_in_their_formats(http) -> None:
    ask = http.get(
        "/sparql",
        params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is True
    query = (
        "CONSTRUCT { ?d <http://purl.org/dc/terms/identifier> ?id } WHERE { GRAPH ?g { "
        "?d <http://purl.org/dc/terms/identifier> ?id } }"
    )
    for accept, fmt in (
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ):
        response = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        ids = {q.object.value for q in ox.parse(response.content, format=fmt)}
        assert "CM15-0045678" in ids and HOSTILE_CASE in ids


def test_every_saved_query_answers_as_imrgraph_query_csv(http, backend) -> None:
    """The endpoint gives, cell for cell, what `imrgraph query NAME --format csv` prints."""
    where = (
        ["--store", str(backend.store_args["store"])]
        if "store" in backend.store_args
        else ["--endpoint", backend.store_args["endpoint"]]
    )
    checked = 0
    for query in saved_queries():
        for params in PARAMS.get(query.name, [{}]):
            args = ["query", query.name, "--format", "csv", *where]
            for name, value in params.items():
                args += ["--param", f"{name}={value}"]
            printed = CliRunner().invoke(cli, args)
            assert printed.exit_code == 0, printed.output
            expected = list(csv.reader(io.StringIO(printed.stdout)))
            text = bind_with_values(query.text, query.bindings(params))
            answer = http.post("/sparql", data={"query": text}, headers=SPARQL_CSV)
            assert answer.status_code == 200, (query.name, answer.text)
            got = list(csv.reader(io.StringIO(answer.text)))
            assert got == expected, (query.name, params)
            if not params:
                assert len(got) > 1, query.name
            checked += 1
    assert checked >= len(saved_queries())


@pytest.mark.parametrize(
    "send",
    [
        lambda h: h.post("/sparql", data={"update": "DROP ALL"}),
        lambda h: h.post(
            "/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}
        ),
        lambda h: h.post("/sparql", data={"query": "DROP ALL"}),
        lambda h: h.get(
            "/sparql", params={"query": "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"}
        ),
        lambda h: h.get("/sparql", params={"update": "CLEAR ALL"}),
    ],
)
def test_updates_are_refused_and_change_nothing(http, send) -> None:
    before = http.get("/sparql", params={"query": COUNT}, headers=SPARQL_CSV).text
    response = send(http)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert http.get("/sparql", params={"query": COUNT}, headers=SPARQL_CSV).text == before


def test_bad_queries_get_one_line_errors(http) -> None:
    for query, status, words in (
        ("SELECT * WHERE {", 400, "bad SPARQL"),
        ("hello", 400, "not a SPARQL query"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 400, "SERVICE"),
    ):
        response = http.get(
            "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == status
        assert words in response.text and "Traceback" not in response.text
    page = http.get("/sparql", params={"query": "SELECT * WHERE {"}, headers=HTML)
    assert page.status_code == 400 and 'id="sparql-error"' in page.text


def test_query_limits_stop_long_and_large_queries(backend, tmp_path) -> None:
    served = start_server(
        [*backend.args, "--max-rows", "5", "--query-seconds", "1"], tmp_path / "log"
    )
    try:
        with served.client() as http:
            big = http.get(
                "/sparql",
                params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert big.status_code == 413
            assert "more than 5 results" in big.text
            small = http.get(
                "/sparql",
                params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5"},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert small.status_code == 200 and len(small.json()["results"]["bindings"]) == 5
            started = time.monotonic()
            slow = http.get(
                "/sparql",
                params={
                    "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?a { ?s ?p ?o } "
                    "GRAPH ?b { ?x ?y ?z } GRAPH ?c { ?q ?r ?t } }"
                },
                headers={"Accept": "application/sparql-results+json"},
            )
            assert slow.status_code == 503
            assert "time limit of 1 s" in slow.text
            assert time.monotonic() - started < 10
            if backend.name == "embedded":
                # the evaluation was stopped, not left running: the server's processes idle
                tree = psutil.Process(served.process.pid)
                time.sleep(1)

                def busy() -> float:
                    procs = [tree, *tree.children(recursive=True)]
                    return sum(sum(p.cpu_times()[:2]) for p in procs if p.is_running())

                before = busy()
                time.sleep(2)
                assert busy() - before < 1.0
            # a second runaway query is stopped the same way (a fresh worker took the place)
            again = http.get(
                "/sparql",
                params={
                    "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?a { ?s ?p ?o } "
                    "GRAPH ?b { ?x ?y ?z } GRAPH ?c { ?q ?r ?t } }"
                },
                headers={"Accept": "application/sparql-results+json"},
            )
            assert again.status_code == 503
            # the server still answers
            assert http.get("/", headers=HTML).status_code == 200
    finally:
        stop_server(served)


# -- safety ----------------------------------------------------------------------------------


def test_no_url_reaches_the_file_system(http) -> None:
    for path in (
        "/static/../app.py",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e/storeview.py",
        "/static/templates/base.html.j2",
        "/../../etc/passwd",
        "/letter/..%2f..%2fetc%2fpasswd",
        "/queries/..%2f..%2fpyproject",
    ):
        response = http.get(path, headers=HTML)
        assert response.status_code in (400, 404), path
        assert "root:" not in response.text and "[project]" not in response.text
        assert "Traceback" not in response.text


def test_errors_are_pages_not_tracebacks(http) -> None:
    for path, status in (
        ("/search?q=x&year=abc", 400),
        ("/guidelines?by=nobody", 400),
        ("/nowhere", 404),
    ):
        response = http.get(path, headers=HTML)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html")
        assert 'id="error-message"' in response.text and "Traceback" not in response.text


def test_binds_only_the_loopback_interface_by_default(server: Served) -> None:
    listening = [
        c.laddr
        for c in psutil.Process(server.process.pid).net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)


def test_serving_never_blocks_an_ingest_and_shows_its_letters(tmp_path) -> None:
    """The server reads the embedded store without its lock: an ingest writes meanwhile, and
    the new letter is served within the refresh interval."""
    store = embedded_store(tmp_path)
    served = start_server(["--store", str(store), "--refresh", "0.2"], tmp_path / "log")
    try:
        with served.client() as http:
            assert http.get("/letter/CM99-0000001", headers=HTML).status_code == 404
            text = (EXAMPLES / "cm14-wrist-nine-items.txt").read_text(encoding="utf-8")
            new = tmp_path / "new-letter.txt"
            new.write_text(text.replace("CM14-0087452", "CM99-0000001"), encoding="utf-8")
            result = subprocess.run(
                [sys.executable, "-m", "imrgraph", "ingest", str(new), "--store", str(store)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            assert "locked" not in result.stdout + result.stderr
            deadline = time.monotonic() + 20
            while http.get("/letter/CM99-0000001", headers=HTML).status_code != 200:
                assert time.monotonic() < deadline, "the new letter never showed"
                time.sleep(0.2)
            home = http.get("/", params={"format": "json"}).json()
            assert home["overview"]["letters"] == len(list(EXAMPLES.glob("*.pdf"))) + 2
    finally:
        stop_server(served)


WRITER = """
import sys, time
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest
store = open_store(sys.argv[1], read_only=False)  # read-write: holds the lock
summary = ingest([sys.argv[2]], store, workers=1)
assert not summary.failures, summary.failures
print("written", flush=True)
time.sleep(120)  # still holding the lock, as a long ingest does
"""


def test_while_an_ingest_holds_the_store_its_snapshot_is_served(tmp_path) -> None:
    """A writer at work holds the lock: the server reads the snapshot it published."""
    store = embedded_store(tmp_path)
    served = start_server(["--store", str(store), "--refresh", "0.2"], tmp_path / "log")
    text = (EXAMPLES / "cm14-wrist-nine-items.txt").read_text(encoding="utf-8")
    new = tmp_path / "new-letter.txt"
    new.write_text(text.replace("CM14-0087452", "CM99-0000002"), encoding="utf-8")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), str(new)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "written"
        with served.client() as http:
            deadline = time.monotonic() + 20
            while (page := http.get("/letter/CM99-0000002", headers=HTML)).status_code != 200:
                assert time.monotonic() < deadline, "the writer's snapshot was never served"
                time.sleep(0.2)
            assert "snapshot of" in page.text  # the footer names the view being read
            assert writer.poll() is None  # the writer was never disturbed
            assert http.get("/letter/CM15-0045678", headers=HTML).status_code == 200
    finally:
        writer.kill()
        writer.wait(10)
        stop_server(served)
