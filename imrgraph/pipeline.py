"""The parse pipeline: file -> extract -> parse -> ``Letter``, for one file or a batch.

Why here and not in the CLI: ``imrgraph parse``, ``imrgraph ingest`` (which runs these functions
in worker processes), the benchmarks and the tests all need the same steps with the same error
behaviour. The functions are module-level, take and return plain picklable values and keep no
state, so a ``ProcessPoolExecutor`` can call them directly.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from imrgraph import __version__
from imrgraph.errors import ImrGraphError, InputError, LimitExceeded
from imrgraph.extract import DEFAULT_LIMITS, ExtractedDocument, Limits, extract
from imrgraph.extract.document import PDF_SUFFIXES, TEXT_SUFFIXES
from imrgraph.filenames import name_text
from imrgraph.model import Letter, Source
from imrgraph.parse import parse_pages

INPUT_SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES


def source_of(doc: ExtractedDocument) -> Source:
    """The provenance record of an extracted file (page count only for PDFs, as the schema says)."""
    return Source(
        path=name_text(doc.path),  # a name that is not UTF-8 stays data (filenames.py)
        sha256=doc.sha256,
        format=doc.format,
        pages=doc.page_count if doc.format == "pdf" else None,
        parser_version=__version__,
    )


def parse_document(doc: ExtractedDocument) -> Letter:
    """Parse already extracted pages (lets a caller time or cache the two steps apart)."""
    return parse_pages(doc.pages, source_of(doc))


def parse_file(path: str | Path, limits: Limits | None = None) -> Letter:
    """Extract and parse one letter file.

    Raises a subclass of ``InputError`` when the file cannot be read as an IMR letter (missing,
    empty, too big, corrupt, encrypted, scanned, not an IMR letter).
    """
    return parse_document(extract(path, limits))


def iter_input_files(
    paths: Iterable[str | Path], on_empty: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Expand the command line's paths into files, in a deterministic order.

    A directory is searched recursively for ``.pdf`` and ``.txt`` files (any case), sorted by
    path; hidden folders (``.git``) are skipped. A file named explicitly is yielded whatever its
    suffix (the parser then says whether it can read it), and so is a path that does not exist:
    reading it fails for that path only, so one typo does not cancel a batch. Each file is
    yielded once. ``on_empty(folder)`` is called for a folder given that holds no letter file
    (the CLI says so instead of reporting "0 files" as a success).
    """
    # Resolved paths kept as strings, not Path objects: over the 100,000-file corpus this
    # generator held 50.7 MiB with Paths, 18.5 MiB with strings (tracemalloc), for the whole run
    # of an ingest (BENCHMARKS.md, "Writer memory as N grows").
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found.extend(
                    Path(root) / name
                    for name in files
                    if Path(name).suffix.lower() in INPUT_SUFFIXES
                )
            candidates = sorted(found)
            if not candidates and on_empty is not None:
                on_empty(path)
        else:
            candidates = [path]
        for candidate in candidates:
            key = str(candidate.resolve() if candidate.exists() else candidate)
            if key in seen:
                continue
            seen.add(key)
            yield candidate


class NoLetters(ImrGraphError):
    """The paths given hold no letter file at all."""


def no_letters_error(paths: Iterable[str | Path]) -> NoLetters:
    """The one-line error for a run given nothing to read (an empty folder, a wrong path)."""
    from imrgraph.filenames import name_text

    names = ", ".join(name_text(path) for path in paths)
    return NoLetters(f"no letters found in {names} (looked for .pdf and .txt files)")


def no_letters_in(folder: Path) -> str:
    """The line for one empty folder among other paths that do hold letters."""
    return f"{folder}: no letters in this folder (no .pdf or .txt file)"


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` on the way swallows it."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``_OutOfTime`` in this thread if the block runs longer than ``seconds``.

    SIGALRM interrupts Python code and the regex engine (which checks for signals), i.e. every
    runaway the parser itself can cause. It cannot interrupt a call stuck inside a C library
    (PDFium): ingest's parent process backs this up by killing a worker that overruns (see
    ``imrgraph.store.ingest``). Only the main thread can take signals, so elsewhere (or without
    ``setitimer``) the block runs unlimited.
    """
    if (
        not seconds
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    # A caller that blocked SIGALRM (a host program, a test) would turn the limit off in silence.
    blocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        signal.signal(signal.SIGALRM, previous)


def parse_one(path: Path, limits: Limits | None = None) -> Letter | InputError:
    """``parse_file`` that returns the failure instead of raising it (for batches and workers).

    Any other ImrGraphError, or an unexpected exception (a parser bug), is reported as this file's
    failure too, so one bad letter cannot stop a batch of thousands; the reason names the bug.
    A file that takes longer than ``limits.max_seconds`` is stopped and reported as
    ``LimitExceeded``.
    """
    seconds = (limits or DEFAULT_LIMITS).max_seconds
    try:
        with time_limit(seconds):
            return parse_file(path, limits)
    except _OutOfTime:
        reason = f"parse took longer than the limit ({seconds:g} s); stopped"
        return LimitExceeded(str(path), reason)
    except InputError as exc:
        return exc
    except ImrGraphError as exc:
        return InputError(str(path), str(exc))
    except Exception as exc:  # a bug, not the user's fault: keep the batch going, say so
        return InputError(str(path), f"internal error, please report: {type(exc).__name__}: {exc}")


def parse_many(
    paths: Iterable[str | Path], limits: Limits | None = None
) -> Iterator[tuple[Path, Letter | InputError]]:
    """Parse every file ``iter_input_files(paths)`` finds; each result is a Letter or its error."""
    for path in iter_input_files(paths):
        yield path, parse_one(path, limits)


#: Files per task of ``parse_in_workers``: small, as a parse has no per-call cost to share
#: (ingest batches 32 for its one SHACL call), and a stopped worker re-runs fewer files.
PARSE_BATCH = 8


def parse_batch(paths: list[str], limits: Limits | None) -> list[tuple[str, Letter | InputError]]:
    """``parse_one`` over ``paths``, in a worker: each path with its letter or its error."""
    return [(path, parse_one(Path(path), limits)) for path in paths]


def parse_in_workers(
    files: Sequence[Path],
    on_result: Callable[[Path, Letter | InputError], None],
    *,
    workers: int,
    limits: Limits | None = None,
) -> None:
    """Parse ``files`` in ``workers`` supervised processes; ``on_result`` gets each result.

    What ``parse_many`` does, in parallel, with the ingest's supervisor (``imrgraph.workers``): a
    file stuck in C past ``limits.max_seconds``, or whose worker goes over ``limits.max_memory``
    (a decompression bomb), fails alone; the others are parsed. Results come in input order,
    except the files re-run alone after a worker was stopped, which come later.
    """
    from imrgraph.workers import run_supervised

    limits = limits or DEFAULT_LIMITS
    names = [str(path) for path in files]
    batches = [names[i : i + PARSE_BATCH] for i in range(0, len(names), PARSE_BATCH)]

    def write(result: tuple[str, Letter | InputError]) -> None:
        on_result(Path(result[0]), result[1])

    run_supervised(
        batches,
        parse_batch,
        (limits,),
        workers=workers,
        inflight=workers * 3,
        per_file_seconds=limits.max_seconds,
        write=write,
        fail=lambda path, reason: on_result(Path(path), LimitExceeded(path, reason)),
        preload=["imrgraph.pipeline"],
        max_memory=limits.max_memory,
    )
