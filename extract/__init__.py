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
    ".docx": ("extract.docx", "docx_to_document"),
    ".txt": ("extract.txt", "txt_to_document"),
    ".pdf": ("extract.pdf", "pdf_to_document"),
}

# Everything that looks like a report and must get a record, readable or not.
REPORT_SUFFIXES = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".txt", ".html")


def reader_for(path: Path) -> Callable[[Path], Document]:
    suffix = path.suffix.lower()
    try:
        module_name, func_name = READERS[suffix]
    except KeyError:
        supported = " ".join(sorted(READERS))
        raise UnsupportedFormat(
            f"no reader for {suffix or 'files without a suffix'} yet (supported: {supported}); "
            "convert the file to .docx to process it"
        ) from None
    func: Callable[[Path], Document] = getattr(importlib.import_module(module_name), func_name)
    return func


def read_document(path: Path) -> Document:
    """File → ``Document`` with the reader chosen by suffix."""
    return reader_for(path)(path)
