"""Excel (.xlsx) reader: each visible worksheet becomes a table of the text a person sees in Excel.

* Merged ranges are reported once, with their span and the text of their top-left cell.
* Numbers are shown through the cell's number format (``0.00`` → ``3773.00``, ``0%`` → ``93%``,
  General ``10.0`` → ``10``), dates as ``YYYY-MM-DD``, booleans as ``TRUE``/``FALSE``.
* Formulas give their cached value (what Excel showed when the file was saved); a formula saved
  without one (files written by tools that do not calculate) gives ``""`` and a note.
* The used range is trimmed of empty border rows and columns; blocks separated by more than
  ``SPLIT_GAP`` empty rows become separate tables (a stray cell far below a form does not turn the
  form into a table of thousands of empty rows). ``page`` is the sheet's ordinal among those read.
* Only the cells that exist are read: a block whose grid would be far larger than its filled cells
  (cells far apart across a sheet of 16,384 columns) is split at empty columns too, and what is still
  that sparse is read row by row, with a note; merged ranges covering more than ``MAX_MERGED_CELLS``
  cells in all are left out (openpyxl makes an object for every cell they cover), with a note.

The number formatting and the sheet → tables step are shared with the legacy ``.xls`` reader.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import io
import re
import warnings
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import IO, Iterable
from xml.etree import ElementTree

from extract.readers.limits import check_unpacked_size, first_bytes, raise_if_out_of_memory
from jixiao.errors import UnreadableDocument
from jixiao.model import Block, Cell, Document, Table

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / encrypted OOXML container
# More than this many fully empty rows between two blocks of a sheet make them separate tables.
SPLIT_GAP = 10
# Cells the merged ranges of one sheet may cover in all. openpyxl makes an object for every cell
# of a merged range as it loads the sheet, so one range over a whole sheet (A1:XFD10000, 164
# million cells) exhausts the memory; a form's merges cover some hundreds. Ranges past this are
# left out of what openpyxl reads (their first cell stays, unmerged).
MAX_MERGED_CELLS = 100_000
# Slots (rows × columns, empty ones included) a block of a sheet is read into as one table unless
# it has at least one filled cell per SPARSE_FACTOR slots: cells in columns A and XFD of 10,000
# rows would otherwise make a table of 164 million empty slots.
MAX_TABLE_SLOTS = 100_000
SPARSE_FACTOR = 4

_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]*)"[^>]*?(?:/>|>\s*</(?:\w+:)?mergeCell>)')
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def xlsx_to_document(path: Path) -> Document:
    """An Excel 2007+ workbook → ``Document`` with ``format="xlsx"``, one or more tables per visible sheet."""
    import openpyxl  # imported here so other formats do not pay for it

    package = _check_package(path)
    try:
        with warnings.catch_warnings():  # "extension not supported", "no default style": noise here
            warnings.simplefilter("ignore")
            # A file object, not the path: openpyxl refuses names not ending in .xlsx/.xlsm (an .xlsx
            # package named .xls is read through here).
            with _workbook_file(path, package.dropped) as fh:
                wb = openpyxl.load_workbook(fh, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for damaged files
        raise_if_out_of_memory(exc)
        raise UnreadableDocument(
            f"not a readable Excel .xlsx file ({type(exc).__name__}: {exc}); "
            "open it in Excel or LibreOffice and save it again as .xlsx"
        ) from exc
    blocks: list[Block] = []
    notes: list[str] = list(package.notes)
    page = 0
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            notes.append(f"sheet {ws.title!r} is hidden and was not read")
            continue
        page += 1
        texts: dict[tuple[int, int], str] = {}
        # ws._cells holds the cells the file defines; ws.iter_rows() would create every cell of the
        # used range, which is huge when formatting reaches row 1048576.
        for (row, col), cell in ws._cells.items():  # noqa: SLF001
            value = cell.value
            if value is not None:
                if isinstance(value, str):
                    value = _unescape(value)
                texts[(row - 1, col - 1)] = cell_text(value, cell.number_format)
        for coord in package.uncached.get(ws.title, ()):
            notes.append(f"sheet {ws.title!r} cell {coord}: formula without a cached value")
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        tables, sparse = sheet_tables(texts, merges, page)
        blocks.extend(tables)
        notes.extend(f"sheet {ws.title!r}: {note}" for note in sparse)
    wb.close()
    return Document(blocks=tuple(blocks), format="xlsx", pages=page, notes=tuple(notes))


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML's ``_xHHHH_`` escapes, which openpyxl leaves in cell text: Excel saves a carriage return
    typed or pasted into a cell as ``_x000D_`` (and a literal ``_x`` as ``_x005F_x``)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


# --------------------------------------------------------------------------- package checks


@dataclasses.dataclass(frozen=True)
class _Package:
    """What the package check found besides the package being a workbook."""

    uncached: dict[str, list[str]]  # sheet name → cells holding a formula without a cached value
    dropped: dict[str, set[bytes]]  # sheet part → <mergeCell> elements left out (MAX_MERGED_CELLS)
    notes: tuple[str, ...] = ()


def _check_package(path: Path) -> _Package:
    """Refuse what is not an .xlsx package; else what openpyxl will not tell (see ``_Package``)."""
    head, size = first_bytes(path, 8, ".xlsx")
    if head.startswith(OLE2_MAGIC):
        raise UnreadableDocument(describe_ole2(path, ".xlsx"))
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            check_unpacked_size(zf, "open it in Excel or LibreOffice and save it again as .xlsx")
            _check_kind(zf, names)
            return _scan_sheets(zf)
    except zipfile.BadZipFile as exc:
        raise UnreadableDocument(
            f"not an Excel .xlsx file (not a zip package, {size} bytes): the file is damaged or of another type; "
            "open it in Excel or LibreOffice and save it again as .xlsx"
        ) from exc


def _check_kind(zf: zipfile.ZipFile, names: set[str]) -> None:
    if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
        return
    if "xl/workbook.bin" in names:
        raise UnreadableDocument("an Excel binary workbook (.xlsb) saved with a .xlsx suffix; "
                                 "open it in Excel and save it as .xlsx")
    if "word/document.xml" in names:
        raise UnreadableDocument("a Word .docx file saved with a .xlsx suffix, not a workbook; rename it to .docx")
    if "mimetype" in names and b"opendocument.spreadsheet" in zf.read("mimetype")[:100]:
        raise UnreadableDocument("an OpenDocument spreadsheet (.ods) saved with a .xlsx suffix; "
                                 "open it in LibreOffice or Excel and save it as .xlsx")
    raise UnreadableDocument("a zip package without a workbook (no xl/workbook.xml): not an Excel .xlsx file; "
                             "check its real type")


def describe_ole2(path: Path, suffix: str) -> str:
    """What an OLE2 (Office 97-2003 container) file is, as an error message for a file named ``suffix``."""
    data = path.read_bytes()
    try:
        from extract.readers.doc import ole_streams

        streams = {name.lower() for name in ole_streams(data)}
    except Exception as exc:  # damaged directory (or the helper moved): fall back to the names' bytes
        raise_if_out_of_memory(exc)
        streams = {n.lower() for n in ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument")
                   if n.encode("utf-16-le") in data}
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return ("the workbook is password-protected (encrypted); open it with the password in Excel and save it "
                "again without one (File → Info → Protect Workbook → Encrypt with Password: clear it)")
    if "workbook" in streams or "book" in streams:
        if suffix == ".xls":
            return ""  # not an error: the caller reads it
        return f"a legacy Excel 97-2003 workbook (.xls) saved with a {suffix} suffix; rename it to .xls"
    if "worddocument" in streams:
        return f"a legacy Word .doc file saved with a {suffix} suffix, not a workbook; rename it to .doc"
    return (f"an OLE2 (Office 97-2003) container that holds no Excel workbook, saved as {suffix}; "
            "check its real type")


def _scan_sheets(zf: zipfile.ZipFile) -> _Package:
    """Each sheet's formulas without a cached value and merged ranges past MAX_MERGED_CELLS."""
    try:
        sheets = _sheet_parts(zf)
    except (KeyError, ElementTree.ParseError) as exc:
        raise_if_out_of_memory(exc)
        return _Package({}, {})  # openpyxl will say what is wrong with the package
    uncached: dict[str, list[str]] = {}
    dropped: dict[str, set[bytes]] = {}
    notes: list[str] = []
    for name, part in sheets:
        if part not in zf.namelist():
            continue
        data = zf.read(part)
        found = _uncached_formulas(data)
        if found:
            uncached[name] = found
        left_out = _merges_past_budget(data)
        if left_out:
            dropped[part] = {element for element, _, _ in left_out}
            notes.append(f"sheet {name!r}: {_merges_left_out_note([(ref, cells) for _, ref, cells in left_out])}")
    return _Package(uncached, dropped, tuple(notes))


