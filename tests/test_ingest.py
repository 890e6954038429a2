"""``imrgraph ingest`` end to end on the example letters: counts that the expected JSON implies,
idempotent re-ingest, --force, failures reported and not stored, the JSON report."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import rdflib

from imrgraph.errors import StoreError
from imrgraph.model import Letter
from imrgraph.store import EmbeddedStore
from imrgraph.store.ingest import IngestSummary, LetterWriter, check_letters, ingest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "letters"
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
IMR = rdflib.Namespace("https://w3id.org/imrgraph/ontology#")


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("IMRGRAPH_STORE", "IMRGRAPH_ENDPOINT")}
    return subprocess.run(
        [sys.executable, "-m", "imrgraph", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
    )


def _letter_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".pdf", ".txt"))


def _stored_letters() -> list[dict]:
    """The letters ingest keeps, from the files and their expected JSON alone (not the store):
    one letter per case number, else per content (the design's identity rule). A letter's PDF
    and text share one expected JSON, so without a case number the content is the stem's."""
    kept: dict[str, dict] = {}
    for path in _letter_files():
        expected = json.loads((EXAMPLES / f"{path.stem}.expected.json").read_text(encoding="utf-8"))
        kept.setdefault(expected["case_number"] or path.stem, expected)
    return list(kept.values())


def _document_labels() -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """(family, document name) -> document label, and family -> family label, from the
    guideline scheme file (what a reader of DESIGN.md would look up by hand)."""
    graph = rdflib.Graph().parse(ROOT / "ontology" / "guidelines.ttl")
    families = {}
    for concept in graph.subjects(rdflib.RDF.type, IMR.GuidelineFamily):
        families[str(graph.value(concept, IMR.family))] = str(graph.value(concept, SKOS.prefLabel))
    documents = {}
    for concept in graph.subjects(rdflib.RDF.type, IMR.GuidelineDocument):
        family = str(graph.value(concept, IMR.family))
        label = str(graph.value(concept, SKOS.prefLabel))
        documents[(family, label.casefold())] = label
    return documents, families


def _expected_ranking(letters: list[dict], party: str) -> list[list[str]]:
    documents, families = _document_labels()

    def label(citation: dict) -> str:
        family, document = citation["family"], citation["document"] or ""
        if family == "ACOEM" and citation["edition"]:
            document = f"{document}, {citation['edition']}"
        return documents.get((family, document.casefold()), families[family])

    items: dict[str, int] = {}
    upheld: dict[str, int] = {}
    for letter in letters:
        for item in letter["items"]:
            for name in {label(c) for c in item[party]}:
                items[name] = items.get(name, 0) + 1
                upheld[name] = upheld.get(name, 0) + (item["outcome"] == "Upheld")
    rows = sorted(items, key=lambda name: (-upheld[name], -items[name], name))

    def rate(name: str) -> str:
        value = (Decimal(upheld[name]) / items[name]).quantize(Decimal("0.001"), ROUND_HALF_UP)
        return str(value.normalize()) if value else "0"

    return [[name, str(items[name]), str(upheld[name]), rate(name)] for name in rows]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's first command, run once for the module: ingest examples/letters."""
    workdir = tmp_path_factory.mktemp("readme")
    run = _cli("ingest", str(EXAMPLES), "--report", "report.json", cwd=workdir)
    assert run.returncode == 0, run.stderr
    return workdir


def test_readme_ingest_summary(ingested: Path) -> None:
    report = json.loads((ingested / "report.json").read_text())
    kept = len(_stored_letters())
    assert report["files"] == len(_letter_files())
    assert (report["stored"], report["skipped"], report["failed"]) == (
        kept,
        len(_letter_files()) - kept,
        0,
    )
    assert report["failures"] == []
    with EmbeddedStore(ingested / "imrgraph-store", create=False) as store:
        stats = store.stats()
    letters = _stored_letters()
    assert stats["letters"] == kept
    assert stats["items"] == sum(len(letter["items"]) for letter in letters)
    assert stats["upheld"] == sum(
        item["outcome"] == "Upheld" for letter in letters for item in letter["items"]
    )


@pytest.mark.parametrize(
    "party,param",
    [
        ("reviewer_citations", []),
        ("claims_administrator_citations", ["-p", "party=claims-administrator"]),
    ],
)
def test_guideline_ranking_matches_the_expected_json(
    ingested: Path, party: str, param: list[str], cli
) -> None:
    run = cli("query", "guidelines-upheld-denials", "--format", "csv", *param, cwd=ingested)
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))
    assert rows[0] == ["guideline", "items", "upheld", "uphold_rate"]
    expected = _expected_ranking(_stored_letters(), party)
    assert expected, "the examples cite guidelines"
    assert rows[1:] == expected


