"""Scanned pages: deskew and ruling lines (fast, synthetic), and the whole OCR reader on a
scanned cut of the seed report's indicator table (slow: loads the OCR models)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from extract.readers.geometry import pages_to_document, segments_to_grids
from jixiao.errors import UnreadableDocument

np = pytest.importorskip("numpy")
cv2 = pytest.importorskip("cv2")

from extract.readers import ocr, ocr_cells  # noqa: E402  (needs numpy and OpenCV)

FIXTURE = Path(__file__).parent / "fixtures" / "ocr" / "indicator-table-rot0.6.jpg"

# A table: column and row lines, and its merged cells (row, col, rowspan, colspan).
XS = [100, 330, 560, 790, 1020]
YS = [120, 200, 232, 312, 392, 424, 504]
MERGED = {(2, 0, 2, 1), (4, 1, 1, 3)}


def _synthetic_scan(angle: float) -> "np.ndarray":
    """The table above drawn in thin grey lines with text in its cells (a one-line row only
    a little taller than its text included), turned by ``angle`` degrees, with scanner grain."""
    image = np.full((700, 1120), 255, np.uint8)
    covered = {(r, c) for r0, c0, rs, cs in MERGED for r in range(r0, r0 + rs) for c in range(c0, c0 + cs)}
    starts = {(r0, c0) for r0, c0, _, _ in MERGED}
    for r in range(len(YS) - 1):
        for c in range(len(XS) - 1):
            # A cell's right border unless the cell to the right is the same merged cell.
            same_right = any(r0 <= r < r0 + rs and c0 <= c < c0 + cs - 1 for r0, c0, rs, cs in MERGED)
            same_below = any(r0 <= r < r0 + rs - 1 and c0 <= c < c0 + cs for r0, c0, rs, cs in MERGED)
            if not same_right:
                cv2.line(image, (XS[c + 1], YS[r]), (XS[c + 1], YS[r + 1]), 40, 2)
            if not same_below:
                cv2.line(image, (XS[c], YS[r + 1]), (XS[c + 1], YS[r + 1]), 40, 2)
            if (r, c) in covered and (r, c) not in starts:
                continue
            # Text: a few characters with tall vertical strokes (1, l, H), nearly as tall as the row.
            # In the 32-pixel rows the text comes within 5 pixels of both borders.
            baseline = YS[r] + min(33, YS[r + 1] - YS[r] - 5)
            cv2.putText(image, "H1l 2.18", (XS[c] + 12, baseline), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    cv2.line(image, (XS[0], YS[0]), (XS[-1], YS[0]), 40, 2)
    cv2.line(image, (XS[0], YS[0]), (XS[0], YS[-1]), 40, 2)
    h, w = image.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    image = cv2.warpAffine(image, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    grain = np.random.default_rng(7).normal(0, 6, image.shape)
    return np.clip(image.astype(np.float64) * 0.9 + grain, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("angle", [0.7, -0.7])
def test_skew_is_measured_and_removed(angle: float, scale: int) -> None:
    # At scale 2 the page is as big as an A4 scan at 200 dpi: lines are looked for on it shrunk.
    image = _synthetic_scan(angle)
    if scale != 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    assert ocr.estimate_skew(image) == pytest.approx(angle, abs=0.05)
    straight, removed = ocr.deskew(image)
    assert removed == pytest.approx(angle, abs=0.05)
    assert straight.shape == image.shape
    assert abs(ocr.estimate_skew(straight)) < 0.05


@pytest.mark.parametrize("noise", [3.0, 6.0, 12.0])
def test_the_grain_of_a_scan_is_its_robust_spread_around_the_local_mean(noise: float) -> None:
    """Counted in whole units (a histogram), the grain is what float medians give, to well under the one
    grey level adaptiveThreshold resolves."""
    page = _synthetic_scan(0.4).astype(np.float64)
    page = np.clip(page + np.random.default_rng(int(noise)).normal(0, noise, page.shape), 0, 255).astype(np.uint8)
    deviation = page[::3, ::3].astype(np.float64) - cv2.blur(page.astype(np.float64), (15, 15))[::3, ::3]
    grain = np.median(np.abs(deviation - np.median(deviation))) * 1.4826
    assert ocr._threshold_offset(page) == pytest.approx(min(30.0, max(8.0, 2 * grain)), abs=1e-3)


def test_skew_of_a_page_without_lines_comes_from_its_text() -> None:
    image = np.full((1400, 1000), 240, np.uint8)
    for i in range(30):
        cv2.putText(image, f"Quick brown fox {i} jumps over the dog", (60, 80 + 40 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    0.9, 20, 2)
    turn = cv2.getRotationMatrix2D((500, 700), 0.8, 1.0)
    image = cv2.warpAffine(image, turn, (1000, 1400), borderValue=240)
    assert ocr.estimate_skew(image) == pytest.approx(0.8, abs=0.1)


def test_ruling_lines_rebuild_the_cells() -> None:
    straight, _ = ocr.deskew(_synthetic_scan(0.7))
    segments, ink = ocr.detect_lines(ocr.binarise(straight))
    assert ink.shape == straight.shape
    grids = segments_to_grids(segments, unit=26.0)
    assert len(grids) == 1
    grid = grids[0]
    assert grid.xs == pytest.approx(XS, abs=3)
    assert grid.ys == pytest.approx(YS, abs=3)
    expected = {(r, c, 1, 1) for r in range(len(YS) - 1) for c in range(len(XS) - 1)}
    for r0, c0, rs, cs in MERGED:
        expected -= {(r, c, 1, 1) for r in range(r0, r0 + rs) for c in range(c0, c0 + cs)}
        expected.add((r0, c0, rs, cs))
    assert {tuple(cell) for cell in grid.cells} == expected


def test_text_strokes_are_not_ruling_lines() -> None:
    """A row barely taller than its text: the strokes of 1, l and H stop short of the borders."""
    straight, _ = ocr.deskew(_synthetic_scan(0.0))
    segments, _ = ocr.detect_lines(ocr.binarise(straight))
    for s in segments:
        if s.horizontal:
            assert min(abs(s.top - y) for y in YS) <= 3, s
        else:
            assert min(abs(s.x0 - x) for x in XS) <= 3, s


def test_strokes_stacked_line_over_line_are_no_cell_border() -> None:
    """Two tight rows of wrapped two-line cells: monospaced lines put a character's vertical stroke
    (with the rest of the character stuck to it) right over another's, border to border. Together
    they look like a short column border, but white parts them between the lines; a faint border
    broken by the scan, with no text stuck to it, stays a border."""
    image = np.full((2400, 900), 245, np.uint8)
    for y in (100, 160, 220, 400, 2300):
        cv2.line(image, (100, y), (800, y), 40, 2)
    for x in (100, 800):
        cv2.line(image, (x, 100), (x, 2300), 40, 2)
    # A stroke of each line of text, stacked at x = 300, the first and last touching the borders.
    for top, length in ((101, 25), (133, 25), (163, 25), (193, 26)):
        cv2.line(image, (300, top), (300, top + length), 30, 2)
        cv2.line(image, (288, top + 8), (312, top + 8), 30, 2)  # the rest of its character, across it
        cv2.line(image, (300, top + 12), (290, top + 22), 30, 2)
        cv2.line(image, (330, top + 4), (350, top + 4), 30, 2)  # the next character
    for y0, y1 in ((221, 260), (266, 305), (311, 350), (356, 400)):  # a border broken by the scan
        cv2.line(image, (600, y0), (600, y1), 60, 2)
    segments, _ = ocr.detect_lines(ocr.binarise(image))
    assert not [s for s in segments if not s.horizontal and abs(s.x0 - 300) <= 3]
    assert [s for s in segments if not s.horizontal and abs(s.x0 - 600) <= 3 and s.top < 240 and s.bottom > 380]


def test_a_stroke_in_line_with_a_column_border_below_does_not_part_the_cell_above() -> None:
    """门 in a wide cell, its right-hand stroke right above the border between two cells of the next
    row, a few pixels short of the line between the rows: the border ends on that line."""
    image = np.full((1200, 900), 245, np.uint8)
    for y in (100, 132, 1000):
        cv2.line(image, (100, y), (800, y), 40, 2)
    for x in (100, 800):
        cv2.line(image, (x, 100), (x, 1000), 40, 2)
    cv2.line(image, (400, 132), (400, 1000), 40, 2)  # the border in the lower row only
    cv2.line(image, (388, 106), (400, 106), 30, 2)  # 门's top stroke, turning down into
    cv2.line(image, (400, 106), (400, 121), 30, 2)  # its right-hand stroke, in line with the border
    cv2.line(image, (388, 104), (388, 121), 30, 2)
    segments, _ = ocr.detect_lines(ocr.binarise(image))
    border = [s for s in segments if not s.horizontal and abs(s.x0 - 400) <= 3]
    assert len(border) == 1 and border[0].top == pytest.approx(132, abs=3), border
    grid = segments_to_grids(segments, unit=26.0)[0]
    assert (0, 0, 1, 2) in {tuple(cell) for cell in grid.cells}  # the upper row is one cell


def _line_crop(text: str) -> "np.ndarray":
    image = np.full((40, 160), 230, np.uint8)
    cv2.putText(image, text, (6, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 30, 2)
    return image


def _drawn_crop(shape: str) -> "np.ndarray":
    """A chevron with (≥) or without (>) a bar under it, then 92; or a lone slash."""
    image = np.full((44, 120), 230, np.uint8)
    if shape == "/":
        cv2.line(image, (22, 6), (10, 36), 30, 2)
        return image
    cv2.line(image, (6, 6), (26, 16), 30, 2)
    cv2.line(image, (26, 16), (6, 26), 30, 2)
    if shape == "≥":
        cv2.line(image, (6, 32), (26, 39), 30, 2)  # slanted, as AR PL UMing draws it
    if shape == "≥ rising":  # slanted the other way: its right end reaches into the chevron's box, by the tip
        cv2.line(image, (6, 36), (26, 22), 30, 2)
    cv2.putText(image, "92", (34, 34), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 30, 2)
    return image


def _lone_sign_crop(shape: str) -> "np.ndarray":
    """A cell's lone sign: a chevron pointing right (≥) or left (≤) over a bar of its own, a V, = or 二."""
    image = np.full((32, 32), 230, np.uint8)
    if shape in ("=", "二"):  # two bars; 二 draws its upper one shorter
        cv2.line(image, (8 if shape == "=" else 11, 11), (23 if shape == "=" else 20, 11), 30, 2)
        cv2.line(image, (8, 20), (23, 20), 30, 2)
        return image
    if shape == "V":
        cv2.line(image, (7, 4), (15, 26), 30, 2)
        cv2.line(image, (15, 26), (24, 4), 30, 2)
        return image
    tip, arms = (24, 7) if shape == "≥" else (7, 24)
    cv2.line(image, (arms, 3), (tip, 10), 30, 2)
    cv2.line(image, (tip, 10), (arms, 17), 30, 2)
    cv2.line(image, (7, 24), (24, 24), 30, 2)
    return image


