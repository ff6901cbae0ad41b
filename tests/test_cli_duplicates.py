"""`vlmreader duplicates`, and the import's report of possible duplicates."""

from __future__ import annotations

import json
from pathlib import Path


NEAR_ENTRIES = (
    # PVC's title without its name: the same paper
    "@article{yang2024pvc, title = {Progressive Visual Token Compression for Unified Image and Video"
    " Processing in Large Vision-Language Models}, author = {Yang, Chenyu}, year = {2024}}\n"
    # Florence-VL with hyphens dropped and an article added
    "@inproceedings{chen2024florence, title = {Florence-VL: Enhancing Vision Language Models with a Generative"
    " Vision Encoder and Depth Breadth Fusion}, year = {2024}}\n"
    # another paper: vision-language-action models
    "@article{vla2025, title = {What matters when building vision-language-action models?}, year = {2025}}\n"
)


def import_near_entries(run, tmp_path: Path, text: str = NEAR_ENTRIES) -> tuple[int, str, str]:
    bib = tmp_path / "near.bib"
    bib.write_text(text)
    return run("import", str(bib), "-v")


def test_a_library_without_duplicates_says_so(run):
    assert run("duplicates") == (0, "no possible duplicates among 452 papers\n", "")
    code, out, _ = run("duplicates", "--json")
    assert code == 0 and json.loads(out) == []


def test_the_import_reports_slightly_different_titles_as_possible_duplicates(run, tmp_path: Path):
    code, out, _ = import_near_entries(run, tmp_path)
    assert code == 0
    assert "3 added, 0 merged, 2 possible duplicates, 0 keys changed, 0 rejected; vlmreader duplicates lists them" in out
    assert (
        "possible duplicate  yang2024pvc and pvc (titles differ slightly): Progressive Visual Token Compression for"
        " Unified Image and Video Processing in Large Vision-Language Models / PVC: Progressive Visual Token"
    ) in out
    assert "possible duplicate  chen2024florence and florence-vl (titles differ slightly)" in out
    assert "vla2025 and" not in out


def test_duplicates_lists_each_group_with_why_and_how_to_settle_it(run, tmp_path: Path):
    import_near_entries(run, tmp_path)
    code, out, err = run("duplicates")
    assert code == 0 and err == ""
    blocks = out.split("\n\n")
    assert blocks[0].splitlines() == [
        "possible duplicates: titles differ slightly",
        "  pvc                               PVC: Progressive Visual Token Compression for Unified Image and Video"
        " Processing in Large Vision-Language Models",
        "  yang2024pvc                       Progressive Visual Token Compression for Unified Image and Video"
        " Processing in Large Vision-Language Models",
        "  one paper: vlmreader merge pvc yang2024pvc; different papers: vlmreader keep-apart pvc yang2024pvc",
    ]
    assert "florence-vl" in blocks[1] and "chen2024florence" in blocks[1]
    assert blocks[-1] == "2 groups of possible duplicates (4 papers)\n"

    groups = json.loads(run("duplicates", "--json")[1])
    assert [[paper["key"] for paper in group["papers"]] for group in groups] == [
        ["pvc", "yang2024pvc"],
        ["florence-vl", "chen2024florence"],
    ]
    assert groups[0]["why"] == ["titles differ slightly"]
    assert groups[0]["pairs"] == [{"keys": ["pvc", "yang2024pvc"], "why": "titles differ slightly"}]
    assert set(groups[0]["papers"][0]) == {"id", "key", "title"}

    searched = sorted(hit["key"] for hit in json.loads(run("search", "is:duplicate", "--json")[1]))
    assert searched == ["chen2024florence", "florence-vl", "pvc", "yang2024pvc"]


def test_merging_or_keeping_apart_settles_a_group(run, tmp_path: Path):
    import_near_entries(run, tmp_path)
    assert run("merge", "pvc", "yang2024pvc")[0] == 0
    assert run("keep-apart", "florence-vl", "chen2024florence")[0] == 0
    assert run("duplicates")[1] == "no possible duplicates among 454 papers\n"


def test_a_group_of_three_names_each_link(run, tmp_path: Path):
    import_near_entries(
        run,
        tmp_path,
        "@article{a, title = {Editorial Comments on Vision}, author = {Brown, A.}, year = 1995}\n"
        "@article{b, title = {Editorial Comments on Vision}, author = {Green, B.}, year = 2001}\n"
        "@article{c, title = {Editorial Comment on Vision}, author = {White, C.}, year = 2010}\n",
    )
    out = run("duplicates")[1]
    assert "possible duplicates: same title, titles differ slightly" in out
    assert "  a and b: same title; a and c: titles differ slightly; b and c: titles differ slightly" in out
    assert "one paper: vlmreader merge a OTHER, for each other; different papers: vlmreader keep-apart a b c" in out
