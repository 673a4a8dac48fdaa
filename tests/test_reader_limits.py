"""Issue #9 "Nothing hangs, nothing is lost": what a hostile file may cost a reader.

* running out of memory inside a reader reaches the pipeline as MemoryError (memory_limit, retried),
  never as a damaged file;
* a zip package is refused as a zip bomb by the bytes it really inflates to, not the sizes it declares;
* a PDF page that draws hundreds of thousands of lines is read as text in seconds, with a note,
  instead of costing a whole timeout in table reconstruction;
* a Word table's cell spans are clamped to the columns the table can have, with a note;
* an Excel sheet is read by the cells it has, not as a grid spanning its far-apart cells, and a
  merged range over a whole sheet is not expanded cell by cell.
"""

from __future__ import annotations

import contextlib
import signal
import struct
import time
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import SAMPLES, pdf_bytes

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

    from extract.readers.docx import docx_to_document

    monkeypatch.setattr(docx, "Document", _raise(failure()))
    with pytest.raises(MemoryError):
        docx_to_document(DOCX)


def test_xlsx_reader_lets_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    from extract.readers.xlsx import xlsx_to_document

    monkeypatch.setattr(openpyxl, "load_workbook", _raise(MemoryError()))
    with pytest.raises(MemoryError):
        xlsx_to_document(XLSX)


def test_xls_reader_lets_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import xlrd

    import extract.readers.xls
    from extract.readers.xls import xls_to_document

    path = tmp_path / "book.xls"
    path.write_bytes(b"\0" * 512)
    monkeypatch.setattr(extract.readers.xls, "_sniff", lambda _path: "xls")  # no .xls writer here: xlrd is mocked
    monkeypatch.setattr(xlrd, "open_workbook", _raise(MemoryError()))
    with pytest.raises(MemoryError):
        xls_to_document(path)


def test_pdfium_reader_lets_out_of_memory_on_a_page_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    import extract.readers.pdf
    from extract.readers.pdf import pdf_to_document

    monkeypatch.setattr(extract.readers.pdf, "pdfium_page", _raise(MemoryError()))
    with pytest.raises(MemoryError):
        pdf_to_document(PDF)


@pytest.mark.parametrize("where", ["open", "page"])
def test_pdfplumber_reader_lets_wrapped_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    import pdfplumber

    import extract.readers.pdf
    from extract.readers.pdf import pdf_to_document_pdfplumber

    if where == "open":  # pdfplumber wraps pdfminer's failure, MemoryError included
        monkeypatch.setattr(pdfplumber, "open", _raise(_pdfminer_wrapped()))
    else:
        monkeypatch.setattr(extract.readers.pdf, "page_to_geometry", _raise(_pdfminer_wrapped()))
    with pytest.raises(MemoryError):
        pdf_to_document_pdfplumber(PDF)


def test_camelot_reader_lets_out_of_memory_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("camelot")
    import pdfplumber

    from extract.readers.camelot_tables import _pdf_pages

    monkeypatch.setattr(pdfplumber, "open", _raise(_pdfminer_wrapped()))
    with pytest.raises(MemoryError):
        _pdf_pages(PDF)


def _expat_no_memory() -> BaseException:
    from xml.etree import ElementTree

    error = ElementTree.ParseError("out of memory: line 1, column 0")
    error.code = 1  # expat's XML_ERROR_NO_MEMORY
    return error


def _lxml_syntax_error() -> BaseException:
    from lxml import etree

    return etree.XMLSyntaxError("Opening and ending tag mismatch", 76, 1, 1)


def _chained(outer: BaseException, cause: BaseException) -> BaseException:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(("make", "out_of_memory"), [
    (MemoryError, True),
    (_pdfminer_wrapped, True),
    (_lxml_no_memory, True),
    (_expat_no_memory, True),
    (lambda: _chained(KeyError("sheet1"), MemoryError()), True),
    (_lxml_syntax_error, False),
    (lambda: ValueError("not a zip file"), False),
    (lambda: _chained(KeyError("sheet1"), ValueError("bad")), False),
], ids=["MemoryError", "pdfminer-wrapped", "lxml-code-2", "expat-code-1", "caused-by", "lxml-other", "other",
        "caused-by-other"])
def test_out_of_memory_is_found_under_the_libraries_errors(make: Any, out_of_memory: bool) -> None:
    from extract.readers.limits import memory_error_in

    assert isinstance(memory_error_in(make()), MemoryError) is out_of_memory


