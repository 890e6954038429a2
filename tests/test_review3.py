"""Review of the session's changes (identity, memory limit, saved queries): each test here
failed on the code it was written against, before the fix named in it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from imrgraph.errors import ImrGraphError, QueryError
from imrgraph.extract.document import Limits
from imrgraph.model import Letter
from imrgraph.pipeline import parse_file
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest
from imrgraph.store.queries import load_query
from imrgraph.workers import run_supervised

LETTERS = Path(__file__).resolve().parent.parent / "examples" / "letters"


def _events(paths: list[Path], store: Any, **options: Any) -> list[tuple[str, str, str]]:
    events: list[tuple[str, str, str]] = []
    ingest(paths, store, workers=1, on_event=lambda *e: events.append(e), **options)
    return events


def test_force_moves_both_files_of_a_letter_stored_under_their_old_file_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the content key, a letter without a case number was keyed by its file: its PDF
    and its text were two letters. ``ingest --force`` of both must leave one: the second file
    is skipped as the same letter, and its graph under the old key must go all the same
    (it went only when the file was stored, so the letter stayed counted twice). Fixed in
    d772f6a (versions.store_letter)."""
    files = [LETTERS / "seed-letter.pdf", LETTERS / "seed-letter.txt"]
    store = open_store(tmp_path / "store", None, read_only=False)
    try:
        with monkeypatch.context() as patch:  # the rule of older imrgraph versions
            patch.setattr(Letter, "key", property(lambda self: f"sha256-{self.source.sha256}"))
            assert [kind for kind, _, _ in _events(files, store)] == ["stored", "stored"]
        assert store.stats()["letters"] == 2
        kinds = [kind for kind, _, _ in _events(files, store, force=True)]
        assert kinds == ["stored", "skipped"]
        [graph] = store.letter_graphs()
        assert graph.endswith(f"/graph/{parse_file(files[0]).key}")
        assert store.stats()["letters"] == 1
    finally:
        store.close()


def test_an_unknown_parameter_is_reported_whatever_else_is_in_the_query_folder(
    tmp_path: Path,
) -> None:
    """The pointer to a variant query taking the parameter (``_variant_taking``) must not read
    every .rq beside a user's query: one it cannot read replaced the real error by its own.
    Fixed in f7da728."""
    mine = tmp_path / "mine.rq"
    mine.write_text("# title: Mine\n# param: a (optional) A.\nSELECT ?a WHERE { BIND(1 AS ?a) }\n")
    (tmp_path / "other.rq").write_bytes(b'# title: Other\nSELECT ?x WHERE { BIND("\xe9" AS ?x) }\n')
    with pytest.raises(QueryError, match=r"mine\.rq: unknown parameter 'b' \(parameters: a\)$"):
        load_query(str(mine)).bindings({"b": "1"})
    # the pointer itself still works for the saved queries
    with pytest.raises(QueryError, match="the query uphold-rate-by-year-for-service takes"):
        load_query("uphold-rate-by-year").bindings({"service": "MRI"})


@pytest.mark.parametrize("blank", ["", " ", "\t", " \n "])
@pytest.mark.parametrize("name", ["decisions-for-service", "uphold-rate-by-year-for-service"])
def test_a_blank_service_is_refused_not_read_as_every_service(name: str, blank: str) -> None:
    """The words of a blank service are none, and 'every word in the label' then held for every
    item: `--param "service= "` listed all decisions (before the word split, only labels with a
    space). A required parameter given nothing is refused like a missing one. Fixed in 7518652."""
    with pytest.raises(QueryError, match="parameter service is required"):
        load_query(name).bindings({"service": blank})


def test_a_memory_limit_below_an_idle_worker_is_refused_before_any_file(tmp_path: Path) -> None:
    """A parsing worker holds ~40 MiB before its first file. A limit under that (``--max-memory
    2``, read as GB) stopped every worker at once: every letter failed as a "decompression
    bomb?", one pool restart each (0.6 s a file here, hours over a large folder).
    Fixed in 253578b."""
    files = [LETTERS / "seed-letter.txt", LETTERS / "cm14-wrist-nine-items.txt"]
    store = open_store(tmp_path / "store", None, read_only=False)
    try:
        events: list[tuple[str, str, str]] = []
        with pytest.raises(ImrGraphError, match=r"memory limit of 10 MiB is below .* --max-memory"):
            ingest(
                files,
                store,
                workers=2,
                limits=Limits(max_memory=10 * 2**20),
                on_event=lambda *e: events.append(e),
            )
        assert events == []  # no file was blamed
    finally:
        store.close()


def spiking_task(batch: list[str]) -> list[str]:
    """Runs in a worker: a 'bad' file fills 700 MiB for 3 s, then frees it and succeeds (as a
    bomb PDFium inflates, then drops); any other file returns at once."""
    out = []
    for path in batch:
        if path.startswith("bad"):
            held = b"x" * (700 * 2**20)  # written, so resident
            time.sleep(3)
            del held
        out.append(path)
    return out


def test_a_worker_over_the_memory_limit_is_stopped_while_the_supervisor_writes() -> None:
    """The supervisor read its workers' memory only while it waited for a batch not yet done.
    When writing is the slow part (a store under load), the batches it waits for are done
    already: a worker could go far over the limit, and back, unseen, and its file succeeded.
    Fixed in 809ae46."""
    written: list[str] = []
    failed: list[tuple[str, str]] = []

    def write(path: str) -> None:  # a slow store: 1 s a letter
        written.append(path)
        time.sleep(1.0)

    run_supervised(
        [["good-0", "good-1", "good-2", "good-3", "good-4"], ["bad-1"], ["good-5"]],
        spiking_task,
        (),
        workers=2,
        inflight=3,
        per_file_seconds=None,
        write=write,
        fail=lambda path, reason: failed.append((path, reason)),
        max_memory=300 * 2**20,  # an idle worker holds ~40 MiB
    )
    assert [path for path, _ in failed] == ["bad-1"], (failed, written)
    assert "more than the memory limit of 300 MiB" in failed[0][1]
    assert sorted(written) == [f"good-{i}" for i in range(6)]
