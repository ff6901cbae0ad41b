"""The one HTTP layer every metadata source goes through: polite, cached, patient, and honest.

- **Polite**: each service has a minimum interval between requests (arXiv asks for one every
  3 seconds, OpenAlex allows about 10 a second), requests name vlmreader, its version and the
  user's contact email (`[sources] contact_email`), and OpenAlex and Crossref, which document a
  polite pool, are also sent that email as `mailto`.
- **Cached**: every answer is kept under the home (`sources-cache/`), so asking again costs no
  request (`refresh` asks anyway). An answer that can go stale (a listing of today, which grows)
  is asked again once older than the `max_age` its caller gives; a "not found" is trusted for a
  day, since the paper may appear; anything else is kept for good.
- **Patient**: 429 and 5xx answers, timeouts, an empty body and a service's own "slow down" text
  (arXiv's `Rate exceeded.`) are retried with a growing wait, or the one the service asks for in
  `Retry-After`, a few times.
- **Honest**: a service that cannot be reached, keeps failing, or answers with XML or JSON that
  cannot be read is a `SourceUnavailable` (a `UserError`): one line naming the service, nothing
  in the library changes, and the unreadable answer is not kept.

httpx is the client: it is what Textual's own ecosystem uses, has timeouts and connection reuse
built in, and is imported only when a source is first asked (0.2 s that start-up never pays).
Where each service lives: its default base URL, overridden by `[sources] NAME_url` in config.toml,
overridden by `VLMREADER_NAME_URL` (mirrors, tests).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from vlmreader import __version__
from vlmreader.core.files import write_atomically
from vlmreader.core.models import UserError

CACHE_FOLDER = "sources-cache"
TIMEOUT_SECONDS = 20.0
ATTEMPTS = 4
BACKOFF_SECONDS = 2.0
"""The first wait after a refused or failed request; it doubles each time."""
LONGEST_RETRY_AFTER = 60.0
"""A service asking to wait longer than this (seconds) is not waited for: the run stops."""
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
PACING = 1.0
"""How much of each service's interval to keep between requests (tests of a local server: 0)."""
NOT_FOUND_SECONDS = 86400.0
"""How long a "not found" answer is trusted: a paper announced tomorrow is found tomorrow."""
RECENT_SECONDS = 3600.0
"""How long a listing that may still grow (today's daily papers, this week's submissions) is kept."""


class SourceUnavailable(UserError):
    """A metadata service could not be asked (offline, refusing, failing): nothing was changed."""


@dataclass(frozen=True)
class ServiceSpec:
    """A metadata service: its name, where it lives by default, how often it may be asked and
    what it answers in."""

    name: str
    title: str
    """How messages name it: `arXiv`, `OpenAlex`."""
    default_url: str
    min_interval: float
    """Seconds between two requests, as the service's terms ask."""
    answers_in: str
    """`xml` or `json`: what a 200 answer must parse as to be kept."""
    sends_mailto: bool = False
    """The service documents a `mailto` parameter for its polite pool."""
    refusal: str = ""
    """A 200 body that means "slow down" (arXiv's `Rate exceeded.`): retried as a 429 is."""
    interval_after_answer: bool = False
    """Count `min_interval` from the previous answer, not the previous request: a slow answer
    then never lets two requests arrive closer than the service asks."""

    @property
    def environment_variable(self) -> str:
        return f"VLMREADER_{self.name.upper()}_URL"


ARXIV = ServiceSpec(
    "arxiv", "arXiv", "https://export.arxiv.org/api/query", 3.0, "xml", refusal="Rate exceeded.", interval_after_answer=True
)
OPENALEX = ServiceSpec("openalex", "OpenAlex", "https://api.openalex.org", 0.1, "json", sends_mailto=True)
CROSSREF = ServiceSpec("crossref", "Crossref", "https://api.crossref.org", 0.1, "json", sends_mailto=True)
HUGGING_FACE = ServiceSpec("hf", "Hugging Face", "https://huggingface.co", 0.2, "json")


@dataclass
class Answer:
    """What a service answered: the status, the body as text, whether it came from the cache and
    how old it is there (seconds)."""

    status: int
    text: str
    cached: bool = False
    service: str = "the service"
    """The service's title, for messages."""
    age: float = 0.0

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            raise SourceUnavailable(f"{self.service} answered with something that is not JSON") from None

    def require_ok(self, what: str) -> Answer:
        """This answer, if it is a 200; otherwise SourceUnavailable saying what was asked."""
        if self.status != 200:
            raise SourceUnavailable(f"{self.service} answered {self.status} for {what}")
        return self


def max_age_for(day: date, settles_after_days: int) -> float | None:
    """How long (seconds) a listing of `day` may be kept: `RECENT_SECONDS` while it may still grow,
    that is until `settles_after_days` days after it (UTC), and for good after that."""
    return RECENT_SECONDS if (datetime.now(timezone.utc).date() - day).days < settles_after_days else None


