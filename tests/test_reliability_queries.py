"""Safe queries: parameters bound, never pasted; no saved query can change the store; updates
given with ``--sparql`` only with ``--allow-update``.

Beyond tests/test_queries.py (hand-picked injection strings): here hypothesis writes the
parameter text from the characters SPARQL gives meaning to (quotes, braces, backslashes, ``#``,
newlines, ``;``), and the property is exact: the rows equal a filter done in Python over all
rows, so the text can only ever be compared, never parsed. Update text that tries to pass as a
query never reaches an update path: the store is unchanged, triple for triple.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imrgraph.errors import QueryError
from imrgraph.store import EmbeddedStore
from imrgraph.store.queries import adhoc_query, load_query, run_select, saved_queries

HOSTILE_CHARS = st.text(
    alphabet=st.sampled_from(list("abcnormNORM0123 \"'{}<>()\\#;.?$:/\n\t*|&!=-")),
    max_size=30,
)
SLOW_OK = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _quads(store: EmbeddedStore) -> set[str]:
    return {str(q) for q in store.quads()}


@SLOW_OK
@given(text=HOSTILE_CHARS)
def test_a_parameter_is_only_ever_compared(sample_store, text):
    query = load_query("decisions-for-service")
    if not text.strip():  # a blank service is refused, not read as "every service"
        with pytest.raises(QueryError, match="given blank"):
            run_select(sample_store, query, {"service": text})
        return
    # every item: the text unbound from its declared parameter, bound blank
    everything = run_select(sample_store, replace(query, params=[], title=""), {"text": ""}).rows
    rows = run_select(sample_store, query, {"service": text}).rows
    # the documented rule: every word in the label, the first three anywhere, the rest as written
    words = text.lower().split()

    def holds(label: str) -> bool:
        return all(w in label.lower() for w in words[:3]) and " ".join(words[3:]) in label.lower()

    assert rows == [r for r in everything if holds(r[1])]


def test_every_saved_query_only_reads(sample_store):
    before = _quads(sample_store)
    payload = '" } } ; DROP ALL ; INSERT DATA { <http://e/x> <http://e/y> 1 } #\n'
    for saved in saved_queries():
        assert saved.form in ("SELECT", "ASK"), saved.name
        for param in saved.params:
            if param.choices:
                continue  # a value outside the choices is refused before anything runs
            # a typed parameter may refuse the text (QueryError): also safe
            with contextlib.suppress(QueryError):
                run_select(sample_store, saved, {param.name: payload})
    assert _quads(sample_store) == before


UPDATES = [
    "DROP ALL",
    "CLEAR ALL",
    "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "INSERT DATA { GRAPH <http://e/g> { <http://e/x> <http://e/y> 1 } }",
]


@SLOW_OK
@given(
    head=st.sampled_from(["SELECT * WHERE { ?s ?p ?o }", "ASK {}", "", "# SELECT\n"]),
    joiner=st.sampled_from([" ; ", "\n", " . ", " } ", "#\n"]),
    update=st.sampled_from(UPDATES),
)
def test_update_text_never_runs_through_a_query(sample_store, head, joiner, update):
    before = _quads(sample_store)
    with contextlib.suppress(QueryError):  # refused: fine; the point is the store
        run_select(sample_store, adhoc_query(head + joiner + update))
    assert _quads(sample_store) == before


def _cli(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "IMRGRAPH_ENDPOINT"}
    return subprocess.run(
        [sys.executable, "-m", "imrgraph", *args, "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


DISGUISED = [
    "  drop all",
    "# only a query\nPREFIX ex: <http://e/>\ninsert data { ex:x ex:y 1 }",
    "PREFIX select: <http://e/>\nDELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "BASE <http://e/> WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", DISGUISED)
def test_cli_refuses_an_update_however_it_is_written(sample_store, text):
    location = sample_store.path
    before = _quads(sample_store)
    sample_store.close()
    run = _cli("query", "--sparql", text, store=location)
    assert run.returncode == 1
    assert "is a SPARQL Update; refused" in run.stderr
    assert "Traceback" not in run.stderr
    with EmbeddedStore(location, create=False) as store:
        assert _quads(store) == before


def test_a_saved_query_name_cannot_run_an_update_even_with_allow_update(sample_store, tmp_path):
    location = sample_store.path
    before = _quads(sample_store)
    sample_store.close()
    sneaky = tmp_path / "report.rq"
    sneaky.write_text("# title: looks harmless\nDROP ALL\n")
    run = _cli("query", str(sneaky), "--allow-update", store=location)
    assert run.returncode == 1
    assert "refused" in run.stderr
    with EmbeddedStore(location, create=False) as store:
        assert _quads(store) == before
