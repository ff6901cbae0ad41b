"""The HTTP layer against the local stand-in: retries, timeouts, unreadable answers, offline, the
cache and its ages, who the requests say they are from, and pacing a throttling server accepts."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import parse_qs, urlparse

import pytest

from vlmreader import __version__
from vlmreader.core.sources import http
from vlmreader.core.sources.http import ARXIV, CROSSREF, HUGGING_FACE, OPENALEX, SourceUnavailable, Sources

from .conftest import age

LLAVA_ID = {"id_list": "2304.08485", "max_results": "1"}


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The waits the layer asked for, not waited."""
    asked: list[float] = []
    monkeypatch.setattr(http.time, "sleep", asked.append)
    return asked


def test_refused_and_failing_answers_are_retried_until_one_comes(services, sources):
    services.fail("/arxiv", 429, 503, 502)
    answer = sources.get(ARXIV, params=LLAVA_ID)
    assert answer.status == 200 and "Instruction Tuning" in answer.text and not answer.cached
    assert len(services.requests) == 4 and sources.requests == 4


def test_the_wait_a_service_asks_for_is_kept(services, sources, waits):
    services.retry_after = "7"
    services.fail("/arxiv", 429)
    assert sources.get(ARXIV, params=LLAVA_ID).status == 200
    assert waits == [7.0]


def test_a_retry_after_given_as_a_date_is_kept(services, sources, waits):
    services.retry_after = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    services.fail("/arxiv", 503)
    sources.get(ARXIV, params=LLAVA_ID)
    assert len(waits) == 1 and 25 <= waits[0] <= 31


def test_a_service_asking_for_a_long_wait_is_not_waited_for(services, sources, waits):
    services.retry_after = "3600"
    services.fail("/openalex", 429)
    with pytest.raises(SourceUnavailable) as raised:
        sources.get(OPENALEX, "/works", {"filter": "title.search:x"})
    assert one_line(raised) == "OpenAlex (127.0.0.1) answered 429 Too Many Requests and asks to wait 3600 s; try again later"
    assert waits == [] and len(services.requests) == 1


def test_waits_grow_between_attempts(services, sources, waits):
    services.fail("/arxiv", 503, 503, 503, 503)
    with pytest.raises(SourceUnavailable) as raised:
        sources.get(ARXIV, params=LLAVA_ID)
    assert one_line(raised) == "arXiv (127.0.0.1) answered 503 Service Unavailable, 4 times; try again later"
    assert waits == [0.01, 0.02, 0.04]


def test_a_service_that_does_not_answer_in_time_is_one_line(services, sources):
    services.fail("/hf", "slow", "slow", "slow", "slow")
    with pytest.raises(SourceUnavailable) as raised:
        sources.get(HUGGING_FACE, "/api/daily_papers", {"date": "2024-05-17"})
    assert one_line(raised) == "Hugging Face (127.0.0.1) did not answer within 0.5 s, 4 times; try again later"


def test_a_slow_answer_once_is_waited_out(services, sources):
    services.fail("/hf", "slow")
    assert sources.get(HUGGING_FACE, "/api/daily_papers", {"date": "2024-05-17"}).text == "[]"


def test_an_empty_body_is_asked_again(services, sources):
    services.fail("/arxiv", "empty")
    assert "Instruction Tuning" in sources.get(ARXIV, params=LLAVA_ID).text
    assert len(services.requests) == 2


@pytest.mark.parametrize(
    ("service", "path", "message"),
    [
        (ARXIV, "", "arXiv answered with XML that cannot be read (no element found: line 1, column 20)"),
        (OPENALEX, "/works", "OpenAlex answered with something that is not JSON"),
        (HUGGING_FACE, "/api/daily_papers", "Hugging Face answered with something that is not JSON"),
    ],
)
def test_an_unreadable_answer_is_one_line_naming_the_service_and_is_not_kept(services, sources, service, path, message):
    prefix = "/" + service.name
    services.fail(prefix, "garbage")
    with pytest.raises(SourceUnavailable) as raised:
        sources.get(service, path, {"id_list": "2304.08485"} if service is ARXIV else {"date": "2024-05-17", "filter": "title.search:x"})
    assert one_line(raised) == message
    assert not (sources.home / http.CACHE_FOLDER).exists()


def test_offline_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("VLMREADER_CROSSREF_URL", "http://127.0.0.1:9/crossref")  # nothing listens there
    sources = Sources(tmp_path / "home")
    with pytest.raises(SourceUnavailable) as raised:
        sources.get(CROSSREF, "/works/10.1000/x")
    assert one_line(raised).startswith("cannot reach 127.0.0.1 (offline?): ")
    assert sources.requests == 1  # a refused connection is not retried


def test_a_second_run_is_answered_from_the_cache_without_a_request(services, sources, tmp_path):
    first = sources.get(ARXIV, params=LLAVA_ID)
    again = Sources(tmp_path / "home")
    second = again.get(ARXIV, params=LLAVA_ID)
    assert second.cached and not first.cached and second.text == first.text
    assert len(services.requests) == 1 and again.requests == 0
    again.close()


def test_refresh_asks_past_the_cache(services, sources, tmp_path):
    sources.get(ARXIV, params=LLAVA_ID)
    refreshing = Sources(tmp_path / "home", refresh=True)
    assert not refreshing.get(ARXIV, params=LLAVA_ID).cached and len(services.requests) == 2
    refreshing.close()


