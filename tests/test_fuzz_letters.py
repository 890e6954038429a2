"""Property tests over letters and citation lines built by hypothesis strategies.

Real downloads are damaged in ways nobody lists in advance: sections out of order or missing,
fields dropped, odd text inside an item. Whatever the arrangement, the parser must either give a
letter that conforms to the JSON schema (and whose items are exactly the decision lines the
letter holds) or raise one of the project's own errors, and the mapper must turn any parsed
letter into RDF. The citation-line property checks the splitter against citation texts whose
fields were checked by hand (the examples' expected JSON), joined in every way letters join them.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imrgraph.errors import ImrGraphError, NotAnImrLetter
from imrgraph.model import Letter, Source
from imrgraph.parse import parse_pages
from imrgraph.parse.citations import parse_citation_line
from imrgraph.rdf.mapper import letter_to_triples

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "imrgraph" / "schema" / "letter.schema.json").read_text())
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOURCE = Source(path="fuzz.txt", sha256="f" * 64, format="text")

# ---- letters ----------------------------------------------------------------------------------

# Words for services and prose: no colon, no outcome word, so a generated service or sentence
# can never look like a decision line by accident.
_WORD = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F),
    min_size=1,
    max_size=10,
).filter(
    lambda w: (
        not any(bad in w.lower() for bad in ("upheld", "overturned", "necessary", "imr", "issues"))
    )
)
_PROSE = st.lists(_WORD, min_size=1, max_size=12).map(" ".join)
# A service starts with a word of letters (a bare "0: Upheld" is not a service anyone requests).
_SERVICE = st.tuples(
    st.text(
        alphabet=st.characters(categories=("Lu", "Ll"), max_codepoint=0x24F),
        min_size=3,
        max_size=10,
    ).filter(lambda w: w.lower() not in ("imr", "issues")),
    _PROSE,
).map(" ".join)
# Anything at all inside an item: control characters, ligatures, soft hyphens, NBSP, emoji.
_ANY_TEXT = st.text(max_size=200).filter(
    lambda t: not any(bad in t.lower() for bad in ("upheld", "overturned", "necessary"))
)
_ODD = st.sampled_from(["\ufb01", "\u00ad", "\u00a0", "\u200b", "\u2013", "\ufeff", "\u0301"])

HEADER_FIELDS = [
    "Case Number: CM15-0123456",
    "Date Assigned: 10/05/2015",
    "Date of Injury: 07/27/2014",
    "Decision Date: 11/02/2015",
    "UR Denial Date: 09/28/2015",
    "Priority: Standard",
    "Application Received: 10/01/2015",
]
CITATIONS = [
    "Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.",
    "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines, "
    "Opioids Page(s): 76-78; Non-MTUS Official Disability Guidelines (ODG), Pain (Chronic), "
    "Compound creams.",
]


@st.composite
def items_section(draw: st.DrawFn) -> tuple[str, list[str]]:
    """The decisions section: heading, then newer-style items with random text inside."""
    outcomes = draw(st.lists(st.sampled_from(["Upheld", "Overturned"]), min_size=1, max_size=5))
    blocks = []
    for outcome in outcomes:
        service = draw(_SERVICE)
        lines = [f"{service}: {outcome}"]
        for citation in CITATIONS:
            if draw(st.booleans()):
                lines.append(citation)
        # An item keeps at least one of its labelled lines: without any, a line "X: Upheld" is
        # not an item (the parser needs an item's structure after the decision line).
        if draw(st.booleans()) or len(lines) == 1:
            body = draw(_ANY_TEXT) + draw(_ODD) + draw(_PROSE)
            lines.append(f"Decision rationale: {body}. This request is not supported.")
        blocks.append("\n".join(lines))
    heading = draw(st.sampled_from(["IMR ISSUES, DECISIONS AND RATIONALES", "IMR ISSUES"]))
    return heading + "\n" + "\n\n".join(blocks) + "\n", outcomes


@st.composite
def letters(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A letter as pages: sections shuffled, fields and whole sections dropped, pages split."""
    header = "\n".join(f for f in HEADER_FIELDS if draw(st.booleans()))
    how = (
        "HOW THE IMR FINAL DETERMINATION WAS MADE\n"
        + draw(_PROSE)
        + "\nThe Expert Reviewer has the following credentials: State(s) of Licensure: "
        + draw(st.sampled_from(["California", "CA, Nevada", "", "Atlantis"]))
        + "\n"
    )
    age = draw(st.sampled_from(["a 39-year-old", "a 61 year old", "an adult", ""]))
    summary = (
        "CLINICAL CASE SUMMARY\n"
        f"The applicant is {age} who reported an injury on "
        + draw(st.sampled_from(["06/02/2014", "June 2, 2014", "13/45/2014", "sometime"]))
        + ". "
        + draw(_PROSE)
        + draw(_ODD)
        + "\n"
    )
    decisions, outcomes = draw(items_section())
    optional = [part for part in (header, how, summary) if part and draw(st.booleans())]
    parts = draw(st.permutations([*optional, decisions]))
    text = "\n\n".join(parts)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=3)))
    pages, start = [], 0
    for cut in cuts:
        pages.append(text[start:cut])
        start = cut
    pages.append(text[start:])
    return pages, outcomes


