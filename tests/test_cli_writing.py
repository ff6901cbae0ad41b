"""Writing with vlmreader from the command line: kept exports and exports of what a document cites."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import run_process


def entry_keys(text: str) -> list[str]:
    return [line.split("{", 1)[1].rstrip(",") for line in text.splitlines() if line.startswith("@")]


@pytest.fixture
def kept(run, tmp_path: Path) -> Path:
    """refs.bib in a paper folder, kept up to date with the starred papers."""
    folder = tmp_path / "paper"
    folder.mkdir()
    target = folder / "refs.bib"
    code, _, err = run("export", "is:starred", "-o", str(target), "--keep")
    assert code == 0 and "kept up to date" in err
    return target


def test_a_kept_export_follows_every_change(run, kept: Path):
    assert entry_keys(kept.read_text()) == []

    _, _, err = run("star", "llava-uhd", "dragonfly")
    assert sorted(entry_keys(kept.read_text())) == ["dragonfly", "llava-uhd"]
    assert f"kept export {kept} rewritten (2 papers)" in err

    run("unstar", "dragonfly")
    assert entry_keys(kept.read_text()) == ["llava-uhd"]


def test_a_change_that_alters_nothing_it_shows_writes_nothing(run, kept: Path):
    run("star", "llava-uhd")
    before = kept.stat().st_mtime_ns
    os.utime(kept, ns=(before - 10**9, before - 10**9))

    _, _, err = run("status", "mm-vet", "queued")  # not starred: not in the export

    assert kept.stat().st_mtime_ns == before - 10**9 and "rewritten" not in err


def test_another_process_change_rewrites_it(run, kept: Path, home: Path):
    result = run_process("star", "mm-vet", home=home)

    assert result.returncode == 0 and entry_keys(kept.read_text()) == ["mm-vet"]


def test_a_hand_edited_kept_file_is_never_overwritten(run, kept: Path):
    run("star", "llava-uhd")
    edited = kept.read_text() + "% my own entry\n"
    kept.write_text(edited)

    code, _, err = run("star", "dragonfly")

    assert code == 0 and kept.read_text() == edited
    assert "was edited since vlmreader wrote it" in err and "--rewrite" in err and "--drop" in err
    code, _, err = run("exports", "--rewrite", str(kept))
    assert code == 0 and sorted(entry_keys(kept.read_text())) == ["dragonfly", "llava-uhd"]


def test_a_missing_folder_is_reported_not_created(run, kept: Path):
    kept.unlink()
    kept.parent.rmdir()

    code, _, err = run("star", "llava-uhd")

    assert code == 0 and "there is no folder" in err and "not written" in err and not kept.parent.exists()


def test_exports_lists_and_drops(run, kept: Path):
    run("star", "llava-uhd")
    _, out, _ = run("exports", "--json")
    listed = json.loads(out)
    assert [(e["path"], e["query"], e["format"], e["papers"]) for e in listed] == [(str(kept), "is:starred", "bibtex", 1)]
    assert listed[0]["written_at"]

    code, _, _ = run("exports", "--drop", str(kept))
    run("star", "dragonfly")
    assert code == 0 and entry_keys(kept.read_text()) == ["llava-uhd"]
    _, out, err = run("exports")
    assert out == "" and "no kept exports" in err


def test_a_kept_export_in_another_format(run, tmp_path: Path):
    target = tmp_path / "refs.json"
    run("export", "tag:cite", "-o", str(target), "--keep")

    run("tag", "llava-uhd", "cite")

    assert [item["id"] for item in json.loads(target.read_text())] == ["llava-uhd"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["export", "is:starred", "--keep"], "--keep needs a query and a file"),
        (["exports", "--drop", "nowhere.bib"], "nowhere.bib is not a kept export"),
        (["export", "is:bogus", "-o", "x.bib", "--keep"], "unknown filter is:bogus"),
        (["export", "llava", "--aux", "x.aux"], "not both"),
    ],
)
def test_writing_errors_are_one_line(home: Path, arguments, message, tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "vlmreader", *arguments],
        capture_output=True, text=True, cwd=tmp_path, env=dict(os.environ, VLMREADER_HOME=str(home)), timeout=120,
    )
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# -- exporting what a document cites --------------------------------------------------------


def test_export_what_a_latex_source_cites(run, tmp_path: Path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "intro.tex").write_text("As \\citet{dragonfly} shows.\n")
    main = tmp_path / "paper.tex"
    main.write_text("\\input{sections/intro}\nSee \\citep[p.~3]{llava-uhd, mm-vet}. % \\cite{not-this}\n")

    code, out, err = run("export", "--tex", str(main))

    assert code == 0 and entry_keys(out) == ["dragonfly", "llava-uhd", "mm-vet"] and err == ""


def test_export_what_an_aux_cites_and_say_what_is_missing(run, tmp_path: Path):
    aux = tmp_path / "paper.aux"
    aux.write_text("\\relax\n\\citation{llava-uhd}\n\\citation{llava-hd,dragonfly}\n\\bibstyle{plain}\n")
    target = tmp_path / "refs.bib"

    code, _, err = run("export", "--aux", str(aux), "-o", str(target))

    assert code == 1
    assert sorted(entry_keys(target.read_text())) == ["dragonfly", "llava-uhd"]
    assert "not in the library: llava-hd (did you mean llava-uhd" in err
    assert "1 cited key not in the library" in err


def test_export_what_a_markdown_document_cites(run, tmp_path: Path):
    document = tmp_path / "paper.md"
    document.write_text("Zooming helps [@dragonfly; see @llava-uhd, p. 3]. Mail me@example.com.\n\n`@mm-vet`\n")

    code, out, _ = run("export", "--md", str(document), "--format", "csl-json")

    assert code == 0 and [item["id"] for item in json.loads(out)] == ["dragonfly", "llava-uhd"]


def test_a_missing_document_is_one_line(home: Path, tmp_path: Path):
    result = run_process("export", "--tex", str(tmp_path / "nope.tex"), home=home)

    assert result.returncode == 1 and "nope.tex" in result.stderr and "Traceback" not in result.stderr


def test_a_latex_document_builds_with_what_its_kept_export_holds_now(run, tmp_path: Path):
    """The writing loop: a kept refs.bib, a document citing from it, a star, and the next build
    has the new paper's entry (what latexmk -pvc would rebuild on its own)."""
    from tests.latex_build import require_latex
    from tests.latex_build import run as run_tool

    require_latex(["pdflatex", "bibtex"], [])
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "paper.tex").write_text(
        "\\documentclass{article}\\begin{document}\\nocite{*}\\bibliographystyle{plain}\\bibliography{refs}\\end{document}\n"
    )
    run("star", "llava-uhd")
    run("export", "is:starred", "-o", str(folder / "refs.bib"), "--keep")

    def build() -> str:
        run_tool(folder, "pdflatex", "-interaction=nonstopmode", "paper.tex")
        run_tool(folder, "bibtex", "paper")
        return (folder / "paper.bbl").read_text()

    assert "LLaVA-UHD" in build() and "Dragonfly" not in build()
    run("star", "dragonfly")
    assert "Dragonfly" in build()
