"""Citation lines: splitting, and the parts of every citation form listed in DOMAIN.md.

The expected fields were written by reading each form against DESIGN.md's conventions.
"""

import pytest

from imrgraph.parse.citations import parse_citation_line, rationale_citations


def fields(c):
    return (c.family, c.in_mtus, c.document, c.edition, c.section, c.pages)


def one(line: str):
    warnings: list[str] = []
    cits = parse_citation_line(line, warnings)
    assert len(cits) == 1, cits
    assert warnings == []
    return cits[0]


@pytest.mark.parametrize(
    ("line", "text", "expected"),
    [
        (
            "Decision based on MTUS Chronic Pain Medical Treatment Guidelines, Muscle relaxants "
            "(for pain) Page(s): 63-66.",
            "MTUS Chronic Pain Medical Treatment Guidelines, Muscle relaxants (for pain) "
            "Page(s): 63-66",
            (
                "MTUS",
                True,
                "Chronic Pain Medical Treatment Guidelines",
                None,
                "Muscle relaxants (for pain)",
                "63-66",
            ),
        ),
        (
            "Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods.",
            "MTUS Low Back Complaints 2004, Section(s): Physical Methods",
            ("MTUS", True, "Low Back Complaints", "2004", "Physical Methods", None),
        ),
        (
            "Decision based on MTUS (ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 9) "
            "Shoulder Complaints, page 209.",
            "MTUS (ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 9) Shoulder "
            "Complaints, page 209",
            ("MTUS", True, "Shoulder Complaints", "2004", None, "209"),
        ),
        (
            "Decision based on MTUS Acupuncture Medical Treatment Guidelines.",
            "MTUS Acupuncture Medical Treatment Guidelines",
            ("MTUS", True, "Acupuncture Medical Treatment Guidelines", None, None, None),
        ),
        (
            "Decision based on MTUS Postsurgical Treatment Guidelines, Shoulder.",
            "MTUS Postsurgical Treatment Guidelines, Shoulder",
            ("MTUS", True, "Postsurgical Treatment Guidelines", None, "Shoulder", None),
        ),
        (
            "The Claims Administrator based its decision on the MTUS Chronic Pain Medical "
            "Treatment Guidelines, Opioids, page 80, which is part of the MTUS.",
            "the MTUS Chronic Pain Medical Treatment Guidelines, Opioids, page 80, which is "
            "part of the MTUS",
            ("MTUS", True, "Chronic Pain Medical Treatment Guidelines", None, "Opioids", "80"),
        ),
        (
            "Decision based on Non-MTUS Official Disability Guidelines (ODG), Pain (Chronic), "
            "Compound creams.",
            "Non-MTUS Official Disability Guidelines (ODG), Pain (Chronic), Compound creams",
            ("ODG", False, "Pain Chapter", None, "Compound creams", None),
        ),
        (
            "The Expert Reviewer based his/her decision on the Official Disability Guidelines "
            "(ODG), Shoulder Chapter, MRI, which is not part of the MTUS.",
            "the Official Disability Guidelines (ODG), Shoulder Chapter, MRI, which is not "
            "part of the MTUS",
            ("ODG", False, "Shoulder Chapter", None, "MRI", None),
        ),
        (
            "Decision based on Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition "
            "(2011), Chapter 7, page 127.",
            "Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition (2011), Chapter 7, page 127",
            ("ACOEM", False, "ACOEM Practice Guidelines", "3rd Edition", "Chapter 7", "127"),
        ),
        (
            "Decision based on Non-MTUS: FDA (Food and Drug Administration).",
            "Non-MTUS: FDA (Food and Drug Administration)",
            ("OTHER", False, "FDA (Food and Drug Administration)", None, None, None),
        ),
        (
            "Decision based on Non-MTUS: peer-reviewed literature.",
            "Non-MTUS: peer-reviewed literature",
            ("OTHER", False, "peer-reviewed literature", None, None, None),
        ),
        (
            "The Physician Reviewer based his/her decision on the ODG Low Back - Lumbar & "
            "Thoracic (Acute & Chronic), MRIs.",
            "the ODG Low Back - Lumbar & Thoracic (Acute & Chronic), MRIs",
            ("ODG", False, "Low Back Chapter", None, "MRIs", None),
        ),
    ],
)
def test_every_domain_form(line, text, expected):
    c = one(line)
    assert c.text == text
    assert fields(c) == expected


