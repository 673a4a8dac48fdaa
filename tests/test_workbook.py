"""audit.xlsx read back as an auditor would meet it: 概览 worst first with its Δ and links, flagged
rows with their reason on the row and in a comment, Chinese headers, formats, frozen headers,
filters, print set-up; memory flat at 100,000 rows; and (where LibreOffice is installed) rendered
to PDF pages.

The store is built from hand-written records whose expected sheets follow from their figures.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from jixiao import workbook_sheet
from jixiao.store import open_store, write_store
from jixiao.workbook import write_workbook
from jixiao.text import display_width
from jixiao.workbook_columns import SHEETS


def _record(path: str, *, status: str = "ok", name: str = "项目", reported: float | None = 90.0,
            recomputed: float | None = 90.0, indicators: list[dict[str, Any]] | None = None,
            flags: list[dict[str, Any]] | None = None, ocr: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "schema_version": "1", "status": status, "template": "suzhou-2017", "document_kind": "form",
        "scope": "project", "errors": extra.pop("errors", []),
        "source": {"path": path, "sha256": "0" * 64, "format": path.rsplit(".", 1)[-1], "pages": 4, "ocr": ocr},
        "project": {"name": name, "year": 2021, "department": "苏州市水务局", "implementing_unit": None},
        "budget": extra.pop("budget", {}), "subprojects": extra.pop("subprojects", []),
        "indicators": indicators or [], "reported_total": reported, "recomputed_total": recomputed,
        "flags": flags or [], **extra,
    }


def _row(name: str, target: str = "≥95%", reported: float = 5.0, recomputed: float = 5.0, **extra: Any) -> dict:
    return {"category": "产出", "category_points": 40.0, "subcategory": "数量指标", "name": name, "target": target,
            "weight": 5.0, "actual": "96%", "reported_score": reported, "recomputed_score": recomputed,
            "rule": f"完成率 96/95 ≥ 100% → 满分 {recomputed}", **extra}


def _flag(code: str, severity: str, field: str, message: str, reported: Any = None, expected: Any = None) -> dict:
    return {"code": code, "severity": severity, "subject": field, "field": field, "message": message,
            "reported": reported, "expected": expected, "rule": "规则"}


RECORDS = [
    # Nothing wrong: stays plain, sorts last.
    _record("a-clean.docx", name="干净的项目", indicators=[_row("预算执行率", target="=100%"), _row("完成数量")]),
    # Two error flags, the total 84.94 against 94.426842: first, Δ −9.486842.
    _record("b-total-off.docx", name="总分不符的项目", reported=84.94, recomputed=94.426842, indicators=[
        _row("覆盖率"),
        _row("满意度", reported=6.0, recomputed=3.9, page=3, deviation_reason="部分街道未完成调查，下年度补充。"),
    ], flags=[
        _flag("score_mismatch", "error", "indicators[1].reported_score", "reported 自评分 6 but the rules give 3.90",
              6.0, 3.9),
        _flag("total_mismatch", "error", "reported_total", "reported total 84.94 but the rows sum to 94.43",
              84.94, 94.426842),
    ], sections={"存在问题": "资金拨付滞后。"}, sections_other=[{"heading": "其他说明", "text": "无。"}]),
    # One error flag, Δ 20: after b (fewer error flags) although its Δ is larger.
    _record("e-one-error.pdf", name="一个错误", reported=80.0, recomputed=60.0,
            flags=[_flag("total_mismatch", "error", "reported_total", "total", 80.0, 60.0)]),
    # A warning only, Δ 5, read by OCR, a stated total.
    _record("c-warning.pdf", name="有警告的项目", reported=95.0, recomputed=90.0, ocr=True, stated_total=88.0,
            indicators=[_row("完成时间", reported=5.0, recomputed=5.0)],
            flags=[_flag("missing_value", "warning", "indicators[0].actual", "实际完成值 is empty", None, "96%")],
            budget={"unit": "万元", "initial_budget": 1234567.5, "appropriation": 1000.0},
            subprojects=[{"name": "子项一", "amount": 300.0}]),
    # Unreadable: no figures; ties with a on Δ (none) and comes before it by status.
    _record("d-broken.docx", status="error", name=None, reported=None, recomputed=None,
            errors=[{"code": "unreadable_document", "message": "not a zip package"}]),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wb")
    write_store(RECORDS, folder / "dataset.sqlite")
    conn = open_store(folder / "dataset.sqlite")
    try:
        write_workbook(conn, folder / "audit.xlsx")
    finally:
        conn.close()
    return folder / "audit.xlsx"


def _rows(ws: Any) -> list[dict[str, Any]]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]


def _cell(ws: Any, row: int, header: str) -> Any:
    names = [c.value for c in ws[1]]
    return ws.cell(row=row, column=names.index(header) + 1)


def test_overview_first_worst_first_with_delta_and_counts(book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    assert wb.sheetnames[0] == "概览"
    assert wb.sheetnames == ["概览", "指标", "标记", "叙述", "跨报告发现", "项目系列", "子项目", "预算", "预算明细", "说明"]
    rows = _rows(wb["概览"])
    assert [r["文件"] for r in rows] == ["b-total-off.docx", "e-one-error.pdf", "c-warning.pdf", "d-broken.docx",
                                        "a-clean.docx"]
    b = rows[0]
    assert (b["状态"], b["项目名称"], b["年度"], b["表式"]) == ("正常", "总分不符的项目", 2021, "suzhou-2017")
    assert (b["报告总分"], b["重算总分"]) == (84.94, 94.426842)
    assert b["总分差"] == pytest.approx(-9.486842)
    assert (b["错误"], b["警告"], b["提示"]) == (2, 0, 0)
    assert rows[2]["自述总分"] == 88.0 and rows[2]["OCR"] == "是" and rows[2]["警告"] == 1
    assert rows[3]["状态"] == "无法读取" and "unreadable_document" in rows[3]["读取问题"]


def test_overview_colours_only_what_needs_a_look(book: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(book)["概览"]
    red, amber = workbook_sheet.FILLS["error"][1:], workbook_sheet.FILLS["warning"][1:]

    def fill(row: int, header: str) -> str:
        cell = _cell(ws, row, header)
        return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else ""

    assert fill(2, "错误") == red and fill(2, "总分差") == red  # b: error flags, total_mismatch
    assert fill(4, "警告") == amber and fill(4, "错误") == ""  # c: a warning only
    assert fill(5, "状态") == red  # d: unreadable
    clean = [fill(6, c.value) for c in ws[1]]  # a: nothing wrong
    assert clean == [""] * len(clean)


def test_overview_links_to_the_reports_first_indicator_row(book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["概览"]
    links = {}
    for row in range(2, ws.max_row + 1):
        cell = _cell(ws, row, "指标行")
        links[_cell(ws, row, "文件").value] = cell.hyperlink.location if cell.hyperlink else None
    # 指标 rows by file name: a (2 rows: 2–3), b (4–5), c (6); e and d have none.
    assert links == {"a-clean.docx": "'指标'!A2", "b-total-off.docx": "'指标'!A4", "c-warning.pdf": "'指标'!A6",
                     "e-one-error.pdf": None, "d-broken.docx": None}
    assert wb["指标"]["A4"].value == "b-total-off.docx" and wb["指标"]["A6"].value == "c-warning.pdf"


def test_flagged_row_shows_its_reason_on_the_row_and_in_a_comment(book: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(book)["指标"]
    rows = _rows(ws)
    assert list(rows[0]) == ["文件", "序号", "页", "一级指标", "一级分值", "二级指标", "指标名称", "目标值", "权重",
                             "实际完成值", "报告得分", "重算得分", "得分差", "标记", "计分规则", "偏差原因", "OCR"]
    flagged = rows[3]  # b, row 1
    assert (flagged["指标名称"], flagged["页"], flagged["序号"]) == ("满意度", 3, 1)
    assert flagged["标记"] == "score_mismatch: reported 自评分 6 but the rules give 3.90"
    assert flagged["偏差原因"] == "部分街道未完成调查，下年度补充。"
    assert flagged["计分规则"].startswith("完成率 96/95") and flagged["得分差"] == pytest.approx(2.1)
    score = _cell(ws, 5, "报告得分")
    assert score.comment is not None and "score_mismatch: reported 自评分 6" in score.comment.text
    assert score.fill.fgColor.rgb.endswith(workbook_sheet.FILLS["error"][1:])
    assert _cell(ws, 5, "标记").fill.fgColor.rgb.endswith(workbook_sheet.FILLS["error"][1:])
    warned = _cell(ws, 6, "实际完成值")  # c: missing_value on its actual, amber, and read by OCR
    assert warned.fill.fgColor.rgb.endswith(workbook_sheet.FILLS["warning"][1:]) and "实际完成值 is empty" in warned.comment.text
    assert rows[4]["OCR"] == "是" and rows[0]["OCR"] == "否"
    assert _cell(ws, 2, "报告得分").comment is None and not _cell(ws, 2, "报告得分").fill.fill_type


def test_strings_stay_text_and_numbers_have_formats(book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["指标"]
    target = _cell(ws, 2, "目标值")
    assert (target.value, target.data_type) == ("=100%", "s")  # a target, not a formula
    assert _cell(ws, 2, "报告得分").number_format == "0.00"
    assert _cell(ws, 2, "权重").number_format == "0.00"
    overview = wb["概览"]
    assert _cell(overview, 2, "总分差").number_format == "0.00" and _cell(overview, 2, "年度").number_format == "0"
    budget = wb["预算"]
    money = next(r for r in range(2, budget.max_row + 1) if _cell(budget, r, "文件").value == "c-warning.pdf")
    assert _cell(budget, money, "年初预算数").value == 1234567.5
    assert _cell(budget, money, "年初预算数").number_format == "#,##0.00"
    assert _cell(budget, money, "单位").value == "万元"
    assert _cell(ws, 2, "指标名称").alignment.wrap_text  # long names wrap


def test_flags_sheet_has_the_row_number_linked_and_numbers_as_numbers(book: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(book)["标记"]
    rows = _rows(ws)
    by = {(r["文件"], r["代码"]): (i, r) for i, r in enumerate(rows, start=2)}
    i, score = by[("b-total-off.docx", "score_mismatch")]
    assert (score["指标序号"], score["级别"], score["报告值"], score["应为值"]) == ("1", "错误", 6, 3.9)
    assert _cell(ws, i, "指标序号").hyperlink.location == "'指标'!A5"
    _, total = by[("b-total-off.docx", "total_mismatch")]
    assert total["指标序号"] is None
    _, warning = by[("c-warning.pdf", "missing_value")]
    assert (warning["级别"], warning["应为值"]) == ("警告", "96%")  # text where the value is not a number


def test_sections_findings_and_explanation(book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    sections = _rows(wb["叙述"])
    assert [(r["文件"], r["章节"], r["其他章节"], r["内容"]) for r in sections] == [
        ("b-total-off.docx", "存在问题", "否", "资金拨付滞后。"), ("b-total-off.docx", "其他说明", "是", "无。")]
    assert wb["跨报告发现"]["A2"].value.startswith("未发现跨报告问题")
    assert wb["项目系列"]["A2"].value.startswith("未发现")
    assert _rows(wb["子项目"])[0]["子项目名称"] == "子项一"
    explained = {(r["工作表"], r["列"]): r for r in _rows(wb["说明"]) if r["列"]}
    assert explained[("概览", "总分差")]["CSV / SQLite 键"] == "reports.total_delta"
    assert explained[("指标", "偏差原因")]["JSON 键"] == "indicators[].deviation_reason"
    assert len(explained) == sum(len(cols) for _, cols in SHEETS.values())


def test_findings_sheets_list_the_rows_when_there_are_some(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    write_store(RECORDS[:1], tmp_path / "dataset.sqlite")
    conn = open_store(tmp_path / "dataset.sqlite")
    with conn:
        conn.execute("INSERT INTO patterns (code, severity, subject, source_paths, years, message, evidence) VALUES "
                     "('target_lowered', 'warning', '覆盖率', 'a.docx;b.docx', '2021;2022', '目标调低', '≥95% → ≥90%')")
    write_workbook(conn, tmp_path / "audit.xlsx")
    conn.close()
    rows = _rows(load_workbook(tmp_path / "audit.xlsx")["跨报告发现"])
    assert [(r["代码"], r["级别"], r["对象"], r["依据"]) for r in rows] == [
        ("target_lowered", "警告", "覆盖率", "≥95% → ≥90%")]


def test_sheets_frozen_filtered_and_set_up_for_printing(book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    for ws in wb:
        assert ws.freeze_panes in ("A2", "C2"), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        setup = ws.page_setup
        # fitToWidth 1 is the file format's default, so it may be left out.
        assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows.replace("$", "") == "1:1", ws.title
        assert ws.page_margins.left == 0.4 and ws.page_margins.top == 0.6
    assert wb["概览"].freeze_panes == "C2"  # the status and the project stay in view


def test_widths_fit_cjk_text(book: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(book)["指标"]
    width = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    longest_name = max(display_width(r["name"]) for rec in RECORDS for r in rec["indicators"])  # 预算执行率
    assert longest_name == 10 and width["指标名称"] >= longest_name
    assert width["计分规则"] <= 36 + 1  # capped and wrapped


def test_sheet_past_excels_row_limit_says_where_the_rest_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    many = [_record(f"r{i:02}.docx", indicators=[_row(f"指标{j}") for j in range(5)]) for i in range(6)]  # 30 rows
    write_store(many, tmp_path / "dataset.sqlite")
    monkeypatch.setattr(workbook_sheet, "EXCEL_MAX_ROWS", 20)
    conn = open_store(tmp_path / "dataset.sqlite")
    write_workbook(conn, tmp_path / "small.xlsx")
    conn.close()
    wb = load_workbook(tmp_path / "small.xlsx")
    ws = wb["指标"]
    assert ws.max_row == 20
    assert ws.cell(row=19, column=1).value == "r03.docx"  # 18 rows shown
    assert ws.cell(row=20, column=1).value.startswith(f"… 另有 {30 - 18} 行未列出：见 CSV 文件或 dataset.sqlite")
    assert wb["概览"].max_row == 7  # small sheets whole
    links = {_cell(wb["概览"], r, "文件").value: _cell(wb["概览"], r, "指标行").hyperlink for r in range(2, 8)}
    assert links["r03.docx"].location == "'指标'!A17" and links["r04.docx"] is None  # r04 starts past the limit


def test_control_characters_and_overlong_text_are_written_safely(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    record = _record("odd\x01name.docx", sections={"项目概况": "长" * 40_000})
    write_store([record], tmp_path / "dataset.sqlite")
    conn = open_store(tmp_path / "dataset.sqlite")
    write_workbook(conn, tmp_path / "audit.xlsx")
    conn.close()
    wb = load_workbook(tmp_path / "audit.xlsx")
    assert _cell(wb["概览"], 2, "文件").value == "odd\\x01name.docx"
    text = wb["叙述"]["E2"].value
    assert len(text) == workbook_sheet.EXCEL_MAX_CHARS and text.endswith("全文见 dataset.sqlite / JSON）")


# Files read and found to be no report at all (jixiao.inputs.not_a_report): status error, an error of
# code not_a_report (for stray.pdf after another error: the store joins them "code: message; …").
_NOT_A_REPORT = {"code": "not_a_report", "message": "read, and no report at all: none of the words a self-evaluation uses"}
NOT_REPORTS = [
    _record("notes.txt", status="error", name=None, reported=None, recomputed=None, errors=[_NOT_A_REPORT]),
    _record("x/stray.pdf", status="error", name=None, reported=None, recomputed=None,
            errors=[{"code": "pdf_fonts", "message": "odd fonts"}, _NOT_A_REPORT]),
]


def test_files_that_are_no_report_are_listed_below_the_overview_not_as_failures(tmp_path: Path) -> None:
    """notes.txt and x/stray.pdf are no 无法读取 rows of 概览 nor rows of 预算: 概览's table (and its
    filter) holds the reports alone, then, after an empty row, 非报告文件 2 个 and their paths."""
    from openpyxl import load_workbook

    write_store([*RECORDS, *NOT_REPORTS], tmp_path / "dataset.sqlite")
    conn = open_store(tmp_path / "dataset.sqlite")
    write_workbook(conn, tmp_path / "audit.xlsx")
    conn.close()
    wb = load_workbook(tmp_path / "audit.xlsx")
    ws = wb["概览"]
    rows = _rows(ws)
    assert [r["文件"] for r in rows[:5]] == ["b-total-off.docx", "e-one-error.pdf", "c-warning.pdf", "d-broken.docx",
                                            "a-clean.docx"]
    assert [r["状态"] for r in rows[:5]].count("无法读取") == 1  # d-broken.docx alone
    assert ws.auto_filter.ref == f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}6"
    assert all(v is None for v in rows[5].values())  # an empty row between
    below = [ws.cell(row=r, column=1).value for r in range(8, ws.max_row + 1)]
    assert below[0].startswith("非报告文件 2 个：读取后判定不是绩效自评报告（错误代码 not_a_report），未计入上表的报告")
    assert below[1:] == ["notes.txt", "x/stray.pdf"]
    assert [r["文件"] for r in _rows(wb["预算"])] == ["a-clean.docx", "b-total-off.docx", "c-warning.pdf",
                                                     "d-broken.docx", "e-one-error.pdf"]
    assert any("非报告文件" in (r[0] or "") for r in wb["说明"].iter_rows(values_only=True))


def test_a_store_of_no_reports_says_so_and_lists_the_files(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    write_store(NOT_REPORTS[:1], tmp_path / "dataset.sqlite")
    conn = open_store(tmp_path / "dataset.sqlite")
    write_workbook(conn, tmp_path / "audit.xlsx")
    conn.close()
    ws = load_workbook(tmp_path / "audit.xlsx")["概览"]
    shown = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert shown[:2] == ["没有报告。", None] and shown[2].startswith("非报告文件 1 个") and shown[3:] == ["notes.txt"]
    assert ws.auto_filter.ref.endswith("2")


def test_an_empty_store_gives_a_workbook_that_says_so(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    conn = open_store(tmp_path / "dataset.sqlite")
    write_workbook(conn, tmp_path / "audit.xlsx")
    conn.close()
    wb = load_workbook(tmp_path / "audit.xlsx")
    said = {ws.title: ws["A2"].value for ws in wb if ws.title not in ("预算", "说明")}
    assert said == {"概览": "没有报告。", "指标": "没有指标行。", "标记": "没有标记。", "叙述": "没有叙述章节。",
                    "跨报告发现": "未发现跨报告问题（内容雷同、目标调低、未达标却满分）。", "项目系列": "未发现跨年度的同一项目。",
                    "子项目": "没有子项目。", "预算明细": "没有资金明细行（只有国家表式及其地方版有）。"}


def synthetic_records(reports: int, rows: int = 100) -> Iterator[dict[str, Any]]:
    """``reports`` records of ``rows`` indicator rows each, a flag on every 20th row."""
    for i in range(reports):
        indicators = [_row(f"指标名称第{j}项：覆盖率与满意度", reported=5.0, recomputed=4.0 if j % 20 == 0 else 5.0)
                      for j in range(rows)]
        flags = [_flag("score_mismatch", "error", f"indicators[{j}].reported_score", "reported 5 but the rules give 4",
                       5.0, 4.0) for j in range(0, rows, 20)]
        yield _record(f"archive/{i:06}.docx", name=f"项目{i}", reported=90.0, recomputed=90.0 - len(flags),
                      indicators=indicators, flags=flags)


_RSS = """
import resource, sqlite3, sys
from pathlib import Path
from jixiao.workbook import write_workbook
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
write_workbook(sqlite3.connect(sys.argv[1]), Path(sys.argv[2]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


@pytest.mark.slow
def test_memory_stays_flat_as_rows_grow(tmp_path: Path) -> None:
    """Peak memory (RSS, kB, in a fresh process) while writing 2,000 and 20,000 indicator rows, 5%
    flagged with a comment each: ten times the rows takes no more than a few MB more. (By hand, at
    100,000 rows: see the README's audit.xlsx paragraph.)"""
    grown = {}
    for reports in (20, 200):
        store = tmp_path / f"s{reports}.sqlite"
        write_store(list(synthetic_records(reports)), store)
        out = subprocess.run([sys.executable, "-c", _RSS, str(store), str(tmp_path / f"w{reports}.xlsx")],
                             capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1])
        grown[reports] = int(out.stdout.split()[-1])
    assert grown[200] - grown[20] < 8_000, grown  # kB


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None or PDFTOPPM is None,
                    reason="rendering needs LibreOffice (soffice) and poppler's pdftoppm, not installed here")
