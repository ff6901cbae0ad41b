r"""Corpus and user text <-> values that are safe in a `.bib` file.

Stored text is what the corpus or the user wrote: plain text with LaTeX leaking in
(`17.76\%`, `\textbf{UniHOI}`, `models~(VLMs)`, `{\mu}-Bench`, `\ours`). `to_latex` turns it into
a value that compiles under a bare `\documentclass{article}` and under biblatex, through BibTeX
and through Biber; `protect_title` adds the braces that keep a style from lower-casing names;
`from_latex` reads an imported value back as plain Unicode text.

What `to_latex` writes, and why:
- Every brace it writes is structural. BibTeX counts `\{` as a brace too, so a literal brace is
  `{\textbraceleft}`, never `\{`, and an unmatched one in the input cannot unbalance the file.
- Symbol commands are wrapped in braces (`{\ss}`, `{\textbackslash}`): inside such a group
  BibTeX's case changing leaves command names alone (`\S` lower-cased would be undefined).
- `<`, `>` and `|` are set in math (`{$<$}`): Biber decodes `\textless` to `<`, which the default
  OT1 font prints as `¡`.
- Non-ASCII text goes through pylatexenc, keeping only what a stock preamble defines; anything
  else falls back to its compatibility decomposition (`ℝ` -> `R`, `ą` -> `a`) or, failing that,
  to its code point (`⟨U+2713⟩`), which `from_latex` reads back.
- Whitespace, newlines included, is kept: BibTeX and Biber collapse it, so a blank line in a
  note never reaches LaTeX as `\par`.
"""

from __future__ import annotations

import functools
import logging
from itertools import cycle
import re
import unicodedata

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, SpecialsTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder
from pylatexenc.macrospec import MacroSpec

# pylatexenc logs a warning for every oddity its tolerant parsing gets past; vlmreader reports
# what matters itself, with the entry's line, and the user's terminal is not pylatexenc's log.
logging.getLogger("pylatexenc").setLevel(logging.CRITICAL)

TEXT_COMMANDS = frozenset(
    "emph textbf textit texttt textsc textsl textsf textrm textup textmd underline textsuperscript textsubscript".split()
)
"""Commands kept as they are, their argument converted: all are in LaTeX's kernel."""

LOGOS = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX", "XeTeX": "XeTeX", "LuaTeX": "LuaTeX"}
"""Logos read as their names: `The {\\TeX}book` reads `The TeXbook`."""
FONT_DECLARATIONS = frozenset(
    "it bf sc rm sl sf tt em itshape bfseries scshape upshape slshape mdseries rmfamily sffamily ttfamily normalfont".split()
)
"""Old and new font switches (`{\\it italics}`): they change the look, not the words."""
BIBLATEX_WRAPPERS = {"mkbibquote": "“%s”", "mkbibemph": "%s", "mkbibitalic": "%s", "mkbibbold": "%s", "enquote": "“%s”"}
SORTING_TRICKS = frozenset({"noopsort", "SortNoop", "sortnoop"})
"""`{\\noopsort{b}}A Study`: a `.bib`'s own macro that only steers sorting; it prints nothing."""
CITE_COMMANDS = frozenset("cite citep citet citealp parencite textcite autocite footcite nocite".split())
"""Citations in a note or annotation are shown as written: `\\cite{KR}`, not pylatexenc's `<cit.>`."""

ABBREVIATIONS = {"eg": "e.g.", "ie": "i.e.", "etal": "et al.", "etc": "etc.", "vs": "vs.", "cf": "cf.", "wrt": "w.r.t."}
"""Paper-local shorthand macros whose meaning is not in doubt."""

