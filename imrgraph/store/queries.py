"""Saved SPARQL queries (``queries/*.rq``): their header, their parameters, running them.

Each file starts with a comment header that documents it and declares its parameters::

    # title: Guidelines behind upheld denials
    # description: For each guideline concept cited by the expert reviewers, ...
    #   (indented comment lines continue the previous field)
    # param: level = document [document|section] Concept level to count at.
    # param: service:string (required) Text to find in the service.
    # columns: guideline, items, upheld, uphold_rate
    # requires: tallies

A parameter is ``NAME[:TYPE] [-> ?VAR] (= DEFAULT | (required))? [CHOICE|...]? HELP``; TYPE is
string (default), integer, decimal, boolean, date or iri; it binds ``?NAME``, or ``?VAR`` when the
parameter's name is also one of the columns (``service -> ?text``). A parameter with neither
default nor ``(required)`` is optional and stays unbound when not given. Values are checked against
the type and choices, then bound as RDF terms: never pasted into the query text.
``requires: tallies`` marks a query that reads the tallies ingest keeps (``imrgraph.rdf.tallies``):
it is refused, with the command that fixes it, on a store whose tallies are not current.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from imrgraph.errors import QueryError
from imrgraph.resources import resource_dir
from imrgraph.store.base import GraphStore
from imrgraph.store.results import SelectResult
from imrgraph.store.sparqltext import query_form

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("string", "integer", "decimal", "boolean", "date", "iri")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<type>\w+))?\s*"
    r"(?:->\s*\?(?P<var>[A-Za-z_][A-Za-z0-9_]*)\s*)?"
    r"(?:=\s*(?P<default>\"[^\"]*\"|\S+)|\((?P<flag>required|optional)\))?\s*"
    r"(?:\[(?P<choices>[^\]]*)\])?\s*(?P<help>.*)$"
)


@dataclass(frozen=True)
class Param:
    """A declared parameter of a saved query."""

    name: str
    type: str = "string"
    default: str | None = None
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    variable: str = ""  # the SPARQL variable it binds; its name unless declared ``-> ?var``

    @property
    def var(self) -> str:
        return self.variable or self.name

    def term(self, value: str, source: str) -> ox.NamedNode | ox.Literal:
        """``value`` (text from the command line) as an RDF term of this parameter's type."""
        if self.choices:
            matching = [c for c in self.choices if c.lower() == value.lower()]
            value = matching[0] if matching else value
        if self.choices and value not in self.choices:
            raise QueryError(
                f"{source}: parameter {self.name} must be one of "
                f"{', '.join(self.choices)}, not {value!r}"
            )
        try:
            if self.type == "string":
                return ox.Literal(value)
            if self.type == "integer":
                return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
            if self.type == "decimal":
                return ox.Literal(str(Decimal(value)), datatype=ox.NamedNode(XSD + "decimal"))
            if self.type == "boolean":
                if value.lower() not in ("true", "false"):
                    raise ValueError(value)
                return ox.Literal(value.lower(), datatype=ox.NamedNode(XSD + "boolean"))
            if self.type == "date":
                iso = dt.date.fromisoformat(value).isoformat()
                return ox.Literal(iso, datatype=ox.NamedNode(XSD + "date"))
            return ox.NamedNode(value)
        except (ValueError, InvalidOperation) as exc:
            raise QueryError(
                f"{source}: parameter {self.name} needs a {self.type}, got {value!r}"
            ) from exc


