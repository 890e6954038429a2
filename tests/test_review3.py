"""Review of the session's changes (identity, tallies' mark, memory limit, saved queries):
each test here failed on the code it was written against, before the fix named beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imrgraph.model import Letter
from imrgraph.pipeline import parse_file
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest

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
    (it went only when the file was stored, so the letter stayed counted twice)."""
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