def test_no_evidence_gives_empty_list():
    warnings: list[str] = []
    line = "The Claims Administrator did not cite any medical evidence for its decision."
    assert parse_citation_line(line, warnings) == []
    assert warnings == []


def test_seed_claims_administrator_line_three_citations():
    line = (
        "Decision based on MTUS Neck and Upper Back Complaints \n\n2004, and Low Back "
        "Complaints 2004. Decision based on Non-MTUS Citation ACOEM \n\nPractice Guidelines, "
        "Second Edition, Chapter 12 (update 11/30/2007) Low Back Complaints \n\npage 134. \n"
    )
    warnings: list[str] = []
    cits = parse_citation_line(line, warnings)
    assert [c.text for c in cits] == [
        "MTUS Neck and Upper Back Complaints 2004",
        "Low Back Complaints 2004",
        "Non-MTUS Citation ACOEM Practice Guidelines, Second Edition, Chapter 12 "
        "(update 11/30/2007) Low Back Complaints page 134",
    ]
    assert [fields(c) for c in cits] == [
        ("MTUS", True, "Neck and Upper Back Complaints", "2004", None, None),
        ("MTUS", True, "Low Back Complaints", "2004", None, None),
        (
            "ACOEM",
            False,
            "ACOEM Practice Guidelines",
            "2nd Edition",
            "Low Back Complaints",
            "134",
        ),
    ]
    assert warnings == []


def test_and_inside_names_never_splits():
    warnings: list[str] = []
    line = (
        "Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004 and Official "
        "Disability Guidelines (ODG) Forearm, Wrist, and Hand Chapter, Splinting; MTUS Ankle "
        "and Foot Complaints 2004 and Non-MTUS: FDA (Food and Drug Administration)"
    )
    cits = parse_citation_line(line, warnings)
    assert [(c.family, c.document, c.section) for c in cits] == [
        ("MTUS", "Forearm, Wrist, and Hand Complaints", None),
        ("ODG", "Forearm, Wrist, and Hand Chapter", "Splinting"),
        ("MTUS", "Ankle and Foot Complaints", None),
        ("OTHER", "FDA (Food and Drug Administration)", None),
    ]


def test_semicolons_and_inherited_family_after_and():
    warnings: list[str] = []
    line = (
        "Decision based on MTUS Chronic Pain Medical Treatment Guidelines, Opioids Page(s): "
        "78-80; ODG Pain (Chronic), Urine drug testing and Knee and Leg Chapter, Glucosamine"
    )
    cits = parse_citation_line(line, warnings)
    assert [(c.family, c.document, c.section, c.pages) for c in cits] == [
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", "Opioids", "78-80"),
        ("ODG", "Pain Chapter", "Urine drug testing", None),
        ("ODG", "Knee and Leg Chapter", "Glucosamine", None),
    ]
    assert warnings == []


def test_older_line_with_two_families():
    warnings: list[str] = []
    line = (
        "The Expert Reviewer based his/her decision on the MTUS Chronic Pain Medical "
        "Treatment Guidelines, Opioids, page 80, which is part of the MTUS, and the Official "
        "Disability Guidelines (ODG), Pain Chapter, Urine drug testing, which is not part of "
        "the MTUS."
    )
    cits = parse_citation_line(line, warnings)
    assert [fields(c) for c in cits] == [
        ("MTUS", True, "Chronic Pain Medical Treatment Guidelines", None, "Opioids", "80"),
        ("ODG", False, "Pain Chapter", None, "Urine drug testing", None),
    ]


def test_unknown_document_is_kept_as_written_with_warning():
    warnings: list[str] = []
    cits = parse_citation_line("Decision based on MTUS Hand Surgery Guide, Splints.", warnings)
    assert cits[0].family == "MTUS" and cits[0].document == "Hand Surgery Guide"
    assert [w.split(":")[0] for w in warnings] == ["citation-unrecognized"]


