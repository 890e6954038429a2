"""Vocabulary of the synthetic IMR letters: services, guideline citations, reviewers, body parts.

Why a separate data module: ``corpus.py`` holds the mechanics (choosing, composing, laying out and
writing letters) and this file holds what real letters say, so the realism can be reviewed and
extended without reading code. Nothing here comes from the parser (``imrgraph.parse``): the
categories, canonical guideline names and body-part vocabulary are written out again from
docs/DESIGN.md and DOMAIN.md on purpose, so that a shared mistake cannot hide in a shared table.

Citation specs are tuples, rendered by ``corpus.render_citation``:

- ``("cp", section, pages)``: MTUS Chronic Pain Medical Treatment Guidelines
- ``("ch", chapter_no, section)``: an MTUS 2004 (ACOEM 2nd edition) chapter, ``Section(s):``
- ``("chp", chapter_no, pages)``: ``MTUS (ACOEM Practice Guidelines, 2nd Edition (2004), Chapter
  N) Title, page P``
- ``("acu",)``: MTUS Acupuncture Medical Treatment Guidelines
- ``("post", section)``: MTUS Postsurgical Treatment Guidelines
- ``("odg", chapter_key, section)``: Official Disability Guidelines
- ``("acoem", "2nd"|"3rd", chapter_no, title, pages)``: ACOEM cited outside the MTUS
- ``("other", name)``: anything else ("Non-MTUS: FDA ...")
"""

from __future__ import annotations

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

# MTUS chapters (ACOEM 2nd edition chapters adopted into the MTUS), by chapter number.
MTUS_CHAPTERS: dict[int, str] = {
    1: "General Approaches",
    2: "General Approaches",
    3: "General Approaches",
    4: "General Approaches",
    5: "General Approaches",
    6: "General Approaches",
    7: "General Approaches",
    8: "Neck and Upper Back Complaints",
    9: "Shoulder Complaints",
    10: "Elbow Disorders",
    11: "Forearm, Wrist, and Hand Complaints",
    12: "Low Back Complaints",
    13: "Knee Complaints",
    14: "Ankle and Foot Complaints",
    15: "Stress Related Conditions",
}
CHRONIC_PAIN = "Chronic Pain Medical Treatment Guidelines"
ACUPUNCTURE = "Acupuncture Medical Treatment Guidelines"
POSTSURGICAL = "Postsurgical Treatment Guidelines"
ACOEM_DOCUMENT = "ACOEM Practice Guidelines"

# ODG chapters: key -> (canonical document, [(weight, spelling as written)]).
ODG_CHAPTERS: dict[str, tuple[str, list[tuple[float, str]]]] = {
    "pain": ("Pain Chapter", [(0.85, "Pain (Chronic)"), (0.15, "Pain Chapter")]),
    "lowback": (
        "Low Back Chapter",
        [(0.7, "Low Back Chapter"), (0.3, "Low Back - Lumbar & Thoracic (Acute & Chronic)")],
    ),
    "neck": (
        "Neck and Upper Back Chapter",
        [(0.7, "Neck and Upper Back Chapter"), (0.3, "Neck and Upper Back (Acute & Chronic)")],
    ),
    "shoulder": (
        "Shoulder Chapter",
        [(0.7, "Shoulder Chapter"), (0.3, "Shoulder (Acute & Chronic)")],
    ),
    "elbow": ("Elbow Chapter", [(0.7, "Elbow Chapter"), (0.3, "Elbow (Acute & Chronic)")]),
    "hand": (
        "Forearm, Wrist, and Hand Chapter",
        [
            (0.7, "Forearm, Wrist, and Hand Chapter"),
            (0.3, "Forearm, Wrist, & Hand (Acute & Chronic)"),
        ],
    ),
    "hip": (
        "Hip and Pelvis Chapter",
        [(0.7, "Hip and Pelvis Chapter"), (0.3, "Hip & Pelvis (Acute & Chronic)")],
    ),
    "knee": (
        "Knee and Leg Chapter",
        [(0.7, "Knee and Leg Chapter"), (0.3, "Knee & Leg (Acute & Chronic)")],
    ),
    "ankle": (
        "Ankle and Foot Chapter",
        [(0.7, "Ankle and Foot Chapter"), (0.3, "Ankle & Foot (Acute & Chronic)")],
    ),
    "head": ("Head Chapter", [(1.0, "Head Chapter")]),
    "mental": (
        "Mental Illness and Stress Chapter",
        [(0.6, "Mental Illness and Stress Chapter"), (0.4, "Mental Illness & Stress")],
    ),
    "carpal": (
        "Carpal Tunnel Syndrome Chapter",
        [
            (0.7, "Carpal Tunnel Syndrome Chapter"),
            (0.3, "Carpal Tunnel Syndrome (Acute & Chronic)"),
        ],
    ),
}
# How a rationale names an ODG chapter in running text ("ODG's Low Back Chapter MRI topic").
ODG_RUNNING_NAMES: dict[str, str] = {
    "pain": "Chronic Pain Chapter",
    "lowback": "Low Back Chapter",
    "neck": "Neck and Upper Back Chapter",
    "shoulder": "Shoulder Chapter",
    "elbow": "Elbow Chapter",
    "hand": "Forearm, Wrist, and Hand Chapter",
    "hip": "Hip and Pelvis Chapter",
    "knee": "Knee and Leg Chapter",
    "ankle": "Ankle and Foot Chapter",
    "head": "Head Chapter",
    "mental": "Mental Illness and Stress Chapter",
    "carpal": "Carpal Tunnel Syndrome Chapter",
}

OTHER_SOURCES: list[tuple[float, str]] = [
    (0.5, "FDA (Food and Drug Administration)"),
    (0.35, "peer-reviewed literature"),
    (0.15, "National Library of Medicine (NLM)"),
]

# --- body parts -------------------------------------------------------------------------------
# canonical name -> noun phrases that name it in a summary ({side} is filled in). Every phrase
# contains exactly one of the synonyms listed in docs/DESIGN.md for its part, and no other.
BODY_PARTS: dict[str, list[str]] = {
    "head": ["head"],
    "neck": ["neck", "cervical spine"],
    "upper back": ["upper back", "thoracic spine", "mid back"],
    "low back": ["low back", "lower back", "lumbar spine", "lumbosacral spine"],
    "shoulder": ["{side} shoulder", "shoulder"],
    "upper extremity": ["{side} upper extremity", "{side} arm"],
    "elbow": ["{side} elbow"],
    "forearm": ["{side} forearm"],
    "wrist": ["{side} wrist"],
    "hand": ["{side} hand", "{side} thumb", "{side} index finger"],
    "hip": ["{side} hip"],
    "lower extremity": ["{side} lower extremity", "{side} leg"],
    "knee": ["{side} knee"],
    "ankle": ["{side} ankle"],
    "foot": ["{side} foot", "{side} great toe"],
    "chest": ["chest wall", "chest"],
    "abdomen": ["abdomen"],
}
# Relative frequency of each part as an injured region.
BODY_PART_WEIGHTS: dict[str, float] = {
    "low back": 30,
    "neck": 18,
    "shoulder": 16,
    "knee": 12,
    "wrist": 6,
    "hand": 5,
    "upper back": 4,
    "upper extremity": 4,
    "lower extremity": 4,
    "elbow": 3,
    "hip": 3,
    "ankle": 3,
    "foot": 2,
    "forearm": 1.5,
    "head": 1.5,
    "chest": 0.7,
    "abdomen": 0.5,
}
SIDES = ["right", "left", "bilateral"]

# --- reviewers --------------------------------------------------------------------------------
STATES: list[tuple[str, str]] = [
    ("California", "CA"),
    ("Texas", "TX"),
    ("New York", "NY"),
    ("Nevada", "NV"),
    ("Arizona", "AZ"),
    ("Florida", "FL"),
    ("Pennsylvania", "PA"),
    ("Illinois", "IL"),
    ("Oregon", "OR"),
    ("Washington", "WA"),
    ("Maryland", "MD"),
    ("Ohio", "OH"),
    ("Michigan", "MI"),
    ("New Jersey", "NJ"),
    ("Colorado", "CO"),
    ("Georgia", "GA"),
    ("Massachusetts", "MA"),
    ("North Carolina", "NC"),
    ("Connecticut", "CT"),
    ("Virginia", "VA"),
]
# (weight, board certification, [possible subspecialties])
SPECIALTIES: list[tuple[float, str, list[str]]] = [
    (14, "Anesthesiology", ["Pain Medicine", "Pain Management"]),
    (9, "Physical Medicine & Rehabilitation", ["Pain Medicine", "Sports Medicine"]),
    (5, "Physical Medicine and Rehabilitation", ["Pain Medicine", "Sports Medicine"]),
    (12, "Orthopedic Surgery", ["Sports Medicine", "Hand Surgery", "Spine Surgery"]),
    (10, "Family Practice", ["Sports Medicine"]),
    (9, "Internal Medicine", ["Rheumatology", "Pulmonary Diseases"]),
    (8, "Preventive Medicine", ["Occupational Medicine"]),
    (6, "Neurology", ["Clinical Neurophysiology", "Pain Medicine"]),
    (5, "Psychiatry", ["Forensic Psychiatry"]),
    (4, "Emergency Medicine", []),
    (3, "Neurological Surgery", []),
    (3, "Plastic Surgery", ["Hand Surgery"]),
    (2, "Chiropractic Sports Physician", []),
    (2, "Acupuncturist", []),
    (2, "Psychologist", []),
]

