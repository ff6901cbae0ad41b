"""Dialogs to add tags (with completion from the tags in use) and to remove one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from rich.text import Text

from vlmreader.core.text import visible
from vlmreader.core.vocabulary import counted


class TagSuggester(Suggester):
    """Completes the tag being typed after the last comma from the tags already in use."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = [tag for tag in tags if visible(tag) == tag]  # never suggest what cannot be shown

    async def get_suggestion(self, value: str) -> str | None:
        head, _, fragment = value.rpartition(",")
        fragment = fragment.lstrip()
        if not fragment:
            return None
        for tag in self.tags:
            if tag.casefold().startswith(fragment.casefold()) and len(tag) > len(fragment):
                prefix = value[: len(value) - len(fragment)]
                return prefix + tag
        return None


class AddTagsScreen(ModalScreen[list[str]]):
    """Asks for comma-separated tags; dismisses with the list (empty when cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="tags.cancel")]

    def __init__(self, count: int, known_tags: list[str]) -> None:
        super().__init__()
        self.count = count
        self.known_tags = known_tags

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            label = f"Tags for {counted(self.count, 'paper')} (comma-separated; → completes)"
            yield Label(label, id="dialog-title", markup=False)
            yield Input(placeholder="e.g. to-cite, survey", suggester=TagSuggester(self.known_tags), id="tags")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss([tag.strip() for tag in event.value.split(",") if tag.strip()])

    def action_cancel(self) -> None:
        self.dismiss([])


class RemoveTagScreen(ModalScreen[str | None]):
    """Lists the tags the papers carry; dismisses with the chosen one (None when cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="untag.cancel")]

    def __init__(self, tags: list[str]) -> None:
        super().__init__()
        self.tags = tags

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Remove which tag?", id="dialog-title")
            yield OptionList(*(Option(Text(visible(tag)), id=str(n)) for n, tag in enumerate(self.tags)), id="tag-choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.tags[int(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)
