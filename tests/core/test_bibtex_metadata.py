"""BibTeX export of papers with metadata from a source: entry types, the year cited, the paper's
url beside its code link, fields that stay vlmreader's own, what an imported entry gains, and
the whole corpus with realistic metadata compiling under BibTeX and Biber."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import bibtexparser
import pytest

from tests.latex_build import compile_with_biber, compile_with_bibtex
from tests.papers import offered
from vlmreader.core.formats.bibtex import export_bibtex, parse_bibtex
from vlmreader.core.library import Library
from vlmreader.core.models import CITED_BY_FIELD, VENUE_YEAR_FIELD, Paper

LLAVA_FIELDS = {
    "author": "Liu, Haotian and Li, Chunyuan and Wu, Qingyang and Lee, Yong Jae",
    "year": "2023",
    "eprint": "2304.08485",
    "archiveprefix": "arXiv",
    "primaryclass": "cs.CV",
    CITED_BY_FIELD: "5120",
}
NEURIPS = "Advances in Neural Information Processing Systems"


def enriched(title: str = "Visual Instruction Tuning", url: str = "https://github.com/haotian-liu/LLaVA", **fields) -> Paper:
    """A paper without an entry of its own whose fields a source filled."""
    return offered(title, key="llava", url=url, fields=fields, provenance=tuple((name, "arxiv", "2026-12-02") for name in fields))


def exported(paper: Paper) -> tuple[str, dict[str, str]]:
    """(entry type, {field: value as written}) of the paper's exported entry."""
    entry = bibtexparser.parse_string(export_bibtex([paper]), parse_stack=[]).entries[0]
    return entry.entry_type, {field.key: field.value for field in entry.fields}


# -- entry shapes ----------------------------------------------------------------------------


def test_an_arxiv_preprint_is_a_misc_that_says_where_it_is_in_every_style():
    entry_type, fields = exported(enriched(**LLAVA_FIELDS))
    assert entry_type == "misc"
    assert list(fields) == [
        "title", "author", "year", "howpublished", "eprint", "archiveprefix", "primaryclass", "url", "addendum",
    ]
    assert fields["author"] == "{Liu, Haotian and Li, Chunyuan and Wu, Qingyang and Lee, Yong Jae}"
    assert fields["year"] == "{2023}"
    assert fields["howpublished"] == "{arXiv preprint arXiv:2304.08485}"
    assert fields["eprint"] == "{2304.08485}" and fields["archiveprefix"] == "{arXiv}"
    assert fields["url"] == "{https://arxiv.org/abs/2304.08485}"
    assert fields["addendum"] == r"{Code: \url{https://github.com/haotian-liu/LLaVA}}"


def test_a_conference_paper_is_inproceedings_cited_by_the_year_of_the_conference():
    entry_type, fields = exported(enriched(**LLAVA_FIELDS, booktitle=NEURIPS, doi="10.5555/3666122.3667638", venue_year="2024"))
    assert entry_type == "inproceedings"
    assert fields["booktitle"] == "{" + NEURIPS + "}" and fields["year"] == "{2024}"
    assert fields["doi"] == "{10.5555/3666122.3667638}" and fields["eprint"] == "{2304.08485}"
    assert fields["url"] == "{https://arxiv.org/abs/2304.08485}"  # the arXiv page, which anyone can read
    assert "howpublished" not in fields


def test_a_journal_paper_without_arxiv_is_an_article_with_its_doi_as_url():
    paper = enriched(
        author="van der Berg, Jan and {OpenAI}",
        year="2021",
        journal="IEEE Transactions on Pattern Analysis & Machine Intelligence",
        doi="https://doi.org/10.1109/TPAMI.2021.1",
        primaryclass="cs.CV",  # meaningless without an arXiv id
        venue_year="2022",
    )
    entry_type, fields = exported(paper)
    assert entry_type == "article"
    assert fields["journal"] == r"{IEEE Transactions on Pattern Analysis \& Machine Intelligence}"
    assert fields["author"] == "{van der Berg, Jan and {OpenAI}}"
    assert fields["year"] == "{2022}"
    assert fields["url"] == "{https://doi.org/10.1109/TPAMI.2021.1}"
    assert "primaryclass" not in fields and "howpublished" not in fields


def test_vlmreaders_own_fields_never_go_out():
    for paper in (enriched(**LLAVA_FIELDS, venue_year="2024"), enriched(**LLAVA_FIELDS, journal="TMLR", venue_year="2024")):
        _, fields = exported(paper)
        assert VENUE_YEAR_FIELD not in fields and CITED_BY_FIELD not in fields
    _, fields = exported(enriched(**LLAVA_FIELDS, venue_year="2024"))
    assert fields["year"] == "{2023}"  # a venue year without a venue is not a publication


