"""audit.xlsx: the auditor's workbook — every report with its flags first, then the tables,
mismatching cells highlighted, frozen headers, filters, readable column widths.

Every string is stored as text: ``=100%`` must stay a target, never become a formula.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from jixiao.writers import COLUMNS, publish, records_to_rows

ERROR_FILL = "FFC7CE"  # light red: the figures disagree
WARNING_FILL = "FFEB9C"  # light yellow: look at it
HEADER_FILL = "DDEBF7"
_WIDTHS = {"source_path": 40, "name": 30, "project_name": 30, "department": 24, "message": 60, "rule": 50,
           "errors": 50, "flag_codes": 30, "subject": 24, "target": 14, "actual": 14}
# Which flag code highlights which columns of the indicators sheet.
_HIGHLIGHT = {
    "score_mismatch": ("reported_score", "recomputed_score", "score_delta"),
    "missing_value": ("actual", "reported_score", "weight"),
    "weight_sum_mismatch": ("weight",),
    "unit_mismatch": ("target", "actual"),
    "needs_review": ("actual",),
    "execution_rate_mismatch": ("actual",),
}


def write_workbook(records: list[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    tables = records_to_rows(records)
    wb = Workbook(write_only=True)
    fills = {sev: PatternFill("solid", fgColor=color) for sev, color in (("error", ERROR_FILL), ("warning", WARNING_FILL))}
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    bold = Font(bold=True)

    def cell(ws: Any, value: Any, fill: Any = None, font: Any = None) -> Any:
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # text, even when it starts with "="
        if fill is not None:
            c.fill = fill
        if font is not None:
            c.font = font
        return c

    def sheet(title: str, columns: tuple[str, ...], rows: list[dict[str, Any]], highlight: Any = None) -> None:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "B2"
        for i, name in enumerate(columns):
            ws.column_dimensions[_letter(i)].width = _WIDTHS.get(name, max(10, min(18, len(name) + 2)))
        ws.auto_filter.ref = f"A1:{_letter(len(columns) - 1)}{max(1, len(rows) + 1)}"
        ws.append([cell(ws, name, header_fill, bold) for name in columns])
        for row in rows:
            marks = highlight(row) if highlight else {}
            ws.append([cell(ws, row.get(name), fills.get(marks.get(name, ""))) for name in columns])

    flag_index = _flags_by_field(tables["flags"])
    summary_cols = ("source_path", "status", "template", "project_name", "year", "department", "indicator_count",
                    "reported_total", "recomputed_total", "flag_count", "error_flags", "flag_codes", "errors")
    sheet("reports", summary_cols, tables["reports"], lambda r: _report_marks(r))
    sheet("indicators", COLUMNS["indicators"], tables["indicators"],
          lambda r: _indicator_marks(r, flag_index.get((r["source_path"], r["index"]), [])))
    sheet("flags", COLUMNS["flags"], tables["flags"], lambda r: {"code": r["severity"], "severity": r["severity"]})
    sheet("subprojects", COLUMNS["subprojects"], tables["subprojects"])
    sheet("budget_lines", COLUMNS["budget_lines"], tables["budget_lines"],
          lambda r: {"reported_score": "error"} if r.get("recomputed_score") is not None and r.get("reported_score")
          is not None and abs(r["reported_score"] - r["recomputed_score"]) > 0.05 else {})
    budget_flags: dict[str, dict[str, str]] = {}
    for f in tables["flags"]:
        if (f.get("field") or "").startswith("budget."):
            budget_flags.setdefault(f["source_path"], {})[f["subject"]] = f["severity"]
    sheet("budget", COLUMNS["reports"], tables["reports"], lambda r: budget_flags.get(r["source_path"], {}))

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(i + 1))


def _flags_by_field(flags: list[dict[str, Any]]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    out: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for flag in flags:
        field = flag.get("field") or ""
        if field.startswith("indicators[") and "]" in field and ":" not in field.split("]")[0]:
            try:
                index = int(field[len("indicators["):field.index("]")])
            except ValueError:
                continue
            out.setdefault((flag["source_path"], index), []).append(flag)
    return out


def _indicator_marks(row: dict[str, Any], flags: list[dict[str, Any]]) -> dict[str, str]:
    marks: dict[str, str] = {}
    for flag in flags:
        if flag["severity"] == "info":
            continue
        for column in _HIGHLIGHT.get(flag["code"], ()):
            if marks.get(column) != "error":
                marks[column] = flag["severity"]
    if marks:
        marks.setdefault("name", max(marks.values(), key=lambda s: s == "error"))
    return marks


def _report_marks(row: dict[str, Any]) -> dict[str, str]:
    marks = {}
    if row["status"] != "ok":
        marks["status"] = "error" if row["status"] == "error" else "warning"
    if row.get("error_flags"):
        marks["error_flags"] = "error"
        marks["flag_codes"] = "error"
    return marks
