"""One store, one base: a letter is one letter whatever ``--base`` it was written under.

The promise (RELIABILITY.md, "Hostile input"): ingesting into a store that holds letters under
another base IRI is refused with one line naming the store's base, before anything is written;
the same base again is fine (letters skipped as already stored). Both backends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from imrgraph.errors import ImrGraphError
from imrgraph.store import EndpointStore
from imrgraph.store.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # interpreters started per case
LETTERS = ROOT / "examples" / "letters"
# Each example letter is there as text and as PDF: one letter, two files.
EXAMPLE_LETTERS = len(list(LETTERS.glob("*.pdf")))
EXAMPLE_FILES = EXAMPLE_LETTERS + len(list(LETTERS.glob("*.txt")))
DEFAULT = "https://w3id.org/imrgraph/data/"
OTHER = "http://other.org/d/"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("IMRGRAPH_STORE", None)
    env.pop("IMRGRAPH_BASE", None)
    return subprocess.run(
        [sys.executable, "-m", "imrgraph", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )


def test_a_second_base_on_the_embedded_store_is_refused_and_stores_nothing(tmp_path):
    store = str(tmp_path / "store")
    first = _run("ingest", str(LETTERS), "-j", "1", "--store", store)
    assert first.returncode == 0, first.stderr
    before = _run("export", "--format", "nquads", "--store", store).stdout

    second = _run("ingest", str(LETTERS), "-j", "1", "--store", store, "--base", OTHER)
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imrgraph: error: "), second.stderr
    assert DEFAULT in lines[0] and OTHER in lines[0]
    # before: every letter stored a second time, every one "conforming"
    assert _run("export", "--format", "nquads", "--store", store).stdout == before

    again = _run("ingest", str(LETTERS), "-j", "1", "--store", store, "--base", DEFAULT)
    assert again.returncode == 0, again.stderr
    assert f"0 stored, {EXAMPLE_FILES} skipped" in again.stderr, again.stderr


@pytest.mark.server
def test_a_second_base_on_a_server_is_refused(oxigraph_server):
    oxigraph_server.clear()
    store = EndpointStore(oxigraph_server.query_url)
    try:
        first = ingest([LETTERS], store, workers=1, base=OTHER)
        assert first.stored == EXAMPLE_LETTERS
        with pytest.raises(ImrGraphError, match="one store holds one base"):
            ingest([LETTERS], store, workers=1)  # the default base
        assert store.stats()["letters"] == EXAMPLE_LETTERS
        assert ingest([LETTERS], store, workers=1, base=OTHER).stored == 0
    finally:
        store.close()
        oxigraph_server.clear()
