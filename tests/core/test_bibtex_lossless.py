"""A user's own bibliography goes in and comes out unchanged: entry types, keys, every field and
value as written, what the entries rely on, and byte-identical round trips."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pytest

from tests.latex_build import compile_with_biber, compile_with_bibtex
from vlmreader.core.formats.bibtex import export_bibtex, parse_bibtex
from vlmreader.core.importing import import_files
from vlmreader.core.library import Library
from vlmreader.core.search import SearchEngine

FIXTURES = Path(__file__).parent / "bib"
FIXTURE_NAMES = ["references.bib", "biblatex.bib"]
_ENTRY_START = re.compile(r"^\s*@\s*([^\s{(]+)\s*[{(]\s*([^,\s]+)\s*,", re.MULTILINE)


def written_entries(text: str) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """key -> (entry type as written, [(field name, value as written)]) of every entry in `text`."""
    types = {key: entry_type for entry_type, key in _ENTRY_START.findall(text)}
    library = bibtexparser.parse_string(text, parse_stack=[])
    assert library.failed_blocks == []
    return {entry.key: (types[entry.key], [(f.key, f.value) for f in entry.fields]) for entry in library.entries}


def first_difference(before: str, after: str, ignore: frozenset[str] = frozenset()) -> str | None:
    """The first way `after` does not hold `before`'s entries as written, or None."""
    old, new = written_entries(before), written_entries(after)
    for key, (entry_type, fields) in old.items():
        if key not in new:
            return f"{key}: missing"
        new_type, new_fields = new[key]
        if new_type != entry_type:
            return f"{key}: type {entry_type!r} came back as {new_type!r}"
        kept = [(name, value) for name, value in new_fields if name.lower() not in ignore]
        wanted = [(name, value) for name, value in fields if name.lower() not in ignore]
        for position, (want, got) in enumerate(zip(wanted, kept)):
            if want != got:
                return f"{key}: field {position + 1} was {want!r}, came back as {got!r}"
        if len(wanted) != len(kept):
            return f"{key}: {len(wanted)} fields came back as {len(kept)}: {[n for n, _ in kept]}"
    return None


def imported(tmp_path: Path, *names: str) -> Library:
    library = Library(tmp_path / "home")
    report = import_files(library, [FIXTURES / name for name in names])
    assert report.rejected == [] and report.warnings == [], report.rejected + report.warnings
    return library


def export_all(library: Library) -> str:
    return export_bibtex(library, library.find_key)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_entry_comes_back_exactly_as_written(tmp_path: Path, name: str):
    exported = export_all(imported(tmp_path, name))
    assert first_difference((FIXTURES / name).read_text(encoding="utf-8"), exported) is None
    assert "⟨U+" not in exported  # never a placeholder for text 7-bit BibTeX cannot hold


def test_what_the_entries_rely_on_comes_with_them(tmp_path: Path):
    exported = export_all(imported(tmp_path, "references.bib"))
    assert exported.startswith('@preamble{ "\\providecommand{\\noopsort}[1]{}" }\n')
    assert re.search(r'@string\{cvpr\s+= "Proceedings of the \{IEEE/CVF\} Conference', exported)
    assert re.search(r"@string\{Ttl\s+= \{Vision\}\}", exported)
    assert "@comment{jabref-meta: databaseType:bibtex;}" in exported  # JabRef's metadata, after the entries
    assert exported.rstrip().endswith("1 StaticGroup:Reading list\\;0\\;1\\;\\;\\;\\;;}")
    assert "Reading notes for chapter 2" not in exported  # a file's own remarks belong to no entry
    assert exported.index("@inproceedings{child1,") < exported.index("@proceedings{parent2020,")


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_export_import_export_is_byte_identical(tmp_path: Path, name: str):
    first = export_all(imported(tmp_path / "one", name))
    again = tmp_path / "first.bib"
    again.write_text(first, encoding="utf-8")
    fresh = Library(tmp_path / "two" / "home")
    assert import_files(fresh, [again]).rejected == []
    assert export_all(fresh) == first


def test_the_bundled_papers_round_trip_byte_identically(library: Library, tmp_path: Path):
    first = export_all(library)
    path = tmp_path / "bundled.bib"
    path.write_text(first, encoding="utf-8")
    fresh = Library(tmp_path / "fresh")
    assert len(import_files(fresh, [path]).added) == 452
    assert export_all(fresh) == first
    report = import_files(library, [path])  # back into the library it came from
    assert len(report.merged) == 452 and report.renamed == [] and report.rekeyed == []
    assert export_all(library) == first


def test_keys_are_kept_byte_for_byte(tmp_path: Path):
    library = imported(tmp_path, "references.bib")
    keys = {paper.key for paper in library}
    assert {"DBLP:conf/cvpr/LiuLWL23", "knuth:tex*1", "edit1995", "edit1996"} <= keys
    odd = parse_bibtex("@misc{o'brien*2020/x, title={Odd Key}}\n").papers
    library.add_papers(odd)
    assert library.resolve("o'brien*2020/x").title == "Odd Key"


