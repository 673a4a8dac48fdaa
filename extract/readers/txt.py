"""Reader for text dumps of reports: tab- or `|`-separated table rows, other lines as paragraphs.

This is the layout text extraction tools give a PDF report (the seed report is one):
table rows as tab-separated fields, blank lines where a page or cell break fell, ruler
lines (``--\t---``) and form feeds between pages. Such dumps lose empty cells at the
left of a row and add trailing ones, so rows are aligned on their right edge to the
table's usual width; rows shorter than that are left as they came. Web copies (`a | b | c |`,
Markdown tables) drop empty cells anywhere. The form decides how short rows are placed
(extract/forms/align.py): under its header by what their cells hold, or right-aligned.
"""

from __future__ import annotations

import re
from pathlib import Path

from jixiao.errors import UnreadableDocument
from jixiao.model import Block, Cell, Document, Paragraph, Table

_RULER = re.compile(r"^[\s\-=|+:—─]+$")
# Running headers and footers a page break leaves in the text: `第 1 页 共 5 页`, `— 1 —`, `1/5`.
_PAGE_MARK = re.compile(
    r"^\s*(?:第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?|[-—–]\s*\d+\s*[-—–]|\d+\s*/\s*\d+|"
    r"[Pp]age\s*\d+(?:\s*of\s*\d+)?)\s*$"
)
ENCODINGS = ("utf-8-sig", "gb18030", "utf-16")


def txt_to_document(path: Path) -> Document:
    return text_to_document(_decode(path.read_bytes(), path))


def text_to_document(text: str) -> Document:
    blocks: list[Block] = []
    run: list[tuple[list[str], int | None]] = []
    # Pages are known only where the dump kept its form feeds; otherwise they stay unknown.
    paged = "\f" in text
    page: int | None = 1 if paged else None

    def flush() -> None:
        if run:
            blocks.append(_rows_to_table(run))
            run.clear()

    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        while raw_line.startswith("\f"):
            page = (page or 1) + 1
            raw_line = raw_line[1:]
        line = raw_line.rstrip("\n")
        if line.strip() == "|" and run and len(run[-1][0]) == 1:
            run.append(([""], page))  # an empty cell of a table copied cell by cell
            continue
        if _is_cell_line(line) and line.strip() != "|":  # before the ruler test: `= |` is an operator cell
            if run and len(run[-1][0]) != 1:
                flush()
            run.append(([_pipe_cells(line)[0]], page))
            continue
        if not line.strip() or _RULER.match(line) or _PAGE_MARK.match(line):
            continue  # blank lines, rulers, page numbers do not end a table: page breaks leave them mid-table
        if run and len(run[-1][0]) == 1 and not _is_cell_line(line):
            flush()  # a run of one cell per line ends
        if "\t" in line:
            run.append((line.split("\t"), page))
        elif _is_pipe_row(line):
            run.append((_pipe_cells(line), page))
        else:
            flush()
            blocks.append(Paragraph(line.strip(), page=page))
    flush()
    if not blocks:
        raise UnreadableDocument("the text file is empty: nothing to extract")
    return Document(blocks=tuple(blocks), format="txt", pages=page)


def _is_cell_line(line: str) -> bool:
    """``项目名称 |`` or a lone ``|``: one cell of a table copied cell by cell (a web page's table
    pasted as text); a run of them is a one-column table the form rebuilds into rows by its header
    (extract/forms/align.py)."""
    text = line.strip()
    return text.endswith("|") and text.count("|") == 1


def _is_pipe_row(line: str) -> bool:
    """A row of `|`-separated cells (web copies, Markdown tables, with or without outer bars)."""
    return line.count("|") >= 2 or (line.count("|") == 1 and not line.strip().endswith("|")
                                    and not line.strip().startswith("|"))


def _pipe_cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [cell.strip() for cell in text.split("|")]


def _rows_to_table(rows: list[tuple[list[str], int | None]]) -> Table:
    # The widest row once empty fields at both ends are dropped: padding that a dump added
    # to some rows must not widen the table. Shorter rows stay as they are: which cells they lost
    # is for the form to say (extract/forms/align.py), not for the reader to guess.
    width = max(len(_trim(fields)) for fields, _ in rows)
    cells: list[Cell] = []
    n_cols = width
    for r, (fields, page) in enumerate(rows):
        fields = [f.strip() for f in fields]
        while len(fields) > width and not fields[-1]:
            fields.pop()
        while len(fields) > width and not fields[0]:
            fields.pop(0)
        n_cols = max(n_cols, len(fields))
        cells.extend(Cell(text=t, row=r, col=c, page=page) for c, t in enumerate(fields))
    return Table(cells=tuple(cells), n_rows=len(rows), n_cols=n_cols, page=rows[0][1])


def _trim(fields: list[str]) -> list[str]:
    start, end = 0, len(fields)
    while start < end and not fields[start].strip():
        start += 1
    while end > start and not fields[end - 1].strip():
        end -= 1
    return fields[start:end]


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    utf16 = _utf16_without_bom(data[:4096])
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("binary data, not a text file; check the file's real type")
    for enc in ENCODINGS[:2]:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument(
        "text in an unknown encoding (tried UTF-8, GB18030 (which covers GBK and GB2312) and UTF-16); "
        "re-save it as UTF-8"
    )


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark (Windows Notepad's "Unicode"): the high bytes of ASCII
    characters (tabs, digits, line ends) are zeros, so the zeros fall on one side."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    # (a CJK character such as 一 U+4E00 has a zero byte too: one side has far more zeros, not all)
    if zeros_odd > 0.2 * len(odd) and zeros_even * 4 < zeros_odd:
        return "utf-16-le"
    if zeros_even > 0.2 * len(even) and zeros_odd * 4 < zeros_even:
        return "utf-16-be"
    return None
