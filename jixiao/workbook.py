"""audit.xlsx: the auditor's workbook, rendered from the store (dataset.sqlite) by streaming queries.

`概览` first: one row per report, worst first (error flags, then |Δ total|), with a link to its rows
on `指标`, where each row carries its rule, its flags' messages (and a comment on the flagged cell),
偏差原因, page and OCR; then `标记`, `叙述`, the cross-report findings, subprojects, budgets and `说明`
(every column's meaning and its key in CSV/SQLite/JSON). A file read and found to be no report at all
(error code not_a_report, a stray notes.txt) is no report that failed: it is left out of 概览 and
预算 (a WHERE clause) and listed by path below 概览's table, under 非报告文件. Only what needs a look is coloured: errors
red, warnings amber. Every sheet prints on A4 landscape, fitted to the width, header on each page.

Memory stays flat at any archive size: xlsxwriter's constant_memory mode writes each row as it
comes, so every sheet is one ``ORDER BY`` query read row by row (links and comments in row order).
Every string is stored as text: ``=100%`` must stay a target, never become a formula.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterator

from jixiao import workbook_sheet
from jixiao.workbook_columns import SEVERITY_LABELS, SHEETS, STATUS_LABELS, Column, store_key
from jixiao.workbook_sheet import Formats, Sheet, column_widths
from jixiao.writers import publish

__all__ = ["write_workbook"]

INDICATOR_SHEET = "指标"
# Which flag code marks which columns of an indicator row when its field names no column.
_HIGHLIGHT = {
    "score_mismatch": ("reported_score", "recomputed_score", "score_delta"),
    "score_exceeds_weight": ("reported_score", "weight"),
    "missing_value": ("actual",),
    "weight_sum_mismatch": ("weight",),
    "unit_mismatch": ("target", "actual"),
    "needs_review": ("actual",),
    "execution_rate_mismatch": ("actual",),
    "missing_deviation_reason": ("deviation_reason",),
}
# A report-level flag's field → the columns it marks on 概览 / 预算.
_REPORT_FIELDS = {"reported_total": ("reported_total", "total_delta"), "recomputed_total": ("recomputed_total",)}
_SEP, _END = "\x1f", "\x1e"  # between a flag's parts, between flags (in group_concat)
# A reports row that is no report (as jixiao.runner.is_not_a_report: status error with an error of
# code not_a_report; reports.errors is "code: message; …"); {r} is the table's alias and a dot, or "".
_NOT_A_REPORT = ("({r}status = 'error' AND (substr(coalesce({r}errors, ''), 1, 13) = 'not_a_report:' "
                 "OR instr(coalesce({r}errors, ''), '; not_a_report:') > 0))")
IS_REPORT = f"NOT {_NOT_A_REPORT.format(r='r.')}"
_STATUS_ORDER = "CASE r.status WHEN 'error' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END"
# Each report's first row on the indicator sheet (header = row 1; rows ordered by source_path, index).
_FIRST_ROWS = """
WITH counts AS (SELECT source_path, count(*) AS n FROM indicators GROUP BY source_path),
firsts AS (SELECT source_path, n, 2 + coalesce(sum(n) OVER (ORDER BY source_path
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS first_row FROM counts)
"""
_REPORT_FLAGS = (f"(SELECT group_concat(g.severity || '{_SEP}' || g.field, '{_END}') FROM flags g "
                 "WHERE g.source_path = r.source_path AND g.indicator_index IS NULL AND g.field IS NOT NULL "
                 "AND g.field NOT LIKE 'indicators%' AND g.field NOT LIKE 'budget_lines%') AS report_flags")


def write_workbook(conn: sqlite3.Connection, path: Path) -> None:
    """Write ``path`` from the store behind ``conn`` (atomically: a temporary file, then renamed)."""
    # xlsxwriter, row by row (constant memory): about 2.5× faster than openpyxl's write-only mode.
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    # Strings stay strings: no formulas, numbers or links guessed from text such as "=100%".
    wb = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False})
    try:
        book = _Book(wb, conn)
        _summary(book)
        _indicators(book)
        _flags(book)
        _sections(book)
        _findings(book, "跨报告发现", "未发现跨报告问题（内容雷同、目标调低、未达标却满分）。")
        _findings(book, "项目系列", "未发现跨年度的同一项目。")
        _plain(book, "子项目", "SELECT * FROM subprojects ORDER BY source_path, subproject_index", "没有子项目。")
        _budget(book)
        _budget_lines(book)
        _explain(book)
        wb.close()
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Book:
    def __init__(self, wb: Any, conn: sqlite3.Connection) -> None:
        self.wb, self.conn = wb, conn
        self.formats = Formats(wb)
        self.header = self.formats.header
        self.tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def fmt(self, kind: str, severity: str | None = None) -> Any:
        return self.formats.fmt(kind, severity)

    def note(self, severity: str | None) -> Any:
        return self.formats.note(severity)

    def rows(self, sql: str) -> Iterator[sqlite3.Row]:
        """A streaming query whose rows are read by column name, whatever the connection's row factory."""
        cur = self.conn.cursor()
        cur.row_factory = sqlite3.Row
        yield from cur.execute(sql)

    def sheet(self, name: str, columns: tuple[Column, ...] | None = None, freeze_cols: int = 0,
              sql_of: dict[str, str] | None = None) -> Sheet:
        table, spec = SHEETS[name]
        columns = columns or spec
        where = f"NOT {_NOT_A_REPORT.format(r='')}" if table == "reports" else ""  # widths fit the reports shown
        return Sheet(self, name, columns, column_widths(self.conn, table, columns, sql_of, where), freeze_cols)


def _worst(marks: dict[str, str], column: str, severity: str) -> None:
    if severity in ("error", "warning") and marks.get(column) != "error":
        marks[column] = severity


def _parts(text: str | None) -> list[list[str]]:
    return [flag.split(_SEP) for flag in text.split(_END)] if text else []


def _report_marks(row: sqlite3.Row, flags: str | None) -> dict[str, str]:
    marks: dict[str, str] = {}
    for severity, field in _parts(flags):
        key = field[len("budget."):] if field.startswith("budget.") else field
        for column in _REPORT_FIELDS.get(key, (key,)):
            _worst(marks, column, severity)
    if row["status"] != "ok":
        _worst(marks, "status", "error" if row["status"] == "error" else "warning")
        _worst(marks, "errors", "error" if row["status"] == "error" else "warning")
    if row["error_flags"]:
        _worst(marks, "error_flags", "error")
    if row["warning_flags"]:
        _worst(marks, "warning_flags", "warning")
    return marks


def _summary(book: _Book) -> None:
    ws = book.sheet("概览", freeze_cols=2)
    sql = f"""{_FIRST_ROWS}
    SELECT r.*, coalesce(r.flag_count, 0) - coalesce(r.error_flags, 0) - coalesce(r.warning_flags, 0) AS info_flags,
           f.first_row, f.n AS indicator_rows, {_REPORT_FLAGS}
    FROM reports r LEFT JOIN firsts f ON f.source_path = r.source_path
    WHERE {IS_REPORT}
    ORDER BY coalesce(r.error_flags, 0) DESC, abs(coalesce(r.total_delta, 0)) DESC, {_STATUS_ORDER},
             coalesce(r.warning_flags, 0) DESC, r.source_path"""
    for row in book.rows(sql):
        links = {}
        first = row["first_row"]
        if first is not None and first < workbook_sheet.EXCEL_MAX_ROWS - 1:
            links["first_row"] = (f"'{INDICATOR_SHEET}'!A{first}", f"第 {first} 行 ({row['indicator_rows']})")
        values = {**dict(row), "flag_codes": (row["flag_codes"] or "").replace(" ", "\n")}
        ws.write(values, _report_marks(row, row["report_flags"]), links=links)
    if ws.row_no == 1:
        ws.line("没有报告。")
    _not_reports(book, ws)
    ws.close()


def _not_reports(book: _Book, ws: Sheet) -> None:
    """Below 概览's table: the files read and found to be no report, counted apart, one path a line."""
    where = _NOT_A_REPORT.format(r="")
    n = book.conn.execute(f"SELECT count(*) FROM reports WHERE {where}").fetchone()[0]
    if not n:
        return
    ws.end_table()
    ws.line(f"非报告文件 {n} 个：读取后判定不是绩效自评报告（错误代码 not_a_report），未计入上表的报告，"
            "也不算读取失败。若其中有报告，请说明其表式（jixiao forms show generic）后用 --forms 重新运行。")
    for row in book.rows(f"SELECT source_path FROM reports WHERE {where} ORDER BY source_path"):
        ws.line(row["source_path"])


def _indicators(book: _Book) -> None:
    ws = book.sheet(INDICATOR_SHEET, freeze_cols=0)
    keys = {col.key for col in ws.columns}
    sql = f"""SELECT i.*, (SELECT group_concat(g.severity || '{_SEP}' || g.code || '{_SEP}' || coalesce(g.field, '')
                 || '{_SEP}' || coalesce(g.message, ''), '{_END}')
               FROM (SELECT * FROM flags WHERE source_path = i.source_path AND indicator_index = i.indicator_index
                     ORDER BY flag_index) g) AS row_flags
              FROM indicators i ORDER BY i.source_path, i.indicator_index"""
    for row in book.rows(sql):
        marks: dict[str, str] = {}
        comments: dict[str, list[str]] = {}
        for severity, code, field, message in _parts(row["row_flags"]):
            named = field.rsplit(".", 1)[-1] if "." in field else ""
            columns = (named,) if named in keys else _HIGHLIGHT.get(code, ("name",))
            for column in columns:
                _worst(marks, column, severity)
            comments.setdefault(columns[0], []).append(f"{SEVERITY_LABELS.get(severity, severity)} {code}: {message}")
            _worst(marks, "flag_messages", severity)
        ws.write(row, marks, {k: "\n".join(v) for k, v in comments.items()})
    if ws.row_no == 1:
        ws.line("没有指标行。")
    ws.close()


def _flags(book: _Book) -> None:
    ws = book.sheet("标记", sql_of={"reported": "coalesce(reported, reported_text)",
                                    "expected": "coalesce(expected, expected_text)"})
    sql = f"""{_FIRST_ROWS}
    SELECT g.*, coalesce(g.reported, g.reported_text) AS shown_reported,
           coalesce(g.expected, g.expected_text) AS shown_expected, f.first_row + g.indicator_index AS indicator_row
    FROM flags g LEFT JOIN firsts f ON f.source_path = g.source_path ORDER BY g.source_path, g.flag_index"""
    for row in book.rows(sql):
        values = {**dict(row), "reported": row["shown_reported"], "expected": row["shown_expected"]}
        marks: dict[str, str] = {}
        _worst(marks, "severity", row["severity"])
        _worst(marks, "code", row["severity"])
        links = {}
        target = row["indicator_row"]
        if target is not None and target < workbook_sheet.EXCEL_MAX_ROWS - 1:
            links["indicator_index"] = (f"'{INDICATOR_SHEET}'!A{target}", str(row["indicator_index"]))
        ws.write(values, marks, links=links)
    if ws.row_no == 1:
        ws.line("没有标记。")
    ws.close()


def _sections(book: _Book) -> None:
    if "sections" not in book.tables:
        ws = book.sheet("叙述")
        ws.line("存储中没有叙述章节表（sections）。")
        ws.close()
        return
    _plain(book, "叙述", "SELECT * FROM sections ORDER BY source_path, section_index", "没有叙述章节。")


def _plain(book: _Book, name: str, sql: str, empty: str = "没有数据。") -> None:
    ws = book.sheet(name)
    for row in book.rows(sql):
        ws.write(row)
    if ws.row_no == 1:
        ws.line(empty)
    ws.close()


def _findings(book: _Book, name: str, none_found: str) -> None:
    """patterns / projects, computed by the cross-report stage: its columns, known ones first."""
    table, spec = SHEETS[name]
    if table not in book.tables:
        ws = book.sheet(name)
        ws.line(f"{none_found}（跨报告分析尚未运行：存储中没有 {table} 表）")
        ws.close()
        return
    present = [row[1] for row in book.conn.execute(f"PRAGMA table_info({table})")]
    columns = tuple(col for col in spec if col.key in present)
    columns += tuple(Column(key, key, f"{table}.{key}", "wrap", 30) for key in present
                     if key not in {col.key for col in spec})
    ws = book.sheet(name, columns)
    order = ", ".join(f'"{k}"' for k in ("code", "severity", "subject", "project_key", "years", "source_paths")
                      if k in present) or "rowid"
    for row in book.rows(f"SELECT * FROM {table} ORDER BY {order}"):
        marks: dict[str, str] = {}
        if "severity" in present:
            _worst(marks, "severity", row["severity"])
        values = dict(row)
        if isinstance(values.get("source_paths"), str):  # one file a line
            values["source_paths"] = values["source_paths"].replace(";", "\n")
        ws.write(values, marks)
    if ws.row_no == 1:
        ws.line(none_found)
    ws.close()


def _budget(book: _Book) -> None:
    ws = book.sheet("预算")
    for row in book.rows(f"SELECT r.*, {_REPORT_FLAGS} FROM reports r WHERE {IS_REPORT} ORDER BY r.source_path"):
        marks: dict[str, str] = {}
        for severity, field in _parts(row["report_flags"]):
            _worst(marks, field[len("budget."):] if field.startswith("budget.") else field, severity)
        ws.write(row, marks)
    ws.close()


def _budget_lines(book: _Book) -> None:
    ws = book.sheet("预算明细")
    sql = f"""SELECT b.*, (SELECT group_concat(g.severity || '{_SEP}' || g.field, '{_END}') FROM flags g
                 WHERE g.source_path = b.source_path AND g.field LIKE 'budget_lines[' || b.line_index || ']%') AS line_flags
              FROM budget_lines b ORDER BY b.source_path, b.line_index"""
    for row in book.rows(sql):
        marks: dict[str, str] = {}
        for severity, field in _parts(row["line_flags"]):
            _worst(marks, field.rsplit(".", 1)[-1] if "." in field else "item", severity)
        reported, recomputed = row["reported_score"], row["recomputed_score"]
        if reported is not None and recomputed is not None and abs(reported - recomputed) > 0.05:
            _worst(marks, "reported_score", "error")
        ws.write(row, marks)
    if ws.row_no == 1:
        ws.line("没有资金明细行（只有国家表式及其地方版有）。")
    ws.close()


_EXPLAIN = (
    Column("sheet", "工作表", "", "text", 12), Column("header", "列", "", "text", 12),
    Column("meaning", "含义", "", "wrap", 60), Column("store", "CSV / SQLite 键", "", "wrap", 36),
    Column("json", "JSON 键", "", "wrap", 34),
)


def _explain(book: _Book) -> None:
    ws = Sheet(book, "说明", _EXPLAIN, {col.key: col.width for col in _EXPLAIN})
    ws.line("每列的含义，以及同一数值在 CSV 文件 / dataset.sqlite（表.列）和 JSON 记录中的键。序号从 0 起。")
    ws.line("颜色：红 = 错误（数字对不上），琥珀色 = 警告（需要看一下）；无问题的报告不着色。被标记的单元格有批注。")
    labels = "；".join(f"{v} = {k}" for k, v in [*STATUS_LABELS.items(), *SEVERITY_LABELS.items()])
    ws.line(f"状态与级别在表中以中文显示，存储中的键：{labels}；是/否 = 1/0。")
    ws.line("非报告文件（读取后判定不是报告：存储中 status = error，errors 以 not_a_report: 开头）不列入概览与预算，"
            "不计入报告数，在概览表下方单独列出路径。")
    for name, (table, columns) in SHEETS.items():
        for col in columns:
            ws.write({"sheet": name, "header": col.header, "meaning": col.meaning, "store": store_key(table, col),
                      "json": col.json})
    ws.close()
