"""`vlmreader add`: papers by arXiv id, DOI or Hugging Face URL, against the local stand-in."""

from __future__ import annotations


from dataclasses import replace

import pytest

from vlmreader.core.library import Library
from vlmreader.core.sources.arxiv import parse_feed

from .conftest import shown
from .fake_services import LLAVA, arxiv_feed


def test_a_saved_arxiv_answer_reads_as_works():
    (work,) = parse_feed(arxiv_feed([LLAVA.entry()], "id_list=2304.08485"))
    assert work.arxiv_id == "2304.08485" and work.title == "Visual Instruction Tuning"
    assert work.authors == ("Liu, Haotian", "Li, Chunyuan", "Wu, Qingyang", "Lee, Yong Jae")
    assert (work.year, work.primary_category, work.doi) == (2023, "cs.CV", "10.5555/3666122.3667638")
    (own,) = parse_feed(arxiv_feed([replace(LLAVA, doi="10.48550/arXiv.2304.08485").entry()], "id_list=2304.08485"))
    assert own.doi == ""  # arXiv's own DOI names the preprint, not a published version
    assert work.venue == "NeurIPS 2023 (oral)" and work.published_as == "inproceedings"
    assert work.abstract.startswith("Instruction tuning large language models")


def test_add_by_arxiv_id_in_every_form_costs_one_request(services, run):
    code, out, _ = run("add", "https://arxiv.org/abs/2304.08485v1", "2204.14198", "https://huggingface.co/papers/2304.08485")
    assert code == 0
    assert len([path for path in services.requests if path.startswith("/arxiv")]) == 1  # one batch
    assert out.count("added ") == 1  # LLaVA; Flamingo is a bundled paper, which it enriches
    assert out.count("known ") == 2 and "(already in the library as visual-instruction-tuning; https://huggingface.co" in out
    llava = shown(run, "visual-instruction-tuning")
    fields = llava["fields"]
    assert fields["author"] == "Liu, Haotian and Li, Chunyuan and Wu, Qingyang and Lee, Yong Jae"
    assert (fields["year"], fields["eprint"], fields["archiveprefix"], fields["primaryclass"]) == ("2023", "2304.08485", "arXiv", "cs.CV")
    assert llava["url"] == "https://arxiv.org/abs/2304.08485"


def test_a_paper_the_library_has_is_reported_with_its_key_and_costs_nothing(services, run):
    run("add", "2304.08485")
    before = len(services.requests)
    code, out, _ = run("add", "arXiv:2304.08485v2")
    assert code == 0 and out.startswith("known     visual-instruction-tuning")
    assert len(services.requests) == before


def test_an_arxiv_paper_the_bundled_corpus_has_is_enriched_not_added(services, run):
    code, out, _ = run("add", "2204.14198")
    assert code == 0 and "known     flamingo" in out
    flamingo = shown(run, "flamingo")
    assert flamingo["fields"]["author"].startswith("Alayrac, Jean-Baptiste") and flamingo["fields"]["year"] == "2022"


def test_add_by_doi_through_crossref(services, run):
    code, out, _ = run("add", "https://doi.org/10.1109/CVPR52729.2023.01234")
    assert code == 0 and "added " in out
    paper = shown(run, "seeing-beyond-patch")
    assert paper["fields"]["booktitle"].startswith("2023 IEEE/CVF Conference")
    assert paper["fields"]["author"] == "Smith, Ann and Li, Bo" and paper["fields"]["year"] == "2023"


def test_ids_not_found_are_reported_and_the_rest_added(services, run):
    code, out, err = run("add", "2304.08485", "2401.99999", "10.1000/nothing")
    assert code == 1 and "added " in out
    assert "not found: 2401.99999" in err and "not found: 10.1000/nothing" in err


def test_a_typo_stops_everything_before_any_request(services, run):
    code, _, err = run("add", "2304.08485", "not-an-id")
    assert code == 1 and "'not-an-id' is not an arXiv id" in err and services.requests == []


def test_refused_and_failing_answers_are_retried(services, run):
    services.fail("/arxiv", 429, 503)
    code, out, _ = run("add", "2304.08485")
    assert code == 0 and "added " in out
    assert len([path for path in services.requests if path.startswith("/arxiv")]) == 3


@pytest.mark.parametrize(
    ("failures", "message"),
    [
        ((503, 503, 503, 503), "answered 503 Service Unavailable, 4 times; try again later"),
        (("slow", "slow", "slow", "slow"), "did not answer within 0.5 s"),
        (("garbage",), "XML that cannot be read"),
    ],
)
def test_a_service_that_keeps_failing_is_one_line_and_changes_nothing(services, run, tmp_path, failures, message):
    run("search", "x")  # the library exists
    before = (tmp_path / "home" / "library.json").read_bytes()
    services.fail("/arxiv", *failures)
    code, out, err = run("add", "2304.08485")
    assert code == 1 and out == "" and message in err and err.count("\n") == 1
    assert (tmp_path / "home" / "library.json").read_bytes() == before


def test_offline_is_one_line(run, monkeypatch):
    monkeypatch.setenv("VLMREADER_ARXIV_URL", "http://127.0.0.1:9/api/query")  # nothing listens there
    code, _, err = run("add", "2304.08485")
    assert code == 1 and err.startswith("vlmreader: error: cannot reach 127.0.0.1 (offline?)")


def test_a_second_run_is_answered_from_the_cache(services, run, tmp_path):
    run("add", "2304.08485")
    asked = len(services.requests)
    for name in ("library.json", "records-cache.bin", "annotations.json"):
        (tmp_path / "home" / name).unlink(missing_ok=True)  # the paper is gone; the cache is not
    code, out, _ = run("add", "2304.08485")
    assert code == 0 and out.startswith("added     visual-instruction-tuning")
    assert len(services.requests) == asked


def test_requests_to_arxiv_are_three_seconds_apart(services, monkeypatch, tmp_path):
    from vlmreader.core.metadata import add_by_identifiers
    from vlmreader.core.sources import arxiv, http

    waits: list[float] = []
    monkeypatch.setattr(http, "PACING", 1.0)
    monkeypatch.setattr(http.time, "sleep", waits.append)
    monkeypatch.setattr(arxiv, "BATCH", 1)  # two ids, two requests
    sources = http.Sources(tmp_path / "home")
    report = add_by_identifiers(Library(tmp_path / "home"), ["2304.08485", "2204.14198"], sources)
    assert len(report.added) == 2 and sources.requests == 2
    assert len(waits) == 1 and 2.9 < waits[0] <= 3.0


def test_the_key_style_of_config_names_papers_added_from_now_on(services, run, tmp_path, monkeypatch):
    run("search", "x")  # the bundled papers are in, with their title keys
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nstyle = "authoryear"\n')
    monkeypatch.setenv("VLMREADER_CONFIG", str(config))
    code, out, _ = run("add", "2304.08485")
    assert code == 0 and out.startswith("added     liu2023visual ")
    assert shown(run, "flamingo")["key"] == "flamingo"  # keys never change
