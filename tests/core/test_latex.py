r"""Text <-> LaTeX for BibTeX values: corpus strings with leaked LaTeX, user text, and back.

The compile tests in test_bibtex.py prove the output compiles; these pin down what each rule
writes, on strings taken from the bundled corpus.
"""

from __future__ import annotations

import pytest

from vlmreader.core.formats.latex import from_latex, names_from_latex, protect_title, to_latex
from vlmreader.core.library import Library
from vlmreader.core.text import normalize_title


def bibtex_braces_balance(value: str) -> bool:
    """Whether BibTeX, which counts every brace whether escaped or not, sees `value` balanced."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("under 15% of it", r"under 15\% of it"),
        (r"by 17.76\% on", r"by 17.76\% on"),
        ("Teaching Vision&Language Concepts", r"Teaching Vision\&Language Concepts"),
        (r"visual \& audio encoder", r"visual \& audio encoder"),
        ("Contrastive_Search_Is_What_You_Need #1", r"Contrastive\_Search\_Is\_What\_You\_Need \#1"),
        ("under $1,000 USD", r"under \$1,000 USD"),
    ],
)
def test_special_characters_are_escaped_once(text: str, latex: str):
    assert to_latex(text) == latex


def test_text_commands_are_kept_with_their_argument_converted():
    assert to_latex(r"dubbed as \textbf{UniHOI}.") == r"dubbed as \textbf{UniHOI}."
    assert to_latex(r"GenderBias-\emph{VL}") == r"GenderBias-\emph{VL}"
    assert to_latex(r"\emph{50% of \mu}") == r"\emph{50\% of {\ensuremath{\mu}}}"


def test_links_show_their_text_or_their_address():
    assert to_latex(r"see \href{https://example.org/x_y}{our site}.") == "see our site."
    assert to_latex(r"at \url{https://github.com/DAMO-NLP-SG/multimodal_textbook}.") == (
        r"at https://github.com/DAMO-NLP-SG/multimodal\_textbook."
    )
    # The corpus's malformed one: a single argument, with a group inside the address.
    latex = to_latex(r"available at the \href{https://genderbiasvl.github.io/{website}.}")
    assert "href" not in latex and from_latex(latex) == "available at the https://genderbiasvl.github.io/website."


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("language models~(VLMs) learning", "language models~(VLMs) learning"),
        ("available at ~https://huggingface.co/IDEA-CCNL", "available at ~https://huggingface.co/IDEA-CCNL"),
        ("(e.g., ~20% in HICO-DET mAP", r"(e.g., {$\sim$}20\% in HICO-DET mAP"),
        ("by 75%~89%, while", r"by 75\%{$\sim$}89\%, while"),
        ("with only ~ 35B tokens", r"with only {$\sim$} 35B tokens"),
        (r"approximately \textasciitilde42\% time", r"approximately {$\sim$}42\% time"),
        ("~/papers", r"{\textasciitilde}/papers"),
    ],
)
def test_a_tilde_is_a_tie_before_words_and_approximately_before_numbers(text: str, latex: str):
    assert to_latex(text) == latex


def test_greek_and_math_macros_become_math_that_works_in_text():
    assert to_latex(r"we introduce {\mu}-Bench, an") == r"we introduce {{\ensuremath{\mu}}}-Bench, an"
    assert to_latex(r"\alpha \times \sim") == r"{\ensuremath{\alpha}} {\texttimes} {$\sim$}"
    assert from_latex(to_latex(r"{\mu}-Bench")) == "μ-Bench"


def test_carets_become_superscripts():
    assert to_latex("VILA^2 and S^2 on V^* Bench") == (
        r"VILA\textsuperscript{2} and S\textsuperscript{2} on V\textsuperscript{*} Bench"
    )
    assert to_latex("a ^ b^") == r"a {\textasciicircum} b{\textasciicircum}"


def test_paper_shorthands_expand_and_unknown_macros_show_literally():
    assert to_latex(r"open-source LVLMs (\eg, LLaVA) and") == "open-source LVLMs (e.g., LLaVA) and"
    assert to_latex(r"Counting and \etc. To") == "Counting and etc. To"
    assert to_latex(r"we present \ours, a framework; \OurMethod and \methodname{} too") == (
        r"we present {\textbackslash}ours, a framework; {\textbackslash}OurMethod and {\textbackslash}methodname too"
    )
    assert from_latex(to_latex(r"we present \ours, a framework")) == r"we present \ours, a framework"


def test_markup_like_and_comparison_characters_are_literal():
    assert to_latex("[CLS] Attention [bold]x[/]") == "[CLS] Attention [bold]x[/]"
    assert to_latex("a special <obj> token, r > 0.9, |x|") == (
        "a special {$<$}obj{$>$} token, r {$>$} 0.9, {$|$}x{$|$}"
    )


def test_braces_balanced_groups_are_kept_and_strays_escaped():
    assert to_latex("from {perception to reasoning}.") == "from {perception to reasoning}."
    assert to_latex("(iii) Multimodal reasoning} resumes") == r"(iii) Multimodal reasoning{\textbraceright} resumes"
    assert to_latex("a { b") == r"a {\textbraceleft} b"
    assert to_latex(r"a \{x\} b") == r"a {\textbraceleft}x{\textbraceright} b"


def test_backslashes_before_non_letters():
    assert to_latex(r"achieves 76\(\%\) accuracy") == r"achieves 76\% accuracy"
    assert to_latex("C:\\dir\\") == r"C:{\textbackslash}dir{\textbackslash}"
    assert to_latex(r"a\\b") == r"a{\textbackslash}{\textbackslash}b"
    assert to_latex(r"Schr\"odinger and \'{e}t\'e, \c{c}a") == r"Schr{\"o}dinger and {\'e}t{\'e}, {\c{c}}a"


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("μ-Bench", r"{\ensuremath{\mu}}-Bench"),
        ("a\xa0b", "a~b"),
        ("Jörg Müller", r'J{\"o}rg M{\"u}ller'),
        ("Gaëtan’s “quotes” — dash", r"Ga{\"e}tan{\textquoteright}s {\textquotedblleft}quotes{\textquotedblright} {\textemdash} dash"),
        ("Ȩ ą ℝ", "E a R"),  # letters a bare preamble cannot print lose their accent
        ("✓ 中", r"{\ensuremath{\langle}\texttt{U+2713}\ensuremath{\rangle}} {\ensuremath{\langle}\texttt{U+4E2D}\ensuremath{\rangle}}"),
    ],
)
def test_non_ascii_text(text: str, latex: str):
    assert to_latex(text) == latex


def test_characters_without_latex_read_back_from_their_code_point():
    assert from_latex(to_latex("done ✓, ð, 中文")) == "done ✓, ð, 中文"


def test_whitespace_and_lines_are_kept():
    assert to_latex("line one\n\nline two\r\n  three") == "line one\n\nline two\n  three"


def test_every_corpus_title_and_abstract_is_ascii_and_brace_balanced(shared_library: Library):
    for paper in shared_library:
        for latex in (protect_title(paper.title), to_latex(paper.abstract)):
            assert latex.isascii(), paper.key
            assert bibtex_braces_balance(latex), paper.key
            assert r"\{" not in latex and r"\}" not in latex, paper.key


@pytest.mark.parametrize(
    ("title", "protected"),
    [
        ("LLaVA-UHD: an LMM Perceiving Any Aspect Ratio", "{LLaVA-UHD}: an {LMM} Perceiving Any Aspect Ratio"),
        ("MM-Vet: Evaluating Large Multimodal Models", "{MM-Vet}: Evaluating Large Multimodal Models"),
        ("Learning with CLIP and GPT-4o", "Learning with {CLIP} and {GPT-4o}"),
        ("Dragonfly: Multi-Resolution Zoom", "{Dragonfly}: Multi-Resolution Zoom"),
        ("Qwen2-VL, X-Decoder and Qwen2.", "{Qwen2-VL}, {X-Decoder} and {Qwen2}."),
        ("Going Beyond Nouns With Vision & Language Models", r"Going Beyond Nouns With Vision \& Language Models"),
        ("VILA^2: VILA Augmented VILA", r"{VILA\textsuperscript{2}}: {VILA} Augmented {VILA}"),
        ("[CLS] Attention is All You Need", "{[CLS]} Attention is All You Need"),
        ("μ-Bench: A Vision-Language Benchmark", r"{{\ensuremath{\mu}}-Bench}: A Vision-Language Benchmark"),
    ],
)
def test_protect_title_braces_names_and_leaves_title_case(title: str, protected: str):
    assert protect_title(title) == protected


def test_protect_title_wraps_whole_words_and_doubles_braces_before_a_command():
    assert protect_title(r"GenderBias-\emph{VL}: Benchmarking") == r"{GenderBias-\emph{VL}}: Benchmarking"
    assert protect_title(r"The \emph{Two Words} Trick") == r"The \emph{Two Words} Trick"
    # `{\emph{VL}}` would be a BibTeX special character, whose letters are still lower-cased.
    assert protect_title(r"\emph{VL} and \OurMethod") == r"{{\emph{VL}}} and {{\textbackslash}OurMethod}"


def test_every_corpus_title_reads_back(shared_library: Library):
    for paper in shared_library:
        back = from_latex(protect_title(paper.title))
        assert normalize_title(back) == normalize_title(paper.title), paper.title
        if "\\" not in paper.title:
            assert back == paper.title


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("{LLaVA}: Large {Language} and {Vision} Assistant", "LLaVA: Large Language and Vision Assistant"),
        (r"17.76\% and 15% and \& and \_", "17.76% and 15% and & and _"),
        (r"Schr{\"o}dinger's {\'E}cole", "Schrödinger's École"),
        (r"$\alpha$-CLIP and $\mu$-Bench", "α-CLIP and μ-Bench"),
        ("pages 1--10", "pages 1--10"),
        (r"\emph{emphasis} and \textbf{bold}", "emphasis and bold"),
        (r"see \href{https://x.org}{the site} or \url{https://y.org}", "see the site or https://y.org"),
        (r"\ours is a \methodname", r"\ours is a \methodname"),
        ("J.~Doe", "J.\xa0Doe"),
    ],
)
def test_from_latex_reads_imported_values_as_text(value: str, text: str):
    assert from_latex(value) == text


@pytest.mark.parametrize(
    "note",
    [
        "Read **section 3** first.\n\n- 15% gain on MM-Vet & SEED_bench\n- compare with #42",
        "Costs ~$5 per run; ~20% faster (vs. 75%~89%).",
        "Markup-like: [bold]x[/] and [CLS] <obj> |x| and stray } {",
        "Math-ish: x^2, V^*, a_b, 3 < 4 > 2, back\\slash, C:\\dir\\",
        "Unicode: Jörg, μ, “quotes” — dash, ✓ done",
        "@alice said so",
    ],
)
def test_user_notes_round_trip_exactly(note: str):
    assert from_latex(to_latex(note)) == note


def test_names_keep_the_braces_of_corporate_authors():
    assert names_from_latex(r"{Gemini Team} and M{\"u}ller, J{\"o}rg and {OpenAI}") == (
        "{Gemini Team} and Müller, Jörg and OpenAI"
    )
    assert to_latex("{Gemini Team} and Müller, Jörg") == r'{Gemini Team} and M{\"u}ller, J{\"o}rg'