# Math commands of LaTeX's own fonts (fontmath.ltx). pylatexenc also emits amssymb, stmaryrd and
# mathbb names, which a bare preamble lacks; a character needing one of those falls back.
STOCK_MATH_COMMANDS = frozenset(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi
    pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda
    Xi Pi Sigma Upsilon Phi Psi Omega
    times div pm mp cdot circ bullet ast star dagger ddagger amalg cap cup uplus sqcap sqcup vee
    wedge setminus wr diamond bigtriangleup bigtriangledown triangleleft triangleright oplus ominus
    otimes oslash odot bigcirc leq geq neq equiv sim simeq approx cong asymp propto prec succ preceq
    succeq ll gg subset supset subseteq supseteq sqsubseteq sqsupseteq in ni notin vdash dashv
    models perp mid parallel smile frown doteq bowtie leftarrow rightarrow leftrightarrow Leftarrow
    Rightarrow Leftrightarrow longleftarrow longrightarrow longleftrightarrow Longleftarrow
    Longrightarrow Longleftrightarrow uparrow downarrow updownarrow Uparrow Downarrow Updownarrow
    mapsto longmapsto hookleftarrow hookrightarrow leftharpoonup leftharpoondown rightharpoonup
    rightharpoondown rightleftharpoons nearrow searrow swarrow nwarrow aleph hbar imath jmath ell wp
    Re Im partial infty prime emptyset nabla surd top bot angle triangle forall exists neg flat
    natural sharp clubsuit diamondsuit heartsuit spadesuit sum prod coprod int oint bigcap bigcup
    bigsqcup bigvee bigwedge bigodot bigotimes bigoplus biguplus langle rangle lceil rceil lfloor
    rfloor ldots cdots vdots ddots sqrt not""".split()
)

# Text commands pylatexenc emits that a bare preamble defines, found by compiling every character
# of Latin-1, Latin Extended, Greek, punctuation, letterlike, arrows and symbols. The rest need T1,
# a Cyrillic encoding or a package (\DH, \k, \guillemotleft, \cyra, \textfrac, ...).
STOCK_TEXT_COMMANDS = frozenset(
    """AE OE ae oe L l O o IJ ij i ss H c r u v fbox hspace quad enskip nolinebreak
    textasciiacute textasciidieresis textasciimacron textasteriskcentered textbigcircle textblank
    textbrokenbar textbullet textcelsius textcent textcircledP textcolonmonetary textcompwordmark
    textcopyright textcurrency textdagger textdaggerdbl textdegree textdiscount textdiv textdong
    textdownarrow textellipsis textemdash textendash textestimated texteuro textexclamdown
    textflorin textfractionsolidus textinterrobang textleftarrow textlira textlnot textmho textmu
    textmusicalnote textnaira textnumero textonehalf textonequarter textonesuperior textopenbullet
    textordfeminine textordmasculine textparagraph textperiodcentered textpertenthousand
    textperthousand textpeso textquestiondown textquotedblleft textquotedblright textquoteleft
    textquoteright textrecipe textreferencemark textregistered textrightarrow textsc textsection
    textservicemark textsterling textthreequarters textthreesuperior texttimes texttrademark
    texttwosuperior textuparrow textvisiblespace textwon textyen""".split()
)

_ESCAPES = {
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "<": "{$<$}",
    ">": "{$>$}",
    "|": "{$|$}",
    "{": r"{\textbraceleft}",
    "}": r"{\textbraceright}",
    "\\": r"{\textbackslash}",
    "^": r"{\textasciicircum}",
}
"""How a character that means something to LaTeX or BibTeX is written when it stands for itself."""

_KEPT_ESCAPES = frozenset("%&#_$")
_ACCENTS = frozenset("'\"`^~=.")
_LETTER_ACCENTS = frozenset("c v u H r d b t k".split())
_SUPERSCRIPT = re.compile(r"\d+|[A-Za-z*]")
_COMMAND_NAME = re.compile(r"[A-Za-z]+")
_DOTLESS_I_UNDER_ACCENT = re.compile(r"(\\[`'^\"~=.])\\i(?![A-Za-z])")
_ACCENT_COMMAND = re.compile(r"\\[`'^\"~=.]|\\[cvuHrdbtk]\{")
_ESCAPED_CODE_POINT = re.compile(r"⟨U\+([0-9A-Fa-f]{4,6})⟩")
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
_TRAILING_PUNCTUATION = ":,.;?!"
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf", "Cs"))
_NOT_SIMPLE_MARKS = ("$", "~", "`", "''")
_COMMAND_BACKSLASH = re.compile(r"\\(?![%&_#$])")
_BARE_BRACE = re.compile(r"[{}]")
_ESCAPED_SPECIAL = re.compile(r"\\([%&_#$])")
_LATEX_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}$~`]|''|\s+", re.DOTALL)
_SIMPLE_ESCAPES = frozenset("%&_#$")
_WRITTEN_ESCAPES = {
    "~": "\xa0",
    "``": "“",
    "''": "”",
    "{$<$}": "<",
    "{$>$}": ">",
    "{$|$}": "|",
    "{$\\sim$}": "~",
    "{\\textbackslash}": "\\",
    "{\\textbraceleft}": "{",
    "{\\textbraceright}": "}",
    "{\\textasciicircum}": "^",
}
"""Sequences that `to_latex` writes, with what pylatexenc reads them as (tests compare the two)."""
_WRITTEN_ESCAPE = re.compile("(" + "|".join(map(re.escape, sorted(_WRITTEN_ESCAPES, key=len, reverse=True))) + ")")
_PLAIN_RUN = re.compile(r"[\t\n !\"'-;=?-\[\]`a-z]+")
"""Printable ASCII, tab and newline, except what `_LatexWriter._piece` treats specially:
backslash, braces, ^ ~ % & # _ $ < > |."""
_NOT_WORD_CHARACTER = re.compile(r"[^\w]|_")
_NON_SPACE_RUN = re.compile(r"\S+")
_NAME_PART_SEPARATOR = re.compile(r"[-/\s]")
_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)


