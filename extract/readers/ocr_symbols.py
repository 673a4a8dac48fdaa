"""What the recogniser reads wrong on symbols it sees rarely, undone by looking at the ink.

Called by ``extract.readers.ocr`` on every recognised line with the crop it was read from.
"""

from __future__ import annotations

import re
from typing import Any


def _cv() -> tuple[Any, Any]:
    from extract.readers.ocr import _cv as cv

    return cv()


# Readings the recogniser gets wrong on symbols it sees rarely, each undone only where the
# reading cannot be right as it stands and the ink says what was printed:
# * 一 (or a dash) directly before a digit at the start of a line: no Chinese text reads like
#   that; it is = (two bars in the ink) or a minus (one bar);
# * > or < before a number, with a stroke of its own under the chevron: ≥ or ≤ (a font like
#   AR PL UMing draws ≥ as a chevron over a slanted bar, read as >);
# * a lone 7 whose ink has no bar on top: a slash (/ in a cell means "not applicable");
# * a number whose first character in the ink is a chevron over a stroke: the ≥ or ≤ left out;
# * a lone 一 drawn with an even stroke: a dash (— for no value);
# * a lone sign read as V, 》 or > (a form that sets "≥ 860" apart from its number, which the
#   recogniser then sees alone): ≥ or ≤ where the ink is a chevron over a stroke, = where it is two
#   even bars of one length (二 draws its upper bar shorter) (``lone_sign``);
# * ↑ directly after a digit: 个, the commonest unit of a count (=7个), whose 人 over a stroke the
#   recogniser sometimes takes for an arrow; no form writes a count's rise as 7↑.
_LEADING_BAR = re.compile(r"^[一—－―](?=[0-9０-９])")
_LEADING_CHEVRON = re.compile(r"^[<>＜＞](?=[0-9０-９.])")
_COUNT_ARROW = re.compile(r"(?<=[0-9０-９])↑")


_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) +|"
                        r" +(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def fix_symbols(text: str, crop: Any) -> str:
    """``一20项`` → ``=20项`` / ``-20项``, ``>92%`` → ``≥92%``, ``7`` → ``/``, decided by the
    ink of the line's first character; ``·`` or ``°`` → ``。`` where the ink holds that many small
    rings (a Song face's full stop read as a dot); ``丶`` (a radical no report uses) → ``、``; ``7↑`` →
    ``7个``; the space a typesetter puts between Chinese and Latin text or digits dropped."""
    text = _COUNT_ARROW.sub("个", _CJK_SPACE.sub("", text.replace("丶", "、")))
    dots = sum(text.count(c) for c in "·°")
    if dots and _rings(crop) >= dots + text.count("。"):
        text = text.replace("·", "。").replace("°", "。")
    return _fix_first(text, crop)


