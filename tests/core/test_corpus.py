"""The listing-page parser and the bundled corpus."""

from pathlib import Path

from vlmreader.core.importing import bundled_pages, corpus_fingerprint
from vlmreader.core.formats.listing import first_link, merge_entries, parse_listing_page, read_listing_pages
from vlmreader.core.text import normalize_title, paper_id_for
from vlmreader.resources import data_dir

PAGE_WITH_BLANK_LINES = """new

Get trending papers in your email inbox!

Subscribe

byAK and the research community

Mar 11

First Paper: A Title

The first abstract. Code: https://github.com/a/first.

Second Paper

The second abstract.
"""

PAGE_WITHOUT_BLANK_LINES = """Get trending papers in your email inbox once a day!
Get trending papers in your email inbox!
SubscribeFirst Paper: A Title
The first abstract.
Sept 3
Third Paper
The third abstract, see [the project](https://example.org/p).
"""


def test_boilerplate_and_dates_are_dropped_with_blank_lines():
    entries = parse_listing_page(PAGE_WITH_BLANK_LINES)
    assert [(e.title, e.abstract) for e in entries] == [
        ("First Paper: A Title", "The first abstract. Code: https://github.com/a/first."),
        ("Second Paper", "The second abstract."),
    ]
    assert entries[0].line == 11


def test_glued_subscribe_and_pages_without_blank_lines():
    entries = parse_listing_page(PAGE_WITHOUT_BLANK_LINES)
    assert [e.title for e in entries] == ["First Paper: A Title", "Third Paper"]
    assert entries[1].url == "https://example.org/p"


def test_a_title_without_abstract_is_kept_not_lost():
    entries = parse_listing_page("Only A Title\n")
    assert [(e.title, e.abstract) for e in entries] == [("Only A Title", "")]


def test_first_link_forms_and_trailing_punctuation():
    assert first_link("Code is at https://github.com/x/y.") == "https://github.com/x/y"
    assert first_link("community: https://nvlm-project.github.io/.") == "https://nvlm-project.github.io/"
    assert first_link("see [site](https://lacing-lvlm.github.io).") == "https://lacing-lvlm.github.io"
    assert first_link(r"at \url{https://github.com/D/multimodal_textbook}.") == "https://github.com/D/multimodal_textbook"
    assert first_link(r"the \href{https://genderbiasvl.github.io/{website}.}") == "https://genderbiasvl.github.io/"
    assert first_link("at ~https://huggingface.co/IDEA-CCNL/Ziya-BLIP2-14B-Visual-v1.") == (
        "https://huggingface.co/IDEA-CCNL/Ziya-BLIP2-14B-Visual-v1"
    )
    assert first_link("(https://crfm.stanford.edu/helm/vhelm/v2.0.1).") == "https://crfm.stanford.edu/helm/vhelm/v2.0.1"
    assert first_link("a wiki https://en.wikipedia.org/wiki/Foo_(bar) page") == "https://en.wikipedia.org/wiki/Foo_(bar)"
    assert first_link("code: github.com/a/b, and https://later.org") == "https://github.com/a/b"
    assert first_link("no link here") == ""


def test_the_bundled_corpus_has_571_entries_and_452_distinct_papers():
    pages = read_listing_pages(bundled_pages(data_dir()))
    assert set(pages) == {
        "vision-language-models",
        "high-resolution",
        "frozen-llms-and-alignment",
        "interleaved-generation",
        "multimodal-llms",
    }
    assert sum(len(entries) for entries in pages.values()) == 571
    papers = merge_entries(pages)
    assert len(papers) == 452
    by_title = {p.title: p for p in papers}
    encoder_free = by_title["Unveiling Encoder-Free Vision-Language Models"]
    assert len(encoder_free.collections) >= 3
    assert by_title["Dragonfly: Multi-Resolution Zoom Supercharges Large Visual-Language Model"].url == (
        "https://github.com/togethercomputer/Dragonfly"
    )
    # Every entry is a real title/abstract pair: titles are short, abstracts long.
    assert all(len(p.title) < 250 and len(p.abstract) > 200 for p in papers)


def test_paper_ids_are_stable_and_ignore_case_and_punctuation():
    assert paper_id_for("Dragonfly: Multi-Resolution Zoom Supercharges Large Visual-Language Model") == "1c377b5039ee"
    assert paper_id_for("dragonfly  multi resolution zoom supercharges large visual language model") == "1c377b5039ee"
    assert normalize_title(r"GenderBias-\emph{VL}: Benchmarking") == normalize_title("GenderBias-VL: Benchmarking")


def test_fingerprint_changes_with_the_corpus(tmp_path: Path):
    page = tmp_path / "page.txt"
    page.write_text("A\nB\n")
    before = corpus_fingerprint([page])
    page.write_text("A\nB changed\n")
    assert corpus_fingerprint([page]) != before