# --- services ---------------------------------------------------------------------------------
# Each kind: category, weight (share of all items, in percent), services [(text, short name)],
# body part it usually concerns (None: any), claims administrator citation pool and reviewer
# citation pool [(weight, spec)], the rationale's running-text guideline sentences, and reason
# sentences for upholding and for overturning. {short} is the short service name.
RUNNING_CP = "running-cp"  # "As noted on page P of the MTUS Chronic Pain ..."
RUNNING_ACOEM = "running-acoem"  # "The MTUS Guideline in ACOEM Chapter N, page P ..."
RUNNING_ODG = "running-odg"  # "ODG's X Chapter Y topic ..."


def _drugs(*rows: tuple[str, str]) -> list[tuple[str, str]]:
    return list(rows)


SERVICE_KINDS: list[dict] = [
    {
        "key": "opioid",
        "category": "Pharmaceuticals",
        "weight": 15.0,
        "drug": True,
        "services": _drugs(
            ("Norco 10/325mg #120", "Norco"),
            ("Norco 10/325 mg #90", "Norco"),
            ("Norco 10/325mg, #60", "Norco"),
            ("Percocet 10/325mg #90", "Percocet"),
            ("Oxycodone 15mg #60", "oxycodone"),
            ("Tramadol ER 150mg #30", "tramadol"),
            ("Ultram 50mg #60", "Ultram"),
            ("Nucynta 50mg #90", "Nucynta"),
            ("OxyContin 20mg #60", "OxyContin"),
            ("Hydrocodone/APAP 10/325mg #60", "hydrocodone-acetaminophen"),
            ("MS Contin 30mg #60", "MS Contin"),
            ("Butrans patch 10mcg/hr #4", "Butrans"),
            ("Tylenol with Codeine #3 #60", "Tylenol with Codeine"),
        ),
        "ca": [
            (5, ("cp", "Opioids", "74-96")),
            (3, ("cp", "Criteria for use of opioids", "76-80")),
            (2, ("cp", "Opioids, long-term assessment", "88-89")),
            (2, ("cp", "When to discontinue opioids", "79")),
            (2, ("cp", None, "74-96")),
            (2, ("odg", "pain", "Opioids")),
        ],
        "rv": [
            (6, ("cp", "Opioids", "74-96")),
            (4, ("cp", "Criteria for use of opioids", "76-80")),
            (3, ("cp", "Opioids, long-term assessment", "88-89")),
            (2, ("cp", "Opioids, specific drug list", "91-94")),
            (2, ("cp", None, "78-80")),
            (1, ("cp", "When to discontinue opioids", "79")),
        ],
        "running": [(RUNNING_CP, "80"), (RUNNING_CP, "78"), (RUNNING_ODG, ("pain", "Opioids"))],
        "claim": [
            "the cardinal criteria for continuation of opioid therapy include evidence of "
            "successful return to work, improved functioning, and reduced pain achieved as a "
            "result of the same",
            "ongoing review and documentation of pain relief, functional status, appropriate "
            "medication use, and side effects should be evident",
        ],
        "up": [
            "The applicant was off of work, on total temporary disability, as of the date in "
            "question.",
            "The attending provider failed to outline any meaningful or material improvements "
            "in function achieved as a result of ongoing {short} usage.",
            "Pain scores of 8/10 were reported despite ongoing usage of {short}.",
            "There was no mention of any urine drug testing having been performed.",
        ],
        "ov": [
            "The applicant had returned to regular duty work and reported a 50% reduction in "
            "pain scores with ongoing {short} usage.",
            "The attending provider reported that the applicant's ability to perform household "
            "chores had been ameliorated as a result of ongoing {short} usage.",
        ],
    },
    {
        "key": "relaxant",
        "category": "Pharmaceuticals",
        "weight": 6.0,
        "drug": True,
        "services": _drugs(
            ("Cyclobenzaprine 7.5mg #60", "cyclobenzaprine"),
            ("Flexeril 10mg #30", "Flexeril"),
            ("Tizanidine 4mg #60", "tizanidine"),
            ("Soma 350mg #90", "Soma"),
            ("Baclofen 10mg #60", "baclofen"),
            ("Fexmid 7.5mg #60", "Fexmid"),
        ),
        "ca": [
            (5, ("cp", "Muscle relaxants (for pain)", "63-66")),
            (2, ("cp", "Cyclobenzaprine (Flexeril)", "41-42")),
            (1, ("cp", "Carisoprodol (Soma)", "29")),
            (2, ("odg", "pain", "Muscle relaxants (for pain)")),
        ],
        "rv": [
            (6, ("cp", "Muscle relaxants (for pain)", "63-66")),
            (2, ("cp", "Cyclobenzaprine (Flexeril)", "41-42")),
            (1, ("cp", "Carisoprodol (Soma)", "29")),
        ],
        "running": [(RUNNING_CP, "41"), (RUNNING_CP, "63")],
        "claim": [
            "muscle relaxants are recommended with caution as a second-line option for the "
            "short-term treatment of acute exacerbations of chronic low back pain",
            "the addition of such agents to other agents is not recommended",
        ],
        "up": [
            "The 60-tablet supply at issue represents chronic, long-term, and/or scheduled usage.",
            "The applicant was, furthermore, using a variety of other agents.",
        ],
        "ov": [
            "The request represents a short course of treatment for an acute flare of pain.",
            "The applicant had reportedly not used {short} in several months.",
        ],
    },
    {
        "key": "nsaid",
        "category": "Pharmaceuticals",
        "weight": 5.0,
        "drug": True,
        "services": _drugs(
            ("Naproxen 550mg #60", "naproxen"),
            ("Naproxen sodium 550 mg, #60", "naproxen"),
            ("Motrin 800mg #90", "Motrin"),
            ("Celebrex 200mg #30", "Celebrex"),
            ("Nabumetone 750mg #60", "nabumetone"),
            ("Anaprox DS 550mg #60", "Anaprox"),
            ("Diclofenac sodium ER 100mg #30", "diclofenac"),
        ),
        "ca": [
            (4, ("cp", "NSAIDs (non-steroidal anti-inflammatory drugs)", "67-73")),
            (2, ("cp", "Anti-inflammatory medications", "22")),
            (1, ("odg", "pain", "NSAIDs (non-steroidal anti-inflammatory drugs)")),
        ],
        "rv": [
            (4, ("cp", "NSAIDs (non-steroidal anti-inflammatory drugs)", "67-73")),
            (3, ("cp", "Anti-inflammatory medications", "22")),
        ],
        "running": [(RUNNING_CP, "22"), (RUNNING_CP, "67")],
        "claim": [
            "anti-inflammatory medications such as {short} do represent the traditional first "
            "line of treatment for various chronic pain conditions",
        ],
        "up": [
            "The applicant continued to report pain complaints as high as 7/10 despite ongoing "
            "usage of {short}.",
            "The attending provider did not outline how {short} had improved the applicant's "
            "function.",
        ],
        "ov": [
            "The applicant reported appropriate analgesia with {short} and was working full time.",
        ],
    },
    {
        "key": "ppi",
        "category": "Pharmaceuticals",
        "weight": 3.0,
        "drug": True,
        "services": _drugs(
            ("Omeprazole 20mg #60", "omeprazole"),
            ("Prilosec 20mg #30", "Prilosec"),
            ("Pantoprazole 20mg #60", "pantoprazole"),
            ("Ranitidine 150mg #60", "ranitidine"),
        ),
        "ca": [
            (4, ("cp", "NSAIDs, GI symptoms & cardiovascular risk", "68-69")),
            (2, ("odg", "pain", "Proton pump inhibitors (PPIs)")),
        ],
        "rv": [(5, ("cp", "NSAIDs, GI symptoms & cardiovascular risk", "68-69"))],
        "running": [(RUNNING_CP, "69")],
        "claim": [
            "proton pump inhibitors are indicated in the treatment of NSAID-induced dyspepsia",
        ],
        "up": [
            "There was no mention of any issues with reflux, heartburn, or dyspepsia, either "
            "NSAID-induced or stand-alone.",
        ],
        "ov": ["The applicant did report issues with NSAID-induced dyspepsia."],
    },
    {
        "key": "aed",
        "category": "Pharmaceuticals",
        "weight": 4.0,
        "drug": True,
        "services": _drugs(
            ("Gabapentin 600mg #90", "gabapentin"),
            ("Neurontin 300mg #90", "Neurontin"),
            ("Lyrica 75mg #60", "Lyrica"),
            ("Topiramate 25mg #60", "topiramate"),
        ),
        "ca": [
            (4, ("cp", "Antiepilepsy drugs (AEDs)", "16-22")),
            (2, ("cp", "Gabapentin (Neurontin)", "18-19")),
            (1, ("cp", "Pregabalin (Lyrica)", "19-20")),
        ],
        "rv": [
            (4, ("cp", "Antiepilepsy drugs (AEDs)", "16-22")),
            (2, ("cp", "Gabapentin (Neurontin)", "18-19")),
        ],
        "running": [(RUNNING_CP, "19")],
        "claim": [
            "an applicant on anticonvulsant adjuvant medications should be asked at each visit "
            "as to whether there have been improvements in pain and function",
        ],
        "up": [
            "Ongoing usage of {short} failed to curtail the applicant's dependence on opioid "
            "agents.",
        ],
        "ov": ["The applicant reported reduced neuropathic pain with {short}."],
    },
    {
        "key": "antidep",
        "category": "Pharmaceuticals",
        "weight": 2.0,
        "drug": True,
        "services": _drugs(
            ("Cymbalta 60mg #30", "Cymbalta"),
            ("Duloxetine 30mg #30", "duloxetine"),
            ("Amitriptyline 25mg #30", "amitriptyline"),
            ("Trazodone 50mg #30", "trazodone"),
        ),
        "ca": [(4, ("cp", "Antidepressants for chronic pain", "13-16"))],
        "rv": [
            (4, ("cp", "Antidepressants for chronic pain", "13-16")),
            (
                1,
                (
                    "odg",
                    "mental",
                    "Antidepressants for treatment of MDD (major depressive disorder)",
                ),
            ),
        ],
        "running": [(RUNNING_CP, "15")],
        "claim": [
            "antidepressants are recommended as a first-line option for neuropathic pain",
        ],
        "up": ["The applicant's mood and pain complaints were unchanged despite {short} usage."],
        "ov": ["The applicant reported improved sleep and mood with {short}."],
    },
    {
        "key": "topical",
        "category": "Pharmaceuticals",
        "weight": 7.0,
        "drug": True,
        "services": _drugs(
            ("Topical compound cream 240gm", "the compounded cream"),
            ("Compounded Flurbiprofen 20%/Lidocaine 5% cream 180gm", "the compounded cream"),
            (
                "Ketoprofen 10%/Cyclobenzaprine 3%/Lidocaine 5% cream 120gm",
                "the compounded cream",
            ),
            ("Lidoderm 5% patch #30", "Lidoderm"),
            ("Terocin patches #30", "Terocin"),
            ("Capsaicin 0.075% cream 60gm", "capsaicin"),
            ("Voltaren 1% gel 100gm", "Voltaren gel"),
            ("Menthoderm gel 240ml", "Menthoderm"),
            (
                "Flurbiprofen 20%/Baclofen 2%/Dexamethasone 2%/Menthol 2%/Camphor 2%/Capsaicin "
                "0.0375% cream 180gm",
                "the compounded cream",
            ),
            ("Gabapentin 10%/Amitriptyline 5%/Capsaicin 0.025% compound 210gm", "the compound"),
        ),
        "ca": [
            (5, ("cp", "Topical Analgesics", "111-113")),
            (2, ("cp", "Lidoderm (lidocaine patch)", "56-57")),
            (3, ("odg", "pain", "Compound creams")),
            (1, ("other", "FDA (Food and Drug Administration)")),
        ],
        "rv": [
            (6, ("cp", "Topical Analgesics", "111-113")),
            (2, ("cp", "Lidoderm (lidocaine patch)", "56-57")),
            (1, ("cp", "Capsaicin, topical", "28-29")),
            (1, ("cp", "Salicylate topicals", "105")),
        ],
        "running": [
            (RUNNING_CP, "111"),
            (RUNNING_CP, "113"),
            (RUNNING_ODG, ("pain", "Compound creams")),
        ],
        "claim": [
            "topical analgesics are largely experimental, with few randomized controlled trials "
            "to determine efficacy or safety",
            "any compounded product that contains at least one drug or drug class that is not "
            "recommended is not recommended",
        ],
        "up": [
            "One of the ingredients in the compound carries an unfavorable recommendation.",
            "There was no evidence of intolerance to and/or failure of multiple classes of "
            "first-line oral pharmaceuticals.",
        ],
        "ov": [
            "The applicant had failed first-line antidepressant and anticonvulsant adjuvant "
            "medications.",
        ],
    },
    {
        "key": "sleep",
        "category": "Pharmaceuticals",
        "weight": 1.5,
        "drug": True,
        "services": _drugs(
            ("Ambien 10mg #30", "Ambien"),
            ("Zolpidem 10mg #30", "zolpidem"),
            ("Lunesta 2mg #30", "Lunesta"),
        ),
        "ca": [(3, ("odg", "pain", "Insomnia treatment")), (1, ("odg", "mental", "Zolpidem"))],
        "rv": [
            (3, ("odg", "pain", "Insomnia treatment")),
            (2, ("other", "FDA (Food and Drug Administration)")),
        ],
        "running": [(RUNNING_ODG, ("pain", "Insomnia treatment"))],
        "claim": ["such agents are indicated only for the short-term treatment of insomnia"],
        "up": ["The request represents chronic, long-term usage of {short}."],
        "ov": ["The request represents a short course of {short} for a recent flare of insomnia."],
    },
    {
        "key": "benzo",
        "category": "Pharmaceuticals",
        "weight": 1.0,
        "drug": True,
        "services": _drugs(
            ("Xanax 0.5mg #60", "Xanax"),
            ("Ativan 1mg #30", "Ativan"),
            ("Klonopin 1mg #60", "Klonopin"),
        ),
        "ca": [(3, ("cp", "Benzodiazepines", "24"))],
        "rv": [(3, ("cp", "Benzodiazepines", "24"))],
        "running": [(RUNNING_CP, "24")],
        "claim": ["benzodiazepines are not recommended for long-term use"],
        "up": ["The request represents chronic, long-term, and/or nightly usage of {short}."],
        "ov": ["The attending provider intended to taper {short} over the next month."],
    },
    {
        "key": "medfood",
        "category": "Pharmaceuticals",
        "weight": 0.5,
        "drug": True,
        "services": _drugs(
            ("Theramine #120", "Theramine"),
            ("Sentra PM #60", "Sentra PM"),
            ("Ondansetron 8mg #20", "ondansetron"),
        ),
        "ca": [(3, ("odg", "pain", "Medical food"))],
        "rv": [
            (3, ("odg", "pain", "Medical food")),
            (1, ("other", "peer-reviewed literature")),
        ],
        "running": [(RUNNING_ODG, ("pain", "Medical food"))],
        "claim": ["such products are not recommended for chronic pain"],
        "up": ["The attending provider did not furnish a clear rationale for {short}."],
        "ov": ["The applicant had a specific nutritional deficit documented on testing."],
    },
    # --- physical medicine ---
    {
        "key": "pt",
        "category": "Physical Medicine",
        "weight": 7.0,
        "services": [
            ("Physical therapy 2x6 for the {side} wrist", "physical therapy", "wrist"),
            (
                "Additional physical therapy 3x4 for the lumbar spine",
                "physical therapy",
                "low back",
            ),
            (
                "12 sessions of physical therapy for the {side} shoulder",
                "physical therapy",
                "shoulder",
            ),
            (
                "Physical therapy 2 times a week for 4 weeks for the neck",
                "physical therapy",
                "neck",
            ),
            ("Occupational therapy 2x6 for the {side} hand", "occupational therapy", "hand"),
            ("Aquatic therapy 2x4", "aquatic therapy", None, "aquatic"),
            (
                "Post-operative physical therapy x12 sessions for the {side} knee",
                "physical therapy",
                "knee",
                "postop",
            ),
            ("Physical therapy eight sessions", "physical therapy", None),
        ],
        "by": {
            "aquatic": {
                "ca": [(3, ("cp", "Aquatic therapy", "22"))],
                "rv": [(3, ("cp", "Aquatic therapy", "22"))],
                "running": [(RUNNING_CP, "22")],
            },
            "postop": {
                "ca": [(3, ("post", "Knee"))],
                "rv": [(3, ("post", "Knee")), (1, ("cp", "Physical Medicine", "98-99"))],
                "running": [],
            },
            "low back": {
                "ca": [
                    (4, ("cp", "Physical Medicine", "98-99")),
                    (2, ("ch", 12, "Physical Methods")),
                    (1, ("odg", "lowback", "Physical therapy (PT)")),
                ],
                "rv": [
                    (4, ("cp", "Physical Medicine", "98-99")),
                    (1, ("ch", 12, "Physical Methods")),
                ],
                "running": [(RUNNING_CP, "99"), (RUNNING_ACOEM, (12, "299"))],
            },
        },
        "ca": [
            (5, ("cp", "Physical Medicine", "98-99")),
            (2, ("ch", 3, "Initial Approaches to Treatment")),
            (1, ("cp", None, None)),
        ],
        "rv": [
            (5, ("cp", "Physical Medicine", "98-99")),
            (2, ("ch", 3, "Initial Approaches to Treatment")),
        ],
        "running": [(RUNNING_CP, "99"), (RUNNING_ACOEM, (3, "48"))],
        "claim": [
            "a tapering or fading of the frequency of treatment over time is recommended, with "
            "active therapy and self-directed home physical medicine",
            "9 to 10 sessions of treatment are recommended for myalgias and myositis of various "
            "body parts",
        ],
        "up": [
            "The applicant had already had prior treatment in excess of the recommended course.",
            "The applicant remained off of work, on total temporary disability, despite prior "
            "treatment.",
        ],
        "ov": [
            "The applicant had returned to regular duty work and was trending favorably.",
            "The applicant had not had any prior treatment in the year preceding the request.",
        ],
    },
    {
        "key": "chiro",
        "category": "Physical Medicine",
        "weight": 2.5,
        "services": [
            (
                "Chiropractic treatment 2x3 for the cervical spine",
                "chiropractic manipulative therapy",
                "neck",
            ),
            ("Chiropractic manipulation x8 sessions", "chiropractic manipulative therapy", None),
            ("Massage therapy x6 sessions", "massage therapy", None),
        ],
        "ca": [
            (4, ("cp", "Manual therapy & manipulation", "58-59")),
            (1, ("cp", "Massage therapy", "60")),
        ],
        "rv": [
            (4, ("cp", "Manual therapy & manipulation", "58-59")),
            (1, ("cp", "Massage therapy", "60")),
        ],
        "running": [(RUNNING_CP, "59")],
        "claim": [
            "continued treatment is contingent on evidence of successful return to work",
        ],
        "up": ["The applicant was not working, it was acknowledged."],
        "ov": ["The applicant had returned to work following prior treatment."],
    },
    {
        "key": "acupuncture",
        "category": "Physical Medicine",
        "weight": 3.5,
        "services": [
            ("Acupuncture 6 sessions for the low back", "acupuncture", "low back"),
            ("Acupuncture x8 sessions", "acupuncture", None),
            ("Additional acupuncture 2x3 for the {side} knee", "acupuncture", "knee"),
        ],
        "ca": [(5, ("acu",))],
        "rv": [(5, ("acu",))],
        "running": [],
        "claim": [],
        "up": [
            "The applicant had had prior acupuncture without any demonstration of functional "
            "improvement.",
        ],
        "ov": ["The request represents a first-time trial of acupuncture."],
    },
    # --- imaging ---
    {
        "key": "mri_lumbar",
        "category": "Diagnostic Imaging",
        "weight": 3.5,
        "services": [
            ("MRI of the lumbar spine", "MRI imaging", "low back"),
            ("MRI of the lumbar spine without contrast", "MRI imaging", "low back"),
            ("Lumbar MRI", "MRI imaging", "low back"),
            ("Repeat MRI of the lumbar spine", "repeat MRI imaging", "low back"),
        ],
        "ca": [
            (4, ("ch", 12, "Special Studies")),
            (1, ("ch", 12, None)),
            (3, ("odg", "lowback", "MRIs (magnetic resonance imaging)")),
            (2, ("chp", 12, "303-305")),
            (1, ("ch", 12, "Special Studies and Diagnostic and Treatment Considerations")),
        ],
        "rv": [
            (4, ("ch", 12, "Special Studies")),
            (3, ("odg", "lowback", "MRIs (magnetic resonance imaging)")),
            (2, ("chp", 12, "304")),
            (1, ("ch", 12, "Special Studies and Diagnostic and Treatment Considerations")),
        ],
        "running": [(RUNNING_ACOEM, (12, "304")), (RUNNING_ODG, ("lowback", "MRI"))],
        "claim": [
            "imaging studies should be reserved for cases in which surgery is being considered "
            "or red-flag diagnoses are being evaluated",
        ],
        "up": [
            "There was no mention of the applicant's willingness to consider or contemplate any "
            "kind of surgical intervention based on the outcome of the study.",
        ],
        "ov": [
            "The applicant had progressive neurologic deficits and was actively considering "
            "surgical intervention.",
        ],
    },
    {
        "key": "mri_cervical",
        "category": "Diagnostic Imaging",
        "weight": 2.0,
        "services": [
            ("MRI of cervical spine without contrast", "MRI imaging", "neck"),
            ("MRI of the cervical spine", "MRI imaging", "neck"),
        ],
        "ca": [
            (3, ("ch", 8, "Summary")),
            (1, ("ch", 8, None)),
            (2, ("odg", "neck", "Magnetic resonance imaging (MRI)")),
            (1, ("ch", 8, "Special Studies and Diagnostic and Treatment Considerations")),
        ],
        "rv": [
            (3, ("ch", 8, "Summary")),
            (2, ("chp", 8, "182")),
            (1, ("odg", "neck", "Magnetic resonance imaging (MRI)")),
        ],
        "running": [(RUNNING_ACOEM, (8, "182"))],
        "claim": [
            "MRI or CT imaging is recommended to validate a diagnosis of nerve root compromise "
            "in preparation for an invasive procedure",
        ],
        "up": [
            "The applicant's presentation was not suggestive of nerve root compromise.",
        ],
        "ov": ["The applicant had radicular complaints and was considering an injection."],
    },
    {
        "key": "mri_shoulder",
        "category": "Diagnostic Imaging",
        "weight": 2.0,
        "services": [
            ("MRI of the {side} shoulder without contrast", "MRI imaging", "shoulder"),
            ("MR arthrogram of the {side} shoulder", "MR arthrography", "shoulder"),
            ("Ultrasound of the {side} shoulder", "diagnostic ultrasound", "shoulder"),
        ],
        "ca": [
            (3, ("chp", 9, "209")),
            (2, ("odg", "shoulder", "MRI")),
            (1, ("ch", 9, "Special Studies")),
        ],
        "rv": [
            (3, ("chp", 9, "207-209")),
            (2, ("odg", "shoulder", "MRI")),
            (1, ("ch", 9, "Special Studies")),
        ],
        "running": [(RUNNING_ACOEM, (9, "214")), (RUNNING_ODG, ("shoulder", "MRI"))],
        "claim": [
            "routine testing for evaluation of shoulder complaints is not recommended during "
            "the first month or two of symptoms",
        ],
        "up": ["There was no mention that surgical intervention was being considered."],
        "ov": ["A full-thickness rotator cuff tear was suspected on exam."],
    },
    {
        "key": "xray",
        "category": "Diagnostic Imaging",
        "weight": 2.0,
        "services": [
            ("X-rays of the {side} knee", "x-rays", "knee"),
            ("Retrospective request for x-rays (DOS: {dos})", "x-rays", None),
            ("CT scan of the lumbar spine", "CT imaging", "low back"),
            ("Bone scan", "bone scanning", None, "bonescan"),
            ("MRI of the {side} knee", "MRI imaging", "knee"),
        ],
        "by": {
            "knee": {
                "ca": [
                    (3, ("ch", 13, "Special Studies")),
                    (2, ("odg", "knee", "MRI's (magnetic resonance imaging)")),
                    (1, ("chp", 13, "341-343")),
                ],
                "rv": [
                    (3, ("ch", 13, "Special Studies")),
                    (2, ("odg", "knee", "Radiography (x-rays)")),
                    (1, ("chp", 13, "343")),
                ],
                "running": [(RUNNING_ACOEM, (13, "343"))],
            },
            "low back": {
                "ca": [
                    (2, ("ch", 12, "Special Studies")),
                    (1, ("odg", "lowback", "CT (computed tomography)")),
                ],
                "rv": [
                    (2, ("ch", 12, "Special Studies")),
                    (1, ("odg", "lowback", "CT (computed tomography)")),
                ],
                "running": [(RUNNING_ACOEM, (12, "304"))],
            },
            "bonescan": {
                "ca": [(2, ("odg", "lowback", "Bone scan"))],
                "rv": [
                    (2, ("odg", "lowback", "Bone scan")),
                    (1, ("other", "peer-reviewed literature")),
                ],
                "running": [],
            },
        },
        "ca": [(2, ("ch", 12, "Special Studies")), (1, ("odg", "lowback", "Radiography (x-rays)"))],
        "rv": [(2, ("ch", 12, "Special Studies")), (1, ("odg", "lowback", "Radiography (x-rays)"))],
        "running": [(RUNNING_ACOEM, (12, "303"))],
        "claim": ["imaging is recommended where red flags are present"],
        "up": ["No red-flag findings were documented."],
        "ov": ["The applicant had a new fall with swelling and instability."],
    },
    # --- diagnostic testing ---
    {
        "key": "testing",
        "category": "Diagnostic Testing",
        "weight": 6.0,
        "services": [
            ("Urine drug screen", "drug testing", None),
            ("Urine drug testing", "drug testing", None),
            (
                "EMG/NCV of the bilateral upper extremities",
                "electrodiagnostic testing",
                None,
                "emg",
            ),
            ("NCV of the bilateral lower extremities", "nerve conduction testing", None, "ncv"),
            ("Sleep study", "polysomnography", None, "sleep"),
            ("Comprehensive metabolic panel", "laboratory testing", None, "labs"),
        ],
        "by": {
            "emg": {
                "ca": [
                    (2, ("ch", 8, "Special Studies and Diagnostic and Treatment Considerations")),
                    (1, ("ch", 11, "Special Studies")),
                ],
                "rv": [(2, ("chp", 8, "178")), (1, ("ch", 11, "Special Studies"))],
                "running": [(RUNNING_ACOEM, (8, "178"))],
            },
            "ncv": {
                "ca": [(2, ("odg", "lowback", "Nerve conduction studies (NCS)"))],
                "rv": [
                    (2, ("odg", "lowback", "Nerve conduction studies (NCS)")),
                    (1, ("ch", 12, "Special Studies")),
                ],
                "running": [(RUNNING_ACOEM, (12, "303"))],
            },
            "sleep": {
                "ca": [(2, ("odg", "pain", "Polysomnography"))],
                "rv": [(2, ("odg", "pain", "Polysomnography")), (1, ("odg", "mental", "Insomnia"))],
                "running": [],
            },
            "labs": {
                "ca": [(2, ("cp", "NSAIDs, specific drug list & adverse effects", "70"))],
                "rv": [
                    (2, ("cp", "NSAIDs, specific drug list & adverse effects", "70")),
                    (1, ("other", "peer-reviewed literature")),
                ],
                "running": [(RUNNING_CP, "70")],
            },
        },
        "ca": [
            (3, ("cp", "Drug testing", "43")),
            (2, ("odg", "pain", "Urine drug testing (UDT)")),
        ],
        "rv": [
            (3, ("cp", "Drug testing", "43")),
            (2, ("odg", "pain", "Urine drug testing (UDT)")),
        ],
        "running": [(RUNNING_CP, "43"), (RUNNING_ODG, ("pain", "Urine Drug Testing"))],
        "claim": [
            "the attending provider should clearly state which drug tests and/or drug panels "
            "are being tested for",
        ],
        "up": ["The attending provider did not state when the applicant was last tested."],
        "ov": ["The applicant was a new patient and had not been previously tested."],
    },
    # --- injections ---
    {
        "key": "injection",
        "category": "Injections",
        "weight": 7.0,
        "services": [
            (
                "Lumbar epidural steroid injection at L4-L5",
                "epidural steroid injection",
                "low back",
            ),
            ("Cervical epidural steroid injection C5-C6", "epidural steroid injection", "neck"),
            ("Bilateral L4-S1 facet injections", "facet injections", "low back"),
            ("Trigger point injections x4", "trigger point injections", None),
            ("{side_cap} knee cortisone injection", "cortisone injection", "knee"),
            ("Radiofrequency ablation at L3-L5", "radiofrequency ablation", "low back"),
            ("{side_cap} shoulder subacromial injection", "subacromial injection", "shoulder"),
            (
                "Left L5-S1 transforaminal epidural steroid injection",
                "epidural steroid injection",
                "low back",
            ),
        ],
        "by": {
            "low back": {
                "ca": [
                    (4, ("cp", "Epidural steroid injections (ESIs)", "46")),
                    (2, ("odg", "lowback", "Facet joint diagnostic blocks (injections)")),
                    (1, ("ch", 12, "Physical Methods")),
                ],
                "rv": [
                    (4, ("cp", "Epidural steroid injections (ESIs)", "46")),
                    (2, ("odg", "lowback", "Facet joint radiofrequency neurotomy")),
                    (1, ("ch", 12, "Summary")),
                ],
                "running": [(RUNNING_CP, "46"), (RUNNING_ACOEM, (12, "300"))],
            },
            "neck": {
                "ca": [
                    (3, ("cp", "Epidural steroid injections (ESIs)", "46")),
                    (1, ("ch", 8, "Summary")),
                ],
                "rv": [(3, ("cp", "Epidural steroid injections (ESIs)", "46"))],
                "running": [(RUNNING_CP, "46")],
            },
            "knee": {
                "ca": [
                    (2, ("odg", "knee", "Corticosteroid injections")),
                    (1, ("ch", 13, "Summary")),
                ],
                "rv": [(2, ("odg", "knee", "Corticosteroid injections")), (1, ("chp", 13, "339"))],
                "running": [(RUNNING_ACOEM, (13, "339"))],
            },
            "shoulder": {
                "ca": [
                    (2, ("ch", 9, "Initial Care")),
                    (1, ("odg", "shoulder", "Steroid injections")),
                ],
                "rv": [(2, ("chp", 9, "204")), (1, ("odg", "shoulder", "Steroid injections"))],
                "running": [(RUNNING_ACOEM, (9, "204"))],
            },
        },
        "ca": [(3, ("cp", "Trigger point injections", "122"))],
        "rv": [(3, ("cp", "Trigger point injections", "122"))],
        "running": [(RUNNING_CP, "122")],
        "claim": [
            "the injection should be part of an active treatment program with documented "
            "objective findings",
        ],
        "up": [
            "The applicant had had a prior injection without lasting benefit.",
            "The findings were not corroborated on imaging.",
        ],
        "ov": ["The applicant had concordant examination and imaging findings."],
    },
    # --- surgery ---
    {
        "key": "surgery",
        "category": "Surgery",
        "weight": 5.0,
        "services": [
            (
                "{side_cap} shoulder arthroscopy with subacromial decompression",
                "the proposed surgery",
                "shoulder",
            ),
            ("Left carpal tunnel release", "carpal tunnel release surgery", None, "carpal"),
            ("L4-L5 lumbar fusion", "the proposed fusion surgery", "low back"),
            (
                "{side_cap} knee arthroscopy with partial medial meniscectomy",
                "the proposed surgery",
                "knee",
            ),
            (
                "Associated surgical service: Assistant surgeon",
                "an assistant surgeon",
                None,
                "assistant",
            ),
            ("Anterior cervical discectomy and fusion at C5-C6", "the proposed surgery", "neck"),
        ],
        "by": {
            "shoulder": {
                "ca": [
                    (3, ("chp", 9, "209-211")),
                    (2, ("ch", 9, "Surgical Considerations")),
                    (1, ("odg", "shoulder", "Surgery for impingement syndrome")),
                ],
                "rv": [
                    (3, ("ch", 9, "Surgical Considerations")),
                    (1, ("chp", 9, "209-211")),
                    (2, ("odg", "shoulder", "Surgery for impingement syndrome")),
                ],
                "running": [(RUNNING_ACOEM, (9, "211"))],
            },
            "carpal": {
                "ca": [
                    (2, ("ch", 11, "Surgical Considerations")),
                    (2, ("odg", "carpal", "Carpal tunnel release surgery (CTR)")),
                ],
                "rv": [
                    (2, ("ch", 11, "Surgical Considerations")),
                    (2, ("odg", "carpal", "Carpal tunnel release surgery (CTR)")),
                    (1, ("acoem", "3rd", 11, None, None)),
                ],
                "running": [(RUNNING_ACOEM, (11, "270"))],
            },
            "low back": {
                "ca": [
                    (2, ("ch", 12, "Surgical Considerations")),
                    (2, ("odg", "lowback", "Fusion (spinal)")),
                ],
                "rv": [
                    (2, ("ch", 12, "Surgical Considerations")),
                    (2, ("odg", "lowback", "Fusion (spinal)")),
                    (1, ("acoem", "3rd", 12, None, None)),
                ],
                "running": [(RUNNING_ACOEM, (12, "307"))],
            },
            "knee": {
                "ca": [
                    (2, ("ch", 13, "Surgical Considerations")),
                    (2, ("odg", "knee", "Meniscectomy")),
                ],
                "rv": [
                    (2, ("ch", 13, "Surgical Considerations")),
                    (2, ("odg", "knee", "Meniscectomy")),
                    (1, ("chp", 13, "344-345")),
                ],
                "running": [(RUNNING_ACOEM, (13, "344"))],
            },
            "neck": {
                "ca": [
                    (2, ("ch", 8, "Surgical Considerations")),
                    (2, ("odg", "neck", "Discectomy-laminectomy-laminoplasty")),
                ],
                "rv": [
                    (2, ("ch", 8, "Surgical Considerations")),
                    (2, ("odg", "neck", "Fusion, anterior cervical")),
                ],
                "running": [(RUNNING_ACOEM, (8, "180"))],
            },
            "assistant": {
                "ca": [
                    (3, ("other", "Milliman Care Guidelines")),
                    (1, ("odg", "lowback", "Surgical assistant")),
                ],
                "rv": [
                    (3, ("other", "Milliman Care Guidelines")),
                    (1, ("other", "peer-reviewed literature")),
                    (1, ("odg", "lowback", "Surgical assistant")),
                ],
                "running": [],
            },
        },
        "ca": [],
        "rv": [],
        "running": [],
        "claim": [
            "surgery is indicated for patients who have activity limitation for more than one "
            "month and failure to improve with conservative care",
        ],
        "up": ["There was no evidence of a clear surgical lesion on imaging."],
        "ov": ["The applicant had failed a lengthy course of conservative treatment."],
    },
    # --- DME ---
    {
        "key": "dme",
        "category": "Durable Medical Equipment",
        "weight": 5.0,
        "services": [
            ("TENS unit rental x30 days", "a TENS unit", None, "tens"),
            ("Lumbar support brace", "a support brace", "low back"),
            ("{side_cap} wrist brace", "a splint", "wrist"),
            (
                "Post-operative cold therapy unit rental x7 days",
                "a cold therapy unit",
                None,
                "cold",
            ),
            ("Front wheeled walker", "a walker", None, "walker"),
            ("Hospital bed", "a hospital bed", None, "walker"),
            ("Interferential unit purchase", "an interferential unit", None, "tens"),
        ],
        "by": {
            "tens": {
                "ca": [
                    (
                        3,
                        (
                            "cp",
                            "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
                            "114-116",
                        ),
                    ),
                    (1, ("cp", "Interferential Current Stimulation (ICS)", "118-120")),
                ],
                "rv": [
                    (
                        3,
                        (
                            "cp",
                            "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
                            "114-116",
                        ),
                    ),
                    (1, ("cp", "Interferential Current Stimulation (ICS)", "118-120")),
                ],
                "running": [(RUNNING_CP, "116")],
            },
            "low back": {
                "ca": [
                    (2, ("ch", 12, "Physical Methods")),
                    (1, ("odg", "lowback", "Lumbar supports")),
                ],
                "rv": [
                    (2, ("ch", 12, "Physical Methods")),
                    (1, ("odg", "lowback", "Lumbar supports")),
                ],
                "running": [(RUNNING_ACOEM, (12, "301"))],
            },
            "wrist": {
                "ca": [(2, ("ch", 11, "Initial Care")), (1, ("odg", "hand", "Splints"))],
                "rv": [(2, ("ch", 11, "Initial Care")), (1, ("chp", 11, "264"))],
                "running": [(RUNNING_ACOEM, (11, "264"))],
            },
            "cold": {
                "ca": [(2, ("odg", "shoulder", "Continuous-flow cryotherapy"))],
                "rv": [(2, ("odg", "knee", "Continuous-flow cryotherapy")), (1, ("post", None))],
                "running": [],
            },
            "walker": {
                "ca": [
                    (2, ("odg", "knee", "Durable medical equipment (DME)")),
                    (1, ("odg", "knee", "Walking aids")),
                ],
                "rv": [(2, ("odg", "knee", "Durable medical equipment (DME)"))],
                "running": [],
            },
        },
        "ca": [],
        "rv": [],
        "running": [],
        "claim": [
            "the device should be part of a program of evidence-based functional restoration",
        ],
        "up": ["There was no evidence of a successful one-month trial of the device."],
        "ov": ["The applicant had a documented favorable trial of the device."],
    },
    # --- evaluation and management ---
    {
        "key": "em",
        "category": "Evaluation and Management",
        "weight": 4.0,
        "services": [
            ("Orthopedic surgery consultation", "the consultation", None),
            ("Follow-up visit with pain management", "the follow-up visit", None),
            ("Referral to a spine surgeon", "the referral", None),
            ("Office visit x1", "the office visit", None),
            ("Neurology consultation", "the consultation", None),
        ],
        "ca": [
            (3, ("acoem", "2nd", 7, "Independent Medical Examinations and Consultations", "127")),
            (2, ("odg", "pain", "Office visits")),
            (2, ("ch", 3, "Cornerstones of Disability Prevention and Management")),
        ],
        "rv": [
            (3, ("acoem", "3rd", 7, None, "127")),
            (2, ("ch", 3, "Cornerstones of Disability Prevention and Management")),
            (1, ("odg", "pain", "Office visits")),
        ],
        "running": [(RUNNING_ACOEM, (5, "92"))],
        "claim": [
            "a referral may be appropriate when the practitioner is uncomfortable with treating "
            "a particular cause of delayed recovery",
        ],
        "up": ["The applicant was not a surgical candidate, it was acknowledged."],
        "ov": ["The applicant's pain complaints were heightened and the diagnosis was unclear."],
    },
    # --- behavioral health ---
    {
        "key": "behavioral",
        "category": "Behavioral Health",
        "weight": 2.0,
        "services": [
            ("Cognitive behavioral therapy x6 sessions", "cognitive behavioral therapy", None),
            ("Psychotherapy 1x week for 6 weeks", "psychotherapy", None),
            ("Individual psychotherapy 12 sessions", "psychotherapy", None),
        ],
        "ca": [
            (3, ("cp", "Behavioral interventions", "23")),
            (2, ("odg", "mental", "Cognitive therapy for depression")),
            (1, ("ch", 15, "Summary")),
        ],
        "rv": [
            (3, ("cp", "Behavioral interventions", "23")),
            (2, ("odg", "mental", "Psychotherapy guidelines")),
        ],
        "running": [(RUNNING_CP, "23")],
        "claim": ["an initial trial of 3 to 4 psychotherapy visits over 2 weeks is recommended"],
        "up": ["The applicant had already had prior sessions without functional improvement."],
        "ov": ["The applicant had not had any prior psychotherapy."],
    },
    # --- home health ---
    {
        "key": "homehealth",
        "category": "Home Health",
        "weight": 1.0,
        "services": [
            ("Home health care 4 hours per day x 6 weeks", "home health care", None),
            ("Home health aide 3x a week", "home health services", None),
        ],
        "ca": [(3, ("cp", "Home health services", "51"))],
        "rv": [(3, ("cp", "Home health services", "51"))],
        "running": [(RUNNING_CP, "51")],
        "claim": [
            "home health services are recommended only for otherwise recommended medical "
            "treatment for patients who are homebound",
        ],
        "up": ["The applicant was not homebound, it was acknowledged."],
        "ov": ["The applicant was homebound following surgery."],
    },
    # --- programs ---
    {
        "key": "programs",
        "category": "Programs",
        "weight": 1.5,
        "services": [
            (
                "Functional restoration program x 80 hours",
                "the functional restoration program",
                None,
            ),
            ("Work hardening program 10 sessions", "the work hardening program", None),
            ("Weight loss program", "the weight loss program", None),
        ],
        "ca": [
            (3, ("cp", "Functional restoration programs (FRPs)", "49")),
            (2, ("cp", "Chronic pain programs (functional restoration programs)", "30-32")),
            (1, ("cp", "Work conditioning, work hardening", "125")),
            (1, ("other", "peer-reviewed literature")),
        ],
        "rv": [
            (3, ("cp", "Chronic pain programs (functional restoration programs)", "30-32")),
            (1, ("cp", "Functional restoration programs (FRPs)", "49")),
            (1, ("other", "National Library of Medicine (NLM)")),
        ],
        "running": [(RUNNING_CP, "32")],
        "claim": [
            "one of the cardinal criteria for pursuit of such a program is evidence that the "
            "applicant is motivated to change",
        ],
        "up": ["The applicant did not appear intent on returning to the workplace."],
        "ov": ["The applicant was highly motivated to improve and return to work."],
    },
    # --- other ---
    {
        "key": "other",
        "category": "Other",
        "weight": 0.5,
        "services": [
            ("Transportation to and from medical appointments", "transportation", None),
            ("Medical transportation x12 round trips", "transportation", None),
        ],
        "ca": [(3, ("odg", "knee", "Transportation (to & from appointments)"))],
        "rv": [(3, ("odg", "knee", "Transportation (to & from appointments)"))],
        "running": [],
        "claim": [],
        "up": ["The applicant was able to drive, it was reported."],
        "ov": ["The applicant was unable to drive following surgery."],
    },
]