@dataclass
class SavedQuery:
    """A SPARQL query with its documentation and declared parameters."""

    name: str
    text: str
    path: Path | None = None
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return str(self.path) if self.path else self.name

    @property
    def form(self) -> str:
        return query_form(self.text)

    def _variant_taking(self, param: str) -> str:
        """A pointer to the saved query named like this one that takes ``param``, if any
        (``uphold-rate-by-year`` -> ``uphold-rate-by-year-for-service`` for ``service``)."""
        if self.path is None:
            return ""
        # Only the files named like this one, and any that cannot be read is passed over: a
        # user's query may sit among other files, and their errors are not this one's.
        for path in sorted(self.path.parent.glob(f"{glob.escape(self.name)}-*.rq")):
            try:
                other = read_query(path)
            except QueryError:
                continue
            if param in {p.name for p in other.params}:
                return f"; the query {other.name} takes {param!r}"
        return ""

    def bindings(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Bind ``values`` (name -> text) plus the declared defaults, checking every one.

        A query without a header accepts any parameter as a string literal (``<...>`` = IRI),
        for ad-hoc ``--sparql`` text; a documented query accepts only its declared ones.
        """
        declared = {p.name: p for p in self.params}
        terms: dict[str, ox.NamedNode | ox.Literal] = {}
        for name, value in values.items():
            param = declared.get(name)
            if param is None:
                if self.params or self.title:
                    known = ", ".join(declared) or "none"
                    raise QueryError(
                        f"{self.source}: unknown parameter {name!r} (parameters: {known})"
                        + self._variant_taking(name)
                    )
                if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                    raise QueryError(f"{name!r} is not a valid SPARQL variable name")
                if value.startswith("<") and value.endswith(">"):
                    param = Param(name, "iri")
                    value = value[1:-1]
                else:
                    param = Param(name)
            if param.required and not value.strip():  # nothing to look for: not "match all"
                raise QueryError(
                    f"{self.source}: parameter {param.name} is required and was given blank "
                    f"(--param {param.name}=VALUE): {param.help}"
                )
            terms[param.var] = param.term(value, self.source)
        for param in self.params:
            if param.name in values:
                continue
            if param.default is not None:
                terms[param.var] = param.term(param.default, self.source)
            elif param.required:
                raise QueryError(
                    f"{self.source}: parameter {param.name} is required "
                    f"(--param {param.name}=VALUE): {param.help}"
                )
        return terms


def parse_header(text: str) -> dict[str, object]:
    """Read the ``# key: value`` header at the top of a query file."""
    fields: dict[str, list[str]] = {}
    params: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        body = stripped[1:]
        if body.startswith(("  ", "\t")) and current is not None:
            current.append(body.strip())
            continue
        key, sep, value = body.strip().partition(":")
        key = key.strip().lower()
        if not sep or not re.fullmatch(r"[a-z]+", key):
            current = None
            continue
        if key == "param":
            current = [value.strip()]
            params.append(current)
        else:
            current = fields.setdefault(key, [])
            current.append(value.strip())
    return {
        "title": " ".join(fields.get("title", [])),
        "description": " ".join(fields.get("description", [])),
        "columns": [c.strip() for c in " ".join(fields.get("columns", [])).split(",") if c.strip()],
        "requires": " ".join(fields.get("requires", [])).replace(",", " ").split(),
        "params": [" ".join(p) for p in params],
    }


def _parse_param(spec: str, source: str) -> Param:
    match = _PARAM.match(spec)
    if not match:
        raise QueryError(f"{source}: cannot read parameter declaration {spec!r}")
    type_ = (match["type"] or "string").lower()
    if type_ not in PARAM_TYPES:
        raise QueryError(f"{source}: parameter type {type_!r} is not one of {PARAM_TYPES}")
    default = match["default"]
    if default is not None and default.startswith('"'):
        default = default[1:-1]
    choices = tuple(c.strip() for c in (match["choices"] or "").split("|") if c.strip())
    return Param(
        name=match["name"],
        type=type_,
        default=default,
        required=match["flag"] == "required",
        choices=choices,
        help=match["help"].strip(),
        variable=match["var"] or "",
    )


def read_query(path: Path, name: str | None = None) -> SavedQuery:
    """Load a query file and its header."""
    from imrgraph.store.sparqltext import MAX_QUERY_CHARS

    try:
        size = path.stat().st_size
        if size > 4 * MAX_QUERY_CHARS:  # refused before reading a huge file into memory
            raise QueryError(f"{path}: the query is too large ({size:,} bytes)")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read the query: {exc}") from exc
    header = parse_header(text)
    params = [_parse_param(spec, str(path)) for spec in header["params"]]  # type: ignore[union-attr]
    return SavedQuery(
        name=name or path.stem,
        text=text,
        path=path,
        title=str(header["title"]),
        description=str(header["description"]),
        params=params,
        columns=list(header["columns"]),  # type: ignore[arg-type]
        requires=list(header["requires"]),  # type: ignore[arg-type]
    )


def saved_queries(directory: Path | None = None) -> list[SavedQuery]:
    """Every saved query shipped with imrgraph, by name."""
    folder = directory or resource_dir("queries")
    return [read_query(path) for path in sorted(folder.glob("*.rq"))]


def load_query(name_or_file: str, directory: Path | None = None) -> SavedQuery:
    """A saved query by name (``guidelines-upheld-denials``) or a ``.rq`` file path."""
    candidate = Path(name_or_file)
    if name_or_file.endswith(".rq") or candidate.is_file():
        if not candidate.is_file():
            raise QueryError(f"{name_or_file}: no such query file")
        return read_query(candidate)
    folder = directory or resource_dir("queries")
    path = folder / f"{name_or_file}.rq"
    if not path.is_file():
        names = ", ".join(q.name for q in saved_queries(folder))
        raise QueryError(f"unknown query {name_or_file!r} (saved queries: {names})")
    return read_query(path)


def adhoc_query(text: str) -> SavedQuery:
    """A query given as text (``--sparql``), with its header if it has one."""
    header = parse_header(text)
    params = [_parse_param(spec, "--sparql") for spec in header["params"]]  # type: ignore[union-attr]
    return SavedQuery(
        name="--sparql",
        text=text,
        title=str(header["title"]),
        description=str(header["description"]),
        params=params,
        columns=list(header["columns"]),  # type: ignore[arg-type]
        requires=list(header["requires"]),  # type: ignore[arg-type]
    )


def check_requirements(store: GraphStore, query: SavedQuery) -> None:
    """Refuse a query whose ``requires:`` the store does not meet, saying how to meet it."""
    from imrgraph.store.tallies import tallies_current

    for need in query.requires:
        if need != "tallies":
            raise QueryError(f"{query.source}: unknown requirement {need!r} (known: tallies)")
        if not tallies_current(store):
            from imrgraph.store.tallies import has_letters

            if not has_letters(store):  # nothing to tally: `imrgraph tally` would not help
                writing = getattr(store, "snapshot", None) is not None
                raise QueryError(
                    f"{store.location} holds no letters yet"
                    + (
                        " (the ingest writing it has not stored its first letter): run the "
                        "query again in a moment"
                        if writing
                        else " (run `imrgraph ingest` first)"
                    )
                )
            raise QueryError(
                f"{query.source}: reads the tallies, which are not current in "
                f"{store.location} (letters written by an older imrgraph, or changed by a "
                "SPARQL Update): run `imrgraph tally` once to rebuild them"
            )


def run_select(
    store: GraphStore,
    query: SavedQuery,
    values: Mapping[str, str] | None = None,
    *,
    timeout: float | None = None,
) -> SelectResult:
    """Run a SELECT saved query with parameter ``values``; refuse anything else.

    ``timeout``: seconds the query may run (None: the store's own limit; 0: none).
    """
    form = query.form
    if form == "UPDATE":
        raise QueryError(f"{query.source}: is a SPARQL Update; queries here only read the store")
    if form != "SELECT":
        raise QueryError(f"{query.source}: is a {form} query; expected SELECT")
    bindings = query.bindings(values or {})
    check_requirements(store, query)
    result = store.select(query.text, bindings, timeout=timeout)
    if query.requires:
        _check_unchanged(store, query)
    return result


def _check_unchanged(store: GraphStore, query: SavedQuery) -> None:
    """Refuse a result that read tallies which lost their mark while the query ran.

    On a server, `imrgraph tally` (or an update) may drop the tallies' descriptions between the
    check before the query and the query itself, which would then count too little.
    """
    from imrgraph.store.tallies import tallies_current

    if not tallies_current(store):
        raise QueryError(
            f"{query.source}: the tallies in {store.location} changed while the query ran (an "
            "`imrgraph tally` or a SPARQL Update): run it again once that has ended"
        )
