"""BibTeX value expressions: `{...}`, `"..."`, numbers and `@string` names joined by `#`.

vlmreader keeps every value of an imported entry as it was written (`ttl # { and Language}`)
and expands it only to read it (`Vision and Language`), so these functions never change the
text they are given.
"""

from __future__ import annotations

import re

_BRACE = re.compile(r"\\\\|\\[{}]|[{}]")
"""A brace, an escaped brace or an escaped backslash: all that decides where a group ends."""

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
"""Names every BibTeX style defines: a `month = jan` needs no `@string`."""


def value_parts(raw: str) -> list[tuple[str, str]]:
    """("text" | "name", part) for each `#`-joined part of `raw`, delimiters removed; the whole
    as one text if it does not read as an expression."""
    if raw[:1] == "{" and raw[-1:] == "}" and _one_group(raw):
        return [("text", raw[1:-1])]  # by far the most common value: one braced group
    parts: list[tuple[str, str]] = []
    position, end = 0, len(raw)
    while position < end:
        while position < end and raw[position].isspace():
            position += 1
        if position >= end:
            break
        opening = raw[position]
        if opening in '{"':
            depth, cursor = 0, position
            while cursor < end:
                character = raw[cursor]
                if character == "\\":
                    cursor += 2
                    continue
                if character == "{":
                    depth += 1
                elif character == "}":
                    depth -= 1
                if (opening == "{" and depth == 0) or (opening == '"' and cursor > position and character == '"' and depth == 0):
                    break
                cursor += 1
            if cursor >= end:
                return [("text", raw.strip())]
            parts.append(("text", raw[position + 1 : cursor]))
            position = cursor + 1
        else:
            cursor = position
            while cursor < end and raw[cursor] != "#" and not raw[cursor].isspace():
                cursor += 1
            token = raw[position:cursor]
            parts.append(("text" if token.isdigit() else "name", token))
            position = cursor
        while position < end and raw[position].isspace():
            position += 1
        if position < end:
            if raw[position] != "#":
                return [("text", raw.strip())]
            position += 1
    return parts


def _one_group(raw: str) -> bool:
    """Whether `raw`, which starts with `{` and ends with `}`, is one group: its first brace
    closes only at its end. Only braces and escapes are looked at, found in C."""
    if "#" not in raw:
        # A group closing early must be followed by more of the value: by `# ...` in a value
        # that bibtexparser read (it matched the braces); `{a}{b}` is not BibTeX.
        return True
    depth = 0
    for match in _BRACE.finditer(raw):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return match.end() == len(raw)
    return False


def expanded(raw: str, strings: dict[str, str], seen: frozenset[str] = frozenset()) -> str:
    """The value as BibTeX reads it: parts unwrapped, `@string` names (looked up in `strings`
    by their case-folded name) replaced by their own expanded values, all concatenated. A name
    no `@string` defines (a month, `jan`) stays as written."""
    pieces = []
    for kind, part in value_parts(raw):
        folded = part.casefold()
        if kind == "name" and folded in strings and folded not in seen:
            pieces.append(expanded(strings[folded], strings, seen | {folded}))
        else:
            pieces.append(part)
    return "".join(pieces)


def names_used(raw: str) -> list[str]:
    """The `@string` names a value refers to, case-folded, months aside."""
    return [part.casefold() for kind, part in value_parts(raw) if kind == "name" and part.casefold() not in MONTH_MACROS]


def strings_needed(raws, strings: dict[str, str]) -> list[str]:
    """Every `@string` name (case-folded) that the values `raws` rely on, also through other
    `@string`s, each once, definitions before their uses."""
    needed: dict[str, None] = {}

    def visit(name: str, seen: frozenset[str]) -> None:
        if name in needed or name in seen or name not in strings:
            return
        for inner in names_used(strings[name]):
            visit(inner, seen | {name})
        needed[name] = None

    for raw in raws:
        for name in names_used(raw):
            visit(name, frozenset())
    return list(needed)


def braced(text: str) -> str:
    """`text` as a value in braces."""
    return "{" + text + "}"
