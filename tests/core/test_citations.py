r"""The keys a document cites (.aux, LaTeX source, pandoc Markdown), and resolving them.

The .aux tests read files that pdflatex itself wrote, for natbib + BibTeX and for biblatex +
Biber, and check the verdicts against BibTeX's and Biber's own warnings; they skip when LaTeX is
missing, unless VLMREADER_REQUIRE_LATEX=1. The rest use small hand-written documents.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.latex_build import require_latex, run
from vlmreader.core.citations import (
    CitationsError,
    keys_cited_in,
    keys_in_aux,
    keys_in_markdown,
    keys_in_tex,
    resolve,
)
from vlmreader.core.models import UserError

LATEX = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bib_entries(*keys: str) -> str:
    return "".join(
        f"@article{{{key}, title={{Paper {n}}}, author={{Liu, Haotian}}, journal={{J}}, year={{2024}}}}\n"
        for n, key in enumerate(keys)
    )


# -- real .aux files -------------------------------------------------------------------------

NATBIB_PAPER = r"""\documentclass{article}
\usepackage{natbib}
\begin{document}
As \citet{llava} show, and others \citep[see][p.~3]{llava-uhd,  dragonfly} after
\citeauthor*{mm-vet}; \Citet{flamingo} and 50\% of \citealp*{blip-2}. % \cite{commented-out}
\citep{llava}
\include{chapters/intro}
\nocite{minigpt-4}
\bibliographystyle{plainnat}
\bibliography{refs}
\end{document}
"""

NATBIB_CHAPTER = r"""In the chapter: \citep{cogvlm,
  qwen-vl-typo}.
"""


def bibtex_missing(blg: str) -> list[str]:
    return re.findall(r"""I didn't find a database entry for "([^"]+)\"""", blg)


def test_a_bibtex_run_s_aux_gives_what_the_source_cites_and_bibtex_misses_what_resolve_misses(tmp_path: Path):
    require_latex(["pdflatex", "bibtex", "kpsewhich"], ["natbib.sty", "plainnat.bst"])
    known = ["llava", "llava-uhd", "Dragonfly", "mm-vet", "flamingo", "blip-2", "minigpt-4", "cogvlm", "qwen-vl"]
    write(tmp_path, "refs.bib", bib_entries(*known))
    write(tmp_path, "paper.tex", NATBIB_PAPER)
    write(tmp_path, "chapters/intro.tex", NATBIB_CHAPTER)
    run(tmp_path, *LATEX)
    blg = run(tmp_path, "bibtex", "paper")

    aux = (tmp_path / "paper.aux").read_text()
    assert r"\@input{chapters/intro.aux}" in aux and r"\citation{llava-uhd,dragonfly}" in aux
    cited = keys_in_aux(tmp_path / "paper.aux")
    expected = [
        "llava", "llava-uhd", "dragonfly", "mm-vet", "flamingo", "blip-2", "cogvlm", "qwen-vl-typo", "minigpt-4",
    ]
    assert cited.keys == expected
    assert (cited.everything, cited.problems) == (False, [])
    assert cited.files == [tmp_path / "paper.aux", tmp_path / "chapters/intro.aux"]
    assert keys_in_tex(tmp_path / "paper.tex").keys == expected  # the source says what the run did

    found, missing, respelled = resolve(cited.keys, known)
    assert [key for key, _ in missing] == bibtex_missing(blg) == ["qwen-vl-typo"]
    assert missing == [("qwen-vl-typo", ["qwen-vl"])]
    assert respelled == [("dragonfly", "Dragonfly")]  # BibTeX ignores case: it found it
    assert "Dragonfly" in found and "dragonfly" not in bibtex_missing(blg)


BIBLATEX_PAPER = r"""\documentclass{article}
\usepackage[backend=biber]{biblatex}
\addbibresource{refs.bib}
\begin{document}
\textcite{llava} and \parencite[see][3]{llava-uhd, dragonfly}; \autocite*{mm-vet}.
\Textcite{flamingo} with \cites[1]{blip-2}[see][2]{llava, cogvlm}.
\include{chapter}
\begin{refsection}
\footcite{minigpt-4} and \supercite{qwen-vl-typo}
\end{refsection}
%NOCITE
\printbibliography
\end{document}
"""


