"""The `vlmreader` command: the TUI with no arguments, scripting subcommands otherwise.

Subcommands import only the UI-free core, never Textual, so `vlmreader search` starts fast.
User errors print one line on stderr and exit 1; usage errors exit 2 (argparse).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

from vlmreader import __version__
from vlmreader.core.text import readable, visible
from vlmreader.core.models import AddTags, RemoveTags, SetNote, SetStatus, Star, UserError
from vlmreader.core.vocabulary import STAR, STARRED_LABEL, STATUSES, counted

EXIT_USER_ERROR = 1
TEXT_ARGUMENTS = ("query", "ref", "refs", "tags", "text")
"""Arguments that become stored or searched text, where bytes that are not UTF-8 become U+FFFD."""


def _home(arguments: argparse.Namespace) -> Path:
    from vlmreader.core.library import default_home

    from vlmreader.core.files import user_path

    return user_path(arguments.home) if arguments.home else default_home()


_opened: list[tuple[object, tuple[int, int]]] = []
"""The libraries this command opened, with their versions then: a change means kept exports
may need rewriting (`_refresh_kept_exports`)."""


def _open_library(arguments: argparse.Namespace):
    from vlmreader.core.importing import bundled_pages, open_library
    from vlmreader.resources import data_dir

    library = open_library(_home(arguments), bundled_pages(data_dir()))
    _opened.append((library, (library.papers_version, library.annotations_version)))
    return library


def _refresh_kept_exports() -> None:
    """Rewrite the kept exports a command's changes made stale, and say what it did."""
    while _opened:
        library, versions = _opened.pop()
        if (library.papers_version, library.annotations_version) == versions:
            continue
        from vlmreader.core.kept import WRITTEN, refresh_kept_exports

        try:
            results = refresh_kept_exports(library)
        except UserError as error:
            _say(f"vlmreader: warning: kept exports not refreshed: {error}", file=sys.stderr)
            continue
        for result in results:
            if result.outcome == WRITTEN:
                _say(f"kept export {result.export.path} rewritten ({counted(result.export.papers, 'paper')})", file=sys.stderr)
            else:
                _say(f"vlmreader: warning: {result.message}", file=sys.stderr)


def _say(text: object = "", file=None) -> None:
    """Print a line for a person: nothing in it reaches the terminal as a control sequence."""
    print(visible(str(text)), file=file or sys.stdout)


def _print_json(value, indent: int | None = 2) -> None:
    """Print `value` as JSON; `indent=None` uses the fast C encoder, for long outputs."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=indent))
    sys.stdout.write("\n")


def _status_mark(paper) -> str:
    return STAR if paper.starred else " "


def _paper_line(paper) -> str:
    return f"{_status_mark(paper)} {paper.status:<7}  {paper.key:<32}  {paper.title}"


def _search(arguments: argparse.Namespace, partial: bool = True):
    """(library, result) of the query in `arguments.query`; a filter it cannot read is a user error.

    `partial`: papers matching most of the words follow the strict ones, for a person reading
    the list; commands that act on what a query matches (export, enrich) take the strict ones."""
    from vlmreader.core.search import SearchEngine, parse_query

    library = _open_library(arguments)
    query = parse_query(" ".join(arguments.query))
    if query.problems:
        raise UserError("; ".join(query.problems))
    return library, SearchEngine(library).search(query, partial=partial)


# -- subcommands ------------------------------------------------------------------------


PARTIAL_SEPARATOR = "-- no more papers with every word; papers matching most of them:"


def _print_result(library, result, limit: int | None, as_json: bool) -> int:
    """A search result's papers, best first: a JSON array (with each one's `score` and `match`)
    or a line each, with a separator before the papers that match only most of the words."""
    hits = result.scored_ids(limit)
    if as_json:
        # One paper at a time, as `json.dumps` would write the whole array: 15,000 papers with
        # their abstracts never make one string.
        encode = json.JSONEncoder(ensure_ascii=False).encode
        write = sys.stdout.write
        write("[")
        for position, (paper_id, score) in enumerate(hits):
            if position:
                write(", ")
            write(encode(library.get(paper_id).to_json() | {"score": score, "match": result.match_at(position)}))
        write("]\n")
        return len(hits)
    for position, (paper_id, _) in enumerate(hits):
        if position == result.strict_count and not result.similar:
            _say(PARTIAL_SEPARATOR)
        _say(_paper_line(library.get(paper_id)))
    if len(hits) < len(result):
        _say(f"({len(hits)} of {len(result)} matches shown; --limit N shows more)", file=sys.stderr)
    return len(hits)


def command_search(arguments: argparse.Namespace) -> int:
    library, result = _search(arguments)
    if not _print_result(library, result, arguments.limit, arguments.json) and not arguments.json:
        _say(f"no paper matches {' '.join(arguments.query)!r}", file=sys.stderr)
    return 0


def command_related(arguments: argparse.Namespace) -> int:
    from vlmreader.core.search import SearchEngine
    from vlmreader.core.vocabulary import LIKE_FILTER

    library = _open_library(arguments)
    paper = library.resolve(arguments.ref)
    result = SearchEngine(library).search(f"{LIKE_FILTER}:{paper.id}")
    if not _print_result(library, result, arguments.limit, arguments.json) and not arguments.json:
        _say(f"no paper is like {paper.key}", file=sys.stderr)
    return 0


def command_show(arguments: argparse.Namespace) -> int:
    library = _open_library(arguments)
    paper = library.resolve(arguments.ref)
    if arguments.json:
        _print_json(paper.to_json())
        return 0
    lines = [
        paper.title,
        "",
        f"key          {paper.key}",
        f"id           {paper.id}",
        f"status       {paper.status}{f'  {STARRED_LABEL}' if paper.starred else ''}",
        f"tags         {', '.join(paper.tags) or '-'}",
        f"collections  {', '.join(paper.collections) or '-'}",
        f"url          {paper.url or '-'}",
    ]
    for name, value in sorted(paper.record.fields.items()):
        source = paper.source_of(name)
        lines.append(f"{name:<12} {value}" + (f"  [{source[0]}, {source[1]}]" if source else ""))
    if paper.abstract:
        lines += ["", paper.abstract]
    if paper.note:
        lines += ["", "Note:", paper.note]
    _say("\n".join(lines))
    return 0


def _update(library, paper_ids: list[str], change) -> list:
    """Apply `change` and say what the user should know of it (a postponed fold); the papers."""
    update = library.update(paper_ids, change)
    if update.warning:
        _say(f"vlmreader: warning: {update.warning}", file=sys.stderr)
    return update.papers


def _annotation_command(change_for):
    """A command that applies `change_for(arguments)` to REF... and prints each paper's line."""

    def command(arguments: argparse.Namespace) -> int:
        library = _open_library(arguments)
        papers = library.resolve_all(arguments.refs)
        for paper in _update(library, [p.id for p in papers], change_for(arguments)):
            _say(_paper_line(paper))
        return 0

    return command


