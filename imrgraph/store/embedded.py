"""The embedded store: Oxigraph (pyoxigraph, RocksDB) in a folder on disk.

One writer at a time: Oxigraph locks the folder, and a second writer gets a ``StoreLocked``
error ("store is locked by another process"), never a corrupt store.

Readers while a writer works: pyoxigraph 0.5 offers ``Store.read_only`` (undefined behaviour
next to a writer, in Oxigraph's own docs) and no secondary instance, so a reader never opens the
live folder of a store that is being written. Instead the writer publishes snapshots: at its
first write and then at most every ``SNAPSHOT_SECONDS`` of writing, it makes a RocksDB checkpoint
(``Store.backup``: hard links of the immutable files, a fraction of a second) into
``.snapshots/<time>`` inside the store folder, keeping the newest ``KEEP_SNAPSHOTS``. A reader
that finds the folder locked opens the newest snapshot with ``Store.read_only`` (nobody writes a
snapshot, so that is well defined) and sees the store as it was then: every letter of it whole,
since a checkpoint holds only committed transactions. The writer removes the snapshots when it
closes. Live concurrent reads and writes belong on a server (``--endpoint``).

Memory of a writer: every write sits in RocksDB's memtables until they are flushed to disk, and
Oxigraph sizes those for bulk loads (128 MiB per column family, two of them merged per flush,
no budget across its column families; pyoxigraph 0.5 has no option to change that). A letter
costs about 140 KiB of memtable, so a writer that only flushed at its snapshots (which flush)
would hold ten seconds of letters: its peak memory would follow how fast it writes (about
230 MiB of memtable at 150 letters a second). So the writer also flushes after every
``FLUSH_BYTES`` of update text (about 8 MiB), whatever the time: the memtables stay near
50 MiB at any speed and any store size (BENCHMARKS.md, "Writer memory as N grows").
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from imrgraph.errors import QueryError, StoreError, StoreLocked
from imrgraph.store.base import DEFAULT_TIMEOUT, GraphStore
from imrgraph.store.results import Term
from imrgraph.store.sparqltext import bind_with_values

T = TypeVar("T")

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


SNAPSHOT_DIR = ".snapshots"
SNAPSHOT_SECONDS = 10.0
KEEP_SNAPSHOTS = 3
#: Update text (characters of SPARQL) written between two memtable flushes, at most (about 350
#: letters; their memtables take about 6x their text). See the module docstring. The price of
#: flushing more often is compaction: writing flat out, 8 MiB costs about 50% more writer CPU
#: than flushing only at the snapshots, 16 MiB about 25% (at 50-80 letters a second, where the
#: snapshots flush nearly as often, 1-2%).
FLUSH_BYTES = 8 << 20


#: The file that marks a folder as an imrgraph store (written when the store is created, or the
#: first time an older store without it is opened for writing). A non-empty folder with neither
#: it nor Oxigraph's own files is never opened: opening writes RocksDB's LOCK and LOG files.
MARKER = "imrgraph-store.json"
_MARKER_TEXT = '{"imrgraph_store": 1}\n'


def _is_oxigraph_dir(path: Path) -> bool:
    """Whether ``path`` holds an imrgraph store: RocksDB's CURRENT with the marker, or Oxigraph's
    layout.

    A store written before the marker existed is known by its RocksDB files and by Oxigraph's
    column families in its OPTIONS file (a folder that merely holds a file named CURRENT, or
    another program's RocksDB, is not one).
    """
    if not (path / "CURRENT").is_file():
        return False
    if (path / MARKER).is_file():
        return True
    for options in path.glob("OPTIONS-*"):
        try:
            with options.open("rb") as handle:
                if b'[CFOptions "gspo"]' in handle.read(1 << 20):
                    return True
        except OSError:
            continue
    return False


def _write_marker(path: Path) -> None:
    """Mark ``path`` as an imrgraph store (a read-only folder just stays unmarked)."""
    if not (path / MARKER).is_file():
        with contextlib.suppress(OSError):
            (path / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def _damaged(path: Path, exc: BaseException) -> StoreError:
    """One line for a store RocksDB finds corrupt (pyoxigraph raises it as RuntimeError)."""
    message = " ".join(str(exc).split())[:300]
    return StoreError(
        f"{path}: the store is damaged and cannot be read ({message}); restore it from a copy, "
        "or ingest the letters again into a new folder"
    )


def _snapshots(path: Path) -> list[Path]:
    """The complete snapshots of the store at ``path``, oldest first."""
    folder = path / SNAPSHOT_DIR
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.isdigit() and p.is_dir()]
    return sorted(found, key=lambda p: int(p.name))


def _store_error(path: Path, exc: OSError) -> StoreError:
    message = " ".join(str(exc).split())
    if "lock" in message.lower():
        return StoreLocked(
            f"{path}: store is locked by another process (an ingest running?); "
            "wait for it, or use a SPARQL server (--endpoint) for concurrent access"
        )
    return StoreError(f"{path}: cannot open the store: {message}")


class _Job:
    """One query handed to a query thread: the work, and what came of it."""

    __slots__ = ("cancelled", "done", "error", "value", "work")

    def __init__(self, work: Callable[[Callable[[], bool]], object]) -> None:
        self.work: Callable[[Callable[[], bool]], object] | None = work
        self.done = threading.Event()
        self.cancelled = threading.Event()
        self.value: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            assert self.work is not None
            self.value = self.work(self.cancelled.is_set)
        except BaseException as exc:  # handed to the caller's thread
            self.error = exc
        finally:
            self.work = None
            self.done.set()


#: Queries given up on (past their deadline, or Ctrl-C) that may still be running: Oxigraph
#: cannot be told to stop a query, so its thread is left to finish (a streaming SELECT stops at
#: its next row). ``imrgraph.cli.main`` ends the process without waiting for them.
_ABANDONED: set[_Job] = set()
#: Idle query threads (their job queues), reused: starting a thread per query cost about 0.1 ms.
_IDLE: list[queue.SimpleQueue[_Job]] = []
_IDLE_LOCK = threading.Lock()
_KEEP_IDLE = 8


def abandoned_queries() -> int:
    """How many queries given up on still run (a long-running caller may refuse work above N)."""
    for job in [job for job in _ABANDONED if job.done.is_set()]:
        _ABANDONED.discard(job)
    return len(_ABANDONED)


def _query_thread(jobs: queue.SimpleQueue[_Job]) -> None:
    while True:
        job = jobs.get()
        job.run()
        retire = job.cancelled.is_set()  # given up on: its caller has gone
        del job  # the result must not outlive its caller's use of it
        if retire:
            return
        with _IDLE_LOCK:
            if len(_IDLE) >= _KEEP_IDLE:
                return
            _IDLE.append(jobs)


def _bounded(work: Callable[[Callable[[], bool]], T], deadline: float | None, on_late) -> T:
    """Run ``work(cancelled)`` in a query thread; wait until it ends, ``deadline`` or Ctrl-C.

    Why a thread: pyoxigraph has no query timeout nor cancellation, and a query runs inside
    Rust without returning to Python, where neither a deadline nor SIGINT can reach it. The
    thread releases the GIL while Oxigraph works, so the calling thread waits on an event and
    stays interruptible. Safe with RocksDB: the abandoned thread only reads (a user's update that
    is abandoned has not committed: Oxigraph commits at the end, and the CLI then ends the
    process), and ``work`` polls ``cancelled`` between rows so a streaming query stops soon.
    """
    job = _Job(work)
    with _IDLE_LOCK:
        jobs = _IDLE.pop() if _IDLE else None
    if jobs is None:
        jobs = queue.SimpleQueue()
        threading.Thread(
            target=_query_thread, args=(jobs,), name="imrgraph-query", daemon=True
        ).start()
    jobs.put(job)
    try:
        while True:
            wait = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if job.done.wait(max(wait, 0.0)):
                break
            if deadline is not None and time.monotonic() >= deadline:
                raise on_late()
    except BaseException:  # the deadline, or KeyboardInterrupt: give the query up
        job.cancelled.set()
        _ABANDONED.add(job)
        raise
    if job.error is not None:
        raise job.error
    return job.value  # type: ignore[return-value]


def _unwritable(exc: OSError) -> bool:
    """Whether opening failed because the folder cannot be written (permissions, a ro mount)."""
    text = str(exc).lower()
    return "permission denied" in text or "read-only file system" in text


class EmbeddedStore(GraphStore):
    """An Oxigraph store on disk (or in memory when ``path`` is None, for tests and benchmarks)."""

    def __init__(
        self,
        path: Path | str | None,
        *,
        create: bool = True,
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: bool = False,
    ) -> None:
        self.timeout = timeout
        self.allow_service = allow_service
        self.path = Path(path) if path is not None else None
        self.location = f"store {self.path}" if self.path else "in-memory store"
        self.snapshot: str | None = None  # set when reading a writer's snapshot
        self.read_only = False  # opened read-only: a folder that cannot be written
        self._last_snapshot: float | None = None
        self._unflushed = 0  # bytes of update text since the memtables were last flushed
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
            if self.path.is_dir() and any(p.name != MARKER for p in self.path.iterdir()):
                raise StoreError(
                    f"{self.path}: folder exists and is not an Oxigraph store; "
                    "choose an empty or new folder"
                )
        try:
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            error = _store_error(self.path, exc)
            if not create and _unwritable(exc) and self._open_read_only():
                return
            if create or not isinstance(error, StoreLocked) or not self._open_snapshot():
                raise error from exc
            return
        except RuntimeError as exc:  # RocksDB: Corruption (a truncated file, a bad checksum)
            raise _damaged(self.path, exc) from None
        _write_marker(self.path)
        with contextlib.suppress(OSError):  # left by a writer that was killed
            shutil.rmtree(self.path / SNAPSHOT_DIR)

    def _open_read_only(self) -> bool:
        """Open a store whose folder cannot be written (a read-only mount) for reading only."""
        assert self.path is not None
        try:
            self._store = ox.Store.read_only(str(self.path))
        except OSError:
            return False
        except RuntimeError as exc:
            raise _damaged(self.path, exc) from None
        self.read_only = True
        self.location = f"store {self.path} (read-only)"
        return True

    def _open_snapshot(self) -> bool:
        """Open the newest snapshot of a store being written, read-only; False if none."""
        assert self.path is not None
        for snapshot in reversed(_snapshots(self.path)):
            try:
                self._store = ox.Store.read_only(str(snapshot))
            except (OSError, RuntimeError):
                # removed by the writer meanwhile (RocksDB may then say "Corruption: ... No
                # such file", a RuntimeError): try an older one
                continue
            taken = time.strftime("%H:%M:%S", time.localtime(int(snapshot.name) / 1e9))
            self.snapshot = snapshot.name
            self.location = (
                f"store {self.path} (being written by another process: its snapshot of {taken})"
            )
            return True
        return False

    def checkpoint(self) -> None:
        """Publish a snapshot for readers (see the module docstring); errors are ignored.

        A snapshot is a convenience for readers: failing to make one (disk full, a store
        in memory) must never fail the write that triggered it.
        """
        if self.path is None or self.snapshot is not None:
            return
        folder = self.path / SNAPSHOT_DIR
        name = str(time.time_ns())
        partial = folder / f"partial-{name}"
        try:
            folder.mkdir(exist_ok=True)
            self._store.backup(str(partial))
            os.rename(partial, folder / name)  # readers only ever see complete snapshots
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
            return
        for old in _snapshots(self.path)[:-KEEP_SNAPSHOTS]:
            shutil.rmtree(old, ignore_errors=True)

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for benchmarks and bulk tools)."""
        return self._store

    def _query(self, sparql: str, read: Callable[[object, Callable[[], bool]], T]) -> T:
        """Run ``sparql`` and ``read(results, cancelled)`` within the deadline (``_bounded``)."""
        store = self._store

        def work(cancelled: Callable[[], bool]) -> T:
            # pyoxigraph's result iterators must be dropped in the thread that made them (else
            # a panic message), so no error leaves this thread holding a frame that holds one.
            results = None
            error: BaseException
            try:
                results = store.query(sparql)
                return read(results, cancelled)
            except SyntaxError as exc:
                error = QueryError(f"bad SPARQL: {exc}")
            except (OSError, RuntimeError, ValueError) as exc:  # storage, or a SERVICE's answer
                message = " ".join(str(exc).split())[:300]
                error = StoreError(f"{self.location}: query failed: {message}")
            except BaseException as exc:
                error = exc.with_traceback(None)
            finally:
                del results
            raise error

        return _bounded(work, self.deadline(), self.timed_out)

    def _select_terms(
        self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]
    ) -> tuple[list[str], Iterable[tuple[Term | None, ...]]]:
        # Bindings go in as a VALUES block of pyoxigraph-serialised terms, exactly as on a
        # SPARQL server. Not ``substitutions=``: pyoxigraph 0.5 refuses a substituted variable
        # that is not projected, and a projected one is not seen by FILTER(BOUND(?x)) (it is
        # joined after the WHERE clause), so saved queries would differ from the server.
        def read(solutions, cancelled):
            if not isinstance(solutions, ox.QuerySolutions):
                raise QueryError("expected a SELECT query")
            columns = [v.value for v in solutions.variables]
            width = range(len(columns))
            rows = []
            limit = self.row_limit(len(columns))
            for solution in solutions:
                if cancelled():
                    break
                if len(rows) == limit:
                    raise self.too_many_rows(limit)
                rows.append(tuple(solution[i] for i in width))
            return columns, rows

        return self._query(bind_with_values(sparql, bindings), read)

    def _ask(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> bool:
        return self._query(bind_with_values(sparql, bindings), lambda answer, _: bool(answer))

    def _construct(self, sparql: str) -> Iterator[ox.Triple]:
        def read(triples, cancelled):
            out = []
            for triple in triples:
                if cancelled():
                    break
                out.append(triple)
            return out

        return iter(self._query(sparql, read))

    def _user_update(self, sparql: str) -> None:
        # A user's update may run for ever (DELETE ... WHERE over a cartesian product), so it
        # is bounded like a query; an abandoned one has not committed (see ``_bounded``).
        _bounded(lambda _: self._update(sparql), self.deadline(), self.timed_out)

    def _update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError(
                f"{self.path}: the store is read-only here: it can be read, not written"
            )
        if self.snapshot is not None:
            raise StoreLocked(
                f"{self.path}: store is locked by another process (an ingest running?); "
                "it can be read meanwhile, not written"
            )
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"bad SPARQL Update: {exc}") from exc
        except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB found corruption
            message = " ".join(str(exc).split())[:300]
            raise StoreError(f"{self.location}: write failed: {message}") from exc
        self._unflushed += len(sparql)
        now = time.monotonic()
        if self._last_snapshot is None or now - self._last_snapshot >= SNAPSHOT_SECONDS:
            self._last_snapshot = now
            self._unflushed = 0
            self.checkpoint()  # a RocksDB checkpoint flushes the memtables first
        elif self._unflushed >= FLUSH_BYTES:
            self._unflushed = 0
            self._flush()

    def _flush(self) -> None:
        """Flush the memtables (bounds the writer's memory); errors are ignored.

        The letters are already committed (in RocksDB's write-ahead log): a flush that fails
        (disk full) loses nothing, and the next write will report the disk's state itself.
        """
        if self.path is None:  # in memory: nothing to flush to
            return
        with contextlib.suppress(OSError):
            self._store.flush()

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        if graph is None:
            quads = iter(self._store)
        else:
            quads = iter(self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        return self._reading(quads)

    def _reading(self, quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        try:
            yield from quads
        except (OSError, RuntimeError) as exc:  # a damaged file met while streaming the store
            message = " ".join(str(exc).split())[:300]
            raise StoreError(f"{self.location}: reading failed: {message}") from None

    def close(self) -> None:
        store = getattr(self, "_store", None)
        if store is not None:
            writer = self.path is not None and self.snapshot is None and not self.read_only
            if writer:
                with contextlib.suppress(OSError):
                    store.flush()
            self._store = None  # releases the RocksDB lock once garbage collected
            del store
            if writer and self.path is not None:
                shutil.rmtree(self.path / SNAPSHOT_DIR, ignore_errors=True)
