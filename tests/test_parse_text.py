"""Page joining and leftover page furniture: what goes, what stays."""

from imrgraph.parse.text import collapse, join_pages, sentences


def test_footer_and_running_case_lines_go_content_stays():
    pages = [
        "Case Number: CM15-0123456  Date Assigned: 10/14/2015\nText one.\nPage 1 of 2\n",
        "CM15-0123456\nCase Number: CM15-0123456\nas noted on page 80 of 127 of the MTUS.\n"
        "CM15-0123456   Page 2 of 2\n",
    ]
    joined = join_pages(pages)
    assert joined.text.count("CM15-0123456") == 1
    assert "Page 1 of 2" not in joined.text and "Page 2 of 2" not in joined.text
    assert "page 80 of 127 of the MTUS" in joined.text
    assert "Date Assigned: 10/14/2015" in joined.text


def test_header_value_under_its_own_label_is_kept():
    joined = join_pages(["Case Number:\nCM15-0123456\nDate Assigned:\n10/14/2015\n"])
    assert "Case Number:\nCM15-0123456" in joined.text


def test_page_of_position():
    joined = join_pages(["first page\n", "second page\n", "third\n"])
    assert joined.page_of(joined.text.index("first")) == 1
    assert joined.page_of(joined.text.index("second")) == 2
    assert joined.page_of(joined.text.index("third")) == 3


def test_collapse_and_sentences():
    assert collapse("  a \n\n b\tc  ") == "a b c"
    assert sentences("Dr. Smith saw him on Jan. 5. He takes meds p.o. daily. “Stop.” Done") == [
        "Dr. Smith saw him on Jan. 5.",
        "He takes meds p.o. daily.",
        "“Stop.”",
        "Done",
    ]


def test_a_line_end_hyphen_after_a_letter_or_digit_joins_the_next_line_without_a_space():
    pages = [
        "a three or four-\nweek period, dated 11-21- \n  2016; H2-\nreceptor\n"
        "imaging --\nMagnetic; the end -\nof it; a list:\n-\nitem; para-\n\nnext\nacross four-",
        "week here",
    ]
    joined = join_pages(pages)
    assert joined.text == (
        "a three or four-week period, dated 11-21-2016; H2-receptor\n"
        "imaging --\nMagnetic; the end -\nof it; a list:\n-\nitem; para-\n\nnext\n"
        "across four-week here"
    )
    # the second page still starts at its first character
    assert joined.text[joined.page_starts[1] :] == "week here"
    assert joined.page_of(joined.text.index("here")) == 2
    assert joined.page_of(joined.text.index("across")) == 1
