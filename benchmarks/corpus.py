"""Generate realistic synthetic IMR final determination letters with their ground truth.

Why: real users bring tens of thousands of letters, the project has a handful of examples. This
generator writes as many letters as a benchmark needs (PDF and/or text), each with the JSON the
parser should produce for it (``letter.schema.json`` form, following the "Parser output
conventions" of docs/DESIGN.md), so accuracy can be measured field by field at scale and the
store can be loaded with 100,000 letters.

It is deliberately independent of the parser: it imports nothing from ``imrgraph`` (the truth is
known because the generator composed the letter, not because it re-reads it), and its tables live
in ``corpus_data.py``. A shared regex or table would make the accuracy check circular.

Two layouts (``--layout``): "classic", the letters of 2013-2016 (older and newer item styles,
optional header table, running header and footer, fpdf2 PDFs), and "published", the layout the
DWC publishes from December 2016 and users download in bulk (DOMAIN.md, "The published
decisions": the four-column header table with ``UR Denial Date`` and the wrapped ``Application
Received``, modified requests, preambles, the 2016 MTUS titles, multi-document MTUS citations,
ODG spellings, web addresses broken at a hyphen, page breaks anywhere, and PDFs drawn glyph by
glyph as Acrobat PDFMaker does, by ``pdfmaker.py``). The default mix is 70% published
(``PUBLISHED_SHARE`` says why).

Usage::

    python benchmarks/corpus.py --letters 10000 --seed 1 --out /tmp/corpus          # PDFs
    python benchmarks/corpus.py --letters 300 --out /tmp/c --text --pdf              # both
    python benchmarks/corpus.py --letters 300 --out /tmp/p --layout published        # one layout

Each letter ``i`` is written as ``OUT/<i // 1000>/letter-<i>.pdf`` (and/or ``.txt``) with its truth
beside it as ``letter-<i>.pdf.json`` (``.txt.json``), plus ``OUT/corpus.json`` (seed, counts, the
realised mix). Letter ``i`` depends only on ``(seed, i)``: the output is byte-identical whatever
the number of worker processes (and, for PDFs, as long as the fpdf2 version is the same), and no
corpus is ever held in memory. ``GENERATOR_VERSION`` changes whenever a seed's letters change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_data as D
import pdfmaker

GENERATOR_VERSION = "10"
SHARD_SIZE = 1000

BOILERPLATE = (
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no "
    "affiliation with the employer, employee, providers or the claims administrator. He/she has "
    "been in active clinical practice for more than five years and is currently working at least "
    "24 hours a week in active practice. The expert reviewer was selected based on his/her "
    "clinical experience, education, background, and expertise in the same or similar "
    "specialties that evaluate and/or treat the medical condition and disputed items/Service. "
    "He/she is familiar with governing laws and regulations, including the strength of evidence "
    "hierarchy that applies to Independent Medical Review determinations."
)
SUMMARY_LEAD = (
    "The expert reviewer developed the following clinical case summary based on a review of the "
    "case file, including all medical records:"
)
ISSUES_LEAD = (
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:"
)
NO_EVIDENCE = "The Claims Administrator did not cite any medical evidence for its decision."


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def letter_rng(seed: int, index: int) -> random.Random:
    """The random source of one letter: a function of (seed, index) only, so any worker can
    produce letter ``index`` and the corpus is the same whatever the parallelism."""
    return random.Random(f"imrgraph-corpus:{seed}:{index}")


def pick(rng: random.Random, weighted: list[tuple[float, Any]]) -> Any:
    """A weighted choice from ``[(weight, value), ...]``."""
    total = sum(w for w, _ in weighted)
    x = rng.random() * total
    for w, value in weighted:
        x -= w
        if x < 0:
            return value
    return weighted[-1][1]


def pick_distinct(rng: random.Random, weighted: list[tuple[float, Any]], n: int) -> list[Any]:
    """Up to ``n`` distinct weighted choices, without replacement."""
    pool = list(weighted)
    out = []
    while pool and len(out) < n:
        value = pick(rng, pool)
        out.append(value)
        pool = [(w, v) for w, v in pool if v != value]
    return out


def collapse(text: str) -> str:
    """Whitespace runs to one space, trimmed: the convention every truth text field follows."""
    return " ".join(text.split())


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def iso(d: dt.date) -> str:
    return d.isoformat()


def spell_date(rng: random.Random, d: dt.date, style: str | None = None) -> str:
    """A date the way reviewers write it (letters mix these freely)."""
    style = style or pick(rng, DATE_STYLES)
    if style == "long":
        return f"{D.MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == "long0":
        return f"{D.MONTHS[d.month - 1]} {d.day:02d}, {d.year}"
    if style == "abbr":
        return f"{D.MONTH_ABBR[d.month - 1]} {d.day}, {d.year}"
    if style == "slash":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "dash":
        return f"{d.month:02d}-{d.day:02d}-{d.year}"
    if style == "slash_short":
        return f"{d.month}/{d.day}/{d.year}"
    if style == "dash_short":
        return f"{d.month}-{d.day}-{d.year}"
    raise ValueError(style)


DATE_STYLES: list[tuple[float, str]] = [
    (40, "long"),
    (3, "long0"),
    (3, "abbr"),
    (22, "slash"),
    (17, "dash"),
    (8, "slash_short"),
    (7, "dash_short"),
]


def header_date(d: dt.date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def join_words(rng: random.Random, words: list[str], oxford: bool | None = None) -> str:
    """'a', 'a and b', 'a, b, and c' (or without the serial comma)."""
    if len(words) == 1:
        return words[0]
    if len(words) == 2:
        return f"{words[0]} and {words[1]}"
    if oxford is None:
        oxford = rng.random() < 0.6
    return ", ".join(words[:-1]) + ("," if oxford else "") + " and " + words[-1]


def an(number: int) -> str:
    """The article before a spoken number: "an 18-year-old", "an 81-year-old", "a 39-year-old"."""
    return "an" if number in (8, 11, 18) or 80 <= number <= 89 else "a"


SMART = str.maketrans({"'": "\u2019"})


def smarten(text: str) -> str:
    """Typographic apostrophes and dashes, as a word processor writes them into many letters."""
    return text.translate(SMART).replace(" - ", " \u2013 ")


def pluralize(noun: str) -> str:
    if noun.endswith("foot"):
        return noun[:-4] + "feet"
    if noun.endswith("extremity"):
        return noun[:-1] + "ies"
    return noun + "s"


# --------------------------------------------------------------------------------------------
# citations
# --------------------------------------------------------------------------------------------

ACOEM_EDITIONS = {
    "2nd": [(4, "2nd Edition (2004)"), (3, "Second Edition"), (2, "2nd Edition")],
    "3rd": [(4, "3rd Edition (2011)"), (2, "Third Edition"), (2, "3rd Edition")],
}
ODG_PREFIXES = [
    (5, "Non-MTUS Official Disability Guidelines (ODG)"),
    (3, "Non-MTUS Citation Official Disability Guidelines (ODG)"),
    (2, "Official Disability Guidelines (ODG)"),
]


def truth_citation(
    text: str,
    family: str,
    document: str | None,
    edition: str | None = None,
    section: str | None = None,
    pages: str | None = None,
) -> dict[str, Any]:
    return {
        "text": collapse(text),
        "family": family,
        "in_mtus": family == "MTUS",
        "document": document,
        "edition": edition,
        "section": section,
        "pages": pages,
    }


def render_citation(
    rng: random.Random, spec: tuple, style: str, drop_mtus: bool = False
) -> tuple[str, dict[str, Any]]:
    """One citation as written in a citation line, and its truth.

    ``style`` is "newer" (``Decision based on ...`` lines) or "older" (``based its decision on
    the ..., which is part of the MTUS``). ``drop_mtus`` writes an MTUS citation without its
    ``MTUS`` marker, as letters do after "and" (the family is then inherited).
    """
    kind = spec[0]
    if style == "older":
        return _render_older(rng, spec)
    if style == "published":
        return _render_published(rng, spec, drop_mtus)
    mtus = "" if drop_mtus else "MTUS "
    if kind == "cp":
        _, section, pages = spec
        text = f"{mtus}Chronic Pain Medical Treatment Guidelines"
        if section:
            text += f", {section}"
        if pages:
            text += f" Page(s): {pages}"
        return text, truth_citation(text, "MTUS", D.CHRONIC_PAIN, None, section, pages)
    if kind == "ch":
        _, number, section = spec
        title = D.MTUS_CHAPTERS[number]
        text = f"{mtus}{title} 2004"
        if section:
            text += f", Section(s): {section}"
        return text, truth_citation(text, "MTUS", title, "2004", section, None)
    if kind == "chp":
        _, number, pages = spec
        title = D.MTUS_CHAPTERS[number]
        text = (
            f"MTUS (ACOEM Practice Guidelines, 2nd Edition (2004), Chapter {number}) {title}, "
            f"page {pages}"
        )
        return text, truth_citation(text, "MTUS", title, "2004", None, pages)
    if kind == "acu":
        text = "MTUS Acupuncture Medical Treatment Guidelines"
        return text, truth_citation(text, "MTUS", D.ACUPUNCTURE)
    if kind == "post":
        _, section = spec
        text = "MTUS Postsurgical Treatment Guidelines" + (f", {section}" if section else "")
        return text, truth_citation(text, "MTUS", D.POSTSURGICAL, None, section)
    if kind == "odg":
        _, key, section = spec
        document, spellings = D.ODG_CHAPTERS[key]
        text = f"{pick(rng, ODG_PREFIXES)}, {pick(rng, spellings)}"
        if section:
            text += f", {section}"
        return text, truth_citation(text, "ODG", document, None, section)
    if kind == "acoem":
        _, edition, number, title, pages = spec
        written = pick(rng, ACOEM_EDITIONS[edition])
        text = f"Non-MTUS Citation ACOEM Practice Guidelines, {written}, Chapter {number}"
        if title:
            text += rng.choice([f", {title}", f" (update 11/30/2007) {title}"])
        if pages:
            text += rng.choice([f", page {pages}", f" page {pages}"])
        section = title or f"Chapter {number}"
        return text, truth_citation(
            text, "ACOEM", D.ACOEM_DOCUMENT, f"{edition} Edition", section, pages
        )
    if kind == "other":
        _, name = spec
        text = f"Non-MTUS: {name}"
        return text, truth_citation(text, "OTHER", name)
    raise ValueError(spec)


def _render_older(rng: random.Random, spec: tuple) -> tuple[str, dict[str, Any]]:
    kind = spec[0]
    part_of = ", which is part of the MTUS"
    not_part = ", which is not part of the MTUS"
    if kind == "cp":
        _, section, pages = spec
        text = "the MTUS Chronic Pain Medical Treatment Guidelines"
        if section:
            text += f", {section}"
        if pages:
            text += f", {'pages' if '-' in pages else 'page'} {pages}"
        text += part_of
        return text, truth_citation(text, "MTUS", D.CHRONIC_PAIN, None, section, pages)
    if kind in ("ch", "chp"):
        number = spec[1]
        pages = spec[2] if kind == "chp" else None
        title = D.MTUS_CHAPTERS[number]
        text = f"the ACOEM Practice Guidelines, 2nd Edition (2004), Chapter {number}, {title}"
        if pages:
            text += f", {'pages' if '-' in pages else 'page'} {pages}"
        text += part_of
        return text, truth_citation(text, "MTUS", title, "2004", None, pages)
    if kind == "acu":
        text = "the MTUS Acupuncture Medical Treatment Guidelines" + part_of
        return text, truth_citation(text, "MTUS", D.ACUPUNCTURE)
    if kind == "post":
        _, section = spec
        text = "the MTUS Postsurgical Treatment Guidelines" + (f", {section}" if section else "")
        text += part_of
        return text, truth_citation(text, "MTUS", D.POSTSURGICAL, None, section)
    if kind == "odg":
        _, key, section = spec
        document, spellings = D.ODG_CHAPTERS[key]
        text = f"the Official Disability Guidelines (ODG), {pick(rng, spellings)}"
        if section:
            text += f", {section}"
        text += not_part
        return text, truth_citation(text, "ODG", document, None, section)
    if kind == "acoem":
        _, edition, number, title, pages = spec
        written = pick(rng, ACOEM_EDITIONS[edition])
        text = f"the ACOEM Practice Guidelines, {written}, Chapter {number}"
        if title:
            text += f", {title}"
        if pages:
            text += f", page {pages}"
        text += not_part
        section = title or f"Chapter {number}"
        return text, truth_citation(
            text, "ACOEM", D.ACOEM_DOCUMENT, f"{edition} Edition", section, pages
        )
    if kind == "other":  # rare in older letters; the source named as is
        _, name = spec
        text = name + not_part
        return text, truth_citation(text, "OTHER", name)
    raise ValueError(spec)


def _render_published(rng: random.Random, spec: tuple, drop_mtus: bool) -> tuple[str, dict]:
    """A citation as the published (December 2016 on) letters write it: the 2016 MTUS titles
    with their year ("MTUS Chronic Pain Medical Treatment 2016, Section(s): Opioids"), ODG in
    its many spellings, other sources after "Non-MTUS Citation"."""
    kind = spec[0]
    mtus = "" if drop_mtus else "MTUS "

    def sections(text: str, section: str | None) -> str:
        return text + (f", Section(s): {section}" if section else "")

    if kind == "cp":
        _, section, _pages = spec
        year = pick(rng, D.PUBLISHED_CHRONIC_PAIN)
        if year == "2016" and section and "pioid" in section and rng.random() < 0.3:
            text = sections(f"{mtus}Opioid Treatment 2016", section)
            return text, truth_citation(text, "MTUS", D.OPIOIDS_DOCUMENT, "2016", section)
        text = sections(f"{mtus}Chronic Pain Medical Treatment {year}", section)
        return text, truth_citation(text, "MTUS", D.CHRONIC_PAIN, year, section)
    if kind in ("ch", "chp"):
        number = spec[1]
        section = spec[2] if kind == "ch" else None
        title = D.MTUS_CHAPTERS[number]
        if number == 10:
            text = sections(f"{mtus}{D.ELBOW_2007}", section)
            return text, truth_citation(text, "MTUS", title, "2007", section)
        text = sections(f"{mtus}{title} 2004", section)
        return text, truth_citation(text, "MTUS", title, "2004", section)
    if kind == "acu":
        text = f"{mtus}Acupuncture Treatment 2007"
        return text, truth_citation(text, "MTUS", D.ACUPUNCTURE, "2007")
    if kind == "post":
        _, section = spec
        text = sections(f"{mtus}Postsurgical Treatment 2009", section)
        return text, truth_citation(text, "MTUS", D.POSTSURGICAL, "2009", section)
    if kind == "odg":
        _, key, section = spec
        document = D.ODG_CHAPTERS[key][0]
        spelling, form = pick(rng, [(w, (sp, f)) for w, sp, f in D.PUBLISHED_ODG[key]])
        lead = pick(
            rng,
            [
                (6, "Non-MTUS Citation Official Disability Guidelines (ODG),"),
                (2, "Non-MTUS Citation Official Disability Guidelines,"),
                (2, "Non-MTUS Citation Official Disability Guidelines (ODG)"),
            ],
        )
        updated = rng.choice(D.ODG_UPDATED)
        if form == "bare":
            text = f"Non-MTUS Citation ODG {spelling} Chapter (updated {updated})"
        elif form == "updated":
            text = f"{lead} {spelling} (updated {updated})"
        elif form == "colon":
            text = f"{lead} {spelling} chapter (online version)"
        else:
            text = f"{lead} {spelling}"
        if section:
            text += (": " if form == "colon" else ", ") + section
        return text, truth_citation(text, "ODG", document, None, section)
    if kind == "acoem":
        return render_citation(rng, spec, "newer")
    if kind == "other":
        _, name = spec
        if rng.random() < 0.7:
            name = pick(rng, D.PUBLISHED_OTHER)
        text = f"Non-MTUS Citation {name}"
        return text, truth_citation(text, "OTHER", collapse(name))
    raise ValueError(spec)


MTUS_KINDS = ("cp", "ch", "chp", "acu", "post")
PUBLISHED_JOINERS = [(30, " and "), (30, ", and "), (10, "; "), (30, ". Decision based on ")]
NEWER_JOINERS = [(35, " and "), (15, ", and "), (20, "; "), (30, ". Decision based on ")]
OLDER_JOINERS = [(5, ", and "), (3, " and "), (2, "; ")]


def citation_line(
    rng: random.Random, specs: list[tuple], style: str
) -> tuple[str, list[dict[str, Any]]]:
    """The body of a citation line (after its lead-in) and the truth of each citation."""
    parts: list[str] = []
    truths: list[dict[str, Any]] = []
    for i, spec in enumerate(specs):
        joiner = ""
        drop = False
        if i and style == "published":
            # one MTUS citation naming several documents: "MTUS Low Back Complaints 2004,
            # Section(s): Summary, and Chronic Pain Medical Treatment 2016, Section(s): ..."
            joiner = pick(rng, PUBLISHED_JOINERS)
            drop = (
                "and" in joiner
                and spec[0] in MTUS_KINDS
                and truths[-1]["family"] == "MTUS"
                and rng.random() < 0.7
            )
        elif i:
            joiner = pick(rng, NEWER_JOINERS if style == "newer" else OLDER_JOINERS)
            drop = (
                style == "newer"
                and "and" in joiner
                and spec[0] in ("cp", "ch")
                and truths[-1]["family"] == "MTUS"
                and rng.random() < 0.5
            )
        text, truth = render_citation(rng, spec, style, drop_mtus=drop)
        parts.append(joiner + text)
        truths.append(truth)
    return "".join(parts), truths


# --------------------------------------------------------------------------------------------
# the letter
# --------------------------------------------------------------------------------------------


@dataclass
class Block:
    """A paragraph of the letter: ``kind`` is heading, para, lines (hard breaks) or decision."""

    kind: str
    text: str
    item: int | None = None
    gap: bool = True  # a blank line before it (published letters often run paragraphs together)


@dataclass
class Draft:
    """A composed letter before layout: its blocks, header table and ground truth."""

    blocks: list[Block]
    table: list[tuple[str, str]]
    running_header: str | None
    truth: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


class Summary:
    """Writes the CLINICAL CASE SUMMARY and records body parts in order of first mention."""

    def __init__(self, rng: random.Random, sides: dict[str, str]) -> None:
        self.rng = rng
        self.sides = sides
        self.mentioned: list[str] = []

    def part(self, name: str) -> str:
        """A noun phrase naming body part ``name``; records the mention."""
        phrase = self.rng.choice(D.BODY_PARTS[name])
        if "{side}" in phrase:
            side = self.sides.setdefault(name, self.rng.choice(D.SIDES))
            phrase = phrase.replace("{side}", side)
            if side == "bilateral":
                phrase = pluralize(phrase)
        if name not in self.mentioned:
            self.mentioned.append(name)
        return phrase


def choose_parts(rng: random.Random) -> list[str]:
    n = pick(rng, [(55, 1), (32, 2), (10, 3), (3, 4)])
    weighted = [(w, name) for name, w in D.BODY_PART_WEIGHTS.items()]
    return pick_distinct(rng, weighted, n)


def choose_item_count(rng: random.Random) -> int:
    return pick(
        rng,
        [
            (48, 1),
            (25, 2),
            (12, 3),
            (6, 4),
            (4, 5),
            (2, 6),
            (1.2, 7),
            (0.8, 8),
            (0.6, 9),
            (0.4, 10),
        ],
    )


KIND_WEIGHTS = [(k["weight"], k) for k in D.SERVICE_KINDS]


def choose_service(
    rng: random.Random, kind: dict, parts: list[str], sides: dict[str, str], dos: str
) -> tuple[str, str, dict[str, list]]:
    """A service text (as the letter names it), its short name for running prose, and the
    citation pools that fit it (``ca``, ``rv``, ``running``: a shoulder surgery cites the
    shoulder chapters, a carpal tunnel release the hand chapters)."""
    rows = kind["services"]
    row = rng.choice(rows)
    if len(row) > 2 and row[2] is not None and row[2] not in parts:
        row = rng.choice(rows)  # prefer a service about an injured part, not always
    text, short = row[0], row[1]
    part = row[2] if len(row) > 2 else None
    key = row[3] if len(row) > 3 else part
    pools = kind.get("by", {}).get(key) or kind
    side = sides.get(part or "", rng.choice(["right", "left"]))
    if side == "bilateral":
        side = rng.choice(["right", "left"])
    text = text.replace("{side}", side).replace("{side_cap}", side.capitalize())
    text = text.replace("{dos}", dos)
    if kind.get("drug"):
        text = pick(
            rng,
            [
                (75, text),
                (8, f"Retrospective {text} (DOS: {dos})"),
                (10, f"Prospective request for 1 prescription of {text}"),
                (7, f"Retrospective request for {text}"),
            ],
        )
    return text, short, {name: pools[name] for name in ("ca", "rv", "running")}


def credentials(
    rng: random.Random, published: bool = False
) -> tuple[Block, list[str], list[str], str]:
    """The reviewer's credentials in one of the two styles, with states and specialties (the
    published letters use the list style only, states sometimes joined by a bare comma)."""
    weight_rows = [(w, (cert, subs)) for w, cert, subs in D.SPECIALTIES]
    cert, subs = pick(rng, weight_rows)
    sub = rng.choice(subs) if subs and rng.random() < 0.5 else None
    specialties = [cert] + ([sub] if sub else [])
    n_states = pick(rng, [(72, 1), (20, 2), (8, 3)])
    others = [s for s in D.STATES if s[0] != "California"]
    states = [("California", "CA")]
    if n_states > 1:
        states += rng.sample(others, n_states - 1)
        rng.shuffle(states)
    elif rng.random() < 0.08:
        states = [rng.choice(others)]
    names = [s[0] for s in states]
    board_style = cert not in ("Chiropractic Sports Physician", "Acupuncturist", "Psychologist")
    if not published and board_style and rng.random() < 0.5:
        who = pick(
            rng,
            [(6, "The expert reviewer"), (2, "The Expert Reviewer"), (1, "The physician reviewer")],
        )
        text = f"{who} is Board Certified in {cert}"
        if sub:
            text += f", has a subspecialty in {sub}"
        if len(names) == 1:
            where = names[0]
        elif rng.random() < 0.5:
            where = join_words(rng, names, oxford=False)
        else:
            where = ", ".join(names)
        text += f" and is licensed to practice in {where}."
        return Block("para", text), names, specialties, "sentence"
    written = [abbr if rng.random() < 0.08 else name for name, abbr in states]
    comma = "," if published and rng.random() < 0.3 else ", "
    lines = [
        "The Expert Reviewer has the following credentials:",
        f"State(s) of Licensure: {comma.join(written)}",
        f"Certification(s)/Specialty: {', '.join(specialties)}",
    ]
    if rng.random() < (0.1 if published else 0.4):
        return Block("para", "  ".join(lines)), names, specialties, "list-one-line"
    return Block("lines", "\n".join(lines)), names, specialties, "list"


LAYOUTS = ("classic", "published")
# Share of the published layout in the default mix: what a user's bulk download holds today.
# The DWC has posted every decision since 2013 (100,000-200,000 a year); those decided from
# December 2016 on are in the published layout, so a download of all years is mostly this
# layout. 0.7 keeps the classic layouts (2013-2016) at a share that still measures them.
PUBLISHED_SHARE = 0.7
# Share of published items that are modified requests (47 of 439 = 10.7% in the real letters),
# divided by the share of services whose quantity can be split (#60, x12, 6 sessions: about
# half of the generated ones).
MODIFIED_SHARE = 0.107 / 0.50


# Words that name a body part (docs/DESIGN.md's vocabulary), to keep service texts that name one
# out of the summary, whose body parts the truth lists in order of mention.
BODY_WORD_RE = re.compile(
    r"\b(?:head|neck|cervical|upper back|thoracic|mid back|low back|lower back|lumbar|"
    r"lumbosacral|shoulders?|upper extremit(?:y|ies)|arms?|elbows?|forearms?|wrists?|hands?|"
    r"fingers?|thumbs?|hips?|lower extremit(?:y|ies)|legs?|knees?|ankles?|foot|feet|toes?|"
    r"chest|abdomen)\b",
    re.IGNORECASE,
)


def choose_layout(seed: int, index: int) -> str:
    """The layout of letter ``index`` in the default mix: its own random source, so that a
    letter's text does not depend on whether its layout was drawn or asked for."""
    r = random.Random(f"imrgraph-corpus-layout:{seed}:{index}")
    return "published" if r.random() < PUBLISHED_SHARE else "classic"


