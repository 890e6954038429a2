"""The HTML report: self-contained, escaped, and showing the numbers of the example letters."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from test_analysis_guidelines import EXAMPLES, document_key, expected_letters
from typer.testing import CliRunner

from imrgraph.analysis.report import build_report, report_data
from imrgraph.cli import app
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest

SEED = EXAMPLES / "seed-letter.txt"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "store"
    with open_store(path, read_only=False) as store:
        summary = ingest([str(p) for p in sorted(EXAMPLES.glob("*.txt"))], store, workers=1)
    assert not summary.failures
    return path


@pytest.fixture(scope="module")
def report_html(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report-html") / "report.html"
    result = CliRunner().invoke(app, ["report", "--store", str(store_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def expected_totals() -> tuple[int, int, int]:
    letters = expected_letters()
    items = [i for letter in letters for i in letter["items"]]
    return len(letters), len(items), sum(i["outcome"] == "Upheld" for i in items)


def text_of(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, f"no element #{element_id}"
    return html.unescape(match.group(1))


def test_overview_numbers_come_from_the_letters(report_html: str) -> None:
    letters, items, upheld = expected_totals()
    assert text_of(report_html, "letters") == f"{letters:,}"
    assert text_of(report_html, "items") == f"{items:,}"
    assert text_of(report_html, "upheld") == f"{upheld:,}"
    assert text_of(report_html, "uphold-rate") == f"{100 * upheld / items:.1f}%"


def test_top_guideline_row_has_its_counts(report_html: str) -> None:
    counts: dict[tuple[str, str | None], list[int]] = {}
    for letter in expected_letters():
        for item in letter["items"]:
            for key in {document_key(c) for c in item["reviewer_citations"]}:
                row = counts.setdefault(key, [0, 0])
                row[0] += 1
                row[1] += item["outcome"] == "Upheld"
    (_family, document), (items, upheld) = max(counts.items(), key=lambda kv: (kv[1][1], kv[1][0]))
    table = report_html[report_html.index('id="ranking"') :]
    first_row = re.search(
        r"<tr><td>(.*?)</td><td class=\"n\">(\d+)</td><td class=\"n\">(\d+)<", table
    )
    assert first_row, "ranking table has no rows"
    assert document and document in html.unescape(first_row.group(1))
    assert (int(first_row.group(2)), int(first_row.group(3))) == (items, upheld)


def test_page_is_self_contained(report_html: str) -> None:
    lowered = report_html.lower()
    for needle in ("<script", "<link", "<iframe", "@import", "<img", "src="):
        assert needle not in lowered, needle
    # No URL the browser would fetch: same-page anchors, SVG's internal references, and the
    # colour bar matplotlib embeds as a data: image.
    for attr in re.findall(r'(?:href|src)="([^"]*)"', report_html):
        assert attr.startswith(("#", "data:image/png;base64,")), attr[:80]
    assert "url(http" not in lowered
    assert "Content-Security-Policy" in report_html
    assert report_html.count("<svg") == 4  # ranking, categories, years, network


def test_sections_and_examples_present(report_html: str) -> None:
    for section in (
        "overview",
        "guidelines",
        "categories",
        "specialties",
        "years",
        "network",
        "examples",
        "quality",
        "method",
    ):
        assert f'<section id="{section}">' in report_html
    assert "SHACL validation" in report_html
    assert "all conform" in report_html  # ingest stores only conforming letters
    # Example decisions show a case number and a decisive sentence of the letters.
    sentences = {
        i["decisive_sentence"]
        for letter in expected_letters()
        for i in letter["items"]
        if i.get("decisive_sentence")
    }
    shown = html.unescape(report_html)
    assert any(s in shown for s in sentences)
    cases = {letter["case_number"] for letter in expected_letters() if letter.get("case_number")}
    assert any(c in shown for c in cases)


def test_text_from_letters_is_escaped(tmp_path: Path) -> None:
    hostile = "MRI <script>alert('x')</script> & <b>cervical</b> spine"
    text = SEED.read_text(encoding="utf-8").replace(
        "MRI of cervical spine without contrast: Upheld", f"{hostile}: Upheld"
    )
    assert hostile in text
    letters = tmp_path / "in"
    letters.mkdir()
    (letters / "hostile.txt").write_text(text, encoding="utf-8")
    with open_store(tmp_path / "store", read_only=False) as store:
        assert not ingest([str(letters)], store, workers=1).failures
        page = build_report(report_data(store, shacl=None))
    assert "<script>" not in page and "<b>cervical</b>" not in page
    assert "MRI &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;cervical" in page


def test_report_of_an_empty_store(tmp_path: Path) -> None:
    with open_store(tmp_path / "store", read_only=False) as store:
        store.load_ontology()
        data: dict[str, Any] = report_data(store, shacl=None)
        page = build_report(data)
    assert data["overview"]["letters"] == 0
    assert "No reviewer citations in the store." in page


def test_cli_report_unwritable_path_is_one_line_error(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "r.html"
    result = CliRunner().invoke(
        app, ["report", "--store", str(store_dir), "-o", str(out), "--shacl-sample", "0"]
    )
    assert result.exit_code == 1
    assert "cannot write the report" in str(result.exception)


def test_one_pass_year_and_category_equal_the_separate_breakdowns(store_dir: Path) -> None:
    from imrgraph.analysis.outcomes import outcome_counts, year_category_counts

    with open_store(store_dir) as store:
        years, categories = year_category_counts(store)
        assert sorted(years, key=str) == sorted(outcome_counts(store, "year"), key=str)
        assert sorted(categories, key=str) == sorted(outcome_counts(store, "category"), key=str)
    _, items, upheld = expected_totals()
    assert sum(r["items"] for r in years) == items
    assert sum(r["upheld"] for r in categories) == upheld


def _rows(page: str, table_id: str) -> list[list[str]]:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [
        [html.unescape(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        if "<td" in row
    ]


def test_modified_requests_and_unreadable_outcomes_are_shown(tmp_path: Path) -> None:
    """The letters of tests/published_letters.py (expected numbers from its table)."""
    from published_letters import published_letters, store_of

    with store_of(published_letters(), tmp_path / "store") as store:
        page = build_report(report_data(store, shacl=None))
    assert text_of(page, "items") == "7"
    assert text_of(page, "upheld") == "3"
    assert text_of(page, "overturned") == "2"
    assert text_of(page, "unknown") == "2"
    assert text_of(page, "uphold-rate") == "60.0%"  # 3 of the 5 decided items
    # request, items, upheld, overturned, not readable, rate, interval, lift
    rows = _rows(page, "modified-requests")
    assert [row[:6] for row in rows] == [
        ["modified", "3", "2", "1", "0", "66.7%"],
        ["not modified", "4", "1", "1", "2", "50.0%"],
    ]


def test_a_store_without_unreadable_outcomes_shows_no_unknown_column(report_html: str) -> None:
    assert 'id="unknown"' not in report_html
    assert "Outcome not readable" not in report_html
    rows = _rows(report_html, "modified-requests")
    assert [row[0] for row in rows] == ["modified", "not modified"]


def test_a_guideline_with_no_decided_item_shows_no_rate_or_interval(tmp_path: Path) -> None:
    from published_letters import published_letters, store_of

    with store_of(published_letters(), tmp_path / "store") as store:
        page = build_report(report_data(store, shacl=None))
    rows = {row[0]: row for row in _rows(page, "ranking")}
    # guideline, items, upheld, overturned, not readable, rate, interval, lift
    assert rows["MTUS Low Back Complaints"][1:] == ["1", "0", "0", "1", "–", "–", "–"]
    assert rows["MTUS Chronic Pain Medical Treatment Guidelines"][1:6] == [
        "4",
        "2",
        "2",
        "0",
        "50.0%",
    ]
