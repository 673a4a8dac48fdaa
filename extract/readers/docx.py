"""Word (.docx) reader: body paragraphs and tables in document order.

Tables are read from the XML grid rather than python-docx's ``row.cells`` because that
API repeats a merged cell in every slot it covers; here a merged cell (gridSpan across,
vMerge down) is reported once with its span, as the ``Document`` model requires. A span
reaching past the columns a table can have is clamped there, with a note.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path
from typing import Any, Iterator

from extract.readers.limits import check_unpacked_size, raise_if_out_of_memory
from jixiao.errors import UnreadableDocument
from jixiao.model import Block, Cell, Document, Paragraph, Table

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_TBL, W_TR, W_TC, W_T, W_TAB, W_BR, W_CR, W_DEL = (
    _W + t for t in ("p", "tbl", "tr", "tc", "t", "tab", "br", "cr", "del"))
W_SDT, W_SDT_CONTENT, W_CUSTOM_XML = _W + "sdt", _W + "sdtContent", _W + "customXml"
W_TCPR, W_TRPR, W_GRID_SPAN, W_GRID_BEFORE, W_VMERGE, W_VAL = (
    _W + t for t in ("tcPr", "trPr", "gridSpan", "gridBefore", "vMerge", "val"))
W_TBL_GRID, W_GRID_COL = _W + "tblGrid", _W + "gridCol"

# Word allows at most 63 columns in a table; other programs may declare more in w:tblGrid, believed
# up to MAX_GRID_COLUMNS. A gridSpan or gridBefore reaching past that is broken or forged, and costs
# rows × its value: a 2-row table with gridSpan 100,000,000 took half a minute. It is clamped there.
MAX_WORD_COLUMNS = 63
MAX_GRID_COLUMNS = 1_000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls container
SAVE_AGAIN = "open it in Word or LibreOffice and save it again as .docx"


def docx_to_document(path: Path) -> Document:
    import docx  # python-docx; imported here so other formats do not pay for it

    _check_package(path)
    try:
        word = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for damaged files
        raise_if_out_of_memory(exc)
        raise UnreadableDocument(
            f"not a readable Word .docx file ({type(exc).__name__}: {exc}); {SAVE_AGAIN}"
        ) from exc
    blocks: list[Block] = []
    notes: list[str] = []
    tables = 0
    levels = _heading_styles(word)
    for child in _body_blocks(word.element.body):
        if child.tag == W_P:
            text = paragraph_text(child).strip()
            if text:
                blocks.append(Paragraph(text, level=_heading_level(child, levels), marked=_set_apart(child, text)))
        else:
            tables += 1
            table, clamped = _tbl_to_table(child)
            if clamped:
                notes.append(f"table {tables}: {clamped}")
            if table.cells:
                blocks.append(table)
    return Document(blocks=tuple(blocks), format="docx", notes=tuple(notes))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def _heading_styles(word: Any) -> dict[str, int]:
    """Style id → heading level: Word's Heading N / 标题 N styles, or a style with an outline level."""
    levels: dict[str, int] = {}
    try:
        styles = list(word.styles)
    except Exception:  # noqa: BLE001 - a damaged styles part only costs the heading levels
        return levels
    for style in styles:
        element = getattr(style, "element", None)
        if element is None:
            continue
        match = _HEADING_NAME.match((style.name or "").strip())
        outline = element.find(f"{_W}pPr/{_W}outlineLvl")
        if match:
            levels[style.style_id] = int(match.group(1))
        elif outline is not None and (outline.get(f"{_W}val") or "").isdigit() and int(outline.get(f"{_W}val")) < 9:
            levels[style.style_id] = int(outline.get(f"{_W}val")) + 1
    return levels


def _heading_level(p: Any, levels: dict[str, int]) -> int | None:
    """The heading level a paragraph is marked with (its own outline level, else its style's)."""
    outline = p.find(f"{_W}pPr/{_W}outlineLvl")
    if outline is not None and (outline.get(f"{_W}val") or "").isdigit() and int(outline.get(f"{_W}val")) < 9:
        return int(outline.get(f"{_W}val")) + 1
    style = p.find(f"{_W}pPr/{_W}pStyle")
    return levels.get(style.get(f"{_W}val")) if style is not None else None


def _set_apart(p: Any, text: str) -> bool:
    """A short paragraph printed bold throughout or centred: how unnumbered headings look."""
    if len(text) > 30 or text.endswith(("。", "；", ";")):
        return False
    jc = p.find(f"{_W}pPr/{_W}jc")
    if jc is not None and jc.get(f"{_W}val") == "center":
        return True
    runs = [r for r in p.iter(f"{_W}r") if "".join(t.text or "" for t in r.iter(f"{_W}t")).strip()]
    return bool(runs) and all(_bold(r) for r in runs)


def _bold(run: Any) -> bool:
    b = run.find(f"{_W}rPr/{_W}b")
    return b is not None and b.get(f"{_W}val") not in ("0", "false")


def _body_blocks(parent: Any) -> Iterator[Any]:
    """w:p and w:tbl in document order, looking inside content controls (w:sdt) and w:customXml,
    which forms exported by budget systems often wrap around whole tables."""
    for child in parent.iterchildren():
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                yield from _body_blocks(content)
        elif child.tag == W_CUSTOM_XML:
            yield from _body_blocks(child)


