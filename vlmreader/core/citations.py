r"""The keys a document cites: from a LaTeX run's .aux, a LaTeX source, or Markdown (pandoc).

Three scanners, one result (`Citations`), and `resolve`, which checks the keys against the keys a
library knows and suggests the closest ones for the rest. Nothing here knows the library: the
caller passes its keys (and the aliases kept after merges) as plain strings.

- `keys_in_aux`: what LaTeX wrote in the run. BibTeX's `\citation{a,b}` (natbib and plain
  `\cite`), biblatex's `\abx@aux@cite{<refsection>}{key}` (older ones: `\abx@aux@cite{key}`),
  `\abx@aux@nociteall` and `\citation{*}` for `\nocite{*}`, and the `.aux` files of `\include`d
  chapters (`\@input{chapters/intro.aux}`, relative to the main .aux's folder).
- `keys_in_tex`: the source, for a document that was never compiled. natbib's and biblatex's
  citation commands (starred and capitalised too), with their optional arguments, several keys
  per command and biblatex's `\cites[..]{a}[..]{b}`; `%` comments, verbatim-like environments,
  `\verb` and `\iffalse ... \fi` blocks are skipped; `\input`, `\include`, `\subfile`, `\import`
  and `\subimport` are followed.
- `keys_in_markdown`: pandoc's citations (`[see @doe99, p. 33; @smith04]`, `@doe99`, `-@doe99`,
  `@{odd.key.}`), which Quarto shares; code, comments, URLs and e-mail addresses are skipped, and
  so are cross-references (Quarto's `@fig-plot`, pandoc-crossref's `@fig:plot`).

`\nocite{*}` (pandoc: `nocite: '@*'`) means "cite everything": it sets `Citations.everything`
and is not itself a key. A file the user named that cannot be read raises `CitationsError`; a
file it includes that cannot be read is reported in `Citations.problems` and the scan goes on,
as LaTeX's own `\@input` goes on without a missing chapter's .aux.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from vlmreader.core.models import UserError

EVERYTHING = "*"
"""The key `\\nocite{*}` cites: every entry of the bibliography."""

MAX_SUGGESTIONS = 3
SUGGESTION_CUTOFF = 70
"""The least rapidfuzz `ratio` (0-100, on case-folded keys) for a known key to be suggested:
`llava-hd` -> `llava-uhd` is 94, `cogvlm` -> `covlm` 91, `llava` -> `mg-llava` 77."""

BIBLATEX_CONTROL_KEY = "biblatex-control"
"""biblatex with `backend=bibtex` cites its own control entry; it is no paper."""


class CitationsError(UserError):
    """A document the user named cannot be read (missing, a folder, unreadable, not UTF-8)."""


@dataclass
class Citations:
    """What a document cites."""

    keys: list[str] = field(default_factory=list)
    """The cited keys in the order they first appear (an included file's where it is included),
    each once, spelled as cited; without `*`."""
    everything: bool = False
    """`\\nocite{*}` (or pandoc's `@*`): the document cites every entry of its bibliography."""
    problems: list[str] = field(default_factory=list)
    """One line for each included file that could not be read, naming it and where it was
    included; the keys it would have added are not in `keys`."""
    files: list[Path] = field(default_factory=list)
    """Every file read, the one named first."""

    def __post_init__(self) -> None:
        self._seen = set(self.keys)

    def add(self, key: str) -> None:
        """Count `key` as cited (`*` as everything), unless it already is."""
        if key == EVERYTHING:
            self.everything = True
        elif key and key not in self._seen:
            self._seen.add(key)
            self.keys.append(key)


def _read_text(path: Path) -> str:
    """The text of `path`, or CitationsError saying in one line why not."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CitationsError(f"no file {path}") from None
    except IsADirectoryError:
        raise CitationsError(f"{path} is a folder, not a file") from None
    except UnicodeDecodeError as error:
        raise CitationsError(
            f"{path} is not UTF-8 text (byte {error.start} is {error.object[error.start]:#04x}); save it as UTF-8"
        ) from None
    except OSError as error:
        raise CitationsError(f"cannot read {path}: {error.strerror or error}") from None


def _read_scanned(path: Path, citations: Citations, included_at: str | None) -> str | None:
    """The text of a file to scan, noted in `citations.files`. The file the user named must be
    readable (CitationsError); one it includes that is not is a problem noted, and None."""
    try:
        text = _read_text(path)
    except CitationsError as error:
        if included_at is None:
            raise
        citations.problems.append(f"{included_at}: {error}")
        return None
    citations.files.append(path)
    return text


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


# -- .aux ------------------------------------------------------------------------------------

_AUX_COMMAND = re.compile(
    r"\\citation\s*\{(?P<keys>[^{}]*)\}"
    r"|\\abx@aux@cite\s*\{(?P<first>[^{}]*)\}(?:[ \t]*\{(?P<second>[^{}]*)\})?"
    r"|\\abx@aux@nociteall(?![A-Za-z@])"
    r"|\\@input\s*\{(?P<input>[^{}]*)\}"
)


def keys_in_aux(path: Path | str) -> Citations:
    r"""The keys cited in the LaTeX run whose main .aux is `path`: BibTeX's `\citation{...}` and
    biblatex's `\abx@aux@cite`, in the included chapters' .aux files too.

    Raises CitationsError if `path` cannot be read; an included .aux that cannot be read (a
    chapter never compiled) is a problem in the result.
    """
    path = Path(path)
    citations = Citations()
    _scan_aux(path, path.parent, citations, active=set(), included_at=None)
    return citations


def _scan_aux(path: Path, folder: Path, citations: Citations, active: set[Path], included_at: str | None) -> None:
    text = _read_scanned(path, citations, included_at)
    if text is None:
        return
    active = active | {path.resolve()}
    for match in _AUX_COMMAND.finditer(text):
        if match["keys"] is not None:
            for key in match["keys"].split(","):
                key = key.strip()
                if key != BIBLATEX_CONTROL_KEY:
                    citations.add(key)
        elif match["first"] is not None:
            # biblatex now (3.18 here): {refsection}{key}; older ones wrote {key} alone.
            two_arguments = match["second"] is not None and match["first"].strip().isdigit()
            citations.add((match["second"] if two_arguments else match["first"]).strip())
        elif match["input"] is not None:
            included = folder / match["input"].strip()
            where = f"{path} line {_line_of(text, match.start())}: \\@input{{{match['input'].strip()}}}"
            if included.resolve() in active:
                citations.problems.append(f"{where} includes a file already being read; skipped")
            else:
                _scan_aux(included, folder, citations, active, where)
        else:
            citations.everything = True


# -- LaTeX source ----------------------------------------------------------------------------

_VERBATIM_ENVIRONMENTS = (
    r"verbatim\*?|Verbatim\*?|BVerbatim\*?|LVerbatim\*?|lstlisting|minted|comment|filecontents\*?"
)
_NOT_SOURCE = re.compile(
    r"\\begin\s*\{(?P<environment>" + _VERBATIM_ENVIRONMENTS + r")\}.*?\\end\s*\{(?P=environment)\}"
    r"|\\verb\*?(?P<delimiter>[^A-Za-z\s*])[^\n]*?(?P=delimiter)"
    r"|\\."  # an escaped character, so that `\%` is no comment and `\\` is no escape
    r"|%[^\n]*",
    re.DOTALL,
)
_CONDITIONAL = re.compile(
    # `\ifthenelse{...}` and etoolbox's `\ifstrequal{...}` are macros with arguments, not TeX's conditionals.
    r"\\(?:(?P<if>if[A-Za-z]*)(?![A-Za-z])(?!\s*\{)|(?P<else>else)(?![A-Za-z])|(?P<fi>fi)(?![A-Za-z]))|\\.",
    re.DOTALL,
)
_CONTROL_WORD = re.compile(r"\\(?:(?P<name>[A-Za-z]+)(?P<star>\*?)|.)", re.DOTALL)


def _blank(text: str) -> str:
    """What replaces skipped text: its line breaks, so line numbers still count right."""
    return "\n" * text.count("\n")


def _strip_non_source(text: str) -> str:
    """`text` without comments, verbatim-like environments and `\\verb`, lines kept in place."""

    def replace(match: re.Match[str]) -> str:
        token = match.group()
        if token.startswith("%") or match["environment"] or match["delimiter"]:
            return _blank(token)
        return token

    return _strip_false_conditionals(_NOT_SOURCE.sub(replace, text))


def _strip_false_conditionals(text: str) -> str:
    r"""`text` without the skipped branches of `\iffalse ... \else ... \fi`, the usual way to
    comment out a passage; conditionals nested in it are counted as TeX counts them."""
    if "\\iffalse" not in text:
        return text
    kept: list[str] = []
    position = 0
    skipping_from: int | None = None
    depth = 0
    for match in _CONDITIONAL.finditer(text):
        if match["if"] is not None:
            if skipping_from is None:
                if match["if"] == "iffalse":
                    kept.append(text[position : match.start()])
                    skipping_from, depth = match.start(), 0
            else:
                depth += 1
        elif skipping_from is None:
            continue
        elif match["fi"] is not None and depth:
            depth -= 1
        elif match["fi"] is not None or (match["else"] is not None and depth == 0):
            kept.append(_blank(text[skipping_from : match.end()]))
            position, skipping_from = match.end(), None
    if skipping_from is not None:
        kept.append(_blank(text[skipping_from:]))
    else:
        kept.append(text[position:])
    return "".join(kept)


_SINGLE, _MULTI, _VOLUME, _MULTI_VOLUME = "single", "multi", "volume", "multi-volume"


def _with_capitals(names: str) -> list[str]:
    return [spelled for name in names.split() for spelled in (name, name[0].upper() + name[1:])]


_CITE_COMMANDS: dict[str, str] = {
    # natbib (and LaTeX's own \cite and \nocite)
    **dict.fromkeys(
        _with_capitals(
            "cite nocite citep citet citealp citealt citeauthor citefullauthor citeyear citeyearpar "
            "citenum citetalias citepalias"
        ),
        _SINGLE,
    ),
    # biblatex
    **dict.fromkeys(
        _with_capitals(
            "parencite footcite footcitetext textcite smartcite autocite supercite fullcite footfullcite "
            "citetitle citeurl citedate citeurldate citelist citefield citename notecite pnotecite fnotecite"
        ),
        _SINGLE,
    ),
    **dict.fromkeys(
        _with_capitals("cites parencites footcites footcitetexts smartcites textcites supercites autocites"), _MULTI
    ),
    **dict.fromkeys(_with_capitals("volcite pvolcite fvolcite ftvolcite svolcite tvolcite avolcite"), _VOLUME),
    **dict.fromkeys(
        _with_capitals("volcites pvolcites fvolcites ftvolcites svolcites tvolcites avolcites"), _MULTI_VOLUME
    ),
}
CITE_COMMANDS = frozenset(_CITE_COMMANDS)
"""The commands whose keys `keys_in_tex` reads (each also with a star)."""

_BEING_DEFINED = re.compile(
    r"\\(?:(?:re)?newcommand|providecommand|DeclareRobustCommand|DeclareCiteCommand|[egx]?def|let)\*?\s*\{?\s*\Z"
)
"""What comes before a command that is being (re)defined, not used: `\\renewcommand{\\cite}...`."""
_INCLUDE_COMMANDS = {"input", "include", "subfile", "import", "subimport"}
_TEX_WORD_ARGUMENT = re.compile(r"[ \t]+(?P<name>[^\s{}\\%]+)")  # `\input chapter`, TeX's own syntax


def _group_end(text: str, start: int, opening: str, closing: str) -> int | None:
    """The index after the group opened by `text[start]` (`{`, `[` or `(`), or None if it never
    closes. Braces nest; inside `[...]` and `(...)` only a closing mark outside braces ends it."""
    depth = 0
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return position + 1 if closing == "}" else None
            depth -= 1
        elif char == closing and depth == 0:
            return position + 1
        position += 1
    return None


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _skip_groups(text: str, position: int, opening: str, closing: str, most: int | None = None) -> int:
    """The position after any run of `opening...closing` groups (at most `most`) and spaces."""
    count = 0
    position = _skip_spaces(text, position)
    while position < len(text) and text[position] == opening and (most is None or count < most):
        end = _group_end(text, position, opening, closing)
        if end is None:
            break
        position, count = _skip_spaces(text, end), count + 1
    return position


def _brace_argument(text: str, position: int) -> tuple[str, int] | None:
    """(content, position after it) of the `{...}` at `position` (after spaces), or None."""
    position = _skip_spaces(text, position)
    if position >= len(text) or text[position] != "{":
        return None
    end = _group_end(text, position, "{", "}")
    if end is None:
        return None
    return text[position + 1 : end - 1], end


def _cited_groups(text: str, position: int, shape: str) -> list[str]:
    """The key lists (`a, b`) of the citation command whose name ends at `position`."""
    groups: list[str] = []
    repeated = shape in (_MULTI, _MULTI_VOLUME)
    if repeated:
        position = _skip_groups(text, position, "(", ")", most=2)  # \cites(pre)(post)
    while True:
        position = _skip_groups(text, position, "[", "]")
        if shape in (_VOLUME, _MULTI_VOLUME):
            volume = _brace_argument(text, position)  # \volcite[pre]{volume}[pages]{key}
            if volume is None:
                break
            position = _skip_groups(text, volume[1], "[", "]")
        argument = _brace_argument(text, position)
        if argument is None:
            break
        groups.append(argument[0])
        position = argument[1]
        if not repeated:
            break
    return groups


def _tex_keys(group: str) -> Iterable[str]:
    for key in group.split(","):
        key = key.strip()
        # `#1` is a macro's parameter (\newcommand\mycite[1]{\citep{#1}}), `\x` a macro: no keys.
        if key and "#" not in key and "\\" not in key:
            yield key


def keys_in_tex(path: Path | str) -> Citations:
    r"""The keys cited in the LaTeX source `path` and the files it includes.

    Included files are looked for relative to the folder of `path` (where LaTeX runs), then to
    the including file's folder; `.tex` is tried first when the name does not end with it.
    `\subimport{dir/}{file}` is relative to the including file, as the import package has it.
    A file already being read (an include cycle) is not read again.

    Raises CitationsError if `path` cannot be read; an included file that is missing or cannot
    be read is a problem in the result.
    """
    path = Path(path)
    citations = Citations()
    _scan_tex(path, path.parent, citations, active=(), included_at=None)
    return citations


def _included_candidates(name: str, folders: Iterable[Path]) -> list[Path]:
    names = [name] if name.endswith(".tex") else [f"{name}.tex", name]
    candidates: list[Path] = []
    for folder in folders:
        for spelled in names:
            candidate = folder / spelled
            if candidate not in candidates:
                candidates.append(candidate)
    return candidates


def _scan_tex(
    path: Path, main_folder: Path, citations: Citations, active: tuple[Path, ...], included_at: str | None
) -> None:
    text = _read_scanned(path, citations, included_at)
    if text is None:
        return
    text = _strip_non_source(text)
    active = (*active, path.resolve())
    for match in _CONTROL_WORD.finditer(text):
        name = match["name"]
        if name in _CITE_COMMANDS and not _BEING_DEFINED.search(text, max(0, match.start() - 40), match.start()):
            for group in _cited_groups(text, match.end(), _CITE_COMMANDS[name]):
                for key in _tex_keys(group):
                    citations.add(key)
        elif name in _INCLUDE_COMMANDS and not match["star"]:
            _follow_include(text, match, path, main_folder, citations, active)


def _follow_include(
    text: str, match: re.Match[str], path: Path, main_folder: Path, citations: Citations, active: tuple[Path, ...]
) -> None:
    name = match["name"]
    folders = [main_folder, path.parent]
    argument = _brace_argument(text, match.end())
    if name in ("import", "subimport"):
        second = _brace_argument(text, argument[1]) if argument else None
        if argument is None or second is None:
            return
        base = path.parent if name == "subimport" else main_folder
        folders = [base / argument[0].strip()]
        shown, argument = f"\\{name}{{{argument[0].strip()}}}{{{second[0].strip()}}}", second
    elif argument is None:
        word = _TEX_WORD_ARGUMENT.match(text, match.end()) if name == "input" else None
        if word is None:
            return
        argument = (word["name"], word.end())
        shown = f"\\input {word['name']}"
    else:
        shown = f"\\{name}{{{argument[0].strip()}}}"
    included = argument[0].strip()
    if not included or "#" in included or "\\" in included:
        return  # a macro's parameter or a computed name: nothing to follow
    where = f"{path} line {_line_of(text, match.start())}: {shown}"
    candidates = _included_candidates(included, folders)
    found = next((candidate for candidate in candidates if candidate.is_file()), None)
    if found is None:
        citations.problems.append(f"{where}: no file {candidates[0]}")
    elif found.resolve() in active:
        citations.problems.append(f"{where} includes {found}, which is already being read (a cycle); skipped")
    else:
        _scan_tex(found, main_folder, citations, active, where)


# -- Markdown (pandoc, Quarto) ---------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_NOT_PROSE = re.compile(
    r"<!--.*?-->"  # an HTML comment
    r"|(?<!`)(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`)"  # a code span, within a paragraph
    r"|\]\([^)\s]*"  # a link's destination (the text before it is kept)
    r"|<[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*>"  # an autolink
    r"|(?<!@)(?<!@\{)\b[A-Za-z][A-Za-z0-9+.-]*://\S+",  # a bare URL (https://x.org/@user is no citation)
    re.DOTALL,
)
_PANDOC_CITATION = re.compile(
    # Not after a word (user@example.com), a dot or a backslash (\@ is an escaped @).
    r"(?<![\w.\\])@"
    r"(?:(?P<key>\w(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*)"
    r"|\{(?P<braced>[^\s{}]*(?:\{[^\s{}]*\}[^\s{}]*)*)\}"
    r"|(?P<everything>\*)(?!\w))"
)
_CROSS_REFERENCE = re.compile(
    r"(?:[Ff]ig|[Tt]bl|[Ll]st|[Tt]ip|[Nn]te|[Ww]rn|[Ii]mp|[Cc]au|[Tt]hm|[Ll]em|[Cc]or|[Pp]rp|[Cc]nj|[Dd]ef|[Ee]xm"
    r"|[Ee]xr|[Ss]ol|[Rr]em|[Aa]lg|[Ee]q|[Ss]ec)-"  # Quarto's reserved prefixes
    r"|(?:[Ff]ig|[Tt]bl|[Ee]q|[Ss]ec|[Ll]st):"  # pandoc-crossref's
)


def _strip_code_blocks(text: str) -> str:
    """`text` with the lines of fenced code blocks (``` or ~~~) emptied."""
    lines = text.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is None:
            if opened:
                fence = opened["fence"]
                lines[index] = ""
        else:
            if opened and opened["fence"][0] == fence[0] and len(opened["fence"]) >= len(fence):
                if not line.strip().strip(fence[0]):
                    fence = None
            lines[index] = ""
    return "\n".join(lines)


def keys_in_markdown(path: Path | str) -> Citations:
    r"""The keys cited in the Markdown file `path` with pandoc's syntax (Quarto's too):
    `[@a; @b]`, `[see @a, p. 33]`, `@a` in the text, `-@a`, `@{key with odd.characters.}`, and
    `@*` in `nocite` for everything.

    A key starts with a letter, digit or `_` and goes on with those and single internal
    punctuation (`:.#$%&-+?<>~/`), as pandoc reads it. Not citations: e-mail addresses, `@` in
    code blocks and spans, HTML comments and URLs, and cross-references (`@fig-plot`,
    `@sec:intro`). The YAML front matter is read like the text, as pandoc reads its values as
    Markdown.

    Raises CitationsError if `path` cannot be read.
    """
    path = Path(path)
    text = _read_text(path).replace("\r\n", "\n")
    prose = _NOT_PROSE.sub(lambda match: _blank(match.group()), _strip_code_blocks(text))
    citations = Citations(files=[path])
    for match in _PANDOC_CITATION.finditer(prose):
        if match["everything"]:
            citations.everything = True
            continue
        key = match["key"] if match["key"] is not None else match["braced"]
        if not _CROSS_REFERENCE.match(key):
            citations.add(key)
    return citations


SCANNERS: dict[str, Callable[[Path | str], Citations]] = {
    ".aux": keys_in_aux,
    ".tex": keys_in_tex,
    ".ltx": keys_in_tex,
    ".md": keys_in_markdown,
    ".markdown": keys_in_markdown,
    ".qmd": keys_in_markdown,
    ".rmd": keys_in_markdown,
}
"""Which scanner reads a file, by its suffix (lower-cased)."""


def keys_cited_in(path: Path | str) -> Citations:
    """The keys cited in `path`, read by the scanner its suffix names (SCANNERS)."""
    path = Path(path)
    scanner = SCANNERS.get(path.suffix.lower())
    if scanner is None:
        known = ", ".join(sorted(SCANNERS))
        raise CitationsError(f"cannot tell how to read {path} from its suffix: known suffixes are {known}")
    return scanner(path)


# -- against the library ---------------------------------------------------------------------


class Resolution(NamedTuple):
    """Which cited keys a library knows."""

    found: list[str]
    """The known keys cited, spelled as the library spells them, in citation order, each once."""
    missing: list[tuple[str, list[str]]]
    """(cited key, up to MAX_SUGGESTIONS closest known keys, best first) for each key not found."""
    respelled: list[tuple[str, str]]
    """(cited key, known key) for keys found only when case is ignored: BibTeX matches them, Biber
    does not (it warns "case mismatch" and leaves the citation undefined)."""


def resolve(cited: Iterable[str], known: Iterable[str]) -> Resolution:
    """Match `cited` keys against `known` ones (a library's keys and aliases).

    A key is found if it is known exactly, else if exactly one known key differs from it only in
    case (then it is also in `respelled`). BibTeX itself looks keys up ignoring case and Biber
    does not, and a library never holds two keys that differ only in case, so ignoring case
    finds the paper the author meant; `respelled` says where a Biber document needs the key
    written as the library writes it. Two known keys that differ only in case leave the key
    missing, with both suggested. `*` is neither found nor missing (see `Citations.everything`).
    """
    known_keys = list(dict.fromkeys(known))
    exact = set(known_keys)
    by_folded: dict[str, list[str]] = {}
    for key in known_keys:
        by_folded.setdefault(key.casefold(), []).append(key)
    folded_choices = list(by_folded)
    found: dict[str, None] = {}
    missing: list[tuple[str, list[str]]] = []
    respelled: list[tuple[str, str]] = []
    reported: set[str] = set()
    for key in cited:
        if key == EVERYTHING or key in reported:
            continue
        reported.add(key)
        if key in exact:
            found.setdefault(key)
            continue
        same_but_case = by_folded.get(key.casefold(), [])
        if len(same_but_case) == 1:
            found.setdefault(same_but_case[0])
            respelled.append((key, same_but_case[0]))
        else:
            missing.append((key, same_but_case or _closest(key, folded_choices, by_folded)))
    return Resolution(list(found), missing, respelled)


def _closest(key: str, folded_choices: list[str], by_folded: dict[str, list[str]]) -> list[str]:
    from rapidfuzz import fuzz, process

    matches = process.extract(
        key.casefold(), folded_choices, scorer=fuzz.ratio, limit=MAX_SUGGESTIONS, score_cutoff=SUGGESTION_CUTOFF
    )
    return [spelled for folded, _, _ in matches for spelled in by_folded[folded]][:MAX_SUGGESTIONS]
