"""A file name is data (issue 15, item 3).

A name that is not UTF-8 used to sink its batch (a traceback with ``-j 1``, "internal error" for
all 32 files of the batch with ``-j 2``), and names holding a newline or an ESC were printed raw.
Now such a name is kept, percent-escaped reversibly, wherever it goes (the model's source path,
``imr:fileName``, the JSON of ``parse``, ``--report``), the rest of the batch is stored, and every
message prints names escaped: one line per file, no terminal escapes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imrgraph.filenames import name_bytes, name_text, shown
from imrgraph.store import open_store

ROOT = Path(__file__).resolve().parent.parent
LETTERS = ROOT / "examples" / "letters"
BAD = os.fsdecode(b"bad\xff name.pdf")  # not UTF-8: \udcff in Python
NASTY = "two\nlines \x1b[31mred\x1b[0m.txt"  # a newline and ANSI colour escapes


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two different letters, one under a name that is not UTF-8, and one junk file whose name
    holds a newline and ESC."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(LETTERS / "seed-letter.pdf", folder / BAD)
    shutil.copy(LETTERS / "cm14-wrist-nine-items.txt", folder / "good.txt")
    (folder / NASTY).write_text("not a letter at all\n", encoding="utf-8")
    return folder


def _file_names(store_dir: Path) -> set[str]:
    with open_store(store_dir) as store:
        rows = store.select(
            "SELECT ?name WHERE { GRAPH ?g { ?s <https://w3id.org/imrgraph/ontology#fileName> "
            "?name } }"
        ).rows
    return {row[0] for row in rows}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_letter_whose_name_is_not_utf8_is_stored_with_the_rest_of_its_batch(
    cli, folder: Path, tmp_path: Path, workers: str
) -> None:
    store_dir = tmp_path / "store"
    report = tmp_path / "report.json"
    result = cli(
        *("ingest", str(folder), "--store", str(store_dir), "-j", workers),
        *("--report", str(report)),
    )
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.returncode == 1  # the junk file failed; the two letters did not
    assert "2 stored" in result.stderr
    names = {Path(name).name for name in _file_names(store_dir)}
    assert names == {"bad%FF name.pdf", "good.txt"}
    # the escaped name gives back the bytes on disk
    stored = next(name for name in _file_names(store_dir) if "bad" in name)
    assert os.path.exists(name_bytes(stored))
    # the report is valid UTF-8 JSON and names the junk file by its real name
    data = json.loads(report.read_bytes().decode("utf-8"))
    assert [Path(f["path"]).name for f in data["failures"]] == [NASTY]


def test_parse_writes_a_name_that_is_not_utf8_as_escaped_utf8_json(cli, folder: Path) -> None:
    (folder / NASTY).unlink()
    result = cli("parse", str(folder), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    paths = sorted(
        Path(json.loads(line)["source"]["path"]).name for line in result.stdout.split("\n") if line
    )
    assert paths == ["bad%FF name.pdf", "good.txt"]


@pytest.mark.parametrize("command", ["parse", "ingest"])
def test_a_name_with_a_newline_and_escapes_is_printed_on_one_escaped_line(
    cli, folder: Path, tmp_path: Path, command: str
) -> None:
    args = [command, str(folder / NASTY), str(folder / BAD)]
    if command == "ingest":
        args += ["--store", str(tmp_path / "store"), "-j", "1"]
    result = cli(*args)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\udcff" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "lines" in line]
    assert len(lines) == 1, result.stderr
    assert "two\\nlines \\x1b[31mred\\x1b[0m.txt: " in lines[0]
    assert "not an IMR determination letter" in lines[0]


def test_an_error_message_naming_a_file_is_printed_escaped(cli, tmp_path: Path) -> None:
    missing = tmp_path / "gone\x1b]0;owned\x07.rq"
    result = cli("query", str(missing), "--store", str(tmp_path / "store"))
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@given(st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\0" not in b))
def test_an_escaped_name_gives_back_its_bytes(raw: bytes) -> None:
    text = name_text(os.fsdecode(raw))
    text.encode("utf-8")  # always writable as UTF-8
    try:
        assert text == raw.decode("utf-8")  # a UTF-8 name is kept as it is
    except UnicodeDecodeError:
        assert name_bytes(text) == raw
    assert "\n" not in shown(text) and "\x1b" not in shown(text)


def test_a_stored_value_in_a_table_is_shown_as_text_not_as_terminal_codes(
    cli, tmp_path: Path
) -> None:
    # A file name (or any value) comes back from the store in query results: the table, meant
    # for a terminal, shows it escaped and never as rich markup; CSV keeps it as it is.
    sparql = 'SELECT ?name WHERE { BIND("in/\\u001b[31mred[bold]x.pdf" AS ?name) }'
    store = ["--store", str(tmp_path / "store")]
    cli("ingest", str(LETTERS / "seed-letter.txt"), *store, "-j", "1")
    table = cli("query", "--sparql", sparql, *store)
    assert table.returncode == 0, table.stderr
    assert "\x1b" not in table.stdout
    assert "in/\\x1b[31mred[bold]x.pdf" in table.stdout
    csv = cli("query", "--sparql", sparql, "--format", "csv", *store)
    assert "in/\x1b[31mred[bold]x.pdf" in csv.stdout
