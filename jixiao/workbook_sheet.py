"""One sheet of audit.xlsx, written row by row (xlsxwriter's constant_memory mode): Chinese
headers, number formats by column kind, widths that fit the text, frozen header, filter, print
set-up, fills and comments on flagged cells, and a last row saying where the rest is when a sheet
would pass Excel's row limit.
"""

from __future__ import annotations

import math
import re
from typing import Any

from jixiao.text import display_width
from jixiao.workbook_columns import NUMBER_FORMATS, NUMBER_WIDTHS, SEVERITY_LABELS, STATUS_LABELS, Column

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CHARS = 32_767
# Excel keeps at most 65,530 hyperlinks per sheet; past that a link is a HYPERLINK formula.
LINK_LIMIT = 65_530
# Comments are held in memory until the sheet is closed (xlsxwriter writes them last), and Excel
# slows down with very many: past this many per sheet, the row's 标记 column still has the reason.
COMMENT_LIMIT = 10_000
FILLS = {"error": "#FFC7CE", "warning": "#FFEB9C"}  # light red: the figures disagree; amber: look at it
FONTS = {"error": "#9C0006", "warning": "#9C5700"}
HEADER_FILL = "#DDEBF7"
# Points per line of 11-point text: 15 for Latin, CJK fonts set lines taller (~16 in LibreOffice's Noto CJK).
LINE_HEIGHT = 16
PAGE_WIDTH = 150  # character widths across A4 landscape inside the margins, at 100%
NATURAL_MAX = 80  # the widest a column grows on a narrow sheet
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUNCATED = "…（已截断：全文见 dataset.sqlite / JSON）"


class Sheet:
    """A worksheet whose rows are written in order; ``close()`` adds the filter and any overflow line."""

    def __init__(self, book: Any, name: str, columns: tuple[Column, ...], widths: dict[str, int],
                 freeze_cols: int = 0) -> None:
        self.book, self.columns = book, columns
        self.widths = [widths.get(col.key, col.width) for col in columns]
        self.ws = ws = book.wb.add_worksheet(name)
        self.row_no = 1  # the next row to write (0 is the header)
        self.overflow = 0
        self.table_end: int | None = None  # the last row of the table (filter); rows below it are notes
        self.links = self.comments = 0
        for c, col in enumerate(columns):
            ws.set_column(c, c, widths.get(col.key, col.width), book.fmt(col.kind))
        header = book.header
        tall = any(display_width(col.header) + 3 > widths.get(col.key, col.width) for col in columns)
        ws.set_row(0, 30 if tall else 18, header)
        for c, col in enumerate(columns):
            ws.write_string(0, c, col.header, header)
        ws.freeze_panes(1, freeze_cols)
        _print_setup(ws)

    def write(self, values: Any, marks: dict[str, str] | None = None, comments: dict[str, str] | None = None,
              links: dict[str, tuple[str, str]] | None = None) -> None:
        """One row: ``values[col.key]`` per column; ``marks`` column → severity (error|warning);
        ``comments`` column → text; ``links`` column → (location, shown text), inside the workbook."""
        if self.row_no >= EXCEL_MAX_ROWS - 1:  # an archive can outgrow a sheet; the CSV and SQLite hold all
            self.overflow += 1
            return
        r, ws, book = self.row_no, self.ws, self.book
        lines = 1
        for c, col in enumerate(self.columns):
            mark = (marks or {}).get(col.key)
            fmt = book.fmt(col.kind, mark)
            link = (links or {}).get(col.key)
            if link is not None:
                self._link(r, c, link, fmt)
            else:
                value = _shown(col, _get(values, col.key))
                put(ws, r, c, value, fmt)
                if col.kind == "wrap" and isinstance(value, str):
                    lines = max(lines, text_lines(value, self.widths[c]))
            note = (comments or {}).get(col.key)
            if note and self.comments < COMMENT_LIMIT:
                self.comments += 1
                ws.write_comment(r, c, _text(note), {"author": "jixiao", "x_scale": 3, "y_scale": 2.5})
        if lines > 1:  # neither Excel nor LibreOffice grows a row for wrapped text on opening
            ws.set_row(r, min(409, LINE_HEIGHT * lines + 2))
        self._forget(r - 1)
        self.row_no += 1

    def _forget(self, r: int) -> None:
        """constant_memory writes a row out when the next one starts but keeps its settings (and
        height) to the end; the written row's are dropped so that memory stays flat. A row with a
        comment keeps its height, by which the comment's box is placed."""
        for name in ("row_info", "row_sizes"):
            kept = getattr(self.ws, name, None)
            if isinstance(kept, dict) and not (name == "row_sizes" and r in self.ws.comments):
                kept.pop(r, None)

    def line(self, text: str, severity: str | None = None) -> None:
        """A row holding one sentence in its first column (an empty table, a note)."""
        if self.row_no >= EXCEL_MAX_ROWS - 1:  # the last row is kept for the overflow note
            self.overflow += 1
            return
        put(self.ws, self.row_no, 0, text, self.book.note(severity))
        self._forget(self.row_no - 1)
        self.row_no += 1

    def end_table(self, gap: int = 1) -> None:
        """The table ends here: the filter covers the rows written so far, and what follows (after
        ``gap`` empty rows) is notes below it."""
        self.table_end = self.row_no - 1
        self.row_no = min(self.row_no + gap, EXCEL_MAX_ROWS - 1)

    def _link(self, r: int, c: int, link: tuple[str, str], fmt: Any) -> None:
        location, shown = link
        self.links += 1
        if self.links <= LINK_LIMIT:
            self.ws.write_url(r, c, f"internal:{location}", fmt, string=shown)
        else:
            self.ws.write_formula(r, c, f'=HYPERLINK("#{location}","{shown}")', fmt, shown)

    def close(self) -> None:
        last = max(self.row_no - 1 if self.table_end is None else self.table_end, 1)
        if self.overflow:
            put(self.ws, EXCEL_MAX_ROWS - 1, 0,
                f"… 另有 {self.overflow} 行未列出：见 CSV 文件或 dataset.sqlite（Excel 工作表最多 {EXCEL_MAX_ROWS} 行）",
                self.book.note("warning"))
            last = min(last, EXCEL_MAX_ROWS - 2)
        self.ws.autofilter(0, 0, last, len(self.columns) - 1)


