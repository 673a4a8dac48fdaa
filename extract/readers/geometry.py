"""Page geometry → ``Document``: cells rebuilt from ruling lines and glyph boxes.

Shared by every reader that sees a page as drawings and text boxes: PDF (pdfplumber's
lines and characters) and scans (OpenCV's detected grid lines and OCR boxes). The chain
is a set of small steps, each a pure function:

    segments → grid lines (clustered) → slots with their borders → cells (merged slots,
    with row/column span) → glyphs placed in cells → tables; glyphs outside tables → paragraphs;
    tables continued on the next page → stitched, a row cut by the page break joined.

Coordinates: origin at the top-left of the page, y growing downwards, in any unit (PDF
points or scan pixels); tolerances scale with the median glyph height. The work per page is
bounded (``extract.readers.limits``): past a bound, a page is read as text lines, with a note.
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from extract.readers.limits import MAX_GRID_SLOTS, MAX_PAGE_SEGMENTS, MAX_PAGE_TABLES, MAX_TOUCH_TESTS, PageTooComplex
from extract.readers.paragraphs import glyphs_to_paragraphs
from jixiao.model import Block, Cell, Document, Paragraph, Table

@dataclass(frozen=True)
class Segment:
    """A ruling line (or a thin filled rectangle) on a page."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


@dataclass(frozen=True)
class Glyph:
    """A character, or an OCR text box, with its bounding box."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class PageGeometry:
    number: int  # 1-based
    width: float
    height: float
    segments: tuple[Segment, ...]
    glyphs: tuple[Glyph, ...]
    uncollected_segments: int = 0  # counted, not collected: over MAX_PAGE_SEGMENTS (segments empty)


@dataclass
class _Grid:
    xs: list[float]
    ys: list[float]
    cells: list[list[int]]  # [row, col, rowspan, colspan]
    texts: list[list[Glyph]] = field(default_factory=list)
    virtual: bool = False  # ruling lines inferred from text alignment (a borderless table)

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bottom(self) -> float:
        return self.ys[-1]


# Running headers and footers: `第 1 页 共 5 页`, `— 1 —`, `- 2 -`, `1/5`, `Page 3`.
PAGE_MARK = re.compile(
    r"^\s*(?:第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?|[-—–]\s*\d+\s*[-—–]|\d+\s*/\s*\d+|"
    r"[Pp]age\s*\d+(?:\s*of\s*\d+)?|\d+)\s*$"
)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def pages_to_document(pages: Iterable[PageGeometry], format: str, ocr: bool = False,
                      notes: Sequence[str] = ()) -> Document:
    """Pages → ``Document``: tables per page, stitched across page breaks, and paragraphs."""
    blocks: list[Block] = []
    last: _LastTable | None = None
    n_pages = 0
    found_notes = list(notes)
    for page in pages:
        n_pages = page.number
        unit = glyph_unit(page.glyphs)
        try:
            grids = page_to_grids(page, unit, found_notes)
        except PageTooComplex as exc:
            grids = []
            found_notes.append(f"page {page.number}: {exc}; no tables rebuilt, the page read as text lines")
        placed = place_glyphs(grids, page.glyphs)
        items: list[tuple[float, Block | _Grid]] = [(g.top, g) for g in grids]
        items.extend((top, p) for top, p in glyphs_to_paragraphs(placed, page, unit))  # extract/readers/paragraphs.py
        items.sort(key=lambda item: item[0])
        margin: set[int] = set()  # running-header paragraphs above this page's first table
        for top, item in items:
            if not isinstance(item, _Grid):
                if top < page.height * 0.1 and not any(isinstance(b, Table) and b.page == page.number
                                                       for b in blocks[-3:]):
                    margin.add(id(item))
                blocks.append(item)
                continue
            table = grid_to_table(item, page.number, unit)
            j = len(blocks) - 1
            while j >= 0 and isinstance(blocks[j], Paragraph) and id(blocks[j]) in margin:
                j -= 1
            previous = blocks[j] if j >= 0 else None
            mapping = None
            if isinstance(previous, Table) and last is not None and last.page == page.number - 1:
                mapping = continues(last.columns, item, unit)
            if mapping is not None and isinstance(previous, Table) and last is not None:
                blocks[j] = stitch_tables(previous, remap_columns(table, mapping, previous.n_cols), last.cut_columns)
                last = _LastTable(page.number, last.columns, _cut_columns(item, unit, last.columns))
            else:
                blocks.append(table)
                last = _LastTable(page.number, item, _cut_columns(item, unit, item))
    return Document(blocks=tuple(blocks), format=format, pages=n_pages or None, ocr=ocr, notes=tuple(found_notes))


def page_to_grids(page: PageGeometry, unit: float, notes: list[str]) -> list[_Grid]:
    """The page's tables: from its ruling lines, else from how its text aligns (said in ``notes``)."""
    drawn = page.uncollected_segments or len(page.segments)
    if drawn > MAX_PAGE_SEGMENTS:
        raise PageTooComplex(f"{drawn:,} path segments drawn (more than {MAX_PAGE_SEGMENTS:,})")
    grids = segments_to_grids(page.segments, unit, strict=True)
    if not grids:
        virtual = text_to_virtual_segments(page, unit)
        if virtual:
            grids = segments_to_grids(virtual, unit, strict=True)
            for grid in grids:
                grid.virtual = True
            notes.append(f"page {page.number}: no ruling lines; table cells rebuilt from text alignment")
    return grids