def test_a_paper_nothing_is_known_of_is_written_as_before():
    entry_type, fields = exported(offered("Dragonfly: Zoom", key="dragonfly", url="https://github.com/x/y_z", abstract="A."))
    assert entry_type == "misc" and fields == {
        "title": "{{Dragonfly}: Zoom}",
        "url": "{https://github.com/x/y_z}",
        "abstract": "{A.}",
    }


@pytest.mark.parametrize(
    ("url", "addendum"),
    [
        ("https://github.com/x/multimodal_textbook", r"Code: \url{https://github.com/x/multimodal_textbook}"),
        ("https://s-vco.github.io/", r"Website: \url{https://s-vco.github.io/}"),
        ("https://github.com/x/y#readme", r"Code: https://github.com/x/y\#readme"),  # `#` breaks \url in an argument
        ("https://huggingface.co/a b", r"Website: https://huggingface.co/a\%20b"),
        ("http://arxiv.org/abs/2304.08485v2", None),  # the paper itself
        ("https://arxiv.org/abs/2304.08485", None),
    ],
)
def test_a_link_that_is_not_the_paper_goes_to_the_addendum(url: str, addendum: str | None):
    _, fields = exported(enriched(url=url, **LLAVA_FIELDS))
    assert fields.get("addendum") == (None if addendum is None else "{" + addendum + "}")


def test_an_eprint_of_another_archive_is_no_arxiv_preprint():
    _, fields = exported(enriched(author="Lee, Ann", year="2020", eprint="32100000", eprinttype="pubmed", primaryclass="q-bio"))
    assert fields["url"] == "{https://github.com/haotian-liu/LLaVA}"
    assert "howpublished" not in fields and "primaryclass" not in fields and "addendum" not in fields


# -- an imported entry gains what a source filled, after what the user wrote -----------------------

USERS_ENTRY = """@InProceedings{mine2023,
  Title     = {{LLaVA}: Visual Instruction Tuning},
  booktitle = {NeurIPS},
  Note      = {my own},
}
"""


def written_fields(bib: str) -> list[tuple[str, str]]:
    return [(field.key, field.value) for field in bibtexparser.parse_string(bib, parse_stack=[]).entries[0].fields]


def imported_then_enriched(text: str, **filled: str) -> Paper:
    paper = parse_bibtex(text).papers[0]
    record = paper.record
    provenance = tuple((name, "openalex", "2026-12-02") for name in filled)
    return replace(paper, record=replace(record, fields={**record.fields, **filled}, provenance=provenance))


def test_fields_a_source_filled_are_appended_to_an_imported_entry():
    paper = imported_then_enriched(USERS_ENTRY, **LLAVA_FIELDS, booktitle="Advances", venue_year="2024")
    assert written_fields(export_bibtex([paper])) == [
        ("Title", "{{LLaVA}: Visual Instruction Tuning}"),
        ("booktitle", "{NeurIPS}"),  # the user's, never replaced
        ("Note", "{my own}"),
        ("author", "{Liu, Haotian and Li, Chunyuan and Wu, Qingyang and Lee, Yong Jae}"),
        ("year", "{2024}"),  # cited by the year of the proceedings
        ("eprint", "{2304.08485}"),
        ("archiveprefix", "{arXiv}"),
        ("primaryclass", "{cs.CV}"),
    ]


BIBLATEX_ENTRY = "@online{own,\n  title = {Own},\n  author = {Mine, Me},\n  date = {2023-04},\n  eprinttype = {arxiv},\n}\n"


def test_an_imported_entry_keeps_its_own_fields_and_their_biblatex_names(tmp_path: Path):
    bib = export_bibtex([imported_then_enriched(BIBLATEX_ENTRY, **LLAVA_FIELDS)])
    assert written_fields(bib) == written_fields(BIBLATEX_ENTRY) + [("eprint", "{2304.08485}"), ("primaryclass", "{cs.CV}")]
    compile_with_biber(bib, tmp_path / "build")  # a `year` beside the `date` would make Biber warn


def test_an_imported_entry_without_provenance_is_written_as_it_was():
    paper = parse_bibtex(USERS_ENTRY).papers[0]
    paper = replace(paper, record=replace(paper.record, fields={**paper.record.fields, "author": "Someone, Else"}))
    assert written_fields(export_bibtex([paper])) == written_fields(USERS_ENTRY)


