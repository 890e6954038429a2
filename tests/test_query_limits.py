"""Query limits: no query kills the process, runs for ever, ignores Ctrl-C or reaches out.

The promises (RELIABILITY.md, "Query limits"):

- a query nested too deep or too long for Oxigraph (whose parser and evaluator recurse: 3,000
  nested groups segfault the process, and abort ``oxigraph serve`` behind ``--endpoint``) is
  refused with one line before it reaches either engine;
- every command that reads the store takes ``--timeout`` (both backends); a query past it stops
  with one line within about the limit, is not sent again, and Ctrl-C stops a running query;
- SERVICE (the engine would fetch any URL the query names) is refused unless ``--allow-service``;
  allowed, a bad or silent remote answer ends as one line within the time limit.

The hostile servers here are the test's own, on 127.0.0.1, and count the requests they get.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from imrgraph.errors import QueryError
from imrgraph.store import EmbeddedStore, EndpointStore
from imrgraph.store.queries import saved_queries

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # interpreters started per case
IMRGRAPH = [sys.executable, "-m", "imrgraph"]
# Four unrelated patterns over every triple of every graph: 2,000 triples of the examples make
# 1.6e13 rows to count, i.e. for ever.
CARTESIAN = (
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j . ?k ?l ?m } }"
)
DEEP = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("IMRGRAPH_STORE", None)
    env.pop("IMRGRAPH_ENDPOINT", None)
    return subprocess.run(
        [*IMRGRAPH, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single ``imrgraph: error:`` line of a failed run (no traceback)."""
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("imrgraph: error: "), result.stderr[-2000:]
    return lines[0]