def _merges_left_out_note(ranges: list[tuple[str, int]]) -> str:
    shown = ", ".join(f"{ref} ({cells:,} cells)" for ref, cells in ranges[:3])
    more = f" and {len(ranges) - 3:,} more" if len(ranges) > 3 else ""
    return (f"merged range(s) {shown}{more} not read as merged: together past {MAX_MERGED_CELLS:,} merged "
            "cells (a form's merges cover some hundreds)")


def _merges_past_budget(data: bytes) -> list[tuple[bytes, str, int]]:
    """The <mergeCell> elements of a sheet's XML past MAX_MERGED_CELLS, as (element, range, cells)."""
    if b"mergeCell" not in data:
        return []
    total = 0
    out: list[tuple[bytes, str, int]] = []
    for m in _MERGE_CELL.finditer(data):
        ref = m.group(1).decode("ascii", "replace")
        cells = _range_cells(ref)
        if total + cells > MAX_MERGED_CELLS:
            out.append((m.group(0), ref, cells))
        else:
            total += cells
    return out


def _range_cells(ref: str) -> int:
    """Cells of an A1-style range ("B2:D4" → 9); a malformed one counts as one cell (openpyxl decides)."""
    ends = [_CELL_REF.fullmatch(part) for part in ref.split(":")]
    if len(ends) != 2 or not all(ends):
        return 1
    (c0, r0), (c1, r1) = ((_column_number(m.group(1)), int(m.group(2))) for m in ends if m)
    return (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _workbook_file(path: Path, dropped: dict[str, set[bytes]]) -> IO[bytes]:
    """The package to give openpyxl: the file itself, or an in-memory copy without the merged
    ranges in ``dropped``."""
    if not dropped:
        return path.open("rb")
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            left_out = dropped.get(info.filename)
            if left_out:
                data = _MERGE_CELL.sub(lambda m: b"" if m.group(0) in left_out else m.group(0), data)
            zout.writestr(info, data)
    out.seek(0)
    return out


def _uncached_formulas(data: bytes) -> list[str]:
    """Cell references of a sheet's XML whose formula has no cached result: openpyxl (data_only) shows them empty."""
    found: list[str] = []
    if not re.search(rb"<(\w+:)?f[\s>/]", data):
        return found  # no formula at all: the common case, no XML parse needed
    try:
        with io.BytesIO(data) as fh:
            for _, el in ElementTree.iterparse(fh):
                if _local(el.tag) != "c":
                    continue
                kids = {_local(child.tag): child for child in el}
                if "f" in kids and _no_value(el, kids.get("v")):
                    found.append(el.get("r") or "?")
                el.clear()
    except ElementTree.ParseError as exc:
        raise_if_out_of_memory(exc)
        return []  # openpyxl will say what is wrong with the sheet
    return found


def _no_value(c: ElementTree.Element, v: ElementTree.Element | None) -> bool:
    """No cached result: no ``<v>``, or an empty one on a cell that is not text (openpyxl writes
    ``<v></v>``; a formula giving "" is saved by Excel as ``t="str"`` with an empty ``<v>``)."""
    if v is None:
        return True
    return not (v.text or "").strip() and c.get("t") not in ("str", "inlineStr", "s")


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip part) in workbook order, following the package relationships."""
    root_rels = ElementTree.fromstring(zf.read("_rels/.rels"))
    wb_part = next(r.get("Target", "") for r in root_rels if (r.get("Type") or "").endswith("/officeDocument"))
    wb_part = wb_part.lstrip("/")
    wb_dir = PurePosixPath(wb_part).parent
    rels_part = str(wb_dir / "_rels" / (PurePosixPath(wb_part).name + ".rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in ElementTree.fromstring(zf.read(rels_part))}
    out: list[tuple[str, str]] = []
    for el in ElementTree.fromstring(zf.read(wb_part)).iter():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else str(wb_dir / target)
        out.append((el.get("name", ""), _normpath(part)))
    return out


def _normpath(part: str) -> str:
    stack: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if stack:
                stack.pop()
        elif piece not in ("", "."):
            stack.append(piece)
    return "/".join(stack)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --------------------------------------------------------------------------- sheet → tables


def sheet_tables(
    texts: dict[tuple[int, int], str], merges: Iterable[tuple[int, int, int, int]], page: int
) -> tuple[list[Table], list[str]]:
    """Cells of one sheet → tables, and notes on what was not read as one grid.

    ``texts`` maps 0-based (row, col) to the cell's text; ``merges`` are 0-based inclusive
    (first row, first col, last row, last col) ranges. Each table is a block of rows with content,
    trimmed of empty border rows and columns; every slot of it is covered by exactly one cell
    (empty slots become empty cells, as in a Word table). A block far larger than its filled
    cells is split at empty columns too, and what is still that sparse is read row by row.
    """
    spans: dict[tuple[int, int], tuple[int, int]] = {}  # merge origin → (last row, last col)
    hidden: set[tuple[int, int]] = set()  # slots covered by a merge other than its origin
    owner: dict[tuple[int, int], tuple[int, int]] = {}  # slot → origin of the first merge covering it
    merged = 0
    left_out: list[tuple[int, int, int, int]] = []  # past MAX_MERGED_CELLS (the .xls reader's merges)
    for r0, c0, r1, c1 in merges:
        if (r0, c0) in spans or (r0, c0) in hidden:
            continue  # overlapping merges are invalid in Excel; keep the first
        cells = (r1 - r0 + 1) * (c1 - c0 + 1)
        if merged + cells > MAX_MERGED_CELLS:
            left_out.append((r0, c0, r1, c1))
            continue
        merged += cells
        spans[(r0, c0)] = (r1, c1)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                owner.setdefault((r, c), (r0, c0))
                if (r, c) != (r0, c0):
                    hidden.add((r, c))
    # Content extents: a non-empty cell occupies its whole merged range.
    extents: list[tuple[int, int, int, int]] = []
    for (r, c), text in texts.items():
        if text and (r, c) not in hidden:
            r1, c1 = spans.get((r, c), (r, c))
            extents.append((r, c, r1, c1))
    tables: list[Table] = []
    notes: list[str] = [_merges_left_out_note([(f"{_a1(r0, c0)}:{_a1(r1, c1)}", (r1 - r0 + 1) * (c1 - c0 + 1))
                                               for r0, c0, r1, c1 in left_out])] if left_out else []
    for band in _bands(extents, 0):
        if _dense(band):
            tables.append(_block_to_table(band, texts, spans, hidden, owner, page))
            continue
        blocks = sorted((b for group in _bands(band, 1) for b in _bands(group, 0)), key=_box)
        sparse = 0
        for block in blocks:
            if _dense(block):
                tables.append(_block_to_table(block, texts, spans, hidden, owner, page))
            else:
                sparse += 1
                tables.extend(_rows_to_tables(block, texts, page))
        top, left, bottom, right = _box(band)
        n_rows, n_cols = bottom - top + 1, right - left + 1
        if len(blocks) == 1:
            how = "read row by row"
        else:
            how = f"read as {len(blocks):,} separate blocks" + (f" ({sparse:,} of them row by row)" if sparse else "")
        notes.append(f"{len(band):,} filled cells spread over {n_rows:,} rows × {n_cols:,} columns "
                     f"({_a1(top, left)}:{_a1(bottom, right)}): {how} instead of as one grid of "
                     f"{n_rows * n_cols:,} slots")
    return tables, notes


def _bands(extents: list[tuple[int, int, int, int]], axis: int) -> list[list[tuple[int, int, int, int]]]:
    """Extents grouped where more than SPLIT_GAP empty rows (axis 0) or columns (axis 1) part them."""
    if not extents:
        return []
    occupied: set[int] = set()
    for e in extents:
        occupied.update(range(e[axis], e[axis + 2] + 1))
    lines = sorted(occupied)
    starts = [lines[0]] + [b for a, b in zip(lines, lines[1:]) if b - a - 1 > SPLIT_GAP]
    groups: list[list[tuple[int, int, int, int]]] = [[] for _ in starts]
    for e in extents:  # an extent's rows (columns) are contiguous: all in the group of its first
        groups[bisect.bisect_right(starts, e[axis]) - 1].append(e)
    return groups


def _box(extents: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    return (min(e[0] for e in extents), min(e[1] for e in extents),
            max(e[2] for e in extents), max(e[3] for e in extents))


def _dense(extents: list[tuple[int, int, int, int]]) -> bool:
    """Small enough, or filled enough, to be read as one grid of all its slots."""
    top, left, bottom, right = _box(extents)
    return (bottom - top + 1) * (right - left + 1) <= max(MAX_TABLE_SLOTS, SPARSE_FACTOR * len(extents))


def _block_to_table(extents: list[tuple[int, int, int, int]], texts: dict[tuple[int, int], str],
                    spans: dict[tuple[int, int], tuple[int, int]], hidden: set[tuple[int, int]],
                    owner: dict[tuple[int, int], tuple[int, int]], page: int) -> Table:
    """A block of a sheet as one table over every slot of its box."""
    top, left, bottom, right = _box(extents)
    cells: list[Cell] = []
    done: set[tuple[int, int]] = set()
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            if (r, c) in done:
                continue
            origin = owner[(r, c)] if (r, c) in hidden else (r, c)  # a merge from outside the box: clipped
            r1, c1 = spans.get(origin, origin)
            r1, c1 = min(r1, bottom), min(c1, right)
            text = texts.get(origin, "") if origin == (r, c) else ""
            cells.append(Cell(text=text, row=r - top, col=c - left,
                              rowspan=r1 - r + 1, colspan=c1 - c + 1, page=page))
            for rr in range(r, r1 + 1):
                for cc in range(c, c1 + 1):
                    done.add((rr, cc))
    return Table(cells=tuple(cells), n_rows=bottom - top + 1, n_cols=right - left + 1, page=page)


def _rows_to_tables(extents: list[tuple[int, int, int, int]], texts: dict[tuple[int, int], str],
                    page: int) -> list[Table]:
    """A block too sparse for one grid: each row's filled cells side by side, one table a row."""
    rows: dict[int, list[tuple[int, int, int, int]]] = {}
    for e in extents:
        rows.setdefault(e[0], []).append(e)
    return [Table(cells=tuple(Cell(text=texts[(r, e[1])], row=0, col=i, page=page)
                              for i, e in enumerate(sorted(row, key=lambda e: e[1]))),
                  n_rows=1, n_cols=len(row), page=page)
            for r, row in sorted(rows.items())]