def test_an_enriched_export_reads_back_as_the_same_metadata():
    paper = enriched(**LLAVA_FIELDS, booktitle=NEURIPS, venue_year="2024")
    again = parse_bibtex(export_bibtex([paper])).papers[0]
    assert again.authors == paper.authors and again.year == "2024"
    assert again.record.fields["eprint"] == "2304.08485" and again.record.fields["booktitle"] == NEURIPS
    assert again.record.fields["addendum"] == "Code: https://github.com/haotian-liu/LLaVA"
    assert export_bibtex([again]) == export_bibtex([paper])


# -- the corpus with realistic metadata compiles ---------------------------------------------------

AUTHORS = [
    "Liu, Haotian", "Li, Chunyuan", "van der Berg, Jan", "{OpenAI}", "Müller, Jörg", "O'Brien, Seán",
    "de la Cruz, María José", "Łukasiewicz, Paweł", "Ørsted, Hans Christian", "{Gemini Team}", "Dvořák, Antonín",
    "Nguyễn, Văn An", "Schölkopf, Bernhard", "von Neumann, John", "Smith, Jr., John", "Çelik, Şebnem", "Lee, Yong Jae",
]
CONFERENCES = [
    "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
    NEURIPS,
    "International Conference on Learning Representations",
    "Findings of the Association for Computational Linguistics: EMNLP 2024",
]
JOURNALS = [
    "IEEE Transactions on Pattern Analysis & Machine Intelligence",
    "Transactions on Machine Learning Research",
    "International Journal of Computer Vision",
]


def realistic_metadata(number: int) -> dict[str, str]:
    """Metadata as the sources give it, varied by `number`: a quarter arXiv-only, a quarter at a
    conference, a quarter in a journal, a quarter in a journal and not on arXiv."""
    authors = [AUTHORS[(number * 5 + offset) % len(AUTHORS)] for offset in range(1 + number % 4)]
    if number % 9 == 0:
        authors.append("others")
    year = 2019 + number % 7
    fields = {"author": " and ".join(authors), "year": str(year), CITED_BY_FIELD: str(number * 37)}
    kind = number % 4
    if kind != 3:
        fields.update(eprint=f"{year % 100:02d}{1 + number % 12:02d}.{number:05d}", archiveprefix="arXiv")
        if number % 3:
            fields["primaryclass"] = ("cs.CV", "cs.CL", "cs.LG")[number % 3]
    if kind == 1:
        fields.update(booktitle=CONFERENCES[number % len(CONFERENCES)], venue_year=str(year + 1))
    if kind >= 2:
        fields.update(journal=JOURNALS[number % len(JOURNALS)], doi=f"10.1109/J.{year}.{number}_{number % 5}")
        if kind == 2:
            fields["venue_year"] = str(year + 1)
    return fields


@pytest.fixture(scope="module")
def enriched_corpus(shared_library: Library) -> list[Paper]:
    papers = sorted(shared_library, key=lambda paper: paper.key)
    return [
        replace(paper, record=replace(paper.record, fields=fields, provenance=tuple((name, "openalex", "2026-12-02") for name in fields)))
        for number, paper in enumerate(papers)
        for fields in [realistic_metadata(number)]
    ]


def test_every_enriched_paper_is_written_with_its_metadata(enriched_corpus: list[Paper]):
    entries = bibtexparser.parse_string(export_bibtex(enriched_corpus)).entries
    assert len(entries) == 452
    types = {entry.entry_type for entry in entries}
    assert types == {"misc", "inproceedings", "article"}
    for entry in entries:
        assert {"author", "year", "url"} <= set(entry.fields_dict)
        assert VENUE_YEAR_FIELD not in entry.fields_dict and CITED_BY_FIELD not in entry.fields_dict


def test_the_enriched_corpus_compiles_with_bibtex_without_a_warning(enriched_corpus: list[Paper], tmp_path: Path):
    compile_with_bibtex(export_bibtex(enriched_corpus), tmp_path / "build")
    log = (tmp_path / "build" / "paper.blg").read_text(errors="replace")
    assert re.findall(r"^Warning--.*", log, re.MULTILINE) == []  # "need author", "empty journal", ...
    bbl = (tmp_path / "build" / "paper.bbl").read_text()
    preprints = [paper for paper in enriched_corpus if not {"journal", "booktitle"} & paper.record.fields.keys()]
    for paper in preprints[:20]:
        eprint = paper.record.fields["eprint"]
        assert f"arXiv preprint arXiv:{eprint}" in bbl  # plain.bst prints where it is


def test_the_enriched_corpus_compiles_with_biber(enriched_corpus: list[Paper], tmp_path: Path):
    compile_with_biber(export_bibtex(enriched_corpus), tmp_path / "build")
