"""arXiv: a saved Atom answer read as works, and ids, titles and a category's listing asked of the
local stand-in (batches, OR-ed title phrases, pages up to `opensearch:totalResults`)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from vlmreader.core.models import UserError
from vlmreader.core.sources import arxiv, http
from vlmreader.core.sources.http import SourceUnavailable

from .conftest import age
from .fake_services import ArxivPaper

# An answer as arXiv gives it (trimmed): hard-wrapped text, versions, an affiliation, a comment,
# arXiv's DOI and journal_ref extensions, an old-style id, and an error entry for a bad id.
SAVED_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3D%26id_list%3D2310.03744%2Chep-th%2F9901001%2Cfoo%26start%3D0%26max_results%3D3" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list=2310.03744,hep-th/9901001,foo&amp;start=0&amp;max_results=3</title>
  <id>http://arxiv.org/api/2yCXxDJqkYLsRDmWBZjMQkyC4zE</id>
  <updated>2026-11-30T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">3</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">3</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/abs/2310.03744v3</id>
    <updated>2024-05-15T17:59:41Z</updated>
    <published>2023-10-05T17:59:56Z</published>
    <title>Improved Baselines with Visual Instruction
  Tuning</title>
    <summary>  Large multimodal models (LMM) have recently shown encouraging progress with
visual instruction tuning. In this note, we show that the fully-connected
vision-language cross-modal connector in LLaVA is surprisingly powerful.
</summary>
    <author>
      <name>Haotian Liu</name>
      <arxiv:affiliation xmlns:arxiv="http://arxiv.org/schemas/atom">University of Wisconsin-Madison</arxiv:affiliation>
    </author>
    <author>
      <name>Chunyuan Li</name>
    </author>
    <author>
      <name>Yuheng Li</name>
    </author>
    <author>
      <name>Yong Jae Lee</name>
    </author>
    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.1109/CVPR52733.2024.02484</arxiv:doi>
    <link title="doi" href="http://dx.doi.org/10.1109/CVPR52733.2024.02484" rel="related"/>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">Camera ready, CVPR 2024 (highlight). LLaVA project page:
  https://llava-vl.github.io</arxiv:comment>
    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">Proceedings of the IEEE/CVF Conference on Computer Vision and
  Pattern Recognition (CVPR), 2024, pp. 26296-26306</arxiv:journal_ref>
    <link href="http://arxiv.org/abs/2310.03744v3" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2310.03744v3" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/hep-th/9901001v1</id>
    <updated>1999-01-01T12:00:00Z</updated>
    <published>1999-01-01T12:00:00Z</published>
    <title>Branes and Fluxes</title>
    <summary>We study branes.</summary>
    <author>
      <name>A. N. Author</name>
    </author>
    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">Phys. Rev. D 59, 1999 (2000)</arxiv:journal_ref>
    <link href="http://arxiv.org/abs/hep-th/9901001v1" rel="alternate" type="text/html"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="hep-th" scheme="http://arxiv.org/schemas/atom"/>
    <category term="hep-th" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_foo</id>
    <title>Error</title>
    <summary>incorrect id format for foo</summary>
    <updated>2026-11-30T00:00:00-05:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_foo" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
"""


def test_a_saved_answer_reads_as_works_without_its_error_entry():
    page = arxiv.parse_feed_page(SAVED_FEED)
    assert (page.total, page.entries, len(page.works)) == (3, 3, 2)
    baselines, branes = page.works
    assert baselines.arxiv_id == "2310.03744" and baselines.url == "https://arxiv.org/abs/2310.03744"
    assert baselines.title == "Improved Baselines with Visual Instruction Tuning"  # unwrapped
    assert baselines.authors == ("Liu, Haotian", "Li, Chunyuan", "Li, Yuheng", "Lee, Yong Jae")
    assert baselines.abstract.startswith("Large multimodal models (LMM) have recently shown encouraging progress with visual")
    assert (baselines.year, baselines.primary_category, baselines.doi) == (2023, "cs.CV", "10.1109/CVPR52733.2024.02484")
    assert baselines.venue == "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR), 2024, pp. 26296-26306"
    assert (baselines.published_as, baselines.venue_year) == ("inproceedings", 2024)
    assert (branes.arxiv_id, branes.authors, branes.year) == ("hep-th/9901001", ("Author, A. N.",), 1999)
    assert (branes.primary_category, branes.published_as, branes.venue_year) == ("hep-th", "article", 2000)


