"""Field-level precision and recall of the parser against a generated corpus's ground truth.

Why: the examples are a handful of letters; a parser can fit them and still fail on the variety of
real letters. This script generates N letters with ``corpus.py`` (or takes an existing corpus
directory), parses every file with ``imrgraph.pipeline.parse_file`` in worker processes and
compares the result with the truth JSON written next to each file, field by field.

Usage::

    python benchmarks/accuracy.py --letters 1000                      # PDFs, seed 1
    python benchmarks/accuracy.py --letters 300 --format text --seed 7
    python benchmarks/accuracy.py --corpus /tmp/corpus --errors-json /tmp/errors.json
    python benchmarks/accuracy.py --corpus ../shared/real-letters     # real letters

A ``--corpus`` folder holding ``expected.jsonl`` is a folder of real letters with their
independent reading (``../shared/real-letters``): every PDF in it is parsed and compared field
by field as ``../shared/tools/real_check.py`` does (priority, the five header dates, reviewer,
age, item count, each item's outcome, service, original request and authorized part, per party
the MTUS documents and the other families), and the accuracy of each field is printed.

How fields are scored: each letter contributes "facts" per field (a date, an item's outcome keyed
by item number, a citation's document keyed by item, party and family, ...). Precision = facts the
parser produced that are in the truth / facts the parser produced; recall = facts of the truth the
parser produced / facts of the truth. Citations are compared as multisets within an item and
party, so one wrong split costs the citations that changed and nothing else. A file the parser
rejects counts as producing nothing. Target: at least 99.5% on every field.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

TARGET = 0.995
CHECKED_WARNINGS = ("date-conflict", "injury-date-missing", "ur-date-missing", "age-missing")
PARTIES = (("ca", "claims_administrator_citations"), ("rv", "reviewer_citations"))
DATE_FIELDS = ("injury", "ur_decision", "assigned", "decision", "application_received")

FIELDS = (
    "case_number",
    "priority",
    *(f"dates.{name}" for name in DATE_FIELDS),
    "applicant.age",
    "applicant.sex",
    "reviewer.licensure_states",
    "reviewer.specialties",
    "injury.body_parts",
    "injury.body_parts_order",
    "items",
    "items.service",
    "items.outcome",
    "items.category",
    "items.page",
    "items.rationale",
    "items.decisive_sentence",
    "citations",
    "citations.family",
    "citations.document",
    "citations.edition",
    "citations.section",
    "citations.pages",
    "rationale_citations",
    "warnings",
)


def facts(letter: dict[str, Any], with_pages: bool) -> dict[str, Counter]:
    """The comparable facts of one letter (truth or parse), per field."""
    out: dict[str, Counter] = defaultdict(Counter)

    def scalar(name: str, value: Any) -> None:
        if value is not None:
            out[name][value] += 1

    scalar("case_number", letter.get("case_number"))
    scalar("priority", letter.get("priority"))
    dates = letter.get("dates") or {}
    for name in DATE_FIELDS:
        scalar(f"dates.{name}", dates.get(name))
    applicant = letter.get("applicant") or {}
    scalar("applicant.age", applicant.get("age"))
    scalar("applicant.sex", applicant.get("sex"))
    reviewer = letter.get("reviewer") or {}
    out["reviewer.licensure_states"].update(reviewer.get("licensure_states") or [])
    out["reviewer.specialties"].update(reviewer.get("specialties") or [])
    parts = (letter.get("injury") or {}).get("body_parts") or []
    out["injury.body_parts"].update(set(parts))
    if parts:
        out["injury.body_parts_order"][tuple(parts)] += 1
    for item in letter.get("items") or []:
        n = item.get("number")
        out["items"][n] += 1
        out["items.service"][(n, item.get("service"))] += 1
        out["items.outcome"][(n, item.get("outcome"))] += 1
        out["items.category"][(n, item.get("category"))] += 1
        if with_pages:
            out["items.page"][(n, item.get("page"))] += 1
        out["items.rationale"][(n, item.get("rationale"))] += 1
        scalar_decisive = item.get("decisive_sentence")
        if scalar_decisive is not None:
            out["items.decisive_sentence"][(n, scalar_decisive)] += 1
        for party, key in PARTIES:
            for c in item.get(key) or []:
                doc = c.get("document")
                out["citations"][(n, party, c.get("text"))] += 1
                out["citations.family"][(n, party, c.get("family"), c.get("in_mtus"))] += 1
                out["citations.document"][(n, party, c.get("family"), doc)] += 1
                out["citations.edition"][(n, party, doc, c.get("edition"))] += 1
                out["citations.section"][(n, party, doc, c.get("section"))] += 1
                out["citations.pages"][(n, party, doc, c.get("pages"))] += 1
        for c in item.get("rationale_citations") or []:
            out["rationale_citations"][(n, c.get("family"), c.get("document"), c.get("pages"))] += 1
    for warning in letter.get("warnings") or []:
        code = warning.split(":", 1)[0].strip()
        if code in CHECKED_WARNINGS:
            out["warnings"][code] += 1
    return out


class Score:
    """Running totals per field, plus a few error examples and the most frequent misses."""

    def __init__(self, examples: int) -> None:
        self.truth: Counter = Counter()
        self.parsed: Counter = Counter()
        self.correct: Counter = Counter()
        self.letters_wrong: Counter = Counter()
        self.examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.missed: dict[str, Counter] = defaultdict(Counter)
        self.keep = examples
        self.letters = 0
        self.failed: list[tuple[str, str]] = []

    def add(self, path: str, truth: dict[str, Any], parsed: dict[str, Any] | None) -> None:
        self.letters += 1
        with_pages = truth["source"]["format"] == "pdf"
        t = facts(truth, with_pages)
        p = facts(parsed, with_pages) if parsed is not None else {}
        for name in FIELDS:
            tf, pf = t.get(name, Counter()), p.get(name, Counter())
            ok = tf & pf
            self.truth[name] += sum(tf.values())
            self.parsed[name] += sum(pf.values())
            self.correct[name] += sum(ok.values())
            if parsed is None or tf == pf:
                continue
            self.letters_wrong[name] += 1
            missing, extra = tf - pf, pf - tf
            for fact in missing:
                self.missed[name][_short(fact)] += 1
            if len(self.examples[name]) < self.keep:
                self.examples[name].append(
                    {
                        "field": name,
                        "expected": sorted(map(_jsonable, missing), key=str)[:4],
                        "got": sorted(map(_jsonable, extra), key=str)[:4],
                        "file": path,
                    }
                )

    def rows(self) -> Iterator[tuple[str, int, int, int, float, float]]:
        for name in FIELDS:
            n_t, n_p, ok = self.truth[name], self.parsed[name], self.correct[name]
            precision = ok / n_p if n_p else (1.0 if not n_t else 0.0)
            recall = ok / n_t if n_t else (1.0 if not n_p else 0.0)
            yield name, n_t, n_p, ok, precision, recall


def _jsonable(fact: Any) -> Any:
    return list(fact) if isinstance(fact, tuple) else fact


def _short(fact: Any) -> str:
    """The part of a fact that names the value (drops the item number/party keys)."""
    if isinstance(fact, tuple) and len(fact) > 1 and isinstance(fact[0], int):
        fact = fact[1:]
        if fact and fact[0] in ("ca", "rv"):
            fact = fact[1:]
        return " | ".join(map(str, fact)) if len(fact) > 1 else str(fact[0])
    return str(fact)


def _clip(text: str, width: int = 300) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _parse(path: str) -> tuple[str, dict[str, Any] | None, str | None]:
    """Worker: parse one file; the Letter as a dict, or the reason it failed."""
    from imrgraph.errors import ImrGraphError
    from imrgraph.pipeline import parse_file

    try:
        return path, parse_file(path).to_dict(), None
    except ImrGraphError as exc:
        return path, None, str(exc)
    except Exception as exc:  # a parser bug: count it as a failed letter, keep going
        return path, None, f"internal error: {type(exc).__name__}: {exc}"


def corpus_files(root: Path, fmt: str) -> list[Path]:
    suffix = ".pdf" if fmt == "pdf" else ".txt"
    return sorted(p for p in root.rglob(f"*{suffix}") if Path(str(p) + ".json").exists())


def run(files: list[Path], workers: int, examples: int) -> tuple[Score, float]:
    score = Score(examples)
    t0 = time.perf_counter()
    with Pool(workers) as pool:
        for path, parsed, error in pool.imap(_parse, [str(f) for f in files], chunksize=16):
            truth = json.loads(Path(path + ".json").read_text(encoding="utf-8"))
            if error is not None:
                score.failed.append((path, error))
            score.add(path, truth, parsed)
    return score, time.perf_counter() - t0


def report(score: Score, seconds: float, top: int) -> str:
    lines = [
        f"letters: {score.letters}, parse failures: {len(score.failed)}, "
        f"parse time {seconds:.1f}s ({score.letters / max(seconds, 1e-9):.0f} letters/s)",
        "",
        f"{'field':<28}{'truth':>8}{'parsed':>8}{'correct':>9}{'precision':>11}{'recall':>9}  ok",
    ]
    below = []
    for name, n_t, n_p, ok, precision, recall in score.rows():
        good = precision >= TARGET and recall >= TARGET
        if not good:
            below.append(name)
        lines.append(
            f"{name:<28}{n_t:>8}{n_p:>8}{ok:>9}{precision:>10.2%}{recall:>9.2%}  "
            f"{'yes' if good else 'NO'}"
        )
    lines.append("")
    lines.append(
        f"fields at or above {TARGET:.1%} precision and recall: "
        f"{len(FIELDS) - len(below)}/{len(FIELDS)}"
        + (f"; below: {', '.join(below)}" if below else "")
    )
    for path, error in score.failed[:top]:
        lines.append(f"  failed: {path}: {error}")
    with_errors = [name for name in FIELDS if score.letters_wrong[name]]
    for name in sorted(with_errors, key=lambda n: n not in below):
        lines.append("")
        flag = " (below target)" if name in below else ""
        lines.append(f"== {name}{flag}: {score.letters_wrong[name]} letters differ; most missed:")
        for value, count in score.missed[name].most_common(top):
            lines.append(f"   {count:>6}  {_clip(value)}")
        for ex in score.examples[name][:top]:
            lines.append(f"   e.g. {ex['file']}")
            lines.append(f"        expected {_clip(json.dumps(ex['expected']))}")
            lines.append(f"        got      {_clip(json.dumps(ex['got']))}")
    return "\n".join(lines)


# --- real letters with expected.jsonl ---------------------------------------------------------

REAL_TARGET = 0.99
_DOC_KEYS = (
    "chronic pain",
    "opioid",
    "low back",
    "neck",
    "shoulder",
    "knee",
    "forearm",
    "ankle",
    "general approaches",
    "stress",
    "acupuncture",
    "elbow",
    "postsurgical",
)


def _doc_key(text: str | None) -> str:
    t = (text or "").lower()
    return next((k for k in _DOC_KEYS if k in t), "?" + t)


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).strip(" .,;").lower()


def real_scores(
    expected: list[dict[str, Any]], got: dict[str, dict[str, Any]]
) -> tuple[Counter, Counter, dict[str, list[str]]]:
    """Per field: facts right, facts compared, mismatches (real_check.py's definitions)."""
    ok: Counter = Counter()
    total: Counter = Counter()
    bad: dict[str, list[str]] = defaultdict(list)

    def check(field: str, where: str, want: Any, have: Any) -> None:
        total[field] += 1
        if want == have:
            ok[field] += 1
        else:
            bad[field].append(f"{where}: expected {want!r}, got {have!r}")

    for e in expected:
        case = e["case_number"]
        g = got.get(case)
        check("letters", case, 1, 0 if g is None else 1)
        if g is None:
            continue
        check("priority", case, e["priority"], g.get("priority"))
        for name, value in e["dates"].items():
            check(f"dates.{name}", case, value, (g.get("dates") or {}).get(name))
        reviewer = g.get("reviewer") or {}
        for name in ("licensure_states", "specialties"):
            check(f"reviewer.{name}", case, e["reviewer"][name], sorted(reviewer.get(name) or []))
        check("applicant.age", case, e["applicant"]["age"], (g.get("applicant") or {}).get("age"))
        items = g.get("items") or []
        check("items.count", case, len(e["items"]), len(items))
        for n, (want, have) in enumerate(zip(e["items"], items, strict=False), 1):
            where = f"{case} item {n}"
            check("items.outcome", where, want["outcome"], have.get("outcome"))
            for name in ("service", "original_request", "authorized"):
                check(f"items.{name}", where, _norm(want.get(name)), _norm(have.get(name)))
            for party, key in (
                ("claims_administrator", "claims_administrator_citations"),
                ("reviewer", "reviewer_citations"),
            ):
                cites = have.get(key) or []
                check(
                    f"citations.{party}.mtus_documents",
                    where,
                    sorted(_doc_key(d) for d in set(want[party]["mtus_documents"])),
                    sorted(
                        {_doc_key(c.get("document")) for c in cites if c.get("family") == "MTUS"}
                    ),
                )
                check(
                    f"citations.{party}.other_families",
                    where,
                    sorted({f for f in want[party]["families"] if f != "MTUS"}),
                    sorted({c.get("family") for c in cites if c.get("family") != "MTUS"}),
                )
    return ok, total, bad


def run_real(root: Path, workers: int, top: int) -> int:
    """Parse the real letters in ``root`` and print each field's accuracy against expected.jsonl."""
    expected = [
        json.loads(line)
        for line in (root / "expected.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    files = sorted(str(p) for p in root.glob("*.pdf"))
    got: dict[str, dict[str, Any]] = {}
    failed: list[tuple[str, str]] = []
    t0 = time.perf_counter()
    with Pool(workers) as pool:
        for path, parsed, error in pool.imap(_parse, files, chunksize=4):
            if parsed is None:
                failed.append((path, error or "?"))
            else:
                got[parsed.get("case_number") or Path(path).stem] = parsed
    seconds = time.perf_counter() - t0
    ok, total, bad = real_scores(expected, got)
    print(
        f"real letters: {len(files)} PDFs, {len(expected)} expected, parse failures: "
        f"{len(failed)}, parse time {seconds:.1f}s ({workers} workers)"
    )
    print()
    print(f"{'field':<48}{'compared':>9}{'correct':>9}{'accuracy':>10}  ok")
    below = []
    for field in total:
        acc = ok[field] / total[field]
        if acc < REAL_TARGET:
            below.append(field)
        flag = "yes" if acc >= REAL_TARGET else "NO"
        print(f"{field:<48}{total[field]:>9}{ok[field]:>9}{acc:>10.1%}  {flag}")
    overall = sum(ok.values()) / max(sum(total.values()), 1)
    print()
    print(
        f"overall {overall:.1%} ({sum(ok.values())}/{sum(total.values())}); fields at or above "
        f"{REAL_TARGET:.0%}: {len(total) - len(below)}/{len(total)}"
        + (f"; below: {', '.join(below)}" if below else "")
    )
    for path, error in failed[:top]:
        print(f"  failed: {path}: {error}")
    for field in total:
        if bad.get(field):
            print()
            print(f"== {field}: {len(bad[field])} mismatches")
            for line in bad[field][:top]:
                print(f"   {_clip(line)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000, help="letters to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=("pdf", "text"), default="pdf")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="use this generated corpus directory, or a folder of real letters with "
        "expected.jsonl (per-field accuracy against it)",
    )
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--top", type=int, default=5, help="error examples per field")
    parser.add_argument("--errors-json", type=Path, help="write every error example here")
    args = parser.parse_args(argv)

    tmp = None
    if args.corpus:
        root = args.corpus
        if not root.is_dir():
            print(f"accuracy: error: {root}: not a directory", file=sys.stderr)
            return 2
        if (root / "expected.jsonl").is_file():
            return run_real(root, args.workers, args.top)
    else:
        if args.keep:
            root = args.keep
        else:
            tmp = tempfile.TemporaryDirectory(prefix="imr-accuracy-")
            root = Path(tmp.name)
        t0 = time.perf_counter()
        corpus.write_corpus(root, args.letters, args.seed, [args.format], args.workers)
        print(
            f"generated {args.letters} {args.format} letters (seed {args.seed}) in "
            f"{time.perf_counter() - t0:.1f}s"
        )
    manifest = root / "corpus.json"
    if manifest.exists():
        mix = json.loads(manifest.read_text(encoding="utf-8"))["mix"]
        n, items = max(mix.get("letters", 0), 1), max(mix.get("items", 0), 1)
        print(
            f"corpus mix: {mix.get('items', 0)} items ({items / n:.2f} per letter), "
            f"{mix.get('category:Pharmaceuticals', 0) / items:.1%} pharmaceuticals, "
            f"{mix.get('outcome:Upheld', 0) / items:.1%} upheld, "
            f"{mix.get('style:older', 0) / n:.0%} older item style, "
            f"{mix.get('header_table', 0) / n:.0%} with header table, "
            f"{mix.get('citations', 0)} citations"
        )
    files = corpus_files(root, args.format)
    if not files:
        print(f"accuracy: error: {root}: no {args.format} letters with truth JSON", file=sys.stderr)
        return 2
    score, seconds = run(files, args.workers, max(args.top, 50))
    print(report(score, seconds, args.top))
    if args.errors_json:
        args.errors_json.write_text(
            json.dumps(
                {
                    "failed": score.failed,
                    "examples": score.examples,
                    "missed": {k: v.most_common(50) for k, v in score.missed.items()},
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    if tmp is not None:
        tmp.cleanup()
        if any(score.letters_wrong.values()):
            print("(the letters above were deleted; --keep DIR keeps them: same seed, same files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
