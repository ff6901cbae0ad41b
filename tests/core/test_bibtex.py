"""BibTeX export and import: what the file holds, that it compiles, and that it reads back.

The compile tests run pdflatex with BibTeX (plain.bst) and with Biber (biblatex). They skip when
the tools are missing, unless VLMREADER_REQUIRE_LATEX=1 (set by .ci/run), which makes a missing
tool a failure.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import unicodedata
from pathlib import Path

import bibtexparser
import pytest

from tests.latex_build import compile_with_biber, compile_with_bibtex
from tests.papers import offered
from vlmreader.core.formats.bibtex import BIBLIOGRAPHIC_FIELDS, export_bibtex, export_to_file, parse_bibtex
from vlmreader.core.formats.latex import from_latex
from vlmreader.core.library import Library
from vlmreader.core.models import UserError
from vlmreader.core.text import normalize_title


EXPORTED_FIELDS = {"title", "url", "keywords", "abstract", "note", "addendum", *BIBLIOGRAPHIC_FIELDS}

NASTY_PAPERS = [
    offered(
        title=r"GenderBias-\emph{VL}: 15% of Vision&Language $1 models_x #1 <obj> | {unbalanced ^ ~20",
        abstract=(
            r"The \textbf{UniHOI} method, see \href{https://genderbiasvl.github.io/{website}.} and "
            r"\url{https://github.com/x/multimodal_textbook}; models~(VLMs) at~https://huggingface.co/x, "
            r"{\mu}-Bench, \mu, VILA^2, S^2, \eg, \methodname, \OurMethod, \ours, [CLS], μ and a no-break"
            "\xa0space, 17.76\\% vs 15%, 76\\(\\%\\), \\textasciitilde42\\%, reasoning} resumes, C:\\dir\\"
        ),
        url="https://example.org/a b/{x}?q=1%20#frag",
    ),
    offered(
        title="[bold]Markup[/] and [CLS] Tokens: \\ours, μ-Bench, “Quotes” — Ünïcödé ✓ 中文 ℝ Ȩ",
        abstract="Line one.\n\nLine two with a tab\tand 100% & more.",
        fields={
            "author": "{Gemini Team} and Müller, Jörg and O'Brien, Seán",
            "year": "2024",
            "month": "March",
            "journal": "Journal of {Vision & Language} Models",
            "pages": "1--10",
            "doi": "10.1000/x_y<z>{1}",
            "eprint": "2401.00001",
            "archiveprefix": "arXiv",
            "primaryclass": "cs.CV",
        },
        entry_type="article",
    ),
    offered(title="Dragonfly: Multi-Resolution Zoom Supercharges Large Visual-Language Model"),
]

# Every letter of Latin-1, Latin Extended-A and Greek (Biber turns accents into Unicode, which
# LaTeX must then know), and the symbols people paste. Whole symbol blocks would slow Biber down.
CHARACTER_SWEEP = "".join(
    chr(code)
    for start, end in [(0xA0, 0x17F), (0x370, 0x3FF)]
    for code in range(start, end + 1)
    if unicodedata.category(chr(code)) != "Cn"
) + "‐–—‘’“”†‡•…‰′″‹›€™←↑→↓↔⇒⇔∀∂∃∅∇∈∉∏∑−∓∗√∝∞∠∧∨∩∪∫∼≈≠≡≤≥⊂⊃⊆⊇⊕⊗⊥⋅ℓℝ✓✗中文😀"

NASTY_ANNOTATIONS = [
    (["hi_res", "vision&language", "#todo", "50%", "{odd", "back\\slash", "^2", "<tag>", "a|b", "$$", "semi;colon"], ""),
    (
        ["unicode-✓", "Jörg"],
        "Read **section 3** first: 15% gain.\n\n\n@misc{not-an-entry,\n  % not a comment\n}\n\\par \\end{document} }{",
    ),
    ([], "[bold]x[/] [CLS] <b>bold</b> ~20% \\ours\n\n- item one\n- item two"),
]


@pytest.fixture
def small_library(tmp_path: Path) -> Library:
    """A library without the bundled corpus."""
    return Library(tmp_path / "small-home")


@pytest.fixture
def nasty_library(small_library: Library) -> Library:
    """Papers whose titles, abstracts, fields, tags and notes are full of LaTeX-special text."""
    sweep = offered(title=f"Every Character: {CHARACTER_SWEEP[::5]}")
    report = small_library.add_papers([*NASTY_PAPERS, sweep])
    for paper, (tags, note) in zip(report.added, NASTY_ANNOTATIONS):
        if tags:
            small_library.add_tags([paper.id], tags)
        if note:
            small_library.set_note(paper.id, note)
    small_library.set_note(report.added[-1].id, CHARACTER_SWEEP)
    return small_library


@pytest.fixture(scope="module")
def corpus_export(shared_library: Library) -> str:
    return export_bibtex(shared_library)


def entries_by_key(bib: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(bib)
    assert library.failed_blocks == []
    return {entry.key: {field.key: field.value for field in entry.fields} for entry in library.entries}


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# -- export ----------------------------------------------------------------------------


def test_export_has_one_entry_per_paper_sorted_by_key(shared_library: Library, corpus_export: str):
    assert len(re.findall(r"^@", corpus_export, re.MULTILINE)) == 452
    entries = bibtexparser.parse_string(corpus_export)
    assert entries.failed_blocks == []
    keys = [entry.key for entry in entries.entries]
    assert keys == sorted(keys, key=str.casefold)
    assert set(keys) == {paper.key for paper in shared_library}


def test_exported_titles_read_back_as_the_papers_titles(shared_library: Library, corpus_export: str):
    entries = entries_by_key(corpus_export)
    for paper in shared_library:
        assert normalize_title(from_latex(entries[paper.key]["title"])) == normalize_title(paper.title)


def test_export_writes_only_bibliographic_fields_and_omits_empty_ones(library: Library):
    paper = library.resolve("dragonfly")
    library.set_starred([paper.id], True)
    library.set_status([paper.id], "reading")
    entry = entries_by_key(export_bibtex([library.get(paper.id)]))["dragonfly"]
    assert set(entry) == {"title", "abstract", "url"}  # no tags, note, star or status
    assert entry["title"].startswith("{Dragonfly}: ")


def test_export_writes_tags_as_keywords_and_the_note(library: Library):
    paper = library.resolve("dragonfly")
    library.add_tags([paper.id], ["hi_res", "zoom"])
    library.set_note(paper.id, "Read section 3.\n\n15% better.")
    entry = entries_by_key(export_bibtex([library.get(paper.id)]))["dragonfly"]
    assert entry["keywords"] == r"hi\_res, zoom"
    assert entry["note"] == "Read section 3.\n\n15\\% better."


def test_export_falls_back_to_an_imported_note_and_encodes_urls(small_library: Library):
    small_library.add_papers(
        [
            offered(title="A Paper", url="https://x.org/a b/{c}", fields={"note": "In press"}),
            offered(title="Another Paper", url="https://github.com/x/y", fields={"doi": "10.1/a_b"}),
        ]
    )
    entries = entries_by_key(export_bibtex(small_library))
    assert entries["paper"]["note"] == "In press"
    assert entries["paper"]["url"] == "https://x.org/a%20b/%7Bc%7D"
    assert entries["another-paper"]["doi"] == "10.1/a_b"
    # The paper's own page is its url; the code link it came with goes to the addendum.
    assert entries["another-paper"]["url"] == "https://doi.org/10.1/a_b"
    assert entries["another-paper"]["addendum"] == "Code: \\url{https://github.com/x/y}"


def test_month_names_become_month_macros(small_library: Library):
    small_library.add_papers([offered(title="A Paper", fields={"month": "March", "year": "2024"})])
    assert re.search(r"^  month\s+= mar,?$", export_bibtex(small_library), re.MULTILINE)


def test_nasty_papers_export_to_a_file_bibtexparser_reads(nasty_library: Library):
    entries = entries_by_key(export_bibtex(nasty_library))
    assert len(entries) == 4
    for entry in entries.values():
        assert set(entry) <= EXPORTED_FIELDS


def test_nasty_tags_and_plain_text_notes_read_back_exactly(nasty_library: Library):
    parsed = {paper.key: paper for paper in parse_bibtex(export_bibtex(nasty_library)).papers}
    for paper in nasty_library:
        assert parsed[paper.key].tags == paper.tags
    markup_note = next(paper for paper in nasty_library if paper.note.startswith("[bold]"))
    assert parsed[markup_note.key].note == markup_note.note


# -- compiling -------------------------------------------------------------------------

@pytest.mark.parametrize("compile_bib", [compile_with_bibtex, compile_with_biber], ids=["bibtex", "biber"])
def test_corpus_export_compiles(compile_bib, corpus_export: str, tmp_path: Path):
    compile_bib(corpus_export, tmp_path / "build")


@pytest.mark.parametrize("compile_bib", [compile_with_bibtex, compile_with_biber], ids=["bibtex", "biber"])
def test_nasty_papers_compile(compile_bib, nasty_library: Library, tmp_path: Path):
    compile_bib(export_bibtex(nasty_library), tmp_path / "build")


# -- import ----------------------------------------------------------------------------


def test_export_reads_back_and_merges_into_the_same_library(library: Library):
    papers = list(library)
    annotated = papers[:: len(papers) // 6]
    notes = [
        "Read **section 3** first.\n\n- 15% gain on MM-Vet & SEED_bench\n- compare with #42",
        "Costs ~$5 per run; ~20% faster. [CLS] <obj> x^2 C:\\dir\\ “quotes” ✓",
        "@alice: see the appendix",
        "",
    ]
    for number, paper in enumerate(annotated):
        library.add_tags([paper.id], ["vlm", f"batch_{number}", "a&b", "#1"])
        if notes[number % len(notes)]:
            library.set_note(paper.id, notes[number % len(notes)])
    before = {paper.id: paper for paper in library}

    parsed = parse_bibtex(export_bibtex(library))
    assert parsed.rejected == []
    assert len(parsed.papers) == 452
    for new in parsed.papers:
        paper = library.resolve(new.key)
        assert normalize_title(new.title) == normalize_title(paper.title)
        assert new.tags == paper.tags
        assert new.note == paper.note

    report = library.add_papers(parsed.papers)
    assert report.added == [] and report.rekeyed == [] and len(report.merged) == 452
    after = {paper.id: paper for paper in library}
    assert {pid: p.key for pid, p in after.items()} == {pid: p.key for pid, p in before.items()}
    assert {pid: (p.tags, p.note) for pid, p in after.items()} == {pid: (p.tags, p.note) for pid, p in before.items()}


HAND_MADE_BIB = r"""% A .bib as people write them.
@string{cvpr = "Proceedings of {CVPR}"}
@comment{Nothing to see}
@preamble{"\newcommand{\noopsort}[1]{}"}

