"""The Typer application object every command module registers on."""

from __future__ import annotations

import typer

from imrgraph import __version__

app = typer.Typer(
    name="imrgraph",
    help=(
        "Turn California workers' compensation IMR determination letters into a knowledge graph "
        "and query it.\n\n"
        "Typical session:\n\n"
        "  imrgraph ingest examples/letters/*.pdf\n\n"
        "  imrgraph guidelines --top 10\n\n"
        "  imrgraph query outcomes-by-category"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"imrgraph {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """imrgraph: IMR letters as a knowledge graph."""