def text_lines(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` wide (its newlines kept)."""
    room = max(1, width)
    return sum(max(1, math.ceil(_printed_width(part) / room)) for part in text.split("\n"))


def _printed_width(text: str) -> float:
    # Column widths count digits of the default font: Latin text averages ~0.85 of that, a CJK
    # character 2 in Excel (LibreOffice's CJK fonts run narrower, so rows there have a little room).
    wide = display_width(text) - len(text)
    return 0.85 * (len(text) - wide) + 2 * wide


def _print_setup(ws: Any) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # all columns on the page's width, as many pages down as needed
    ws.repeat_rows(0)  # the header on every page
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header("&L&A&R&F", {"margin": 0.25})
    ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.25})
    ws.hide_gridlines(0)  # gridlines on screen and on paper


def _get(values: Any, key: str) -> Any:
    try:
        return values[key]
    except (KeyError, IndexError):
        return None


def _shown(col: Column, value: Any) -> Any:
    if value is None:
        return None
    if col.kind == "yesno":
        return "是" if value else "否"
    if col.kind == "label":
        return (STATUS_LABELS if col.key == "status" else SEVERITY_LABELS).get(value, value)
    return value


def _text(value: str) -> str:
    value = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if len(value) > EXCEL_MAX_CHARS:
        value = value[:EXCEL_MAX_CHARS - len(_TRUNCATED)] + _TRUNCATED
    return value


def put(ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
    """Write a value by its type: text always as text (``=100%`` stays a target)."""
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, _text(value), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_string(r, c, _text(str(value)), fmt)


class Formats:
    """The workbook's cell formats, made once per (kind, severity)."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self._cache: dict[tuple[str, str | None], Any] = {}
        self.header = wb.add_format({"bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "valign": "vcenter",
                                     "border": 1})
        self._notes = {sev: wb.add_format({"italic": True, **({"bg_color": FILLS[sev]} if sev else {})})
                       for sev in (None, "error", "warning")}

    def fmt(self, kind: str, severity: str | None = None) -> Any:
        severity = severity if severity in FILLS else None
        key = (kind, severity)
        if key not in self._cache:
            spec: dict[str, Any] = {"valign": "top"}
            if kind in NUMBER_FORMATS:
                spec["num_format"] = NUMBER_FORMATS[kind]
            if kind == "wrap":
                spec["text_wrap"] = True
            if kind == "link":
                spec.update({"font_color": "#0563C1", "underline": 1})
            if kind in ("label", "yesno"):
                spec["align"] = "center"
            if severity:
                spec.update({"bg_color": FILLS[severity], "font_color": FONTS[severity]})
            self._cache[key] = self.wb.add_format(spec)
        return self._cache[key]

    def note(self, severity: str | None) -> Any:
        return self._notes[severity]


def column_widths(conn: Any, table: str, columns: tuple[Column, ...], sql_of: dict[str, str] | None = None,
                  where: str = "") -> dict[str, int]:
    """Each column's width: numbers by their format; text by its longest value (one streaming
    aggregate query: UTF-8 bytes + characters, halved, counts a CJK character as two widths and
    ASCII as one; over the rows ``where`` selects, all when empty), at most ``col.width``, wide
    enough for its header on two lines."""
    widths: dict[str, int] = {}
    measured = [col for col in columns if col.kind in ("text", "wrap")]
    known = _table_columns(conn, table)
    exprs = []
    for col in measured:
        expr = (sql_of or {}).get(col.key) or (f'"{col.key}"' if col.key in known else None)
        exprs.append(f"max((length(CAST({expr} AS BLOB)) + length({expr})) / 2)" if expr else "NULL")
    longest: list[Any] = []
    if exprs and known:
        longest = list(conn.execute(f"SELECT {', '.join(exprs)} FROM {table}"
                                    + (f" WHERE {where}" if where else "")).fetchone())
    natural: dict[str, int] = {}
    for i, col in enumerate(measured):
        head = (display_width(col.header) + 1) // 2 + 3
        data = (longest[i] or 0) + 1 if i < len(longest) else col.width
        widths[col.key] = max(min(col.width, max(data, head)), min(head, col.width), 4)
        natural[col.key] = max(min(data, NATURAL_MAX), head, 4)
    for col in columns:
        if col.key not in widths:
            base = NUMBER_WIDTHS.get(col.kind, col.width)
            widths[col.key] = natural[col.key] = max(base, (display_width(col.header) + 1) // 2 + 3)
    # A narrow sheet whose text fits the page unwrapped is shown so (fewer, shorter rows on paper).
    return natural if sum(natural.values()) <= PAGE_WIDTH else widths


def _table_columns(conn: Any, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
