"""File names as data and on the terminal.

A file name is whatever bytes the file system holds. Python hands a name that is not UTF-8 to us
with lone surrogates in place of its bad bytes (``surrogateescape``); such a string opens the
file, but cannot be written as UTF-8 (a JSON file, an RDF literal, stdout) and made pyoxigraph
refuse the whole batch. And a name may hold a newline or an ESC: printed raw, it breaks the
one-line-per-file output or sends escape sequences to the user's terminal.

So there are two forms, and everything that leaves the process goes through one of them:

- ``name_text(path)``: the name as data (the model's source path, ``imr:fileName``, the JSON of
  ``imrgraph parse``, ``--report``). A UTF-8 name is kept as it is. A name that is not UTF-8 is
  kept with each byte that is not UTF-8, and each ``%``, percent-escaped (``bad\\xff.pdf`` ->
  ``bad%FF.pdf``); ``name_bytes`` gives the bytes back. Valid UTF-8 everywhere, never lost.
- ``shown(text)``: a name, or a message holding one, for a terminal: ``name_text`` plus control
  and format characters (newline, ESC, bidi overrides ...) written as escapes (``\\n``,
  ``\\x1b``, ``\\u202e``), so each message stays one line and cannot drive the terminal.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from urllib.parse import unquote_to_bytes

#: Unicode categories written as escapes on a terminal: controls (C0, DEL, C1), format
#: characters (bidi overrides, zero-width), line and paragraph separators, lone surrogates.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def name_text(path: str | os.PathLike[str]) -> str:
    """The file name as valid UTF-8 text, reversibly (see the module docstring)."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(text)
    out: list[str] = []
    index = 0
    while index < len(raw):
        # The longest valid UTF-8 run from here, then one bad byte escaped.
        try:
            out.append(raw[index:].decode("utf-8").replace("%", "%25"))
            break
        except UnicodeDecodeError as exc:
            good = raw[index : index + exc.start].decode("utf-8")
            out.append(good.replace("%", "%25"))
            out.append(f"%{raw[index + exc.start]:02X}")
            index += exc.start + 1
    return "".join(out)


def name_bytes(text: str) -> bytes:
    """The bytes of a name that ``name_text`` escaped (it held bytes that are not UTF-8)."""
    return unquote_to_bytes(text)


def shown(text: str | os.PathLike[str]) -> str:
    """``text`` (a path, or a message naming one) safe to print as one line on a terminal."""
    value = name_text(text) if isinstance(text, Path) else name_text(str(text))
    if value.isprintable():  # the common case, checked in C
        return value
    out = []
    for char in value:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif unicodedata.category(char) in _ESCAPED_CATEGORIES:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
