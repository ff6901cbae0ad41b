"""`vlmreader enrich`, `link` and `fetch` against the local stand-in for the services."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vlmreader.core.importing import bundled_pages, open_library
from vlmreader.resources import data_dir

from .conftest import shown
from .fake_services import ArxivPaper


@pytest.fixture
def bundled(tmp_path: Path):
    """The bundled papers by key (the library the CLI will open)."""
    library = open_library(tmp_path / "home", bundled_pages(data_dir()))
    return {paper.key: paper for paper in library}


def on_arxiv(paper, arxiv_id: str, authors: list[str], **values) -> ArxivPaper:
    """A bundled paper as arXiv has it: its own title and abstract, and the metadata it lacks."""
    return ArxivPaper(arxiv_id, paper.title, authors, abstract=paper.abstract, **values)


def test_enrich_fills_a_bundled_paper_from_openalex_and_arxiv(services, run, bundled):
    dragonfly = on_arxiv(bundled["dragonfly"], "2406.00977", ["Rahul Thapa", "Kezhen Chen", "Ian Covert"], published="2024-06-03T17:59:59Z")
    services.arxiv[dragonfly.arxiv_id] = dragonfly
    services.openalex = [dragonfly.openalex_work(venue="Advances in Neural Information Processing Systems", year=2025, doi="10.5555/dragonfly")]
    code, out, err = run("enrich", "dragonfly")
    assert code == 0 and "1 paper: 1 enriched, 0 already complete, 0 ambiguous, 0 not found (2 requests)" in out
    assert "enrich: 1/1 papers searched" in err  # the progress line (a line, as stderr is not a terminal here)
    paper = shown(run, "dragonfly")
    fields = paper["fields"]
    assert fields["author"] == "Thapa, Rahul and Chen, Kezhen and Covert, Ian"
    assert (fields["year"], fields["eprint"], fields["primaryclass"]) == ("2024", "2406.00977", "cs.CV")
    assert fields["booktitle"] == "Advances in Neural Information Processing Systems" and fields["venue_year"] == "2025"
    assert fields["doi"] == "10.5555/dragonfly" and paper["key"] == "dragonfly"  # keys never change
    provenance = paper["provenance"]
    assert provenance["author"]["source"] == "arxiv" and provenance["booktitle"]["source"] == "openalex"
    assert len(provenance["author"]["date"]) == 10
    bibtex = run("export", "dragonfly")[1]
    assert bibtex.startswith("@inproceedings{dragonfly,") and "year          = {2025}" in bibtex
    assert "url           = {https://arxiv.org/abs/2406.00977}" in bibtex and "Code: \\url{https://github.com/togethercomputer/Dragonfly}" in bibtex


def test_a_similar_title_of_another_paper_is_rejected_and_reported_not_found(services, run, bundled):
    sequel = ArxivPaper("2501.00001", "Dragonfly 2: Multi-Resolution Zoom Supercharges Large Visual-Language Model", ["Someone Else"])
    services.arxiv[sequel.arxiv_id] = sequel
    services.openalex = [sequel.openalex_work()]
    code, out, _ = run("enrich", "dragonfly")
    assert code == 0 and "not found  dragonfly" in out and "0 enriched" in out
    assert "author" not in shown(run, "dragonfly")["fields"]


def test_papers_sharing_a_title_are_ambiguous_and_link_settles_it(services, run, bundled):
    flamingo = bundled["flamingo"]
    one = ArxivPaper("2204.14198", flamingo.title, ["Jean-Baptiste Alayrac"], abstract="")
    other = ArxivPaper("2301.00002", flamingo.title, ["Ann Other"], abstract="")
    services.arxiv.update({one.arxiv_id: one, other.arxiv_id: other})
    services.openalex = [one.openalex_work(), other.openalex_work()]
    code, out, _ = run("enrich", "flamingo")
    assert "ambiguous  flamingo" in out and "arXiv:2204.14198" in out and "arXiv:2301.00002" in out
    assert "settle it: vlmreader link flamingo ARXIV_ID|DOI" in out and "author" not in shown(run, "flamingo")["fields"]
    code, out, err = run("link", "flamingo", "arXiv:2204.14198v1")
    assert code == 0 and "linked    flamingo" in out and err == ""
    assert shown(run, "flamingo")["fields"]["author"] == "Alayrac, Jean-Baptiste"


def enrich_keys(tmp_path: Path, *keys: str, **options):
    """`enrich` (the core) over the bundled papers with these keys, through the stand-in."""
    from vlmreader.core.metadata import enrich
    from vlmreader.core.sources.http import Sources

    library = open_library(tmp_path / "home", bundled_pages(data_dir()))
    sources = Sources(library.home)
    try:
        return library, enrich(library, [library.find_key(key) for key in keys], sources, **options)
    finally:
        sources.close()


def test_a_batch_with_missing_ids_fills_the_others_and_reports_the_rest(services, bundled, tmp_path):
    found = [on_arxiv(bundled[key], f"2401.0000{n}", [f"Ann Author{n}"]) for n, key in enumerate(("mm-vet", "blip-2"))]
    services.arxiv.update({paper.arxiv_id: paper for paper in found})
    missing = on_arxiv(bundled["llava-uhd"], "2403.11703", ["Ruyi Xu", "Yuan Yao"])  # OpenAlex knows it, arXiv does not
    services.openalex = [paper.openalex_work() for paper in (*found, missing)]
    library, report = enrich_keys(tmp_path, "mm-vet", "blip-2", "llava-uhd", "dragonfly")
    assert sorted(paper.key for paper, _ in report.enriched) == ["blip-2", "llava-uhd", "mm-vet"]
    assert [paper.key for paper in report.not_found] == ["dragonfly"]
    assert library.find_key("blip-2").authors == ("Author1, Ann",)
    uhd = library.find_key("llava-uhd")
    assert uhd.authors == ("Xu, Ruyi", "Yao, Yuan") and uhd.source_of("author")[0] == "openalex"
    assert uhd.record.fields["eprint"] == "2403.11703"  # OpenAlex's arXiv location gives the id
    id_batches = [path for path in services.requests if "id_list=" in path]
    assert len(id_batches) == 1 and "2403.11703" in id_batches[0]
    _, again = enrich_keys(tmp_path, "mm-vet")
    assert [paper.key for paper in again.complete] == ["mm-vet"] and again.requests == 0


def test_the_whole_library_by_default_with_one_arxiv_batch(services, run, bundled):
    papers = [on_arxiv(bundled[key], f"2402.0000{n}", [f"Wu Writer{n}"]) for n, key in enumerate(("mm-vet", "blip-2", "llava-uhd"))]
    services.arxiv.update({paper.arxiv_id: paper for paper in papers})
    services.openalex = [paper.openalex_work() for paper in papers]
    code, out, _ = run("enrich")
    # The three, and Flamingo, which the stand-in's arXiv knows (by its title: OpenAlex does not).
    assert code == 0 and "452 papers: 4 enriched, 0 already complete, 0 ambiguous, 448 not found" in out
    arxiv_requests = [path for path in services.requests if path.startswith("/arxiv")]
    openalex_requests = [path for path in services.requests if path.startswith("/openalex")]
    assert len(openalex_requests) == 452
    # One batch of the three ids found; the 449 others asked by title, eight a request.
    assert len(arxiv_requests) == 1 + -(-449 // 8)


def test_a_dry_run_says_what_it_would_fill_and_changes_nothing(services, run, bundled, tmp_path):
    dragonfly = on_arxiv(bundled["dragonfly"], "2406.00977", ["Rahul Thapa"])
    services.arxiv[dragonfly.arxiv_id] = dragonfly
    services.openalex = [dragonfly.openalex_work()]
    before = (tmp_path / "home" / "library.json").read_bytes()
    code, out, _ = run("enrich", "dragonfly", "--dry-run")
    assert code == 0 and "would fill  dragonfly" in out and "author, year, eprint" in out and "dry run: nothing was changed" in out
    assert (tmp_path / "home" / "library.json").read_bytes() == before


def test_a_second_run_with_refresh_is_answered_from_the_cache_and_user_fields_stay(services, run, bundled, tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text("@misc{mine, title = {Dragonfly: Multi-Resolution Zoom Supercharges Large Visual-Language Model}, year = {1999}}\n")
    run("import", str(bib))
    dragonfly = on_arxiv(bundled["dragonfly"], "2406.00977", ["Rahul Thapa"])
    services.arxiv[dragonfly.arxiv_id] = dragonfly
    services.openalex = [dragonfly.openalex_work()]
    run("enrich", "mine")
    fields = shown(run, "mine")["fields"]
    assert fields["year"] == "1999" and fields["author"] == "Thapa, Rahul"  # the user's year stays
    asked = len(services.requests)
    run("enrich", "mine")
    assert len(services.requests) == asked  # complete: nothing asked
    services.arxiv[dragonfly.arxiv_id] = on_arxiv(bundled["dragonfly"], "2406.00977", ["Rahul Thapa", "Nu Author"])
    code, out, _ = run("enrich", "mine", "--refresh")
    assert code == 0 and len(services.requests) == asked + 2  # --refresh asks again, past the cache
    fields = shown(run, "mine")["fields"]
    assert fields["author"] == "Thapa, Rahul and Author, Nu" and fields["year"] == "1999"
    bibtex = run("export", "mine")[1]
    assert re.search(r"^  year += \{1999\},$", bibtex, re.MULTILINE) and "Thapa, Rahul and Author, Nu" in bibtex


def test_a_second_run_is_answered_from_the_cache(services, run, bundled, tmp_path):
    dragonfly = on_arxiv(bundled["dragonfly"], "2406.00977", ["Rahul Thapa"])
    services.arxiv[dragonfly.arxiv_id] = dragonfly
    services.openalex = [dragonfly.openalex_work()]
    run("enrich", "dragonfly")
    asked = len(services.requests)
    for name in ("library.json", "records-cache.bin", "search-index.bin"):
        (tmp_path / "home" / name).unlink(missing_ok=True)  # the metadata is gone; the answers are not
    code, out, _ = run("enrich", "dragonfly")
    assert code == 0 and "1 enriched" in out and "(0 requests)" in out and len(services.requests) == asked


def test_a_run_that_fails_midway_changes_nothing(services, bundled, tmp_path):
    from vlmreader.core.sources.http import SourceUnavailable

    papers = [on_arxiv(bundled[key], f"2403.0000{n}", [f"Wu Writer{n}"]) for n, key in enumerate(("mm-vet", "blip-2"))]
    services.arxiv.update({paper.arxiv_id: paper for paper in papers})
    services.openalex = [paper.openalex_work() for paper in papers]
    before = (tmp_path / "home" / "library.json").read_bytes()
    services.fail("/arxiv", 503, 503, 503, 503)  # OpenAlex answered both; arXiv then keeps failing
    with pytest.raises(SourceUnavailable, match="answered 503"):
        enrich_keys(tmp_path, "mm-vet", "blip-2")
    assert (tmp_path / "home" / "library.json").read_bytes() == before


def test_refused_answers_are_retried_and_the_run_goes_on(services, bundled, tmp_path):
    dragonfly = on_arxiv(bundled["dragonfly"], "2406.00977", ["Rahul Thapa"])
    services.arxiv[dragonfly.arxiv_id] = dragonfly
    services.openalex = [dragonfly.openalex_work()]
    services.fail("/openalex", 429, 503)
    library, report = enrich_keys(tmp_path, "dragonfly")
    assert len(report.enriched) == 1 and library.find_key("dragonfly").authors == ("Thapa, Rahul",)


def test_malformed_json_from_openalex_is_one_line(services, run, bundled):
    services.fail("/openalex", "garbage")
    code, out, err = run("enrich", "dragonfly")
    assert code == 1 and "not JSON" in err.splitlines()[-1]


def test_fetch_hf_brings_a_day_in_as_a_collection(services, run, bundled):
    new = ArxivPaper("2411.11111", "A Brand New Multimodal Model", ["Ada Lovelace", "Alan Turing"], published="2024-11-28T10:00:00Z")
    known = on_arxiv(bundled["dragonfly"], "2406.00977", ["Rahul Thapa"])
    services.arxiv.update({new.arxiv_id: new, known.arxiv_id: known})
    services.daily["2024-11-29"] = [new, known]
    code, out, _ = run("fetch", "hf", "--date", "2024-11-29")
    assert code == 0 and "hf-2024-11-29: 1 new paper, 1 already in the library" in out
    assert "vlmreader triage in:hf-2024-11-29" in out
    added = shown(run, "brand-new-multimodal")
    assert added["collections"] == ["hf-2024-11-29"] and added["status"] == "unread"
    assert added["fields"]["author"] == "Lovelace, Ada and Turing, Alan" and added["fields"]["primaryclass"] == "cs.CV"
    dragonfly = shown(run, "dragonfly")
    assert "hf-2024-11-29" in dragonfly["collections"] and dragonfly["fields"]["author"] == "Thapa, Rahul"
    assert len([path for path in services.requests if path.startswith("/arxiv")]) == 1


def test_fetch_arxiv_pages_through_a_category(services, run, bundled, monkeypatch):
    from vlmreader.core import metadata
    from vlmreader.core.sources import arxiv

    monkeypatch.setattr(arxiv, "PAGE", 2)
    monkeypatch.setattr(metadata, "today", lambda: "2026-12-02")
    for n in range(5):
        paper = ArxivPaper(f"2412.0000{n}", f"Fresh Paper Number {n}", ["Some One"], published=f"2026-12-0{1 + n % 2}T10:00:00Z")
        services.arxiv[paper.arxiv_id] = paper
    services.arxiv["2411.99999"] = ArxivPaper("2411.99999", "Too Old", ["Some One"], published="2026-11-01T10:00:00Z")
    code, out, _ = run("fetch", "arxiv", "cs.CV", "--days", "2")
    assert code == 0 and "arxiv-cs.CV-2026-12-02: 5 new papers, 0 already in the library" in out
    assert len([path for path in services.requests if path.startswith("/arxiv")]) == 3  # pages of 2
    assert len(json.loads(run("search", "in:arxiv-cs.CV", "--json")[1])) == 5


def test_fetch_arxiv_refuses_a_category_that_is_not_one(services, run):
    code, _, err = run("fetch", "arxiv", "cs CV;drop")
    assert code == 1 and "is not an arXiv category" in err and services.requests == []


def test_the_openalex_key_and_contact_from_config_go_with_the_requests(services, run, bundled, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[sources]\ncontact_email = "me@example.org"\nopenalex_api_key = "k3y"\n')
    monkeypatch.setenv("VLMREADER_CONFIG", str(config))
    run("enrich", "dragonfly")
    (search,) = [path for path in services.requests if path.startswith("/openalex")]
    assert "api_key=k3y" in search and "mailto=me%40example.org" in search
    assert all("me@example.org" in agent and "vlmreader/" in agent for agent in services.user_agents)
