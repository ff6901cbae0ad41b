"""Papers from the metadata services (arXiv, OpenAlex, Crossref, Hugging Face): `add` by arXiv
id or DOI, `fetch` a day's feed into a collection, `enrich` what the library has, `link` by hand.
The only way into `core.sources` besides the import entry point; it is imported only when one of
these runs, so starting the app or a search never loads network code.

`enrich` looks for papers the library knows only by title (the bundled ones) and fills their
authors in order, year of the first version, arXiv id and primary category, DOI and published
venue with its year. It asks as few requests as it can, in this order:

1. OpenAlex, by title (one request a paper): authors, DOI, venue, citations, and usually the
   arXiv id (from the work's arXiv location). A paper with a DOI of its own asks Crossref.
2. arXiv, by id, 50 ids a request: the authoritative authors, first version and category.
3. arXiv, by title, several titles a request, for the papers still without an arXiv match.

A candidate is accepted only when it is certainly the paper (`sources.matching`); several
papers with its title, or a title that is only nearly its own with nothing to confirm it, make
the paper *ambiguous*, and `link` settles it by hand. Nothing is written until every request
has been answered: a run that fails or is cancelled changes nothing (and what it was told is
cached, so running it again costs little). Fields the user set are never touched (see
`works.with_metadata`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from pathlib import Path

from vlmreader.core.config import Config
from vlmreader.core.library import AddReport, Library, RecordRevision
from vlmreader.core.library.identity import PaperIdentities, arxiv_id_of, doi_of
from vlmreader.core.models import Paper, UserError, needs_metadata, today
from vlmreader.core.sources import arxiv, crossref, hf, openalex
from vlmreader.core.sources.http import Sources
from vlmreader.core.sources.identifiers import identify
from vlmreader.core.sources.matching import Verdict, decide, verdict
from vlmreader.core.sources.works import Work, metadata_of, record_of, with_metadata, without_source_fields


def sources_for(home: Path, config: Config, refresh: bool = False) -> Sources:
    """The services as the user's config says to ask them (contact email, OpenAlex's key, mirrors),
    caching in `home`. Close it when done (`with contextlib.closing(...)`)."""
    keys = {"openalex": config.openalex_api_key} if config.openalex_api_key else {}
    return Sources(
        home, contact_email=config.contact_email, configured_urls=config.source_urls, refresh=refresh, api_keys=keys
    )


class Cancelled(UserError):
    """The user stopped a run: nothing was changed."""


@dataclass(frozen=True)
class Progress:
    """How far a run has got, for a progress line or bar."""

    stage: str
    done: int
    total: int
    found: int
    requests: int
    elapsed: float

    @property
    def seconds_left(self) -> float | None:
        if not self.done or self.done >= self.total:
            return None
        return self.elapsed / self.done * (self.total - self.done)


@dataclass
class EnrichReport:
    """What an `enrich` run found, paper by paper."""

    enriched: list[tuple[Paper, tuple[str, ...]]] = field(default_factory=list)
    """(the paper as it is now, or would be with `dry_run`; the fields filled or updated)."""
    complete: list[Paper] = field(default_factory=list)
    """Papers that had what a citation needs, or that their sources had nothing to add to."""
    ambiguous: list[tuple[Paper, list[Work]]] = field(default_factory=list)
    """Papers with several candidates, or one that nothing confirms: the user chooses (`link`)."""
    not_found: list[Paper] = field(default_factory=list)
    requests: int = 0
    dry_run: bool = False
    revision: RecordRevision | None = None
    """What was written, for undo (None for a dry run)."""


@dataclass
class _Search:
    """What is known of one paper during a run."""

    paper: Paper
    arxiv_id: str = ""
    """The paper's own arXiv id, else the one its accepted candidates give."""
    trusted_id: bool = False
    """The arXiv id is the paper's own (the user's), not a search's."""
    accepted: list[Work] = field(default_factory=list)
    doubtful: list[Work] = field(default_factory=list)

    def consider(self, candidates: list[Work]) -> None:
        decision = decide(self.paper.title, self.paper.abstract, candidates)
        self.accepted += decision.accepted
        self.doubtful += [work for work in decision.doubtful if work not in self.doubtful]
        if not self.arxiv_id:
            self.arxiv_id = next((work.arxiv_id for work in decision.accepted if work.arxiv_id), "")


