"""Scanned pages → ``PageGeometry``: deskew, ruling lines (OpenCV) and text boxes (RapidOCR).

The PDF reader calls ``image_to_geometry`` for pages without a text layer; the result goes
through the same ``extract.geometry`` chain as a born-digital page. Steps:

1. deskew: the small rotation of the scan is measured on its long ruling lines and undone;
2. ruling lines: binarise, keep long horizontal / vertical runs (morphological opening),
   turn each into a thin ``Segment``; short runs are kept only where they join two lines
   of the other direction (a cell edge), so text strokes never become lines;
3. text: the lines are erased, RapidOCR's detector finds the text lines of the page, each
   detected box is cut at the vertical ruling lines it crosses (one box never spans two
   cells), and the recogniser reads each piece; each piece becomes a ``Glyph``.

OpenCV, numpy and RapidOCR are imported only when a scan is read.
"""

from __future__ import annotations

import math
import statistics
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from extract.geometry import Glyph, PageGeometry, Segment
from jixiao.errors import UnreadableDocument

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

INSTALL_HINT = "pip install rapidocr-onnxruntime"

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


# --------------------------------------------------------------------------- dependencies


def _cv() -> tuple[Any, Any]:
    try:
        import cv2
        import numpy
    except ImportError as exc:
        raise UnreadableDocument(
            f"this page is a scan and reading it needs OpenCV and numpy ({exc}); "
            f"install the OCR extra: {INSTALL_HINT}"
        ) from exc
    return cv2, numpy


def ocr_engine() -> Any:
    """The RapidOCR engine, created once per process (loading its models takes ~0.2 s)."""
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except ImportError as exc:
                    raise UnreadableDocument(
                        f"this page is a scan (no text layer) and the OCR engine is not installed ({exc}); "
                        f"install it with: {INSTALL_HINT}"
                    ) from exc
                _ENGINE = RapidOCR()
    return _ENGINE


# --------------------------------------------------------------------------- images


def pdf_page_images(path: Path | str, pages: Iterable[int] | None = None, dpi: int = 200) -> list[Any]:
    """Render PDF pages (1-based numbers; all when ``pages`` is None) as grayscale numpy arrays."""
    try:
        import pypdfium2
    except ImportError as exc:
        raise UnreadableDocument(f"rendering PDF pages needs pypdfium2 ({exc}); install it: pip install pypdfium2") from exc
    _, np = _cv()
    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise UnreadableDocument(f"not a readable PDF ({exc}); open it in a PDF viewer and print it to a new PDF") from exc
    try:
        numbers = list(pages) if pages is not None else list(range(1, len(pdf) + 1))
        images = []
        for number in numbers:
            if not 1 <= number <= len(pdf):
                raise ValueError(f"page {number} out of range 1..{len(pdf)}")
            bitmap = pdf[number - 1].render(scale=dpi / 72, grayscale=True)
            array = np.array(bitmap.to_numpy(), copy=True)
            if array.ndim == 3:  # some pdfium builds return an (h, w, 1) or BGR(A) buffer
                array = array[..., 0] if array.shape[2] == 1 else _to_gray(array)
            images.append(array)
        return images
    finally:
        pdf.close()


def _to_gray(image: Any) -> Any:
    cv2, np = _cv()
    array = np.asarray(image)
    if array.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if array.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        array = cv2.cvtColor(array, code)
    if array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    return array


