"""A local stand-in for arXiv, Crossref, OpenAlex and Hugging Face, on 127.0.0.1.

It answers in each service's documented format, from the works registered with it, and can be
told to misbehave (429 and 503 answers, a slow answer, a body that is not XML or JSON), so that
the sources are tested without the internet. Every request is logged.
"""

from __future__ import annotations

import json
import re
import threading
import time
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
            "id": f"https://openalex.org/W{abs(hash(self.arxiv_id)) % 10**9}",
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
        """Papers Hugging Face knows by arXiv id beyond those on arXiv."""
        self.min_interval: dict[str, float] = {}
        """Per service (path prefix such as "/arxiv"), the least time between two requests; a
        request that comes sooner is refused with 429, as a throttling service does."""
        self.too_soon: list[str] = []
        """Requests refused for coming sooner than `min_interval` allows."""
        self._last: dict[str, float] = {}
        self.requests: list[str] = []
        self.failures: list[tuple[str, int | str]] = []
        """(path prefix, status or "slow" or "garbage") to answer with, once each, in order."""
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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

    def openalex_search(self, title: str) -> list[dict]:
        """OpenAlex's title search, roughly: works whose title has every word searched."""
        wanted = set(words(title))
        return [work for work in self.openalex if wanted and wanted <= set(words(work["title"]))]

    def arxiv_search(self, query: dict[str, list[str]]) -> str:
        """arXiv's `search_query`: `ti:"..."` phrases OR-ed, or `cat:X AND submittedDate:[A TO B]`,
        sorted newest first, a page from `start`."""
        text = query["search_query"][0]
        start, size = int(query.get("start", ["0"])[0]), int(query.get("max_results", ["10"])[0])
        category = re.match(r"cat:(\S+) AND submittedDate:\[(\d{8})\d{4} TO (\d{8})\d{4}\]", text)
        if category:
            name, first, last = category.groups()
            matches = [
                paper for paper in self.arxiv.values()
                if name in paper.categories and first <= paper.published[:10].replace("-", "") <= last
            ]
            matches.sort(key=lambda paper: paper.published, reverse=True)
        else:
            phrases = [normalize_title(phrase) for phrase in re.findall(r'ti:"([^"]*)"', text)]
            matches = [paper for paper in self.arxiv.values() if any(phrase and phrase in normalize_title(paper.title) for phrase in phrases)]
        page = matches[start : start + size]
        return arxiv_feed([paper.entry() for paper in page], text, total=len(matches), start=start)

    def fail(self, path_prefix: str, *how: int | str) -> None:
        self.failures += [(path_prefix, what) for what in how]

    def __enter__(self) -> FakeServices:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        services = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                services.requests.append(self.path)
                for prefix, interval in services.min_interval.items():
                    if self.path.startswith(prefix):
                        now = time.monotonic()
                        last = services._last.get(prefix)
                        services._last[prefix] = now
                        if last is not None and now - last < interval * 0.95:
                            services.too_soon.append(self.path)
                            return self._send(429, "Too Many Requests", "text/plain")
                for index, (prefix, how) in enumerate(services.failures):
                    if self.path.startswith(prefix):
                        del services.failures[index]
                        if how == "slow":
                            time.sleep(1.5)
                        elif how == "garbage":
                            return self._send(200, "<feed><entry>cut off", "text/xml")
                        else:
                            return self._send(int(how), "try again later", "text/plain")
                        break
                url = urlparse(self.path)
                if url.path == "/arxiv/api/query" and "search_query" in parse_qs(url.query):
                    return self._send(200, services.arxiv_search(parse_qs(url.query)), "application/atom+xml")
                if url.path == "/openalex/works":
                    query = parse_qs(url.query)
                    wanted = query.get("filter", [""])[0].removeprefix("title.search:")
                    found = services.openalex_search(wanted)[: int(query.get("per_page", ["25"])[0])]
                    meta = {"count": len(found), "db_response_time_ms": 12, "page": 1, "per_page": 25}
                    return self._send(200, json.dumps({"meta": meta, "results": found}), "application/json")
                if url.path == "/hf/api/daily_papers":
                    day = parse_qs(url.query).get("date", [""])[0]
                    return self._send(200, json.dumps([paper.daily_entry() for paper in services.daily.get(day, [])]), "application/json")
                if url.path.startswith("/hf/api/papers/"):
                    paper = services.hf_papers.get(url.path.removeprefix("/hf/api/papers/"))
                    if paper is None:
                        return self._send(404, json.dumps({"error": "Paper not found"}), "application/json")
                    return self._send(200, json.dumps(paper.daily_entry()["paper"]), "application/json")
                if url.path == "/arxiv/api/query":
                    query = parse_qs(url.query)
                    ids = query.get("id_list", [""])[0].split(",")
                    entries = []
                    for arxiv_id in filter(None, ids):
                        if arxiv_id in services.arxiv:
                            entries.append(services.arxiv[arxiv_id].entry())
                        elif not arxiv_id[:1].isdigit() and "/" not in arxiv_id:
                            entries.append(ERROR_ENTRY.format(id=escape(arxiv_id)))
                    return self._send(200, arxiv_feed(entries, url.query), "application/atom+xml")
                if url.path.startswith("/crossref/works/"):
                    doi = unquote(url.path.removeprefix("/crossref/works/")).lower()
                    work = services.crossref.get(doi)
                    if work is None:
                        return self._send(404, "Resource not found.", "text/plain")
                    return self._send(200, json.dumps({"status": "ok", "message-type": "work", "message": work}), "application/json")
                return self._send(404, "not here", "text/plain")

            def _send(self, status: int, body: str, content_type: str) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


LLAVA = ArxivPaper(
    "2304.08485",
    "Visual Instruction Tuning",
    ["Haotian Liu", "Chunyuan Li", "Qingyang Wu", "Yong Jae Lee"],
    abstract="Instruction tuning large language models (LLMs) using machine-generated instruction-following data...",
    doi="10.48550/arXiv.2304.08485",
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