def compile_biblatex(folder: Path, known: list[str], nocite: str = "") -> str:
    """pdflatex then Biber on BIBLATEX_PAPER; Biber's log."""
    require_latex(["pdflatex", "biber", "kpsewhich"], ["biblatex.sty", "etoolbox.sty"])
    write(folder, "refs.bib", bib_entries(*known))
    write(folder, "paper.tex", BIBLATEX_PAPER.replace("%NOCITE", nocite))
    write(folder, "chapter.tex", r"A chapter \footcite[12]{cogvlm,unknown-paper}.")
    run(folder, *LATEX)
    run(folder, "biber", "paper")
    return (folder / "paper.blg").read_text()


def test_a_biber_run_s_aux_gives_what_the_source_cites_and_biber_misses_what_resolve_misses(tmp_path: Path):
    known = ["llava", "llava-uhd", "Dragonfly", "mm-vet", "flamingo", "blip-2", "cogvlm", "minigpt-4", "qwen-vl"]
    blg = compile_biblatex(tmp_path, known)

    aux = (tmp_path / "paper.aux").read_text()
    assert r"\abx@aux@cite{0}{llava}" in aux and r"\abx@aux@cite{1}{minigpt-4}" in aux  # biblatex 3.x's shape
    cited = keys_in_aux(tmp_path / "paper.aux")
    expected = [
        "llava", "llava-uhd", "dragonfly", "mm-vet", "flamingo", "blip-2", "cogvlm", "unknown-paper", "minigpt-4",
        "qwen-vl-typo",
    ]
    assert cited.keys == expected
    assert (cited.everything, cited.problems) == (False, [])
    assert keys_in_tex(tmp_path / "paper.tex").keys == expected

    found, missing, respelled = resolve(cited.keys, known)
    biber_missing = re.findall(r"I didn't find a database entry for '([^']+)'", blg)
    biber_case = re.findall(r"case mismatch\) between citation and datasource keys: '([^']+)' and '([^']+)'", blg)
    # Biber matches case exactly: a respelled key is one it misses, with a "case mismatch" warning.
    assert biber_case == respelled == [("dragonfly", "Dragonfly")]
    assert sorted(biber_missing) == sorted([key for key, _ in missing] + ["dragonfly"])
    assert missing == [("unknown-paper", []), ("qwen-vl-typo", ["qwen-vl"])]
    assert found == ["llava", "llava-uhd", "Dragonfly", "mm-vet", "flamingo", "blip-2", "cogvlm", "minigpt-4"]


def test_nocite_everything_in_a_biber_run_says_everything(tmp_path: Path):
    compile_biblatex(tmp_path, ["llava"], nocite=r"\nocite{*}")
    assert r"\abx@aux@nociteall" in (tmp_path / "paper.aux").read_text()
    cited = keys_in_aux(tmp_path / "paper.aux")
    assert cited.everything and "*" not in cited.keys and cited.keys[0] == "llava"
    assert keys_in_tex(tmp_path / "paper.tex").everything


# -- .aux shapes, by hand --------------------------------------------------------------------


def test_bibtex_nocite_everything_and_biblatex_s_own_entry(tmp_path: Path):
    aux = write(
        tmp_path,
        "paper.aux",
        "\\relax \n\\bibstyle{biblatex}\n\\bibdata{paper-blx,refs}\n\\citation{biblatex-control}\n"
        "\\citation{llava}\n\\abx@aux@cite{0}{llava}\n\\abx@aux@segm{0}{0}{llava}\n\\citation{*}\n",
    )
    cited = keys_in_aux(aux)
    assert cited.keys == ["llava"] and cited.everything  # biblatex-control (backend=bibtex) is no paper


def test_the_biblatex_aux_of_before_3_8_has_the_key_alone(tmp_path: Path):
    aux = write(
        tmp_path,
        "paper.aux",
        "\\relax \n\\abx@aux@sortscheme{nty}\n\\abx@aux@cite{Guth:1980zm}\n\\abx@aux@segm{0}{0}{Guth:1980zm}\n"
        "\\abx@aux@cite{1982PhRvL..48.1220A}\n",
    )
    assert keys_in_aux(aux).keys == ["Guth:1980zm", "1982PhRvL..48.1220A"]


def test_a_chapter_never_compiled_is_a_problem_not_an_error(tmp_path: Path):
    aux = write(tmp_path, "paper.aux", "\\relax \n\\citation{llava}\n\\@input{intro.aux}\n\\citation{mm-vet}\n")
    cited = keys_in_aux(aux)
    assert cited.keys == ["llava", "mm-vet"]
    assert cited.problems == [f"{aux} line 3: \\@input{{intro.aux}}: no file {tmp_path / 'intro.aux'}"]


# -- LaTeX source ----------------------------------------------------------------------------


