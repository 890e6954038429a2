"""The benchmark suite: every pipeline stage on one generated corpus, each against its baseline.

Why: issue 6 asks for one command that shows where a corpus of N letters goes from PDF to answers
and what each stage costs (time, throughput, latency, peak memory), next to the obvious
alternative run in the same invocation on the same letters, so the ratios survive a noisy,
shared machine.

    python benchmarks/run.py --letters 10000
    python benchmarks/run.py --letters 100000 --workdir /tmp/bench100k --keep --no-baselines \\
        --corpus /tmp/bench/c100k --parse-letters 5000

Every stage runs as a child process. ``seconds`` is the wall time of the work (measured inside
the child for parse baselines and queries, so interpreter start-up is excluded; for the ``imrgraph``
commands it is the command's wall time, what a user waits). Peak memory is read two ways: ``max
RSS`` = the largest single process of the stage (``os.wait4``: the child, or any worker it waited
for), and ``tree RSS`` = the sum over the child and all its descendants, sampled from /proc every
0.2 s (ingest runs a parent plus worker processes). ``load`` is the 1-minute load average at the
end of the stage (the machine is shared).

Stages and their baselines (same letters, same work):

- parse: ``imrgraph parse --format jsonl`` (one process) vs pdfplumber-only extraction followed by
  the same cleaning and parser (one process), on the first ``--parse-baseline-letters`` letters
  (pdfplumber takes about 1 s a letter here); both timed in one process on those same letters.
- ingest (PDF -> parsed -> SHACL-valid -> Oxigraph on disk): ``imrgraph ingest`` on all N; and on
  the first ``--rdflib-letters`` letters (default 200: one guideline ranking on rdflib takes
  about 14 s on 200 letters and 76 s on 1,000, and every query runs several times) both into a
  fresh Oxigraph store and, with the same ``ingest`` code and workers, into an rdflib
  ``Dataset`` in memory.
- validate: ``imrgraph validate`` of the whole store; on the subset, imrgraph's batched
  validation vs pyshacl once over the whole graph (all its letters' triples plus the ontology
  triples the shapes read, one call).
- each saved query, in-process (cold run, then the median of warm runs) on the N-letter store, on
  the subset store, and on rdflib holding the subset.
- ``imrgraph guidelines`` (the ranking, a command a user types) and ``imrgraph export --format
  nquads`` of the whole store (rdflib's N-Quads serialiser on the subset as the baseline).

Corpora: ``--corpus DIR`` (output of ``benchmarks/corpus.py`` with at least N letters; the first
N are used) or one generated under ``--workdir`` (reused when it is already there).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_bench_child.py"
CLK_TCK = os.sysconf("SC_CLK_TCK")
SHARD_SIZE = 1000  # benchmarks/corpus.py writes letter i as <i // 1000>/letter-<i>.pdf
QUERIES_TARGET = "guidelines-upheld-denials"


# ---- measuring a child process ----------------------------------------------------------------


def _tree_rss(root: int, cpu: dict[int, float] | None = None) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc; ``cpu`` (if given) gets
    each of those processes' CPU seconds so far (user + system)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
        ticks[pid] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        if cpu is not None and pid in ticks:
            cpu[pid] = max(cpu.get(pid, 0.0), ticks[pid] / CLK_TCK)
        todo.extend(children.get(pid, []))
    return total


@dataclass
class Child:
    """What one child process cost."""

    seconds: float
    maxrss: int  # bytes, largest single process (os.wait4)
    tree_peak: int  # bytes, sampled sum over the process tree
    cpu: float  # CPU seconds of the whole process tree (user + system)
    returncode: int
    stdout: str
    load: float

    def json(self) -> dict:
        """The last stdout line as JSON (what ``_bench_child.py`` prints)."""
        return json.loads(self.stdout.strip().splitlines()[-1])


def run_child(cmd: list[str], log: Path, stdout_to: Path | None = None) -> Child:
    """Run ``cmd``; wall time, peak memory (wait4 and /proc tree sampling), exit status.

    stdout goes to ``stdout_to`` (kept small otherwise: the JSON line), stderr to ``log``.
    """
    out_path = stdout_to or log.with_suffix(".out")
    with out_path.open("wb") as out, log.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        peak = 0
        cpu: dict[int, float] = {}
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(proc.pid, cpu))
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = "" if stdout_to else out_path.read_text(encoding="utf-8", errors="replace")
    # CPU: the larger of the kernel's figure for the child and the processes it reaped, and
    # the /proc samples of every process in the tree (workers of a forkserver are not reaped
    # by the child itself; the last 0.2 s of a process that exits may be missed).
    cpu_s = max(usage.ru_utime + usage.ru_stime, sum(cpu.values()))
    return Child(
        seconds, usage.ru_maxrss * 1024, peak, cpu_s, proc.returncode, text, os.getloadavg()[0]
    )


def checked(child: Child, what: str, log: Path, ok: tuple[int, ...] = (0,)) -> Child:
    if child.returncode not in ok:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        sys.exit(f"{what} failed (exit {child.returncode}); {log}:\n{tail}")
    return child


# ---- the corpus -------------------------------------------------------------------------------


def ensure_corpus(args: argparse.Namespace, work: Path) -> Path:
    """The corpus to use: ``--corpus``, or one generated (or found) under the work folder."""
    if args.corpus:
        corpus = Path(args.corpus)
        have = sum(1 for _ in corpus.glob("*/letter-*.pdf"))
        if have < args.letters:
            sys.exit(f"{corpus}: {have} PDF letters, fewer than --letters {args.letters}")
        return corpus
    corpus = work / f"corpus-seed{args.seed}"
    have = sum(1 for _ in corpus.glob("*/letter-*.pdf")) if corpus.exists() else 0
    if have >= args.letters:
        print(f"corpus: reusing {corpus} ({have} letters)", flush=True)
        return corpus
    try:
        import fpdf  # noqa: F401  (the generator's PDF writer)
    except ImportError:
        sys.exit("generating letters needs the test extra (fpdf2): pip install -e '.[test]'")
    cmd = [sys.executable, str(HERE / "corpus.py"), "--letters", str(args.letters - have)]
    cmd += ["--seed", str(args.seed), "--out", str(corpus), "--start", str(have), "--pdf"]
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    print(
        f"corpus: generated {args.letters - have} letters in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return corpus


def inputs(corpus: Path, n: int) -> list[str]:
    """The first ``n`` letters of the corpus as command-line paths: whole shard folders where
    they fit (a short command line for 100,000 letters), then single files."""
    paths = []
    full, rest = divmod(n, SHARD_SIZE)
    for shard in range(full):
        paths.append(str(corpus / f"{shard:03d}"))
    if rest:
        start = full * SHARD_SIZE
        for i in range(start, start + rest):
            paths.append(str(corpus / f"{full:03d}" / f"letter-{i:06d}.pdf"))
    for p in paths:
        if not Path(p).exists():
            sys.exit(f"{p}: missing from the corpus")
    return paths


def write_list(path: Path, items: list[str]) -> Path:
    path.write_text("".join(f"{i}\n" for i in items), encoding="utf-8")
    return path


def du(path: Path) -> int:
    """Bytes of the files under ``path``, each inode once (store snapshots are hard links)."""
    seen: dict[tuple[int, int], int] = {}
    for p in path.rglob("*"):
        if p.is_file():
            st = p.stat()
            seen[(st.st_dev, st.st_ino)] = st.st_size
    return sum(seen.values())


# ---- the table --------------------------------------------------------------------------------


@dataclass
class Row:
    stage: str
    letters: int
    seconds: float
    latency: float | None = None  # seconds
    maxrss: int | None = None
    tree: int | None = None
    load: float | None = None
    versus: str = ""
    throughput: bool = True
    notes: list[str] = field(default_factory=list)
    cpu: float | None = None  # CPU seconds of the stage's processes


def fmt_latency(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:.0f}"


def print_table(rows: list[Row]) -> str:
    head = (
        f"{'stage':52} {'letters':>7} {'seconds':>8} {'letters/s':>9} {'latency':>10} "
        f"{'maxRSS':>7} {'treeRSS':>7} {'CPU s':>7} {'load':>5}  vs baseline"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        rate = f"{r.letters / r.seconds:.1f}" if r.throughput and r.seconds else "-"
        load = "-" if r.load is None else f"{r.load:.1f}"
        cpu = "-" if r.cpu is None else f"{r.cpu:.1f}"
        lines.append(
            f"{r.stage:52} {r.letters:7d} {r.seconds:8.2f} {rate:>9} {fmt_latency(r.latency):>10} "
            f"{mib(r.maxrss):>7} {mib(r.tree):>7} {cpu:>7} {load:>5}  {r.versus}"
        )
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def ratio(ours: float, theirs: float) -> str:
    """How many times faster (or slower) ``ours`` is than ``theirs``, in words."""
    if ours <= 0 or theirs <= 0:
        return "-"
    if theirs >= ours:
        return f"{theirs / ours:.1f}x faster"
    return f"{ours / theirs:.1f}x SLOWER"


# ---- the run ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--letters", type=int, required=True, help="letters in the corpus (N)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--workdir", type=Path, help="folder for corpus, stores, logs (default: temp)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder's stores and logs")
    ap.add_argument("--corpus", type=Path, help="an existing corpus.py output (first N used)")
    ap.add_argument("--workers", type=int, default=None, help="ingest workers (default: CPUs)")
    ap.add_argument(
        "--parse-letters", type=int, default=None, help="letters for the parse stage (default N)"
    )
    ap.add_argument("--parse-baseline-letters", type=int, default=200)
    ap.add_argument(
        "--rdflib-letters",
        type=int,
        default=200,
        help="cap of the in-memory baselines (rdflib, whole-graph pyshacl); default 200: "
        "one rdflib guideline ranking takes about 14 s on 200 letters, 76 s on 1,000",
    )
    ap.add_argument("--no-baselines", action="store_true", help="skip every baseline")
    ap.add_argument("--runs", type=int, default=3, help="runs per query (first = cold)")
    ap.add_argument("--json", type=Path, help="also write the results here as JSON")
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["parse", "validate", "queries", "guidelines"],
        help="leave out a stage (repeatable; guidelines = the ranking command and export)",
    )
    ap.add_argument(
        "--reuse-store",
        action="store_true",
        help="keep the store an earlier run left in --workdir (with its ingest report) and "
        "skip the ingest",
    )
    args = ap.parse_args(argv)
    if args.letters < 1:
        ap.error("--letters must be at least 1")

    made_work = args.workdir is None
    work = args.workdir or Path(tempfile.mkdtemp(prefix="imrgraph-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    n = args.letters
    imrgraph = [sys.executable, "-m", "imrgraph"]
    workers = args.workers or os.cpu_count() or 1
    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        corpus = ensure_corpus(args, work)
        paths = inputs(corpus, n)
        rows: list[Row] = []
        results: dict[str, object] = {"letters": n, "started": started_at}
        baselines = not args.no_baselines
        skip = set(args.skip)
        export_bytes = 0
        sub_n = min(n, args.rdflib_letters)
        sub_paths = inputs(corpus, sub_n)

        def stage(name: str, cmd: list[str], **kw) -> Child:
            log = logs / f"{name}.log"
            print(f"[{time.strftime('%H:%M:%S')}] {name}: {' '.join(cmd)[:200]}", flush=True)
            child = checked(run_child(cmd, log, kw.get("stdout_to")), name, log, kw.get("ok", (0,)))
            print(
                f"    {child.seconds:.1f} s, max RSS {mib(child.maxrss)} MiB, "
                f"tree {mib(child.tree_peak)} MiB, CPU {child.cpu:.1f} s, load {child.load:.1f}",
                flush=True,
            )
            return child

        # -- parse ---------------------------------------------------------------------------
        if "parse" not in skip:
            parse_n = min(n, args.parse_letters or n)
            c = stage(
                "parse",
                [*imrgraph, "parse", *inputs(corpus, parse_n), "--format", "jsonl"],
                stdout_to=Path(os.devnull),
            )
            rows.append(
                Row(
                    "parse: imrgraph parse (1 process)",
                    parse_n,
                    c.seconds,
                    c.seconds / parse_n,
                    c.maxrss,
                    c.tree_peak,
                    c.load,
                    cpu=c.cpu,
                )
            )
            if baselines:
                pb_n = min(n, args.parse_baseline_letters)
                pb_list = write_list(work / "parse-baseline.list", inputs(corpus, pb_n))
                pc = stage(
                    "parse-compare", [sys.executable, str(CHILD), "parse-compare", str(pb_list)]
                )
                b = pc.json()
                ours, theirs = b["imrgraph"]["seconds"], b["pdfplumber"]["seconds"]
                results["parse_compare"] = b
                rows.append(
                    Row(
                        "  same letters, in-process: imrgraph parse",
                        pb_n,
                        ours,
                        ours / pb_n,
                        None,
                        None,
                        pc.load,
                    )
                )
                rows.append(
                    Row(
                        "  baseline: pdfplumber-only extraction + parser",
                        pb_n,
                        theirs,
                        theirs / pb_n,
                        pc.maxrss,
                        pc.tree_peak,
                        pc.load,
                        f"imrgraph {ratio(ours, theirs)}",
                    )
                )

        # -- ingest --------------------------------------------------------------------------
        store = work / "store"
        report = work / "ingest-report.json"
        reuse = args.reuse_store and store.exists() and report.exists()
        if store.exists() and not reuse:
            shutil.rmtree(store)
            report.unlink(missing_ok=True)
        c = (
            None
            if reuse
            else stage(
                "ingest",
                [
                    *imrgraph,
                    "ingest",
                    *paths,
                    "--store",
                    str(store),
                    "--workers",
                    str(workers),
                    "--report",
                    str(report),
                ],
                ok=(0, 1),
            )
        )
        ing = json.loads(report.read_text(encoding="utf-8"))
        results["ingest_report"] = {k: v for k, v in ing.items() if k != "failures"}
        results["ingest_failures"] = ing["failures"][:20]
        store_bytes = du(store)
        if c is not None:
            rows.append(
                Row(
                    f"ingest: PDF -> validated Oxigraph ({workers} workers)",
                    n,
                    c.seconds,
                    c.seconds * workers / n,
                    c.maxrss,
                    c.tree_peak,
                    c.load,
                    f"stored {ing['stored']}, failed {ing['failed']}",
                    cpu=c.cpu,
                )
            )
        sub_store = work / "store-subset"
        rdf: dict = {}
        if baselines:
            if sub_store.exists():
                shutil.rmtree(sub_store)
            sub = stage(
                "ingest-subset",
                [
                    *imrgraph,
                    "ingest",
                    *sub_paths,
                    "--store",
                    str(sub_store),
                    "--workers",
                    str(workers),
                    "--report",
                    str(work / "ingest-subset-report.json"),
                ],
                ok=(0, 1),
            )
            export_rdflib = work / "rdflib-export.nq"
            rb = stage(
                "rdflib-baselines",
                [
                    sys.executable,
                    str(CHILD),
                    "rdflib",
                    str(write_list(work / "subset.list", sub_paths)),
                    "--workers",
                    str(workers),
                    "--runs",
                    str(args.runs),
                    "--export",
                    str(export_rdflib),
                ],
            )
            rdf = rb.json()
            rdf["tree_peak"] = rb.tree_peak
            rdf["load"] = rb.load
            results["rdflib"] = rdf
            sub_s = json.loads((work / "ingest-subset-report.json").read_text())["seconds"]
            rows.append(
                Row(
                    "  same letters, in-process: ingest -> Oxigraph",
                    sub_n,
                    sub_s,
                    sub_s * workers / sub_n,
                    sub.maxrss,
                    sub.tree_peak,
                    sub.load,
                    cpu=sub.cpu,
                )
            )
            ri = rdf["ingest"]
            rows.append(
                Row(
                    "  baseline: same ingest -> rdflib Dataset in memory",
                    sub_n,
                    ri["seconds"],
                    ri["seconds"] * workers / sub_n,
                    ri["maxrss"],
                    None,
                    rb.load,
                    f"Oxigraph {ratio(sub_s, ri['seconds'])} (stored {ri['stored']})",
                )
            )

        # -- validate ------------------------------------------------------------------------
        if "validate" not in skip:
            c = stage("validate", [*imrgraph, "validate", "--store", str(store)])
            rows.append(
                Row(
                    "validate: imrgraph validate (whole store)",
                    n,
                    c.seconds,
                    c.seconds / n,
                    c.maxrss,
                    c.tree_peak,
                    c.load,
                    cpu=c.cpu,
                )
            )
            if baselines:
                sv = stage(
                    "validate-subset", [sys.executable, str(CHILD), "validate", str(sub_store)]
                )
                v = sv.json()
                rows.append(
                    Row(
                        "  same letters, in-process: imrgraph validation",
                        sub_n,
                        v["seconds"],
                        v["seconds"] / sub_n,
                        sv.maxrss,
                        sv.tree_peak,
                        sv.load,
                        f"{v['failing']} failing",
                        cpu=sv.cpu,
                    )
                )
                rv = rdf["validate"]
                rows.append(
                    Row(
                        "  baseline: pyshacl, whole graph in one call",
                        sub_n,
                        rv["seconds"],
                        rv["seconds"] / sub_n,
                        rv["maxrss"],
                        None,
                        rdf["load"],
                        f"imrgraph {ratio(v['seconds'], rv['seconds'])} "
                        f"(conforms: {rv['conforms']})",
                    )
                )

        # -- saved queries -------------------------------------------------------------------
        if "queries" not in skip:
            from imrgraph.store.queries import saved_queries

            names = [q.name for q in saved_queries() if q.form == "SELECT"]
            results["queries"] = {}
            for name in names:
                cmd = [
                    sys.executable,
                    str(CHILD),
                    "query",
                    str(store),
                    name,
                    "--runs",
                    str(args.runs),
                ]
                c = stage(f"query-{name}", cmd)
                q = c.json()
                results["queries"][name] = q
                rows.append(
                    Row(
                        f"query {name} ({q['rows']} rows)",
                        n,
                        q["cold"],
                        q["warm"],
                        c.maxrss,
                        c.tree_peak,
                        c.load,
                        throughput=False,
                        cpu=c.cpu,
                    )
                )
                if baselines:
                    cmd[3] = str(sub_store)
                    cs = stage(f"query-subset-{name}", cmd)
                    qs = cs.json()
                    rq = rdf["queries"][name]
                    rows.append(
                        Row(
                            "  same letters: Oxigraph",
                            sub_n,
                            qs["cold"],
                            qs["warm"],
                            cs.maxrss,
                            cs.tree_peak,
                            cs.load,
                            throughput=False,
                            cpu=cs.cpu,
                        )
                    )
                    same_rows = (
                        "same row count" if rq["rows"] == qs["rows"] else "ROW COUNTS DIFFER"
                    )
                    rows.append(
                        Row(
                            "  baseline: rdflib in memory",
                            sub_n,
                            rq["cold"],
                            rq["warm"],
                            rq["maxrss"],
                            None,
                            rdf["load"],
                            f"Oxigraph {ratio(qs['warm'], rq['warm'])} warm; {same_rows}",
                            throughput=False,
                        )
                    )

        # -- the ranking a user types, and export ----------------------------------------------
        if "guidelines" not in skip:
            c = stage(
                "guidelines",
                [*imrgraph, "guidelines", "--store", str(store), "--format", "csv"],
            )
            rows.append(
                Row(
                    "imrgraph guidelines (ranking, whole command)",
                    n,
                    c.seconds,
                    c.seconds,
                    c.maxrss,
                    c.tree_peak,
                    c.load,
                    throughput=False,
                    cpu=c.cpu,
                )
            )
            c = stage(
                f"query-cli-{QUERIES_TARGET}",
                [*imrgraph, "query", QUERIES_TARGET, "--store", str(store), "--format", "csv"],
            )
            rows.append(
                Row(
                    f"imrgraph query {QUERIES_TARGET} (whole command)",
                    n,
                    c.seconds,
                    c.seconds,
                    c.maxrss,
                    c.tree_peak,
                    c.load,
                    throughput=False,
                    cpu=c.cpu,
                )
            )
            export = work / "export.nq"
            c = stage(
                "export",
                [
                    *imrgraph,
                    "export",
                    "--store",
                    str(store),
                    "--format",
                    "nquads",
                    "-o",
                    str(export),
                ],
            )
            export_bytes = export.stat().st_size
            rows.append(
                Row(
                    "export: imrgraph export --format nquads",
                    n,
                    c.seconds,
                    None,
                    c.maxrss,
                    c.tree_peak,
                    c.load,
                    f"{export_bytes / 2**20:.0f} MiB written",
                    cpu=c.cpu,
                )
            )
            if baselines:
                se = stage(
                    "export-subset",
                    [
                        sys.executable,
                        str(CHILD),
                        "export",
                        str(sub_store),
                        str(work / "export-subset.nq"),
                    ],
                )
                e = se.json()
                re_ = rdf["export"]
                rows.append(
                    Row(
                        "  same letters, in-process: imrgraph export",
                        sub_n,
                        e["seconds"],
                        None,
                        se.maxrss,
                        se.tree_peak,
                        se.load,
                        cpu=se.cpu,
                    )
                )
                rows.append(
                    Row(
                        "  baseline: rdflib N-Quads serialiser",
                        sub_n,
                        re_["seconds"],
                        None,
                        re_["maxrss"],
                        None,
                        rdf["load"],
                        f"imrgraph {ratio(e['seconds'], re_['seconds'])}",
                    )
                )
            export.unlink()

        print()
        print(f"imrgraph benchmark suite, {n} letters (seed {args.seed}), corpus {corpus}")
        print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, started {started_at}")
        table = print_table(rows)
        print(
            f"store on disk: {store_bytes / 2**20:.0f} MiB ({store_bytes / n / 1024:.1f} KiB per "
            f"letter); triples {ing['triples']:,}; export {export_bytes / 2**20:.0f} MiB N-Quads"
        )
        print(
            "latency: per-letter stages = seconds x processes / letters (time one process "
            "spends on a letter); queries = median warm run, seconds = first (cold) run, both "
            "in-process; commands = their wall time. maxRSS = largest process (wait4), "
            "treeRSS = sampled sum over the stage's processes, MiB. rdflib rows: in-process "
            "time; their maxRSS is the rdflib process so far (it holds the subset throughout)."
        )
        results.update(
            table=table,
            store_bytes=store_bytes,
            export_bytes=export_bytes,
            rows=[r.__dict__ for r in rows],
        )
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    finally:
        if made_work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif not args.keep:
            for name in ("store", "store-subset", "rdflib-export.nq", "export-subset.nq"):
                target = work / name
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                elif target.exists():
                    target.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
