"""The little SPARQL text handling the store needs: query kind, and a VALUES block for bindings.

Parameters are never pasted into query text as raw strings. Both backends get a ``VALUES`` block
made of terms serialised by pyoxigraph (N-Triples syntax, so quotes, backslashes and newlines are
escaped) inserted at the start of the outermost WHERE group. (pyoxigraph's ``substitutions=`` was
tried and dropped: it refuses a variable that is not projected, and a FILTER(BOUND(?x)) does not
see a substituted ?x, so the embedded store and a server would answer differently.) Finding that
group needs a scanner that skips comments, strings and IRIs, which is all this module does; it is
not a SPARQL parser.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import pyoxigraph as ox

from imrgraph.errors import QueryError

QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
UPDATE_FORMS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")


def _skip_string(text: str, i: int) -> int:
    """Return the index just past the string literal starting at ``text[i]``."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = i + 3
        while end < len(text):
            if text[end] == "\\":
                end += 2
                continue
            if text.startswith(quote * 3, end):
                return end + 3
            end += 1
        raise QueryError("the query has an unterminated string")
    end = i + 1
    while end < len(text):
        char = text[end]
        if char == "\\":
            end += 2
            continue
        if char == quote:
            return end + 1
        if char == "\n":
            break
        end += 1
    raise QueryError("the query has an unterminated string")


def _tokens(text: str):
    """Yield ``(kind, value, start)`` for words and braces outside comments, strings and IRIs."""
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif char in "\"'":
            i = _skip_string(text, i)
        elif char == "<":
            match = _IRI.match(text, i)
            i = match.end() if match else i + 1
        elif char in "?$":
            match = _WORD.match(text, i + 1)
            i = match.end() if match else i + 1
        elif char in "{}":
            yield char, char, i
            i += 1
        elif char.isalpha() or char == "_":
            match = _WORD.match(text, i)
            assert match is not None
            # prefixed names (ex:foo, :foo) are not keywords
            end = match.end()
            if end < n and text[end] == ":":
                end += 1
                while end < n and not text[end].isspace() and text[end] not in "{}();,.":
                    end += 1
                i = end
                continue
            yield "word", match.group(0), i
            i = end
        else:
            i += 1


#: What a query may hold before it reaches an engine. Oxigraph parses and evaluates queries by
#: recursion: 3,000 nested groups, or about 10,000 chained elements (``!!!...``, ``a || b || ...``,
#: triple patterns, ``UNION``s, path steps), overflow its stack, which kills the process (a
#: segfault in-process; ``oxigraph serve`` aborts at about 2,500 nested groups). The limits sit
#: far below what crashes and far above any real query (the largest saved query has about 650
#: tokens and nests 6 deep).
MAX_QUERY_CHARS = 1 << 20
MAX_QUERY_DEPTH = 64
MAX_QUERY_TOKENS = 3_000
_OPEN = "{(["
_CLOSE = "})]"


_TOKEN = re.compile(
    r"(?:\s|#[^\n]*)*"  # whitespace and comments before the token, skipped
    r'(?:(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')"
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r"|(?P<open>[{(\[])|(?P<close>[})\]])"
    r"|(?P<var>[?$][A-Za-z0-9_]+)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_\-]*)(?P<prefixed>:[^\s{}()\[\];,]*)?"
    r"|(?P<number>\d[\w.]*)"
    r"|(?P<other>.))",
    re.DOTALL,
)


def check_query_text(text: str, *, allow_service: bool = False) -> None:
    """Refuse, with one line, a query too big or too deep for the engine, or one with SERVICE.

    See ``_check``; a text that passed is remembered (the saved queries run again and again).
    """
    _check(text, allow_service)


