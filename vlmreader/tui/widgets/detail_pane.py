"""The detail pane: everything about the highlighted paper, the papers most like it, and its note."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from vlmreader.core.models import Paper, arxiv_id_of, display_name
from vlmreader.core.text import visible
from vlmreader.core.vocabulary import FILTER_PREFIXES, STARRED_LABEL

if TYPE_CHECKING:
    from vlmreader.tui.widgets.note_editor import NoteEditor


def author_names(paper: Paper) -> str:
    """The authors as a reader writes them: `Haotian Liu, Chunyuan Li, Yong Jae Lee`, and
    `et al.` for BibTeX's `and others`; '' when unknown."""
    names = [display_name(name) for name in paper.authors]
    if names and names[-1].casefold() == "others":
        return ", ".join(names[:-1]) + " et al."
    return ", ".join(names)


def byline(paper: Paper) -> Text:
    """What goes under a paper's title: its authors and, dimmed, its year and venue
    (`2023 · CVPR 2024`; the year is left out when the venue names it). Empty when unknown."""
    venue, year = paper.venue, paper.year
    year_and_venue = " · ".join(part for part in (year if year not in venue else "", venue) if part)
    lines = [(author_names(paper), ""), (year_and_venue, "dim")]
    return Text("\n").join(Text(visible(line), style=style) for line, style in lines if line)


def arxiv_label(paper: Paper) -> str:
    """The paper's arXiv id (the one `has:arxiv` sees: from its eprint, url or DOI) with its
    primary category, `2304.08485 [cs.CV]`; '' for none."""
    arxiv_id, category = arxiv_id_of(paper.record), paper.record.fields.get("primaryclass", "").strip()
    return f"{arxiv_id} [{category}]" if arxiv_id and category else arxiv_id


def like_this(papers: list[Paper]) -> Group:
    """The section under the abstract: "Like this:", then a line per paper with the key that
    goes to it (1, 2, ...), its title cut to the line, and its year."""
    lines = Table.grid(padding=(0, 1), expand=True)
    lines.add_column(style="bold", no_wrap=True)
    lines.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    lines.add_column(style="dim", no_wrap=True)
    for number, paper in enumerate(papers, 1):
        lines.add_row(str(number), Text(visible(paper.title)), Text(visible(paper.year)))
    return Group(Text("Like this:", style="dim"), lines)


class DetailPane(VerticalScroll):
    """Title, authors, year and venue, key, collections, url, tags, arXiv id, DOI, abstract, the
    papers most like it and note of one paper, shown literally."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None
        self._related: tuple[tuple[str, str, str], ...] = ()
        """(id, title, year) of the papers shown under "Like this:"."""
        self._note_editor: NoteEditor | None = None
        """Mounted just after the first frame, which it would slow (see `_mount_note_editor`)."""
        self._note_to_show: tuple[str | None, str] = (None, "")
        """The paper id and note the editor shows, or will once mounted."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title", markup=False)
        yield Static(id="detail-byline", markup=False)
        yield Static(id="detail-meta", markup=False)
        yield Static(id="detail-abstract", markup=False)
        yield Static(id="detail-related", markup=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self._mount_note_editor)

    async def _mount_note_editor(self) -> None:
        # Textual's TextArea costs a first frame some 25 ms (its import, and parsing its styles):
        # the papers show first, and the note, with the rest of the details, a frame later.
        from vlmreader.tui.widgets.note_editor import NoteEditor

        if not self.is_attached:  # the app was closed at once
            return
        editor = NoteEditor(id="note")
        await self.mount(editor)
        self._note_editor = editor
        editor.show_note(*self._note_to_show)

    def edit_note(self) -> None:
        """Put the cursor in the note (once the editor is there: it comes a frame after the papers)."""
        if self._note_editor is not None:
            self._note_editor.focus()

    @property
    def paper_id(self) -> str | None:
        """The paper shown (None: none is)."""
        paper = self._shown[0] if self._shown is not None else None
        return paper.id if paper is not None else None

    def show_related(self, paper_id: str, papers: list[Paper]) -> None:
        """Under the abstract, the papers most like `paper_id` (if it is the paper shown); none
        leaves the section out."""
        if paper_id != self.paper_id:
            return
        related = tuple((paper.id, paper.title, paper.year) for paper in papers)
        if related == self._related:
            return
        self._related = related
        if papers:
            self.query_one("#detail-related", Static).update(like_this(papers))
        self.set_class(bool(papers), "-with-related")

    def show(self, paper: Paper | None, query: str = "") -> None:
        shown = (paper, query if paper is None else "")
        if shown == self._shown:
            return  # typing often keeps the same paper on top: no need to lay the pane out again
        if paper is None or paper.id != self.paper_id:
            self._related = ()
            self.remove_class("-with-related")  # until the papers like this one are found
        self._shown = shown
        title = self.query_one("#detail-title", Static)
        meta = self.query_one("#detail-meta", Static)
        abstract = self.query_one("#detail-abstract", Static)
        if paper is None:
            title.update(Text(visible(f"No paper matches {query.strip()!r}.") if query.strip() else "The library is empty."))
            meta.update(
                Text(
                    f"Widen the query: drop a word or a filter ({', '.join(p + ':' for p in FILTER_PREFIXES)}), "
                    "or check its spelling. "
                    "Press / then ctrl+u to start over."
                    if query.strip()
                    else "Import papers with `vlmreader import FILE.bib` or a listing page."
                )
            )
            abstract.update(Text(""))
            self._show_byline(Text())
            self._show_note(None, "")
            return
        title.update(Text(visible(paper.title), style="bold"))
        self._show_byline(byline(paper))
        lines = Text()
        rows = [
            ("key", paper.key),
            ("status", paper.status + (f"  {STARRED_LABEL}" if paper.starred else "")),
            ("tags", ", ".join(paper.tags) or "–"),
            ("in", ", ".join(paper.collections) or "–"),
            ("url", paper.url or "–"),
        ]
        for name, value in (("arxiv", arxiv_label(paper)), ("doi", paper.record.fields.get("doi", "").strip())):
            if value:
                rows.append((name, value))
        for name, value in rows:
            lines.append(f"{name:<7}", style="dim")
            lines.append(visible(value))
            lines.append("\n")
        lines.rstrip()
        meta.update(lines)
        abstract.update(Text(visible(paper.abstract)))
        self._show_note(paper.id, paper.note)

    def _show_note(self, paper_id: str | None, note: str) -> None:
        self._note_to_show = (paper_id, note)
        editor = self._note_editor
        if editor is None:
            return
        if paper_id is not None and editor.paper_id == paper_id:
            editor.library_note(note)
        else:
            editor.show_note(paper_id, note)

    def _show_byline(self, text: Text) -> None:
        self.query_one("#detail-byline", Static).update(text)
        self.set_class(bool(text), "-with-byline")

    def note_resolved(self, paper_id: str, note: str) -> None:
        """A note conflict was settled with `note`, now being saved: show it if it is this paper's."""
        editor = self._note_editor
        if editor is not None and editor.paper_id == paper_id:
            editor.settle(note)
