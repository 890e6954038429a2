"""Options shared by several commands, declared once so their names, defaults and help agree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from imrgraph.extract import DEFAULT_LIMITS, Limits

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Embedded store folder (default: $IMRGRAPH_STORE, else ./imrgraph-store).",
        show_default=False,
    ),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="SPARQL query URL of a server to use instead of the embedded store "
        "(e.g. http://localhost:7878/query; default: $IMRGRAPH_ENDPOINT).",
        show_default=False,
    ),
]
UpdateEndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--update-endpoint",
        help="SPARQL Update URL (default: the query URL with its last segment -> 'update').",
        show_default=False,
    ),
]
StoreEndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--store-endpoint",
        help="Graph Store Protocol URL (default: the query URL with its last segment -> 'store').",
        show_default=False,
    ),
]
# The time limit of one query (RELIABILITY.md, "Query limits"): every command that reads or
# writes the store takes it, on the embedded store and on a server alike.
DEFAULT_TIMEOUT = 300.0
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds one query (or one request to a SPARQL server) may take; past it, it is "
        "stopped with an error and not retried (0 = no limit).",
        min=0,
    ),
]
AllowServiceOpt = Annotated[
    bool,
    typer.Option(
        "--allow-service",
        help="Let the query use SERVICE (the store then fetches the URL it names); refused "
        "otherwise.",
    ),
]

# Per-file limits (RELIABILITY.md): one bad file must not stall or exhaust a batch.
MaxPagesOpt = Annotated[int, typer.Option(help="Refuse PDFs with more pages than this.", min=1)]
MaxMbOpt = Annotated[
    float, typer.Option(help="Refuse files larger than this many megabytes.", min=0.001)
]
MaxSecondsOpt = Annotated[
    float,
    typer.Option(
        help="Stop parsing a file after this many seconds; in ingest its worker is killed if it "
        "does not stop (0 = no limit).",
        min=0,
    ),
]
MaxMemoryOpt = Annotated[
    float,
    typer.Option(
        help="Stop a parsing worker whose memory goes over this many MiB, and fail the file "
        "that does it (a decompression bomb); not with --workers 1, which parses in-process "
        "(0 = no limit).",
        min=0,
    ),
]
DEFAULT_MAX_PAGES = DEFAULT_LIMITS.max_pages
DEFAULT_MAX_MEMORY = (DEFAULT_LIMITS.max_memory or 0) / (1024 * 1024)
DEFAULT_MAX_MB = DEFAULT_LIMITS.max_bytes / (1024 * 1024)
DEFAULT_MAX_SECONDS = DEFAULT_LIMITS.max_seconds or 0


def limits_from_options(
    max_mb: float, max_pages: int, max_seconds: float, max_memory: float = DEFAULT_MAX_MEMORY
) -> Limits:
    """The extraction limits the command line asked for (0 seconds or MiB = no limit)."""
    return Limits(
        max_bytes=int(max_mb * 1024 * 1024),
        max_pages=max_pages,
        max_seconds=max_seconds or None,
        max_memory=int(max_memory * 1024 * 1024) or None,
    )
