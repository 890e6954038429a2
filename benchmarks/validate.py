"""Benchmark SHACL validation: letter by letter and in batches vs pyshacl on the whole graph.

Why: ingest validates every letter before storing it, so what matters is the cost per letter
when letters are validated one at a time (or a batch at a time), compared with the textbook use
of pyshacl (all the data in one graph, the ontology as ``ont_graph``, one call). All sides start
from the same parsed letters (the synthetic corpus's ground truth, ``benchmarks/corpus.py``, so
no parser is involved) and include mapping them to RDF; a few letters are broken on purpose
(age 300) and every side must report exactly those letters.

Usage::

    python benchmarks/validate.py                    # 500 letters
    python benchmarks/validate.py --letters 2000 --batch 200
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
from pyshacl import validate as pyshacl_validate
from rdflib import Graph
from rdflib.namespace import SH

from imrgraph.model import Letter
from imrgraph.rdf.mapper import (
    letter_rows,
    letter_to_dataset,
    letter_to_ntriples,
    letter_to_triples,
    rows_to_graph,
)
from imrgraph.rdf.validate import Validator, load_ontology, load_shapes


def make_letters(count: int, seed: int, broken_every: int) -> list[Letter]:
    letters = []
    for index in range(count):
        _, truth = corpus.build(seed, index, "text")
        truth.pop("corpus", None)
        letter = Letter.from_dict(truth)
        if broken_every and index % broken_every == broken_every - 1:
            letter.applicant.age = 300
        letters.append(letter)
    return letters


def whole_graph(letters: list[Letter]) -> tuple[float, float, set[str], int]:
    """pyshacl once over all letters' triples, full ontology as ont_graph (the textbook way)."""
    start, cpu = time.perf_counter(), time.process_time()
    data = Graph()
    det_of: dict[str, str] = {}
    for letter in letters:
        _, rows = letter_rows(letter)
        rows_to_graph(rows, data)
        det_of[f"https://w3id.org/imrgraph/data/determination/{letter.key}"] = letter.key
    _conforms, report, _ = pyshacl_validate(
        data, shacl_graph=load_shapes(), ont_graph=load_ontology(), inference="none"
    )
    failing = set()
    for result in report.objects(None, SH.result):
        focus = str(report.value(result, SH.focusNode))
        for prefix, key in det_of.items():  # attribute to the letter whose IRIs it is under
            if focus == prefix or focus.startswith(prefix + "/"):
                failing.add(key)
    return time.perf_counter() - start, time.process_time() - cpu, failing, len(data)


def timed(fn) -> tuple[float, float, object]:
    """Wall-clock seconds, CPU seconds of this process, result. On a shared machine the CPU
    time is the steadier measure: it does not count time spent waiting for a core."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - start, time.process_time() - cpu, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--broken-every", type=int, default=50, help="every Nth letter: age 300")
    parser.add_argument(
        "--textbook-letters",
        type=int,
        default=20,
        help="letters for the slow one-by-one run with pyshacl's own ont_graph route",
    )
    args = parser.parse_args()

    letters = make_letters(args.letters, args.seed, args.broken_every)
    expected = {
        letter.key for letter in letters if letter.applicant.age and letter.applicant.age > 120
    }
    map_rows = [
        ("pyoxigraph triples (letter_to_triples)", letter_to_triples),
        ("N-Triples bytes (letter_to_ntriples)", letter_to_ntriples),
        ("rdflib Dataset (letter_to_dataset)", letter_to_dataset),
    ]
    for _, fn in map_rows:  # warm up: caches of terms and resolved citations
        [fn(letter) for letter in letters[:50]]
    for name, fn in map_rows:
        _, cpu, _ = timed(lambda fn=fn: [fn(letter) for letter in letters])
        print(f"mapping to {name:40} {cpu / len(letters) * 1000:6.2f} ms/letter (CPU)")
    validator = Validator()
    validator.validate_letters(letters[:2], batch_size=1)  # compile the shapes once, like ingest

    one_s, one_cpu, one = timed(lambda: validator.validate_letters(letters, batch_size=1))
    batch_s, batch_cpu, batched = timed(
        lambda: validator.validate_letters(letters, batch_size=args.batch)
    )
    whole_s, whole_cpu, whole_failing, triples = whole_graph(letters)
    textbook = Validator(use_ont_graph=True)
    few = letters[: args.textbook_letters]
    text_s, text_cpu, text_results = timed(lambda: textbook.validate_letters(few, batch_size=1))

    def failing(results) -> set[str]:
        return {letter.key for letter, r in zip(letters, results, strict=False) if not r.conforms}

    n = len(letters)
    print(f"{n} letters, {triples} triples ({triples / n:.0f} per letter), "
          f"{len(expected)} broken on purpose")  # fmt: skip
    print(f"{'':44}{'wall s':>8}{'CPU ms/letter':>15}  failing letters found")
    rows = [
        ("pyshacl, whole graph, ont_graph (one call)", whole_s, whole_cpu, n, whole_failing),
        ("imrgraph, one letter per call", one_s, one_cpu, n, failing(one)),
        (f"imrgraph, batches of {args.batch}", batch_s, batch_cpu, n, failing(batched)),
        (
            f"pyshacl ont_graph route, one per call ({len(few)})",
            text_s,
            text_cpu,
            len(few),
            failing(text_results) | (expected - {x.key for x in few}),
        ),
    ]
    for name, seconds, cpu, count, found in rows:
        ok = "same as expected" if found == expected else f"DIFFERENT: {sorted(found)[:5]}"
        print(f"{name:44}{seconds:8.2f}{cpu / count * 1000:15.2f}  {ok}")
    print(
        f"ratio (CPU), batched vs whole graph: {whole_cpu / batch_cpu:.2f}x the speed "
        f"(wall clock: {whole_s / batch_s:.2f}x)"
    )
    print(
        f"ratio (CPU), one by one vs whole graph: {whole_cpu / one_cpu:.2f}x the speed "
        f"(wall clock: {whole_s / one_s:.2f}x)"
    )
    print(
        "ratio (CPU), one by one vs pyshacl's ont_graph route one by one: "
        f"{(text_cpu / len(few)) / (one_cpu / n):.1f}x the speed"
    )


if __name__ == "__main__":
    main()