def paragraph_text(p: Any) -> str:
    """A paragraph's visible text: runs anywhere inside it (hyperlinks, tracked insertions,
    content controls), tabs and breaks kept, deleted text and field codes left out."""
    parts: list[str] = []
    for el in p.iter(W_T, W_TAB, W_BR, W_CR):
        if el.tag == W_T:
            if not _inside_deletion(el, p):
                parts.append(el.text or "")
        elif el.tag == W_TAB:
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _inside_deletion(el: Any, stop: Any) -> bool:
    node = el.getparent()
    while node is not None and node is not stop:
        if node.tag == W_DEL:
            return True
        node = node.getparent()
    return False


def _check_package(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            if "word/document.xml" not in zf.namelist():
                raise UnreadableDocument("zip package without word/document.xml: not a Word .docx file")
            check_unpacked_size(zf, SAVE_AGAIN)
    except zipfile.BadZipFile as exc:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(OLE2_MAGIC):
            raise UnreadableDocument(
                "a legacy Word .doc file saved with a .docx suffix; rename it to .doc to have it converted"
            ) from exc
        what = "empty" if size == 0 else "not a zip package"
        raise UnreadableDocument(
            f"not a Word .docx file ({what}, {size} bytes): the file is damaged or of another type; {SAVE_AGAIN}"
        ) from exc


def _tbl_to_table(tbl: Any) -> tuple[Table, str]:
    """Walk w:tr/w:tc, tracking grid columns, to give each merged cell one entry with spans.
    Also what was clamped, for a note ("" when nothing was)."""
    # origin cells as mutable [text, row, col, rowspan, colspan]
    cells: list[list] = []  # type: ignore[type-arg]
    open_vmerge: dict[int, list] = {}  # type: ignore[type-arg]  # column → cell a vMerge continues
    limit = max(MAX_WORD_COLUMNS, _grid_columns(tbl))
    clamped: list[int] = []  # the values clamped
    n_cols = 0
    row_index = 0
    for tr in _rows_of(tbl):
        col = max(0, _int_attr(tr.find(f"{W_TRPR}/{W_GRID_BEFORE}"), 0))
        if col >= limit:
            clamped.append(col)
            col = limit - 1
        for tc in _cells_of(tr):
            tcPr = tc.find(W_TCPR)
            span = 1
            vmerge = None
            if tcPr is not None:
                span = max(1, _int_attr(tcPr.find(W_GRID_SPAN), 1))
                if col + span > limit and span > 1:
                    clamped.append(span)
                    span = max(1, limit - col)
                vm = tcPr.find(W_VMERGE)
                if vm is not None:
                    vmerge = vm.get(W_VAL) or "continue"
            if vmerge == "continue" and col in open_vmerge:
                above = open_vmerge[col]
                above[3] = row_index - above[1] + 1
            else:
                cell = [_tc_text(tc), row_index, col, 1, span]
                cells.append(cell)
                for c in range(col, col + span):
                    open_vmerge.pop(c, None)
                if vmerge == "restart":
                    open_vmerge[col] = cell
            col += span
        n_cols = max(n_cols, col)
        row_index += 1
    table = Table(
        cells=tuple(Cell(text=t, row=r, col=c, rowspan=rs, colspan=cs) for t, r, c, rs, cs in cells),
        n_rows=row_index,
        n_cols=n_cols,
    )
    note = (f"{len(clamped)} gridSpan/gridBefore value(s) up to {max(clamped):,} reach past the table's "
            f"{limit} columns: clamped to them") if clamped else ""
    return table, note


def _grid_columns(tbl: Any) -> int:
    """The columns w:tblGrid declares, counted up to MAX_GRID_COLUMNS."""
    grid = tbl.find(W_TBL_GRID)
    if grid is None:
        return 0
    return sum(1 for _ in itertools.islice(grid.iterchildren(W_GRID_COL), MAX_GRID_COLUMNS))


def _rows_of(tbl: Any) -> Iterator[Any]:
    for child in tbl.iterchildren():
        if child.tag == W_TR:
            yield child
        elif child.tag in (W_SDT, W_CUSTOM_XML):  # rows wrapped in a content control
            content = child.find(W_SDT_CONTENT) if child.tag == W_SDT else child
            if content is not None:
                yield from _rows_of(content)


def _cells_of(tr: Any) -> Iterator[Any]:
    for child in tr.iterchildren():
        if child.tag == W_TC:
            yield child
        elif child.tag in (W_SDT, W_CUSTOM_XML):
            content = child.find(W_SDT_CONTENT) if child.tag == W_SDT else child
            if content is not None:
                yield from _cells_of(content)


def _tc_text(tc: Any) -> str:
    # Paragraphs of nested tables are included in order: their text belongs to this cell.
    lines = [paragraph_text(p) for p in tc.iter(W_P)]
    return "\n".join(line.strip() for line in lines).strip()


def _int_attr(el: Any, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(W_VAL))
    except (TypeError, ValueError):
        return default