def _tag_command(change_for):
    """A command that applies `change_for(tags)` to REF and prints its tags."""

    def command(arguments: argparse.Namespace) -> int:
        library = _open_library(arguments)
        paper = library.resolve(arguments.ref)
        (paper,) = _update(library, [paper.id], change_for(tuple(arguments.tags)))
        _say(f"{paper.key}: {', '.join(paper.tags) or '(no tags)'}")
        return 0

    return command


command_star = _annotation_command(lambda _: Star(True))
command_unstar = _annotation_command(lambda _: Star(False))
command_status = _annotation_command(lambda arguments: SetStatus(arguments.status))
command_tag = _tag_command(AddTags)
command_untag = _tag_command(RemoveTags)


def command_note(arguments: argparse.Namespace) -> int:
    library = _open_library(arguments)
    paper = library.resolve(arguments.ref)
    if not arguments.text:
        if paper.note:
            _say(paper.note)
        return 0
    text = sys.stdin.read() if arguments.text == ["-"] else " ".join(arguments.text)
    _update(library, [paper.id], SetNote(text.rstrip("\n")))
    return 0


def _services(library, refresh: bool = False):
    """The metadata services, as config.toml says to ask them; use as `with _services(...) as sources`."""
    from contextlib import closing

    from vlmreader.core.config import load_config
    from vlmreader.core.metadata import sources_for

    return closing(sources_for(library.home, load_config(), refresh=refresh))


def _key_style() -> str:
    from vlmreader.core.config import load_config

    return load_config().key_style


class _ProgressLine:
    """A run's progress on stderr: one line rewritten in place on a terminal, a line every few
    seconds otherwise (a log keeps the run's pace without thousands of lines)."""

    EVERY_SECONDS = 5.0

    def __init__(self, what: str) -> None:
        self.what = what
        self.on_terminal = sys.stderr.isatty()
        self.last_line = 0.0

    def __call__(self, progress) -> None:
        import time

        now = time.monotonic()
        final = progress.stage == "done"
        if not self.on_terminal and not final and now - self.last_line < self.EVERY_SECONDS:
            return
        self.last_line = now
        rate = progress.done / progress.elapsed if progress.elapsed > 0 else 0.0
        left = progress.seconds_left
        text = (
            f"{self.what}: {progress.done:,}/{progress.total:,} papers searched, {progress.found:,} found, "
            f"{rate:.1f}/s" + (f", ~{left:.0f} s left" if left is not None else "")
            + (f" ({progress.stage})" if progress.stage not in ("searching", "done") else "")
        )
        if self.on_terminal:
            sys.stderr.write(f"\r\x1b[2K{visible(text)}")
            sys.stderr.flush()
        else:
            _say(text, file=sys.stderr)

    def close(self) -> None:
        if self.on_terminal:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


