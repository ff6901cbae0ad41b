"""Citation keys: readable, unique, safe in \\cite{}, never mistaken for an id."""

import re

from vlmreader.core.keys import CitationKeys, is_valid_key


def key(title: str, taken=()) -> str:
    return CitationKeys(taken).new_key(title)


def test_the_model_name_before_a_colon_is_the_key():
    assert key("Dragonfly: Multi-Resolution Zoom Supercharges Large Visual-Language Model") == "dragonfly"
    assert key("LLaVA-UHD: an LMM Perceiving Any Aspect Ratio and High-Resolution Images") == "llava-uhd"
    assert key("LEOPARD : A Vision Language Model For Text-Rich Multi-Image Tasks") == "leopard"
    assert key(r"GenderBias-\emph{VL}: Benchmarking Gender Bias in Vision Language Models") == "genderbias-vl"


def test_without_a_name_the_first_significant_words_are_used():
    assert key("Towards Analyzing and Mitigating Sycophancy in Large Vision-Language Models") == (
        "analyzing-mitigating-sycophancy"
    )
    assert key("Qwen2.5-VL Technical Report") == "qwen2.5-vl-technical"


def test_a_title_starting_with_a_number_never_gives_a_numeric_key():
    assert key("2.5 Years in Class: A Multimodal Textbook for Vision-Language Pretraining") == "years-class-multimodal"
    assert key("4M: Massively Multimodal Masked Modeling") == "massively-multimodal-masked"


def test_a_key_that_looks_like_a_hex_id_is_lengthened():
    assert key("FACE: Fine-grained Attribute Captions") == "face-fine"
    assert key("Bead") == "paper-bead"
    assert not is_valid_key("face") and not is_valid_key("2") and is_valid_key("face-2")


def test_collisions_get_a_numbered_suffix():
    assert key("BLIP-2: Bootstrapping", taken={"blip-2"}) == "blip-2-2"
    assert key("Dragonfly: again", taken={"dragonfly", "dragonfly-2"}) == "dragonfly-3"


def test_every_key_is_safe_inside_cite():
    for title in ["[CLS] tokens & 50% of $μ$: a study", "Über-Models: ~x^2 {braces}", "???", "a an the"]:
        generated = key(title)
        assert re.fullmatch(r"[a-z][a-z0-9.\-]*", generated), generated
        assert is_valid_key(generated)


def test_greek_letters_keep_their_name():
    assert key("μ-Bench: A Vision-Language Benchmark for Microscopy Understanding") == "mu-bench"
    assert key(r"{\mu}-Bench: A Benchmark") == "mu-bench"


def test_many_titles_with_one_name_get_their_keys_in_order():
    keys = CitationKeys(["llava", "LLaVA-3"])
    handed = [keys.new_key(f"LLaVA: variant {number}") for number in range(20_000)]
    assert handed[:3] == ["llava-2", "llava-4", "llava-5"]
    assert len(set(handed)) == 20_000 and "llava-20002" in keys
