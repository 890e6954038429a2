"""Guideline citations: split a citation line, and read each citation's parts.

A line such as "Decision based on MTUS Neck and Upper Back Complaints 2004, and Low Back
Complaints 2004. Decision based on Non-MTUS Citation ACOEM Practice Guidelines, Second Edition,
Chapter 12 ..." holds several citations, joined by "and", ";" or a repeated "Decision based on".
"and" only starts a new citation when what follows is itself a citation start (a family marker
or a known document name): the "and" inside "Neck and Upper Back Complaints" or "Forearm,
Wrist, and Hand Complaints" is part of a name.

Each citation then gets ``family`` / ``in_mtus`` / ``document`` / ``edition`` / ``section`` /
``pages`` following DESIGN.md ("Parser output conventions"). A citation whose document cannot be
recognised keeps its name as written and adds a ``citation-unrecognized`` warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imrgraph.model import Citation, Family
from imrgraph.parse.text import collapse

# --- canonical documents -------------------------------------------------------------------

_AND = r"(?:and|&)"

#: MTUS documents: canonical name -> pattern of the ways letters write it. The 2016 MTUS
#: writes year-suffixed titles ("Chronic Pain Medical Treatment 2016", "Opioid Treatment 2016",
#: "Acupuncture Treatment 2007", "Postsurgical Treatment 2009"): the year is the edition, read
#: after the name.
MTUS_DOCUMENTS: list[tuple[str, str]] = [
    (
        "Chronic Pain Medical Treatment Guidelines",
        r"(?:Chronic\s+Pain\s+(?:Medical\s+)?Treatment(?:\s+Guidelines?)?|Chronic\s+Pain\s+Guidelines?"
        r"|CPMTG)",
    ),
    # A document of its own in the 2016 MTUS, not a section of the Chronic Pain guidelines.
    ("Opioids Treatment Guidelines", r"Opioids?\s+Treatment(?:\s+Guidelines?)?"),
    (
        "Acupuncture Medical Treatment Guidelines",
        r"Acupuncture\s+(?:Medical\s+)?Treatment(?:\s+Guidelines?)?",
    ),
    (
        "Postsurgical Treatment Guidelines",
        r"Post[\s-]?surgical\s+(?:Treatment\s+Guidelines?|Guidelines?|Treatment)",
    ),
    # The General Approaches are ACOEM's chapters 1 to 7, also cited by a chapter's title.
    (
        "General Approaches",
        rf"General\s+Approach(?:es)?(?!\s+to\s+Initial)"
        rf"|Independent\s+Medical\s+Examinations?\s+{_AND}\s+Consultations?"
        rf"|Initial\s+Approaches\s+to\s+Treatment"
        rf"|(?:General\s+Approach\s+to\s+)?Initial\s+Assessment\s+{_AND}\s+Documentation"
        rf"|Cornerstones\s+of\s+Disability\s+Prevention\s+{_AND}\s+Management"
        rf"|Pain\s*,\s*Suffering\s*,?\s+{_AND}\s+the\s+Restoration\s+of\s+Function",
    ),
    ("Neck and Upper Back Complaints", rf"Neck\s+{_AND}\s+Upper\s+Back\s+Complaints"),
    ("Shoulder Complaints", r"Shoulder\s+Complaints"),
    ("Elbow Disorders", r"Elbow\s+(?:Disorders|Complaints)"),
    (
        "Forearm, Wrist, and Hand Complaints",
        rf"Forearm\s*,?\s+Wrist\s*,?\s+{_AND}\s+Hand\s+Complaints",
    ),
    ("Low Back Complaints", r"Low(?:er)?\s+Back\s+Complaints"),
    ("Knee Complaints", r"Knee\s+Complaints"),
    ("Ankle and Foot Complaints", rf"Ankle\s+{_AND}\s+Foot\s+Complaints"),
    ("Stress Related Conditions", r"Stress[\s-]+Related\s+Conditions"),
]

#: ACOEM 2nd edition chapter number -> the MTUS chapter that adopted it.
MTUS_CHAPTERS: dict[int, str] = {
    **{n: "General Approaches" for n in range(1, 8)},
    8: "Neck and Upper Back Complaints",
    9: "Shoulder Complaints",
    10: "Elbow Disorders",
    11: "Forearm, Wrist, and Hand Complaints",
    12: "Low Back Complaints",
    13: "Knee Complaints",
    14: "Ankle and Foot Complaints",
    15: "Stress Related Conditions",
}
_MTUS_ACOEM_CHAPTERS = frozenset(MTUS_CHAPTERS.values())

# What may follow an ODG chapter's name and still belong to it: "(Acute & Chronic)", "(Chronic)",
# "(Thoracic and Lumbar, Acute and Chronic)", "(trauma, headaches, etc., not including stress &
# mental disorders)", then "Chapter" or "section".
_ODG_PAREN = r"(?:\s*\((?:[^()]*\b(?:Acute|Chronic|Lumbar|Thoracic|trauma)\b[^()]*)\))?"
_ODG_SUFFIX = rf"{_ODG_PAREN}(?:\s+(?:Chapter|section|Procedures?(?:\s+Summary)?)\b)?{_ODG_PAREN}"
#: ODG chapters: canonical name -> pattern (the "(Acute & Chronic)" / "Chapter" tail is optional).
ODG_DOCUMENTS: list[tuple[str, str]] = [
    ("Pain Chapter", r"(?:Chronic\s+)?Pain"),
    (
        "Low Back Chapter",
        rf"Low(?:er)?\s+Back(?:\s*(?:[-–]|,|{_AND})?\s*(?:Lumbar\s*(?:{_AND}|,)\s*)?Thoracic"
        rf"(?:\s*{_AND}\s*Lumbar)?)?",
    ),
    ("Neck and Upper Back Chapter", rf"Neck(?:\s+{_AND}\s+Upper\s+Back)?"),
    ("Shoulder Chapter", r"Shoulder"),
    ("Elbow Chapter", r"Elbow"),
    (
        "Forearm, Wrist, and Hand Chapter",
        rf"Forearm\s*,?\s+Wrist\s*,?\s+{_AND}\s+Hand",
    ),
    ("Hip and Pelvis Chapter", rf"Hips?(?:\s+{_AND}\s+Pelvis)?"),
    ("Knee and Leg Chapter", rf"Knee(?:\s+{_AND}\s+Leg)?"),
    ("Ankle and Foot Chapter", rf"Ankle(?:\s+{_AND}\s+Foot)?"),
    ("Head Chapter", r"Head"),
    ("Mental Illness and Stress Chapter", rf"Mental\s+Illness(?:\s+{_AND}\s+Stress)?"),
    ("Fitness for Duty Chapter", r"Fitness\s+for\s+Duty"),
    ("Carpal Tunnel Syndrome Chapter", r"Carpal\s+Tunnel(?:\s+Syndrome)?"),
    # The rest of ODG's chapter list: none is cited in the sample letters, all can be.
    ("Burns Chapter", r"Burns"),
    ("Diabetes Chapter", r"Diabetes(?:\s*\(\s*Type[^()]*\))?"),
    ("Eye Chapter", r"Eye"),
    ("Hernia Chapter", r"Hernia"),
    ("Pulmonary Chapter", r"Pulmonary"),
    ("Traumatic Brain Injury Chapter", r"Traumatic\s+Brain\s+Injury"),
]
#: Short names of ODG chapters, read only where an ODG citation names its chapter (never a
#: reason to split a line at "and": "Forearm, Wrist, and Hand" holds "Hand").
ODG_ALIASES: list[tuple[str, str]] = [
    ("Forearm, Wrist, and Hand Chapter", rf"(?:Wrist(?:\s+{_AND}\s+Hand)?|Hand)"),
    ("Ankle and Foot Chapter", r"Foot"),
    ("Mental Illness and Stress Chapter", r"Mental\s+Stress|Stress\s*/\s*Mental"),
]
# Parts of ODG that are not chapters (its Preface's physical therapy, physical medicine and
# chiropractic guidelines) and topics cited without their chapter ("Criteria for the use of
# TENS"): no chapter to resolve, and not a doubt.
_ODG_NOT_A_CHAPTER_RE = re.compile(
    r"^(?:ODG\s+)?(?:Preface\b.*|(?:Physical\s+(?:Therapy|Medicine)|Chiropractic)\s+Guidelines?"
    r"|(?:Criteria|Indications)\s+for\b.*)$",
    re.I,
)
# Publisher and format words before or around the chapter, not part of its name.
_ODG_NOISE_RE = re.compile(
    r"\s*,?\s*(?:Work\s+Loss\s+Data\s+Institute(?:\s*\([^()]*\))?"
    r"|\(?(?:Web|Online)\s+(?:Version|Edition)\)?|\(\s*(?:update|updated|revised)[^)]*\)"
    r"|\b(?:Web|Online)\b(?=\s*,)|\(\s*Official\s+Disability\s+Guidelines?\s*\)"
    r"|^\s*Treatment\s+Guidelines?\b(?=\s*,)"
    # the chapter's date written without brackets: ", updated 11/23/16", ", last updated ..."
    r"|(?:last\s+)?(?:updated?|revised)\s*:?\s*\d{1,2}/\d{1,2}/\d{2,4}"
    # the publication's subtitles, before the chapter: not its topic
    r"|(?:ODG\s+)?Treatment\s*,\s*(?=Integrated)"
    r"|Integrated\s+Treatment\s*/\s*Disability\s+Duration\s+Guidelines?"
    r"|Treatment\s+in\s+Workers['’]?\s+Comp(?:ensation)?(?:\s*,?\s*(?:19|20)\d{2})?)",
    re.I,
)
# A chapter named later in the citation ("Bone scan, Knee chapter", "MRI shoulder"): only as a
# whole word, so "Headaches" is not the Head chapter.
_ODG_END = r"(?![\w-])"

#: MTUS documents that exist in one edition only: cited without a year, that is the edition.
_ONLY_EDITION = {"Opioids Treatment Guidelines": "2016"}

_MTUS_DOC_RES = [
    (name, re.compile(rf"(?:the\s+)?{pattern}\b", re.I)) for name, pattern in MTUS_DOCUMENTS
]
_ODG_DOC_RES = [
    (name, re.compile(rf"(?:the\s+)?{pattern}{_ODG_SUFFIX}{_ODG_END}", re.I))
    for name, pattern in ODG_DOCUMENTS + ODG_ALIASES
]
_ODG_DOC_SEARCH_RES = [
    (name, re.compile(rf"(?<![\w-]){pattern}{_ODG_SUFFIX}{_ODG_END}", re.I))
    for name, pattern in ODG_DOCUMENTS + ODG_ALIASES
]
# ODG chapter named with the word "Chapter" (recognisable without a family marker).
_ODG_NAMED_CHAPTER = (
    r"(?:"
    + "|".join(p for _, p in ODG_DOCUMENTS)
    + r")(?:\s*\((?:Acute\s*(?:and|&)\s*)?Chronic\))?\s+Chapter\b"
)
_ODG_NAMED_CHAPTER_RE = re.compile(rf"(?:the\s+)?{_ODG_NAMED_CHAPTER}", re.I)
# An ODG chapter with the "(Acute & Chronic)" tail only ODG writes: ODG without the name.
_ODG_TAILED_CHAPTER_RE = re.compile(
    r"(?:" + "|".join(p for _, p in ODG_DOCUMENTS) + r")\s*\((?:Acute\s*(?:and|&)\s*)?Chronic\)",
    re.I,
)
_ODG_ANYWHERE_RE = re.compile(r"\bODG\b|Official\s+Disability\s+Guidelines?", re.I)

# --- markers -------------------------------------------------------------------------------

_NON_MTUS_RE = re.compile(r"(?:the\s+)?Non[\s-]*MTUS(?:\s+Citations?)?\s*:?\s*", re.I)
_THE_MTUS = (
    r"(?:the\s+)?(?:(?:CA|California)\s+)?(?:MTUS\b|Medical\s+Treatment\s+Utilization\s+Schedule"
    r"(?:\s*\(MTUS\))?)"
)
_NOT_PART_RE = re.compile(
    rf"\s*,?\s*(?:which|that)\s+(?:is|are)\s+not\s+(?:a\s+)?part\s+of\s+{_THE_MTUS}", re.I
)
_PART_RE = re.compile(
    rf"\s*,?\s*(?:which|that)\s+(?:is|are)\s+(?:a\s+)?part\s+of\s+{_THE_MTUS}", re.I
)
_MTUS_RE = re.compile(
    r"(?:the\s+)?(?:(?:CA|California)\s+)?(?:MTUS|Medical\s+Treatment\s+Utilization\s+Schedule)"
    r"(?:\s*\(MTUS\))?(?:\s*\(?(?P<year>(?:19|20)\d{2})\)?)?(?:['’]s)?\s*(?:Guidelines?\b)?"
    r"(?:\s+(?:in|from|of)\b)?\s*[:,]?\s*",
    re.I,
)
_ODG_RE = re.compile(
    r"(?:the\s+)?(?:Official\s+Disability\s+Guidelines?"
    r"(?:\s*[-–]?\s*Treatment\s+in\s+Workers['’]?"
    r"\s+Comp(?:ensation)?)?(?:\s*\((?:ODG|ODG-TWC)\))?|ODG(?:[\s-]*TWC)?)(?:['’]s)?"
    r"(?:\s*\(?(?:19|20)\d{2}\)?)?(?:\s+Treatment\s+in\s+Workers['’]?\s+Comp(?:ensation)?)?"
    r"\s*[:,]?\s*",
    re.I,
)
_ACOEM_NAME = (
    r"(?:the\s+)?(?:American\s+College\s+of\s+Occupational\s+and\s+Environmental\s+Medicine"
    r"(?:\s*\(ACOEM\))?|ACOEM)(?:\s+Occupational\s+Medicine)?(?:\s+Practice)?(?:\s+Guidelines?)?"
)
_ACOEM_RE = re.compile(_ACOEM_NAME, re.I)
_IN_ACOEM_RE = re.compile(rf"(?:in\s+)?{_ACOEM_NAME}", re.I)

# --- parts ---------------------------------------------------------------------------------

_THE_RE = re.compile(r"the\s+", re.I)
_DASH_RE = re.compile(r"\s*[-–]\s*")
_COMMA_RE = re.compile(r"\s*,\s*")
_TOPIC_TAIL_RE = re.compile(r"\s+topic$", re.I)
_SECOND_EDITION_RE = re.compile(r"2004|2nd|Second", re.I)
_CHAPTER_WORD_RE = re.compile(r"^\s*Chapter\b", re.I)
_PAREN_YEAR_RE = re.compile(r"\(\s*(?:19|20)\d{2}\s*\)")

_PAGE_NUM = r"\d+(?:\s*[-–]\s*\d+)?(?:\s*(?:,|and|&)\s*\d+(?:\s*[-–]\s*\d+)?)*"
_PAGES_RE = re.compile(
    rf"\s*,?\s*\b(?:Page\s*\(s\)|Pages?|pp?\.|pg\.?|pgs\.?)\s*:?\s*(?P<pages>{_PAGE_NUM})(?!\d)"
    r"(?:\s+of\s+\d+\b)?",  # "Page(s): 67-68 of 127": the document's length is not a page
    re.I,
)
_REGULATION_RE = re.compile(
    r"\s*\b8\s*C\.?\s*C\.?\s*R\.?\s*(?:§+\s*)?\d+(?:\.\d+)?(?:\s*[-–]\s*\d+(?:\.\d+)?)?"
    r"|\s*(?:MTUS\s*)?\(\s*Effective\s+[^()]*\)",
    re.I,
)
_OF_TOTAL = r"(?:\s+of\s+\d+\b)?"  # "page 80 of 127": the guideline's length, not a page
_PAGE_OF_RE = re.compile(
    r"((?:pages?|pp?\.)\s*" + _PAGE_NUM + r")" + _OF_TOTAL + r"\s+of\s+(.*)$", re.I | re.S
)
_CHAPTER_RE = re.compile(r"\s*,?\s*(?:Chapter|Ch\.?)\s*(?P<n>\d{1,2})\b", re.I)
_ACOEM_PAREN_RE = re.compile(r"\(\s*ACOEM[^()]*(?:\([^()]*\)[^()]*)*\)", re.I)
_EDITION_RE = re.compile(
    r"\s*,?\s*(?P<ed>2nd|Second|3rd|Third|4th|Fourth|1st|First)\s+(?:Edition\b|ed\.|ed\b)"
    r"(?:\s*,?\s*\(?(?:19|20)\d{2}\)?)?",
    re.I,
)
_YEAR_RE = re.compile(
    r"^\s*,?\s*\(?(?:[A-Z][a-z]+\.?\s+)?(?P<year>(?:19|20)\d{2})\)?(?=\s*[,:;.]|\s*$|\s)"
)
_ODG_FRONT_RE = re.compile(
    r"\s*,?\s*(?:Treatment\s+Index\s*,?\s*)?(?:(?P<ed>\d{1,2}(?:st|nd|rd|th)\s+Edition)"
    r"(?:\s*\(web\))?\s*,?\s*)?(?:(?:19|20)\d{2}(?:\s+Updates?)?\s*[,:]?\s*)?",
    re.I,
)
_TABLE_RE = re.compile(r"\s*,?\s*\bTable\s+\d+-\d+", re.I)
_UPDATE_RE = re.compile(r"\s*\((?:update|updated|revised)[^)]*\)", re.I)
_SECTION_LABEL_RE = re.compile(r"^(?:Section\s*\(s\)|(?:Sections?|Topics?)\b)\s*:?\s*", re.I)
_EDGE_PUNCT = " \t,;:.-–"
_EDITIONS = {
    "1st": "1st Edition",
    "first": "1st Edition",
    "2nd": "2nd Edition",
    "second": "2nd Edition",
    "3rd": "3rd Edition",
    "third": "3rd Edition",
    "4th": "4th Edition",
    "fourth": "4th Edition",
}

# --- splitting -----------------------------------------------------------------------------

_NO_CITATION_RE = re.compile(
    r"did\s+not\s+(?:cite|identify|reference|provide|list)\s+any"
    r"|\bno\s+(?:medical\s+evidence|(?:evidence[\s-]+based\s+)?guidelines?|citations?)\s+"
    r"(?:was|were)\s+(?:cited|provided|referenced|identified)"
    r"|cited\s+no\s+(?:medical\s+)?(?:evidence|guidelines?|citations?)",
    re.I,
)
_LEAD_IN_RE = re.compile(
    r"(?:(?:The\s+)?(?:Claims\s+Administrator|(?:Expert|Physician|Medical)\s+Reviewer|Reviewer)"
    r"\s+)?based\s+(?:its|his/her|his\s+or\s+her|her/his|his|her|their|the)\s+decisions?\s+on"
    r"\s*:?\s*|Decisions?\s+(?:was\s+)?based\s+on\s*:?\s*",
    re.I,
)
_START = (
    r"(?:the\s+)?(?:Non[\s-]*MTUS|(?:CA\s+|California\s+)?MTUS\b|ODG\b|Official\s+Disability"
    r"|ACOEM\b|American\s+College|FDA\b|peer[\s-]+reviewed|Medical\s+Treatment\s+Utilization"
    r"|Other\s+Medical\s+Treatment\s+Guidelines?"
    r"|" + "|".join(p for _, p in MTUS_DOCUMENTS) + r"|" + _ODG_NAMED_CHAPTER + r")"
)
# "The Claims Administrator based their decision on recommendation(s) outside of the MTUS
# Guidelines." opens a non-MTUS citation paragraph: it says where the citations come from and
# names none itself.
_PREAMBLE_RE = re.compile(
    r"^(?:the\s+)?(?:following\s+)?(?:evidence[\s-]+based\s+)?"
    r"(?:recommendations?(?:\(s\))?|guidelines?|evidence|criteria)\s+"
    r"(?:that\s+(?:is|are)\s+)?(?:outside\s+(?:of\s+)?|other\s+than\s+)(?:the\s+)?"
    r"(?:CA\s+|California\s+)?"
    r"(?:MTUS|Medical\s+Treatment\s+Utilization\s+Schedule)(?:\s+Guidelines?)?(?:\s*[.:;]\s*|\s*$)",
    re.I,
)
# A web address broken over two lines after a hyphen or slash: joined without a space.
_BROKEN_URL_RE = re.compile(r"((?:https?://|www\.)\S{0,300}?[-/])[ \t]*\r?\n[ \t]*(?=\S)", re.I)
_OTHER_GUIDELINES_RE = re.compile(r"Other\s+Medical\s+Treatment\s+Guidelines?\s*:?\s*", re.I)
_AND_SPLIT_RE = re.compile(rf"\s*,?\s+and\s+(?={_START})", re.I)
_SEMI_SPLIT_RE = re.compile(r"\s*;\s*")
# Inside an ODG citation, a second chapter opens a citation of its own: "..., ODG Elbow
# (updated 11/23/16), Physical therapy", "Shoulder Chapter, Hand Chapter, Physical therapy".
_ODG_CHAPTER_SPLIT_RE = re.compile(
    r"\s*,\s+(?=ODG\s+(?:" + "|".join(p for _, p in ODG_DOCUMENTS) + r")(?![\w-])"
    r"|(?:" + "|".join(p for _, p in ODG_DOCUMENTS + ODG_ALIASES) + r")\s+Chapter\b)",
    re.I,
)


# "A 2004, Section(s): X, B 2016, Section(s): Y, and C ...": a list of MTUS documents written
# with commas. Only a document name with its year opens a citation here, so a section list
# ("Opioids, criteria for use, Opioids, dosing") stays whole.
_MTUS_DOC_COMMA_SPLIT_RE = re.compile(
    r"\s*,\s+(?=(?:" + "|".join(p for _, p in MTUS_DOCUMENTS) + r")\s*,?\s*\(?(?:19|20)\d{2}\b)",
    re.I,
)


@dataclass
class _Piece:
    text: str
    after_and: bool
    after_semicolon: bool = False


_LEADING_AND_RE = re.compile(r"^(?:and|&)\s+", re.I)


def _strip_piece(text: str) -> str:
    # "...; and Neck Chapter, Collars": the joiner after a semicolon is not the citation's
    text = _LEADING_AND_RE.sub("", collapse(text).strip(" \t,;"))
    while text.endswith("."):
        text = text[:-1].rstrip(" ,;")
    return text


def _split_odg_chapters(text: str) -> list[str]:
    """Cut an ODG citation before each chapter named after a first one."""
    out: list[str] = []
    last = 0
    for m in _ODG_CHAPTER_SPLIT_RE.finditer(text):
        before = text[last : m.start()]
        if any(rx.search(before) for _, rx in _ODG_DOC_SEARCH_RES):
            out.append(before)
            last = m.end()
    out.append(text[last:])
    return out


def split_citation_line(line: str) -> list[_Piece]:
    """Cut a citation line into citation texts (lead-ins, joiners and preambles removed)."""
    if "\n" in line and ("http" in line or "www" in line):
        line = _BROKEN_URL_RE.sub(r"\1", line)
    line = collapse(line)
    if _NO_CITATION_RE.search(line):
        return []
    pieces: list[_Piece] = []
    lead = _LEAD_IN_RE.search(line)
    if lead:
        # Anything before the first lead-in is preamble ("The Expert Reviewer found that ...").
        line = line[lead.start() :]
    for chunk in _LEAD_IN_RE.split(line):
        # "... outside of the MTUS Guidelines." opens the chunk; the citation, if any, follows.
        chunk = _PREAMBLE_RE.sub("", chunk.strip(), count=1)
        for j, part in enumerate(_SEMI_SPLIT_RE.split(chunk)):
            subparts = _AND_SPLIT_RE.split(part) if " and " in part.lower() else [part]
            if _ODG_ANYWHERE_RE.search(part):
                subparts = [p for sub in subparts for p in _split_odg_chapters(sub)]
            elif "mtus" in part.lower() and not _NON_MTUS_RE.match(part) and ", " in part:
                subparts = [p for sub in subparts for p in _MTUS_DOC_COMMA_SPLIT_RE.split(sub)]
            for i, sub in enumerate(subparts):
                cleaned = _strip_piece(sub)
                if cleaned:
                    pieces.append(_Piece(cleaned, after_and=i > 0, after_semicolon=i == 0 < j))
    return pieces


# --- reading one citation ------------------------------------------------------------------


def _pages(body: str) -> tuple[str, str | None]:
    m = _PAGES_RE.search(body) if "p" in body.lower() else None
    if m is None:
        return body, None
    pages = _DASH_RE.sub("-", m.group("pages"))
    pages = _COMMA_RE.sub(", ", pages)
    return body[: m.start()] + body[m.end() :], pages


def _section(rest: str) -> str | None:
    rest = _SECTION_LABEL_RE.sub("", rest.strip(_EDGE_PUNCT + "/")).strip(_EDGE_PUNCT + "/")
    # "Low Back (Shock wave therapy)": the topic in brackets right after the chapter.
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == rest.count(")"):
        inner = rest[1:-1]
        if inner.find(")") == -1 or inner.find("(") < inner.find(")"):
            rest = inner.strip()
    rest = _TOPIC_TAIL_RE.sub("", rest)
    return rest or None


def _match_document(
    body: str, table: list[tuple[str, re.Pattern[str]]]
) -> tuple[str, re.Match[str]] | None:
    """The first canonical document named at the start of ``body``."""
    for name, pattern in table:
        m = pattern.match(body)
        if m:
            return name, m
    return None


def _read_mtus(body: str, cit: Citation) -> bool:
    body, cit.pages = _pages(body)
    if "effective" in body.lower() or "c.c.r" in body.lower() or "ccr" in body.lower():
        # "8 C.C.R. 9792.20 - 9792.26 MTUS (Effective July 18, 2009)": the regulation that
        # adopted the guideline, not a section of it.
        body = _REGULATION_RE.sub(" ", body)
    chapter: int | None = None
    if acoem := _IN_ACOEM_RE.match(body):
        # "ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 12 ..." cited as MTUS
        body = body[acoem.end() :].strip(_EDGE_PUNCT)
        ed = _EDITION_RE.match(body)
        if ed:
            body = body[ed.end() :].strip(_EDGE_PUNCT)
            cit.edition = "2004"
    elif paren := _ACOEM_PAREN_RE.search(body):
        # "MTUS (ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 9) Shoulder Complaints"
        inner = paren.group(0)
        ch = _CHAPTER_RE.search(inner)
        chapter = int(ch.group("n")) if ch else None
        if _SECOND_EDITION_RE.search(inner):
            cit.edition = "2004"
        body = (body[: paren.start()] + " " + body[paren.end() :]).strip(_EDGE_PUNCT + " ")
    ch = _CHAPTER_RE.match(body)
    if ch:
        chapter = int(ch.group("n"))
        body = body[ch.end() :].strip(_EDGE_PUNCT)
    # A table number locates text inside a document; it is not a section name.
    if "table" in body.lower():
        body = _TABLE_RE.sub("", body)
    body = body.strip(_EDGE_PUNCT)
    found = _match_document(body, _MTUS_DOC_RES)
    if found:
        cit.document = found[0]
        # "Knee Complaints Chapter": the word names the document, not a section.
        body = _CHAPTER_WORD_RE.sub("", body[found[1].end() :])
    elif chapter in MTUS_CHAPTERS:
        cit.document = MTUS_CHAPTERS[chapter]
    year = _YEAR_RE.match(body)
    if year:
        cit.edition = year.group("year")
        body = body[year.end() :]
    cit.section = _section(body)
    if cit.document is None:
        name = body.split(",")[0].strip(_EDGE_PUNCT)
        cit.document = name or None
        cit.section = None
        return False
    return True


def _read_odg(body: str, cit: Citation) -> bool:
    body, cit.pages = _pages(body)
    # "Treatment Index, 11th Edition (web), 2013, Pain, Opioids" / "18th Edition, 2013
    # Updates: Low Back Chapter, MRI": the edition is written, the chapter follows it.
    front = _ODG_FRONT_RE.match(body)
    if front and front.end() > 0:
        if front.group("ed"):
            cit.edition = collapse(front.group("ed"))
        body = body[front.end() :]
    lowered = body.lower()
    noise_words = ("version", "(", "work loss", "updat", "revised", "treatment", "online", "web")
    if any(w in lowered for w in noise_words):
        body = _ODG_NOISE_RE.sub(" ", body)
        body = _ODG_FRONT_RE.sub("", collapse(body), count=1)
    body = body.strip(_EDGE_PUNCT)
    if not body:  # "Official Disability Guidelines (ODG)." names the family only
        return True
    found = _match_document(body, _ODG_DOC_RES)
    if found is not None:
        cit.document = found[0]
        cit.section = _section(body[found[1].end() :])
        return True
    # The chapter named after the topic ("Bone scan, Knee chapter", "MRI Elbow",
    # "Shoulder (Acute & Chronic), ..., ODG Preface"): the first chapter named anywhere.
    later = [(m.start(), name, m) for name, rx in _ODG_DOC_SEARCH_RES if (m := rx.search(body))]
    if later:
        _, name, m = min(later, key=lambda hit: hit[0])
        cit.document = name
        cit.section = _section(body[: m.start()]) or _section(body[m.end() :])
        return True
    cit.section = _section(body)
    if _ODG_NOT_A_CHAPTER_RE.match(body):
        return True
    cit.document = body.split(",")[0].strip(_EDGE_PUNCT) or None
    cit.section = _section(body[len(body.split(",")[0]) :])
    return False


def _read_acoem(body: str, cit: Citation) -> bool:
    cit.document = "ACOEM Practice Guidelines"
    marker = _ACOEM_RE.match(body)
    if marker:
        body = body[marker.end() :]
    body, cit.pages = _pages(body)
    body = _UPDATE_RE.sub("", body)
    ed = _EDITION_RE.search(body)
    if ed:
        cit.edition = _EDITIONS[ed.group("ed").lower()]
        body = body[: ed.start()] + body[ed.end() :]
    body = _PAREN_YEAR_RE.sub("", body)
    ch = _CHAPTER_RE.search(body)
    chapter = None
    if ch:
        chapter = int(ch.group("n"))
        body = body[: ch.start()] + " " + body[ch.end() :]
    title = _section(collapse(body))
    if title:
        cit.section = title
    elif chapter is not None:
        cit.section = f"Chapter {chapter}"
    return True


def read_citation(text: str, inherited: Family | None = None) -> tuple[Citation, bool]:
    """Read one citation text. Returns the citation and whether its document was recognised.

    ``inherited`` is the family of the previous citation on the same line, used when this one
    carries no family marker and names no known document (the "..., and Low Back Complaints
    2004" case).
    """
    body = text
    m = _THE_RE.match(body)
    if m:
        body = body[m.end() :]
    explicit_non_mtus = False
    mtus_marker = False
    mtus_year: str | None = None  # "MTUS 2009: ..." names the edition it cites
    non = _NON_MTUS_RE.match(body) or _OTHER_GUIDELINES_RE.match(body)
    if non:
        explicit_non_mtus = True
        body = body[non.end() :]
    has_part_of = "part of" in body.lower()  # cheap test before the two clause patterns
    not_part = _NOT_PART_RE.search(body) if has_part_of else None
    if not_part:
        explicit_non_mtus = True
        body = body[: not_part.start()] + body[not_part.end() :]
    part = _PART_RE.search(body) if has_part_of else None
    if part:
        mtus_marker = True
        body = body[: part.start()] + body[part.end() :]
    body = body.strip(_EDGE_PUNCT)
    if not explicit_non_mtus:
        mt = _MTUS_RE.match(body)
        if mt:
            mtus_marker = True
            body = body[mt.end() :]
            mtus_year = mt.group("year")

    family: Family
    odg = _ODG_RE.match(body)
    if odg and not mtus_marker:
        family = "ODG"
        body = body[odg.end() :]
    elif mtus_marker:
        family = "MTUS"
    elif _ACOEM_RE.match(body):
        family = "ACOEM"
    elif explicit_non_mtus and (
        _ODG_TAILED_CHAPTER_RE.match(body) or _ODG_ANYWHERE_RE.search(body)
    ):
        # "Non-MTUS Citation Shoulder (Acute & Chronic), Physical Therapy, ODG Preface": ODG
        # named after its chapter.
        family = "ODG"
    elif explicit_non_mtus:
        family = "OTHER"
    elif _match_document(body, _MTUS_DOC_RES):
        family = "MTUS"
    elif _ODG_NAMED_CHAPTER_RE.match(body):
        family = "ODG"
    elif inherited is not None:
        family = inherited
    else:
        family = "OTHER"

    cit = Citation(text=text, family=family, in_mtus=family == "MTUS")
    if family == "MTUS":
        recognised = _read_mtus(body, cit)
        if cit.edition is None and mtus_year:
            cit.edition = mtus_year
        if cit.edition is None:
            cit.edition = _ONLY_EDITION.get(cit.document or "")
    elif family == "ODG":
        recognised = _read_odg(body, cit)
    elif family == "ACOEM":
        recognised = _read_acoem(body, cit)
    else:
        # OTHER has no canonical list: its source as written is its document, never a doubt.
        cit.document = body.strip(_EDGE_PUNCT) or None
        recognised = True
    return cit, recognised


def parse_citation_line(line: str, warnings: list[str], where: str = "") -> list[Citation]:
    """All citations on one citation line, in order."""
    out: list[Citation] = []
    family: Family | None = None
    for piece in split_citation_line(line):
        if piece.after_semicolon and out and out[-1].family in ("MTUS", "ODG"):
            # "ODG, Low Back, EMG; Nerve conduction studies (NCS)": what follows a semicolon
            # without naming a guideline or chapter of its own is more of the same citation.
            # A chapter's bare name ("Pain ...", "Knee ...") opens a citation only inside ODG:
            # in an MTUS citation "; Pain outcomes and endpoints" is one more section.
            body = piece.text
            own_chapter = out[-1].family == "ODG" and _match_document(body, _ODG_DOC_RES)
            if not re.match(_START, body, re.I) and not own_chapter:
                prev = out[-1]
                merged, _ = read_citation(f"{prev.text}; {piece.text}")
                merged.text = f"{prev.text}; {piece.text}"
                out[-1] = merged
                continue
        # After a semicolon only a chapter of the same guideline continues its family
        # ("ODG Low back, Manipulation; Neck and Upper back, Manipulation").
        inherit = piece.after_and or (
            piece.after_semicolon
            and family == "ODG"
            and _match_document(piece.text, _ODG_DOC_RES) is not None
        )
        cit, ok = read_citation(piece.text, family if inherit else None)
        if not ok:
            warnings.append(f"citation-unrecognized: {where}{piece.text!r}")
        family = cit.family
        out.append(cit)
    return out


# --- citations in a rationale's running text -----------------------------------------------

# The running-text forms of DESIGN.md ("rationale_citations"); bare mentions such as
# "California MTUS guidelines" or "the MTUS Chronic Pain Medical Treatment Guidelines" name no
# locator and are not citations.
_RATIONALE_RES = [
    # "The MTUS Guideline in ACOEM Chapter 3, page 48", "the MTUS Guideline in ACOEM Chapter 8,
    # Table 8-8, page 182"
    re.compile(
        r"\b(?:the\s+)?MTUS\s+Guidelines?\s+in\s+ACOEM\s+(?:Chapter|Ch\.?)\s*\d{1,2}"
        r"(?:\s*,?\s*Table\s+\d+-\d+)?(?:\s*,?\s*(?:pages?|pp?\.)\s*" + _PAGE_NUM + r")?",
        re.I,
    ),
    # "page 80 of the MTUS Chronic Pain Medical Treatment Guidelines"
    re.compile(
        r"\b(?:pages?|pp?\.)\s*" + _PAGE_NUM + _OF_TOTAL + r"\s+of\s+(?:the\s+)?MTUS\s+"
        r"(?:" + "|".join(p for _, p in MTUS_DOCUMENTS) + r")",
        re.I,
    ),
    # "the MTUS Chronic Pain Medical Treatment Guidelines on page 22" (a document with a page)
    re.compile(
        r"\b(?:the\s+)?MTUS\s+(?:"
        + "|".join(p for _, p in MTUS_DOCUMENTS)
        + r")\s*,?\s+(?:on\s+)?(?:pages?|pp?\.)\s*"
        + _PAGE_NUM
        + _OF_TOTAL,
        re.I,
    ),
    # "ODG's Shoulder Chapter MRI topic", "ODG's Chronic Pain Chapter Urine Drug Testing topic"
    re.compile(
        r"\bODG['’]s\s+" + _ODG_NAMED_CHAPTER + r"\s+[A-Za-z0-9(][^.;:]{0,80}?\s+topic\b",
        re.I,
    ),
]


# Every rationale citation contains one of these words (in lower case). Scanning for them with
# a plain literal alternation and trying the patterns only where they occur is several times
# faster than running every pattern over the whole rationale.
_RATIONALE_KEYWORD_RE = re.compile(r"mtus|odg")
# What may come before the keyword inside the citation: "page 80 of the MTUS ...", "the MTUS
# Guideline in ..." (matched on the lower-cased text).
_RATIONALE_BEFORE_RE = re.compile(
    r"(?:\b(?:pages?|pp?\.)\s*" + _PAGE_NUM + _OF_TOTAL + r"\s+of\s+)?(?:\bthe\s+)?$"
)


def rationale_citations(rationale: str) -> list[Citation]:
    """Guidelines the rationale cites in its running text, in order, without repeats."""
    spans: list[tuple[int, int]] = []
    lower = rationale.lower()
    covered = 0
    for hit in _RATIONALE_KEYWORD_RE.finditer(lower):
        if hit.start() < covered:
            continue
        window = max(0, hit.start() - 48)
        before = _RATIONALE_BEFORE_RE.search(lower, window, hit.start())
        starts = (
            [before.start(), hit.start()]
            if before and before.start() < hit.start()
            else [hit.start()]
        )
        for start in starts:
            if start < covered:
                continue
            m = next((m for p in _RATIONALE_RES if (m := p.match(rationale, start))), None)
            if m is not None:
                spans.append((m.start(), m.end()))
                covered = m.end()
                break
    spans.sort()
    out: list[Citation] = []
    seen: set[str] = set()
    for s, e in spans:
        raw = rationale[s:e]
        text = raw
        # "page 80 of the MTUS X" -> read as "MTUS X, page 80".
        m = _PAGE_OF_RE.match(raw)
        if m:
            text = f"{m.group(2)}, {m.group(1)}"
        cit, ok = read_citation(collapse(text))
        if not ok:
            continue
        cit.text = collapse(raw)
        # The same mention repeated adds nothing; a different mention of the same chapter
        # ("..., Table 12-8, page 299") is kept, as the reviewer wrote it.
        key = cit.text.lower().removeprefix("the ")
        if key in seen:
            continue
        seen.add(key)
        out.append(cit)
    return out