def _work_line(work) -> str:
    """A candidate a service offered, as the user chooses among them."""
    from vlmreader.core.models import Paper

    ids = ", ".join(part for part in (f"arXiv:{work.arxiv_id}" if work.arxiv_id else "", f"doi:{work.doi}" if work.doi else "") if part)
    who = Paper(work.record("")).short_authors
    return f"{ids or work.identifier or work.source}  {work.title!r}" + (f" — {who}" if who else "") + (f" {work.year}" if work.year else "")


def command_add(arguments: argparse.Namespace) -> int:
    from vlmreader.core.metadata import add_by_identifiers

    library = _open_library(arguments)
    with _services(library) as sources:
        report = add_by_identifiers(library, arguments.ids, sources, key_style=_key_style())
    for paper in report.added:
        _say(f"added     {paper.key:<32}  {paper.title}")
    for given, paper in report.known:
        _say(f"known     {paper.key:<32}  {paper.title} (already in the library as {paper.key}; {given})")
    for given in report.not_found:
        _say(f"vlmreader: not found: {given}", file=sys.stderr)
    return EXIT_USER_ERROR if report.not_found else 0


def command_enrich(arguments: argparse.Namespace) -> int:
    from vlmreader.core.metadata import enrich, needs_metadata

    if arguments.query:
        library, result = _search(arguments, partial=False)
        papers = [library.get(paper_id) for paper_id in result.paper_ids()]
    else:
        library = _open_library(arguments)
        papers = [paper for paper in library if needs_metadata(paper)]
    progress = _ProgressLine("enrich")
    try:
        with _services(library, refresh=arguments.refresh) as sources:
            report = enrich(library, papers, sources, refresh=arguments.refresh, dry_run=arguments.dry_run, progress=progress)
    finally:
        progress.close()
    if arguments.verbose or arguments.dry_run:
        for paper, filled in report.enriched:
            _say(f"{'would fill' if arguments.dry_run else 'enriched'}  {paper.key:<32}  {', '.join(filled)}")
    for paper, candidates in report.ambiguous:
        _say(f"ambiguous  {paper.key:<32}  {paper.title}")
        for work in candidates:
            _say(f"           {_work_line(work)}")
        _say(f"           settle it: vlmreader link {paper.key} ARXIV_ID|DOI")
    for paper in report.not_found:
        _say(f"not found  {paper.key:<32}  {paper.title}")
    _say(
        f"{counted(len(papers), 'paper')}: {len(report.enriched)} {'to enrich' if arguments.dry_run else 'enriched'}, "
        f"{len(report.complete)} already complete, {len(report.ambiguous)} ambiguous, {len(report.not_found)} not found "
        f"({counted(report.requests, 'request')})" + ("; dry run: nothing was changed" if arguments.dry_run else "")
    )
    return 0


def command_link(arguments: argparse.Namespace) -> int:
    from vlmreader.core.metadata import link

    library = _open_library(arguments)
    paper = library.resolve(arguments.ref)
    with _services(library) as sources:
        linked = link(library, paper, arguments.identifier, sources)
    _say(f"linked    {linked.paper.key:<32}  {_work_line(linked.work)}")
    _say(f"          {', '.join(linked.filled) if linked.filled else 'nothing new'} filled")
    if linked.titles_differ:
        _say(f"vlmreader: note: the service's title differs from the paper's: {linked.work.title!r}", file=sys.stderr)
    return 0


def command_fetch(arguments: argparse.Namespace) -> int:
    from datetime import date

    from vlmreader.core.metadata import fetch_category, fetch_daily_papers
    from vlmreader.core.models import today

    library = _open_library(arguments)
    with _services(library) as sources:
        if arguments.feed == "hf":
            try:
                day = date.fromisoformat(arguments.date) if arguments.date else date.fromisoformat(today())
            except ValueError:
                raise UserError(f"--date {arguments.date!r} is not a date like 2026-11-29") from None
            report = fetch_daily_papers(library, sources, day, key_style=_key_style())
        else:
            if not arguments.category:
                raise UserError("name the category: vlmreader fetch arxiv cs.CV")
            report = fetch_category(library, sources, arguments.category, arguments.days, key_style=_key_style())
    if arguments.verbose:
        for paper in report.added:
            _say(f"added     {paper.key:<32}  {paper.title}")
        for paper in report.merged:
            _say(f"known     {paper.key:<32}  {paper.title}")
    if not report.added and not report.merged:
        _say(f"{report.collection}: no papers (nothing listed yet?)")
        return 0
    _say(
        f"{report.collection}: {counted(len(report.added), 'new paper')}, {len(report.merged)} already in the library "
        f"(they gained the collection); vlmreader triage in:{report.collection}"
    )
    return 0


