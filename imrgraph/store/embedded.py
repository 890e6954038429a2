"""The embedded store: Oxigraph (pyoxigraph, RocksDB) in a folder on disk.

One process at a time: Oxigraph locks the folder for writing, and a second process gets a
``StoreLocked`` error rather than a corrupt read (``Store.read_only`` next to a writer is
undefined behaviour in Oxigraph's own docs). Concurrent readers and writers belong on a server
(``--endpoint``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from imrgraph.errors import QueryError, StoreError, StoreLocked
from imrgraph.store.base import GraphStore
from imrgraph.store.results import Term
from imrgraph.store.sparqltext import bind_with_values

DEFAULT_STORE_DIR = "imrgraph-store"
STORE_ENV = "IMRGRAPH_STORE"


def default_store_path(store: Path | str | None = None) -> Path:
    """The embedded store folder: ``store``, else ``$IMRGRAPH_STORE``, else ./imrgraph-store."""
    if store:
        return Path(store)
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env)
    return Path(DEFAULT_STORE_DIR)


def _is_oxigraph_dir(path: Path) -> bool:
    return (path / "CURRENT").is_file()


def _store_error(path: Path, exc: OSError) -> StoreError:
    message = str(exc)
    if "lock" in message.lower():
        return StoreLocked(
            f"{path}: store is locked by another process (an ingest running?); "
            "wait for it, or use a SPARQL server (--endpoint) for concurrent access"
        )
    return StoreError(f"{path}: cannot open the store: {message}")


class EmbeddedStore(GraphStore):
    """An Oxigraph store on disk (or in memory when ``path`` is None, for tests and benchmarks)."""

    def __init__(self, path: Path | str | None, *, create: bool = True) -> None:
        self.path = Path(path) if path is not None else None
        self.location = f"store {self.path}" if self.path else "in-memory store"
        if self.path is None:
            self._store = ox.Store()
            return
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: not a directory, cannot hold a store")
        if not _is_oxigraph_dir(self.path):
            if not create:
                raise StoreError(
                    f"{self.path}: no imrgraph store here (run `imrgraph ingest` first, "
                    "or give --store DIR / --endpoint URL)"
                )
            if self.path.is_dir() and any(self.path.iterdir()):
                raise StoreError(
                    f"{self.path}: folder exists and is not an Oxigraph store; "
                    "choose an empty or new folder"
                )
        try:
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise _store_error(self.path, exc) from exc

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for benchmarks and bulk tools)."""
        return self._store

    def _run(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]):
        # Bindings go in as a VALUES block of pyoxigraph-serialised terms, exactly as on a
        # SPARQL server. Not ``substitutions=``: pyoxigraph 0.5 refuses a substituted variable
        # that is not projected, and a projected one is not seen by FILTER(BOUND(?x)) (it is
        # joined after the WHERE clause), so saved queries would differ from the server.
        try:
            return self._store.query(bind_with_values(sparql, bindings))
        except SyntaxError as exc:
            raise QueryError(f"bad SPARQL: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{self.location}: query failed: {exc}") from exc

    def _select_terms(
        self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]
    ) -> tuple[list[str], Iterable[tuple[Term | None, ...]]]:
        solutions = self._run(sparql, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        columns = [v.value for v in solutions.variables]
        try:
            rows = [tuple(solution[i] for i in range(len(columns))) for solution in solutions]
        except OSError as exc:
            raise StoreError(f"{self.location}: query failed: {exc}") from exc
        return columns, rows

    def _ask(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> bool:
        return bool(self._run(sparql, bindings))

    def _construct(self, sparql: str) -> Iterator[ox.Triple]:
        return iter(self._run(sparql, {}))

    def _update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"bad SPARQL Update: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{self.location}: write failed: {exc}") from exc

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        if graph is None:
            return iter(self._store)
        return iter(self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def close(self) -> None:
        store = getattr(self, "_store", None)
        if store is not None:
            with contextlib.suppress(OSError):
                store.flush()
            self._store = None  # releases the RocksDB lock once garbage collected
            del store
