"""Precision and recall of the decision reasons per reason, on hand-labelled real letters.

Why: the reasons (``imrgraph/parse/reasons.py``) are read by rules; this is how well. The labels
are ``tests/data/reason-labels.jsonl``: for 207 items of the 97 real published letters of
``../shared/real-letters`` (every item, in case-number order), the reason codes a person assigned
by reading each rationale against the definitions of ``ontology/reasons.ttl``, before the rules
were written. The file holds case numbers, item numbers and codes only, no letter text.

The rules were developed on the first 120 labelled items (``dev``); the other 87 (``held-out``)
were scored once, then looked at. Figures for both splits and for all items are printed.

Usage::

    python benchmarks/reasons.py                       # ../shared/real-letters beside the checkout
    python benchmarks/reasons.py --real /path/to/real-letters --errors
    python benchmarks/reasons.py --json                # machine-readable figures
    python benchmarks/reasons.py --corpus /tmp/corpus  # also generated letters with known reasons

An item counts once per reason: a reason is a true positive when the labels and the parser both
give it, a false positive when only the parser does, a false negative when only the labels do.
Target (issue 13): precision at least 90% and recall at least 80% on every reason with 10 or more
labelled items.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imrgraph.parse.reasons import REASON_CODES  # noqa: E402

LABELS = ROOT / "tests" / "data" / "reason-labels.jsonl"
DEV_ITEMS = 120  # the first items of LABELS (case-number order) the rules were developed on
MIN_LABELLED = 10  # reasons with fewer labelled items are reported, not held to the target
TARGET_PRECISION = 0.90
TARGET_RECALL = 0.80


def find_real_letters(explicit: str | None = None) -> Path | None:
    """The real letters folder: ``explicit``, else ``$IMRGRAPH_REAL_LETTERS``, else
    ``shared/real-letters`` beside the checkout or beside a folder above it (a git worktree
    sits one level deeper than the main checkout). None when there is none."""
    if explicit is not None:
        return Path(explicit) if (Path(explicit) / "expected.jsonl").is_file() else None
    candidates = [os.environ.get("IMRGRAPH_REAL_LETTERS")]
    candidates += [str(parent / "shared" / "real-letters") for parent in ROOT.parents]
    for candidate in candidates:
        if candidate and (Path(candidate) / "expected.jsonl").is_file():
            return Path(candidate)
    return None


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    """The hand labels, in file order (case-number order)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def parse_real_letters(folder: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """Every item of the real letters, parsed by imrgraph, keyed by (case number, item number)."""
    from imrgraph.pipeline import parse_file

    items: dict[tuple[str, int], dict[str, Any]] = {}
    for pdf in sorted(folder.glob("*.pdf")):
        letter = parse_file(pdf).to_dict()
        for item in letter["items"]:
            items[(letter["case_number"], item["number"])] = item
    return items


@dataclass
class Score:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def precision(self, code: str) -> float | None:
        found = self.tp[code] + self.fp[code]
        return self.tp[code] / found if found else None

    def recall(self, code: str) -> float | None:
        labelled = self.tp[code] + self.fn[code]
        return self.tp[code] / labelled if labelled else None

    def labelled(self, code: str) -> int:
        return self.tp[code] + self.fn[code]

    def misses_target(self) -> list[str]:
        """Reasons with at least MIN_LABELLED labelled items below the target."""
        out = []
        for code in REASON_CODES:
            if self.labelled(code) < MIN_LABELLED:
                continue
            p, r = self.precision(code), self.recall(code)
            if p is None or p < TARGET_PRECISION or r is None or r < TARGET_RECALL:
                out.append(code)
        return out


def score(labels: list[dict[str, Any]], items: dict[tuple[str, int], dict[str, Any]]) -> Score:
    """Compare the parser's reasons with the labels, item by item."""
    result = Score()
    for label in labels:
        key = (label["case_number"], label["item"])
        item = items.get(key)
        got = {r["code"]: r["sentence"] for r in item["reasons"]} if item else {}
        if item is None:
            result.errors.append(f"{key[0]} item {key[1]}: not parsed")
        want = set(label["reasons"])
        for code in set(got) | want:
            if code in got and code in want:
                result.tp[code] += 1
            elif code in got:
                result.fp[code] += 1
                result.errors.append(f"{key[0]} item {key[1]}: extra {code}: {got[code]}")
            else:
                result.fn[code] += 1
                result.errors.append(f"{key[0]} item {key[1]}: missed {code}")
    return result


def corpus_labels(root: Path) -> tuple[list[dict[str, Any]], dict[tuple[str, int], Any]]:
    """Labels and parsed items of a generated corpus (``benchmarks/corpus.py``) whose truth
    files (``<letter>.json``) give each item's ``reasons`` (codes, or objects with a ``code``).
    Letters whose truth has no ``reasons`` are left out. Keys are (file, item number)."""
    from imrgraph.pipeline import parse_file

    labels: list[dict[str, Any]] = []
    items: dict[tuple[str, int], Any] = {}
    for truth_path in sorted(root.rglob("*.json")):
        letter = Path(str(truth_path)[: -len(".json")])
        if not letter.is_file():
            continue
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        truth_items = truth.get("items", [])
        if not any("reasons" in item for item in truth_items):
            continue
        parsed = {item["number"]: item for item in parse_file(letter).to_dict()["items"]}
        for item in truth_items:
            codes = [r["code"] if isinstance(r, dict) else r for r in item.get("reasons", [])]
            key = (str(letter), item["number"])
            labels.append({"case_number": key[0], "item": key[1], "reasons": codes})
            if key[1] in parsed:
                items[key] = parsed[key[1]]
    return labels, items


def splits(labels: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {"all": labels, "dev": labels[:DEV_ITEMS], "held-out": labels[DEV_ITEMS:]}


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value * 100:5.1f}%"


def table(name: str, result: Score, n_items: int) -> str:
    lines = [
        f"{name}: {n_items} items",
        f"  {'reason':30} {'labelled':>8} {'precision':>9} {'recall':>7}  target",
    ]
    for code in REASON_CODES:
        n = result.labelled(code)
        if n == 0 and result.fp[code] == 0:
            continue
        p, r = result.precision(code), result.recall(code)
        if n < MIN_LABELLED:
            verdict = "(fewer than 10 labelled)"
        elif code in result.misses_target():
            verdict = "MISSED"
        else:
            verdict = "met"
        lines.append(f"  {code:30} {n:8d} {_pct(p):>9} {_pct(r):>7}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", help="the real letters folder (default: ../shared/real-letters)")
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="also score a generated corpus whose truth files give each item's reasons",
    )
    args = parser.parse_args(argv)
    if args.corpus is not None:
        labels, items = corpus_labels(args.corpus)
        if not labels:
            print(f"reasons: {args.corpus}: no truth file gives reasons; nothing to measure")
            return 2
        result = score(labels, items)
        print(table(f"generated ({args.corpus})", result, len(labels)))
        print()
    folder = find_real_letters(args.real)
    if folder is None:
        where = args.real or "../shared/real-letters"
        print(f"reasons: {where}: no real letters (expected.jsonl) there; nothing to measure")
        return 0 if args.corpus is not None else 2
    labels = load_labels()
    items = parse_real_letters(folder)
    results = {name: (score(part, items), len(part)) for name, part in splits(labels).items()}
    if args.json:
        data = {
            name: {
                code: {
                    "labelled": res.labelled(code),
                    "precision": res.precision(code),
                    "recall": res.recall(code),
                }
                for code in REASON_CODES
            }
            for name, (res, _) in results.items()
        }
        print(json.dumps(data, indent=2))
        return 0
    for name, (res, n) in results.items():
        print(table(name, res, n))
        print()
    if args.errors:
        for line in results["all"][0].errors:
            print(line)
    missed = results["all"][0].misses_target()
    print("target met on all items" if not missed else f"target missed: {', '.join(missed)}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