def tex_keys(tmp_path: Path, body: str) -> list[str]:
    return keys_in_tex(write(tmp_path, "paper.tex", body)).keys


def test_several_keys_per_command_with_spaces_and_line_breaks(tmp_path: Path):
    assert tex_keys(tmp_path, "\\citep{ llava ,\n   llava-uhd,dragonfly,\n}\\cite{mm-vet , llava}") == [
        "llava", "llava-uhd", "dragonfly", "mm-vet",
    ]


def test_optional_arguments_starred_and_capitalised_commands(tmp_path: Path):
    body = r"""
    \citep[see][p.~3]{a} \citet*[chap.~2]{b} \Citep{c} \Citet [e.g.] [] {d}
    \citealp*{e} \citealt{f} \citeauthor*{g} \Citeauthor{h} \citeyear{i} \citeyearpar{j}
    \autocite[{see [x]}][12]{k} \Autocite*{l} \textcite{m} \Textcite{n} \parencite*[3]{o} \Parencite{p}
    \footcite{q} \smartcite{r} \fullcite{s} \supercite{t} \nocite{u} \citetitle*{v}
    """
    assert tex_keys(tmp_path, body) == list("abcdefghijklmnopqrstuv")


def test_multicite_commands_take_every_group_with_their_optional_arguments(tmp_path: Path):
    body = r"""\textcites(See)(and more)[e.g.][12]{a}[34]{b, c}{d} and then {not a key}
    \cites{e}{f}. \Parencites[see]{g} \footcites{h}
    {i}
    \volcite[see]{2}[45]{j} \pvolcites(x)(y){3}{k}[9]{4}{l}"""
    assert tex_keys(tmp_path, body) == list("abcdefghijkl")


def test_comments_are_skipped_but_an_escaped_percent_is_no_comment(tmp_path: Path):
    body = (
        "50\\% of them \\cite{kept} % \\cite{commented}\n"
        "% \\citep{whole-line}\n"
        "\\citep{a,% first\n b}\n"
        "line break\\\\% \\cite{after-a-line-break}\n"
        "\\verb|\\cite{in-verb}| and \\verb+%+ \\cite{after-verb}\n"
    )
    assert tex_keys(tmp_path, body) == ["kept", "a", "b", "after-verb"]


def test_verbatim_comment_environments_and_iffalse_blocks_are_skipped(tmp_path: Path):
    body = r"""\begin{verbatim}
\cite{in-verbatim}
\end{verbatim}
\begin{lstlisting}[language=TeX] \cite{in-listing} \end{lstlisting}
\begin{comment}
\cite{in-comment}
\end{comment}
\iffalse \cite{draft} \ifx\a\b \cite{nested} \fi \cite{still-draft} \fi
\iffalse \cite{false-branch} \else \cite{true-branch} \fi
\ifthenelse{\boolean{x}}{\cite{in-ifthenelse}}{}
\iffalse \ifstrequal{a}{b}{\cite{x}}{} \cite{y} \fi
\cite{after}
"""
    assert tex_keys(tmp_path, body) == ["true-branch", "in-ifthenelse", "after"]


def test_macro_definitions_cite_nothing_and_keys_keep_first_appearance_order(tmp_path: Path):
    body = "\\newcommand{\\mycite}[1]{\\citep{#1}}\n\\renewcommand\\cite{x}\n\\cite{b,a}\\citet{a}\\nocite{c,b}"
    assert tex_keys(tmp_path, body) == ["b", "a", "c"]


def test_nocite_everything(tmp_path: Path):
    cited = keys_in_tex(write(tmp_path, "paper.tex", "\\nocite{*}\\cite{a}"))
    assert cited.everything and cited.keys == ["a"]


def test_included_files_are_followed_in_place_from_the_main_folder(tmp_path: Path):
    main = write(
        tmp_path,
        "paper.tex",
        "\\cite{first}\n\\input{sections/intro}\n\\include{sections/method.tex}\n\\input tables/results\n"
        "\\subfile{appendix}\n\\cite{last}\n\\includegraphics{figure}\n",
    )
    # Relative to the main folder, as LaTeX runs there: not to sections/.
    write(tmp_path, "sections/intro.tex", "\\citep{intro}\\input{sections/nested}")
    write(tmp_path, "sections/nested.tex", "\\citep{nested}")
    write(tmp_path, "sections/method.tex", "\\citep{method}")
    write(tmp_path, "tables/results.tex", "\\citep{results}")
    write(tmp_path, "appendix.tex", "\\documentclass[paper]{subfiles}\\begin{document}\\citep{appendix}\\end{document}")
    cited = keys_in_tex(main)
    assert cited.keys == ["first", "intro", "nested", "method", "results", "appendix", "last"]
    assert cited.problems == []
    assert cited.files == [main, *(tmp_path / name for name in (
        "sections/intro.tex", "sections/nested.tex", "sections/method.tex", "tables/results.tex", "appendix.tex",
    ))]


