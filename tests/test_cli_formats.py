"""`vlmreader export` in every format (from the file name, or --format) and `vlmreader import` of
CSL-JSON and RIS, through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rispy

from vlmreader.cli import main
from vlmreader.core.formats.markdown import export_markdown
from vlmreader.core.importing import bundled_pages, open_library
from vlmreader.resources import data_dir


@pytest.fixture
def run(tmp_path: Path, capsys):
    """Run `vlmreader ARGS --home HOME` in-process; returns (exit code, stdout, stderr)."""

    def run(*arguments: str, home: str = "home") -> tuple[int, str, str]:
        code = main([*arguments, "--home", str(tmp_path / home)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_the_file_name_says_the_format(run, tmp_path: Path):
    assert run("tag", "dragonfly", "pick")[0] == 0 and run("tag", "llava-uhd", "pick")[0] == 0
    for name, check in (
        ("refs.json", lambda text: [item["id"] for item in json.loads(text)] == ["dragonfly", "llava-uhd"]),
        ("refs.ris", lambda text: [record["id"] for record in rispy.loads(text)] == ["dragonfly", "llava-uhd"]),
        ("list.md", lambda text: text.startswith("# Reading list\n\n- [Dragonfly") and "\n- [LLaVA-UHD: an LMM" in text),
        ("refs.bib", lambda text: text.startswith("@misc{dragonfly,") and "@misc{llava-uhd," in text),
    ):
        target = tmp_path / name
        code, out, err = run("export", "tag:pick", "-o", str(target))
        assert code == 0 and out == "" and err.startswith("exported 2 papers to "), err
        assert check(target.read_text(encoding="utf-8")), target.read_text()


def test_format_overrides_the_name_and_bibtex_is_the_default_on_stdout(run, tmp_path: Path):
    code, out, _ = run("export", "dragonfly")
    assert code == 0 and out.startswith("@misc{dragonfly,")
    code, out, _ = run("export", "dragonfly", "--format", "csl-json")
    assert code == 0 and json.loads(out)[0]["id"] == "dragonfly"
    code, out, _ = run("export", "dragonfly", "-f", "biblatex", "-o", "-")
    assert code == 0 and out.startswith("@misc{dragonfly,")
    target = tmp_path / "refs.bib"
    code, _, err = run("export", "dragonfly", "--format", "ris", "-o", str(target))
    assert code == 0 and err.endswith("(ris)\n") and target.read_text().startswith("TY  - GEN\nID  - dragonfly\n")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-o", "refs.txt"], "vlmreader: error: cannot tell the format from '.txt': give --format (bibtex, biblatex, csl-json, ris, markdown)"),
        (["--format", "endnote"], "vlmreader: error: unknown format 'endnote': use one of bibtex, biblatex, csl-json, ris, markdown\n"),
    ],
)
def test_an_unknown_format_is_one_line_listing_the_formats(run, tmp_path: Path, arguments: list[str], message: str):
    code, out, err = run("export", "dragonfly", *arguments)
    assert code == 1 and out == "" and err.startswith(message) and err.count("\n") == 1
    assert not (tmp_path / "refs.txt").exists()


def test_csl_json_and_ris_import_with_a_bad_item_reported_by_position(run, tmp_path: Path):
    zotero = tmp_path / "zotero.json"
    zotero.write_text(
        '[\n  {"id": "mine2024", "type": "article-journal", "title": "Mine", "author": [{"family": "Me", "given": "I."}]},\n'
        '  {"id": "broken", "type": "book"},\n'
        '  {"id": "other2023", "type": "book", "title": "Other"}\n]\n'
    )
    endnote = tmp_path / "endnote.ris"
    endnote.write_text("TY  - JOUR\nTI  - From EndNote\nID  - endnote1\nER  - \n\nTY  - JOUR\nAU  - Untitled, U.\nER  - \n")
    code, out, err = run("import", str(zotero), str(endnote))
    assert code == 1
    assert out.endswith("3 added, 0 merged, 0 possible duplicates, 0 keys changed, 2 rejected\n")
    assert err.splitlines() == [
        f"rejected  {zotero}:3: item 2 has no title (broken)",
        f"rejected  {endnote}:6: the record has no title (TI or T1)",
    ]
    code, out, _ = run("show", "mine2024", "--json")
    shown = json.loads(out)
    assert shown["collections"] == ["zotero"] and shown["fields"]["author"] == "Me, I."
    assert json.loads(run("show", "endnote1", "--json")[1])["title"] == "From EndNote"


def test_a_file_that_is_not_json_is_one_rejection(run, tmp_path: Path):
    bad = tmp_path / "refs.json"
    bad.write_text("{not json")
    code, out, err = run("import", str(bad))
    assert code == 1 and err == f"rejected  {bad}:1: not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)\n"


@pytest.mark.parametrize("name", ["refs.json", "refs.ris"])
def test_export_import_export_through_the_command_line(run, tmp_path: Path, name: str):
    assert run("tag", "dragonfly", "hi-res")[0] == 0
    assert run("note", "dragonfly", "Zoom *in*; compare [CLS].")[0] == 0
    first = tmp_path / f"first-{name}"
    assert run("export", "-o", str(first))[0] == 0
    code, out, _ = run("import", str(first), home="other")
    assert code == 0 and out.startswith("0 added, 452 merged")  # the other home has the bundled papers
    again = tmp_path / f"again-{name}"
    assert run("export", "-o", str(again), home="other")[0] == 0
    assert again.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    shown = json.loads(run("show", "dragonfly", "--json", home="other")[1])
    assert shown["tags"] == ["hi-res"] and shown["note"] == "Zoom *in*; compare [CLS]."



def test_exporting_every_paper_lists_them_as_an_empty_search_does_without_building_its_index(run, tmp_path: Path):
    code, listed, _ = run("export", "-f", "markdown")
    assert code == 0 and not (tmp_path / "home" / "search-index.bin").exists()
    searched = json.loads(run("search", "--json", "--limit", "1000")[1])
    library = open_library(tmp_path / "home", bundled_pages(data_dir()))
    assert len(searched) == 452 and listed == export_markdown([library.get(paper["id"]) for paper in searched])
