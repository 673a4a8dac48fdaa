"""Issue #9 "Nothing hangs, nothing is lost": what a hostile file may cost a reader.

* running out of memory inside a reader reaches the pipeline as MemoryError (memory_limit, retried),
  never as a damaged file;
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES

DOCX = SAMPLES / "suzhou-2020-egov-selfeval.docx"
XLSX = SAMPLES / "national-2022-old-community-renovation-exec-rate.xlsx"
PDF = SAMPLES / "suzhou-2020-egov-selfeval-truetype.pdf"


# --------------------------------------------------------------------------- out of memory


def _raise(exc: BaseException) -> Any:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise exc
    return fail


def _lxml_no_memory() -> BaseException:
    from lxml import etree

    return etree.XMLSyntaxError("unknown error", 2, 1, 1)  # libxml2's XML_ERR_NO_MEMORY


def _pdfminer_wrapped() -> BaseException:
    from pdfplumber.utils.exceptions import PdfminerException

    return PdfminerException(MemoryError())


@pytest.mark.parametrize("failure", [MemoryError, _lxml_no_memory], ids=["MemoryError", "lxml-no-memory"])
def test_docx_reader_lets_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch, failure: Any) -> None:
    import docx

    from extract.docx import docx_to_document

    monkeypatch.setattr(docx, "Document", _raise(failure()))
    with pytest.raises(MemoryError):
        docx_to_document(DOCX)


def test_xlsx_reader_lets_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    from extract.xlsx import xlsx_to_document

    monkeypatch.setattr(openpyxl, "load_workbook", _raise(MemoryError()))
    with pytest.raises(MemoryError):
        xlsx_to_document(XLSX)


def test_xls_reader_lets_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import xlrd

    import extract.xls
    from extract.xls import xls_to_document

    path = tmp_path / "book.xls"
    path.write_bytes(b"\0" * 512)
    monkeypatch.setattr(extract.xls, "_sniff", lambda _path: "xls")  # no .xls writer here: xlrd is mocked
    monkeypatch.setattr(xlrd, "open_workbook", _raise(MemoryError()))
    with pytest.raises(MemoryError):
        xls_to_document(path)


def test_pdfium_reader_lets_out_of_memory_on_a_page_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    import extract.pdf
    from extract.pdf import pdf_to_document

    monkeypatch.setattr(extract.pdf, "pdfium_page", _raise(MemoryError()))
    with pytest.raises(MemoryError):
        pdf_to_document(PDF)


@pytest.mark.parametrize("where", ["open", "page"])
def test_pdfplumber_reader_lets_wrapped_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    import pdfplumber

    import extract.pdf
    from extract.pdf import pdf_to_document_pdfplumber

    if where == "open":  # pdfplumber wraps pdfminer's failure, MemoryError included
        monkeypatch.setattr(pdfplumber, "open", _raise(_pdfminer_wrapped()))
    else:
        monkeypatch.setattr(extract.pdf, "page_to_geometry", _raise(_pdfminer_wrapped()))
    with pytest.raises(MemoryError):
        pdf_to_document_pdfplumber(PDF)


def test_camelot_reader_lets_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("camelot")
    import pdfplumber

    from extract.camelot_tables import _pdf_pages

    monkeypatch.setattr(pdfplumber, "open", _raise(_pdfminer_wrapped()))
    with pytest.raises(MemoryError):
        _pdf_pages(PDF)


def test_a_damaged_file_is_still_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    import docx

    from extract.docx import docx_to_document
    from jixiao.errors import UnreadableDocument

    monkeypatch.setattr(docx, "Document", _raise(KeyError("word/document.xml")))
    with pytest.raises(UnreadableDocument, match="not a readable Word .docx file"):
        docx_to_document(DOCX)