def to_latex(text: str, keep_unicode: bool = False) -> str:
    """`text` as a BibTeX value that compiles under a stock preamble and shows what was meant.

    With `keep_unicode`, characters outside ASCII stay as they are (UTF-8 in the file), as in a
    user's own entry written for biber or a Unicode engine: only what means something to
    LaTeX or BibTeX is escaped, and nothing becomes a `⟨U+...⟩` placeholder.
    """
    return _LatexWriter(text, keep_unicode).write()


def protect_title(title: str) -> str:
    """`to_latex(title)`, with names braced so that bibliography styles keep their case.

    A word is braced when it has a capital after its first letter (`{LLaVA-UHD}`, `{CLIP}`,
    `{GPT-4o}`) or a capitalised word with a digit (`{Qwen2}`), and so is the model name before a
    colon (`{Dragonfly}: Multi-Resolution ...`). Ordinary Title Case words are left to the style.
    """
    latex = to_latex(title)
    words = _top_level_words(latex)
    # `Dragonfly: Multi-Resolution ...`: one word before a colon names the model.
    named_by_colon = bool(words) and latex[words[0][0] : words[0][1]].endswith(":")
    pieces = []
    last = 0
    for index, (start, end) in enumerate(words):
        word = latex[start:end]
        core = word.rstrip(_TRAILING_PUNCTUATION)
        visible = _visible_text(core)
        is_model_name = index == 0 and named_by_colon and any(char.isupper() for char in visible)
        if core and (_is_name_like(visible) or is_model_name):
            # A group opening with a command is a BibTeX "special character", whose letters are
            # still case-changed: a second pair of braces makes it plain protected text.
            wrapped = f"{{{{{core}}}}}" if core.startswith("\\") else f"{{{core}}}"
            pieces.append(latex[last:start] + wrapped + word[len(core) :])
            last = end
    pieces.append(latex[last:])
    return "".join(pieces)


class UnreadableLatex(ValueError):
    """A value whose LaTeX cannot be read as text (`\\footnote` without its argument, a `\\verb`
    cut short, braces nested hundreds deep); the message says what the reader stumbled on."""


def from_latex(value: str) -> str:
    r"""A BibTeX value read as plain Unicode text: `{LLaVA}` -> `LLaVA`, `17\%` -> `17%`.

    It reverses what `to_latex` writes (`from_latex(protect_title(t)) == t` for plain titles).
    Commands nobody defines are kept as written (`\ours`), math becomes text (`$\alpha$` -> `α`),
    a tie becomes a no-break space and whitespace is kept as it is. Raises `UnreadableLatex`
    when the LaTeX cannot be read at all.
    """
    if _is_simple(value):
        return _simple_to_text(value)
    parts = _WRITTEN_ESCAPE.split(value)  # text, escape, text, ...: what `to_latex` itself writes
    if all(_is_simple(part) for part in parts[::2]):
        return "".join(_WRITTEN_ESCAPES[part] if odd else _simple_to_text(part) for odd, part in zip(cycle((0, 1)), parts))
    # pylatexenc reads some 40,000 characters a second: give it only the stretches that need it.
    return "".join(_pylatexenc_text(piece) if complex_ else _simple_to_text(piece) for complex_, piece in _pieces(value))


