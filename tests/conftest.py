"""Shared fixtures: a real Oxigraph SPARQL server for the endpoint tests.

``oxigraph_server`` starts ``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` (the PyPI
``oxigraph`` package, in the test extra) on a free port once per session, waits until it answers,
and always stops it (terminate, then kill, of its own process group), even when a test fails.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve``: its URLs and process."""

    base_url: str
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/store"

    def clear(self) -> None:
        """Empty the server's dataset (between tests that need a fresh one)."""
        httpx.post(
            self.update_url,
            content=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        ).raise_for_status()


def _oxigraph_binary() -> str | None:
    # The console script next to this interpreter first: a pyenv shim would be a second process
    # between us and the server.
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file():
        return str(candidate)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _start(location: Path, timeout: float = 30.0) -> OxigraphServer:
    binary = _oxigraph_binary()
    if binary is None:
        pytest.fail("the `oxigraph` server is not installed (pip install -e '.[test]')")
    last_error = ""
    for _attempt in range(3):  # the free port can be taken between probing and binding
        port = _free_port()
        log = (location.parent / f"oxigraph-{port}.log").open("wb")
        process = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole
        )
        server = OxigraphServer(f"http://127.0.0.1:{port}", process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                response = httpx.post(
                    server.query_url,
                    content=b"ASK {}",
                    headers={"Content-Type": "application/sparql-query"},
                    timeout=2,
                )
                if response.status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        _stop(process)
        log.close()
        last_error = (location.parent / f"oxigraph-{port}.log").read_text(errors="replace")
    pytest.fail(f"oxigraph serve did not start: {last_error[-500:]}")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph SPARQL server on 127.0.0.1, for the whole session."""
    location = tmp_path_factory.mktemp("oxigraph-server") / "data"
    server = _start(location)
    try:
        yield server
    finally:
        _stop(server.process)


# ---- a small corpus with known answers (hand-written letters, independent of the parser) -----

SHA = {name: f"{index:064x}" for index, name in enumerate(("one", "two", "three"), start=1)}


def _citation(text: str, family: str, document: str | None, section: str | None = None) -> dict:
    return {
        "text": text,
        "family": family,
        "in_mtus": family == "MTUS",
        "document": document,
        "edition": None,
        "section": section,
        "pages": None,
    }


OPIOIDS = _citation(
    "MTUS Chronic Pain Medical Treatment Guidelines, Opioids",
    "MTUS",
    "Chronic Pain Medical Treatment Guidelines",
    "Opioids",
)
CP_PHYSICAL = _citation(
    "MTUS Chronic Pain Medical Treatment Guidelines, Physical Medicine",
    "MTUS",
    "Chronic Pain Medical Treatment Guidelines",
    "Physical Medicine",
)
LOW_BACK = _citation("MTUS Low Back Complaints 2004", "MTUS", "Low Back Complaints")
ODG_LOW_BACK = _citation("ODG Low Back Chapter", "ODG", "Low Back Chapter")
ODG_PAIN = _citation("ODG Pain (Chronic)", "ODG", "Pain Chapter")
FDA = _citation(
    "Non-MTUS: FDA (Food and Drug Administration)", "OTHER", "FDA (Food and Drug Administration)"
)
UNKNOWN_MTUS = _citation("MTUS Some Unheard-of Guide", "MTUS", "Some Unheard-of Guide")


def _item(number, service, outcome, category, ca, reviewer, sentence) -> dict:
    return {
        "number": number,
        "service": service,
        "outcome": outcome,
        "category": category,
        "claims_administrator_citations": ca,
        "reviewer_citations": reviewer,
        "rationale": f"Rationale. {sentence}",
        "decisive_sentence": sentence,
        "rationale_citations": [],
        "page": None,
    }


def sample_letters() -> list[dict]:
    """Three letters (five items) whose query answers are worked out by hand in the tests."""
    letters = _sample_letters()
    letters[0]["items"][0]["rationale_citations"] = [OPIOIDS]  # the Norco rationale cites it
    # The Norco rationale states one reason (so the reason queries have an answer to compare).
    letters[0]["items"][0]["reasons"] = [
        {
            "code": "no-functional-improvement",
            "sentence": "Norco is not medically necessary.",
            "page": None,
        }
    ]
    return letters


def _sample_letters() -> list[dict]:
    return [
        {
            "source": {"path": "one.txt", "sha256": SHA["one"], "format": "text"},
            "case_number": "CM15-0000001",
            "priority": "Standard",
            "dates": {"decision": "2015-03-10", "assigned": "2015-02-01"},
            "reviewer": {"licensure_states": ["California"], "specialties": ["Pain Medicine"]},
            "applicant": {"age": 45, "sex": "female"},
            "injury": {"date": "2012-01-05", "body_parts": ["low back"]},
            "items": [
                _item(
                    1,
                    "Norco 10/325mg #60",
                    "Upheld",
                    "Pharmaceuticals",
                    [OPIOIDS],
                    [OPIOIDS],
                    "Norco is not medically necessary.",
                ),
                _item(
                    2,
                    "Physical therapy 2x6",
                    "Overturned",
                    "Physical Medicine",
                    [ODG_LOW_BACK],
                    [CP_PHYSICAL],
                    "Therapy is medically necessary.",
                ),
            ],
            "warnings": [],
        },
        {
            "source": {"path": "two.txt", "sha256": SHA["two"], "format": "text"},
            "case_number": "CM16-0000002",
            "priority": "Expedited",
            "dates": {"decision": "2016-05-01"},
            "reviewer": {"licensure_states": [], "specialties": ["Orthopedic Surgery"]},
            "applicant": {"age": 52, "sex": None},
            "injury": {"date": None, "body_parts": []},
            "items": [
                _item(
                    1,
                    "MRI of the lumbar spine",
                    "Upheld",
                    "Diagnostic Imaging",
                    [LOW_BACK],
                    [LOW_BACK],
                    "The MRI is not medically necessary.",
                ),
                _item(
                    2,
                    "Norco 5/325mg #30",
                    "Overturned",
                    "Pharmaceuticals",
                    [],
                    [OPIOIDS, ODG_PAIN],
                    "Norco is medically necessary.",
                ),
            ],
            "warnings": ["citation-unrecognized: Some guide", "age-missing: no age"],
        },
        {
            "source": {"path": "three.txt", "sha256": SHA["three"], "format": "text"},
            "case_number": None,
            "priority": None,
            "dates": {"ur_decision": "2014-12-01"},
            "reviewer": {"licensure_states": [], "specialties": []},
            "applicant": {"age": None, "sex": None},
            "injury": {"date": None, "body_parts": []},
            "items": [
                _item(
                    1,
                    "Topical compound cream 240gm",
                    "Upheld",
                    "Pharmaceuticals",
                    [],
                    [FDA, UNKNOWN_MTUS],
                    "The cream is not medically necessary.",
                ),
            ],
            "warnings": [],
        },
    ]


def load_sample(store) -> None:
    """Write the sample letters, the ontology and the tallies into ``store`` (no parser, no SHACL).

    The letters are written without their tally links, then ``retally`` adds them as
    ``imrgraph tally`` would (ingest writes the same links: tests/test_tallies.py).
    """
    from imrgraph.model import Letter
    from imrgraph.rdf.mapper import letter_to_triples
    from imrgraph.store.tallies import retally

    store.load_ontology()
    for data in sample_letters():
        graph, triples = letter_to_triples(Letter.from_dict(data))
        store.replace_graph(graph, triples)
    retally(store)


@pytest.fixture(scope="session")
def _sample_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample store built once (ontology + letters), closed; tests get a copy of it."""
    from imrgraph.store import EmbeddedStore

    location = tmp_path_factory.mktemp("sample") / "store"
    store = EmbeddedStore(location)
    load_sample(store)
    store.close()
    return location


@pytest.fixture
def sample_store(tmp_path: Path, _sample_store_template: Path):
    """An embedded store on disk holding the ontology and the sample letters (a fresh copy of
    a store built once per session: tests may change it)."""
    from imrgraph.store import EmbeddedStore

    shutil.copytree(_sample_store_template, tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    yield store
    store.close()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run ``imrgraph ARGS`` in this process through the real entry point (``imrgraph.cli.main``:
    argument parsing, error messages, exit status), without a new interpreter's start-up."""
    from imrgraph.cli import main

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> CliResult:
        capfd.readouterr()
        with monkeypatch.context() as patch:
            patch.setattr(sys, "argv", ["imrgraph", *args])
            patch.delenv("IMRGRAPH_STORE", raising=False)
            patch.delenv("IMRGRAPH_ENDPOINT", raising=False)
            for key, value in (env or {}).items():
                patch.setenv(key, value)
            if cwd is not None:
                patch.chdir(cwd)
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capfd.readouterr()
        return CliResult(code, out, err)

    return run


TALLY_GRAPH = "https://w3id.org/imrgraph/graph/tallies"
_LINK = re.compile(r"<https://w3id\.org/imrgraph/ontology#countedUnder> <([^>]+)>")


def assert_whole_after_a_failure(
    written: dict[str, frozenset[str]], expected: dict[str, frozenset[str]]
) -> int:
    """What a failed ingest left is whole: each letter graph exactly as in ``expected``; the
    tallies graph (shared by all letters, so it grows letter by letter) a part of the expected
    one that describes every tally the stored letters link to. Returns the letters stored.
    """
    letters = 0
    linked: set[str] = set()
    for name, triples in written.items():
        if name == TALLY_GRAPH:
            assert triples <= expected[name], "the tallies graph holds a tally no letter has"
            continue
        assert triples == expected[name], f"{name} is partial after the failure"
        letters += 1
        for triple in triples:
            linked.update(_LINK.findall(triple))
    described = {t.split(">", 1)[0].lstrip("<") for t in written.get(TALLY_GRAPH, ())}
    assert linked <= described, f"links to undescribed tallies: {sorted(linked - described)[:3]}"
    return letters
