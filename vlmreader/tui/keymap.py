"""The keys a user can rebind in config.toml's `[keymap]`: every binding of the app that has an id."""

from __future__ import annotations

from textual.binding import Binding

from vlmreader.core.config import Config
from vlmreader.core.models import UserError


def _owners() -> tuple[type, ...]:
    """The classes that declare bindings, the app first."""
    from vlmreader.tui.app import VlmReaderApp
    from vlmreader.tui.screens import (
        AddTagsScreen,
        CopyFormatScreen,
        ExportScreen,
        HelpScreen,
        MainScreen,
        NoteConflictScreen,
        NoteScreen,
        RemoveTagScreen,
        TriageScreen,
    )
    from vlmreader.tui.widgets import PaperList

    return (
        VlmReaderApp, MainScreen, PaperList, TriageScreen, AddTagsScreen, RemoveTagScreen, NoteScreen, NoteConflictScreen,
        ExportScreen, CopyFormatScreen, HelpScreen,
    )


def _bindings_of(owner: type) -> list[Binding]:
    return [binding for binding in owner.BINDINGS if isinstance(binding, Binding) and binding.id]


def rebindable() -> dict[str, Binding]:
    """Every binding with an id, by id, in the order the README lists them."""
    return {binding.id: binding for owner in _owners() for binding in _bindings_of(owner)}


def _keys(keys: str) -> set[str]:
    return {key.strip() for key in keys.split(",") if key.strip()}


def taken_keys(keymap: dict[str, str]) -> list[str]:
    """What the keymap takes from bindings it does not move: 'main.star takes x from main.skip'.

    Textual gives a key to the binding the keymap names, so the other binding of that key, in
    the same screen or widget, stops working; the user should hear of it.
    """
    taken = []
    for owner in _owners():
        bindings = _bindings_of(owner)
        for binding in bindings:
            for key in sorted(_keys(keymap.get(binding.id, ""))):
                for other in bindings:
                    if other is not binding and other.id not in keymap and key in _keys(other.key):
                        taken.append(f"{binding.id} takes {key} from {other.id}")
    return taken


def check_keymap(config: Config) -> None:
    """A UserError naming the file and the binding id, if the keymap names a binding there is not."""
    known = rebindable()
    for binding_id in config.keymap:
        if binding_id not in known:
            close = [name for name in known if name.split(".")[-1] == binding_id.split(".")[-1]]
            hint = f" (did you mean {' or '.join(close)}?)" if close else " (the README lists them)"
            raise UserError(f"{config.path}: keymap.{binding_id} is not a binding id{hint}")
