"""Server faults on ``--endpoint``: a real Oxigraph server that fails, answers 500, is too slow,
or is stopped mid-ingest and restarted.

The promise (RELIABILITY.md, "SPARQL server faults"): transient failures (connection refused,
timeouts, 500/502/503/504) are retried with exponential backoff; when the retries run out,
``imrgraph ingest`` stops with one line naming the letters not written (all of them in
``--report``), and running the same command again finishes the job, because writing a letter is
idempotent and letters already on the server are skipped. Every test ends by comparing the
server's graphs, triple by triple, with an embedded-store ingest of the same letters.

The faults come from a small forwarding proxy of the test's own (127.0.0.1) in front of a real
``oxigraph serve``: it passes requests through, or answers 500, or sleeps, on chosen requests.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import _oxigraph_binary, _stop, assert_whole_after_a_failure

from imrgraph.store import ONTOLOGY_GRAPH, EmbeddedStore, EndpointStore
from imrgraph.store.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
IMRGRAPH = [sys.executable, "-m", "imrgraph"]
# Two ingest batches (32 files each): while the first batch's letters are written, the second
# is still being parsed, so a server killed once the first letters arrive always leaves letters
# unwritten (with one batch, the ingest could finish in the moment before the kill).
LETTERS = 60

pytestmark = [pytest.mark.server, pytest.mark.slow]


# ---- a real server we can stop and restart on the same port ----------------------------------


class Server:
    def __init__(self, location: Path, port: int) -> None:
        self.location = location
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = _oxigraph_binary()
        assert binary, "oxigraph server not installed"
        self.process = subprocess.Popen(
            [binary, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                response = httpx.post(
                    f"{self.url}/query",
                    content=b"ASK {}",
                    headers={"Content-Type": "application/sparql-query"},
                    timeout=2,
                )
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("oxigraph serve did not start")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "server-data", _free_port())
    running.start()
    yield running
    running.stop()


# ---- a proxy that injects faults ------------------------------------------------------------


class Proxy(http.server.ThreadingHTTPServer):
    """Forwards to ``upstream``; ``fault(kind, n)`` decides what the n-th request of a kind gets."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = upstream
        self.counts = {"update": 0, "query": 0, "store": 0}
        self.lock = threading.Lock()
        self.fault = lambda kind, n: None  # None: pass; ("status", 500); ("sleep", seconds)

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/query"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: Proxy

    def _forward(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        kind = self.path.lstrip("/").split("?")[0]
        with self.server.lock:
            self.server.counts[kind] = self.server.counts.get(kind, 0) + 1
            n = self.server.counts[kind]
        fault = self.server.fault(kind, n)
        if fault and fault[0] == "status":
            self.send_response(fault[1])
            self.send_header("Content-Length", "14")
            self.end_headers()
            self.wfile.write(b"injected fault")
            return
        if fault and fault[0] == "sleep":
            time.sleep(fault[1])
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        try:
            response = httpx.request(
                method, self.server.upstream + self.path, content=body, headers=headers, timeout=60
            )
        except httpx.TransportError:
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(response.status_code)
        self.send_header("Content-Type", response.headers.get("content-type", "text/plain"))
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        # the client may have given up waiting (the "too slow" test)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(response.content)

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy(server: Server) -> Iterator[Proxy]:
    running = Proxy(server.url)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


# ---- letters and the expected result -----------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("server-corpus")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "corpus.py"), "--letters", str(LETTERS),
         "--seed", "5", "--out", str(out), "--text"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def expected(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, frozenset]:
    """The letter graphs an embedded-store ingest of the corpus makes."""
    location = tmp_path_factory.mktemp("server-expected") / "store"
    with EmbeddedStore(location) as store:
        summary = ingest([corpus], store, workers=1)
        assert summary.stored == LETTERS
        return _graphs(store)


def _graphs(store) -> dict[str, frozenset]:
    out: dict[str, set[str]] = {}
    for quad in store.quads():
        if quad.graph_name.value != ONTOLOGY_GRAPH:
            out.setdefault(quad.graph_name.value, set()).add(str(quad.triple))
    return {name: frozenset(triples) for name, triples in out.items()}


def _on_server(server: Server) -> dict[str, frozenset]:
    store = EndpointStore(f"{server.url}/query")
    try:
        return _graphs(store)
    finally:
        store.close()


def _letters_on(server: Server) -> int:
    """How many letters the server holds (one cheap COUNT query)."""
    store = EndpointStore(f"{server.url}/query", retries=0)
    try:
        return store.stats()["letters"]
    finally:
        store.close()


def _difference(got: dict[str, frozenset], expected: dict[str, frozenset]) -> str:
    """Which graphs differ and how (for the assertion message)."""
    lines = []
    for name in sorted(set(got) | set(expected)):
        a, b = got.get(name, frozenset()), expected.get(name, frozenset())
        if a != b:
            lines.append(f"{name}: only on server {sorted(a - b)[:3]}, missing {sorted(b - a)[:3]}")
    return "\n".join(lines)


def _ingest(corpus: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IMRGRAPH, "ingest", str(corpus), "--endpoint", url, "-j", "1", *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )


# ---- the tests -------------------------------------------------------------------------------


def test_transient_500s_are_retried_and_the_ingest_completes(corpus, expected, server, proxy):
    # every 7th update is answered 500 once; the retry (same request) goes through
    proxy.fault = lambda kind, n: ("status", 500) if kind == "update" and n % 7 == 0 else None
    run = _ingest(corpus, proxy.query_url)
    assert run.returncode == 0, run.stderr
    got = _on_server(server)
    assert got == expected, _difference(got, expected)


def test_a_server_answering_500_stops_ingest_naming_the_letters_not_written(
    corpus, expected, server, proxy, tmp_path
):
    proxy.fault = lambda kind, n: ("status", 500) if kind == "update" and n > 11 else None
    report = tmp_path / "report.json"
    run = _ingest(corpus, proxy.query_url, "--report", str(report))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    [error] = [line for line in run.stderr.splitlines() if line.startswith("imrgraph: error:")]
    assert "HTTP 500 (after 4 attempts)" in error
    assert "letters not written" in error
    assert "rerun the same command" in error
    data = json.loads(report.read_text())
    written = _on_server(server)
    stored = assert_whole_after_a_failure(written, expected)  # what is there is whole
    assert 0 < stored < LETTERS
    assert len(data["not_written"]) == LETTERS - stored

    proxy.fault = lambda kind, n: None  # the server is healthy again: rerun finishes the job
    rerun = _ingest(corpus, proxy.query_url)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{stored} skipped" in rerun.stderr
    got = _on_server(server)
    assert got == expected, _difference(got, expected)


def test_a_server_too_slow_times_out_once_then_a_rerun_finishes(corpus, expected, server, proxy):
    # from the 6th update on, the proxy waits 2.5 s before forwarding: longer than --timeout 1
    proxy.fault = lambda kind, n: ("sleep", 2.5) if kind == "update" and n > 5 else None
    run = _ingest(corpus, proxy.query_url, "--timeout", "1")
    assert run.returncode == 1
    assert "time limit (1 s)" in run.stderr
    assert "letters not written" in run.stderr
    # a request that timed out is not sent again (the server may still be working on it)
    assert proxy.counts["update"] == 6, proxy.counts
    time.sleep(3)  # the late updates reach the server after the client gave up
    proxy.fault = lambda kind, n: None
    rerun = _ingest(corpus, proxy.query_url, "--timeout", "30")
    assert rerun.returncode == 0, rerun.stderr
    got = _on_server(server)  # a late write applied twice is still one letter
    assert got == expected, _difference(got, expected)


@pytest.mark.slow
def test_the_real_server_stopped_mid_ingest_and_restarted(corpus, expected, server):
    process = subprocess.Popen(
        [*IMRGRAPH, "ingest", str(corpus), "--endpoint", f"{server.url}/query", "-j", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if _letters_on(server) >= 1:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before the server could be stopped"
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)  # the server dies mid-ingest
    server.process.wait(timeout=10)
    server.process = None
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "cannot reach the SPARQL server" in stderr
    assert "letters not written" in stderr

    server.start()  # same data folder, same port
    assert_whole_after_a_failure(_on_server(server), expected)
    rerun = _ingest(corpus, f"{server.url}/query")
    assert rerun.returncode == 0, rerun.stderr
    got = _on_server(server)
    assert got == expected, _difference(got, expected)


def test_a_server_that_is_down_names_every_letter_not_written(corpus, tmp_path):
    report = tmp_path / "report.json"
    run = _ingest(corpus, f"http://127.0.0.1:{_free_port()}/query", "--report", str(report))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    [error] = [line for line in run.stderr.splitlines() if line.startswith("imrgraph: error:")]
    assert "cannot reach the SPARQL server" in error
    assert f"{LETTERS} letters not written" in error
    assert len(json.loads(report.read_text())["not_written"]) == LETTERS
