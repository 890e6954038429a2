"""Service categories: one per item, first matching rule wins, Other when nothing matches."""

import pytest

from imrgraph.model import CATEGORIES
from imrgraph.parse.categories import RULES, categorize

CASES = [
    # Forms of the published letters (2016-2017)
    ("Electroencephalogram", "Diagnostic Testing"),
    ("SSEP of the lumbar and lower extremities", "Diagnostic Testing"),
    ("Electrical stimulation times 6", "Physical Medicine"),
    ("Chiro with modalities 2 times a week for 6 weeks for neck, back", "Physical Medicine"),
    ("PA assist", "Surgery"),
    ("Additional physical therapy 3x2 for the low back and neck", "Physical Medicine"),
    ("Chiropractic treatment 2x4 for the lumbar spine", "Physical Medicine"),
    ("Acupuncture 6 sessions", "Physical Medicine"),
    ("Aquatic therapy x 12", "Physical Medicine"),
    ("Massage therapy", "Physical Medicine"),
    ("Post-operative physical therapy 12 visits for the right shoulder", "Physical Medicine"),
    ("MRI of cervical spine without contrast", "Diagnostic Imaging"),
    ("Retrospective request for x-rays (DOS: 01/05/2015)", "Diagnostic Imaging"),
    ("CT scan of the lumbar spine", "Diagnostic Imaging"),
    ("Bone scan", "Diagnostic Imaging"),
    ("Gabapentin 600mg #90", "Pharmaceuticals"),
    ("Norco 10/325mg #120", "Pharmaceuticals"),
    ("Topical compound cream 240gm", "Pharmaceuticals"),
    ("Flurbiprofen 20%/Lidocaine 5% cream 180gm", "Pharmaceuticals"),
    ("Lidoderm patch 5% #30", "Pharmaceuticals"),
    ("Tramadol ER", "Pharmaceuticals"),
    ("Retrospective request for Terocin lotion", "Pharmaceuticals"),
    ("Urine drug screen", "Diagnostic Testing"),
    ("EMG/NCV of bilateral upper extremities", "Diagnostic Testing"),
    ("Pre-operative labs: CBC, CMP", "Diagnostic Testing"),
    ("Sleep study", "Diagnostic Testing"),
    ("Functional capacity evaluation", "Diagnostic Testing"),
    ("Lumbar epidural steroid injection at L4-5", "Injections"),
    ("Bilateral L4-L5 facet injections under fluoroscopy", "Injections"),
    ("Trigger point injections x4", "Injections"),
    ("Ultrasound-guided cortisone injection right shoulder", "Injections"),
    ("Radiofrequency ablation L3-L5", "Injections"),
    ("Medial branch blocks", "Injections"),
    ("Right knee arthroscopy with partial meniscectomy", "Surgery"),
    ("Carpal tunnel release, right", "Surgery"),
    ("Anterior cervical discectomy and fusion C5-6", "Surgery"),
    ("Manipulation under anesthesia", "Surgery"),
    ("Spinal cord stimulator trial", "Surgery"),
    ("TENS unit purchase", "Durable Medical Equipment"),
    ("Cold therapy unit rental x 14 days", "Durable Medical Equipment"),
    ("Lumbar brace", "Durable Medical Equipment"),
    ("H-wave device", "Durable Medical Equipment"),
    ("Front-wheeled walker", "Durable Medical Equipment"),
    ("Orthopedic surgery consultation", "Evaluation and Management"),
    ("Follow-up visit with pain management", "Evaluation and Management"),
    ("Referral to a neurologist", "Evaluation and Management"),
    ("Psychotherapy x 6 sessions", "Behavioral Health"),
    ("Cognitive behavioral therapy 10 sessions", "Behavioral Health"),
    ("Psychiatric consultation", "Behavioral Health"),
    ("Home health care 4 hours a day, 5 days a week", "Home Health"),
    ("Functional restoration program x 160 hours", "Programs"),
    ("Work hardening program", "Programs"),
    ("Weight loss program", "Programs"),
    ("Medication management visits x 6", "Evaluation and Management"),
    ("Post-operative sling", "Durable Medical Equipment"),
    ("Bone growth stimulator", "Durable Medical Equipment"),
    ("Home exercise program", "Physical Medicine"),
    ("Chronic pain management program", "Programs"),
    ("Somnicin #30", "Pharmaceuticals"),
    ("Psychiatric medication management", "Behavioral Health"),
    ("Therapeutic ultrasound", "Physical Medicine"),
    ("Ultrasound of the right shoulder", "Diagnostic Imaging"),
    ("Stellate ganglion block", "Injections"),
    ("Complete blood count", "Diagnostic Testing"),
    ("Urinalysis", "Diagnostic Testing"),
    ("Two-level lumbar fusion", "Surgery"),
]


@pytest.mark.parametrize(("service", "category"), CASES)
def test_category_rules(service, category):
    assert categorize(service) == category


def test_nothing_matched_is_none():
    assert categorize("Transportation to and from appointments") is None


def test_rules_only_use_schema_categories():
    assert {c for c, _ in RULES} <= set(CATEGORIES) - {"Other"}


@pytest.mark.parametrize(
    ("service", "category"),
    [
        ("Right sacroiliac joint fusion", "Surgery"),
        ("SI joint arthrodesis, left", "Surgery"),
        ("Left SI joint injection under fluoroscopy", "Injections"),
        ("Sacroiliac joint radiofrequency ablation", "Injections"),
    ],
)
def test_an_operation_on_the_sacroiliac_joint_is_surgery_not_an_injection(service, category):
    assert categorize(service) == category
