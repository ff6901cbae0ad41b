"""BibTeX: reading a `.bib` so that every entry can be written back as it was (read.py), writing
papers out (write.py), and the value expressions both need (values.py)."""

from vlmreader.core.formats.bibtex.read import parse_bibtex
from vlmreader.core.formats.bibtex.write import BIBLIOGRAPHIC_FIELDS, ExportReport, bibtex_chunks, export_bibtex, export_to_file

__all__ = ["BIBLIOGRAPHIC_FIELDS", "ExportReport", "bibtex_chunks", "export_bibtex", "export_to_file", "parse_bibtex"]
