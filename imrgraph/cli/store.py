"""CLI commands over the store: ``ingest``, ``query``, ``queries``, ``export``, ``stats``.

Thin wrappers over ``imrgraph.store``: they choose the store (``--store DIR``, else
``$IMRGRAPH_STORE``, else ``./imrgraph-store``; or a SPARQL server with ``--endpoint URL``),
format the output and set the exit status. Every command that reads the store takes both.
"""

from __future__ import annotations

import contextlib
import csv
import json
import signal
import sys
import threading
import time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from imrgraph.cli._app import app
from imrgraph.cli._options import (
    DEFAULT_MAX_MB,
    DEFAULT_MAX_MEMORY,
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_SECONDS,
    DEFAULT_TIMEOUT,
    AllowServiceOpt,
    EndpointOpt,
    MaxMbOpt,
    MaxMemoryOpt,
    MaxPagesOpt,
    MaxSecondsOpt,
    StoreEndpointOpt,
    StoreOpt,
    TimeoutOpt,
    UpdateEndpointOpt,
    limits_from_options,
)
from imrgraph.errors import ImrGraphError, QueryError, StoreError
from imrgraph.filenames import name_text, shown
from imrgraph.rdf.vocab import DEFAULT_DATA_BASE
from imrgraph.store import EXPORT_FORMATS, GraphStore, open_store
from imrgraph.store.queries import adhoc_query, load_query, run_select, saved_queries
from imrgraph.store.results import SelectResult, json_value, text_value


def _open(
    store: Path | None,
    endpoint: str | None,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    *,
    read_only: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    allow_service: bool = False,
) -> GraphStore:
    return open_store(
        store,
        endpoint,
        update_endpoint=update_endpoint,
        store_endpoint=store_endpoint,
        read_only=read_only,
        timeout=timeout or None,
        allow_service=allow_service,
    )


