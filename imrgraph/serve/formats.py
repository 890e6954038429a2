"""Writing answers: SPARQL results (JSON, XML, CSV, TSV), RDF, and page data as CSV/JSON.

SPARQL results are written here rather than by pyoxigraph because the endpoint has already
pulled (and counted) the rows to enforce its limits; the formats follow the W3C result formats.
Content negotiation (``Accept`` with q-values, or ``?format=``) is :func:`negotiate`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from imrgraph.rdf.vocab import PREFIXES

__all__ = [
    "RDF_TYPES",
    "RESULT_TYPES",
    "negotiate",
    "rdf_bytes",
    "results_bytes",
    "rows_csv",
    "to_json",
]

#: format name -> media type, for SELECT/ASK answers
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: format name -> media type, for graphs (CONSTRUCT, DESCRIBE, linked data)
RDF_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
}
_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
    "application/trig": "turtle",
}


def negotiate(accept: str | None, offered: Sequence[str], types: dict[str, str]) -> str | None:
    """The offered format the ``Accept`` header prefers (the first offered on a tie or */*).

    ``offered``: format names in the server's order of preference; ``types``: name -> media
    type. None when the client accepts none of them (HTTP 406).
    """
    if not accept or not accept.strip():
        return offered[0]
    by_type: dict[str, str] = {}
    for name in offered:
        by_type.setdefault(types[name], name)
    for alias, name in _ALIASES.items():
        if name in offered:
            by_type.setdefault(alias, name)
    parts = []
    refused = set()  # "type;q=0": never this one, even through a wildcard
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0 or math.isnan(q):
            if media in by_type:
                refused.add(by_type[media])
            continue
        parts.append((position, media, q))
    best: tuple[float, int, str] | None = None
    for position, media, q in parts:
        if media in ("*/*", "text/*", "application/*"):
            major = media.split("/")[0]
            name = next(
                (
                    n
                    for n in offered
                    if n not in refused and (major == "*" or types[n].startswith(major + "/"))
                ),
                None,
            )
            # a wildcard loses to an exact type of the same q
            rank = (q - 0.0001, -position, name) if name else None
        else:
            name = by_type.get(media)
            rank = (q, -position, name) if name else None
        if rank and rank[2] and (best is None or rank[:2] > best[:2]):
            best = (rank[0], rank[1], rank[2])
    return best[2] if best else None


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def results_bytes(
    fmt: str,
    variables: list[str],
    rows: Iterable[Sequence[Any]] | None = None,
    boolean: bool | None = None,
) -> bytes:
    """A SELECT (``rows`` of terms, None = unbound) or ASK (``boolean``) answer in ``fmt``."""
    if fmt == "json":
        if boolean is not None:
            return json.dumps({"head": {}, "boolean": boolean}).encode("utf-8")
        bindings = [
            {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows or ()
        ]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables))
        out.append("</head>")
        if boolean is not None:
            out.append(f"<boolean>{'true' if boolean else 'false'}</boolean>")
        else:
            out.append("<results>")
            for row in rows or ():
                cells = "".join(
                    f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(variables, row, strict=True)
                    if t is not None
                )
                out.append(f"<result>{cells}</result>")
            out.append("</results>")
        out.append("</sparql>\n")
        return "\n".join(out).encode("utf-8")
    buffer = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(buffer, lineterminator="\r\n")
        if boolean is not None:
            writer.writerow(["_askResult"])
            writer.writerow(["true" if boolean else "false"])
        else:
            writer.writerow(variables)
            for row in rows or ():
                writer.writerow([_csv_term(t) for t in row])
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        if boolean is not None:
            return f"?_askResult\n{'true' if boolean else 'false'}\n".encode()
        lines = ["\t".join(f"?{v}" for v in variables)]
        for row in rows or ():
            lines.append("\t".join("" if t is None else str(t) for t in row))
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown results format {fmt!r}")


def rdf_bytes(fmt: str, triples: Iterable[ox.Triple]) -> bytes:
    """Triples as Turtle, N-Triples or JSON-LD (compacted with the project's prefixes)."""
    triples = list(triples)
    if fmt == "jsonld":
        import rdflib

        graph = rdflib.Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        text = graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
        return text.encode("utf-8")
    if fmt == "turtle":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
    if fmt == "ntriples":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    raise ValueError(f"unknown RDF format {fmt!r}")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def to_json(data: Any) -> bytes:
    """Page data as JSON (Decimal -> number, dates -> ISO text, NaN -> null)."""
    return json.dumps(_plain(data), ensure_ascii=False, indent=1).encode("utf-8")


def rows_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    """Records as CSV with a header row (floats at full precision, unbound = empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = _plain(row.get(column))
            if value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, float):
                cells.append(repr(value))
            elif isinstance(value, (list, tuple)):
                cells.append("; ".join(str(v) for v in value))
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")