@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example letters in an embedded store (about 2,000 triples of letters)."""
    path = tmp_path_factory.mktemp("limits") / "store"
    result = _run("ingest", "examples/letters", "-j", "1", "--store", str(path))
    assert result.returncode == 0, result.stderr
    return path


class Recorder(http.server.ThreadingHTTPServer):
    """A hostile HTTP server on 127.0.0.1: ``mode`` says how it answers; it counts requests."""

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests: list[str] = []
        self.release = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Recorder

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.requests.append(f"{self.command} {self.path}")
        if self.server.mode == "hang":  # accepts, reads, never answers
            self.server.release.wait(60)
            return
        body = b"<html><body><h1>Welcome to our web site</h1></body></html>"
        if self.server.mode == "garbage":
            body = b"\x00\xffnot sparql results {"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def recorder(mode: str) -> Iterator[Recorder]:
    server = Recorder(mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


# ---- nesting and size ------------------------------------------------------------------------


def test_a_deeply_nested_query_is_refused_with_one_line_not_a_crash(example_store, tmp_path):
    query = tmp_path / "deep.rq"
    query.write_text(DEEP, encoding="utf-8")  # 18 KB, 3,000 nested groups: exit 139 before
    line = _one_line_error(_run("query", str(query), "--store", str(example_store)))
    assert "nests brackets too deep" in line
    chain = "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 10_000 + "?o) }"  # a segfault as well
    line = _one_line_error(_run("query", "--sparql", chain, "--store", str(example_store)))
    assert "too long for the engine" in line


@pytest.mark.server
def test_a_deeply_nested_query_never_reaches_the_server(oxigraph_server):
    store = EndpointStore(oxigraph_server.query_url)
    try:
        with pytest.raises(QueryError, match="too deep"):
            store.select(DEEP)
        with pytest.raises(QueryError, match="too deep"):
            store.update("INSERT DATA { " + "{ " * 3000 + " }" * 3000 + " }")
        # the server is alive (before, it aborted with a stack overflow)
        assert store.select("SELECT (1 AS ?one) WHERE {}").rows == [(1,)]
    finally:
        store.close()


def test_the_limits_leave_every_saved_query_and_long_values_blocks_alone():
    from imrgraph.store.sparqltext import check_query_text

    for query in saved_queries():
        check_query_text(query.text)
    # a flat list of terms is harmless to the engine and not counted
    rows = " ".join(f'"{i}"' for i in range(20_000))
    store = EmbeddedStore(None)
    result = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {rows} }} }}")
    assert result.rows == [(20_000,)]


# ---- time limits -------------------------------------------------------------------------------


def test_a_cartesian_product_stops_at_the_time_limit_with_one_line(example_store):
    started = time.monotonic()
    result = _run("query", "--sparql", CARTESIAN, "--store", str(example_store), "--timeout", "2")
    elapsed = time.monotonic() - started
    line = _one_line_error(result)
    assert "time limit (2 s)" in line
    assert elapsed < 15, elapsed  # interpreter start-up + 2 s; before: for ever


@pytest.mark.parametrize("backend", ["embedded", "hung server"])
def test_ctrl_c_stops_a_running_query(example_store, backend):
    with contextlib.ExitStack() as stack:
        if backend == "embedded":
            where = ["--store", str(example_store)]
        else:
            where = ["--endpoint", f"{stack.enter_context(recorder('hang')).url}/query"]
        _interrupt([*IMRGRAPH, "query", "--sparql", CARTESIAN, *where])


def _interrupt(command: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        time.sleep(3)  # start-up, then well inside the query
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)  # before: SIGINT was ignored
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, stderr
    assert stderr.strip() == "imrgraph: interrupted"


def test_a_query_given_up_by_the_store_api_stops_at_its_next_row():
    from imrgraph.errors import QueryTimeout
    from imrgraph.store.embedded import abandoned_queries

    store = EmbeddedStore(None, timeout=None)
    store.update(
        "INSERT DATA { GRAPH <http://g> { "
        + " ".join(f"<http://s{i}> <http://p> {i} ." for i in range(300))
        + " } }"
    )
    streaming = "SELECT * WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j . ?k ?l ?m } }"
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"time limit \(0.5 s\)"):
        store.select(streaming, timeout=0.5)  # the call's own limit (a web app passes its own)
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 5
    while abandoned_queries() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert abandoned_queries() == 0  # the thread left at its next row
    assert store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows == [(300,)]


COMMANDS = [
    ("stats",),
    ("guidelines",),
    ("network",),
    ("plot", "years", "-o", "{tmp}/years.svg"),
    ("report", "-o", "{tmp}/report.html", "--shacl-sample", "0"),
    ("validate",),
    ("query", "outcomes-by-category"),
    ("export", "--case", "CM15-0000001"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_stops_on_a_hung_server_at_its_timeout_and_sends_once(command, tmp_path):
    args = [part.format(tmp=tmp_path) for part in command]
    with recorder("hang") as server:
        started = time.monotonic()
        result = _run(*args, "--endpoint", f"{server.url}/query", "--timeout", "1")
        elapsed = time.monotonic() - started
        sent = list(server.requests)
    line = _one_line_error(result)
    assert "time limit (1 s)" in line
    assert len(sent) == 1, sent  # not retried: before, 4 tries of 300 s each
    assert elapsed < 15, elapsed


# ---- SERVICE -----------------------------------------------------------------------------------


def test_service_is_refused_and_nothing_is_fetched(example_store):
    with recorder("html") as server:
        query = f"SELECT * WHERE {{ SERVICE <{server.url}/sparql> {{ ?s ?p ?o }} }}"
        line = _one_line_error(_run("query", "--sparql", query, "--store", str(example_store)))
        lower = query.replace("SERVICE", "service")
        line2 = _one_line_error(_run("query", "--sparql", lower, "--store", str(example_store)))
        assert server.requests == []  # before: the store fetched the URL
    assert "SERVICE" in line and "--allow-service" in line and line == line2


@pytest.mark.parametrize("mode", ["garbage", "hang"])
def test_an_allowed_service_that_answers_badly_or_never_ends_in_one_line(example_store, mode):
    with recorder(mode) as server:
        query = f"SELECT * WHERE {{ SERVICE <{server.url}/sparql> {{ ?s ?p ?o }} }}"
        started = time.monotonic()
        result = _run(
            "query", "--sparql", query, "--allow-service", "--timeout", "2",
            "--store", str(example_store),
        )  # fmt: skip
        assert server.requests  # allowed: it was asked
    line = _one_line_error(result)
    assert time.monotonic() - started < 15
    if mode == "hang":
        assert "time limit (2 s)" in line
    else:
        assert "query failed" in line


def test_service_is_found_as_a_keyword_only():
    from imrgraph.store.sparqltext import check_query_text

    harmless = (
        'SELECT * WHERE { ?s ex:SERVICE "SERVICE <http://x/>" . ?s <http://e/SERVICE> ?o }\n'
        "# SERVICE <http://x/> in a comment"
    )
    check_query_text("PREFIX ex: <http://e/>\n" + harmless)
    for hidden in ("\n\tSeRvIcE <http://x/> {}", " SERVICE SILENT <http://x/> {}"):
        with pytest.raises(QueryError, match="SERVICE"):
            check_query_text("SELECT * WHERE { ?s ?p ?o" + hidden + " }")


@pytest.mark.parametrize("backend", ["embedded", "server"])
def test_a_select_returning_too_many_values_is_refused_not_held(example_store, backend, request):
    # a cartesian product streams about 40 MB of rows a second: before, held until memory ran
    # out (the time limit alone would allow gigabytes); the default limit is 5 million values
    if backend == "server":
        server = request.getfixturevalue("oxigraph_server")
        server.clear()
        store = EndpointStore(server.query_url)
        store.update("INSERT DATA { GRAPH <http://g> { " + " ".join(
            f"<http://s{i}> <http://p> {i} ." for i in range(100)) + " } }")  # fmt: skip
    else:
        store = EmbeddedStore(example_store, create=False)
    store.max_cells = 3_000
    streaming = "SELECT * WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f } }"
    try:
        with pytest.raises(QueryError, match=r"more than 428 rows \(3,000 values\)"):
            store.select(streaming)
        assert len(store.select(streaming + " LIMIT 428").rows) == 428  # 7 columns
    finally:
        store.close()
        if backend == "server":
            server.clear()
