"""The knowledge-graph store: embedded Oxigraph on disk, or any SPARQL 1.1 server.

``open_store`` picks the backend; both implement :class:`GraphStore` (``select``,
``replace_graph``, ``has_source``, ``export``, ``stats``, ``close``), so the commands and the
analysis code do not care where the graph lives.

Where the embedded store lives: ``--store DIR``, else ``$IMRGRAPH_STORE``, else
``./imrgraph-store``.
A server: ``--endpoint URL`` (its SPARQL query URL), else ``$IMRGRAPH_ENDPOINT``.
"""

from __future__ import annotations

import os
from pathlib import Path

from imrgraph.errors import StoreError
from imrgraph.store.base import DEFAULT_TIMEOUT, EXPORT_FORMATS, ONTOLOGY_GRAPH, GraphStore
from imrgraph.store.embedded import DEFAULT_STORE_DIR, STORE_ENV, EmbeddedStore, default_store_path
from imrgraph.store.endpoint import ENDPOINT_ENV, EndpointStore, sibling_url
from imrgraph.store.results import SelectResult, to_python

__all__ = [
    "DEFAULT_STORE_DIR",
    "DEFAULT_TIMEOUT",
    "ENDPOINT_ENV",
    "EXPORT_FORMATS",
    "ONTOLOGY_GRAPH",
    "STORE_ENV",
    "EmbeddedStore",
    "EndpointStore",
    "GraphStore",
    "SelectResult",
    "default_store_path",
    "open_store",
    "sibling_url",
    "to_python",
]


def open_store(
    store: Path | str | None = None,
    endpoint: str | None = None,
    *,
    update_endpoint: str | None = None,
    store_endpoint: str | None = None,
    read_only: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: bool = False,
) -> GraphStore:
    """Open the embedded store at ``store`` or the SPARQL server at ``endpoint``.

    With neither, ``$IMRGRAPH_ENDPOINT`` then ``$IMRGRAPH_STORE`` then ``./imrgraph-store``.
    ``read_only`` means "do not create a store that does not exist": the embedded store is still
    opened read-write, because Oxigraph's read-only mode next to a writer is undefined
    behaviour; its lock makes a concurrent writer fail cleanly instead. If another process is
    writing it, a reader opens that writer's newest snapshot instead (``embedded.py``).
    ``timeout``: seconds a query may run (None or 0: no limit; each query method also takes its
    own). ``allow_service``: let queries hold SERVICE (the engine then fetches the URL).
    """
    if store and endpoint:
        raise StoreError("give either --store or --endpoint, not both")
    if not store and not endpoint:
        endpoint = os.environ.get(ENDPOINT_ENV) or None
    if endpoint:
        return EndpointStore(
            endpoint,
            update_endpoint,
            store_endpoint,
            timeout=timeout,
            allow_service=allow_service,
        )
    return EmbeddedStore(
        default_store_path(store),
        create=not read_only,
        timeout=timeout,
        allow_service=allow_service,
    )