def command_duplicates(arguments: argparse.Namespace) -> int:
    from vlmreader.core.search.duplicates import duplicates_in

    library = _open_library(arguments)
    records = library.records()
    groups = [(group, [library.get(records[n].id) for n in group.members]) for group in duplicates_in(records)]

    def keys_of(link) -> list[str]:
        return [records[link.one].key, records[link.other].key]

    if arguments.json:
        _print_json(
            [
                {
                    "why": list(group.reasons),
                    "papers": [{"id": paper.id, "key": paper.key, "title": paper.title} for paper in papers],
                    "pairs": [{"keys": keys_of(link), "why": link.reason} for link in group.links],
                }
                for group, papers in groups
            ]
        )
        return 0
    if not groups:
        _say(f"no possible duplicates among {counted(len(records), 'paper')}")
        return 0
    for group, papers in groups:
        _say(f"possible duplicates: {', '.join(group.reasons)}")
        for paper in papers:
            _say(f"  {paper.key:<32}  {paper.title}")
        if len(group.links) > 1:
            _say("  " + "; ".join(f"{' and '.join(keys_of(link))}: {link.reason}" for link in group.links))
        keys = [paper.key for paper in papers]
        merge = f"{keys[0]} {keys[1]}" if len(keys) == 2 else f"{keys[0]} OTHER, for each other"
        _say(f"  one paper: vlmreader merge {merge}; different papers: vlmreader keep-apart {' '.join(keys)}")
        _say()
    in_groups = sum(len(papers) for _, papers in groups)
    _say(f"{counted(len(groups), 'group')} of possible duplicates ({counted(in_groups, 'paper')})")
    return 0


def command_merge(arguments: argparse.Namespace) -> int:
    library = _open_library(arguments)
    keep, other = library.resolve(arguments.keep), library.resolve(arguments.other)
    merge = library.merge_papers(keep.id, other.id)
    _say(f"merged    {merge.other.key} into {merge.kept.key} ({merge.other.key} still finds it)")
    _say(_paper_line(library.get(keep.id)))
    return 0


def command_keep_apart(arguments: argparse.Namespace) -> int:
    library = _open_library(arguments)
    papers = library.keep_apart(p.id for p in library.resolve_all(arguments.refs))
    _say(f"kept apart: {', '.join(paper.key for paper in papers)} are no longer possible duplicates of each other")
    return 0


def command_tags(arguments: argparse.Namespace) -> int:
    counts = _open_library(arguments).tag_counts()
    if arguments.json:
        _print_json([{"tag": tag, "count": count} for tag, count in counts])
        return 0
    for tag, count in counts:
        _say(f"{count:5}  {tag}")
    return 0


CITED_SOURCES = ("aux", "tex", "md")
"""`export --aux FILE`, `--tex FILE`, `--md FILE`: the papers a document cites."""


def command_export(arguments: argparse.Namespace) -> int:
    from vlmreader.core.formats import export_chunks, export_papers_to_file, format_for

    format_name = format_for(arguments.output, arguments.format)  # a wrong name fails before the search
    sources = [(name, getattr(arguments, name)) for name in CITED_SOURCES if getattr(arguments, name)]
    if sources and arguments.query:
        raise UserError("give a query or a document (--aux, --tex, --md), not both")
    if arguments.keep and (sources or arguments.output in (None, "-")):
        raise UserError("--keep needs a query and a file to keep up to date (-o FILE)")
    if arguments.keep:
        return _keep_export(arguments, format_name)
    missing = 0
    if sources:
        library = _open_library(arguments)
        papers, missing = _cited_papers(library, sources)
    elif not arguments.query:
        # Every paper, in the library's order, as an empty search lists them, without loading the
        # search index (160 MB and a second at 100,000 papers; a minute to rebuild if stale).
        library = _open_library(arguments)
        papers = list(library)
    else:
        library, result = _search(arguments, partial=False)
        papers = [library.get(paper_id) for paper_id in result.paper_ids()]
    if arguments.output in (None, "-"):
        sys.stdout.writelines(export_chunks(papers, format_name, library.find_key))
    else:
        path, written = export_papers_to_file(papers, arguments.output, format_name, library.find_key)
        _say(f"exported {counted(written, 'paper')} to {path} ({format_name})", file=sys.stderr)
    if missing:
        _say(f"vlmreader: {counted(missing, 'cited key')} not in the library (listed above)", file=sys.stderr)
        return EXIT_USER_ERROR
    return 0