def _is_simple(value: str) -> bool:
    """Only braces and escaped specials (`{LLaVA}`, `17.5\\%`), as in most abstracts."""
    # Substring tests scan at memchr speed; one regular expression with the four alternatives
    # took 17 µs an abstract.
    if any(mark in value for mark in _NOT_SIMPLE_MARKS):
        return False
    return "\\" not in value or _COMMAND_BACKSLASH.search(value) is None


def _simple_to_text(value: str) -> str:
    """What pylatexenc makes of a simple value, read in C (tests compare the two)."""
    unbraced = _BARE_BRACE.sub("", value) if "{" in value or "}" in value else value  # `in` is the faster scan
    text = _ESCAPED_SPECIAL.sub(r"\1", unbraced)
    return _ESCAPED_CODE_POINT.sub(lambda match: chr(int(match.group(1), 16)), text) if "⟨U+" in text else text


def _pieces(value: str) -> list[tuple[bool, str]]:
    """`value` as (needs pylatexenc, piece) pieces, cut at white space that no group, formula or
    command spans: each piece reads the same alone as within the whole. Simple pieces in a row
    are one piece."""
    pieces: list[tuple[bool, str]] = []
    start = depth = 0
    math = after_command = complex_ = False

    def cut(end: int) -> None:
        nonlocal start, complex_
        if end > start:
            if pieces and not complex_ and not pieces[-1][0]:
                pieces[-1] = (False, pieces[-1][1] + value[start:end])
            else:
                pieces.append((complex_, value[start:end]))
        start, complex_ = end, False

    for match in _LATEX_TOKEN.finditer(value):
        token = match.group()
        if token[0].isspace():
            if depth == 0 and not math and not after_command:
                cut(match.start())
        elif token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif token == "$":
            math, complex_ = not math, True
        else:
            complex_ = complex_ or not (token[0] == "\\" and token[1:] in _SIMPLE_ESCAPES)
        after_command = token[0] == "\\" and token[1:2].isalpha()
    cut(len(value))
    return pieces


def _pylatexenc_text(value: str) -> str:
    decoder, parse_context = _decoder()
    # In a .bib a bare % is a percent sign, not a comment: BibTeX never strips comments in values.
    try:
        text = decoder.latex_to_text(
            _UNESCAPED_PERCENT.sub(r"\\%", value), latex_context=parse_context, tolerant_parsing=True
        )
    except RecursionError:
        raise UnreadableLatex("its braces or commands nest too deeply") from None
    except Exception:  # noqa: BLE001 - pylatexenc fails in many ways on odd input
        raise UnreadableLatex("a command in it is cut short or unbalanced") from None
    return _ESCAPED_CODE_POINT.sub(lambda match: chr(int(match.group(1), 16)), text)


def names_from_latex(value: str) -> str:
    r"""A BibTeX name list read as text, keeping the braces that make a name one unit.

    `{Gemini Team} and M{\"u}ller, J.` -> `{Gemini Team} and Müller, J.`: without its braces a
    corporate author would be read as given name `Gemini`, family name `Team`.
    """
    closing = _matching_braces(value)
    pieces = []
    last = index = 0
    while index < len(value):
        close = closing.get(index)
        if close is None:
            index += 1
            continue
        inner = value[index + 1 : close].strip()
        if not inner.startswith("\\") and any(char.isspace() for char in inner):
            pieces += [from_latex(value[last:index]), "{", from_latex(inner), "}"]
            last = close + 1
        index = close + 1
    pieces.append(from_latex(value[last:]))
    return "".join(pieces)


