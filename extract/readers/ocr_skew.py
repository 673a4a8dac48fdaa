"""Step 1 of ``extract.readers.ocr``: the skew of a scanned page, measured on its long straight lines,
and the page turned straight.

OpenCV and numpy are imported only when a scan is read (through ``extract.readers.ocr``).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence


def _cv() -> tuple[Any, Any]:
    from extract.readers.ocr import _cv as cv

    return cv()


MAX_SKEW = 3.0  # degrees; scans are rotated by about one degree at most


# The Hough transform, the dearest step of the skew measurement, looks for lines on the runs shrunk
# to about this many pixels across (each shrunk pixel inked if any of its pixels is): it only has to
# find the lines; their angle comes from fitting the full-resolution pixels. At 600 (an A4 page at 200
# dpi shrunk 3 times) the three sample pages measure as at 900, within 0.003°, in two thirds of the time.
SKEW_SEARCH_SIDE = 600


def estimate_skew(gray: Any, binary: Any = None) -> float:
    """The rotation of the page content in degrees, counter-clockwise positive (as
    ``cv2.getRotationMatrix2D`` takes it), measured on long straight lines: ruling lines
    first (each weighted by its length), then text baselines if there are none. 0.0 when
    nothing straight is found."""
    cv2, np = _cv()
    if binary is None:
        from extract.readers.ocr import binarise

        binary = binarise(gray)
    h, w = binary.shape[:2]
    # Only straight runs go to the Hough transform: a short opening keeps lines tilted by a
    # few degrees (a 2-pixel line tilted 1° runs ~110 pixels per row) and drops the text.
    k = max(15, min(w, h) // 60) | 1
    runs = cv2.bitwise_or(
        cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1))),
        cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k))))
    f = max(1, round(min(w, h) / SKEW_SEARCH_SIDE))
    search = runs
    if f > 1:
        blocks = cv2.copyMakeBorder(runs, 0, -h % f, 0, -w % f, cv2.BORDER_CONSTANT, value=0)
        search = cv2.resize(blocks, None, fx=1 / f, fy=1 / f, interpolation=cv2.INTER_AREA)
        search = cv2.threshold(search, 0, 255, cv2.THRESH_BINARY)[1]
    sh, sw = search.shape[:2]
    min_len = int(min(sw, sh) * 0.2)
    lines = cv2.HoughLinesP(search, 1, math.pi / 720, threshold=int(min_len * 0.6),
                            minLineLength=min_len, maxLineGap=max(3, min(sw, sh) // 200))
    angles: list[float] = []
    weights: list[float] = []
    for x1, y1, x2, y2 in ([] if lines is None else lines.reshape(-1, 4).tolist()):
        # A shrunk pixel stands for the f × f block from f·x: its centre, in full-resolution pixels.
        x1, y1, x2, y2 = ((v + 0.5) * f - 0.5 for v in (x1, y1, x2, y2))
        angle = _fitted_angle(runs, x1, y1, x2, y2, np, f)
        if angle is not None and abs(angle) <= MAX_SKEW:
            angles.append(angle)
            weights.append(math.hypot(x2 - x1, y2 - y1))
    if angles:
        return _weighted_median(angles, weights)
    return _profile_skew(binary)


def _fitted_angle(runs: Any, x1: float, y1: float, x2: float, y2: float, np: Any, search: int = 1) -> float | None:
    """The skew shown by one Hough segment, refined by a least-squares fit of the ink pixels
    of ``runs`` along it: Hough endpoints are only good to a pixel or two (``search`` times that
    when the lines were looked for on the runs shrunk ``search`` times)."""
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    if length == 0:
        return None
    horizontal = abs(dx) >= abs(dy)
    # Along the segment's long axis (a) and across it (b): a horizontal line fits y = slope·x + b,
    # a vertical one x = slope·y + b. Pixels near the segment, between its ends: only the window
    # around it is looked at.
    near = 3
    wide = near + 2 * (search - 1)
    h, w = runs.shape[:2]
    pad_x, pad_y = (0, wide) if horizontal else (wide, 0)
    c0, c1 = max(0, math.ceil(min(x1, x2) - pad_x)), min(w, math.floor(max(x1, x2) + pad_x) + 1)
    r0, r1 = max(0, math.ceil(min(y1, y2) - pad_y)), min(h, math.floor(max(y1, y2) + pad_y) + 1)
    ys, xs = np.nonzero(runs[r0:r1, c0:c1])
    along, across = (xs + c0, ys + r0) if horizontal else (ys + r0, xs + c0)
    pa, pb = along.astype(np.float64), across.astype(np.float64)
    a1, b1, da, db = (x1, y1, dx, dy) if horizontal else (y1, x1, dy, dx)
    slope, offset = db / da, b1 - a1 * db / da
    # The pixels within ``near`` of the line, and the line fitted to them. Where the segment may be off
    # by more than that, a first fit to the pixels of a wider band centres the band on the line: a band
    # off-centre would take one edge of a thick line and tilt the fit towards the segment.
    for band in ((wide, near) if wide > near else (near,)):
        close = np.abs(pb - (offset + pa * slope)) <= band
        if close.sum() < 10:
            return None
        slope, offset = np.polyfit(pa[close], pb[close], 1)
    angle = math.degrees(math.atan(slope))
    # Content rotated CCW lifts a horizontal line's right end and moves a vertical line's bottom end right.
    return -angle if horizontal else angle


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
    sharpest horizontal projection profile (searched coarsely on a quarter-size image, then
    finely on a half-size one)."""
    cv2, np = _cv()
    if not binary.any():
        return 0.0

    def search(scale: float, angles: Iterable[float]) -> float:
        small = cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        h, w = small.shape[:2]

        def sharpness(angle: float) -> float:
            m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
            rotated = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
            profile = rotated.sum(axis=1, dtype=np.float64)
            return float(np.square(profile).sum())

        return max(angles, key=sharpness)

    coarse = search(0.25, [a / 10 for a in range(-30, 31)])
    return search(0.5, [coarse + a / 50 for a in range(-10, 11)])


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
