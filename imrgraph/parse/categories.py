"""One service category per disputed item, from an ordered table of rules.

The first rule that matches wins, so the order carries the judgement calls: an epidural
*steroid* injection is an Injection before it is a drug; a *urine drug* screen is Diagnostic
Testing; a *cold therapy* unit is Durable Medical Equipment before it is therapy; a surgical
*consultation* is Evaluation and Management; "post-operative physical therapy" is Physical
Medicine, not Surgery. Nothing matched -> "Other" plus a ``category-defaulted`` warning (the
caller adds it), never a guess.
"""

from __future__ import annotations

import re

# Common drugs in workers' compensation requests (generic and brand), matched as whole words.
_DRUG_NAMES = (
    "norco|hydrocodone|vicodin|vicoprofen|oxycodone|oxycontin|percocet|roxicodone|endocet|"
    "oxymorphone|opana|hydromorphone|dilaudid|morphine|ms\\s+contin|kadian|avinza|methadone|"
    "fentanyl|duragesic|buprenorphine|butrans|suboxone|belbuca|tapentadol|nucynta|tramadol|"
    "ultram|ultracet|conzip|codeine|tylenol(?:\\s+#?\\d)?|acetaminophen|apap|"
    "gabapentin|neurontin|gralise|pregabalin|lyrica|topiramate|topamax|carbamazepine|"
    "cyclobenzaprine|flexeril|fexmid|amrix|tizanidine|zanaflex|baclofen|methocarbamol|robaxin|"
    "carisoprodol|soma|metaxalone|skelaxin|orphenadrine|norflex|chlorzoxazone|"
    "naproxen|anaprox|naprosyn|ibuprofen|motrin|meloxicam|mobic|celecoxib|celebrex|diclofenac|"
    "voltaren|arthrotec|flector|pennsaid|etodolac|lodine|nabumetone|relafen|ketoprofen|"
    "fenoprofen|nalfon|ketorolac|toradol|indomethacin|zorvolex|duexis|"
    "omeprazole|prilosec|pantoprazole|protonix|esomeprazole|nexium|lansoprazole|prevacid|"
    "ranitidine|zantac|famotidine|ondansetron|zofran|promethazine|phenergan|"
    "lidocaine|lidoderm|terocin|menthoderm|biofreeze|capsaicin|dendracin|"
    "duloxetine|cymbalta|amitriptyline|elavil|nortriptyline|pamelor|venlafaxine|effexor|"
    "sertraline|zoloft|fluoxetine|prozac|citalopram|celexa|escitalopram|lexapro|bupropion|"
    "wellbutrin|trazodone|desyrel|mirtazapine|remeron|savella|"
    "zolpidem|ambien|eszopiclone|lunesta|zaleplon|sonata|temazepam|restoril|"
    "alprazolam|xanax|diazepam|valium|clonazepam|klonopin|lorazepam|ativan|buspirone|"
    "quetiapine|seroquel|aripiprazole|abilify|"
    "prednisone|medrol|methylprednisolone|dexamethasone|"
    "sumatriptan|imitrex|fioricet|butalbital|"
    "docusate|colace|senna|senokot|sennosides|lactulose|miralax|linzess|movantik|amitiza|"
    "sildenafil|viagra|tadalafil|cialis|testosterone|androgel|"
    "metformin|lisinopril|amlodipine|atorvastatin|simvastatin|hydrochlorothiazide|"
    "theramine|sentra|gabadone|trepadone|"
    "keflex|cephalexin|ciprofloxacin|amoxicillin|augmentin|"
    "naloxone|narcan|nuvigil|provigil|modafinil|armodafinil|"
    "flurbiprofen|ketamine|compound(?:ed)?|"
    "medications?|medicines?|drugs?\\s+(?:refill|prescription)|prescriptions?|refills?|"
    "creams?|gels?|ointments?|lotions?|patch(?:es)?|tablets?|tabs?|capsules?|caps|"
    "topicals?|analgesics?|opioids?|opiates?|nsaids?|muscle\\s+relaxants?|antidepressants?|"
    "vitamins?|supplements?|probiotics?|transdermal|oral\\s+suspension|spray"
)
# A strength ("600mg", "10/325", "5%", "0.025%") or a pill count ("#90") marks a drug request.
_STRENGTH = (
    r"\d+(?:\.\d+)?\s*(?:mg|mcg|µg|gm?s?|grams?|ml|cc|iu|units?\s+per)\b|\d+(?:\.\d+)?\s*%"
    r"|\b\d+(?:\.\d+)?/\d+(?:\.\d+)?\s*(?:mg)?\b(?!\s*(?:/|\d))|#\s*\d+"
)