@dataclass
class _LastTable:
    """The last table seen, for stitching: its page, the grid whose columns it uses, and the
    columns (in that grid) whose bottom cell is filled with text to its lower border."""

    page: int
    columns: _Grid
    cut_columns: set[int]


def _cut_columns(grid: _Grid, unit: float, ref: _Grid) -> set[int]:
    """Columns of ``ref`` under the cells of ``grid``'s last row whose text runs down to the
    row's bottom border: only those can continue on the next page."""
    out: set[int] = set()
    bottom = grid.ys[-1]
    n_rows = len(grid.ys) - 1
    for i, (r, c, rs, cs) in enumerate(grid.cells):
        glyphs = grid.texts[i]
        if r + rs != n_rows or not glyphs:
            continue
        if bottom - max(g.bottom for g in glyphs) > 0.8 * unit:
            continue
        x0, x1 = grid.xs[c], grid.xs[c + cs]
        out.update(k for k in range(len(ref.xs) - 1)
                   if min(x1, ref.xs[k + 1]) - max(x0, ref.xs[k]) > 0.5 * (ref.xs[k + 1] - ref.xs[k]))
    return out


def glyph_unit(glyphs: Sequence[Glyph]) -> float:
    """The median glyph height: tolerances are fractions of it, so points and pixels both work."""
    heights = [g.bottom - g.top for g in glyphs if g.bottom > g.top]
    return statistics.median(heights) if heights else 10.0


# --------------------------------------------------------------------------- grids


def cluster(values: Iterable[float], tol: float) -> list[float]:
    """Sorted values merged where closer than ``tol``; each cluster becomes its mean."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def segments_to_grids(segments: Sequence[Segment], unit: float, strict: bool = False) -> list[_Grid]:
    """Group touching ruling lines into tables and rebuild each table's cells with spans (past a work
    bound none: PageTooComplex with ``strict``, else no grids)."""
    try:
        return _segments_to_grids(segments, unit)
    except PageTooComplex:
        if strict:
            raise
        return []


def _segments_to_grids(segments: Sequence[Segment], unit: float) -> list[_Grid]:
    if len(segments) > MAX_PAGE_SEGMENTS:
        raise PageTooComplex(f"{len(segments):,} ruling-line pieces (more than {MAX_PAGE_SEGMENTS:,})")
    tol = max(1.0, unit * 0.35)
    grids = []
    for group in _connected(segments, tol):
        h = [s for s in group if s.horizontal]
        v = [s for s in group if not s.horizontal]
        if len(h) < 2 or len(v) < 2:
            continue
        ys = cluster(((s.top + s.bottom) / 2 for s in h), tol)
        xs = cluster(((s.x0 + s.x1) / 2 for s in v), tol)
        if len(xs) < 2 or len(ys) < 2:
            continue
        grid = _slots_to_cells(xs, ys, h, v, tol)
        if grid is not None:
            grids.append(grid)
    if len(grids) > MAX_PAGE_TABLES:
        raise PageTooComplex(f"{len(grids):,} ruled tables (more than {MAX_PAGE_TABLES:,})")
    grids.sort(key=lambda g: (g.top, g.xs[0]))
    return grids


def _connected(segments: Sequence[Segment], tol: float) -> list[list[Segment]]:
    """Segments that touch (within ``tol``) belong to one table."""
    parent = list(range(len(segments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    boxes = [(s.x0 - tol, s.top - tol, s.x1 + tol, s.bottom + tol) for s in segments]
    order = sorted(range(len(segments)), key=lambda i: boxes[i][0])
    lefts = [boxes[i][0] for i in order]
    # Each box is compared with those after it (in x order) starting before it ends: counted first.
    ends = [bisect.bisect_right(lefts, boxes[a][2], a_pos + 1) for a_pos, a in enumerate(order)]
    tests = sum(end - a_pos - 1 for a_pos, end in enumerate(ends))
    if tests > MAX_TOUCH_TESTS:
        raise PageTooComplex(f"{len(segments):,} ruling-line pieces too tangled to group ({tests:,} pairs to compare)")
    for a_pos, a in enumerate(order):
        _, ay0, _, ay1 = boxes[a]
        for b in order[a_pos + 1:ends[a_pos]]:
            _, by0, _, by1 = boxes[b]
            if by0 <= ay1 and ay0 <= by1:
                parent[find(a)] = find(b)
    groups: dict[int, list[Segment]] = {}
    for i, s in enumerate(segments):
        groups.setdefault(find(i), []).append(s)
    return list(groups.values())


_Lines = tuple[list[tuple[float, float, float]], list[int], list[float]]


def _by_position(lines: list[tuple[float, float, float]]) -> _Lines:
    """Ruling lines (pos, start, end) with their order by position: a slot's border test looks at those near it."""
    order = sorted(range(len(lines)), key=lambda i: lines[i][0])
    return lines, order, [lines[i][0] for i in order]


