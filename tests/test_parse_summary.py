"""The clinical case summary: age, sex, injury and UR dates, body parts."""

import pytest

from imrgraph.parse.summary import parse_summary


def test_seed_summary_sentences():
    s = parse_summary(
        "The applicant is a 55-year-old who has filed a claim for neck and low back pain "
        "reportedly associated with an industrial injury of July 27, 2015. In a Utilization "
        "Review report dated September 28, 2015, the claims administrator failed to approve "
        "requests for physical therapy. The claims administrator referenced a September 17, "
        "2015 office visit. On October 8, 2015, the applicant reported shoulder pain."
    )
    assert (s.age, s.sex) == (55, None)
    assert s.injury_date == "2015-07-27"
    assert s.ur_date == "2015-09-28"
    assert s.body_parts == ["neck", "low back", "shoulder"]


def test_on_date_utilization_review_and_sex_stated():
    s = parse_summary(
        "The injured worker is a 45 year old female who sustained an injury on 06-02-2014. "
        "On 06-30-2015, Utilization Review non-certified a request for Norco, citing an "
        "office visit of 06/15/2015."
    )
    assert (s.age, s.sex) == (45, "female")
    assert s.injury_date == "2014-06-02"
    assert s.ur_date == "2015-06-30"


@pytest.mark.parametrize(
    ("sentence", "iso"),
    [
        ("The patient reported an injury on 06/02/2014.", "2014-06-02"),
        ("He sustained an industrial injury of June 2, 2014.", "2014-06-02"),
        ("Date of injury 6/2/14 per the records.", "2014-06-02"),
        ("The employee was injured at work on 2014-06-02 lifting boxes.", "2014-06-02"),
    ],
)
def test_injury_date_spellings(sentence, iso):
    assert parse_summary(sentence).injury_date == iso


def test_injured_worker_is_not_an_injury_phrase():
    s = parse_summary("The injured worker was seen on 07/01/2015 for follow-up.")
    assert s.injury_date is None


def test_impossible_injury_date_is_flagged_not_guessed():
    s = parse_summary("This 39 year old gentleman reported an injury on 02/30/2014.")
    assert s.injury_date is None and s.injury_date_unparsed
    assert s.sex == "male"


def test_pronoun_boilerplate_does_not_give_sex():
    s = parse_summary("He/she is a 40-year-old who reported an injury on 01/02/2013.")
    assert s.sex is None


def test_body_parts_canonical_order_and_no_duplicates():
    s = parse_summary(
        "Complaints of lumbar pain radiating to the legs, right wrist and thumb pain, "
        "cervical spine stiffness, mid back pain, bilateral knees, and low back pain; on the "
        "other hand the feet were fine. Chest and abdominal pain."
    )
    assert s.body_parts == [
        "low back",
        "lower extremity",
        "wrist",
        "hand",
        "neck",
        "upper back",
        "knee",
        "foot",
        "chest",
        "abdomen",
    ]


def test_age_missing():
    assert parse_summary("The applicant reported neck pain.").age is None


def test_the_ur_sentence_that_reports_the_decision_wins_over_a_document_ur_read():
    summary = parse_summary(
        "The injured worker is a 52 year old female. The therapy note reviewed by Utilization "
        "Review (UR) was dated 03-02-2016. On 03-09-2016, Utilization Review (UR) "
        "non-certified the request for six sessions of acupuncture."
    )
    assert summary.ur_date == "2016-03-09"
