"""The git command-line tool, run for sync's own repository and nothing else.

Sync keeps a bare repository in the library's home (`sync/repo.git`) and moves files with the
`git` program (2.28 or newer), through plumbing only (`fast-import`, `ls-tree`, `cat-file`,
`merge-base`, `update-ref`, `fetch`, `push`): there is no work tree or index to be left
half-written by a kill, and git's merge never runs (the merge rules are ours, in merge.py).

Every git runs with a clean environment: no `GIT_*` variable of the user's shell leaks in (a
`GIT_DIR` or `GIT_INDEX_FILE` there would point git at another repository), prompts are off
(`GIT_TERMINAL_PROMPT=0`, ssh in batch mode), hooks and commit signing are disabled, the
identity is the machine's, set in the repository's own config, and each call has a timeout:
a remote that asks for a password or does not answer fails in one line instead of hanging.
The user's global config is still read, for the credential helpers and ssh settings that let
git reach their remote.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from vlmreader.core.models import UserError

LOCAL_TIMEOUT_SECONDS = 60
NETWORK_TIMEOUT_SECONDS = 60
_KEPT_VARIABLES = ("PATH", "HOME", "USER", "LOGNAME", "SSH_AUTH_SOCK", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
"""What git and ssh need from the user's environment: where programs are, the home folder with
its `~/.ssh` and credential helpers, the ssh agent."""
_SAFETY = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "commit.gpgSign=false",
    "-c", "core.fsyncMethod=fsync",
    "-c", "core.fsync=objects,derived-metadata,reference",
    "-c", "gc.auto=0",
    "-c", "maintenance.auto=false",
)


class SyncError(UserError):
    """Sync could not be done; the library is as it was (the message says why, in one line)."""


def git_program() -> str:
    found = shutil.which("git")
    if found is None:
        raise SyncError("sync needs the git program, which is not installed (Debian: apt-get install git)")
    return found


def clean_environment() -> dict[str, str]:
    """The environment every git of sync runs in."""
    environment = {name: os.environ[name] for name in _KEPT_VARIABLES if name in os.environ}
    environment.update(
        LC_ALL="C",
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        GIT_SSH_COMMAND="ssh -o BatchMode=yes -o ConnectTimeout=20",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return environment


class Git:
    """git for one bare repository (`directory`)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory).absolute()
        self.program = git_program()
        self.environment = clean_environment()

    def run(
        self,
        *arguments: str,
        input: bytes | None = None,
        network: bool = False,
        check: bool = True,
        repository: bool = True,
        large: bool = False,
    ) -> subprocess.CompletedProcess:
        """Run `git ARGUMENTS` in the repository; a failure is a SyncError with git's own last line.
        `large`: the input and output go through temporary files, not pipes (megabytes of blobs
        through pipes cost Python a poll a few kilobytes)."""
        if large:
            return self._run_through_files(arguments, input or b"", check)
        command = [self.program, *_SAFETY]
        if repository:
            command.append(f"--git-dir={self.directory}")
        command.extend(arguments)
        timeout = NETWORK_TIMEOUT_SECONDS if network else LOCAL_TIMEOUT_SECONDS
        try:
            completed = subprocess.run(
                command,
                input=input,
                capture_output=True,
                env=self.environment,
                timeout=timeout,
                stdin=subprocess.DEVNULL if input is None else None,
                cwd=self.directory if self.directory.is_dir() else None,
            )
        except subprocess.TimeoutExpired:
            what = "the remote did not answer" if network else f"git {arguments[0]} did not finish"
            raise SyncError(f"{what} within {timeout} s; nothing was changed") from None
        except OSError as error:
            raise SyncError(f"cannot run git: {error.strerror or error}") from None
        if check and completed.returncode != 0:
            raise SyncError(_last_line(completed.stderr) or f"git {arguments[0]} failed ({completed.returncode})")
        return completed

    def _run_through_files(self, arguments: tuple[str, ...], input: bytes, check: bool) -> subprocess.CompletedProcess:
        import tempfile

        command = [self.program, *_SAFETY, f"--git-dir={self.directory}", *arguments]
        with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as output:
            given.write(input)
            given.seek(0)
            try:
                completed = subprocess.run(
                    command, stdin=given, stdout=output, stderr=subprocess.PIPE, env=self.environment,
                    timeout=LOCAL_TIMEOUT_SECONDS,
                )
            except subprocess.TimeoutExpired:
                raise SyncError(f"git {arguments[0]} did not finish within {LOCAL_TIMEOUT_SECONDS} s") from None
            except OSError as error:
                raise SyncError(f"cannot run git: {error.strerror or error}") from None
            output.seek(0)
            completed.stdout = output.read()
        if check and completed.returncode != 0:
            raise SyncError(_last_line(completed.stderr) or f"git {arguments[0]} failed ({completed.returncode})")
        return completed

    def text(self, *arguments: str, network: bool = False) -> str:
        return self.run(*arguments, network=network).stdout.decode("utf-8", "replace").strip()

    def commit_of(self, ref: str) -> str | None:
        """The commit `ref` names, or None if there is no such ref."""
        completed = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return completed.stdout.decode().strip() or None if completed.returncode == 0 else None

    def tree(self, commit: str | None) -> dict[str, str]:
        """{path: blob id} of every file of `commit` (nothing for None)."""
        if commit is None:
            return {}
        output = self.run("ls-tree", "-r", "-z", "--full-tree", commit, large=True).stdout
        files = {}
        for entry in output.split(b"\0"):
            if entry:
                meta, path = entry.split(b"\t", 1)
                files[path.decode("utf-8")] = meta.split()[2].decode()
        return files

    def blobs(self, ids: list[str]) -> dict[str, bytes]:
        """The content of each blob, in one `cat-file --batch`."""
        if not ids:
            return {}
        unique = list(dict.fromkeys(ids))
        output = self.run("cat-file", "--batch", input=("\n".join(unique) + "\n").encode(), large=True).stdout
        contents, position = {}, 0
        for blob in unique:
            header_end = output.index(b"\n", position)
            header = output[position:header_end].split()
            if len(header) < 3 or header[1] == b"missing":
                raise SyncError(f"the sync repository lacks object {blob}; run `vlmreader sync` again")
            size = int(header[2])
            contents[blob] = output[header_end + 1 : header_end + 1 + size]
            position = header_end + 1 + size + 1
        return contents

    def merge_base(self, one: str, other: str) -> str | None:
        completed = self.run("merge-base", one, other, check=False)
        return completed.stdout.decode().strip() or None if completed.returncode == 0 else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.run("merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    meaningful = [line for line in lines if not line.startswith(("hint:", "To ", " ! "))]
    line = (meaningful or lines or [""])[-1]
    return line.removeprefix("fatal: ").removeprefix("error: ")


def blob_id(data: bytes) -> str:
    """The id git gives a file holding `data`, without asking git."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
