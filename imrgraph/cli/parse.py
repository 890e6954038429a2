"""CLI command ``imrgraph parse``: letters (PDF or text) -> JSON on stdout.

A thin edge over ``imrgraph.pipeline``: it only chooses the output format, prints one
``PATH: reason`` line on stderr per file that fails, shows progress on a terminal, and sets the
exit status.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from imrgraph.cli._app import app
from imrgraph.cli._options import (
    DEFAULT_MAX_MB,
    DEFAULT_MAX_MEMORY,
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_SECONDS,
    MaxMbOpt,
    MaxMemoryOpt,
    MaxPagesOpt,
    MaxSecondsOpt,
    limits_from_options,
)
from imrgraph.errors import InputError
from imrgraph.filenames import shown
from imrgraph.model import Letter
from imrgraph.pipeline import (
    iter_input_files,
    no_letters_error,
    no_letters_in,
    parse_in_workers,
    parse_one,
)

PROGRESS_MIN_FILES = 10  # below this a progress bar only flickers
#: Below this many files the default is to parse in-process: starting workers costs about a
#: second, more than a few letters take.
WORKERS_MIN_FILES = 64


class OutputFormat(str, Enum):
    """``json``: one array (pretty-printed); ``jsonl``: one compact object per line."""

    json = "json"
    jsonl = "jsonl"


@app.command("parse")
def parse_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Letter files (.pdf, .txt) or folders searched recursively."),
    ],
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="json: one JSON array; jsonl: one JSON object per line.",
            case_sensitive=False,
        ),
    ] = OutputFormat.json,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-j",
            help=f"Parsing processes (default: all cores from {WORKERS_MIN_FILES} files on, "
            "else 1, in-process).",
            min=1,
        ),
    ] = None,
    max_pages: MaxPagesOpt = DEFAULT_MAX_PAGES,
    max_mb: MaxMbOpt = DEFAULT_MAX_MB,
    max_seconds: MaxSecondsOpt = DEFAULT_MAX_SECONDS,
    max_memory: MaxMemoryOpt = DEFAULT_MAX_MEMORY,
) -> None:
    """Parse IMR determination letters into JSON (the schema is imrgraph/schema/letter.schema.json).

    Examples:

      imrgraph parse examples/letters/seed-letter.txt

      imrgraph parse examples/letters --format jsonl > letters.jsonl

      imrgraph parse letters/2015 -j 4 --format jsonl > letters-2015.jsonl

      imrgraph parse letter1.pdf letter2.pdf --max-pages 50

    A file that cannot be read gives one line on stderr, "PATH: reason".

    The other files are still parsed. With several workers a worker stuck past --max-seconds or
    over --max-memory costs its file only, and the letters come in input order except such
    files' neighbours re-run after it. Exit status: 0 if every file parsed, 1 if any failed.
    """
    fmt = output_format.value
    limits = limits_from_options(max_mb, max_pages, max_seconds, max_memory)
    empty: list[Path] = []
    files = list(iter_input_files(paths, empty.append))
    if not files:  # an empty folder is a mistake to report, not an empty success
        raise no_letters_error(paths)
    for folder in empty:
        print(shown(no_letters_in(folder)), file=sys.stderr)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(files) >= WORKERS_MIN_FILES else 1
    failed = 0
    out = sys.stdout
    first = True

    def emit(letter_json: dict) -> None:
        nonlocal first
        if fmt == "jsonl":
            out.write(json.dumps(letter_json, ensure_ascii=False) + "\n")
            return
        text = json.dumps(letter_json, ensure_ascii=False, indent=2)
        out.write(("[\n" if first else ",\n") + _indent(text))
        first = False

    progress = _progress(len(files))
    with progress:
        task = progress.add_task("parse", total=len(files))

        def handle(path: Path, result: Letter | InputError) -> None:
            nonlocal failed
            if isinstance(result, InputError):
                failed += 1
                # rich redirects stderr above the bar while it is shown
                print(shown(f"{result.path}: {result.reason}"), file=sys.stderr)
            else:
                emit(result.to_dict())
            progress.advance(task)

        if workers > 1 and len(files) > 1:
            parse_in_workers(files, handle, workers=workers, limits=limits)
        else:
            for path in files:
                handle(path, parse_one(path, limits))
    if fmt == "json":
        out.write("[]\n" if first else "\n]\n")
    out.flush()
    if failed:
        raise typer.Exit(code=1)


class _NoProgress:
    """What ``parse`` calls on a progress bar, doing nothing (output not on a terminal)."""

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, total: int) -> int:
        return 0

    def advance(self, task: int) -> None:
        return None


def _progress(files: int) -> Any:
    """A progress bar on stderr when it is a terminal and there are enough files, else a no-op.

    rich is imported only for the bar: a tenth of the start-up of ``imrgraph parse``, which a
    pipe or a redirect (the usual way to run it) never shows.
    """
    maybe_terminal = (
        sys.stderr.isatty() or "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ
    )  # rich's own test below has the last word; these are the ways it can say yes
    if files < PROGRESS_MIN_FILES or not maybe_terminal:
        return _NoProgress()
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    err = Console(stderr=True)
    if not err.is_terminal:
        return _NoProgress()
    return Progress(
        TextColumn("parsing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def _indent(text: str) -> str:
    """Indent one pretty-printed letter by two spaces, as an element of the output array."""
    return "\n".join("  " + line for line in text.split("\n"))
