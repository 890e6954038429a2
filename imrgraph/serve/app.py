"""The web application: ``create_app(store=... | endpoint=...)`` returns a Starlette app.

Pages (each linkable; ``?format=json|csv`` or an ``Accept`` header gives its data): home,
search, guidelines, one guideline, one letter (and its graph as Turtle/JSON-LD/N-Triples), the
live report, the saved queries, and the read-only SPARQL endpoint ``/sparql``. Any other path
is a graph IRI under ``base`` (``https://w3id.org/imrgraph/data/...`` is served at
``/data/...``), answered by content negotiation.

Safety: nothing writes (the store is opened read-only, updates are refused); letter text is
escaped by Jinja2's autoescape and pages carry a Content-Security-Policy that allows no script
at all; no URL path reaches the file system (static files are package data, looked up by name
in a fixed table); every error is a page (or a one-line text for API clients), never a
traceback.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import AsyncIterator, Callable
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
import pyoxigraph as ox
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from imrgraph import __version__
from imrgraph.errors import ImrGraphError, QueryError, StoreError
from imrgraph.serve import pages
from imrgraph.serve.formats import (
    RDF_TYPES,
    RESULT_TYPES,
    negotiate,
    rdf_bytes,
    results_bytes,
    rows_csv,
    to_json,
)
from imrgraph.serve.limits import (
    READ_ONLY,
    Limits,
    QueryLimitHit,
    QueryPool,
    QueryRefused,
    run_limited,
)
from imrgraph.serve.storeview import ReadOnlySource, StoreSource, open_source
from imrgraph.store import GraphStore

__all__ = ["DEFAULT_BASE", "create_app"]

log = logging.getLogger("imrgraph.serve")

DEFAULT_BASE = "https://w3id.org/imrgraph/"
MAX_BODY = 1 << 20  # bytes of a POSTed query or form
PAGE_TYPES = {"html": "text/html", "json": "application/json", "csv": "text/csv"}
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The live report is the file `imrgraph report` writes: its own inline CSS and SVG, no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
STATIC = {"style.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml"}


def _pct(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.{digits}f}%"


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _environment(base: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("imrgraph.serve", "templates"),
        autoescape=True,  # letters are untrusted input: every value is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else "–"

    def applink(iri: Any) -> str | None:
        """The app path serving ``iri``, or None for an IRI outside ``base`` (shown as text)."""
        text = str(iri)
        if not text.startswith(base):
            return None
        return "/" + quote(text[len(base) :], safe="/#:-._~%+,=@")

    def term(value: Any) -> Markup:
        """An RDF term for display: a link when the app serves it, escaped text otherwise."""
        if isinstance(value, ox.NamedNode):
            link = applink(value.value)
            if link:
                return Markup('<a href="{}">{}</a>').format(link, value.value)
            return Markup("&lt;{}&gt;").format(value.value)
        if isinstance(value, ox.Literal):
            return Markup("{}").format(value.value)
        if value is None:
            return Markup("")
        return Markup("{}").format(str(value))

    env.filters["applink"] = applink
    env.filters["term"] = term
    env.globals["version"] = __version__
    env.globals["guideline_path"] = lambda iri: (
        "/guideline/" + quote(str(iri).rsplit("/", 1)[-1], safe="")
    )
    env.globals["letter_path"] = lambda key: "/letter/" + quote(str(key), safe="/")
    env.globals["urlencode"] = lambda **kw: urlencode(
        {k: v for k, v in kw.items() if v not in (None, "")}
    )
    return env


class _Cache:
    """Page data per store generation: the home page, the report and the guideline pages are
    whole-corpus counts, computed once per view of the store (a new view clears it)."""

    def __init__(self, size: int = 256, max_age: float | None = None) -> None:
        self.size = size
        self.max_age = max_age  # seconds an entry is kept (a SPARQL server); None: per view
        self.generation = -1
        self.entries: dict[Any, Any] = {}
        self.computing = {}
        self.lock = threading.Lock()

    def get(self, generation: int, key: Any, compute: Callable[[], Any]) -> Any:
        with self.lock:
            if generation != self.generation:
                self.generation = generation
                self.entries = {}
                self.computing: dict[Any, threading.Lock] = {}
            if key in self.entries and self._fresh(key):
                return self.entries[key][0]
            # one computation per key: 20 clients asking for the same page wait for the first
            gate = self.computing.setdefault(key, threading.Lock())
        with gate:
            with self.lock:
                if generation == self.generation and key in self.entries and self._fresh(key):
                    return self.entries[key][0]
            value = compute()
            with self.lock:
                if generation == self.generation:
                    if len(self.entries) >= self.size:
                        self.entries.pop(next(iter(self.entries)))
                    self.entries.pop(key, None)  # re-inserted last: the oldest go first
                    self.entries[key] = (value, time.monotonic())
                    self.computing.pop(key, None)
        return value

    def _fresh(self, key: Any) -> bool:
        return self.max_age is None or time.monotonic() - self.entries[key][1] < self.max_age


class _Server:
    """The state the routes share: the store source, the templates, the limits."""

    def __init__(self, source: StoreSource, base: str, limits: Limits) -> None:
        self.source = source
        self.base = base
        self.data_base = base + "data/"
        self.limits = limits
        self.env = _environment(base)
        # worker processes for visitors' queries on the embedded store (killed at the deadline)
        self.pool = QueryPool(limits.max_running) if isinstance(source, ReadOnlySource) else None
        self.cache = _Cache(max_age=getattr(source, "cache_seconds", None))
        self.started = time.time()

    # -- helpers -----------------------------------------------------------------------------

    async def read(self, compute: Callable[[GraphStore], Any], key: Any = None) -> Any:
        """Run ``compute(store)`` in a worker thread (cached per store view when ``key``)."""
        store, generation = await run_in_threadpool(self.source.current)

        def work() -> Any:
            try:
                if key is None:
                    return compute(store)
                return self.cache.get(generation, key, lambda: compute(store))
            except StoreError:
                self.source.stale()  # e.g. a file removed under an old view: reopen next time
                raise

        return await run_in_threadpool(work)

    def html(
        self, request: Request, template: str, http_status: int = 200, **context: Any
    ) -> Response:
        body = self.env.get_template(template).render(
            request_path=request.url.path,
            query=request.query_params,
            location=self.source.location,
            limits=self.limits,
            **context,
        )
        return Response(body, http_status, media_type="text/html; charset=utf-8")

    @staticmethod
    def choose(request: Request, offered: tuple[str, ...], types: dict[str, str]) -> str:
        """``?format=`` if given (must be offered), else the Accept header's choice."""
        asked = request.query_params.get("format")
        if asked:
            if asked not in offered:
                raise HTTPException(
                    400, f"format {asked!r} is not offered here (one of {', '.join(offered)})"
                )
            return asked
        chosen = negotiate(request.headers.get("accept"), offered, types)
        if chosen is None:
            raise HTTPException(
                406,
                "none of the formats you accept is offered here: "
                + ", ".join(types[o] for o in offered),
            )
        return chosen

    def page(
        self,
        request: Request,
        template: str,
        data: dict[str, Any],
        columns: tuple[str, ...],
        rows: list[dict[str, Any]],
        extra: dict[str, Any] | None = None,
    ) -> Response:
        fmt = self.choose(request, ("html", "json", "csv"), PAGE_TYPES)
        if fmt == "json":
            return Response(to_json(data), media_type="application/json")
        if fmt == "csv":
            return Response(rows_csv(columns, rows), media_type="text/csv; charset=utf-8")
        return self.html(request, template, **data, **(extra or {}))

    def rdf(self, fmt: str, triples: list[ox.Triple], name: str | None = None) -> Response:
        headers = {}
        if name:
            ext = {"turtle": "ttl", "jsonld": "jsonld", "ntriples": "nt"}[fmt]
            headers["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
        media = RDF_TYPES[fmt] + ("; charset=utf-8" if fmt != "jsonld" else "")
        return Response(rdf_bytes(fmt, triples), media_type=media, headers=headers)

    # -- pages -------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        data = await self.read(pages.home, "home")
        return self.page(request, "home.html.j2", data, tuple(pages_columns()), data["ranking"])

    async def guidelines(self, request: Request) -> Response:
        params = request.query_params
        by = params.get("by") or "reviewer"
        level = params.get("level") or "document"
        category = params.get("category") or None
        year = _int(params.get("year"), "year")
        data = await self.read(
            lambda s: pages.guidelines(s, by, level, category, year),
            ("guidelines", by, level, category, year),
        )
        return self.page(request, "guidelines.html.j2", data, pages_columns(), data["ranking"])

    async def guideline(self, request: Request) -> Response:
        name = request.path_params["name"]
        concept = f"{self.base}guideline/{name}"
        fmt = self.choose(
            request, ("html", "json", "csv", "turtle", "jsonld", "ntriples"), PAGE_TYPES | RDF_TYPES
        )
        if fmt in RDF_TYPES:
            described = await self.read(lambda s: pages.resource(s, concept))
            if described is None:
                raise HTTPException(404, f"no guideline {name!r} in the guideline scheme")
            return self.rdf(fmt, described["triples"])
        data = await self.read(
            lambda s: pages.guideline(s, concept, self.data_base), ("guideline", concept)
        )
        if data is None:
            raise HTTPException(404, f"no guideline {name!r} in the guideline scheme")
        rows = [{"dimension": "year", **r} for r in data["by_year"]] + [
            {"dimension": "category", **r} for r in data["by_category"]
        ]
        request.scope["query_string"] = request.scope["query_string"]  # unchanged
        columns = (
            "dimension",
            "label",
            "items",
            "upheld",
            "overturned",
            "uphold_rate",
            "ci_low",
            "ci_high",
            "lift",
        )
        if fmt == "json":
            return Response(to_json(data), media_type="application/json")
        if fmt == "csv":
            return Response(rows_csv(columns, rows), media_type="text/csv; charset=utf-8")
        return self.html(request, "guideline.html.j2", **data)

    async def search(self, request: Request) -> Response:
        params = request.query_params
        text = (params.get("q") or "").strip()
        outcome = params.get("outcome") or None
        category = params.get("category") or None
        reason = params.get("reason") or None
        year = _int(params.get("year"), "year")
        page = max(_int(params.get("page"), "page") or 1, 1)
        if text and pages.looks_like_case(text) and not (outcome or category or year or reason):
            graph = f"{self.data_base}graph/{text.strip().upper()}"
            exists = await self.read(
                lambda s: s.ask("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": ox.NamedNode(graph)})
            )
            if exists:
                return RedirectResponse(
                    "/letter/" + quote(text.strip().upper(), safe=""), status_code=303
                )
        if not text:
            data: dict[str, Any] = {
                "q": "",
                "outcome": outcome,
                "year": year,
                "category": category,
                "reason": reason,
                "decisions": [],
                "truncated": False,
                "upheld": 0,
                "uphold_rate": None,
                "ci_low": None,
                "ci_high": None,
                "categories": [],
                "reasons": [],
            }
            found: list[dict[str, str]] = []
        else:
            data = await self.read(
                lambda s: pages.search(
                    s, text, self.data_base, outcome, year, category, self.limits.max_rows, reason
                ),
                ("search", text.lower(), outcome, year, category, reason),
            )
            found = await self.read(
                lambda s: pages.matching_guidelines(s, text), ("guideline-match", text.lower())
            )
        total = len(data["decisions"])
        pages_count = max(1, math.ceil(total / pages.PAGE_SIZE))
        page = min(page, pages_count)
        shown = data["decisions"][(page - 1) * pages.PAGE_SIZE : page * pages.PAGE_SIZE]
        return self.page(
            request,
            "search.html.j2",
            data,
            pages.SEARCH_COLUMNS,
            data["decisions"],
            {"shown": shown, "page": page, "pages": pages_count, "guidelines": found},
        )

    async def letter(self, request: Request) -> Response:
        key = request.path_params["key"]
        graph = f"{self.data_base}graph/{key}"
        fmt = self.choose(
            request, ("html", "json", "csv", "turtle", "jsonld", "ntriples"), PAGE_TYPES | RDF_TYPES
        )
        if fmt in RDF_TYPES:
            triples = await self.read(lambda s: pages.graph_triples(s, graph))
            if not triples:
                raise HTTPException(404, f"no letter {key!r} in {self.source.location}")
            return self.rdf(fmt, triples, name=key.replace("/", "-"))
        data = await self.read(lambda s: pages.letter(s, graph, self.data_base))
        if data is None:
            raise HTTPException(404, f"no letter {key!r} in {self.source.location}")
        return self.page(
            request, "letter.html.j2", data, pages.LETTER_COLUMNS, pages.letter_rows(data)
        )

    async def report(self, request: Request) -> Response:
        from imrgraph.analysis.report import build_report, report_data

        fmt = self.choose(request, ("html", "json", "csv"), PAGE_TYPES)
        data = await self.read(lambda s: report_data(s, shacl=None), "report")
        if fmt == "json":
            return Response(
                to_json({k: v for k, v in data.items() if k != "charts"}),
                media_type="application/json",
            )
        if fmt == "csv":
            return Response(
                rows_csv(pages_columns(), data["ranking"]), media_type="text/csv; charset=utf-8"
            )
        html = await run_in_threadpool(build_report, data)
        return Response(
            html,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": REPORT_CSP},
        )

    async def queries(self, request: Request) -> Response:
        from imrgraph.store.queries import saved_queries

        listed = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "params": [p.__dict__ for p in q.params],
            }
            for q in saved_queries()
        ]
        return self.page(
            request,
            "queries.html.j2",
            {"queries": listed},
            ("name", "title", "description"),
            listed,
        )

    async def saved_query(self, request: Request) -> Response:
        from imrgraph.store.queries import load_query, run_select

        name = request.path_params["name"]
        if not name.replace("-", "").isalnum():
            raise HTTPException(404, f"no saved query {name!r}")
        query = load_query(name)  # by name, from the package's queries/ only
        values = {
            k: v
            for k, v in request.query_params.items()
            if k != "format" and v != "" and k in {p.name for p in query.params}
        }
        ran = "run" in request.query_params or not any(p.required for p in query.params)
        result = None
        if ran:
            result = await self.read(lambda s: run_select(s, query, values))
        rows = result.dicts() if result else []
        data = {
            "name": query.name,
            "title": query.title,
            "description": query.description,
            "params": [p.__dict__ for p in query.params],
            "values": values,
            "columns": result.columns if result else [],
            "rows": rows,
            "sparql": query.text,
        }
        return self.page(request, "query.html.j2", data, tuple(data["columns"]), rows)

    # -- SPARQL ------------------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        sparql: str | None = None
        given: dict[str, Any] = {}
        if request.method == "POST":
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > MAX_BODY:
                raise HTTPException(413, f"the request is larger than {MAX_BODY:,} bytes")
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                raise HTTPException(403, READ_ONLY)
            if ctype == "application/sparql-query":
                body = await request.body()
                if len(body) > MAX_BODY:
                    raise HTTPException(413, f"the request is larger than {MAX_BODY:,} bytes")
                try:
                    sparql = body.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise HTTPException(400, "the query is not UTF-8 text") from exc
                given = dict(request.query_params)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.form(max_files=0, max_fields=50)
                given = {k: v for k, v in form.items() if isinstance(v, str)}
                sparql = given.get("query")
            else:
                raise HTTPException(
                    415,
                    "send the query as application/sparql-query or as the form field query= "
                    "(application/x-www-form-urlencoded)",
                )
        else:
            given = dict(request.query_params)
            sparql = given.get("query")
        if "update" in given or "using-graph-uri" in given or "using-named-graph-uri" in given:
            raise HTTPException(403, READ_ONLY)
        if "default-graph-uri" in given or "named-graph-uri" in given:
            raise HTTPException(
                400,
                "default-graph-uri and named-graph-uri are not supported: letters are named "
                "graphs, match them with GRAPH ?g { ... }",
            )
        wants_html = self._wants_html(request, given)
        if sparql is None:
            if request.method == "POST":
                raise HTTPException(
                    400, "no query: send query= or an application/sparql-query body"
                )
            return self.html(
                request, "sparql.html.j2", text=_EXAMPLE_QUERY, answer=None, error=None
            )
        try:
            form = _form_of(sparql)
        except QueryRefused as exc:
            return self._sparql_error(request, sparql, str(exc), exc.status, wants_html)
        except QueryError as exc:
            return self._sparql_error(request, sparql, str(exc), 400, wants_html)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        offered = (
            ("turtle", "ntriples", "jsonld", "html")
            if graph
            else ("json", "xml", "csv", "tsv", "html")
        )
        types = {**RDF_TYPES, **RESULT_TYPES, "html": "text/html"}
        if given.get("format") and "format" not in request.query_params:  # the form's field
            if given["format"] not in offered:
                raise HTTPException(400, f"format {given['format']!r} is not offered here")
            fmt = given["format"]
        else:
            fmt = self.choose(request, offered, types)
        store, _ = await run_in_threadpool(self.source.current)
        try:
            answer = await run_in_threadpool(run_limited, store, sparql, self.limits, self.pool)
        except (QueryRefused, QueryLimitHit) as exc:
            return self._sparql_error(request, sparql, str(exc), exc.status, fmt == "html")
        except QueryError as exc:
            return self._sparql_error(request, sparql, str(exc), 400, fmt == "html")
        except ImrGraphError as exc:
            self.source.stale()
            return self._sparql_error(request, sparql, str(exc), 503, fmt == "html")
        if fmt == "html":
            return self.html(request, "sparql.html.j2", text=sparql, answer=answer, error=None)
        if graph:
            return self.rdf(fmt, answer.triples)
        body = results_bytes(
            fmt, answer.variables, answer.rows, answer.boolean if form == "ASK" else None
        )
        media = RESULT_TYPES[fmt] + ("; charset=utf-8" if fmt in ("csv", "tsv") else "")
        return Response(body, media_type=media)

    @staticmethod
    def _wants_html(request: Request, given: dict[str, Any]) -> bool:
        asked = request.query_params.get("format") or given.get("format")
        if asked:
            return asked == "html"
        accept = request.headers.get("accept", "")
        return "text/html" in accept

    def _sparql_error(
        self, request: Request, sparql: str, message: str, status: int, html: bool
    ) -> Response:
        if html:
            return self.html(
                request,
                "sparql.html.j2",
                http_status=status,
                text=sparql,
                answer=None,
                error=message,
            )
        return Response(message + "\n", status, media_type="text/plain; charset=utf-8")

    # -- linked data -------------------------------------------------------------------------

    async def resolve(self, request: Request) -> Response:
        """Any other path: the IRI ``base + path``, in the format the client asks for."""
        path = request.path_params["path"]
        iri = self.base + path
        graph_prefix = f"{self.data_base}graph/"
        det_prefix = f"{self.data_base}determination/"
        fmt = self.choose(
            request, ("html", "turtle", "jsonld", "ntriples", "json"), PAGE_TYPES | RDF_TYPES
        )
        if fmt == "html":
            key = None
            if iri.startswith(graph_prefix):
                key = iri[len(graph_prefix) :]
            elif (
                iri.startswith(det_prefix)
                and "/item/" not in iri
                and not iri.endswith(("/applicant", "/injury", "/reviewer", "/ur-decision"))
            ):
                key = iri[len(det_prefix) :]
            if key:
                return RedirectResponse("/letter/" + quote(key, safe="/"), status_code=303)
        if (
            iri.startswith(graph_prefix)
            or iri == f"{self.base}graph/ontology"
            or iri.startswith(f"{self.base}graph/")
        ):
            triples = await self.read(lambda s: pages.graph_triples(s, iri))
            if triples:
                if fmt in RDF_TYPES:
                    return self.rdf(fmt, triples)
                described = {"iri": iri, "triples": triples, "graphs": [iri], "is_graph": True}
                return self._resource(request, fmt, described)
        described = await self.read(lambda s: pages.resource(s, iri))
        if described is None:
            raise HTTPException(404, f"nothing in {self.source.location} is called <{iri}>")
        if fmt in RDF_TYPES:
            return self.rdf(fmt, described["triples"])
        return self._resource(request, fmt, described)

    def _resource(self, request: Request, fmt: str, described: dict[str, Any]) -> Response:
        det_prefix = f"{self.data_base}determination/"
        letter = None
        if described["iri"].startswith(det_prefix):
            letter = described["iri"][len(det_prefix) :].split("/item/")[0]
            letter = letter.removesuffix("/applicant").removesuffix("/injury")
            letter = letter.removesuffix("/reviewer").removesuffix("/ur-decision")
        if fmt == "json":
            return Response(
                to_json(
                    {
                        "iri": described["iri"],
                        "triples": [
                            [str(t.subject.value), t.predicate.value, str(t.object)]
                            for t in described["triples"]
                        ],
                    }
                ),
                media_type="application/json",
            )
        return self.html(request, "resource.html.j2", **described, letter=letter)

    # -- static files and errors -------------------------------------------------------------

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:  # a fixed table: no URL ever becomes a file path
            raise HTTPException(404, f"no static file {name!r}")
        data = resources.files("imrgraph.serve").joinpath("static", name).read_bytes()
        return Response(
            data, media_type=STATIC[name], headers={"Cache-Control": "public, max-age=3600"}
        )

    async def error(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            status, message = exc.status_code, str(exc.detail)
        elif isinstance(exc, QueryError):
            status, message = 400, str(exc)
        elif isinstance(exc, StoreError):
            status, message = 503, str(exc)
        elif isinstance(exc, ImrGraphError):
            status, message = 500, str(exc)
        else:
            log.exception("error serving %s", request.url.path, exc_info=exc)
            status, message = 500, "internal error (the server's log has the details)"
        if "text/html" in request.headers.get("accept", "") or not request.headers.get("accept"):
            return self.html(
                request, "error.html.j2", http_status=status, status_code=status, message=message
            )
        return Response(message + "\n", status, media_type="text/plain; charset=utf-8")


def pages_columns() -> tuple[str, ...]:
    from imrgraph.analysis.guidelines import COLUMNS

    return COLUMNS


def _int(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise QueryError(f"{name} must be a whole number, not {value!r}") from exc


def _form_of(sparql: str) -> str:
    from imrgraph.serve.limits import check_query

    return check_query(sparql)


_EXAMPLE_QUERY = """PREFIX imr: <https://w3id.org/imrgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Services and outcomes of the first 20 disputed items
SELECT ?letter ?service ?outcome WHERE {
  GRAPH ?g {
    ?letter imr:hasItem ?item .
    ?item imr:requestsService/rdfs:label ?service ; imr:hasOutcome ?outcome .
  }
} LIMIT 20
"""


def create_app(
    store: Path | str | None = None,
    endpoint: str | None = None,
    *,
    base: str = DEFAULT_BASE,
    limits: Limits | None = None,
    refresh: float = 2.0,
    cache_seconds: float = 60.0,
    source: StoreSource | None = None,
) -> Starlette:
    """The web application over the embedded ``store`` (read-only) or a SPARQL ``endpoint``.

    ``base``: the IRI prefix served at the app's root (``{base}data/...`` -> ``/data/...``).
    ``limits``: the SPARQL endpoint's per-query limits. ``refresh``: how often (seconds) the
    server looks for letters stored since (``imrgraph.serve.storeview``). ``cache_seconds``:
    on a SPARQL server, how long whole-corpus pages are reused (the embedded store's are kept
    until the store changes).
    """
    if not base.endswith(("/", "#")):
        base += "/"
    # a page may need a long query on a large server; visitors' SPARQL has its own limit
    source = source or open_source(
        store, endpoint, refresh=refresh, timeout=300.0, cache_seconds=cache_seconds
    )
    server = _Server(source, base, limits or Limits())
    routes = [
        Route("/", server.home),
        Route("/search", server.search),
        Route("/guidelines", server.guidelines),
        Route("/guideline/{name}", server.guideline),
        Route("/letter/{key:path}", server.letter),
        Route("/report", server.report),
        Route("/queries", server.queries),
        Route("/queries/{name}", server.saved_query),
        Route("/sparql", server.sparql, methods=["GET", "POST"]),
        Route("/static/{name}", server.static),
        Route("/{path:path}", server.resolve),
    ]

    async def headers(request: Request, call_next: Any) -> Response:
        try:
            response = await call_next(request)
        except Exception as exc:  # errors are pages, whatever raised them
            response = await server.error(request, exc)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Vary", "Accept")
        return response

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if server.pool is not None:
            server.pool.close()
        source.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=headers)],
        exception_handlers={Exception: server.error, HTTPException: server.error},
        lifespan=lifespan,
    )
    app.state.server = server
    return app
