"""``imrgraph serve`` in headless Chromium (Playwright driving Debian's /usr/bin/chromium).

A person's path through the site: search from the home page, open a guideline, follow an
example decision to its letter, run a query in the SPARQL form; and the letter whose service
holds ``<script>`` shows it as text without running it. Each step writes a screenshot to the
test's tmp folder (paths printed: run with -s). Against the embedded store and against
``oxigraph serve`` through ``--endpoint``.

No browser is downloaded (``playwright install`` is never run): the pip package's driver
launches the system Chromium by path. Missing Chromium is a failure in CI, a skip elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve_support import (
    EXAMPLES,
    HOSTILE_CASE,
    HOSTILE_REASON,
    HOSTILE_SERVICE,
    Served,
    start_backend,
    start_server,
    stop_backend,
    stop_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed (.ci/run installs the Debian package chromium)")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module", params=["embedded", "endpoint"])
def served(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Served]:
    chromium_path()  # fail or skip before building anything
    tmp = tmp_path_factory.mktemp(f"browser-{request.param}")
    backend, handle = start_backend(request.param, tmp)
    try:
        server = start_server(backend.args, tmp / "serve.log")
        try:
            yield server
        finally:
            stop_server(server)
    finally:
        stop_backend(handle)


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[object]:
    try:
        from playwright import sync_api
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser, served: Served) -> Iterator[object]:
    context = browser.new_context(base_url=served.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []  # console errors (a blocked style or script) and dialogs (a script ran)
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    tab.on("dialog", lambda d: (tab.problems.append(f"dialog: {d.message}"), d.dismiss()))
    try:
        yield tab
    finally:
        context.close()


def shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"\nscreenshot: {path}")
    return path


def test_search_guideline_letter_and_sparql_in_a_browser(page, tmp_path: Path) -> None:
    page.goto("/")
    letters = len(list(EXAMPLES.glob("*.pdf"))) + 1  # the examples + the hostile letter
    assert page.locator("#letters").inner_text() == str(letters)
    # the stylesheet served by the app applied (no CDN, nothing blocked)
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    shot(page, tmp_path, "1-home")

    page.fill("#home-q", "lumbar")
    page.click(".bigsearch button")
    page.wait_for_url("**/search?q=lumbar*")
    rows = page.locator("#decisions tbody tr")
    assert rows.count() >= 3
    for i in range(rows.count()):
        assert "lumbar" in rows.nth(i).locator("td").nth(2).inner_text().lower()
    page.select_option("select[name=outcome]", "Overturned")
    page.click(".filters button")
    page.wait_for_url("**outcome=Overturned*")
    outcomes = page.locator("#decisions tbody td:nth-child(5)").all_inner_texts()
    assert outcomes and set(outcomes) == {"Overturned"}
    shot(page, tmp_path, "2-search")

    page.goto("/guidelines")
    first = page.locator("#ranking tbody tr").first.locator("a")
    name = first.inner_text()
    first.click()
    page.wait_for_url("**/guideline/**")
    assert page.locator("#guideline-name").inner_text() == name
    assert page.locator("#uphold-rate").inner_text().endswith("%")
    assert "–" in page.locator("#interval").inner_text()
    # the reasons stated for its items, each with an example sentence
    reasons = page.locator("#reasons tbody tr")
    assert reasons.count() >= 1 and reasons.first.locator("q.evidence").inner_text()
    shot(page, tmp_path, "3-guideline")

    example = page.locator("#examples a.letter-link").first
    case = example.inner_text()
    example.click()
    page.wait_for_url("**/letter/**")
    assert page.locator("#letter-case").inner_text() in (case, "(no case number)")
    assert page.locator(".item").count() >= 1
    assert page.locator("#source-file").inner_text().endswith(".pdf")
    shot(page, tmp_path, "4-letter")

    page.goto("/sparql")
    page.fill(
        "#sparql-query",
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?case WHERE { GRAPH ?g { ?d dcterms:identifier ?case } } ORDER BY ?case",
    )
    page.click("#run-query")
    page.wait_for_selector("#sparql-results")
    cases = page.locator("#sparql-results tbody td").all_inner_texts()
    assert "CM15-0045678" in cases and HOSTILE_CASE in cases
    assert cases == sorted(cases)
    shot(page, tmp_path, "5-sparql")
    assert page.problems == []


def test_letter_markup_shows_as_text_and_never_runs(page, tmp_path: Path) -> None:
    page.goto(f"/letter/{HOSTILE_CASE}")
    services = page.locator(".item .service").all_inner_texts()
    assert HOSTILE_SERVICE in services  # shown literally, as the letter wrote it
    assert HOSTILE_REASON in page.locator(".item .reasons q.evidence").all_inner_texts()
    assert page.locator("main script").count() == 0
    page.goto("/search?q=support+brace")
    assert HOSTILE_SERVICE in page.locator("#decisions").inner_text()
    shot(page, tmp_path, "hostile-letter")
    assert page.problems == []  # no alert() dialog, no blocked script
