"""A local stand-in for arXiv, Crossref, OpenAlex and Hugging Face, on 127.0.0.1.

It answers in each service's documented format, from the works registered with it: arXiv's Atom
for `id_list` and for `search_query` (`ti:"..."` phrases OR-ed, `cat:X AND submittedDate:[A TO B]`,
sorted, paged with `start` and `max_results`, with a true `opensearch:totalResults`); OpenAlex's
`/works?filter=title.search:...` (400 for a filter it cannot read, as OpenAlex does; `select`,
`per_page`); Hugging Face's `/api/daily_papers?date=` (paged with `limit` and `p`) and
`/api/papers/{id}`; Crossref's `/works/{doi}`.

It can be told to misbehave (`fail`: 429 and 503 answers, a slow answer, a body that is not XML
or JSON, an empty body, arXiv's `Rate exceeded.`, a listing page without its entries) and to
refuse with 429 a request that comes sooner after the previous one than a service allows
(`min_interval`), so that tests and benchmarks can see the client is polite. Every request is
logged, with its User-Agent.
"""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse
from xml.sax.saxutils import escape

from vlmreader.core.text import normalize_title, words


@dataclass
class ArxivPaper:
    arxiv_id: str
    title: str
    authors: list[str]
    abstract: str = "An abstract."
    published: str = "2023-04-17T17:59:25Z"
    version: int = 2
    primary_category: str = "cs.CV"
    categories: list[str] = field(default_factory=lambda: ["cs.CV", "cs.AI", "cs.CL"])
    doi: str = ""
    journal_ref: str = ""

    def daily_entry(self) -> dict:
        """This paper as an entry of Hugging Face's daily papers."""
        paper = {
            "id": self.arxiv_id,
            "authors": [{"_id": f"a{n}", "name": name, "hidden": False} for n, name in enumerate(self.authors)],
            "publishedAt": self.published.replace("Z", ".000Z"),
            "title": self.title,
            "summary": self.abstract + "\n",
            "upvotes": 12,
        }
        return {"paper": paper, "publishedAt": paper["publishedAt"], "title": self.title, "numComments": 2}

    def openalex_work(self, **published) -> dict:
        """This paper as an OpenAlex work: its arXiv location, and a venue if `published` names one
        (`venue`, `venue_type`, `year`, `doi`)."""
        locations = [
            {
                "is_oa": True,
                "landing_page_url": f"https://arxiv.org/abs/{self.arxiv_id}",
                "pdf_url": f"https://arxiv.org/pdf/{self.arxiv_id}",
                "source": {"id": "https://openalex.org/S4306400194", "display_name": "arXiv (Cornell University)", "type": "repository"},
            }
        ]
        if published.get("venue"):
            locations.insert(0, {
                "is_oa": False,
                "landing_page_url": f"https://doi.org/{published.get('doi', '')}",
                "source": {"id": "https://openalex.org/S1", "display_name": published["venue"], "type": published.get("venue_type", "conference")},
            })
        positions: dict[str, list[int]] = {}
        for position, word in enumerate(self.abstract.split()):
            positions.setdefault(word, []).append(position)
        return {
            "id": f"https://openalex.org/W{zlib.crc32(self.arxiv_id.encode())}",
            "doi": f"https://doi.org/{published['doi']}" if published.get("doi") else f"https://doi.org/10.48550/arxiv.{self.arxiv_id}",
            "title": self.title,
            "display_name": self.title,
            "publication_year": published.get("year", int(self.published[:4])),
            "type": "article" if published.get("venue") else "preprint",
            "authorships": [
                {"author_position": "first" if n == 0 else "middle", "author": {"id": f"https://openalex.org/A{n}", "display_name": name}, "raw_author_name": name}
                for n, name in enumerate(self.authors)
            ],
            "primary_location": locations[0],
            "locations": locations,
            "abstract_inverted_index": positions,
            "cited_by_count": 42,
            "referenced_works": [f"https://openalex.org/W{n}" for n in range(30)],  # what `select` leaves out
        }

    def entry(self) -> str:
        authors = "".join(f"<author><name>{escape(name)}</name></author>" for name in self.authors)
        extras = f"<arxiv:doi>{escape(self.doi)}</arxiv:doi>" if self.doi else ""
        extras += f"<arxiv:journal_ref>{escape(self.journal_ref)}</arxiv:journal_ref>" if self.journal_ref else ""
        categories = "".join(f'<category term="{term}" scheme="http://arxiv.org/schemas/atom"/>' for term in self.categories)
        # Titles and abstracts come hard-wrapped, as arXiv sends them.
        title = escape(self.title).replace(" ", "\n  ", 1)
        return f"""
  <entry>
    <id>http://arxiv.org/abs/{self.arxiv_id}v{self.version}</id>
    <updated>2023-12-11T18:59:48Z</updated>
    <published>{self.published}</published>
    <title>{title}</title>
    <summary>  {escape(self.abstract)}
</summary>
    {authors}
    {extras}
    <link href="http://arxiv.org/abs/{self.arxiv_id}v{self.version}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{self.arxiv_id}v{self.version}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{self.primary_category}" scheme="http://arxiv.org/schemas/atom"/>
    {categories}
  </entry>"""


