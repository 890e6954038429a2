"""Query results as plain Python values, the same whichever backend answered.

Both backends produce pyoxigraph terms (the endpoint's JSON results are turned into them), and one
converter turns terms into Python values here, so a saved query gives identical rows on the
embedded store and on a SPARQL server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
PyValue = str | int | float | bool | Decimal | dt.date | dt.datetime | None

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {
    XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}


def to_python(term: Term | None) -> PyValue:
    """Turn an RDF term into the Python value a user expects in a table or JSON.

    IRIs become their string, numbers become int/Decimal/float, xsd:boolean a bool, xsd:date and
    xsd:dateTime ``date``/``datetime``, everything else its lexical form. A literal whose lexical
    form does not fit its datatype stays a string rather than failing the whole query.
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    datatype = term.datatype.value
    value = term.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(value)
        if datatype == XSD + "decimal":
            return Decimal(value)
        if datatype in (XSD + "double", XSD + "float"):
            return float(value)
        if datatype == XSD + "boolean":
            return value in ("true", "1")
        if datatype == XSD + "date":
            return dt.date.fromisoformat(value)
        if datatype == XSD + "dateTime":
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        return value
    return value


@dataclass
class SelectResult:
    """The answer of a SELECT query: column names and rows of Python values.

    ``terms`` keeps the same rows as RDF terms for callers that must tell an IRI from a string.
    """

    columns: list[str]
    rows: list[tuple[PyValue, ...]] = field(default_factory=list)
    terms: list[tuple[Term | None, ...]] = field(default_factory=list)

    @classmethod
    def from_terms(
        cls, columns: Sequence[str], term_rows: Iterable[Sequence[Term | None]]
    ) -> SelectResult:
        """Build a result from rows of RDF terms (``None`` = unbound)."""
        terms = [tuple(row) for row in term_rows]
        rows = [tuple(to_python(t) for t in row) for row in terms]
        return cls(list(columns), rows, terms)

    def dicts(self) -> list[dict[str, PyValue]]:
        """Rows as ``{column: value}`` dictionaries."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def __iter__(self) -> Iterator[tuple[PyValue, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def json_value(value: Any) -> Any:
    """A Python value as JSON-ready data (Decimal -> float, dates -> ISO text)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def text_value(value: Any) -> str:
    """A Python value as the text of a table or CSV cell (unbound = empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)