def _a1(row: int, col: int) -> str:
    """0-based (row, col) → an A1 reference."""
    letters = ""
    n = col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


# --------------------------------------------------------------------------- values → text


def cell_text(value: object, number_format: str | None) -> str:
    """A cell value as Excel displays it with ``number_format``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return date_text(value, number_format or "")
    if isinstance(value, (int, float)):
        return format_number(value, number_format or "General")
    return str(value).strip()


def date_text(value: dt.datetime | dt.date | dt.time | dt.timedelta, number_format: str) -> str:
    """Dates as YYYY-MM-DD; a time of day added only when the format shows one."""
    if isinstance(value, dt.timedelta):  # [h]:mm durations
        total = int(round(value.total_seconds()))
        sign, total = ("-", -total) if total < 0 else ("", total)
        return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, dt.datetime):
        shows_time = bool(re.search(r"[hs]", _strip_literals(number_format), re.I))
        if shows_time and value.time() != dt.time(0):
            return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d")


def _strip_literals(fmt: str) -> str:
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt)


_GENERAL = re.compile(r"general|g/通用格式", re.I)  # "G/通用格式" is General in Chinese-locale files


def format_number(value: float | int, number_format: str = "General") -> str:
    """A number as Excel shows it through ``number_format`` (the common subset of the format language:
    sections ``pos;neg;zero``, ``0 # ?`` placeholders, thousands ``,`` and scaling ``,``, ``%``,
    ``E+`` exponents, quoted and escaped literals, ``[Red]``/``[$¥-804]`` brackets, ``_x`` padding)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return "#NUM!"
    sections = _sections(number_format or "General")
    if len(sections) >= 3 and value == 0:
        plan, sign = sections[2], ""
    elif len(sections) >= 2 and value < 0:
        plan, sign, value = sections[1], "", -value
    else:
        plan, sign = sections[0], "-" if value < 0 else ""
        value = abs(value)
    if plan[0] == "fraction":
        return (sign + _fraction(Decimal(_general(value, digits_only=True)), *plan[1])).strip()
    if plan[0] == "text":  # no digit placeholder, e.g. the zero section of an accounting format: "-"
        return plan[1]
    _, prefix, suffix, percent, core = plan
    number = Decimal(_general(value, digits_only=True)) * (Decimal(100) ** percent)
    body = _general(float(number)) if core is None else _apply_core(number, core)
    if sign and not any(ch in "123456789" for ch in body):
        sign = ""  # -0.001 shown with 0.00 is 0.00
    return (sign + prefix + body + suffix).strip()


