"""The synthetic letter generator (benchmarks/corpus.py): honest, deterministic, valid, realistic.

The accuracy benchmark is only worth something if the generator's ground truth is right and
independent of the parser. These tests check that independence (no import of the parser or the
extractor), that a seed fixes every byte, that the truth follows the schema, that the truth agrees
with the text actually written (read back with simple checks written here, and for PDFs with
pypdfium2 directly, not the project's extractor), and that the mix looks like the real corpus
(DOMAIN.md: ~45% pharmaceuticals, ~90% upheld, 1-10 items, both styles). The published layout
(DOMAIN.md, "The published decisions") has its own checks: its header table, modified requests,
preambles, 2016 MTUS titles, multi-document citations, broken URLs, page breaks inside items,
and PDFs drawn glyph by glyph that PDFium still reads.
"""

from __future__ import annotations

import ast
import io
import json
import re
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import jsonschema
import pdfplumber
import pypdfium2
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402

SCHEMA = json.loads((ROOT / "imrgraph" / "schema" / "letter.schema.json").read_text())
N_MIX = 300


@pytest.fixture(scope="module")
def text_letters() -> list[tuple[str, dict]]:
    """300 letters of seed 11 as text, with their truth."""
    out = []
    for i in range(N_MIX):
        data, truth = corpus.build(11, i, "text")
        out.append((data.decode("utf-8").replace("\r\n", "\n"), truth))
    return out


