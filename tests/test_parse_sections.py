"""The letter's main parts, found by their headings in any case, order or line layout."""

from imrgraph.parse.sections import split_sections

LETTER = (
    "Case Number: CM15-0123456\n"
    "How the IMR Final Determination Was Made\n"
    "boilerplate about the CLINICAL CASE SUMMARY, mentioned in a sentence\n"
    "CLINICAL CASE\nSUMMARY:\n"
    "the summary\n"
    "IMR ISSUES, DECISIONS AND RATIONALES The Final Determination was based on ...\n"
    "the items\n"
)


def test_headings_in_mixed_case_broken_lines_and_run_on():
    warnings: list[str] = []
    sections = split_sections(LETTER, warnings)
    assert LETTER[: sections.header.end].strip() == "Case Number: CM15-0123456"
    cred = LETTER[sections.credentials.start : sections.credentials.end]
    assert "boilerplate" in cred and "the summary" not in cred
    assert LETTER[sections.summary.start : sections.summary.end].strip() == "the summary"
    decisions = LETTER[sections.decisions.start : sections.decisions.end]
    assert decisions.strip().startswith("The Final Determination") and "the items" in decisions
    assert warnings == []


def test_missing_headings_warn_once_each():
    warnings: list[str] = []
    sections = split_sections("no headings here at all", warnings)
    assert sections.credentials is sections.summary is sections.decisions is None
    assert [w.split(":")[0] for w in warnings] == ["section-missing"] * 3


def test_heading_words_inside_a_sentence_are_not_a_heading():
    warnings: list[str] = []
    text = "He read the clinical case summary twice.\nCLINICAL CASE SUMMARY\nfacts\n"
    sections = split_sections(text, warnings)
    assert text[sections.summary.start :].strip() == "facts"
