"""Dialogs to add tags (with completion from the tags in use, and suggestions from the papers
like the tagged one) and to remove one."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from rich.text import Text

from vlmreader.core.text import visible
from vlmreader.core.vocabulary import counted
from vlmreader.tui.messages import TagSuggestionsRequested

SUGGESTION_KEYS = tuple(f"f{number},alt+{number}" for number in range(1, 6))
"""The keys that take suggestion 1, 2, ...: FN, which terminals send as a key while the input
has the focus (digits it would type). alt+N only where the terminal reports it as a key: most
send ESC N, which Textual reads as the character macOS's Option+N types (¡ for 1)."""


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
    """Asks for comma-separated tags; dismisses with the list (empty when cancelled).

    Under the input, once the app has found them, the tags most used on the papers like these
    (ranked), each taken with one key: it tags the papers with it and what is typed, and closes.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tags.cancel"),
        *(
            Binding(
                keys, f"take_suggestion({number})", f"Suggestion {number + 1}", show=False,
                tooltip=f"Add suggested tag {number + 1}", id=f"tags.suggestion-{number + 1}",
            )
            for number, keys in enumerate(SUGGESTION_KEYS)
        ),
    ]

    @dataclass
    class SuggestionsFound(Message):
        """The tags to suggest, best first (the app's answer to `TagSuggestionsRequested`)."""

        tags: list[str]

    def __init__(self, paper_ids: list[str], known_tags: list[str]) -> None:
        super().__init__()
        self.paper_ids = paper_ids
        self.known_tags = known_tags
        self.suggestions: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            label = f"Tags for {counted(len(self.paper_ids), 'paper')} (comma-separated; → completes)"
            yield Label(label, id="dialog-title", markup=False)
            yield Input(placeholder="e.g. to-cite, survey", suggester=TagSuggester(self.known_tags), id="tags")
            yield Static(id="tag-suggestions", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.post_message(TagSuggestionsRequested(self.paper_ids, self))

    @on(SuggestionsFound)
    def _suggestions_found(self, found: SuggestionsFound) -> None:
        self.suggestions = [tag for tag in found.tags if visible(tag) == tag][: len(SUGGESTION_KEYS)]
        lines = Text("Suggested, from papers like this:", style="dim")
        for number, tag in enumerate(self.suggestions, 1):
            lines.append("\n")
            lines.append(f" F{number}  ", style="bold")
            lines.append(tag)
        self.query_one("#tag-suggestions", Static).update(lines)
        self.set_class(bool(self.suggestions), "-with-suggestions")

    def _typed(self) -> list[str]:
        return [tag.strip() for tag in self.query_one(Input).value.split(",") if tag.strip()]

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(self._typed())

    def action_take_suggestion(self, number: int) -> None:
        """Tag with suggestion `number` (from 0) and what is typed, and close."""
        if number >= len(self.suggestions):
            self.app.bell()
            return
        tags = self._typed()
        if self.suggestions[number].casefold() not in {tag.casefold() for tag in tags}:
            tags.append(self.suggestions[number])
        self.dismiss(tags)

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
