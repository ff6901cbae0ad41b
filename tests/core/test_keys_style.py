"""Author-year citation keys (`guo2024llavauhd`) and the `[keys] style` setting that chooses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_bibtex_metadata import realistic_metadata
from vlmreader.core.config import load_config
from vlmreader.core.keys import AUTHOR_YEAR_STYLE, CitationKeys, is_valid_key
from vlmreader.core.library import Library
from vlmreader.core.models import UserError

LLAVA_UHD = "LLaVA-UHD: an LMM Perceiving Any Aspect Ratio and High-Resolution Images"


def key(title: str, authors=(), year="", taken=()) -> str:
    return CitationKeys(taken).new_key(title, authors=authors, year=year, style=AUTHOR_YEAR_STYLE)


@pytest.mark.parametrize(
    ("title", "first_author", "year", "expected"),
    [
        (LLAVA_UHD, "Guo, Zonghao", "2024", "guo2024llavauhd"),  # a model name stays whole
        ("Visual Instruction Tuning", "Liu, Haotian", "2023", "liu2023visual"),
        ("BLIP-2: Bootstrapping Language-Image Pre-training", "Li, Junnan", "2023", "li2023blip2"),
        ("Towards Analyzing and Mitigating Sycophancy", "Müller, Jörg", "2024", "muller2024analyzing"),
        ("A Study of Things", "van der Berg, Jan", "2021", "vanderberg2021study"),
        ("A Study of Things", "Jan van der Berg", "2021", "vanderberg2021study"),
        ("GPT-4 Technical Report", "{OpenAI}", "2023", "openai2023gpt4"),
        ("Gemini: A Family of Highly Capable Multimodal Models", "{Gemini Team}", "2023", "geminiteam2023gemini"),
        ("On Logic", "Łukasiewicz, Jan", "1920", "lukasiewicz1920logic"),
        ("Ørsted's Law", "Ørsted, Hans Christian", "1820", "orsted1820orsteds"),
        ("μ-Bench: A Benchmark for Microscopy", "O'Brien, Seán", "2024-03", "obrien2024mubench"),
        ("Qwen2.5-VL Technical Report", "Bai, Shuai", 2025, "bai2025qwen25vl"),
        ("2.5 Years in Class: A Multimodal Textbook", "Zhang, Wenqi", "2025", "zhang2025years"),
        ("The And Of", "Smith, Jr., John", "2020", "smith2020"),
    ],
)
def test_an_author_year_key_is_family_name_year_and_first_significant_word(title, first_author, year, expected):
    assert key(title, authors=(first_author, "Other, Author"), year=year) == expected
    assert is_valid_key(expected)


@pytest.mark.parametrize(
    ("authors", "year"),
    [((), "2024"), (("Guo, Zonghao",), ""), (("山田, 太郎",), "2024"), (("Guo, Zonghao",), "n.d.")],
)
def test_without_an_author_or_a_year_the_title_key_is_given(authors, year):
    assert key(LLAVA_UHD, authors=authors, year=year) == "llava-uhd"


def test_a_key_that_would_read_as_a_hex_id_falls_back_to_the_title():
    assert key("Bead Study", authors=("Dead, Ann",), year="2024") == "bead-study"


def test_author_year_collisions_get_the_next_free_suffix():
    keys = CitationKeys(["liu2023visual", "liu2023visual-3"])
    handed = [keys.new_key("Visual Instruction Tuning", authors=["Liu, Haotian"], year="2023", style="authoryear") for _ in range(3)]
    assert handed == ["liu2023visual-2", "liu2023visual-4", "liu2023visual-5"]


def test_the_title_style_is_the_default_and_ignores_authors():
    assert CitationKeys().new_key(LLAVA_UHD) == "llava-uhd"
    assert CitationKeys().new_key(LLAVA_UHD, authors=["Guo, Zonghao"], year="2024") == "llava-uhd"
    with pytest.raises(ValueError, match="unknown key style"):
        CitationKeys().new_key(LLAVA_UHD, style="scholar")


def test_every_bundled_paper_with_metadata_gets_a_valid_unique_author_year_key(shared_library: Library):
    keys = CitationKeys()
    handed = []
    for number, paper in enumerate(sorted(shared_library, key=lambda paper: paper.key)):
        metadata = realistic_metadata(number)
        authors = metadata["author"].split(" and ")
        handed.append(keys.new_key(paper.title, authors=authors, year=metadata["year"], style=AUTHOR_YEAR_STYLE))
    assert len(set(handed)) == 452 and all(is_valid_key(generated) for generated in handed)
    assert sum("-" not in generated for generated in handed) > 400  # author-year, seldom a suffix


# -- config.toml -------------------------------------------------------------------------------


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_key_style_is_read_and_defaults_to_title(tmp_path: Path):
    assert load_config(write_config(tmp_path, '[keys]\nstyle = "authoryear"\n')).key_style == "authoryear"
    assert load_config(write_config(tmp_path, 'theme = "nord"\n')).key_style == "title"


def test_an_unknown_key_style_is_one_line_naming_the_file_and_the_allowed_values(tmp_path: Path):
    path = write_config(tmp_path, '[keys]\nstyle = "author-year"\n')
    with pytest.raises(UserError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}: keys.style must be 'title' or 'authoryear', not 'author-year'"
