"""Resolve a parsed citation to a concept of the guideline scheme (``ontology/guidelines.ttl``).

The parser writes canonical document names (docs/DESIGN.md) and sections as written; the scheme
holds those names as ``skos:prefLabel`` and other spellings as ``skos:altLabel``. Resolution goes
family -> document -> section and stops at the most specific concept that matched, so an unknown
document still counts for its family and an unknown section still counts for its document. The
scheme is read once per process; lookups are dictionary hits, cheap enough for the mapper's hot
path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import RDF, SKOS, Graph, URIRef

from imrgraph.errors import ResourceMissing
from imrgraph.model import FAMILIES, Citation
from imrgraph.rdf.vocab import IMR
from imrgraph.resources import resource_path

_SPACE = re.compile(r"\s+")
# An outline number before a section's title ("3.3.9 Opioids for Chronic Pain ...", as the 2016
# MTUS Opioids Treatment Guidelines are cited): a number, not part of the name.
_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s+(?=\D)")
_PREFIXES = ("the ",)


def normalize_label(label: str) -> str:
    """The form labels are compared in: case-folded, "&" read as "and", a curly apostrophe as a
    straight one, whitespace collapsed.

    Also drops a leading "the" and a final period, which citations carry as running text
    ("the Official Disability Guidelines ... Shoulder Chapter.").
    """
    text = label.casefold().replace("&", " and ").replace("\u2019", "'")
    text = _SPACE.sub(" ", text).strip().rstrip(".").strip()
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.replace(" ,", ",")


def normalize_edition(edition: str | None) -> str | None:
    """ "3rd Edition (2011)", "Third Edition", "3rd" -> "3rd"; None when no edition is named."""
    if not edition:
        return None
    text = edition.casefold()
    for word, ordinal in (("second", "2nd"), ("third", "3rd"), ("fourth", "4th")):
        text = text.replace(word, ordinal)
    match = re.search(r"\b(\d+)(?:st|nd|rd|th)\b", text)
    return match.group(0) if match else None


@dataclass(frozen=True)
class GuidelineScheme:
    """The guideline scheme as lookup tables (built once by :func:`guideline_scheme`)."""

    families: dict[str, str]  # family code ("MTUS") -> family concept IRI
    documents: dict[tuple[str, str], str]  # (family, normalized label) -> document IRI
    editions: dict[tuple[str, str], str]  # (family, "3rd") -> document IRI (ACOEM editions)
    sections: dict[tuple[str, str], str]  # (document IRI, normalized label) -> section IRI
    section_labels: dict[str, tuple[str, ...]]  # document IRI -> its section labels, longest first
    levels: dict[str, str]  # concept IRI -> "family" | "document" | "section"
    section_documents: dict[str, str] = field(default_factory=dict)  # section IRI -> document IRI
    # (family, normalized section label) -> the section, for a label only one document of the
    # family has (None where several do): a citation naming a section but no document
    family_sections: dict[tuple[str, str], str | None] = field(default_factory=dict)
    _memo: dict[tuple, str | None] = field(default_factory=dict, compare=False, repr=False)

    def resolve(self, citation: Citation) -> str | None:
        """The IRI of the most specific concept ``citation`` names, or None for an unknown family.

        Unknown document -> the family concept; unknown section -> the document concept. Results
        are memoised: letters repeat the same few hundred citations endlessly.
        """
        key = (citation.family, citation.document, citation.edition, citation.section)
        try:
            return self._memo[key]
        except KeyError:
            pass
        iri = self._resolve(*key)
        if len(self._memo) < 100_000:
            self._memo[key] = iri
        return iri

    def _resolve(
        self, family: str, document: str | None, edition: str | None, section: str | None
    ) -> str | None:
        family_iri = self.families.get(family)
        if family_iri is None:
            return None
        document_iri = None
        if not document and section:
            # "ODG, Physical Therapy Guidelines": a section only one document of the family has
            # names that document; a section several have ("Physical therapy") stays the family
            key = _SECTION_NUMBER.sub("", normalize_label(section))
            return self.family_sections.get((family, key)) or family_iri
        if document:
            document_iri = self.documents.get((family, normalize_label(document)))
            ordinal = normalize_edition(edition)
            if ordinal and (document_iri is None or document_iri == family_iri):
                document_iri = self.editions.get((family, ordinal), document_iri)
        if document_iri is None or document_iri == family_iri:
            return family_iri
        if section:
            return self._section(document_iri, section) or document_iri
        return document_iri

    def _section(self, document: str, section: str) -> str | None:
        key = _SECTION_NUMBER.sub("", normalize_label(section))
        hit = self.sections.get((document, key))
        if hit:
            return hit
        # "Opioids, criteria for use" / "MRI (magnetic resonance imaging)" / "Summary, page 182":
        # a known section followed by a qualifier counts for that section.
        for label in self.section_labels.get(document, ()):
            if key.startswith(label) and key[len(label) : len(label) + 1] in (",", " ", ";", ":"):
                return self.sections[(document, label)]
        return None


def build_scheme(graph: Graph) -> GuidelineScheme:
    """Turn the SKOS scheme in ``graph`` into lookup tables.

    A label that two documents of one family share (or two sections of one document) would make
    resolution depend on parse order, so it is refused: the scheme must be fixed instead.
    """
    families: dict[str, str] = {}
    documents: dict[tuple[str, str], str] = {}
    editions: dict[tuple[str, str], str] = {}
    sections: dict[tuple[str, str], str] = {}
    levels: dict[str, str] = {}
    section_documents: dict[str, str] = {}

    def labels(concept: URIRef) -> list[str]:
        found = [str(o) for o in graph.objects(concept, SKOS.prefLabel)]
        found += [str(o) for o in graph.objects(concept, SKOS.altLabel)]
        return found

    def put(table: dict, key: tuple[str, str], iri: str) -> None:
        if table.get(key, iri) != iri:
            raise ResourceMissing(f"guideline scheme: label {key[1]!r} names two concepts")
        table[key] = iri

    for concept in graph.subjects(RDF.type, IMR.GuidelineFamily):
        code = str(graph.value(concept, IMR.family))
        families[code] = str(concept)
        levels[str(concept)] = "family"
        for label in labels(concept):  # "ACOEM Practice Guidelines" without edition -> family
            put(documents, (code, normalize_label(label)), str(concept))
    for concept in graph.subjects(RDF.type, IMR.GuidelineDocument):
        code = str(graph.value(concept, IMR.family))
        levels[str(concept)] = "document"
        for label in labels(concept):
            put(documents, (code, normalize_label(label)), str(concept))
        notation = graph.value(concept, SKOS.notation)
        ordinal = normalize_edition(str(notation)) if notation is not None else None
        if ordinal:
            editions[(code, ordinal)] = str(concept)
    for concept in graph.subjects(RDF.type, IMR.GuidelineSection):
        document = str(graph.value(concept, SKOS.broader))
        levels[str(concept)] = "section"
        section_documents[str(concept)] = document
        for label in labels(concept):
            put(sections, (document, normalize_label(label)), str(concept))
    section_labels: dict[str, list[str]] = {}
    family_sections: dict[tuple[str, str], str | None] = {}
    family_of = {doc: code for (code, _), doc in documents.items()}
    for (document, label), section in sections.items():
        section_labels.setdefault(document, []).append(label)
        key = (family_of.get(document, ""), label)
        family_sections[key] = section if family_sections.get(key, section) == section else None
    missing = [code for code in FAMILIES if code not in families]
    if missing:
        raise ResourceMissing(f"guideline scheme: no family concept for {', '.join(missing)}")
    return GuidelineScheme(
        families=families,
        documents=documents,
        editions=editions,
        sections=sections,
        section_labels={
            doc: tuple(sorted(found, key=len, reverse=True))
            for doc, found in section_labels.items()
        },
        levels=levels,
        section_documents=section_documents,
        family_sections=family_sections,
    )


def load_scheme_graph(path: Path | None = None) -> Graph:
    """Parse guidelines.ttl (the packaged one unless ``path`` is given) into an rdflib Graph."""
    graph = Graph()
    graph.parse(path or resource_path("ontology", "guidelines.ttl"), format="turtle")
    return graph


@cache
def guideline_scheme() -> GuidelineScheme:
    """The packaged guideline scheme's lookup tables, built on first use and kept."""
    return build_scheme(load_scheme_graph())


def resolve_citation(citation: Citation) -> str | None:
    """IRI of the most specific concept of the packaged scheme that ``citation`` names.

    None only when the citation's family is not one of MTUS, ODG, ACOEM, OTHER (bad input,
    which SHACL then reports as a citation without a guideline).
    """
    return guideline_scheme().resolve(citation)


__all__ = [
    "GuidelineScheme",
    "build_scheme",
    "guideline_scheme",
    "load_scheme_graph",
    "normalize_edition",
    "normalize_label",
    "resolve_citation",
]