def published_dates(rng: random.Random) -> dict[str, dt.date]:
    """Dates of a letter decided from December 2016 on (the MTUS 2016 titles' era)."""
    decision = dt.date(2016, 12, 1) + dt.timedelta(days=rng.randrange(0, 365))
    assigned = decision - dt.timedelta(days=rng.randrange(14, 40))
    received = assigned - dt.timedelta(days=rng.randrange(1, 12))
    ur = received - dt.timedelta(days=rng.randrange(0, 25))
    injury = ur - dt.timedelta(days=rng.randrange(7, 365 * 15))
    return {
        "injury": injury,
        "ur_decision": ur,
        "assigned": assigned,
        "decision": decision,
        "application_received": received,
    }


def choose_published_item_count(rng: random.Random) -> int:
    """Items in a published letter: 2.26 on average in the real ones (2.28 here)."""
    return pick(
        rng,
        [(42, 1), (26, 2), (14, 3), (8, 4), (5, 5), (2.5, 6), (1.2, 7), (0.7, 8), (0.4, 9),
         (0.2, 10)],
    )  # fmt: skip


# A quantity UR can split: "#60", "x12", "6 sessions", "12 visits" (the last one in the text:
# "Tylenol with Codeine #3 #60" splits the 60).
QUANTITY_RE = re.compile(r"#(\d+)\b|\bx(\d+)\b|\b(\d+)(?= (?:sessions|visits)\b)")


