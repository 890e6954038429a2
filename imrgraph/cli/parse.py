"""CLI command ``imrgraph parse``: letters (PDF or text) -> JSON on stdout.

A thin edge over ``imrgraph.pipeline``: it only chooses the output format, prints one
``PATH: reason`` line on stderr per file that fails, shows progress on a terminal, and sets the
exit status.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from imrgraph.cli._app import app
from imrgraph.cli._options import (
    DEFAULT_MAX_MB,
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_SECONDS,
    MaxMbOpt,
    MaxPagesOpt,
    MaxSecondsOpt,
    limits_from_options,
)
from imrgraph.errors import InputError
from imrgraph.pipeline import iter_input_files, parse_one

PROGRESS_MIN_FILES = 10  # below this a progress bar only flickers


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
    max_pages: MaxPagesOpt = DEFAULT_MAX_PAGES,
    max_mb: MaxMbOpt = DEFAULT_MAX_MB,
    max_seconds: MaxSecondsOpt = DEFAULT_MAX_SECONDS,
) -> None:
    """Parse IMR determination letters into JSON (the schema is imrgraph/schema/letter.schema.json).

    Examples:

      imrgraph parse examples/letters/seed-letter.txt

      imrgraph parse examples/letters --format jsonl > letters.jsonl

      imrgraph parse letter1.pdf letter2.pdf --max-pages 50

    A file that cannot be read gives one line on stderr, "PATH: reason".

    The other files are still parsed. Exit status: 0 if every file parsed, 1 if any failed.
    """
    fmt = output_format.value
    limits = limits_from_options(max_mb, max_pages, max_seconds)
    files = list(iter_input_files(paths))
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

    err = Console(stderr=True)
    show_progress = err.is_terminal and len(files) >= PROGRESS_MIN_FILES
    progress = Progress(
        TextColumn("parsing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not show_progress,
    )
    with progress:
        task = progress.add_task("parse", total=len(files))
        for path in files:
            result = parse_one(path, limits)
            if isinstance(result, InputError):
                failed += 1
                # rich redirects stderr above the bar while it is shown
                print(f"{result.path}: {result.reason}", file=sys.stderr)
            else:
                emit(result.to_dict())
            progress.advance(task)
    if fmt == "json":
        out.write("[]\n" if first else "\n]\n")
    out.flush()
    if failed:
        raise typer.Exit(code=1)


def _indent(text: str) -> str:
    """Indent one pretty-printed letter by two spaces, as an element of the output array."""
    return "\n".join("  " + line for line in text.split("\n"))