@functools.lru_cache(maxsize=512)
def _sections(number_format: str) -> tuple[tuple, ...]:  # type: ignore[type-arg]
    """A format's sections, each parsed once into what ``format_number`` needs:
    ("fraction", groups) | ("text", literal) | ("number", prefix, suffix, percent, core or None for General)."""
    plans: list[tuple] = []  # type: ignore[type-arg]
    for section in _split_sections(number_format):
        fraction = _FRACTION.fullmatch(_strip_literals(section).replace("_)", "").replace("_ ", ""))
        if fraction:
            plans.append(("fraction", fraction.groups()))
            continue
        tokens = _tokens(section)
        placeholders = [i for i, (kind, _) in enumerate(tokens) if kind in ("ph", "gen")]
        if not placeholders:
            plans.append(("text", "".join(t for kind, t in tokens if kind == "lit").strip()))
            continue
        first, last = placeholders[0], placeholders[-1]
        prefix = "".join(t for kind, t in tokens[:first] if kind == "lit")
        suffix = "".join(t for kind, t in tokens[last + 1:] if kind == "lit")
        percent = sum(t.count("%") for kind, t in tokens if kind == "lit")
        core = None if tokens[first][0] == "gen" else "".join(
            t for kind, t in tokens[first:last + 1] if kind == "ph")
        plans.append(("number", prefix, suffix, percent, core))
    return tuple(plans)