def test_a_damaged_file_is_still_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    import docx

    from extract.readers.docx import docx_to_document
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
    (DOCX, "word/document.xml", "extract.readers.docx:docx_to_document"),
    (XLSX, "xl/worksheets/sheet1.xml", "extract.readers.xlsx:xlsx_to_document"),
], ids=["docx", "xlsx"])
def test_zip_bomb_is_measured_by_the_bytes_really_inflated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path, member: str, reader: str) -> None:
    import importlib

    from jixiao.errors import UnreadableDocument

    module, _, name = reader.partition(":")
    read = getattr(importlib.import_module(module), name)
    # 4 MB of inflated bytes against a 2 MB limit stands for 1 GiB against 200 MB, quickly.
    monkeypatch.setattr("extract.readers.limits.MAX_UNPACKED_BYTES", 2 << 20, raising=False)
    bomb = _lying_package(source, tmp_path / f"bomb{source.suffix}", member, 4 << 20)
    assert sum(i.file_size for i in zipfile.ZipFile(bomb).infolist()) < 2 << 20
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="zip bomb"):
        read(bomb)
    assert time.perf_counter() - started < 5


def test_a_package_within_the_limit_is_read_in_full(tmp_path: Path) -> None:
    from extract.readers.limits import check_unpacked_size

    with zipfile.ZipFile(DOCX) as zf:
        check_unpacked_size(zf, "save it again", limit=sum(i.file_size for i in zf.infolist()))
        with pytest.raises(Exception, match="zip bomb"):
            check_unpacked_size(zf, "save it again", limit=sum(i.file_size for i in zf.infolist()) - 1)