def _progress_bar(console: Console, *counts: TextColumn) -> Progress:
    """A progress bar on stderr (only when it is a terminal): task, bar, n/N, ``counts``, times."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *counts,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


# ---- ingest ------------------------------------------------------------------------------------


@app.command("ingest")
def ingest_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Letter files (.pdf, .txt) or folders searched recursively."),
    ],
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    update_endpoint: UpdateEndpointOpt = None,
    store_endpoint: StoreEndpointOpt = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-j", help="Parsing processes (default: all cores).", min=1),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-parse and replace letters already stored.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write a JSON report (counts and every failure) here."),
    ] = None,
    base: Annotated[
        str,
        typer.Option("--base", envvar="IMRGRAPH_BASE", help="Base IRI of the data."),
    ] = DEFAULT_DATA_BASE,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_pages: MaxPagesOpt = DEFAULT_MAX_PAGES,
    max_mb: MaxMbOpt = DEFAULT_MAX_MB,
    max_seconds: MaxSecondsOpt = DEFAULT_MAX_SECONDS,
    max_memory: MaxMemoryOpt = DEFAULT_MAX_MEMORY,
) -> None:
    """Parse, validate (SHACL) and store letters, one transaction per letter.

    Examples:

      imrgraph ingest examples/letters/*.pdf

      imrgraph ingest letters/2015 --store /data/imr --workers 4 --report failures.json

      imrgraph ingest letters --endpoint http://localhost:7878/query

    Letters already stored (same file, by sha256) are skipped unless --force. A letter that
    does not parse or does not conform to the shapes is reported and not stored. Exit status:
    0 if every file was stored or skipped, 1 if any failed.
    """
    from imrgraph.output import check_writable
    from imrgraph.pipeline import no_letters_error, no_letters_in
    from imrgraph.store.ingest import count_input_files, ingest

    if report is not None:  # found now, not after every letter is stored
        check_writable(report, "the report")
    err = Console(stderr=True)
    empty: list[Path] = []
    total = count_input_files(paths, empty.append)
    if not total:  # "0 files" is not a success: nothing was there to ingest
        raise no_letters_error(paths)
    for folder in empty:
        typer.echo(shown(no_letters_in(folder)), err=True)
    with _open(
        store, endpoint, update_endpoint, store_endpoint, read_only=False, timeout=timeout
    ) as graph_store:
        progress = _progress_bar(
            err,
            TextColumn(
                "stored {task.fields[stored]} skipped {task.fields[skipped]} "
                "failed {task.fields[failed]}"
            ),
        )
        counts = {"stored": 0, "skipped": 0, "failed": 0}
        handled: set[str] = set()  # to name the letters not written if the store fails
        failures: list[dict[str, str]] = []
        with progress:
            task = progress.add_task("ingest", total=total, **counts)

            def on_event(kind: str, path: str, detail: str) -> None:
                counts[kind] += 1
                handled.add(path)
                if kind == "failed":
                    failures.append({"path": name_text(path), "reason": name_text(detail)})
                if kind == "failed":
                    progress.console.print(
                        shown(f"{path}: {detail}"), markup=False, highlight=False, soft_wrap=True
                    )
                progress.update(task, advance=1, **counts)

            # SIGTERM (a job scheduler, `kill`) stops gracefully: no new file is started, the
            # files in flight are finished and written, the summary printed, exit status 130.
            # A second SIGTERM interrupts at once (still no partial letter: one transaction each).
            stop = threading.Event()

            def on_term(signum: int, frame: object) -> None:
                if stop.is_set():
                    raise KeyboardInterrupt
                stop.set()

            previous = signal.signal(signal.SIGTERM, on_term)
            try:
                summary = ingest(
                    paths,
                    graph_store,
                    workers=workers,
                    force=force,
                    base=base,
                    on_event=on_event,
                    should_stop=stop.is_set,
                    limits=limits_from_options(max_mb, max_pages, max_seconds, max_memory),
                )
            except StoreError as exc:  # the store or server failed for good (after retries)
                raise _not_written(exc, paths, handled, counts, failures, report) from exc
            finally:
                signal.signal(signal.SIGTERM, previous)
        where = graph_store.location
    if report is not None:
        summary.write_report(report)
    rate = summary.files / summary.seconds if summary.seconds else 0.0
    typer.echo(
        f"{summary.files} files: {summary.stored} stored, {summary.skipped} skipped "
        f"(already stored), {summary.failed} failed; {summary.triples} triples written "
        f"to {shown(where)} in {summary.seconds:.1f} s ({rate:.1f} files/s)",
        err=True,
    )
    if summary.stopped:
        typer.echo("imrgraph: stopped (SIGTERM) before every file was read", err=True)
    if not summary.tallies_current:
        typer.echo(
            "imrgraph: the store holds letters without current tallies (stored by an older "
            "imrgraph, or changed by a SPARQL Update): the analysis counts the slow way until "
            "you run `imrgraph tally` once",
            err=True,
        )
    if summary.failures:
        reasons: dict[str, int] = {}
        for failure in summary.failures:
            key = f"{failure.stage}: {failure.reason.split(';')[0][:80]}"
            reasons[key] = reasons.get(key, 0) + 1
        typer.echo("failures by reason:", err=True)
        for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:10]:
            typer.echo(f"  {n:6d}  {shown(reason)}", err=True)
        raise typer.Exit(130 if summary.stopped else 1)
    if summary.stopped:
        raise typer.Exit(130)


def _not_written(
    exc: StoreError,
    paths: list[Path],
    handled: set[str],
    counts: dict[str, int],
    failures: list[dict[str, str]],
    report: Path | None,
) -> StoreError:
    """The store error, in one line, naming the letters not written and what to do.

    Every letter stored before the error is whole (one transaction each) and a rerun skips
    them, so the user only needs to know what is missing and that rerunning finishes the job.
    ``--report`` gets the complete list.
    """
    from imrgraph.pipeline import iter_input_files

    missing = [name_text(p) for p in iter_input_files(paths) if str(p) not in handled]
    if report is not None:
        from imrgraph.output import replacing

        data = {**counts, "failures": failures, "not_written": missing, "error": str(exc)}
        with contextlib.suppress(ImrGraphError), replacing(report, "the report") as temporary:
            temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    first = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
    listed = f"all in {report}" if report is not None else "--report FILE lists them all"
    return type(exc)(
        f"{exc}; {len(missing)} letters not written ({first}; {listed}); the "
        f"{counts['stored']} stored before are complete; rerun the same command to finish "
        "(letters already stored are skipped)"
    )


# ---- queries -----------------------------------------------------------------------------------


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


def _parse_params(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {pair!r}: expected NAME=VALUE")
        if name.strip() in values:  # silently keeping one of the two would answer another question
            raise QueryError(f"--param {name.strip()} is given twice; give each parameter once")
        values[name.strip()] = value
    return values


def print_result(result: SelectResult, fmt: str, title: str | None = None) -> None:
    """Print a SELECT result as a table, CSV, TSV or JSON (a list of objects) on stdout."""
    if fmt == "json":
        rows = [
            {c: json_value(v) for c, v in zip(result.columns, row, strict=True)}
            for row in result.rows
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt in ("csv", "tsv"):
        writer = csv.writer(
            sys.stdout,
            delimiter="," if fmt == "csv" else "\t",
            lineterminator="\n",
            quoting=csv.QUOTE_MINIMAL,
        )
        writer.writerow(result.columns)
        for row in result.rows:
            cells = [text_value(v) for v in row]
            if fmt == "tsv":
                cells = [c.replace("\t", " ").replace("\n", " ") for c in cells]
            writer.writerow(cells)
    else:
        table = Table(title=title, show_lines=False)
        for index, column in enumerate(result.columns):
            numeric = bool(result.rows) and all(
                isinstance(row[index], (int, float, Decimal)) or row[index] is None
                for row in result.rows
            )
            table.add_column(column, overflow="fold", justify="right" if numeric else "left")
        for row in result.rows:
            # Text, not markup; controls escaped: a stored value ("[bold]", ESC) cannot style
            # or drive the terminal (CSV, TSV and JSON keep the values as they are).
            table.add_row(*(Text(shown(text_value(v))) for v in row))
        Console().print(table)
        typer.echo(f"{len(result.rows)} rows", err=True)


@app.command("query")
def query_command(
    query: Annotated[
        str | None,
        typer.Argument(help="A saved query's name (see `imrgraph queries`) or a .rq file."),
    ] = None,
    sparql: Annotated[
        str | None, typer.Option("--sparql", help="SPARQL query text instead of a name.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="NAME=VALUE, bound as an RDF term (repeatable)."),
    ] = None,
    output_format: Annotated[
        QueryFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = QueryFormat.table,
    allow_update: Annotated[
        bool,
        typer.Option("--allow-update", help="Allow a SPARQL Update given with --sparql."),
    ] = False,
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    update_endpoint: UpdateEndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    allow_service: AllowServiceOpt = False,
) -> None:
    """Run a saved query, a .rq file, or SPARQL text, and print the result.

    Examples:

      imrgraph query guidelines-upheld-denials

      imrgraph query guidelines-upheld-denials --param level=section --format csv

      imrgraph query decisions-for-service --param "service=lumbar MRI"

      imrgraph query --sparql 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }'

    Parameters are bound as RDF terms, never pasted into the query text. Updates are refused
    unless given with --sparql and --allow-update.
    """
    if (query is None) == (sparql is None):
        raise QueryError("give a saved query name, a .rq file, or --sparql TEXT (one of them)")
    saved = adhoc_query(sparql) if sparql is not None else load_query(str(query))
    values = _parse_params(param or [])
    with _open(
        store, endpoint, update_endpoint, timeout=timeout, allow_service=allow_service
    ) as graph_store:
        form = saved.form
        if form == "UPDATE":
            if not (allow_update and sparql is not None):
                raise QueryError(
                    f"{saved.source}: is a SPARQL Update; refused (use --sparql with "
                    "--allow-update to change the store on purpose)"
                )
            if values:
                raise QueryError("parameters cannot be bound in an update")
            graph_store.update(saved.text)
            typer.echo("update done", err=True)
            return
        if form == "ASK":
            typer.echo("true" if graph_store.ask(saved.text, saved.bindings(values)) else "false")
            return
        if form in ("CONSTRUCT", "DESCRIBE"):
            import pyoxigraph as ox

            if values:
                raise QueryError("parameters can only be bound in SELECT and ASK queries")
            from imrgraph.rdf.vocab import PREFIXES

            ox.serialize(
                graph_store.construct(saved.text),
                sys.stdout.buffer,
                ox.RdfFormat.TURTLE,
                prefixes=dict(PREFIXES),
            )
            return
        result = run_select(graph_store, saved, values)
    print_result(result, output_format.value, title=saved.title or None)


@app.command("queries")
def queries_command() -> None:
    """List the saved queries with their description and parameters.

    Run one with `imrgraph query NAME [--param NAME=VALUE ...]`, e.g.

      imrgraph query decisions-for-service --param service=lumbar --param outcome=Overturned
    """
    console = Console()
    for saved in saved_queries():
        console.print(f"[bold]{saved.name}[/bold]: {saved.title}", highlight=False)
        if saved.description:
            console.print(f"  {saved.description}", highlight=False, markup=False)
        if saved.columns:
            console.print(f"  columns: {', '.join(saved.columns)}", highlight=False, markup=False)
        for p in saved.params:
            if p.default is not None:
                how = f"default {p.default}"
            else:
                how = "required" if p.required else "optional"
            choices = f" one of {'|'.join(p.choices)};" if p.choices else ""
            console.print(
                f"  --param {p.name}=...  ({how};{choices} {p.help})",
                highlight=False,
                markup=False,
            )
        console.print()


# ---- export and stats --------------------------------------------------------------------------


class ExportFormat(str, Enum):
    turtle = "turtle"
    ntriples = "ntriples"
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"


@app.command("export")
def export_command(
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="RDF format.", case_sensitive=False)
    ] = ExportFormat.trig,
    case: Annotated[
        str | None,
        typer.Option(
            "--case",
            help="Only this letter (its case number, or the content-<hex> key of one without).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here instead of stdout (- = stdout); replaced only once all is written.",
        ),
    ] = None,
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    store_endpoint: StoreEndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Export the whole graph or one letter as RDF (with the project's prefixes).

    Examples:

      imrgraph export --format trig -o imr.trig

      imrgraph export --case CM15-0123456 --format turtle

    turtle and ntriples hold triples only: exporting the whole store in them merges the graphs
    (use trig or nquads to keep one named graph per letter).
    """
    from imrgraph.output import check_writable, is_stdout, output_stream

    assert output_format.value in EXPORT_FORMATS
    if case is not None and not case.strip():  # "" used to mean the whole store
        raise QueryError("--case: empty; give a case number (or the content-<hex> key)")
    if not is_stdout(output):
        check_writable(output, "the export")
    # A missing case or a server that stops answering leaves -o FILE as it was.
    with (
        _open(store, endpoint, None, store_endpoint, timeout=timeout) as graph_store,
        output_stream(output, "the export") as handle,
    ):
        count = graph_store.export(handle, output_format.value, case)
    typer.echo(f"{count} quads exported", err=True)


@app.command("tally")
def tally_command(
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    update_endpoint: UpdateEndpointOpt = None,
    store_endpoint: StoreEndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Rebuild the tallies that make counting fast, from the letters in the store.

    Examples:

      imrgraph tally

      imrgraph tally --store /data/imr

    Ingest keeps the tallies current by itself (each letter's links are written with it);
    this is needed once for a store written by an older imrgraph, after changing letters with
    `query --allow-update`, or after a new guideline scheme. Until then `guidelines`, `report`
    and `plot` count from the citations (slower) and `query guidelines-upheld-denials` refuses.
    Letters are rewritten 50 to a transaction, each whole; an interrupted run is simply run
    again.
    """
    from imrgraph.store.tallies import letter_and_version_graphs, retally

    err = Console(stderr=True)
    with _open(
        store, endpoint, update_endpoint, store_endpoint, read_only=False, timeout=timeout
    ) as graph_store:
        started = time.perf_counter()
        graphs = letter_and_version_graphs(graph_store)
        progress = _progress_bar(err)
        with progress:
            task = progress.add_task("tally", total=len(graphs))
            done = retally(graph_store, graphs=graphs, on_letter=lambda _: progress.advance(task))
        where = graph_store.location
    typer.echo(
        f"tallies rebuilt for {done} letter graphs in {where} "
        f"in {time.perf_counter() - started:.1f} s",
        err=True,
    )


@app.command("stats")
def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    """Counts: letters, disputed items, outcomes, triples.

    Examples:

      imrgraph stats

      imrgraph stats --json --store /data/imr
    """
    with _open(store, endpoint, timeout=timeout) as graph_store:
        stats = graph_store.stats()
        where = graph_store.location
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    typer.echo(shown(where))
    labels = {
        "letters": "letters",
        "letters_with_warnings": "  with parser warnings",
        "items": "disputed items",
        "upheld": "  upheld",
        "overturned": "  overturned",
        "unknown_outcome": "  outcome not readable",
        "letter_triples": "triples in letters",
        "triples": "triples in all (with ontology)",
    }
    for key, label in labels.items():
        typer.echo(f"{label:32s} {stats[key]:>10,}")
