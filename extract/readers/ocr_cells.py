"""Where the text of a scanned page is, without a text detector: cell by cell, line by line.

The ruling lines give a table's cells; inside a cell the ink (ruling lines and scanner grain
taken away) is cut into lines of text by its row profile, and each line into pieces at wide
gaps by its column profile. Text outside the tables is cut the same way over the rest of the
page. Each piece becomes a ``TextBox``: the crop the recogniser reads (the ink with a margin of
paper, never reaching a ruling line) and the glyph box it is placed by. A band that is no line of
text (taller than two lines: a stamp, a picture, lines the profile cannot part) is left to the
detector (``TextBox.detect``).

OpenCV and numpy are imported only when a scan is read (through ``extract.readers.ocr``).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from typing import Any, Sequence

from extract.readers.geometry import Segment, segments_to_grids

# Margins of paper around a line's ink in the recogniser's crop, × the line's height: PP-OCR's
# recogniser was trained on detector boxes, which leave about this much.
MARGIN_ACROSS = 0.3
MARGIN_DOWN = 0.3
# A gap in a line of text wider than this (× text height) parts two pieces (two words of a
# form line such as 填报单位：… 填报日期：…).
PIECE_GAP = 2.0
# A band of ink thinner than a stroke of text is a line of text only as a dash (—, "no value"), at
# least this long (× text height): a thin dash of a scan is one or two pixels thick.
DASH = 0.6
DASH_LONGEST = 3.0  # —— is about two; a longer thin rule is a fill-in line or an underline
DASH_APART = 0.5  # white between a dash and the lines of text above and below it, at least (× text height)


@dataclass(frozen=True)
class TextBox:
    """A piece of text to read: ``crop`` (x0, y0, x1, y1) is what the recogniser sees, ``box`` the
    glyph's box on the page, ``pad`` the paper to add around the crop; ``detect``: a region the
    detector must look at first."""

    crop: tuple[int, int, int, int]
    box: tuple[float, float, float, float]
    detect: bool = False
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)  # paper added top, bottom, left, right
    dash: bool = False  # ink too thin for a line of text: a dash if its ink says so (``ocr_symbols.lone_dash``)


def _cv() -> tuple[Any, Any]:
    from extract.readers.ocr import _cv as cv

    return cv()


def text_ink(binary: Any, line_ink: Any) -> Any:
    """The ink of text: the binarised page less its ruling lines and less specks of grain far
    smaller than a dot of punctuation."""
    return text_ink_parts(binary, line_ink)[0]


def text_ink_parts(binary: Any, line_ink: Any) -> tuple[Any, tuple[Any, Any]]:
    """``text_ink``, and the connected parts of its ink (labels, stats) for ``drop_grain``: taking the
    specks away leaves the other parts as they were, so they need not be found again."""
    cv2, np = _cv()
    ink = cv2.bitwise_and(binary, cv2.bitwise_not(cv2.dilate(line_ink, np.ones((3, 3), np.uint8))))
    h, w = ink.shape[:2]
    speck = max(3, int(round(6 * (min(h, w) / 1650) ** 2)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < speck
    small[0] = False
    return (_without(ink, small, labels) if small.any() else ink), (labels, stats)


def _without(ink: Any, parts: Any, labels: Any) -> Any:
    """A copy of ``ink`` without the connected parts marked in ``parts`` (a mask over the labels)."""
    cv2, np = _cv()
    return cv2.bitwise_and(ink, np.take(np.where(parts, 0, 255).astype(np.uint8), labels))


def drop_grain(ink: Any, unit: float, parts: tuple[Any, Any] | None = None) -> Any:
    """``ink`` without the specks a scan scatters over the paper (dust, JPEG blotches): parts far
    smaller than a stroke of text (a full stop of the page's text is about a tenth of its height).
    ``parts``: the labels and stats of ``ink``'s connected parts (``text_ink_parts``), if known."""
    cv2, np = _cv()
    if parts is None:
        _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    else:
        labels, stats = parts  # parts already taken away are zero in ``ink``: taking them again changes nothing
    side = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    small = (stats[:, cv2.CC_STAT_AREA] < 0.025 * unit * unit) & (side < 0.2 * unit)
    small[0] = False
    return _without(ink, small, labels) if small.any() else ink


def text_height(ink: Any) -> float:
    """The height of a line of text on the page: the median height of words (ink joined along the
    line). A page without text gets a default for its size."""
    cv2, np = _cv()
    h, w = ink.shape[:2]
    k = max(3, w // 150) | 1
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    heights = [int(stats[i][3]) for i in range(1, n)
               if max(4, 0.004 * h) <= stats[i][3] <= 0.1 * h and stats[i][2] >= 0.6 * stats[i][3]]
    return float(statistics.median(heights)) if heights else max(10.0, h / 80)


def page_to_text_boxes(ink: Any, segments: Sequence[Segment], unit: float) -> tuple[list[TextBox], bool]:
    """The pieces of text of a page, and whether the page has tables (without any, the caller
    runs the detector over the whole page instead)."""
    cv2, np = _cv()
    h, w = ink.shape[:2]
    grids = segments_to_grids(segments, unit)
    if not grids:
        return [], False
    inset = max(2, int(round(unit * 0.1)))
    boxes: list[TextBox] = []
    outside = ink.copy()
    for grid in grids:
        cv2.rectangle(outside, (int(grid.xs[0]) - inset, int(grid.ys[0]) - inset),
                      (int(grid.xs[-1]) + inset, int(grid.ys[-1]) + inset), 0, -1)
        for r, c, rs, cs in grid.cells:
            x0, x1 = int(grid.xs[c]) + inset, int(grid.xs[c + cs]) - inset
            y0, y1 = int(grid.ys[r]) + inset, int(grid.ys[r + rs]) - inset
            if x1 - x0 >= 3 and y1 - y0 >= 3:
                boxes += region_to_text_boxes(ink, (x0, y0, x1, y1), unit)
    boxes += region_to_text_boxes(outside, (0, 0, w, h), unit)
    return boxes, True


# A piece whose ink is far fainter than the page's text is scanner grain (specks of a noisy scan
# the binarisation caught, joined into a "line" across blank paper), which the recogniser reads
# as stray characters (S, 1, 育) or nothing, at the cost of a line each. Measured on 6,235 pieces
# of the 20 scans of ``bench/ocr_accuracy.py``: the ink of text lies 60–200 grey levels below its
# paper, grain 0–30, nothing between; a page's text sits at about 110.
FAINT = 0.4  # × the page's own text contrast
REFERENCE_PIECES = 16  # the pieces with most ink, whose contrast is the page's text contrast
DENSE = 0.12  # ink × the crop's area above which a piece is text unmeasured (grain: 0.01–0.08; text 0.15–0.3)


def drop_faint(pieces: Sequence[TextBox], gray: Any, ink: Any) -> list[TextBox]:
    """``pieces`` without those whose ink is fainter than ``FAINT`` × the page's text: the median
    grey of a piece's ink against its paper, set against that of the pieces holding most ink (grain
    is a speck here and there, so a page of faint print keeps its text). Only sparse pieces (ink
    over less than ``DENSE`` of the crop) are measured: grain is never dense."""
    _, np = _cv()
    amounts = [int(np.count_nonzero(ink[y0:y1, x0:x1])) for x0, y0, x1, y1 in (p.crop for p in pieces)]
    if not pieces or not any(amounts):
        return list(pieces)
    largest = sorted(range(len(pieces)), key=lambda i: -amounts[i])[:REFERENCE_PIECES]
    text = float(np.median([_contrast(pieces[i], gray, ink) for i in largest]))
    return [piece for piece, amount in zip(pieces, amounts)
            if amount >= DENSE * _area(piece) or _contrast(piece, gray, ink) >= FAINT * text]


def _area(piece: TextBox) -> int:
    x0, y0, x1, y1 = piece.crop
    return (x1 - x0) * (y1 - y0)


def _contrast(piece: TextBox, gray: Any, ink: Any) -> float:
    """How far the median grey of a piece's ink lies below its paper (the crop's 75th percentile),
    both ranks without interpolation, from their histograms (numpy's percentile and median cost ten
    times as much on arrays this small)."""
    from extract.readers.ocr import _ranked

    _, np = _cv()
    x0, y0, x1, y1 = piece.crop
    shade = gray[y0:y1, x0:x1]
    strokes = shade[ink[y0:y1, x0:x1] > 0]
    if not strokes.size:
        return 0.0
    (paper,) = _ranked(shade, [int(0.75 * (shade.size - 1))], np)
    (stroke,) = _ranked(strokes, [(strokes.size - 1) // 2], np)
    return float(paper - stroke)


def region_to_text_boxes(ink: Any, region: tuple[int, int, int, int], unit: float) -> list[TextBox]:
    """The lines of text in ``region`` (x0, y0, x1, y1) of ``ink``, each cut into pieces at wide
    gaps; crops stay inside the region."""
    _, np = _cv()
    x0, y0, x1, y1 = region
    part = ink[y0:y1, x0:x1]
    if not part.any():
        return []
    out: list[TextBox] = []
    # A row is inked when it holds more than a speck or two (grain left between two lines of a
    # wide cell must not join them).
    counts = np.count_nonzero(part, axis=1)
    found = _bands(counts > max(1, 0.004 * (x1 - x0)), unit)
    lines = [b for b in found if not _thin(*b, unit)]
    # A thin band is a dash only standing apart from the lines of text (an underline sits just under
    # one); a line's room is bounded by the other lines, a dash's too.
    dashes = {b: pieces for b in found if _thin(*b, unit) and (pieces := _dashes(part[b[0]:b[1]], unit))
              and all(b[0] - bottom >= DASH_APART * unit or top - b[1] >= DASH_APART * unit for top, bottom in lines)}
    for top, bottom in sorted(lines + list(dashes)):
        above = y0 + max((b for _, b in lines if b <= top), default=0)
        below = y0 + min((t for t, _ in lines if t >= bottom), default=y1 - y0)
        band = part[top:bottom]
        if bottom - top > 2.6 * unit:  # no line of text: the detector decides
            cols = np.flatnonzero(band.any(axis=0))
            out.append(TextBox((x0 + int(cols[0]), y0 + top, x0 + int(cols[-1]) + 1, y0 + bottom),
                               (x0 + float(cols[0]), y0 + float(top), x0 + float(cols[-1]) + 1, y0 + float(bottom)),
                               detect=True))
            continue
        thin = (top, bottom) in dashes
        for left, right in dashes.get((top, bottom)) or _pieces(band.any(axis=0), unit):
            piece = band[:, left:right]
            rows = np.flatnonzero(piece.any(axis=1))
            t, b = top + int(rows[0]), top + int(rows[-1]) + 1
            if not thin and ((b - t < 0.35 * unit and right - left < 0.5 * unit)
                             or np.count_nonzero(piece) < 0.04 * unit * unit):
                continue  # grain, a speck of dust: no character is that small
            box = _text_box(x0 + left, y0 + t, x0 + right, y0 + b, (x0, above, x1, below), unit)
            out.append(replace(box, dash=True) if thin else box)
    return out


def _text_box(xa: int, ya: int, xb: int, yb: int, room: tuple[int, int, int, int], unit: float) -> TextBox:
    """The crop and glyph box of a piece of ink (xa, ya)–(xb, yb); ``room``: how far the crop may
    reach (the cell's inside, and no further than the lines of text above and below). Margins the
    room has no space for above and below are added as paper (``TextBox.pad``: lines set close
    together; a lone 0 without paper above and below reads as o). Not left and right: paper added
    there makes the recogniser read a lone digit full-width or not at all (measured)."""
    x0, y0, x1, y1 = room
    tall = max(yb - ya, 0.5 * unit)  # the line's own height (a line of dashes or dots: half the text's)
    across, down = MARGIN_ACROSS * tall, MARGIN_DOWN * tall
    crop = (int(max(x0, xa - across)), int(max(y0, ya - down)), int(min(x1, xb + across)), int(min(y1, yb + down)))
    top, bottom = max(0, int(round(crop[1] - (ya - down)))), max(0, int(round(yb + down - crop[3])))
    # The glyph box: the ink with some of the margin, about the box a text detector gives.
    box = (max(float(x0), xa - 0.3 * unit), max(float(y0), ya - 0.1 * unit),
           min(float(x1), xb + 0.3 * unit), min(float(y1), yb + 0.1 * unit))
    return TextBox(crop, box, pad=(top, bottom, 0, 0))


def _bands(rows: Any, unit: float) -> list[tuple[int, int]]:
    """Runs of inked rows, as lines of text: pieces of one character split by its own white (二, 三,
    a colon, the dots of a line alone) joined back while the whole stays one text line tall; a band
    two lines tall split at its thinnest row."""
    merged: list[list[int]] = []
    for run in (list(span) for span in _spans(rows)):
        if merged and run[1] - merged[-1][0] <= 1.25 * unit and (
                run[1] - run[0] < 0.6 * unit or merged[-1][1] - merged[-1][0] < 0.6 * unit):
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    return [(a, b) for a, b in merged if b - a >= 1]


def _thin(top: int, bottom: int, unit: float) -> bool:
    """A band of ink thinner than a stroke of text: a line of text only as a dash (``_dashes``)."""
    return bottom - top < max(2, 0.15 * unit)


def _dashes(band: Any, unit: float) -> list[tuple[int, int]]:
    """The pieces of a thin band as long as a dash (grain and a ruling line's frayed edge are shorter, a
    fill-in line longer)."""
    return [(a, b) for a, b in _pieces(band.any(axis=0), unit) if DASH * unit <= b - a <= DASH_LONGEST * unit]


def _pieces(cols: Any, unit: float) -> list[tuple[int, int]]:
    """Runs of inked columns of a line, joined across gaps narrower than ``PIECE_GAP`` text heights."""
    out: list[list[int]] = []
    for run in (list(span) for span in _spans(cols)):
        if out and run[0] - out[-1][1] <= PIECE_GAP * unit:
            out[-1][1] = run[1]
        else:
            out.append(run)
    return [(a, b) for a, b in out if b - a >= 2]


def _spans(flags: Any) -> list[tuple[int, int]]:
    """The runs of True in a 1-D array, as (start, end) index pairs, end excluded."""
    _, np = _cv()
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.asarray(flags).astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


# White inside a detector's line wider than this × the line's text height parts it in two: the
# detector joins the texts of neighbouring cells of a table without ruling lines (1.3 text heights
# apart on the Suzhou borderless scan). A punctuation mark leaves white of its own (、 or ： up to 0.7,
# 、 before “ 1.2): parts read on either side of one are joined again (``extract.readers.ocr._glyphs``).
SPLIT_GAP = 1.0
ENDS_WITH_WHITE = frozenset("、，。：；！？”’）》】」』")  # marks whose ink sits at the left of their square
STARTS_WITH_WHITE = frozenset("“‘（《【「『")  # … at the right


def split_at_gaps(crop: tuple[int, int, int, int], ink: Any) -> list[tuple[int, int, int, int]]:
    """A detector's crop cut where its ink leaves ``SPLIT_GAP`` text heights of white, each part
    keeping some of the white as its margin (as much as a cell's line has, ``MARGIN_ACROSS``)."""
    _, np = _cv()
    x0, y0, x1, y1 = crop
    part = ink[y0:y1, x0:x1]
    rows = np.flatnonzero(part.any(axis=1))
    if not rows.size:
        return [crop]
    tall = int(rows[-1] - rows[0] + 1)
    blank = ~part.any(axis=0)
    cuts = [(a, b) for a, b in _spans(blank) if 0 < a and b < blank.size and b - a >= SPLIT_GAP * tall]
    out, start = [], x0
    for a, b in cuts:
        margin = int(min((b - a) / 2, MARGIN_ACROSS * tall))
        out.append((start, y0, x0 + a + margin, y1))
        start = x0 + b - margin
    return out + [(start, y0, x1, y1)]


def inked_box(crop: tuple[int, int, int, int], ink: Any) -> tuple[float, float, float, float]:
    """The glyph box of a detector's crop: the columns and rows that hold ink (the rows with a tenth
    of their height above and below, as a cell's lines are boxed). The detector widens its boxes
    beyond the text (by half a line's height or so): in a table without ruling lines the columns are
    told apart by the white between their texts, and the page's text height, which every gap is
    measured in, is taken from the glyphs' heights."""
    _, np = _cv()
    x0, y0, x1, y1 = crop
    part = ink[y0:y1, x0:x1]
    cols, rows = np.flatnonzero(part.any(axis=0)), np.flatnonzero(part.any(axis=1))
    if not cols.size:
        return float(x0), float(y0), float(x1), float(y1)
    top, bottom = y0 + int(rows[0]), y0 + int(rows[-1]) + 1
    margin = 0.1 * (bottom - top)
    return (float(x0 + cols[0]), max(float(y0), top - margin), float(x0 + cols[-1] + 1),
            min(float(y1), bottom + margin))
