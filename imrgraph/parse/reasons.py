"""The reasons a rationale gives for its decision: rationale sentences -> (reason code, sentence).

The codes are the concepts of ``ontology/reasons.ttl`` (its ``skos:definition`` of each draws the
boundaries these rules follow). Rules, not a model: each reason is a few regular expressions
over one sentence, so a wrong answer can be traced to the pattern that gave it and fixed with a
test. Measured on hand labels of real letters by ``benchmarks/reasons.py``.

How a sentence is read:

* **Guideline or case.** A rationale first quotes the guideline ("The MTUS states that imaging is
  not needed unless conservative care fails"), then says what the records show ("There is no
  documentation of failed conservative care"). Most reasons are stated about the case, so a
  sentence that attributes its content to a guideline in its opening words, and does not turn
  to the case ("however", "in this case", "here"), does not give them. A sentence gives them
  when it speaks of the case (the patient, the records, "there is no ...").
* **Negation.** The upholding reasons are absences ("no red flags", "lack of documentation of
  functional improvement"), so their patterns include the negation: "there is evidence of nerve
  compromise" gives no reason, "there is no evidence of nerve compromise" does. Double-negated
  or conditional forms ("not in excess of", "should not exceed", "when the number of visits
  exceeds") are vetoed per reason.
* **"However" and "although".** Only the part after the last "however" or "but", and after an
  opening "although/while ..." clause, states the reviewer's finding; the part before is the
  guideline or a concession.
* **Direction.** A reason for overturning (criteria met) is only read in an overturned item and
  the reasons for upholding only in an upheld one: a sentence such as "although there are no
  red flags" in an overturned rationale is not why it was overturned. An item whose outcome is
  neither (unreadable) gets both kinds.

Each reason is given once per item, with the first sentence that states it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from imrgraph.model import Reason
from imrgraph.parse.text import sentences

__all__ = ["REASON_CODES", "UPHOLDING", "classify", "find_reasons"]

# In the order the scheme lists them (ontology/reasons.ttl); insufficient-documentation is only
# ever assigned through its two narrower reasons.
REASON_CODES: tuple[str, ...] = (
    "not-recommended",
    "no-functional-improvement",
    "exceeds-recommended-amount",
    "no-objective-findings",
    "conservative-care-not-tried",
    "indication-not-documented",
    "request-incomplete",
    "monitoring-missing",
    "not-a-candidate",
    "home-program-sufficient",
    "associated-service-denied",
    "criteria-met",
)
UPHOLDING: frozenset[str] = frozenset(REASON_CODES) - {"criteria-met"}

_I = re.IGNORECASE

# A negation or an absence, as the rationales write it.
_NEG = (
    # The lookahead on the first letter lets the engine skip most positions at once.
    r"(?=[nlawfuic])(?:\bno\b|\bnot\b|n't\b|\bnor\b|\black(?:s|ed|ing)?\b|\babsen(?:t|ce)\b|\bwithout\b"
    r"|\bfail(?:s|ed)? to\b|\bunclear\b|\binsufficient\b|\binadequate\b|\bcannot\b|\bnothing\b)"
)
# Up to n characters inside one clause (no sentence end, no semicolon).
_GAP = r"[^.;]{0,%d}?"


def _re(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), _I)


# The sentence quotes a guideline: a guideline named in its opening words with a verb of saying.
_GUIDELINE_LEAD = re.compile(
    r"^[^.]{0,100}?\b(?:MTUS|ACOEM|ODG|guidelines?|Official Disability|UpToDate|Medicare)\b"
    r"[^.]{0,60}?\b(?:state[sd]?|stat|recommends?|recommended|indicates?|notes?|supports?|"
    r"stipulates?|requires?|outlines?|discuss(?:es)?|specif(?:y|ies)|refers?|says?|advises?|"
    r"writes|quantifies|allows?|do(?:es)? not|cautions|encourages?|acknowledges?)\b",
    _I,
)
# ... unless it turns to the case.
_TURN = re.compile(r"\bhowever\b|\bin this case\b|\bhere\b,|\bin the case of\b", _I)
# The sentence speaks of the case.
_CASE = re.compile(
    r"\bthe (?:patient|claimant|injured worker|worker|applicant|employee|IW|treating"
    r"|attending|provider|physician|records?|documentation|request(?:ed)?)\b"
    r"|\b(?:this|current|requested|submitted|provided|available) (?:request|service|record|"
    r"medical record|documentation|notes?|information|clinical)"
    r"|\bin this case\b|\bhere\b|\bthere (?:is|was|were|are|has been|have been) (?:no|not|a lack|"
    r"lack|insufficient|nothing)\b|\black of\b|\bno (?:documentation|evidence|indication|"
    r"discussion|mention|plan)\b|\babsent\b|\bdocument(?:ed|ation|s)?\b"
    r"|\b(?:he|she|his|her)\b|\bnoted\b|\bmedical records?\b|\bunclear\b|\bnot clear\b",
    _I,
)
# A general statement (about patients, what can or should be done), when the sentence does not
# also speak of the case: the guideline's content without its name.
_GENERIC = re.compile(
    r"\bpatients\b|\bcan\b|\bmay\b|\bshould\b|\bmust\b|\b(?:is|are) (?:only )?recommended\b"
    r"|\ballows? for\b|\bwill\b"
    r"|\([A-Z][A-Za-z-]+,? (?:et al\.?,? )?\d{4}\)|\[\d",  # a literature reference: a quote
    _I,
)
_CONTRAST = re.compile(r"\bhowever\b,?|\bbut\b", _I)
_CONCESSION = re.compile(r"^(?:although|while|though|even though|despite)\b[^,]{0,200},", _I)


@dataclass(frozen=True)
class _Rule:
    code: str
    find: re.Pattern[str]
    veto: re.Pattern[str] | None = None  # a match here cancels the reason in this sentence
    case_only: bool = True  # not from a sentence that only quotes a guideline
    # Words one of which every pattern of the rule needs (lower case): a sentence without any
    # is skipped before the regular expressions run, which keeps the rules at a fraction of a
    # millisecond per sentence (tests/test_reasons.py checks the two agree).
    triggers: tuple[str, ...] = ()


_CONSERVATIVE = (
    r"conservative (?:care|treatment|therap(?:y|ies)|management|measures|modalities)"
    r"|first[- ]line"
)
_CARE = (
    _CONSERVATIVE + r"|physical therapy|therapy|treatments?|medications?|antidepressants|"
    r"anticonvulsants|muscle relaxants|injections|home (?:exercise|therapy)|home plan"
)

_RULES: tuple[_Rule, ...] = (
    _Rule(
        "not-recommended",
        _re(
            r"\b(?:is|are|was|were|be|deemed)\s+\"?not\s+(?:\w+\s+)?recommended\b",
            r"\bdo(?:es)? not recommend\b",
            r"\bnot supported by (?:the )?(?:\w+ )?guidelines?\b",
            r"\bguidelines? do(?:es)? not support\b",
            r"\bnot (?:been )?proven (?:to be )?effective\b",
            r"\bits usage is not supported\b",
        ),
        # A limit or a condition, not a refusal of the treatment as such.
        veto=_re(
            r"\b(?:unless|longer than|beyond|more than|routine(?:ly)?|as a primary|"
            r"first[- ]line|until|prior to|in the absence|absence of|if|when|as opposed|"
            r"long[- ]?term|short[- ]term|in general|generally)\b",
            r"\bbut\b",
        ),
        case_only=False,
        triggers=("recommend", "support", "proven"),
    ),
    _Rule(
        "no-functional-improvement",
        _re(
            _NEG + _GAP % 90 + r"\bobjective,?\s+(?:documentation of\s+)?functional\b(?! deficit)",
            _NEG + _GAP % 90 + r"\bfunctional (?:improvement|gains?|benefit|response)\b",
            _NEG + _GAP % 90 + r"\bimprovement in (?:pain|function)\b",
            _NEG + _GAP % 60 + r"\b(?:subjective or )?objective improvement\b",
            _NEG + _GAP % 40 + r"\bdocumented improvement\b",
            _NEG + _GAP % 60 + r"\b(?:\d+% )?pain relief\b",
            _NEG + _GAP % 60 + r"\b(?:medication efficacy|evidence of efficacy/benefit)\b",
            _NEG + _GAP % 60 + r"\boutcome\b",
            _NEG
            + _GAP % 60
            + r"\b(?:objective )?response to (?:the )?(?:prior|previous|therapy|treatment)",
            r"\boutcome (?:was|were) not\b",
            r"\bresults? (?:of|from) the (?:initial|prior|previous)" + _GAP % 40 + r"\bnot\b",
            r"\b(?:until|after) the results? (?:of|from) the (?:initial|prior|previous|first)\b",
            r"\bwithout re-?evaluation\b",
            r"\bcontingent (?:up)?on (?:the )?(?:patient(?:'s)? )?response\b",
            r"\bwere not beneficial\b|\bwith no (?:documented )?(?:benefit|improvement)\b",
        ),
        triggers=(
            "function",
            "improvement",
            "relief",
            "efficacy",
            "outcome",
            "response",
            "result",
            "evaluation",
            "beneficial",
            "benefit",
        ),
    ),
    _Rule(
        "exceeds-recommended-amount",
        _re(
            r"\bexceed(?:s|ed|ing)?\b",
            r"\bin excess of\b|\bexcessive\b(?! sedation)",
            r"\blong[- ]?term (?:use|usage|treatment)\b" + _GAP % 40 + r"\bnot\b",
            r"\bnot (?:indicated|recommended|supported) for long[- ]?term\b",
            r"\b(?:been on|has been using)" + _GAP % 30 + r"\blong[- ]?term\b",
            r"\bguidelines limit\b",
            r"\bbeyond the recommended (?:duration|number|period|quantity|time)\b",
        ),
        veto=_re(
            r"\bnot (?:be )?in excess\b|\b(?:not|never) exceed",
            r"\b(?:when|if)\b" + _GAP % 60 + r"\bexceed",
            r"\bwithout exceeding\b",
            r"\bnot\b" + _GAP % 30 + r"\bbeen on\b",
        ),
        case_only=False,
        triggers=("exceed", "excess", "long", "limit", "beyond"),
    ),
    _Rule(
        "no-objective-findings",
        _re(
            _NEG + _GAP % 70 + r"\bred[- ]?flags?\b",
            _NEG
            + _GAP % 70
            + r"\bneurolog(?:ic|ical)(?: physical)? (?:deficits?|findings|abnormalit(?:y|ies)|"
            r"dysfunction|compromise|exam(?:ination)? findings)\b",
            _NEG
            + _GAP % 70
            + r"\bnerve (?:root )?(?:compromise|deficits?|impairment|dysfunction|compression|"
            r"impingement|entrapment)\b",
            _NEG + _GAP % 70 + r"\b(?:radiculopathy|radicular)\b",
            _NEG + _GAP % 70 + r"\btissue insult\b",
            _NEG + _GAP % 70 + r"\bobjective (?:clinical )?(?:functional )?(?:findings|deficits)\b",
            _NEG + _GAP % 70 + r"\b(?:physical )?exam(?:ination)? findings\b",
            _NEG + _GAP % 50 + r"\bsignificant (?:objective )?findings\b",
            _NEG + _GAP % 30 + r"\b(?:acute )?(?:muscle )?spasms?\b",
            r"\bneurologic(?:al)? (?:physical )?(?:exam(?:ination)?|evaluation) was "
            r"(?:otherwise )?normal\b",
            r"\b(?:strength and sensation|sensation) (?:are|were|was) "
            r"(?:unremarkable|normal|intact)\b",
            r"\bintact (?:grip )?strength\b",
            r"\bno signs suggestive\b|\bminimal deficits\b|\bonly objective findings\b",
            _NEG + _GAP % 40 + r"\b(?:ligamentous )?instability\b",
            r"\b(?:objective|exam(?:ination)?) findings\b" + _GAP % 40 + r"\b(?:do|does|did) not\b",
        ),
        # Imaging or tests that do not corroborate the findings: indication-not-documented.
        veto=_re(r"\bno (?:MRI|imaging|electrodiagnostic)\b|\bcorroborat"),
        triggers=(
            "red",
            "neurolog",
            "nerve",
            "radicul",
            "tissue",
            "objective",
            "exam",
            "findings",
            "spasm",
            "sensation",
            "strength",
            "signs",
            "deficit",
            "instability",
        ),
    ),
    _Rule(
        "conservative-care-not-tried",
        _re(
            _NEG + _GAP % 90 + r"\b(?:" + _CONSERVATIVE + r")\b",
            _NEG
            + _GAP % 60
            + r"\b(?:tried|trial(?:l?ed)?|trying|attempt(?:ed|s)?|fail(?:ed|ure|ing)?|exhausted)\b"
            + _GAP % 60
            + r"\b(?:"
            + _CARE
            + r")\b",
            _NEG
            + _GAP % 40
            + r"\b(?:"
            + _CARE
            + r")\b"
            + _GAP % 60
            + r"\b(?:attempted|tried|failed)\b",
            _NEG + _GAP % 70 + r"\b(?:intoleran(?:t|ce)|tolerate)\b",
            r"\btopical(?: cream)? versus oral\b",
            r"\bresponding to (?:physical )?(?:therapy|treatment)\b",
            r"\b(?:therapy|treatment|care)s?,? (?:was|were|is|are|which seems to be|seems to be) "
            r"helping\b",
            r"\bthat have helped\b|\bseeing benefit from\b",
            r"\bnot yet had\b",
            r"\bwhy\b" + _GAP % 60 + r"\bwould not be sufficient\b",
            _NEG + _GAP % 30 + r"\b(?:\d+-day )?(?:home(?:[- ]based)? )?trial\b",
            r"\b(?:"
            + _CONSERVATIVE
            + r")\b"
            + _GAP % 60
            + r"\b(?:has|have|was|were) not been (?:submitted|documented|provided|tried)\b",
            r"\bclarification" + _GAP % 40 + r"\bconservative\b",
        ),
        triggers=(
            "conservative",
            "first",
            "tried",
            "trial",
            "trying",
            "attempt",
            "fail",
            "exhausted",
            "toleran",
            "topical",
            "responding",
            "helping",
            "helped",
            "benefit",
            "not yet",
            "clarification",
            "sufficient",
        ),
    ),
    _Rule(
        "indication-not-documented",
        _re(
            _NEG + _GAP % 40 + r"\brationale\b",
            _NEG + _GAP % 30 + r"\b(?:the )?reason\b",
            r"\b(?:unclear|not (?:clearly )?(?:stated|clear|established|apparent))"
            + _GAP % 40
            + r"\b(?:why|what|the (?:clinical )?indication|the rationale|how)\b",
            r"\bwhy\b" + _GAP % 80 + r"\bnot apparent\b",
            _NEG
            + _GAP % 70
            + r"\b(?:diagnos(?:is|ed|es)|(?:high )?risk|history of|concerns? for|suspicion|"
            r"suspected|(?:neuropathic |gastrointestinal )?(?:symptoms|complaints)|clinical "
            r"indication|indications? for|pathology|conditions?|neuropathic)\b",
            r"\b(?:could|can) not be (?:established|determined)\b",
            r"\bnot (?:an )?indications? for\b",
            r"\b(?:did|does|do) not (?:note|state|detail) what\b",
            _NEG + _GAP % 20 + r"\bevidence that the \w+ (?:has|had|is|was) (?:a|an)\b",
            r"\bhow\b"
            + _GAP % 40
            + r"\b(?:change|alter|influence)\b"
            + _GAP % 20
            + r"\btreatment\b",
        ),
        # The same sentence read as a more specific reason (definitions in reasons.ttl).
        veto=_re(
            r"\bhome exercise\b|\bversus oral\b|\boral medication|\bcandidate\b|\bsurg",
            r"\bred[- ]?flag|\bnerve (?:root )?compromise|\bradicul",
            r"\bneurolog\w* (?:deficit|finding|exam|abnormal|dysfunction|compromise)",
            r"\bconservative\b|\bsessions\b|\bvisits\b|\bbody part\b|\bfindings\b|\bhow long\b",
            r"\bsufficient\b|\brisk assessment\b|\bagreement\b|\burine drug\b",
            # the evidence base of a guideline, not the records of the case
            r"\b(?:insufficient|lack of published) (?:evidence|data)\b|\bpublished\b",
            r"\bfurther indication\b",
        ),
        triggers=(
            "rationale",
            "reason",
            "unclear",
            "not clear",
            "not stated",
            "not clearly",
            "not established",
            "not apparent",
            "why",
            "diagnos",
            "risk",
            "history",
            "concern",
            "suspic",
            "suspect",
            "symptom",
            "complaint",
            "indication",
            "pathology",
            "condition",
            "neuropathic",
            "could not be",
            "cannot be",
            "can not be",
            "note what",
            "state what",
            "detail what",
            "evidence that",
            "how",
        ),
    ),
    _Rule(
        "indication-not-documented",
        # Imaging or electrodiagnostic tests that would corroborate the findings are missing.
        _re(
            _NEG
            + _GAP % 30
            + r"\b(?:MRI|imaging|electrodiagnostic)\b"
            + _GAP % 40
            + r"\b(?:corroborat|support|confirm)",
            r"\bnot corroborated\b",
        ),
        triggers=("mri", "imaging", "electrodiagnostic", "corroborat"),
    ),
    _Rule(
        "request-incomplete",
        _re(
            r"\b(?:did|does|do) not (?:specify|indicate the "
            r"(?:nature|type|number|amount|duration))\b",
            r"\bfail(?:s|ed)? to specify\b",
            r"\b(?:was|were|is|are|been) not (?:been )?specified\b",
            r"\bunspecified (?:type|quantity|amount|number|duration|rental)\b",
            r"\bnot included with the request\b|\bvague\b|\bno endpoint\b",
            r"\bunclear of what body part\b",
            r"\b(?:do|does|did) not (?:identify|specify|state) the (?:ingredients|concentrations?|"
            r"strength|dosage|quantity|frequency|duration|body part)",
        ),
        triggers=(
            "specif",
            "indicate the",
            "vague",
            "endpoint",
            "included with",
            "body part",
            "identify",
            "state the",
        ),
    ),
    _Rule(
        "monitoring-missing",
        _re(
            _NEG
            + _GAP % 100
            + r"\b(?:urine drug (?:screens?|test(?:ing|s)?)|UDS|CURES|(?:opioid |treatment |pain )"
            r"(?:agreement|contract)|aberrant|four A|4 A|monitor(?:ing|ed)?)\b(?! therapy)",
        ),
        triggers=(
            "urine",
            "uds",
            "cures",
            "agreement",
            "contract",
            "aberrant",
            "four a",
            "4 a",
            "monitor",
        ),
    ),
    _Rule(
        "not-a-candidate",
        _re(
            _NEG
            + _GAP % 90
            + r"\b(?:candidate|surg(?:ery|ical|eon)|invasive procedure|operative)\b",
        ),
        veto=_re(r"\bancillary\b|\bassociated\b"),
        triggers=("candidate", "surg", "invasive", "operative"),
    ),
    _Rule(
        "home-program-sufficient",
        _re(
            r"\b(?:self-?directed|home exercise|home program|independent(?:ly)? in a home)\b",
            r"\b(?:done|performed|continued) independently\b",
        ),
        veto=_re(r"\bdespite\b"),
        triggers=("self", "home", "independent"),
    ),
    _Rule(
        "associated-service-denied",
        _re(
            r"\bancillary service\b",
            r"\b(?:also|likewise) not medically necessary\b",
            r"\b(?:surgery|surgical intervention|procedure) (?:is|was) not (?:medically necessary|"
            r"certified|indicated)" + _GAP % 60 + r"\b(?:associated|post-?op|pre-?op)",
        ),
        case_only=False,
        triggers=("ancillary", "not medically necessary", "not certified", "not indicated"),
    ),
)

_MET_SPECIFIC = _re(
    r"\b(?:meets?|met|satisf(?:y|ies|ied))\b"
    + _GAP % 60
    + r"\b(?:criteria|guidelines?|recommendations?)\b",
    r"\b(?:criteria|guidelines?|recommendations?)\b" + _GAP % 40 + r"\b(?:met|satisfied)\b",
    r"\bwithin (?:the )?(?:guidelines?|recommend)",
    r"\bnot in excess\b",
    r"\b(?:do|does|would|will) support\b|\bis supported\b",
    r"\b(?:is|was|are|were|would be|appears to be) (?:thus, )?"
    r"(?:indicated|appropriate|reasonable)\b",
    r"\bobjective functional improvement has been documented\b",
)
_MET_FALLBACK = re.compile(r"\bmedically necessary\b", _I)
_MET_NEG = re.compile(
    r"\bnot\b" + _GAP % 20 + r"\b(?:medically necessary|met|meet|indicated)\b|\bno\b", _I
)

# "Not recommended" is a reason only when it is said of the requested service: the sentence
# names it (a word of the service), refers to it, or is the compound rule and the service is a
# compounded topical. Guideline paragraphs list many things that are not recommended.
_REFERS_TO_REQUEST = re.compile(
    r"\b(?:this|the requested|the) (?:medication|request|service|treatment)\b|\bits usage\b", _I
)
_COMPOUND_RULE = re.compile(r"\b(?:compounded|combination) (?:product|medication)", _I)
_COMPOUND_SERVICE = re.compile(r"\bcompound|\bcream\b|\bgel\b|\bointment\b|%.*%", _I)
_TOPICAL = re.compile(r"\btopical(?:ly)?\b", _I)
_SERVICE_WORD_RE = re.compile(r"[a-z]{4,}")
_NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        "with without times week weeks sessions session visits visit left right bilateral unit "
        "purchase rental request original retrospective additional continued initial contrast "
        "spine therapy treatment treatments tablet tabs daily",
    )
)


def _names_service(sentence: str, service: str) -> bool:
    words = set(_SERVICE_WORD_RE.findall(service.casefold())) - _NOT_NAMES
    said = set(_SERVICE_WORD_RE.findall(sentence.casefold()))
    if words & said or _REFERS_TO_REQUEST.search(sentence):
        return True
    # the compound rule, or a statement about topical forms, said of a compounded topical
    return bool(
        (_COMPOUND_RULE.search(sentence) or _TOPICAL.search(sentence))
        and _COMPOUND_SERVICE.search(service)
    )


# Drug tests are the monitoring, not a treatment that lacks it.
_MONITORING_SERVICE = re.compile(r"\burine\b|\bdrug (?:screen|test)|\btoxicology\b", _I)


def _finding_part(sentence: str) -> str:
    """The part of a sentence that states the reviewer's finding (after "however", after an
    opening "although ..." clause)."""
    parts = _CONTRAST.split(sentence)
    tail = parts[-1] if len(parts) > 1 and len(parts[-1].strip()) > 15 else sentence
    return _CONCESSION.sub("", tail.strip(), count=1)


def _is_guideline(sentence: str) -> bool:
    return bool(_GUIDELINE_LEAD.search(sentence)) and not _TURN.search(sentence)


def classify(
    rationale: str, outcome: str | None = None, service: str = ""
) -> list[tuple[str, str]]:
    """The reasons ``rationale`` states: ``(code, sentence)`` pairs in scheme order, each code
    once, with the first sentence that states it. ``outcome`` ("Upheld"/"Overturned") limits the
    reasons to those of that direction; ``service`` lets drug-test requests skip the
    monitoring reason."""
    if not rationale:
        return []
    want_upholding = outcome != "Overturned"
    want_overturning = outcome != "Upheld"
    found: dict[str, str] = {}
    parts = sentences(rationale)
    for sentence in parts if want_upholding else ():
        low = sentence.casefold()
        candidates = [
            rule
            for rule in _RULES
            if rule.code not in found and any(word in low for word in rule.triggers)
        ]
        if not candidates:
            continue
        # Read only for sentences some rule may apply to (most sentences have no trigger).
        spoken_of_case: bool | None = None
        finding = ""
        for rule in candidates:
            if rule.case_only:
                if spoken_of_case is None:
                    spoken_of_case = not _is_guideline(sentence) and (
                        bool(_CASE.search(sentence)) or not _GENERIC.search(sentence)
                    )
                    finding = _finding_part(sentence)
                if not spoken_of_case:
                    continue
            text = finding if rule.case_only else sentence
            if not rule.find.search(text):
                continue
            if rule.veto is not None and rule.veto.search(text):
                continue
            if rule.code == "monitoring-missing" and _MONITORING_SERVICE.search(service):
                continue
            if rule.code == "not-recommended" and not _names_service(sentence, service):
                continue
            found[rule.code] = sentence
    if want_overturning:
        met = next((s for s in parts if _MET_SPECIFIC.search(s) and not _MET_NEG.search(s)), None)
        if met is None:
            met = next(
                (s for s in parts if _MET_FALLBACK.search(s) and not _MET_NEG.search(s)), None
            )
        if met is not None:
            found["criteria-met"] = met
    return [(code, found[code]) for code in REASON_CODES if code in found]


_WORD_RE = re.compile(r"\S+")


class _Words:
    """A text as its words joined by single spaces, with where each word stands in the raw text:
    a sentence (collapsed) is then found with ``str.find``, not a regex compiled per sentence
    (that compile was most of the reasons' cost)."""

    def __init__(self, text: str) -> None:
        self.raw_starts: list[int] = []
        self.flat_starts: list[int] = []
        self.lengths: list[int] = []
        at = 0
        for match in _WORD_RE.finditer(text):
            self.raw_starts.append(match.start())
            self.flat_starts.append(at)
            self.lengths.append(match.end() - match.start())
            at += match.end() - match.start() + 1
        self.flat = " ".join(_WORD_RE.findall(text))

    def locate(self, sentence: str, start: int) -> int | None:
        """Where ``sentence``'s first eight words begin in the raw text at or after raw offset
        ``start`` (any whitespace between them), as a regex search from ``start`` would find
        them; None if they are not there."""
        words = _WORD_RE.findall(sentence)[:8]
        if not words:
            return None
        index = bisect.bisect_right(self.raw_starts, start) - 1  # the word at or before start
        if index < 0:
            flat_from = 0
        elif start - self.raw_starts[index] < self.lengths[index]:  # inside that word
            flat_from = self.flat_starts[index] + start - self.raw_starts[index]
        elif index + 1 < len(self.flat_starts):  # in the space after it
            flat_from = self.flat_starts[index + 1]
        else:
            return None
        found = self.flat.find(" ".join(words), flat_from)
        if found < 0:
            return None
        word = bisect.bisect_right(self.flat_starts, found) - 1
        return self.raw_starts[word] + found - self.flat_starts[word]


def find_reasons(
    items: list,
    text: str = "",
    start: int = 0,
    page_of: Callable[[int], int] | None = None,
) -> None:
    """Give each item of a letter its reasons (``Item.reasons``), each with its sentence and,
    for a PDF (``page_of`` given), the page the sentence begins on, found in the letter's
    ``text`` from ``start`` on; the item's own page when the sentence cannot be placed."""
    cursor = start
    words = _Words(text) if page_of is not None else None
    for item in items:
        pairs = classify(item.rationale, item.outcome, item.service)
        reasons = []
        where = words.locate(item.rationale, cursor) if words is not None else None
        if where is not None:
            # past it: the next item may repeat the rationale word for word (ancillary items)
            cursor = where + 1
        for code, sentence in pairs:
            page = item.page
            if words is not None and where is not None:
                at = words.locate(sentence, where)
                if at is not None:
                    page = page_of(at)
            reasons.append(Reason(code=code, sentence=sentence, page=page))
        item.reasons = reasons