def test_rationale_running_text_citations():
    rationale = (
        "The MTUS Guideline in ACOEM Chapter 3, page 48 does stipulate that the value of "
        "physical therapy increases. As noted on page 80 of the MTUS Chronic Pain Medical "
        "Treatment Guidelines, opioids should be weaned. ODG's Pain Chapter Compound creams "
        "topic notes the same. Again, the MTUS Guideline in ACOEM Chapter 3, page 48 applies."
    )
    cits = rationale_citations(rationale)
    assert [(c.family, c.document, c.section, c.pages) for c in cits] == [
        ("MTUS", "General Approaches", None, "48"),
        ("MTUS", "Chronic Pain Medical Treatment Guidelines", None, "80"),
        ("ODG", "Pain Chapter", "Compound creams", None),
    ]
    assert cits[2].text == "ODG's Pain Chapter Compound creams topic"
    assert cits[0].text == "The MTUS Guideline in ACOEM Chapter 3, page 48"


def test_rationale_neck_chapter_by_number():
    cits = rationale_citations(
        "While the MTUS Guideline in ACOEM Chapter 8, Table 8-8, page 182 does acknowledge"
    )
    # A table number is a place in the chapter, not a section.
    assert [(c.document, c.section, c.pages) for c in cits] == [
        ("Neck and Upper Back Complaints", None, "182")
    ]


def test_rationale_repeats_are_dropped_but_other_mentions_of_a_chapter_kept():
    cits = rationale_citations(
        "The MTUS Guideline in ACOEM Chapter 12, page 299 notes sessions. The MTUS Guideline "
        "in ACOEM Chapter 12, Table 12-8, page 299 notes tapering. As before, the MTUS "
        "Guideline in ACOEM Chapter 12, page 299 applies."
    )
    assert [c.text for c in cits] == [
        "The MTUS Guideline in ACOEM Chapter 12, page 299",
        "The MTUS Guideline in ACOEM Chapter 12, Table 12-8, page 299",
    ]
    assert {(c.document, c.section, c.pages) for c in cits} == {
        ("Low Back Complaints", None, "299")
    }


def test_mtus_document_with_a_page_in_running_text():
    cits = rationale_citations(
        "The MTUS Chronic Pain Medical Treatment Guidelines on page 22 stipulate that NSAIDs "
        "are first line."
    )
    assert [(c.text, c.document, c.pages) for c in cits] == [
        (
            "The MTUS Chronic Pain Medical Treatment Guidelines on page 22",
            "Chronic Pain Medical Treatment Guidelines",
            "22",
        )
    ]


def test_bare_mentions_in_a_rationale_are_not_citations():
    assert (
        rationale_citations(
            "California MTUS guidelines support it. According to the MTUS Chronic Pain Medical "
            "Treatment Guidelines, opioids need review. ODG's Pain Chapter agrees, as do the "
            "ACOEM Practice Guidelines, 3rd Edition, Chapter 12, the FDA and peer-reviewed "
            "literature."
        )
        == []
    )


def test_other_sources_never_warn():
    warnings: list[str] = []
    cits = parse_citation_line("Decision based on peer-reviewed literature.", warnings)
    assert [(c.family, c.document) for c in cits] == [("OTHER", "peer-reviewed literature")]
    assert warnings == []


def test_family_is_inherited_only_after_and():
    warnings: list[str] = []
    cits = parse_citation_line(
        "Decision based on ODG Pain Chapter, Opioids and Opioid dosing calculator; "
        "peer-reviewed literature",
        warnings,
    )
    assert [(c.family, c.document) for c in cits] == [
        ("ODG", "Pain Chapter"),
        ("OTHER", "peer-reviewed literature"),
    ]
    assert cits[0].section == "Opioids and Opioid dosing calculator"


# --- the published layout (DOMAIN.md, "The published decisions") -----------------------------


def test_outside_the_mtus_preamble_is_not_a_citation():
    for party in ("The Claims Administrator", "The Expert Reviewer"):
        warnings: list[str] = []
        line = (
            f"{party} based their decision on recommendation(s) outside of the MTUS "
            "Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines "
            "(ODG), Knee & Leg Chapter, Continuous passive motion."
        )
        cits = parse_citation_line(line, warnings)
        assert [fields(c) for c in cits] == [
            ("ODG", False, "Knee and Leg Chapter", None, "Continuous passive motion", None)
        ]
        assert warnings == []


