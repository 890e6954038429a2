"""Ingest's worker pool, supervised: a stuck or dying worker costs one file, not the run.

Why a supervisor around ``ProcessPoolExecutor``: the parse-time limit (``Limits.max_seconds``)
is enforced inside each worker by SIGALRM, which stops any runaway in Python code or the regex
engine but not a call stuck inside a C library (PDFium). And a worker killed by the OS (out of
memory on a hostile file) breaks the whole executor. In both cases the supervisor kills the
pool's processes, starts a new pool, puts the work that was in flight back in the queue, and
re-runs the batch it was waiting for one file at a time, alone, so the file responsible is found
and reported as failed (``LimitExceeded``-style reason) while every other file is still parsed.

Results are handed to ``write`` in input order, except that files re-run after a failure come
after the batches that were already in flight.
"""

from __future__ import annotations

import importlib
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from imrgraph.errors import StoreError

R = TypeVar("R")

#: Seconds a batch may take beyond ``per_file_seconds * len(batch)`` (SHACL, mapping, a busy
#: machine).
GRACE_SECONDS = 30.0
#: Seconds a new pool's workers may take to start (they are started before any time limit runs).
STARTUP_SECONDS = 300.0


def _import(name: str) -> None:
    """Runs in a new worker: import the task's module (the result is not sent back)."""
    importlib.import_module(name)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes now (a stuck worker ignores a polite shutdown).

    ``ProcessPoolExecutor`` has no public way to do this before Python 3.14
    (``kill_workers``); ``_processes`` is the map of its live worker processes.
    """
    processes = dict(getattr(pool, "_processes", None) or {})
    for process in processes.values():
        if process.is_alive():
            process.kill()
    for process in processes.values():
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
) -> None:
    """Run ``task(batch, *args)`` for every batch in worker processes; ``write`` each result.

    At most ``inflight`` batches are submitted at a time (memory stays flat). A batch not done
    ``per_file_seconds * len(batch) + grace`` seconds after the supervisor starts waiting for it,
    or a worker that dies, triggers the recovery described in the module docstring; a file that
    fails alone is reported with ``fail(path, reason)``. ``per_file_seconds=None``: no deadline.
    """
    context = multiprocessing.get_context("forkserver")
    preload = list(preload)
    if preload:
        context.set_forkserver_preload(preload)
    module = getattr(task, "__module__", None)

    def new_pool() -> ProcessPoolExecutor:
        # Start every worker and import the task's module before any clock runs: a worker's
        # start-up (seconds on a loaded machine) must not count against a file's time limit.
        fresh = ProcessPoolExecutor(max_workers=workers, mp_context=context)
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
        return fresh

    source: Iterator[list[str]] = iter(batches)
    again: deque[tuple[list[str], bool]] = deque()  # (batch, alone) re-run after a failure
    pending: deque[tuple[list[str], bool, Future[list[R]]]] = deque()
    pool = new_pool()

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
                results = future.result(timeout=deadline)
            except (FutureTimeout, BrokenProcessPool) as exc:
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
            for result in results:
                write(result)
    except BaseException:
        for _, _, future in pending:
            future.cancel()
        _kill(pool)
        raise
    pool.shutdown(wait=True)
