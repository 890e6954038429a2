"""Running a visitor's SPARQL query with a time limit and a result-size limit.

This is the one place the server evaluates untrusted SPARQL, behind :func:`run_limited`, so that
the store API's own guard (a query timeout and a size guard in ``imrgraph.store``, being added
separately) can replace the body later without touching the endpoint.

* Updates, ``SERVICE`` (the store would fetch a URL of the visitor's choosing) and dataset
  clauses are refused before anything runs.
* The server's embedded store: the query runs in one of ``max_running`` worker processes
  (:class:`QueryPool`), each holding its own read-only handle on the folder the server reads.
  Rows are pulled one by one up to ``max_rows`` + 1 (the answer is refused as too large); at the
  deadline the worker is killed, whatever pyoxigraph is doing (pyoxigraph 0.5 cannot interrupt
  a query that computes everything before its first row, ORDER BY or GROUP BY), and a fresh one
  takes its place. So a runaway query costs its visitor an error and the server nothing.
* Any other embedded store (the Python API without a pool): a thread, with the same row cap; at
  the deadline the visitor gets the error and the evaluation ends on its own.
* A SPARQL server gets the query with an HTTP timeout of the same limit, and its answer is read
  up to ``max_bytes``.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import queue
import threading
import time
from dataclasses import dataclass, field

import httpx
import pyoxigraph as ox

from imrgraph.errors import ImrGraphError, QueryError
from imrgraph.store import EmbeddedStore, EndpointStore, GraphStore
from imrgraph.store.sparqltext import _tokens, query_form

__all__ = [
    "Answer",
    "Limits",
    "QueryLimitHit",
    "QueryPool",
    "QueryRefused",
    "check_query",
    "run_limited",
]

MAX_QUERY_CHARS = 100_000


class QueryRefused(QueryError):
    """A request the read-only endpoint does not run (an update, SERVICE, ...): HTTP 403/400."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class QueryLimitHit(QueryError):
    """The query went over the time limit or the result-size limit: HTTP 503 / 413."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    """Per-query limits of the SPARQL endpoint (``imrgraph serve`` options)."""

    seconds: float = 10.0
    max_rows: int = 10_000
    max_running: int = 2
    max_bytes: int = 64 << 20


@dataclass
class Answer:
    """A query's answer: SELECT rows, an ASK boolean, or CONSTRUCT/DESCRIBE triples."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[object, ...]] = field(default_factory=list)  # pyoxigraph terms or None
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    seconds: float = 0.0


READ_ONLY = (
    "this SPARQL endpoint is read-only: SPARQL Update is refused "
    "(write with `imrgraph ingest` on the machine that holds the store)"
)


def check_query(sparql: str) -> str:
    """The query's form (SELECT, ASK, CONSTRUCT, DESCRIBE); refuse what the server never runs."""
    if len(sparql) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the query is longer than {MAX_QUERY_CHARS:,} characters", 413)
    form = query_form(sparql)
    if form == "UPDATE":
        raise QueryRefused(READ_ONLY, 403)
    for kind, value, _ in _tokens(sparql):
        if kind == "word" and value.upper() == "SERVICE":
            raise QueryRefused(
                "SERVICE (federated query) is refused: this server does not fetch other URLs"
            )
        if kind == "word" and value.upper() in ("FROM",):
            raise QueryRefused(
                "FROM / FROM NAMED are not supported here: letters are named graphs, "
                "match them with GRAPH ?g { ... }"
            )
    return form


_running_lock = threading.Lock()
_running: dict[int, threading.Semaphore] = {}


def _semaphore(limits: Limits) -> threading.Semaphore:
    with _running_lock:
        return _running.setdefault(
            limits.max_running, threading.BoundedSemaphore(limits.max_running)
        )


def _too_slow(limits: Limits) -> QueryLimitHit:
    return QueryLimitHit(
        f"the query ran past the time limit of {limits.seconds:g} s and was stopped "
        "(narrow it, or add a LIMIT)",
        503,
    )


def _too_big(limits: Limits) -> QueryLimitHit:
    return QueryLimitHit(
        f"the query's answer has more than {limits.max_rows:,} results, the limit per query "
        "(add a LIMIT, or page with LIMIT/OFFSET)",
        413,
    )


