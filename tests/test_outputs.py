"""dataset.sqlite and audit.xlsx hold the same rows as the CSV files."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import pytest

from jixiao.runner import run_extract
from tests.conftest import SAMPLES


@pytest.fixture()
def run(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("suzhou-2020-egov-selfeval.txt", "suzhou-2018-road-maintenance-weight-total-faults.docx",
                 "broken-random-bytes.docx"):
        shutil.copy(SAMPLES / name, src / name)
    out = tmp_path / "out"
    run_extract(src, out)
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_sqlite_has_the_csv_rows_with_keys_and_indexes(run: Path) -> None:
    conn = sqlite3.connect(run / "dataset.sqlite")
    for table in ("reports", "indicators", "subprojects", "flags"):
        (count,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert count == len(_csv(run / f"{table}.csv")), table
    assert conn.execute("SELECT weight, target FROM indicators WHERE name = '预算执行率'").fetchone() == (6.0, "=100%")
    statuses = dict(conn.execute("SELECT source_path, status FROM reports").fetchall())
    assert statuses["broken-random-bytes.docx"] == "error"
    indexes = {row[1] for row in conn.execute("SELECT * FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_reports_template", "idx_flags_code"} <= indexes
    pk = [r[1] for r in conn.execute("PRAGMA table_info(indicators)") if r[5]]
    assert pk == ["source_path", "indicator_index"]


def test_rerun_updates_the_store_in_place(run: Path) -> None:
    src = run.parent / "in"
    run_extract(src, run)
    conn = sqlite3.connect(run / "dataset.sqlite")
    assert conn.execute("SELECT count(*) FROM reports").fetchone() == (3,)
    assert conn.execute("SELECT count(*) FROM indicators").fetchone() == (38 + 36,)


def test_workbook_overview_worst_first_and_a_flagged_row_with_its_reason(run: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(run / "audit.xlsx")
    assert wb.sheetnames[0] == "概览"
    overview = wb["概览"]
    names = [c.value for c in overview[1]]
    reports = [dict(zip(names, r)) for r in overview.iter_rows(min_row=2, values_only=True)]
    # Both forms have two error flags; the seed's total is further off (80 against 77.9, the road
    # report's 77.11 against 76.110053); the unreadable file has none.
    assert [r["文件"] for r in reports] == ["suzhou-2020-egov-selfeval.txt",
                                           "suzhou-2018-road-maintenance-weight-total-faults.docx",
                                           "broken-random-bytes.docx"]
    assert reports[0]["总分差"] == pytest.approx(80.0 - 77.9) and reports[0]["错误"] == 2
    assert reports[1]["总分差"] == pytest.approx(77.11 - 76.110053)
    assert reports[2]["状态"] == "无法读取"
    ws = wb["指标"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 38 + 36
    row_no = next(i for i, r in enumerate(rows, start=2) if r["指标名称"] == "预算执行率"
                  and r["文件"] == "suzhou-2020-egov-selfeval.txt")
    target = ws.cell(row=row_no, column=header.index("目标值") + 1)
    assert (target.value, target.data_type) == ("=100%", "s")  # text, not a formula
    reported = ws.cell(row=row_no, column=header.index("报告得分") + 1)
    assert reported.fill.fgColor.rgb.endswith("FFC7CE") and "score_mismatch" in reported.comment.text
    assert rows[row_no - 2]["标记"].startswith("score_mismatch: reported 自评分 6")
    clean = ws.cell(row=row_no + 1, column=header.index("报告得分") + 1)
    assert not clean.fill.fgColor.rgb.endswith("FFC7CE")


def test_workbook_sheet_past_excels_row_limit_says_where_the_rest_is(run: Path, monkeypatch, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from jixiao import workbook, workbook_sheet

    monkeypatch.setattr(workbook_sheet, "EXCEL_MAX_ROWS", 20)
    workbook.write_workbook(sqlite3.connect(run / "dataset.sqlite"), tmp_path / "small.xlsx")
    ws = load_workbook(tmp_path / "small.xlsx")["指标"]
    assert ws.max_row == 20
    assert ws.cell(row=20, column=1).value.startswith(f"… 另有 {38 + 36 - 18} 行未列出：见 CSV 文件或 dataset.sqlite")
    assert load_workbook(tmp_path / "small.xlsx")["概览"].max_row == 4  # small sheets whole
