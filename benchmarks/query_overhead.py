"""What the query limits cost per query: run with two source trees, side by side.

    python benchmarks/query_overhead.py SOURCE_TREE STORE_DIR

times 2,000 ``has_source`` look-ups (a small ASK, ingest's per-file query) and 100 runs of the
saved query ``guidelines-upheld-denials`` on an embedded store, best of 5, with the imrgraph of
``SOURCE_TREE`` (e.g. a checkout of main, then this one). Alternate the two trees a few times:
on a shared machine the noise is as large as the difference.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def _best(fn: Callable[[], object], n: int) -> float:
    fn()
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - started) / n)
    return min(runs)


def main() -> None:
    tree, location = sys.argv[1], sys.argv[2]
    sys.path.insert(0, tree)
    from imrgraph.store import open_store
    from imrgraph.store.queries import load_query, run_select

    store = open_store(location)
    query = load_query("guidelines-upheld-denials")
    ask = _best(lambda: store.has_source("0" * 64), 2000)
    saved = _best(lambda: run_select(store, query, {}), 100)
    print(f"{tree}: has_source {ask * 1e6:.0f} us, guidelines-upheld-denials {saved * 1e3:.2f} ms")
    store.close()


if __name__ == "__main__":
    main()