def test_a_file_beside_the_including_one_and_subimport_are_found_too(tmp_path: Path):
    main = write(tmp_path, "paper.tex", "\\input{parts/part}\\import{parts/}{other}")
    write(tmp_path, "parts/part.tex", "\\input{beside}\\subimport{deeper/}{leaf}")
    write(tmp_path, "parts/beside.tex", "\\cite{beside}")
    write(tmp_path, "parts/deeper/leaf.tex", "\\cite{leaf}")
    write(tmp_path, "parts/other.tex", "\\cite{other}")
    assert keys_in_tex(main).keys == ["beside", "leaf", "other"]


def test_an_include_cycle_is_read_once_and_reported(tmp_path: Path):
    main = write(tmp_path, "paper.tex", "\\cite{main}\\input{a}")
    write(tmp_path, "a.tex", "\\cite{a}\n\\input{b}")
    b = write(tmp_path, "b.tex", "\\cite{b}\n\n\\input{a}\\input{paper}")
    cited = keys_in_tex(main)
    assert cited.keys == ["main", "a", "b"]
    assert cited.problems == [
        f"{b} line 3: \\input{{a}} includes {tmp_path / 'a.tex'}, which is already being read (a cycle); skipped",
        f"{b} line 3: \\input{{paper}} includes {main}, which is already being read (a cycle); skipped",
    ]


def test_a_missing_input_is_reported_with_where_it_was_included_and_the_rest_is_read(tmp_path: Path):
    main = write(tmp_path, "paper.tex", "\\cite{before}\n% a comment\n\\input{sections/missing}\n\\cite{after}")
    cited = keys_in_tex(main)
    assert cited.keys == ["before", "after"]
    assert cited.problems == [
        f"{main} line 3: \\input{{sections/missing}}: no file {tmp_path / 'sections/missing.tex'}"
    ]


def test_an_included_file_that_is_not_utf8_is_a_problem(tmp_path: Path):
    main = write(tmp_path, "paper.tex", "\\input{latin}\\cite{after}")
    (tmp_path / "latin.tex").write_bytes("\\cite{m\u00fcller}".encode("latin-1"))
    cited = keys_in_tex(main)
    assert cited.keys == ["after"]
    assert len(cited.problems) == 1 and "latin.tex is not UTF-8 text" in cited.problems[0]


# -- Markdown --------------------------------------------------------------------------------


def markdown_keys(tmp_path: Path, text: str, name: str = "paper.md") -> list[str]:
    return keys_in_markdown(write(tmp_path, name, text)).keys


def test_pandoc_citations_in_brackets_and_in_the_text(tmp_path: Path):
    text = (
        "Blah blah [@doe99; @smith2000; @smith2004].\n"
        "Blah [see @doe99, pp. 33-35 and *passim*; @smith04, chap. 1].\n"
        "@liu2023 says blah, and Smith says blah [-@smith04].\n"
        "@kim2024 [p. 33] says blah.\n"
    )
    assert markdown_keys(tmp_path, text) == ["doe99", "smith2000", "smith2004", "smith04", "liu2023", "kim2024"]


def test_pandoc_keys_take_internal_punctuation_only_and_braces_take_anything(tmp_path: Path):
    text = (
        "In @Foo_bar.baz. the period ends it; in @{Foo_bar.baz.} it is kept; @Foo_bar--baz stops.\n"
        "[@{https://example.com/bib?name=foobar&date=2000}, p. 33] and @1657:huygens and @_under\n"
        "[@guo2024llava-uhd; @a:b#c$d%e&f+g?h<i>j~k/l] and @müller2020.\n"
    )
    assert markdown_keys(tmp_path, text) == [
        "Foo_bar.baz", "Foo_bar.baz.", "Foo_bar", "https://example.com/bib?name=foobar&date=2000", "1657:huygens",
        "_under", "guo2024llava-uhd", "a:b#c$d%e&f+g?h<i>j~k/l", "müller2020",
    ]