def _rings(crop: Any) -> int:
    """Small closed rings in a line's ink (the full stop 。): a part with a hole, at most a third
    of the line's height each way, roughly as wide as tall."""
    cv2, _ = _cv()
    height = crop.shape[0]
    contours, hierarchy = cv2.findContours(_ink(crop), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return 0
    count = 0
    for i, contour in enumerate(contours):
        if hierarchy[0][i][3] != -1 or hierarchy[0][i][2] == -1:
            continue  # a hole itself, or a part without a hole
        x, y, w, h = cv2.boundingRect(contour)
        if 0.1 * height <= max(w, h) <= 0.34 * height and 0.6 <= w / max(1, h) <= 1.6:
            count += 1
    return count


def _fix_first(text: str, crop: Any) -> str:
    if _LEADING_BAR.match(text):
        parts = _first_character(crop)
        height = crop.shape[0]
        if parts and all(w >= 2 * h and h <= 0.25 * height for _, _, w, h in parts):
            if len(parts) == 2:
                return "=" + text[1:]
            if len(parts) == 1:
                return "-" + text[1:]
    elif _LEADING_CHEVRON.match(text):
        parts = _first_character(crop)
        if len(parts) >= 2:
            chevron = max(parts, key=lambda p: p[2] * p[3])
            under = [p for p in parts if p is not chevron and p[1] >= chevron[1] + chevron[3] / 2
                     and p[2] >= chevron[2] / 2]
            if under:
                return ("≥" if text[0] in ">＞" else "≤") + text[1:]
    elif text == "7":
        parts = _first_character(crop)
        if len(parts) == 1 and not _bar_on_top(crop, parts[0]):
            return "/"
    elif text[:1].isdigit():
        # A number whose ≥ / ≤ the recogniser left out: the first character in the ink is a
        # chevron with a stroke under it (no digit is drawn so).
        sign = _comparison(crop, _first_character(crop))
        if sign:
            return sign + text
    elif text in LONE_SIGNS:
        return lone_sign(crop) or text
    elif text == "一":
        # A cell holding only a bar: a dash (—: no value) drawn with an even stroke, where the
        # numeral 一 of a Song face thickens into a serif at its right end.
        parts = _first_character(crop)
        if len(parts) == 1 and _even_bar(crop, parts[0]):
            return "—"
    return text


def lone_dash(crop: Any) -> str | None:
    """``—`` where a crop's only ink is one bar drawn with an even stroke (a dash: no value; not the
    numeral 一 of a Song face, which thickens into a serif at its right end); None otherwise. Unlike
    ``_parts`` it keeps a bar that fills most of the crop's width (a dash's crop is its ink and a
    little margin): only ink running from side to side is a ruling line's edge."""
    parts = _parts(crop, wide_bars=True)
    return "—" if len(parts) == 1 and _even_bar(crop, parts[0]) else None


# What the recogniser makes of a lone ≥, ≤ or = (besides itself): V, ∨, 》, 〉, >, 《, 〈, <, 二.
LONE_SIGNS = frozenset("≥≤=＝VvＶ∨》〉>＞《〈<＜二")


def lone_sign(crop: Any) -> str | None:
    """``≥`` or ``≤`` where a crop's only character is a chevron with a stroke of its own under it, ``=``
    where it is two even bars of one length, one over the other; None otherwise. The ink decides,
    whatever the recogniser read and however sure it was."""
    parts = _parts(crop)
    if not parts or len(_leftmost(parts)) != len(parts):
        return None
    if len(parts) == 2:
        (xa, ya, wa, ha), (xb, yb, wb, hb) = sorted(parts, key=lambda p: p[1])
        bars = all(w >= 2.5 * h and h <= 0.25 * crop.shape[0] for _, _, w, h in parts)
        if bars and ya + ha <= yb and abs(wa - wb) <= 0.15 * max(wa, wb) and abs(xa - xb) <= 0.15 * max(wa, wb) + 1:
            return "="
    return _comparison(crop, parts)


def _comparison(crop: Any, parts: list[tuple[int, int, int, int]]) -> str | None:
    """≥ or ≤ when the character made of ``parts`` is a chevron with a stroke under it."""
    if len(parts) < 2:
        return None
    height = crop.shape[0]
    chevron = max(parts, key=lambda p: p[2] * p[3])
    under = [p for p in parts if p is not chevron and p[1] >= chevron[1] + chevron[3] / 2
             and p[2] >= chevron[2] / 2 and p[3] < chevron[3]]
    if under and chevron[3] >= 0.3 * height and chevron[2] >= 0.3 * chevron[3]:
        pointing = _chevron_points_right(crop, chevron)
        if pointing is not None:
            return "≥" if pointing else "≤"
    return None


def _chevron_points_right(crop: Any, part: tuple[int, int, int, int]) -> bool | None:
    """> (True) or < (False): the side where the chevron's two arms end spans more rows of ink
    than its tip; None when neither side does. Only the chevron's own ink counts: the stroke under
    it reaches into its box (a slanted bar, as AR PL UMing draws ≥), and its end, on the tip's side,
    made that side as tall as the other."""
    cv2, np = _cv()
    x, y, w, h = part
    ink = _ink(crop)[y:y + h, x:x + w]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    ink = labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) if n > 2 else ink > 0
    k = max(1, w // 5)

    def spread(cols: Any) -> int:
        rows = np.flatnonzero(cols.any(axis=1))
        return int(rows[-1] - rows[0] + 1) if rows.size else 0

    left, right = spread(ink[:, :k]), spread(ink[:, -k:])
    if left >= 2 * right:
        return True
    if right >= 2 * left:
        return False
    return None


def _even_bar(crop: Any, part: tuple[int, int, int, int]) -> bool:
    """A flat bar whose stroke is about as thick at its ends as along it."""
    _, np = _cv()
    x, y, w, h = part
    if w < 3 * h:
        return False
    thickness = (_ink(crop)[y:y + h, x:x + w] > 0).sum(axis=0)
    inked = thickness[thickness > 0]
    # Within a pixel of even, for a bar one or two pixels thick (a thin dash of a scan).
    return bool(inked.size) and float(inked.max()) <= max(1.5 * float(np.median(inked)), float(np.median(inked)) + 1)


def _ink(crop: Any) -> Any:
    cv2, _ = _cv()
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def _first_character(crop: Any) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of the ink parts of the leftmost character of a line crop: the
    leftmost part and every part overlapping its columns (specks and the edge of a ruling
    line caught in the crop ignored)."""
    return _leftmost(_parts(crop))


def _parts(crop: Any, wide_bars: bool = False) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h) of a crop's ink parts, but specks and the edge of a ruling line caught in it:
    a flat part across most of the crop, or (``wide_bars``: a crop that may be a bar and its margin)
    only one running from side to side."""
    cv2, _ = _cv()
    height, width = crop.shape[:2]
    n, _, stats, _ = cv2.connectedComponentsWithStats(_ink(crop), connectivity=8)

    def edge(x: int, w: int, h: int) -> bool:
        return x == 0 and w == width if wide_bars else w > 0.8 * width and h < 0.15 * height

    return [tuple(int(v) for v in stats[i][:4]) for i in range(1, n)  # type: ignore[misc]
            if stats[i][4] >= max(3, 0.01 * height * height)
            and not edge(int(stats[i][0]), int(stats[i][2]), int(stats[i][3]))]


def _leftmost(parts: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The leftmost of ``parts`` and every part overlapping its columns: one character."""
    if not parts:
        return []
    x0, _, w0, _ = min(parts, key=lambda p: p[0])
    return [p for p in parts if p[0] < x0 + w0 and p[0] + p[2] > x0]


def _bar_on_top(crop: Any, part: tuple[int, int, int, int]) -> bool:
    """Does the character's top fifth span most of its width (the bar of a 7)?"""
    _, np = _cv()
    x, y, w, h = part
    top = _ink(crop)[y:y + max(1, h // 5), x:x + w]
    columns = np.flatnonzero(top.any(axis=0))
    return bool(columns.size) and (columns[-1] - columns[0] + 1) >= 0.6 * w
