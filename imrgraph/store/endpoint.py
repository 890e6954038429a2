"""The SPARQL-server backend: any SPARQL 1.1 Query/Update/Graph Store Protocol server over HTTP.

For when one machine or one process is not enough: the server handles concurrent readers and
writers. Each letter is written with ONE update request (``DROP SILENT GRAPH`` + ``INSERT
DATA``), which a SPARQL 1.1 server runs as one transaction, so a letter is wholly there or not.
Transient failures (connection refused or reset, timeouts, 500/502/503/504) are retried with
exponential backoff; everything else becomes a one-line ``EndpointError`` or ``QueryError``.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from imrgraph.errors import EndpointError, QueryError
from imrgraph.store.base import DEFAULT_TIMEOUT, GraphStore
from imrgraph.store.results import Term
from imrgraph.store.sparqltext import bind_with_values

# 500 too: a server's internal error (storage busy, a restart under way) is worth a retry, and
# every request imrgraph sends is idempotent (a letter is DROP GRAPH + INSERT DATA), so a retry
# can never write a letter twice. A 4xx is the request's fault and is never retried.
TRANSIENT_STATUS = {500, 502, 503, 504}
ENDPOINT_ENV = "IMRGRAPH_ENDPOINT"
#: Bytes of one query answer held in memory, at most (``max_cells`` values as JSON fit below).
MAX_ANSWER_BYTES = 2 << 30


def sibling_url(query_url: str, segment: str) -> str:
    """``query_url`` with its last path segment replaced by ``segment`` (Oxigraph's layout).

    ``http://host:7878/query`` -> ``http://host:7878/update``.
    """
    parts = urlsplit(query_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{query_url}: not an http(s) URL of a SPARQL query endpoint")
    head, _, _ = parts.path.rpartition("/")
    return urlunsplit((parts.scheme, parts.netloc, f"{head}/{segment}", "", ""))


class _ChunkReader(io.RawIOBase):
    """A file-like view of an httpx byte stream, so pyoxigraph parses as bytes arrive."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _server_message(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:300] if text else response.reason_phrase


def _check_update_answer(url: str, response: httpx.Response) -> None:
    """Refuse a 2xx answer to an update that does not come from a SPARQL Update endpoint.

    The protocol fixes only the status (2xx) of a successful update, not its body, so what is
    checked is what a SPARQL server answers and a web page does not: 204 No Content (Oxigraph,
    GraphDB), or a body that is not an HTML page, or an HTML page saying the update succeeded
    (Fuseki's "Update succeeded"). A web server or app answering 200 with its own page to any
    POST (a wrong --update-endpoint) is reported instead of "update done".
    """
    if response.status_code == 204 or not response.content.strip():
        return
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    body = response.text[:4000].lower()
    html = kind in ("text/html", "application/xhtml+xml") or body.lstrip().startswith(
        ("<!doctype html", "<html")
    )
    if html and "succe" not in body:
        raise EndpointError(
            f"{url}: answered the update with HTTP {response.status_code} and a web page, not "
            "as a SPARQL Update endpoint does (nothing says the update was applied): check "
            "--update-endpoint"
        )


class EndpointStore(GraphStore):
    """A store reached over HTTP: ``query_url`` for queries, update/store URLs next to it."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        store_url: str | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: bool = False,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or sibling_url(query_url, "update")
        self.store_url = store_url or sibling_url(query_url, "store")
        self.location = f"endpoint {query_url}"
        self.timeout = timeout
        self.allow_service = allow_service
        self.retries = retries
        self.backoff = backoff
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout or None, connect=10.0),
            transport=transport,
            headers={"User-Agent": "imrgraph"},
        )

    # -- HTTP with retries ------------------------------------------------------------------

    def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send ``request``; retry transient failures; raise a one-line error on failure.

        The whole exchange, retries and backoff included, ends by the deadline of the query
        (``--timeout``), and one that timed out is not sent again: the server may still be
        working on it, and a retry would only stack up busy threads there. Only a connection
        that was never made (refused, connect timeout) or a 5xx answer is retried.
        """
        url = str(request.url.copy_with(query=None))
        deadline = self.deadline()
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self.timed_out()
                request.extensions["timeout"] = httpx.Timeout(
                    left, connect=min(10.0, left)
                ).as_dict()
            try:
                response = self._client.send(request, stream=stream)
            except httpx.ConnectTimeout as exc:  # nothing reached the server: a retry is safe
                if not last and self._pause(attempt, deadline):
                    continue
                raise EndpointError(
                    f"{url}: cannot reach the SPARQL server (connect timed out)"
                ) from exc
            except httpx.TimeoutException as exc:
                raise self.timed_out() from exc
            except httpx.TransportError as exc:
                if not last and self._pause(attempt, deadline):
                    continue
                raise EndpointError(
                    f"{url}: cannot reach the SPARQL server ({exc or type(exc).__name__})"
                ) from exc
            if (
                response.status_code in TRANSIENT_STATUS
                and not last
                and self._pause(attempt, deadline)
            ):
                response.close()
                continue
            if response.is_success:
                return response
            if stream:
                response.read()
            if response.status_code in (400, 422):
                raise QueryError(
                    f"{url}: the server refused the request: {_server_message(response)}"
                )
            tries = (
                f" (after {self.retries + 1} attempts)"
                if response.status_code in TRANSIENT_STATUS
                else ""
            )
            raise EndpointError(
                f"{url}: HTTP {response.status_code}{tries}: {_server_message(response)}"
            )
        raise AssertionError("unreachable")

    def _pause(self, attempt: int, deadline: float | None) -> bool:
        """Sleep before retry ``attempt + 1``; False if the deadline comes first."""
        pause = self.backoff * 2**attempt
        if deadline is not None and time.monotonic() + pause >= deadline:
            return False
        time.sleep(pause)
        return True

    def _body(self, response: httpx.Response) -> bytes:
        """The body of a streamed ``response``, read by the deadline (a trickling server too)."""
        deadline = self.deadline()
        chunks = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if deadline is not None and time.monotonic() > deadline:
                    raise self.timed_out()
                if size > MAX_ANSWER_BYTES:  # held in memory to be parsed: bounded
                    raise EndpointError(
                        f"{self.query_url}: the answer is larger than "
                        f"{MAX_ANSWER_BYTES >> 20:,} MiB; add a LIMIT or narrow the query"
                    )
        except httpx.TimeoutException as exc:
            raise self.timed_out() from exc
        except httpx.TransportError as exc:
            raise EndpointError(f"{self.query_url}: the answer broke off ({exc})") from exc
        finally:
            response.close()
        return b"".join(chunks)

    def _post_query(self, sparql: str, accept: str, *, stream: bool = False) -> httpx.Response:
        request = self._client.build_request(
            "POST",
            self.query_url,
            content=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
        )
        return self._send(request, stream=stream)

    # -- primitives -------------------------------------------------------------------------

    def _results(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]):
        response = self._post_query(
            bind_with_values(sparql, bindings), "application/sparql-results+json", stream=True
        )
        body = self._body(response)
        try:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{self.query_url}: unreadable query results: {exc}") from exc

    def _select_terms(
        self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]
    ) -> tuple[list[str], Iterable[tuple[Term | None, ...]]]:
        solutions = self._results(sparql, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        columns = [v.value for v in solutions.variables]
        rows = []
        limit = self.row_limit(len(columns))
        for solution in solutions:
            if len(rows) == limit:
                raise self.too_many_rows(limit)
            rows.append(tuple(solution[i] for i in range(len(columns))))
        return columns, rows

    def _ask(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> bool:
        return bool(self._results(sparql, bindings))

    def _construct(self, sparql: str) -> Iterator[ox.Triple]:
        response = self._post_query(sparql, "application/n-triples", stream=True)
        body = self._body(response)
        try:
            quads = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise EndpointError(f"{self.query_url}: unreadable triples: {exc}") from exc
        return iter(q.triple for q in quads)

    def _update(self, sparql: str) -> None:
        request = self._client.build_request(
            "POST",
            self.update_url,
            content=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        _check_update_answer(self.update_url, self._send(request))

    def _graph_quads(self, graph: str | None) -> Iterator[ox.Quad]:
        """One graph through the Graph Store Protocol (``graph=None``: the default graph)."""
        params = {"graph": graph} if graph is not None else {"default": ""}
        request = self._client.build_request(
            "GET", self.store_url, params=params, headers={"Accept": "application/n-triples"}
        )
        response = self._send(request, stream=True)
        name = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
        try:
            reader = io.BufferedReader(_ChunkReader(response.iter_bytes()))
            for quad in ox.parse(reader, format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, name)
        except SyntaxError as exc:
            raise EndpointError(f"{self.store_url}: unreadable graph {graph}: {exc}") from exc
        finally:
            response.close()

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        if graph is not None:
            yield from self._graph_quads(graph)
            return
        names = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
        for (name,) in names.rows:
            yield from self._graph_quads(str(name))

    def close(self) -> None:
        self._client.close()