@FUZZ
@given(case=letters())
def test_any_arrangement_parses_to_a_schema_valid_letter_with_its_items(case):
    pages, outcomes = case
    try:
        letter = parse_pages(pages, SOURCE)
    except NotAnImrLetter:
        # Only acceptable when page cuts fell inside the letter's decision lines.
        assert len(pages) > 1
        return
    jsonschema.validate(letter.to_dict(), SCHEMA)
    if len(pages) == 1:
        assert [item.outcome for item in letter.items] == outcomes
    graph, triples = letter_to_triples(letter)
    assert graph.endswith("/graph/CM15-0123456") or "/graph/content-" in graph
    assert len(triples) > 5 * len(letter.items)


@FUZZ
@given(
    pages=st.lists(
        st.lists(st.sampled_from(HEADER_FIELDS + CITATIONS) | _ANY_TEXT | _ODD, max_size=20).map(
            "\n".join
        ),
        min_size=1,
        max_size=3,
    )
)
def test_random_text_only_raises_the_projects_errors(pages):
    try:
        letter = parse_pages(pages, SOURCE)
    except ImrGraphError:
        return
    assert isinstance(letter, Letter)
    jsonschema.validate(letter.to_dict(), SCHEMA)


# ---- citation lines -----------------------------------------------------------------------------


def _hand_checked_citations() -> list[dict]:
    """Newer-style citations from the examples' hand-checked expected JSON (not the parser's)."""
    seen: dict[str, dict] = {}
    for path in sorted((ROOT / "examples" / "letters").glob("*.expected.json")):
        for item in json.loads(path.read_text())["items"]:
            for key in ("claims_administrator_citations", "reviewer_citations"):
                for citation in item[key]:
                    if citation["text"].startswith(("MTUS ", "Non-MTUS")):
                        seen[citation["text"]] = citation
    return list(seen.values())


HAND_CHECKED = _hand_checked_citations()
FIELDS = ("text", "family", "in_mtus", "document", "edition", "section", "pages")


def test_the_citation_pool_is_not_trivial():
    assert len(HAND_CHECKED) >= 20
    assert {c["family"] for c in HAND_CHECKED} >= {"MTUS", "ODG", "ACOEM", "OTHER"}


@settings(max_examples=200, deadline=None)
@given(
    chosen=st.lists(st.sampled_from(HAND_CHECKED), min_size=1, max_size=4),
    joiner=st.sampled_from(["; ", " and ", ", and ", "; Decision based on "]),
    end=st.sampled_from([".", "", " ."]),
)
def test_a_citation_line_gives_back_each_citation_it_joins(chosen, joiner, end):
    line = "Decision based on " + joiner.join(c["text"] for c in chosen) + end
    warnings: list[str] = []
    got = parse_citation_line(line, warnings)
    assert [{f: getattr(c, f) for f in FIELDS} for c in got] == [
        {f: c[f] for f in FIELDS} for c in chosen
    ]


@FUZZ
@given(
    line=st.lists(
        st.sampled_from([c["text"] for c in HAND_CHECKED] + ["and", ";", ",", "Decision based on"])
        | _ANY_TEXT,
        max_size=8,
    ).map(" ".join)
)
def test_any_citation_line_gives_citations_or_nothing(line):
    warnings: list[str] = []
    for citation in parse_citation_line(line, warnings):
        assert citation.family in ("MTUS", "ODG", "ACOEM", "OTHER")
        assert citation.in_mtus == (citation.family == "MTUS")
        assert citation.text.strip() == citation.text


@pytest.mark.parametrize("text", [c["text"] for c in HAND_CHECKED[:3]])
def test_one_hand_checked_citation_alone(text):
    [got] = parse_citation_line(f"Decision based on {text}.", [])
    assert got.text == text
