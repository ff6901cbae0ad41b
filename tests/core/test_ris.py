"""RIS: the export read by rispy (a maintained RIS library) and round-tripped through it, import of
Mendeley's, EndNote's and Zotero's records with every line kept, rejected records reported by
line, and export -> import -> export giving the same file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import rispy

from tests.core.test_bibtex_metadata import LLAVA_FIELDS, NEURIPS, enriched
from tests.core.test_csl_json import enriched_corpus, with_id  # noqa: F401 - a fixture
from tests.papers import offered
from vlmreader.core.formats import parse_file
from vlmreader.core.formats.bibtex import export_bibtex, parse_bibtex
from vlmreader.core.formats.citation import citation_of
from vlmreader.core.formats.ris import export_ris, parse_ris
from vlmreader.core.importing import import_files, open_library
from vlmreader.core.models import Annotation, Paper


def read_by_rispy(text: str) -> list[dict]:
    return rispy.loads(text)


# -- the export, as rispy reads it -------------------------------------------------------------------


def test_an_arxiv_preprint_as_rispy_reads_it():
    paper = replace(enriched(**LLAVA_FIELDS), annotation=Annotation(tags=("vlm", "hi-res"), note="Read it."))
    (record,) = read_by_rispy(export_ris([with_id(paper)]))
    assert record == {
        "type_of_reference": "UNPB",
        "id": "llava",
        "title": "Visual Instruction Tuning",
        "authors": ["Liu, Haotian", "Li, Chunyuan", "Wu, Qingyang", "Lee, Yong Jae"],
        "year": "2023",
        "publisher": "arXiv",
        "urls": ["https://arxiv.org/abs/2304.08485", "https://github.com/haotian-liu/LLaVA"],
        "accession_number": "arXiv:2304.08485",
        "name_of_database": "arXiv",
        "keywords": ["vlm", "hi-res"],
        "notes": ["Read it."],
    }


def test_conference_and_journal_papers_as_rispy_reads_them():
    conference = enriched(**LLAVA_FIELDS, booktitle=NEURIPS, venue_year="2024", doi="10.5555/1")
    journal = offered(
        "A Study", key="study", fields={"author": "van der Berg, Jan and {Gemini Team}", "year": "2020", "journal": "IJCV",
                                         "venue_year": "2021", "volume": "7", "number": "2", "pages": "11--20", "month": "may"},
    )
    first, second = read_by_rispy(export_ris([with_id(conference), with_id(journal)]))
    assert (first["type_of_reference"], first["secondary_title"], first["year"], first["doi"]) == ("CPAPER", NEURIPS, "2024", "10.5555/1")
    assert second["type_of_reference"] == "JOUR" and second["authors"] == ["van der Berg, Jan", "Gemini Team"]
    assert (second["secondary_title"], second["volume"], second["number"]) == ("IJCV", "7", "2")
    assert (second["start_page"], second["end_page"], second["year"], second["date"]) == ("11", "20", "2021", "2021/05//")


def test_the_enriched_corpus_parses_with_rispy_and_round_trips_through_it(enriched_corpus: list[Paper]):  # noqa: F811
    text = export_ris(enriched_corpus)
    records = read_by_rispy(text)
    assert [record["id"] for record in records] == sorted(paper.key for paper in enriched_corpus)
    by_key = {paper.key: paper for paper in enriched_corpus}
    for record in records:
        paper = by_key[record["id"]]
        assert record["title"] == citation_of(paper).title and len(record["authors"]) == len([a for a in paper.authors if a != "others"])
        assert record["year"] == citation_of(paper).year
    assert read_by_rispy(rispy.dumps(records)) == records


# -- import ---------------------------------------------------------------------------------------------

MENDELEY = """Provider: Mendeley
Database: Mendeley Desktop

TY  - JOUR
AU  - Liu, Haotian
AU  - Li, Chunyuan
AU  - OpenAI
TI  - Improved Baselines with Visual Instruction
  Tuning
T2  - IEEE Transactions on Pattern Analysis and Machine Intelligence
PY  - 2024/03/01/
VL  - 46
IS  - 3
SP  - 100
EP  - 115
SN  - 0162-8828
DO  - 10.1109/TPAMI.2024.1
UR  - https://doi.org/10.1109/TPAMI.2024.1; https://llava-vl.github.io
KW  - vision language
KW  - to-cite; hi-res
N1  - First note.
N1  - Second note,
on two lines.
LA  - en
ID  - liu2024improved
M3  - doi: 10.1109/TPAMI.2024.1
ER  - 

