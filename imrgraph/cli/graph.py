"""CLI command ``imrgraph validate``: SHACL-validate RDF files or the store.

A thin edge over ``imrgraph.rdf.validate``: it reads the files (format by extension) or opens the
store, prints the report grouped by letter (focus node, path, message, source file) and exits 0
when everything conforms, 1 when not.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from imrgraph.cli._app import app
from imrgraph.cli._options import DEFAULT_TIMEOUT, EndpointOpt, StoreOpt, TimeoutOpt
from imrgraph.errors import ImrGraphError, InputError
from imrgraph.filenames import shown

if TYPE_CHECKING:
    from imrgraph.rdf.validate import LetterResult, ValidationReport

# Kept equal to imrgraph.rdf.validate.DEFAULT_BATCH_SIZE (tests/test_validate_cli.py checks);
# not imported from there because that module imports pyshacl, which costs every command
# (`imrgraph --version` included) about half a second at start-up.
DEFAULT_BATCH_SIZE = 200


class ReportFormat(str, Enum):
    """``text``: for people; ``json``: one object with every letter and violation."""

    text = "text"
    json = "json"


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="RDF files to validate (.ttl, .nt, .nq, .trig, .jsonld, .rdf); in quad formats "
            "each named graph is one letter. Without files, the store is validated.",
            show_default=False,
        ),
    ] = None,
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    output_format: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="Report format.", case_sensitive=False),
    ] = ReportFormat.text,
    show_all: Annotated[
        bool, typer.Option("--all", help="List conforming letters too, not only failing ones.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Letters per pyshacl run.", min=1)
    ] = DEFAULT_BATCH_SIZE,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Check letter graphs against the SHACL shapes (exit 0: conforms, 1: does not).

    Examples:

      imrgraph validate

      imrgraph validate letters.trig --format json

      imrgraph validate --endpoint http://127.0.0.1:7878/query --all
    """
    if files and (store or endpoint):
        raise ImrGraphError("give RDF files or --store/--endpoint, not both")
    from imrgraph.rdf.validate import (
        NO_DETERMINATION,
        ValidationReport,
        default_validator,
        read_rdf,
    )

    validator = default_validator()
    results: list[LetterResult] = []
    if files:
        failed_files = 0
        for path in files:
            try:
                data = read_rdf(path)
            except InputError as exc:
                typer.echo(shown(str(exc)), err=True)
                failed_files += 1
                continue
            report = validator.validate_graph(data, batch_size)
            if not report.results:
                typer.echo(shown(f"{path}: no triples to validate"), err=True)
                failed_files += 1
            elif all(r.letter == NO_DETERMINATION for r in report.results):
                typer.echo(
                    shown(f"{path}: no letter in this file (no imr:Determination)"), err=True
                )
                failed_files += 1
            for result in report.results:
                result.source_file = result.source_file or str(path)
            results.extend(report.results)
        if failed_files and not results:
            raise typer.Exit(1)
    else:
        from imrgraph.store import open_store

        with open_store(store, endpoint, read_only=True, timeout=timeout or None) as opened:
            report = validator.validate_store(opened, batch_size)
        results = report.results
        failed_files = 0
    full = ValidationReport(results)
    if output_format is ReportFormat.json:
        typer.echo(json.dumps(_as_json(full), indent=2, ensure_ascii=False))
    else:
        typer.echo(_as_text(full, show_all), nl=False)
    if not full.conforms or failed_files:
        raise typer.Exit(1)


def _as_text(report: ValidationReport, show_all: bool) -> str:
    lines: list[str] = []
    for result in report.results:
        if result.conforms and not show_all:
            continue
        where = f" ({result.source_file})" if result.source_file else ""
        if result.conforms:
            lines.append(f"{result.letter}{where}: conforms")
            continue
        count = len(result.violations)
        lines.append(f"{result.letter}{where}: {count} violation{'s' if count != 1 else ''}")
        if result.graph:
            lines.append(f"  graph: {result.graph}")
        for violation in result.violations:
            lines.append(f"  - {violation.message}")
            lines.append(f"      focus: {violation.focus_node}")
            if violation.path:
                lines.append(f"      path:  {violation.path}")
            if violation.value is not None:
                lines.append(f"      value: {violation.value}")
    total = len(report.results)
    failed = len(report.failed)
    violations = len(report.violations)
    letters = f"{total} letter{'s' if total != 1 else ''}"
    if failed:
        lines.append(
            f"{letters} checked: {total - failed} conform, {failed} do not "
            f"({violations} violation{'s' if violations != 1 else ''})"
        )
    else:
        lines.append(f"{letters} checked: all conform")
    return "\n".join(lines) + "\n"


def _as_json(report: ValidationReport) -> dict:
    return {
        "conforms": report.conforms,
        "letters": len(report.results),
        "failing": len(report.failed),
        "results": [
            {
                "letter": r.letter,
                "graph": r.graph,
                "source_file": r.source_file,
                "conforms": r.conforms,
                "violations": [
                    {
                        "focus_node": v.focus_node,
                        "path": v.path,
                        "message": v.message,
                        "severity": v.severity,
                        "value": v.value,
                        "constraint": v.constraint,
                    }
                    for v in r.violations
                ],
            }
            for r in report.results
        ],
    }