def split_request(rng: random.Random, service: str) -> tuple[str, str, str] | None:
    """(original request, what UR authorized, the remainder that went to IMR), or None when the
    service names no quantity of at least 2."""
    matches = list(QUANTITY_RE.finditer(service))
    if not matches:
        return None
    m = matches[-1]
    group = next(g for g in (1, 2, 3) if m.group(g))
    n = int(m.group(group))
    if n < 2:
        return None
    granted = n // 2 if rng.random() < 0.5 else rng.randrange(1, n)

    def with_quantity(k: int) -> str:
        return service[: m.start(group)] + str(k) + service[m.end(group) :]

    return service, with_quantity(granted), with_quantity(n - granted)


# How a published heading states a modified request: (weight, form, template, disputed part).
# The first two are the DWC's own sentences (DOMAIN.md); the others reorder their words as other
# writers of these letters plausibly do.
MODIFIED_FORMS = [
    (45, "remaining", "{o} was the original request. {a} was authorized by the Claims "
     "Administrator. The remaining IMR eligible portion of the original request, {r} is: {out}",
     "r"),
    (25, "whole", "{o} was the original request. The Claims Administrator authorized {a}, "
     "leaving the original request IMR eligible. The original request, {o} is: {out}", "o"),
    (12, "remaining-first", "The original request was {o}. The Claims Administrator authorized "
     "{a}. The remaining IMR eligible portion of the original request, {r} is: {out}", "r"),
    (10, "remaining-short", "{o} was the original request. {a} was authorized by the Claims "
     "Administrator. The remaining IMR eligible portion, {r} is: {out}", "r"),
    (8, "whole-passive", "{o} was the original request. {a} was authorized by the Claims "
     "Administrator, leaving the original request IMR eligible. The original request, {o} is: "
     "{out}", "o"),
]  # fmt: skip