@pytest.mark.parametrize(
    ("journal_ref", "published_as", "year"),
    [
        ("NeurIPS 2023 (oral)", "inproceedings", 2023),
        ("Accepted to CVPR2024", "inproceedings", 2024),
        ("ICLR 2024 Workshop on Reliable and Responsible Foundation Models", "inproceedings", 2024),
        ("Proc. of the 61st Annual Meeting of the ACL, pages 1234-1250", "inproceedings", None),
        ("Transactions of the Association for Computational Linguistics 12 (2024)", "article", 2024),
        ("Proceedings of the National Academy of Sciences 120, 2012 (2023)", "article", 2023),
        ("IEEE TPAMI 45(3):2012-2025, 2023", "article", 2023),
        ("", "", None),
    ],
)
def test_a_journal_reference_gives_the_kind_of_venue_and_its_year(journal_ref, published_as, year):
    assert arxiv.published_as_for(journal_ref) == published_as
    assert arxiv.year_in(journal_ref) == year


def test_a_batch_with_missing_ids_gives_those_found(services, sources, monkeypatch):
    monkeypatch.setattr(arxiv, "BATCH", 2)
    found = arxiv.works_by_id(sources, ["2304.08485", "2401.99999", "2204.14198"])
    assert sorted(found) == ["2204.14198", "2304.08485"]
    assert found["2204.14198"].authors[0] == "Alayrac, Jean-Baptiste"
    id_lists = [parse_qs(urlparse(path).query)["id_list"][0] for path in services.requests]
    assert id_lists == ["2304.08485,2401.99999", "2204.14198"]


def test_an_id_arxiv_lacks_is_asked_again_the_next_day(services, sources):
    assert arxiv.works_by_id(sources, ["2304.08485", "2612.00001"]).keys() == {"2304.08485"}
    assert arxiv.works_by_id(sources, ["2304.08485", "2612.00001"]).keys() == {"2304.08485"}
    assert len(services.requests) == 1
    services.arxiv["2612.00001"] = ArxivPaper("2612.00001", "Announced Overnight", ["Some One"])
    age(sources.home, 2 * 86400)
    assert arxiv.works_by_id(sources, ["2304.08485", "2612.00001"]).keys() == {"2304.08485", "2612.00001"}
    assert arxiv.works_by_id(sources, ["2304.08485"]).keys() == {"2304.08485"}  # a whole batch is kept for good
    assert len(services.requests) == 3


def searched(path: str) -> str:
    return parse_qs(urlparse(path).query)["search_query"][0]


def test_titles_are_asked_as_phrases_eight_a_request_without_query_syntax(services, sources):
    qwen = ArxivPaper("2502.13923", "Qwen2.5-VL Technical Report", ["Shuai Bai"])
    services.arxiv[qwen.arxiv_id] = qwen
    titles = [
        'Flamingo: a Visual Language Model for "Few-Shot" Learning',  # quotes would end the phrase
        "Qwen2.5-VL Technical Report",
        "Visual Instruction Tuning (LLaVA) [v2]",
        *(f"Unknown Paper Number {n}" for n in range(8)),
        "visual instruction tuning (llava) [v2]",  # the same phrase again: asked once
    ]
    candidates = arxiv.works_by_titles(sources, titles)
    assert {work.arxiv_id for work in candidates} == {"2204.14198", "2502.13923"}
    assert len(services.requests) == 2  # 11 distinct titles: 8, then 3
    first = searched(services.requests[0])
    assert first.startswith('ti:"flamingo a visual language model for few-shot learning" OR ti:"qwen2.5-vl technical report" OR ')
    assert first.count(" OR ") == 7 and first.count('"') == 16 and first.count(":") == 8  # only ti: remains
    assert parse_qs(urlparse(services.requests[0]).query)["max_results"] == [str(8 * arxiv.CANDIDATES_PER_TITLE)]