def _cited_papers(library, sources: list[tuple[str, str]]) -> tuple[list, int]:
    """The library's papers that the documents cite, in the order they are first cited, and how
    many cited keys it does not know (each said on stderr, with the closest keys it has)."""
    from vlmreader.core import citations

    scanners = {"aux": citations.keys_in_aux, "tex": citations.keys_in_tex, "md": citations.keys_in_markdown}
    cited: list[str] = []
    everything = False
    for name, path in sources:
        found = scanners[name](path)
        for problem in found.problems:
            _say(f"vlmreader: warning: {problem}", file=sys.stderr)
        everything |= found.everything
        cited += [key for key in found.keys if key not in cited]
    if everything:
        return list(library), 0
    known = [name for record in library.records() for name in (record.key, *record.aliases)]
    resolution = citations.resolve(cited, known)
    for asked, spelled in resolution.respelled:
        _say(f"vlmreader: warning: cited as {asked}, the library's key is {spelled} (biber matches case)", file=sys.stderr)
    for key, close in resolution.missing:
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        _say(f"not in the library: {key}{hint}", file=sys.stderr)
    papers = {}
    for key in resolution.found:
        paper = library.find_key(key)
        papers.setdefault(paper.id, paper)
    return list(papers.values()), len(resolution.missing)


def _keep_export(arguments: argparse.Namespace, format_name: str) -> int:
    from vlmreader.core.kept import WRITTEN, KeptExports

    library = _open_library(arguments)
    query = " ".join(arguments.query)
    from vlmreader.core.search import parse_query

    problems = parse_query(query).problems
    if problems:
        raise UserError("; ".join(problems))
    result = KeptExports(library).keep(query, arguments.output, format_name)
    if result.outcome != WRITTEN:
        raise UserError(result.message)
    _say(
        f"exported {counted(result.export.papers, 'paper')} to {result.export.path} ({format_name}); "
        "kept up to date from now on (vlmreader exports lists it)",
        file=sys.stderr,
    )
    return 0


def command_exports(arguments: argparse.Namespace) -> int:
    from vlmreader.core.kept import WRITTEN, KeptExports

    library = _open_library(arguments)
    kept = KeptExports(library)
    if arguments.drop:
        dropped = kept.drop(arguments.drop)
        _say(f"{dropped.path} is no longer kept up to date (the file stays)", file=sys.stderr)
        return 0
    if arguments.rewrite:
        target = kept.find(arguments.rewrite)
        results = [result for result in kept.refresh(rewrite=target.path) if result.export.path == target.path]
        if not results or results[0].outcome != WRITTEN and results[0].message:
            raise UserError(results[0].message if results else f"{arguments.rewrite} is not a kept export")
        _say(f"{target.path} written anew ({counted(results[0].export.papers, 'paper')})", file=sys.stderr)
        return 0
    exports = kept.all()
    if arguments.json:
        _print_json([{name: value for name, value in vars(export).items() if not name.endswith("_digest")} for export in exports])
        return 0
    if not exports:
        _say("no kept exports (vlmreader export QUERY -o FILE --keep makes one)", file=sys.stderr)
    for export in exports:
        written = export.written_at.replace("T", " ").replace("+00:00", " UTC") or "never"
        _say(f"{export.path}  {export.format}  {counted(export.papers, 'paper')}  written {written}  query: {export.query or '(all)'}")
    return 0


def command_import(arguments: argparse.Namespace) -> int:
    from vlmreader.core.importing import import_files

    library = _open_library(arguments)
    from vlmreader.core.files import user_path

    report = import_files(library, [user_path(name) for name in arguments.files], key_style=_key_style())
    if arguments.verbose:
        for paper in report.added:
            _say(f"added     {paper.key:<32}  {paper.title}")
        for paper in report.merged:
            _say(f"merged    {paper.key:<32}  {paper.title}")
        for new, other in report.possible_duplicates:
            titles = new.title if new.title == other.title else f"{new.title} / {other.title}"
            _say(f"possible duplicate  {new.key} and {other.key} ({report.why(new, other)}): {titles}")
    for asked, given in report.rekeyed:
        _say(f"key changed  {asked} -> {given} (another paper has {asked})")
    for old, new in report.renamed:
        _say(f"key changed  {old} -> {new} (your key for a paper the library had; {old} still finds it)")
    for warning in report.warnings:
        _say(f"warning   {warning}", file=sys.stderr)
    for rejection in report.rejected:
        _say(f"rejected  {rejection}", file=sys.stderr)
    duplicates = len(report.possible_duplicates)
    _say(
        f"{len(report.added)} added, {len(report.merged)} merged, {duplicates} possible duplicates, "
        f"{len(report.rekeyed) + len(report.renamed)} keys changed, {len(report.rejected)} rejected"
        + ("; vlmreader duplicates lists them" if duplicates else "")
    )
    return EXIT_USER_ERROR if report.rejected else 0


