"""The export formats side by side: which format a file name or --format says, biblatex's entries
(compiled with Biber), the Markdown reading list (read by pandoc as Markdown, CommonMark and GFM),
and titles with LaTeX, markup and non-ASCII text reading the same in every format."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import bibtexparser
import pytest
import rispy

from tests.core.test_bibtex_metadata import LLAVA_FIELDS, NEURIPS, USERS_ENTRY, enriched
from tests.core.test_csl_json import enriched_corpus, with_id  # noqa: F401 - a fixture
from tests.latex_build import compile_with_biber
from tests.pandoc_render import render_markdown
from tests.papers import offered
from vlmreader.core.formats import WRITERS, export_papers, export_papers_to_file, format_for
from vlmreader.core.formats.biblatex import export_biblatex
from vlmreader.core.formats.bibtex import export_bibtex, parse_bibtex
from vlmreader.core.formats.csl_json import parse_csl_json
from vlmreader.core.formats.markdown import export_markdown
from vlmreader.core.formats.ris import parse_ris
from vlmreader.core.models import Annotation, Paper, UserError


# -- which format ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name", "expected"),
    [
        ("refs.bib", None, "bibtex"),
        ("refs.BIB", None, "bibtex"),
        ("refs.bib", "biblatex", "biblatex"),
        ("~/thesis/refs.json", None, "csl-json"),
        ("refs.ris", None, "ris"),
        ("reading-list.md", None, "markdown"),
        ("refs.json", "RIS", "ris"),
        (None, None, "bibtex"),
        ("-", None, "bibtex"),
        ("/dev/stdout", None, "bibtex"),
        (None, "markdown", "markdown"),
    ],
)
def test_the_format_follows_the_file_name_unless_given(path, name, expected):
    assert format_for(path, name) == expected


def test_an_unknown_format_or_a_suffix_that_says_none_is_one_line_listing_the_formats():
    with pytest.raises(UserError) as unknown:
        format_for("refs.bib", "endnote")
    assert str(unknown.value) == "unknown format 'endnote': use one of bibtex, biblatex, csl-json, ris, markdown"
    with pytest.raises(UserError) as silent:
        format_for("refs.txt")
    assert "'.txt'" in str(silent.value) and "give --format (bibtex, biblatex, csl-json, ris, markdown)" in str(silent.value)
    assert "\n" not in str(silent.value)


def test_bibtex_through_the_registry_is_the_bibtex_export(enriched_corpus: list[Paper]):
    assert export_papers(enriched_corpus, "bibtex") == export_bibtex(enriched_corpus)


@pytest.mark.parametrize("format_name", list(WRITERS))
def test_nothing_selected_writes_nothing(format_name: str):
    assert export_papers([], format_name) == ""


# -- biblatex ---------------------------------------------------------------------------------------------


def biblatex_entry(paper: Paper) -> tuple[str, dict[str, str]]:
    entry = bibtexparser.parse_string(export_biblatex([with_id(paper)]), parse_stack=[]).entries[0]
    return entry.entry_type, {field.key: field.value for field in entry.fields}


def test_an_export_that_fails_halfway_leaves_the_file_as_it_was(tmp_path: Path):
    # Items are written as they are made: the last one by key cannot be (its JSON is cut short).
    target = tmp_path / "refs.json"
    target.write_text("[mine]\n")
    papers = [offered(f"Paper {number}", id=f"p{number}", key=f"paper-{number:02d}") for number in range(50)]
    papers.append(offered("Broken", id="broken", key="zzz", item=(("title", '"Brok'),), item_format="csl-json"))
    with pytest.raises(ValueError):
        export_papers_to_file(papers, target, "csl-json")
    assert target.read_text() == "[mine]\n"
    assert [path.name for path in tmp_path.iterdir()] == ["refs.json"]


def test_a_biblatex_preprint_is_online_with_its_eprint():
    entry_type, fields = biblatex_entry(enriched(**LLAVA_FIELDS))
    assert entry_type == "online"
    assert fields == {
        "title": "{Visual Instruction Tuning}",
        "author": "{Liu, Haotian and Li, Chunyuan and Wu, Qingyang and Lee, Yong Jae}",
        "date": "{2023}",
        "eprint": "{2304.08485}",
        "eprinttype": "{arxiv}",
        "eprintclass": "{cs.CV}",
        "url": "{https://arxiv.org/abs/2304.08485}",
        "addendum": r"{Code: \url{https://github.com/haotian-liu/LLaVA}}",
    }


def test_biblatex_published_papers_have_their_booktitle_or_journaltitle_and_date():
    entry_type, fields = biblatex_entry(enriched(**LLAVA_FIELDS, booktitle=NEURIPS, venue_year="2024"))
    assert entry_type == "inproceedings" and fields["booktitle"] == "{" + NEURIPS + "}" and fields["date"] == "{2024}"
    assert fields["eprinttype"] == "{arxiv}"  # biblatex prints the arXiv id of a published paper too
    entry_type, fields = biblatex_entry(
        enriched(author="Lee, Ann", year="2020", journal="IJCV", venue_year="2021", month="apr", address="New York")
    )
    assert entry_type == "article" and fields["journaltitle"] == "{IJCV}" and fields["date"] == "{2021-04}"
    assert fields["location"] == "{New York}" and not {"journal", "year", "month", "address", "howpublished"} & fields.keys()


def test_a_users_entry_goes_out_in_biblatex_as_written():
    paper = parse_bibtex(USERS_ENTRY).papers[0]
    assert export_biblatex([with_id(paper, "x")]) == export_bibtex([with_id(paper, "x")])


def test_the_enriched_corpus_compiles_with_biber_from_the_biblatex_export(enriched_corpus: list[Paper], tmp_path: Path):
    bib = export_biblatex(enriched_corpus)
    types = {entry.entry_type for entry in bibtexparser.parse_string(bib).entries}
    assert types == {"online", "inproceedings", "article"}
    compile_with_biber(bib, tmp_path / "build")  # no Biber warning: no field given under both names


# -- the Markdown reading list ------------------------------------------------------------------------------


def test_a_reading_list_item_links_the_title_and_names_authors_year_venue_tags_and_note():
    paper = replace(
        enriched(**LLAVA_FIELDS, booktitle="NeurIPS", venue_year="2024"),
        annotation=Annotation(tags=("vlm", "to-cite"), note="Compare with *LLaVA-UHD*.\n\n- the zoom\n- the data"),
    )
    assert export_markdown([with_id(paper)]) == (
        "# Reading list\n\n"
        "- [Visual Instruction Tuning](https://arxiv.org/abs/2304.08485) — Haotian Liu, Chunyuan Li, Qingyang Wu et al., 2024, NeurIPS.\n"
        "  [Code](https://github.com/haotian-liu/LLaVA).\n"
        "  Tags: vlm, to-cite.\n"
        "\n"
        "  Compare with *LLaVA-UHD*.\n"
        "\n"
        "  - the zoom\n"
        "  - the data\n"
    )


@pytest.mark.parametrize(
    ("authors", "shown"),
    [
        ("Liu, Haotian", "Haotian Liu"),
        ("Liu, Haotian and van der Berg, Jan and {Gemini Team}", "Haotian Liu, Jan van der Berg, Gemini Team"),
        ("Liu, Haotian and Li, Chunyuan and others", "Haotian Liu, Chunyuan Li et al."),
        ("A, A and B, B and C, C and D, D", "A A, B B, C C et al."),
    ],
)
def test_authors_are_shortened_beyond_three(authors: str, shown: str):
    text = export_markdown([with_id(enriched(author=authors, year="2020"))])
    assert f" — {shown}, 2020." in text


def test_a_paper_without_a_url_or_metadata_is_its_title():
    assert export_markdown([with_id(offered("Plain", key="plain"))]) == "# Reading list\n\n- Plain\n"


MARKUP_TITLE = "[CLS] *Stars* _and_ `code` <image> <b>bold</b> $x_1$ @key ~sub~ ^sup^ 1--10 & &amp; \\emph{x} — Müller 東京"


@pytest.mark.parametrize("dialect", ["markdown", "commonmark", "gfm"])
def test_markup_in_a_title_shows_as_written_in_every_markdown(dialect: str):
    record = f"TY  - JOUR\nTI  - {MARKUP_TITLE}\nAU  - O'Brien_, *Seán*\nPY  - 2020\nUR  - https://example.org/a b(c)\nER  - \n"
    (paper,) = parse_ris(record).papers  # the user's own text, which every format writes as it is
    text = export_markdown([with_id(paper)])
    assert "](https://example.org/a%20b%28c%29)" in text
    shown = render_markdown(text, dialect).replace("\u2019", "'")  # pandoc's Markdown makes quotes curly
    assert f"- {MARKUP_TITLE} — *Seán* O'Brien_, 2020." in " ".join(shown.split())


# -- the same text in every format -------------------------------------------------------------------------------

ODD_TITLE = "GenderBias-\\emph{VL}: [CLS] <image> *tokens* for 17.5\\% & $<$5 of 東京's Müller"
AS_PRINTED = "GenderBias-VL: [CLS] <image> *tokens* for 17.5% & $<$5 of 東京's Müller"
"""A corpus title with LaTeX leaking in, markup-like text and non-ASCII, as LaTeX prints its BibTeX."""


def test_a_title_reads_the_same_from_every_format():
    paper = with_id(offered(ODD_TITLE, key="odd", fields={"author": "Müller, Jörg", "year": "2024"}))
    assert parse_bibtex(export_papers([paper], "bibtex")).papers[0].title == AS_PRINTED
    assert parse_bibtex(export_papers([paper], "biblatex")).papers[0].title == AS_PRINTED
    assert json.loads(export_papers([paper], "csl-json"))[0]["title"] == AS_PRINTED
    assert parse_csl_json(export_papers([paper], "csl-json")).papers[0].title == AS_PRINTED
    assert rispy.loads(export_papers([paper], "ris"))[0]["title"] == AS_PRINTED
    assert parse_ris(export_papers([paper], "ris")).papers[0].title == AS_PRINTED
    markdown = export_papers([paper], "markdown")
    assert re.sub(r"\\(.)", r"\1", markdown.splitlines()[2]).startswith(f"- {AS_PRINTED} — Jörg Müller, 2024")
