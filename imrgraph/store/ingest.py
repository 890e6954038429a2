"""``imrgraph ingest``: letters in, validated named graphs out, one transaction per letter.

Work split: worker processes do everything that costs CPU (extract, parse, map to RDF, SHACL),
in batches, and send back each letter's graph as N-Triples bytes; the parent process is the only
writer and stores each valid letter with one ``replace_graph`` call (one transaction), so a letter
is wholly in the store or not at all. At most ``workers * INFLIGHT_PER_WORKER`` batches are in
flight, so memory stays flat however many files are given; results are written in input order.
A worker stuck past the parse-time limit, or killed by the OS, costs one file, not the run
(``imrgraph.workers``). Two versions of one case number: ``imrgraph.store.versions``.

Skipping: the parent hashes each file (sha256 of its bytes, the same digest the extractor
records) and skips files whose letter is already stored, before any parsing, unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from imrgraph.errors import ImrGraphError
from imrgraph.extract import DEFAULT_LIMITS, Limits
from imrgraph.filenames import name_text
from imrgraph.model import Letter
from imrgraph.rdf.vocab import DEFAULT_DATA_BASE
from imrgraph.store.base import GraphStore
from imrgraph.store.sparqltext import serialize_term
from imrgraph.store.tallies import has_letters, mark_tallies, tallies_current
from imrgraph.store.versions import check_base, store_letter
from imrgraph.workers import run_supervised

BATCH_SIZE = 32  # files per worker task: one pyshacl call validates them together
INFLIGHT_PER_WORKER = 3


@dataclass
class Failure:
    """A file that was not stored, and why (``stage``: parse, validate or store)."""

    path: str
    stage: str
    reason: str


@dataclass
class Letterload:
    """What a worker sends back for one file that parsed."""

    path: str
    sha256: str
    graph: str
    ntriples: bytes  # the letter's graph, with its tally links (imrgraph.rdf.tallies)
    triples: int
    violations: list[str] = field(default_factory=list)
    #: tally IRI -> its description as N-Triples (for the tallies graph; the writer skips
    #: those it has already written in this run)
    tallies: dict[str, bytes] = field(default_factory=dict)


@dataclass
class IngestSummary:
    """The outcome of one ingest run."""

    files: int = 0
    stored: int = 0
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    stopped: bool = False  # asked to stop before every file was read
    tallies_current: bool = True  # False: analysis is slow until `imrgraph tally` is run

    @property
    def failed(self) -> int:
        return len(self.failures)

    def report(self) -> dict[str, object]:
        """The machine-readable report (``--report FILE``)."""
        return {
            "files": self.files,
            "stored": self.stored,
            "skipped": self.skipped,
            "failed": self.failed,
            "triples": self.triples,
            "seconds": round(self.seconds, 3),
            "stopped": self.stopped,
            "tallies_current": self.tallies_current,
            # a file name that is not UTF-8 could not be written as JSON: escaped, reversibly
            "failures": [
                {**asdict(f), "path": name_text(f.path), "reason": name_text(f.reason)}
                for f in self.failures
            ],
        }

    def write_report(self, path: Path) -> None:
        from imrgraph.output import replacing

        text = json.dumps(self.report(), indent=2) + "\n"
        with replacing(path, "the report") as temporary:  # whole or untouched
            temporary.write_text(text, encoding="utf-8")


# ---- worker side -------------------------------------------------------------------------------


def _violation_text(violation: Any) -> str:
    path = getattr(violation, "path", None)
    message = getattr(violation, "message", str(violation))
    return f"{path}: {message}" if path else message


def process_batch(
    paths: list[str], base: str, limits: Limits | None = None
) -> list[Letterload | Failure]:
    """Parse, map and SHACL-validate a batch of files (runs in a worker process).

    ``limits`` (size, pages, seconds per file) apply to each file; a file over a limit is a
    ``parse`` failure like any other unreadable file.
    """
    from imrgraph.pipeline import parse_one

    out: list[Letterload | Failure | None] = []
    parsed: list[tuple[int, str, Letter]] = []
    for path in paths:
        result = parse_one(Path(path), limits)
        if isinstance(result, ImrGraphError):
            reason = getattr(result, "reason", None) or str(result)
            out.append(Failure(path, "parse", reason))
        else:
            parsed.append((len(out), path, result))
            out.append(None)
    checked = check_letters([(path, letter) for _, path, letter in parsed], base)
    for (index, _, _), result in zip(parsed, checked, strict=True):
        out[index] = result
    return [item for item in out if item is not None]


def check_letters(letters: list[tuple[str, Letter]], base: str) -> list[Letterload | Failure]:
    """Map parsed letters to N-Triples and SHACL-validate them, one result per letter.

    The letters are validated in one pyshacl call (``validate_letters``): per-call overhead
    dominates small graphs, so batching is what makes validating every letter affordable.
    """
    from imrgraph.rdf.mapper import letter_to_triples
    from imrgraph.rdf.tallies import description_ntriples, letter_tallies
    from imrgraph.rdf.validate import validate_letters
    from imrgraph.store.tallies import section_documents

    if not letters:
        return []
    try:
        checks = validate_letters([letter for _, letter in letters], base)
    except ImrGraphError as exc:
        return [Failure(path, "validate", str(exc)) for path, _ in letters]
    out: list[Letterload | Failure] = []
    for (path, letter), check in zip(letters, checks, strict=True):
        try:
            graph, triples = letter_to_triples(letter, base)
        except ImrGraphError as exc:
            out.append(Failure(path, "parse", str(exc)))
            continue
        except Exception as exc:  # a bug: this letter fails, not the batch of 32 around it
            reason = f"internal error, please report: {type(exc).__name__}: {exc}"
            out.append(Failure(path, "parse", reason))
            continue
        # The tally links are computed here, in the worker, from the very triples stored:
        # the writing process only adds them to the letter's transaction.
        links, tallies = letter_tallies(triples, section_documents())
        data = ox.serialize(triples + links, format=ox.RdfFormat.N_TRIPLES)
        out.append(
            Letterload(
                path,
                letter.source.sha256,
                graph,
                data,
                len(triples) + len(links),
                [_violation_text(v) for v in check.violations],
                {tally.iri: description_ntriples(tally) for tally in tallies},
            )
        )
    return out


# ---- parent side -------------------------------------------------------------------------------


def file_sha256(path: Path) -> str | None:
    """sha256 of a file's bytes, or None if it cannot be read (the worker then says why)."""
    digest = hashlib.sha256()
    if not path.is_file():  # a FIFO would block this process forever; the worker says why
        return None
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


