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
    """Ink as 255, paper as 0; the threshold follows the local background (uneven scans)."""
    cv2, _ = _cv()
    block = max(15, (min(gray.shape[:2]) // 50) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


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
    k = max(15, min(w, h) // 60)
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
    # Horizontal runs longer than any character's stroke (a cell is wider than two characters).
    h_len = max(20, w // 40)
    h_mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    # Vertical runs: a one-line row is barely taller than a character, so the kernel is short
    # and the runs it keeps must prove themselves (below).
    v_len = max(10, h // 110)
    v_mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    gap = max(4.0, min(w, h) / 200)  # a scan breaks thin lines; pieces closer than this are one line
    h_runs = _merge_runs(_runs(h_mask, horizontal=True), gap)
    v_runs = _merge_runs(_runs(v_mask, horizontal=False), gap)
    h_kept, v_kept = _ruling(h_runs, v_runs, w, h)
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


def _ruling(h_runs: list[_Run], v_runs: list[_Run], w: int, h: int) -> tuple[list[_Run], list[_Run]]:
    """The runs that are ruling lines: long ones, then, repeatedly, short ones whose two ends
    sit on ruling lines of the other direction (a cell edge). Strokes of characters are
    short and end in the middle of a cell, so they never qualify."""
    tol = max(3.0, min(w, h) / 400)
    h_kept = [r for r in h_runs if r.end - r.start >= w / 8]
    v_kept = [r for r in v_runs if r.end - r.start >= h / 12]
    h_rest = [r for r in h_runs if r.end - r.start < w / 8]
    v_rest = [r for r in v_runs if r.end - r.start < h / 12]
    changed = True
    while changed:
        changed = False
        for rest, kept, other in ((v_rest, v_kept, h_kept), (h_rest, h_kept, v_kept)):
            for run in list(rest):
                if _ends_on(run, other, tol):
                    rest.remove(run)
                    kept.append(run)
                    changed = True
    return h_kept, v_kept


def _ends_on(run: _Run, others: Sequence[_Run], tol: float) -> bool:
    """Do both ends of ``run`` meet a run of the other direction?"""

    def meets(at: float) -> bool:
        return any(abs(o.pos - at) <= o.thickness / 2 + tol and o.start - tol <= run.pos <= o.end + tol
                   for o in others)

    return meets(run.start) and meets(run.end)


def _runs(mask: Any, horizontal: bool) -> list[_Run]:
    cv2, _ = _cv()
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    runs = []
    for i in range(1, n):
        x, y, bw, bh, _area = (int(v) for v in stats[i])
        if horizontal:
            runs.append(_Run(pos=y + bh / 2, start=float(x), end=float(x + bw), thickness=float(bh)))
        else:
            runs.append(_Run(pos=x + bw / 2, start=float(y), end=float(y + bh), thickness=float(bw)))
    # A slightly curved or residually skewed line is thicker than its stroke: keep it anyway,
    # but a blob (a filled box, a stamp) is no line.
    return [r for r in runs if r.thickness <= max(8.0, (r.end - r.start) / 8)]


def _merge_runs(runs: list[_Run], gap: float) -> list[_Run]:
    """Collinear pieces of one line (a scan breaks thin lines) joined into one run."""
    out: list[_Run] = []
    for run in sorted(runs, key=lambda r: (r.pos, r.start)):
        for other in out:
            if abs(other.pos - run.pos) <= max(2.0, (other.thickness + run.thickness) / 2) and \
                    run.start <= other.end + gap and other.start <= run.end + gap:
                length_a, length_b = other.end - other.start, run.end - run.start
                other.pos = (other.pos * length_a + run.pos * length_b) / max(1e-6, length_a + length_b)
                other.start, other.end = min(other.start, run.start), max(other.end, run.end)
                other.thickness = max(other.thickness, run.thickness)
                break
        else:
            out.append(_Run(run.pos, run.start, run.end, run.thickness))
    return out
