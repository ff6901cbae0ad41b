"""The CLI's part of searching in the user's own words: the `match` field, the separator line,
and `vlmreader related`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import run_process
from vlmreader.cli import PARTIAL_SEPARATOR

QUESTION = ("make", "the", "model", "answer", "faster", "by", "dropping", "unimportant", "image", "patches")


def test_search_json_says_how_each_paper_matches(run):
    code, out, _ = run("search", "llava", "uhd", "--json")

    hits = json.loads(out)
    assert code == 0 and hits[0]["key"] == "llava-uhd" and hits[0]["match"] == "all"
    assert {hit["match"] for hit in hits[1:]} == {"partial"}


def test_a_described_idea_lists_papers_under_a_separator(run):
    code, out, err = run("search", *QUESTION, "--limit", "5")

    lines = out.splitlines()
    assert code == 0 and lines[0] == PARTIAL_SEPARATOR and len(lines) == 6
    assert any("Pruning" in line or "Reduction" in line for line in lines[1:4])
    assert "of" in err and "matches shown" in err


def test_the_separator_comes_after_the_papers_with_every_word(run):
    _, out, _ = run("search", "llava", "uhd")

    lines = out.splitlines()
    assert "llava-uhd" in lines[0] and lines[1] == PARTIAL_SEPARATOR


def test_a_full_screen_of_strict_matches_has_no_separator(run):
    _, out, _ = run("search", "hallucination")

    assert PARTIAL_SEPARATOR not in out and len(out.splitlines()) >= 20


def test_related_lists_the_closest_papers(run):
    code, out, _ = run("related", "llava-uhd", "--limit", "3", "--json")

    hits = json.loads(out)
    assert code == 0 and len(hits) == 3 and "llava-uhd" not in [hit["key"] for hit in hits]
    assert all(hit["match"] == "similar" and 0 < hit["score"] <= 1 for hit in hits)
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]
    code, out, _ = run("related", "llava-uhd", "--limit", "3")
    assert [line.split()[1] for line in out.splitlines()] == [hit["key"] for hit in hits]
    assert PARTIAL_SEPARATOR not in out


def test_related_is_the_like_filter(run):
    _, related, _ = run("related", "llava-uhd", "--json", "--limit", "100")
    _, like, _ = run("search", "like:llava-uhd", "--json")

    assert [hit["key"] for hit in json.loads(related)] == [hit["key"] for hit in json.loads(like)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["related", "no-such-paper"], "no paper has the key or id 'no-such-paper'"), (["search", "--", "-like:x"], "cannot be negated")],
)
def test_related_errors_are_one_line(home: Path, arguments, message):
    result = run_process(*arguments, home=home)

    assert result.returncode == 1 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_export_writes_only_the_papers_with_every_word(run):
    _, listed, _ = run("search", "llava", "uhd", "--json")
    assert len(json.loads(listed)) > 1  # the list shows partial matches too

    code, out, _ = run("export", "llava", "uhd")

    assert code == 0 and out.count("\n@") + out.startswith("@") == 1 and "{llava-uhd," in out