@InProceedings{liu2023llava,
  Title         = {{LLaVA}: Visual Instruction
                   Tuning},
  author        = {Liu, Haotian and Li, Chunyuan and {Gemini Team}},
  booktitle     = cvpr,
  year          = 2023,
  month         = apr,
  doi           = {10.48550/arXiv.2304.08485},
  eprint        = {2304.08485},
  archivePrefix = {arXiv},
  keywords      = {instruction tuning, vision language; VLM, ""quoted"", -dash, vlm},
  note          = {Read {\"u}ber carefully; 15\% faster},
  url           = {https://llava-vl.github.io/},
  file          = {llava.pdf},
}

@article{broken,
  title = {Unbalanced {braces,
  year = {2024},
}

@misc{wang2024qwen2vl,
  title = "Qwen2-VL: Enhancing Vision-Language Model's Perception of the World",
  abstract = {We present the Qwen2-VL Series, 15% better.},
}

@misc{notitle,
  author = {Nobody},
}

@misc{liu2023llava,
  title = {A second entry with the same key},
}
"""


def test_import_reads_good_entries_and_reports_bad_ones_with_their_lines(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING):
        parsed = parse_bibtex(HAND_MADE_BIB)
    assert caplog.records == []  # failures are reported, not logged

    assert [paper.key for paper in parsed.papers] == ["liu2023llava", "wang2024qwen2vl"]
    llava, qwen = parsed.papers
    assert llava.title == "LLaVA: Visual Instruction Tuning"
    assert llava.record.entry_type == "InProceedings"  # as written
    assert llava.record.fields == {
        "author": "Liu, Haotian and Li, Chunyuan and {Gemini Team}",
        "booktitle": "Proceedings of CVPR",
        "year": "2023",
        "month": "apr",
        "doi": "10.48550/arXiv.2304.08485",
        "eprint": "2304.08485",
        "archiveprefix": "arXiv",
        "file": "llava.pdf",
    }
    assert llava.tags == ("instruction-tuning", "vision-language", "VLM")
    assert llava.note == "Read über carefully; 15% faster"
    assert llava.url == "https://llava-vl.github.io/"
    assert qwen.title == "Qwen2-VL: Enhancing Vision-Language Model's Perception of the World"
    assert qwen.abstract == "We present the Qwen2-VL Series, 15% better."
    assert qwen.record.entry_type == "misc" and qwen.tags == () and qwen.note == ""

    rejected = {(rejection.line, rejection.key): rejection.reason for rejection in parsed.rejected}
    assert list(rejected) == [
        (line_of(HAND_MADE_BIB, "@article{broken"), "broken"),
        (line_of(HAND_MADE_BIB, "@misc{notitle"), "notitle"),
        (line_of(HAND_MADE_BIB, "@misc{liu2023llava"), "liu2023llava"),
    ]
    reasons = list(rejected.values())
    assert "unbalanced" in reasons[0]
    assert reasons[1] == "entry has no title"
    assert "duplicate key" in reasons[2]


def test_imported_fields_survive_into_the_export_as_written(small_library: Library):
    small_library.add_papers(parse_bibtex(HAND_MADE_BIB).papers)
    bib = export_bibtex(small_library)
    assert bib.startswith('@preamble{"\\newcommand{\\noopsort}[1]{}"}\n\n@string{cvpr')
    llava = bibtexparser.parse_string(bib, parse_stack=[]).entries_dict["liu2023llava"]
    assert llava.entry_type == "inproceedings" and "@InProceedings{liu2023llava," in bib
    written = {field.key: field.value for field in llava.fields}
    assert written["Title"] == "{{LLaVA}: Visual Instruction\n                   Tuning}"
    assert written["booktitle"] == "cvpr" and written["year"] == "2023" and written["month"] == "apr"
    assert written["keywords"] == '{instruction tuning, vision language; VLM, ""quoted"", -dash, vlm}'
    assert written["note"] == r"{Read {\"u}ber carefully; 15\% faster}"
    assert written["file"] == "{llava.pdf}"


def test_a_file_without_entries_imports_nothing():
    assert parse_bibtex("% just a comment\n").papers == []
    assert parse_bibtex("").rejected == []


# -- writing an export where the user says ---------------------------------------------------


def small_export(library: Library) -> list:
    return [library.resolve("dragonfly"), library.resolve("mm-vet")]


def test_export_through_a_symlink_writes_its_target_and_keeps_the_link(library: Library, tmp_path: Path):
    target = tmp_path / "thesis" / "refs.bib"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "refs.bib"
    link.symlink_to(target)
    export_to_file(small_export(library), link)
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text().startswith("@misc{dragonfly,")


def test_export_keeps_the_files_mode_and_owner_and_a_new_file_gets_the_shells_mode(library: Library, tmp_path: Path):
    existing = tmp_path / "refs.bib"
    existing.write_text("old\n")
    existing.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(existing, 1234, 1234)
    export_to_file(small_export(library), existing)
    status = existing.stat()
    assert stat.S_IMODE(status.st_mode) == 0o644
    if os.geteuid() == 0:
        assert (status.st_uid, status.st_gid) == (1234, 1234)
    mask = os.umask(0o022)
    try:
        export_to_file(small_export(library), tmp_path / "new.bib")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.bib").stat().st_mode) == 0o644


def test_export_refuses_a_file_the_user_cannot_write(library: Library, tmp_path: Path, monkeypatch):
    readonly = tmp_path / "refs.bib"
    readonly.write_text("mine\n")
    readonly.chmod(0o444)
    if os.geteuid() == 0:  # root may write anything, as the shell's > lets it: act as a user
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, m, **kw: False if Path(p) == readonly else real_access(p, m, **kw))
    with pytest.raises(UserError, match=r"refs\.bib: it is read-only"):
        export_to_file(small_export(library), readonly)
    assert readonly.read_text() == "mine\n"


def test_export_to_a_pipe_streams_into_it(library: Library, tmp_path: Path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    export_to_file(small_export(library), fifo)
    reader.join(timeout=10)
    assert received and received[0].startswith(b"@misc{dragonfly,")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(UserError, match="not a regular file"):
        export_to_file(small_export(library), fifo, append=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_export_to_a_device_writes_to_it_and_leaves_the_node(library: Library, tmp_path: Path):
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a twin of /dev/null
    export_to_file(small_export(library), null)
    assert stat.S_ISCHR(null.stat().st_mode)


def test_a_large_export_aligns_every_value_on_the_longest_field_name_in_the_file():
    # The text goes out a thousand entries at a time; the one long name is in the last thousand.
    papers = [offered(f"Paper {number}", id=f"p{number}", key=f"paper-{number:04d}") for number in range(2_500)]
    papers.append(offered("Last", id="last", key="zzz", fields={"eprint": "2304.08485", "archiveprefix": "arXiv"}))
    text = export_bibtex(papers)
    assert {line.index("= ") for line in text.splitlines() if line.startswith("  ")} == {len("  archiveprefix ")}
    assert text.count("\n\n@") == 2_500 and "\n\n\n" not in text
    assert len(bibtexparser.parse_string(text).entries) == 2_501


def test_export_dash_in_the_app_is_refused(library: Library):
    with pytest.raises(UserError, match="give a file name"):
        export_to_file(small_export(library), "-")
