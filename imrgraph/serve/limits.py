"""Running a visitor's SPARQL query with a time limit and a result-size limit.

This is the one place the server evaluates untrusted SPARQL, behind :func:`run_limited`, so that
the store API's own guard (a query timeout and a size guard in ``imrgraph.store``, being added
separately) can replace the body later without touching the endpoint.

* Updates, ``SERVICE`` (the store would fetch a URL of the visitor's choosing) and dataset
  clauses are refused before anything runs.
* The embedded store evaluates in a worker thread (pyoxigraph releases the GIL) and the rows
  are pulled one by one: the pull stops at ``max_rows`` + 1 (the answer says it was cut) or at
  the deadline. A query that computes everything before its first row (ORDER BY, GROUP BY)
  cannot be interrupted inside pyoxigraph 0.5: the visitor gets the time-limit error at the
  deadline, the evaluation finishes in its thread, and the number of evaluations at once is
  capped (``max_running``), so runaway queries cannot take every core.
* A SPARQL server gets the query with an HTTP timeout of the same limit, and its answer is
  read up to ``max_bytes``.
"""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass, field

import httpx
import pyoxigraph as ox

from imrgraph.errors import ImrGraphError, QueryError
from imrgraph.store import EmbeddedStore, EndpointStore, GraphStore
from imrgraph.store.sparqltext import _tokens, query_form

__all__ = ["Answer", "Limits", "QueryLimitHit", "QueryRefused", "check_query", "run_limited"]

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


def run_limited(store: GraphStore, sparql: str, limits: Limits) -> Answer:
    """Run a visitor's read-only query within ``limits``; raise a one-line error otherwise."""
    form = check_query(sparql)
    started = time.monotonic()
    if isinstance(store, EmbeddedStore):
        answer = _embedded(store, sparql, form, limits)
    elif isinstance(store, EndpointStore):
        answer = _endpoint(store, sparql, form, limits)
    else:  # pragma: no cover - only two backends exist
        raise QueryError(f"cannot run queries on {store.location}")
    answer.seconds = time.monotonic() - started
    return answer