def _covered(index: _Lines, at: float, lo: float, hi: float, tol: float) -> bool:
    """Is the span lo..hi at position ``at`` covered by ruling lines (pos, start, end), mostly?"""
    lines, order, positions = index
    near = order[bisect.bisect_left(positions, at - 2 * tol):bisect.bisect_right(positions, at + 2 * tol)]
    got = 0.0
    for pos, start, end in (lines[i] for i in sorted(near)):  # in the lines' own order: the same sum
        if abs(pos - at) <= tol:
            got += max(0.0, min(end, hi) - max(start, lo))
    return got >= (hi - lo) * 0.6


def _slots_to_cells(xs: list[float], ys: list[float], h: list[Segment], v: list[Segment], tol: float) -> _Grid | None:
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows * n_cols > MAX_GRID_SLOTS:
        raise PageTooComplex(f"a ruled table of {n_rows:,} × {n_cols:,} slots (more than {MAX_GRID_SLOTS:,})")
    hl = _by_position([((s.top + s.bottom) / 2, s.x0, s.x1) for s in h])
    vl = _by_position([((s.x0 + s.x1) / 2, s.top, s.bottom) for s in v])
    cells = merge_slots(
        n_rows, n_cols,
        open_right=lambda r, c: not _covered(vl, xs[c + 1], ys[r], ys[r + 1], tol),
        open_below=lambda r, c: not _covered(hl, ys[r + 1], xs[c], xs[c + 1], tol),
    )
    if n_rows * n_cols == 1 and not cells:
        return None
    return _Grid(xs=xs, ys=ys, cells=cells, texts=[[] for _ in cells])


def merge_slots(n_rows: int, n_cols: int, open_right: Callable[[int, int], bool],
                open_below: Callable[[int, int], bool]) -> list[list[int]]:
    """Grid slots joined where the border between them is missing → cells [row, col, rowspan, colspan].

    A non-rectangular group (an L of missing borders) is taken as its bounding box; where such
    boxes overlap, the first in reading order keeps the slot."""
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and open_right(r, c):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and open_below(r, c):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    boxes: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            b = boxes.setdefault(find(r * n_cols + c), [r, c, r, c])
            b[0], b[1], b[2], b[3] = min(b[0], r), min(b[1], c), max(b[2], r), max(b[3], c)
    taken: set[tuple[int, int]] = set()
    cells: list[list[int]] = []
    for r0, c0, r1, c1 in sorted(boxes.values()):
        area = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if area & taken:
            continue
        taken |= area
        cells.append([r0, c0, r1 - r0 + 1, c1 - c0 + 1])
    return cells


# --------------------------------------------------------------------------- borderless tables

_NUMERIC = re.compile(r"^[=≥≤<>]?\s*-?\d[\d,]*(?:\.\d+)?\s*%?$")