def arxiv_feed(entries: list[str], query: str, total: int | None = None, start: int = 0) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query?{escape(query, {'"': "&quot;"})}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {escape(query)}</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2026-11-29T00:00:00-05:00</updated>
  <opensearch:totalResults>{len(entries) if total is None else total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>{"".join(entries)}
</feed>
"""


ERROR_ENTRY = """
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{id}</id>
    <title>Error</title>
    <summary>incorrect id format for {id}</summary>
    <updated>2026-11-29T00:00:00-05:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_{id}" rel="alternate" type="text/html"/>
    <author><name>arXiv api core</name></author>
  </entry>"""

_LISTING = re.compile(r"cat:(\S+) AND submittedDate:\[(\d{12}) TO (\d{12})\]")
_OPENALEX_FILTERS = {"title.search", "display_name.search", "doi", "publication_year"}
GARBAGE = {"xml": "<feed><entry>cut off", "json": '{"results": [{"id": "W1", "title": '}


SCHEDULING_SLACK = 0.03
"""Seconds by which a request may seem early to the server on a loaded machine."""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up on a slow answer is expected here


class FakeServices:
    """The server, the works it knows, and what it has been asked."""

    def __init__(self) -> None:
        self.arxiv: dict[str, ArxivPaper] = {}
        self.crossref: dict[str, dict] = {}
        self.openalex: list[dict] = []
        """OpenAlex work objects, found by title search."""
        self.daily: dict[str, list[ArxivPaper]] = {}
        """Hugging Face's daily papers, by day (YYYY-MM-DD)."""
        self.hf_papers: dict[str, ArxivPaper] = {}
        """Papers Hugging Face has a page for, by arXiv id, beside those in `daily`."""
        self.min_interval: dict[str, float] = {}
        """Per service (path prefix such as "/arxiv"), the least time between two requests; a
        request that comes sooner is refused with 429, as a throttling service does."""
        self.too_soon: list[str] = []
        """Requests refused for coming sooner than `min_interval` allows."""
        self.retry_after = ""
        """Sent as `Retry-After` with the 429 and 503 answers `fail` asks for, if set."""
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self.failures: list[tuple[str, int | str]] = []
        """(path prefix, how) to answer with, once each, in order: a status, "slow" (1.5 s),
        "garbage" (cut-off XML or JSON), "empty" (a 200 without a body), "rate exceeded"
        (arXiv's 200 `Rate exceeded.`), "no entries" (an arXiv page without its entries)."""
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)  # quick to shut down

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def environment(self) -> dict[str, str]:
        """The variables that point vlmreader's sources here."""
        return {
            "VLMREADER_ARXIV_URL": f"{self.url}/arxiv/api/query",
            "VLMREADER_CROSSREF_URL": f"{self.url}/crossref",
            "VLMREADER_OPENALEX_URL": f"{self.url}/openalex",
            "VLMREADER_HF_URL": f"{self.url}/hf",
        }

    def fail(self, path_prefix: str, *how: int | str) -> None:
        self.failures += [(path_prefix, what) for what in how]

    def openalex_search(self, title: str) -> list[dict]:
        """OpenAlex's title search, roughly: works whose title has every word of one of the
        `|`-separated alternatives."""
        alternatives = [set(words(alternative)) for alternative in title.split("|")]
        return [work for work in self.openalex if any(wanted and wanted <= set(words(work["title"])) for wanted in alternatives)]

    def arxiv_search(self, query: dict[str, list[str]], without_entries: bool = False) -> str:
        """arXiv's `search_query`: `ti:"..."` phrases OR-ed (exact titles first, as relevance
        ranks them), or `cat:X AND submittedDate:[A TO B]`; `sortBy=submittedDate` in `sortOrder`;
        a page from `start`."""
        text = query["search_query"][0]
        start, size = int(query.get("start", ["0"])[0]), int(query.get("max_results", ["10"])[0])
        listing = _LISTING.fullmatch(text)
        if listing:
            name, first, last = listing.groups()
            matches = [
                paper for paper in self.arxiv.values()
                if name in paper.categories and first <= re.sub(r"\D", "", paper.published)[:12] <= last
            ]
        else:
            phrases = [f" {normalize_title(phrase)} " for phrase in re.findall(r'ti:"([^"]*)"', text)]
            titled = [(f" {normalize_title(paper.title)} ", paper) for paper in self.arxiv.values()]
            matches = [paper for title, paper in titled if any(phrase.strip() and phrase in title for phrase in phrases)]
            matches.sort(key=lambda paper: f" {normalize_title(paper.title)} " not in phrases)
        if query.get("sortBy") == ["submittedDate"]:
            matches.sort(key=lambda paper: paper.published, reverse=query.get("sortOrder") != ["ascending"])
        page = [] if without_entries else matches[start : start + size]
        return arxiv_feed([paper.entry() for paper in page], text, total=len(matches), start=start)

    def __enter__(self) -> FakeServices:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _too_soon(self, path: str) -> bool:
        for prefix, interval in self.min_interval.items():
            if path.startswith(prefix):
                with self._lock:
                    now, last = time.monotonic(), self._last.get(prefix)
                    self._last[prefix] = now
                # A little slack: a handler thread of a busy machine starts some milliseconds late.
                if last is not None and now - last < interval - max(0.05 * interval, SCHEDULING_SLACK):
                    self.too_soon.append(path)
                    return True
        return False

    def _failure(self, path: str) -> int | str | None:
        for index, (prefix, how) in enumerate(self.failures):
            if path.startswith(prefix):
                del self.failures[index]
                return how
        return None

    def _answer(self, path: str, failure: int | str | None) -> tuple[int, str, str]:
        """(status, body, content type) for a GET of `path`."""
        url = urlparse(path)
        query = parse_qs(url.query)
        if url.path == "/arxiv/api/query" and "search_query" in query:
            return 200, self.arxiv_search(query, without_entries=failure == "no entries"), "application/atom+xml"
        if url.path == "/arxiv/api/query":
            entries = []
            for arxiv_id in filter(None, query.get("id_list", [""])[0].split(",")):
                if arxiv_id in self.arxiv:
                    entries.append(self.arxiv[arxiv_id].entry())
                elif not arxiv_id[:1].isdigit() and "/" not in arxiv_id:
                    entries.append(ERROR_ENTRY.format(id=escape(arxiv_id)))
            return 200, arxiv_feed(entries, url.query), "application/atom+xml"
        if url.path == "/openalex/works":
            return self._openalex_works(query)
        if url.path == "/hf/api/daily_papers":
            listed = self.daily.get(query.get("date", [""])[0], [])
            limit, page = min(int(query.get("limit", ["50"])[0]), 100), int(query.get("p", ["0"])[0])
            return 200, json.dumps([paper.daily_entry() for paper in listed[page * limit : (page + 1) * limit]]), "application/json"
        if url.path.startswith("/hf/api/papers/"):
            known = {**{paper.arxiv_id: paper for day in self.daily.values() for paper in day}, **self.hf_papers}
            paper = known.get(unquote(url.path.removeprefix("/hf/api/papers/")))
            if paper is None:
                return 404, json.dumps({"error": "Paper not found"}), "application/json"
            return 200, json.dumps(paper.daily_entry()["paper"]), "application/json"
        if url.path.startswith("/crossref/works/"):
            work = self.crossref.get(unquote(url.path.removeprefix("/crossref/works/")).lower())
            if work is None:
                return 404, "Resource not found.", "text/plain"
            return 200, json.dumps({"status": "ok", "message-type": "work", "message": work}), "application/json"
        return 404, "not here", "text/plain"

    def _openalex_works(self, query: dict[str, list[str]]) -> tuple[int, str, str]:
        searched = ""
        for piece in query.get("filter", [""])[0].split(","):
            name, colon, value = piece.partition(":")
            if not colon or name not in _OPENALEX_FILTERS:
                message = {"error": "Invalid query parameters error.", "message": f"{piece} is not a valid filter"}
                return 400, json.dumps(message), "application/json"
            if name == "title.search":
                searched = value
        found = self.openalex_search(searched)
        per_page = int(query.get("per_page", ["25"])[0])
        fields = [name for name in query.get("select", [""])[0].split(",") if name]
        results = [{name: work[name] for name in fields if name in work} if fields else work for work in found[:per_page]]
        meta = {"count": len(found), "db_response_time_ms": 12, "page": 1, "per_page": per_page}
        return 200, json.dumps({"meta": meta, "results": results}), "application/json"

    def _handler(self):
        services = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                services.requests.append(self.path)
                services.user_agents.append(self.headers.get("User-Agent", ""))
                if services._too_soon(self.path):
                    return self._send(429, "Too Many Requests", "text/plain")
                how = services._failure(self.path)
                if how == "slow":
                    time.sleep(1.5)
                elif how == "garbage":
                    return self._send(200, GARBAGE["xml" if self.path.startswith("/arxiv") else "json"], "text/plain")
                elif how == "empty":
                    return self._send(200, "", "text/plain")
                elif how == "rate exceeded":
                    return self._send(200, "Rate exceeded.\n", "text/plain")
                elif isinstance(how, int):
                    return self._send(how, "try again later", "text/plain", retry_after=services.retry_after)
                self._send(*services._answer(self.path, how))

            def _send(self, status: int, body: str, content_type: str, retry_after: str = "") -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if retry_after:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(data)

        return Handler


