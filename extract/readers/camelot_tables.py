"""camelot as a second table engine for text PDFs (``jixiao extract --tables camelot``).

camelot finds the tables, meaning the grid of each table and its merged cells. The text in the
cells comes from pdfplumber's characters by default.

Ruled tables come from camelot's ``lattice`` flavour (ruling lines found on the rendered page and
in the PDF's vector drawing). camelot reports each grid slot as a cell with four border flags. A
merged cell is a group of slots with no border between them, so slots are joined where the border
between two neighbours is missing, as ``extract.readers.geometry`` does with ruling lines. Each group
becomes one ``Cell`` with its row and column span, and the page's characters go into the cell
holding their centre.

Where cell text comes from (``text=``):

* ``"pdfplumber"`` (the default): pdfplumber's characters. ``extract.readers.geometry`` joins them into
  lines and joins wrapped lines, as the pdfplumber engine does, so both engines give the same
  text. Tables and paragraphs also share one character source, so no text is lost or doubled at
  a table's edge.
* ``"camelot"``: camelot's own ``cell.text``. camelot moves the text of a merged cell to its
  top-left slot (``shift_text=['l', 't']``, its default); every slot of the group is read anyway,
  top to bottom, so nothing is lost. This text has two faults, measured on the samples:
  - camelot builds a cell's text from whole text lines sorted by baseline. A line set in two
    fonts (CJK text with Latin quotes or digits) is split into pieces, and they come out of
    order: ``苏州市“互联网+监管”监管数据中心`` becomes ``监管 监管数据中心 / 苏州市 互联网+ / “ / ”``.
  - camelot's PDF layer (playa) boxes characters from the font's FontBBox. With the Type 1 CJK
    fonts that LibreOffice embeds, every character then sits about one line lower than printed,
    and lands in the wrong row.

A page where lattice finds no table but which has text is read again with camelot's ``network``
flavour (borderless tables found from text alignment). A table found this way is kept when it has
at least two columns and two rows with two filled cells, and ``Document.notes`` says so. Pages of
running text give no such table and stay paragraphs.

Borderless tables need three extra steps:

* Their rows come from camelot's character boxes, so they are first moved by the page's offset
  between camelot's and pdfplumber's characters.
* Text is placed in runs (pieces of a line between gaps), so that a run crossing a column line
  found from the text stays whole.
* A row that only continues wrapped cells is joined to the row above (see ``_text_table``). A
  merged cell without borders cannot be seen, so its lines stay in the rows they are printed in.

Paragraphs (text outside tables) are pdfplumber's characters outside the tables. ``extract.readers.geometry``
joins them into lines and paragraphs and drops running headers and page numbers. Tables continued
over a page break are stitched by ``extract.readers.geometry`` (``continues``, ``remap_columns``,
``stitch_tables``, with the cut-row test). For borderless tables the column match is looser
(``_text_columns_continue``). camelot reads only pages with a text layer: scanned pages are noted
and left out.
"""

from __future__ import annotations

import re
import statistics
import warnings
from pathlib import Path
from typing import Any, Iterator, Sequence

from extract.readers import geometry
from extract.readers.geometry import Glyph, PageGeometry, glyph_unit, place_glyphs
from extract.readers.paragraphs import glyphs_to_paragraphs
from extract.readers.limits import raise_if_out_of_memory
from extract.readers.pdf import check_header
from jixiao.errors import UnreadableDocument
from jixiao.model import Block, Cell, Document, Paragraph, Table

FLAVORS = ("lattice", "stream", "network", "hybrid")
FALLBACK_FLAVOR = "network"
TEXT_SOURCES = ("pdfplumber", "camelot")
MIN_TEXT_CHARS = 5  # fewer characters than this on a page: no text layer


