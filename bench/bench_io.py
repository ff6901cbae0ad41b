"""Benchmark: BibTeX export of many papers, and importing many titles that share one name.

    python bench/bench_io.py                      # export 452 and 10,000 papers; 2,000 to 20,000 titles
    python bench/bench_io.py --papers 16000 --repeat 3
    python bench/bench_io.py --sizes 452,10000    # the whole export process at these sizes only

Export: the bundled corpus, then synthetic papers (synthetic.py) up to `--papers`, written with
`export_bibtex` in this process, median of `--repeat` runs after one warm-up; the target is 1 s
for 10,000 papers (bibtexparser's own writer takes about 0.15 s of that), and nothing may reach
stderr (bibtexparser used to warn there about deep copies).

Export as a user waits for it: the whole `vlmreader export` process (every paper, BibTeX) on
bench_core.py's libraries of `--sizes` papers (built on first use, kept in `--workdir`), once to
the standard output (`> out.bib`) and once with `-o FILE`, each the median of three runs after
one warm-up (which builds the caches a copied library lacks), with its peak RSS (`os.wait4`) and
what it wrote on stderr. Targets: 1 s at 10,000 papers, 10 s and 600 MB at 100,000.

Import: `vlmreader import` of a `.bib` of 20,000 of those papers (written by export, so every
value is LaTeX as a user's file has it), as a whole process into a home that holds the bundled
corpus, median of `--repeat` runs, and the process's peak RSS (`os.wait4`); then the same for a
`.bib` of about 50 MB. Targets: 20,000 entries in 10 s, a 50 MB `.bib` in under 600 MB.

Keys: `Library.add_papers` of N listing titles that all start with the same model name
("LLaVA: ..."), into a fresh library each time; every title but the first gets a suffix
(`llava-2`, `llava-3`, ...). Linear means the time per title stays the same as N grows
(the key search used to be quadratic: 20,000 such titles took about 3 minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import io
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import DEFAULT_SIZES, cli_command, ensure_library, machine_description, progress, run_measured, verdict  # noqa: E402

EXPORT_TARGET_S = {10_000: 1.0}
EXPORT_PROCESS_TARGET_S = {10_000: 1.0, 100_000: 10.0}
EXPORT_PROCESS_RSS_TARGET_MB = {100_000: 600}
EXPORT_PROCESS_REPEAT = 3
TITLE_COUNTS = (2_000, 5_000, 20_000)
IMPORT_ENTRIES = 20_000
IMPORT_TARGET_S = 10.0
LARGE_BIB_ENTRIES = 31_000
"""About 50 MB of BibTeX."""
RSS_TARGET_MB = 600


def papers_to_export(count: int) -> list:
    """The bundled papers, then synthetic ones with keys, up to `count`."""
    from synthetic import PaperGenerator, corpus_papers

    from vlmreader.core.importing import bundled_pages, open_library
    from vlmreader.core.keys import CitationKeys
    from vlmreader.resources import data_dir

    library = open_library(Path(tempfile.mkdtemp()) / "home", bundled_pages(data_dir()))
    papers = list(library)[:count]
    keys = CitationKeys(paper.key for paper in papers)
    for offered in PaperGenerator(corpus_papers(data_dir())).papers(max(0, count - len(papers))):
        record = replace(offered.record, id=f"s{len(papers):011d}", key=keys.new_key(offered.title))
        papers.append(replace(offered, record=record))
    return papers


def time_export(papers: list, repeat: int) -> dict:
    from vlmreader.core.formats.bibtex import export_bibtex

    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        export_bibtex(papers)  # warm-up: imports, caches
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            text = export_bibtex(papers)
            runs.append(time.perf_counter() - start)
    return {"papers": len(papers), "median_s": statistics.median(runs), "max_s": max(runs),
            "megabytes": len(text.encode()) / 2**20, "stderr": stderr.getvalue()}


def time_export_process(home: Path, to_file: bool) -> dict:
    """`vlmreader export` of every paper in `home`, to the standard output or with `-o FILE`:
    one warm-up run, then `EXPORT_PROCESS_REPEAT` timed ones."""
    output = home.parent / ("export-file.bib" if to_file else "export-stdout.bib")
    command = cli_command() + ["--home", str(home), "export"] + (["-o", str(output)] if to_file else [])
    stdout = Path(os.devnull) if to_file else output
    workdir = home.parent.parent
    run_measured(command, stdout, workdir)
    runs = [run_measured(command, stdout, workdir) for _ in range(EXPORT_PROCESS_REPEAT)]
    return {"median_s": statistics.median(wall for wall, _, _ in runs), "max_s": max(wall for wall, _, _ in runs),
            "peak_rss_mb": max(rss for _, rss, _ in runs), "megabytes": output.stat().st_size / 2**20,
            "stderr": runs[-1][2]}


def print_export_processes(workdir: Path, sizes: list[int]) -> None:
    """The whole `vlmreader export` process at each size, to the standard output and to a file."""
    print(f"\nEXPORT  vlmreader export (every paper, BibTeX), whole process; median (max) of {EXPORT_PROCESS_REPEAT}, peak RSS")
    for size in sizes:
        folder = workdir / f"library-{size}"
        ensure_library(folder, size, fresh=False)
        for to_file in (False, True):
            how = "-o FILE" if to_file else "> FILE "
            progress(f"{size:,} papers: vlmreader export {how}")
            figures = time_export_process(folder / "home", to_file)
            target, rss_target = EXPORT_PROCESS_TARGET_S.get(size), EXPORT_PROCESS_RSS_TARGET_MB.get(size)
            time_verdict = verdict(figures["median_s"], target) + (f"  <= {target:g} s" if target else "")
            rss_verdict = verdict(figures["peak_rss_mb"], rss_target) + (f"  <= {rss_target} MB" if rss_target else "")
            print(f"  {size:>7,} papers  {how}  {figures['median_s']:.2f} s ({figures['max_s']:.2f} s){time_verdict}, "
                  f"peak RSS {figures['peak_rss_mb']:.0f} MB{rss_verdict}, {figures['megabytes']:.0f} MB written")
            print(f"           stderr: {figures['stderr'].strip() or 'nothing'}")
        identical = filecmp.cmp(folder / "export-stdout.bib", folder / "export-file.bib", shallow=False)
        print(f"           the two outputs are {'the same bytes' if identical else 'DIFFERENT'}")


def time_import_process(bib: Path, repeat: int) -> dict:
    """`vlmreader import BIB` into a fresh home with the bundled corpus, `repeat` times."""
    import shutil
    import subprocess

    from vlmreader.core.importing import bundled_pages, open_library
    from vlmreader.resources import data_dir

    seeded = Path(tempfile.mkdtemp()) / "seeded"
    open_library(seeded, bundled_pages(data_dir()))
    runs, peaks = [], []
    for _ in range(repeat):
        home = Path(tempfile.mkdtemp()) / "home"
        shutil.copytree(seeded, home)
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "vlmreader", "--home", str(home), "import", str(bib)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(child.pid, 0)
        runs.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        assert os.waitstatus_to_exitcode(status) == 0, f"vlmreader import {bib} failed"
        shutil.rmtree(home.parent, ignore_errors=True)
    return {"median_s": statistics.median(runs), "max_s": max(runs), "peak_rss_mb": max(peaks),
            "megabytes": bib.stat().st_size / 2**20}


def write_bib(count: int) -> Path:
    from vlmreader.core.formats.bibtex import export_bibtex

    path = Path(tempfile.mkdtemp()) / f"{count}.bib"
    path.write_text(export_bibtex(papers_to_export(count)), encoding="utf-8")
    return path


def time_same_name_import(count: int) -> dict:
    from vlmreader.core.library import Library
    from vlmreader.core.models import Paper, PaperRecord

    offered = [Paper(PaperRecord(title=f"LLaVA: Variant Number {number} of a Visual Assistant")) for number in range(count)]
    library = Library(Path(tempfile.mkdtemp()) / "home")
    start = time.perf_counter()
    report = library.add_papers(offered)
    seconds = time.perf_counter() - start
    assert len(report.added) == count and report.added[-1].key == f"llava-{count}"
    return {"titles": count, "seconds": seconds, "us_per_title": seconds / count * 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000, help="papers to export (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="export runs after the warm-up (default: %(default)s)")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="library sizes for the whole export process, comma-separated (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "vlmreader-bench",
                        help="where bench_core.py's libraries are built and kept (default: %(default)s)")
    arguments = parser.parse_args()
    machine = machine_description()
    print(f"vlmreader {machine['vlmreader']} import/export benchmark, {machine['date']}: Python {machine['python']}, "
          f"{machine['cpus']} CPUs, load average {machine['load_average']}; code {machine['commit']}")

    # First, while this process is small: a child's peak RSS (ru_maxrss) starts from what its
    # parent held when it forked, and the measurements below load thousands of papers here.
    print_export_processes(arguments.workdir, [int(size.replace("_", "")) for size in arguments.sizes.split(",")])

    print("\nEXPORT  export_bibtex, median (max) of", arguments.repeat)
    for count in sorted({452, arguments.papers}):
        figures = time_export(papers_to_export(count), arguments.repeat)
        target = EXPORT_TARGET_S.get(count)
        marked = verdict(figures["median_s"], target) + (f"  <= {target:g} s" if target else "")
        print(f"  {figures['papers']:>7,} papers  {figures['median_s']:.2f} s ({figures['max_s']:.2f} s), "
              f"{figures['megabytes']:.1f} MB{marked}")
        print(f"           stderr: {figures['stderr'].strip() or 'nothing'}")

    print(f"\nIMPORT  vlmreader import, whole process, into a home with the bundled corpus; median (max) of {arguments.repeat}")
    for count, runs in ((IMPORT_ENTRIES, arguments.repeat), (LARGE_BIB_ENTRIES, 1)):
        figures = time_import_process(write_bib(count), runs)
        time_verdict = ("  ok" if figures["median_s"] <= IMPORT_TARGET_S else "  OVER") + f"  <= {IMPORT_TARGET_S:g} s" if count == IMPORT_ENTRIES else ""
        rss_verdict = ("ok" if figures["peak_rss_mb"] < RSS_TARGET_MB else "OVER") + f"  < {RSS_TARGET_MB} MB"
        print(f"  {count:>7,} entries ({figures['megabytes']:.0f} MB)  {figures['median_s']:.1f} s ({figures['max_s']:.1f} s){time_verdict}")
        print(f"           peak RSS {figures['peak_rss_mb']:.0f} MB  {rss_verdict}")

    print("\nKEYS  add_papers of N titles named 'LLaVA: ...' (each needs a suffix)")
    results = [time_same_name_import(count) for count in TITLE_COUNTS]
    for figures in results:
        print(f"  {figures['titles']:>7,} titles  {figures['seconds']:.2f} s, {figures['us_per_title']:.0f} µs per title")
    ratio = results[-1]["us_per_title"] / results[0]["us_per_title"]
    print(f"  per-title cost at {TITLE_COUNTS[-1]:,} / at {TITLE_COUNTS[0]:,}: {ratio:.2f} (linear: about 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