def text_to_virtual_segments(page: PageGeometry, unit: float) -> list[Segment]:
    """Ruling lines a borderless table would have had, inferred from how its text aligns.

    Word lays out a table without borders exactly as one with borders: every cell's lines
    start at the cell's left edge and every cell starts on its row's first line. So columns
    are where text segments (runs separated by more than a cell's padding) start, and a row
    starts wherever a column's text starts again after a blank line, or where a column holds
    a figure on two lines in a row (a figure does not wrap: two figures are two rows).
    """
    lines = [line for line in glyphs_to_lines(page.glyphs)
             if not (PAGE_MARK.match(line_text(line)) and _in_margin(line, page))]
    segmented = [_segments_of(line, unit) for line in lines]
    segments: list[Segment] = []
    for start, end in _table_regions(segmented, unit):
        segments.extend(_region_to_segments(segmented[start:end], unit))
    return segments


def _in_margin(line: Sequence[Glyph], page: PageGeometry) -> bool:
    return max(g.bottom for g in line) < page.height * 0.08 or min(g.top for g in line) > page.height * 0.92


def split_runs(line: Sequence[Glyph], gap: float) -> list[list[Glyph]]:
    """A text line cut into runs wherever two glyphs stand more than ``gap`` apart."""
    out: list[list[Glyph]] = [[line[0]]]
    for g in line[1:]:
        if g.x0 - out[-1][-1].x1 > gap:
            out.append([g])
        else:
            out[-1].append(g)
    return out


def _segments_of(line: Sequence[Glyph], unit: float) -> list[list[Glyph]]:
    # Cells are set apart by their margins (about a character); spaces inside a cell are narrower.
    return split_runs(line, 0.7 * unit)


def _table_regions(segmented: list[list[list[Glyph]]], unit: float) -> list[tuple[int, int]]:
    """Runs of lines that hold a table: lines of two or more segments, with the lines between
    them whose single segment stays inside one column (a wrapped cell), not a paragraph."""
    regions: list[tuple[int, int]] = []
    multi = [i for i, segs in enumerate(segmented) if len(segs) >= 2]
    if len(multi) < 2:
        return regions
    start = prev = multi[0]
    for i in multi[1:]:
        between = segmented[prev + 1:i]
        starts = sorted({round(s[0].x0) for j in (prev, i) for s in segmented[j]})
        fits = all(_fits_a_column(segs[0], starts, 0.3 * unit) for segs in between)
        if not fits:
            regions.append((start, prev + 1))
            start = i
        prev = i
    regions.append((start, prev + 1))
    return [(a, b) for a, b in regions if b - a >= 2]


def _fits_a_column(seg: list[Glyph], starts: list[int], tol: float) -> bool:
    # Starts within ``tol`` of the segment's own are its column's: a text PDF's characters start
    # where their cell does, but OCR boxes a line by its ink (日 begins a few pixels in).
    after = [x for x in starts if x > seg[0].x0 + max(2.0, tol)]
    return not after or seg[-1].x1 <= after[0]


