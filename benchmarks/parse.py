"""Letters per second: imrgraph's parse pipeline against a pdfplumber-only baseline.

Why: the design picks PDFium (pypdfium2) for text and keeps pdfplumber only for layout work; this
measures that choice on the same PDFs in one run. Both sides run the same cleaning (Unicode normal
form, running header/footer removal) and the same parser, so the only difference is the text
engine; the pipeline side also maps each letter to RDF quads when ``imrgraph.rdf.mapper`` exists
(it pays for more work, not less). Accuracy is checked too: each letter's parse is compared with
its ``<name>.expected.json`` when there is one (examples/letters), for both sides.

Usage::

    python benchmarks/parse.py                       # examples/letters/*.pdf, 40 letters
    python benchmarks/parse.py --letters 200
    python benchmarks/parse.py --corpus DIR --letters 500
    python benchmarks/parse.py --processes           # ../shared/real-letters, whole processes
    python benchmarks/parse.py --processes --corpus DIR --runs 5

The PDFs are reused in turn until N letters have been processed (each pass reopens the file).
One process, one core: the machine is shared, so trust the ratio more than the seconds.

``--processes`` times what a user runs, start to finish: the whole ``imrgraph parse DIR -j 1
--format jsonl`` process against a whole process that only calls pdfplumber's ``extract_text``
on every page of the same PDFs (no cleaning, no parser). Each side runs ``--runs`` times,
alternately, and the minimum of each is kept, for wall-clock and for CPU time (user + system
of the child, which a loaded machine disturbs less). The default folder is the published
letters (``../shared/real-letters`` beside the checkout, or ``$IMRGRAPH_REAL_LETTERS``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import pdfplumber

from imrgraph import __version__
from imrgraph.errors import ImrGraphError
from imrgraph.extract.document import DEFAULT_LIMITS, extract
from imrgraph.extract.running import remove_running_lines
from imrgraph.extract.text import normalize_text
from imrgraph.model import Letter, Source
from imrgraph.parse import parse_pages
from imrgraph.pipeline import parse_document

ROOT = Path(__file__).resolve().parent.parent

try:  # the RDF step, once it exists
    from imrgraph.rdf.mapper import letter_to_quads
except ImportError:  # pragma: no cover - depends on the state of the project
    letter_to_quads = None


def pipeline(path: Path) -> Letter:
    """imrgraph: PDFium text -> cleaning -> parser (-> RDF quads)."""
    letter = parse_document(extract(path, DEFAULT_LIMITS))
    if letter_to_quads is not None:
        letter_to_quads(letter)
    return letter


def baseline(path: Path) -> Letter:
    """pdfplumber-only: ``extract_text`` on every page -> the same cleaning and parser."""
    data = path.read_bytes()
    with pdfplumber.open(path) as pdf:
        raw = [page.extract_text() or "" for page in pdf.pages]
    pages = remove_running_lines([normalize_text(page) for page in raw])
    source = Source(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        format="pdf",
        pages=len(raw),
        parser_version=__version__,
    )
    return parse_pages(pages, source)


def baseline_text_only(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


LETTER_FIELDS = {f.name for f in fields(Letter)} - {"source"}


def comparable(letter: dict) -> dict:
    """A parse without what differs between runs and formats (source, item pages), and without
    fields a ground-truth file adds (the corpus generator's own notes)."""
    letter = {k: v for k, v in json.loads(json.dumps(letter)).items() if k in LETTER_FIELDS}
    letter["warnings"] = sorted(w.split(":", 1)[0] for w in letter.get("warnings", []))
    for item in letter.get("items", []):
        item.pop("page", None)
    return letter


def time_run(fn: Callable[[Path], object], paths: list[Path]) -> tuple[float, int]:
    """Seconds for ``fn`` over ``paths``, and how many raised one of the project's errors."""
    failures = 0
    start = time.perf_counter()
    for path in paths:
        try:
            fn(path)
        except ImrGraphError:
            failures += 1
    return time.perf_counter() - start, failures


def expected_for(pdf: Path) -> Path | None:
    """The hand-written ``<name>.expected.json`` (examples) or ``<name>.pdf.json`` (corpus)."""
    for candidate in (pdf.with_suffix(".expected.json"), pdf.with_name(pdf.name + ".json")):
        if candidate.exists():
            return candidate
    return None


def accuracy(pdfs: list[Path]) -> dict[str, tuple[int, int]]:
    """(agreeing, compared) counts: each side against the expected JSON and the .txt's parse,
    and the two sides against each other (the text engine must not change the parse)."""
    counts = {
        key: [0, 0]
        for key in ("pipeline=expected", "baseline=expected", "pipeline=txt", "pipeline=baseline")
    }

    def add(key: str, agree: bool) -> None:
        counts[key][0] += agree
        counts[key][1] += 1

    for pdf in pdfs:
        got = {}
        for name, fn in (("pipeline", pipeline), ("baseline", baseline)):
            try:
                got[name] = comparable(fn(pdf).to_dict())
            except ImrGraphError:
                got[name] = None
        add("pipeline=baseline", got["pipeline"] == got["baseline"])
        expected_path = expected_for(pdf)
        if expected_path:
            expected = comparable(json.loads(expected_path.read_text(encoding="utf-8")))
            add("pipeline=expected", got["pipeline"] == expected)
            add("baseline=expected", got["baseline"] == expected)
        text_path = pdf.with_suffix(".txt")
        if text_path.exists():
            add(
                "pipeline=txt",
                got["pipeline"] == comparable(parse_document(extract(text_path)).to_dict()),
            )
    return {key: (a, n) for key, (a, n) in counts.items() if n}


REAL_LETTERS = Path(
    os.environ.get("IMRGRAPH_REAL_LETTERS") or ROOT.parent / "shared" / "real-letters"
)

# The baseline process: pdfplumber's extract_text on every page of every PDF, nothing else.
BASELINE_PROCESS = """
import sys
from pathlib import Path
import pdfplumber
for path in sorted(Path(sys.argv[1]).rglob("*.pdf")):
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
"""


def time_process(command: list[str]) -> tuple[float, float, bytes]:
    """Wall-clock and CPU seconds (user + system) of one child process, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if run.returncode not in (0, 1):  # 1: some file failed to parse, still a timed run
        raise SystemExit(f"{command[:3]} failed: {run.stderr.decode(errors='replace')[-500:]}")
    return wall, cpu, run.stdout


def compare_processes(folder: Path, runs: int) -> int:
    """``imrgraph parse -j 1`` as a whole process against pdfplumber's extract_text alone."""
    pdfs = sorted(folder.rglob("*.pdf"))
    if not pdfs:
        print(f"no PDFs under {folder} (give --corpus DIR or set IMRGRAPH_REAL_LETTERS)")
        return 1
    ours = ["imrgraph", "parse", str(folder), "--format", "jsonl", "-j", "1"]
    theirs = [sys.executable, "-c", BASELINE_PROCESS, str(folder)]
    best = {"ours": [float("inf"), float("inf")], "theirs": [float("inf"), float("inf")]}
    outputs = set()
    for _ in range(runs):  # alternate the sides so a burst of load hits both alike
        for side, command in (("ours", ours), ("theirs", theirs)):
            wall, cpu, out = time_process(command)
            best[side] = [min(best[side][0], wall), min(best[side][1], cpu)]
            if side == "ours":
                outputs.add(hashlib.sha256(out).hexdigest())
    letters = len(pdfs)
    print(f"{letters} PDFs under {folder}; each side run {runs} times, minimum kept")
    print(f"{'':44} {'wall s':>8} {'cpu s':>8} {'letters/s':>10}")
    for side, label in (
        ("ours", "imrgraph parse -j 1 (whole process)"),
        ("theirs", "pdfplumber extract_text only (whole process)"),
    ):
        wall, cpu = best[side]
        print(f"{label:44} {wall:8.2f} {cpu:8.2f} {letters / wall:10.1f}")
    wall_ratio = best["theirs"][0] / best["ours"][0]
    cpu_ratio = best["theirs"][1] / best["ours"][1]
    print(f"speed-up, whole process: {wall_ratio:.1f}x wall-clock, {cpu_ratio:.1f}x CPU time")
    print(f"imrgraph parse output the same on every run: {len(outputs) == 1}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--letters", type=int, default=40, help="letters per side (default 40)")
    ap.add_argument(
        "--corpus",
        type=Path,
        help="folder of PDFs (default examples/letters; with --processes ../shared/real-letters)",
    )
    ap.add_argument(
        "--processes",
        action="store_true",
        help="time whole processes: imrgraph parse -j 1 against pdfplumber extract_text",
    )
    ap.add_argument("--runs", type=int, default=3, help="runs per side with --processes")
    args = ap.parse_args(argv)
    if args.processes:
        return compare_processes(args.corpus or REAL_LETTERS, args.runs)
    folder = args.corpus or ROOT / "examples" / "letters"
    pdfs = sorted(folder.rglob("*.pdf"))
    if not pdfs:
        print(f"no PDFs under {folder} (render them: python tools/render_pdf.py ...)")
        return 1
    paths = [pdfs[i % len(pdfs)] for i in range(args.letters)]
    pages = sum(len(extract(p).pages) for p in pdfs) / len(pdfs)

    for fn in (pipeline, baseline):  # warm-up: imports, regex compilation, font caches
        time_run(fn, pdfs[:1])
    rows = []
    for name, fn in (
        ("imrgraph pipeline" + (" (+RDF quads)" if letter_to_quads else ""), pipeline),
        ("pdfplumber baseline", baseline),
        ("  text only: pypdfium2", lambda p: extract(p, DEFAULT_LIMITS)),
        ("  text only: pdfplumber", baseline_text_only),
    ):
        seconds, failures = time_run(fn, paths)
        rows.append((name, seconds, failures))

    print(f"{len(pdfs)} distinct PDFs ({pages:.1f} pages on average), {args.letters} letters each")
    print(f"{'':28} {'seconds':>9} {'letters/s':>10} {'failed':>7}")
    for name, seconds, failures in rows:
        rate = args.letters / seconds if seconds else float("inf")
        print(f"{name:28} {seconds:9.2f} {rate:10.1f} {failures:7d}")
    ratio = rows[1][1] / rows[0][1]
    text_ratio = rows[3][1] / rows[2][1]
    print(f"speed-up, full pipeline: {ratio:.1f}x   (text extraction alone: {text_ratio:.1f}x)")
    labels = {
        "pipeline=baseline": "pipeline and baseline parses equal",
        "pipeline=expected": "pipeline parse equal to the expected JSON",
        "baseline=expected": "baseline parse equal to the expected JSON",
        "pipeline=txt": "pipeline parse of the PDF equal to that of its .txt",
    }
    for key, (agree, compared) in accuracy(pdfs).items():
        print(f"{labels[key]}: {agree}/{compared}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