class _LatexWriter:
    """One pass over a text, writing each piece as LaTeX."""

    def __init__(self, text: str, keep_unicode: bool = False):
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.closing = _matching_braces(self.text)
        self.keep_unicode = keep_unicode

    def write(self, start: int = 0, end: int | None = None) -> str:
        end = len(self.text) if end is None else end
        pieces = []
        index = start
        while index < end:
            plain = _PLAIN_RUN.match(self.text, index, end)
            if plain:  # most of an abstract: characters that stand for themselves, taken at once
                pieces.append(plain.group())
                index = plain.end()
                continue
            piece, index = self._piece(index, end)
            pieces.append(piece)
        return "".join(pieces)

    def _piece(self, index: int, end: int) -> tuple[str, int]:
        char = self.text[index]
        if char == "\\":
            return self._backslash(index, end)
        if char == "{" and index in self.closing:
            close = self.closing[index]
            return "{" + self.write(index + 1, close) + "}", close + 1
        if char == "^":
            return self._caret(index, end)
        if char == "~":
            return self._tilde(index, end), index + 1
        if char in _ESCAPES:
            return _ESCAPES[char], index + 1
        if char.isascii():
            return (char if char.isprintable() or char in "\n\t" else " "), index + 1
        if self.keep_unicode and char.isprintable():
            return char, index + 1
        return _non_ascii_to_latex(char), index + 1

    def _backslash(self, index: int, end: int) -> tuple[str, int]:
        following = self.text[index + 1] if index + 1 < end else ""
        if following.isascii() and following.isalpha():
            name = _COMMAND_NAME.match(self.text, index + 1, end).group()
            return self._command(name, index + 1 + len(name), end)
        if following in _KEPT_ESCAPES:
            return "\\" + following, index + 2
        # `\{`, `\}` and `\\` are consumed as pairs, as _matching_braces reads them.
        if following in ("{", "}"):
            return _ESCAPES[following], index + 2
        if following == "\\":
            return _ESCAPES["\\"] * 2, index + 2
        if following in ("(", ")"):
            return "", index + 2  # inline math delimiters: the formula reads as text
        if following in _ACCENTS:
            accented = self._accent_target(index + 2, end)
            if accented is not None:
                return _decoded_to_latex(self.text[index:accented]), accented
        return _ESCAPES["\\"], index + 1

    def _command(self, name: str, after: int, end: int) -> tuple[str, int]:
        argument = self._group_at(after, end)
        if name in TEXT_COMMANDS and argument:
            return f"\\{name}{{{self.write(argument[0] + 1, argument[1])}}}", argument[1] + 1
        if name in ("href", "url") and argument:
            shown = argument
            link_text = self._group_at(argument[1] + 1, end) if name == "href" else None
            if link_text:
                shown, argument = link_text, link_text
            return self.write(shown[0] + 1, shown[1]), argument[1] + 1
        if name in _LETTER_ACCENTS and argument and argument[1] - argument[0] == 2:
            return _decoded_to_latex(self.text[after - len(name) - 1 : argument[1] + 1]), argument[1] + 1
        if self.text.startswith("{}", after):
            after += 2  # `\ldots{}`: the empty group only ends the command name
        if name in ABBREVIATIONS:
            expansion = ABBREVIATIONS[name]
            return (expansion[:-1] if self.text.startswith(".", after) else expansion), after
        symbol = _symbol_text(name)
        if symbol is not None:
            return to_latex(symbol), after
        return _ESCAPES["\\"] + name, after

    def _caret(self, index: int, end: int) -> tuple[str, int]:
        superscript = _SUPERSCRIPT.match(self.text, index + 1, end)
        if superscript:
            return rf"\textsuperscript{{{superscript.group()}}}", superscript.end()
        group = self._group_at(index + 1, end)
        if group:
            return rf"\textsuperscript{{{self.write(group[0] + 1, group[1])}}}", group[1] + 1
        return _ESCAPES["^"], index + 1

    def _tilde(self, index: int, end: int) -> str:
        following = self.text[index + 1] if index + 1 < end else ""
        if not following or following.isspace() or following.isdigit() or following == "$":
            return r"{$\sim$}"  # `~20%`, `75%~89%`, `1% ~ 3%`: approximately, or a range
        if following.isalpha() or following in "([{\\":
            return "~"  # a LaTeX tie: `models~(VLMs)`, `at~https://...`
        return r"{\textasciitilde}"

    def _group_at(self, index: int, end: int) -> tuple[int, int] | None:
        close = self.closing.get(index)
        return (index, close) if close is not None and close < end else None

    def _accent_target(self, index: int, end: int) -> int | None:
        """The end of an accent's letter (`\\"o`, `\\"{o}`), or None if no letter follows."""
        if index < end and self.text[index].isascii() and self.text[index].isalpha():
            return index + 1
        group = self._group_at(index, end)
        if group and group[1] - group[0] == 2 and self.text[index + 1].isascii() and self.text[index + 1].isalpha():
            return group[1] + 1
        return None