def test_readme_table_output(ingested: Path, cli) -> None:
    run = cli("query", "guidelines-upheld-denials", cwd=ingested)
    assert run.returncode == 0, run.stderr
    assert "Chronic Pain Medical Treatment Guidelines" in run.stdout


def _snapshot(store_dir: Path) -> list[str]:
    with EmbeddedStore(store_dir, create=False) as store:
        buffer = io.BytesIO()
        store.export(buffer, "nquads")
    return sorted(buffer.getvalue().decode().splitlines())


def test_reingest_changes_nothing_and_force_replaces(tmp_path: Path, cli) -> None:
    letters = tmp_path / "letters"
    letters.mkdir()
    for name in ("seed-letter.txt", "cm15-low-back-date-conflict.txt"):
        shutil.copy(EXAMPLES / name, letters / name)
    store_dir = tmp_path / "store"
    first = cli("ingest", str(letters), "--store", str(store_dir), "-j", "1")
    assert first.returncode == 0, first.stderr
    before = _snapshot(store_dir)
    again = cli(
        "ingest", str(letters), "--store", str(store_dir), "--report", "r.json", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert (report["stored"], report["skipped"]) == (0, 2)
    assert _snapshot(store_dir) == before
    forced = cli(
        "ingest",
        str(letters),
        "--store",
        str(store_dir),
        "--force",
        "--report",
        "f.json",
        "-j",
        "1",
        cwd=tmp_path,
    )
    assert forced.returncode == 0, forced.stderr
    assert json.loads((tmp_path / "f.json").read_text())["stored"] == 2
    assert _snapshot(store_dir) == before  # replaced, not added to: same triples


def test_force_drops_the_graph_a_file_had_under_another_key(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    letters.mkdir()
    source = (EXAMPLES / "seed-letter.txt").read_text(encoding="utf-8")
    path = letters / "seed.txt"
    path.write_text(source, encoding="utf-8")
    store = EmbeddedStore(tmp_path / "store")
    summary = ingest([letters], store, workers=1)
    assert summary.stored == 1
    (old_graph,) = store.letter_graphs()
    # the same file stored under another graph name (as an older parser version might have)
    data = b"".join(q.triple.__str__().encode() + b" .\n" for q in store.quads(old_graph))
    store.replace_graph(old_graph + "-old-key", data, drop=[old_graph])
    summary = ingest([letters], store, workers=1, force=True)
    assert summary.stored == 1
    assert store.letter_graphs() == [old_graph]
    store.close()


def test_failures_are_reported_and_not_stored(tmp_path: Path, cli) -> None:
    letters = tmp_path / "letters"
    letters.mkdir()
    shutil.copy(EXAMPLES / "seed-letter.txt", letters / "good.txt")
    (letters / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    (letters / "shopping.txt").write_text("Milk, eggs, bread.\nNothing about IMR here.\n")
    store_dir = tmp_path / "store"
    run = cli("ingest", str(letters), "--store", str(store_dir), "--report", "r.json", cwd=tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert (report["stored"], report["failed"]) == (1, 2)
    failed = {Path(f["path"]).name: f for f in report["failures"]}
    assert set(failed) == {"broken.pdf", "shopping.txt"}
    assert all(f["stage"] == "parse" and f["reason"] for f in failed.values())
    for name in failed:
        assert f"{name}: " in run.stderr  # one line per failed file
    with EmbeddedStore(store_dir, create=False) as store:
        assert store.stats()["letters"] == 1


def test_a_letter_failing_shacl_is_reported_not_stored(tmp_path: Path) -> None:
    expected = json.loads((EXAMPLES / "seed-letter.expected.json").read_text(encoding="utf-8"))
    expected["source"].update(path="good.txt", sha256="d" * 64)
    good = Letter.from_dict(expected)
    bad_data = json.loads(json.dumps(expected))
    bad_data["source"].update(path="bad.txt", sha256="e" * 64)
    bad_data["priority"] = "Whenever"  # what a parser bug could produce; the shapes refuse it
    bad_data["items"][0]["category"] = "Astrology"
    bad = Letter.from_dict(bad_data)
    results = check_letters(
        [("good.txt", good), ("bad.txt", bad)], "https://w3id.org/imrgraph/data/"
    )
    assert not results[0].violations
    assert len(results[1].violations) >= 2
    store = EmbeddedStore(tmp_path / "store")
    summary = IngestSummary()
    writer = LetterWriter(store, summary)
    for result in results:
        writer.write(result)
    assert summary.stored == 1
    assert [f.path for f in summary.failures] == ["bad.txt"]
    assert summary.failures[0].stage == "validate"
    assert "Standard" in summary.failures[0].reason or "priority" in summary.failures[0].reason
    assert not store.has_source("e" * 64)
    assert store.has_source(good.source.sha256)
    store.close()


def test_memory_and_order_with_a_pool(tmp_path: Path) -> None:
    """Two worker processes and tiny batches: every letter arrives, in input order."""
    letters = tmp_path / "letters"
    letters.mkdir()
    text = (EXAMPLES / "seed-letter.txt").read_text(encoding="utf-8")
    for index in range(12):  # distinct files (distinct sha256), same letter text
        (letters / f"l{index:02d}.txt").write_text(text + f"\n{index}\n", encoding="utf-8")
    store = EmbeddedStore(tmp_path / "store")
    events: list[tuple[str, str]] = []
    summary = ingest(
        [letters], store, workers=2, batch_size=2, on_event=lambda k, p, d: events.append((k, p))
    )
    assert summary.stored == 12 and summary.failed == 0
    assert [Path(p).name for _, p in events] == [f"l{i:02d}.txt" for i in range(12)]
    store.close()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _letters_seen(store_dir: Path) -> int:
    """Letters a reader sees in a store being written (its newest snapshot); 0 before any."""
    try:
        with EmbeddedStore(store_dir, create=False) as store:
            return store.stats()["letters"]
    except StoreError:  # not created yet, or no snapshot yet
        return 0


@pytest.mark.slow
def test_sigterm_stops_gracefully_with_whole_letters(tmp_path: Path) -> None:
    import signal
    import time

    letters = tmp_path / "letters"
    letters.mkdir()
    text = (EXAMPLES / "seed-letter.txt").read_text(encoding="utf-8")
    # The signal goes once a reader sees a stored letter, which it does in the writer's
    # snapshots: the first is taken at the first write (the ontology, before any letter), the
    # next SNAPSHOT_SECONDS later. So the ingest must outlast that: 8,000 letters take ~50 s
    # here (~160 a second); it is stopped after ~10 s, far more than the batches in flight.
    total = 8000
    for index in range(total):
        (letters / f"l{index:03d}.txt").write_text(text + f"\n{index}\n", encoding="utf-8")
    store_dir = tmp_path / "store"
    env = {k: v for k, v in os.environ.items() if k not in ("IMRGRAPH_STORE", "IMRGRAPH_ENDPOINT")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "imrgraph",
            "ingest",
            str(letters),
            "--store",
            str(store_dir),
            "--workers",
            "2",
            "--report",
            str(tmp_path / "r.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_descendants(process.pid)) < 3:
        time.sleep(0.2)  # wait for the worker pool
    # ... and for a stored letter, seen as a reader sees it: a fixed sleep, or the first
    # snapshot (taken at the ontology's write), could come before any letter was stored
    while time.monotonic() < deadline and not _letters_seen(store_dir):
        time.sleep(0.2)
    workers = _descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=180)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "stopped (SIGTERM)" in err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["stopped"] and report["failed"] == 0
    assert 0 < report["files"] < total
    assert report["stored"] == report["files"]  # every file handed out was finished
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") for p in workers):
        time.sleep(0.2)
    assert not [p for p in workers if os.path.exists(f"/proc/{p}")]
    with EmbeddedStore(store_dir, create=False) as store:
        assert store.stats()["letters"] == report["stored"]
        for graph in store.letter_graphs():  # every stored letter is whole
            predicates = {q.predicate.value for q in store.quads(graph)}
            assert str(IMR.hasItem) in predicates and str(IMR.sha256) in predicates
