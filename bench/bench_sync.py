"""Benchmark sync: 10,000 annotated papers, two homes and a local bare repository.

    python bench/bench_sync.py [--papers 10000] [--repeat 5]

Home A holds the bundled corpus plus synthetic papers up to `--papers` (bench/synthetic.py),
every one annotated (a tag each, a status, every third starred, every fifth with a note). Then,
each as a whole `vlmreader sync` process:
- A's first sync (`sync init` on an empty bare repository: every paper goes out);
- B's first sync (`sync init`: a fresh home joins and takes every paper in);
- `--repeat` times: one star on A, then A's sync (target: 1 s), then B's sync that takes it in;
and the size of the bare repository on disk. Medians and the slowest; the machine is shared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import PaperGenerator, corpus_papers  # noqa: E402

from vlmreader.core import importing  # noqa: E402
from vlmreader.core.models import AddTags, SetNote, SetStatus, Star  # noqa: E402
from vlmreader.resources import data_dir  # noqa: E402

TARGET_SECONDS = 1.0


def vlmreader(home: Path, *arguments: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "vlmreader", *arguments, "--home", str(home)], check=True, capture_output=True)
    return time.perf_counter() - start


def size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        a, b, remote = root / "a", root / "b", root / "remote.git"
        library = importing.open_library(a, importing.bundled_pages(data_dir()))
        missing = arguments.papers - len(library)
        if missing > 0:
            library.add_papers(list(PaperGenerator(corpus_papers(data_dir())).papers(missing)))
        ids = [paper.id for paper in library]
        library.update(ids, AddTags(("bench",)))
        library.update(ids[::3], Star(True))
        library.update(ids[::2], SetStatus("queued"))
        for paper_id in ids[::5]:
            library.update([paper_id], SetNote(f"a note on {paper_id}\nwith two lines"))
        print(f"{len(library):,} papers, all annotated")
        subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
        print(f"A first sync (sends every paper)      {vlmreader(a, 'sync', 'init', str(remote)):6.2f} s")
        print(f"B first sync (joins, takes them in)   {vlmreader(b, 'sync', 'init', str(remote)):6.2f} s")
        print(f"repository after the first syncs      {size_of(remote) / 1e6:6.1f} MB on disk")
        joined = importing.open_library(b)
        starred = sum(1 for paper in joined if paper.starred)
        print(f"B now holds {len(joined):,} papers, {starred:,} starred (A: {sum(1 for p in library if p.starred):,})")
        sends, takes = [], []
        for round_number in range(arguments.repeat):
            vlmreader(a, "star" if round_number % 2 else "unstar", importing.open_library(a).get(ids[7]).key)
            sends.append(vlmreader(a, "sync"))
            takes.append(vlmreader(b, "sync"))
        print(
            f"one change, A's sync (target {TARGET_SECONDS:.0f} s)       median {statistics.median(sends):.2f} s, "
            f"slowest {max(sends):.2f} s"
        )
        print(f"one change, B's sync taking it in       median {statistics.median(takes):.2f} s, slowest {max(takes):.2f} s")
        print(f"repository after {arguments.repeat} more syncs          {size_of(remote) / 1e6:6.1f} MB on disk")
    return 0


if __name__ == "__main__":
    sys.exit(main())
