"""What a guideline page's reasons cost: its data computed whole, and its reasons alone.

Why: the guideline page of ``imrgraph serve`` counts the reasons stated for the items its
reviewers cite it for (``imrgraph reasons --guideline``: two GROUP BY queries over the reason
statements). The server computes a guideline page once per view of the store, so this is the
cost of a first request. Both figures come from the same run, on the same store, for the most
cited guideline documents, so their ratio holds on a shared machine.

    python benchmarks/serve_guideline.py --store /tmp/serve2-bench/store --top 5 --rounds 2
"""

from __future__ import annotations

import argparse
import os
import time

from imrgraph.analysis.guidelines import rank_guidelines
from imrgraph.rdf.vocab import DEFAULT_DATA_BASE
from imrgraph.serve import pages
from imrgraph.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="an embedded store (read only)")
    parser.add_argument("--top", type=int, default=5, help="the most cited guideline documents")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} CPUs")
    with open_store(args.store) as store:
        top = [r["concept"] for r in rank_guidelines(store, "reviewer", "document", top=args.top)]
        pages.guideline(store, top[0], str(DEFAULT_DATA_BASE))  # the memo: tallies, scheme
        print(f"{'guideline':28} {'items':>6} {'page s':>7} {'reasons s':>9} {'share':>6}")
        for _ in range(args.rounds):
            for concept in top:
                start = time.perf_counter()
                data = pages.guideline(store, concept, str(DEFAULT_DATA_BASE))
                page = time.perf_counter() - start
                start = time.perf_counter()
                pages._reasons(store, concept)
                reasons = time.perf_counter() - start
                print(
                    f"{concept.rsplit('/', 1)[-1]:28} {data['record']['items']:6} {page:7.3f} "
                    f"{reasons:9.3f} {reasons / page:6.0%}"
                )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