# Pages for "the MTUS Guideline in ACOEM Chapter N, page P" when a Table is also named.
ACOEM_TABLES: dict[int, str] = {8: "8-8", 9: "9-6", 12: "12-8", 13: "13-6"}

# Summary phrases -----------------------------------------------------------------------------
REFERENTS = ["the applicant", "the patient", "the injured worker", "the employee"]
REFERENT_WEIGHTS = [0.5, 0.2, 0.2, 0.1]
SEX_WORDS = {"female": ["female", "woman"], "male": ["male", "man"]}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTH_ABBR = [
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
]
DIAGNOSIS_BY_PART: dict[str, list[str]] = {
    "low back": ["lumbar radiculopathy", "lumbar degenerative disc disease", "lumbar strain"],
    "neck": ["cervical radiculopathy", "cervical strain"],
    "upper back": ["thoracic strain"],
    "shoulder": ["shoulder impingement syndrome", "rotator cuff tendinitis"],
    "knee": ["knee internal derangement", "knee meniscal tear"],
    "wrist": ["wrist sprain", "de Quervain's tenosynovitis of the wrist"],
    "hand": ["hand tenosynovitis", "trigger finger"],
    "elbow": ["lateral epicondylitis of the elbow"],
}

# --- a wider vocabulary per kind ----------------------------------------------------------------
# More of the services real letters name, so that category rules are measured on more than the
# first rows above. Rows as above: (text, short[, body part[, key into the kind's "by" pools]]).
_MORE_SERVICES: dict[str, list[tuple]] = {
    "opioid": [
        ("Methadone 10mg #90", "methadone"),
        ("Fentanyl patch 25mcg/hr #10", "fentanyl"),
        ("Dilaudid 4mg #60", "Dilaudid"),
        ("Tramadol/APAP 37.5/325mg #90", "tramadol-acetaminophen"),
        ("Oxycodone/APAP 10/325mg #120", "oxycodone-acetaminophen"),
    ],
    "relaxant": [
        ("Orphenadrine ER 100mg #60", "orphenadrine"),
        ("Methocarbamol 750mg #90", "methocarbamol"),
        ("Skelaxin 800mg #60", "Skelaxin"),
    ],
    "nsaid": [
        ("Meloxicam 15mg #30", "meloxicam"),
        ("Ibuprofen 800mg #90", "ibuprofen"),
        ("Fenoprofen 400mg #60", "fenoprofen"),
        ("Etodolac ER 400mg #30", "etodolac"),
    ],
    "ppi": [("Protonix 20mg #60", "Protonix"), ("Lansoprazole 30mg #30", "lansoprazole")],
    "aed": [("Pregabalin 50mg #90", "pregabalin")],
    "antidep": [
        ("Venlafaxine ER 75mg #30", "venlafaxine"),
        ("Nortriptyline 25mg #30", "nortriptyline"),
    ],
    "topical": [
        ("Flector patch 1.3% #30", "Flector"),
        ("Pennsaid 2% solution 112gm", "Pennsaid"),
        ("LidoPro ointment 121gm", "LidoPro"),
        ("Terocin lotion 120ml", "Terocin"),
    ],
    "sleep": [("Restoril 30mg #30", "Restoril")],
    "medfood": [
        ("Docusate sodium 100mg #60", "docusate", None, "constipation"),
        ("Senna 8.6mg #60", "senna", None, "constipation"),
    ],
    "pt": [
        (
            "Physical therapy 3 times a week for 4 weeks for the {side} knee",
            "physical therapy",
            "knee",
        ),
    ],
    "chiro": [("Chiropractic care 12 sessions", "chiropractic manipulative therapy", None)],
    "acupuncture": [("Electroacupuncture 6 sessions", "acupuncture", None)],
    "mri_lumbar": [("MRI of the thoracic spine", "MRI imaging", "upper back")],
    "xray": [
        ("CT scan of the head", "CT imaging", "head", "head"),
        ("X-rays of the lumbar spine, 3 views", "x-rays", "low back"),
        ("Ultrasound of the {side} knee", "diagnostic ultrasound", "knee"),
        ("MRI of the {side} wrist", "MRI imaging", "wrist", "wrist"),
    ],
    "testing": [
        ("Urine toxicology screen", "drug testing", None),
        (
            "Nerve conduction study of the bilateral upper extremities",
            "electrodiagnostic testing",
            None,
            "emg",
        ),
        ("Genetic testing for opioid risk", "genetic testing", None, "genetic"),
        ("Complete blood count", "laboratory testing", None, "labs"),
    ],
    "injection": [
        ("{side_cap} sacroiliac joint injection", "sacroiliac joint injection", None, "sij"),
        ("Occipital nerve block", "occipital nerve block", None, "headinj"),
        ("Medial branch block at L4-L5", "medial branch blocks", "low back"),
        ("Synvisc injection to the {side} knee", "viscosupplementation", "knee", "hyaluronic"),
        (
            "Platelet-rich plasma injection to the {side} elbow",
            "platelet-rich plasma injection",
            None,
            "prp",
        ),
    ],
    "surgery": [
        ("{side_cap} total knee arthroplasty", "the proposed arthroplasty", "knee"),
        ("Lumbar laminectomy at L5-S1", "the proposed surgery", "low back"),
        ("{side_cap} trigger finger release", "the proposed release", None, "handsurg"),
        ("{side_cap} rotator cuff repair", "the proposed surgery", "shoulder"),
        ("{side_cap} cubital tunnel release", "the proposed release", None, "elbowsurg"),
    ],
    "dme": [
        ("Lumbar orthosis", "a support brace", "low back"),
        ("{side_cap} knee brace", "a brace", "knee", "kneebrace"),
        ("Cane", "a cane", None, "walker"),
        ("Shower chair", "a shower chair", None, "walker"),
        ("H-wave unit purchase", "an H-wave device", None, "hwave"),
        ("Cervical traction unit", "a traction unit", None, "traction"),
    ],
    "em": [
        ("Pain management consultation", "the consultation", None),
        ("Follow-up visits x4", "the follow-up visits", None),
        ("Internal medicine consultation", "the consultation", None),
        ("Podiatry consultation", "the consultation", None),
        ("Second opinion spine surgery consultation", "the consultation", None),
    ],
    "behavioral": [
        ("Group psychotherapy 6 sessions", "psychotherapy", None),
        ("Hypnotherapy 6 sessions", "hypnotherapy", None),
    ],
    "homehealth": [
        ("Home health nursing visits x4", "home health services", None),
        ("Home care assistance 6 hours a day", "home health services", None),
    ],
    "programs": [
        ("Medically supervised weight loss program", "the weight loss program", None),
        ("Chronic pain program, 10 days", "the chronic pain program", None),
    ],
    "other": [("Interpreter services for medical appointments", "interpreter services", None)],
}
_MORE_POOLS: dict[str, dict[str, dict[str, list]]] = {
    "medfood": {
        "constipation": {
            "ca": [(2, ("odg", "pain", "Opioid-induced constipation treatment"))],
            "rv": [
                (2, ("odg", "pain", "Opioid-induced constipation treatment")),
                (1, ("cp", "Opioids, initiating therapy", "77")),
            ],
            "running": [(RUNNING_CP, "77")],
        }
    },
    "xray": {
        "head": {
            "ca": [(2, ("odg", "head", "CT (computed tomography)"))],
            "rv": [(2, ("odg", "head", "CT (computed tomography)"))],
            "running": [(RUNNING_ODG, ("head", "CT"))],
        },
        "wrist": {
            "ca": [
                (2, ("ch", 11, "Special Studies")),
                (1, ("odg", "hand", "MRI's (magnetic resonance imaging)")),
            ],
            "rv": [(2, ("ch", 11, "Special Studies")), (1, ("chp", 11, "268-269"))],
            "running": [(RUNNING_ACOEM, (11, "269"))],
        },
    },
    "testing": {
        "genetic": {
            "ca": [(2, ("odg", "pain", "Genetic testing for potential opioid abuse"))],
            "rv": [
                (2, ("odg", "pain", "Genetic testing for potential opioid abuse")),
                (1, ("other", "peer-reviewed literature")),
            ],
            "running": [],
        }
    },
    "injection": {
        "sij": {
            "ca": [(2, ("odg", "hip", "Sacroiliac joint blocks"))],
            "rv": [(2, ("odg", "hip", "Sacroiliac joint blocks"))],
            "running": [(RUNNING_ODG, ("hip", "Sacroiliac Joint Blocks"))],
        },
        "headinj": {
            "ca": [(2, ("odg", "head", "Greater occipital nerve block (GONB)"))],
            "rv": [(2, ("odg", "head", "Greater occipital nerve block (GONB)"))],
            "running": [],
        },
        "hyaluronic": {
            "ca": [(2, ("odg", "knee", "Hyaluronic acid injections"))],
            "rv": [(2, ("odg", "knee", "Hyaluronic acid injections")), (1, ("chp", 13, "339"))],
            "running": [(RUNNING_ODG, ("knee", "Hyaluronic Acid Injections"))],
        },
        "prp": {
            "ca": [(2, ("odg", "elbow", "Platelet-rich plasma (PRP)"))],
            "rv": [(2, ("odg", "elbow", "Platelet-rich plasma (PRP)")), (1, ("ch", 10, "Summary"))],
            "running": [],
        },
    },
    "surgery": {
        "handsurg": {
            "ca": [(2, ("ch", 11, "Surgical Considerations"))],
            "rv": [(2, ("ch", 11, "Surgical Considerations")), (1, ("chp", 11, "271"))],
            "running": [(RUNNING_ACOEM, (11, "271"))],
        },
        "elbowsurg": {
            "ca": [(2, ("ch", 10, "Surgical Considerations"))],
            "rv": [
                (2, ("ch", 10, "Surgical Considerations")),
                (
                    1,
                    (
                        "odg",
                        "elbow",
                        "Surgery for cubital tunnel syndrome (ulnar nerve entrapment)",
                    ),
                ),
            ],
            "running": [],
        },
    },
    "dme": {
        "kneebrace": {
            "ca": [(2, ("ch", 13, "Initial Care")), (1, ("odg", "knee", "Knee brace"))],
            "rv": [(2, ("chp", 13, "340")), (1, ("odg", "knee", "Knee brace"))],
            "running": [(RUNNING_ACOEM, (13, "340"))],
        },
        "hwave": {
            "ca": [(2, ("cp", "H-wave stimulation (HWT)", "117-118"))],
            "rv": [(2, ("cp", "H-wave stimulation (HWT)", "117-118"))],
            "running": [(RUNNING_CP, "117")],
        },
        "traction": {
            "ca": [(2, ("ch", 8, "Physical Methods")), (1, ("odg", "neck", "Traction"))],
            "rv": [(2, ("chp", 8, "173")), (1, ("odg", "neck", "Traction"))],
            "running": [(RUNNING_ACOEM, (8, "173"))],
        },
    },
}
for _kind in SERVICE_KINDS:
    _kind["services"] = list(_kind["services"]) + _MORE_SERVICES.get(_kind["key"], [])
    if _kind["key"] in _MORE_POOLS:
        _kind["by"] = {**_kind.get("by", {}), **_MORE_POOLS[_kind["key"]]}