def _matching_braces(text: str) -> dict[int, int]:
    """The index of the `}` closing each balanced `{`; a backslash escapes the next character."""
    closing: dict[int, int] = {}
    if "{" not in text:
        return closing
    opened: list[int] = []
    for match in _BRACE_OR_ESCAPE.finditer(text):  # only these matter: skip the rest in C
        token = match.group()
        if token == "{":
            opened.append(match.start())
        elif token == "}" and opened:
            closing[opened.pop()] = match.start()
    return closing


def _decoded_to_latex(source: str) -> str:
    """An accent or symbol command, re-encoded from what it stands for so only stock LaTeX is used."""
    decoded = from_latex(source)
    return to_latex(decoded) if decoded != source else _ESCAPES["\\"] + to_latex(source[1:])


@functools.cache
def _symbol_text(name: str) -> str | None:
    """What an argument-less command known to pylatexenc stands for (`ldots` -> '…'), else None."""
    decoder, parse_context = _decoder()
    spec = parse_context.get_macro_spec(name)
    if spec is not None and getattr(spec.args_parser, "argspec", ""):
        return None
    if decoder.latex_context.get_macro_spec(name) is decoder.latex_context.unknown_macro_spec:
        return None
    return decoder.latex_to_text("\\" + name, latex_context=parse_context)


@functools.cache
def _non_ascii_to_latex(char: str) -> str:
    if char == "\xa0":
        return "~"
    category = unicodedata.category(char)
    if category in _INVISIBLE_CATEGORIES:
        return ""  # soft hyphens, zero-width spaces, byte-order marks, controls
    if category[0] == "Z":
        return " "
    # Biber reads `\`\i` as a dotless i plus a combining accent, which LaTeX cannot print.
    latex = _DOTLESS_I_UNDER_ACCENT.sub(r"\1i", _encoder().unicode_to_latex(char))
    if latex.isascii() and _is_stock_latex(latex):
        if not _ACCENT_COMMAND.search(latex):
            return latex
        # Biber writes accented letters to the .bbl as Unicode, and LaTeX's UTF-8 support for the
        # default fonts stops at Latin Extended-A (`Ȩ` is beyond it). pylatexenc approximates some
        # letters with an accent (`Ħ` as `\={H}`): those do not read back, and fall back too.
        if char <= "\u017f" and from_latex(latex) == char:
            return latex
    decomposed = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if decomposed and decomposed != char:
        return to_latex(decomposed)
    return rf"{{\ensuremath{{\langle}}\texttt{{U+{ord(char):04X}}}\ensuremath{{\rangle}}}}"


def _is_stock_latex(latex: str) -> bool:
    """Whether every command in pylatexenc's `latex` exists in a bare article preamble."""
    names = re.findall(r"\\([A-Za-z]+)", latex)
    if "ensuremath" in names:
        return all(name == "ensuremath" or name in STOCK_MATH_COMMANDS for name in names)
    return all(name in STOCK_TEXT_COMMANDS for name in names)


@functools.cache
def _encoder() -> UnicodeToLatexEncoder:
    return UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


def _href_text(node, l2tobj) -> str:
    arguments = [argument for argument in (node.nodeargd.argnlist if node.nodeargd else []) if argument is not None]
    return l2tobj.nodelist_to_text([arguments[-1]]) if arguments else ""


def _as_written(node, l2tobj) -> str:
    return node.latex_verbatim()


def _url_text(node, l2tobj) -> str:
    """`\\url{x}` reads as `x`; a `\\url` with nothing after it stays as written."""
    arguments = [argument for argument in (node.nodeargd.argnlist if node.nodeargd else []) if argument is not None]
    return l2tobj.nodelist_to_text(arguments) if arguments else "\\url"