LLAVA = ArxivPaper(
    "2304.08485",
    "Visual Instruction Tuning",
    ["Haotian Liu", "Chunyuan Li", "Qingyang Wu", "Yong Jae Lee"],
    abstract="Instruction tuning large language models (LLMs) using machine-generated instruction-following data...",
    doi="10.5555/3666122.3667638",
    journal_ref="NeurIPS 2023 (oral)",
)
FLAMINGO = ArxivPaper(
    "2204.14198",
    "Flamingo: a Visual Language Model for Few-Shot Learning",
    ["Jean-Baptiste Alayrac", "Jeff Donahue", "Pauline Luc"],
    published="2022-04-29T16:29:01Z",
)
CROSSREF_WORK = {
    "DOI": "10.1109/CVPR52729.2023.01234",
    "title": ["Seeing Beyond the Patch: A Study"],
    "author": [{"given": "Ann", "family": "Smith", "sequence": "first"}, {"given": "Bo", "family": "Li"}],
    "type": "proceedings-article",
    "container-title": ["2023 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"],
    "published-print": {"date-parts": [[2023, 6, 17]]},
    "URL": "http://dx.doi.org/10.1109/CVPR52729.2023.01234",
    "abstract": "<jats:p>We look beyond the patch.</jats:p>",
}