def test_email_addresses_code_comments_and_urls_are_no_citations(tmp_path: Path):
    text = """---
title: On frozen encoders
author: Jane Doe (jane.doe@example.org)
nocite: |
  @llava, @mm-vet
---

Write to user@example.com or <first_last@example.com>, see https://medium.com/@someone/post
and [the post](https://x.org/@handle), and \\@notakey; this `@inline` and ``a ` @double``.

```python
decorated = @property  # @in-fence
```

~~~~
@in-tilde-fence
~~~
@still-fenced
~~~~

<!-- [@commented-out] -->
Finally [@dragonfly].
"""
    assert markdown_keys(tmp_path, text) == ["llava", "mm-vet", "dragonfly"]


def test_cross_references_are_no_citations(tmp_path: Path):
    text = "See @fig-plot, @Tbl-results and @sec-intro (Quarto), [@fig:one; @eq:two] (pandoc-crossref), @figgy2020."
    assert markdown_keys(tmp_path, text, "paper.qmd") == ["figgy2020"]


def test_nocite_everything_in_markdown(tmp_path: Path):
    cited = keys_in_markdown(write(tmp_path, "paper.md", "---\nnocite: '@*'\n---\nText [@a].\n"))
    assert cited.everything and cited.keys == ["a"]


def test_keys_cited_in_reads_by_suffix(tmp_path: Path):
    assert keys_cited_in(write(tmp_path, "notes.qmd", "[@a]")).keys == ["a"]
    assert keys_cited_in(write(tmp_path, "paper.tex", "\\cite{b}")).keys == ["b"]
    assert keys_cited_in(write(tmp_path, "paper.aux", "\\citation{c}")).keys == ["c"]
    with pytest.raises(CitationsError, match=r"cannot tell how to read .*paper\.docx from its suffix"):
        keys_cited_in(write(tmp_path, "paper.docx", ""))


# -- errors a user can cause -----------------------------------------------------------------


@pytest.mark.parametrize("scan", [keys_in_aux, keys_in_tex, keys_in_markdown])
def test_a_missing_folder_or_non_utf8_file_is_one_clear_error(tmp_path: Path, scan):
    with pytest.raises(CitationsError, match=r"^no file .*nothing\.txt$"):
        scan(tmp_path / "nothing.txt")
    with pytest.raises(CitationsError, match=r"is a folder, not a file$"):
        scan(tmp_path)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("\\cite{m\u00fcller} [@m\u00fcller]".encode("latin-1"))
    with pytest.raises(CitationsError, match=r"latin\.txt is not UTF-8 text \(byte \d+ is 0xfc\); save it as UTF-8"):
        scan(latin)
    assert issubclass(CitationsError, UserError)  # the CLI prints it as one line


# -- resolve ---------------------------------------------------------------------------------


def test_resolve_finds_exact_keys_and_suggests_the_closest_for_the_rest():
    known = ["llava", "llava-uhd", "beyond-llava-hd", "llava-mini", "dragonfly", "mm-vet", "flamingo"]
    found, missing, respelled = resolve(["llava", "llava-hd", "dragonfy", "totally-unrelated", "mm-vet"], known)
    assert found == ["llava", "mm-vet"]
    assert missing == [
        ("llava-hd", ["llava-uhd", "llava"]),  # beyond-llava-hd scores 69.6: too far
        ("dragonfy", ["dragonfly"]),
        ("totally-unrelated", []),
    ]
    assert respelled == []


def test_resolve_on_the_bundled_library_s_keys_and_aliases(shared_library):
    keys = [paper.key for paper in shared_library] + ["old-merged-key"]
    resolution = resolve(["LLaVA-UHD", "dragonfly", "minigpt4", "old-merged-key", "*", "dragonfly"], keys)
    assert resolution.found == ["llava-uhd", "dragonfly", "old-merged-key"]
    assert resolution.respelled == [("LLaVA-UHD", "llava-uhd")]
    assert resolution.missing == [("minigpt4", ["minigpt-4"])]
    assert all(shared_library.find_key(key) for key in resolution.found[:2])


def test_resolve_leaves_a_key_missing_when_two_known_keys_differ_from_it_only_in_case():
    assert resolve(["Llava"], ["LLaVA", "llava", "llava-uhd"]).missing == [("Llava", ["LLaVA", "llava"])]
    assert resolve(["LLaVA"], ["LLaVA", "llava"]).found == ["LLaVA"]  # exact first


def test_resolve_gives_at_most_three_suggestions():
    known = [f"llava-{n}" for n in range(10)]
    (_, suggestions), = resolve(["llava-"], known).missing
    assert len(suggestions) == 3 and all(suggestion.startswith("llava-") for suggestion in suggestions)
