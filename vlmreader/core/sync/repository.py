"""Sync: one library on every machine, through a git repository that any host can keep.

`Sync(library).init(REMOTE)` sets up `HOME/sync/repo.git` (a bare repository: git only moves
files, there is no work tree), `sync()` pulls, merges and pushes, `status()` says what is on
one side only, `log(paper)` is a paper's history. The layout is layout.py's, the merge rules
merge.py's; git merges nothing itself.

One sync:

1. fetch the remote's `main` (`refs/remotes/origin/main`);
2. render the library as the repository's files, against `main` (the last commit the library
   was brought to): the fields that differ from it changed here, and get a stamp; commit that
   *snapshot* (parent: `main`);
3. if the remote has commits the snapshot lacks, merge per paper (base: the merge base; ours:
   the snapshot; theirs: the remote) and commit the result with both parents;
4. record the intent (`pending.json`: the merged commit and the snapshot), then bring the
   library to the merged commit: for each field, what the merge says where the library still
   holds what the snapshot had, the library's own value where it changed since (a change made
   during the sync is kept, and goes out with the next one). Records first, then annotations,
   each through the library's own locked writes;
5. point `main` at the merged commit, drop the intent;
6. push it; if another machine pushed first, start again from 1.

A kill at any moment leaves either the old state or one the next sync completes: git objects
and refs are written atomically, step 4 can be done again and again with the same result (it
compares with the snapshot, not with the library's past), and until step 5 `main` still says
which commit the library was last brought to. A sync that fails (no network, the remote gone,
authentication refused) before step 4 changes nothing in the library, and says why in one line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vlmreader.core.files import user_path, write_atomically
from vlmreader.core.kept import KeptExports, KeptExport
from vlmreader.core.library import Library
from vlmreader.core.models import NO_ANNOTATION, Paper, PaperRecord, UserError, now_timestamp
from vlmreader.core.sync.clock import Clock, milliseconds_of_timestamp, stamp_machine, stamp_time
from vlmreader.core.sync.git import Git, SyncError, blob_id
from vlmreader.core.sync.layout import (
    FORMAT_DOCUMENT,
    FORMAT_FILE,
    KEPT_FILE,
    Document,
    annotation_values,
    decode,
    encode,
    gone_of,
    has_content,
    is_paper_path,
    kept_entries,
    kept_present,
    note_of,
    paper_path,
    record_as_json,
    record_document,
    record_from_document,
    render_kept,
    render_paper,
    starred_of,
    status_of,
    tag_entries,
    tags_present,
)
from vlmreader.core.sync.merge import annotation_changed, fold_into, merge_kept, merge_paper
from vlmreader.core.vocabulary import UNREAD, has_sync_conflict

SYNC_FOLDER = "sync"
REPOSITORY_FOLDER = "repo.git"
STATE_FILE = "state.json"
PENDING_FILE = "pending.json"
LOCK_FILE = "sync.lock"
BRANCH = "refs/heads/main"
REMOTE_BRANCH = "refs/remotes/origin/main"
SCRATCH_REF = "refs/vlmreader/scratch"
KILL_VARIABLE = "VLMREADER_SYNC_KILL_AT"
"""For the tests: the step at which a sync kills itself with SIGKILL (one of STEPS)."""
STEPS = ("fetched", "committed", "applied-records", "applied", "advanced", "pushed")
PUSH_ATTEMPTS = 5


def _kill_if_asked(step: str) -> None:
    if os.environ.get(KILL_VARIABLE) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def _machine_id() -> str:
    host = "".join(c if c.isalnum() or c == "-" else "-" for c in socket.gethostname().lower()).strip("-")
    return f"{host[:24] or 'machine'}-{uuid.uuid4().hex[:4]}"


@dataclass
class SyncReport:
    """What one sync did."""

    sent: list[str] = field(default_factory=list)
    """Keys of the papers changed here that went out."""
    received: list[str] = field(default_factory=list)
    """Keys of the papers another machine changed, now in the library."""
    conflicts: list[str] = field(default_factory=list)
    """Keys of the papers whose notes now hold both versions of a line (`is:conflict`)."""
    joined: list[tuple[str, str]] = field(default_factory=list)
    """(key kept, key merged into it) of papers both machines had added."""
    pushed: bool = False
    commit: str = ""
    resumed: bool = False
    """A sync killed earlier was completed first."""


@dataclass
class SyncStatus:
    remote: str
    machine: str
    last_sync: str
    last_error: str
    local_only: list[str]
    """Keys of papers changed here and not yet on the remote."""
    remote_only: list[str]
    """Keys of papers changed on the remote and not yet here."""
    fetch_error: str = ""


@dataclass
class _Snapshot:
    main: str | None
    main_docs: dict[str, Document]
    docs: dict[str, Document]
    """Every file of the snapshot (main's, with what changed here)."""
    changed: dict[str, Document]
    """The files that differ from main's."""


def bundled_corpus(pages: list[Path]) -> tuple[frozenset[str], frozenset[str]]:
    """(ids, collections) of the papers of the bundled listing pages: every machine has them."""
    from vlmreader.core.formats.listing import merge_entries, read_listing_pages
    from vlmreader.core.text import paper_id_for

    papers = merge_entries(read_listing_pages(pages))
    return frozenset(paper_id_for(paper.record.title) for paper in papers), frozenset(page.stem for page in pages)


def sync_is_set_up(home: Path) -> bool:
    """Whether `vlmreader sync init` has set up sync for the library in `home` (two stat calls)."""
    folder = Path(home).absolute() / SYNC_FOLDER
    return (folder / STATE_FILE).is_file() and (folder / REPOSITORY_FOLDER / "HEAD").is_file()


class Sync:
    """Sync for the library in `library.home`. `bundled`: the bundled corpus's paper ids and
    collections (`bundled_corpus`): every machine has those papers, so they are not copied
    into the repository unless the user's changes or a metadata source made them differ."""

    def __init__(self, library: Library, bundled: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())):
        self.library = library
        self.folder = Path(library.home).absolute() / SYNC_FOLDER
        self.git = Git(self.folder / REPOSITORY_FOLDER)
        self.bundled = bundled
        self._aliases: dict[str, str] | None = None

    # -- state ---------------------------------------------------------------------------

    @property
    def is_set_up(self) -> bool:
        return sync_is_set_up(self.library.home)

    def state(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / STATE_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise SyncError(f"cannot read {self.folder / STATE_FILE} ({error}); fix or remove it") from None

    def _save_state(self, **changes: Any) -> None:
        state = {**self.state(), **changes}
        write_atomically(self.folder / STATE_FILE, json.dumps(state, indent=2, ensure_ascii=False).encode() + b"\n")

    def _require_set_up(self) -> None:
        if not self.is_set_up:
            raise SyncError("this library does not sync yet: `vlmreader sync init REMOTE` sets it up")

    def _locked(self):
        from filelock import FileLock, Timeout

        lock = FileLock(self.folder / LOCK_FILE, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise SyncError("another vlmreader is syncing this library; try again when it is done") from None
        return lock

    # -- the commands --------------------------------------------------------------------

    def init(self, remote: str) -> SyncReport:
        """Sync with `remote` from now on: an empty repository (this library goes there first) or
        one other machines sync with (this one joins, and the two are merged)."""
        if self.is_set_up:
            raise SyncError(f"this library already syncs with {self.state().get('remote', '?')}")
        remote = remote.strip()
        if not remote:
            raise SyncError("give the remote: a git URL or the path of a (bare) repository")
        if "://" not in remote and ":" not in remote.split("/")[0] and Path(remote).expanduser().exists():
            remote = str(Path(remote).expanduser().resolve())
        existed = self.folder.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self.git.run("init", "--quiet", "--bare", "--initial-branch=main", str(self.git.directory), repository=False)
            machine = _machine_id()
            for name, value in (
                ("user.name", machine),
                ("user.email", f"{machine}@vlmreader.invalid"),
                ("core.hooksPath", "/dev/null"),
                ("commit.gpgSign", "false"),
                ("gc.auto", "0"),
                ("pack.depth", "1"),
                ("remote.origin.url", remote),
                ("remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"),
            ):
                self.git.run("config", name, value)
            self._save_state(machine=machine, remote=remote, clock="", last_sync="", last_error="")
            return self.sync()
        except (SyncError, UserError):
            if self.git.directory.exists() and self.git.commit_of(BRANCH) is None and not (self.folder / PENDING_FILE).exists():
                shutil.rmtree(self.git.directory, ignore_errors=True)
                (self.folder / STATE_FILE).unlink(missing_ok=True)
                if not existed:
                    shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def sync(self) -> SyncReport:
        """Pull, merge and push (see the module's docstring)."""
        self._require_set_up()
        lock = self._locked()
        try:
            try:
                report = self._sync()
            except UserError as error:
                self._save_state(last_error=f"{now_timestamp()}: {error}")
                raise
            self._save_state(last_sync=now_timestamp(), last_error="")
            return report
        finally:
            lock.release()

    def status(self) -> SyncStatus:
        """What is here only and what is on the remote only (after a fetch, if it can reach it)."""
        self._require_set_up()
        state = self.state()
        fetch_error = ""
        try:
            self._fetch()
        except SyncError as error:
            fetch_error = str(error)
        main, theirs = self.git.commit_of(BRANCH), self.git.commit_of(REMOTE_BRANCH)
        snapshot = self._render(main, Clock(state.get("machine", "?"), state.get("clock", "")))
        local = [path for path in snapshot.changed if is_paper_path(path)]
        remote: list[str] = []
        if main is not None and theirs is not None and main != theirs:
            base = self.git.merge_base(main, theirs)
            if base != main:
                local += self._changed_paths(base, main)
            if base != theirs:
                remote = self._changed_paths(base, theirs)
        elif main is None and theirs is not None:
            remote = [path for path in self.git.tree(theirs) if is_paper_path(path)]
        return SyncStatus(
            remote=state.get("remote", ""),
            machine=state.get("machine", ""),
            last_sync=state.get("last_sync", ""),
            last_error=state.get("last_error", ""),
            local_only=self._keys_of(dict.fromkeys(local), snapshot.docs),
            remote_only=self._keys_of(dict.fromkeys(remote), {}),
            fetch_error=fetch_error,
        )

    def log(self, paper: Paper) -> list[tuple[str, str, str]]:
        """A paper's history from the repository, oldest first: (when, which machine, what)."""
        self._require_set_up()
        path = paper_path(paper.id)
        events: list[tuple[str, str, str]] = []
        main = self.git.commit_of(BRANCH)
        versions: list[Document] = []
        if main is not None:
            commits = self.git.text("log", "--format=%H", "--full-history", main, "--", path).split()
            names = [f"{commit}:{path}" for commit in reversed(commits)]
            if names:
                output = self.git.run("cat-file", "--batch", input=("\n".join(names) + "\n").encode()).stdout
                versions = [decode(blob, path) for blob in _batch_contents(output)]
        current = self._render_one(paper, versions[-1] if versions else None, Clock("here (not synced yet)"))
        if current is not None and (not versions or current != versions[-1]):
            versions.append(current)
        previous: Document | None = None
        for version in versions:
            events += _changes(previous, version)
            previous = version
        seen = set()
        unique = []
        for event in sorted(events):
            if event not in seen:
                seen.add(event)
                unique.append(event)
        return unique

    # -- one sync ------------------------------------------------------------------------

    def _sync(self) -> SyncReport:
        report = SyncReport()
        if (self.folder / PENDING_FILE).exists():
            self._finish_pending()
            report.resumed = True
        state = self.state()
        for _ in range(PUSH_ATTEMPTS):
            self._fetch()
            _kill_if_asked("fetched")
            clock = Clock(state["machine"], state.get("clock", ""))
            main, theirs = self.git.commit_of(BRANCH), self.git.commit_of(REMOTE_BRANCH)
            snapshot = self._render(main, clock)
            merged, snapshot_commit, changes = self._merge(snapshot, theirs, clock, report)
            if merged != main:
                self._write_pending(merged, snapshot_commit)
                _kill_if_asked("committed")
                self._apply(changes)
                _kill_if_asked("applied")
                self.git.run("update-ref", BRANCH, merged)
                (self.folder / PENDING_FILE).unlink(missing_ok=True)
                self._save_state(clock=clock.latest)
                _kill_if_asked("advanced")
            report.commit = merged or ""
            if merged is None or merged == theirs:
                return report
            if self._push(merged):
                report.pushed = True
                _kill_if_asked("pushed")
                return report
            state = self.state()
        raise SyncError("the remote kept changing while this sync ran; run `vlmreader sync` again")

    def _fetch(self) -> None:
        completed = self.git.run("fetch", "--quiet", "--no-tags", "--prune", "origin", network=True, check=False)
        if completed.returncode != 0:
            from vlmreader.core.sync.git import _last_line

            raise SyncError(f"cannot fetch from {self.state().get('remote', 'the remote')}: {_last_line(completed.stderr)}; nothing was changed")

    def _push(self, commit: str) -> bool:
        """Push `commit` as the remote's main; False if another machine pushed first."""
        completed = self.git.run("push", "--porcelain", "origin", f"{commit}:{BRANCH}", network=True, check=False)
        if completed.returncode == 0:
            self.git.run("update-ref", REMOTE_BRANCH, commit)
            return True
        output = (completed.stdout + completed.stderr).decode("utf-8", "replace")
        if "non-fast-forward" in output or "fetch first" in output or "[rejected]" in output:
            return False
        from vlmreader.core.sync.git import _last_line

        raise SyncError(
            f"merged here, but cannot push to {self.state().get('remote', 'the remote')}: "
            f"{_last_line(completed.stderr)}; the next sync sends it"
        )

    def _write_pending(self, merged: str, snapshot: str) -> None:
        data = json.dumps({"merged": merged, "snapshot": snapshot}).encode() + b"\n"
        write_atomically(self.folder / PENDING_FILE, data)

    def _finish_pending(self) -> None:
        """Complete a sync killed after it merged: bring the library to the merged commit."""
        pending = json.loads((self.folder / PENDING_FILE).read_text(encoding="utf-8"))
        merged, snapshot = pending["merged"], pending["snapshot"]
        paths = self._changed_paths(snapshot, merged, papers_only=False)
        snapshot_docs = self._docs_at(snapshot, paths)
        merged_docs = self._docs_at(merged, paths)
        changes = {path: (snapshot_docs.get(path), merged_docs[path]) for path in paths if path in merged_docs}
        self._apply(changes)
        self.git.run("update-ref", BRANCH, merged)
        (self.folder / PENDING_FILE).unlink(missing_ok=True)

    # -- reading the repository -----------------------------------------------------------

    def _changed_paths(self, one: str, other: str, papers_only: bool = True) -> list[str]:
        output = self.git.run("diff-tree", "-r", "-z", "--no-renames", "--name-only", one, other).stdout
        paths = [path.decode("utf-8") for path in output.split(b"\0") if path]
        return [path for path in paths if is_paper_path(path)] if papers_only else paths

    def _docs_at(self, commit: str | None, paths: list[str] | None = None) -> dict[str, Document]:
        tree = self.git.tree(commit)
        if paths is not None:
            tree = {path: tree[path] for path in paths if path in tree}
        blobs = self.git.blobs(list(tree.values()))
        return {path: decode(blobs[blob], path) for path, blob in tree.items()}

    def _keys_of(self, paths, docs: dict[str, Document]) -> list[str]:
        keys = []
        for path in paths:
            paper_id = path.rsplit("/", 1)[-1].removesuffix(".json")
            if paper_id in self.library:
                keys.append(self.library.get(paper_id).key)
            else:
                keys.append((docs.get(path) or {}).get("key") or paper_id)
        return keys

    # -- the library as files ------------------------------------------------------------

    def _render_one(self, paper: Paper, base: Document | None, clock: Clock) -> Document | None:
        record = record_document(paper.record, self.bundled)
        annotation = paper.annotation
        if base is None and record is None and not _annotated(annotation):
            return None
        def stamp(field: str) -> str:
            # a record is dated by the sync that first sends it: records keep no change time
            return clock.stamp(None if field == "record" else milliseconds_of_timestamp(annotation.changed_at(field)))

        return render_paper(paper.id, paper.key, annotation, record, base, stamp)

    def _render(self, main: str | None, clock: Clock) -> _Snapshot:
        """The library as the repository's files, each field stamped where it differs from `main`."""
        self.library.refresh()
        self._aliases = None
        main_docs = self._docs_at(main)
        docs = dict(main_docs)
        changed: dict[str, Document] = {}
        for paper in self.library:
            path = paper_path(paper.id)
            base = main_docs.get(path)
            document = self._render_one(paper, base, clock)
            if document is not None and document != base:
                changed[path] = docs[path] = document
        for path, base in main_docs.items():
            if not is_paper_path(path) or gone_of(base) or base.get("id") in self.library:
                continue
            into = self._merged_into(base)
            if into is not None or "record" in base:
                changed[path] = docs[path] = {**base, "gone": [into or "", clock.stamp()]}
        exports = [(export.path, export.query, export.format) for export in KeptExports(self.library).all()]
        base = main_docs.get(KEPT_FILE)
        if exports or base is not None:
            kept = render_kept(exports, base, clock.stamp)
            if kept != base:
                changed[KEPT_FILE] = docs[KEPT_FILE] = kept
        if FORMAT_FILE not in main_docs:
            changed[FORMAT_FILE] = docs[FORMAT_FILE] = dict(FORMAT_DOCUMENT)
        return _Snapshot(main, main_docs, docs, changed)

    def _merged_into(self, document: Document) -> str | None:
        """The paper of this library that a paper gone from it was merged into (its key is one of
        that paper's earlier keys), if any."""
        if self._aliases is None:
            self._aliases = {
                alias.casefold(): record.id for record in self.library.records() for alias in record.aliases
            }
        return self._aliases.get(str(document.get("key", "")).casefold())

    # -- merging --------------------------------------------------------------------------

    def _merge(self, snapshot: _Snapshot, theirs: str | None, clock: Clock, report: SyncReport):
        """(the commit the library is to be brought to, the snapshot's commit, {path: (snapshot
        document, merged document)} for what the library must take)."""
        main = snapshot.main
        report.sent = self._keys_of([p for p in snapshot.changed if is_paper_path(p)], snapshot.docs)
        nothing_new = theirs is None or theirs == main or (main is not None and self.git.is_ancestor(theirs, main))
        if nothing_new:
            if not snapshot.changed and main is not None:
                return main, main, {}
            commit = self._commit([main] if main else [], snapshot.changed, self._message(len(report.sent), "changed"))
            return commit, commit, {}
        base = self.git.merge_base(main, theirs) if main else None
        if base == main and not snapshot.changed:  # fast-forward: only the remote changed
            paths = self._changed_paths(main, theirs, papers_only=False) if main else list(self.git.tree(theirs))
            theirs_docs = self._docs_at(theirs, paths)
            for document in theirs_docs.values():
                _observe(clock, document)
            report.received = self._keys_of([p for p in theirs_docs if is_paper_path(p)], theirs_docs)
            report.sent = []
            changes = {path: (snapshot.docs.get(path), doc) for path, doc in theirs_docs.items() if doc != snapshot.docs.get(path)}
            self._note_conflicts(changes, report)
            return theirs, main, changes
        # Both sides changed: merge path by path.
        if base is None:
            theirs_paths = list(self.git.tree(theirs))
            ours_paths = list(snapshot.docs)
        else:
            theirs_paths = self._changed_paths(base, theirs, papers_only=False)
            ours_paths = list(snapshot.changed) + (self._changed_paths(base, main, papers_only=False) if base != main else [])
        paths = list(dict.fromkeys(ours_paths + theirs_paths))
        base_docs = self._docs_at(base, paths) if base is not None else {}
        theirs_docs = self._docs_at(theirs, theirs_paths)
        for document in theirs_docs.values():
            _observe(clock, document)
        merged_docs: dict[str, Document] = {}
        for path in paths:
            b = base_docs.get(path)
            o = snapshot.docs.get(path)
            t = theirs_docs.get(path) if path in theirs_docs or base is None else b
            if path == KEPT_FILE:
                merged_docs[path] = merge_kept(b, o, t)
            elif path == FORMAT_FILE:
                merged_docs[path] = dict(FORMAT_DOCUMENT)
            elif o is None and t is None:
                continue
            else:
                merged_docs[path] = merge_paper(b, o, t, self._merge_note)
        self._join_duplicates(merged_docs, base_docs, snapshot, theirs_docs, clock, report)
        self._fold_gone(merged_docs, base_docs, snapshot, theirs_docs)
        snapshot_commit = main
        if snapshot.changed or main is None:
            snapshot_commit = self._commit([main] if main else [], snapshot.changed, self._message(len(report.sent), "changed"))
        tree_changes = {path: doc for path, doc in merged_docs.items() if doc != snapshot.docs.get(path)}
        received = [p for p in tree_changes if is_paper_path(p)]
        report.received = self._keys_of(received, merged_docs)
        merged = self._commit([snapshot_commit, theirs], tree_changes, f"merge: {len(received)} papers from the remote")
        changes = {path: (snapshot.docs.get(path), doc) for path, doc in tree_changes.items()}
        self._note_conflicts(changes, report)
        return merged, snapshot_commit, changes

    def _note_conflicts(self, changes: dict[str, tuple], report: SyncReport) -> None:
        for path, (_, merged) in changes.items():
            if is_paper_path(path) and has_sync_conflict(note_of(merged)[0]) and not gone_of(merged):
                report.conflicts.append(merged.get("key") or merged.get("id", ""))

    def _merge_note(self, base: str, older: tuple[str, str], newer: tuple[str, str]) -> str:
        """Three-way merge of a note's text (git merge-file); both versions of lines changed on both."""
        ends_with_newline = any(text.endswith("\n") for text in (base, older[0], newer[0]))
        with tempfile.TemporaryDirectory(dir=self.folder) as folder:
            names = []
            for name, text in (("older", older[0]), ("base", base), ("newer", newer[0])):
                path = Path(folder) / name
                path.write_text(text if text.endswith("\n") or not text else text + "\n", encoding="utf-8")
                names.append(str(path))
            labels = [f"{stamp_machine(older[1])} {stamp_time(older[1])}", "before", f"{stamp_machine(newer[1])} {stamp_time(newer[1])}"]
            completed = self.git.run(
                "merge-file", "-p", "-L", labels[0], "-L", labels[1], "-L", labels[2], *names, repository=False, check=False
            )
        if completed.returncode < 0 or completed.returncode > 127:
            raise SyncError("git merge-file failed on a note")
        text = completed.stdout.decode("utf-8", "replace")
        return text if ends_with_newline else text.removesuffix("\n")

    def _join_duplicates(self, merged_docs, base_docs, snapshot: _Snapshot, theirs_docs, clock: Clock, report: SyncReport) -> None:
        """Papers both machines added (the same DOI, arXiv id, or title with nothing against it)
        under different ids become one: the smaller id keeps it, the other is gone into it."""
        arrivals = [
            (path, doc) for path, doc in merged_docs.items()
            if is_paper_path(path) and path not in base_docs and path not in snapshot.docs
            and doc.get("record") and not gone_of(doc)
        ]
        if not arrivals:
            return
        from vlmreader.core.library.identity import PaperIdentities

        identities = PaperIdentities(self.library.records())
        for path, arrived in arrivals:
            record = record_from_document(arrived["record"])
            match = identities.match(record, ("", ""))
            here = match.same_as
            if here is None or here == arrived["id"] or here not in self.library:
                continue
            here_path = paper_path(here)
            here_doc = merged_docs.get(here_path) or snapshot.docs.get(here_path)
            if here_doc is None:
                here_doc = {"id": here, "key": self.library.get(here).key}
            if gone_of(here_doc):
                continue
            if "record" not in here_doc:
                here_doc = {**here_doc, "record": record_as_json(self.library.get(here).record)}
            keep, lose = sorted([(here, here_doc), (arrived["id"], arrived)], key=lambda pair: pair[0])
            stamp = clock.stamp()
            kept = fold_into(keep[1], lose[1])
            kept["record"] = _absorbed(kept["record"], lose[1]["record"])
            kept["record_at"] = stamp
            kept["key"] = kept["record"]["key"]
            merged_docs[paper_path(keep[0])] = kept
            merged_docs[paper_path(lose[0])] = {**lose[1], "gone": [keep[0], stamp]}
            report.joined.append((kept["key"], lose[1].get("key", "")))

    def _fold_gone(self, merged_docs, base_docs, snapshot: _Snapshot, theirs_docs) -> None:
        """A paper merged into another on one side, whose annotation the other side changed
        meanwhile: that change goes to the paper it was merged into."""
        for path, merged in list(merged_docs.items()):
            gone = gone_of(merged)
            if not is_paper_path(path) or gone is None or not gone[0] or gone_of(base_docs.get(path)):
                continue
            base = base_docs.get(path)
            for side in (snapshot.docs.get(path), theirs_docs.get(path)):
                if side is not None and not gone_of(side) and annotation_changed(base, side):
                    target_path = paper_path(gone[0])
                    target = merged_docs.get(target_path) or snapshot.docs.get(target_path) or theirs_docs.get(target_path)
                    if target is not None:
                        merged_docs[target_path] = fold_into(target, side)

    def _commit(self, parents: list[str], files: dict[str, Document], message: str) -> str:
        """A commit of the first parent's tree with `files` written (git fast-import)."""
        machine = self.state().get("machine", "vlmreader")
        chunks = [f"reset {SCRATCH_REF}\n".encode(), f"commit {SCRATCH_REF}\n".encode()]
        chunks.append(f"committer {machine} <{machine}@vlmreader.invalid> {int(time.time())} +0000\n".encode())
        body = message.encode("utf-8")
        chunks.append(b"data %d\n%s\n" % (len(body), body))
        if parents:
            chunks.append(f"from {parents[0]}\n".encode())
        for parent in parents[1:]:
            chunks.append(f"merge {parent}\n".encode())
        for path in sorted(files):
            data = encode(files[path])
            chunks.append(f"M 100644 inline {path}\n".encode())
            chunks.append(b"data %d\n%s\n" % (len(data), data))
        chunks.append(b"\ndone\n")
        # --depth=0: papers' files are small and unlike each other, so deltas save little space,
        # and reading 10,000 of them through 50-deep delta chains takes twice as long.
        self.git.run("fast-import", "--quiet", "--force", "--done", "--depth=0", input=b"".join(chunks), large=True)
        commit = self.git.commit_of(SCRATCH_REF)
        if commit is None:
            raise SyncError("git fast-import wrote no commit")
        return commit

    def _message(self, count: int, verb: str) -> str:
        return f"{self.state().get('machine', '?')}: {count} paper{'s' if count != 1 else ''} {verb}"

    # -- bringing the library to a commit --------------------------------------------------

    def _apply(self, changes: dict[str, tuple[Document | None, Document]]) -> None:
        """Bring the library to the merged documents: each field takes the merged value where the
        library still holds the snapshot's, and keeps its own where it changed since. Doing it
        twice is doing it once."""
        if not changes:
            return
        library = self.library
        library.refresh()
        papers = {path: pair for path, pair in changes.items() if is_paper_path(path)}
        gone = [merged["id"] for _, merged in papers.values() if gone_of(merged) and merged["id"] in library]
        if gone:
            library.revise(gone, lambda _, annotation: NO_ANNOTATION)
        bundled = self.bundled

        def rewrite(records: dict[str, PaperRecord]) -> dict[str, PaperRecord]:
            records = dict(records)
            taken: list[str] = []
            for snapshot, merged in papers.values():
                paper_id = merged["id"]
                if gone_of(merged):
                    records.pop(paper_id, None)
                    continue
                wanted, before = merged.get("record"), (snapshot or {}).get("record")
                if wanted is None:
                    continue
                current = records.get(paper_id)
                now = record_document(current, bundled) if current is not None else None
                if current is not None and now not in (before, wanted):
                    continue  # changed here during the sync: kept, and sent by the next one
                if now != wanted:
                    records[paper_id] = record_from_document(wanted)
                    taken.append(paper_id)
            return _with_free_keys(records, taken)

        if any(gone_of(merged) or merged.get("record") != (snapshot or {}).get("record") for snapshot, merged in papers.values()):
            library.rewrite_records(rewrite)
        _kill_if_asked("applied-records")
        targets = {
            merged["id"]: (snapshot, merged)
            for snapshot, merged in papers.values()
            if not gone_of(merged) and merged["id"] in library and annotation_values(snapshot) != annotation_values(merged)
        }
        if targets:
            library.revise(list(targets), lambda paper_id, current: _brought_to(current, *targets[paper_id]))
        if KEPT_FILE in changes:
            self._apply_kept(*changes[KEPT_FILE])

    def _apply_kept(self, snapshot: Document | None, merged: Document) -> None:
        before, wanted = kept_present(snapshot), kept_present(merged)

        def merge(current: list[KeptExport]) -> list[KeptExport]:
            by_path = {_portable(export.path): export for export in current}
            for path in set(before) | set(wanted):
                here = by_path.get(path)
                now = (here.query, here.format) if here is not None else None
                if now != before.get(path):
                    continue  # changed here during the sync
                if path in wanted:
                    query, format_name = wanted[path]
                    if here is None:
                        by_path[path] = KeptExport(path=str(user_path(path)), query=query, format=format_name)
                    else:
                        by_path[path] = replace(here, query=query, format=format_name, inputs_digest="")
                else:
                    by_path.pop(path, None)
            return list(by_path.values())

        KeptExports(self.library).update(merge)


def _portable(path: str) -> str:
    from vlmreader.core.sync.layout import portable_path

    return portable_path(path)


def _annotated(annotation) -> bool:
    return bool(annotation.starred or annotation.tags or annotation.note or annotation.status != UNREAD)


def _brought_to(current, snapshot: Document | None, merged: Document):
    """`current` with each field the merge changed, unless it changed here since the snapshot."""
    starred, status, note = current.starred, current.status, current.note
    if starred == starred_of(snapshot)[0]:
        starred = starred_of(merged)[0]
    if status == status_of(snapshot)[0]:
        status = status_of(merged)[0]
    if note == note_of(snapshot)[0]:
        note = note_of(merged)[0]
    before, wanted = tags_present(snapshot), tags_present(merged)
    removed = set(before) - set(wanted)
    tags = [tag for tag in current.tags if tag.casefold() not in removed]
    have = {tag.casefold() for tag in tags}
    tags += [spelling for folded, spelling in sorted(wanted.items()) if folded not in before and folded not in have]
    return replace(current, starred=starred, status=status, note=note, tags=tuple(tags))


def _with_free_keys(records: dict[str, PaperRecord], changed: list[str]) -> dict[str, PaperRecord]:
    """`records` where each paper sync brought in whose key another paper has takes a free one
    (`key-2`): the next sync sends the new key."""
    if not changed:
        return records
    owners: dict[str, str] = {}
    for record in records.values():
        for name in (record.key, *record.aliases):
            owners.setdefault(name.casefold(), record.id)
    for paper_id in changed:
        record = records[paper_id]
        owner = owners.get(record.key.casefold())
        if owner is None or owner == paper_id:
            owners[record.key.casefold()] = paper_id
            continue
        number = 2
        while f"{record.key}-{number}".casefold() in owners:
            number += 1
        key = f"{record.key}-{number}"
        owners[key.casefold()] = paper_id
        records[paper_id] = replace(record, key=key)
    return records


def _absorbed(keep: dict, other: dict) -> dict:
    """A record document with what `other` (the same paper) adds: its keys as earlier keys, its
    collections, and the fields and text `keep` lacks."""
    absorbed = dict(keep)
    aliases = [a for a in [*(keep.get("aliases") or []), other.get("key", ""), *(other.get("aliases") or [])] if a]
    absorbed["aliases"] = [a for a in dict.fromkeys(aliases) if a.casefold() != keep.get("key", "").casefold()]
    absorbed["collections"] = list(dict.fromkeys([*(keep.get("collections") or []), *(other.get("collections") or [])]))
    absorbed["fields"] = {**(other.get("fields") or {}), **(keep.get("fields") or {})}
    for name in ("abstract", "url"):
        absorbed[name] = keep.get(name) or other.get(name, "")
    if not keep.get("bibtex") and other.get("bibtex"):
        for name in ("bibtex", "context", "entry_type"):
            absorbed[name] = other.get(name)
    return absorbed


def _observe(clock: Clock, document: Document) -> None:
    for name in ("starred", "status", "note", "gone"):
        value = document.get(name)
        if value:
            clock.observe(str(value[-1]))
    for entry in tag_entries(document).values():
        clock.observe(str(entry[-1]))
    if document.get("record_at"):
        clock.observe(str(document["record_at"]))
    for entry in kept_entries(document).values():
        clock.observe(str(entry[-1]))


def _batch_contents(output: bytes) -> list[bytes]:
    contents, position = [], 0
    while position < len(output):
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        if len(header) < 3 or header[-1] == b"missing":
            position = header_end + 1
            continue
        size = int(header[2])
        contents.append(output[header_end + 1 : header_end + 1 + size])
        position = header_end + 1 + size + 1
    return contents


def _changes(before: Document | None, after: Document) -> list[tuple[str, str, str]]:
    """What changed from one version of a paper's document to the next: (when, machine, what)."""
    events = []

    def event(stamp: str, text: str) -> None:
        events.append((stamp_time(stamp), stamp_machine(stamp), text))

    for name, read in (("starred", starred_of), ("status", status_of)):
        old, new = read(before), read(after)
        if new[1] and new != old:
            value = new[0]
            text = ("starred" if value else "unstarred") if name == "starred" else f"status {old[0]} -> {value}"
            event(new[1], text)
    old_tags, new_tags = tag_entries(before), tag_entries(after)
    for folded, entry in sorted(new_tags.items()):
        if old_tags.get(folded) != entry:
            event(entry[2], f"tag {'+' if entry[1] else '-'}{entry[0]}")
    old_note, new_note = note_of(before), note_of(after)
    if new_note[1] and new_note != old_note:
        lines = len(new_note[0].splitlines())
        conflict = " (both versions kept: is:conflict)" if has_sync_conflict(new_note[0]) else ""
        event(new_note[1], f"note {'cleared' if not new_note[0] else f'changed ({lines} lines)'}{conflict}")
    if after.get("record") and after.get("record") != (before or {}).get("record"):
        old_record = (before or {}).get("record") or {}
        fields = sorted(name for name in set(after["record"]) | set(old_record) if after["record"].get(name) != old_record.get(name))
        what = "added" if not old_record else f"record changed: {', '.join(fields)}"
        event(after.get("record_at", ""), what)
    gone = gone_of(after)
    if gone and gone != gone_of(before):
        event(gone[1], f"merged into {gone[0]}" if gone[0] else "removed")
    return events
