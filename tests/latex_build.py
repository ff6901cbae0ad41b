"""Compiling a .bib as a user would: pdflatex with BibTeX and plain.bst, and with biblatex + Biber.

The tests that use these are skipped where LaTeX is missing, unless VLMREADER_REQUIRE_LATEX=1
(CI sets it), which makes them fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REQUIRE_LATEX = os.environ.get("VLMREADER_REQUIRE_LATEX") == "1"

PLAIN_DOCUMENT = r"""\documentclass{article}
\begin{document}
\nocite{*}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""

# Standard biblatex styles do not print abstracts: the finentry hook makes them, so they are checked too.
BIBLATEX_DOCUMENT = r"""\documentclass{article}
\usepackage[backend=biber]{biblatex}
\addbibresource{refs.bib}
\renewbibmacro*{finentry}{\setunit{\addperiod\space}\printfield{abstract}\finentry}
\begin{document}
\nocite{*}
\printbibliography
\end{document}
"""


def require_latex(programs: list[str], tex_files: list[str]) -> None:
    """Skip, or fail under VLMREADER_REQUIRE_LATEX=1, unless the programs and TeX files exist."""
    missing = [program for program in programs if shutil.which(program) is None]
    if not missing:
        for name in tex_files:
            found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
            if not found:
                missing.append(name)
    if missing:
        message = f"needs {', '.join(missing)}"
        if "etoolbox.sty" in missing:
            message += " (biblatex needs it; Debian: texlive-latex-recommended)"
        if REQUIRE_LATEX:
            pytest.fail(f"{message}, and VLMREADER_REQUIRE_LATEX=1")
        pytest.skip(message)


def run(folder: Path, *command: str) -> str:
    completed = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=600
    )
    assert completed.returncode == 0, f"{' '.join(command)} failed:\n{completed.stdout[-4000:]}"
    return completed.stdout


def assert_clean_latex_log(log_path: Path) -> None:
    log = log_path.read_text(errors="replace")
    errors = [line for line in log.splitlines() if line.startswith("! ")]
    assert errors == [], errors
    assert "Undefined control sequence" not in log


def compile_document(bib: str, folder: Path, document: str, processor: str, latex_runs_after: int) -> str:
    """pdflatex, then `processor` (bibtex or biber), then pdflatex `latex_runs_after` times, with
    `bib` as refs.bib; the LaTeX log must be clean. Returns the processor's log."""
    folder.mkdir()
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "paper.tex").write_text(document, encoding="utf-8")
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex")
    run(folder, *latex)
    run(folder, processor, "paper")
    for _ in range(latex_runs_after):
        run(folder, *latex)
    assert_clean_latex_log(folder / "paper.log")
    return (folder / "paper.blg").read_text(errors="replace")


def compile_with_bibtex(bib: str, folder: Path) -> None:
    """Classic BibTeX with plain.bst."""
    require_latex(["pdflatex", "bibtex", "kpsewhich"], ["plain.bst"])
    assert "error message" not in compile_document(bib, folder, PLAIN_DOCUMENT, "bibtex", latex_runs_after=2)


def compile_with_biber(bib: str, folder: Path) -> None:
    """biblatex's default style, through Biber."""
    require_latex(["pdflatex", "biber", "kpsewhich"], ["biblatex.sty", "etoolbox.sty"])
    biber_log = compile_document(bib, folder, BIBLATEX_DOCUMENT, "biber", latex_runs_after=1).splitlines()
    assert [line for line in biber_log if " ERROR - " in line or " WARN - " in line] == []