_FRACTION = re.compile(r"\s*(?:([#0?,]+)\s+)?([#0?]+)\s*/\s*([#0?]+|[1-9]\d*)\s*")


def _fraction(number: Decimal, whole_fmt: str | None, _num_fmt: str, den_fmt: str) -> str:
    """``# ?/?`` and ``# ??/100`` formats: the nearest fraction with that many denominator digits."""
    from fractions import Fraction

    whole = int(number) if whole_fmt else 0
    rest = Fraction(number) - whole
    if den_fmt.isdigit():
        num = (rest * int(den_fmt)).__round__()
        frac = f"{num}/{den_fmt}" if num else ""
    else:
        approx = rest.limit_denominator(10 ** len(den_fmt) - 1)
        if approx == 1 and whole_fmt:
            whole, approx = whole + 1, Fraction(0)
        frac = f"{approx.numerator}/{approx.denominator}" if approx else ""
    if whole_fmt:
        return " ".join(p for p in (str(whole) if whole or not frac else "", frac) if p)
    return frac or "0"


def _split_sections(fmt: str) -> list[str]:
    sections, current, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            end = fmt.find('"', i + 1)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i:end + 1])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(fmt):
            current.append(fmt[i:i + 2])
            i += 2
            continue
        if ch == "[":
            end = fmt.find("]", i)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i:end + 1])
            i = end + 1
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return sections


