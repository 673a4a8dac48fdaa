"""PDF pages read with PDFium (pypdfium2): every character and every ruling line, top-left origin.

The default page reader of the PDF path. It gives ``extract.readers.geometry`` the same ``PageGeometry`` as
pdfplumber's characters and edges (``extract.readers.pdf.page_to_geometry``), about five times faster (measured
on the sample PDFs): PDFium parses the page in C, where pdfminer interprets the content stream in Python.

Characters are PDFium's text-page characters with the box pdfminer gives them: across, the loose box
(the advance width), not the tight ink box; up, one font size standing on the loose box's bottom (the
baseline less the font's descent). A line's characters must share one top and bottom for
``geometry.glyphs_to_lines``, and its tolerances were tuned on these boxes. Characters PDFium makes up
(spaces and line ends between text runs) are left out.

Ruling lines are the straight horizontal and vertical pieces of every painted path, rectangles and
thin filled rectangles included (Word draws cell borders as any of these), also inside form
XObjects; diagonals (a 斜线表头 split cell) are not ruling lines and are skipped. A page whose paths
have more than ``limits.MAX_PAGE_SEGMENTS`` segments in all gives no ruling lines, only their count
(one C call per path): walking them point by point would already cost seconds.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from extract.readers.geometry import Glyph, PageGeometry, Segment
from extract.readers.limits import MAX_PAGE_SEGMENTS

# Pieces whose ends differ by less than this across their direction are axis-aligned (points).
AXIS_TOLERANCE = 0.5
# Nested form XObjects deeper than this are not walked (a guard against malicious nesting).
MAX_FORM_DEPTH = 15

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class _View:
    """From PDF user space (bottom-left origin) to the page as displayed: top-left origin, turned
    by the page's /Rotate. A landscape table is often a portrait page with /Rotate 90; pdfminer
    turns it upright, and so must this reader."""

    def __init__(self, page: Any) -> None:
        self.left, bottom, right, self.top = page.get_cropbox()
        self.width, self.height = right - self.left, self.top - bottom  # unrotated
        self.rotation = page.get_rotation() % 360

    @property
    def size(self) -> tuple[float, float]:
        return (self.height, self.width) if self.rotation in (90, 270) else (self.width, self.height)

    def point(self, x: float, y: float) -> tuple[float, float]:
        u, t = x - self.left, self.top - y  # top-left origin, not yet turned
        if self.rotation == 90:
            return self.height - t, u
        if self.rotation == 180:
            return self.width - u, self.height - t
        if self.rotation == 270:
            return t, self.width - u
        return u, t

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """A user-space box → (x0, top, x1, bottom) as displayed."""
        (ax, at), (bx, bt) = self.point(left, top), self.point(right, bottom)
        return min(ax, bx), min(at, bt), max(ax, bx), max(at, bt)


@dataclass
class _Tally:
    """What the walk over a page's objects found."""

    view: _View
    collect: bool = True  # False once the page has too many path segments, or to only count them
    segments: list[Segment] = field(default_factory=list)
    drawn: int = 0  # path segments of painted paths (PDFium counts a line as two, a rectangle as five)
    images: int = 0


def page_to_geometry(page: Any, number: int) -> tuple[PageGeometry, int]:
    """One pypdfium2 page → (its geometry as displayed, how many images it draws)."""
    view = _View(page)
    glyphs = tuple(dedupe_glyphs(_glyphs(page, view)))
    tally = _walk(page, _Tally(view))
    width, height = view.size
    if tally.drawn > MAX_PAGE_SEGMENTS:
        geometry = PageGeometry(number, float(width), float(height), (), glyphs, uncollected_segments=tally.drawn)
    else:
        geometry = PageGeometry(number, float(width), float(height), tuple(tally.segments), glyphs)
    return geometry, tally.images


def drawn_segments(page: Any) -> int:
    """How many path segments the page paints (forms included), without reading them."""
    return _walk(page, _Tally(_View(page), collect=False)).drawn


