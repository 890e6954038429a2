"""Time `imrgraph guidelines` and `imrgraph report` over a generated corpus of N letters.

Target (issue 5): 100,000 letters, each command under 30 seconds on this machine.

The store is built once and reused (``--work DIR`` keeps it between runs):

1. ``benchmarks/corpus.py`` writes ``N / replicate`` text letters (deterministic for a seed);
2. ``imrgraph ingest`` parses, validates and stores them (the real pipeline);
3. with ``--replicate K`` (K > 1) the ingested letters are copied K times into the final store
   under distinct IRIs (``.../data/copy<k>/...``), bulk-loaded. This gives a store of the same
   shape and size as N ingested letters in minutes instead of an hour of ingest on a shared
   2-core machine; the analysis queries see N distinct letters (distributions repeat K times).
   Say ``--replicate 1`` to ingest all N letters for real.

Then each command runs ``--repeat`` times as a subprocess (what a user types, start-up
included); the best and the median wall time are printed, with the target verdict.

    python benchmarks/analysis.py --letters 100000 --replicate 10 --work /tmp/imr-bench
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
DATA_BASE = b"<https://w3id.org/imrgraph/data/"
TARGET_SECONDS = 30.0


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a command, failing loudly with its output if it fails."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result


def letters_in(store: Path) -> int:
    out = run([sys.executable, "-m", "imrgraph", "stats", "--store", str(store), "--json"])
    return int(json.loads(out.stdout)["letters"])


def build_store(work: Path, letters: int, replicate: int, seed: int) -> Path:
    """Return a store of ``letters`` letters under ``work``, building what is missing."""
    final = work / f"store-{letters}-x{replicate}"
    if final.exists():
        return final
    base_letters = letters // replicate
    corpus = work / f"corpus-{base_letters}-seed{seed}"
    base = work / f"store-{base_letters}-x1"
    if not base.exists():
        if not corpus.exists():
            t0 = time.perf_counter()
            run(
                [
                    sys.executable,
                    str(REPO / "benchmarks" / "corpus.py"),
                    "--letters",
                    str(base_letters),
                    "--seed",
                    str(seed),
                    "--out",
                    str(corpus),
                    "--text",
                ]
            )
            print(f"generated {base_letters:,} letters in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        out = run([sys.executable, "-m", "imrgraph", "ingest", str(corpus), "--store", str(base)])
        print(out.stdout.strip().splitlines()[-1])
        print(f"ingested in {time.perf_counter() - t0:.1f} s")
    if replicate == 1:
        return base
    t0 = time.perf_counter()
    source = ox.Store(str(base))
    letter_quads = (
        q
        for q in source.quads_for_pattern(None, None, None, None)
        if not q.graph_name.value.endswith("/graph/ontology")
    )
    dump = ox.serialize(letter_quads, format=ox.RdfFormat.N_QUADS)
    del source
    tmp = final.with_name(final.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    target = ox.Store(str(tmp))
    for copy in range(replicate):
        data = dump.replace(DATA_BASE, DATA_BASE + f"copy{copy}/".encode())
        target.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    target.flush()
    del target
    from imrgraph.store import open_store

    with open_store(tmp, read_only=False) as store:
        store.load_ontology()
    tmp.rename(final)
    print(f"replicated {base_letters:,} letters x{replicate} in {time.perf_counter() - t0:.1f} s")
    return final


def time_command(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run(cmd)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--replicate", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/imrgraph-bench-analysis"))
    parser.add_argument("--store", type=Path, help="use this store as it is (skip building)")
    args = parser.parse_args()
    if args.letters % args.replicate:
        sys.exit("--letters must be a multiple of --replicate")
    args.work.mkdir(parents=True, exist_ok=True)
    store = args.store or build_store(args.work, args.letters, args.replicate, args.seed)
    stats = json.loads(
        run([sys.executable, "-m", "imrgraph", "stats", "--store", str(store), "--json"]).stdout
    )
    print(f"store {store}: {json.dumps(stats)}")
    imrgraph = [sys.executable, "-m", "imrgraph"]
    commands = {
        "imrgraph guidelines --format csv": [
            *imrgraph,
            "guidelines",
            "--store",
            str(store),
            "--format",
            "csv",
        ],
        "imrgraph guidelines --level section --sort rate": [
            *imrgraph,
            "guidelines",
            "--store",
            str(store),
            "--level",
            "section",
            "--sort",
            "rate",
            "--format",
            "csv",
        ],
        "imrgraph report": [
            *imrgraph,
            "report",
            "--store",
            str(store),
            "-o",
            str(args.work / "report.html"),
        ],
    }
    print(f"\n{'command':50s} {'best s':>8s} {'median s':>9s}  target < {TARGET_SECONDS:.0f} s")
    for name, cmd in commands.items():
        times = time_command(cmd, args.repeat)
        best, median = min(times), statistics.median(times)
        verdict = "met" if best < TARGET_SECONDS else "MISSED"
        print(f"{name:50s} {best:8.2f} {median:9.2f}  {verdict}")


if __name__ == "__main__":
    main()
