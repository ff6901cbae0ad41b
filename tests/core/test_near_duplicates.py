"""Finding possible duplicates: titles that differ slightly, near-identical abstracts, and the
many different papers with similar titles that must not be flagged (duplicates.py)."""

from __future__ import annotations

import re
import time

import pytest

from tests.papers import offered
from vlmreader.core.importing import import_files
from vlmreader.core.library import Library
from vlmreader.core.search import SearchEngine
from vlmreader.core.search.duplicates import (
    SAME_TITLE,
    SIMILAR_ABSTRACTS,
    SIMILAR_TITLES,
    duplicates_in,
    find_duplicates,
)


def reasons(*titles: str, abstracts: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
    """Why the papers with these titles (and abstracts) form one group, None if they form none."""
    groups = find_duplicates(list(titles), list(abstracts or [""] * len(titles)))
    assert len(groups) <= 1
    if not groups:
        return None
    assert groups[0].members == tuple(range(len(titles)))
    return groups[0].reasons


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


@pytest.fixture(scope="module")
def abstracts(shared_library: Library) -> dict[str, str]:
    """The bundled abstracts, by key."""
    return {paper.key: paper.abstract for paper in shared_library}


# -- titles that differ slightly: flagged ----------------------------------------------


@pytest.mark.parametrize(
    "titles",
    [
        (
            "Finetuned Language Models Are Zero-Shot Learners",
            "Fine-tuned language models are zero-shot learners",
            "Fine Tuned Language Model Is a Zero Shot Learner",
        ),
        (
            "Visual Modelling of Colour Constancy in Vision-Language Models",
            "Visual Modeling of Color Constancy in Vision Language Models",
        ),
        ("Optimising Visual Tokenisers for Multimodal LLMs", "Optimizing Visual Tokenizers for Multimodal LLMs"),
        (
            "A Survey on Hallucination in Large Vision-Language Models",
            "A Survey of Hallucination in Large Vision Language Models",
        ),
        (
            "Towards Robust Multimodal Reasoning with Visual Prompts",
            "Toward Robust Multimodal Reasoning via Visual Prompt",
        ),
        (
            "LLaVA-Med: Training a Large Language-and-Vision Assistant for Biomedicine in One Day",
            "Training a Large Language-and-Vision Assistant for Biomedicine in One Day",
        ),
        (  # a renamed arXiv version: one word dropped from a long title
            "Mitigating Object Hallucination in Large Vision-Language Models via Classifier-Free Guidance",
            "Mitigating Hallucination in Large Vision-Language Models via Classifier-Free Guidance",
        ),
    ],
)
def test_titles_that_differ_only_slightly_are_flagged_without_abstracts(titles):
    assert reasons(*titles) == (SIMILAR_TITLES,)


def test_a_renamed_version_whose_abstract_agrees_is_flagged(abstracts):
    abstract = abstracts["pvc"]
    revised = sentences(abstract)
    revised[1] = "We revise the method and report results on eight more benchmarks than the first version."
    assert reasons(
        "PVC: Progressive Visual Token Compression for Unified Image and Video Processing in Large Vision-Language Models",
        "PVC: Progressive Visual Token Merging for Unified Image and Video Understanding in Large Vision-Language Models",
        abstracts=(abstract, " ".join(revised)),
    ) == (SIMILAR_TITLES,)


# -- similar titles of different papers: not flagged -----------------------------------


@pytest.mark.parametrize(
    "titles",
    [
        (
            "Evaluating Object Hallucination in Large Vision-Language Models",
            "Evaluating Attribute Hallucination in Large Vision-Language Models",
        ),
        (
            "A Survey on Hallucination in Large Vision-Language Models",
            "A Survey on Hallucination in Large Language Models",
        ),
        (
            "Analyzing and Mitigating Object Hallucination in Large Vision-Language Models",
            "Evaluating Object Hallucination in Large Vision-Language Models",
        ),
        (
            "What matters when building vision-language models?",
            "What matters when building vision-language-action models?",
        ),
        ("Visual Instruction Tuning", "Improved Baselines with Visual Instruction Tuning"),
        ("Visual Instruction Tuning", "Video Instruction Tuning"),
        ("A Survey of Large Language Models", "Large Language Models: A Survey"),
        ("Multimodal Large Language Models: A Survey", "Multimodal Foundation Models: A Survey"),
        (
            "LLaVA-1.5: Improved Baselines for Visual Instruction Tuning",
            "LLaVA: Improved Baselines for Visual Instruction Tuning",
        ),
        (
            "InternVL2: Scaling up Vision Foundation Models for Generic Visual-Linguistic Tasks",
            "InternVL: Scaling up Vision Foundation Models for Generic Visual-Linguistic Tasks",
        ),
        (
            "Qwen2-VL: Enhancing Perception of the World at Any Resolution",
            "Qwen-VL: Enhancing Perception of the World at Any Resolution",
        ),
        (
            "MMBench: Is Your Multi-modal Model an All-around Player?",
            "MMStar: Is Your Multi-modal Model an All-around Player?",
        ),
        (
            "Benchmarking Robustness of Multimodal Image-Text Models under Distribution Shift",
            "Benchmarking Robustness of Adaptation Methods on Pre-trained Vision-Language Models",
        ),
        (
            "Efficient Token Pruning for Large Vision-Language Models in Visual Question Answering",
            "Efficient Token Pruning Benchmark for Large Vision-Language Models in Visual Question Answering",
        ),
        (
            "Correction to: Seeing Is Believing in Large Multimodal Models for Document Understanding",
            "Seeing Is Believing in Large Multimodal Models for Document Understanding",
        ),
        ("!!!", "???"),
        ("On the", "Of a"),
    ],
)
def test_different_papers_with_similar_titles_are_not_flagged(titles):
    assert reasons(*titles) is None


def test_slightly_different_titles_whose_abstracts_disagree_are_two_papers(abstracts):
    # The same title, plurals aside, but the abstracts of two different papers: they decide.
    assert reasons(
        "Feather the Throttle: Revisiting Visual Token Pruning for Vision-Language Model Acceleration",
        "Feather the Throttle: Revisiting Visual Tokens Pruning for Vision-Language Models Acceleration",
        abstracts=(abstracts["feather-the-throttle"], abstracts["pvc"]),
    ) is None
    named = "LLaVA-Med: Training a Large Language-and-Vision Assistant for Biomedicine in One Day"
    assert reasons(named, named.split(": ", 1)[1], abstracts=(abstracts["mousi"], abstracts["nvlm"])) is None


def test_papers_by_the_same_authors_that_share_sentences_are_not_near_copies(shared_library: Library):
    # SEED and SEED-LLaMA share two long sentences (29 % of the shorter's four-word runs).
    records = [paper.record for paper in shared_library if paper.title.startswith(("Planting a SEED", "Making LLaMA SEE"))]
    assert len(records) == 2 and duplicates_in(records) == []


def test_the_bundled_corpus_has_no_possible_duplicates(shared_library: Library):
    assert duplicates_in(shared_library.records()) == []


# -- near-identical abstracts ----------------------------------------------------------


def test_a_near_copy_of_an_abstract_is_flagged_whatever_the_titles(abstracts):
    abstract = abstracts["nvlm"]
    edited = sentences(abstract)
    edited[-1] = "Code and models will be released."
    for copy in (abstract, " ".join(edited), " ".join(sentences(abstract)[: len(sentences(abstract)) // 2 + 1])):
        assert reasons(
            "NVLM: Open Frontier-Class Multimodal LLMs",
            "Open Multimodal LLMs at the Frontier, with a Hybrid Architecture",
            abstracts=(abstract, copy),
        ) == (SIMILAR_ABSTRACTS,)


def test_a_copy_with_a_few_words_changed_is_a_near_copy_and_boilerplate_is_not(abstracts):
    words = abstracts["meteor"].split()
    for position in range(5, len(words), 30):
        words[position] = "novel"
    assert reasons("Meteor", "Traversal of Rationale", abstracts=(abstracts["meteor"], " ".join(words))) == (SIMILAR_ABSTRACTS,)
    opening = "Large vision-language models (LVLMs) have shown remarkable abilities across many tasks. "
    assert reasons("One Paper", "Another Paper", abstracts=(opening + abstracts["meteor"], opening + abstracts["mousi"])) is None
    assert reasons("One Paper", "Another Paper", abstracts=("No abstract available.", "No abstract available.")) is None


# -- groups, kept apart, scale ---------------------------------------------------------


def test_links_chain_into_one_group_with_each_reason(abstracts):
    titles = [
        "Editorial Comments on Vision",
        "Editorial comments on vision",
        "Editorial Comment on Vision",
        "Something else entirely",
        "Something Else Entirely, Renamed",
    ]
    texts = ["", "", "", abstracts["mousi"], abstracts["mousi"]]
    groups = find_duplicates(titles, texts)
    assert [group.members for group in groups] == [(0, 1, 2), (3, 4)]
    assert groups[0].reasons == (SAME_TITLE, SIMILAR_TITLES) and groups[1].reasons == (SIMILAR_ABSTRACTS,)
    assert {(link.one, link.other) for link in groups[0].links} == {(0, 1), (0, 2), (1, 2)}


def test_papers_kept_apart_are_never_linked_but_may_join_through_a_third():
    titles = ["Fine-tuning Vision Encoders", "Finetuning Vision Encoders", "Fine Tuning Vision Encoders"]
    ids = ["a", "b", "c"]
    assert find_duplicates(titles, [""] * 3, ids, {0: {"b", "c"}, 1: {"a"}, 2: {"a"}})[0].members == (1, 2)
    assert find_duplicates(titles, [""] * 3, ids, {0: {"b", "c"}, 1: {"a", "c"}}) == []


def test_is_duplicate_finds_slightly_different_titles_and_respects_keep_apart(tmp_path):
    library = Library(tmp_path / "home")
    library.add_papers(
        [
            offered("Finetuned Language Models Are Zero-Shot Learners", key="wei2021"),
            offered("Fine-tuned language models are zero-shot learners", key="wei2022"),
            offered("Fine-tuned Vision Models Are Few-Shot Learners", key="other"),
        ]
    )
    keys = lambda: sorted(library.get(pid).key for pid in SearchEngine(library).search("is:duplicate").paper_ids())  # noqa: E731
    assert keys() == ["wei2021", "wei2022"]
    assert len(SearchEngine(library).search("-is:duplicate")) == 1
    library.keep_apart([library.resolve("wei2021").id, library.resolve("wei2022").id])
    assert keys() == []


def test_a_thousand_papers_sharing_a_title_make_one_group_quickly():
    titles = ["Editorial"] * 1000 + [f"Paper number {n} on a subject of its own" for n in range(1000)]
    started = time.perf_counter()
    groups = find_duplicates(titles, [""] * len(titles))
    assert time.perf_counter() - started < 2
    assert len(groups) == 1 and groups[0].members == tuple(range(1000)) and len(groups[0].links) == 999


# -- the import's report ---------------------------------------------------------------


def test_the_import_reports_a_near_duplicate_and_keeps_exact_matches_as_they_were(library: Library, tmp_path):
    mine = tmp_path / "mine.bib"
    mine.write_text(
        # the bundled MouSi, with a word joined and a plural dropped: added, and reported
        "@article{fan2024mousi, title = {MouSi: PolyVisual Expert Vision-Language Model}, author = {Fan, X.}}\n"
        # the bundled NVLM, its very title: merged, as before
        "@article{dai2024nvlm, title = {NVLM: Open Frontier-Class Multimodal LLMs}, author = {Dai, W.}, year = 2024}\n"
        # two entries of this file, one title slightly different from the other's: two papers
        "@article{x1, title = {Fine-tuning Vision Encoders for Charts}}\n"
        "@article{x2, title = {Finetuning Vision Encoders for Charts}}\n"
    )
    report = import_files(library, [mine])
    assert [paper.key for paper in report.merged] == ["dai2024nvlm"]
    assert [(new.key, old.key) for new, old in report.possible_duplicates] == [("fan2024mousi", "mousi")]
    new, old = report.possible_duplicates[0]
    assert report.why(new, old) == SIMILAR_TITLES
    found = {library.get(pid).key for pid in SearchEngine(library).search("is:duplicate").paper_ids()}
    assert found == {"fan2024mousi", "mousi", "x1", "x2"}  # the file's own pair is listed, not reported

    other = tmp_path / "other.bib"
    other.write_text("@article{x3, title = {Fine Tuning Vision Encoders for Chart}}\n")
    report = import_files(library, [other])
    assert sorted((new.key, old.key, report.why(new, old)) for new, old in report.possible_duplicates) == [
        ("x3", "x1", SIMILAR_TITLES),
        ("x3", "x2", SIMILAR_TITLES),
    ]


def test_the_import_still_reports_the_same_title_with_something_against_it(library: Library, tmp_path):
    first, second = tmp_path / "first.bib", tmp_path / "second.bib"
    first.write_text("@article{brown1995, title = {Editorial Comments}, author = {Brown, A.}, year = 1995}\n")
    second.write_text("@article{green2001, title = {Editorial comments}, author = {Green, B.}, year = 2001}\n")
    import_files(library, [first])
    report = import_files(library, [second])
    assert [(new.key, old.key, report.why(new, old)) for new, old in report.possible_duplicates] == [
        ("green2001", "brown1995", SAME_TITLE)
    ]