def _tokens(section: str) -> list[tuple[str, str]]:
    """("lit", text) | ("ph", placeholder chars 0#?.,E+-) | ("gen", "")."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        m = _GENERAL.match(section, i)
        if m:
            out.append(("gen", ""))
            i = m.end()
        elif ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(("lit", section[i + 1:end]))
            i = end + 1
        elif ch == "\\":
            out.append(("lit", section[i + 1:i + 2]))
            i += 2
        elif ch == "_":  # pad with the width of the next character
            out.append(("lit", " "))
            i += 2
        elif ch == "*":  # repeat the next character to fill the column
            i += 2
        elif ch == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            inner = section[i + 1:end]
            if inner.startswith("$"):  # [$¥-804]: a currency symbol with a locale
                out.append(("lit", inner[1:].split("-", 1)[0]))
            i = end + 1
        elif ch in "0#?":
            out.append(("ph", ch))
            i += 1
        elif ch in ".," and _placeholder_near(section, i):
            out.append(("ph", ch))
            i += 1
        elif ch in "Ee" and i + 1 < len(section) and section[i + 1] in "+-" and out and out[-1][0] == "ph":
            out.append(("ph", section[i:i + 2]))
            i += 2
        elif ch == "@":
            i += 1
        else:
            out.append(("lit", ch))
            i += 1
    return out


def _placeholder_near(section: str, i: int) -> bool:
    """A ``.`` or ``,`` belongs to the number when a digit placeholder is next to it (or a trailing
    scaling comma follows one)."""
    before = section[i - 1] if i > 0 else ""
    after = section[i + 1] if i + 1 < len(section) else ""
    return (before != "" and before in "0#?,.") or (after != "" and after in "0#?")


def _general(value: float | int | Decimal, digits_only: bool = False) -> str:
    """Excel's General: up to 15 significant digits, no trailing zeros, integers without ``.0``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    x = float(value)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.15g}"
    if "e" in text and (digits_only or 1e-10 <= abs(x) < 1e15):
        text = format(Decimal(text), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if "e" in text:  # 1.5e+20 → 1.5E+20 as Excel writes it
        mantissa, exp = text.split("e")
        text = f"{mantissa}E{exp[0]}{exp[1:].lstrip('0').zfill(2)}"
    return text


def _apply_core(number: Decimal, core: str) -> str:
    """Format a non-negative ``number`` with a placeholder core such as ``#,##0.00`` or ``0.0E+00``."""
    while core.endswith(","):  # trailing commas scale by a thousand each
        core = core[:-1]
        number /= 1000
    exp_at = next((i for i in range(len(core)) if core[i] in "Ee"), -1)
    if exp_at >= 0:
        mantissa_fmt, exp_fmt = core[:exp_at], core[exp_at + 2:]
        decimals = _frac_places(mantissa_fmt)[1]
        try:
            text = f"{number:.{decimals}E}" if number else f"{0:.{decimals}f}E+0"
        except (InvalidOperation, ValueError):
            return str(number)
        mantissa, exp = text.split("E")
        exp_sign = "-" if exp.startswith("-") else ("+" if core[exp_at + 1] == "+" else "")
        return f"{mantissa}E{exp_sign}{exp.lstrip('+-').lstrip('0').zfill(max(1, len(exp_fmt)))}"
    int_fmt = core.partition(".")[0]
    min_dec, max_dec = _frac_places(core)
    rounded = number.quantize(Decimal(1).scaleb(-max_dec), rounding=ROUND_HALF_UP)
    int_digits, _, frac_digits = format(rounded, "f").partition(".")
    frac_digits = frac_digits.ljust(max_dec, "0")
    while len(frac_digits) > min_dec and frac_digits.endswith("0"):
        frac_digits = frac_digits[:-1]
    min_int = int_fmt.count("0")
    if int_digits == "0" and min_int == 0:
        int_digits = ""  # "#.00" shows 0.5 as ".50"
    int_digits = int_digits.zfill(min_int)
    if "," in int_fmt:
        groups = []
        while len(int_digits) > 3:
            groups.insert(0, int_digits[-3:])
            int_digits = int_digits[:-3]
        int_digits = ",".join([int_digits, *groups]) if int_digits else ",".join(groups)
    return f"{int_digits}.{frac_digits}" if "." in core else int_digits


def _frac_places(fmt: str) -> tuple[int, int]:
    """(required, maximum) decimal places of ``.00#``-style format text."""
    if "." not in fmt:
        return 0, 0
    frac = "".join(ch for ch in fmt.split(".", 1)[1] if ch in "0#?")
    required = frac.rfind("0") + 1
    return required, len(frac)