def pdf_to_document_camelot(path: Path, flavor: str = "lattice", fallback: str | None = FALLBACK_FLAVOR,
                            text: str = "pdfplumber", engine: str = "combined") -> Document:
    """A text PDF → ``Document``: tables by camelot (``flavor``), paragraphs from pdfplumber.

    ``fallback``: the camelot flavour tried on pages where ``flavor`` finds no table but which have
    text (``None``: no fallback). ``text``: cell text from pdfplumber's characters placed in
    camelot's cells (``"pdfplumber"``), or camelot's own ``cell.text`` (``"camelot"``).
    ``engine``: how lattice finds ruling lines, camelot's ``"combined"`` (rendered page and vector
    drawing, the default), ``"raster"`` or ``"vector"`` (no rendering: about ten times faster, but
    blind to lines drawn as images).
    """
    if flavor not in FLAVORS or (fallback is not None and fallback not in FLAVORS):
        raise ValueError(f"camelot flavours are {', '.join(FLAVORS)}; got {flavor!r} / {fallback!r}")
    if text not in TEXT_SOURCES:
        raise ValueError(f"text must be one of {', '.join(TEXT_SOURCES)}, not {text!r}")
    camelot = _import_camelot()
    check_header(path)
    pages = _pdf_pages(path)  # pdfplumber: size and characters of every page
    notes: list[str] = []
    text_pages = [p.number for p in pages if len(p.glyphs) >= MIN_TEXT_CHARS]
    scanned = [p.number for p in pages if len(p.glyphs) < MIN_TEXT_CHARS]
    if not text_pages:
        raise UnreadableDocument(
            "the PDF has no text layer (a scan?); camelot reads only text PDFs: read it without "
            "`--tables camelot` to have it OCR'd"
        )
    if scanned:
        notes.append(f"page(s) {_ranges(scanned)}: no text layer, left out (camelot reads only text; "
                     "the default engine OCRs such pages)")
    by_page: dict[int, list[Any]] = {}
    options = {"engine": engine} if flavor in ("lattice", "hybrid") else {}
    for t in _read(camelot, path, _ranges(text_pages), flavor, **options):
        by_page.setdefault(int(t.page), []).append(t)
    empty = [n for n in text_pages if n not in by_page]
    if fallback and fallback != flavor and empty:
        found: dict[int, list[Any]] = {}
        for t in _read(camelot, path, _ranges(empty), fallback):
            if _looks_like_table(t):
                found.setdefault(int(t.page), []).append(t)
        for n in sorted(found):
            by_page[n] = found[n]
            notes.append(f"page {n}: no ruling lines, camelot {fallback} used")
    return _assemble(pages, by_page, notes, text)


# --------------------------------------------------------------------------- camelot


def _import_camelot() -> Any:
    try:
        import camelot
    except ImportError as exc:
        raise UnreadableDocument(
            "camelot is not installed; run `pip install camelot-py` or read PDFs without `--tables camelot`"
        ) from exc
    return camelot