def test_a_title_crowded_out_by_one_that_many_papers_quote_is_asked_alone(services, sources, monkeypatch):
    monkeypatch.setattr(arxiv, "CANDIDATES_PER_TITLE", 2)  # a page of 4 for two titles
    services.arxiv = {}
    for n in range(6):
        follow_up = ArxivPaper(f"2401.0000{n}", f"Towards Better Visual Instruction Tuning Part {n}", ["Some One"])
        services.arxiv[follow_up.arxiv_id] = follow_up
    rare = ArxivPaper("2402.00001", "A Rare Study: Extended Version", ["Ann Other"])
    services.arxiv[rare.arxiv_id] = rare
    candidates = arxiv.works_by_titles(sources, ["Visual Instruction Tuning", "A Rare Study"])
    assert "2402.00001" in {work.arxiv_id for work in candidates}
    assert [searched(path) for path in services.requests] == [
        'ti:"visual instruction tuning" OR ti:"a rare study"',
        'ti:"a rare study"',
    ]


def test_a_page_with_room_to_spare_asks_nothing_more(services, sources):
    arxiv.works_by_titles(sources, ["Visual Instruction Tuning", "A Title arXiv Does Not Have"])
    assert len(services.requests) == 1


@pytest.fixture
def listing(services):
    """Five cs.CV submissions over two days, and three that the listing must leave out."""
    for n, stamp in enumerate(["2026-12-01T00:00:00Z", "2026-12-01T10:00:00Z", "2026-12-01T20:00:00Z", "2026-12-02T08:00:00Z", "2026-12-02T23:59:00Z"]):
        paper = ArxivPaper(f"2612.0000{n}", f"Fresh Paper Number {n}", ["Some One", "Else Where"], published=stamp)
        services.arxiv[paper.arxiv_id] = paper
    services.arxiv["2611.99999"] = ArxivPaper("2611.99999", "The Day Before", ["A"], published="2026-11-30T23:59:00Z")
    services.arxiv["2612.99999"] = ArxivPaper("2612.99999", "The Day After", ["A"], published="2026-12-03T00:00:00Z")
    services.arxiv["2612.88888"] = ArxivPaper("2612.88888", "Another Field", ["A"], published="2026-12-01T12:00:00Z", categories=["hep-th"])
    return services


def test_a_category_listing_is_paged_until_its_total_newest_first(listing, sources, monkeypatch):
    monkeypatch.setattr(arxiv, "PAGE", 2)
    works = arxiv.recent_in_category(sources, "cs.cv", date(2026, 12, 1), date(2026, 12, 2))
    assert [work.arxiv_id for work in works] == [f"2612.0000{n}" for n in (4, 3, 2, 1, 0)]
    queries = [parse_qs(urlparse(path).query) for path in listing.requests]
    assert [query["start"] for query in queries] == [["0"], ["2"], ["4"]]
    assert {query["search_query"][0] for query in queries} == {"cat:cs.CV AND submittedDate:[202612010000 TO 202612022359]"}
    assert all(query["sortBy"] == ["submittedDate"] and query["max_results"] == ["2"] for query in queries)


def test_each_page_of_a_listing_is_a_paced_request(listing, sources, monkeypatch):
    monkeypatch.setattr(arxiv, "PAGE", 2)
    monkeypatch.setattr(arxiv, "ARXIV", replace(http.ARXIV, min_interval=0.2))
    monkeypatch.setattr(http, "PACING", 1.0)
    listing.min_interval["/arxiv"] = 0.2  # the stand-in refuses what comes sooner
    started = time.monotonic()
    works = arxiv.recent_in_category(sources, "cs.CV", date(2026, 12, 1), date(2026, 12, 2))
    assert len(works) == 5 and len(listing.requests) == 3 and listing.too_soon == []
    assert time.monotonic() - started >= 0.38