@functools.lru_cache(maxsize=256)
def _check(text: str, allow_service: bool) -> None:
    """Refuse, with one line, a query too big or too deep for the engine, or one with SERVICE.

    A cheap scan (one regular expression, no parse): brackets and tokens outside comments,
    strings and IRIs. Tokens inside a ``VALUES`` block's data are not counted (a long flat list
    of terms is harmless). ``SERVICE`` makes the engine fetch any URL the query names (an
    outbound request nobody asked for, and a hang on a server that never answers): refused
    unless ``allow_service``. An unterminated string is left for the engine to report.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is too large ({len(text):,} characters > limit {MAX_QUERY_CHARS:,})"
        )
    depth = 0
    tokens = 0
    values_depth = -1  # the depth of the VALUES data block being read, -1 outside one
    expect_values = False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            if expect_values and match.group("open") == "{":
                values_depth, expect_values = depth, False
            depth += 1
            if depth > MAX_QUERY_DEPTH:
                raise QueryError(
                    f"the query nests brackets too deep (more than {MAX_QUERY_DEPTH} levels)"
                )
        elif kind == "close":
            depth -= 1
            if depth == values_depth:
                values_depth = -1
        elif kind == "word":  # a keyword (a prefixed name such as ex:SERVICE is "prefixed")
            word = match.group("word").upper()
            if word == "SERVICE" and not allow_service:
                raise QueryError(
                    "the query calls a remote SERVICE: refused (the store would send a request "
                    "to that URL; use --allow-service to allow it)"
                )
            if word == "VALUES":
                expect_values = True
        if values_depth < 0:
            tokens += 1
            if tokens > MAX_QUERY_TOKENS:
                raise QueryError(
                    f"the query is too long for the engine (more than {MAX_QUERY_TOKENS:,} "
                    "tokens outside VALUES data)"
                )


def then(update: str, more: str) -> str:
    """The SPARQL Update ``update`` followed by the operation(s) ``more``, as one request.

    ``more`` comes last because Oxigraph takes no PREFIX after a ``;`` (and the user's line
    numbers in error messages stay right); a final ``;`` of ``update`` (allowed, but ``; ;`` is
    not) is dropped, found by skipping comments, strings and IRIs.
    """
    last = -1  # index of the last character outside comments and whitespace
    i = 0
    while i < len(update):
        char = update[i]
        if char == "#":
            newline = update.find("\n", i)
            i = len(update) if newline < 0 else newline + 1
            continue
        if char in "\"'":
            end = _skip_string(update, i)
        elif char == "<":
            match = _IRI.match(update, i)
            end = match.end() if match else i + 1
        else:
            end = i + 1
        if not char.isspace():
            last = end - 1
        i = end
    body = update[:last] if last >= 0 and update[last] == ";" else update
    return f"{body}\n;\n{more}"


def query_form(text: str) -> str:
    """Return the form of a SPARQL request: SELECT, CONSTRUCT, ASK, DESCRIBE, or UPDATE.

    The first keyword after the prologue (BASE/PREFIX declarations) decides.
    """
    for kind, value, _ in _tokens(text):
        if kind != "word":
            continue
        word = value.upper()
        if word in ("PREFIX", "BASE"):
            # PREFIX ns: <iri> -- the prefix name is skipped by the scanner, the IRI too.
            continue
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_FORMS:
            return "UPDATE"
        raise QueryError(f"not a SPARQL query: it starts with {value!r}")
    raise QueryError("not a SPARQL query: it is empty")


def serialize_term(term: ox.NamedNode | ox.Literal) -> str:
    """An RDF term in SPARQL/N-Triples syntax, escaped by pyoxigraph (never hand-quoted)."""
    if not isinstance(term, (ox.NamedNode, ox.Literal)):
        raise QueryError(f"cannot bind {term!r}: only IRIs and literals can be parameters")
    return str(term)


def values_block(bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """A one-row ``VALUES (?a ?b) { (term term) }`` block for ``bindings``."""
    names = []
    for name in bindings:
        if not _VARNAME.match(name):
            raise QueryError(f"{name!r} is not a valid SPARQL variable name")
        names.append("?" + name)
    terms = " ".join(serialize_term(term) for term in bindings.values())
    return f"VALUES ({' '.join(names)}) {{ ({terms}) }}"


def bind_with_values(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """Return ``text`` with a VALUES block for ``bindings`` at the start of its WHERE group.

    Only SELECT and ASK queries are supported (a CONSTRUCT's first brace is its template). The
    values join everything in the outermost group; queries using parameters keep them out of
    sub-queries and out of FILTERs nested in inner groups (where they would be out of scope).
    """
    if not bindings:
        return text
    form = query_form(text)
    if form not in ("SELECT", "ASK"):
        raise QueryError(f"parameters can only be bound in SELECT and ASK queries, not {form}")
    block = values_block(bindings)
    for kind, _value, start in _tokens(text):
        if kind == "{":
            return f"{text[: start + 1]} {block} {text[start + 1 :]}"
    raise QueryError("the query has no WHERE group")
