"""``imrgraph validate`` end to end, through the installed console script.

Why: this is what a user runs on an exported file or on the store; the exit status (0 conforms,
1 not) is what scripts rely on, and bad input must give one line naming the file, never a
traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_mapper import seed_letter
from test_validate import _broken

from imrgraph.rdf.mapper import letter_to_dataset, letter_to_graph, letter_to_triples
from imrgraph.resources import resource_path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IMRGRAPH_STORE": str(cwd / "no-store-here")}
    env.pop("IMRGRAPH_ENDPOINT", None)
    return subprocess.run(
        [sys.executable, "-m", "imrgraph", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rdf")
    good = letter_to_dataset(_broken(seed_letter(), 1))
    for quad in letter_to_dataset(_broken(seed_letter(), 2)).quads((None, None, None, None)):
        good.add(quad)
    good.serialize(folder / "good.trig", format="trig")
    bad = _broken(seed_letter(), 3)
    bad.applicant.age = 300
    letter_to_graph(bad).serialize(folder / "bad.ttl", format="turtle")
    (folder / "broken.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b ", encoding="utf-8")
    (folder / "letters.foo").write_text("", encoding="utf-8")
    shutil.copy(resource_path("ontology", "categories.ttl"), folder / "ontology.ttl")
    return folder


def test_conforming_quads_exit_0(files: Path) -> None:
    done = run("validate", "good.trig", cwd=files)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2 letters checked: all conform"


def test_violation_is_reported_by_letter_and_exits_1(files: Path) -> None:
    done = run("validate", "good.trig", "bad.ttl", "--all", cwd=files)
    assert done.returncode == 1
    out = done.stdout
    assert "CM15-0000001 (letter-1.txt): conforms" in out
    assert "CM15-0000003 (letter-3.txt): 1 violation" in out
    assert "  - The applicant's age must be between 0 and 120." in out
    assert "      path:  imr:age" in out
    assert "      focus: https://w3id.org/imrgraph/data/determination/CM15-0000003/applicant" in out
    assert "      value: 300" in out
    assert out.rstrip().endswith("3 letters checked: 2 conform, 1 do not (1 violation)")


def test_json_report(files: Path) -> None:
    done = run("validate", "bad.ttl", "--format", "json", cwd=files)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["conforms"] is False
    (letter,) = report["results"]
    assert letter["source_file"] == "letter-3.txt"
    assert [v["constraint"] for v in letter["violations"]] == ["MaxInclusive"]


@pytest.mark.parametrize(
    "name,reason",
    [
        ("broken.ttl", "broken.ttl: not valid turtle: "),
        ("letters.foo", "letters.foo: unknown RDF file extension"),
        ("missing.ttl", "missing.ttl: no such file"),
        ("ontology.ttl", "ontology.ttl: no letter in this file (no imr:Determination)"),
    ],
)
def test_bad_files_give_one_line_and_exit_1(files: Path, name: str, reason: str) -> None:
    done = run("validate", name, cwd=files)
    assert done.returncode == 1
    assert done.stderr.startswith(reason), done.stderr
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_files_and_store_together_is_an_error(files: Path) -> None:
    done = run("validate", "good.trig", "--store", "somewhere", cwd=files)
    assert done.returncode == 1
    assert done.stderr == "imrgraph: error: give RDF files or --store/--endpoint, not both\n"


def test_store_is_validated_letter_by_letter(tmp_path: Path) -> None:
    from imrgraph.store import open_store

    bad = _broken(seed_letter(), 5)
    bad.dates.decision = "2015-02-30"
    with open_store(tmp_path / "store", read_only=False) as store:
        store.load_ontology()
        for letter in (_broken(seed_letter(), 4), bad):
            graph, triples = letter_to_triples(letter)
            store.replace_graph(graph, triples)
    done = run("validate", "--store", str(tmp_path / "store"), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "CM15-0000005 (letter-5.txt): 1 violation" in done.stdout
    assert "      path:  imr:decisionDate" in done.stdout
    assert "CM15-0000004" not in done.stdout
    assert done.stdout.rstrip().endswith("2 letters checked: 1 conform, 1 do not (1 violation)")


@pytest.mark.server
def test_endpoint_is_validated_letter_by_letter(oxigraph_server, tmp_path: Path) -> None:
    # The same report from a SPARQL server (a real `oxigraph serve`), read over HTTP.
    from imrgraph.store import open_store

    oxigraph_server.clear()
    bad = _broken(seed_letter(), 6)
    bad.applicant.age = 300
    with open_store(endpoint=oxigraph_server.query_url, read_only=False) as store:
        for letter in (_broken(seed_letter(), 4), bad):
            graph, triples = letter_to_triples(letter)
            store.replace_graph(graph, triples)
    done = run("validate", "--endpoint", oxigraph_server.query_url, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "CM15-0000006 (letter-6.txt): 1 violation" in done.stdout
    assert "      path:  imr:age" in done.stdout
    assert done.stdout.rstrip().endswith("2 letters checked: 1 conform, 1 do not (1 violation)")


def test_cli_batch_default_follows_the_validator_and_start_up_skips_pyshacl() -> None:
    import subprocess
    import sys

    from imrgraph.cli import graph as cli_graph
    from imrgraph.rdf import validate

    assert cli_graph.DEFAULT_BATCH_SIZE == validate.DEFAULT_BATCH_SIZE
    code = "import sys, imrgraph.cli; print('pyshacl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
