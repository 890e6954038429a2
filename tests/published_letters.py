"""Letters in the shape the published 2016-2017 decisions give (built here, not parsed), with
modified requests, 2009 and 2016 Chronic Pain citations, the Opioids Treatment Guidelines and
items whose outcome could not be read. Every expected count in the tests that use them is worked
out by hand from the table below, not by the code under test.

| letter (year) | item | service (category) | outcome | modified | reviewer cites |
| --- | --- | --- | --- | --- | --- |
| 101 (2016) | 1 | Norco 10/325mg #35 (Pharm.) | Upheld | yes | Chronic Pain 2016, Opioids |
| | 2 | MRI of the lumbar spine (Imaging) | Unknown | no | Low Back Complaints 2004 |
| 102 (2017) | 1 | Tramadol 50mg #60 (Pharm.) | Overturned | no | Chronic Pain 2009 |
| | 2 | Physical therapy x6 (Phys. Med.) | Upheld | no | Chronic Pain (no edition) |
| | 3 | Acupuncture x6 (Phys. Med.) | Unknown | no | Acupuncture 2007 |
| 103 (2017) | 1 | Oxycodone 10mg #60 (Pharm.) | Upheld | yes | Opioids Treatment 2016 |
| | 2 | Norco 10/325mg #90 (Pharm.) | Overturned | authorized only | Chronic Pain 2016 |

Letters are CM16-0000101, CM17-0000102 and CM17-0000103; Pharm. = Pharmaceuticals, Imaging =
Diagnostic Imaging, Phys. Med. = Physical Medicine.

The claims administrator cites Chronic Pain 2016 for every pharmaceutical item and Low Back
Complaints for the MRI. CM16-0000101 and CM17-0000102 carry an ``item-outcome-unreadable``
warning each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imrgraph.model import Citation, Dates, Item, Letter, Reviewer, Source


def _mtus(document: str, edition: str | None, section: str | None = None) -> Citation:
    text = f"MTUS {document}" + (f" {edition}" if edition else "")
    if section:
        text += f", Section(s): {section}"
    return Citation(
        text=text, family="MTUS", in_mtus=True, document=document, edition=edition, section=section
    )


CHRONIC_PAIN = "Chronic Pain Medical Treatment Guidelines"
OPIOIDS = "Opioids Treatment Guidelines"


def _item(number: int, service: str, outcome: str, category: str, cites: Citation, **kw) -> Item:
    ca = [_mtus(CHRONIC_PAIN, "2016")] if category == "Pharmaceuticals" else []
    if service.startswith("MRI"):
        ca = [_mtus("Low Back Complaints", "2004")]
    return Item(
        number=number,
        service=service,
        outcome=outcome,  # type: ignore[arg-type]  # "Unknown": the parser's unreadable outcome
        category=category,
        claims_administrator_citations=ca,
        reviewer_citations=[cites],
        rationale=f"The request for {service} is decided here.",
        decisive_sentence=f"The request for {service} is decided here.",
        **kw,
    )


def published_letters() -> list[Letter]:
    """The three letters of the table above."""

    def letter(case: str, decision: str, specialty: str, items: list[Item], warn: bool) -> Letter:
        return Letter(
            source=Source(
                path=f"{case}.pdf", sha256=case.encode().hex().ljust(64, "0"), format="pdf"
            ),
            case_number=case,
            priority="Standard",
            dates=Dates(decision=decision, assigned=decision, ur_decision=decision),
            reviewer=Reviewer(licensure_states=["California"], specialties=[specialty]),
            items=items,
            warnings=(
                [f"item-outcome-unreadable: item {items[-1].number}: decision line not readable"]
                if warn
                else []
            ),
        )

    return [
        letter(
            "CM16-0000101",
            "2016-12-20",
            "Pain Medicine",
            [
                _item(
                    1,
                    "Norco 10/325mg #35",
                    "Upheld",
                    "Pharmaceuticals",
                    _mtus(CHRONIC_PAIN, "2016", "Opioids, criteria for use"),
                    original_request="Norco 10/325mg #60",
                    authorized="Norco 10/325mg #25",
                ),
                _item(
                    2,
                    "MRI of the lumbar spine",
                    "Unknown",
                    "Diagnostic Imaging",
                    _mtus("Low Back Complaints", "2004", "Special Studies"),
                ),
            ],
            warn=True,
        ),
        letter(
            "CM17-0000102",
            "2017-01-10",
            "Orthopedic Surgery",
            [
                _item(
                    1,
                    "Tramadol 50mg #60",
                    "Overturned",
                    "Pharmaceuticals",
                    _mtus(CHRONIC_PAIN, "2009", "Tramadol"),
                ),
                _item(
                    2,
                    "Physical therapy x6",
                    "Upheld",
                    "Physical Medicine",
                    _mtus(CHRONIC_PAIN, None, "Physical Medicine"),
                ),
                _item(
                    3,
                    "Acupuncture x6",
                    "Unknown",
                    "Physical Medicine",
                    _mtus("Acupuncture Medical Treatment Guidelines", "2007"),
                ),
            ],
            warn=True,
        ),
        letter(
            "CM17-0000103",
            "2017-02-01",
            "Pain Medicine",
            [
                _item(
                    1,
                    "Oxycodone 10mg #60",
                    "Upheld",
                    "Pharmaceuticals",
                    _mtus(
                        OPIOIDS,
                        "2016",
                        "3.3.9 Opioids for Chronic Pain and Chronic Opioid Treatment: "
                        "Maintenance of Chronic Opioid Treatment",
                    ),
                    original_request="Oxycodone 10mg #120",
                    authorized="Oxycodone 10mg #60",
                ),
                _item(
                    2,
                    "Norco 10/325mg #90",
                    "Overturned",
                    "Pharmaceuticals",
                    _mtus(CHRONIC_PAIN, "2016"),
                    authorized="Norco 10/325mg #30",
                ),
            ],
            warn=False,
        ),
    ]


def store_of(letters: list[Letter], location: Path) -> Any:
    """An embedded store holding the ontology and ``letters`` with their tallies (as ingest
    writes them: ``imrgraph tally`` computes the same links, tests/test_tallies.py)."""
    from imrgraph.rdf.mapper import letter_to_triples
    from imrgraph.store import EmbeddedStore
    from imrgraph.store.tallies import retally

    store = EmbeddedStore(location)
    store.load_ontology()
    for letter in letters:
        graph, triples = letter_to_triples(letter)
        store.replace_graph(graph, triples)
    retally(store)
    return store
