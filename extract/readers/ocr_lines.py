"""Ruling lines of a straightened, binarised scan (OpenCV): straight runs of ink, sorted into the
lines of tables and the strokes of text. ``detect_lines`` is step 2 of ``extract.readers.ocr``.

OpenCV and numpy are imported only when a scan is read (through ``extract.readers.ocr``).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Sequence

from extract.readers.geometry import Segment


def _cv() -> tuple[Any, Any]:
    from extract.readers.ocr import _cv as cv

    return cv()


@dataclass
class _Run:
    """A straight run of ink: ``pos`` across the line, ``start``..``end`` along it."""

    pos: float
    start: float
    end: float
    thickness: float


def detect_lines(binary: Any) -> tuple[list[Segment], Any]:
    """Ruling lines of a straightened, binarised page: the segments (on each line's centre
    line), and a mask of their ink (to tell text ink from line ink)."""
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
    h_kept, v_kept = (_trim_loose_ends(h_kept, v_kept, binary, True, 2 * gap),
                      _trim_loose_ends(v_kept, h_kept, binary, False, 2 * gap))
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
    character's stroke has the rest of the character next to it), and none may be white across
    somewhere with text stuck to it (``STACKED_ATTACHED``: strokes of lines of text stacked). A stroke
    of text, even in a cell barely taller than its line of text, stops short of the cell border."""
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
                    attached = _attached(run, binary, horizontal)
                    if attached <= 0.35 and not (attached > STACKED_ATTACHED and _broken(run, binary, horizontal)):
                        kept.append(run)
                        changed = True
    return h_kept, v_kept


# A short run with ink stuck to it along more than this share of its length, and white across it
# somewhere, is strokes of characters stacked line over line (the 木 of 村 over the 亻 of 件 in a wrapped
# cell: monospaced CJK lines put them in one column), not a cell border: a border is unbroken, or
# broken (a faint hairline) with no text stuck to it.
STACKED_ATTACHED = 0.1


def _broken(run: _Run, binary: Any, horizontal: bool) -> bool:
    """Is there white across ``run`` (every row or column of its stroke, and a pixel either side, blank)
    somewhere between its ends?"""
    half = run.thickness / 2 + 1
    a0, a1 = max(0, int(run.pos - half)), int(math.ceil(run.pos + half)) + 1
    lo, hi = int(run.start), int(run.end)
    strip = binary[a0:a1, lo:hi] if horizontal else binary[lo:hi, a0:a1].T
    return bool(strip.size) and not strip.any(axis=0).all()


def _ends_on(run: _Run, others: Sequence[_Run], binary: Any, horizontal: bool) -> bool:
    """Do both ends of ``run`` join a run of the other direction, with unbroken ink from the
    end to that line's centre? A run may also overshoot the line by a few pixels (a stroke
    of the next cell's text touching the line below)."""
    return _end_joins(run, run.start, 1, others, binary, horizontal) and \
        _end_joins(run, run.end - 1, -1, others, binary, horizontal)


def _end_joins(run: _Run, at: float, inward: int, others: Sequence[_Run], binary: Any, horizontal: bool) -> bool:
    """Does the end of ``run`` at ``at`` (``inward``: +1 at its start, -1 at its end) join one of ``others``?"""
    limit_y, limit_x = binary.shape[:2]
    overshoot = max(3.0, min(limit_y, limit_x) / 200)
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


def _trim_loose_ends(kept: list[_Run], others: Sequence[_Run], binary: Any, horizontal: bool,
                     reach: float) -> list[_Run]:
    """``kept`` with each loose end cut back to the last line it crosses, where that is at most ``reach``
    away. A ruling line ends on a line of the other direction; an end that joins none, a little past a
    crossing, is a stroke of text in line with a ruling line of the next row (the right-hand stroke of
    门 just above a column border) that the joining of broken pieces took in. Left as it was, it would
    part the cell above and cut the character in two."""
    out = []
    for run in kept:
        crossed = [o.pos for o in others if o.start - 3 <= run.pos <= o.end + 3 and run.start < o.pos < run.end]
        start, end = run.start, run.end
        if crossed:
            first, last = min(crossed), max(crossed)
            if first - run.start <= reach and not _end_joins(run, run.start, 1, others, binary, horizontal):
                start = first
            if run.end - last <= reach and not _end_joins(run, run.end - 1, -1, others, binary, horizontal):
                end = last
        out.append(run if (start, end) == (run.start, run.end) else _Run(run.pos, start, end, run.thickness))
    return out


def _clear(run: _Run, binary: Any, horizontal: bool, side: float) -> bool:
    """Is there paper on at least one side of the middle of ``run`` for most of its length? (A cell
    border may have text close by on one side; a stroke of a character has the rest of it around.)"""
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
    return float(np.mean(before & after)) <= 0.15


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
    # Runs come in order of position and a joined line's position is a mean of its pieces', so it
    # only moves on towards the runs still to come: a line more than ``reach`` behind the current
    # run can take in no later one. Only the lines within reach are looked at, in the order made.
    reach = offset if offset is not None else max([2.0, *(r.thickness for r in runs)])
    near: deque[_Run] = deque()
    for run in sorted(runs, key=lambda r: (r.pos, r.start)):
        while near and near[0].pos < run.pos - reach - 1e-6:
            near.popleft()
        for other in near:
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
            near.append(out[-1])
    return out