def modified_heading(
    rng: random.Random, original: str, authorized: str, remainder: str, outcome: str
) -> tuple[str, str, str]:
    """The item heading of a modified request, the disputed service it names, and its form."""
    form, template, part = pick(rng, [(w, (f, t, p)) for w, f, t, p in MODIFIED_FORMS])
    heading = template.format(o=original, a=authorized, r=remainder, out=outcome)
    return heading, remainder if part == "r" else original, form


def preamble(rng: random.Random, specs: list[tuple], party: str) -> str:
    """The sentence a published citation paragraph may open with when its first citation is
    outside the MTUS (never a citation), with its trailing space; else ""."""
    if specs and specs[0][0] not in MTUS_KINDS and rng.random() < 0.75:
        return D.PREAMBLE.format(party=party) + " "
    return ""


def letter_dates(rng: random.Random) -> dict[str, dt.date]:
    year = pick(rng, [(15, 2013), (30, 2014), (35, 2015), (20, 2016)])
    received = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
    if year == 2013 and received < dt.date(2013, 3, 1):
        received += dt.timedelta(days=60)
    ur = received - dt.timedelta(days=rng.randrange(5, 30))
    assigned = received + dt.timedelta(days=rng.randrange(1, 15))
    decision = assigned + dt.timedelta(days=rng.randrange(7, 40))
    injury = ur - dt.timedelta(days=rng.randrange(60, 365 * 12))
    return {
        "injury": injury,
        "ur_decision": ur,
        "assigned": assigned,
        "decision": decision,
        "application_received": received,
    }


