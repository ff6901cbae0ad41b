"""The CLI contract: command names, output, exit codes, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest



def run_process(*arguments: str, home: Path, stdin: str = "") -> subprocess.CompletedProcess:
    """Run the real `python -m vlmreader` process, as a script would."""
    environment = dict(os.environ, VLMREADER_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "vlmreader", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_search_json_has_the_contract_fields(run):
    code, out, _ = run("search", "llava", "uhd", "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["key"] == "llava-uhd"
    assert {"id", "key", "title", "abstract", "url", "collections", "tags", "starred", "status", "note", "score"} <= set(
        hits[0]
    )
    assert hits[0]["score"] > 0


def test_search_limit_and_plain_output(run):
    code, out, err = run("search", "hallucination", "--limit", "3")
    assert code == 0
    assert len(out.splitlines()) == 3
    assert "of" in err and "--limit" in err


def test_show_by_key_id_and_prefix(run):
    code, out, _ = run("show", "dragonfly", "--json")
    paper = json.loads(out)
    assert code == 0 and paper["title"].startswith("Dragonfly:")
    for ref in (paper["id"], paper["id"][:7]):
        code, out, _ = run("show", ref)
        assert code == 0 and out.startswith("Dragonfly:") and "key          dragonfly" in out


def test_annotation_commands_round_trip(run):
    assert run("star", "dragonfly", "mm-vet")[0] == 0
    assert run("unstar", "mm-vet")[0] == 0
    assert run("tag", "dragonfly", "hi-res", "to-cite")[0] == 0
    assert run("untag", "dragonfly", "to-cite")[0] == 0
    assert run("status", "dragonfly", "reading")[0] == 0
    assert run("note", "dragonfly", "compare", "with", "LLaVA-UHD")[0] == 0
    paper = json.loads(run("show", "dragonfly", "--json")[1])
    assert paper["starred"] and paper["tags"] == ["hi-res"] and paper["status"] == "reading"
    assert paper["note"] == "compare with LLaVA-UHD"
    assert run("note", "dragonfly")[1] == "compare with LLaVA-UHD\n"
    assert not json.loads(run("show", "mm-vet", "--json")[1])["starred"]
    assert json.loads(run("tags", "--json")[1]) == [{"tag": "hi-res", "count": 1}]
    assert [p["key"] for p in json.loads(run("search", "is:starred", "--json")[1])] == ["dragonfly"]


def test_note_from_stdin(home: Path):
    result = run_process("note", "mm-vet", "-", home=home, stdin="line one\n\n[bold]line two[/]\n")
    assert result.returncode == 0, result.stderr
    shown = run_process("note", "mm-vet", home=home)
    assert shown.stdout == "line one\n\n[bold]line two[/]\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["show", "no-such-paper"], "no paper has the key or id 'no-such-paper'"),
        (["star", "dragonfly", "nope"], "no paper has the key or id 'nope'"),
        (["show", "1"], "ambiguous"),
        (["tag", "dragonfly", "two words"], "not a valid tag"),
        (["search", "is:bogus"], "unknown filter is:bogus"),
        (["export", "-o", "/nonexistent-dir/x.bib"], "cannot write /nonexistent-dir/x.bib"),
    ],
)
def test_user_errors_are_one_line_on_stderr_with_exit_1(home: Path, arguments, message):
    result = run_process(*arguments, home=home)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_failed_multi_star_changes_nothing(run):
    assert run("star", "dragonfly", "nope")[0] == 1
    assert not json.loads(run("show", "dragonfly", "--json")[1])["starred"]


def test_usage_errors_exit_2(home: Path):
    result = run_process("status", "dragonfly", "finished", home=home)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_a_corrupt_library_is_reported_not_overwritten(home: Path):
    assert run_process("search", "x", home=home).returncode == 0
    (home / "library.json").write_text("{ truncated")
    result = run_process("star", "dragonfly", home=home)
    assert result.returncode == 1
    assert str(home / "library.json") in result.stderr and "Traceback" not in result.stderr
    assert (home / "library.json").read_text() == "{ truncated"


def test_home_comes_from_the_flag_or_the_environment(tmp_path: Path):
    flagged, environment = tmp_path / "flagged", tmp_path / "from-env"
    result = run_process("--home", str(flagged), "star", "dragonfly", home=environment)
    assert result.returncode == 0
    assert (flagged / "annotations.json").exists() and not environment.exists()
    assert run_process("star", "dragonfly", home=environment).returncode == 0
    assert (environment / "annotations.json").exists()


@pytest.mark.parametrize(
    "argv", [[], ["--home", "/data/papers"], ["--home=/data/papers"], ["--home=--odd"], ["--home", "search"], ["search"]]
)
def test_opening_the_app_reads_its_arguments_as_the_full_parser_does(argv):
    """`vlmreader` and `vlmreader --home DIR` skip building the commands' parsers, to the same result."""
    from vlmreader.cli import build_parser, parse_arguments

    assert parse_arguments(argv) == build_parser().parse_args(argv)


def test_version(home: Path):
    result = run_process("--version", home=home)
    assert result.returncode == 0 and result.stdout.startswith("vlmreader ")