def _region_to_segments(lines: list[list[list[Glyph]]], unit: float) -> list[Segment]:
    tol = 0.6 * unit
    columns = cluster((seg[0].x0 for segs in lines if len(segs) >= 2 for seg in segs), tol)
    if len(columns) < 2:
        return []
    left = min(g.x0 for segs in lines for seg in segs for g in seg) - 0.3 * unit
    right = max(g.x1 for segs in lines for seg in segs for g in seg) + 0.3 * unit
    xs = [left] + [x - 0.3 * unit for x in columns[1:]] + [right]

    def column_of(seg: list[Glyph]) -> int:
        before = [k for k, x in enumerate(columns) if x <= seg[0].x0 + tol]
        return before[-1] if before else 0

    by_column = [{column_of(seg): seg for seg in segs} for segs in lines]

    def wraps_on(i: int, c: int) -> bool:
        """Does column c's text on line i run on to line i + 1 (the next word did not fit)?"""
        if i + 1 >= len(lines) or c not in by_column[i] or c not in by_column[i + 1]:
            return False
        room = xs[c + 1] - by_column[i][c][-1].x1
        return room < _first_word_width(by_column[i + 1][c]) + 0.9 * unit

    row_starts = [0]
    merged: dict[int, set[int]] = {}  # row-start line → columns whose cell runs on across it
    for i in range(1, len(lines)):
        here, above = by_column[i], by_column[i - 1]
        # A column restarts where its text begins after a blank line, or after a line that
        # ended short of the column's edge (that cell's text was complete).
        restarts = any(c not in above or not wraps_on(i - 1, c) for c in here)
        # Two figures one above the other are two rows, unless the upper one fills its column
        # to the edge (a long figure broken over two lines).
        stacked = any(_NUMERIC.match(_seg_text(seg)) and c in above and _NUMERIC.match(_seg_text(above[c]))
                      and xs[c + 1] - above[c][-1].x1 >= 0.7 * unit for c, seg in here.items())
        if restarts or stacked:
            row_starts.append(i)
            running = {c for c in here if wraps_on(i - 1, c)}
            figures = any(_NUMERIC.match(_seg_text(seg)) for seg in here.values())
            # Several cells wrapping over a line where no figure starts (figures start rows):
            # header cells merged down, not a new row for them.
            if len(running) >= 2 and not figures:
                merged[i] = running
    tops = [min(g.top for seg in lines[i] for g in seg) for i in row_starts]
    bottom = max(g.bottom for segs in lines for seg in segs for g in seg) + 0.3 * unit
    ys = [t - 0.25 * unit for t in tops] + [bottom]
    out: list[Segment] = []
    for r, y in enumerate(ys):
        skip = merged.get(row_starts[r], set()) if r < len(row_starts) else set()
        out.extend(Segment(xs[c], y, xs[c + 1], y) for c in range(len(xs) - 1) if c not in skip)
    bounds = row_starts + [len(lines)]
    for r in range(len(row_starts)):
        row_segments = [seg for segs in lines[bounds[r]:bounds[r + 1]] for seg in segs]
        for x in xs:
            # Text running across a column line means the cell spans it (a merged cell): no border.
            if not any(seg[0].x0 < x - 0.2 * unit and seg[-1].x1 > x + 0.2 * unit for seg in row_segments):
                out.append(Segment(x, ys[r], x, ys[r + 1]))
    return out


def _seg_text(seg: list[Glyph]) -> str:
    return "".join(g.text for g in seg)


# --------------------------------------------------------------------------- text


def place_glyphs(grids: list[_Grid], glyphs: Sequence[Glyph]) -> list[Glyph]:
    """Put each glyph into the cell holding its centre; return the glyphs outside every table."""
    lookups = [(grid, _slot_owners(grid)) for grid in grids]
    outside = []
    for g in glyphs:
        if not g.text.strip():
            continue
        x, y = g.cx, g.cy
        for grid, owners in lookups:
            cell_index = _cell_at(grid, owners, x, y)
            if cell_index is not None:
                grid.texts[cell_index].append(g)
                break
        else:
            outside.append(g)
    return outside


def _slot_owners(grid: _Grid) -> dict[tuple[int, int], int]:
    """(row, col) of every slot → the index of the first cell covering it."""
    owners: dict[tuple[int, int], int] = {}
    for index, (r, c, rs, cs) in enumerate(grid.cells):
        for row in range(r, r + rs):
            for col in range(c, c + cs):
                owners.setdefault((row, col), index)
    return owners


def _cell_at(grid: _Grid, owners: dict[tuple[int, int], int], x: float, y: float) -> int | None:
    xs, ys = grid.xs, grid.ys
    if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
        return None
    # The last slot starting at or before the point (a point on the far edge is in the last slot).
    col = bisect.bisect_right(xs, x, 0, len(xs) - 1) - 1
    row = bisect.bisect_right(ys, y, 0, len(ys) - 1) - 1
    return owners.get((row, col))


