"""The exports as pandoc and Quarto users use them: a document citing bundled papers with metadata,
rendered by `pandoc --citeproc` once with the CSL-JSON export and once with the BibTeX export as
its bibliography, prints the same citations and references; pandoc reads the whole enriched
corpus's CSL-JSON without a word of complaint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.core.test_bibtex_metadata import enriched_corpus  # noqa: F401 - a fixture
from tests.pandoc_render import render_citations
from vlmreader.core.formats.bibtex import export_bibtex
from vlmreader.core.formats.citation import citation_of
from vlmreader.core.formats.csl_json import export_csl_json
from vlmreader.core.models import Paper

CITED = {"agla": "a journal article", "blip-2": "a conference paper", "cheap-and-quick": "an arXiv preprint"}
"""Three bundled papers, as `realistic_metadata` fills them: with particles (`von Neumann`, `de la
Cruz`), a suffix (`Smith, Jr.`) and non-ASCII names."""
DOCUMENT = """---
title: Notes
---

High-resolution models [@blip-2; @cheap-and-quick] hallucinate less, as @agla shows.

# References
"""


@pytest.fixture(scope="module")
def cited(enriched_corpus: list[Paper]) -> list[Paper]:  # noqa: F811
    papers = [paper for paper in enriched_corpus if paper.key in CITED]
    assert {citation_of(paper).kind for paper in papers} == {"journal", "conference", "preprint"}
    return papers


def test_the_csl_json_and_the_bibtex_export_render_the_same_references(cited: list[Paper], tmp_path: Path):
    from_csl = render_citations(export_csl_json(cited), "refs.json", DOCUMENT, tmp_path / "csl")
    from_bibtex = render_citations(export_bibtex(cited), "refs.bib", DOCUMENT, tmp_path / "bibtex")
    for rendering in (from_csl, from_bibtex):
        text, references = rendering.split("References", 1)
        for paper in cited:
            citation = citation_of(paper)
            # The style sets titles in title case (`Pre-training` -> `Pre-Training`).
            (entry,) = [entry for entry in references.split("\n\n") if f"“{citation.title}.”".casefold() in entry.casefold()]
            assert f" {citation.year}. “" in entry, entry
            for name in citation.authors:
                assert name.family in entry and name.given in entry, (name, entry)
            assert (f"https://doi.org/{citation.doi}" if citation.doi else citation.url) in entry  # the style prefers the DOI
            assert re.search(rf"\b{re.escape(citation.authors[0].family)}\b[^;()]*\(?{citation.year}[;)]", text), text
    # The one difference: BibTeX's @misc names the repository `arXiv preprint arXiv:ID` (its
    # howpublished, for plain.bst), CSL-JSON `arXiv` (the publisher of Zotero's preprints);
    # the url that follows gives the id in both.
    preprint = next(citation_of(paper) for paper in cited if citation_of(paper).kind == "preprint")
    assert f"arXiv preprint arXiv:{preprint.arxiv_id}. https://" in from_bibtex
    assert from_csl == from_bibtex.replace(f"arXiv preprint arXiv:{preprint.arxiv_id}.", "arXiv.")


def test_pandoc_reads_every_item_of_the_enriched_corpus(enriched_corpus: list[Paper], tmp_path: Path):  # noqa: F811
    document = "---\nnocite: '@*'\n---\n"
    rendering = render_citations(export_csl_json(enriched_corpus), "refs.json", document, tmp_path / "all")
    entries = [entry for entry in rendering.split("\n\n") if entry.strip()]
    assert len(entries) == 452
    assert all(re.search(r"\. (19|20)\d\d[a-z]?\. “", entry) for entry in entries)  # author. year. “title”