def _collect(result: object, form: str, max_rows: int) -> Answer | None:
    """The answer of a pyoxigraph query result, or None past ``max_rows`` results."""
    answer = Answer(form)
    if isinstance(result, ox.QueryBoolean):
        answer.boolean = bool(result)
    elif isinstance(result, ox.QuerySolutions):
        answer.variables = [v.value for v in result.variables]
        width = len(answer.variables)
        for solution in result:
            answer.rows.append(tuple(solution[i] for i in range(width)))
            if len(answer.rows) > max_rows:
                return None
    else:
        for triple in result:  # type: ignore[attr-defined]
            answer.triples.append(triple)
            if len(answer.triples) > max_rows:
                return None
    return answer


def _worker_main(conn: multiprocessing.connection.Connection) -> None:  # pragma: no cover
    """A query worker: open the folder read-only (again only when it changes), run, answer."""
    opened: dict[tuple[str, int], ox.Store] = {}
    conn.send(("ready", None))  # imports done: the query's time starts when it is sent
    while True:
        try:
            folder, generation, sparql, form, max_rows = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            key = (folder, generation)
            if key not in opened:
                opened.clear()
                opened[key] = ox.Store.read_only(folder)
            answer = _collect(opened[key].query(sparql), form, max_rows)
            reply: tuple[str, object] = ("too-big", None) if answer is None else ("ok", answer)
        except SyntaxError as exc:
            reply = ("syntax", str(exc))
        except OSError as exc:
            opened.clear()
            reply = ("store", str(exc))
        except Exception as exc:  # an engine error is the visitor's answer, not the worker's end
            reply = ("error", str(exc))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child,), daemon=True, name="imrgraph-sparql"
        )
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, seconds: float = 120.0) -> None:
        """Wait for the worker's imports (a spawned process starts from scratch)."""
        if self.ready:
            return
        if not self.conn.poll(seconds):
            raise EOFError("the query worker did not start")
        self.conn.recv()
        self.ready = True

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """``size`` worker processes that run visitors' queries on a read-only store folder.

    Spawned (not forked: the server has threads and an open store) and started at once, so the
    first queries do not pay for the start. A worker past its deadline is killed and replaced.
    """

    def __init__(self, size: int) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context)
        with self._lock:
            self._all = [w for w in self._all if w.process.is_alive()] + [worker]
        return worker

    def run(self, folder: str, generation: int, sparql: str, form: str, limits: Limits) -> Answer:
        try:
            worker = self._idle.get(timeout=limits.seconds)
        except queue.Empty:
            raise QueryLimitHit(
                f"the server is busy with {limits.max_running} other queries; try again shortly",
                503,
            ) from None
        try:
            if worker is None or not worker.process.is_alive():
                worker = self._start()
            worker.wait_ready()
            deadline = time.monotonic() + limits.seconds
            worker.conn.send((folder, generation, sparql, form, limits.max_rows))
            if not worker.conn.poll(max(deadline - time.monotonic(), 0)):
                worker.kill()  # the only way to stop pyoxigraph mid-query
                worker = self._start()
                raise _too_slow(limits)
            kind, payload = worker.conn.recv()
        except (EOFError, OSError) as exc:
            if worker is not None:
                worker.kill()
            worker = None
            raise ImrGraphError(f"the query worker stopped ({exc or 'no answer'})") from exc
        finally:
            self._idle.put(worker)
        if kind == "ok":
            return payload  # type: ignore[return-value]
        if kind == "too-big":
            raise _too_big(limits)
        if kind == "syntax":
            raise QueryError(f"bad SPARQL: {payload}")
        if kind == "store":
            raise ImrGraphError(f"query failed: {payload}")
        raise QueryError(f"the query failed: {payload}")

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.kill()