def test_generator_imports_nothing_from_the_parser() -> None:
    for name in ("corpus.py", "corpus_data.py", "pdfmaker.py"):
        tree = ast.parse((BENCH / name).read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        assert not {m for m in imported if m.startswith("imrgraph")}, (name, imported)
    # and at run time, writing both formats loads no imrgraph module at all
    code = (
        f"import sys; sys.path.insert(0, {str(BENCH)!r}); import corpus; "
        "corpus.build(1, 0, 'pdf'); corpus.build(1, 0, 'text'); "
        "corpus.build(1, 0, 'pdf', layout='published'); "
        "print(sorted(m for m in sys.modules if m.startswith('imrgraph')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def published_letters() -> list[tuple[str, dict]]:
    """200 letters of seed 11 in the published layout, as text, with their truth."""
    out = []
    for i in range(200):
        data, truth = corpus.build(11, i, "text", layout="published")
        out.append((data.decode("utf-8").replace("\r\n", "\n"), truth))
    return out


@pytest.mark.parametrize("layout", [None, "classic", "published"])
@pytest.mark.parametrize("fmt", ["text", "pdf"])
def test_same_seed_same_bytes_and_truth(fmt: str, layout: str | None) -> None:
    for index in (0, 7, 123):
        a_data, a_truth = corpus.build(3, index, fmt, layout=layout)
        b_data, b_truth = corpus.build(3, index, fmt, layout=layout)
        assert a_data == b_data
        assert a_truth == b_truth
    assert corpus.build(3, 0, fmt, layout=layout)[0] != corpus.build(4, 0, fmt, layout=layout)[0]


def test_a_letter_is_the_same_whether_its_layout_was_drawn_or_asked_for() -> None:
    for index in range(12):
        drawn = corpus.build(5, index, "text")
        asked = corpus.build(5, index, "text", layout=drawn[1]["corpus"]["layout"])
        assert drawn == asked


def test_parallel_and_serial_runs_write_identical_files(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    corpus.write_corpus(one, 60, seed=2, formats=("text", "pdf"), workers=1)
    corpus.write_corpus(two, 60, seed=2, formats=("text", "pdf"), workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert len(files) == 60 * 4 + 1  # letters and truths in two formats, plus corpus.json
    for rel in files:
        if rel.name != "corpus.json":
            assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
    manifest = json.loads((one / "corpus.json").read_text())
    assert manifest["mix"] == json.loads((two / "corpus.json").read_text())["mix"]


def test_truth_validates_against_the_schema(text_letters: list[tuple[str, dict]]) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for _, truth in text_letters[:150]:
        validator.validate(truth)
    for index in range(20):
        validator.validate(corpus.build(11, index, "pdf")[1])
        validator.validate(corpus.build(11, index, "pdf", layout="published")[1])


def _collapse(text: str) -> str:
    return " ".join(text.split())


URL_BREAK = re.compile(r"((?:https?://|www\.)\S*-)\n[\n\f]?")


def _body(text: str, truth: dict) -> str:
    """The letter text without its running header and footer lines (as the extractor would),
    web addresses broken at a hyphen joined again."""
    text = URL_BREAK.sub(r"\1", text)
    lines = []
    for line in text.replace("\f", "\n").split("\n"):
        if re.fullmatch(r"Page \d+ of \d+", line.strip()):
            continue
        if truth["case_number"] and line.strip() == truth["case_number"]:
            continue
        lines.append(line)
    return _collapse("\n".join(lines))


def test_truth_agrees_with_the_written_text(
    text_letters: list[tuple[str, dict]], published_letters: list[tuple[str, dict]]
) -> None:
    for text, truth in text_letters + published_letters:
        body = _body(text, truth)
        newer = truth["corpus"]["item_style"] == "newer"
        position = 0
        for item in truth["items"]:
            if item["original_request"]:  # a modified request's heading ends "<service> is: ..."
                line = f"{item['service']} is: {item['outcome']}"
                assert item["original_request"] in body and item["authorized"] in body
            elif newer:
                line = f"{item['service']}: {item['outcome']}"
            else:
                neg = "not " if item["outcome"] == "Upheld" else ""
                line = f"{item['number']}. {item['service']} is {neg}medically necessary"
            found = body.find(line, position)
            assert found >= 0, (truth["source"]["path"], line)
            position = found
            assert item["rationale"] in body
            assert item["decisive_sentence"] in item["rationale"]
            assert "medically necessary" in item["decisive_sentence"]
            for key in ("claims_administrator_citations", "reviewer_citations"):
                for citation in item[key]:
                    assert citation["text"] in body, citation["text"]
                    assert citation["in_mtus"] == (citation["family"] == "MTUS")
        # the outcome words of rationales never look like a decision line
        assert len(re.findall(r": (?:Upheld|Overturned)\b", body)) == (
            len(truth["items"]) if newer else 0
        )


# The body-part vocabulary of docs/DESIGN.md, written again here on purpose (not the generator's).
PART_WORDS = {
    "head": r"head",
    "neck": r"neck|cervical",
    "upper back": r"upper back|thoracic|mid back",
    "low back": r"low back|lower back|lumbar|lumbosacral",
    "shoulder": r"shoulders?",
    "upper extremity": r"upper extremit(?:y|ies)|arms?",
    "elbow": r"elbows?",
    "forearm": r"forearms?",
    "wrist": r"wrists?",
    "hand": r"hands?|fingers?|thumbs?",
    "hip": r"hips?",
    "lower extremity": r"lower extremit(?:y|ies)|legs?",
    "knee": r"knees?",
    "ankle": r"ankles?",
    "foot": r"foot|feet|toes?",
    "chest": r"chest",
    "abdomen": r"abdomen",
}
PART_RE = re.compile(
    "|".join(f"(?P<p{i}>\\b(?:{rx})\\b)" for i, rx in enumerate(PART_WORDS.values())),
    re.IGNORECASE,
)


def test_body_parts_are_the_summary_mentions_in_order(
    text_letters: list[tuple[str, dict]],
) -> None:
    names = list(PART_WORDS)
    for text, truth in text_letters:
        body = _body(text, truth)
        summary = body.split("CLINICAL CASE SUMMARY", 1)[1].split("IMR ISSUES, DECISIONS")[0]
        found: list[str] = []
        for match in PART_RE.finditer(summary):
            name = names[int(match.lastgroup[1:])]
            if name not in found:
                found.append(name)
        assert found == truth["injury"]["body_parts"], truth["source"]["path"]


def test_pdf_pages_items_and_running_lines_agree_with_pypdfium2() -> None:
    seen_item_on_later_page = False
    for index in range(40):
        data, truth = corpus.build(11, index, "pdf", layout="classic")
        pdf = pypdfium2.PdfDocument(data)
        pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        assert truth["source"]["pages"] == len(pages)
        for n, page in enumerate(pages, start=1):
            assert f"Page {n} of {len(pages)}" in page
            if truth["case_number"]:
                assert page.lstrip().startswith(truth["case_number"])
        for item in truth["items"]:
            head = _collapse(item["service"])[:25]
            assert head in _collapse(pages[item["page"] - 1]), (index, item["number"])
            seen_item_on_later_page |= item["page"] > 1
        if truth["case_number"]:  # a two-column table: two fields share a line
            first_lines = pages[0].splitlines()
            assert any(
                f"Case Number: {truth['case_number']}" in line and "Date Assigned:" in line
                for line in first_lines
            )
            assert any("UR Denial Date:" in line and "Priority:" in line for line in first_lines)
    assert seen_item_on_later_page


def test_mix_is_realistic(text_letters: list[tuple[str, dict]]) -> None:
    """The default mix: about 70% published letters; over all, the real corpus's shares;
    within the classic letters, both item styles, tables present and absent."""
    stats: Counter = Counter()
    classic: Counter = Counter()
    n_items = []
    for _, truth in text_letters:
        corpus.tally(stats, truth)
        if truth["corpus"]["layout"] == "classic":
            corpus.tally(classic, truth)
        n_items.append(len(truth["items"]))
    items = stats["items"]
    assert 0.6 <= stats["layout:published"] / N_MIX <= 0.8
    assert 0.38 <= stats["category:Pharmaceuticals"] / items <= 0.52
    assert 0.86 <= stats["outcome:Upheld"] / items <= 0.94
    assert 1.8 <= items / N_MIX <= 2.6
    assert min(n_items) == 1 and max(n_items) >= 6 and max(n_items) <= 10
    n_classic = classic["letters"]
    assert 0.45 <= classic["header_table"] / n_classic <= 0.8
    assert classic["style:older"] >= 0.1 * n_classic
    assert classic["style:newer"] >= 0.5 * n_classic
    assert stats["credentials:sentence"] >= 0.1 * N_MIX
    assert stats["credentials:list"] + stats["credentials:list-one-line"] >= 0.5 * N_MIX
    for category in corpus.D.CATEGORIES[:-1]:
        assert stats[f"category:{category}"] > 0, category
    for family in ("MTUS", "ODG", "ACOEM", "OTHER"):
        assert stats[f"family:{family}"] > 0, family
    assert 0.6 <= stats["family:MTUS"] / stats["citations"] <= 0.9
    assert stats["ca_no_citation"] > 0 and stats["multi_citation_lines"] > 0.1 * items
    for form in ("hyphen", "plain", "half", "years"):
        assert stats[f"age_form:{form}"] > 0, form
    assert 0.3 <= stats["sex_stated"] / N_MIX <= 0.7


def test_published_mix_is_the_real_one(published_letters: list[tuple[str, dict]]) -> None:
    """DOMAIN.md's figures of the published letters: 2.26 items a letter, 88.8% upheld, 47 of
    439 items modified requests, the Chronic Pain guidelines cited for about 60% of items."""
    stats: Counter = Counter()
    forms: Counter = Counter()
    for _, truth in published_letters:
        corpus.tally(stats, truth)
        forms.update(truth["corpus"]["modified_forms"])
    items = stats["items"]
    assert 2.0 <= items / len(published_letters) <= 2.6
    assert 0.85 <= stats["outcome:Upheld"] / items <= 0.93
    assert 0.07 <= stats["modified"] / items <= 0.15
    assert 0.5 <= stats["cites_chronic_pain"] / items <= 0.72
    assert stats["header_table"] == len(published_letters)
    assert stats["style:newer"] == len(published_letters)
    assert {"remaining", "whole", "remaining-first", "remaining-short"} <= set(forms)


def test_spellings_of_dates_and_traps_occur(text_letters: list[tuple[str, dict]]) -> None:
    texts = "\n".join(text for text, _ in text_letters)
    assert re.search(r"injury of [A-Z][a-z]+ \d{1,2}, \d{4}", texts)
    assert re.search(r"injury on \d{2}/\d{2}/\d{4}", texts)
    assert re.search(r"injury on \d{2}-\d{2}-\d{4}", texts)
    assert re.search(r"\b\d{1,2}-\d{1,2}-\d{4}\b", texts)
    assert "Decision based on" in texts and ". Decision based on " in texts
    assert "; MTUS" in texts or "; Non-MTUS" in texts
    assert "(DOS: " in texts  # a colon inside the service text
    assert re.search(r"(upheld|overturned)[ .]", texts)  # outcome words inside rationales
    assert "did not cite any medical evidence" in texts
    assert "\f" in texts
    assert "Physician Reviewer based his/her decision on" in texts
    warnings = Counter(w.split(":")[0] for _, truth in text_letters for w in truth["warnings"])
    assert warnings["age-missing"] > 0


def test_command_line_writes_a_corpus(tmp_path: Path) -> None:
    out = tmp_path / "c"
    rc = corpus.main(["--letters", "3", "--out", str(out), "--text", "--workers", "1"])
    assert rc == 0
    files = sorted(p.name for p in out.rglob("letter-*"))
    assert files == [
        "letter-000000.txt",
        "letter-000000.txt.json",
        "letter-000001.txt",
        "letter-000001.txt.json",
        "letter-000002.txt",
        "letter-000002.txt.json",
    ]
    assert json.loads((out / "corpus.json").read_text())["mix"]["letters"] == 3


def test_accuracy_scoring_counts_exactly_the_facts_that_differ() -> None:
    """The benchmark's arithmetic: a wrong section, a missed item, a wrong date, nothing else."""
    import copy

    import accuracy

    _, truth = corpus.build(11, 5, "pdf")
    while len(truth["items"]) < 2 or not truth["items"][0]["reviewer_citations"]:
        truth = corpus.build(11, truth["corpus"]["index"] + 1, "pdf")[1]
    parsed = copy.deepcopy(truth)
    parsed["items"][0]["reviewer_citations"][0]["section"] = "Something else"
    dropped = parsed["items"].pop()
    parsed["dates"]["injury"] = "1999-01-01"
    score = accuracy.Score(examples=5)
    score.add("a.pdf", truth, parsed)
    rows = {name: (n_t, n_p, ok) for name, n_t, n_p, ok, _, _ in score.rows()}
    n_items = len(truth["items"])
    assert rows["items"] == (n_items, n_items - 1, n_items - 1)
    assert rows["items.outcome"] == (n_items, n_items - 1, n_items - 1)
    assert rows["dates.injury"] == (1, 1, 0)
    assert rows["dates.ur_decision"][2] == rows["dates.ur_decision"][0]
    n_cit = sum(
        len(i["claims_administrator_citations"]) + len(i["reviewer_citations"])
        for i in truth["items"]
    )
    lost = len(dropped["claims_administrator_citations"]) + len(dropped["reviewer_citations"])
    assert rows["citations.section"] == (n_cit, n_cit - lost, n_cit - lost - 1)
    assert rows["citations.document"] == (n_cit, n_cit - lost, n_cit - lost)
    assert score.examples["citations.section"][0]["got"][0][-1] == "Something else"
    # a file the parser rejects adds to the truth counts only: recall falls
    score = accuracy.Score(examples=1)
    score.add("b.pdf", truth, None)
    rows = {name: (n_t, n_p, ok) for name, n_t, n_p, ok, _, _ in score.rows()}
    assert rows["items"] == (n_items, 0, 0)


# The contract for the 2016 MTUS titles (issue 11), written out here, not taken from the
# generator: title as written -> (document, edition).
MTUS_2016_TITLES = {
    "Chronic Pain Medical Treatment 2016": ("Chronic Pain Medical Treatment Guidelines", "2016"),
    "Chronic Pain Medical Treatment 2009": ("Chronic Pain Medical Treatment Guidelines", "2009"),
    "Opioid Treatment 2016": ("Opioids Treatment Guidelines", "2016"),
    "Acupuncture Treatment 2007": ("Acupuncture Medical Treatment Guidelines", "2007"),
    "Elbow Complaints 2007": ("Elbow Disorders", "2007"),
    "Postsurgical Treatment 2009": ("Postsurgical Treatment Guidelines", "2009"),
    "Low Back Complaints 2004": ("Low Back Complaints", "2004"),
}


def test_published_header_is_the_dwc_table(published_letters: list[tuple[str, dict]]) -> None:
    """UR Denial Date, the wrapped Application Received (date on the "Application" line,
    "Received:" alone below), no running header or footer."""
    for text, truth in published_letters[:50]:
        lines = text.split("\n")
        dates = truth["dates"]
        received = dates["application_received"]
        assert received is not None and truth["case_number"] is not None
        mm_dd = f"{received[5:7]}/{received[8:]}/{received[:4]}"
        row = next(i for i, line in enumerate(lines) if "Application" in line)
        assert re.search(rf"Priority:\s+\w+\s+Application\s+{mm_dd}$", lines[row])
        assert lines[row + 1].strip() == "Received:"
        ur = dates["ur_decision"]
        assert f"UR Denial Date:   {ur[5:7]}/{ur[8:]}/{ur[:4]}" in text
        assert not re.search(r"Page \d+ of \d+", text)
        assert text.count(truth["case_number"]) == 1


def test_published_citations_follow_the_contract(
    published_letters: list[tuple[str, dict]],
) -> None:
    """2016 titles resolve to their document and edition; a multi-document MTUS citation is
    one citation per document; a preamble is no citation; ODG spellings name their chapter."""
    seen: Counter = Counter()
    for text, truth in published_letters:
        body = _body(text, truth)
        for item in truth["items"]:
            for citation in item["claims_administrator_citations"] + item["reviewer_citations"]:
                written = citation["text"]
                assert (
                    "based their decision" not in written and "outside of the MTUS" not in written
                )
                for title, (document, edition) in MTUS_2016_TITLES.items():
                    if written.removeprefix("MTUS ").startswith(title):
                        assert (citation["document"], citation["edition"]) == (document, edition)
                        assert citation["family"] == "MTUS"
                        seen[title] += 1
                if citation["family"] == "MTUS" and not written.startswith("MTUS"):
                    # "..., Section(s): Summary, and Chronic Pain Medical Treatment 2016, ..."
                    assert re.search(r"(?:,)? and " + re.escape(written), body), written
                    seen["multi-document"] += 1
                if citation["family"] == "ODG":
                    seen["ODG (updated" if "(updated" in written else "ODG"] += 1
                    assert citation["document"].endswith("Chapter")
        seen["preamble"] += body.count("based their decision on recommendation(s) outside of")
        seen["url broken"] += len(URL_BREAK.findall(text))
    for title in MTUS_2016_TITLES:
        assert seen[title] > 0, title
    for trait in ("multi-document", "preamble", "url broken", "ODG (updated", "ODG"):
        assert seen[trait] > 0, trait


def _pdf_glyph_runs(data: bytes) -> list[int]:
    """Glyphs per shown string in the PDF's content streams (decompressed here, with zlib)."""
    runs = []
    for match in re.finditer(rb"stream\n(.*?)\nendstream", data, re.S):
        content = zlib.decompress(match.group(1)).decode("latin-1")
        runs += [
            len(re.sub(r"\\(.)", r"\1", s)) for s in re.findall(r"\(((?:[^()\\]|\\.)*)\)", content)
        ]
    return runs


def test_published_pdfs_are_drawn_glyph_by_glyph_and_pdfium_reads_them() -> None:
    """Like a PDFMaker letter: 1-3 glyphs a shown string, a full page of ~2,000-3,000
    characters and a page-1 table of filled rectangles (pdfplumber); PDFium reads the header
    table, every item heading and every reviewer citation."""
    for index in range(30):
        data, truth = corpus.build(11, index, "pdf", layout="published")
        runs = _pdf_glyph_runs(data)
        assert max(runs) <= 3 and sum(runs) / len(runs) < 2.2
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            chars = [len(page.chars) for page in pdf.pages]
            assert len(pdf.pages[0].rects) >= 60
            assert "UR Denial Date:" in pdf.pages[0].extract_text()
        assert all(1500 <= n <= 3500 for n in chars[:-1]), chars
        doc = pypdfium2.PdfDocument(data)
        # PDFium reports a line-final hyphen as U+FFFE and joins the two lines (so do real
        # letters: "x\uffferay"); a broken web address reads whole again with its hyphen back
        raw = [
            doc[i].get_textpage().get_text_range().replace("\r\n", "\n").replace("\ufffe", "-")
            for i in range(len(doc))
        ]
        pages = [_collapse(page) for page in raw]
        assert truth["source"]["pages"] == len(pages)
        whole = _collapse(URL_BREAK.sub(r"\1", "\n".join(raw)))
        first = pages[0]
        assert f"Case Number: {truth['case_number']}" in first
        assert "Priority:" in first and "Application" in first and "Received:" in first
        for item in truth["items"]:
            ending = (
                f"{item['service']} is: " if item["original_request"] else f"{item['service']}: "
            )
            assert ending + item["outcome"] in whole, (index, item["number"])
            start = (item["original_request"] or item["service"])[:12]
            here = pages[item["page"] - 1]
            assert start in here or start.startswith(("The", "Retro", "Pro")), (index, item)
        for citation in (c for it in truth["items"] for c in it["reviewer_citations"]):
            assert _collapse(citation["text"]) in whole


def test_published_page_breaks_fall_inside_item_headings() -> None:
    """No line is kept back from a page break: some modified request's heading starts on one
    page and ends ("... is: Upheld") on the next, in the PDF as PDFium reads it."""
    cut = 0
    for index in range(300):
        draft = corpus.make_letter(11, index, "published")
        lay = corpus.layout(draft)
        for item in draft.truth["items"]:
            if not item["original_request"]:
                continue
            first = lay.item_pages[item["number"] - 1]
            ending = f"{item['service']} is: {item['outcome']}"
            texts = [_collapse(" ".join(t for _, t in page)) for page in lay.pages]
            if first == len(texts) or ending in texts[first - 1] or ending not in texts[first]:
                continue
            data, truth = corpus.build(11, index, "pdf", layout="published")
            doc = pypdfium2.PdfDocument(data)
            here = _collapse(doc[first - 1].get_textpage().get_text_range())
            there = _collapse(doc[first].get_textpage().get_text_range())
            assert truth["items"][item["number"] - 1]["page"] == first
            assert item["original_request"][:20] in here
            assert ending in there and ending not in here
            cut += 1
    assert cut >= 2