ProgressListener = Callable[[Progress], None]


@dataclass
class Findings:
    """What the services said of each paper of a run, before anything is written."""

    searches: list[_Search]
    complete: list[Paper]
    requests: int
    refresh: bool


def find_metadata(
    papers: list[Paper],
    sources: Sources,
    *,
    refresh: bool = False,
    progress: ProgressListener | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Findings:
    """Ask the services about each of `papers` (see the module docstring); reads and writes no
    library, so the app runs it in a worker thread. Papers that have authors and a year are left
    alone unless `refresh`. `progress` hears before every request; `cancelled()` true stops the
    run with Cancelled."""
    searches, complete = [], []
    for paper in papers:
        if refresh or needs_metadata(paper):
            own_id = arxiv_id_of(paper.record)
            searches.append(_Search(paper, own_id, trusted_id=bool(own_id)))
        else:
            complete.append(paper)
    started = time.monotonic()

    def step(stage: str, done: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled: nothing was changed")
        if progress is not None:
            found = sum(1 for search in searches if search.accepted)
            progress(Progress(stage, done, total, found, sources.requests, time.monotonic() - started))

    for done, search in enumerate(searches):
        step("searching", done, len(searches))
        doi = doi_of(search.paper.record)
        if doi and not search.arxiv_id:
            work = crossref.work_by_doi(sources, doi)
            if work is not None:
                search.accepted.append(work)  # the paper's own DOI: no doubt which paper it is
        else:
            search.consider(openalex.works_by_title(sources, search.paper.title))

    by_arxiv_id = {search.arxiv_id: search for search in searches if search.arxiv_id}
    if by_arxiv_id:
        step("arXiv ids", len(searches), len(searches))
        for arxiv_id, work in arxiv.works_by_id(sources, list(by_arxiv_id)).items():
            search = by_arxiv_id.get(arxiv_id)
            if search is not None and (search.trusted_id or verdict(search.paper.title, search.paper.abstract, work) is Verdict.SAME):
                search.accepted.append(work)

    unmatched = [
        search for search in searches if not search.trusted_id and not any(work.source == "arxiv" for work in search.accepted)
    ]
    if unmatched:
        step("arXiv titles", len(searches), len(searches))
        candidates = arxiv.works_by_titles(sources, [search.paper.title for search in unmatched])
        for search in unmatched:
            search.consider(candidates)
    step("done", len(searches), len(searches))
    return Findings(searches, complete, sources.requests, refresh)


def apply_findings(library: Library, findings: Findings, dry_run: bool = False) -> EnrichReport:
    """Write what `find_metadata` found into the library, in one write (none with `dry_run`),
    each paper revised as the library holds it now; the report says what changed."""
    report = EnrichReport(complete=list(findings.complete), requests=findings.requests, dry_run=dry_run)
    date = today()
    metadata = {}
    for search in findings.searches:
        if search.accepted:
            metadata[search.paper.id] = metadata_of(search.accepted)
        elif search.doubtful:
            report.ambiguous.append((search.paper, search.doubtful))
        else:
            report.not_found.append(search.paper)
    revisions = {
        paper_id: (lambda record, found=found: with_metadata(record, found, date, findings.refresh))
        for paper_id, found in metadata.items()
        if paper_id in library
    }
    if dry_run:
        before = {paper_id: library.get(paper_id).record for paper_id in revisions}
        after = {paper_id: revise(before[paper_id]) for paper_id, revise in revisions.items()}
    else:
        report.revision = library.revise_records(revisions)
        before, after = report.revision.before, report.revision.after
    for search in findings.searches:
        paper_id = search.paper.id
        if paper_id not in metadata:
            continue
        if paper_id in after and after[paper_id] != before[paper_id]:
            paper = Paper(after[paper_id], search.paper.annotation) if dry_run else library.get(paper_id)
            report.enriched.append((paper, _filled(before[paper_id], after[paper_id])))
        else:
            report.complete.append(search.paper)
    return report


def enrich(
    library: Library,
    papers: list[Paper],
    sources: Sources,
    *,
    refresh: bool = False,
    dry_run: bool = False,
    progress: ProgressListener | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> EnrichReport:
    """Find each of `papers` at the services and fill what it lacks: `find_metadata`, then
    `apply_findings`. `refresh` also updates the fields a source filled before."""
    findings = find_metadata(papers, sources, refresh=refresh, progress=progress, cancelled=cancelled)
    return apply_findings(library, findings, dry_run=dry_run)


def _filled(before, after) -> tuple[str, ...]:
    return tuple(name for name in after.fields if before.fields.get(name) != after.fields[name])


@dataclass(frozen=True)
class Linked:
    """What `link` did."""

    paper: Paper
    filled: tuple[str, ...]
    work: Work
    titles_differ: bool
    """The service's title is not the paper's: worth a second look."""


def link(library: Library, paper: Paper, text: str, sources: Sources) -> Linked:
    """Settle which paper `paper` is by hand: the arXiv id or DOI `text` names it.

    What sources filled before (perhaps from a wrong match) is replaced by what this one says;
    what the user set stays.
    """
    identifier = identify(text)
    if identifier.kind == "arxiv":
        work = arxiv.works_by_id(sources, [identifier.value]).get(identifier.value)
        where = "arXiv"
    else:
        work = crossref.work_by_doi(sources, identifier.value)
        where = "Crossref"
    if work is None:
        raise UserError(f"{where} has no paper {identifier}")
    found = metadata_of([work])
    date = today()
    revision = library.revise_records({paper.id: lambda record: with_metadata(without_source_fields(record), found, date)})
    linked = library.get(paper.id)
    before = revision.before.get(paper.id, paper.record)
    return Linked(linked, _filled(before, linked.record), work, verdict(paper.title, paper.abstract, work) is not Verdict.SAME)


# -- adding papers by identifier, and daily feeds --------------------------------------------


@dataclass
class Added:
    """What `add_by_identifiers` did with each identifier the user gave."""

    added: list[Paper] = field(default_factory=list)
    known: list[tuple[str, Paper]] = field(default_factory=list)
    """(identifier as given, the paper the library already had): nothing fetched, or the fetched
    metadata merged into it (a bundled paper with its title)."""
    not_found: list[str] = field(default_factory=list)
    requests: int = 0


@dataclass
class Additions:
    """What `plan_additions` made of the identifiers a user gave."""

    given: dict = field(default_factory=dict)
    """Identifier -> every text that named it, in order."""
    known: list[tuple[str, Paper]] = field(default_factory=list)
    wanted: list = field(default_factory=list)
    """The identifiers the library lacks, to ask the services for."""


def plan_additions(library: Library, texts: list[str]) -> Additions:
    """Read every identifier (a typo stops it all, before any request) and set aside those the
    library already has (by arXiv id or DOI), which cost no request."""
    plan = Additions()
    for text in texts:
        plan.given.setdefault(identify(text), []).append(text)
    identities = PaperIdentities(library.records())
    for identifier, named in plan.given.items():
        index = identities.by_arxiv if identifier.kind == "arxiv" else identities.by_doi
        if identifier.value in index:
            plan.known += [(text, library.get(index[identifier.value])) for text in named]
        else:
            plan.wanted.append(identifier)
    return plan


def works_for(sources: Sources, identifiers: list) -> dict:
    """The work each identifier names (None where no service has it): arXiv ids in one batch,
    one arXiv does not know asked of Hugging Face; DOIs of Crossref. Touches no library."""
    on_arxiv = arxiv.works_by_id(sources, [identifier.value for identifier in identifiers if identifier.kind == "arxiv"])
    found = {}
    for identifier in identifiers:
        if identifier.kind == "arxiv":
            found[identifier] = on_arxiv.get(identifier.value) or hf.paper_by_id(sources, identifier.value)
        else:
            found[identifier] = crossref.work_by_doi(sources, identifier.value)
    return found


def add_found(library: Library, plan: Additions, found: dict, key_style: str = "title") -> Added:
    """Add the works `works_for` found for `plan`, and say what became of every identifier."""
    report = Added(known=list(plan.known))
    offered = []
    for identifier in plan.wanted:
        if found.get(identifier) is None:
            report.not_found.append(plan.given[identifier][0])
        else:
            offered.append((plan.given[identifier], [found[identifier]]))
    added = offer_works(library, [works for _, works in offered], (), key_style)
    new_ids = {paper.id for paper in added.added}
    report.added = added.added
    for (named, _), paper in zip(offered, added.papers):
        if paper is not None:
            report.known += [(text, paper) for text in (named[1:] if paper.id in new_ids else named)]
    return report


def add_by_identifiers(library: Library, texts: list[str], sources: Sources, key_style: str = "title") -> Added:
    """Add the papers that arXiv ids, DOIs or Hugging Face URLs name, with their metadata:
    `plan_additions`, `works_for`, `add_found`."""
    plan = plan_additions(library, texts)
    report = add_found(library, plan, works_for(sources, plan.wanted), key_style)
    report.requests = sources.requests
    return report


@dataclass
class AddedFromFeed(AddReport):
    """What a `fetch` run brought: the collection it filled, the papers new to the library
    (`added`) and those it had (`merged`: they gained the collection)."""

    collection: str = ""
    papers: list[Paper | None] = field(default_factory=list)
    """The library's paper for each list of works offered, in order (None: not found again,
    which only a title another paper contradicts can cause)."""


def offer_works(library: Library, works_per_paper: list[list[Work]], collections: tuple[str, ...], key_style: str) -> AddedFromFeed:
    """Add a paper for each list of works (its descriptions by several services), or merge it
    into the paper the library has (by arXiv id, DOI or title); report both."""
    date = today()
    records = [record_of(works, date, collections) for works in works_per_paper]
    report = library.add_papers([Paper(record) for record in records], key_style=key_style)
    identities = PaperIdentities(library.records())
    papers = []
    for record in records:
        match = identities.match(record, ("", ""))
        papers.append(library.get(match.same_as) if match.same_as else None)
    result = AddedFromFeed(**vars(report), collection=collections[0] if collections else "")
    result.papers = papers
    return result


def daily_collection(day: Date) -> str:
    return f"hf-{day.isoformat()}"


def daily_papers_works(sources: Sources, day: Date) -> list[list[Work]]:
    """A day of Hugging Face's daily papers, each with its arXiv description (category, first
    version, published venue), asked of arXiv in batches. Touches no library."""
    listed = hf.daily_papers(sources, day)
    on_arxiv = arxiv.works_by_id(sources, [work.arxiv_id for work in listed if work.arxiv_id])
    return [[work, on_arxiv[work.arxiv_id]] if work.arxiv_id in on_arxiv else [work] for work in listed]


def fetch_daily_papers(library: Library, sources: Sources, day: Date, key_style: str = "title") -> AddedFromFeed:
    """Bring in a day of Hugging Face's daily papers as the collection `hf-DAY`."""
    return offer_works(library, daily_papers_works(sources, day), (daily_collection(day),), key_style)


def category_collection(category: str, last_day: Date) -> str:
    return f"arxiv-{category}-{last_day.isoformat()}"


def fetch_category(library: Library, sources: Sources, category: str, days: int, key_style: str = "title", last_day: Date | None = None) -> AddedFromFeed:
    """Bring in an arXiv category's submissions of the `days` days ending on `last_day` (today,
    UTC) as the collection `arxiv-CATEGORY-LASTDAY`."""
    if days < 1:
        raise UserError(f"--days must be 1 or more, not {days}")
    last_day = last_day or Date.fromisoformat(today())
    listed = arxiv.recent_in_category(sources, category, last_day - timedelta(days=days - 1), last_day)
    return offer_works(library, [[work] for work in listed], (category_collection(category, last_day),), key_style)
