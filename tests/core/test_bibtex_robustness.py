"""One odd entry never costs the others: whatever a .bib holds, import reports it and goes on."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vlmreader.core.formats.bibtex import export_bibtex, parse_bibtex

GOOD = "@article{good2024, title={A Fine Paper}}\n"


@pytest.mark.parametrize(
    ("field", "kept"),
    [
        ("abstract={We show \\footnote}", "We show \\footnote"),
        ("abstract={ends in \\verb}", "ends in \\verb"),
        ("abstract={a \\colorbox}", "a \\colorbox"),
        ("abstract={an \\include}", "an \\include"),
        ("abstract={math \\begin{array}}", "math \\begin{array}"),
        ("abstract={" + "{" * 300 + "deep" + "}" * 300 + "}", "deep"),  # read in C: no recursion
    ],
)
def test_odd_latex_is_read_where_it_can_be_shown_as_written_where_not_and_exported_as_written(field: str, kept: str):
    parsed = parse_bibtex(GOOD + f"@article{{odd2024, title={{T}}, {field}}}\n")
    assert [paper.key for paper in parsed.papers] == ["good2024", "odd2024"]
    assert parsed.papers[1].abstract == kept
    assert parsed.rejected == [] and parsed.warnings == []
    assert field.replace("abstract=", "abstract = ") in export_bibtex(parsed.papers[1:])  # as written


def test_a_trailing_url_stays_and_nothing_is_logged(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.DEBUG):
        parsed = parse_bibtex("@misc{u2024, title={T}, abstract={Code at \\url}}\n")
    assert parsed.papers[0].abstract == "Code at \\url"
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []


def test_a_stray_closing_brace_is_reported_with_the_fields_it_cost():
    parsed = parse_bibtex(GOOD + "@article{early2024, title={T}}, author={Someone}, year={2020}}\n" + GOOD.replace("good", "next"))
    assert [paper.key for paper in parsed.papers] == ["good2024", "early2024", "next2024"]
    (rejection,) = parsed.rejected
    assert rejection.line == 2 and rejection.key == "early2024"
    assert "author, year" in rejection.reason


def test_string_macros_and_concatenation_are_expanded():
    parsed = parse_bibtex(
        '@string{ttl = {Vision}}\n@string{Conf = "CVPR" # { 2024}}\n'
        "@inproceedings{c2024, title = ttl # { and Language}, booktitle = conf, month = jan, year = 2024}\n"
    )
    (paper,) = parsed.papers
    assert paper.title == "Vision and Language"
    assert paper.record.fields["booktitle"] == "CVPR 2024"
    assert paper.record.fields["month"] == "jan" and paper.record.fields["year"] == "2024"


# -- whatever the text, import never raises and accounts for every entry -----------------------

DETERMINISTIC = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

LATEX_BITS = st.sampled_from(
    [
        "a", "Vision", " ", "é", "ß", "{LLaVA}", "\\footnote", "\\verb", "\\verb|x|", "\\url", "\\href",
        "\\colorbox", "\\include", "\\input", "\\begin{array}", "\\end{array}", "\\begin{itemize}", "$", "$x^2$",
        "\\(", "\\)", "%", "\\%", "#", "~", "\\\\", "\\", "\\'e", '\\"u', "{\\mu}", "\\ours", "&", "\\&", "_", "^",
        "\\textbf{", "\\emph", "[CLS]", "\x1b[2J", "\u202e", "\x00", "\"", "'", ",", "=", "@",
    ]
)


def balanced(bits: list[str]) -> str:
    """The bits joined, with braces added so that the value's own braces balance."""
    text = "".join(bits).replace("\n", " ")
    depth = lowest = 0
    for character in text.replace("\\{", "").replace("\\}", ""):
        depth += (character == "{") - (character == "}")
        lowest = min(lowest, depth)
    return "{" * -lowest + text + "}" * (depth - lowest)


ENTRY_VALUES = st.lists(st.lists(LATEX_BITS, max_size=12).map(balanced), min_size=1, max_size=4)


@DETERMINISTIC
@given(st.text(max_size=400))
def test_any_text_at_all_never_raises(text: str):
    parse_bibtex(text)


@DETERMINISTIC
@given(st.lists(ENTRY_VALUES, min_size=1, max_size=5))
def test_every_entry_is_imported_or_reported(entries: list[list[str]]):
    fields = ("title", "abstract", "author", "note", "journal")
    text = "".join(
        f"@article{{key{number}x,\n"
        + "".join(f"  {name} = {{{value}}},\n" for name, value in zip(fields, values))
        + "}\n\n"
        for number, values in enumerate(entries)
    )
    parsed = parse_bibtex(text)
    accounted = {paper.key for paper in parsed.papers} | {rejection.key for rejection in parsed.rejected}
    assert {f"key{number}x" for number in range(len(entries))} <= accounted, text