def make_letter(seed: int, index: int, layout: str | None = None) -> Draft:
    """Compose letter ``index`` of corpus ``seed``: text blocks plus its ground truth.

    ``layout`` is "classic" (the 2013-2016 letters: both item styles, optional header table,
    running header and footer) or "published" (the DWC's downloads from December 2016: see
    DOMAIN.md, "The published decisions"); by default each letter draws its own (see
    ``choose_layout``). A classic letter is the same whichever way it was chosen.
    """
    layout = layout or choose_layout(seed, index)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    published = layout == "published"
    rng = letter_rng(seed, index)
    style = "newer"
    dates = published_dates(rng) if published else letter_dates(rng)
    year = dates["application_received"].year
    if published:
        has_table = True
        year = dates["assigned"].year
    else:
        if rng.random() < {2013: 0.6, 2014: 0.3}.get(year, 0.05):
            style = "older"
        has_table = rng.random() < (0.7 if style == "newer" else 0.45)
    case_number = f"CM{year % 100:02d}-{rng.randrange(10**7):07d}"
    priority = "Expedited" if rng.random() < 0.05 else "Standard"
    warnings: list[str] = []

    # --- who and what --------------------------------------------------------------------
    parts = choose_parts(rng)
    sides: dict[str, str] = {
        p: pick(rng, [(45, "right"), (40, "left"), (15, "bilateral")]) for p in parts
    }
    age = round(rng.triangular(18, 84, 46)) if rng.random() > 0.03 else None
    sex = None
    if age is not None and rng.random() < 0.6:
        sex = rng.choice(["female", "male"])
    n_items = choose_published_item_count(rng) if published else choose_item_count(rng)
    items: list[dict[str, Any]] = []
    seen_services: set[str] = set()
    dos = header_date(dates["ur_decision"] - dt.timedelta(days=rng.randrange(10, 60)))
    while len(items) < n_items:
        kind = pick(rng, KIND_WEIGHTS)
        service, short, pools = choose_service(rng, kind, parts, sides, dos)
        if service in seen_services:
            continue
        seen_services.add(service)
        outcome = "Upheld" if rng.random() < (0.89 if published else 0.9) else "Overturned"
        item = {"kind": kind, "service": service, "short": short, "outcome": outcome}
        item.update(pools=pools, original=None, authorized=None, heading=None)
        if published and rng.random() < MODIFIED_SHARE:
            parts_of = split_request(rng, service)
            if parts_of:  # UR authorized part of the request; the rest went to IMR
                heading, disputed, form = modified_heading(rng, *parts_of, outcome)
                item.update(original=parts_of[0], authorized=parts_of[1], heading=heading)
                item.update(service=disputed, modified_form=form)
        items.append(item)

    # --- header table --------------------------------------------------------------------
    summary_dates = dict(dates)
    state_injury = rng.random() > 0.02  # the summary states the injury date
    state_ur = rng.random() > 0.02  # the summary has a Utilization Review sentence
    if has_table:
        # a summary that disagrees with the header now and then: the header wins, with a warning
        if rng.random() < 0.02 and state_injury:
            summary_dates["injury"] = dates["injury"] - dt.timedelta(days=rng.randrange(1, 400))
            warnings.append("date-conflict: injury date in the summary differs from the header")
        elif rng.random() < 0.01 and state_ur:
            summary_dates["ur_decision"] = dates["ur_decision"] - dt.timedelta(
                days=rng.randrange(1, 30)
            )
            warnings.append("date-conflict: UR date in the summary differs from the header")
    table: list[tuple[str, str]] = []
    if published:  # label -> value, drawn as the DWC's four-column table
        table = [
            ("Case Number", case_number),
            ("Date Assigned", header_date(dates["assigned"])),
            ("Date of Injury", header_date(dates["injury"])),
            ("Decision Date", header_date(dates["decision"])),
            ("UR Denial Date", header_date(dates["ur_decision"])),
            ("Priority", priority),
            ("Application Received", header_date(dates["application_received"])),
        ]
    elif has_table:
        table = [
            (f"Case Number: {case_number}", f"Date Assigned: {header_date(dates['assigned'])}"),
            (
                f"Date of Injury: {header_date(dates['injury'])}",
                f"Decision Date: {header_date(dates['decision'])}",
            ),
            (f"UR Denial Date: {header_date(dates['ur_decision'])}", f"Priority: {priority}"),
            (f"Application Received: {header_date(dates['application_received'])}", ""),
        ]

    # --- summary ------------------------------------------------------------------------
    summary = Summary(rng, sides)
    consistent = pick(rng, DATE_STYLES) if rng.random() < 0.7 else None

    def sd(d: dt.date) -> str:
        return spell_date(rng, d, consistent)

    ref = pick(rng, list(zip(D.REFERENT_WEIGHTS, D.REFERENTS, strict=True)))
    Ref = cap(ref)
    sentences: list[str] = []
    if not has_table:
        if not state_injury:
            warnings.append("injury-date-missing: no date of injury found")
        if not state_ur:
            warnings.append("ur-date-missing: no utilization review date found")
    if age is None:
        warnings.append("age-missing: no age found")

    sex_word = rng.choice(D.SEX_WORDS[sex]) if sex else None
    if age is not None:
        age_form = pick(rng, [(45, "hyphen"), (35, "plain"), (10, "half"), (10, "years")])
    else:
        age_form = "none"
    if age_form == "hyphen":
        who = f"{Ref} is {an(age)} {age}-year-old" + (f" {sex_word}" if sex_word else "")
    elif age_form == "plain":
        who = f"{Ref} is {an(age)} {age} year old" + (f" {sex_word}" if sex_word else "")
    elif age_form == "half":
        who = f"{Ref} is {an(age)} {age}-year old" + (f" {sex_word}" if sex_word else "")
    elif age_form == "years":
        who = f"{Ref}, who is {age} years old,"
        sex = None  # this form never states it
    else:
        job = rng.choice(["warehouse worker", "bus driver", "nurse", "laborer", "clerk"])
        who = f"{Ref} is a represented {job}"
    copula_who = who.endswith(",")  # "X, who is 40 years old," is followed by a verb phrase
    inj = sd(summary_dates["injury"])
    intro = pick(rng, [(40, 1), (25, 2), (20, 3), (15, 4)])
    if not state_injury:
        intro = 5
    if intro == 1:
        lead = who + (" has" if copula_who else " who has")
        sentences.append(
            f"{lead} filed a claim for chronic {join_words(rng, [summary.part(p) for p in parts])} "
            f"pain reportedly associated with an industrial injury of {inj}."
        )
    elif intro == 2:
        lead = who + (" sustained" if copula_who else " who sustained")
        sentences.append(
            f"{lead} an industrial injury on {inj} to the "
            f"{join_words(rng, [summary.part(p) for p in parts])}."
        )
    elif intro == 3:
        lead = who + (" reported" if copula_who else " who reported")
        sentences.append(f"{lead} an injury on {inj}.")
        sentences.append(
            f"{Ref} has complaints of {join_words(rng, [summary.part(p) for p in parts])} pain."
        )
    elif intro == 4:
        lead = who + (" has" if copula_who else " with")
        sentences.append(f"{lead} a date of injury of {inj}.")
        sentences.append(
            f"{Ref} is being treated for {join_words(rng, [summary.part(p) for p in parts])} pain."
        )
    else:
        lead = who + (" has" if copula_who else " who has")
        sentences.append(
            f"{lead} filed a claim for chronic {join_words(rng, [summary.part(p) for p in parts])} "
            "pain reportedly associated with cumulative trauma at work."
        )
    dx_parts = [p for p in parts if p in D.DIAGNOSIS_BY_PART]
    if dx_parts and rng.random() < 0.5:
        p = rng.choice(dx_parts)
        dx = rng.choice(D.DIAGNOSIS_BY_PART[p])
        summary.part(p)  # the diagnosis names the part again (already mentioned)
        sentences.append(f"{Ref} has been diagnosed with {dx}.")
    if "low back" in parts and rng.random() < 0.3:
        sentences.append(f"{Ref} reported pain radiating to the {summary.part('lower extremity')}.")
    elif "neck" in parts and rng.random() < 0.3:
        sentences.append(f"{Ref} reported pain radiating to the {summary.part('upper extremity')}.")

    shorts = []
    for it in items:
        if it["short"] not in shorts:
            shorts.append(it["short"])
    request_words = join_words(rng, shorts[:4])
    ur_text = sd(summary_dates["ur_decision"])
    ur_form = pick(rng, [(40, 1), (35, 2), (25, 3)])
    ur_words = pick(
        rng, [(6, "Utilization Review"), (2, "Utilization Review (UR)"), (1, "utilization review")]
    )
    if ur_form == 1:
        ur_sentences = [
            f"In a {ur_words} report dated {ur_text}, the claims administrator failed to "
            f"approve {'a request' if len(shorts) == 1 else 'requests'} for {request_words}."
        ]
        if rng.random() < 0.6:
            visit = summary_dates["ur_decision"] - dt.timedelta(days=rng.randrange(5, 30))
            ur_sentences.append(
                f"The claims administrator referenced a {sd(visit)} office visit in its "
                "determination."
            )
    elif ur_form == 2:
        ur_sentences = [
            f"On {ur_text}, Utilization Review non-certified the request for {request_words}."
        ]
    else:
        ur_sentences = [
            f"The Utilization Review (UR) dated {ur_text} non-certified {request_words}."
        ]
    modified = [it for it in items if it["original"]]
    if published and modified:  # how summaries report a modification (the heading's words too)
        for it in modified:
            if BODY_WORD_RE.search(it["original"]):
                continue  # the summary's body parts are its own mentions; keep them countable
            if rng.random() < 0.5:
                ur_sentences.append(
                    f"Utilization Review modified the request for {it['original']} to "
                    f"{it['authorized']}."
                )
            else:
                ur_sentences.append(
                    f"{it['original']} was the original request. {it['authorized']} was "
                    "authorized by the Claims Administrator."
                )
    ur_early = rng.random() < 0.5
    if state_ur and ur_early:
        sentences.extend(ur_sentences)

    meds = [it["short"] for it in items if it["kind"]["category"] == "Pharmaceuticals"]
    meds = [m for m in meds if not m.startswith("the ")]
    extra_meds = ["naproxen", "Norco", "Neurontin", "Prilosec", "tramadol", "Flexeril", "Motrin"]
    while len(meds) < 2:
        m = rng.choice(extra_meds)
        if m not in meds:
            meds.append(m)
    visit_pool = []
    for _ in range(rng.randrange(2, 6)):
        visit = summary_dates["ur_decision"] - dt.timedelta(days=rng.randrange(3, 120))
        p = rng.choice(summary.mentioned)
        visit_pool.append(
            pick(
                rng,
                [
                    (
                        3,
                        f"On {sd(visit)}, {ref} reported ongoing complaints of "
                        f"{summary.part(p)} pain, {rng.randrange(3, 10)}/10.",
                    ),
                    (
                        2,
                        f"In a progress report dated {sd(visit)}, {ref} reported persistent "
                        f"{summary.part(p)} pain.",
                    ),
                    (2, f"{Ref}'s medications included {join_words(rng, meds)}, it was reported."),
                    (2, f"Tenderness was noted about the {summary.part(p)}."),
                    (2, f"Limited range of motion about the {summary.part(p)} was appreciated."),
                    (
                        2,
                        pick(
                            rng,
                            [
                                (
                                    1,
                                    f"{Ref} was placed off of work, on total temporary disability.",
                                ),
                                (1, f"{Ref} was returned to regular duty work."),
                                (1, f"{Ref} was working with restrictions in place."),
                            ],
                        ),
                    ),
                    (
                        1,
                        f"{cap(request_words)} {'was' if len(shorts) == 1 else 'were'} sought "
                        "on this date.",
                    ),
                ],
            )
        )
    sentences.extend(dict.fromkeys(visit_pool))
    if rng.random() < 0.06:
        pronoun = {"female": "She", "male": "He"}.get(sex or "", rng.choice(["She", "He"]))
        sentences.append(f"{pronoun} reported difficulty sleeping secondary to pain.")
    if state_ur and not ur_early:
        sentences.extend(ur_sentences)
    body_parts = list(summary.mentioned)
    if len(sentences) > 5 and rng.random() < 0.5:
        cut = rng.randrange(2, len(sentences) - 1)
        summary_paragraphs = [" ".join(sentences[:cut]), " ".join(sentences[cut:])]
    else:
        summary_paragraphs = [" ".join(sentences)]

    # --- reviewer -----------------------------------------------------------------------
    cred_block, states, specialties, cred_style = credentials(rng, published)

    # --- items --------------------------------------------------------------------------
    blocks: list[Block] = [
        Block("heading", "HOW THE IMR FINAL DETERMINATION WAS MADE"),
        Block("para", BOILERPLATE),
        cred_block,
        Block("heading", "CLINICAL CASE SUMMARY"),
        Block("para", SUMMARY_LEAD),
        *[Block("para", p) for p in summary_paragraphs],
        Block("heading", "IMR ISSUES, DECISIONS AND RATIONALES"),
        Block("para", ISSUES_LEAD),
    ]
    truth_items = []
    smart = rng.random() < 0.25
    reviewer_word = "Physician Reviewer" if rng.random() < 0.25 else "Expert Reviewer"
    cite_style = "published" if published else style
    for number, it in enumerate(items, start=1):
        kind = it["kind"]
        outcome = it["outcome"]
        # published letters often run an item's paragraphs together (no blank line between)
        together = published and rng.random() < 0.6
        if it["heading"]:
            blocks.append(Block("decision", it["heading"], item=number - 1))
        elif style == "newer":
            blocks.append(Block("decision", f"{it['service']}: {outcome}", item=number - 1))
        else:
            neg = "not " if outcome == "Upheld" else ""
            blocks.append(
                Block(
                    "decision",
                    f"{number}. {it['service']} is {neg}medically necessary and appropriate.",
                    item=number - 1,
                )
            )
        ca_specs = _choose_specs(rng, it["pools"]["ca"], style, [(8, 0), (62, 1), (22, 2), (8, 3)])
        rv_specs = _choose_specs(rng, it["pools"]["rv"], style, [(0, 0), (75, 1), (20, 2), (5, 3)])
        if ca_specs:
            body, ca_truth = citation_line(rng, ca_specs, cite_style)
            if published:
                lead = preamble(rng, ca_specs, "Claims Administrator")
                blocks.append(
                    Block(
                        "para",
                        f"Claims Administrator guideline: {lead}Decision based on {body}.",
                        gap=not together,
                    )
                )
            elif style == "newer":
                blocks.append(
                    Block("para", f"Claims Administrator guideline: Decision based on {body}.")
                )
            else:
                blocks.append(
                    Block("para", f"The Claims Administrator based its decision on {body}.")
                )
        else:
            ca_truth = []
            if style == "newer":
                blocks.append(
                    Block(
                        "para", f"Claims Administrator guideline: {NO_EVIDENCE}", gap=not together
                    )
                )
            else:
                blocks.append(Block("para", NO_EVIDENCE))
        body, rv_truth = citation_line(rng, rv_specs, cite_style)
        if published:
            lead = preamble(rng, rv_specs, "Expert Reviewer")
            blocks.append(
                Block(
                    "para", f"MAXIMUS guideline: {lead}Decision based on {body}.", gap=not together
                )
            )
        elif style == "newer":
            blocks.append(Block("para", f"MAXIMUS guideline: Decision based on {body}."))
        else:
            blocks.append(Block("para", f"The {reviewer_word} based his/her decision on {body}."))
        sentences_r, running = rationale(rng, it, style)
        rationale_text = " ".join(sentences_r)
        decisive = next(s for s in sentences_r if "medically necessary" in s)
        paragraphs = [rationale_text]
        if len(sentences_r) > 3 and rng.random() < 0.3:
            cut = rng.randrange(2, len(sentences_r))
            paragraphs = [" ".join(sentences_r[:cut]), " ".join(sentences_r[cut:])]
        if style == "newer":
            blocks.append(Block("para", f"Decision rationale: {paragraphs[0]}", gap=not together))
        else:
            blocks.append(Block("para", "The Expert Reviewer's decision rationale:"))
            blocks.append(Block("para", paragraphs[0]))
        blocks.extend(Block("para", p) for p in paragraphs[1:])
        truth_items.append(
            {
                "number": number,
                "service": collapse(it["service"]),
                "outcome": outcome,
                "category": kind["category"],
                "claims_administrator_citations": ca_truth,
                "reviewer_citations": rv_truth,
                "rationale": collapse(rationale_text),
                "decisive_sentence": collapse(decisive),
                "rationale_citations": running,
                "page": None,
                "original_request": collapse(it["original"]) if it["original"] else None,
                "authorized": collapse(it["authorized"]) if it["authorized"] else None,
            }
        )

    truth = {
        "source": {"path": "", "sha256": "", "format": "text", "pages": None},
        "case_number": case_number if has_table else None,
        "priority": priority if has_table else None,
        "dates": {
            "injury": iso(dates["injury"]) if (has_table or state_injury) else None,
            "ur_decision": iso(dates["ur_decision"]) if (has_table or state_ur) else None,
            "assigned": iso(dates["assigned"]) if has_table else None,
            "decision": iso(dates["decision"]) if has_table else None,
            "application_received": iso(dates["application_received"]) if has_table else None,
        },
        "reviewer": {"licensure_states": states, "specialties": specialties},
        "applicant": {"age": age, "sex": sex},
        "injury": {
            "date": iso(dates["injury"]) if (has_table or state_injury) else None,
            "body_parts": body_parts,
        },
        "items": truth_items,
        "warnings": warnings,
    }
    meta = {
        "generator": GENERATOR_VERSION,
        "layout": layout,
        "modified_forms": [it.get("modified_form") for it in items if it["original"]],
        "seed": seed,
        "index": index,
        "item_style": style,
        "header_table": has_table,
        "credential_style": cred_style,
        "age_form": age_form,
        "intro_form": intro,
        "ur_form": ur_form if state_ur else None,
        "date_style": consistent or "mixed",
        "typography": "smart" if smart else "plain",
    }
    if smart:
        for block in blocks:
            block.text = smarten(block.text)
        for item in truth_items:
            for key in (
                "service",
                "rationale",
                "decisive_sentence",
                "original_request",
                "authorized",
            ):
                if item[key]:
                    item[key] = smarten(item[key])
            for key in (
                "claims_administrator_citations",
                "reviewer_citations",
                "rationale_citations",
            ):
                for citation in item[key]:
                    for name in ("text", "section"):
                        if citation[name]:
                            citation[name] = smarten(citation[name])
    running_header = case_number if has_table and not published else None
    return Draft(blocks, table, running_header, truth, meta)


