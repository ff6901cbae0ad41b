"""The `vlmreader` command: the TUI with no arguments, scripting subcommands otherwise.

Subcommands import only the UI-free core, never Textual, so `vlmreader search` starts fast.
User errors print one line on stderr and exit 1; usage errors exit 2 (argparse).
"""

from __future__ import annotations

import argparse
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
QUICK_OPEN_BYTES = 24_000_000
"""A library file up to this size (about 13,000 papers) opens in a tenth of a second from its
records cache (a third of a second when the cache must be rebuilt), so the app opens it before
its first frame. A larger one, or the first run (which imports the bundled corpus), opens in
the background behind a screen that says so."""


def _home(arguments: argparse.Namespace) -> Path:
    from vlmreader.core.library import default_home

    from vlmreader.core.files import user_path

    return user_path(arguments.home) if arguments.home else default_home()


def _open_library(arguments: argparse.Namespace):
    from vlmreader.core.importing import bundled_pages, open_library
    from vlmreader.resources import data_dir

    return open_library(_home(arguments), bundled_pages(data_dir()))


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
        _print_json(
            [
                library.get(paper_id).to_json() | {"score": score, "match": result.match_at(position)}
                for position, (paper_id, score) in enumerate(hits)
            ],
            indent=None,
        )
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


def command_export(arguments: argparse.Namespace) -> int:
    from vlmreader.core.formats.bibtex import export_bibtex, export_to_file

    library, result = _search(arguments, partial=False)
    papers = [library.get(paper_id) for paper_id in result.paper_ids()]
    if arguments.output in (None, "-"):
        sys.stdout.write(export_bibtex(papers, library.find_key))
        return 0
    report = export_to_file(papers, arguments.output, paper_of_key=library.find_key)
    _say(f"exported {counted(report.written, 'paper')} to {report.path}", file=sys.stderr)
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
            _say(f"possible duplicate  {new.key} and {other.key}: {new.title}")
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
        + ("; vlmreader search is:duplicate lists them" if duplicates else "")
    )
    return EXIT_USER_ERROR if report.rejected else 0


def command_tui(arguments: argparse.Namespace) -> int:
    from vlmreader.core.config import load_config
    from vlmreader.core.library import library_file_size

    config = load_config()  # a mistake in it ends here, before anything starts
    triage_query = " ".join(arguments.query) if getattr(arguments, "command", None) == "triage" else None
    size = library_file_size(_home(arguments))
    opens_quickly = size is not None and size <= QUICK_OPEN_BYTES
    if opens_quickly:
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
        if not opens_quickly:
            _say_while_starting("")
    return app.return_code or 0


def _say_while_starting(text: str) -> None:
    """Show `text` on the terminal's current line, replacing what was there (nothing if not a terminal)."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\x1b[2K{text}")
        sys.stderr.flush()


# -- the parser -------------------------------------------------------------------------


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

    sub = add("merge", command_merge, "make two papers one (see is:duplicate): KEEP keeps its key and entry")
    sub.add_argument("keep", metavar="KEEP")
    sub.add_argument("other", metavar="OTHER")

    sub = add("keep-apart", command_keep_apart, "say that papers sharing a title are not duplicates")
    sub.add_argument("refs", nargs="+", metavar="REF")

    sub = add("tags", command_tags, "list tags with their counts")
    sub.add_argument("--json", action="store_true", help="print a JSON array of {tag, count}")

    sub = add("export", command_export, "export the papers a query matches (all if none) as BibTeX")
    sub.add_argument("query", nargs="*")
    sub.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    sub = add("triage", command_tui, "go through papers one at a time in the app (default: the unread ones)")
    sub.add_argument("query", nargs="*", help="which papers, e.g. in:high-resolution is:unread")

    sub = add("import", command_import, "import .bib files or listing-page text files")
    sub.add_argument("files", nargs="+", metavar="FILE")
    sub.add_argument("-v", "--verbose", action="store_true", help="list every paper added, merged or possibly duplicated")
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
    _tolerant_streams()
    parser = build_parser()
    arguments = parser.parse_args(argv)
    for name in TEXT_ARGUMENTS:  # paths (--home, -o, import's files) stay as the system gave them
        value = getattr(arguments, name, None)
        if value is not None:
            setattr(arguments, name, readable(value) if isinstance(value, str) else [readable(v) for v in value])
    if not hasattr(arguments, "home"):
        arguments.home = None
    handler = getattr(arguments, "handler", command_tui)
    try:
        code = handler(arguments)
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
