"""CLI commands: guidelines, reasons, network, plot, report (wrappers over imrgraph.analysis)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import typer

from imrgraph.cli._app import app
from imrgraph.cli._options import DEFAULT_TIMEOUT, EndpointOpt, StoreOpt, TimeoutOpt
from imrgraph.errors import ImrGraphError
from imrgraph.filenames import shown
from imrgraph.output import check_writable, is_stdout, output_stream, replacing

_METHOD = (
    "Method: the unit is the disputed item. An item counts for a guideline when the chosen party "
    "(--by) cites that guideline for it; an item citing several guidelines counts once for EACH "
    "distinct guideline at the chosen level (and once only for a guideline it cites twice), so "
    "the rows add up to more than the items. uphold_rate = upheld / (upheld + overturned): an "
    "item whose outcome could not be read counts in items and unknown, in no rate; "
    "ci_low..ci_high = Wilson 95% score interval; lift = uphold_rate / uphold rate of all "
    "items in the same selection (--category, --year). See docs/METHOD.md."
)

ByOpt = typer.Option("reviewer", "--by", help="Whose citations: reviewer or claims-administrator.")
LevelOpt = typer.Option(
    "document",
    "--level",
    help="Count guideline documents (sections rolled up) or sections (most specific concept).",
)
CategoryOpt = typer.Option(
    None, "--category", help="Only items of this service category (e.g. Pharmaceuticals)."
)
YearOpt = typer.Option(None, "--year", help="Only letters of this year (decision date).")
_NetworkOut = typer.Option(None, "-o", "--output", help="File to write (.graphml/.gexf/.json).")
_PlotOut = typer.Option(..., "-o", "--output", help="The .svg or .png file to write.")
_ReportOut = typer.Option(
    ..., "-o", "--output", help="The .html file to write (- = standard output)."
)


def _examples(*commands: str) -> str:
    """A help paragraph of runnable examples, one per line."""
    return "\n\nExamples:\n\n" + "\n\n".join(commands)


def _open(store: Path | None, endpoint: str | None, timeout: float) -> Any:
    from imrgraph.store import open_store

    return open_store(store, endpoint, read_only=True, timeout=timeout or None)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)  # full precision
    return str(value)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@app.command(
    help="Rank guidelines by the denials they uphold.\n\n"
    + _METHOD
    + _examples(
        "imrgraph guidelines --top 10",
        "imrgraph guidelines --by claims-administrator --sort rate --min-items 20",
        "imrgraph guidelines --level section --category Pharmaceuticals --format csv",
    )
)
def guidelines(
    by: str = ByOpt,
    level: str = LevelOpt,
    category: str | None = CategoryOpt,
    year: int | None = YearOpt,
    min_items: int = typer.Option(1, "--min-items", help="Leave out guidelines with fewer items."),
    top: int | None = typer.Option(None, "--top", help="Show only the first K rows."),
    sort: str = typer.Option(
        "upheld",
        "--sort",
        help="upheld: by upheld items; rate: by the interval's lower bound (ci_low).",
    ),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    from imrgraph.analysis.guidelines import COLUMNS, rank_guidelines

    if fmt not in ("table", "csv", "json"):
        raise ImrGraphError(f"unknown format {fmt!r}; choose table, csv or json")
    with _open(store, endpoint, timeout) as graph_store:
        records = rank_guidelines(
            graph_store,
            by=by,
            level=level,
            category=category,
            year=year,
            min_items=min_items,
            top=top,
            sort=sort,
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for rec in records:
            writer.writerow([_cell(rec[c]) for c in COLUMNS])
        typer.echo(buffer.getvalue(), nl=False)
    elif fmt == "json":
        rows = [{c: _json_safe(rec[c]) for c in COLUMNS} for rec in records]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        _print_table(records)


@app.command(
    help="Why: the reasons the rationales give, with counts, rates and an example sentence.\n\n"
    "The unit is the disputed item; an item counts once for each reason its rationale states "
    "(read by imrgraph's rules: figures in BENCHMARKS.md), so the rows add up to more than the "
    "items. rate = items stating the reason / items in the selection. The example is the "
    "shortest sentence stating the reason in the selection (with the store's tallies and no "
    "--service or --guideline: the shortest of the first 100 the store returns)."
    + _examples(
        'imrgraph reasons --service "lumbar MRI" --outcome Upheld',
        'imrgraph reasons --guideline "MTUS Low Back" --year 2016',
        "imrgraph reasons --category Pharmaceuticals --outcome Overturned --format json",
    )
)
def reasons(
    service: str | None = typer.Option(
        None, "--service", help='Words that must all occur in the service, e.g. "lumbar MRI".'
    ),
    category: str | None = CategoryOpt,
    guideline: str | None = typer.Option(
        None, "--guideline", help="Only items whose reviewer cites this guideline (by name)."
    ),
    outcome: str | None = typer.Option(None, "--outcome", help="Upheld or Overturned."),
    year: int | None = YearOpt,
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    from imrgraph.analysis.reasons import COLUMNS, ReasonQuery, count_reasons

    if fmt not in ("table", "csv", "json"):
        raise ImrGraphError(f"unknown format {fmt!r}; choose table, csv or json")
    if outcome is not None:
        outcome = outcome.strip().capitalize()
    query = ReasonQuery(
        service=service, category=category, guideline=guideline, outcome=outcome, year=year
    )
    with _open(store, endpoint, timeout) as graph_store:
        total, records = count_reasons(graph_store, query)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for rec in records:
            writer.writerow([_cell(rec[c]) for c in COLUMNS])
        typer.echo(buffer.getvalue(), nl=False)
        return
    if fmt == "json":
        rows = [{c: _json_safe(rec[c]) for c in COLUMNS} for rec in records]
        typer.echo(json.dumps({"items": total, "reasons": rows}, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{total:,} item{'' if total == 1 else 's'} in the selection")
    if not records:
        typer.echo("No reasons stated for the items of this selection.")
        return
    for rec in records:
        n = rec["items"]
        typer.echo(
            f"\n{rec['label']} ({rec['reason']}): {n:,} item{'' if n == 1 else 's'}, "
            f"{rec['rate']:.0%} of the selection"
        )
        typer.echo(f'  e.g. "{rec["example"]}"')


def _print_table(records: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for name, justify in (
        ("Guideline", "left"),
        ("Items", "right"),
        ("Upheld", "right"),
        ("Rate", "right"),
        ("95% interval", "right"),
        ("Lift", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for rec in records:
        table.add_row(
            rec["guideline"],
            f"{rec['items']:,}",
            f"{rec['upheld']:,}",
            _pct(rec["uphold_rate"]),  # none when no item citing it was decided
            f"{_pct(rec['ci_low'])} – {_pct(rec['ci_high'])}",
            "–" if math.isnan(rec["lift"]) else f"{rec['lift']:.2f}",
        )
    if not records:
        typer.echo("No guideline citations match this selection.")
        return
    Console().print(table)


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1%}"


@app.command(
    help=(
        "Build a guideline network from the store and write it for Gephi/Cytoscape (-o), or print "
        "a summary: the most central guidelines and communities of guidelines cited together.\n\n"
        "Kinds: guideline-service (guidelines - service categories, or normalised services with "
        "--service service), co-citation (guidelines cited for the same item), "
        "reviewer-guideline (reviewer specialties - guidelines). Edges carry items, upheld and "
        "weight (= items). " + _METHOD
    )
    + _examples(
        "imrgraph network --kind co-citation",
        "imrgraph network --kind guideline-service --format graphml -o guidelines.graphml",
    )
)
def network(
    kind: str = typer.Option(
        "guideline-service", "--kind", help="guideline-service, co-citation or reviewer-guideline."
    ),
    output: Path | None = _NetworkOut,
    fmt: str | None = typer.Option(
        None, "--format", help="graphml, gexf or json (default: from the file name)."
    ),
    service: str = typer.Option(
        "category", "--service", help="guideline-service: category or service (normalised name)."
    ),
    by: str = ByOpt,
    level: str = LevelOpt,
    category: str | None = CategoryOpt,
    year: int | None = YearOpt,
    min_items: int = typer.Option(1, "--min-items", help="Leave out edges with fewer items."),
    top: int = typer.Option(10, "--top", help="Rows in the summary."),
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    from imrgraph.analysis.network import build_network, summarize, write_network

    if fmt is not None and output is None:
        raise ImrGraphError("--format needs -o FILE")
    with _open(store, endpoint, timeout) as graph_store:
        graph = build_network(
            graph_store,
            kind,
            by=by,
            level=level,
            category=category,
            year=year,
            service=service,
            min_items=min_items,
        )
    if output is not None:
        with replacing(output, "the network") as temporary:  # whole or untouched
            written = write_network(graph, temporary, fmt)
        typer.echo(
            f"wrote {shown(output)} ({written}): {graph.number_of_nodes()} nodes, "
            f"{graph.number_of_edges()} edges"
        )
        return
    summary = summarize(graph, top=top)
    typer.echo(
        f"{summary['kind']} network: {summary['nodes']} nodes ({summary['guidelines']} "
        f"guidelines), {summary['edges']} edges"
    )
    typer.echo("\nMost central guidelines (weighted degree = items behind their links):")
    for i, row in enumerate(summary["central"], 1):
        typer.echo(
            f"  {i:2}. {row['guideline']}  weighted degree {row['weighted_degree']:g}, "
            f"{row['neighbours']} neighbours, eigenvector "
            + ("n/a" if row["eigenvector"] is None else f"{row['eigenvector']:.3f}")
        )
    typer.echo("\nCommunities (Louvain, guidelines linked by shared items):")
    if not summary["communities"]:
        typer.echo("  none (no links)")
    for i, members in enumerate(summary["communities"], 1):
        typer.echo(f"  {i:2}. " + "; ".join(members))


@app.command(
    help=(
        "Draw a chart as SVG or PNG (format from the file name). KIND: guidelines (uphold rate by "
        "guideline with Wilson intervals), categories (outcomes by service category), years "
        "(uphold rate by year), network (guideline-service network of the top guidelines)."
    )
    + _examples(
        "imrgraph plot guidelines -o guidelines.svg --top 15",
        "imrgraph plot years -o years.png --category Pharmaceuticals",
    )
)
def plot(
    kind: str = typer.Argument(..., help="guidelines, categories, years or network."),
    output: Path = _PlotOut,
    by: str = ByOpt,
    level: str = LevelOpt,
    category: str | None = CategoryOpt,
    year: int | None = YearOpt,
    min_items: int = typer.Option(1, "--min-items", help="guidelines: leave out smaller ones."),
    top: int = typer.Option(15, "--top", help="guidelines/network: how many guidelines."),
    sort: str = typer.Option("upheld", "--sort", help="guidelines: upheld or rate."),
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    from imrgraph.analysis import plots
    from imrgraph.analysis.guidelines import rank_guidelines
    from imrgraph.analysis.network import build_network
    from imrgraph.analysis.outcomes import outcomes_by

    if kind not in plots.KINDS:
        raise ImrGraphError(f"unknown plot {kind!r}; choose {', '.join(plots.KINDS)}")
    if output.suffix.lower() not in (".svg", ".png"):
        raise ImrGraphError(f"{output}: plots are written as .svg or .png")
    with _open(store, endpoint, timeout) as graph_store:
        if kind == "guidelines":
            records = rank_guidelines(
                graph_store,
                by=by,
                level=level,
                category=category,
                year=year,
                min_items=min_items,
                sort=sort,
            )
            fig = plots.rate_by_guideline_figure(records, top=top)
        elif kind == "categories":
            fig = plots.outcomes_by_category_figure(
                outcomes_by(graph_store, "category", category=category, year=year)
            )
        elif kind == "years":
            fig = plots.rate_by_year_figure(outcomes_by(graph_store, "year", category=category))
        else:
            graph = build_network(
                graph_store, "guideline-service", by=by, level=level, category=category, year=year
            )
            fig = plots.guideline_network_figure(graph, top=top)
    with replacing(output, "the plot") as temporary:  # whole or untouched
        plots.save_figure(fig, temporary)
    typer.echo(f"wrote {shown(output)}")


@app.command(
    help=(
        "Write one self-contained HTML report (inline SVG and CSS, nothing fetched): corpus "
        "overview, guideline ranking with charts, outcomes by category, reviewer specialty and "
        "year, the guideline-service network, example decisions, data quality. " + _METHOD
    )
    + _examples("imrgraph report -o report.html", "imrgraph report -o report.html --top 25")
)
def report(
    output: Path = _ReportOut,
    top: int = typer.Option(15, "--top", help="Rows in the ranking tables."),
    shacl_sample: int = typer.Option(
        100, "--shacl-sample", help="Letters to re-validate with SHACL (0 = skip)."
    ),
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
) -> None:
    from imrgraph.analysis import report as report_module

    if shacl_sample < 0:
        raise ImrGraphError("--shacl-sample must be 0 or more")
    runner = (lambda s: report_module.shacl_sample(s, shacl_sample)) if shacl_sample else None
    if not is_stdout(output):
        check_writable(output, "the report")  # before minutes of queries, not after
    with _open(store, endpoint, timeout) as graph_store:
        data = report_module.report_data(graph_store, top=top, shacl=runner)
    html = report_module.build_report(data).encode("utf-8")
    with output_stream(output, "the report") as handle:  # whole or untouched
        handle.write(html)
    overview = data["overview"]
    typer.echo(
        f"wrote {'the report' if is_stdout(output) else shown(output)}: "
        f"{overview['letters']:,} letters, {overview['items']:,} items, "
        f"{data['ranking_total']:,} guidelines",
        err=is_stdout(output),  # the HTML owns standard output then
    )
