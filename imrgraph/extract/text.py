"""Plain-text letters: bytes -> cleaned page texts.

Why a module of its own: text letters come from many tools (PDF-to-text dumps, copy and paste,
Windows editors), so the encoding is not known and the same letter can arrive with ligatures,
soft hyphens, non-breaking spaces and CRLF line ends. Everything downstream (the parser's regular
expressions, the running-line filter) sees one normal form, produced here by ``normalize_text``,
which the PDF path uses too.
"""

from __future__ import annotations

import re
import unicodedata

from imrgraph.errors import CorruptFile

# Characters that carry no text. A soft hyphen inside a line is an invisible break point.
# PDFium's line-end hyphen marks (\x02, U+FFFE) never get here from a PDF (``pdf.py`` turns
# them into the "-" the page draws); in a text letter they are noise.
_DROP = str.maketrans(
    {
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,  # word joiner
        "\ufeff": None,  # BOM / zero-width no-break space
        "\ufffe": None,
        "\x02": None,
    }
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def normalize_text(text: str) -> str:
    """One normal form for every letter: ``\\n`` line ends, NFKC, no soft hyphens or NBSP.

    NFKC folds ligatures ("ﬁ" -> "fi") and compatibility spaces (NBSP, narrow NBSP) into their
    plain forms, so "Decision\\u00a0based on" matches the parser's patterns. Form feeds are kept:
    they are the page boundaries of a text letter.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # an ASCII page (most) has nothing to fold; \x02 goes with controls
        text = unicodedata.normalize("NFKC", text.translate(_DROP))
    return _CONTROL_RE.sub("", text)


def decode_text(data: bytes, path: str) -> str:
    """Decode a text letter: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/latin-1.

    Latin-1 maps every byte, so decoding never fails; but a file with NUL bytes and no UTF-16 BOM
    is binary data (an image, a word-processor file) and is refused rather than turned into noise.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CorruptFile(path, "not a readable UTF-16 text file") from exc
    if b"\x00" in data:
        raise CorruptFile(path, "not a text file (binary data)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def text_pages(data: bytes, path: str) -> list[str]:
    """A text letter's pages: decoded, normalised, split on form feeds."""
    return normalize_text(decode_text(data, path)).split("\f")
