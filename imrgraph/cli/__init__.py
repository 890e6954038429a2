"""The command-line edge over the Python API.

Each command group lives in its own module and registers itself on ``app``; this module only
builds the app and turns the project's own errors into one-line messages (no tracebacks for user
mistakes). Exit status: 0 success, 1 a failure the user should know about (a file that did not
parse, a graph that does not conform), 2 bad usage.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer

from imrgraph.cli._app import app as _app
from imrgraph.errors import ImrGraphError
from imrgraph.filenames import shown

__all__ = ["app", "main"]

#: The modules that add commands to the app (each registers its own), one per pipeline step.
COMMAND_MODULES = ("analysis", "graph", "parse", "serve", "store")


def _with_commands(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    for name in modules:
        importlib.import_module(f"imrgraph.cli.{name}")
    return _app


def __getattr__(name: str) -> Any:
    # ``from imrgraph.cli import app`` (tests, embedding) gets every command.
    if name == "app":
        return _with_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point.

    ``imrgraph parse`` loads only its own command module: the others import the store's and the
    graph's libraries (rdflib, pyoxigraph, httpx, rich tables), about a tenth of a second at
    every start, which is more than parsing 20 letters takes (BENCHMARKS.md, "Parse").
    """
    command = sys.argv[1] if len(sys.argv) > 1 else None
    app = _with_commands(("parse",) if command == "parse" else COMMAND_MODULES)
    try:
        app()
    except ImrGraphError as exc:
        # shown(): a file name in the message cannot break the line or drive the terminal
        typer.echo(f"imrgraph: error: {shown(str(exc))}", err=True)
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
    # Only a process that ran an embedded query can have one left; importing the store just to
    # ask would cost every `imrgraph parse` a fifth of a second (rdflib, pyoxigraph, httpx).
    embedded = sys.modules.get("imrgraph.store.embedded")
    if embedded is not None and embedded.abandoned_queries():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