def _bar_crop(serif: bool, thickness: int = 2) -> "np.ndarray":
    image = np.full((30, 60), 230, np.uint8)
    cv2.line(image, (8, 15), (48, 15), 30, thickness)
    if serif:  # a Song face's 一 thickens into a triangle at its right end
        cv2.fillPoly(image, [np.array([[42, 14], [50, 9], [52, 17]], np.int32)], 30)
    return image


def _stop_crop(ring: bool) -> "np.ndarray":
    """A line with a full stop drawn as a ring (。 in a Song face) or as a solid dot (·)."""
    image = np.full((40, 160), 230, np.uint8)
    cv2.putText(image, "AB", (6, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 30, 2)
    cv2.circle(image, (70, 26), 5, 30, 2 if ring else -1)
    cv2.putText(image, "C", (90, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 30, 2)
    return image


@pytest.mark.parametrize(("read", "crop", "fixed"), [
    ("92%", _drawn_crop("≥"), "≥92%"),  # the ≥ left out: a chevron over a stroke in the ink
    ("92%", _drawn_crop(">"), "92%"),
    ("一", _bar_crop(serif=False), "—"),  # a lone even bar: a dash
    ("一", _bar_crop(serif=True), "一"),  # the numeral's serif: left alone
    ("完成·剩余", _stop_crop(True), "完成。剩余"),  # a ring in the ink: a full stop
    ("完成°", _stop_crop(True), "完成。"),
    ("阿卜杜·热合曼", _stop_crop(False), "阿卜杜·热合曼"),  # a solid dot stays
    ("市丶区丶校", _line_crop("20"), "市、区、校"),
    ("=7↑", _line_crop("=7"), "=7个"),  # 个 after a count, read as an arrow
    ("↑", _line_crop("20"), "↑"),
    ("投资 3000万元，覆盖 80%", _line_crop("20"), "投资3000万元，覆盖80%"),
    ("Type A 3000", _line_crop("20"), "Type A 3000"),
    ("一20项", _line_crop("=20"), "=20项"),  # = read as the CJK numeral one: two bars in the ink
    ("一20项", _line_crop("-20"), "-20项"),  # a minus: one bar
    ("一20项", _line_crop("20"), "一20项"),  # the first character is no bar: left alone
    ("一、项目概况", _line_crop("=20"), "一、项目概况"),  # real Chinese text is never touched
    ("=100%", _line_crop("=100"), "=100%"),
    (">92%", _drawn_crop("≥"), "≥92%"),  # a stroke under the chevron
    (">92%", _drawn_crop(">"), ">92%"),
    ("92%", _drawn_crop("≥ rising"), "≥92%"),  # the stroke's end beside the tip is not the chevron's
    ("7", _drawn_crop("/"), "/"),  # no bar on top
    ("7", _line_crop("7"), "7"),
    ("17", _drawn_crop("/"), "17"),
    ("V", _lone_sign_crop("≥"), "≥"),  # a lone ≥ (set apart from its number) read as V
    ("》", _lone_sign_crop("≥"), "≥"),
    (">", _lone_sign_crop("≤"), "≤"),  # the chevron points the other way
    ("V", _lone_sign_crop("V"), "V"),  # a V has no stroke under it: left alone
    ("二", _lone_sign_crop("="), "="),  # two bars of one length: =
    ("二", _lone_sign_crop("二"), "二"),
])
def test_misread_symbols_are_decided_by_the_ink(read: str, crop: "np.ndarray", fixed: str) -> None:
    assert ocr.fix_symbols(read, crop) == fixed


def test_a_lone_sign_is_kept_however_unsure_the_recogniser_was() -> None:
    box = (10.0, 10.0, 40.0, 40.0)
    (glyph,) = ocr._glyphs([_lone_sign_crop("≥")], [box], [("》", 0.28)])
    assert glyph.text == "≥"
    assert ocr._glyphs([_lone_sign_crop("V")], [box], [("》", 0.28)]) == []  # no sign in the ink: unsure, dropped
    (glyph,) = ocr._glyphs([_lone_sign_crop("≥")], [box], [("》.", 0.75)])  # a speck beside it read as a dot
    assert glyph.text == "≥"
    (glyph,) = ocr._glyphs([_lone_sign_crop("V")], [box], [("V.", 0.75)])  # no sign in the ink: as read
    assert glyph.text == "V."


def _ruled(gray: "np.ndarray", xs: tuple[int, ...], ys: tuple[int, ...]) -> list:
    """Ruling lines at ``xs`` and ``ys`` drawn on ``gray``; their segments."""
    from extract.readers.geometry import Segment

    for x in xs:
        cv2.line(gray, (x, ys[0]), (x, ys[-1]), 30, 2)
    for y in ys:
        cv2.line(gray, (xs[0], y), (xs[-1], y), 30, 2)
    return [Segment(xs[0], y, xs[-1], y) for y in ys] + [Segment(x, ys[0], x, ys[-1]) for x in xs]


def _cell_page() -> tuple["np.ndarray", list, "np.ndarray"]:
    """A 2 × 2 table: a cell with two lines of text, one with a lone digit, one with two words far
    apart, one empty but for grain; a title above the table. Returns (ink, segments, gray)."""
    gray = np.full((400, 700), 235, np.uint8)
    segments = _ruled(gray, (50, 350, 650), (100, 220, 340))
    cv2.putText(gray, "Title Line", (200, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 20, 2)
    cv2.putText(gray, "first line", (70, 140), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    cv2.putText(gray, "second", (70, 190), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    cv2.putText(gray, "7", (480, 170), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    cv2.putText(gray, "ab", (70, 290), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    cv2.putText(gray, "cd", (280, 290), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    rng = np.random.default_rng(3)
    for y, x in zip(rng.integers(235, 335, 12), rng.integers(360, 640, 12)):
        gray[y, x] = 60  # dust in the empty cell
    binary = ocr.binarise(gray)
    _, line_ink = ocr.detect_lines(binary)
    return ocr_cells.text_ink(binary, line_ink), segments, gray


def test_cells_are_cut_into_lines_and_pieces_without_a_detector() -> None:
    ink, segments, _ = _cell_page()
    unit = ocr_cells.text_height(ink)
    assert 15 <= unit <= 30
    pieces, tables = ocr_cells.page_to_text_boxes(ocr_cells.drop_grain(ink, unit), segments, unit)
    assert tables and not any(p.detect for p in pieces)
    boxes = sorted((round(p.box[1] / 10), round(p.box[0] / 10)) for p in pieces)
    # The title; the two lines of the first cell; the digit; the two words far apart; no grain.
    assert [b[0] for b in boxes] == [4, 12, 15, 17, 27, 27]
    lines = [p for p in pieces if 100 < p.box[1] < 220 and p.box[0] < 350]
    assert len(lines) == 2 and lines[0].crop[3] <= lines[1].crop[1] + 1  # crops of two lines do not overlap
    for p in pieces:
        x0, y0, x1, y1 = p.crop
        inside = [(a, b) for a, b in zip((50, 350), (350, 650)) if a < (x0 + x1) / 2 < b]
        if 100 < y0 < 340:  # a crop in a cell never reaches its ruling lines
            assert inside and inside[0][0] < x0 and x1 < inside[0][1]
            assert all(not (y0 <= y <= y1) for y in (100, 220, 340))


def test_grain_fainter_than_the_text_is_no_text() -> None:
    """On a noisy scan the binarisation catches faint specks, which join into "lines" across blank
    paper; they are dropped by how faint their ink is against the page's text, however much of
    it there is. A thin dash and a lone digit, dark as the text, stay; a page printed faintly all
    over keeps its text."""

    def page(text_grey: int) -> tuple[list, list]:
        gray = np.full((300, 700), 235, np.uint8)
        segments = _ruled(gray, (50, 350, 650), (40, 150, 260))
        cv2.putText(gray, "first line", (70, 80), cv2.FONT_HERSHEY_SIMPLEX, 0.9, text_grey, 2)
        cv2.putText(gray, "second", (70, 125), cv2.FONT_HERSHEY_SIMPLEX, 0.9, text_grey, 2)
        cv2.putText(gray, "7", (480, 110), cv2.FONT_HERSHEY_SIMPLEX, 0.9, text_grey, 2)
        cv2.line(gray, (90, 205), (115, 205), text_grey, 2)  # a thin dash: no value
        for x in range(380, 620, 26):  # grain: faint specks a little apart, in the last cell
            gray[195 + x % 5:198 + x % 5, x:x + 4] = 205
        _, line_ink = ocr.detect_lines(ocr.binarise(gray))
        ink = ocr_cells.text_ink(ocr.binarise(gray), line_ink)
        unit = ocr_cells.text_height(ink)
        pieces, _ = ocr_cells.page_to_text_boxes(ocr_cells.drop_grain(ink, unit), segments, unit)
        kept = ocr_cells.drop_faint(pieces, gray, ink)
        return [p.box for p in pieces], [p.box for p in kept]

    for text_grey in (20, 150):  # dark print; faint print, whose text is the page's text
        found, kept = page(text_grey)
        grain = [box for box in found if box[0] > 370 and box[1] > 150]
        assert grain  # the specks were taken for a line of text
        assert kept == [box for box in found if box not in grain]
        assert len(kept) == 4 and any(box[3] - box[1] < 10 and box[1] > 150 for box in kept)  # lines, digit, dash


def _dash_page(dash_at: int) -> "np.ndarray":
    """A 2 × 2 table: text; a lone dash one pixel thick at ``dash_at`` (x) in the first column's
    second cell, with a short stub and, in the second column, an underlined word and a long fill-in rule."""
    gray = np.full((300, 700), 235, np.uint8)
    _ruled(gray, (50, 350, 650), (40, 150, 260))
    cv2.putText(gray, "first line", (70, 80), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    cv2.putText(gray, "7", (480, 110), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    gray[205, dash_at:dash_at + 30] = 40  # the dash, alone in its cell
    gray[230, 250:255] = 40  # a stub
    cv2.putText(gray, "word", (380, 190), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    gray[194, 380:440] = 40  # its underline, just under it
    gray[240, 380:600] = 40  # a fill-in rule, far longer than a dash
    return gray


def test_a_dash_too_thin_for_a_line_of_text_is_decided_by_its_ink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan draws a thin dash (— for no value) one pixel thick, thinner than any stroke of text,
    and the recogniser reads such a bar as 1, I or 一 at 0.3-0.8: it is kept, and its ink, not the
    recogniser, makes it —. A short stub, an underline and a fill-in rule are no dash."""
    read: list[list[int]] = []

    def recognise(engine: object, crops: list) -> list:
        read.append([c.shape[1] for c in crops])
        return [(f"w{c.shape[1]}", 0.9) for c in crops]  # each crop's reading names its width

    monkeypatch.setattr(ocr, "recognise", recognise)
    monkeypatch.setattr(ocr, "ocr_engine", lambda: None)
    monkeypatch.setattr(ocr, "ocr_threads", lambda: 1)
    pages = ocr.images_to_geometries([(1, _dash_page(90)), (2, _dash_page(200))])
    for page, at in zip(pages, (90, 200)):
        dashes = [g for g in page.glyphs if g.text == "—"]
        assert len(dashes) == 1 and dashes[0].x0 < at + 5 and dashes[0].x1 > at + 25 and dashes[0].top < 205 < dashes[0].bottom
        # Every other glyph is the reading of its own crop (as wide as its box, give or take the margins):
        # no reading shifts onto another line.
        others = [g for g in page.glyphs if g is not dashes[0]]
        assert len(others) == 3 and all(abs(int(g.text[1:]) - (g.x1 - g.x0)) <= 14 for g in others)
        assert not any(g.top > 225 for g in page.glyphs)  # the stub and the fill-in rule
        assert not any(g.text == "—" and g.x0 > 350 for g in page.glyphs)  # the underline
    assert len(read) == 1 and sum(len(p.glyphs) for p in pages) == len(read[0]) + 2  # the dashes were never read
    assert ocr.lone_dash(_bar_crop(serif=False)) == "—" and ocr.lone_dash(_bar_crop(serif=True)) is None
    assert ocr.fix_symbols("一", _bar_crop(serif=True, thickness=1)) == "一"  # a thin 一 keeps its serif


def test_a_thin_rule_near_a_line_of_text_is_no_dash() -> None:
    ink = np.zeros((200, 300), np.uint8)
    ink[40:60, 20:120] = 255  # a line of text, 20 px tall
    ink[68, 20:60] = 255  # a thin rule 8 px under it (an underline set low), a band of its own: no dash
    ink[150, 20:60] = 255  # a thin rule alone: a dash
    ink[180, 20:150] = 255  # a thin rule far longer than a dash: a fill-in line
    boxes = ocr_cells.region_to_text_boxes(ink, (0, 0, 300, 200), 20.0)
    assert [(b.dash, round(b.box[1] / 10)) for b in boxes] == [(False, 4), (True, 15)]


def test_what_a_line_reads_as_does_not_depend_on_the_lines_beside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each crop reaches the recogniser padded to a width of its own (a multiple of REC_WIDTH_STEP),
    whatever else is read with it: the padding is part of what the recogniser sees."""
    seen: list[tuple[int, ...]] = []

    def session(batch: "np.ndarray") -> list:  # one thread: the last batch seen is the one decoded
        seen.append(batch.shape)
        return [np.zeros((batch.shape[0], 4, 3), np.float32)]

    class Decode:  # each line "reads" as the width it was given
        def __call__(self, preds, *_a, **_k):
            return [(f"w{seen[-1][3]}", 0.9) for _ in preds]

    monkeypatch.setenv("JIXIAO_OCR_THREADS", "1")
    engine = type("E", (), {"text_rec": ocr._Recogniser(session, Decode(), (3, 48, 320))})()
    crop = np.full((24, 100), 230, np.uint8)  # 200 columns at the recogniser's height
    alone = ocr.recognise(engine, [crop])
    among = ocr.recognise(engine, [np.full((24, 110), 230, np.uint8), crop, np.full((24, 30), 230, np.uint8),
                                   np.full((24, 560), 230, np.uint8)])
    assert alone == [("w200", 0.9)] and among[1] == alone[0]
    assert [r[0] for r in among] == ["w224", "w200", "w96", "w1120"]  # each its own: rounded up, or the narrowest
    assert all(shape[3] % ocr.REC_WIDTH_STEP == 0 for shape in seen)


def test_a_detector_box_is_placed_by_its_ink() -> None:
    """The detector widens its boxes past the text; a glyph is placed by the columns holding ink, or
    two columns of a table without ruling lines, a line's height apart, would touch."""
    ink = np.zeros((60, 200), np.uint8)
    ink[20:40, 50:90] = 255
    assert ocr_cells.inked_box((30, 10, 120, 50), ink) == (50.0, 18.0, 90.0, 42.0)
    assert ocr_cells.inked_box((100, 10, 180, 50), ink) == (100.0, 10.0, 180.0, 50.0)  # no ink: the box as found


def test_a_detector_line_is_parted_at_the_white_between_two_cells() -> None:
    """A detector joins the texts of two cells of a table without ruling lines: its line is parted
    where the ink leaves more than a text height of white, and read as two glyphs; white that a
    punctuation mark leaves beside it (、 then “) parts nothing in the end."""
    ink = np.zeros((40, 300), np.uint8)
    ink[10:30, 20:100] = 255  # text 20 high, then 40 of white (two cells)
    ink[10:30, 140:200] = 255
    ink[10:30, 210:280] = 255  # 10 of white: the same cell
    parts = ocr_cells.split_at_gaps((0, 0, 300, 40), ink)
    assert parts == [(0, 0, 106, 40), (134, 0, 300, 40)]  # each keeps 0.3 text heights of the white
    assert ocr_cells.split_at_gaps((0, 0, 130, 40), ink) == [(0, 0, 130, 40)]
    crops = [np.full((40, 106), 230, np.uint8), np.full((40, 166), 230, np.uint8)]
    boxes = [(20.0, 8.0, 100.0, 32.0), (140.0, 8.0, 280.0, 32.0)]
    cells = ocr._glyphs(crops, boxes, [("市级预算执", 0.99), ("年初预算数", 0.99)], [False, True])
    assert [(g.text, g.x0, g.x1) for g in cells] == [("市级预算执", 20.0, 100.0), ("年初预算数", 140.0, 280.0)]
    (prose,) = ocr._glyphs(crops, boxes, [("均含非税收入、", 0.99), ("“年初预算数”", 0.98)], [False, True])
    assert (prose.text, prose.x0, prose.x1) == ("均含非税收入、“年初预算数”", 20.0, 280.0)
    apart = ocr._glyphs(crops, boxes, [("均含非税收入、", 0.99), ("“年初预算数”", 0.98)], [False, False])
    assert len(apart) == 2  # two lines of their own (two cells' pieces) are never joined


def test_a_page_without_tables_is_left_to_the_detector() -> None:
    ink, _, _ = _cell_page()
    assert ocr_cells.page_to_text_boxes(ink, [], 20.0) == ([], False)


def test_blank_pages_are_skipped() -> None:
    paper = np.clip(np.random.default_rng(5).normal(232, 6, (800, 600)), 0, 255).astype(np.uint8)
    assert ocr.blank_page(paper)
    page = ocr.image_to_geometry(paper, 3)
    assert (page.number, page.glyphs, page.segments) == (3, (), ())
    assert not ocr.blank_page(_cell_page()[2])


def test_threads_are_shared_out_among_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIXIAO_OCR_THREADS", raising=False)
    monkeypatch.setattr(ocr, "_cores", lambda: 4)
    monkeypatch.setattr(ocr, "_WORKERS", None)
    assert ocr.ocr_threads() == 4
    ocr.set_worker_count(2)
    assert ocr.ocr_threads() == 2
    ocr.set_worker_count(8)
    assert ocr.ocr_threads() == 1
    monkeypatch.setenv("JIXIAO_OCR_THREADS", "3")
    assert ocr.ocr_threads() == 3


def test_numpy_is_imported_before_the_engine_thread_starts() -> None:
    """The engine's thread imports ONNX Runtime, which imports numpy, while the caller renders pages
    into numpy arrays: two first imports of numpy at once failed one of them at random ("partially
    initialized module"; a scan came out as an error record). A fresh process, as a library user's."""
    code = ("import sys\nfrom extract.readers import ocr\nbefore = 'numpy' in sys.modules\n"
            "ocr.start_engine()\nprint(before, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.split() == ["False", "True"], out.stderr


def test_not_an_image_is_refused() -> None:
    with pytest.raises(UnreadableDocument, match="not a page image"):
        ocr.image_to_geometry(np.zeros(5, np.uint8), 1)


def test_missing_ocr_engine_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails
    with pytest.raises(UnreadableDocument, match="pip install rapidocr-onnxruntime"):
        ocr.ocr_engine()


def test_pdf_pages_are_rendered_in_grey(tmp_path: Path) -> None:
    pytest.importorskip("pypdfium2")
    from PIL import Image

    pdf = tmp_path / "scan.pdf"
    Image.fromarray(_synthetic_scan(0.5)).save(pdf, resolution=100.0)
    (page,) = ocr.pdf_page_images(pdf, [1], dpi=100)
    assert page.ndim == 2 and page.dtype == np.uint8
    assert page.shape == pytest.approx((700, 1120), abs=2)
    with pytest.raises(ValueError, match="out of range"):
        ocr.pdf_page_images(pdf, [2])


def test_pages_are_read_a_few_at_a_time_and_their_lines_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long scan is rendered and read PAGES_AT_ONCE pages at a time (so a worker holds a few page
    images, not the whole document), the lines of those pages in one call of the recogniser, and each
    page comes out as it does read alone."""
    pytest.importorskip("pypdfium2")
    from PIL import Image

    scan = _synthetic_scan(0.5)
    blank = np.full_like(scan, 250)
    pdf = tmp_path / "long-scan.pdf"
    pages = [scan, blank, scan, scan, scan, blank]
    Image.fromarray(pages[0]).save(pdf, resolution=100.0, save_all=True,
                                   append_images=[Image.fromarray(p) for p in pages[1:]])
    rendered: list[list[int]] = []
    calls: list[int] = []
    render = ocr.pdf_page_images

    def spy_render(path, numbers, dpi=None):
        rendered.append(list(numbers))
        return render(path, numbers, dpi)

    def fake_recognise(engine, crops):  # the crop's size stands for its text
        calls.append(len(crops))
        return [(f"{c.shape[1]}x{c.shape[0]}", 0.9) for c in crops]

    monkeypatch.setattr(ocr, "RENDER_DPI", 100)
    monkeypatch.setattr(ocr, "PAGES_AT_ONCE", 4)
    monkeypatch.setattr(ocr, "pdf_page_images", spy_render)
    monkeypatch.setattr(ocr, "recognise", fake_recognise)
    monkeypatch.setattr(ocr, "ocr_engine", lambda: (lambda image, **kw: ([], None)))
    monkeypatch.setenv("JIXIAO_OCR_THREADS", "2")
    read = ocr.pdf_pages_to_geometries(pdf, [1, 2, 3, 4, 5, 6])
    assert rendered == [[1, 2, 3, 4], [5, 6]]
    assert [p.number for p in read] == [1, 2, 3, 4, 5, 6]
    assert [bool(p.glyphs) for p in read] == [True, False, True, True, True, False]
    alone = ocr.image_to_geometry(render(pdf, [1])[0], 1)
    assert len(alone.glyphs) > 10 and all(p.glyphs == alone.glyphs and p.segments == alone.segments
                                          for p in (read[0], read[2], read[3], read[4]))
    per_page = len(alone.glyphs)
    assert calls == [3 * per_page, per_page, per_page]  # two calls for the document, one for the page alone


# --------------------------------------------------------------------------- the whole reader

# Rows of the seed report's indicator table in the fixture, as the Word file has them:
# name, target, weight, actual, score (whitespace removed, NFKC).
EXPECTED_ROWS = [
    ("政府采购规范性", "规范", "2", "=100%", "2"),
    ("可行研究充分性", "充分", "1", "好", "1"),
    ("工程变更合规性", "合规", "1", "好", "1"),
    ("与预期质量计划差距定期检查率", "=100%", "1", "=100%", "1"),
    ("业务运维体系健全性", "健全", "1", "好", "1"),
    ("项目验收通过率", "=100%", "2.18", "=100%", "2.18"),
    ("各项目目标达成率", "=100%", "2.18", "=100%", "2.18"),
    ("项目建设管理规范", "规范", "2.18", "规范", "2.18"),
    ("年内项目启动数", "=7个", "2.18", "=7个", "2.18"),
    ("签名验签服务器", "=4台", "2.18", "=4台", "2.18"),
    ("圈存机布点数", "=805个", "2.18", "=1000个", "2.18"),
    ("监管数据中心基础库建成数", "=8", "2.18", "=8", "2.18"),
    ("落实项目监理制数量", "=10", "2.18", "=10", "2.18"),
    ("业务中台通用服务能力", "=6", "2.18", "=7", "2.18"),
    ("提供数据质量的第三方数据质量监测服务", "=40", "2.18", "=40", "2.18"),
    ("安全认证网关", "=2", "2.2", "=2", "2.2"),
    ("数据交换前置交换节点数", "≥35个", "2.44", "=40个", "2.44"),
]


def test_a_scanned_borderless_table_keeps_a_wrapped_cell_whose_column_starts_a_little_apart() -> None:
    """OCR boxes a line by its ink, so one column's lines start a few pixels apart (日 begins further
    in than 骑); a cell's wrapped line between two rows is still that column's, not the end of the
    table (where 场次 was lost and the rows below became a table of their own)."""
    from extract.readers.geometry import Glyph, PageGeometry

    rows = [(100, [("指标名称", 100, 220), ("目标值", 400, 470), ("权重", 520, 560)]),
            (150, [("骑行安全宣传活动", 100, 350), ("≥20场", 400, 480), ("3.75", 520, 575)]),  # fills its column
            (190, [("场次", 100, 157)]),
            (240, [("日均骑行量", 104, 245), ("≥8万人次", 401, 495), ("3.14", 520, 576)]),
            (290, [("用户满意度", 102, 243), ("≥90%", 400, 470), ("2", 521, 537)])]
    glyphs = tuple(Glyph(text, float(x0), float(top), float(x1), float(top + 30))
                   for top, line in rows for text, x0, x1 in line)
    page = PageGeometry(number=1, width=800.0, height=1100.0, segments=(), glyphs=glyphs)
    (table,) = pages_to_document([page], format="pdf", ocr=True).tables()
    names = [row[0].text.replace("\n", "") for row in table.grid() if row[0] is not None]
    assert names == ["指标名称", "骑行安全宣传活动场次", "日均骑行量", "用户满意度"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.slow
def test_scanned_indicator_table_is_read() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    image = cv2.imread(str(FIXTURE), cv2.IMREAD_GRAYSCALE)
    assert image is not None, FIXTURE
    page = ocr.image_to_geometry(image, 2)
    assert (page.width, page.height) == (image.shape[1], image.shape[0])
    doc = pages_to_document([page], format="pdf", ocr=True)
    assert doc.ocr
    tables = list(doc.tables())
    assert len(tables) == 1
    table = tables[0]
    # The cut has no line touching the first column's left border (项目, merged over the whole
    # table), so the table starts at 类别: category, name, target, weight, actual, score.
    assert (table.n_rows, table.n_cols) == (len(EXPECTED_ROWS), 6)
    grid = table.grid()
    rows = [tuple(_norm(c.text) if c is not None and c.row == r else "" for c in grid[r][1:]) for r in range(table.n_rows)]
    wrong = [(want, got) for want, got in zip(EXPECTED_ROWS, rows) if want != got]
    assert not wrong, wrong
    categories = {_norm(c.text) for c in table.cells if c.col == 0 and c.text}
    assert categories == {"产出目标(24分)", "结果目标(22分)"}


def _lcnet_block_model(path: Path) -> Path:
    """A small PP-LCNetV3-like block as paddle2onnx writes it (weights as Constant nodes): 3×3 conv →
    ·s+b → hard-swish spelled out → ·s+b → 1×1 conv."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    consts = {"w1": rng.normal(size=(4, 3, 3, 3)), "b1": rng.normal(size=4), "w2": rng.normal(size=(5, 4, 1, 1)),
              "b2": rng.normal(size=5), "s1": 0.7, "t1": 0.2, "three": 3.0, "zero": 0.0, "six": 6.0, "s2": 1.3, "t2": -0.4}
    nodes = [helper.make_node("Constant", [], [k], value=numpy_helper.from_array(np.asarray(v, np.float32), k))
             for k, v in consts.items()]
    nodes += [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
              helper.make_node("Mul", ["s1", "c1"], ["m1"]), helper.make_node("Add", ["m1", "t1"], ["a1"]),
              helper.make_node("Add", ["a1", "three"], ["h1"]), helper.make_node("Clip", ["h1", "zero", "six"], ["h2"]),
              helper.make_node("Mul", ["a1", "h2"], ["h3"]), helper.make_node("Div", ["h3", "six"], ["h4"]),
              helper.make_node("Mul", ["h4", "s2"], ["m2"]), helper.make_node("Add", ["m2", "t2"], ["a2"]),
              helper.make_node("Conv", ["a2", "w2", "b2"], ["y"])]
    graph = helper.make_graph(nodes, "block", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "h", "w"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5, "h", "w"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 7
    onnx.save(model, str(path))
    return path


def test_the_recogniser_model_is_folded_to_the_same_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ort = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    from extract.readers import ocr_model

    path = _lcnet_block_model(tmp_path / "rec.onnx")
    folded = ocr_model.fold_model(path.read_bytes())
    ops = [n.op_type for n in onnx.load_from_string(folded).graph.node]
    assert ops == ["Conv", "HardSigmoid", "Mul", "Conv"]  # 12 nodes (and 11 constants) → 4
    x = np.random.default_rng(1).normal(size=(1, 3, 8, 16)).astype(np.float32)
    want = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    got = ort.InferenceSession(folded, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    assert np.allclose(got, want, atol=1e-4)
    # Cached by the model's size and time; made again when the model file changes; off by the variable.
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(ocr_model, "agrees", lambda original, data: True)  # a toy block has no characters
    first = ocr_model.fast_model_path(path)
    assert first is not None and first.is_file() and ocr_model.fast_model_path(path) == first
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    second = ocr_model.fast_model_path(path)
    assert second is not None and second != first and second.is_file()
    monkeypatch.setenv("JIXIAO_OCR_FAST_MODEL", "0")
    assert ocr_model.fast_model_path(path) is None


def test_a_scale_and_shift_before_a_padded_convolution_becomes_a_depthwise_convolution(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    from extract.readers import ocr_model

    rng = np.random.default_rng(2)
    consts = {"w1": rng.normal(size=(4, 3, 1, 1)), "b1": rng.normal(size=4), "w2": rng.normal(size=(4, 1, 3, 3)),
              "b2": rng.normal(size=4), "s": 0.4, "t": -0.3}
    inits = [numpy_helper.from_array(np.asarray(v, np.float32), k) for k, v in consts.items()]
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"]), helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("Mul", ["r1", "s"], ["m1"]), helper.make_node("Add", ["m1", "t"], ["a1"]),
             helper.make_node("Conv", ["a1", "w2", "b2"], ["y"], group=4, pads=[1, 1, 1, 1])]
    graph = helper.make_graph(nodes, "block", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 9])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 9])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 7
    folded = ocr_model.fold_model(model.SerializeToString())
    assert [n.op_type for n in onnx.load_from_string(folded).graph.node] == ["Conv", "Relu", "Conv", "Conv"]
    x = rng.normal(size=(1, 3, 6, 9)).astype(np.float32)
    want = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    got = ort.InferenceSession(folded, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    assert np.allclose(got, want, atol=1e-5)  # the borders too: the shift is not folded into the padded conv


def test_a_run_makes_the_folded_model_in_a_process_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from extract.readers import ocr_model

    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path / "cache"))
    path = _lcnet_block_model(tmp_path / "rec.onnx")

    def here(data: bytes) -> None:
        raise AssertionError("folded in the run's own process")

    monkeypatch.setattr(ocr_model, "fold_model", here)
    made = ocr_model.made_model_path(path)
    assert made is not None and made.is_file() and made.parent == tmp_path / "cache"
    assert ocr_model.made_model_path(path) == made  # from the cache
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"no model")
    assert ocr_model.made_model_path(broken) is None  # the original serves


def test_without_onnx_the_original_recogniser_model_serves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extract.readers import ocr_model

    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx fails
    model = tmp_path / "rec.onnx"
    model.write_bytes(b"not read without onnx")
    assert ocr_model.fold_model(model.read_bytes()) is None
    assert ocr_model.fast_model_path(model) is None
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
    assert ocr_model.use_fast_model(object()) is False  # an engine of another shape is left alone


def test_recogniser_decodes_and_configures_as_rapidocr_does() -> None:
    """jixiao's CTC decoder and its reading of RapidOCR's config.yaml stand in for RapidOCR's own (whose
    import loads the whole package): they must give what RapidOCR's give."""
    pytest.importorskip("rapidocr_onnxruntime")
    import yaml
    from rapidocr_onnxruntime.ch_ppocr_rec.utils import CTCLabelDecode

    root = Path(sys.modules["rapidocr_onnxruntime"].__file__).parent
    text = (root / "config.yaml").read_text(encoding="utf-8")
    theirs = yaml.safe_load(text)["Rec"]
    assert ocr._rec_config(text) == {"model_path": theirs["model_path"], "rec_img_shape": theirs["rec_img_shape"]}
    with pytest.raises(ValueError):
        ocr._rec_config("Det:\n    model_path: models/det.onnx\n")

    characters = ["a", "b", "c", "中", "文"]
    ours, rapid = ocr._CTCDecode(characters), CTCLabelDecode(character=list(characters))
    rng = np.random.default_rng(7)
    for _ in range(40):
        preds = rng.random((3, 25, len(characters) + 2)).astype(np.float32)
        preds[:, :, 0] += rng.random() * 1.5  # more blanks, as in real output
        preds[0, :, 0] = 9.0  # a line with nothing read
        assert ours(preds) == [(t, float(c)) for t, c in rapid(preds, False)]
    assert ours(preds)[0] == ("", 0.0)
