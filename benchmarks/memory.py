"""Writer memory benchmark: does the ingest writer's memory stay flat as N grows? (issue 6)

The parent process of ``imrgraph ingest`` is the only writer: workers parse, it stores each
letter in one transaction (``imrgraph.store.ingest.LetterWriter``). Its peak memory grew with N
in the Scale runs (BENCHMARKS.md). This benchmark isolates the writer so that its memory can be
read apart from parsing and from the machine's load:

1. parse the first N letters of a corpus ONCE, in worker processes, with the very function ingest
   runs in its workers (``process_batch``), into a cache file of checked letters (reused by
   later runs of the same N);
2. write them from scratch into a new embedded store in THIS process with ingest's
   ``LetterWriter``, as fast as it can (or ``--rate`` letters a second, like an ingest whose
   workers parse that fast), and print, at 10k, 30k and 100k letters (those up to N) and at N:
   resident memory (now and its sampled peak), glibc's malloc bytes in use (now and peak: where
   RocksDB's memtables, block cache and table readers live), Python's allocated blocks (the
   Python heap: flat means nothing accumulates per letter on the Python side), the store's size
   on disk and CPU seconds.

Usage::

    python benchmarks/corpus.py --letters 100000 --seed 1 --out /tmp/bench/c100k     # once
    python benchmarks/memory.py --corpus /tmp/bench/c100k --letters 100000 --workdir /tmp/mem
    python benchmarks/memory.py ... --flush-mib 0   # the flush policy before: at snapshots only

What it leaves out, by design: the per-file bookkeeping of a real ingest run (the set of input
paths already seen, the CLI's set of handled paths: about 600 bytes a file, BENCHMARKS.md).
Linux only (``/proc``); the malloc columns need glibc 2.33+ (``mallinfo2``) and are empty without.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import pickle
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import imrgraph.store.embedded as embedded  # noqa: E402
from imrgraph.pipeline import iter_input_files  # noqa: E402
from imrgraph.rdf.mapper import normalize_base  # noqa: E402
from imrgraph.rdf.vocab import DEFAULT_DATA_BASE  # noqa: E402
from imrgraph.store.ingest import (  # noqa: E402
    BATCH_SIZE,
    IngestSummary,
    Letterload,
    LetterWriter,
    process_batch,
)

MiB = 1 << 20
REPORT_AT = (10_000, 30_000, 100_000)


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mallinfo():
    """glibc's ``mallinfo2`` (None where unavailable: musl, macOS, old glibc)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        function = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    function.restype = _MallInfo2
    return function


MALLINFO = _mallinfo()