#: Ordered rules: (category, pattern). First match wins.
RULES: list[tuple[str, str]] = [
    # Programs before everything: "functional restoration program", "work hardening".
    (
        "Programs",
        r"functional\s+restoration|\bFRP\b|work\s+harden|work\s+condition|weight\s+(?:loss|"
        r"reduction|management)|detox(?:ification)?|(?:chronic\s+)?pain\s+(?:management\s+)?"
        r"program|gym\s+membership|"
        r"pool\s+membership|multidisciplinary|interdisciplinary|medifast|nutrisystem|"
        r"lindora|jenny\s+craig|\bHELP\b",
    ),
    (
        "Home Health",
        r"home\s+health|home\s+care|home\s+nurs|home\s+(?:attendant|assistan|aide|help)|"
        r"in[\s-]home\s+(?:care|assist|services|support)|caregiver|attendant\s+care|"
        r"housekeep|chore\s+services|skilled\s+nursing\s+visits?",
    ),
    (
        "Behavioral Health",
        r"psychotherap|psycholog|psychiatr|\bCBT\b|cognitive\s+behav|behavioral\s+(?:therapy|"
        r"health|medicine|treatment)|counsel+ing|mental\s+health|biofeedback|hypnotherap|"
        r"relaxation\s+training|group\s+therapy|psych\b|psych\s+(?:eval|consult|visit)",
    ),
    # The SI joint is named by injections and by operations on it: the operation decides.
    ("Surgery", r"(?:\bSI|sacroiliac)\s+joint\s+(?:fusion|arthrodesis|surgery|stabili[sz]ation)"),
    (
        "Injections",
        r"inject|epidural|\bESI\b|facet|trigger\s+point|nerve\s+blocks?|\bblocks?\b|"
        r"medial\s+branch|radiofrequency|\bRFA\b|ablation|rhizotomy|neurotomy|"
        r"viscosupplement|synvisc|orthovisc|supartz|euflexxa|hyalgan|gel-one|monovisc|"
        r"platelet[\s-]+rich|\bPRP\b|prolotherapy|botox|botulinum|cortisone\s+shot|"
        r"steroid\s+shot|\bSI\s+joint\b|sacroiliac\s+joint",
    ),
    ("Surgery", r"manipulation\s+under\s+anesthesia|\bMUA\b"),
    # The surgeon's assistant at an operation ("PA assist", "assistant surgeon").
    ("Surgery", r"\bPA\s+assist|assistant\s+surgeon|surgical\s+assist|co-?surgeon"),
    (
        "Diagnostic Imaging",
        r"\bMRI['’]?s?\b|\bMRA\b|magnetic\s+resonance|\bCT\b|\bCAT\s+scan|computed\s+tomograph|"
        r"x[\s-]?rays?|radiograph|bone\s+scan|(?<!therapeutic\s)ultrasound(?!\s+therapy)|"
        r"sonogra|\bDEXA\b|bone\s+density|imaging|myelogra|arthrogra|\bPET\b|\bSPECT\b|"
        r"\bscan\b",
    ),
    (
        "Diagnostic Testing",
        r"\bEMG\b|\bNCV\b|\bNCS\b|nerve\s+conduction|electromyogra|electrodiagnos|"
        r"urine\s+(?:drug|tox)|\bUDS\b|drug\s+(?:screen|test)|toxicolog|\blabs?\b|laborator|"
        r"blood\s+(?:work|tests?|draw|panel|counts?|levels?|chemistr)|complete\s+blood|urinalysis|"
        r"lipid|\bA1c\b|hemoglobin|thyroid\s+(?:function|panel|tests?)|creatinine|\bserum\b|"
        r"\bcultures?\b|\bCBC\b|\bCMP\b|\bBMP\b|metabolic\s+panel|"
        r"liver\s+function|renal\s+function|hepatic\s+function|\bpanel\b|sleep\s+stud|"
        r"polysomnogra|\bEKG\b|\bECG\b|electrocardiogra|echocardiogra|stress\s+test|"
        r"functional\s+capacity|\bFCE\b|genetic|\bDNA\b|cytokine|vestibular|audiogra|"
        r"audiometr|hearing\s+test|pulmonary\s+function|spirometr|biopsy|discogra|holter|"
        r"range\s+of\s+motion\s+test|muscle\s+test|\bQST\b|quantitative\s+sensory|"
        r"electroencephalogra|\bEEG\b|\bSSEP\b|evoked\s+potential|"
        r"\btests?\b|\btesting\b|\bscreens?\b|\bscreening\b|\bstudy\b|\bstudies\b|\bassay",
    ),
    (
        "Durable Medical Equipment",
        r"\bTENS\b|transcutaneous|interferential|\bIF\s+unit|\bH[\s-]?wave|\bbrace|orthos[ie]s|"
        r"orthotic|splint|walker|\bcanes?\b|crutch|wheelchair|scooter|cold\s+therapy|"
        r"cryotherap|hot/cold|hot\s+(?:and|&)\s+cold|heat(?:ing)?\s+(?:unit|pad|wrap)|"
        r"cold\s+(?:unit|pack|wrap)|ice\s+(?:unit|pack|machine)|game\s+ready|polar\s+care|"
        r"\bCPM\b|continuous\s+passive|\bbed\b|mattress|pillow|cushion|lumbar\s+support|"
        r"back\s+support|collar|traction\s+(?:unit|device)|home\s+traction|\bunit\b|"
        r"supplies|electrodes?|batter(?:y|ies)|\bDVT\b|\bcompression|stockings?|pneumatic|"
        r"shower\s+chair|commode|grab\s+bars?|raised\s+toilet|reacher|exercise\s+(?:equipment|"
        r"kit|ball|bike|machine)|resistance\s+bands?|therapy\s+balls?|\bDME\b|durable\s+medical|"
        r"device|machine|\bkit\b|glucometer|nebulizer|\bCPAP\b|hearing\s+aids?|glasses|"
        r"stimulator\s+(?:unit|rental|purchase)|muscle\s+stimulator|\bEMS\b|ergonomic|"
        r"\bchair\b|\bdesk\b|keyboard|\bsling\b|\bshoes?\b|bone\s+(?:growth\s+)?stimulator",
    ),
    (
        "Physical Medicine",
        r"physical\s+therap|\bPT\b|occupational\s+therap|\bOT\b|physiotherap|chiropract|"
        r"manipulat|acupunct|massage|aqua(?:tic)?\s*therap|pool\s+therap|water\s+therap|"
        r"hydrotherap|therapeutic\s+exercise|myofascial|\btraction\b|ultrasound\s+therapy|"
        r"therapeutic\s+ultrasound|shock\s*wave|\bESWT\b|infrared|paraffin|mobiliz|"
        r"home\s+exercise|exercise\s+program|work\s+simulation|kinesio|dry\s+needling|"
        r"cupping|rehab(?:ilitation)?\b|\btherapy\b|\bchiro\b|electrical\s+stimulation|"
        r"\bE-?stim\b",
    ),
    (
        "Evaluation and Management",
        r"consult|referral|refer\b|follow[\s-]*ups?\b|office\s+visits?|\bvisits?\b|"
        r"evaluation|re-?evaluation|second\s+opinion|specialist|medical\s+clearance|"
        r"pre-?operative\s+clearance|\bclearance\b|management\s+(?:visits?|sessions?)|"
        r"medication\s+management|"
        r"pain\s+management|examination|\bexam\b|assessment",
    ),
    ("Pharmaceuticals", rf"\b(?:{_DRUG_NAMES})\b|{_STRENGTH}"),
    (
        "Surgery",
        r"surger|surgical|arthroscop|\w+ectomy\b|\w+otomy\b|\w+plasty\b|\w+pexy\b|\w+desis\b|"
        r"fusion|decompression|\brelease\b|repair|reconstruct|replacement|excision|"
        r"debridement|removal|implant|hardware|osteotomy|tenotomy|\bORIF\b|fixation|"
        r"arthroplast|laminotom|foraminotom|microdisc|kyphoplast|vertebroplast|"
        r"spinal\s+cord\s+stimulator|\bSCS\b|intrathecal\s+pump|pain\s+pump|"
        r"assistant\s+surgeon|inpatient\s+(?:stay|admission|hospital)|hospital\s+stay|"
        r"operating\s+room|anesthesia",
    ),
    # Anything else called a program (after "aquatic therapy program" etc. had their chance).
    ("Programs", r"\bprograms?\b"),
]

# Patterns hold no upper-case escapes (\\S, \\W ...), so they can be lower-cased and matched
# against the lower-cased service without re.IGNORECASE, which is several times slower here.
_RULE_RES: list[tuple[str, re.Pattern[str]]] = [
    (category, re.compile(pattern.lower())) for category, pattern in RULES
]


def categorize(service: str) -> str | None:
    """The category of a service text, or None when no rule matches (caller uses "Other")."""
    text = service.lower()
    for category, pattern in _RULE_RES:
        if pattern.search(text):
            return category
    return None
