"""Reviewer credentials in the sentence style and the list style."""

from imrgraph.parse.credentials import parse_credentials


def read(text: str):
    warnings: list[str] = []
    states, specialties = parse_credentials(text, 0, len(text), warnings)
    return states, specialties, [w.split(":")[0] for w in warnings]


def test_sentence_style_with_subspecialty():
    text = (
        "The expert reviewer is Board Certified in Internal Medicine, has a subspecialty in\n"
        "Rheumatology and is licensed to practice in California."
    )
    assert read(text) == (["California"], ["Internal Medicine", "Rheumatology"], [])


def test_sentence_style_and_inside_a_specialty_and_abbreviated_states():
    text = (
        "The Physician Reviewer is Board Certified in Physical Medicine and Rehabilitation and "
        "is licensed to practice in CA, NV and Texas."
    )
    assert read(text) == (
        ["California", "Nevada", "Texas"],
        ["Physical Medicine and Rehabilitation"],
        [],
    )


def test_list_style_over_several_lines_seed():
    text = (
        "The Expert Reviewer has the following credentials:  \n\n"
        "State(s) of Licensure: Texas, New York, California \n\n"
        "Certification(s)/Specialty: Preventive Medicine, Occupational Medicine \n\n \n"
    )
    assert read(text) == (
        ["Texas", "New York", "California"],
        ["Preventive Medicine", "Occupational Medicine"],
        [],
    )


def test_list_style_on_one_line():
    text = (
        "The Expert Reviewer has the following credentials: State(s) of Licensure: Nevada, "
        "California  Certification(s)/Specialty: Neurology"
    )
    assert read(text) == (["Nevada", "California"], ["Neurology"], [])


def test_unknown_state_is_kept_with_a_warning():
    text = "State(s) of Licensure: Ontario\nCertification(s)/Specialty: Orthopedic Surgery\n"
    assert read(text) == (["Ontario"], ["Orthopedic Surgery"], ["state-unrecognized"])


def test_no_credentials():
    assert read("MAXIMUS Federal Services sent the complete case file to a reviewer.") == (
        [],
        [],
        ["credentials-missing"],
    )


def test_list_style_short_labels_and_subspecialty_line():
    text = "State of Licensure: CA\nSpecialty: Neurology\nSubspecialty: Pain Medicine\n"
    assert read(text) == (["California"], ["Neurology", "Pain Medicine"], [])


def test_sentence_style_without_board_certification():
    doctor = "The expert reviewer is a Doctor of Chiropractic and is licensed to practice in CA."
    assert read(doctor) == (["California"], ["Chiropractic"], [])
    psych = "The expert reviewer is a Licensed Psychologist and is licensed to practice in Oregon."
    assert read(psych) == (["Oregon"], ["Psychologist"], [])
