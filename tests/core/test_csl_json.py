"""CSL-JSON: the export's items (types, names, dates, arXiv preprints as Zotero writes them), its
shape against CSL 1.0.2's csl-data.json, import of Zotero's and Better BibTeX's items with every
variable kept, rejected items reported by number and line, and round trips."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_bibtex_metadata import LLAVA_FIELDS, NEURIPS, enriched, realistic_metadata
from tests.papers import offered
from vlmreader.core.formats import parse_file
from vlmreader.core.formats.bibtex import export_bibtex, parse_bibtex
from vlmreader.core.formats.citation import citation_of
from vlmreader.core.formats.csl_json import export_csl_json, parse_csl_json
from vlmreader.core.importing import import_files, open_library
from vlmreader.core.library import Library
from vlmreader.core.models import Annotation, Paper

# From CSL 1.0.2's schemas/input/csl-data.json: the item types, and every variable an item may have.
CSL_TYPES = set(
    """article article-journal article-magazine article-newspaper bill book broadcast chapter classic collection
    dataset document entry entry-dictionary entry-encyclopedia figure graphic hearing interview legal_case
    legislation manuscript map motion_picture musical_score pamphlet paper-conference patent performance
    periodical personal_communication post post-weblog regulation report review review-book software song
    speech standard thesis treaty webpage""".split()
)
CSL_VARIABLES = set(
    """type id categories language journalAbbreviation shortTitle author chair collection-editor compiler
    composer container-author contributor curator director editor editorial-director executive-producer
    interviewer illustrator organizer original-author performer producer recipient reviewed-author translator
    accessed available-date container event-date issued original-date submitted abstract annote archive
    archive_collection archive_location archive-place authority call-number chapter-number citation-number
    citation-label collection-number collection-title container-title container-title-short dimensions division
    DOI edition event event-place first-reference-note-number genre ISAN ISBN ISCI ISMN ISRC ISSN ISWC issue
    jurisdiction keyword locator medium note number number-of-pages number-of-volumes original-publisher
    original-publisher-place original-title page page-first part part-title PMCID PMID printing publisher
    publisher-place references reviewed-title scale section source status supplement title title-short
    translated-title translated-title-short URL version volume year-suffix custom""".split()
)
NAME_PARTS = {"family", "given", "dropping-particle", "non-dropping-particle", "suffix", "comma-suffix", "static-ordering", "literal", "parse-names"}


def with_id(paper: Paper, paper_id: str = "") -> Paper:
    """An offered paper as the library holds it: with an id (export keeps one paper per id)."""
    return replace(paper, record=replace(paper.record, id=paper_id or paper.record.key))


def item(paper: Paper) -> dict:
    (only,) = json.loads(export_csl_json([with_id(paper)]))
    return only


@pytest.fixture(scope="module")
def enriched_corpus(shared_library: Library) -> list[Paper]:
    """The bundled papers with metadata as sources give it, some with tags and a note."""
    papers = sorted(shared_library, key=lambda paper: paper.key)
    return [
        replace(
            paper,
            record=replace(paper.record, fields=fields, provenance=tuple((name, "openalex", "2026-12-02") for name in fields)),
            annotation=Annotation(tags=("vlm", "to-cite") if number % 5 == 0 else (), note="Read *twice*.\n\n- [ ] cite" if number % 7 == 0 else ""),
        )
        for number, paper in enumerate(papers)
        for fields in [realistic_metadata(number)]
    ]


# -- the export ---------------------------------------------------------------------------------


def test_an_arxiv_preprint_is_an_article_with_arxiv_as_its_repository_as_zotero_writes_it():
    assert item(enriched(**LLAVA_FIELDS)) == {
        "id": "llava",
        "type": "article",
        "title": "Visual Instruction Tuning",
        "author": [
            {"family": "Liu", "given": "Haotian"},
            {"family": "Li", "given": "Chunyuan"},
            {"family": "Wu", "given": "Qingyang"},
            {"family": "Lee", "given": "Yong Jae"},
        ],
        "issued": {"date-parts": [[2023]]},
        "number": "arXiv:2304.08485",
        "publisher": "arXiv",
        "URL": "https://arxiv.org/abs/2304.08485",
    }


def test_a_conference_paper_is_cited_by_the_year_of_the_conference():
    written = item(enriched(**LLAVA_FIELDS, booktitle=NEURIPS, venue_year="2024", doi="10.5555/3666122.3667638"))
    assert written["type"] == "paper-conference" and written["container-title"] == NEURIPS
    assert written["issued"] == {"date-parts": [[2024]]}
    assert written["DOI"] == "10.5555/3666122.3667638" and written["URL"] == "https://arxiv.org/abs/2304.08485"
    assert "publisher" not in written and "number" not in written


def test_a_journal_paper_has_its_volume_issue_and_pages_and_its_doi_as_url():
    written = item(
        enriched(author="Lee, Ann", year="2021", journal="IJCV", volume="44", number="3", pages="1--10", month="apr", doi="https://doi.org/10.1/X")
    )
    assert written["type"] == "article-journal" and written["container-title"] == "IJCV"
    assert (written["volume"], written["issue"], written["page"]) == ("44", "3", "1-10")
    assert written["issued"] == {"date-parts": [[2021, 4]]}
    assert written["DOI"] == "10.1/X" and written["URL"] == "https://doi.org/10.1/X"


def test_names_groups_particles_suffixes_and_et_al():
    written = item(enriched(author="{Gemini Team} and van der Berg, Jan and Smith, Jr., John and Müller, Jörg and others", year="2024"))
    assert written["author"] == [
        {"literal": "Gemini Team"},
        {"family": "Berg", "given": "Jan", "dropping-particle": "van der"},
        {"family": "Smith", "given": "John", "suffix": "Jr."},
        {"family": "Müller", "given": "Jörg"},
        {"literal": "others"},  # what pandoc reads `and others` as; citeproc prints "et al."
    ]


def test_a_paper_nothing_is_known_of_is_a_document_with_its_link():
    assert item(offered("Dragonfly: Zoom", key="dragonfly", url="https://github.com/x/y", abstract="A.")) == {
        "id": "dragonfly", "type": "document", "title": "Dragonfly: Zoom", "URL": "https://github.com/x/y", "abstract": "A.",
    }


def test_tags_and_note_are_keyword_and_note():
    paper = replace(enriched(**LLAVA_FIELDS), annotation=Annotation(tags=("vlm", "hi-res"), note="  See §3.\n\nThen *this*.  "))
    written = item(paper)
    assert written["keyword"] == "vlm, hi-res" and written["note"] == "See §3.\n\nThen *this*."


def test_text_is_written_as_it_reads_latex_in_corpus_text_as_latex_prints_it():
    paper = offered(
        "GenderBias-\\emph{VL}: [CLS] <image> *tokens* & $x_1$ for 17.5\\% of 東京 in Müller's `set`",
        key="odd", abstract="Up to 94\\% {faster}.",
    )
    written = item(paper)
    assert written["title"] == "GenderBias-VL: [CLS] <image> *tokens* & $x_1$ for 17.5% of 東京 in Müller's `set`"
    assert written["abstract"] == "Up to 94% faster."
    text = export_csl_json([with_id(paper)])
    assert "東京" in text and "Müller" in text  # UTF-8, not \\u escapes


def test_the_enriched_corpus_has_the_shape_csl_data_json_describes(enriched_corpus: list[Paper]):
    items = json.loads(export_csl_json(enriched_corpus))
    assert len(items) == 452 and [entry["id"] for entry in items] == sorted(paper.key for paper in enriched_corpus)
    assert {entry["type"] for entry in items} == {"article", "paper-conference", "article-journal"}
    for entry in items:
        assert {"id", "type", "title", "author", "issued", "URL"} <= entry.keys() <= CSL_VARIABLES, entry
        assert entry["type"] in CSL_TYPES
        assert all(isinstance(entry[name], str) for name in entry.keys() - {"author", "issued"})
        assert all(set(name) <= NAME_PARTS and all(isinstance(part, str) for part in name.values()) for name in entry["author"])
        assert all(isinstance(part, int) for part in entry["issued"]["date-parts"][0])


def test_nothing_selected_is_an_empty_file():
    assert export_csl_json([]) == ""


# -- import ---------------------------------------------------------------------------------------

ZOTERO_ITEMS = [
    {
        "id": "http://zotero.org/users/local/Vn7rF0YQ/items/8XBD3QSP",
        "type": "article",
        "title": "Visual <i>Instruction</i> Tuning",
        "abstract": "Instruction tuning large language models (LLMs)\nusing machine-generated data.",
        "note": "arXiv:2304.08485 [cs]",
        "number": "arXiv:2304.08485",
        "publisher": "arXiv",
        "source": "arXiv.org",
        "URL": "http://arxiv.org/abs/2304.08485",
        "DOI": "10.48550/arXiv.2304.08485",
        "author": [{"family": "Liu", "given": "Haotian"}, {"family": "Li", "given": "Chunyuan"}],
        "accessed": {"date-parts": [["2024", 5, 2]]},
        "issued": {"date-parts": [["2023", 12, 11]]},
        "keyword": "Computer Science - Computer Vision and Pattern Recognition, vlm",
    },
    {
        "id": "chameleon2024",
        "citation-key": "chameleon2024",
        "type": "paper-conference",
        "title": "<span class=\"nocase\">Chameleon</span>: Mixed-Modal Early-Fusion Foundation Models",
        "container-title": "Proceedings of the 41st International Conference on Machine Learning",
        "event-title": "ICML 2024",
        "page": "1-20",
        "author": [{"literal": "Chameleon Team"}, {"family": "Berg", "non-dropping-particle": "van den", "given": "Ann"}],
        "issued": {"date-parts": [[2024]]},
        "language": "en",
        "custom": {"zotero-key": "ABCD1234"},
    },
]


def zotero_file(tmp_path: Path, items=ZOTERO_ITEMS) -> Path:
    path = tmp_path / "My Library.json"
    path.write_text(json.dumps(items, indent=2), encoding="utf-8")
    return path


def test_a_zotero_item_is_read_into_the_fields_the_library_knows():
    parsed = parse_csl_json(json.dumps(ZOTERO_ITEMS), "zotero")
    assert parsed.rejected == []
    preprint, paper = parsed.papers
    assert preprint.key == ""  # an item URI is no key a document cites: the library gives one
    assert preprint.title == "Visual Instruction Tuning" and preprint.url == "http://arxiv.org/abs/2304.08485"
    assert preprint.abstract == "Instruction tuning large language models (LLMs) using machine-generated data."
    assert preprint.record.fields == {
        "author": "Liu, Haotian and Li, Chunyuan",
        "year": "2023",
        "month": "December",
        "doi": "10.48550/arXiv.2304.08485",
        "eprint": "2304.08485",
        "archiveprefix": "arXiv",
    }
    assert preprint.record.entry_type == "misc" and preprint.record.collections == ("zotero",)
    assert preprint.tags == ("Computer-Science---Computer-Vision-and-Pattern-Recognition", "vlm")
    assert preprint.note == "arXiv:2304.08485 [cs]"
    assert paper.key == "chameleon2024" and paper.title == "Chameleon: Mixed-Modal Early-Fusion Foundation Models"
    assert paper.record.fields == {
        "author": "{Chameleon Team} and van den Berg, Ann",
        "year": "2024",
        "booktitle": "Proceedings of the 41st International Conference on Machine Learning",
        "pages": "1-20",
    }
    assert paper.record.entry_type == "inproceedings"
    assert paper.authors == ("{Chameleon Team}", "van den Berg, Ann") and paper.year == "2024"


def test_every_variable_is_kept_and_an_unchanged_item_goes_out_as_it_came_in(tmp_path: Path):
    library = open_library(tmp_path / "home")
    report = import_files(library, [zotero_file(tmp_path)])
    assert len(report.added) == 2 and report.rejected == []
    written = {entry["title"]: entry for entry in json.loads(export_csl_json(library))}
    for original in ZOTERO_ITEMS:
        again = written[original["title"]]
        key = library.find_key(again["id"]).key
        assert again == {**original, "id": key, **({"citation-key": key} if "citation-key" in original else {})}
    assert list(written["Visual <i>Instruction</i> Tuning"]) == list(ZOTERO_ITEMS[0])  # in the item's own order


def test_an_imported_item_is_cited_in_bibtex_by_its_fields():
    (_, paper) = parse_csl_json(json.dumps(ZOTERO_ITEMS)).papers
    bib = export_bibtex([with_id(paper)])
    entry = parse_bibtex(bib).papers[0]
    assert entry.record.entry_type == "inproceedings" and entry.key == "chameleon2024"
    assert entry.authors == paper.authors and entry.record.fields["booktitle"] == paper.record.fields["booktitle"]


def test_tags_and_notes_changed_in_vlmreader_replace_the_items_keyword_and_note(tmp_path: Path):
    library = open_library(tmp_path / "home")
    import_files(library, [zotero_file(tmp_path)])
    paper = library.find_key("chameleon2024")
    library.add_tags([paper.id], ["to-read"])
    library.set_note(paper.id, "Compare with LLaVA.")
    (written,) = [entry for entry in json.loads(export_csl_json(library)) if entry["id"] == "chameleon2024"]
    assert written["keyword"] == "to-read" and written["note"] == "Compare with LLaVA."
    assert written["language"] == "en" and written["custom"] == {"zotero-key": "ABCD1234"}


def test_an_imported_item_gains_what_a_metadata_source_filled_and_it_lacked():
    (_, paper) = parse_csl_json(json.dumps(ZOTERO_ITEMS)).papers
    record = paper.record
    filled = replace(record, fields={**record.fields, "doi": "10.5555/123"}, provenance=(("doi", "crossref", "2026-12-02"),))
    written = json.loads(export_csl_json([with_id(replace(paper, record=filled))]))[0]
    assert written["DOI"] == "10.5555/123" and written["container-title"] == ZOTERO_ITEMS[1]["container-title"]


def test_an_item_with_a_bundled_papers_title_is_merged_and_reported(library: Library, tmp_path: Path):
    items = [{"id": "mine2024", "type": "article", "title": "Dragonfly: Multi-Resolution Zoom Supercharges Large Visual-Language Model"}]
    report = import_files(library, [zotero_file(tmp_path, items)])
    assert report.added == [] and [paper.key for paper in report.merged] == ["mine2024"]
    assert report.renamed == [("dragonfly", "mine2024")]
    assert library.find_key("dragonfly").key == "mine2024"  # the old key still finds it


# -- rejected items ------------------------------------------------------------------------------------


def test_a_bad_item_in_the_middle_is_reported_with_its_number_and_line_and_the_rest_import(tmp_path: Path):
    text = """[
  {"id": "good1", "type": "article", "title": "First"},
  {"id": "untitled", "type": "article",
   "title": ""},
  "not an item",
  {"id": "good1", "type": "book", "title": "Same id"},
  {"id": "names", "title": "Bad names", "author": "Liu, H."},
  {"id": "date", "title": "Bad date", "issued": [2023]},
  {"id": "twice", "title": "A", "title": "B"},
  {"id": "good2", "type": "book", "title": "Last", "issued": {"raw": "March 2021"}}
]
"""
    parsed = parse_csl_json(text)
    assert [paper.key for paper in parsed.papers] == ["good1", "good2"]
    assert parsed.papers[1].year == "2021"
    assert [(rejection.line, rejection.key, rejection.reason) for rejection in parsed.rejected] == [
        (3, "untitled", "item 2 has no title"),
        (5, None, "item 3 is not an object ({...})"),
        (6, "good1", "item 4 has the id of an earlier item"),
        (7, "names", "item 5 has an author that is not a list of names"),
        (8, "date", "item 6 has an issued date of the wrong shape"),
        (9, "twice", "item 7 repeats the variable title"),
    ]
    target = tmp_path / "refs.json"
    target.write_text(text)
    report = import_files(open_library(tmp_path / "home"), [target])
    assert len(report.added) == 2
    assert report.rejected[0] == f"{target}:3: item 2 has no title (untitled)"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('[{"id": "a", "title": "A"},\n {"id": "b" "title": "B"}]', "not valid JSON: Expecting ',' delimiter (line 2, column 13)"),
        ("@article{x, title={Not JSON}}", "not valid JSON: Expecting value (line 1, column 1)"),
        ('{"id": "a", "title": "A"}', "a CSL-JSON file is an array of items ([{...}, ...]); this one is an object"),
        ("", "not valid JSON: Expecting value (line 1, column 1)"),
        ("[" * 100_000, "not readable JSON: it nests too deeply"),
    ],
)
def test_a_file_that_is_not_a_csl_json_array_is_one_clear_rejection(text: str, reason: str):
    parsed = parse_csl_json(text)
    assert parsed.papers == [] and [rejection.reason for rejection in parsed.rejected] == [reason]


def test_json_files_are_read_as_csl_json():
    parsed = parse_file(Path("exports/My Library.json"), json.dumps(ZOTERO_ITEMS))
    assert len(parsed.papers) == 2 and parsed.papers[0].record.collections == ("My Library",)


def test_better_bibtex_ids_are_the_keys_and_numbers_are_not():
    items = [
        {"id": "DBLP:conf/cvpr/LiuLWL23", "type": "paper-conference", "title": "A"},
        {"id": 17, "type": "book", "title": "B"},
        {"id": "has space", "type": "book", "title": "C"},
        {"id": "x", "citation-key": "liu2023", "type": "book", "title": "D"},
    ]
    assert [paper.key for paper in parse_csl_json(json.dumps(items)).papers] == ["DBLP:conf/cvpr/LiuLWL23", "", "", "liu2023"]


# -- round trips -----------------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_file(enriched_corpus: list[Paper], tmp_path: Path):
    first = export_csl_json(enriched_corpus)
    target = tmp_path / "refs.json"
    target.write_text(first, encoding="utf-8")
    library = open_library(tmp_path / "home")
    report = import_files(library, [target])
    assert len(report.added) == 452 and report.rejected == [] and report.rekeyed == []
    assert export_csl_json(library) == first
    imported = {paper.key: paper for paper in library}
    for paper in enriched_corpus:
        again = imported[paper.key]
        assert (again.title, again.authors, again.tags, again.note) == (citation_of(paper).title, paper.authors, paper.tags, paper.note)
        assert again.record.fields.get("doi", "") == paper.record.fields.get("doi", "").removeprefix("https://doi.org/")


# -- whatever a file holds -------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(sorted(CSL_VARIABLES) + ["family", "given", "literal", "date-parts"]), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_at_all_never_raises(text: str):
    parse_csl_json(text)


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(JSON_VALUES, max_size=6))
def test_every_item_is_imported_or_reported(items: list):
    parsed = parse_csl_json(json.dumps(items))
    assert len(parsed.papers) + len(parsed.rejected) == len(items)
    assert all(rejection.reason.startswith("item ") for rejection in parsed.rejected)
    export_csl_json([with_id(paper, str(number)) for number, paper in enumerate(parsed.papers)])  # and goes out again