@dataclass
class Sources:
    """Asks metadata services for vlmreader; one per run, so that pacing holds across requests.
    Not thread-safe: one thread (a worker) asks at a time."""

    home: Path
    contact_email: str = ""
    configured_urls: dict[str, str] = field(default_factory=dict)
    refresh: bool = False
    backoff: float | None = None
    """The first wait before a retry (default `BACKOFF_SECONDS`)."""
    api_keys: dict[str, str] = field(default_factory=dict)
    """Per service name, a key sent as `api_key` (OpenAlex asks for one since February 2026)."""
    requests: int = 0
    """Requests actually sent (not answered from the cache) during this run."""
    _last_request: dict[str, float] = field(default_factory=dict)
    _client: Any = None

    def base_url(self, service: ServiceSpec) -> str:
        url = os.environ.get(service.environment_variable) or self.configured_urls.get(service.name) or service.default_url
        return url.rstrip("/")

    def get(
        self, service: ServiceSpec, path: str = "", params: dict[str, str] | None = None, max_age: float | None = None
    ) -> Answer:
        """GET `path` below the service's base URL; a 404 is an answer, not a failure.

        An answer kept in the cache is given again, unless it is older than `max_age` seconds
        (a list that grows during the day, such as today's daily papers) or `refresh` is set.
        """
        import httpx  # imported on first use: start-up never pays for it

        url = self.base_url(service) + path
        asked = dict(params or {})
        # Who asks (mailto, api_key) is no part of the question: another email finds the same answer.
        cache = self.home / CACHE_FOLDER / (hashlib.sha256(str(httpx.URL(url, params=asked)).encode()).hexdigest() + ".json")
        if service.sends_mailto and self.contact_email:
            asked["mailto"] = self.contact_email
        if self.api_keys.get(service.name):
            asked["api_key"] = self.api_keys[service.name]
        if not self.refresh:
            cached = _read_cache(cache, service)
            if cached is not None and _still_good(cached, max_age):
                return cached
        answer = self._send(service, self._http_client().build_request("GET", url, params=asked))
        if answer.status == 200:
            _check_format(service, answer.text)
        if answer.status in (200, 404):
            _write_cache(cache, answer)
        return answer

    def _http_client(self):
        import httpx

        if self._client is None:
            user_agent = f"vlmreader/{__version__}" + (f" (mailto:{self.contact_email})" if self.contact_email else "")
            self._client = httpx.Client(headers={"User-Agent": user_agent}, timeout=TIMEOUT_SECONDS, follow_redirects=True)
        return self._client

    def _send(self, service: ServiceSpec, request) -> Answer:
        import httpx

        where = f"{service.title} ({request.url.host})"
        wait = self.backoff if self.backoff is not None else BACKOFF_SECONDS
        problem = ""
        for attempt in range(ATTEMPTS):
            self._pace(service)
            try:
                self.requests += 1
                response = self._http_client().send(request)
                if service.interval_after_answer:
                    self._last_request[service.name] = time.monotonic()
            except httpx.TimeoutException:
                problem = f"{where} did not answer within {TIMEOUT_SECONDS:g} s"
            except httpx.TransportError as error:
                raise SourceUnavailable(f"cannot reach {request.url.host} (offline?): {' '.join(str(error).split())}") from None
            else:
                refused = _refusal(service, response)
                if not refused:
                    return Answer(response.status_code, response.text, service=service.title)
                problem = f"{where} {refused}"
                asked = _retry_after(response.headers.get("Retry-After", ""))
                if asked is not None and asked > LONGEST_RETRY_AFTER:
                    raise SourceUnavailable(f"{problem} and asks to wait {asked:.0f} s; try again later")
                wait = max(wait, asked or 0.0)
            if attempt < ATTEMPTS - 1:
                time.sleep(wait)
                wait *= 2
        raise SourceUnavailable(f"{problem}, {ATTEMPTS} times; try again later")

    def _pace(self, service: ServiceSpec) -> None:
        last = self._last_request.get(service.name)
        if last is not None:
            delay = service.min_interval * PACING - (time.monotonic() - last)
            if delay > 0:
                time.sleep(delay)
        self._last_request[service.name] = time.monotonic()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _refusal(service: ServiceSpec, response) -> str:
    """What makes `response` a refusal to be retried (`answered 503 Service Unavailable`), or ""
    if it is an answer."""
    if response.status_code in RETRIED_STATUSES:
        return f"answered {response.status_code} {response.reason_phrase}"
    if response.status_code != 200:
        return ""
    body = response.text.strip()
    if not body:
        return "answered with an empty body"
    return f"answered {body!r}" if body == service.refusal else ""


def _retry_after(value: str) -> float | None:
    """The seconds a `Retry-After` header asks for (a number, or an HTTP date), if it says."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None


def _check_format(service: ServiceSpec, text: str) -> None:
    """SourceUnavailable, naming the service, unless `text` reads as what it answers in."""
    try:
        if service.answers_in == "xml":
            ElementTree.fromstring(text)
        else:
            json.loads(text)
    except ElementTree.ParseError as error:
        raise SourceUnavailable(f"{service.title} answered with XML that cannot be read ({error})") from None
    except ValueError:
        raise SourceUnavailable(f"{service.title} answered with something that is not JSON") from None


def _still_good(answer: Answer, max_age: float | None) -> bool:
    if answer.status == 404 and answer.age > NOT_FOUND_SECONDS:
        return False
    return max_age is None or answer.age <= max_age


def _read_cache(path: Path, service: ServiceSpec) -> Answer | None:
    try:
        age = time.time() - path.stat().st_mtime
        stored = json.loads(path.read_text(encoding="utf-8"))
        return Answer(int(stored["status"]), str(stored["text"]), cached=True, service=service.title, age=age)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no answer kept, or a damaged one: ask again


def _write_cache(path: Path, answer: Answer) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps({"status": answer.status, "text": answer.text}, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # a home that cannot be written still works; it asks again next time