def test_an_entry_for_a_bundled_paper_enriches_it_and_gives_it_the_users_key(library: Library, tmp_path: Path):
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@article{li2023blip2,\n  title = {{BLIP-2}: Bootstrapping Language-Image Pre-training with Frozen Image"
        " Encoders and Large Language Models},\n  author = {Li, Junnan and Li, Dongxu and Savarese, Silvio and"
        " Hoi, Steven},\n  year = {2023},\n}\n",
        encoding="utf-8",
    )
    before = library.resolve("blip-2")
    report = import_files(library, [bib])
    assert [paper.id for paper in report.merged] == [before.id] and report.added == []
    assert report.renamed == [("blip-2", "li2023blip2")]
    paper = library.resolve("blip-2")  # the old key still finds it
    assert paper.key == "li2023blip2" and paper.record.fields["author"].startswith("Li, Junnan")
    exported = export_bibtex([paper])
    assert "@article{li2023blip2," in exported and re.search(r"\n  ids\s+= \{blip-2\}\n", exported)


def test_the_same_title_by_other_authors_in_other_years_is_another_paper(tmp_path: Path):
    library = imported(tmp_path, "references.bib")
    editorials = [paper for paper in library if paper.title == "Editorial Comments"]
    assert sorted(paper.key for paper in editorials) == ["edit1995", "edit1996"]
    later = tmp_path / "later.bib"
    later.write_text("@article{white2001, title = {Editorial comments}, author = {White, C.}, year = 2001}\n")
    report = import_files(library, [later])
    assert [paper.key for paper in report.added] == ["white2001"]
    assert {other.key for _, other in report.possible_duplicates} == {"edit1995", "edit1996"}
    found = SearchEngine(library).search("is:duplicate").paper_ids()
    assert sorted(library.get(paper_id).key for paper_id in found) == ["edit1995", "edit1996", "white2001"]
    assert len(SearchEngine(library).search("-is:duplicate")) == len(library) - 3


def test_one_doi_is_one_paper_whatever_its_title(tmp_path: Path):
    one, two = tmp_path / "one.bib", tmp_path / "two.bib"
    one.write_text("@article{a2020, title = {Seeing Things}, doi = {10.1000/xyz}, year = 2020}\n")
    two.write_text("@article{b2020, title = {Seeing Things: Extended}, doi = {https://doi.org/10.1000/XYZ}}\n")
    library = Library(tmp_path / "home")
    import_files(library, [one])
    report = import_files(library, [two])
    assert report.added == [] and len(report.merged) == 1 and len(library) == 1
    assert library.resolve("a2020").key == "b2020"


def test_a_tag_or_note_changed_in_vlmreader_is_the_only_change(tmp_path: Path):
    library = imported(tmp_path, "references.bib")
    paper = library.resolve("cu2o")
    library.add_tags([paper.id], ["to-cite"])
    library.set_note(paper.id, "Mine now")
    exported = export_all(library)
    text = (FIXTURES / "references.bib").read_text(encoding="utf-8")
    assert first_difference(text, exported, ignore=frozenset({"keywords", "note"})) is None
    fields = dict(written_entries(exported)["cu2o"][1])
    assert fields["keywords"] == "{crystal growth, oxide films, to-cite}"
    assert fields["note"] == "{Mine now}"


def test_the_reading_shown_is_unicode_not_latex(tmp_path: Path):
    library = imported(tmp_path, "references.bib", "biblatex.bib")
    knuth = library.resolve("knuth:tex*1")
    assert "\\" not in knuth.title and "TeX" in knuth.title and "LaTeX" in knuth.title
    assert library.resolve("ivanov2020").record.fields["author"] == "Иванов, Иван and 山田, 太郎"
    assert library.resolve("cu2o").record.fields["author"].startswith("Müller, Jörg and Müller, Anna and Müller, Eva")
    assert library.resolve("cu2o").title.startswith("Growth of Cu_2O Films: A Study of")  # \noopsort prints nothing


@pytest.mark.parametrize("compile_bib", [compile_with_bibtex, compile_with_biber], ids=["bibtex", "biber"])
def test_the_export_compiles_where_the_input_does(compile_bib, tmp_path: Path):
    text = (FIXTURES / "references.bib").read_text(encoding="utf-8")
    compile_bib(text, tmp_path / "input")  # the fixture is meant to compile with both
    compile_bib(export_all(imported(tmp_path, "references.bib")), tmp_path / "export")


def test_a_note_or_tag_written_into_the_users_entry_keeps_its_unicode(tmp_path: Path):
    library = imported(tmp_path, "biblatex.bib")
    paper = library.resolve("ivanov2020")
    library.set_note(paper.id, "Прочитать: 50% ✓ {важно}")
    library.add_tags([paper.id], ["зрение"])
    fields = dict(written_entries(export_all(library))["ivanov2020"][1])
    assert fields["note"] == r"{Прочитать: 50\% ✓ {важно}}"  # balanced braces are groups, as ever
    assert fields["keywords"] == "{зрение}"
    assert "⟨U+" not in export_all(library)
