"""1,000+ mutated PDFs per run through the whole parse: only imrgraph's errors, bounded memory.

Why a fixed, seeded mutation loop next to hypothesis (tests/test_fuzz_extract.py): the promise
is about volume. A folder of downloads holds thousands of files, some cut short by a dropped
connection or damaged on disk; each must end as a Letter or a one-line ImrGraphError, and a long
batch must not leak memory in PDFium or pdfplumber. The mutations start from the example letter
PDFs (real structure: xref tables, streams, fonts), so they reach deep into the PDF readers.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import psutil

from imrgraph.errors import ImrGraphError
from imrgraph.extract import Limits
from imrgraph.pipeline import parse_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PDFS = sorted((ROOT / "examples" / "letters").glob("*.pdf"))
MUTANTS = 1000
SEED = 20261127
# RSS may grow by this much between the warm-up and the end (caches, allocator arenas); a leak
# of one page's text per file would be tens of MB over 1,000 files and a PDFium document leak
# far more.
MAX_RSS_GROWTH = 60 * 1024 * 1024


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One damaged copy of ``data`` and the kind of damage."""
    kind = rng.choice(["flip", "truncate", "splice", "zero", "drop", "repeat"])
    out = bytearray(data)
    n = len(out)
    if kind == "flip":
        for _ in range(rng.randint(1, 20)):
            at = rng.randrange(n)
            out[at] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        out = out[: rng.randrange(n)]
    elif kind == "splice":
        at = rng.randrange(n)
        out[at : at + rng.randint(1, 64)] = rng.randbytes(rng.randint(1, 64))
    elif kind == "zero":
        at = rng.randrange(n)
        out[at : at + rng.randint(1, 512)] = bytes(min(512, n - at))
    elif kind == "drop":
        at = rng.randrange(n)
        del out[at : at + rng.randint(1, 256)]
    else:  # a stretch repeated: duplicated objects, a second xref
        at = rng.randrange(n)
        piece = out[at : at + rng.randint(1, 2048)]
        out[at:at] = piece * rng.randint(1, 3)
    return kind, bytes(out)


def test_example_pdfs_exist():
    assert len(EXAMPLE_PDFS) >= 5


def test_a_thousand_mutated_pdfs_give_letters_or_project_errors(tmp_path):
    rng = random.Random(SEED)
    originals = [p.read_bytes() for p in EXAMPLE_PDFS]
    process = psutil.Process()
    limits = Limits(max_seconds=20)
    outcomes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    unexpected: list[str] = []
    rss_after_warmup = 0
    for index in range(MUTANTS):
        kind, data = mutate(rng.choice(originals), rng)
        kinds[kind] += 1
        path = tmp_path / f"mutant-{index % 10}.pdf"
        path.write_bytes(data)
        try:
            letter = parse_file(path, limits)
        except ImrGraphError as exc:
            outcomes[type(exc).__name__] += 1
        except Exception as exc:  # the property under test: nothing else may escape
            unexpected.append(f"#{index} ({kind}): {type(exc).__name__}: {exc}")
        else:
            outcomes["Letter"] += 1
            assert letter.items, f"#{index}: a letter without items was returned"
        if index == 99:
            rss_after_warmup = process.memory_info().rss
    growth = process.memory_info().rss - rss_after_warmup
    assert not unexpected, "\n".join(unexpected[:20])
    # The mutations must be meaningful: some damaged files still read, many do not.
    assert outcomes["Letter"] >= 50, outcomes
    assert sum(n for k, n in outcomes.items() if k != "Letter") >= 200, outcomes
    assert set(kinds) == {"flip", "truncate", "splice", "zero", "drop", "repeat"}
    assert growth < MAX_RSS_GROWTH, f"RSS grew {growth / 2**20:.1f} MiB over {MUTANTS} files"
