"""Cells rebuilt from ruling lines and glyph boxes; tables stitched over page breaks."""

from __future__ import annotations

from extract.readers.geometry import Glyph, PageGeometry, Segment, cell_text, pages_to_document
from jixiao.model import Paragraph, Table

H = 10.0  # glyph height


def text_at(text: str, x: float, y: float) -> list[Glyph]:
    """One glyph per character, CJK-wide, starting at (x, y)."""
    return [Glyph(ch, x + i * H, y, x + (i + 1) * H, y + H) for i, ch in enumerate(text)]


def grid_lines(xs: list[float], ys: list[float], skip_h: set[tuple[int, int]] = frozenset(),
               skip_v: set[tuple[int, int]] = frozenset()) -> list[Segment]:
    """Ruling lines of a grid; skip_h/skip_v leave out borders (row line, column) / (column line, row)."""
    segs = []
    for i, y in enumerate(ys):
        for c in range(len(xs) - 1):
            if (i, c) not in skip_h:
                segs.append(Segment(xs[c], y, xs[c + 1], y))
    for j, x in enumerate(xs):
        for r in range(len(ys) - 1):
            if (j, r) not in skip_v:
                segs.append(Segment(x, ys[r], x, ys[r + 1]))
    return segs


XS = [50.0, 150.0, 300.0, 360.0, 420.0]


def test_merged_cells_get_their_span_once() -> None:
    ys = [100.0, 120.0, 140.0, 160.0]
    # Column 0 merged down rows 1-2 (no border at y=140 in column 0); row 0 cols 2-3 merged.
    segs = grid_lines(XS, ys, skip_h={(2, 0)}, skip_v={(3, 0)})
    glyphs = text_at("类别", 55, 102) + text_at("产出", 55, 122) + text_at("名称", 155, 102) + text_at("数值", 305, 102)
    glyphs += text_at("甲", 155, 122) + text_at("乙", 155, 142)
    doc = pages_to_document([PageGeometry(1, 600, 800, tuple(segs), tuple(glyphs))], format="pdf")
    (table,) = doc.blocks
    assert isinstance(table, Table) and (table.n_rows, table.n_cols) == (3, 4)
    by_text = {c.text: c for c in table.cells}
    assert (by_text["产出"].row, by_text["产出"].rowspan) == (1, 2)
    assert (by_text["数值"].col, by_text["数值"].colspan) == (2, 2)
    assert [c.text for c in table.cells].count("产出") == 1


def page(number: int, rows: list[list[str]], top: float = 100.0, footer: str | None = None,
         row_height: float = 20.0) -> PageGeometry:
    ys = [top + i * row_height for i in range(len(rows) + 1)]
    glyphs: list[Glyph] = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            glyphs += text_at(text, XS[c] + 2, ys[r] + row_height - H - 1)  # text down to the row's bottom
    if footer:
        glyphs += text_at(footer, 280, 780)
    return PageGeometry(number, 600, 800, tuple(grid_lines(XS, ys)), tuple(glyphs))


HEADER = ["类别", "指标名称", "权重", "自评分"]


def test_row_cut_by_a_page_break_is_joined_and_repeated_header_dropped() -> None:
    p1 = page(1, [HEADER, ["产出", "项目验收通过率", "2", "2"], ["", "监管数据中心基础库建", "2", "2"]], footer="第1页共2页")
    p2 = page(2, [HEADER, ["", "成数", "", ""], ["", "落实项目监理制数量", "2", "2"]], footer="第2页共2页")
    doc = pages_to_document([p1, p2], format="pdf")
    (table,) = doc.blocks  # footers dropped, one stitched table
    assert isinstance(table, Table)
    names = [row[1].text for r, row in enumerate(table.grid()) if row[1] is not None and row[1].row == r]
    assert names == ["指标名称", "项目验收通过率", "监管数据中心基础库建成数", "落实项目监理制数量"]
    assert table.n_rows == 4
    assert doc.pages == 2