def test_read_only_commands_do_not_import_textual(home: Path):
    code = (
        "import sys; from vlmreader.cli import main; "
        f"main(['search', 'llava', '--json', '--home', {str(home)!r}]); "
        "sys.exit(1 if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, "the CLI imported textual"


def test_export_everything_gives_452_entries(run):
    code, out, _ = run("export")
    assert code == 0
    assert sum(1 for line in out.splitlines() if line.startswith("@")) == 452


def test_export_a_query_to_a_file(run, tmp_path: Path):
    run("star", "dragonfly", "mm-vet")
    target = tmp_path / "refs.bib"
    code, _, err = run("export", "is:starred", "-o", str(target))
    assert code == 0 and "exported 2 papers" in err
    text = target.read_text()
    assert "@misc{dragonfly," in text and "@misc{mm-vet," in text and text.count("\n@") + 1 == 2


def test_import_bib_reports_added_merged_rejected(run, tmp_path: Path):
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@article{thapa2024,\n  title = {Dragonfly: Multi-Resolution Zoom Supercharges Large Visual-Language Model},\n"
        "  author = {Thapa, Rahul},\n  year = {2024}\n}\n\n"
        "@article{broken,\n  title = {Unbalanced {brace},\n  year = 2020\n}\n\n"
        "@inproceedings{smith2023new,\n  title = {A Completely New Paper},\n  author = {Smith, Ann},\n  year = 2023\n}\n"
    )
    code, out, err = run("import", "--verbose", str(bib))
    assert code == 1  # something was rejected
    assert "added     smith2023new" in out and "merged    thapa2024" in out
    assert "key changed  dragonfly -> thapa2024" in out
    assert f"{bib}:7:" in err
    assert "1 added, 1 merged, 0 possible duplicates, 1 keys changed, 1 rejected" in out
    shown = json.loads(run("show", "smith2023new", "--json")[1])
    assert shown["fields"]["author"] == "Smith, Ann" and "mine" in shown["collections"]


def test_import_listing_page_text(run, tmp_path: Path):
    page = tmp_path / "my-reading.txt"
    page.write_text("Mar 3\nBrand New VLM: A Paper\nIts abstract, code at https://github.com/x/y.\n")
    code, out, _ = run("import", str(page))
    assert code == 0 and "1 added, 0 merged, 0 possible duplicates, 0 keys changed, 0 rejected" in out
    assert json.loads(run("search", "in:my-reading", "--json")[1])[0]["url"] == "https://github.com/x/y"


def test_import_a_missing_file_is_rejected(run, tmp_path: Path):
    code, _, err = run("import", str(tmp_path / "nope.bib"))
    assert code == 1 and "no such file" in err


# -- user errors, never tracebacks ---------------------------------------------------------


def run_bytes(*arguments: bytes | str, home: Path, stdin: bytes = b"", **environment: str) -> subprocess.CompletedProcess:
    """The real process, with arguments, input and output as raw bytes (as a shell passes them)."""
    return subprocess.run(
        [sys.executable, "-m", "vlmreader", *arguments],
        input=stdin,
        capture_output=True,
        env=dict(os.environ, VLMREADER_HOME=str(home), **environment),
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, expected: bytes) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(b"vlmreader: error: ") and expected in result.stderr, result.stderr
    assert b"Traceback" not in result.stderr and result.stderr.count(b"\n") == 1


@pytest.mark.parametrize(
    "arguments",
    [
        ["--home", "~nosuchuser/x", "search", "x"],
        ["export", "-o", "~nosuchuser/x.bib"],
        ["import", "~nosuchuser/refs.bib"],
    ],
)
def test_a_tilde_for_a_user_that_does_not_exist_is_a_user_error(home: Path, arguments):
    assert_one_line_error(run_bytes(*arguments, home=home), b"cannot find the home folder of 'nosuchuser'")


def test_a_negative_limit_is_a_usage_error(run, capsys):
    with pytest.raises(SystemExit) as exited:
        run("search", "llava", "--limit", "-1")
    assert exited.value.code == 2
    assert "expected a whole number, 0 or more" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("arguments", [["search", "llava"], ["show", "dragonfly"], ["export"]])
def test_output_that_cannot_be_written_is_a_user_error(home: Path, arguments):
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "vlmreader", *arguments],
            stdout=full,
            stderr=subprocess.PIPE,
            env=dict(os.environ, VLMREADER_HOME=str(home)),
            timeout=120,
        )
    assert_one_line_error(result, b"cannot write the output: No space left on device")


def test_text_the_terminal_cannot_encode_is_replaced_not_a_crash(home: Path):
    assert run_bytes("star", "dragonfly", home=home).returncode == 0
    result = run_bytes("search", "dragonfly", home=home, PYTHONIOENCODING="latin-1")
    assert result.returncode == 0 and result.stdout.startswith(b"? unread"), result.stderr