def dedupe_glyphs(glyphs: Iterable[Glyph]) -> Iterator[Glyph]:
    """Drop a character drawn again at (nearly) the same place, as Word's fake bold does (both
    PDF page readers use this).

    Keyed on text and position to half a point: pdfplumber's own ``dedupe_chars`` does the
    same job with clustering at several times the cost of reading the page."""
    seen: set[tuple[str, int, int]] = set()
    for g in glyphs:
        key = (g.text, round(g.x0 * 2), round(g.top * 2))
        if key not in seen:
            seen.add(key)
            yield g


def _glyphs(page: Any, view: _View) -> Iterator[Glyph]:
    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        box = raw.FS_RECTF()
        matrix = raw.FS_MATRIX()
        for i in range(raw.FPDFText_CountChars(handle)):
            code = raw.FPDFText_GetUnicode(handle, i)
            if code <= 32 or raw.FPDFText_IsGenerated(handle, i) == 1:
                continue
            text = chr(code)
            if text.isspace() or not raw.FPDFText_GetLooseCharBox(handle, i, ctypes.byref(box)):
                continue
            x0, top, x1, bottom = view.box(box.left, box.bottom, box.right, box.top)
            # pdfminer's box, which the geometry's tolerances were tuned on: one font size tall,
            # standing on the loose box's bottom (the baseline less the font's descent).
            size = raw.FPDFText_GetFontSize(handle, i)
            if raw.FPDFText_GetMatrix(handle, i, ctypes.byref(matrix)):  # Tf 1 scaled by the text matrix
                size *= math.hypot(matrix.c, matrix.d)
            if not size > 0:
                size = bottom - top
            yield Glyph(text, x0, bottom - size, x1, bottom)
    finally:
        textpage.close()


def _walk(page: Any, tally: _Tally) -> _Tally:
    """Ruling lines of every path object, path segments and image objects into ``tally``."""
    handle = page.raw
    objects = [raw.FPDFPage_GetObject(handle, i) for i in range(raw.FPDFPage_CountObjects(handle))]
    _walk_objects(objects, IDENTITY, tally, 0)
    return tally


def _walk_objects(objects: list[Any], outer: Matrix, tally: _Tally, depth: int) -> None:
    fs = raw.FS_MATRIX()
    for obj in objects:
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            tally.images += 1
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            if not _painted(obj):
                continue
            tally.drawn += max(0, raw.FPDFPath_CountSegments(obj))
            if tally.drawn > MAX_PAGE_SEGMENTS:
                tally.collect = False  # the page is read as text: what was collected is not used
            if tally.collect and raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(fs)):
                m = _compose((fs.a, fs.b, fs.c, fs.d, fs.e, fs.f), outer)
                tally.segments.extend(_path_segments(obj, m, tally.view))
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            if raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(fs)):
                m = _compose((fs.a, fs.b, fs.c, fs.d, fs.e, fs.f), outer)
                inner = [raw.FPDFFormObj_GetObject(obj, i) for i in range(raw.FPDFFormObj_CountObjects(obj))]
                _walk_objects(inner, m, tally, depth + 1)


def _painted(obj: Any) -> bool:
    """Filled or stroked: a clipping path (``n``) draws nothing and is no ruling line."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)):
        return True
    return fill.value != raw.FPDF_FILLMODE_NONE or bool(stroke.value)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _path_segments(obj: Any, m: Matrix, view: _View) -> Iterator[Segment]:
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    start: tuple[float, float] | None = None
    prev: tuple[float, float] | None = None
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        if not raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
            continue
        point = view.point(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO or prev is None:
            start = point
        elif kind == raw.FPDF_SEGMENT_LINETO:
            piece = _axis_piece(prev, point)
            if piece is not None:
                yield piece
        # Bézier pieces (rounded corners, circles) are not ruling lines; their end point carries on.
        prev = point
        if raw.FPDFPathSegment_GetClose(seg) and start is not None:
            piece = _axis_piece(point, start)
            if piece is not None:
                yield piece
            prev = start


def _axis_piece(p: tuple[float, float], q: tuple[float, float]) -> Segment | None:
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) <= AXIS_TOLERANCE and abs(x1 - x0) > 0:
        y = (y0 + y1) / 2
        return Segment(min(x0, x1), y, max(x0, x1), y)
    if abs(x1 - x0) <= AXIS_TOLERANCE and abs(y1 - y0) > 0:
        x = (x0 + x1) / 2
        return Segment(x, min(y0, y1), x, max(y0, y1))
    return None
