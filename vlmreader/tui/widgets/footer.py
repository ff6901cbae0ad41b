"""The footer: the keys that apply where the focus is, on one line, and how sync went."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from textual import events
from textual.app import RenderResult
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget


class FooterKey(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool


class KeyFooter(Widget, can_focus=False):
    """What Textual's Footer shows, drawn by one widget.

    The stock Footer is a container with a widget per key, rebuilt on every bindings change
    (start-up and each focus change send a few): about 45 ms of the app's start-up here, and a
    lag on `/` and escape. This draws the same line in one render; clicking a key presses it.

    Before the palette's key it shows the app's `sync_line` ("synced 2 min ago", "sync failed:
    ..."), when there is one, cut to fit: the keys make room for it.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key", "key-footer--description", "key-footer--hover", "key-footer--status", "key-footer--error",
    }
    STATUS_SHARE = 0.45
    """The status takes at most this share of the width; a longer one ends in "…"."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._spans: list[tuple[int, int, FooterKey]] = []
        """(first column, column after the last, key) of each key drawn."""
        self._hovered: str | None = None
        self._status = ""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        if hasattr(self.app, "sync_line"):
            self.watch(self.app, "sync_line", self._status_changed)

    def _status_changed(self, status: str) -> None:
        self._status = status
        self.refresh()

    @property
    def status(self) -> str:
        """The status shown (the app's sync line), whole."""
        return self._status

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        self.refresh()

    def shown_keys(self) -> tuple[list[FooterKey], FooterKey | None]:
        """The keys to show, one per action in the screen's order, and the command palette's."""
        shown: dict[str, tuple[tuple[int, int], FooterKey]] = {}
        palette = None
        nodes: dict[object, int] = {}
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            key = FooterKey(binding.key, self.app.get_key_display(binding), binding.description, enabled)
            if binding.action == "command_palette":
                palette = key if self.app.ENABLE_COMMAND_PALETTE else None
            elif binding.show and binding.action not in shown:
                # In the order the node declares them, also for a key a keymap moved.
                order = (nodes.setdefault(node, len(nodes)), _declared_position(node, binding.action))
                shown[binding.action] = (order, key)
        return [key for _, key in sorted(shown.values(), key=lambda item: item[0])], palette

    def render(self) -> RenderResult:
        key_style = self.get_visual_style("key-footer--key")
        description_style = self.get_visual_style("key-footer--description")
        hover_style = self.get_visual_style("key-footer--hover")

        def label(key: FooterKey) -> Content:
            return Content.assemble((f" {key.display} ", key_style), (f"{key.description} ", description_style))

        keys, palette = self.shown_keys()
        items: list[tuple[FooterKey | None, Content]] = [(key, label(key)) for key in keys]
        palette_label = label(palette) if palette is not None else Content("")
        status = self._status_label()
        palette_label = status + palette_label
        room = self.size.width - palette_label.cell_length
        if sum(part.cell_length for _, part in items) > room:  # whole keys only, then "…" (? lists them all)
            more = Content(" … ")
            while items and sum(part.cell_length for _, part in items) > room - more.cell_length:
                items.pop()
            items.append((None, more))
        if palette is not None or status.cell_length:  # at the right end, as in Textual's footer
            gap = room - sum(part.cell_length for _, part in items)
            items += [(None, Content(" " * max(gap, 0))), (None, status)]
            if palette is not None:
                items.append((palette, label(palette)))
        self._spans = []
        column = 0
        parts = []
        for key, part in items:
            end = column + part.cell_length
            if key is not None:
                self._spans.append((column, end, key))
                if not key.enabled:
                    part = part.stylize("dim")
                if key.key == self._hovered:
                    part = part.stylize(hover_style)
            parts.append(part)
            column = end
        return Content("").join(parts)

    def _status_label(self) -> Content:
        if not self._status:
            return Content("")
        error = self._status.startswith("sync failed")
        style = self.get_visual_style("key-footer--error" if error else "key-footer--status")
        most = max(int(self.size.width * self.STATUS_SHARE), 8)
        text = self._status if len(self._status) <= most else self._status[: most - 1] + "…"
        return Content.assemble((f" {text} ", style))

    def _key_at(self, column: int) -> FooterKey | None:
        return next((key for start, end, key in self._spans if start <= column < end), None)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        self._set_hovered(key.key if key else None)

    def on_leave(self) -> None:
        self._set_hovered(None)

    def _set_hovered(self, key: str | None) -> None:
        if key != self._hovered:
            self._hovered = key
            self.refresh()


def _declared_position(node: object, action: str) -> int:
    actions = [binding.action for binding in getattr(type(node), "BINDINGS", ()) if hasattr(binding, "action")]
    return actions.index(action) if action in actions else len(actions)