def test_bytes_that_are_not_utf8_become_replacement_characters(home: Path, tmp_path: Path):
    assert run_bytes("tag", "dragonfly", b"caf\xe9", home=home).returncode == 0
    assert run_bytes("note", "dragonfly", "-", home=home, stdin=b"bad \xff bytes").returncode == 0
    odd_name = os.fsencode(tmp_path) + b"/refs-\xff.bib"
    with open(odd_name, "wb") as file:
        file.write(b"@misc{odd2024, title={An Oddly Named File}}\n")
    imported = run_bytes("import", odd_name, home=home)
    assert imported.returncode == 0, imported.stderr
    shown = json.loads(run_bytes("show", "dragonfly", "--json", home=home).stdout)
    assert shown["tags"] == ["caf\ufffd"] and shown["note"] == "bad \ufffd bytes"
    paper = json.loads(run_bytes("show", "odd2024", "--json", home=home).stdout)
    assert paper["collections"] == ["refs-\ufffd"]


HOSTILE = "Clip \x1b]52;c;cm0gLXJmIH4=\x07 \x1b]0;HACKED\x07 \x1b[2J Paper \u202eevil\x9b\x00"


def test_no_control_sequence_from_data_reaches_the_terminal_but_json_stays_exact(home: Path, tmp_path: Path):
    bib = tmp_path / "hostile.bib"
    bib.write_text(f"@misc{{hostile2024, title={{{HOSTILE}}}, abstract={{Also \x1b[31m red}}}}\n", encoding="utf-8")
    outputs = [run_bytes("import", str(bib), home=home)]
    key = json.loads(run_bytes("search", "clip paper", "--json", home=home).stdout)[0]["key"]
    outputs += [
        run_bytes("search", "clip", "paper", home=home),
        run_bytes("show", key, home=home),
        run_bytes("note", key, "-", home=home, stdin="\x1b[2J note".encode()),
        run_bytes("note", key, home=home),
        run_bytes("tags", home=home),
    ]
    for result in outputs:
        for stream in (result.stdout, result.stderr):
            assert not any(byte in stream for byte in (b"\x1b", b"\x07", b"\x00", b"\xc2\x9b", "\u202e".encode())), stream
    assert "␛]0;HACKED␇" in run_bytes("show", key, home=home).stdout.decode()
    shown = json.loads(run_bytes("show", key, "--json", home=home).stdout)
    assert "\x1b]0;HACKED\x07" in shown["title"] and shown["note"] == "\x1b[2J note"  # stored as written


def test_export_to_dash_or_dev_stdout_prints_the_bibtex(home: Path):
    for target in ("-", "/dev/stdout"):
        result = run_bytes("export", "dragonfly", "-o", target, home=home)
        assert result.returncode == 0 and result.stdout.startswith(b"@misc{dragonfly,"), (target, result.stderr)


def test_a_full_disk_when_the_journal_is_folded_is_a_saved_change_and_one_warning(run, monkeypatch):
    from vlmreader.core.library import store
    from vlmreader.core.library.storage import AtomicJSONStorage

    assert run("star", "dragonfly")[0] == 0  # annotations.json exists: later changes go to the journal
    monkeypatch.setattr(store, "JOURNAL_FOLD_ENTRIES", 1)

    def disk_full(self, data):
        raise store.UserError(f"cannot write library file {self.path}: No space left on device")

    monkeypatch.setattr(AtomicJSONStorage, "write", disk_full)
    code, out, err = run("tag", "dragonfly", "kept")
    assert code == 0 and out == "dragonfly: kept\n"
    assert err.startswith("vlmreader: warning: saved in annotations.journal, but cannot write")
    monkeypatch.undo()
    assert json.loads(run("show", "dragonfly", "--json")[1])["tags"] == ["kept"]


def test_a_library_whose_lock_cannot_be_taken_reads_but_refuses_changes(home: Path):
    assert run_bytes("search", "x", home=home).returncode == 0  # creates the library
    (home / "library.lock").unlink(missing_ok=True)
    (home / "library.lock").mkdir()
    assert_one_line_error(run_bytes("star", "dragonfly", home=home), b"is read-only: cannot take library.lock")
    assert run_bytes("search", "dragonfly", home=home).stdout.startswith(b"  unread   dragonfly")
    assert run_bytes("export", "dragonfly", home=home).stdout.startswith(b"@misc{dragonfly,")


def test_merge_and_keep_apart_possible_duplicates(run, tmp_path: Path):
    bib = tmp_path / "arch.bib"
    bib.write_text(
        "@article{brown1995, title = {Editorial Comments}, author = {Brown, A.}, year = 1995}\n"
        "@article{green1996, title = {Editorial Comments}, author = {Green, B.}, year = 1996}\n"
        "@article{white2001, title = {Editorial Comments}, author = {White, C.}, year = 2001}\n"
    )
    run("import", str(bib))
    keys = lambda: sorted(hit["key"] for hit in json.loads(run("search", "is:duplicate", "--json")[1]))  # noqa: E731
    assert keys() == ["brown1995", "green1996", "white2001"]
    code, out, _ = run("merge", "brown1995", "green1996")
    assert code == 0 and out.startswith("merged    green1996 into brown1995")
    assert json.loads(run("show", "green1996", "--json")[1])["key"] == "brown1995"
    assert run("keep-apart", "brown1995", "white2001")[0] == 0
    assert keys() == []