def _embedded(store: EmbeddedStore, sparql: str, form: str, limits: Limits) -> Answer:
    deadline = time.monotonic() + limits.seconds
    box: dict[str, object] = {}
    stop = threading.Event()

    def work() -> None:
        try:
            result = store.oxigraph.query(sparql)
            answer = Answer(form)
            if isinstance(result, ox.QueryBoolean):
                answer.boolean = bool(result)
            elif isinstance(result, ox.QuerySolutions):
                answer.variables = [v.value for v in result.variables]
                width = len(answer.variables)
                for solution in result:
                    if stop.is_set():
                        return
                    answer.rows.append(tuple(solution[i] for i in range(width)))
                    if len(answer.rows) > limits.max_rows:
                        box["error"] = _too_big(limits)
                        return
            else:
                for triple in result:
                    if stop.is_set():
                        return
                    answer.triples.append(triple)
                    if len(answer.triples) > limits.max_rows:
                        box["error"] = _too_big(limits)
                        return
            box["answer"] = answer
        except SyntaxError as exc:
            box["error"] = QueryError(f"bad SPARQL: {exc}")
        except OSError as exc:
            box["error"] = ImrGraphError(f"{store.location}: query failed: {exc}")
        except Exception as exc:  # an engine error must be a page, never a dead thread
            box["error"] = QueryError(f"the query failed: {exc}")
        finally:
            gate.release()

    gate = _semaphore(limits)
    if not gate.acquire(timeout=max(deadline - time.monotonic(), 0)):
        raise QueryLimitHit(
            f"the server is busy with {limits.max_running} other queries; try again shortly", 503
        )
    thread = threading.Thread(target=work, name="sparql", daemon=True)
    thread.start()
    thread.join(max(deadline - time.monotonic(), 0))
    if thread.is_alive():
        stop.set()  # a streaming query stops at its next row; see the module docstring
        raise _too_slow(limits)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["answer"]  # type: ignore[return-value]


def _endpoint(store: EndpointStore, sparql: str, form: str, limits: Limits) -> Answer:
    construct = form in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples" if construct else "application/sparql-results+json"
    try:
        with store._client.stream(
            "POST",
            store.query_url,
            content=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
            timeout=httpx.Timeout(limits.seconds, connect=min(limits.seconds, 10.0)),
        ) as response:
            body = io.BytesIO()
            for chunk in response.iter_bytes():
                body.write(chunk)
                if body.tell() > limits.max_bytes:
                    raise _too_big(limits)
            if response.status_code >= 400:
                message = body.getvalue().decode("utf-8", "replace").strip()[:300]
                if response.status_code in (400, 422):
                    raise QueryError(f"bad SPARQL: {message}")
                raise ImrGraphError(
                    f"the SPARQL server answered HTTP {response.status_code}: {message}"
                )
    except httpx.TimeoutException as exc:
        raise _too_slow(limits) from exc
    except httpx.TransportError as exc:
        raise ImrGraphError(f"{store.query_url}: cannot reach the SPARQL server ({exc})") from exc
    data = body.getvalue()
    answer = Answer(form)
    try:
        if construct:
            answer.triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
            if len(answer.triples) > limits.max_rows:
                raise _too_big(limits)
            return answer
        result = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    except SyntaxError as exc:
        raise ImrGraphError(f"{store.query_url}: unreadable answer: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        answer.boolean = bool(result)
        return answer
    answer.variables = [v.value for v in result.variables]
    width = len(answer.variables)
    for solution in result:
        answer.rows.append(tuple(solution[i] for i in range(width)))
        if len(answer.rows) > limits.max_rows:
            raise _too_big(limits)
    return answer


def run_limited(
    store: GraphStore, sparql: str, limits: Limits, pool: QueryPool | None = None
) -> Answer:
    """Run a visitor's read-only query within ``limits``; raise a one-line error otherwise.

    ``pool``: worker processes for the server's read-only embedded store (killed at the
    deadline); without it an embedded store is queried in a thread.
    """
    from imrgraph.serve.storeview import ReadOnlyEmbedded

    form = check_query(sparql)
    started = time.monotonic()
    if pool is not None and isinstance(store, ReadOnlyEmbedded):
        answer = pool.run(str(store.folder), store.generation, sparql, form, limits)
    elif isinstance(store, EmbeddedStore):
        answer = _embedded(store, sparql, form, limits)
    elif isinstance(store, EndpointStore):
        gate = _semaphore(limits)  # at most max_running at once on a server too
        if not gate.acquire(timeout=limits.seconds):
            raise QueryLimitHit(
                f"the server is busy with {limits.max_running} other queries; try again shortly",
                503,
            )
        try:
            answer = _endpoint(store, sparql, form, limits)
        finally:
            gate.release()
    else:  # pragma: no cover - only two backends exist
        raise QueryError(f"cannot run queries on {store.location}")
    answer.seconds = time.monotonic() - started
    return answer
