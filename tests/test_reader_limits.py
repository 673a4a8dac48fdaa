"""Issue #9 "Nothing hangs, nothing is lost": what a hostile file may cost a reader.

* running out of memory inside a reader reaches the pipeline as MemoryError (memory_limit, retried),
  never as a damaged file;
* a zip package is refused as a zip bomb by the bytes it really inflates to, not the sizes it declares;
"""

from __future__ import annotations

import struct
import time
import zipfile
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


# --------------------------------------------------------------------------- zip bombs


def _declare_size(path: Path, member: str, size: int) -> None:
    """Make the local header and the central directory of ``member`` claim ``size`` unpacked bytes."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    # (signature, offset of the name length, offset of the name, offset of the uncompressed size)
    for sig, len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        i = data.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", data, i + len_at)[0]
            if data[i + name_at:i + name_at + n] == name:
                struct.pack_into("<I", data, i + size_at, size)
            i = data.find(sig, i + 4)
    path.write_bytes(bytes(data))


def _lying_package(source: Path, target: Path, member: str, padding: int) -> Path:
    """A copy of ``source`` whose ``member`` is followed by ``padding`` spaces (allowed after an XML
    document's root) but declares 1,000 bytes."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item.filename, data + b" " * padding if item.filename == member else data)
    _declare_size(target, member, 1000)
    with zipfile.ZipFile(target) as zf:
        assert zf.getinfo(member).file_size == 1000
    return target


@pytest.mark.parametrize(("source", "member", "reader"), [
    (DOCX, "word/document.xml", "extract.docx:docx_to_document"),
    (XLSX, "xl/worksheets/sheet1.xml", "extract.xlsx:xlsx_to_document"),
], ids=["docx", "xlsx"])
def test_zip_bomb_is_measured_by_the_bytes_really_inflated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path, member: str, reader: str) -> None:
    import importlib

    from jixiao.errors import UnreadableDocument

    module, _, name = reader.partition(":")
    read = getattr(importlib.import_module(module), name)
    # 4 MB of inflated bytes against a 2 MB limit stands for 1 GiB against 200 MB, quickly.
    monkeypatch.setattr("extract.limits.MAX_UNPACKED_BYTES", 2 << 20, raising=False)
    bomb = _lying_package(source, tmp_path / f"bomb{source.suffix}", member, 4 << 20)
    assert sum(i.file_size for i in zipfile.ZipFile(bomb).infolist()) < 2 << 20
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="zip bomb"):
        read(bomb)
    assert time.perf_counter() - started < 5


def test_a_package_within_the_limit_is_read_in_full(tmp_path: Path) -> None:
    from extract.limits import check_unpacked_size

    with zipfile.ZipFile(DOCX) as zf:
        check_unpacked_size(zf, "save it again", limit=sum(i.file_size for i in zf.infolist()))
        with pytest.raises(Exception, match="zip bomb"):
            check_unpacked_size(zf, "save it again", limit=sum(i.file_size for i in zf.infolist()) - 1)
