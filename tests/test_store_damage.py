"""A damaged store, a folder that is not a store, a store that cannot be written.

The promises (RELIABILITY.md, "A damaged or foreign store"): a store RocksDB finds corrupt (a
truncated file, a checksum mismatch, a garbage CURRENT file) gives every command one line, never
a traceback; a folder that is not an imrgraph store is refused before anything is written into
it; a store on a read-only mount can still be read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from imrgraph.store import open_store

ROOT = Path(__file__).resolve().parent.parent
# Each example letter is there as text and as PDF: one letter, two files.
EXAMPLE_LETTERS = len(list((ROOT / "examples" / "letters").glob("*.pdf")))
pytestmark = pytest.mark.slow  # interpreters started per case
IMRGRAPH = [sys.executable, "-m", "imrgraph"]
READERS = [
    ("stats",),
    ("query", "decisions-for-service", "-p", "service=MRI"),
    ("export", "--format", "nquads"),
    ("guidelines",),
]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("IMRGRAPH_STORE", None)
    env.pop("IMRGRAPH_ENDPOINT", None)
    return subprocess.run(
        [*IMRGRAPH, *args], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("imrgraph: error: "), result.stderr[-2000:]
    return lines[0]


@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("damage") / "store"
    result = _run("ingest", "examples/letters", "-j", "1", "--store", str(path))
    assert result.returncode == 0, result.stderr
    return path


def _truncate_a_table(store: Path) -> None:
    table = max(store.glob("*.sst"), key=lambda p: p.stat().st_size)
    with table.open("r+b") as handle:
        handle.truncate(100)


def _flip_bits(store: Path) -> None:
    for table in store.glob("*.sst"):
        data = bytearray(table.read_bytes())
        for i in range(100, max(101, len(data) - 3000), 499):
            data[i] ^= 0xFF
        table.write_bytes(bytes(data))


def _garbage_current(store: Path) -> None:
    (store / "CURRENT").write_text("garbage\n")


@pytest.mark.parametrize("damage", [_truncate_a_table, _flip_bits, _garbage_current])
def test_a_damaged_store_gives_every_command_one_line(good_store, tmp_path, damage):
    store = tmp_path / "store"
    shutil.copytree(good_store, store)
    damage(store)
    for command in READERS:
        line = _one_line_error(_run(*command, "--store", str(store)))
        assert "damaged" in line or "failed" in line, line
        assert "Corruption" in line  # RocksDB's own word for it, so the cause is plain
    line = _one_line_error(
        _run("ingest", "examples/letters/seed-letter.txt", "--store", str(store), "-j", "1")
    )
    assert "Corruption" in line


def test_a_folder_that_is_not_a_store_is_left_untouched(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "CURRENT").write_text("my current notes\n")  # any file may be called CURRENT
    (folder / "notes.txt").write_text("keep me")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for args in (
        ("ingest", "examples/letters/seed-letter.txt", "-j", "1"),
        ("stats",),
        ("query", "outcomes-by-category"),
    ):
        line = _one_line_error(_run(*args, "--store", str(folder)))
        assert str(folder) in line
        after = {p.name: p.read_bytes() for p in folder.iterdir()}
        assert after == before  # before: LOCK and LOG were written into it


def test_a_store_written_before_the_marker_is_still_a_store(good_store, tmp_path):
    from imrgraph.store.embedded import MARKER

    store = tmp_path / "old"
    shutil.copytree(good_store, store)
    (store / MARKER).unlink()
    with open_store(store) as opened:  # known by Oxigraph's own files
        assert opened.stats()["letters"] == EXAMPLE_LETTERS
    assert (store / MARKER).is_file()  # and marked from now on


def _can_mount_read_only() -> bool:
    if not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,ro,bind /tmp"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.skipif(
    not _can_mount_read_only(), reason="needs a private read-only mount (unshare -m)"
)
def test_a_store_on_a_read_only_mount_can_be_read(good_store, tmp_path):
    store = tmp_path / "ro"
    shutil.copytree(good_store, store)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = " ".join([sys.executable, "-m", "imrgraph"])
    script = (
        f"mount --bind {store} {store} && mount -o remount,ro,bind {store} && "
        f"{command} stats --json --store {store} && "
        f"{command} query outcomes-by-category --format csv --store {store}; "
        f"{command} ingest examples/letters/seed-letter.txt -j 1 --force --store {store}"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    # before: "Read-only file system"
    assert f'"letters": {EXAMPLE_LETTERS}' in result.stdout, result.stderr
    assert "category" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("imrgraph: error")]
    assert len(errors) == 1 and "cannot open the store" in errors[0], result.stderr