def test_outside_the_mtus_preamble_followed_by_the_citation_without_a_lead_in():
    c = one(
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS "
        "Guidelines. Official Disability Guidelines (ODG), Ankle & Foot Chapter, Orthotics."
    )
    assert (c.family, c.document, c.section) == ("ODG", "Ankle and Foot Chapter", "Orthotics")


def test_one_mtus_citation_naming_several_documents_is_one_citation_each():
    warnings: list[str] = []
    line = (
        "Decision based on MTUS Knee Complaints 2004, Section(s): Summary, Initial Care, and "
        "Chronic Pain Medical Treatment 2016, Section(s): Opioids, criteria for use, and "
        "Opioid Treatment 2016, Section(s): Weaning."
    )
    cits = parse_citation_line(line, warnings)
    assert [fields(c) for c in cits] == [
        ("MTUS", True, "Knee Complaints", "2004", "Summary, Initial Care", None),
        (
            "MTUS",
            True,
            "Chronic Pain Medical Treatment Guidelines",
            "2016",
            "Opioids, criteria for use",
            None,
        ),
        ("MTUS", True, "Opioids Treatment Guidelines", "2016", "Weaning", None),
    ]
    assert warnings == []


@pytest.mark.parametrize(
    ("written", "document", "edition"),
    [
        (
            "Chronic Pain Medical Treatment 2016",
            "Chronic Pain Medical Treatment Guidelines",
            "2016",
        ),
        (
            "Chronic Pain Medical Treatment 2009",
            "Chronic Pain Medical Treatment Guidelines",
            "2009",
        ),
        (
            "Chronic Pain Medical Treatment Guidelines",
            "Chronic Pain Medical Treatment Guidelines",
            None,
        ),
        ("Opioid Treatment 2016", "Opioids Treatment Guidelines", "2016"),
        ("Opioids Treatment Guidelines", "Opioids Treatment Guidelines", "2016"),
        ("Acupuncture Treatment 2007", "Acupuncture Medical Treatment Guidelines", "2007"),
        ("Elbow Complaints 2007", "Elbow Disorders", "2007"),
        ("Postsurgical Treatment 2009", "Postsurgical Treatment Guidelines", "2009"),
        ("Ankle and Foot Complaints 2004", "Ankle and Foot Complaints", "2004"),
    ],
)
def test_mtus_2016_titles_resolve_to_their_document_and_edition(written, document, edition):
    c = one(f"Decision based on MTUS {written}, Section(s): Stretching.")
    assert (c.family, c.document, c.edition, c.section) == ("MTUS", document, edition, "Stretching")


@pytest.mark.parametrize(
    ("written", "document", "section"),
    [
        (
            "Official Disability Guidelines, 2016, Web Version, Knee & Leg, Criteria for surgery",
            "Knee and Leg Chapter",
            "Criteria for surgery",
        ),
        ("ODG Low Back Chapter (updated 10/30/16), Traction", "Low Back Chapter", "Traction"),
        (
            "Official Disability Guidelines (ODG), Pain (Chronic), Opioids",
            "Pain Chapter",
            "Opioids",
        ),
        (
            "Official Disability Guidelines (ODG) Pain Chapter, Medical food",
            "Pain Chapter",
            "Medical food",
        ),
        (
            "Official Disability Guidelines, Low Back, Lumbar and Thoracic (Acute and Chronic): "
            "Traction",
            "Low Back Chapter",
            "Traction",
        ),
        (
            "Official Disability Guidelines (ODG) Low Back - Lumbar & Thoracic (Acute & Chronic) "
            "Discography",
            "Low Back Chapter",
            "Discography",
        ),
        (
            "Official Disability Guidelines (ODG) Hips & Pelvis Chapter, Arthroscopy",
            "Hip and Pelvis Chapter",
            "Arthroscopy",
        ),
        (
            "Official Disability Guidelines (ODG), Pain chapter (online version): Ketamine",
            "Pain Chapter",
            "Ketamine",
        ),
        (
            "Official Disability Guidelines (ODG) Head (trauma, headaches, etc., not including "
            "stress & mental disorders) Vestibular studies",
            "Head Chapter",
            "Vestibular studies",
        ),
        (
            "Official Disability Guidelines (ODG) Bone scan, Knee chapter",
            "Knee and Leg Chapter",
            None,
        ),
        (
            "Official Disability Guidelines (ODG), Work Loss Data Institute (19th Annual Edition), "
            "2015, Shoulder (Acute & Chronic) Chapter",
            "Shoulder Chapter",
            None,
        ),
        ("ODG Hand Chapter, Splints", "Forearm, Wrist, and Hand Chapter", "Splints"),
        ("ODG Foot, Orthotic devices", "Ankle and Foot Chapter", "Orthotic devices"),
        ("ODG Mental Stress, Psychotherapy", "Mental Illness and Stress Chapter", "Psychotherapy"),
        (
            "Shoulder (Acute & Chronic), Arthroscopy, ODG Indications for Surgery",
            "Shoulder Chapter",
            None,
        ),
    ],
)
def test_odg_as_the_published_letters_spell_it_resolves_to_a_chapter(written, document, section):
    c = one(f"Decision based on Non-MTUS Citation {written}.")
    assert (c.family, c.document) == ("ODG", document)
    if section is not None:
        assert c.section == section