TY  - CPAPER
TI  - Flamingo: a Visual Language Model for Few-Shot Learning
A1  - Alayrac, Jean-Baptiste
A2  - Koyejo, S.
T2  - Advances in Neural Information Processing Systems
PY  - 2022
AN  - arXiv:2204.14198
DB  - arXiv
ER  -
"""


def test_a_record_is_read_into_the_fields_the_library_knows():
    parsed = parse_ris(MENDELEY, "mendeley")
    assert parsed.rejected == []
    journal, conference = parsed.papers
    assert journal.key == "liu2024improved" and journal.title == "Improved Baselines with Visual Instruction Tuning"
    assert journal.url == "https://doi.org/10.1109/TPAMI.2024.1"
    assert journal.record.entry_type == "article" and journal.record.collections == ("mendeley",)
    assert journal.record.fields == {
        "author": "Liu, Haotian and Li, Chunyuan and {OpenAI}",
        "year": "2024",
        "month": "March",
        "journal": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        "volume": "46",
        "number": "3",
        "doi": "10.1109/TPAMI.2024.1",
        "pages": "100--115",
        "issn": "0162-8828",
    }
    assert journal.tags == ("vision-language", "to-cite", "hi-res")
    assert journal.note == "First note.\n\nSecond note,\non two lines."
    assert conference.key == "" and conference.record.entry_type == "inproceedings"
    assert conference.record.fields == {
        "author": "Alayrac, Jean-Baptiste",
        "editor": "Koyejo, S.",
        "year": "2022",
        "booktitle": "Advances in Neural Information Processing Systems",
        "eprint": "2204.14198",
        "archiveprefix": "arXiv",
    }
    assert conference.authors == ("Alayrac, Jean-Baptiste",)


def test_every_line_is_kept_and_an_unchanged_record_goes_out_as_it_came_in(tmp_path: Path):
    target = tmp_path / "mendeley.ris"
    target.write_text(MENDELEY, encoding="utf-8")
    library = open_library(tmp_path / "home")
    report = import_files(library, [target])
    assert len(report.added) == 2 and report.rejected == []
    records = export_ris(library).split("\n\n")
    flamingo_key = next(paper.key for paper in library if paper.title.startswith("Flamingo"))
    assert records[0].startswith(f"TY  - CPAPER\nID  - {flamingo_key}\nTI  - Flamingo")  # the key is added after TY
    original_journal = MENDELEY.split("\n\n")[1]
    assert records[1] == original_journal.rstrip("\n") + "\n"
    assert "LA  - en" in records[1] and "M3  - doi: 10.1109/TPAMI.2024.1" in records[1]


def test_tags_and_note_changed_in_vlmreader_replace_the_records_kw_and_n1_lines(tmp_path: Path):
    target = tmp_path / "mendeley.ris"
    target.write_text(MENDELEY, encoding="utf-8")
    library = open_library(tmp_path / "home")
    import_files(library, [target])
    paper = library.find_key("liu2024improved")
    library.remove_tags([paper.id], ["hi-res"])
    library.set_note(paper.id, "Only this.\nAB  - not an abstract")
    (record,) = [record for record in read_by_rispy(export_ris(library)) if record.get("id") == "liu2024improved"]
    assert record["keywords"] == ["vision-language", "to-cite"]
    assert record["notes"] == ["Only this.", "AB  - not an abstract"]  # rispy: one note a line; no AB tag
    assert "abstract" not in record
    again = parse_ris(export_ris([library.find_key("liu2024improved")])).papers[0]
    assert again.note == "Only this.\nAB  - not an abstract"


def test_an_imported_record_is_cited_in_bibtex_by_its_fields():
    journal = parse_ris(MENDELEY).papers[0]
    entry = parse_bibtex(export_bibtex([with_id(journal)])).papers[0]
    assert entry.record.entry_type == "article"
    assert entry.authors == ("Liu, Haotian", "Li, Chunyuan", "OpenAI")  # `{OpenAI}`, read back from the .bib
    assert entry.record.fields["journal"] == journal.record.fields["journal"] and entry.record.fields["pages"] == "100--115"


# -- rejected records --------------------------------------------------------------------------------------


def test_bad_records_are_reported_with_their_line_and_the_rest_import(tmp_path: Path):
    text = """TY  - JOUR
