"""Word (.docx) reader: body paragraphs and tables in document order.

Tables are read from the XML grid rather than python-docx's ``row.cells`` because that
API repeats a merged cell in every slot it covers; here a merged cell (gridSpan across,
vMerge down) is reported once with its span, as the ``Document`` model requires.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from jixiao.errors import UnreadableDocument
from jixiao.model import Block, Cell, Document, Paragraph, Table

# A zip bomb is refused before any XML is parsed; real reports are a few MB unpacked.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def docx_to_document(path: Path) -> Document:
    import docx  # python-docx; imported here so other formats do not pay for it
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph as DocxParagraph

    _check_package(path)
    try:
        word = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for damaged files
        raise UnreadableDocument(
            f"not a readable Word .docx file ({type(exc).__name__}: {exc}); "
            "open it in Word or LibreOffice and save it again as .docx"
        ) from exc

    body = word.element.body
    blocks: list[Block] = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = DocxParagraph(child, word).text.strip()
            if text:
                blocks.append(Paragraph(text))
        elif child.tag == qn("w:tbl"):
            table = _tbl_to_table(child, word, qn, DocxParagraph)
            if table.cells:
                blocks.append(table)
    return Document(blocks=tuple(blocks), format="docx")


def _check_package(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            unpacked = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        size = path.stat().st_size
        what = "empty" if size == 0 else "not a zip package"
        raise UnreadableDocument(
            f"not a Word .docx file ({what}, {size} bytes); if it is a legacy Word file, rename it to .doc"
        ) from exc
    if "word/document.xml" not in names:
        raise UnreadableDocument("zip package without word/document.xml: not a Word .docx file")
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableDocument(
            f"unpacks to {unpacked // (1024 * 1024)} MB (limit {MAX_UNPACKED_BYTES // (1024 * 1024)} MB): "
            "refused as a possible zip bomb"
        )


def _tbl_to_table(tbl, parent, qn, DocxParagraph) -> Table:  # type: ignore[no-untyped-def]
    """Walk w:tr/w:tc, tracking grid columns, to give each merged cell one entry with spans."""
    # origin cells as mutable [text, row, col, rowspan, colspan]
    cells: list[list] = []  # type: ignore[type-arg]
    open_vmerge: dict[int, list] = {}  # type: ignore[type-arg]  # column → cell a vMerge continues
    n_cols = 0
    row_index = 0
    for tr in tbl.iterchildren(qn("w:tr")):
        col = _int_attr(tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}"), qn("w:val"), 0)
        for tc in tr.iterchildren(qn("w:tc")):
            tcPr = tc.find(qn("w:tcPr"))
            span = 1
            vmerge = None
            if tcPr is not None:
                span = _int_attr(tcPr.find(qn("w:gridSpan")), qn("w:val"), 1)
                vm = tcPr.find(qn("w:vMerge"))
                if vm is not None:
                    vmerge = vm.get(qn("w:val")) or "continue"
            if vmerge == "continue" and col in open_vmerge:
                above = open_vmerge[col]
                above[3] = row_index - above[1] + 1
            else:
                cell = [_tc_text(tc, parent, qn, DocxParagraph), row_index, col, 1, span]
                cells.append(cell)
                for c in range(col, col + span):
                    open_vmerge.pop(c, None)
                if vmerge == "restart":
                    open_vmerge[col] = cell
            col += span
        n_cols = max(n_cols, col)
        row_index += 1
    return Table(
        cells=tuple(Cell(text=t, row=r, col=c, rowspan=rs, colspan=cs) for t, r, c, rs, cs in cells),
        n_rows=row_index,
        n_cols=n_cols,
    )


def _tc_text(tc, parent, qn, DocxParagraph) -> str:  # type: ignore[no-untyped-def]
    # Paragraphs of nested tables are included in order: their text belongs to this cell.
    lines = [DocxParagraph(p, parent).text for p in tc.iter(qn("w:p"))]
    return "\n".join(line.strip() for line in lines).strip()


def _int_attr(el, name: str, default: int) -> int:  # type: ignore[no-untyped-def]
    if el is None:
        return default
    try:
        return int(el.get(name))
    except (TypeError, ValueError):
        return default
