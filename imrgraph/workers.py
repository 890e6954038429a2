"""The parsing worker pool of ``ingest`` and ``parse -j N``, supervised: a stuck, dying or
memory-hungry worker costs one file, not the run.

Why a supervisor around ``ProcessPoolExecutor``: the parse-time limit (``Limits.max_seconds``)
is enforced inside each worker by SIGALRM, which stops any runaway in Python code or the regex
engine but not a call stuck inside a C library (PDFium). And a worker killed by the OS (out of
memory on a hostile file) breaks the whole executor. In both cases the supervisor kills the
pool's processes, starts a new pool, puts the work that was in flight back in the queue, and
re-runs the batch it was waiting for one file at a time, alone, so the file responsible is found
and reported as failed (``LimitExceeded``-style reason) while every other file is still parsed.

Memory is watched the same way, from outside: a decompression bomb (a few MB of PDF that
inflate to gigabytes inside PDFium) cannot be stopped from within the worker, and an address
space limit (``RLIMIT_AS``) is a poor proxy for memory (RELIABILITY.md). While it waits, and
between the results it writes, the supervisor reads each worker's resident memory every
``MEMORY_POLL_SECONDS``; a worker over ``max_memory`` is killed like a stuck one, and the file
that does it alone fails with a reason that says so.

Results are handed to ``write`` in input order, except that files re-run after a failure come
after the batches that were already in flight.

Workers die with the process that supervises them (``_die_with``): killed with SIGKILL, the
supervisor cannot clean up, and orphaned workers (about 80 MB each) would hold the forkserver,
the resource tracker and the command's stdout open for ever (``imrgraph ingest ... | cat`` would
never return). Once the workers are gone the forkserver and the resource tracker exit by
themselves (their pipes reach end of file).
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import psutil

from imrgraph.errors import ImrGraphError, StoreError

R = TypeVar("R")

#: Seconds a batch may take beyond ``per_file_seconds * len(batch)`` (SHACL, mapping, a busy
#: machine).
GRACE_SECONDS = 30.0
#: Seconds a new pool's workers may take to start (they are started before any time limit runs).
STARTUP_SECONDS = 300.0
#: How often the workers' memory is read while a batch is awaited. A bomb inflates at about
#: 1 GB/s here, so a worker is stopped within ~250 MB of its limit.
MEMORY_POLL_SECONDS = 0.25


class _OverMemory(Exception):
    """A worker went over the memory limit (the supervisor then kills the pool)."""


def _workers(pool: ProcessPoolExecutor) -> list[multiprocessing.Process]:
    """The pool's worker processes.

    ``ProcessPoolExecutor`` has no public way to reach them before Python 3.14
    (``kill_workers``); ``_processes`` is the map of its live worker processes.
    """
    return list(dict(getattr(pool, "_processes", None) or {}).values())


def _largest_rss(pool: ProcessPoolExecutor) -> int:
    """The largest resident memory (bytes) among the pool's live worker processes."""
    largest = 0
    for process in _workers(pool):
        try:
            largest = max(largest, psutil.Process(process.pid).memory_info().rss)
        except (psutil.Error, ValueError):  # gone already (ValueError: no pid yet)
            continue
    return largest


def _result(
    future: Future[list[R]],
    timeout: float | None,
    pool: ProcessPoolExecutor,
    max_memory: int | None,
    over: bool = False,
) -> list[R]:
    """``future.result(timeout)``, raising ``_OverMemory`` when a worker goes over the limit.

    ``over``: a worker was seen over the limit while the last results were written; the batch
    waited for now is treated as if it had been (its files re-run alone, one finds the culprit).
    """
    if over:
        raise _OverMemory()
    if max_memory is None:
        return future.result(timeout=timeout)
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if end is None else end - time.monotonic()
        if left is not None and left <= 0:
            raise FutureTimeout()
        try:
            wait = MEMORY_POLL_SECONDS if left is None else min(MEMORY_POLL_SECONDS, left)
            return future.result(timeout=wait)
        except FutureTimeout:
            if _largest_rss(pool) > max_memory:
                raise _OverMemory() from None