def glyphs_to_lines(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into text lines (by vertical overlap), each line left to right."""
    lines: list[list[Glyph]] = []
    tops: list[float] = []
    bottoms: list[float] = []
    for g in sorted(glyphs, key=lambda g: (g.cy, g.x0)):
        if lines:
            ref_top, ref_bottom = _median(tops), _median(bottoms)
            overlap = min(ref_bottom, g.bottom) - max(ref_top, g.top)
            if overlap > 0.5 * min(ref_bottom - ref_top, g.bottom - g.top):
                lines[-1].append(g)
                tops.append(g.top)
                bottoms.append(g.bottom)
                continue
        lines.append([g])
        tops, bottoms = [g.top], [g.bottom]
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _median(values: list[float]) -> float:
    """statistics.median without its overhead, called once per glyph."""
    n = len(values)
    if n == 1:
        return values[0]
    ordered = sorted(values)
    half = n // 2
    return ordered[half] if n % 2 else (ordered[half - 1] + ordered[half]) / 2


def line_text(line: Sequence[Glyph]) -> str:
    """Join a line's glyphs; a space only where a real gap separates two Latin/digit runs."""
    out = ""
    prev: Glyph | None = None
    for g in line:
        if prev is not None:
            gap = g.x0 - prev.x1
            height = max(1e-6, min(prev.bottom - prev.top, g.bottom - g.top))
            cjk_seam = _CJK.search(prev.text[-1:]) or _CJK.search(g.text[:1])
            if gap > 0.25 * height and not cjk_seam:
                out += " "
            elif gap > 1.5 * height:
                out += " "
        out += g.text
        prev = g
    return out


def cell_text(glyphs: Sequence[Glyph], right: float | None = None, unit: float = 10.0) -> str:
    """A cell's text: a line that runs up to the cell's right edge wrapped and continues on the
    next line (joined); a line that stops short ended its paragraph (a newline)."""
    lines = [line for line in glyphs_to_lines(glyphs) if line]
    text = ""
    for i, line in enumerate(lines):
        piece = line_text(line)
        if i:
            # The line above wrapped if this line's first word would not have fitted after it.
            wrapped = right is not None and right - lines[i - 1][-1].x1 < _first_word_width(line) + 1.2 * unit
            text += wrap_join(text, piece) if wrapped else "\n"
        text += piece
    return text.strip()


# Characters that may not start a line (they stay with the character before) and that
# may not end one (they go with the character after): the line breaker moves them together.
_NO_LINE_START = set("、，。．；：？！）」』】〕》〉”’%％·…—,.;:?!)]}")
_NO_LINE_END = set("（「『【〔《〈“‘([{")


def _first_word_width(line: Sequence[Glyph]) -> float:
    """Width of what a line breaker moves as one piece from the end of a line to the next:
    one CJK character with the punctuation glued to it, or a run of Latin letters and digits."""
    end = line[0]
    for g in line[1:]:
        prev_text, text = end.text[-1:], g.text[:1]
        touching = g.x0 - end.x1 <= 0.25 * (g.bottom - g.top)
        latin_run = not _CJK.search(prev_text) and not _CJK.search(text) and touching
        if text in _NO_LINE_START or prev_text in _NO_LINE_END or latin_run or (
                prev_text in _NO_LINE_START and touching and not _CJK.search(text)):
            end = g
            continue
        break
    first = line[0]
    if end is first and len(first.text) > 1 and _CJK.search(first.text[:1]):
        # An OCR box of several characters: its first, and the punctuation after it that may not start a
        # line (划。 went to the next line together), at the box's mean width a character.
        glued = 1
        while glued < len(first.text) and first.text[glued] in _NO_LINE_START:
            glued += 1
        return (first.x1 - first.x0) / len(first.text) * glued
    return end.x1 - first.x0


def wrap_join(before: str, after: str) -> str:
    """What a line wrap stood for: nothing inside CJK text or a number, a space between words."""
    a, b = before[-1:], after[:1]
    if _CJK.search(a) or _CJK.search(b):
        return ""
    if (a.isdigit() or a in ".,%") and (b.isdigit() or b in ".,%"):
        return ""
    return " "


def grid_to_table(grid: _Grid, page: int, unit: float = 10.0) -> Table:
    cells = tuple(
        Cell(text=cell_text(grid.texts[i], grid.xs[c + cs], unit), row=r, col=c, rowspan=rs, colspan=cs, page=page)
        for i, (r, c, rs, cs) in enumerate(grid.cells)
    )
    return Table(cells=cells, n_rows=len(grid.ys) - 1, n_cols=len(grid.xs) - 1, page=page)


# --------------------------------------------------------------------------- stitching


def continues(previous: _Grid, current: _Grid, unit: float) -> list[int] | None:
    """If ``current`` (first table on a page) continues ``previous`` (last table on the page
    before), the index in ``previous.xs`` of each of ``current.xs``; else None.

    A table continued over a page break keeps its outer edges, and its column lines are a
    subset of the ones above (the rows before the break may have had more splits).
    """
    tol = max(2.0, unit * 0.5)
    mapping = []
    for k, x in enumerate(current.xs):
        j = min(range(len(previous.xs)), key=lambda i: abs(previous.xs[i] - x))
        outer = current.virtual and k in (0, len(current.xs) - 1)
        if outer:  # a text-aligned table's outer edges follow its text: take the nearest column line
            j = max([i for i, px in enumerate(previous.xs) if px <= x + tol] or [0]) if k == 0 else \
                min([i for i, px in enumerate(previous.xs) if px >= x - tol] or [len(previous.xs) - 1])
        elif abs(previous.xs[j] - x) > tol:
            return None
        if mapping and j <= mapping[-1]:
            return None
        mapping.append(j)
    if not current.virtual and (mapping[0] != 0 or mapping[-1] != len(previous.xs) - 1):
        return None  # ruled tables keep their outer edges; text-aligned ones start where text does
    return mapping


def remap_columns(table: Table, mapping: list[int], n_cols: int) -> Table:
    """A continuation table expressed in the columns of the table it continues."""
    cells = tuple(
        Cell(text=c.text, row=c.row, col=mapping[c.col], rowspan=c.rowspan,
             colspan=mapping[c.col + c.colspan] - mapping[c.col], page=c.page)
        for c in table.cells
    )
    return Table(cells=cells, n_rows=table.n_rows, n_cols=n_cols, page=table.page)


def stitch_tables(first: Table, second: Table, cut_columns: set[int] | None = None) -> Table:
    """Append ``second``'s rows to ``first`` (same columns): a header repeated on the new page
    is dropped, a row cut by the page break is joined to the row above, and a merged cell
    cut by the break continues the cell above."""
    first_rows = _row_texts(first)
    second_rows = _row_texts(second)
    repeated = second.n_rows > 1 and sum(1 for t in second_rows[0] if t) >= 2 and second_rows[0] in first_rows
    skip = 1 if repeated else 0
    cells = list(first.cells)
    last_row = first.n_rows - 1
    at_last_row = {c: cell for cell in first.cells if cell.row <= last_row < cell.row + cell.rowspan
                   for c in range(cell.col, cell.col + cell.colspan)}
    cut = skip < second.n_rows and _is_cut_row(first_rows[last_row], second, skip, first.n_cols, cut_columns)
    offset = first.n_rows - skip - (1 if cut else 0)
    for cell in second.cells:
        if cell.row < skip:
            continue
        above = at_last_row.get(cell.col)
        same_box = above is not None and above.col == cell.col and above.colspan == cell.colspan
        if cell.row == skip and same_box and above is not None and (cut or (not cell.text and above.rowspan > 1)):
            merged = Cell(
                text=_join_across_break(above.text, cell.text),
                row=above.row, col=above.col, rowspan=above.rowspan + cell.rowspan - (1 if cut else 0),
                colspan=above.colspan, page=above.page,
            )
            cells[cells.index(above)] = merged
            for c in range(merged.col, merged.col + merged.colspan):
                at_last_row[c] = merged
            continue
        cells.append(Cell(text=cell.text, row=cell.row + offset, col=cell.col, rowspan=cell.rowspan,
                          colspan=cell.colspan, page=cell.page))
    return Table(cells=tuple(cells), n_rows=second.n_rows + offset, n_cols=first.n_cols, page=first.page)


_PARAGRAPH_END = ("。", "！", "？", "!", "?", "；", "：", ":", ">", "”")


def _join_across_break(above: str, below: str) -> str:
    """Text of a cell the page break cut: a sentence cut mid-way continues, a finished one
    ends its paragraph."""
    if not below:
        return above
    if not above:
        return below
    return above + ("\n" if above.endswith(_PARAGRAPH_END) else wrap_join(above, below)) + below


def _row_texts(table: Table) -> list[list[str]]:
    grid = table.grid()
    return [[(c.text if c is not None and c.row == r else "") for c in row] for r, row in enumerate(grid)]


def _is_cut_row(above: list[str], second: Table, row: int, n_cols: int, cut_columns: set[int] | None) -> bool:
    """The continuation of a row cut by the page break has text only in cells that were cut:
    fewer filled cells than the row above, each under a filled cell of that row whose text
    ran down to the page break (``cut_columns``, where the geometry is known)."""
    filled = {col for c in second.cells if c.row == row and c.text for col in range(c.col, c.col + c.colspan)}
    above_filled = {c for c in range(n_cols) if above[c]}
    if cut_columns is not None and not filled <= cut_columns:
        return False
    return bool(filled) and filled <= above_filled and len(filled) < len(above_filled)