def test_a_page_that_comes_back_empty_is_asked_again(listing, sources, monkeypatch):
    monkeypatch.setattr(arxiv, "PAGE", 2)
    listing.fail("/arxiv", "no entries")  # page one, once
    works = arxiv.recent_in_category(sources, "cs.CV", date(2026, 12, 1), date(2026, 12, 2))
    assert len(works) == 5 and len(listing.requests) == 4


def test_a_page_that_stays_empty_is_one_line(listing, sources, monkeypatch):
    monkeypatch.setattr(arxiv, "PAGE", 2)
    listing.fail("/arxiv", "no entries", "no entries", "no entries")
    with pytest.raises(SourceUnavailable) as raised:
        arxiv.recent_in_category(sources, "cs.CV", date(2026, 12, 1), date(2026, 12, 2))
    assert str(raised.value) == "arXiv answered an empty page at 0 of 5 for the cs.CV listing, 3 times; try again later"


def test_an_empty_listing_is_one_request(listing, sources):
    assert arxiv.recent_in_category(sources, "stat.ML", date(2026, 12, 1), date(2026, 12, 2)) == []
    assert len(listing.requests) == 1


def test_a_listing_of_these_days_is_asked_again_after_an_hour_an_old_one_is_kept(services, sources):
    today = datetime.now(timezone.utc).date()
    arxiv.recent_in_category(sources, "cs.CV", today - timedelta(days=1), today)
    arxiv.recent_in_category(sources, "cs.CV", date(2020, 1, 1), date(2020, 1, 2))
    age(sources.home, 7200)
    arxiv.recent_in_category(sources, "cs.CV", today - timedelta(days=1), today)
    arxiv.recent_in_category(sources, "cs.CV", date(2020, 1, 1), date(2020, 1, 2))
    assert [searched(path).endswith(f"{today:%Y%m%d}2359]") for path in services.requests] == [True, False, True]


@pytest.mark.parametrize(("given", "asked"), [("cs.cv", "cs.CV"), (" stat.ML ", "stat.ML"), ("hep-th", "hep-th"), ("cond-mat.Mes-Hall", "cond-mat.mes-hall")])
def test_a_category_is_asked_as_arxiv_writes_it(given, asked):
    assert arxiv.category_name(given) == asked


@pytest.mark.parametrize("nonsense", ["cs", "cs.CVV", "vision", "cs CV;drop", "hep-th.XX", "cs.C1", ""])
def test_a_category_that_is_not_one_is_refused_before_any_request(services, sources, nonsense):
    with pytest.raises(UserError, match="is not an arXiv category"):
        arxiv.recent_in_category(sources, nonsense, date(2026, 12, 1), date(2026, 12, 2))
    assert services.requests == []


def test_days_in_the_wrong_order_are_refused(services, sources):
    with pytest.raises(UserError, match="comes after"):
        arxiv.recent_in_category(sources, "cs.CV", date(2026, 12, 2), date(2026, 12, 1))
    assert services.requests == []


def test_rate_exceeded_is_waited_out(services, sources):
    services.fail("/arxiv", "rate exceeded")
    assert list(arxiv.works_by_id(sources, ["2304.08485"])) == ["2304.08485"]
    assert len(services.requests) == 2


def test_rate_exceeded_every_time_is_one_line_and_kept_nowhere(services, sources):
    services.fail("/arxiv", *["rate exceeded"] * http.ATTEMPTS)
    with pytest.raises(SourceUnavailable) as raised:
        arxiv.works_by_id(sources, ["2304.08485"])
    assert str(raised.value).endswith("answered 'Rate exceeded.', 4 times; try again later") and "\n" not in str(raised.value)
    assert list(arxiv.works_by_id(sources, ["2304.08485"])) == ["2304.08485"]  # asked again, not read from the cache
