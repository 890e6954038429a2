"""Identical copies of a file share its outcome (issue 15, item 10).

A file whose bytes are already in flight is not parsed again. It used to be reported at once as
"skipped (already stored)", even when the first copy then failed: a bad file's copies read as
stored letters. Now each copy waits for the first copy's outcome: failed with the same reason,
or skipped when the letter was stored.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

LETTERS = Path(__file__).resolve().parent.parent / "examples" / "letters"
JUNK_REASON = "parse: not an IMR determination letter"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_each_copy_of_a_failed_file_fails_with_its_reason(
    cli, tmp_path: Path, workers: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text("a memo, not an IMR letter\n", encoding="utf-8")
    for name in ("letter-1.txt", "letter-2.txt"):
        shutil.copy(LETTERS / "cm14-wrist-nine-items.txt", folder / name)
    report = tmp_path / "report.json"
    store = tmp_path / "store"
    result = cli(
        "ingest", str(folder), "--store", str(store), "-j", workers, "--report", str(report)
    )
    assert result.returncode == 1
    assert "5 files: 1 stored, 1 skipped (already stored), 3 failed" in result.stderr
    for name in ("a.txt", "b.txt", "c.txt"):
        assert f"{folder / name}: {JUNK_REASON}" in result.stderr
    failures = json.loads(report.read_text())["failures"]
    assert sorted(Path(f["path"]).name for f in failures) == ["a.txt", "b.txt", "c.txt"]
    assert len({f["reason"] for f in failures}) == 1

    # Run again: the copies of the stored letter are already stored, the junk fails again.
    again = cli("ingest", str(folder), "--store", str(store), "-j", workers)
    assert "5 files: 0 stored, 2 skipped (already stored), 3 failed" in again.stderr