#: How often a worker without ``os.pidfd_open`` looks whether its supervisor is still alive.
PARENT_POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with(supervisor: int) -> None:
    """Runs first in each new worker: make it die as soon as the supervising process dies.

    A forkserver worker's parent is the forkserver, not the supervisor, so the kernel's
    parent-death signal (``prctl(PR_SET_PDEATHSIG)``) only covers the forkserver dying; it is
    set as well. The supervisor itself is watched by a daemon thread blocked on a pidfd (Linux
    5.3+; elsewhere it polls every ``PARENT_POLL_SECONDS``): when it becomes readable, the
    supervisor is gone, and the worker kills itself with SIGKILL (no cleanup: its parse is
    worthless and its results have no reader). Cost: one sleeping thread per worker.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watcher below still works
            pass

    def gone() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    try:
        pidfd = os.pidfd_open(supervisor)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is None and not psutil.pid_exists(supervisor):
        gone()

    def watch() -> None:
        if pidfd is not None:
            watcher = select.poll()  # poll, not select: any fd number works
            watcher.register(pidfd, select.POLLIN)
            while not watcher.poll():
                pass
            gone()
        while psutil.pid_exists(supervisor) and os.getppid() != 1:
            time.sleep(PARENT_POLL_SECONDS)
        gone()

    threading.Thread(target=watch, name="imrgraph-die-with-parent", daemon=True).start()


def _import(name: str) -> None:
    """Runs in a new worker: import the task's module (the result is not sent back)."""
    importlib.import_module(name)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes now (a stuck worker ignores a polite shutdown)."""
    processes = _workers(pool)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=10)
    pool.shutdown(wait=False, cancel_futures=True)


def run_supervised(
    batches: Iterable[list[str]],
    task: Callable[..., list[R]],
    args: tuple[Any, ...],
    *,
    workers: int,
    inflight: int,
    per_file_seconds: float | None,
    write: Callable[[R], None],
    fail: Callable[[str, str], None],
    preload: Iterable[str] = (),
    grace: float = GRACE_SECONDS,
    max_memory: int | None = None,
) -> None:
    """Run ``task(batch, *args)`` for every batch in worker processes; ``write`` each result.

    At most ``inflight`` batches are submitted at a time (memory stays flat). A batch not done
    ``per_file_seconds * len(batch) + grace`` seconds after the supervisor starts waiting for it,
    a worker that dies, or one whose resident memory goes over ``max_memory`` bytes, triggers
    the recovery described in the module docstring; a file that fails alone is reported with
    ``fail(path, reason)``. ``per_file_seconds=None``: no deadline; ``max_memory=None``: no cap.
    """
    context = multiprocessing.get_context("forkserver")
    preload = list(preload)
    if preload:
        context.set_forkserver_preload(preload)
    module = getattr(task, "__module__", None)

    def new_pool() -> ProcessPoolExecutor:
        # Start every worker and import the task's module before any clock runs: a worker's
        # start-up (seconds on a loaded machine) must not count against a file's time limit.
        fresh = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_die_with,
            initargs=(os.getpid(),),
        )
        warm = [fresh.submit(_import, module or "imrgraph") for _ in range(workers)]
        try:
            for future in warm:
                future.result(timeout=STARTUP_SECONDS)
        except Exception as exc:  # workers that cannot start: nothing can be parsed
            _kill(fresh)
            raise StoreError(
                f"cannot start the parsing workers ({type(exc).__name__}: {exc}); "
                "retry with --workers 1"
            ) from exc
        # A limit an idle worker is over already would stop every worker on every file, each
        # blamed as a bomb (``--max-memory 2`` meant as GB): refused before any file instead.
        idle = _largest_rss(fresh) if max_memory is not None else 0
        if max_memory is not None and idle > max_memory:
            _kill(fresh)
            raise ImrGraphError(
                f"the memory limit of {max_memory / 2**20:,.0f} MiB is below what a parsing "
                f"worker holds before any file ({idle / 2**20:,.0f} MiB): raise --max-memory "
                "(in MiB; 0 = no limit)"
            )
        return fresh

    source: Iterator[list[str]] = iter(batches)
    again: deque[tuple[list[str], bool]] = deque()  # (batch, alone) re-run after a failure
    pending: deque[tuple[list[str], bool, Future[list[R]]]] = deque()
    pool = new_pool()
    over = False  # a worker was seen over max_memory while results were written

    def next_work() -> tuple[list[str], bool] | None:
        if again:
            return again.popleft()
        batch = next(source, None)
        return None if batch is None else (batch, False)

    try:
        while True:
            # A suspect file runs alone, so nothing else can be blamed for what it does.
            while len(pending) < inflight and not (pending and pending[-1][1]):
                if again and again[0][1] and pending:
                    break
                work = next_work()
                if work is None:
                    break
                batch, alone = work
                try:
                    future = pool.submit(task, batch, *args)
                except BrokenProcessPool:
                    # A worker died after the last look. The futures of the pending batches
                    # carry the error and the recovery below finds the culprit; this batch
                    # waits its turn. With nothing pending there is no one to blame: restart.
                    again.appendleft(work)
                    if pending:
                        break
                    _kill(pool)
                    pool = new_pool()
                    continue
                pending.append((batch, alone, future))
            if not pending:
                break
            batch, alone, future = pending[0]
            deadline = None
            if per_file_seconds:
                deadline = per_file_seconds * len(batch) + grace
            try:
                results = _result(future, deadline, pool, max_memory, over)
            except (FutureTimeout, BrokenProcessPool, _OverMemory) as exc:
                over = False
                timed_out = isinstance(exc, FutureTimeout)
                _kill(pool)
                pending.popleft()
                rest = [(b, a) for b, a, _ in pending]
                pending.clear()
                if alone:
                    if timed_out:
                        reason = (
                            f"parse took longer than the limit ({per_file_seconds:g} s); "
                            "its worker was stopped"
                        )
                    elif isinstance(exc, _OverMemory):
                        reason = (
                            "parsing it took more than the memory limit of "
                            f"{(max_memory or 0) / 2**20:,.0f} MiB (a decompression bomb?); "
                            "its worker was stopped"
                        )
                    else:
                        reason = "the parsing worker died on this file (out of memory?)"
                    fail(batch[0], reason)
                    again.extendleft(reversed(rest))
                else:
                    again.extendleft(reversed(rest))
                    again.extendleft(([path], True) for path in reversed(batch))
                pool = new_pool()
                continue
            except Exception as exc:  # a bug in a worker: fail this batch's files, go on
                pending.popleft()
                for path in batch:
                    fail(path, f"internal error, please report: {type(exc).__name__}: {exc}")
                continue
            pending.popleft()
            # Writing may be the slow part (a loaded store): the batches waited for next are
            # then done already, so the workers' memory is read between writes too.
            checked = time.monotonic()
            for result in results:
                write(result)
                if max_memory is not None and time.monotonic() - checked >= MEMORY_POLL_SECONDS:
                    checked = time.monotonic()
                    over = over or _largest_rss(pool) > max_memory
            over = over and bool(pending)  # nothing in flight: nothing to blame
    except BaseException:
        for _, _, future in pending:
            future.cancel()
        _kill(pool)
        raise
    pool.shutdown(wait=True)