# --------------------------------------------------------------------------- work per page


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Fail the test after ``seconds`` instead of waiting minutes for code without the bounds."""
    def stop(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _drawing_pdf(n: int, kind: str) -> bytes:
    """One page of ``n`` tiny lines (or rectangles) in a 500-wide lattice, and a line of text."""
    ops = []
    for i in range(n):
        x, y = 10 + (i % 500) * 1.1, 10 + (i // 500) * 1.9
        ops.append(b"%.1f %.1f m %.1f %.1f l" % (x, y, x + 0.8, y) if kind == "lines" else
                   b"%.1f %.1f 0.8 0.8 re" % (x, y))
    content = b"\n".join(ops) + b" S\nBT /F1 12 Tf 72 800 Td (Hello world) Tj ET"
    return pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


@pytest.mark.parametrize("kind", ["lines", "rects"])
@pytest.mark.parametrize("tables", ["pdfium", "pdfplumber"])
def test_a_page_of_200000_tiny_segments_is_read_as_text_in_seconds(tmp_path: Path, kind: str, tables: str) -> None:
    from extract.readers.pdf import pdf_to_document, pdf_to_document_pdfplumber

    read = pdf_to_document if tables == "pdfium" else pdf_to_document_pdfplumber
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(_drawing_pdf(200_000, kind))
    with _deadline(30):  # minutes without the bound
        doc = read(path)
    segments = "400,000" if kind == "lines" else "1,000,000"  # PDFium counts a line as 2, a rectangle as 5
    assert doc.notes == (f"page 1: {segments} path segments drawn (more than 20,000); "
                         "no tables rebuilt, the page read as text lines",)
    assert not list(doc.tables())
    assert "Hello world" in doc.text()


def _page(segments: list[Any]) -> Any:
    from extract.readers.geometry import Glyph, PageGeometry

    return PageGeometry(1, 2000, 2000, tuple(segments), (Glyph("字", 6, 6, 16, 16),))


def test_overlapping_lines_under_the_segment_bound_are_not_grouped_pair_by_pair() -> None:
    from extract.readers.geometry import Segment, pages_to_document

    lines = [Segment(10, 10 + i * 0.04, 580, 10 + i * 0.04) for i in range(20_000)]  # each touches all
    with _deadline(10):
        doc = pages_to_document([_page(lines)], format="pdf")
    assert doc.notes == ("page 1: 20,000 ruling-line pieces too tangled to group (199,990,000 pairs to compare); "
                         "no tables rebuilt, the page read as text lines",)


def _lattice(k: int) -> list[Any]:
    """Ruling lines of a k × k table, 5 pt apart (more than the tolerance: nothing merges)."""
    from extract.readers.geometry import Segment

    size = 5.0 * k
    return ([Segment(0, i * 5.0, size, i * 5.0) for i in range(k + 1)]
            + [Segment(i * 5.0, 0, i * 5.0, size) for i in range(k + 1)])


def test_a_ruled_table_of_too_many_slots_is_not_rebuilt() -> None:
    from extract.readers.geometry import pages_to_document

    with _deadline(10):
        doc = pages_to_document([_page(_lattice(400))], format="pdf")  # 160,000 slots from 802 lines
    assert doc.notes == ("page 1: a ruled table of 400 × 400 slots (more than 100,000); "
                         "no tables rebuilt, the page read as text lines",)
    assert doc.text() == "字"


def test_the_scan_path_gets_no_grids_past_a_bound_rather_than_an_error() -> None:
    from extract.readers.geometry import segments_to_grids

    assert segments_to_grids(_lattice(400), unit=10.0) == []  # what OCR calls: no strict
    assert len(segments_to_grids(_lattice(100), unit=10.0)) == 1


# --------------------------------------------------------------------------- Word table spans

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _tc(text: str, span: int | None = None) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span is not None else ""
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def _docx_with_table(tmp_path: Path, grid_cols: int, rows: list[str]) -> Path:
    grid = "".join('<w:gridCol w:w="100"/>' for _ in range(grid_cols))
    body = "".join(f"<w:tr>{row}</w:tr>" for row in rows)
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>'
           f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl></w:body></w:document>").encode()
    path = tmp_path / "spans.docx"
    with zipfile.ZipFile(DOCX) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, xml if item.filename == "word/document.xml" else zin.read(item.filename))
    return path


def test_a_gridspan_of_a_hundred_million_is_clamped_to_the_table(tmp_path: Path) -> None:
    from extract.readers.docx import docx_to_document

    path = _docx_with_table(tmp_path, 2, [_tc("a", 100_000_000), _tc("b") + _tc("c", 100_000_000)])
    with _deadline(5):
        doc = docx_to_document(path)
    (table,) = doc.tables()
    assert (table.n_rows, table.n_cols) == (2, 63)
    assert [(c.text, c.row, c.col, c.colspan) for c in table.cells] == [("a", 0, 0, 63), ("b", 1, 0, 1),
                                                                         ("c", 1, 1, 62)]
    assert doc.notes == ("table 1: 2 gridSpan/gridBefore value(s) up to 100,000,000 reach past the table's "
                         "63 columns: clamped to them",)


def test_a_wide_table_its_grid_declares_is_not_clamped(tmp_path: Path) -> None:
    from extract.readers.docx import docx_to_document

    path = _docx_with_table(tmp_path, 80, [_tc("title", 80), "".join(_tc(str(i)) for i in range(80))])
    doc = docx_to_document(path)
    (table,) = doc.tables()
    assert (table.n_rows, table.n_cols, table.cells[0].colspan) == (2, 80, 80)
    assert doc.notes == ()


# --------------------------------------------------------------------------- sparse Excel sheets

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
        'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}


def _a1(row: int, col: int) -> str:
    letters, n = "", col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _xlsx(path: Path, cells: dict[tuple[int, int], str], merges: tuple[str, ...] = ()) -> Path:
    """A one-sheet workbook written as XML: ``cells`` at 0-based (row, col), inline strings."""
    rows: dict[int, list[str]] = {}
    for (r, c), text in sorted(cells.items()):
        rows.setdefault(r, []).append(f'<c r="{_a1(r, c)}" t="inlineStr"><is><t>{text}</t></is></c>')
    data = "".join(f'<row r="{r + 1}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
              + "</mergeCells>") if merges else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><dimension ref="A1:XFD10000"/><sheetData>{data}</sheetData>{merged}'
             "</worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in {**_XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            zf.writestr(name, xml)
    return path


def test_cells_in_columns_a_and_xfd_are_two_tables_not_one_grid(tmp_path: Path) -> None:
    from extract.readers.xlsx import xlsx_to_document

    cells = {(r, c): f"{r}-{c}" for r in range(2_000) for c in (0, 16_383)}
    with _deadline(10):  # 2,000 × 16,384 = 33 million slots without the bound
        doc = xlsx_to_document(_xlsx(tmp_path / "sparse.xlsx", cells))
    tables = list(doc.tables())
    assert [(t.n_rows, t.n_cols, len(t.cells)) for t in tables] == [(2_000, 1, 2_000), (2_000, 1, 2_000)]
    assert tables[1].cells[-1].text == "1999-16383"
    assert doc.notes == ("sheet 'S': 4,000 filled cells spread over 2,000 rows × 16,384 columns (A1:XFD2000): "
                         "read as 2 separate blocks instead of as one grid of 32,768,000 slots",)


def test_a_form_with_a_stray_cell_far_right_keeps_its_table(tmp_path: Path) -> None:
    from extract.readers.xlsx import xlsx_to_document

    cells = {(r, c): f"{r}{c}" for r in range(40) for c in range(10)}
    cells[(5, 16_000)] = "stray"
    doc = xlsx_to_document(_xlsx(tmp_path / "form.xlsx", cells))
    form, stray = doc.tables()
    assert (form.n_rows, form.n_cols, len(form.cells)) == (40, 10, 400)
    assert [c.text for c in stray.cells] == ["stray"]
    assert len(doc.notes) == 1 and "read as 2 separate blocks" in doc.notes[0]


def test_cells_on_a_diagonal_are_read_row_by_row(tmp_path: Path) -> None:
    from extract.readers.xlsx import xlsx_to_document

    cells = {(r, r * 8): f"d{r}" for r in range(2_000)}  # no empty-column gap anywhere: one sparse block
    with _deadline(10):
        doc = xlsx_to_document(_xlsx(tmp_path / "diagonal.xlsx", cells))
    tables = list(doc.tables())
    assert len(tables) == 2_000 and all((t.n_rows, t.n_cols) == (1, 1) for t in tables)
    assert [t.cells[0].text for t in tables[:3]] == ["d0", "d1", "d2"]
    assert doc.notes == ("sheet 'S': 2,000 filled cells spread over 2,000 rows × 15,993 columns (A1:WQC2000): "
                         "read row by row instead of as one grid of 31,986,000 slots",)


def test_a_merged_range_over_a_whole_sheet_is_not_expanded(tmp_path: Path) -> None:
    from extract.readers.xlsx import xlsx_to_document

    cells = {(0, 0): "标题", (1, 0): "项目名称", (1, 1): "某项目"}
    path = _xlsx(tmp_path / "merged.xlsx", cells, merges=("A1:XFD1048576", "A2:A3"))
    with _deadline(10):  # openpyxl makes an object for each of 17 billion cells without the bound
        doc = xlsx_to_document(path)
    (table,) = doc.tables()
    assert [(c.text, c.row, c.col, c.rowspan) for c in table.cells if c.text] == [
        ("标题", 0, 0, 1), ("项目名称", 1, 0, 2), ("某项目", 1, 1, 1)]
    assert doc.notes == ("sheet 'S': merged range(s) A1:XFD1048576 (17,179,869,184 cells) not read as merged: "
                         "together past 100,000 merged cells (a form's merges cover some hundreds)",)


def test_a_whole_sheet_merge_from_an_xls_file_is_not_expanded() -> None:
    from extract.readers.xlsx import sheet_tables

    with _deadline(10):  # xlrd gives the merged ranges as they are: 16.7 million slots for this one
        tables, notes = sheet_tables({(0, 0): "标题", (1, 1): "值"}, [(0, 0, 65_535, 255), (1, 1, 2, 2)], page=1)
    (table,) = tables
    assert [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells if c.text] == [
        ("标题", 0, 0, 1, 1), ("值", 1, 1, 2, 2)]
    assert notes == ["merged range(s) A1:IV65536 (16,777,216 cells) not read as merged: together past 100,000 "
                     "merged cells (a form's merges cover some hundreds)"]


@pytest.mark.parametrize("suffix,what", [(".pdf", "PDF"), (".doc", ".doc"), (".xls", ".xls"), (".xlsx", ".xlsx")])
def test_an_empty_file_says_so_in_one_message_for_every_format(tmp_path: Path, suffix: str, what: str) -> None:
    from extract import read_document
    from jixiao.errors import UnreadableDocument

    empty = tmp_path / f"report{suffix}"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableDocument) as caught:
        read_document(empty)
    assert str(caught.value) == f"the {what} file is empty (0 bytes); get the file again from its source"
