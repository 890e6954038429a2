"""Which files are one letter: the identity rule for letters without a case number.

A letter with a case number is keyed by it (two files of one case are one letter or two
versions: tests/test_reliability_versions.py). A letter without one is keyed by what it says
(``Letter.content_digest``): its PDF and its text, or a re-download with other bytes, are one
letter; two files that say different things are two.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imrgraph.model import Letter
from imrgraph.pipeline import parse_file
from imrgraph.store import open_store
from imrgraph.store.ingest import ingest

LETTERS = Path(__file__).resolve().parent.parent / "examples" / "letters"
NO_CASE = sorted(
    p.stem
    for p in LETTERS.glob("*.txt")
    if parse_file(p).case_number is None  # the four letters without a header table
)


def test_the_examples_without_a_case_number_are_four() -> None:
    assert len(NO_CASE) == 4


@pytest.mark.parametrize("stem", NO_CASE)
def test_a_letters_pdf_and_text_have_one_key(stem: str) -> None:
    pdf, text = parse_file(LETTERS / f"{stem}.pdf"), parse_file(LETTERS / f"{stem}.txt")
    assert pdf.source.sha256 != text.source.sha256
    assert pdf.key == text.key
    assert pdf.key.startswith("content-")


def test_different_letters_have_different_keys() -> None:
    keys = {parse_file(LETTERS / f"{stem}.txt").key for stem in NO_CASE}
    assert len(keys) == len(NO_CASE)


def _seed() -> Letter:
    return parse_file(LETTERS / "seed-letter.txt")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set("dates.decision", "2099-01-01"),
        _set("items.1.outcome", "Overturned"),  # it is Upheld
        _set("items.1.service", "Acupuncture x 6"),
        _set("items.0.decisive_sentence", "Another sentence."),
        _set("reviewer.specialties", ["Psychiatry"]),
        _set("applicant.age", 99),
        _set("warnings", ["a warning"]),
    ],
    ids=["decision date", "outcome", "service", "sentence", "specialty", "age", "warnings"],
)
def test_what_the_letter_says_changes_its_key(change: Callable[[dict[str, Any]], None]) -> None:
    data = _seed().to_dict()
    before = Letter.from_dict(copy.deepcopy(data)).key
    change(data)
    assert Letter.from_dict(data).key != before


@pytest.mark.parametrize(
    "change",
    [
        _set("source.path", "elsewhere/copy.pdf"),
        _set("source.sha256", "f" * 64),
        _set("source.format", "pdf"),
        _set("source.pages", 7),
        _set("source.parser_version", "9.9"),
        _set("items.0.page", 3),
    ],
    ids=["path", "sha256", "format", "pages", "parser version", "item page"],
)
def test_where_the_letter_came_from_does_not(change: Callable[[dict[str, Any]], None]) -> None:
    data = _seed().to_dict()
    before = Letter.from_dict(copy.deepcopy(data)).key
    change(data)
    assert Letter.from_dict(data).key == before


def _events(paths: list[Path], store: Any, **options: Any) -> list[tuple[str, str, str]]:
    events: list[tuple[str, str, str]] = []
    ingest(paths, store, workers=1, on_event=lambda *e: events.append(e), **options)
    return events


def test_ingest_keeps_one_letter_from_a_pdf_and_its_text(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store", None, read_only=False)
    try:
        files = [LETTERS / f"{stem}{suffix}" for stem in NO_CASE for suffix in (".pdf", ".txt")]
        events = _events(files, store)
        stored = [path for kind, path, _ in events if kind == "stored"]
        skipped = [(path, detail) for kind, path, detail in events if kind == "skipped"]
        assert sorted(Path(p).name for p in stored) == [f"{s}.pdf" for s in NO_CASE]
        assert sorted(Path(p).name for p, _ in skipped) == [f"{s}.txt" for s in NO_CASE]
        assert all(detail.startswith("same letter already stored from") for _, detail in skipped)
        assert store.stats()["letters"] == len(NO_CASE)
    finally:
        store.close()


def test_force_moves_a_letter_stored_under_the_old_file_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written before this rule keyed such a letter by its file's sha256. Re-ingesting
    the file skips it (same file); with --force it moves to its content key, nothing left
    behind under the old one, so it is not counted twice."""
    text = LETTERS / "seed-letter.txt"
    store = open_store(tmp_path / "store", None, read_only=False)
    try:
        with monkeypatch.context() as patch:  # the rule of older imrgraph versions
            patch.setattr(Letter, "key", property(lambda self: f"sha256-{self.source.sha256}"))
            assert [kind for kind, _, _ in _events([text], store)] == ["stored"]
        [old] = store.letter_graphs()
        assert "/graph/sha256-" in old
        assert [kind for kind, _, _ in _events([text], store)] == ["skipped"]
        assert [kind for kind, _, _ in _events([text], store, force=True)] == ["stored"]
        [new] = store.letter_graphs()
        assert new.endswith(f"/graph/{parse_file(text).key}")
        assert store.stats()["letters"] == 1
    finally:
        store.close()


@pytest.mark.parametrize("stem", NO_CASE)
def test_the_digest_is_the_documented_one(stem: str) -> None:
    """docs/DESIGN.md: the sha256 of the letter's JSON without `source`, the items' `page` and
    `reasons`, the items' modified-request fields while they are null, and `date-in-future`
    warnings (the code reads the fields in place for speed; it must hash the same text)."""
    import hashlib
    import json

    letter = parse_file(LETTERS / f"{stem}.pdf")
    data = letter.to_dict()
    del data["source"]
    data["warnings"] = [w for w in data["warnings"] if not w.startswith("date-in-future:")]
    for item in data["items"]:
        del item["page"]
        del item["reasons"]
        for later in ("original_request", "authorized"):
            if item[later] is None:
                del item[later]
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert letter.key == "content-" + hashlib.sha256(text.encode("utf-8")).hexdigest()
