"""CLI command: serve (a thin wrapper over imrgraph.serve.create_app, run by uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from imrgraph.cli._app import app
from imrgraph.cli._options import EndpointOpt, StoreOpt


@app.command(
    help="Serve the graph on the web, read-only: pages for people who do not write SPARQL "
    "(home, search, guidelines, letters, the live report, saved queries), the graph's IRIs "
    "with content negotiation, and a read-only SPARQL endpoint at /sparql.\n\n"
    "Binds 127.0.0.1 unless --host says otherwise. On the embedded store it never takes the "
    "writer's lock: an ingest can run meanwhile, and its letters show within --refresh "
    "seconds of its next snapshot.\n\n"
    "Examples:\n\n"
    "imrgraph serve\n\n"
    "imrgraph serve --store imrgraph-store --port 8080\n\n"
    "imrgraph serve --endpoint http://127.0.0.1:7878/query --query-seconds 5"
)
def serve(
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 = every interface: your network).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    base: Annotated[
        str,
        typer.Option(help="IRI prefix served at the app's root ({base}data/... -> /data/...)."),
    ] = "https://w3id.org/imrgraph/",
    query_seconds: Annotated[
        float, typer.Option(help="Time limit of one SPARQL query, in seconds.", min=0.1)
    ] = 10.0,
    max_rows: Annotated[
        int, typer.Option(help="Most results (rows or triples) one SPARQL query may return.", min=1)
    ] = 10_000,
    max_running: Annotated[
        int, typer.Option(help="Most SPARQL queries evaluated at once.", min=1)
    ] = 2,
    refresh: Annotated[
        float,
        typer.Option(
            help="Seconds between looks for letters stored since (embedded store).", min=0
        ),
    ] = 2.0,
    cache_seconds: Annotated[
        float,
        typer.Option(
            help="With --endpoint: seconds whole-corpus pages (home, guideline, search, report) "
            "are reused before they are counted again.",
            min=0,
        ),
    ] = 60.0,
) -> None:
    import uvicorn

    from imrgraph.serve import Limits, create_app

    web = create_app(
        store,
        endpoint,
        base=base,
        limits=Limits(seconds=query_seconds, max_rows=max_rows, max_running=max_running),
        refresh=refresh,
        cache_seconds=cache_seconds,
    )
    typer.echo(f"imrgraph: serving {web.state.server.source.location} at http://{host}:{port}/")
    uvicorn.run(web, host=host, port=port, log_level="warning", server_header=False)