def _sync_of(library):
    from vlmreader.core.importing import bundled_pages
    from vlmreader.core.sync import Sync, bundled_corpus
    from vlmreader.resources import data_dir

    return Sync(library, bundled_corpus(bundled_pages(data_dir())))


def _keys_line(keys: list[str], limit: int = 8) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def command_sync(arguments: argparse.Namespace) -> int:
    """`sync` pulls, merges and pushes; `sync init REMOTE` sets it up; `sync status` compares."""
    action = arguments.action or "now"
    if action != "init" and arguments.remote:
        raise UserError(f"sync {action} takes no REMOTE (sync init REMOTE sets the remote)")
    library = _open_library(arguments)
    sync = _sync_of(library)
    if action == "status":
        status = sync.status()
        _say(f"remote     {status.remote}")
        _say(f"machine    {status.machine}")
        _say(f"last sync  {status.last_sync or 'never'}")
        if status.last_error:
            _say(f"last error {status.last_error}")
        if status.fetch_error:
            _say(f"vlmreader: warning: {status.fetch_error}; the remote as last fetched:", file=sys.stderr)
        _say(f"here only  {counted(len(status.local_only), 'paper')}" + (f": {_keys_line(status.local_only)}" if status.local_only else ""))
        _say(f"remote only {counted(len(status.remote_only), 'paper')}" + (f": {_keys_line(status.remote_only)}" if status.remote_only else ""))
        return 0
    if action == "init":
        if not arguments.remote:
            raise UserError("sync init needs the REMOTE: a git URL, or the path of a bare repository")
        report = sync.init(arguments.remote)
        _say(f"syncing with {sync.state().get('remote')} as {sync.state().get('machine')}")
    else:
        report = sync.sync()
    if report.resumed:
        _say("completed the sync that was interrupted")
    if report.sent or report.received:
        _say(f"synced: {counted(len(report.sent), 'paper')} sent, {len(report.received):,} received")
    else:
        _say("synced: already up to date" if report.commit else "synced: nothing to sync yet")
    for kept, other in report.joined:
        _say(f"one paper now: {kept} (both machines had added it; {other} still finds it)")
    if report.conflicts:
        _say(
            f"notes changed on both machines, both versions kept (search is:conflict): {_keys_line(report.conflicts)}",
            file=sys.stderr,
        )
    return 0


def command_log(arguments: argparse.Namespace) -> int:
    """A paper's history from the sync repository: what changed, when, on which machine."""
    library = _open_library(arguments)
    paper = library.resolve(arguments.ref)
    events = _sync_of(library).log(paper)
    if not events:
        _say(f"no history of {paper.key} yet: it has not changed since the library began to sync", file=sys.stderr)
    for when, machine, what in events:
        _say(f"{when or '-':<19}  {machine:<24}  {what}")
    return 0


def command_tui(arguments: argparse.Namespace) -> int:
    from vlmreader.core.config import load_config
    from vlmreader.core.library import opens_quickly

    config = load_config()  # a mistake in it ends here, before anything starts
    triage_query = " ".join(arguments.query) if getattr(arguments, "command", None) == "triage" else None
    # A library that opens in a fraction of a second is opened before the first frame; a larger
    # one, or the first run (which imports the bundled corpus), behind a screen that says so.
    quickly = opens_quickly(_home(arguments))
    if quickly:
        # Opened before the first frame, which then shows the papers at once.
        library, open_library = _open_library(arguments), None
    else:
        # Begun now, beside importing Textual (which it slows: the app's own loading frame comes
        # late), so say so on the terminal until the app takes it over.
        _say_while_starting("vlmreader: opening the library…")
        from concurrent.futures import ThreadPoolExecutor

        opening = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vlmreader-open").submit(_open_library, arguments)
        library, open_library = None, opening.result
    try:
        from vlmreader.tui.app import make_app

        app = make_app(library, triage_query=triage_query, open_library=open_library, config=config)
        app.run()
    finally:
        if not quickly:
            _say_while_starting("")
    return app.return_code or 0


