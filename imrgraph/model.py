"""The typed model of a parsed letter: what `imrgraph parse` prints and what the RDF mapper reads.

The JSON contract is ``imrgraph/schema/letter.schema.json`` (a copy of the project's shared
schema). ``Letter.to_dict()`` produces exactly that shape, plus a few documented extra fields
(allowed by the schema): ``Item.decisive_sentence``, ``Item.rationale_citations``, ``Item.page``,
``Item.original_request``, ``Item.authorized``, ``Item.reasons`` and ``Source.parser_version``.
A field the letter does not state is ``None`` (or an empty list), never guessed; doubts go into
``Letter.warnings``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# "Unknown": the item's decision line was there but its outcome could not be read (garbled or
# contradictory); the item is kept with an ``item-outcome-unreadable`` warning.
Outcome = Literal["Upheld", "Overturned", "Unknown"]
Family = Literal["MTUS", "ODG", "ACOEM", "OTHER"]
Priority = Literal["Standard", "Expedited"]
Sex = Literal["female", "male"]

OUTCOMES: tuple[str, ...] = ("Upheld", "Overturned", "Unknown")
FAMILIES: tuple[str, ...] = ("MTUS", "ODG", "ACOEM", "OTHER")
CATEGORIES: tuple[str, ...] = (
    "Pharmaceuticals",
    "Physical Medicine",
    "Diagnostic Imaging",
    "Diagnostic Testing",
    "Injections",
    "Surgery",
    "Durable Medical Equipment",
    "Evaluation and Management",
    "Behavioral Health",
    "Home Health",
    "Programs",
    "Other",
)


@dataclass
class Citation:
    """One guideline citation, as written, with its parts read out of it."""

    text: str
    family: Family
    in_mtus: bool
    document: str | None = None
    edition: str | None = None
    section: str | None = None
    pages: str | None = None


@dataclass
class Reason:
    """One reason the rationale gives for the item's decision, with the sentence that states it.

    ``code`` is a concept of the decision reason scheme (``ontology/reasons.ttl``, e.g.
    "no-objective-findings"); ``page`` is the 1-based PDF page the sentence begins on (None for
    text)."""

    code: str
    sentence: str
    page: int | None = None


@dataclass
class Item:
    """One disputed item/service and its decision."""

    number: int
    service: str
    outcome: Outcome
    category: str
    claims_administrator_citations: list[Citation] = field(default_factory=list)
    reviewer_citations: list[Citation] = field(default_factory=list)
    rationale: str = ""
    # Extra fields (allowed by the schema):
    decisive_sentence: str | None = None  # the rationale sentence that states the decision
    rationale_citations: list[Citation] = field(default_factory=list)  # cited in running text
    page: int | None = None  # 1-based page of the item's decision line (PDF); None for text
    # A modified request: UR authorized part of it and the rest went to IMR. ``service`` is then
    # the part that went to IMR; these keep what the heading states of the whole request.
    original_request: str | None = None  # the request as the provider made it
    authorized: str | None = None  # what the claims administrator authorized of it
    # Why: the reasons the rationale states (imrgraph/parse/reasons.py), in scheme order.
    reasons: list[Reason] = field(default_factory=list)


# Item fields added after content keys existed (see ``Letter.content_digest``).
_LATER_ITEM_FIELDS = frozenset({"original_request", "authorized"})
# Item fields read out of other fields, never part of the content key: ``reasons`` is computed
# from the rationale (which the key holds) by rules that improve between versions, and carries
# pages, which differ between a letter's PDF and its text.
_DERIVED_ITEM_FIELDS = frozenset({"page", "reasons"})


@dataclass
class Source:
    path: str
    sha256: str
    format: Literal["pdf", "text"]
    pages: int | None = None
    parser_version: str | None = None


@dataclass
class Dates:
    injury: str | None = None
    ur_decision: str | None = None
    assigned: str | None = None
    decision: str | None = None
    application_received: str | None = None


@dataclass
class Reviewer:
    licensure_states: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)


@dataclass
class Applicant:
    age: int | None = None
    sex: Sex | None = None


@dataclass
class Injury:
    date: str | None = None
    body_parts: list[str] = field(default_factory=list)


@dataclass
class Letter:
    """A parsed IMR final determination letter."""

    source: Source
    case_number: str | None = None
    priority: Priority | None = None
    dates: Dates = field(default_factory=Dates)
    reviewer: Reviewer = field(default_factory=Reviewer)
    applicant: Applicant = field(default_factory=Applicant)
    injury: Injury = field(default_factory=Injury)
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The letter as JSON-ready data in the shape of letter.schema.json."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Letter:
        """Build a Letter from ``to_dict()`` output (or any JSON that follows the schema)."""

        def citations(rows: list[dict[str, Any]] | None) -> list[Citation]:
            return [Citation(**row) for row in rows or []]

        items = []
        for row in data.get("items", []):
            row = dict(row)
            for key in (
                "claims_administrator_citations",
                "reviewer_citations",
                "rationale_citations",
            ):
                row[key] = citations(row.get(key))
            row["reasons"] = [Reason(**r) for r in row.get("reasons") or []]
            items.append(Item(**row))
        return cls(
            source=Source(**data["source"]),
            case_number=data.get("case_number"),
            priority=data.get("priority"),
            dates=Dates(**data.get("dates", {})),
            reviewer=Reviewer(**data.get("reviewer", {})),
            applicant=Applicant(**data.get("applicant", {})),
            injury=Injury(**data.get("injury", {})),
            items=items,
            warnings=list(data.get("warnings", [])),
        )

    @property
    def key(self) -> str:
        """Identifier used in IRIs: the case number, else ``content-<content_digest()>``.

        A letter without a case number is known by what it says, not by its file: its PDF and
        its text (or a re-download with other bytes) are then one letter, as letters with a case
        number are (``imrgraph.store.versions``), while two files that say different things stay
        two letters.
        """
        if self.case_number:
            return self.case_number
        return f"content-{self.content_digest()}"

    def content_digest(self) -> str:
        """sha256 (hex) of the letter's JSON without its source file, the items' pages and
        the items' reasons.

        Source and pages are the only fields that differ between a letter's PDF and its text;
        reasons are read out of the rationale, which counts. Everything the letter says (dates,
        reviewer, items, outcomes, citations, rationale, warnings) counts.
        """
        # The fields are read in place (``vars``), not through ``to_dict``: asdict deep-copies
        # every value, 5x the time of the hash itself, and this runs once per letter.
        data = {name: value for name, value in vars(self).items() if name != "source"}
        # A warning that depends on the day the letter was read (a date still in the future
        # then) must not give the same letter another key when it is read again later.
        data["warnings"] = [w for w in self.warnings if not w.startswith("date-in-future:")]
        # A field added to the model after content keys were first written is left out while it
        # is empty, so letters that do not use it keep the key an older imrgraph gave them.
        data["items"] = [
            {
                name: value
                for name, value in vars(item).items()
                if name not in _DERIVED_ITEM_FIELDS
                and not (name in _LATER_ITEM_FIELDS and value is None)
            }
            for item in self.items
        ]
        text = json.dumps(
            data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=vars
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