def binarise(gray: Any) -> Any:
    """Ink as 255, paper as 0: darker than the local mean (a window of about two characters,
    so uneven lighting does not matter) by twice the grain of the scan."""
    cv2, _ = _cv()
    h, w = gray.shape[:2]
    block = max(15, (min(h, w) // 50) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block,
                                 _threshold_offset(gray))


def _threshold_offset(gray: Any) -> float:
    """Twice the grain of the page (the robust spread of pixels around their local mean), at
    least 8 and at most 30 grey levels: faint hairlines stay ink, scanner noise does not."""
    cv2, np = _cv()
    sample = gray.astype(np.float32)
    deviation = (sample - cv2.blur(sample, (15, 15)))[::3, ::3]
    grain = float(np.median(np.abs(deviation - np.median(deviation)))) * 1.4826
    return float(min(30.0, max(8.0, 2 * grain)))


# --------------------------------------------------------------------------- deskew

MAX_SKEW = 3.0  # degrees; scans are rotated by about one degree at most


def estimate_skew(gray: Any, binary: Any = None) -> float:
    """The rotation of the page content in degrees, counter-clockwise positive (as
    ``cv2.getRotationMatrix2D`` takes it), measured on long straight lines: ruling lines
    first (each weighted by its length), then text baselines if there are none. 0.0 when
    nothing straight is found."""
    cv2, np = _cv()
    if binary is None:
        binary = binarise(gray)
    h, w = binary.shape[:2]
    # Only straight runs go to the Hough transform: a short opening keeps lines tilted by a
    # few degrees (a 2-pixel line tilted 1° runs ~110 pixels per row) and drops the text.
    k = max(15, min(w, h) // 60) | 1
    runs = cv2.bitwise_or(
        cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1))),
        cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k))))
    min_len = int(min(w, h) * 0.2)
    lines = cv2.HoughLinesP(runs, 1, math.pi / 720, threshold=int(min_len * 0.6),
                            minLineLength=min_len, maxLineGap=max(3, min(w, h) // 200))
    angles: list[float] = []
    weights: list[float] = []
    ys, xs = np.nonzero(runs)
    for x1, y1, x2, y2 in ([] if lines is None else lines.reshape(-1, 4).tolist()):
        angle = _fitted_angle(xs, ys, x1, y1, x2, y2, np)
        if angle is not None and abs(angle) <= MAX_SKEW:
            angles.append(angle)
            weights.append(math.hypot(x2 - x1, y2 - y1))
    if angles:
        return _weighted_median(angles, weights)
    return _profile_skew(binary)


def _fitted_angle(xs: Any, ys: Any, x1: float, y1: float, x2: float, y2: float, np: Any) -> float | None:
    """The skew shown by one Hough segment, refined by a least-squares fit of the ink pixels
    along it (Hough endpoints are only good to a pixel or two)."""
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    if length == 0:
        return None
    horizontal = abs(dx) >= abs(dy)
    # Pixels within 3 px of the segment, between its ends.
    if horizontal:
        lo, hi = min(x1, x2), max(x1, x2)
        sel = (xs >= lo) & (xs <= hi)
        px, py = xs[sel].astype(np.float64), ys[sel].astype(np.float64)
        near = np.abs(py - (y1 + (px - x1) * dy / dx)) <= 3
        if near.sum() < 10:
            return None
        slope = np.polyfit(px[near], py[near], 1)[0]  # y = slope·x + b
        return -math.degrees(math.atan(slope))  # content rotated CCW lifts the right end
    lo, hi = min(y1, y2), max(y1, y2)
    sel = (ys >= lo) & (ys <= hi)
    px, py = xs[sel].astype(np.float64), ys[sel].astype(np.float64)
    near = np.abs(px - (x1 + (py - y1) * dx / dy)) <= 3
    if near.sum() < 10:
        return None
    slope = np.polyfit(py[near], px[near], 1)[0]  # x = slope·y + b
    return math.degrees(math.atan(slope))  # content rotated CCW moves the bottom end right


def _weighted_median(values: Sequence[float], weights: Sequence[float]) -> float:
    pairs = sorted(zip(values, weights))
    half = sum(weights) / 2
    acc = 0.0
    for value, weight in pairs:
        acc += weight
        if acc >= half:
            return value
    return pairs[-1][0]


def _profile_skew(binary: Any) -> float:
    """Fallback for pages without ruling lines: the angle at which the rows of text give the
    sharpest horizontal projection profile (searched on a reduced image)."""
    cv2, np = _cv()
    small = cv2.resize(binary, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    if not small.any():
        return 0.0
    h, w = small.shape[:2]

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
        rotated = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max((a / 10 for a in range(-30, 31)), key=score)
    return max((best + a / 50 for a in range(-5, 6)), key=score)


def rotate(gray: Any, angle: float) -> Any:
    """Rotate by ``angle`` degrees (CCW positive) about the centre; the canvas keeps its size
    and the uncovered corners are filled white."""
    cv2, _ = _cv()
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=255)


def deskew(gray: Any) -> tuple[Any, float]:
    """The page turned straight, and the skew that was removed (degrees, CCW positive)."""
    angle = estimate_skew(gray)
    if abs(angle) < 0.02:  # under a pixel over an A4 width at 200 dpi
        return gray, 0.0
    return rotate(gray, -angle), angle


# --------------------------------------------------------------------------- ruling lines


@dataclass
class _Run:
    """A straight run of ink: ``pos`` across the line, ``start``..``end`` along it."""

    pos: float
    start: float
    end: float
    thickness: float


def detect_lines(binary: Any) -> tuple[list[Segment], Any]:
    """Ruling lines of a straightened, binarised page: the segments, and a mask of their ink
    (to erase them before OCR)."""
    cv2, np = _cv()
    h, w = binary.shape[:2]
    # Straight runs of ink, horizontal and vertical, a little longer than a stroke of text is
    # thick: they are candidates, sorted out below. A faint hairline a little off the pixel
    # grid comes out as a staircase of thin pieces, so each row (column) first takes in its
    # neighbours' ink.
    length = max(11, min(h, w) // 80) | 1  # odd: an even kernel shifts the opening by a pixel
    h_src = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    # Gaps of a few pixels in a horizontal hairline are closed too. (Not in vertical ones: that
    # would bridge a line to the stroke of a character just below its end.)
    h_src = cv2.morphologyEx(h_src, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1)))
    h_mask = cv2.morphologyEx(h_src, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    v_src = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    v_mask = cv2.morphologyEx(v_src, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    # A scan breaks faint hairlines into pieces: pieces on the very same row (column) with
    # gaps narrower than a cell are one line. Strokes of text that happen to be joined this
    # way are sorted out with the rest.
    gap = max(6.0, min(w, h) / 60)
    h_runs = _merge_runs(_runs(h_mask, horizontal=True), gap, offset=1.0)
    v_runs = _merge_runs(_runs(v_mask, horizontal=False), gap, offset=1.0)
    h_kept, v_kept = _ruling(h_runs, v_runs, binary)
    h_kept = _merge_runs(h_kept, gap)
    v_kept = _merge_runs(v_kept, gap)
    segments = [Segment(r.start, r.pos, r.end, r.pos) for r in h_kept]
    segments += [Segment(r.pos, r.start, r.pos, r.end) for r in v_kept]
    mask = np.zeros_like(binary)
    for r in h_kept:
        half = r.thickness / 2 + 2
        cv2.rectangle(mask, (int(r.start) - 1, int(r.pos - half)),
                      (int(math.ceil(r.end)) + 1, int(math.ceil(r.pos + half))), 255, -1)
    for r in v_kept:
        half = r.thickness / 2 + 2
        cv2.rectangle(mask, (int(r.pos - half), int(r.start) - 1),
                      (int(math.ceil(r.pos + half)), int(math.ceil(r.end)) + 1), 255, -1)
    return segments, mask


def _ruling(h_runs: list[_Run], v_runs: list[_Run], binary: Any) -> tuple[list[_Run], list[_Run]]:
    """The runs that are ruling lines.

    Long runs (an eighth of the page width, a twelfth of its height) are lines unless the
    rest of characters is stuck to them (a row of text closed into one run). Short runs
    must also run into ruling lines of the other direction at both ends (a cell edge), and
    a short vertical one must stand free of ink on both sides (cells have side padding; a
    character's stroke has the rest of the character next to it). A stroke of text, even in
    a cell barely taller than its line of text, stops short of the cell border."""
    h, w = binary.shape[:2]
    side = max(3.0, min(h, w) / 330)  # 5 px at 200 dpi
    h_kept = [r for r in h_runs if r.end - r.start >= w / 8 and _attached(r, binary, True) <= 0.15]
    v_kept = [r for r in v_runs if r.end - r.start >= h / 12 and _attached(r, binary, False) <= 0.15]
    h_rest = [r for r in h_runs if r.end - r.start < w / 8]
    v_rest = [r for r in v_runs if r.end - r.start < h / 12 and _clear(r, binary, False, side)]
    changed = True
    while changed:
        changed = False
        for rest, kept, other, horizontal in ((v_rest, v_kept, h_kept, False), (h_rest, h_kept, v_kept, True)):
            for run in list(rest):
                if _ends_on(run, other, binary, horizontal):
                    rest.remove(run)
                    if _attached(run, binary, horizontal) <= 0.35:
                        kept.append(run)
                        changed = True
    return h_kept, v_kept


def _ends_on(run: _Run, others: Sequence[_Run], binary: Any, horizontal: bool) -> bool:
    """Do both ends of ``run`` join a run of the other direction, with unbroken ink from the
    end to that line's centre? A run may also overshoot the line by a few pixels (a stroke
    of the next cell's text touching the line below)."""
    limit_y, limit_x = binary.shape[:2]
    overshoot = max(3.0, min(limit_y, limit_x) / 200)

    def joined(at: float, inward: int) -> bool:
        for o in others:
            if not (o.start - 3 <= run.pos <= o.end + 3):
                continue
            offset = (o.pos - at) * inward  # > 0: the line is inside the run
            if not -(o.thickness / 2 + 3) <= offset <= o.thickness / 2 + overshoot:
                continue
            if offset >= 0:  # the run crosses the line: joined (its overshoot may be bridged text)
                return True
            lo, hi = sorted((int(at), int(o.pos)))  # positions are pixel centres (index + 0.5)
            lo, hi = max(lo, 0), min(hi, (limit_x if horizontal else limit_y) - 1)
            across = int(run.pos)
            a0, a1 = max(across - 1, 0), across + 2
            band = binary[a0:a1, lo:hi + 1] if horizontal else binary[lo:hi + 1, a0:a1]
            # Every step from the end of the run to the line is inked (in one of three rows/columns).
            if band.size and band.any(axis=0 if horizontal else 1).all():
                return True
        return False

    return joined(run.start, 1) and joined(run.end - 1, -1)


def _clear(run: _Run, binary: Any, horizontal: bool, side: float) -> bool:
    """Is there paper on both sides of the middle of ``run`` for most of its length?"""
    _, np = _cv()
    length = run.end - run.start
    lo, hi = int(run.start + 0.2 * length), int(run.end - 0.2 * length)
    if hi <= lo:
        return True
    half = run.thickness / 2
    a0, a1 = max(0, int(math.floor(run.pos - half - side))), max(0, int(math.floor(run.pos - half - 1)))
    b0, b1 = int(math.ceil(run.pos + half + 1)), int(math.ceil(run.pos + half + side))
    if horizontal:
        before, after = binary[a0:a1 + 1, lo:hi].any(axis=0), binary[b0:b1 + 1, lo:hi].any(axis=0)
    else:
        before, after = binary[lo:hi, a0:a1 + 1].any(axis=1), binary[lo:hi, b0:b1 + 1].any(axis=1)
    if before.size == 0 or after.size == 0:
        return True
    return float(np.mean(before | after)) <= 0.15


def _attached(run: _Run, binary: Any, horizontal: bool) -> float:
    """The share of a run's length where more ink is stuck to it: across the run, the ink
    through the run's centre reaches well beyond the run's own stroke. A ruling line is a
    free-standing stroke (text keeps a pixel or more of paper from it, crossings are few);
    a run made of characters' strokes (a row of text, stacked characters) has the rest of
    each character attached to it."""
    _, np = _cv()
    reach = int(math.ceil(run.thickness / 2)) + 6
    centre = int(run.pos)
    lo, hi = int(run.start), int(run.end)
    # The ends, where the run meets the lines it joins, are not looked at.
    if hi - lo > 4 * reach:
        lo, hi = lo + reach, hi - reach
    else:
        lo, hi = lo + (hi - lo) // 5, hi - (hi - lo) // 5
    a0 = centre - reach
    if horizontal:
        strip = binary[max(0, a0):centre + reach + 1, lo:hi]
    else:
        strip = binary[lo:hi, max(0, a0):centre + reach + 1].T
    c = centre - max(0, a0)
    if strip.shape[1] == 0 or c < 1 or c + 1 >= strip.shape[0]:
        return 0.0
    ink = strip > 0
    core = ink[c - 1:c + 2].any(axis=0)
    # Ink running on from the core rows outwards, column by column.
    up = np.cumprod(ink[c - 2::-1], axis=0).sum(axis=0) if c >= 2 else np.zeros(ink.shape[1], dtype=int)
    down = np.cumprod(ink[c + 2:], axis=0).sum(axis=0)
    length = np.where(core, up + down + 3, 0)
    inked = length > 0
    if not inked.any():
        return 0.0
    own = min(float(np.median(length[inked])), 8.0)
    return float(np.mean(length[inked] >= own + 4))


def _runs(mask: Any, horizontal: bool) -> list[_Run]:
    """Each connected piece of a line mask as a run. Its position is the row (column) where
    the piece has most ink, its thickness the rows holding at least half as much: a stroke
    of text stuck to the line widens the piece's box, not the line."""
    cv2, np = _cv()
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    runs = []
    for i in range(1, n):
        x, y, bw, bh, _area = (int(v) for v in stats[i])
        if (bh if horizontal else bw) <= 2:
            profile_offset, thickness = ((bh if horizontal else bw) - 1) / 2, float(bh if horizontal else bw)
        else:
            piece = labels[y:y + bh, x:x + bw] == i
            profile = piece.sum(axis=1 if horizontal else 0)
            peak = profile.max()
            strong = np.flatnonzero(profile >= peak / 2)
            profile_offset = (strong[0] + strong[-1]) / 2
            thickness = float(strong[-1] - strong[0] + 1)
        if horizontal:
            runs.append(_Run(pos=y + profile_offset + 0.5, start=float(x), end=float(x + bw), thickness=thickness))
        else:
            runs.append(_Run(pos=x + profile_offset + 0.5, start=float(y), end=float(y + bh), thickness=thickness))
    # A slightly curved or residually skewed line is thicker than its stroke: keep it anyway,
    # but a blob (a filled box, a stamp) is no line.
    return [r for r in runs if r.thickness <= max(8.0, (r.end - r.start) / 8)]


def _merge_runs(runs: list[_Run], gap: float, offset: float | None = None) -> list[_Run]:
    """Collinear pieces of one line (a scan breaks thin lines) joined into one run: at most
    ``gap`` apart along the line, and ``offset`` across it (default: their half thicknesses)."""
    out: list[_Run] = []
    for run in sorted(runs, key=lambda r: (r.pos, r.start)):
        for other in out:
            across = offset if offset is not None else max(2.0, (other.thickness + run.thickness) / 2)
            if abs(other.pos - run.pos) <= across and \
                    run.start <= other.end + gap and other.start <= run.end + gap:
                length_a, length_b = other.end - other.start, run.end - run.start
                other.pos = (other.pos * length_a + run.pos * length_b) / max(1e-6, length_a + length_b)
                other.start, other.end = min(other.start, run.start), max(other.end, run.end)
                other.thickness = max(other.thickness, run.thickness)
                break
        else:
            out.append(_Run(run.pos, run.start, run.end, run.thickness))
    return out


# --------------------------------------------------------------------------- text


def image_to_geometry(image: Any, number: int) -> PageGeometry:
    """A scanned page (grayscale array, any resolution) → its ruling lines and text boxes,
    in the pixel coordinates of the straightened page."""
    cv2, np = _cv()
    gray = _to_gray(image)
    if gray.ndim != 2 or gray.shape[0] < 10 or gray.shape[1] < 10:
        raise UnreadableDocument(f"page {number}: not a page image (array of shape {getattr(image, 'shape', None)})")
    gray, _angle = deskew(gray)
    binary = binarise(gray)
    segments, line_ink = detect_lines(binary)
    glyphs = read_text(gray, binary, segments, line_ink)
    h, w = gray.shape[:2]
    return PageGeometry(number=number, width=float(w), height=float(h), segments=tuple(segments),
                        glyphs=tuple(glyphs))


STRATEGY = "split"
SPLITS = []
DET_SCALE = 0.0
DET_SIDE = 1600


PAD = 0.2
VPAD = 0.08


def read_text(gray: Any, binary: Any, segments: Sequence[Segment], line_ink: Any) -> list[Glyph]:
    cv2, np = _cv()
    engine = ocr_engine()
    if STRATEGY == "page":
        result, _ = engine(gray, use_cls=False)
        return [_glyph(box, text) for box, text, _score in (result or [])]
    h, w = gray.shape[:2]
    boxes = _detect(engine, gray)
    from extract.geometry import segments_to_grids
    unit = statistics.median([b[3] - b[1] for b in boxes]) if boxes else 10.0
    grids = segments_to_grids(segments, unit)
    verticals = [s for s in segments if not s.horizontal]
    horizontals = [s for s in segments if s.horizontal]
    if FALLBACK:
        boxes = boxes + _missed_text(binary, line_ink, boxes, grids, unit)
    crops, kept = [], []
    for x0, y0, x1, y1 in boxes:
        pieces = _split_at_lines(x0, y0, x1, y1, verticals, grids)
        if len(pieces) > 1:
            SPLITS.append((x0, y0, x1, y1))
        for px0, py0, px1, py1 in pieces:
            xa, ya, xb, yb = max(0, int(px0)), max(0, int(py0)), min(w, int(math.ceil(px1))), min(h, int(math.ceil(py1)))
            if xb - xa < 3 or yb - ya < 3:
                continue
            # A little paper on either side helps the recogniser with a leading = or ≥, but
            # never up to the cell border (a ruling line would read as 1 or |).
            pad, vpad = PAD * (yb - ya), VPAD * (yb - ya)
            left, right = _cell_sides((xa + xb) / 2, (ya + yb) / 2, verticals)
            top, bottom = _cell_sides((ya + yb) / 2, (xa + xb) / 2, horizontals, across=True)
            ca, cb = int(max(0, min(xa, max(xa - pad, left + 4)))), int(min(w, max(xb, min(xb + pad, right - 4))))
            ra, rb = int(max(0, min(ya, max(ya - vpad, top + 3)))), int(min(h, max(yb, min(yb + vpad, bottom - 3))))
            crops.append(gray[ra:rb, ca:cb])
            kept.append((xa, ya, xb, yb))
    glyphs = []
    for (xa, ya, xb, yb), (text, score) in zip(kept, _recognise(engine, crops)):
        if text.strip() and score >= 0.5:
            glyphs.append(Glyph(text, float(xa), float(ya), float(xb), float(yb)))
    return glyphs


FALLBACK = True


def _cell_sides(x: float, y: float, lines: Sequence[Segment], across: bool = False) -> tuple[float, float]:
    left, right = -math.inf, math.inf
    for v in lines:
        pos, lo, hi = (v.top, v.x0, v.x1) if across else (v.x0, v.top, v.bottom)
        if lo <= y <= hi:
            if pos <= x:
                left = max(left, pos)
            else:
                right = min(right, pos)
    return left, right


def _missed_text(binary: Any, line_ink: Any, boxes: Sequence[tuple[float, float, float, float]], grids: Any,
                 unit: float) -> list[tuple[float, float, float, float]]:
    cv2, np = _cv()
    if not grids:
        return []
    h, w = binary.shape[:2]
    ink = cv2.bitwise_and(binary, cv2.bitwise_not(cv2.dilate(line_ink, np.ones((3, 3), np.uint8))))
    inside = np.zeros_like(binary)
    for g in grids:
        cv2.rectangle(inside, (int(g.xs[0]), int(g.ys[0])), (int(g.xs[-1]), int(g.ys[-1])), 255, -1)
    ink = cv2.bitwise_and(ink, inside)
    # Scanner grain: specks far smaller than a stroke of text.
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < max(6.0, 0.01 * unit * unit)
    small[0] = False
    ink[small[labels]] = 0
    covered = np.zeros_like(binary)
    for x0, y0, x1, y1 in boxes:
        cv2.rectangle(covered, (int(x0), int(y0)), (int(math.ceil(x1)), int(math.ceil(y1))), 255, -1)
    kw, kh = max(3, int(unit * 0.5)) | 1, max(1, int(unit * 0.15)) | 1
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (kw, kh)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh, _ = (int(v) for v in stats[i])
        mine = (labels[y:y + bh, x:x + bw] == i) & (ink[y:y + bh, x:x + bw] > 0)
        total = int(mine.sum())
        if total < 0.04 * unit * unit:
            continue
        if int((mine & (covered[y:y + bh, x:x + bw] > 0)).sum()) > 0.2 * total:
            continue  # the detector saw it (a sliver it cut off is no text of its own)
        ys, xs = np.nonzero(mine)
        x0, x1, y0, y1 = x + xs.min(), x + xs.max() + 1, y + ys.min(), y + ys.max() + 1
        if y1 - y0 < 0.4 * unit or y1 - y0 > 1.6 * unit:
            continue
        m = max(2, int(unit * 0.1))
        out.append((float(max(0, x0 - m)), float(max(0, y0 - m)), float(min(w, x1 + m)), float(min(h, y1 + m))))
    MISSED.extend(out)
    return out


MISSED = []


def _detect(engine: Any, image: Any) -> list[tuple[float, float, float, float]]:
    cv2, np = _cv()
    scale = DET_SCALE if DET_SCALE else min(1.0, DET_SIDE / max(image.shape[:2]))
    small = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    result, _ = engine(small, use_cls=False, use_rec=False)
    out = []
    for box in result or []:
        pts = np.asarray(box, dtype=np.float64) / scale
        out.append((pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()))
    out.sort(key=lambda b: (b[1], b[0]))
    return out


MIN_RATIO = 320 / 48  # RapidOCR's (and PaddleOCR's) minimum input width: narrower lines read worse


def _recognise(engine: Any, crops: list[Any]) -> list[tuple[str, float]]:
    """Text and confidence of each crop (grayscale, one line of text).

    Each line goes through the recogniser on its own, at its own width: RapidOCR's batching
    pads every line to at least 320 × 48 pixels and to the widest line of its batch, though
    most cells hold a few characters, and on one CPU core batches are no faster anyway
    (measured: a table page 4.4 s → 2.2 s, a text page 8.4 s → 3.0 s). Falls back to the
    engine's own batching if its internals are not what this version expects."""
    cv2, np = _cv()
    if not crops:
        return []
    images = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
    rec = getattr(engine, "text_rec", None)
    session, decode = getattr(rec, "session", None), getattr(rec, "postprocess_op", None)
    shape = getattr(rec, "rec_image_shape", None)
    if session is None or decode is None or not shape:
        res, _ = engine.text_rec(images)
        return [(r[0], float(r[1])) for r in res]
    height = int(shape[1])
    out: list[tuple[str, float]] = []
    for image in images:
        ratio = image.shape[1] / max(1, image.shape[0])
        width = max(1, int(math.ceil(height * ratio)))
        padded = max(width, int(height * MIN_RATIO))
        tensor = np.zeros((1, 3, height, padded), dtype=np.float32)
        tensor[0, :, :, :width] = cv2.resize(image, (width, height)).astype(np.float32).transpose(2, 0, 1) / 127.5 - 1.0
        preds = session(tensor)[0]
        text, score = decode(preds, False, wh_ratio_list=[ratio], max_wh_ratio=padded / height)[0][:2]
        out.append((text, float(score)))
    return out


def _split_at_lines(x0: float, y0: float, x1: float, y1: float, verticals: Sequence[Segment], grids: Any) -> list[tuple[float, float, float, float]]:
    mid = (y0 + y1) / 2
    if not any(g.xs[0] <= (x0 + x1) / 2 <= g.xs[-1] and g.ys[0] <= mid <= g.ys[-1] for g in grids) and \
            not any(g.ys[0] <= mid <= g.ys[-1] and x0 < g.xs[0] < x1 for g in grids):
        return [(x0, y0, x1, y1)]
    cuts = sorted(v.x0 for v in verticals if x0 + 2 < v.x0 < x1 - 2 and v.top <= mid <= v.bottom
                  and any(g.ys[0] - 3 <= mid <= g.ys[-1] + 3 and g.xs[0] - 3 <= v.x0 <= g.xs[-1] + 3 for g in grids))
    if not cuts:
        return [(x0, y0, x1, y1)]
    out = []
    left = x0
    for c in cuts:
        out.append((left, y0, c - 2, y1))
        left = c + 2
    out.append((left, y0, x1, y1))
    return [b for b in out if b[2] - b[0] > 4]


def _glyph(box: Any, text: str) -> Glyph:
    xs = [float(p[0]) for p in box]
    ys = [float(p[1]) for p in box]
    return Glyph(text, min(xs), min(ys), max(xs), max(ys))
