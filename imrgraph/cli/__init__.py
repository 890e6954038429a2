"""The command-line edge over the Python API.

Each command group lives in its own module and registers itself on ``app``; this module only
builds the app and turns the project's own errors into one-line messages (no tracebacks for user
mistakes). Exit status: 0 success, 1 a failure the user should know about (a file that did not
parse, a graph that does not conform), 2 bad usage.
"""

from __future__ import annotations

import os
import sys

import typer

from imrgraph.cli._app import app
from imrgraph.errors import ImrGraphError

__all__ = ["app", "main"]

# Imported for their side effect of adding commands to ``app``, one module per pipeline step.
from imrgraph.cli import analysis, graph, parse, store  # noqa: F401


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except ImrGraphError as exc:
        typer.echo(f"imrgraph: error: {exc}", err=True)
        _exit(1)
    except KeyboardInterrupt:
        typer.echo("imrgraph: interrupted", err=True)
        _exit(130)
    except SystemExit as exc:
        if _from_ctrl_c(exc):  # Typer turns Ctrl-C inside a command into a silent exit 130
            typer.echo("imrgraph: interrupted", err=True)
        if exc.code is not None and not isinstance(exc.code, int):
            raise  # sys.exit(message): Python prints it
        _exit(exc.code or 0)


def _from_ctrl_c(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a KeyboardInterrupt (not a command's own exit status 130)."""
    seen: BaseException | None = exc
    for _ in range(5):
        seen = seen.__cause__ or seen.__context__ if seen is not None else None
        if isinstance(seen, KeyboardInterrupt):
            return True
    return False


def _exit(status: int) -> None:
    """Exit with ``status``; at once if a query given up on still runs in a thread.

    Oxigraph cannot stop a query (``imrgraph.store.embedded._bounded``), and the interpreter's
    normal exit would tear the store down under it; ``os._exit`` ends the process as a kill
    would, which the store survives by design (it only read, or had not committed).
    """
    from imrgraph.store.embedded import abandoned_queries

    if abandoned_queries():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