def test_odg_preface_guidelines_name_no_chapter_and_are_not_unrecognised():
    c = one(
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), "
        "Chiropractic Guidelines."
    )
    assert (c.family, c.document) == ("ODG", None)
    assert c.section == "Chiropractic Guidelines"
    c = one(
        "Decision based on Non-MTUS Citation Official Disability Guidelines, 2016, Web Version, "
        "Criteria for the use of TENS."
    )
    assert (c.family, c.document, c.section) == ("ODG", None, "Criteria for the use of TENS")
    c = one("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG).")
    assert (c.family, c.document, c.section) == ("ODG", None, None)


def test_other_medical_treatment_guidelines_after_odg_is_a_citation_of_its_own():
    warnings: list[str] = []
    line = (
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Shoulder, "
        "Arthroscopy and Other Medical Treatment Guidelines https://www.example.org/guide-\n"
        "lines/shoulder.pdf."
    )
    cits = parse_citation_line(line, warnings)
    assert [(c.family, c.document) for c in cits] == [
        ("ODG", "Shoulder Chapter"),
        ("OTHER", "https://www.example.org/guide-lines/shoulder.pdf"),
    ]
    line = (
        "Decision based on Non-MTUS Citation ODG Knee & Leg, MRI and Other Medical Treatment "
        "Guidelines ACOEM Knee Disorders, Diagnostic Testing."
    )
    cits = parse_citation_line(line, warnings)
    assert [(c.family, c.document) for c in cits] == [
        ("ODG", "Knee and Leg Chapter"),
        ("ACOEM", "ACOEM Practice Guidelines"),
    ]
    assert warnings == []


def test_acoem_third_edition_abbreviated_ed():
    c = one(
        "Decision based on Non-MTUS Citation ACOEM Occupational Medicine Practice "
        "Guidelines, 3rd ed., Elbow Disorders, pg. 12."
    )
    assert (c.family, c.document, c.edition, c.pages) == (
        "ACOEM",
        "ACOEM Practice Guidelines",
        "3rd Edition",
        "12",
    )


def test_non_mtus_sources_without_a_guideline_are_other():
    c = one(
        "Decision based on Non-MTUS Citation Tramadol: Drug information, accessed from "
        "UpToDate.com on 01/02/2017."
    )
    assert c.family == "OTHER"


def test_a_second_odg_chapter_inside_one_citation_is_a_citation_of_its_own():
    warnings: list[str] = []
    line = (
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Knee & Leg "
        "(updated 10/02/16), Physical therapy, ODG Ankle & Foot (updated 10/02/16), Physical "
        "therapy."
    )
    cits = parse_citation_line(line, warnings)
    assert [(c.family, c.document, c.section) for c in cits] == [
        ("ODG", "Knee and Leg Chapter", "Physical therapy"),
        ("ODG", "Ankle and Foot Chapter", "Physical therapy"),
    ]
    line = (
        "Decision based on Non-MTUS Citation Official Disability Guidelines, Knee Chapter, "
        "Ankle Chapter, Walking aids."
    )
    cits = parse_citation_line(line, warnings)
    assert [(c.family, c.document) for c in cits] == [
        ("ODG", "Knee and Leg Chapter"),
        ("ODG", "Ankle and Foot Chapter"),
    ]
    assert warnings == []