TI  - First
ER  - 

TY  - JOUR
AU  - Nobody, No
ER  - 

TI  - A title with no TY before it
AU  - Someone, S.
ER  - 

TY  - BOOK
TI  - Never closed

TY  - GEN
TI  - Last
ER  - 

TY  - CHAP
TI  - Cut off at the end
"""
    parsed = parse_ris(text)
    assert [paper.title for paper in parsed.papers] == ["First", "Last"]
    assert sorted((rejection.line, rejection.reason) for rejection in parsed.rejected) == [
        (5, "the record has no title (TI or T1)"),
        (9, "a TI line outside any record: a 'TY  - ' line is missing before it"),
        (13, "the record is not closed with 'ER  - ' before the next one (line 16)"),
        (20, "the record is not closed with 'ER  - ' before the end of the file"),
    ]
    target = tmp_path / "refs.ris"
    target.write_text(text)
    report = import_files(open_library(tmp_path / "home"), [target])
    assert len(report.added) == 2 and f"{target}:5: the record has no title (TI or T1)" in report.rejected


@pytest.mark.parametrize("text", ["@article{x, title = {A .bib}}\n", "[{\"id\": \"csl\"}]", "just some words\n"])
def test_a_file_with_no_record_is_one_clear_rejection(text: str):
    parsed = parse_ris(text)
    assert parsed.papers == [] and [rejection.reason for rejection in parsed.rejected] == ["not a RIS file: no record starts with a 'TY  - ' line"]


def test_windows_line_endings_and_ris_files_by_their_suffix():
    parsed = parse_file(Path("EndNote Export.ris"), MENDELEY.replace("\n", "\r\n"))
    assert [paper.key for paper in parsed.papers] == ["liu2024improved", ""]
    assert parsed.papers[0].title == "Improved Baselines with Visual Instruction Tuning"
    assert parsed.papers[0].record.collections == ("EndNote Export",)


# -- round trips -----------------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_file(enriched_corpus: list[Paper], tmp_path: Path):  # noqa: F811
    noted = [
        replace(paper, annotation=replace(paper.annotation, note="Line one\n\nER  - not the end\n  indented"))
        if number % 11 == 0 else paper
        for number, paper in enumerate(enriched_corpus)
    ]
    first = export_ris(noted)
    target = tmp_path / "refs.ris"
    target.write_text(first, encoding="utf-8")
    library = open_library(tmp_path / "home")
    report = import_files(library, [target])
    assert len(report.added) == 452 and report.rejected == [] and report.rekeyed == []
    assert export_ris(library) == first
    imported = {paper.key: paper for paper in library}
    for paper in noted:
        again = imported[paper.key]
        assert (again.title, again.tags, again.note) == (citation_of(paper).title, paper.tags, paper.note)
        assert [name for name in again.authors] == [name for name in paper.authors if name != "others"]


# -- whatever a file holds -------------------------------------------------------------------------------

RIS_LINES = st.one_of(
    st.sampled_from(["TY  - JOUR", "TY  - ", "ER  - ", "ER  -", "TI  - A title", "T1  - T", "AU  - Liu, H.", "AU  - ,",
                     "PY  - 2023/04/01/", "PY  - x", "DA  - 2020//", "KW  - a; b", "N1  - note", "UR  - a; b", "SP  - 3",
                     "AN  - arXiv:2304.08485", "DB  - arXiv", "ID  - key", "", " ", "  continued"]),
    st.text(max_size=30).filter(lambda line: "\n" not in line and "\r" not in line),
)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RIS_LINES, max_size=40))
def test_any_lines_import_without_raising_and_go_out_again(lines: list[str]):
    parsed = parse_ris("\n".join(lines))
    papers = [with_id(paper, str(number)) for number, paper in enumerate(parsed.papers)]
    again = parse_ris(export_ris(papers))
    assert again.rejected == []
    assert sorted(paper.title for paper in again.papers) == sorted(paper.title for paper in papers)
