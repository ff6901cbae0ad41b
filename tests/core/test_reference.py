"""Formatted references (APA-like, one line a paper) and the other ways `y` copies papers: `\\cite{}`
and pandoc citations, which pandoc's own reading of citations takes back to the same keys."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.core.test_bibtex_metadata import LLAVA_FIELDS, NEURIPS, enriched
from tests.papers import offered
from vlmreader.core.citations import keys_in_markdown
from vlmreader.core.formats.bibtex import export_bibtex
from vlmreader.core.formats.copying import COPY_FORMATS, latex_citation, pandoc_citation, text_to_copy
from vlmreader.core.formats.reference import export_references, initials, reference_of
from vlmreader.core.models import Paper

LLAVA = "Liu, H., Li, C., Wu, Q., & Lee, Y. J."


def test_an_arxiv_preprint():
    assert reference_of(enriched(**LLAVA_FIELDS)) == (
        f"{LLAVA} (2023). Visual Instruction Tuning. arXiv:2304.08485. https://arxiv.org/abs/2304.08485"
    )


def test_a_conference_paper_is_cited_by_its_year_in_its_proceedings_with_its_doi():
    paper = enriched(**LLAVA_FIELDS, booktitle=NEURIPS, doi="10.5555/3666122.3667638", venue_year="2024", pages="1--10")
    assert reference_of(paper) == (
        f"{LLAVA} (2024). Visual Instruction Tuning. In {NEURIPS} (pp. 1–10). https://doi.org/10.5555/3666122.3667638"
    )


def test_a_journal_article_with_volume_issue_and_pages_and_a_group_author():
    paper = enriched(author="{OpenAI}", year="2023", journal="Nature Machine Intelligence", volume="5", number="2", pages="3--9",
                     doi="https://doi.org/10.1038/x")
    assert reference_of(paper) == (
        "OpenAI. (2023). Visual Instruction Tuning. Nature Machine Intelligence, 5(2), 3–9. https://doi.org/10.1038/x"
    )


def test_particles_suffixes_hyphenated_names_and_et_al():
    paper = enriched(author="van der Berg, Jan and Smith, Jr., John and Dupont, Jean-Pierre and others", year="2023", url="")
    assert reference_of(paper) == "van der Berg, J., Smith, J., Jr., Dupont, J.-P., et al. (2023). Visual Instruction Tuning."


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Yong Jae", "Y. J."), ("Jean-Pierre", "J.-P."), ("H.", "H."), ("H.J.", "H. J."), ("émile", "É."), ("", "")],
)
def test_initials(given, expected):
    assert initials(given) == expected


def test_more_than_twenty_authors_are_the_first_nineteen_an_ellipsis_and_the_last():
    authors = " and ".join(f"Author{number}, Given" for number in range(1, 31))
    reference = reference_of(enriched(author=authors, year="2024", url=""))
    assert reference.startswith("Author1, G., Author2, G., ") and ", Author19, G., ... Author30, G. (2024)." in reference
    assert "Author20" not in reference and "&" not in reference


def test_one_or_two_authors():
    assert reference_of(enriched(author="Liu, Haotian", year="2023", url="")).startswith("Liu, H. (2023). ")
    assert reference_of(enriched(author="Liu, Haotian and Li, Chunyuan", year="2023", url="")).startswith("Liu, H., & Li, C. (2023). ")


def test_without_authors_the_title_comes_first_and_without_a_year_it_is_no_date():
    assert reference_of(enriched(url="")) == "Visual Instruction Tuning. (n.d.)."
    assert reference_of(enriched(year="2023", url="https://example.org/llava")) == (
        "Visual Instruction Tuning. (2023). https://example.org/llava"
    )
    assert reference_of(enriched(author="Liu, Haotian", url="")) == "Liu, H. (n.d.). Visual Instruction Tuning."


def test_a_title_ending_a_sentence_gets_no_second_full_stop():
    assert reference_of(enriched(title="Do VLMs Dream of Pixels?", year="2024", url="")) == "Do VLMs Dream of Pixels? (2024)."


def test_markup_looking_titles_are_plain_text_on_one_line():
    title = "[CLS] Tokens,  <image>\nand $x_1$: *Not* [bold]Markup[/]"
    reference = reference_of(enriched(title=title, year="2024", url=""))
    assert reference == "[CLS] Tokens, <image> and $x_1$: *Not* [bold]Markup[/]. (2024)."
    # LaTeX in a title without an entry of its own reads as the BibTeX export prints it.
    assert reference_of(enriched(title=r"GenderBias-\emph{VL}: 17.76\% Better", url="")) == "GenderBias-VL: 17.76% Better. (n.d.)."


def test_an_imported_entry_is_read_from_its_fields():
    paper = offered(
        "Attention Is All You Need", key="vaswani2017", entry_type="inproceedings",
        fields={"author": "Vaswani, Ashish and Shazeer, Noam", "year": "2017", "booktitle": "NeurIPS"},
    )
    assert reference_of(paper) == "Vaswani, A., & Shazeer, N. (2017). Attention Is All You Need. In NeurIPS."


def test_references_are_one_a_line():
    papers = [enriched(**LLAVA_FIELDS), with_id(enriched(title="Other", url=""), "other")]
    assert export_references(papers) == reference_of(papers[0]) + "\n" + "Other. (n.d.).\n"


def with_id(paper: Paper, paper_id: str) -> Paper:
    """The paper as the library would hold it, with an id (and a key) of its own."""
    return replace(paper, record=replace(paper.record, id=paper_id, key=paper_id))


# -- copying ---------------------------------------------------------------------------------------


def test_latex_and_pandoc_citations():
    assert latex_citation(["liu2023", "llava-uhd"]) == r"\cite{liu2023,llava-uhd}"
    assert pandoc_citation(["liu2023", "llava-uhd"]) == "[@liu2023; @llava-uhd]"


def test_a_key_pandoc_would_not_read_whole_is_braced(tmp_path):
    keys = ["DBLP:conf/cvpr/LiuLWL23", "knuth:tex*1", "o'brien", "ends-with-dash-", "x.y."]
    cited = pandoc_citation(keys)
    assert cited == "[@DBLP:conf/cvpr/LiuLWL23; @{knuth:tex*1}; @{o'brien}; @{ends-with-dash-}; @{x.y.}]"
    document = tmp_path / "paper.md"
    document.write_text(f"As shown {cited}.\n", encoding="utf-8")
    assert keys_in_markdown(document).keys == keys


def test_text_to_copy_in_each_format():
    llava = with_id(enriched(**LLAVA_FIELDS), "llava")
    other = with_id(enriched(title="An Other Paper", url=""), "another")
    papers = [llava, other]
    assert set(COPY_FORMATS) == {"bibtex", "cite", "pandoc", "reference"}
    assert text_to_copy(papers, "bibtex") == export_bibtex(papers)
    assert text_to_copy(papers, "cite") == r"\cite{another,llava}"
    assert text_to_copy(papers, "pandoc") == "[@another; @llava]"
    assert text_to_copy(papers, "reference") == "An Other Paper. (n.d.).\n" + reference_of(llava)  # by first author or title
    with pytest.raises(ValueError):
        text_to_copy(papers, "endnote")
