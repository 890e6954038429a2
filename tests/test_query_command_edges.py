"""Small edges of ``imrgraph query`` (issue 15, item 10): no silently wrong answer or advice.

- a parameter given twice is an error (before, the last one silently won);
- ``--allow-update`` against a server that answers a web page with 200 is not "update done";
- a saved query reading an ingest's first, still empty snapshot says the store is still being
  written, not "run `imrgraph tally`".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_query_limits import recorder

from imrgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("IMRGRAPH_STORE", None)
    env.pop("IMRGRAPH_ENDPOINT", None)
    return subprocess.run(
        [sys.executable, "-m", "imrgraph", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("imrgraph: error: "), result.stderr[-2000:]
    return lines[0]


def test_a_parameter_given_twice_is_an_error(cli, sample_store):
    location = str(sample_store.path)
    sample_store.close()
    result = cli(
        "query", "decisions-for-service", "-p", "service=MRI", "-p", "service=knee",
        "--store", location,
    )  # fmt: skip
    assert result.returncode == 1
    assert "imrgraph: error: --param service is given twice" in result.stderr


def test_an_update_answered_with_a_web_page_is_not_update_done():
    with recorder("html") as server:
        result = _run(
            "query", "--sparql", "INSERT DATA { <http://e/s> <http://e/p> 1 }",
            "--allow-update", "--endpoint", f"{server.url}/query",
        )  # fmt: skip
        assert server.requests == ["POST /update"]
    line = _one_line_error(result)
    assert "update done" not in result.stderr
    assert "web page" in line and "--update-endpoint" in line


def test_a_saved_query_on_an_ingests_first_empty_snapshot_says_so(tmp_path):
    from imrgraph.store.ingest import prepare_tallies

    path = tmp_path / "store"
    writer = EmbeddedStore(path)  # an ingest that has written the ontology and no letter yet
    try:
        prepare_tallies(writer)
        result = _run("query", "guidelines-upheld-denials", "--store", str(path))
    finally:
        writer.close()
    line = _one_line_error(result)
    assert "tally" not in line  # before: "run `imrgraph tally` once"
    assert "no letters yet" in line and "again in a moment" in line