def _say_while_starting(text: str) -> None:
    """Show `text` on the terminal's current line, replacing what was there (nothing if not a terminal)."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\x1b[2K{text}")
        sys.stderr.flush()


# -- the parser -------------------------------------------------------------------------


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """`argv` read as `build_parser()` reads it. `vlmreader` alone, or with just `--home DIR`,
    opens the app and is typed far more often than any command: it is read without building the
    commands' parsers, some 9 ms of the app's start-up (argparse looking up translations of
    their help)."""
    if not argv:
        return argparse.Namespace(command=None)
    if len(argv) == 2 and argv[0] == "--home" and not argv[1].startswith("-"):
        return argparse.Namespace(command=None, home=argv[1])
    if len(argv) == 1 and argv[0].startswith("--home="):
        return argparse.Namespace(command=None, home=argv[0].removeprefix("--home="))
    return build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $VLMREADER_HOME, else the platform's user data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="vlmreader",
        description="A keyboard-driven reading list for vision-language-model papers. "
        "With no command, opens the interactive app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"vlmreader {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=[common])
        sub.set_defaults(handler=handler)
        return sub

    sub = add("search", command_search, "search the library (see the README for the query syntax)")
    sub.add_argument("query", nargs="*", help="words and filters, e.g. hallucination is:unread tag:survey")
    sub.add_argument("--limit", type=_count, default=None, metavar="N", help="show at most N papers")
    sub.add_argument("--json", action="store_true", help="print a JSON array of papers")

    sub = add("related", command_related, "the papers most like one (its title and abstract as the query)")
    sub.add_argument("ref", help="citation key, paper id, or unique id prefix")
    sub.add_argument("--limit", type=_count, default=10, metavar="N", help="show at most N papers (default: %(default)s)")
    sub.add_argument("--json", action="store_true", help="print a JSON array of papers, each with its score")

    sub = add("show", command_show, "show one paper")
    sub.add_argument("ref", help="citation key, paper id, or unique id prefix")
    sub.add_argument("--json", action="store_true", help="print a JSON object")

    for name, handler, verb in (
        ("star", command_star, "star"),
        ("unstar", command_unstar, "unstar"),
    ):
        sub = add(name, handler, f"{verb} papers")
        sub.add_argument("refs", nargs="+", metavar="REF")

    sub = add("tag", command_tag, "add tags to a paper")
    sub.add_argument("ref", metavar="REF")
    sub.add_argument("tags", nargs="+", metavar="TAG")

    sub = add("untag", command_untag, "remove tags from a paper")
    sub.add_argument("ref", metavar="REF")
    sub.add_argument("tags", nargs="+", metavar="TAG")

    sub = add("note", command_note, "print a paper's note, or replace it (TEXT '-' reads stdin)")
    sub.add_argument("ref", metavar="REF")
    sub.add_argument("text", nargs="*", metavar="TEXT")

    sub = add("status", command_status, "set reading status")
    sub.add_argument("refs", nargs="+", metavar="REF")
    sub.add_argument("status", choices=STATUSES)

    sub = add("add", command_add, "add papers by arXiv id or URL, DOI, or Hugging Face paper URL, with their metadata")
    sub.add_argument("ids", nargs="+", metavar="ID", help="2304.08485, https://arxiv.org/abs/..., 10.1109/..., https://huggingface.co/papers/...")

    sub = add("enrich", command_enrich, "fill authors, year, arXiv id, DOI and venue from arXiv, OpenAlex and Crossref")
    sub.add_argument("query", nargs="*", help="which papers (default: every paper without authors or year)")
    sub.add_argument("--dry-run", action="store_true", help="say what would be filled, change nothing")
    sub.add_argument("--refresh", action="store_true", help="ask again, and update fields a source filled before")
    sub.add_argument("-v", "--verbose", action="store_true", help="list every paper enriched, with its fields")

    sub = add("link", command_link, "say which paper REF is (settles an ambiguous enrich): fill it from arXiv or Crossref")
    sub.add_argument("ref", metavar="REF")
    sub.add_argument("identifier", metavar="ARXIV_ID|DOI")

    sub = add("fetch", command_fetch, "bring in a feed as a collection: a day of Hugging Face daily papers, or an arXiv category's newest")
    sub.add_argument("feed", choices=("hf", "arxiv"))
    sub.add_argument("category", nargs="?", metavar="CATEGORY", help="arxiv only: cs.CV, cs.CL, ...")
    sub.add_argument("--date", metavar="YYYY-MM-DD", help="hf only: the day (default: today, UTC)")
    sub.add_argument(
        "--days", type=_count, default=2, metavar="N",
        help="arxiv only: submissions of the last N days, today included (default 2: arXiv lists a paper once announced)",
    )
    sub.add_argument("-v", "--verbose", action="store_true", help="list every paper added or already there")

    sub = add(
        "duplicates", command_duplicates,
        "list the papers that may be one paper, and why: the same or nearly the same title, near-identical abstracts",
    )
    sub.add_argument("--json", action="store_true", help="print a JSON array of {why, papers, pairs}")

    sub = add("merge", command_merge, "make two papers one (see vlmreader duplicates): KEEP keeps its key and entry")
    sub.add_argument("keep", metavar="KEEP")
    sub.add_argument("other", metavar="OTHER")

    sub = add("keep-apart", command_keep_apart, "say that possible duplicates are different papers")
    sub.add_argument("refs", nargs="+", metavar="REF")

    sub = add("tags", command_tags, "list tags with their counts")
    sub.add_argument("--json", action="store_true", help="print a JSON array of {tag, count}")

    from vlmreader.core.formats import FORMAT_OF_SUFFIX, WRITERS

    sub = add("export", command_export, "export the papers a query matches (all if none): BibTeX, biblatex, CSL-JSON, RIS or Markdown")
    sub.add_argument("query", nargs="*")
    sub.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout; its name says the format "
                     f"({', '.join(f'{suffix} {name}' for suffix, name in FORMAT_OF_SUFFIX.items())})")
    sub.add_argument("-f", "--format", metavar="FORMAT", help=f"{', '.join(WRITERS)} (default: what FILE's name says; bibtex to stdout)")
    sub.add_argument("--keep", action="store_true", help="keep FILE up to date: rewrite it whenever what the query matches changes")
    sub.add_argument("--aux", metavar="FILE", help="the papers a LaTeX run cites (its .aux file), instead of a query")
    sub.add_argument("--tex", metavar="FILE", help="the papers a LaTeX source cites (with the files it \\inputs)")
    sub.add_argument("--md", metavar="FILE", help="the papers a pandoc or Quarto Markdown document cites ([@key], @key)")

    sub = add("exports", command_exports, "list the kept exports (export --keep), or drop or rewrite one")
    sub.add_argument("--drop", metavar="FILE", help="stop keeping FILE up to date (the file stays)")
    sub.add_argument("--rewrite", metavar="FILE", help="write FILE anew even though it was edited by hand")
    sub.add_argument("--json", action="store_true", help="print a JSON array")

    sub = add("triage", command_tui, "go through papers one at a time in the app (default: the unread ones)")
    sub.add_argument("query", nargs="*", help="which papers, e.g. in:high-resolution is:unread")

    sub = add("import", command_import, "import .bib, CSL-JSON (.json) or RIS (.ris) files, or listing-page text files")
    sub.add_argument("files", nargs="+", metavar="FILE")
    sub.add_argument("-v", "--verbose", action="store_true", help="list every paper added, merged or possibly duplicated")

    sub = add("sync", command_sync, "sync the library through a git remote: pull, merge and push (init REMOTE sets it up; status compares)")
    sub.add_argument("action", nargs="?", choices=("init", "status"), help="init REMOTE: start syncing; status: what is here or there only")
    sub.add_argument("remote", nargs="?", metavar="REMOTE", help="init only: a git URL, or the path of a bare repository")

    sub = add("log", command_log, "a paper's history from the sync repository: what changed, when, on which machine")
    sub.add_argument("ref", metavar="REF")
    return parser


def _count(text: str) -> int:
    """A `--limit`: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 or more, not {text!r}")
    return value


