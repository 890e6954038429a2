"""Two versions of one case number (a corrected letter), and the same letter twice.

The promise (RELIABILITY.md, "Versions of a letter"): the version with the later Decision Date
is current whatever the order of ingest (tie: the one ingested later); the other stays
retrievable in its own named graph, typed ``imr:SupersededDetermination``, and is counted by no
saved query, no analysis command and no statistic. The strongest check compares every saved
query, ``stats`` and the guideline ranking of a store holding both versions with a store that
only ever saw the current one: they must answer the same.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from imrgraph.cli import app
from imrgraph.store import EmbeddedStore
from imrgraph.store.ingest import ingest
from imrgraph.store.queries import load_query, run_select, saved_queries

ROOT = Path(__file__).resolve().parent.parent
LETTER = ROOT / "examples" / "letters" / "cm15-low-back-date-conflict.txt"
CASE = "CM15-0045678"
IMR = "https://w3id.org/imrgraph/ontology#"
runner = CliRunner()


def _version(folder: Path, name: str, decision: str, flip_first_item: bool) -> Path:
    """A copy of the example letter with another decision date and maybe item 1 overturned."""
    text = LETTER.read_text()
    assert "Decision Date: 03/13/2015" in text
    text = text.replace("Decision Date: 03/13/2015", f"Decision Date: {decision}")
    if flip_first_item:
        assert "(DOS: 01/05/2015): Upheld" in text
        text = text.replace("(DOS: 01/05/2015): Upheld", "(DOS: 01/05/2015): Overturned", 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    original = _version(tmp_path / "a", "original.txt", "03/13/2015", False)
    corrected = _version(tmp_path / "b", "corrected.txt", "04/20/2015", True)
    return original, corrected


def _ingest(store_dir: Path, *paths: Path) -> None:
    with EmbeddedStore(store_dir) as store:
        summary = ingest(paths, store, workers=1)
    assert summary.failed == 0, summary.failures


def _answers(store_dir: Path) -> dict[str, object]:
    """Every saved query's rows, the stats, and the guideline ranking of a store."""
    out: dict[str, object] = {}
    with EmbeddedStore(store_dir, create=False) as store:
        for saved in saved_queries():
            if saved.name == "letter-versions":
                continue  # the one query that is about versions
            values = {p.name: "x" for p in saved.params if p.required}
            out[saved.name] = run_select(store, saved, values).rows
        stats = store.stats()
        stats.pop("letter_triples")
        stats.pop("triples")
        out["stats"] = stats
    result = runner.invoke(app, ["guidelines", "--store", str(store_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    out["guidelines"] = json.loads(result.stdout)
    return out


def _types(store_dir: Path) -> dict[str, str]:
    """Named graph -> type of the determination in it."""
    with EmbeddedStore(store_dir, create=False) as store:
        rows = store.select(
            "SELECT ?g ?t WHERE { GRAPH ?g { ?d a ?t FILTER(?t IN "
            f"(<{IMR}Determination>, <{IMR}SupersededDetermination>)) }} }}"
        ).rows
    return {str(g): str(t).rsplit("#", 1)[1] for g, t in rows}


@pytest.mark.parametrize("corrected_first", [True, False])
def test_later_decision_date_wins_in_either_order(tmp_path, versions, corrected_first):
    original, corrected = versions
    both = tmp_path / "both"
    first, second = (corrected, original) if corrected_first else (original, corrected)
    _ingest(both, first)
    _ingest(both, second)
    only_current = tmp_path / "current"
    _ingest(only_current, corrected)

    assert _answers(both) == _answers(only_current)
    types = _types(both)
    assert sorted(types.values()) == ["Determination", "SupersededDetermination"]
    with EmbeddedStore(both, create=False) as store:
        current = store.graph_of_case(CASE)
        assert types[current] == "Determination"
        date = store.select(
            f"SELECT ?d WHERE {{ GRAPH ?g {{ ?x <{IMR}decisionDate> ?d }} }}",
            {"g": ox.NamedNode(current)},
        ).rows
        assert [str(r[0]) for r in date] == ["2015-04-20"]


def test_the_superseded_version_stays_retrievable(tmp_path, versions):
    original, corrected = versions
    store_dir = tmp_path / "store"
    _ingest(store_dir, original)
    _ingest(store_dir, corrected)
    result = runner.invoke(
        app, ["query", "letter-versions", "--store", str(store_dir), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["case"], r["status"], r["decision_date"]) for r in rows] == [
        (CASE, "current", "2015-04-20"),
        (CASE, "superseded", "2015-03-13"),
    ]
    assert rows[1]["file"] == str(original)
    old_key = rows[1]["key"]
    assert old_key.startswith(f"{CASE}/superseded/")

    # The old version exported by its key is the original letter, whole: same number of
    # triples as the original ingested alone (plus the one imr:supersededBy link).
    exported = runner.invoke(
        app, ["export", "--store", str(store_dir), "--case", old_key, "--format", "nquads"]
    )
    assert exported.exit_code == 0, exported.output
    alone = tmp_path / "alone"
    _ingest(alone, original)
    alone_export = runner.invoke(
        app, ["export", "--store", str(alone), "--case", CASE, "--format", "nquads"]
    )
    old_lines = [line for line in exported.stdout.splitlines() if line.strip()]
    alone_lines = [line for line in alone_export.stdout.splitlines() if line.strip()]
    # the version whole, plus imr:supersededBy, minus its tally links (it is counted nowhere)
    links = [line for line in alone_lines if f"<{IMR}countedUnder>" in line]
    assert links
    assert f"<{IMR}countedUnder>" not in exported.stdout
    assert len(old_lines) == len(alone_lines) - len(links) + 1
    assert any(f"{IMR}supersededBy" in line for line in old_lines)
    assert "(DOS: 01/05/2015)" in exported.stdout
    # Its outcomes are kept as imr:supersededOutcome, never as imr:hasOutcome (which every
    # count of items goes through, anchored on the letter or not).
    assert f"<{IMR}hasOutcome>" not in exported.stdout
    assert sum(f"<{IMR}supersededOutcome>" in line for line in old_lines) == 5
    # Its nodes are its own: none shared with the current version (safe to merge graphs).
    current_export = runner.invoke(
        app, ["export", "--store", str(store_dir), "--case", CASE, "--format", "ntriples"]
    )
    current_subjects = {line.split(" ")[0] for line in current_export.stdout.splitlines()}
    old_subjects = {line.split(" ")[0] for line in old_lines}
    shared = {s for s in current_subjects & old_subjects if "/determination/" in s}
    assert shared == set()


def test_a_tie_goes_to_the_version_ingested_later(tmp_path):
    a = _version(tmp_path / "a", "first.txt", "03/13/2015", False)
    b = _version(tmp_path / "b", "second.txt", "03/13/2015", True)
    store_dir = tmp_path / "store"
    _ingest(store_dir, a)
    _ingest(store_dir, b)
    only_b = tmp_path / "only-b"
    _ingest(only_b, b)
    assert _answers(store_dir) == _answers(only_b)


def test_the_same_letter_as_pdf_and_text_is_one_letter(tmp_path):
    pdf = LETTER.with_suffix(".pdf")
    store_dir = tmp_path / "store"
    with EmbeddedStore(store_dir) as store:
        summary = ingest([LETTER, pdf], store, workers=1)
    assert (summary.stored, summary.skipped, summary.failed) == (1, 1, 0)
    assert list(_types(store_dir).values()) == ["Determination"]


def test_rerunning_with_both_versions_changes_nothing(tmp_path, versions):
    original, corrected = versions
    store_dir = tmp_path / "store"
    _ingest(store_dir, original, corrected)
    before = _dump(store_dir)
    with EmbeddedStore(store_dir) as store:
        summary = ingest([original, corrected], store, workers=1)
    assert (summary.stored, summary.skipped) == (0, 2)
    assert _dump(store_dir) == before
    # a copy of the store is not needed afterwards
    shutil.rmtree(store_dir)


def _dump(store_dir: Path) -> set[str]:
    with EmbeddedStore(store_dir, create=False) as store:
        return {str(q) for q in store.quads()}


@pytest.mark.server
def test_versions_through_a_sparql_server(oxigraph_server, tmp_path, versions):
    """The same rule on a real Oxigraph server: demoting and storing are one update request."""
    from imrgraph.store import EndpointStore

    original, corrected = versions
    oxigraph_server.clear()
    server = EndpointStore(oxigraph_server.query_url, retries=1, backoff=0.05)
    try:
        for path in (corrected, original):  # the corrected letter first: the original is older
            summary = ingest([path], server, workers=1)
            assert (summary.stored, summary.failed) == (1, 0)
        only_current = tmp_path / "current"
        _ingest(only_current, corrected)
        with EmbeddedStore(only_current, create=False) as embedded:
            for saved in saved_queries():
                if saved.name == "letter-versions":
                    continue
                values = {p.name: "x" for p in saved.params if p.required}
                assert (
                    run_select(server, saved, values).rows
                    == run_select(embedded, saved, values).rows
                ), saved.name
        rows = run_select(server, load_query("letter-versions"))
        assert [(r[1], r[2]) for r in rows.rows] == [
            ("current", "2015-04-20"),
            ("superseded", "2015-03-13"),
        ]
    finally:
        server.close()
        oxigraph_server.clear()


def test_force_on_a_superseded_file_keeps_the_rule(tmp_path, versions):
    """--force re-parses a file; it does not let an older version jump ahead of the rule."""
    original, corrected = versions
    store_dir = tmp_path / "store"
    _ingest(store_dir, original, corrected)
    before = _dump(store_dir)
    with EmbeddedStore(store_dir) as store:
        summary = ingest([original], store, workers=1, force=True)
    assert (summary.stored, summary.failed) == (1, 0)
    assert _dump(store_dir) == before