def test_renders_to_pdf_pages_a_person_can_read(book: Path, tmp_path: Path) -> None:
    """LibreOffice prints the workbook; every sheet fits the page width, so no page is a strip of
    columns cut off another; the pages are kept as PNG for a person to look at."""
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(book)], check=True, timeout=180, capture_output=True)
    pdf = tmp_path / "audit.pdf"
    assert pdf.exists()
    subprocess.run([PDFTOPPM, "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    pdftotext = PDFTOPPM.replace("pdftoppm", "pdftotext")
    texts = [subprocess.run([pdftotext, "-f", str(i), "-l", str(i), "-layout", str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for i in range(1, len(pages) + 1)]
    sheets = [text.split()[0] for text in texts]  # the page header names the sheet
    # One page per sheet for these few rows (fitted to the width: no page is a strip of columns cut
    # off another); 说明 lists ~90 columns over a few pages, its header row on each.
    assert sheets[:9] == ["概览", "指标", "标记", "叙述", "跨报告发现", "项目系列", "子项目", "预算", "预算明细"]
    assert set(sheets[9:]) == {"说明"} and len(sheets) <= 13, sheets
    assert all("CSV / SQLite 键" in text for text in texts[9:])
    assert "总分不符的项目" in texts[0] and "-9.49" in texts[0] and "第 4 行" in texts[0]
    assert "score_mismatch: reported 自评分 6" in texts[1] and "部分街道未完成调查" in texts[1]