# --- the published layout (DWC downloads, decided from December 2016) ------------------------
# The 2016 MTUS titles as these letters write them: spec kind -> (title as written, canonical
# document, edition). Chapter 10 is cited by its 2007 title; the 2004 chapters keep theirs.
PUBLISHED_CHRONIC_PAIN = [(85, "2016"), (15, "2009")]  # "Chronic Pain Medical Treatment 2016"
OPIOIDS_DOCUMENT = "Opioids Treatment Guidelines"  # "MTUS Opioid Treatment 2016" (its own document)
ELBOW_2007 = "Elbow Complaints 2007"
# ODG in the spellings of these letters: chapter key -> [(weight, spelling, form)] where form is
# "plain" ("<prefix>, <spelling>, <topic>"), "updated" ("<prefix>, <spelling> (updated
# 11/23/16), <topic>"), "colon" ("<prefix>, <spelling> chapter (online version): <topic>") or
# "bare" ("ODG <spelling> Chapter (updated 11/23/16), <topic>"). The document is the key's
# canonical chapter, the section the topic.
PUBLISHED_ODG: dict[str, list[tuple[float, str, str]]] = {
    "pain": [(5, "Pain (Chronic)", "plain"), (3, "Pain Chapter", "plain"), (2, "Pain", "colon"),
             (1, "Pain", "bare")],
    "lowback": [(4, "Low Back - Lumbar & Thoracic (Acute & Chronic)", "plain"),
                (3, "Low Back Chapter", "plain"), (2, "Low Back", "updated"),
                (2, "Low Back", "bare")],
    "neck": [(4, "Neck and Upper Back (Acute & Chronic)", "plain"),
             (2, "Neck & Upper Back", "colon"), (2, "Neck and Upper Back", "updated")],
    "shoulder": [(4, "Shoulder Chapter", "plain"), (2, "Shoulder", "updated"),
                 (1, "Shoulder", "bare")],
    "elbow": [(3, "Elbow (Acute & Chronic)", "plain"), (2, "Elbow", "updated")],
    "hand": [(3, "Forearm, Wrist, & Hand (Acute & Chronic)", "plain"),
             (2, "Forearm, Wrist, and Hand", "updated")],
    "hip": [(3, "Hip & Pelvis (Acute & Chronic)", "plain"), (1, "Hip and Pelvis", "bare")],
    "knee": [(3, "Knee & Leg (Acute & Chronic)", "plain"), (2, "Knee & Leg", "colon"),
             (2, "Knee and Leg", "updated")],
    "ankle": [(3, "Ankle & Foot (Acute & Chronic)", "plain"), (1, "Ankle and Foot", "updated")],
    "head": [(3, "Head Chapter", "plain"), (2, "Head", "updated")],
    "mental": [(3, "Mental Illness & Stress", "plain"), (1, "Mental Illness and Stress", "bare")],
    "carpal": [(3, "Carpal Tunnel Syndrome (Acute & Chronic)", "plain")],
}  # fmt: skip
ODG_UPDATED = ["11/23/16", "12/12/16", "11/3/16", "01/10/17", "2/14/17"]
# Sources outside the guidelines, as these letters cite them after "Non-MTUS Citation": drug
# labels, UpToDate topics, articles, agency pages, some with a web address (written here for the
# project; the addresses are invented and hyphenated so that Word may break them at a hyphen).
PUBLISHED_OTHER: list[tuple[float, str]] = [
    (3, "UpToDate, Overview of the treatment of chronic non-cancer pain, accessed 01/12/2017"),
    (2, "UpToDate, Evaluation of low back pain in adults, accessed 12/20/2016"),
    (2, "Drug label, prescribing information, revised 09/2016"),
    (2, "Food and Drug Administration, https://www.fda-example.gov/drugs/drug-safety-"
        "and-availability/opioid-medication-safety-label-changes, accessed 12/14/2016"),
    (2, "National Library of Medicine, MedlinePlus drug information, https://medlineplus-"
        "example.gov/druginfo/meds/muscle-relaxant-drug-information-sheet.html"),
    (1, "Clinical practice guideline for the management of chronic musculoskeletal pain, "
        "https://www.guideline-example.org/chronic-musculoskeletal-pain-management-"
        "recommendations-2016"),
    (1, "Journal of Occupational Rehabilitation, 2015, 25(4): 741-748"),
    (1, "American College of Radiology Appropriateness Criteria, revised 2016"),
]  # fmt: skip
# The preamble a party's citation paragraph may open with when it cites outside the MTUS: not a
# citation itself.
PREAMBLE = "The {party} based their decision on recommendation(s) outside of the MTUS Guidelines."
