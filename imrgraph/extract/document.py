"""The extraction step's entry point: a file on disk -> ``ExtractedDocument``.

Why one entry point: every later step (parser, ingest workers, benchmarks) wants the same thing
from a file, its cleaned page texts and a fingerprint, and every input failure (missing, empty,
too big, corrupt, encrypted, scanned) should be decided in one place with one message style.
The file is read once; the SHA-256 and the text both come from those bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from imrgraph.errors import EmptyFile, ExtractionError, LimitExceeded, NoTextLayer
from imrgraph.extract.layout import (
    fix_header_table,
    header_needs_layout,
    splice_table,
    table_from_positions,
)
from imrgraph.extract.pdf import FirstPage, hyphen_marks_as_drawn, pdf_pages
from imrgraph.extract.running import remove_running_lines
from imrgraph.extract.text import normalize_text, text_pages

if TYPE_CHECKING:
    import pypdfium2 as pdfium

Format = Literal["pdf", "text"]

PDF_SUFFIXES = frozenset({".pdf"})
TEXT_SUFFIXES = frozenset({".txt"})


@dataclass(frozen=True)
class Limits:
    """Per-file limits that keep one hostile or mistaken file from stalling a batch."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    #: Seconds one file may take to extract and parse (``pipeline.parse_one`` enforces it;
    #: None = no limit). A letter takes well under a second; this stops a runaway file.
    max_seconds: float | None = 60.0
    #: Resident memory (bytes) one parsing worker may use; the parent kills a worker that goes
    #: over (``imrgraph.workers``). A letter needs about 100 MB; a 2 MB PDF whose content
    #: stream inflates to 2 GB (a decompression bomb) needs 3 GB. None = no limit.
    max_memory: int | None = 2048 * 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class ExtractedDocument:
    """A letter's text as the parser wants it: cleaned pages, running headers/footers removed."""

    path: str
    sha256: str
    format: Format
    pages: list[str]
    page_count: int


def file_format(path: Path, data: bytes) -> Format:
    """``pdf`` or ``text`` from the file name; an unknown suffix is sniffed (``%PDF-`` or not)."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return "pdf"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    raise ExtractionError(
        str(path), f"unsupported file type {suffix or '(no suffix)'!r} (use .pdf or .txt)"
    )


def read_input(path: Path, limits: Limits) -> bytes:
    """The file's bytes, after checking it exists, is a file, is not empty and not too big."""
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ExtractionError(name, "no such file") from None
    except OSError as exc:
        raise ExtractionError(name, f"cannot read ({exc.strerror or exc})") from None
    if path.is_dir():
        raise ExtractionError(name, "is a directory")
    if not path.is_file():  # a FIFO or a device: reading it could block forever
        raise ExtractionError(name, "not a regular file")
    if size == 0:
        raise EmptyFile(name, "empty file (0 bytes)")
    if size > limits.max_bytes:
        raise LimitExceeded(name, f"file too large ({size:,} bytes > limit {limits.max_bytes:,})")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ExtractionError(name, f"cannot read ({exc.strerror or exc})") from None


def extract(path: str | Path, limits: Limits | None = None) -> ExtractedDocument:
    """Read ``path`` (a .pdf or .txt letter) into cleaned page texts.

    Raises a subclass of ``imrgraph.errors.InputError`` (never a library exception) when the
    file cannot give text: missing, empty, too large, corrupt, encrypted, no text layer.
    """
    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    name = str(path)
    data = read_input(path, limits)
    kind = file_format(path, data)
    if kind == "pdf":
        raw = pdf_pages(data, name, limits.max_pages, _header_reader(data))
        pages = [_strip_line_ends(normalize_text(page)) for page in raw]
    else:
        pages = text_pages(data, name)
        if len(pages) > limits.max_pages:
            raise LimitExceeded(name, f"too many pages ({len(pages)} > limit {limits.max_pages})")
    pages = remove_running_lines(pages)
    if kind == "pdf":  # a removed running header leaves the page's first line blank
        pages = [page.strip("\n") for page in pages]
    if not any(page.strip() for page in pages):
        if kind == "pdf":
            raise NoTextLayer(name, "no text layer (a scanned PDF without OCR?)")
        raise EmptyFile(name, "no text (the file holds only whitespace)")
    return ExtractedDocument(
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=kind,
        pages=pages,
        page_count=len(pages),
    )


def _strip_line_ends(page: str) -> str:
    """PDFium pads some lines with a trailing space; drop trailing whitespace on every line."""
    return "\n".join(line.rstrip() for line in page.split("\n")).strip("\n")


def _header_reader(data: bytes) -> FirstPage:
    """Page 1's header table made whole when PDFium's text garbles it (a wrapped label).

    First from PDFium's own character boxes; pdfplumber's table finder (50x slower) only when
    the positions leave a value that no label could take.
    """

    def read(text: str, textpage: pdfium.PdfTextPage, quarter: int) -> str:
        page = _strip_line_ends(normalize_text(text))
        if not header_needs_layout(page.split("\n")):
            return text
        try:
            raw = hyphen_marks_as_drawn(textpage.get_text_range())
            rows = table_from_positions(textpage, raw, quarter)
        except Exception:  # a damaged page: its plain text stands, pdfplumber may do better
            rows = None
        if rows:  # every value placed; a label still bare is a blank cell
            return splice_table(page, [normalize_text(row) for row in rows])
        return _fix_header(page, data)

    return read


def _fix_header(page: str, data: bytes) -> str:
    """Page 1 with its header table re-read by pdfplumber; unchanged if pdfplumber fails.

    The fast text is still a usable reading, so a pdfminer failure here only costs the table's
    cleanliness, never the letter.
    """
    try:
        return normalize_text(fix_header_table(page, data))
    except Exception:  # pdfminer raises many unrelated types on damaged files
        return page