def _choose_specs(
    rng: random.Random, pool: list[tuple[float, tuple]], style: str, counts: list
) -> list[tuple]:
    n = pick(rng, counts)
    if style == "older":  # older letters cite the MTUS, ODG and ACOEM; other sources are rare
        pool = [(w, s) for w, s in pool if s[0] != "other"] or pool
    specs = pick_distinct(rng, pool, n)
    return specs


def rationale(rng: random.Random, it: dict, style: str) -> tuple[list[str], list[dict]]:
    """The sentences of an item's rationale and the guidelines they cite in running text."""
    kind = it["kind"]
    upheld = it["outcome"] == "Upheld"
    neg = "not " if upheld else ""
    what = it["short"] if rng.random() < 0.5 else it["service"]
    for prefix in ("Retrospective request for ", "Prospective request for 1 prescription of "):
        what = what.removeprefix(prefix)
    first = what.split()[0]
    if kind.get("drug"):  # drug names keep their capital; "Retrospective ..." does not
        if first in GENERIC_FIRST_WORDS:
            what = what[:1].lower() + what[1:]
    elif len(first) > 1 and first[1] != "-" and first[1:].islower():  # not MRI, L4-L5, H-wave
        what = what[:1].lower() + what[1:]
    verb = rng.choice(["was", "is"])
    sentences: list[str] = []
    running: list[dict] = []
    first = rng.random() < 0.65
    if first:
        if style == "newer":
            tail = "or indicated here" if upheld else "and indicated here"
            yes = "No" if upheld else "Yes"
            sentences.append(
                f"{yes}, the request for {what} {verb} {neg}medically necessary, medically "
                f"appropriate, {tail}."
            )
        else:
            sentences.append(f"The request for {what} {verb} {neg}medically necessary.")
    claims = kind["claim"]
    pool = it["pools"]["running"]
    for _ in range(pick(rng, [(35, 0), (50, 1), (15, 2)]) if claims and pool else 0):
        form, arg = rng.choice(pool)
        claim = rng.choice(claims).replace("{short}", it["short"])
        sentence, cit = running_citation(rng, form, arg, claim)
        if cit in running or any(claim in s for s in sentences):
            continue
        sentences.append(sentence)
        running.append(cit)
    facts = kind["ov"] if not upheld else kind["up"]
    for s in rng.sample(facts, k=min(len(facts), rng.randrange(1, 3))):
        sentences.append(s.replace("{short}", it["short"]))
    sentences.append(
        pick(
            rng,
            [
                (
                    3,
                    "The attending provider's progress note was, moreover, sparse and difficult "
                    "to follow.",
                ),
                (2, "The applicant's work status was not clearly reported."),
                (2, "The request was initiated without a clear statement of treatment goals."),
                (3, "The information on file was reviewed in its entirety."),
            ],
        )
    )
    if rng.random() < 0.15:
        sentences.append(
            rng.choice(
                [
                    "An earlier IMR decision upheld a denial of a similar request.",
                    "The applicant's attorney noted that a prior denial had been overturned on "
                    "appeal.",
                    "It was not stated whether an earlier request had been upheld or overturned.",
                    "The prior denial was upheld.",
                ]
            )
        )
    if not first or rng.random() < 0.6:
        closing = rng.choice(
            ["Therefore, the request", "Accordingly, the request", "As such, the request"]
        )
        sentences.append(f"{closing} {verb} {neg}medically necessary.")
    return sentences, running


GENERIC_FIRST_WORDS = {
    "Physical",
    "Additional",
    "Occupational",
    "Aquatic",
    "Post-operative",
    "Chiropractic",
    "Massage",
    "Acupuncture",
    "Repeat",
    "Lumbar",
    "Cervical",
    "Bilateral",
    "Trigger",
    "Left",
    "Right",
    "Radiofrequency",
    "Urine",
    "Sleep",
    "Comprehensive",
    "Retrospective",
    "Prospective",
    "Topical",
    "Compounded",
    "Orthopedic",
    "Follow-up",
    "Referral",
    "Office",
    "Neurology",
    "Cognitive",
    "Psychotherapy",
    "Individual",
    "Home",
    "Functional",
    "Work",
    "Weight",
    "Transportation",
    "Medical",
    "Front",
    "Hospital",
    "Interferential",
    "Bone",
    "Associated",
    "Anterior",
}