Event = Callable[[str, str, str], None]  # (kind: stored|skipped|failed, path, detail)


def count_input_files(
    paths: Iterable[str | Path], on_empty: Callable[[Path], None] | None = None
) -> int:
    """How many files ``ingest`` will look at (walks the folders once; for the progress bar).

    ``on_empty(folder)``: called for each folder given that holds no letter file.
    """
    from imrgraph.pipeline import iter_input_files

    return sum(1 for _ in iter_input_files(paths, on_empty))


def ingest(
    paths: Iterable[str | Path],
    store: GraphStore,
    *,
    workers: int | None = None,
    force: bool = False,
    base: str = DEFAULT_DATA_BASE,
    batch_size: int = BATCH_SIZE,
    on_event: Event | None = None,
    limits: Limits | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> IngestSummary:
    """Parse, validate and store every letter under ``paths``; never raises for a bad file.

    ``workers``: processes for parsing (default: all cores; 1 = in this process). Already stored
    letters (by sha256) are skipped unless ``force``, which replaces them (and any graph that
    held the same file under another key). Store errors (locked, server down) do raise.
    ``limits``: per-file size, page and time limits (default ``DEFAULT_LIMITS``); a worker
    stuck past the time limit is killed and the run goes on (``imrgraph.workers``).
    ``should_stop``: polled before each file is handed out; once it returns True no new file is
    started, the files in flight are finished and written, and the summary is returned
    (``summary.stopped``): a graceful stop, every stored letter whole, no worker killed.
    """
    from imrgraph.pipeline import iter_input_files
    from imrgraph.rdf.mapper import normalize_base

    base = normalize_base(base)
    workers = max(1, workers or os.cpu_count() or 1)
    summary = IngestSummary()
    started = time.perf_counter()
    notify = on_event or (lambda kind, path, detail: None)
    # A file whose bytes are in flight already (an identical copy) is not parsed again: it
    # waits for the first copy's outcome and shares it (stored -> skipped, failed -> failed
    # with the same reason), so a copy of a bad file is never reported as already stored.
    inflight: dict[str, str] = {}  # path in flight -> its sha256
    copies: dict[str, list[str]] = {}  # sha256 in flight -> the identical files waiting

    check_base(store, base)  # one store, one base: a letter is one letter
    prepare_tallies(store)

    def to_parse() -> Iterator[str]:
        for path in iter_input_files(paths):
            if should_stop is not None and should_stop():
                summary.stopped = True
                return
            summary.files += 1
            sha = file_sha256(path)
            if sha is not None and sha in copies:
                copies[sha].append(str(path))
                continue
            if sha is not None and not force and store.has_source(sha):
                summary.skipped += 1
                notify("skipped", str(path), "already stored")
                continue
            if sha is not None:
                inflight[str(path)] = sha
                copies[sha] = []
            yield str(path)

    writer = LetterWriter(store, summary, force=force, on_event=notify)

    def write(result: Letterload | Failure) -> None:
        failure = writer.write(result)
        sha = inflight.pop(result.path, None)
        for copy in copies.pop(sha, []) if sha is not None else []:
            if failure is not None:
                writer.write(Failure(copy, failure.stage, failure.reason))
            else:
                summary.skipped += 1
                notify("skipped", copy, f"same file as {result.path}")

    limits = limits or DEFAULT_LIMITS
    batches = _batches(to_parse(), batch_size)
    if workers == 1:
        for batch in batches:
            try:
                results = process_batch(batch, base, limits)
            except Exception as exc:  # a bug: as with workers, the batch fails, the run goes on
                reason = f"internal error, please report: {type(exc).__name__}: {exc}"
                results = [Failure(path, "parse", reason) for path in batch]
            for result in results:
                write(result)
    else:
        run_supervised(
            batches,
            process_batch,
            (base, limits),
            workers=workers,
            inflight=workers * INFLIGHT_PER_WORKER,
            per_file_seconds=limits.max_seconds,
            write=write,
            fail=lambda path, reason: write(Failure(path, "parse", reason)),
            preload=["imrgraph.pipeline", "imrgraph.rdf.mapper"],
            max_memory=limits.max_memory,
        )
    summary.tallies_current = tallies_current(store)
    summary.seconds = time.perf_counter() - started
    return summary


def prepare_tallies(store: GraphStore) -> None:
    """Load the ontology, and keep the tallies' trust mark right (``imrgraph.store.tallies``).

    An empty store is trivially tallied: it gets the mark, and every letter ingest writes
    carries its links. A changed guideline scheme may move sections between documents, so
    loading it removes the mark, in the same transaction (``GraphStore.load_ontology``); a
    store holding letters stays unmarked until ``imrgraph tally`` restores it.
    """
    store.load_ontology()
    if not has_letters(store) and not tallies_current(store):
        mark_tallies(store)


class LetterWriter:
    """The parent's side of ingest: store a checked letter as one transaction, or report it.

    A letter with SHACL violations is reported and not stored; a letter whose graph already
    holds the same letter from another file is skipped unless ``force``.
    """

    def __init__(
        self,
        store: GraphStore,
        summary: IngestSummary,
        *,
        force: bool = False,
        on_event: Event | None = None,
    ) -> None:
        self.store = store
        self.summary = summary
        self.force = force
        self.notify = on_event or (lambda kind, path, detail: None)
        self.described: set[str] = set()  # tallies whose description this run has written

    def write(self, result: Letterload | Failure) -> Failure | None:
        """Store or report ``result``; the failure recorded, if it was not stored or skipped."""
        summary = self.summary
        if isinstance(result, Failure):
            summary.failures.append(result)
            self.notify("failed", result.path, f"{result.stage}: {result.reason}")
            return result
        if result.violations:
            failure = Failure(result.path, "validate", _summarise(result.violations))
            summary.failures.append(failure)
            self.notify("failed", result.path, f"validate: {failure.reason}")
            return failure
        stale = _stale_graphs(self.store, result) if self.force else []
        new_tallies = {
            iri: data for iri, data in result.tallies.items() if iri not in self.described
        }
        placed = store_letter(
            self.store,
            result.graph,
            result.sha256,
            result.ntriples,
            stale,
            tallies=b"".join(new_tallies.values()),
        )
        if placed.kind == "skipped":
            summary.skipped += 1
            self.notify("skipped", result.path, placed.detail)
            return None
        self.described.update(new_tallies)
        summary.stored += 1
        summary.triples += result.triples
        self.notify("stored", result.path, placed.detail)
        return None


def _summarise(violations: list[str], limit: int = 3) -> str:
    """Distinct violation messages with their counts, the first ``limit`` of them."""
    counts: dict[str, int] = {}
    for text in violations:
        counts[text] = counts.get(text, 0) + 1
    parts = [f"{text} (x{n})" if n > 1 else text for text, n in list(counts.items())[:limit]]
    if len(counts) > limit:
        parts.append(f"and {len(counts) - limit} more kinds")
    return "; ".join(parts)


def _stale_graphs(store: GraphStore, load: Letterload) -> list[str]:
    """Other graphs holding a letter from the same file (its key changed since): replaced too."""
    sha = serialize_term(ox.Literal(load.sha256))
    result = store.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s <https://w3id.org/imrgraph/ontology#sha256> "
        f"{sha} }} }}"
    )
    return [str(row[0]) for row in result.rows if str(row[0]) != load.graph]
