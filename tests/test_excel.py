"""Excel readers (.xlsx with openpyxl, .xls with xlrd): merged cells reported once with their span,
numbers shown as Excel shows them, broken files refused with a reason and a next step."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from extract.readers.xlsx import cell_text, format_number, xlsx_to_document
from jixiao.errors import UnreadableDocument
from jixiao.model import Cell, Table

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TITLE = "项目支出绩效自评表"
PROJECT = "城乡居民基本医疗保险补助资金"
XLSX_READER = ("extract.readers.xlsx", "xlsx_to_document")  # the entries extract.READERS should hold
XLS_READER = ("extract.readers.xls", "xls_to_document")


def build_national_form(path: Path, *, extras: bool = True) -> Path:
    """A workbook laid out like the national form (财预〔2020〕10号), columns A–I.

    Rows (1-based): 1 title (A1:I1), 2 year (A2:I2), 3 项目名称, 4 主管部门 / 实施单位,
    5–8 money block (项目资金 A5:A8), 9–10 年度总体目标, 11–17 indicators (绩效指标 A11:A17;
    一级指标 产出指标 B12:B15; 二级指标 数量指标 C12:C13, 质量指标 C14:C15), 18 总分 (A18:F18).
    With ``extras``: a second sheet with notes far below, a hidden sheet, a date, a boolean and a
    formula without a cached value (openpyxl writes formulas without results).
    """
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet甲"

    def put(ref: str, value: object, number_format: str | None = None, merge: str | None = None,
            formula: bool = False) -> None:
        ws[ref] = value
        if isinstance(value, str) and value.startswith("=") and not formula:
            ws[ref].data_type = "s"  # "=100%" is a target written as text, not a formula
        if number_format:
            ws[ref].number_format = number_format
        if merge:
            ws.merge_cells(merge)

    put("A1", TITLE, merge="A1:I1")
    put("A2", "（2023年度）", merge="A2:I2")
    put("A3", "项目名称")
    put("B3", PROJECT, merge="B3:I3")
    put("A4", "主管部门")
    put("B4", "市医疗保障局", merge="B4:D4")
    put("E4", "实施单位")
    put("F4", "市医疗保险基金管理中心", merge="F4:I4")
    put("A5", "项目资金\n（万元）", merge="A5:A8")
    for col, label in zip("CDEFGHI", ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "")):
        if label:
            put(f"{col}5", label)
    put("B6", "年度资金总额")
    put("C6", 3773, "0.00")
    put("D6", 3773.0, "#,##0.00")
    put("E6", 3512.63, "0.00")
    put("F6", 10.0)  # General, stored as a float: "10"
    put("G6", 0.931, "0%")
    put("H6", 9.31)
    put("B7", "其中：当年财政拨款")
    put("C7", 3773, "0.00")
    put("G7", 0.931, "0.00%")
    put("B8", "上年结转资金")
    put("C8", 0, "0.00")
    put("A9", "年度总体目标", merge="A9:A10")
    put("B9", "预期目标", merge="B9:E9")
    put("F9", "实际完成情况", merge="F9:I9")
    put("B10", "保障参保居民基本医疗需求；\n提高报销比例。", merge="B10:E10")
    put("F10", "已完成。", merge="F10:I10")
    put("A11", "绩效指标", merge="A11:A17")
    for col, label in zip("BCDEFGHI", ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                                       "得分", "偏差原因分析及改进措施")):
        put(f"{col}11", label)
    put("B12", "产出指标", merge="B12:B15")
    put("C12", "数量指标", merge="C12:C13")
    put("C14", "质量指标", merge="C14:C15")
    rows = (
        ("参保人数", "≥35万人", "36万人", 20, 20),
        ("补助发放批次", "=4次", "4次", 10, 10),
        ("报销比例", "≥70%", "68%", 10, 9.7),
        ("资金拨付合规率", "=100%", "100%", 10, 10),
        ("群众看病负担", "有所减轻", "有所减轻", 30, 30),
        ("参保群众满意度", "≥90%", "93%", 10, 10),
    )
    for i, (name, target, actual, weight, score) in enumerate(rows):
        r = 12 + i
        put(f"D{r}", name)
        put(f"E{r}", target)
        put(f"F{r}", actual)
        put(f"G{r}", weight)
        put(f"H{r}", score)
    put("I14", "报销比例略低于目标，\n下年度调整。")
    put("B16", "效益指标")
    put("C16", "社会效益指标")
    put("B17", "满意度指标")
    put("C17", "服务对象满意度指标")
    put("A18", "总分", merge="A18:F18")
    put("G18", 100)
    put("H18", 98.01, "0.00")
    if extras:
        put("A20", "填报日期")
        put("B20", dt.datetime(2024, 3, 15), "yyyy/m/d")
        put("C20", "已审核")
        put("D20", True)
        put("E20", "=SUM(H12:H17)", formula=True)  # no cached value: openpyxl does not calculate
        hidden = wb.create_sheet("代码表")
        hidden["A1"] = "内部编码"
        hidden.sheet_state = "hidden"
        notes = wb.create_sheet("说明")
        notes["B2"] = "填表说明"
        notes["B40"] = "附注：单位万元"  # far below: a separate table
    wb.save(path)
    return path


def _cells(table: Table) -> dict[str, Cell]:
    """Non-empty cells by text (the first one where a text repeats)."""
    by_text: dict[str, Cell] = {}
    for cell in table.cells:
        if cell.text:
            by_text.setdefault(cell.text, cell)
    return by_text


def _at(table: Table, row: int, col: int) -> str:
    cell = table.grid()[row][col]
    assert cell is not None
    return cell.text


def _assert_national_form(table: Table) -> None:
    """What both readers must give for the main sheet (0-based rows/cols; row r of the sheet is r-1)."""
    assert (table.n_rows, table.n_cols) >= (18, 9)
    assert table.n_cols == 9
    texts = [c.text for c in table.cells]
    for merged in (TITLE, PROJECT, "项目资金\n（万元）", "绩效指标", "产出指标", "数量指标", "质量指标", "总分"):
        assert texts.count(merged) == 1, merged  # reported once, not in every slot it covers
    by_text = _cells(table)
    spans = {t: (c.row, c.col, c.rowspan, c.colspan) for t, c in by_text.items()}
    assert spans[TITLE] == (0, 0, 1, 9)
    assert spans[PROJECT] == (2, 1, 1, 8)
    assert spans["项目资金\n（万元）"] == (4, 0, 4, 1)
    assert spans["绩效指标"] == (10, 0, 7, 1)
    assert spans["产出指标"] == (11, 1, 4, 1)
    assert spans["数量指标"] == (11, 2, 2, 1)
    assert spans["质量指标"] == (13, 2, 2, 1)
    assert spans["总分"] == (17, 0, 1, 6)
    assert spans["年度总体目标"] == (8, 0, 2, 1)
    # the money block, as Excel shows it
    assert [_at(table, 4, c) for c in range(2, 8)] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert [_at(table, 5, c) for c in range(1, 8)] == [
        "年度资金总额", "3773.00", "3,773.00", "3512.63", "10", "93%", "9.31"]
    assert _at(table, 6, 6) == "93.10%"
    assert _at(table, 7, 2) == "0.00"
    assert _at(table, 5, 8) == ""
    # the indicator block: merged slots point at the one cell, other cells are plain
    grid = table.grid()
    assert grid[14][1] is by_text["产出指标"] and grid[12][2] is by_text["数量指标"]
    assert [_at(table, r, 4) for r in (11, 12, 13, 14)] == ["≥35万人", "=4次", "≥70%", "=100%"]
    assert [_at(table, 13, c) for c in range(3, 9)] == [
        "报销比例", "≥70%", "68%", "10", "9.7", "报销比例略低于目标，\n下年度调整。"]
    assert [_at(table, 16, c) for c in range(1, 8)] == [
        "满意度指标", "服务对象满意度指标", "参保群众满意度", "≥90%", "93%", "10", "10"]
    assert [_at(table, 17, c) for c in (0, 5, 6, 7)] == ["总分", "总分", "100", "98.01"]
    assert _at(table, 9, 1) == "保障参保居民基本医疗需求；\n提高报销比例。"
    # every slot is covered by exactly one cell
    covered = sum(c.rowspan * c.colspan for c in table.cells)
    assert covered == table.n_rows * table.n_cols
    assert all(row.count(None) == 0 for row in grid)


# --------------------------------------------------------------------------- .xlsx


@pytest.fixture()
def national_xlsx(tmp_path: Path) -> Path:
    return build_national_form(tmp_path / "national.xlsx")


def test_xlsx_national_form_cells_spans_and_number_formats(national_xlsx: Path) -> None:
    doc = xlsx_to_document(national_xlsx)
    assert doc.format == "xlsx"
    assert doc.pages == 2  # the hidden sheet is not read
    main = doc.blocks[0]
    assert isinstance(main, Table) and main.page == 1
    assert (main.n_rows, main.n_cols) == (20, 9)  # rows 1–20 of the sheet (19 is empty, inside)
    _assert_national_form(main)
    assert [_at(main, 19, c) for c in range(5)] == ["填报日期", "2024-03-15", "已审核", "TRUE", ""]
    assert all(c.page == 1 for c in main.cells)
    assert "Sheet甲" not in doc.text()  # a sheet's title is not content
    assert "内部编码" not in doc.text()


def test_xlsx_notes_hidden_sheets_and_formulas_without_cached_values(national_xlsx: Path) -> None:
    doc = xlsx_to_document(national_xlsx)
    assert [n for n in doc.notes if "formula" in n] == ["sheet 'Sheet甲' cell E20: formula without a cached value"]
    assert "sheet '代码表' is hidden and was not read" in doc.notes


def test_xlsx_blocks_far_apart_become_separate_tables_trimmed_of_empty_borders(national_xlsx: Path) -> None:
    doc = xlsx_to_document(national_xlsx)
    tables = list(doc.tables())
    assert len(tables) == 3
    first, second = tables[1], tables[2]
    assert (first.n_rows, first.n_cols, first.page) == (1, 1, 2)
    assert first.cells == (Cell("填表说明", 0, 0, page=2),)
    assert second.cells == (Cell("附注：单位万元", 0, 0, page=2),)


def test_xlsx_through_read_document(national_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extract

    monkeypatch.setitem(extract.READERS, ".xlsx", XLSX_READER)  # a no-op once registered
    assert extract.READERS[".xlsx"] == XLSX_READER
    doc = extract.read_document(national_xlsx)
    _assert_national_form(doc.blocks[0])  # type: ignore[arg-type]


def test_xlsx_merged_range_larger_than_the_content_keeps_its_span(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"] = "标题"
    ws.merge_cells("C3:F3")
    ws["C4"] = 1
    ws["D4"] = 2.5
    ws.merge_cells("C6:D7")  # empty merged range below the content: trimmed away
    ws["H10"].number_format = "0.00"  # formatting only: not content
    path = tmp_path / "small.xlsx"
    wb.save(path)
    (table,) = xlsx_to_document(path).tables()
    assert (table.n_rows, table.n_cols) == (2, 4)
    assert table.cells[0] == Cell("标题", 0, 0, 1, 4, page=1)
    assert [c.text for c in table.cells[1:]] == ["1", "2.5", "", ""]


def test_xlsx_escaped_characters_are_restored(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目概况_x000D_\n实施情况"  # how Excel stores a pasted line break
    wb.active["A2"] = "编号_x005F_x0031_"  # a literal "_x0031_" typed by the user
    path = tmp_path / "escaped.xlsx"
    wb.save(path)
    (table,) = xlsx_to_document(path).tables()
    assert [c.text for c in table.cells] == ["项目概况\n实施情况", "编号_x0031_"]


def test_empty_workbook_gives_an_empty_document(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    doc = xlsx_to_document(path)
    assert doc.blocks == () and doc.pages == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (os.urandom(2048), "not a zip package"),
        (b"", "empty"),
        (OLE2_MAGIC + bytes(504), "rename it to .xls"),
    ],
    ids=["random-bytes", "empty", "ole2-header"],
)
def test_xlsx_broken_files_are_refused_with_a_reason(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.xlsx"
    if expected == "rename it to .xls":  # an OLE2 header with a Workbook stream name in its directory
        content = content + "Workbook".encode("utf-16-le") + bytes(64)
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as info:
        xlsx_to_document(path)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_xlsx_encrypted_ooxml_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(OLE2_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64)
                     + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(UnreadableDocument, match="password-protected"):
        xlsx_to_document(path)


def test_xlsx_zip_without_workbook_and_docx_in_disguise(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(UnreadableDocument, match="no xl/workbook.xml"):
        xlsx_to_document(plain)
    word = tmp_path / "word.xlsx"
    with zipfile.ZipFile(word, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UnreadableDocument, match="rename it to .docx"):
        xlsx_to_document(word)


def test_xlsx_zip_bomb_is_refused_before_parsing(tmp_path: Path, national_xlsx: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(national_xlsx) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        with zout.open("xl/media/zeros.bin", "w") as fh:  # 210 MB of zeros, ~200 KB packed
            chunk = bytes(1 << 20)
            for _ in range(210):
                fh.write(chunk)
    with pytest.raises(UnreadableDocument, match="zip bomb"):
        xlsx_to_document(bomb)


# --------------------------------------------------------------------------- number formats


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (3773, "0.00", "3773.00"),
        (0.93, "0%", "93%"),
        (0.931, "0.00%", "93.10%"),
        (10.0, "General", "10"),
        (2.18, "General", "2.18"),
        (0.1 + 0.2, "General", "0.3"),  # 15 significant digits, as Excel
        (12.5, "G/通用格式", "12.5"),  # General in files saved by Chinese-locale Excel/WPS
        (2.675, "0.00", "2.68"),  # half away from zero on the decimal value
        (1234567.891, "#,##0.00", "1,234,567.89"),
        (-5, "0.00_);[Red]\\(0.00\\)", "(5.00)"),
        (0, '_-* #,##0.00_-;\\-* #,##0.00_-;_-* "-"??_-;_-@_-', "-"),  # accounting: zero shows a dash
        (-1234.5, '_-* #,##0.00_-;\\-* #,##0.00_-;_-* "-"??_-;_-@_-', "-1,234.50"),
        (2023, '0"年"', "2023年"),
        (1234.5, "[$¥-804]#,##0.00", "¥1,234.50"),
        (5, "0_ ", "5"),
        (1234567, "#,##0,", "1,235"),
        (12345.678, "0.00E+00", "1.23E+04"),
        (0, "0.00E+00", "0.00E+00"),
        (-0.001, "0.00", "0.00"),
        (5.123, "0.0#", "5.12"),
        (0.5, "# ?/?", "1/2"),
        (1e20, "General", "1E+20"),
    ],
)
def test_format_number(value: float, number_format: str, shown: str) -> None:
    assert format_number(value, number_format) == shown


def test_cell_text_of_other_values() -> None:
    assert cell_text(None, "General") == ""
    assert cell_text(True, "General") == "TRUE"
    assert cell_text(dt.datetime(2024, 3, 15), "yyyy\"年\"m\"月\"d\"日\"") == "2024-03-15"
    assert cell_text(dt.datetime(2024, 3, 15, 9, 30), "yyyy-mm-dd hh:mm") == "2024-03-15 09:30"
    assert cell_text(dt.date(2024, 3, 15), "yyyy-mm-dd") == "2024-03-15"
    assert cell_text("  项目名称\r\n（全称） ", "@") == "项目名称\n（全称）"


# --------------------------------------------------------------------------- .xls


def _convert_to_xls(source: Path, outdir: Path) -> Path | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    profile = outdir / "lo-profile"
    try:
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "xls", "--outdir", str(outdir), str(source)],
            capture_output=True, timeout=180, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    target = outdir / (source.stem + ".xls")
    return target if target.exists() else None  # LibreOffice without Calc cannot load a workbook


@pytest.fixture(scope="module")
def national_xls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("xlrd")
    folder = tmp_path_factory.mktemp("xls")
    source = build_national_form(folder / "national.xlsx")
    target = _convert_to_xls(source, folder)
    if target is None:
        pytest.skip("LibreOffice Calc is not available to make an .xls file (apt-get install libreoffice-calc-nogui)")
    return target


def test_xls_national_form_gives_the_same_cells(national_xls: Path) -> None:
    from extract.readers.xls import xls_to_document

    doc = xls_to_document(national_xls)
    assert doc.format == "xls"
    assert doc.pages == 2
    main = doc.blocks[0]
    assert isinstance(main, Table)
    _assert_national_form(main)
    assert [_at(main, 19, c) for c in range(4)] == ["填报日期", "2024-03-15", "已审核", "TRUE"]
    assert "sheet '代码表' is hidden and was not read" in doc.notes
    assert [t.cells[0].text for t in list(doc.tables())[1:]] == ["填表说明", "附注：单位万元"]


def test_xls_through_read_document(national_xls: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extract

    monkeypatch.setitem(extract.READERS, ".xls", XLS_READER)  # a no-op once registered
    assert extract.READERS[".xls"] == XLS_READER
    _assert_national_form(extract.read_document(national_xls).blocks[0])  # type: ignore[arg-type]


def test_xlsx_package_with_an_xls_suffix_is_read_as_xlsx(tmp_path: Path) -> None:
    from extract.readers.xls import xls_to_document

    path = build_national_form(tmp_path / "export.xls", extras=False)
    doc = xls_to_document(path)
    assert doc.notes[0].startswith("an Excel 2007+ .xlsx package saved with a .xls suffix")
    _assert_national_form(doc.blocks[0])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (os.urandom(2048), "not an Excel .xls file"),
        (b"", "empty"),
        (OLE2_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le"), "password-protected"),
    ],
    ids=["random-bytes", "empty", "encrypted-ooxml"],
)
def test_xls_broken_files_are_refused_with_a_reason(tmp_path: Path, content: bytes, expected: str) -> None:
    from extract.readers.xls import xls_to_document

    path = tmp_path / "broken.xls"
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as info:
        xls_to_document(path)
    assert expected in str(info.value)


def test_an_html_page_saved_as_xls_is_read_as_html(tmp_path: Path) -> None:
    """What web budget systems export as "Excel": an HTML table with a .xls suffix."""
    from extract.readers.xls import xls_to_document

    path = tmp_path / "export.xls"
    path.write_bytes("<html><body><table><tr><td>项目名称</td><td>某项目</td></tr></table></body></html>".encode())
    doc = xls_to_document(path)
    assert [c.text for c in next(doc.tables()).cells] == ["项目名称", "某项目"]
    assert "an HTML page saved with a .xls suffix" in doc.notes[0]


def test_xls_damaged_ole2_workbook(tmp_path: Path) -> None:
    pytest.importorskip("xlrd")
    from extract.readers.xls import xls_to_document

    path = tmp_path / "damaged.xls"
    path.write_bytes(OLE2_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(2000))
    with pytest.raises(UnreadableDocument, match="not a readable Excel .xls file"):
        xls_to_document(path)


def test_xls_without_xlrd_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from extract.readers.xls import xls_to_document

    path = tmp_path / "legacy.xls"
    path.write_bytes(OLE2_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(64))
    monkeypatch.setitem(sys.modules, "xlrd", None)  # import xlrd → ImportError
    with pytest.raises(UnreadableDocument, match="pip install xlrd"):
        xls_to_document(path)