def running_citation(
    rng: random.Random, form: str, arg: Any, claim: str
) -> tuple[str, dict[str, Any]]:
    """A rationale sentence that cites a guideline in running text, and that citation's truth."""
    if form == D.RUNNING_CP:
        pages = arg
        name = "MTUS Chronic Pain Medical Treatment Guidelines"
        variant = rng.randrange(3)
        if variant == 0:
            text = f"page {pages} of the {name}"
            sentence = f"As noted on {text}, {claim}."
        elif variant == 1:
            text = f"page {pages} of the {name}"
            sentence = f"{cap(text)} notes that {claim}."
        else:
            text = f"{name} on page {pages}"
            sentence = f"The {text} stipulate that {claim}."
        return sentence, truth_citation(text, "MTUS", D.CHRONIC_PAIN, None, None, pages)
    if form == D.RUNNING_ACOEM:
        number, pages = arg
        table = D.ACOEM_TABLES.get(number)
        if table and rng.random() < 0.4:
            text = f"MTUS Guideline in ACOEM Chapter {number}, Table {table}, page {pages}"
        else:
            text = f"MTUS Guideline in ACOEM Chapter {number}, page {pages}"
        sentence = rng.choice(
            [
                f"The {text} notes that {claim}.",
                f"While the {text} does acknowledge that {claim}, this "
                "recommendation is qualified.",
            ]
        )
        return sentence, truth_citation(text, "MTUS", D.MTUS_CHAPTERS[number], "2004", None, pages)
    if form == D.RUNNING_ODG:
        key, topic = arg
        text = f"ODG's {D.ODG_RUNNING_NAMES[key]} {topic} topic"
        sentence = f"{text} notes that {claim}."
        return sentence, truth_citation(text, "ODG", D.ODG_CHAPTERS[key][0], None, topic, None)
    raise ValueError(form)


# --------------------------------------------------------------------------------------------
# layout: one set of lines and pages for both the PDF and the text rendering
# --------------------------------------------------------------------------------------------

FONT_SIZE = 10.0
LINE_H = 4.8  # mm
MARGIN = 20.0
PAGE_W, PAGE_H = 215.9, 279.4  # US Letter, mm
BODY_TOP = 24.0
BODY_BOTTOM = 262.0
TABLE_ROW_H = 6.0
TEXT_W = PAGE_W - 2 * MARGIN
LINES_PER_PAGE = int((BODY_BOTTOM - BODY_TOP) / LINE_H)
TABLE_LINES = 6  # the header table takes this many body lines on page 1


def _char_widths() -> dict[str, dict[str, float]]:
    from fpdf.fonts import CORE_FONTS_CHARWIDTHS

    scale = FONT_SIZE / 1000 * 25.4 / 72
    out = {}
    for font in ("helvetica", "helveticaB"):
        widths = {ch: w * scale for ch, w in CORE_FONTS_CHARWIDTHS[font].items()}
        for code in range(0x80, 0xA0):  # the PDF is written in cp1252 (WinAnsiEncoding)
            char = bytes([code]).decode("cp1252", errors="ignore")
            if char:
                widths[char] = widths[chr(code)]
        out[font] = widths
    return out


_WIDTHS: dict[str, dict[str, float]] | None = None
_WORD_CACHE: dict[tuple[bool, str], float] = {}


def wrap(text: str, bold: bool) -> list[str]:
    """Greedy word wrap to the PDF's text width, with the core font's real glyph widths."""
    global _WIDTHS
    if _WIDTHS is None:
        _WIDTHS = _char_widths()
    widths = _WIDTHS["helveticaB" if bold else "helvetica"]
    space = widths[" "]
    lines: list[str] = []
    for hard in text.split("\n"):
        line: list[str] = []
        width = 0.0
        for word in hard.split():
            w = _WORD_CACHE.get((bold, word))
            if w is None:
                w = sum(widths.get(c, 0.5) for c in word)
                if len(_WORD_CACHE) < 200_000:
                    _WORD_CACHE[(bold, word)] = w
            if line and width + space + w > TEXT_W:
                lines.append(" ".join(line))
                line, width = [word], w
            else:
                width += (space if line else 0.0) + w
                line.append(word)
        lines.append(" ".join(line))
    return lines


@dataclass
class Layout:
    """Pages of (bold, line) and the 1-based page of each item's decision line."""

    pages: list[list[tuple[bool, str]]]
    item_pages: list[int]


# The published layout, in points: Times 12 on US Letter with one-inch margins, as Word sets it.
PUB_MARGIN = 72.0
PUB_SIZE = 12.0
PUB_LEAD = 13.8
PUB_TOP = 72.0
PUB_BOTTOM = 720.0
PUB_WIDTH = pdfmaker.PAGE_W - 2 * PUB_MARGIN
PUB_LINES = int((PUB_BOTTOM - PUB_TOP) / PUB_LEAD)
PUB_TABLE_LINES = 7  # the header table and the space below it, on page 1
LABELS = ("Claims Administrator guideline:", "MAXIMUS guideline:", "Decision rationale:")


def layout_published(draft: Draft) -> Layout:
    """Lines and pages of a published letter: no running lines, no page break kept back, so a
    page may end anywhere, inside an item's heading too. A line is ``(bold characters, text)``:
    headings and item headings are bold, a paragraph's label ("MAXIMUS guideline:") too."""
    pages: list[list[tuple[Any, str]]] = [[]]
    item_pages: list[int] = [0] * len(draft.truth["items"])
    used = PUB_TABLE_LINES
    for block in draft.blocks:
        bold = block.kind in ("heading", "decision")
        lines = pdfmaker.wrap(
            block.text, pdfmaker.BODY_BOLD if bold else pdfmaker.BODY, PUB_SIZE, PUB_WIDTH
        )
        if block.gap and used and used < PUB_LINES:
            pages[-1].append((0, ""))
            used += 1
        label = next((x for x in LABELS if block.text.startswith(x)), "")
        for k, line in enumerate(lines):
            if used >= PUB_LINES:
                pages.append([])
                used = 0
            if k == 0 and block.item is not None:
                item_pages[block.item] = len(pages)
            pages[-1].append((len(line) if bold else len(label) if k == 0 else 0, line))
            used += 1
    while pages[-1] and pages[-1][-1][1] == "":
        pages[-1].pop()
    return Layout(pages, item_pages)


def layout(draft: Draft) -> Layout:
    """Lines and pages of a letter (``Layout``): one layout for its PDF and its text."""
    if draft.meta["layout"] == "published":
        return layout_published(draft)
    pages: list[list[tuple[bool, str]]] = [[]]
    item_pages: list[int] = [0] * len(draft.truth["items"])
    used = TABLE_LINES if draft.table else 0
    for block in draft.blocks:
        bold = block.kind in ("heading", "decision")
        lines = wrap(block.text, bold)
        if block.kind == "decision" and used + len(lines) > LINES_PER_PAGE:
            pages.append([])
            used = 0
        if block.item is not None:
            item_pages[block.item] = len(pages)
        for line in lines:
            if used >= LINES_PER_PAGE:
                pages.append([])
                used = 0
            pages[-1].append((bold, line))
            used += 1
        if used and used < LINES_PER_PAGE:  # a blank line between paragraphs
            pages[-1].append((False, ""))
            used += 1
    while pages[-1] and pages[-1][-1][1] == "":
        pages[-1].pop()
    return Layout(pages, item_pages)


lay_out = layout  # ``build`` takes a parameter named layout


def render_text(draft: Draft, lay: Layout, formfeed: bool) -> str:
    """The letter as a text dump of its PDF: running header and footer lines included."""
    total = len(lay.pages)
    out: list[str] = []
    if draft.meta["layout"] == "published":  # no running lines; the table as pdftotext lays it
        for n, page in enumerate(lay.pages, start=1):
            lines = []
            if n == 1:
                lines += [*pdfmaker.published_table_text(dict(draft.table)), ""]
            lines += [line for _, line in page]
            out.append("\n".join(lines) + "\n")
        return ("\f" if formfeed else "\n").join(out)
    for n, page in enumerate(lay.pages, start=1):
        lines = []
        if draft.running_header:
            lines += [draft.running_header, ""]
        if n == 1 and draft.table:
            for left, right in draft.table:
                lines.append(f"{left:<44}{right}".rstrip())
            lines.append("")
        lines += [line for _, line in page]
        lines += ["", f"Page {n} of {total}"]
        out.append("\n".join(lines) + "\n")
    return ("\f" if formfeed else "\n").join(out)