def rss_mib() -> float:
    """Resident memory of this process now (VmRSS), MiB."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def malloc_in_use_mib() -> float | None:
    """Bytes handed out by malloc and not freed (all threads' arenas and mmapped chunks), MiB."""
    if MALLINFO is None:
        return None
    info = MALLINFO()
    return (info.uordblks + info.hblkhd) / MiB


def corpus_files(corpus: Path, n: int) -> list[str]:
    """The first ``n`` letters of a ``benchmarks/corpus.py`` corpus, in ingest's order."""
    files = []
    for path in iter_input_files([corpus]):
        files.append(str(path))
        if len(files) == n:
            break
    if len(files) < n:
        sys.exit(f"{corpus}: {len(files)} letters, fewer than --letters {n}")
    return files


def build_cache(files: list[str], cache: Path, workers: int) -> None:
    """Parse, map and validate every file once (ingest's worker function); pickle the results.

    The file starts with the list of files it holds and the fields of ``Letterload``, so a cache
    is reused only for the same letters, checked by the same kind of code.
    """
    base = normalize_base(DEFAULT_DATA_BASE)
    batches = [files[i : i + BATCH_SIZE] for i in range(0, len(files), BATCH_SIZE)]
    started = time.perf_counter()
    partial = cache.with_suffix(".partial")
    loads = failed = 0
    with ProcessPoolExecutor(workers) as pool, partial.open("wb") as handle:
        pickle.dump(_cache_key(files), handle, protocol=5)
        for results in pool.map(process_batch, batches, [base] * len(batches)):
            for result in results:
                if isinstance(result, Letterload) and not result.violations:
                    pickle.dump(result, handle, protocol=5)
                    loads += 1
                else:
                    failed += 1
    partial.rename(cache)
    print(
        f"parsed {loads} letters ({failed} not storable) with {workers} workers in "
        f"{time.perf_counter() - started:.0f} s -> {cache}",
        flush=True,
    )


def _cache_key(files: list[str]) -> dict[str, list[str]]:
    return {"files": files, "fields": sorted(Letterload.__dataclass_fields__)}


def cached_loads(cache: Path, files: list[str]) -> Iterator[Letterload] | None:
    """The cached letters if ``cache`` holds exactly ``files`` in today's form, else None."""
    if not cache.is_file():
        return None
    handle = cache.open("rb")
    if pickle.load(handle) != _cache_key(files):
        handle.close()
        return None

    def read() -> Iterator[Letterload]:
        with handle:
            while True:
                try:
                    yield pickle.load(handle)
                except EOFError:
                    return

    return read()


class Peaks:
    """Samples resident memory and malloc bytes in use every ``interval`` s; keeps the peaks."""

    def __init__(self, interval: float = 0.25) -> None:
        self.rss = 0.0
        self.malloc = 0.0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self._interval)

    def sample(self) -> None:
        self.rss = max(self.rss, rss_mib())
        self.malloc = max(self.malloc, malloc_in_use_mib() or 0.0)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def du_mib(path: Path) -> float:
    """Size of a store folder on disk, each file once (the reader snapshots are hard links)."""
    sizes = {}
    for file in path.rglob("*"):
        with contextlib.suppress(OSError):  # removed meanwhile (compaction, old snapshots)
            info = file.stat()
            if file.is_file():
                sizes[(info.st_dev, info.st_ino)] = info.st_size
    return sum(sizes.values()) / MiB


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="benchmarks/corpus.py output")
    ap.add_argument("--letters", type=int, required=True, help="how many letters to write")
    ap.add_argument("--workdir", type=Path, required=True, help="cache and store go here")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parse processes")
    ap.add_argument("--rate", type=float, default=0.0, help="letters a second at most (0: max)")
    ap.add_argument(
        "--flush-mib",
        type=float,
        default=None,
        help="flush the memtables after this much update text (default: the store's "
        f"{embedded.FLUSH_BYTES / MiB:g} MiB; 0: only at the snapshots, the policy before)",
    )
    args = ap.parse_args(argv)
    if args.flush_mib is not None:
        embedded.FLUSH_BYTES = int(args.flush_mib * MiB) if args.flush_mib > 0 else 1 << 62

    args.workdir.mkdir(parents=True, exist_ok=True)
    files = corpus_files(args.corpus, args.letters)
    cache = args.workdir / f"letters-{args.letters}.pkl"
    loads = cached_loads(cache, files)
    if loads is None:
        build_cache(files, cache, args.workers)
        loads = cached_loads(cache, files)
        assert loads is not None
    store_path = args.workdir / "store"
    shutil.rmtree(store_path, ignore_errors=True)

    flush = f"{embedded.FLUSH_BYTES / MiB:g} MiB of update text"
    if embedded.FLUSH_BYTES >= 1 << 62:
        flush = "at the snapshots only"
    print(
        f"writing {args.letters} letters into a new store, one process, flush: {flush}, "
        f"rate: {args.rate or 'max'} letters/s",
        flush=True,
    )
    header = (
        f"{'letters':>8} {'seconds':>8} {'letters/s':>9} {'CPU s':>7} {'RSS':>5} {'peakRSS':>7} "
        f"{'malloc':>6} {'peakmalloc':>10} {'pyblocks':>9} {'storeMiB':>8} {'load':>5}"
    )
    print(header + "\n" + "-" * len(header), flush=True)
    marks = {n for n in REPORT_AT if n < args.letters} | {args.letters}
    summary = IngestSummary()
    started = time.perf_counter()
    cpu0 = sum(os.times()[:2])
    store = embedded.EmbeddedStore(store_path)
    try:
        store.load_ontology()
        writer = LetterWriter(store, summary)
        with Peaks() as peaks:
            for count, load in enumerate(loads, 1):
                writer.write(load)
                if args.rate:
                    ahead = count / args.rate - (time.perf_counter() - started)
                    if ahead > 0:
                        time.sleep(ahead)
                if count in marks:
                    peaks.sample()
                    seconds = time.perf_counter() - started
                    print(
                        f"{count:>8} {seconds:>8.1f} {count / seconds:>9.1f} "
                        f"{sum(os.times()[:2]) - cpu0:>7.1f} {rss_mib():>5.0f} "
                        f"{peaks.rss:>7.0f} {fmt(malloc_in_use_mib()):>6} "
                        f"{fmt(peaks.malloc if MALLINFO else None):>10} "
                        f"{sys.getallocatedblocks():>9} {du_mib(store_path):>8.0f} "
                        f"{os.getloadavg()[0]:>5.1f}",
                        flush=True,
                    )
    finally:
        store.close()
    print(
        f"stored {summary.stored}, skipped {summary.skipped}, failed {summary.failed}; "
        "MiB columns: RSS = resident now, malloc = malloc bytes in use now (RocksDB's memtables, "
        "caches and table readers, and Python's large objects), peak* = sampled every 0.25 s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