def _tolerant_streams() -> None:
    """Never crash on text the terminal's encoding cannot show (★ under latin-1): replace it."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # a note piped in with bytes that are not UTF-8


def _silence_stdout() -> None:
    """Point stdout at devnull, so the interpreter's final flush does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    # The app's start-up makes many objects that live as long as it does (modules, classes,
    # the widget tree, the records), and Python's cyclic collector, run over them again and
    # again as they are made, finds nothing to free and costs the first frame some 25 ms. It is
    # paused from here until the papers are on screen (see `resume_garbage_collection`).
    gc.disable()
    try:
        return _run(argv)
    finally:
        gc.enable()  # for a caller of main(): the app has already resumed it


def _run(argv: list[str] | None) -> int:
    _tolerant_streams()
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    for name in TEXT_ARGUMENTS:  # paths (--home, -o, import's files) stay as the system gave them
        value = getattr(arguments, name, None)
        if value is not None:
            setattr(arguments, name, readable(value) if isinstance(value, str) else [readable(v) for v in value])
    if not hasattr(arguments, "home"):
        arguments.home = None
    handler = getattr(arguments, "handler", command_tui)
    if handler is not command_tui:
        gc.enable()
    _opened.clear()
    try:
        code = handler(arguments)
        _refresh_kept_exports()
        sys.stdout.flush()
        return code
    except UserError as error:
        _say(f"vlmreader: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `vlmreader export | head`: the reader left, which is not an error.
        _silence_stdout()
        return 0
    except OSError as error:
        if error.filename is not None:
            raise  # not the output: a bug to see in full
        # `vlmreader search x > /dev/full`: the output could not be written.
        _silence_stdout()
        _say(f"vlmreader: error: cannot write the output: {error.strerror or error}", file=sys.stderr)
        return EXIT_USER_ERROR