def _read(camelot: Any, path: Path, pages: str, flavor: str, **options: Any) -> list[Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "No tables found on page-N" and the like
            tables = camelot.read_pdf(str(path), pages=pages, flavor=flavor, suppress_stdout=True, **options)
    except Exception as exc:  # camelot, playa, pdfium and OpenCV raise many unrelated types
        raise_if_out_of_memory(exc)
        raise _unreadable(exc, f"camelot ({flavor})") from exc
    return sorted(tables, key=lambda t: (int(t.page), t.order or 0))


def _unreadable(exc: Exception, who: str) -> UnreadableDocument:
    # pdfplumber and camelot wrap the PDF library's exception: look down the chain for the one
    # that says what happened (PDFPasswordIncorrect inside PdfminerException / RuntimeError).
    chain: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and node not in chain and len(chain) < 8:
        chain.append(node)
        inner = node.args[0] if node.args and isinstance(node.args[0], BaseException) else None
        node = inner or node.__cause__ or node.__context__
    names = " ".join(type(e).__name__ for e in chain)
    texts = " ".join(str(e) for e in chain).lower()
    if "ExtractionNotAllowed" in names:
        return UnreadableDocument("the PDF forbids text extraction (its permissions); remove the restriction "
                                  "(e.g. `qpdf --decrypt in.pdf out.pdf`) and retry")
    if "Password" in names or "Encrypt" in names or "encrypt" in texts or "decrypt" in texts:
        return UnreadableDocument(
            "the PDF is encrypted (password-protected); remove the password (e.g. `qpdf --decrypt in.pdf out.pdf`) "
            "and retry"
        )
    last = chain[-1]
    detail = f"{type(last).__name__}: {str(last)[:300] or 'no detail'}"
    if who == "pdfplumber":
        return UnreadableDocument(f"damaged or truncated PDF ({detail}); try repairing it, e.g. `qpdf in.pdf out.pdf`")
    return UnreadableDocument(
        f"{who} could not read the PDF ({detail}); try the default table engine (without `--tables camelot`) "
        "or repair the file (e.g. `qpdf in.pdf out.pdf`)"
    )


def _looks_like_table(t: Any) -> bool:
    """A text-alignment table worth keeping: ≥2 columns, and ≥2 rows with ≥2 filled cells."""
    rows = [[c.text.strip() for c in row] for row in t.cells]
    if not rows or len(rows[0]) < 2:
        return False
    return sum(1 for row in rows if sum(1 for x in row if x) >= 2) >= 2


def camelot_to_grid(t: Any, page_height: float) -> geometry._Grid:
    """One camelot table → an ``extract.readers.geometry`` grid (top-left origin): column and row lines,
    and the merged cells rebuilt from the missing borders, each once with its span."""
    slots = t.cells
    n_rows, n_cols = len(slots), (len(slots[0]) if slots else 0)
    cells = geometry.merge_slots(
        n_rows, n_cols,
        open_right=lambda r, c: not (slots[r][c].right or slots[r][c + 1].left),
        open_below=lambda r, c: not (slots[r][c].bottom or slots[r + 1][c].top),
    )
    cols = [(float(a), float(b)) for a, b in t.cols]
    rows = [(float(a), float(b)) for a, b in t.rows]  # (top, bottom) in PDF space, top row first
    xs = [cols[0][0]] + [right for _, right in cols]
    ys = [page_height - rows[0][0]] + [page_height - bottom for _, bottom in rows]
    return geometry._Grid(xs=xs, ys=ys, cells=cells, texts=[[] for _ in cells])


def camelot_glyphs(t: Any, page_height: float) -> list[Glyph]:
    """camelot's characters on the table's page (from its text lines), top-left origin, each once."""
    out: list[Glyph] = []
    seen: set[tuple[str, int, int]] = set()
    for ch in _chars(getattr(t, "textlines", None) or ()):
        label = ch.get_text()
        if not label.strip():
            continue
        key = (label, round(float(ch.x0) * 2), round(float(ch.y0) * 2))  # text drawn twice (fake bold)
        if key in seen:
            continue
        seen.add(key)
        out.append(Glyph(label, float(ch.x0), page_height - float(ch.y1), float(ch.x1), page_height - float(ch.y0)))
    return out


def place_runs(grids: list[geometry._Grid], glyphs: Sequence[Glyph], unit: float) -> list[Glyph]:
    """Tables found from text alignment: text is placed in runs, not characters. A run is a piece
    of a text line between gaps wider than half a character (cells are set apart by their margins,
    the characters of one cell nearly touch). A run goes whole into one cell: its row by its middle,
    its column the one it overlaps most (as camelot assigns text lines), so a run that crosses a
    column line found from the text is not cut in two. Returns the glyphs outside every table."""
    outside: list[Glyph] = []
    for line in geometry.glyphs_to_lines(glyphs):
        for run in geometry.split_runs(line, 0.5 * unit):
            if not _place_run(grids, run):
                outside.extend(run)
    return outside


def _place_run(grids: list[geometry._Grid], run: list[Glyph]) -> bool:
    x0, x1 = run[0].x0, run[-1].x1
    cy = sum(g.cy for g in run) / len(run)
    for grid in grids:
        row = next((r for r in range(len(grid.ys) - 1) if grid.ys[r] <= cy <= grid.ys[r + 1]), None)
        if row is None or not grid.xs[0] <= (x0 + x1) / 2 <= grid.xs[-1]:
            continue
        overlap = [max(0.0, min(x1, grid.xs[c + 1]) - max(x0, grid.xs[c])) for c in range(len(grid.xs) - 1)]
        col = max(range(len(overlap)), key=lambda c: overlap[c])
        index = next((i for i, (r, c, rs, cs) in enumerate(grid.cells) if r <= row < r + rs and c <= col < c + cs),
                     None)
        if index is not None:
            grid.texts[index].extend(run)
            return True
    return False


def text_offset(camelot_chars: Sequence[Glyph], pdfplumber_chars: Sequence[Glyph]) -> float:
    """How far below pdfplumber's camelot puts the same characters (points, median).

    camelot's PDF layer (playa) boxes a character from its font's FontBBox. For the Type 1 CJK
    fonts that LibreOffice embeds (converted from CFF), the characters are then placed about a
    line lower than they are printed (11 pt at 11 pt type). pdfplumber and pdfium agree with the
    printed page, so camelot's text-made rows are moved by this offset."""
    where = {(g.text, round(g.x0)): g.top for g in pdfplumber_chars}
    shifts = [g.top - where[(g.text, round(g.x0))] for g in camelot_chars if (g.text, round(g.x0)) in where]
    shifts = [d for d in shifts if abs(d) < 50]  # the same character elsewhere on the line's x
    return statistics.median(shifts) if shifts else 0.0


def _chars(textlines: Any) -> Iterator[Any]:
    for line in textlines:
        for obj in getattr(line, "_objs", ()):
            if hasattr(obj, "fontname") and hasattr(obj, "x0"):  # LTChar, not the LTAnno spaces
                yield obj


def _camelot_texts(t: Any, grid: geometry._Grid) -> list[str]:
    """camelot's own cell text: every slot of each merged cell, top to bottom, left to right."""
    out = []
    for r0, c0, rs, cs in grid.cells:
        lines = [line.strip() for r in range(r0, r0 + rs) for c in range(c0, c0 + cs)
                 for line in t.cells[r][c].text.split("\n")]
        out.append("\n".join(line for line in lines if line))
    return out


# --------------------------------------------------------------------------- pages → document


def _pdf_pages(path: Path) -> list[PageGeometry]:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover
        raise UnreadableDocument("pdfplumber is not installed; run `pip install pdfplumber`") from exc
    try:
        with pdfplumber.open(str(path)) as pdf:
            out = []
            for page in pdf.pages:
                glyphs = tuple(
                    Glyph(c["text"], float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"]))
                    for c in page.dedupe_chars().chars if c["text"].strip()
                )
                out.append(PageGeometry(page.page_number, float(page.width), float(page.height), (), glyphs))
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        raise_if_out_of_memory(exc)
        raise _unreadable(exc, "pdfplumber") from exc
    return out


def _assemble(pages: Sequence[PageGeometry], by_page: dict[int, list[Any]], notes: list[str],
              text: str = "pdfplumber") -> Document:
    """Tables and paragraphs in reading order, tables continued over a page break stitched
    (the loop of ``extract.readers.geometry.pages_to_document``, with camelot's grids)."""
    blocks: list[Block] = []
    last: geometry._LastTable | None = None
    last_is_text = False  # the last table was found from text alignment (no ruling lines)
    for page in pages:
        unit = glyph_unit(page.glyphs)
        found = by_page.get(page.number, [])
        grids = [camelot_to_grid(t, page.height) for t in found]
        is_text = {id(g): getattr(t, "flavor", "lattice") != "lattice" for g, t in zip(grids, found)}
        if any(is_text.values()):
            # Rows found from camelot's text boxes: put them where pdfplumber has the same text.
            dy = text_offset(camelot_glyphs(found[0], page.height), page.glyphs)
            for grid in grids:
                grid.ys = [y - dy for y in grid.ys]
            outside = place_runs(grids, page.glyphs, unit)
        else:
            outside = place_glyphs(grids, page.glyphs)  # ruled cells: each character where its centre is
        tables = {id(g): _table(g, t, page.number, unit, text) for g, t in zip(grids, found)}
        items: list[tuple[float, Block | geometry._Grid]] = [(g.top, g) for g in grids]
        items.extend(glyphs_to_paragraphs(outside, page, unit))
        items.sort(key=lambda item: item[0])
        margin: set[int] = set()  # running-header paragraphs above this page's first table
        for top, item in items:
            if not isinstance(item, geometry._Grid):
                if top < page.height * 0.1 and not any(isinstance(b, Table) and b.page == page.number
                                                       for b in blocks[-3:]):
                    margin.add(id(item))
                blocks.append(item)
                continue
            table = tables[id(item)]
            j = len(blocks) - 1
            while j >= 0 and isinstance(blocks[j], Paragraph) and id(blocks[j]) in margin:
                j -= 1
            previous = blocks[j] if j >= 0 else None
            remapped = None
            if isinstance(previous, Table) and last is not None and last.page == page.number - 1:
                if is_text[id(item)] and last_is_text:
                    colmap = _text_columns_continue(last.columns, item, previous.n_cols)
                    remapped = _remap_text(table, colmap, previous.n_cols) if colmap is not None else None
                else:
                    mapping = geometry.continues(last.columns, item, unit)
                    remapped = geometry.remap_columns(table, mapping, previous.n_cols) if mapping is not None else None
            if remapped is not None and isinstance(previous, Table) and last is not None:
                blocks[j] = geometry.stitch_tables(previous, remapped, last.cut_columns)
                cut = _text_cut_columns(item, last.columns) if is_text[id(item)] else \
                    geometry._cut_columns(item, unit, last.columns)
                last = geometry._LastTable(page.number, last.columns, cut)
            else:
                blocks.append(table)
                cut = _text_cut_columns(item, item) if is_text[id(item)] else geometry._cut_columns(item, unit, item)
                last = geometry._LastTable(page.number, item, cut)
                last_is_text = is_text[id(item)]
    return Document(blocks=tuple(blocks), format="pdf", pages=len(pages) or None, notes=tuple(notes))


def _table(grid: geometry._Grid, t: Any, page: int, unit: float, text: str) -> Table:
    if getattr(t, "flavor", "lattice") != "lattice" and not any(rs > 1 or cs > 1 for _, _, rs, cs in grid.cells):
        return _text_table(grid, t, page, unit, text)
    table = geometry.grid_to_table(grid, page, unit)
    if text == "camelot":
        texts = _camelot_texts(t, grid)
        table = Table(cells=tuple(Cell(text=texts[i], row=c.row, col=c.col, rowspan=c.rowspan, colspan=c.colspan,
                                       page=c.page) for i, c in enumerate(table.cells)),
                      n_rows=table.n_rows, n_cols=table.n_cols, page=table.page)
    return table


def _text_table(grid: geometry._Grid, t: Any, page: int, unit: float, text: str) -> Table:
    """A table found from text alignment (no spans): its rows are text lines, so a cell whose
    text wrapped gave rows of its own. Such a row is joined to the row above when it fills fewer
    cells than that row, each under a filled cell whose last line wrapped: it ran to the right
    text edge of its column (see ``edge``; the same test ``extract.readers.geometry.cell_text`` makes
    inside a ruled cell) and is not a bare number."""
    n_rows, n_cols = len(grid.ys) - 1, len(grid.xs) - 1
    slot: dict[tuple[int, int], list[Glyph]] = {(r, c): grid.texts[i] for i, (r, c, _, _) in enumerate(grid.cells)}

    def edge(r: int, c: int) -> float:
        """Right text edge of column ``c`` near row ``r``: where the next column's text starts,
        less the narrowest gutter seen between the two; for the last column its widest line."""
        near = range(max(0, r - _EDGE_WINDOW), min(n_rows, r + _EDGE_WINDOW + 1))
        widest = max((g.x1 for k in near for g in slot.get((k, c), [])), default=grid.xs[c + 1])
        if c + 1 >= n_cols:
            return widest
        starts = [min(g.x0 for g in slot[(k, c + 1)]) for k in near if slot.get((k, c + 1))]
        gutters = [min(g.x0 for g in slot[(k, c + 1)]) - max(g.x1 for g in slot[(k, c)])
                   for k in near if slot.get((k, c)) and slot.get((k, c + 1))]
        gutters = [x for x in gutters if x > 0]
        if not starts or not gutters:
            return widest
        return min(starts) - min(gutters)

    groups: list[list[int]] = []
    merged: list[list[Glyph]] = []  # glyphs of the current group's cells, by column
    for r in range(n_rows):
        row = [slot.get((r, c), []) for c in range(n_cols)]
        filled = {c for c in range(n_cols) if row[c]}
        if groups and filled:
            above = {c for c in range(n_cols) if merged[c]}
            if filled <= above and len(filled) < len(above) and all(
                    _wrapped(merged[c], row[c], edge(groups[-1][-1], c), unit) for c in filled):
                groups[-1].append(r)
                for c in filled:
                    merged[c] = merged[c] + row[c]
                continue
        groups.append([r])
        merged = [list(g) for g in row]
    cells = []
    for new_r, rows in enumerate(groups):
        for c in range(n_cols):
            glyphs = [g for r in rows for g in slot.get((r, c), [])]
            if text == "camelot":
                value = "\n".join(x for x in (t.cells[r][c].text.strip() for r in rows) if x)
            else:
                value = geometry.cell_text(glyphs, edge(rows[0], c) + 0.1 * unit, unit)
            cells.append(Cell(text=value, row=new_r, col=c, page=page))
    return Table(cells=tuple(cells), n_rows=len(groups), n_cols=n_cols, page=page)


_EDGE_WINDOW = 4  # rows above and below whose lines give a column's right text edge
_NUMBER = re.compile(r"^[\d.,%]+$")


def _wrapped(above: list[Glyph], below: list[Glyph], edge: float, unit: float) -> bool:
    """Did the last line of ``above`` wrap, so that ``below`` continues it?"""
    last = geometry.glyphs_to_lines(above)[-1]
    first = geometry.glyphs_to_lines(below)[0]
    if _NUMBER.match(geometry.line_text(last)):
        return False  # a figure alone in its cell does not wrap
    return edge - last[-1].x1 < geometry._first_word_width(first) + 0.5 * unit


def _text_columns_continue(previous: geometry._Grid, current: geometry._Grid, n_cols: int) -> list[int] | None:
    """For two tables found from text alignment on consecutive pages: the column of ``previous``
    under each column of ``current``, if ``current`` continues it; else None.

    Column lines of such tables come from the text, so a continuation may lack a column that is
    empty on its page (the class label of a merged cell) and its outer edges differ: each column's
    centre must fall in a distinct column of ``previous``, in order, and at most one column may be
    missing."""
    n = len(current.xs) - 1
    if n < n_cols - 1:
        return None
    out: list[int] = []
    for c in range(n):
        centre = (current.xs[c] + current.xs[c + 1]) / 2
        j = next((k for k in range(len(previous.xs) - 1) if previous.xs[k] <= centre <= previous.xs[k + 1]), None)
        if j is None or (out and j <= out[-1]):
            return None
        out.append(j)
    return out


def _remap_text(table: Table, colmap: list[int], n_cols: int) -> Table:
    cells = tuple(Cell(text=c.text, row=c.row, col=colmap[c.col], page=c.page) for c in table.cells)
    return Table(cells=cells, n_rows=table.n_rows, n_cols=n_cols, page=table.page)


def _text_cut_columns(grid: geometry._Grid, ref: geometry._Grid) -> set[int]:
    """Columns of ``ref`` under the filled cells of ``grid``'s last row: without ruling lines
    any of them may run on over the page break."""
    n_rows = len(grid.ys) - 1
    out: set[int] = set()
    for i, (r, c, rs, cs) in enumerate(grid.cells):
        if r + rs != n_rows or not grid.texts[i]:
            continue
        centre = (grid.xs[c] + grid.xs[c + cs]) / 2
        out.update(k for k in range(len(ref.xs) - 1) if ref.xs[k] <= centre <= ref.xs[k + 1])
    return out


def _ranges(numbers: Sequence[int]) -> str:
    """[1, 2, 3, 5] → '1-3,5' (camelot's page syntax, also readable in notes)."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(numbers):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)
