"""The report of the example letters rendered in a real browser (headless Chromium).

Checks that the page loads without a console message (the page's Content-Security-Policy
forbids every fetch and script, and Chromium logs any blocked attempt to the console), that the
rendered DOM shows the key numbers, and writes a PNG screenshot (path printed; run with -s).
Chromium is a Debian package (`chromium`), installed by .ci/run: missing in CI is a failure,
missing on a developer's machine a skip.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from test_analysis_guidelines import EXAMPLES, document_key, expected_letters
from typer.testing import CliRunner

from imrgraph.cli import app
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest

pytestmark = pytest.mark.browser

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed (.ci/run installs the Debian package chromium)")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium()  # fail or skip before building anything
    root = tmp_path_factory.mktemp("browser")
    with open_store(root / "store", read_only=False) as store:
        summary = ingest([str(p) for p in sorted(EXAMPLES.glob("*.txt"))], store, workers=1)
    assert not summary.failures
    page = root / "report.html"
    result = CliRunner().invoke(app, ["report", "--store", str(root / "store"), "-o", str(page)])
    assert result.exit_code == 0, result.output
    return page


def test_console_check_catches_a_blocked_fetch(tmp_path: Path) -> None:
    """Control: a page that tries to fetch is seen as failing by the same check."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'\"></head><body>"
        '<img src="http://127.0.0.1:9/x.png"></body></html>',
        encoding="utf-8",
    )
    result = run_chromium(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0
    assert console_messages(result.stderr), result.stderr[-2000:]


def test_report_renders_with_key_numbers(report_page: Path, tmp_path: Path) -> None:
    result = run_chromium(report_page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    dom = result.stdout
    assert "Which guidelines lead to upheld denials?" in dom
    letters = expected_letters()
    items = [i for letter in letters for i in letter["items"]]

    def shown(element_id: str) -> str:
        match = re.search(rf'id="{element_id}">([^<]*)<', dom)
        assert match, element_id
        return html.unescape(match.group(1))

    assert shown("letters") == f"{len(letters):,}"
    assert shown("items") == f"{len(items):,}"
    # The top guideline (most upheld reviewer-cited items) with its counts, as rendered.
    counts: dict[tuple[str, str | None], list[int]] = {}
    for item in items:
        for key in {document_key(c) for c in item["reviewer_citations"]}:
            row = counts.setdefault(key, [0, 0])
            row[0] += 1
            row[1] += item["outcome"] == "Upheld"
    (_, document), (n_items, n_upheld) = max(counts.items(), key=lambda kv: (kv[1][1], kv[1][0]))
    table = dom[dom.index('id="ranking"') :]
    row = re.search(r"<tr><td>(.*?)</td><td class=\"n\">(\d+)</td><td class=\"n\">(\d+)<", table)
    assert row and document and document in html.unescape(row.group(1))
    assert (int(row.group(2)), int(row.group(3))) == (n_items, n_upheld)
    assert dom.count("<svg") == 4


def test_report_screenshot(report_page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = run_chromium(
        report_page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a rendered page, not a blank one
    print(f"\nreport screenshot: {shot}")


def test_report_shows_why_with_the_top_reason_of_the_largest_category(
    report_page: Path, tmp_path: Path
) -> None:
    """The "Why" section, as Chromium renders it: for the service category with the most items,
    the reason its rationales state most often, with its items and one of its sentences. The
    expectation is counted here from the parsed letters, not by the report's code."""
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    from imrgraph.pipeline import parse_file
    from imrgraph.rdf.validate import load_ontology
    from imrgraph.rdf.vocab import RSN

    result = run_chromium(report_page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    dom = result.stdout
    assert '<a href="#why">Why</a>' in dom
    why = dom[dom.index('<section id="why">') :]
    why = why[: why.index("</section>")]

    items = [item for path in sorted(EXAMPLES.glob("*.txt")) for item in parse_file(path).items]
    per_category: dict[str, int] = {}
    for item in items:
        per_category[item.category] = per_category.get(item.category, 0) + 1
    largest = min(per_category, key=lambda c: (-per_category[c], c))
    reasons: dict[str, list[str]] = {}
    for item in items:
        if item.category == largest:
            for reason in item.reasons:
                reasons.setdefault(reason.code, []).append(reason.sentence)
    top = min(reasons, key=lambda code: (-len(reasons[code]), code))
    label = str(load_ontology().value(URIRef(f"{RSN}{top}"), SKOS.prefLabel))

    first = re.search(
        r"<tr><td rowspan=\"\d+\">(.*?) <span[^>]*>\((\d+) items\)</span></td>\s*"
        r"<td>(.*?)</td><td class=\"n\">(\d+)</td><td class=\"n\">[^<]*</td>"
        r"<td class=\"muted\">(.*?)</td>",
        why,
    )
    assert first, why[:2000]
    assert html.unescape(first.group(1)) == largest
    assert int(first.group(2)) == per_category[largest]
    assert html.unescape(first.group(3)) == label
    assert int(first.group(4)) == len(reasons[top])
    assert html.unescape(first.group(5)) == min(reasons[top], key=lambda s: (len(s), s))
    assert "For the services with the most items" in why