def test_an_answer_older_than_its_max_age_is_asked_again(services, sources, tmp_path):
    sources.get(HUGGING_FACE, "/api/daily_papers", {"date": "2024-05-17"}, max_age=3600)
    age(tmp_path / "home", 1800)
    assert sources.get(HUGGING_FACE, "/api/daily_papers", {"date": "2024-05-17"}, max_age=3600).cached
    age(tmp_path / "home", 3700)
    assert not sources.get(HUGGING_FACE, "/api/daily_papers", {"date": "2024-05-17"}, max_age=3600).cached
    assert sources.get(HUGGING_FACE, "/api/daily_papers", {"date": "2024-05-17"}).cached  # without a max age: kept
    assert len(services.requests) == 2


def test_a_not_found_is_trusted_for_a_day(services, sources, tmp_path):
    assert sources.get(CROSSREF, "/works/10.1000/later").status == 404
    age(tmp_path / "home", 3600)
    assert sources.get(CROSSREF, "/works/10.1000/later").cached
    age(tmp_path / "home", 2 * 86400)
    services.crossref["10.1000/later"] = {"DOI": "10.1000/later", "title": ["Registered Since"]}
    answer = sources.get(CROSSREF, "/works/10.1000/later")
    assert answer.status == 200 and not answer.cached


def test_a_damaged_cache_entry_is_asked_again_and_replaced(services, sources):
    sources.get(ARXIV, params=LLAVA_ID)
    (kept,) = (sources.home / http.CACHE_FOLDER).iterdir()
    kept.write_text('{"status": 200, "te')
    answer = sources.get(ARXIV, params=LLAVA_ID)
    assert not answer.cached and "Instruction Tuning" in answer.text
    assert json.loads(kept.read_text())["status"] == 200


def test_answers_are_kept_whole_with_no_temporary_file_left(services, sources):
    sources.get(ARXIV, params=LLAVA_ID)
    sources.get(CROSSREF, "/works/10.1000/none")
    kept = sorted((sources.home / http.CACHE_FOLDER).iterdir())
    assert len(kept) == 2 and all(path.suffix == ".json" and not path.name.startswith(".") for path in kept)
    assert sorted(json.loads(path.read_text())["status"] for path in kept) == [200, 404]


def test_requests_name_vlmreader_its_version_and_the_contact_email(services, tmp_path):
    sources = Sources(tmp_path / "home", contact_email="reader@example.org")
    for service, path in ((ARXIV, ""), (OPENALEX, "/works"), (CROSSREF, "/works/10.1000/x"), (HUGGING_FACE, "/api/papers/2304.08485")):
        sources.get(service, path, {"q": "1"})
    sources.close()
    assert set(services.user_agents) == {f"vlmreader/{__version__} (mailto:reader@example.org)"}
    mailto = [parse_qs(urlparse(path).query).get("mailto") for path in services.requests]
    assert mailto == [None, ["reader@example.org"], ["reader@example.org"], None]  # the polite pools that document it


def test_who_asks_is_no_part_of_the_cached_question(services, tmp_path):
    for email, key in (("", ""), ("reader@example.org", "k3y")):
        sources = Sources(tmp_path / "home", contact_email=email, api_keys={"openalex": key} if key else {})
        sources.get(OPENALEX, "/works", {"filter": "title.search:x"})
        sources.close()
    assert len(services.requests) == 1


def test_an_api_key_is_sent_to_its_service(services, tmp_path):
    sources = Sources(tmp_path / "home", api_keys={"openalex": "k3y"})
    sources.get(OPENALEX, "/works", {"filter": "title.search:x"})
    sources.get(CROSSREF, "/works/10.1000/x")
    sources.close()
    assert [parse_qs(urlparse(path).query).get("api_key") for path in services.requests] == [["k3y"], None]


def test_a_throttling_server_never_refuses_a_paced_client(services, sources, monkeypatch):
    monkeypatch.setattr(http, "PACING", 1.0)
    services.min_interval["/arxiv"] = 0.2
    quick_arxiv = replace(ARXIV, min_interval=0.2)
    started = time.monotonic()
    for n in range(4):
        assert sources.get(quick_arxiv, params={"id_list": f"2304.0848{n}"}).status == 200
    assert services.too_soon == [] and len(services.requests) == 4
    assert time.monotonic() - started >= 0.58


def test_the_throttling_server_refuses_a_client_that_does_not_pace(services, sources):
    services.min_interval["/arxiv"] = 0.2  # PACING is 0 in these tests: requests go at once
    with pytest.raises(SourceUnavailable, match="answered 429 Too Many Requests"):
        for n in range(3):
            sources.get(ARXIV, params={"id_list": f"2304.0848{n}"})
    assert services.too_soon


def test_pacing_is_per_service(services, sources, monkeypatch, waits):
    monkeypatch.setattr(http, "PACING", 1.0)
    sources.get(ARXIV, params=LLAVA_ID)
    sources.get(OPENALEX, "/works", {"filter": "title.search:x"})
    sources.get(ARXIV, params={"id_list": "2204.14198"})
    assert len(waits) == 1 and 2.9 < waits[0] <= 3.0  # only the second arXiv request waited


def test_a_listing_may_grow_until_it_settles():
    today = datetime.now(timezone.utc).date()
    assert http.max_age_for(today, 2) == http.RECENT_SECONDS
    assert http.max_age_for(today - timedelta(days=1), 2) == http.RECENT_SECONDS
    assert http.max_age_for(today - timedelta(days=2), 2) is None
    assert http.max_age_for(date(2020, 1, 1), 5) is None