def test_full_row_at_the_top_of_a_page_is_not_joined() -> None:
    # Word top-aligns cells: in the last row before the break the name wraps over two lines,
    # the short values sit on the first line and stop above the break, so they cannot continue
    # there; the first row of the next page, values and all, is a row of its own.
    p1 = page(1, [HEADER], row_height=20)
    row_top, row_bottom = 120.0, 145.0
    segs = p1.segments + tuple(grid_lines(XS, [row_top, row_bottom]))
    glyphs = p1.glyphs + tuple(
        text_at("产出", 52, 122) + text_at("保洁河道", 152, 122) + text_at("长度", 152, 134)
        + text_at("2.67", 302, 122) + text_at("2.67", 362, 122))
    p1 = PageGeometry(1, 600, 800, segs, glyphs)
    p2 = page(2, [["", "河道清淤土方量", "2.67", "2.00"]])
    (table,) = pages_to_document([p1, p2], format="pdf").blocks
    assert isinstance(table, Table)
    assert [c.text for c in table.cells if c.col == 1] == ["指标名称", "保洁河道\n长度", "河道清淤土方量"]


def test_value_cell_that_ended_early_cannot_continue() -> None:
    # The row above was complete (its short values stop above the page break): no join.
    p1 = page(1, [HEADER, ["产出", "保洁河道长度", "2.67", "2.67"]], row_height=40)
    p1 = PageGeometry(1, p1.width, p1.height, p1.segments,
                      tuple(g if g.text not in "2.67" else Glyph(g.text, g.x0, 142, g.x1, 152) for g in p1.glyphs))
    p2 = page(2, [["", "河道清淤土方量", "2.67", ""]])
    (table,) = pages_to_document([p1, p2], format="pdf").blocks
    assert isinstance(table, Table) and table.n_rows == 3


def test_tables_with_other_columns_are_not_stitched() -> None:
    p1 = page(1, [HEADER, ["产出", "指标", "2", "2"]])
    other = PageGeometry(2, 600, 800, tuple(grid_lines([50.0, 300.0, 500.0], [100.0, 120.0])),
                         tuple(text_at("项目概况", 52, 109)))
    blocks = pages_to_document([p1, other], format="pdf").blocks
    assert [type(b) for b in blocks] == [Table, Table]


def test_cell_text_joins_wrapped_lines_and_keeps_paragraphs() -> None:
    right = 50 + 6 * H + 4
    wrapped = text_at("预算执行率为", 50, 0) + text_at("93%。", 50, 12)
    assert cell_text(wrapped, right, H) == "预算执行率为93%。"
    paragraphs = text_at("第一段。", 50, 0) + text_at("第二段", 50, 12)
    assert cell_text(paragraphs, right, H) == "第一段。\n第二段"
    number = [Glyph(ch, 50 + i * 6, 0, 56 + i * 6, H) for i, ch in enumerate("=269000")]
    number += [Glyph(ch, 50 + i * 6, 12, 56 + i * 6, H + 12) for i, ch in enumerate("0个")]
    assert cell_text(number, 50 + 7 * 6 + 4, H) == "=2690000个"


def test_an_ocr_line_that_wrapped_before_a_character_and_its_full_stop_is_joined() -> None:
    """OCR gives one box a line. The line breaker moved 划 with the 。 that may not start a line, so the
    line above stops two characters short of the cell's edge: it wrapped all the same."""
    right = 50 + 10 * H + 4
    above = Glyph("下年度提前安排施工计", 50, 0, 50 + 8 * H, H)  # the box ends where 计 does, 2 characters short
    below = Glyph("划。", 50, 12, 50 + 2 * H, 12 + H)
    assert cell_text([above, below], right, H) == "下年度提前安排施工计划。"
    ended = Glyph("第二段。", 50, 12, 50 + 4 * H, 12 + H)  # a first character alone would have fitted: a paragraph
    assert cell_text([Glyph("第一段。", 50, 0, 50 + 4 * H, H), ended], right, H) == "第一段。\n第二段。"


def test_text_outside_tables_becomes_paragraphs() -> None:
    glyphs = text_at("苏州市级财政支出项目绩效自评表", 100, 40) + text_at("填表说明：一段", 60, 300)
    doc = pages_to_document([PageGeometry(1, 600, 800, (), tuple(glyphs))], format="pdf")
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == ["苏州市级财政支出项目绩效自评表", "填表说明：一段"]
