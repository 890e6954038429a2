"""What the web server reads: a read-only view of the embedded store, or a SPARQL server.

The server must never hold the embedded store's lock (an ``imrgraph ingest`` started while it
runs must not get "store is locked"), so it never opens the folder read-write:

* no writer (the folder's RocksDB ``LOCK`` is free, tested with ``F_GETLK``, which takes no
  lock): the live folder is opened with ``Store.read_only``;
* a writer at work: the newest snapshot the writer publishes (``imrgraph/store/embedded.py``:
  a checkpoint at its first write and then every ``SNAPSHOT_SECONDS``), read-only; nobody
  writes a snapshot, so that is well defined.

How new letters show: every ``refresh`` seconds at most, a request looks at the folder (its
files, its snapshots, the lock); if anything changed it opens a new view and later requests use
it (requests already running finish on the old one, dropped when they end). So a letter stored
by an ingest shows within ``refresh`` seconds of its snapshot (or of the ingest's end).
A read that fails because a writer removed a file under an old view marks the view stale: the
next request reopens.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from imrgraph.errors import StoreError
from imrgraph.store import EmbeddedStore, EndpointStore, GraphStore
from imrgraph.store.embedded import SNAPSHOT_DIR, _is_oxigraph_dir, _snapshots

__all__ = [
    "EndpointSource",
    "ReadOnlyEmbedded",
    "ReadOnlySource",
    "StoreSource",
    "open_source",
    "writer_holds_lock",
]


class ReadOnlyEmbedded(EmbeddedStore):
    """An embedded store (or one of its snapshots) opened with ``Store.read_only``: no lock."""

    def __init__(self, path: Path, folder: Path, label: str, generation: int = 0) -> None:
        # Deliberately not EmbeddedStore.__init__: that one opens the folder read-write.
        self.path = path
        self.folder = folder  # what query workers open too (imrgraph.serve.limits)
        self.generation = generation
        self.location = f"store {path} ({label}, read-only)"
        self.snapshot = label  # EmbeddedStore refuses writes while this is set
        self._last_snapshot = None
        self._unflushed = 0
        try:
            self._store = ox.Store.read_only(str(folder))
        except OSError as exc:
            raise StoreError(f"{folder}: cannot open the store read-only: {exc}") from exc

    def _update(self, sparql: str) -> None:
        raise StoreError(f"{self.location}: the web server only reads the store")

    def checkpoint(self) -> None:  # a reader publishes nothing
        return

    def close(self) -> None:
        # Never flush or remove snapshots: those are the writer's.
        self._store = None


def writer_holds_lock(path: Path) -> bool:
    """Whether a process holds the RocksDB lock of the store at ``path`` (a writer).

    ``F_GETLK`` asks without taking the lock, so a writer starting at the same moment never
    sees it held by us.
    """
    try:
        fd = os.open(path / "LOCK", os.O_RDONLY)
    except OSError:
        return False
    try:
        # struct flock: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid
        probe = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, probe)
        return struct.unpack("hhqqi4x", answer)[0] != fcntl.F_UNLCK
    except OSError:
        return False
    finally:
        os.close(fd)


class StoreSource:
    """Gives each request the store to read; reopens it when the data changed."""

    location = ""

    def current(self) -> tuple[GraphStore, int]:
        """The store to read and its generation (changes whenever the view changes)."""
        raise NotImplementedError

    def stale(self) -> None:
        """A read failed in a way a fresh view may fix."""

    def close(self) -> None:
        """Release the view."""


class EndpointSource(StoreSource):
    """A SPARQL server: always current. Its changes cannot be seen from here, so the
    whole-corpus pages (home, guideline, search, report) are kept ``cache_seconds`` after they
    were computed, and show a server's new letters at most that late; letter pages, linked
    data and SPARQL always read the server."""

    def __init__(self, store: EndpointStore, cache_seconds: float) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self.location = store.location

    def current(self) -> tuple[GraphStore, int]:
        return self.store, 0  # cached pages expire by age instead (imrgraph.serve.app._Cache)

    def close(self) -> None:
        self.store.close()


class ReadOnlySource(StoreSource):
    """The embedded store at ``path``, read-only, refreshed as the module docstring says."""

    def __init__(self, path: Path, refresh: float = 2.0) -> None:
        self.path = Path(path)
        self.refresh = refresh
        if not _is_oxigraph_dir(self.path):
            raise StoreError(
                f"{self.path}: no imrgraph store here (run `imrgraph ingest` first, "
                "or give --store DIR / --endpoint URL)"
            )
        self._lock = threading.Lock()
        self._view: ReadOnlyEmbedded | None = None
        self._signature: tuple[object, ...] | None = None
        self._checked = 0.0
        self._generation = 0
        self._open()

    @property
    def location(self) -> str:  # type: ignore[override]
        """The view being read: the live store, or which snapshot while an ingest writes."""
        view = self._view
        return view.location if view is not None else f"store {self.path}"

    def _folder_signature(self) -> tuple[object, ...]:
        """What changes when a writer commits: the folder's files, the snapshots, the lock."""
        files = []
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.path):
                if entry.is_file():
                    stat = entry.stat()
                    files.append((entry.name, stat.st_size, stat.st_mtime_ns))
        snaps = tuple(p.name for p in _snapshots(self.path))
        return (writer_holds_lock(self.path), snaps, tuple(sorted(files)))

    def _open(self) -> None:
        signature = self._folder_signature()
        writing, snaps = signature[0], signature[1]
        view = None
        if writing and snaps:
            for name in reversed(snaps):
                try:
                    taken = time.strftime("%H:%M:%S", time.localtime(int(name) / 1e9))
                    view = ReadOnlyEmbedded(
                        self.path,
                        self.path / SNAPSHOT_DIR / name,
                        f"snapshot of {taken}: an ingest is writing",
                        self._generation + 1,
                    )
                    break
                except StoreError:
                    continue  # removed by the writer meanwhile: an older one
        if view is None:
            # No writer, or a writer that has not committed yet (its first write publishes a
            # snapshot): the live folder, read-only.
            view = ReadOnlyEmbedded(self.path, self.path, "live", self._generation + 1)
        self._view = view
        self._signature = signature
        self._generation += 1
        self._checked = time.monotonic()

    def current(self) -> tuple[GraphStore, int]:
        with self._lock:
            now = time.monotonic()
            if self._view is None or now - self._checked >= self.refresh:
                self._checked = now
                if self._view is None or self._folder_signature() != self._signature:
                    self._open()
            assert self._view is not None
            return self._view, self._generation

    def stale(self) -> None:
        with self._lock:
            self._view = None

    def close(self) -> None:
        with self._lock:
            if self._view is not None:
                self._view.close()
            self._view = None


def open_source(
    store: Path | str | None = None,
    endpoint: str | None = None,
    *,
    refresh: float = 2.0,
    timeout: float = 30.0,
    cache_seconds: float = 60.0,
) -> StoreSource:
    """The store a server reads: ``endpoint`` (a SPARQL server) or the embedded ``store``."""
    from imrgraph.store import default_store_path
    from imrgraph.store.endpoint import ENDPOINT_ENV

    if store and endpoint:
        raise StoreError("give either --store or --endpoint, not both")
    if not store and not endpoint:
        endpoint = os.environ.get(ENDPOINT_ENV) or None
    if endpoint:
        return EndpointSource(EndpointStore(endpoint, timeout=timeout, retries=1), cache_seconds)
    return ReadOnlySource(default_store_path(store), refresh)
