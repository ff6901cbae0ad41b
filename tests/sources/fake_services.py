"""A local stand-in for arXiv, Crossref, OpenAlex and Hugging Face, on 127.0.0.1.

It answers in each service's documented format, from the works registered with it, and can be
told to misbehave (429 and 503 answers, a slow answer, a body that is not XML or JSON), so that
the sources are tested without the internet. Every request is logged.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse
from xml.sax.saxutils import escape


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


def arxiv_feed(entries: list[str], query: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query?{escape(query)}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {escape(query)}</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2026-11-29T00:00:00-05:00</updated>
  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
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