CREATION_DATE = dt.datetime(2016, 1, 1, tzinfo=dt.timezone.utc)


def render_published_pdf(draft: Draft, lay: Layout) -> bytes:
    """A published letter as PDFMaker draws it: glyph runs, the four-column header table."""
    meta = draft.meta
    doc = pdfmaker.Document(f"{meta['seed']}:{meta['index']}")
    for n, page_lines in enumerate(lay.pages, start=1):
        page = doc.add_page()
        slot = 0
        if n == 1:
            fields = dict(draft.table)
            pdfmaker.header_table(doc, page, PUB_TOP, pdfmaker.published_rows(fields))
            slot = PUB_TABLE_LINES
        for bold_chars, line in page_lines:
            slot += 1
            if not line:
                continue
            baseline = PUB_TOP + slot * PUB_LEAD
            x = PUB_MARGIN
            if bold_chars:
                x = doc.text(page, x, baseline, line[:bold_chars], pdfmaker.BODY_BOLD, PUB_SIZE)
            if bold_chars < len(line):
                doc.text(page, x, baseline, line[bold_chars:], pdfmaker.BODY, PUB_SIZE)
    return doc.output()


def render_pdf(draft: Draft, lay: Layout) -> bytes:
    """The letter as a PDF (fpdf2): header table, running header, 'Page N of M' footer."""
    if draft.meta["layout"] == "published":
        return render_published_pdf(draft, lay)
    from fpdf import FPDF

    pdf = FPDF(format="letter", unit="mm")
    pdf.core_fonts_encoding = "windows-1252"  # typographic quotes and dashes
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    total = len(lay.pages)
    for n, page in enumerate(lay.pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=FONT_SIZE)
        if draft.running_header:
            pdf.text(MARGIN, 14, draft.running_header)
        y = BODY_TOP
        if n == 1 and draft.table:
            pdf.set_xy(MARGIN, y - 4)
            col = TEXT_W / 2
            for left, right in draft.table:
                pdf.cell(col, TABLE_ROW_H, left, border=1)
                pdf.cell(col, TABLE_ROW_H, right, border=1, new_x="LMARGIN", new_y="NEXT")
            y += TABLE_LINES * LINE_H
        bold_now = False
        for bold, line in page:
            if line:
                if bold != bold_now:
                    pdf.set_font("Helvetica", style="B" if bold else "", size=FONT_SIZE)
                    bold_now = bold
                pdf.text(MARGIN, y, line)
            y += LINE_H
        pdf.set_font("Helvetica", size=FONT_SIZE)
        footer = f"Page {n} of {total}"
        pdf.text((PAGE_W - pdf.get_string_width(footer)) / 2, 272, footer)
    return bytes(pdf.output())


# --------------------------------------------------------------------------------------------
# writing a corpus
# --------------------------------------------------------------------------------------------


def letter_stem(index: int) -> str:
    return f"{index // SHARD_SIZE:03d}/letter-{index:06d}"


def build(
    seed: int, index: int, fmt: str, formfeed: bool | None = None, layout: str | None = None
) -> tuple[bytes, dict]:
    """Letter ``index`` in format ``fmt`` ("pdf" or "text"): its bytes and its truth (the
    source path is the relative file name; sha256 is of the bytes returned). ``layout``
    forces "classic" or "published"; None draws it (the default mix)."""
    draft = make_letter(seed, index, layout)
    lay = lay_out(draft)
    truth = json.loads(json.dumps(draft.truth))
    if fmt == "pdf":
        data = render_pdf(draft, lay)
        truth["source"].update(format="pdf", pages=len(lay.pages))
        for item, page in zip(truth["items"], lay.item_pages, strict=True):
            item["page"] = page
        suffix = ".pdf"
    elif fmt == "text":
        dump = letter_rng(seed, index)
        if formfeed is None:
            formfeed = dump.random() < 0.5
        text = render_text(draft, lay, formfeed)
        if dump.random() < 0.1:  # saved on Windows
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        suffix = ".txt"
    else:
        raise ValueError(fmt)
    truth["source"]["path"] = letter_stem(index) + suffix
    truth["source"]["sha256"] = hashlib.sha256(data).hexdigest()
    truth["corpus"] = dict(draft.meta, format=fmt)
    return data, truth


def _write_range(job: tuple[Path, int, int, int, tuple[str, ...], str | None]) -> dict[str, Any]:
    out, seed, start, stop, formats, layout = job
    stats: Counter = Counter()
    for index in range(start, stop):
        for fmt in formats:
            data, truth = build(seed, index, fmt, layout=layout)
            path = out / truth["source"]["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            Path(str(path) + ".json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
        tally(stats, truth)
    return dict(stats)


def tally(stats: Counter, truth: dict[str, Any]) -> None:
    """Count the mix of one letter (used for corpus.json and the realism tests)."""
    meta = truth["corpus"]
    stats["letters"] += 1
    stats[f"layout:{meta.get('layout', 'classic')}"] += 1
    stats[f"style:{meta['item_style']}"] += 1
    stats[f"credentials:{meta['credential_style']}"] += 1
    stats[f"age_form:{meta['age_form']}"] += 1
    stats["header_table"] += meta["header_table"]
    stats["sex_stated"] += truth["applicant"]["sex"] is not None
    for item in truth["items"]:
        stats["items"] += 1
        stats[f"category:{item['category']}"] += 1
        stats[f"outcome:{item['outcome']}"] += 1
        stats["modified"] += item.get("original_request") is not None
        stats["cites_chronic_pain"] += any(
            c["document"] == "Chronic Pain Medical Treatment Guidelines"
            for c in item["claims_administrator_citations"] + item["reviewer_citations"]
        )
        stats["ca_no_citation"] += not item["claims_administrator_citations"]
        for c in item["claims_administrator_citations"] + item["reviewer_citations"]:
            stats["citations"] += 1
            stats[f"family:{c['family']}"] += 1
        stats["multi_citation_lines"] += len(item["claims_administrator_citations"]) > 1
        stats["multi_citation_lines"] += len(item["reviewer_citations"]) > 1


def write_corpus(
    out: Path,
    letters: int,
    seed: int = 1,
    formats: Iterable[str] = ("pdf",),
    workers: int | None = None,
    start: int = 0,
    layout: str | None = None,
) -> dict[str, Any]:
    """Write letters ``start .. start+letters-1`` into ``out`` in parallel; return the manifest.
    ``layout`` None is the default mix; "classic" or "published" writes only that layout."""
    formats = tuple(formats)
    out.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    chunk = 50
    jobs = [
        (out, seed, i, min(i + chunk, start + letters), formats, layout)
        for i in range(start, start + letters, chunk)
    ]
    stats: Counter = Counter()
    t0 = time.perf_counter()
    if workers == 1:
        for job in jobs:
            stats.update(_write_range(job))
    else:
        with Pool(workers) as pool:
            for part in pool.imap_unordered(_write_range, jobs):
                stats.update(part)
    elapsed = time.perf_counter() - t0
    manifest = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "start": start,
        "letters": letters,
        "formats": list(formats),
        "layout": layout or f"mix ({PUBLISHED_SHARE:.0%} published)",
        "seconds": round(elapsed, 2),
        "mix": dict(sorted(stats.items())),
    }
    (out / "corpus.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write synthetic IMR letters (PDF and/or text) with ground-truth JSON."
    )
    parser.add_argument("--letters", type=int, required=True, help="how many letters")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--pdf", action="store_true", help="write PDFs (the default)")
    parser.add_argument("--text", action="store_true", help="write text files")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
    parser.add_argument("--start", type=int, default=0, help="index of the first letter")
    parser.add_argument(
        "--layout",
        choices=("mix", *LAYOUTS),
        default="mix",
        help=f"mix (default: {PUBLISHED_SHARE * 100:.0f}%% published, as a download holds), "
        "classic (2013-2016 letters) or published (the DWC's PDFMaker letters from December 2016)",
    )
    args = parser.parse_args(argv)
    if args.letters < 1:
        parser.error("--letters must be at least 1")
    formats = [f for f, on in (("pdf", args.pdf), ("text", args.text)) if on] or ["pdf"]
    try:
        layout = None if args.layout == "mix" else args.layout
        manifest = write_corpus(
            args.out, args.letters, args.seed, formats, args.workers, args.start, layout
        )
    except OSError as exc:
        print(f"corpus: error: {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    mix = manifest["mix"]
    items = mix.get("items", 0)
    print(
        f"wrote {args.letters} letters ({', '.join(formats)}) to {args.out} in "
        f"{manifest['seconds']:.1f}s: {items} items, "
        f"{mix.get('category:Pharmaceuticals', 0) / max(items, 1):.1%} pharmaceuticals, "
        f"{mix.get('outcome:Upheld', 0) / max(items, 1):.1%} upheld"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
