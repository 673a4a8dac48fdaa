"""Legacy Excel 97-2003 (.xls) reader, with xlrd (≥ 2, which reads .xls only).

Same output as the .xlsx reader: each visible sheet becomes tables of the text a person sees,
merged ranges reported once with their span (xlrd gives them with ``formatting_info=True``),
numbers shown through their cell's number format (from the XF records), dates as ``YYYY-MM-DD``.
An .xls file always stores the results of its formulas, so there are no uncached formulas here.

What a ``.xls`` file may really be, checked from its bytes before xlrd sees it:

* an OLE2 compound file with a ``Workbook``/``Book`` stream → read;
* an OLE2 file with an ``EncryptedPackage`` (a password-protected .xlsx) or a Word document → an error;
* an .xlsx zip package with a ``.xls`` suffix → read with the .xlsx reader, with a note;
* an HTML page (what web budget systems call "Excel export") → read as HTML, with a note;
* an XML Spreadsheet 2003 file → an error
  saying to save it as .xlsx from Excel.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from extract.readers.xlsx import OLE2_MAGIC, cell_text, date_text, describe_ole2, sheet_tables, xlsx_to_document
from extract.readers.limits import first_bytes, raise_if_out_of_memory
from jixiao.errors import UnreadableDocument
from jixiao.model import Block, Document

ZIP_MAGIC = b"PK\x03\x04"


def xls_to_document(path: Path) -> Document:
    """A legacy Excel workbook → ``Document`` with ``format="xls"``, one or more tables per visible sheet."""
    kind = _sniff(path)
    if kind == "html":  # what web budget systems export as "Excel"
        from extract.readers.html import html_to_document

        doc = html_to_document(path)
        return dataclasses.replace(doc, notes=("an HTML page saved with a .xls suffix (a web system's Excel export); "
                                               "read as HTML", *doc.notes))
    if kind == "xlsx":
        doc = xlsx_to_document(path)
        note = "an Excel 2007+ .xlsx package saved with a .xls suffix; read as .xlsx"
        return dataclasses.replace(doc, notes=(note, *doc.notes))
    try:
        import xlrd
    except ImportError as exc:
        raise UnreadableDocument(
            "reading legacy Excel .xls files needs the xlrd package: `pip install xlrd` "
            "(or open the file in Excel or LibreOffice and save it as .xlsx)"
        ) from exc
    notes: list[str] = []
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, logfile=io.StringIO())
    except NotImplementedError:  # formatting info unsupported for this BIFF version: no merges, no formats
        book = _open_plain(xlrd, path)
        notes.append("the workbook's formatting could not be read: merged cells and number formats are lost")
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct.error, … for damaged files
        raise_if_out_of_memory(exc)
        raise UnreadableDocument(_open_error(exc)) from exc

    blocks: list[Block] = []
    page = 0
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if sheet.visibility != 0:
            notes.append(f"sheet {sheet.name!r} is hidden and was not read")
            continue
        page += 1
        texts: dict[tuple[int, int], str] = {}
        for r in range(sheet.nrows):
            for c in range(sheet.row_len(r)):
                text = _cell_text(xlrd, book, sheet.cell(r, c))
                if text:
                    texts[(r, c)] = text
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
        tables, sparse = sheet_tables(texts, merges, page)
        blocks.extend(tables)
        notes.extend(f"sheet {sheet.name!r}: {note}" for note in sparse)
    book.release_resources()
    return Document(blocks=tuple(blocks), format="xls", pages=page, notes=tuple(notes))


def _open_plain(xlrd, path: Path):  # type: ignore[no-untyped-def]
    try:
        return xlrd.open_workbook(str(path), logfile=io.StringIO())
    except Exception as exc:
        raise_if_out_of_memory(exc)
        raise UnreadableDocument(_open_error(exc)) from exc


def _open_error(exc: Exception) -> str:
    text = str(exc)
    if "encrypt" in text.lower():
        return ("the .xls workbook is password-protected (encrypted); open it with the password in Excel and save "
                "it again without one, as .xlsx")
    return (f"not a readable Excel .xls file ({type(exc).__name__}: {text}); "
            "open it in Excel or LibreOffice and save it again as .xlsx")


def _cell_text(xlrd, book, cell) -> str:  # type: ignore[no-untyped-def]
    ctype, value = cell.ctype, cell.value
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if ctype == xlrd.XL_CELL_TEXT:
        return cell_text(value, None)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    number_format = _number_format(book, cell.xf_index)
    if ctype == xlrd.XL_CELL_DATE:
        try:
            when = xlrd.xldate.xldate_as_datetime(value, book.datemode)
        except Exception as exc:  # a negative or out-of-range serial: show the number
            raise_if_out_of_memory(exc)
            return cell_text(value, "General")
        if 0 <= value < 1:  # a time of day without a date
            return date_text(when.time(), number_format)
        return date_text(when, number_format)
    return cell_text(value, number_format)


def _number_format(book, xf_index: int | None) -> str:  # type: ignore[no-untyped-def]
    try:
        xf = book.xf_list[xf_index]
        return book.format_map[xf.format_key].format_str or "General"
    except (AttributeError, IndexError, KeyError, TypeError):
        return "General"


def _sniff(path: Path) -> str:
    """``"xls"`` or ``"xlsx"`` (a zip package), from the file's first bytes; UnreadableDocument otherwise."""
    head, size = first_bytes(path, 4096, ".xls")
    if head.startswith(OLE2_MAGIC):
        problem = describe_ole2(path, ".xls")
        if problem:
            raise UnreadableDocument(problem)
        return "xls"
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise UnreadableDocument("an XML Spreadsheet 2003 file saved with a .xls suffix; open it in Excel or "
                                 "LibreOffice and save it as .xlsx")
    from extract.readers.html import looks_like_html

    if looks_like_html(head):
        return "html"
    raise UnreadableDocument(
        f"not an Excel .xls file (no Office 97-2003 header, {size} bytes): the file is damaged or of another "
        "type; open it in Excel or LibreOffice and save it again as .xlsx"
    )
