"""Readers (file → ``Document``) and form parsers (``Document`` → ``RawReport``).

A new input format is one more entry in ``READERS``; nothing downstream changes.
Readers are imported lazily so that a run over Word files never loads PDF or OCR code.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from jixiao.errors import UnsupportedFormat
from jixiao.model import Document

# suffix → (module, function); the function takes a Path and returns a Document.
READERS: dict[str, tuple[str, str]] = {
    ".docx": ("extract.readers.docx", "docx_to_document"),
    ".txt": ("extract.readers.txt", "txt_to_document"),
    ".pdf": ("extract.readers.pdf", "pdf_to_document"),
    ".doc": ("extract.readers.doc", "doc_to_document"),
    ".xlsx": ("extract.readers.xlsx", "xlsx_to_document"),
    ".xls": ("extract.readers.xls", "xls_to_document"),
    ".html": ("extract.readers.html", "html_to_document"),
    ".htm": ("extract.readers.html", "html_to_document"),
}
# Table engines for PDFs, chosen with `jixiao extract --tables NAME`: jixiao's own cell
# reconstruction on pages read by PDFium (the default) or by pdfplumber, or camelot's lattice.
PDF_TABLE_ENGINES: dict[str, tuple[str, str]] = {
    "pdfium": READERS[".pdf"],
    "pdfplumber": ("extract.readers.pdf", "pdf_to_document_pdfplumber"),
    "camelot": ("extract.readers.camelot_tables", "pdf_to_document_camelot"),
}
DEFAULT_PDF_ENGINE = "pdfium"

# Everything that looks like a report and must get a record, readable or not.
REPORT_SUFFIXES = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".txt", ".html", ".htm")


def reader_for(path: Path, tables: str = DEFAULT_PDF_ENGINE) -> Callable[[Path], Document]:
    suffix = path.suffix.lower()
    try:
        module_name, func_name = PDF_TABLE_ENGINES[tables] if suffix == ".pdf" else READERS[suffix]
    except KeyError:
        supported = " ".join(sorted(READERS))
        raise UnsupportedFormat(
            f"no reader for {suffix or 'files without a suffix'} yet (supported: {supported}); "
            "convert the file to .docx to process it"
        ) from None
    func: Callable[[Path], Document] = getattr(importlib.import_module(module_name), func_name)
    return func


def read_document(path: Path, tables: str = DEFAULT_PDF_ENGINE) -> Document:
    """File → ``Document`` with the reader chosen by suffix (and, for PDFs, the table engine)."""
    if tables not in PDF_TABLE_ENGINES:
        raise ValueError(f"tables must be one of {tuple(PDF_TABLE_ENGINES)}, not {tables!r}")
    return reader_for(path, tables)(path)


# The Python libraries whose version can change what a reader gets out of a file: the PDF text and its
# characters' positions, the Word and Excel cells, the parsed HTML, the OCR's pixels and its model, the
# words the narrative is cut into. Writers' libraries are not here: they shape no record.
READING_LIBRARIES = ("pdfplumber", "pdfminer.six", "pypdfium2", "camelot-py", "python-docx", "openpyxl", "xlrd",
                     "lxml", "olefile", "jieba", "numpy", "opencv-python", "opencv-python-headless",
                     "onnxruntime", "onnx", "rapidocr-onnxruntime")


def reading_libraries() -> dict[str, str]:
    """Name → installed version of each of ``READING_LIBRARIES`` that is installed: the first found on
    ``sys.path``, as Python would import it.

    Read off the names of the ``NAME-VERSION.dist-info`` folders (wheels write them so): reading every
    distribution's metadata took 0.1 s, which every run would pay, a rerun with nothing to do included."""
    import os
    import sys

    wanted = {_dist_key(n): n for n in READING_LIBRARIES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = [e.name for e in os.scandir(entry or ".") if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
        for folder in sorted(names):
            name, _, version = folder.rsplit(".", 1)[0].partition("-")
            library = wanted.get(_dist_key(name))
            if library and library not in found and version:
                found[library] = version
    return dict(sorted(found.items()))


def _dist_key(name: str) -> str:
    """A distribution's name as PyPI compares them (PEP 503: case, ``-``, ``_`` and ``.`` alike)."""
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def optional_tools() -> dict[str, str | None]:
    """The optional system programs readers would use, and where each was found (None: absent).
    A record made without a tool is redone once it is installed."""
    from extract.readers.doc import find_soffice
    from jixiao.errors import MissingSystemTool

    try:
        soffice: str | None = find_soffice()
    except MissingSystemTool:
        soffice = None
    return {"soffice": soffice}
