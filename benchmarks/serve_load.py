"""Load test of ``imrgraph serve``: requests per second and 95th-percentile latency.

Why: issue 14 asks how many page and SPARQL requests per second the server holds on a
10,000-letter store with 20 concurrent clients. This starts ``imrgraph serve`` on a free
127.0.0.1 port (local only, never another host), drives it with ``--clients`` httpx async
clients for ``--seconds`` per phase, and stops it. Bounded: each phase ends on time, each request
has a timeout, and the server is always stopped.

    python benchmarks/serve_load.py --store /tmp/serve-bench/store --clients 20 --seconds 30

Phases (each client loops: pick a request at random, send it, wait for the answer):

- warm-up (not timed as throughput): every page the server caches, once, two at a time (the
  home page, the 20 most cited guidelines, 10 service words x 3 outcome filters); their
  first-request times are printed. The server keeps whole-corpus page data (home, guideline,
  one search's results) per view of the store, so the timed phases measure the steady state.
- ``pages``: a letter page (a random one of 500 letters: read from the store every time, never
  cached), a guideline page, a search (word and outcome filter at random), the home page.
- ``sparql``: POSTs to ``/sparql`` (JSON results): one letter's items by case number, a count of
  the decisions for a service word, and the saved query ``outcomes-by-category``.

Prints one table row per request kind and per phase (requests, errors, requests/s, p50, p95),
the machine's load average and CPU count, and writes the same as JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "mri",
    "norco",
    "physical therapy",
    "acupuncture",
    "tramadol",
    "lumbar",
    "injection",
    "urine drug screen",
    "cream",
    "chiropractic",
    "tens unit",
    "gabapentin",
    "psychotherapy",
    "knee",
    "shoulder",
    "omeprazole",
][:10]
GUIDELINES = 20  # the most cited: the guideline pages requested
PREFIX = (
    "PREFIX imr: <https://w3id.org/imrgraph/ontology#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: argparse.Namespace, port: int, log: Path) -> subprocess.Popen[bytes]:
    where = ["--store", str(args.store)] if args.store else ["--endpoint", args.endpoint]
    where += ["--cache-seconds", str(args.cache_seconds)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "imrgraph",
                "serve",
                *where,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"imrgraph serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/static/style.css", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop(process)
    sys.exit("imrgraph serve did not start in 120 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def sparql_json(client: httpx.Client, query: str) -> list[dict]:
    response = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    response.raise_for_status()
    return response.json()["results"]["bindings"]


def sample(base: str, letters: int) -> dict[str, list[str]]:
    """Letter keys and guideline names to request (read once, before the clock starts)."""
    with httpx.Client(base_url=base, timeout=300) as client:
        rows = sparql_json(
            client,
            PREFIX + "SELECT ?g WHERE { GRAPH ?g { ?d a imr:Determination } } "
            f"LIMIT {int(letters)}",
        )
        keys = [r["g"]["value"].split("/graph/", 1)[1] for r in rows]
        ranking = client.get("/guidelines", params={"format": "json"}).json()["ranking"]
        guidelines = [r["concept"].rsplit("/", 1)[-1] for r in ranking][:GUIDELINES]
        cases = sparql_json(
            client,
            PREFIX + "SELECT ?id WHERE { GRAPH ?g { ?d a imr:Determination ; "
            f"dcterms:identifier ?id }} }} LIMIT {int(letters)}",
        )
    return {"keys": keys, "guidelines": guidelines, "cases": [r["id"]["value"] for r in cases]}


def page_request(rng: random.Random, s: dict[str, list[str]]) -> tuple[str, str, dict]:
    kind = rng.choice(["letter", "letter", "guideline", "search", "home"])
    if kind == "letter":
        return kind, f"/letter/{rng.choice(s['keys'])}", {}
    if kind == "guideline":
        return kind, f"/guideline/{rng.choice(s['guidelines'])}", {}
    if kind == "search":
        params = {"q": rng.choice(WORDS)}
        outcome = rng.choice(["", "Upheld", "Overturned"])
        if outcome:
            params["outcome"] = outcome
        return kind, "/search", params
    return kind, "/", {}


def sparql_request(rng: random.Random, s: dict[str, list[str]]) -> tuple[str, str, dict]:
    kind = rng.choice(["letter-items", "count-service", "outcomes-by-category"])
    if kind == "letter-items":
        case = json.dumps(rng.choice(s["cases"]))  # a JSON string is a valid SPARQL literal
        query = (
            PREFIX + "SELECT ?service ?outcome WHERE { GRAPH ?g { ?d dcterms:identifier "
            f"{case} ; imr:hasItem ?i . ?i imr:hasOutcome ?outcome ; imr:requestsService ?s . "
            "?s rdfs:label ?service } }"
        )
    elif kind == "count-service":
        word = json.dumps(rng.choice(WORDS))
        query = (
            PREFIX + "SELECT ?outcome (COUNT(?i) AS ?n) WHERE { GRAPH ?g { ?i imr:hasOutcome "
            "?outcome ; imr:requestsService ?s . ?s rdfs:label ?l } "
            f"FILTER(CONTAINS(LCASE(STR(?l)), {word})) }} GROUP BY ?outcome"
        )
    else:
        query = (ROOT / "queries" / "outcomes-by-category.rq").read_text(encoding="utf-8")
    return kind, "/sparql", {"query": query}


async def phase(
    base: str, pick, s: dict[str, list[str]], clients: int, seconds: float, seed: int
) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    limited: dict[str, int] = defaultdict(int)
    end = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one_client(index: int) -> None:
            rng = random.Random(seed * 1000 + index)
            while time.monotonic() < end:
                kind, path, params = pick(rng, s)
                started = time.monotonic()
                try:
                    if path == "/sparql":
                        response = await client.post(
                            path,
                            data=params,
                            headers={"Accept": "application/sparql-results+json"},
                        )
                    else:
                        response = await client.get(
                            path, params=params, headers={"Accept": "text/html"}
                        )
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                if status == 200:
                    latencies[kind].append(time.monotonic() - started)
                elif status in (413, 503):
                    limited[kind] += 1
                else:
                    errors[kind] += 1

        started = time.monotonic()
        await asyncio.gather(*(one_client(i) for i in range(clients)))
        wall = time.monotonic() - started
    return {"latencies": latencies, "errors": errors, "limited": limited, "wall": wall}


async def warm_up(base: str, s: dict[str, list[str]]) -> list[float]:
    """Every cached page once (two at a time), before the clock: their first-request times."""
    paths: list[tuple[str, dict]] = [("/", {})]
    paths += [(f"/guideline/{g}", {}) for g in s["guidelines"]]
    for word in WORDS:
        paths += [
            ("/search", {"q": word, **({"outcome": o} if o else {})})
            for o in ("", "Upheld", "Overturned")
        ]
    times: list[float] = []
    gate = asyncio.Semaphore(2)
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:

        async def one(path: str, params: dict) -> None:
            async with gate:
                started = time.monotonic()
                response = await client.get(path, params=params, headers={"Accept": "text/html"})
                response.raise_for_status()
                times.append(time.monotonic() - started)

        await asyncio.gather(*(one(p, q) for p, q in paths))
    return times


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def summarise(name: str, result: dict) -> list[dict]:
    rows = []
    wall = result["wall"]
    every: list[float] = []
    for kind in sorted(set(result["latencies"]) | set(result["errors"]) | set(result["limited"])):
        lat = result["latencies"].get(kind, [])
        every += lat
        rows.append(
            {
                "phase": name,
                "kind": kind,
                "requests": len(lat),
                "errors": result["errors"].get(kind, 0),
                "limited": result["limited"].get(kind, 0),
                "per_second": len(lat) / wall,
                "p50_ms": 1000 * statistics.median(lat) if lat else None,
                "p95_ms": 1000 * p95(lat) if lat else None,
            }
        )
    rows.append(
        {
            "phase": name,
            "kind": "ALL",
            "requests": len(every),
            "errors": sum(result["errors"].values()),
            "limited": sum(result["limited"].values()),
            "per_second": len(every) / wall,
            "p50_ms": 1000 * statistics.median(every) if every else None,
            "p95_ms": 1000 * p95(every) if every else None,
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="embedded store folder (ingested)")
    where.add_argument("--endpoint", help="SPARQL query URL of a local server")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase (max 300)")
    parser.add_argument("--letters", type=int, default=500, help="letters sampled for requests")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cache-seconds",
        type=float,
        default=60.0,
        help="imrgraph serve --cache-seconds (with --endpoint: how long pages are reused)",
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)
    if args.endpoint and not args.endpoint.startswith(("http://127.0.0.1", "http://localhost")):
        sys.exit("--endpoint must be a local server (127.0.0.1): this is a local load test")
    seconds = min(args.seconds, 300.0)
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"serve-load-{port}.log"
    process = start(args, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        load_before = os.getloadavg()
        s = sample(base, args.letters)
        stats = httpx.get(base + "/", params={"format": "json"}, timeout=300).json()["overview"]
        cold = asyncio.run(warm_up(base, s))
        rows = []
        for name, pick in (("pages", page_request), ("sparql", sparql_request)):
            result = asyncio.run(phase(base, pick, s, args.clients, seconds, args.seed))
            rows += summarise(name, result)
        load_after = os.getloadavg()
    finally:
        stop(process)
    print(
        f"store: {args.store or args.endpoint}: {stats['letters']:,} letters, "
        f"{stats['items']:,} items; {args.clients} clients, {seconds:g} s per phase"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average before {load_before[0]:.1f}, "
        f"after {load_after[0]:.1f} (1 min)"
    )
    print(
        f"first requests of the {len(cold)} cached pages (home, {GUIDELINES} guidelines, "
        f"{len(WORDS)} words x 3 outcome filters), 2 at a time: median "
        f"{statistics.median(cold):.2f} s, p95 {p95(cold):.2f} s, max {max(cold):.2f} s"
    )
    print("limited = answered 503/413 by the server's SPARQL limits (busy or over time)")
    print(
        f"{'phase':7} {'kind':22} {'requests':>8} {'errors':>6} {'limited':>7} {'req/s':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8}"
    )
    for r in rows:
        p50 = f"{r['p50_ms']:.0f}" if r["p50_ms"] is not None else "-"
        p95_ = f"{r['p95_ms']:.0f}" if r["p95_ms"] is not None else "-"
        print(
            f"{r['phase']:7} {r['kind']:22} {r['requests']:8} {r['errors']:6} "
            f"{r['limited']:7} {r['per_second']:7.1f} {p50:>8} {p95_:>8}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "store": str(args.store or args.endpoint),
                    "letters": stats["letters"],
                    "clients": args.clients,
                    "seconds": seconds,
                    "cpus": os.cpu_count(),
                    "load_before": load_before,
                    "load_after": load_after,
                    "rows": rows,
                    "first_requests_s": sorted(cold),
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
