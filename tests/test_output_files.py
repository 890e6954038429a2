"""Output files are whole or untouched, and ``-o -`` is standard output (issue 15, items 7, 10).

``export -o FILE`` used to open FILE for writing before it knew whether it had anything to write:
a case that does not exist or an unreachable server left FILE empty. Every ``-o`` now writes a
temporary file beside FILE and renames it over FILE only when all was written
(``imrgraph/output.py``). ``ingest --report`` is checked before any letter is read.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRECIOUS = b"what the user had here before\n"


@pytest.fixture
def store_dir(tmp_path: Path, _sample_store_template: Path) -> Path:
    shutil.copytree(_sample_store_template, tmp_path / "store")
    return tmp_path / "store"


@pytest.fixture
def dead_endpoint() -> str:
    """A query URL on 127.0.0.1 where nothing listens (a port just closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/query"


def _precious(folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / name
    target.write_bytes(PRECIOUS)
    return target


def _only(folder: Path) -> list[str]:
    """The names in ``folder``: no temporary file may be left behind."""
    return sorted(path.name for path in folder.iterdir())


def test_an_export_of_a_case_that_does_not_exist_leaves_the_file_as_it_was(
    cli, store_dir: Path, tmp_path: Path
) -> None:
    target = _precious(tmp_path / "out", "letter.ttl")
    result = cli(
        "export", "--case", "CM99-9999999", "-f", "turtle", "-o", str(target),
        "--store", str(store_dir),
    )  # fmt: skip
    assert result.returncode == 1
    assert "no letter with case number 'CM99-9999999'" in result.stderr
    assert target.read_bytes() == PRECIOUS
    assert _only(target.parent) == ["letter.ttl"]


def test_an_export_from_an_unreachable_server_leaves_the_file_as_it_was(
    cli, dead_endpoint: str, tmp_path: Path
) -> None:
    target = _precious(tmp_path / "out", "all.trig")
    result = cli("export", "-o", str(target), "--endpoint", dead_endpoint, "--timeout", "2")
    assert result.returncode == 1
    assert target.read_bytes() == PRECIOUS
    assert _only(target.parent) == ["all.trig"]


def test_a_successful_export_replaces_the_file_with_the_same_permissions(
    cli, store_dir: Path, tmp_path: Path
) -> None:
    target = _precious(tmp_path / "out", "letter.nt")
    target.chmod(0o640)
    result = cli(
        "export", "--case", "CM15-0000001", "-f", "ntriples", "-o", str(target),
        "--store", str(store_dir),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"CM15-0000001" in target.read_bytes() and PRECIOUS not in target.read_bytes()
    assert target.stat().st_mode & 0o777 == 0o640
    assert _only(target.parent) == ["letter.nt"]


def test_export_dash_o_dash_writes_standard_output(cli, store_dir: Path, tmp_path: Path) -> None:
    result = cli(
        "export", "--case", "CM15-0000001", "-f", "ntriples", "-o", "-",
        "--store", str(store_dir), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "CM15-0000001" in result.stdout
    assert not (tmp_path / "-").exists()


def test_export_of_an_empty_case_is_an_error_not_the_whole_store(
    cli, store_dir: Path, tmp_path: Path
) -> None:
    result = cli("export", "--case", "", "--store", str(store_dir))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "--case: empty" in result.stderr


def test_report_dash_o_dash_writes_the_html_to_standard_output(
    cli, store_dir: Path, tmp_path: Path
) -> None:
    result = cli(
        "report", "-o", "-", "--shacl-sample", "0", "--store", str(store_dir), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().lower().startswith("<!doctype html")
    assert result.stdout.rstrip().endswith("</html>")
    assert "wrote the report" in result.stderr
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["report", "--shacl-sample", "0"], "report.html"),
        (["plot", "guidelines"], "chart.svg"),
        (["network", "--kind", "co-citation"], "net.graphml"),
    ],
)
def test_report_plot_and_network_leave_the_file_alone_when_the_server_is_down(
    cli, dead_endpoint: str, tmp_path: Path, command: list[str], name: str
) -> None:
    target = _precious(tmp_path / "out", name)
    result = cli(*command, "-o", str(target), "--endpoint", dead_endpoint)
    assert result.returncode == 1
    assert target.read_bytes() == PRECIOUS
    assert _only(target.parent) == [name]


def test_an_unwritable_report_path_is_refused_before_any_letter_is_stored(
    cli, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("x")
    report = tmp_path / "a-file" / "report.json"  # a folder that cannot exist
    store = tmp_path / "store"
    result = cli(
        "ingest", str(ROOT / "examples" / "letters" / "seed-letter.txt"),
        "--store", str(store), "--report", str(report), "-j", "1",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith(f"imrgraph: error: {report}: cannot write the report: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not store.exists()  # nothing was read, nothing stored