@functools.cache
def _decoder() -> tuple[LatexNodes2Text, latexwalker.LatexContextDb]:
    """pylatexenc, set up to read back what `to_latex` writes and to keep what it cannot know."""
    parse_context = latexwalker.get_default_latex_context_db()
    parse_context.add_context_category(
        "vlmreader",
        prepend=True,
        macros=[
            MacroSpec("href", "{{"),
            MacroSpec("textsuperscript", "{"),
            MacroSpec("textsubscript", "{"),
            *(MacroSpec(name, "{") for name in BIBLATEX_WRAPPERS),
            *(MacroSpec(name, "{") for name in SORTING_TRICKS),
        ],
    )
    text_context = get_default_latex_context_db()
    text_context.add_context_category(
        "vlmreader",
        prepend=True,
        macros=[
            MacroTextSpec("href", simplify_repl=_href_text),
            MacroTextSpec("url", simplify_repl=_url_text),
            MacroTextSpec("textsuperscript", "^%s"),
            MacroTextSpec("textsubscript", "_%s"),
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textless", "<"),
            MacroTextSpec("textgreater", ">"),
            MacroTextSpec("textbar", "|"),
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textunderscore", "_"),
            MacroTextSpec("S", "§"),
            MacroTextSpec("P", "¶"),
            MacroTextSpec("sim", "~"),
            *(MacroTextSpec(name, shown) for name, shown in LOGOS.items()),
            *(MacroTextSpec(name, "") for name in FONT_DECLARATIONS),
            *(MacroTextSpec(name, shown) for name, shown in BIBLATEX_WRAPPERS.items()),
            *(MacroTextSpec(name, simplify_repl=_as_written) for name in CITE_COMMANDS),
            *(MacroTextSpec(name, "") for name in SORTING_TRICKS),
        ],
        # Kept as typed: `1--10` is a page range, and `&` is text here, not a table column.
        specials=[SpecialsTextSpec("&", "&"), SpecialsTextSpec("--", "--"), SpecialsTextSpec("---", "---")],
    )

    def unknown_command(node, l2tobj) -> str:
        if parse_context.get_macro_spec(node.macroname) is None:
            return "\\" + node.macroname + node.macro_post_space  # `\ours`: shown as written
        arguments = node.nodeargd.argnlist if node.nodeargd else []
        return "".join(l2tobj.nodelist_to_text([argument]) for argument in arguments if argument is not None)

    text_context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=unknown_command))
    return LatexNodes2Text(latex_context=text_context, math_mode="text"), parse_context


def _top_level_words(latex: str) -> list[tuple[int, int]]:
    """(start, end) of each whitespace-separated word of `latex`, never splitting a `{...}` group."""
    if "{" not in latex:
        return [match.span() for match in _NON_SPACE_RUN.finditer(latex)]
    words = []
    depth = 0
    start = None
    for index, char in enumerate(latex):
        if char.isspace() and depth == 0:
            if start is not None:
                words.append((start, index))
                start = None
            continue
        if start is None:
            start = index
        depth += 1 if char == "{" else -1 if char == "}" else 0
    if start is not None:
        words.append((start, len(latex)))
    return words


@functools.lru_cache(maxsize=65536)
def _visible_text(latex: str) -> str:
    """Roughly the letters a LaTeX word shows, enough to judge its case."""
    return re.sub(r"\\[A-Za-z]+|\\.|[{}$]", "", latex)


@functools.lru_cache(maxsize=65536)  # titles share most of their words
def _is_name_like(word: str) -> bool:
    """Whether a title word is an acronym or a mixed-case or numbered name that must keep its case."""
    parts = [_NOT_WORD_CHARACTER.sub("", part) for part in _NAME_PART_SEPARATOR.split(word)]
    for part in parts:
        if any(char.isupper() for char in part[1:]):
            return True
        if part[:1].isupper() and any(char.isdigit() for char in part):
            return True
        if len(part) == 1 and part.isupper() and len(parts) > 1:
            return True  # X-Decoder, T-Rex
    return False
