"""Sync through a local bare repository, driven by the CLI: two or three homes, edits on each
side, syncs in every order, kills at every step, and a remote that disappears."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vlmreader.cli import main
from vlmreader.core.sync import STEPS
from vlmreader.core.sync.repository import KILL_VARIABLE
from vlmreader.core.vocabulary import has_sync_conflict

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="sync needs git")

PAPER = "llava-uhd"


@pytest.fixture
def vlm(capsys):
    """Run `vlmreader ARGS --home HOME` in-process: (exit code, stdout, stderr)."""

    def run(home: Path, *arguments: str) -> tuple[int, str, str]:
        code = main([*arguments, "--home", str(home)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def shown(vlm, home: Path, ref: str = PAPER) -> dict:
    code, out, err = vlm(home, "show", ref, "--json")
    assert code == 0, err
    return json.loads(out)


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, err
    return out


@pytest.fixture
def homes(tmp_path: Path, remote: Path, vlm):
    """Three homes syncing with one bare repository."""
    found = [tmp_path / name for name in ("laptop", "desktop", "server")]
    for home in found:
        ok(vlm(home, "sync", "init", str(remote)))
    return found


def test_init_on_an_empty_remote_then_join(tmp_path, remote, vlm):
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    ok(vlm(laptop, "star", PAPER))
    ok(vlm(laptop, "tag", PAPER, "hi-res"))
    ok(vlm(desktop, "status", "dragonfly", "read"))
    assert "1 paper sent" in ok(vlm(laptop, "sync", "init", str(remote)))
    out = ok(vlm(desktop, "sync", "init", str(remote)))
    assert "1 received" in out
    ok(vlm(laptop, "sync"))
    for home in (laptop, desktop):
        paper = shown(vlm, home)
        assert paper["starred"] and paper["tags"] == ["hi-res"]
        assert shown(vlm, home, "dragonfly")["status"] == "read"
    status = ok(vlm(desktop, "sync", "status"))
    assert "here only  0 papers" in status and "remote only 0 papers" in status


@pytest.mark.parametrize("order", ["laptop first", "desktop first"])
def test_star_and_unstar_the_later_change_wins_in_every_order(homes, vlm, order):
    laptop, desktop, _ = homes
    ok(vlm(laptop, "star", PAPER))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    assert shown(vlm, desktop)["starred"]
    ok(vlm(laptop, "status", PAPER, "queued"))  # earlier...
    _tick()  # changes are dated to the second
    ok(vlm(desktop, "unstar", PAPER))  # ...and later
    ok(vlm(desktop, "status", PAPER, "read"))
    first, second = (laptop, desktop) if order == "laptop first" else (desktop, laptop)
    ok(vlm(first, "sync"))
    ok(vlm(second, "sync"))
    ok(vlm(first, "sync"))
    for home in (laptop, desktop):
        paper = shown(vlm, home)
        assert (paper["starred"], paper["status"]) == (False, "read")


@pytest.mark.parametrize("order", ["laptop first", "desktop first"])
def test_a_later_change_to_another_field_does_not_date_an_earlier_status(homes, vlm, order):
    laptop, desktop, server = homes
    ok(vlm(server, "tag", PAPER, "zoom"))
    for home in (server, laptop, desktop):
        ok(vlm(home, "sync"))
    ok(vlm(laptop, "status", PAPER, "reading"))  # first
    _tick()
    ok(vlm(desktop, "status", PAPER, "read"))  # later than the laptop's status...
    ok(vlm(desktop, "untag", PAPER, "zoom"))
    _tick()
    ok(vlm(laptop, "tag", PAPER, "hi-res"))  # ...which this later change on the laptop must not re-date
    first, second = (laptop, desktop) if order == "laptop first" else (desktop, laptop)
    for home in (first, second, first):
        ok(vlm(home, "sync"))
    for home in (laptop, desktop):
        paper = shown(vlm, home)
        assert (paper["status"], sorted(paper["tags"])) == ("read", ["hi-res"])


def _tick() -> None:
    import time

    time.sleep(1.05)


@pytest.mark.parametrize("later", ["add", "remove"])
@pytest.mark.parametrize("order", ["laptop first", "desktop first"])
def test_a_tag_added_here_and_removed_there_resolves_by_time(homes, vlm, order, later):
    laptop, desktop, server = homes
    ok(vlm(server, "tag", PAPER, "hi-res", "keep"))
    ok(vlm(server, "sync"))
    ok(vlm(desktop, "sync"))  # the laptop has not seen the tags yet
    remove = lambda: ok(vlm(desktop, "untag", PAPER, "hi-res"))  # noqa: E731
    add = lambda: ok(vlm(laptop, "tag", PAPER, "hi-res"))  # noqa: E731
    first_change, second_change = (remove, add) if later == "add" else (add, remove)
    first_change()
    _tick()  # changes are dated to the second
    second_change()
    first, second = (laptop, desktop) if order == "laptop first" else (desktop, laptop)
    for home in (first, second, first, server):
        ok(vlm(home, "sync"))
    expected = ["hi-res", "keep"] if later == "add" else ["keep"]
    for home in homes:
        assert sorted(shown(vlm, home)["tags"]) == expected
    # A removal is remembered: removing a tag now removes it everywhere.
    _tick()
    ok(vlm(server, "untag", PAPER, "keep"))
    for home in (server, laptop, desktop):
        ok(vlm(home, "sync"))
    for home in homes:
        assert "keep" not in shown(vlm, home)["tags"]


def test_the_same_note_line_edited_on_both_keeps_both_versions(homes, vlm):
    laptop, desktop, server = homes
    ok(vlm(laptop, "note", PAPER, "first line\nsecond line\nthird line"))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    ok(vlm(laptop, "note", PAPER, "first line, laptop\nsecond line\nthird line"))
    ok(vlm(desktop, "note", PAPER, "first line, desktop\nsecond line\nthird line, desktop too"))
    ok(vlm(laptop, "sync"))
    code, _, err = vlm(desktop, "sync")
    assert code == 0 and "is:conflict" in err and PAPER in err
    ok(vlm(laptop, "sync"))
    ok(vlm(server, "sync"))
    notes = {shown(vlm, home)["note"] for home in homes}
    assert len(notes) == 1
    note = notes.pop()
    assert has_sync_conflict(note)
    assert "first line, laptop" in note and "first line, desktop" in note and "third line, desktop too" in note
    assert PAPER in ok(vlm(server, "search", "is:conflict"))
    # Resolving it by hand on one machine resolves it everywhere.
    ok(vlm(server, "note", PAPER, "first line, both\nsecond line\nthird line, desktop too"))
    for home in (server, laptop, desktop):
        ok(vlm(home, "sync"))
    for home in homes:
        assert shown(vlm, home)["note"] == "first line, both\nsecond line\nthird line, desktop too"
        assert PAPER not in ok(vlm(home, "search", "is:conflict"))


def test_changes_to_different_lines_of_a_note_merge_cleanly(homes, vlm):
    laptop, desktop, _ = homes
    ok(vlm(laptop, "note", PAPER, "one\ntwo\nthree\nfour"))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    ok(vlm(laptop, "note", PAPER, "ONE\ntwo\nthree\nfour"))
    ok(vlm(desktop, "note", PAPER, "one\ntwo\nthree\nFOUR"))
    for home in (laptop, desktop, laptop):
        ok(vlm(home, "sync"))
    assert shown(vlm, laptop)["note"] == shown(vlm, desktop)["note"] == "ONE\ntwo\nthree\nFOUR"


BIB_ONE = """@inproceedings{liu2023visual,
  title = {Visual Instruction Tuning with a Custom Title},
  author = {Liu, Haotian and Li, Chunyuan},
  year = {2023},
  eprint = {2304.99999},
  archivePrefix = {arXiv},
  note = {from the laptop},
}
"""
BIB_TWO = """@misc{liu-vit,
  title = {Visual instruction tuning with a custom title (extended)},
  author = {Liu, Haotian},
  year = {2023},
  eprint = {2304.99999},
  archivePrefix = {arXiv},
}
"""


def test_a_paper_added_on_both_machines_is_one_paper(homes, vlm, tmp_path):
    laptop, desktop, server = homes
    (tmp_path / "one.bib").write_text(BIB_ONE)
    (tmp_path / "two.bib").write_text(BIB_TWO)
    ok(vlm(laptop, "import", str(tmp_path / "one.bib")))
    ok(vlm(desktop, "import", str(tmp_path / "two.bib")))
    ok(vlm(desktop, "tag", "liu-vit", "from-desktop"))
    ok(vlm(laptop, "sync"))
    out = ok(vlm(desktop, "sync"))
    assert "one paper now" in out
    ok(vlm(laptop, "sync"))
    ok(vlm(server, "sync"))
    for home in homes:
        found = {paper["id"] for paper in json.loads(ok(vlm(home, "search", "in:one", "--json")))}
        found |= {paper["id"] for paper in json.loads(ok(vlm(home, "search", "in:two", "--json")))}
        assert len(found) == 1
        one, two = shown(vlm, home, "liu2023visual"), shown(vlm, home, "liu-vit")
        assert one["id"] == two["id"]
        assert "from-desktop" in one["tags"] and one["note"] == "from the laptop"


def test_papers_added_and_imported_travel_with_their_raw_bibtex(homes, vlm, tmp_path):
    laptop, desktop, _ = homes
    (tmp_path / "one.bib").write_text(BIB_ONE)
    ok(vlm(laptop, "import", str(tmp_path / "one.bib")))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    exported = ok(vlm(desktop, "export", "in:one"))
    assert "archivePrefix = {arXiv}" in exported and "@inproceedings{liu2023visual," in exported


def test_kept_exports_definitions_are_synced(homes, vlm, tmp_path):
    laptop, desktop, _ = homes
    target = tmp_path / "refs.bib"
    ok(vlm(laptop, "star", PAPER))
    ok(vlm(laptop, "export", "is:starred", "-o", str(target), "--keep"))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    listed = json.loads(ok(vlm(desktop, "exports", "--json")))
    assert [(export["path"], export["query"]) for export in listed] == [(str(target), "is:starred")]


def test_a_remote_that_disappears_changes_nothing_and_says_why(homes, vlm, remote):
    laptop, desktop, _ = homes
    ok(vlm(laptop, "star", PAPER))
    shutil.rmtree(remote)
    code, out, err = vlm(laptop, "sync")
    assert code == 1 and err.count("\n") == 1 and "cannot fetch" in err
    assert shown(vlm, laptop)["starred"]
    assert "last error" in ok(vlm(laptop, "sync", "status"))
    # Back again (an empty one, say): the next sync sends everything.
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    assert shown(vlm, desktop)["starred"]


def test_a_remote_asking_for_a_password_fails_in_one_line(tmp_path, vlm):
    code, _, err = vlm(tmp_path / "home", "sync", "init", "https://127.0.0.1:9/nobody/library.git")
    assert code == 1 and err.count("\n") == 1
    assert not (tmp_path / "home" / "sync").exists()
    code, _, err = vlm(tmp_path / "home", "sync")
    assert code == 1 and "sync init" in err


def test_git_variables_of_the_shell_do_not_leak_in(homes, vlm, monkeypatch, tmp_path):
    laptop, desktop, _ = homes
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "index"))
    ok(vlm(laptop, "star", PAPER))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    assert shown(vlm, desktop)["starred"]
    assert not (tmp_path / "elsewhere").exists()


def test_log_shows_what_changed_when_and_where(homes, vlm):
    laptop, desktop, _ = homes
    ok(vlm(laptop, "star", PAPER))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    ok(vlm(desktop, "tag", PAPER, "hi-res"))
    ok(vlm(desktop, "sync"))
    ok(vlm(laptop, "sync"))
    log = ok(vlm(laptop, "log", PAPER))
    lines = log.splitlines()
    assert any("starred" in line and "laptop" not in line for line in lines)
    machines = {json.loads((home / "sync" / "state.json").read_text())["machine"] for home in (laptop, desktop)}
    assert all(any(machine in line for line in lines) for machine in machines)
    assert any("tag +hi-res" in line for line in lines)


def _process(home: Path, *arguments: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != KILL_VARIABLE}
    if kill_at:
        environment[KILL_VARIABLE] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "vlmreader", *arguments, "--home", str(home)],
        capture_output=True, text=True, env=environment, timeout=120,
    )


@pytest.mark.parametrize("step", STEPS)
def test_a_sync_killed_at_any_step_is_completed_by_the_next(homes, vlm, step):
    laptop, desktop, _ = homes
    ok(vlm(laptop, "note", PAPER, "shared line"))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    ok(vlm(laptop, "star", PAPER))
    ok(vlm(laptop, "note", PAPER, "shared line\nfrom the laptop"))
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "tag", PAPER, "desk"))
    ok(vlm(desktop, "status", "dragonfly", "reading"))
    ok(vlm(desktop, "note", PAPER, "from the desktop\nshared line"))
    killed = _process(desktop, "sync", kill_at=step)
    assert killed.returncode == -9, killed.stderr
    # A change made after the kill, before the next sync, is kept too.
    ok(vlm(desktop, "status", PAPER, "queued"))
    finished = _process(desktop, "sync")
    assert finished.returncode == 0, finished.stderr
    ok(vlm(laptop, "sync"))
    ok(vlm(desktop, "sync"))
    for home in (laptop, desktop):
        paper = shown(vlm, home)
        assert paper["starred"] and paper["tags"] == ["desk"] and paper["status"] == "queued"
        assert paper["note"] == "from the desktop\nshared line\nfrom the laptop"
        assert shown(vlm, home, "dragonfly")["status"] == "reading"
    assert not (desktop / "sync" / "pending.json").exists()


def test_a_change_made_during_a_sync_is_not_lost(homes, vlm, monkeypatch):
    """The library is written under its lock, field by field against the snapshot the merge
    started from: a star set while the merge ran stays."""
    laptop, desktop, _ = homes
    ok(vlm(laptop, "tag", PAPER, "remote-tag"))
    ok(vlm(laptop, "sync"))
    from vlmreader.core.sync import repository

    original = repository.Sync._apply

    def apply_after_an_edit(self, changes):
        from vlmreader.core.library import Library

        Library(self.library.home).set_starred([self.library.resolve(PAPER).id], True)
        return original(self, changes)

    monkeypatch.setattr(repository.Sync, "_apply", apply_after_an_edit)
    ok(vlm(desktop, "sync"))
    monkeypatch.undo()
    paper = shown(vlm, desktop)
    assert paper["starred"] and paper["tags"] == ["remote-tag"]
    ok(vlm(desktop, "sync"))
    ok(vlm(laptop, "sync"))
    assert shown(vlm, laptop)["starred"]


def test_the_repository_holds_text_one_file_a_paper_and_no_bundled_corpus(homes, vlm, remote):
    laptop = homes[0]
    ok(vlm(laptop, "star", PAPER))
    ok(vlm(laptop, "sync"))
    files = subprocess.run(
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "vlmreader-sync.json" in files
    papers = [name for name in files if name.startswith("papers/")]
    assert len(papers) == 1
    text = subprocess.run(
        ["git", "--git-dir", str(remote), "show", f"main:{papers[0]}"], capture_output=True, text=True, check=True
    ).stdout
    document = json.loads(text)
    assert document["key"] == PAPER and document["starred"][0] is True and "record" not in document


def test_a_push_race_is_merged_again_and_loses_nothing(homes, vlm, monkeypatch):
    """Another machine pushes between this sync's fetch and its push: it fetches, merges again."""
    laptop, desktop, _ = homes
    ok(vlm(laptop, "star", PAPER))
    ok(vlm(desktop, "tag", PAPER, "from-desktop"))
    from vlmreader.core.sync import repository

    original = repository.Sync._push
    raced = []

    def push_after_the_other(self, commit):
        if not raced:
            raced.append(True)
            assert main(["sync", "--home", str(desktop)]) == 0
        return original(self, commit)

    monkeypatch.setattr(repository.Sync, "_push", push_after_the_other)
    ok(vlm(laptop, "sync"))
    monkeypatch.undo()
    ok(vlm(desktop, "sync"))
    for home in (laptop, desktop):
        paper = shown(vlm, home)
        assert paper["starred"] and paper["tags"] == ["from-desktop"]
