"""The one HTTP layer every metadata source goes through: polite, cached, patient, and honest.

- **Polite**: each service has a minimum interval between requests (arXiv asks for one every
  3 seconds, OpenAlex allows about 10 a second), requests name vlmreader, its version and the
  user's contact email (`[sources] contact_email`), which puts them in the services' polite pools.
- **Cached**: every answer is kept under the home (`sources-cache/`), so asking again costs no
  request (`refresh` asks anyway).
- **Patient**: 429 and 5xx answers, and timeouts, are retried with a growing wait (or the one
  the service asks for in `Retry-After`), a few times.
- **Honest**: a service that cannot be reached, or keeps failing, is a `SourceUnavailable` (a
  `UserError`): one line, and nothing in the library changes.

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
from dataclasses import dataclass, field
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
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
PACING = 1.0
"""How much of each service's interval to keep between requests (tests of a local server: 0)."""


class SourceUnavailable(UserError):
    """A metadata service could not be asked (offline, refusing, failing): nothing was changed."""


@dataclass(frozen=True)
class ServiceSpec:
    """A metadata service: its name, where it lives by default, and how often it may be asked."""

    name: str
    default_url: str
    min_interval: float
    """Seconds between two requests, as the service's terms ask."""

    @property
    def environment_variable(self) -> str:
        return f"VLMREADER_{self.name.upper()}_URL"


ARXIV = ServiceSpec("arxiv", "https://export.arxiv.org/api/query", 3.0)
OPENALEX = ServiceSpec("openalex", "https://api.openalex.org", 0.1)
CROSSREF = ServiceSpec("crossref", "https://api.crossref.org", 0.1)
HUGGING_FACE = ServiceSpec("hf", "https://huggingface.co", 0.2)


@dataclass
class Answer:
    """What a service answered: the status, the body as text, and whether it came from the cache."""

    status: int
    text: str
    cached: bool = False

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            raise SourceUnavailable("the service answered with something that is not JSON") from None


@dataclass
class Sources:
    """Asks metadata services for vlmreader; one per run, so that pacing holds across requests."""

    home: Path
    contact_email: str = ""
    configured_urls: dict[str, str] = field(default_factory=dict)
    refresh: bool = False
    backoff: float | None = None
    """The first wait before a retry (default `BACKOFF_SECONDS`)."""
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
        request = httpx.Request("GET", url, params=params)
        cache = self.home / CACHE_FOLDER / (hashlib.sha256(str(request.url).encode()).hexdigest() + ".json")
        if not self.refresh:
            cached = _read_cache(cache, max_age)
            if cached is not None:
                return cached
        answer = self._send(service, request)
        if answer.status == 200 or answer.status == 404:
            _write_cache(cache, answer)
        return answer

    def polite(self, params: dict[str, str]) -> dict[str, str]:
        """`params` with the contact email as `mailto`, which OpenAlex and Crossref document for
        their polite pools (the User-Agent carries it too)."""
        return {**params, "mailto": self.contact_email} if self.contact_email else params

    def _send(self, service: ServiceSpec, request) -> Answer:
        import httpx

        if self._client is None:
            user_agent = f"vlmreader/{__version__}" + (f" (mailto:{self.contact_email})" if self.contact_email else "")
            self._client = httpx.Client(headers={"User-Agent": user_agent}, timeout=TIMEOUT_SECONDS, follow_redirects=True)
        host = request.url.host
        wait = self.backoff if self.backoff is not None else BACKOFF_SECONDS
        problem = ""
        for attempt in range(ATTEMPTS):
            self._pace(service)
            try:
                self.requests += 1
                response = self._client.send(request)
            except httpx.TimeoutException:
                problem = f"{host} did not answer within {TIMEOUT_SECONDS:g} s"
            except httpx.TransportError as error:
                raise SourceUnavailable(f"cannot reach {host} (offline?): {error}") from None
            else:
                if response.status_code not in RETRIED_STATUSES:
                    return Answer(response.status_code, response.text)
                problem = f"{host} answered {response.status_code} {response.reason_phrase}"
                asked = response.headers.get("Retry-After", "")
                if asked.isdigit():
                    wait = max(wait, float(asked))
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


def _read_cache(path: Path, max_age: float | None) -> Answer | None:
    try:
        if max_age is not None and time.time() - path.stat().st_mtime > max_age:
            return None
        stored = json.loads(path.read_text(encoding="utf-8"))
        return Answer(int(stored["status"]), str(stored["text"]), cached=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no answer kept, or a damaged one: ask again


def _write_cache(path: Path, answer: Answer) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps({"status": answer.status, "text": answer.text}, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # a home that cannot be written still works; it asks again next time
