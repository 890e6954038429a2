"""A folder without letters is an error, not "0 files" and exit 0 (issue 15, item 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

LETTERS = Path(__file__).resolve().parent.parent / "examples" / "letters"


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "notes.json").write_text("{}")  # files, but no .pdf or .txt
    return folder


def test_ingest_of_a_folder_without_letters_says_so_and_fails(
    cli, empty: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    result = cli("ingest", str(empty), "--store", str(store))
    assert result.returncode == 1
    assert result.stderr == (
        f"imrgraph: error: no letters found in {empty} (looked for .pdf and .txt files)\n"
    )
    assert not store.exists()  # nothing to store: no store created either


def test_parse_of_a_folder_without_letters_says_so_and_fails(cli, empty: Path) -> None:
    result = cli("parse", str(empty))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no letters found in" in result.stderr


@pytest.mark.parametrize("command", ["parse", "ingest"])
def test_an_empty_folder_beside_letters_gets_its_own_line(
    cli, empty: Path, tmp_path: Path, command: str
) -> None:
    args = [command, str(empty), str(LETTERS / "seed-letter.txt")]
    if command == "ingest":
        args += ["--store", str(tmp_path / "store"), "-j", "1"]
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    assert f"{empty}: no letters in this folder (no .pdf or .txt file)\n" in result.stderr
