"""Writers: one JSON per document, and the flat tables (CSV, UTF-8 with BOM for Excel).

Files are written to a temporary name and renamed, so an interrupted run never leaves a
half-written file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from jixiao.model import BUDGET_KEYS
from validate.archive import PATTERN_COLUMNS, PROJECT_COLUMNS

# The flat tables. Every table is keyed by the report's source_path and a plain "<row>_index"
# (``index`` itself is an SQL keyword; the column of that name is kept for older queries).
REPORT_COLUMNS = (
    "source_path", "format", "sha256", "status", "template", "profile", "document_kind", "scope", "project_key",
    "project_name", "year", "department", "implementing_unit", "unit", *BUDGET_KEYS, "subproject_count",
    "subprojects_total", "indicator_count", "reported_total", "recomputed_total", "total_delta", "stated_total",
    "stated_grade", "pages", "ocr", "flag_count", "error_flags", "warning_flags", "flag_codes", "errors",
)  # fmt: skip
INDICATOR_COLUMNS = (
    "source_path", "indicator_index", "index", "page", "category", "category_points", "subcategory", "name",
    "target", "weight", "actual", "reported_score", "recomputed_score", "score_delta", "rule", "reading",
    "deviation_reason", "ocr", "flag_codes", "flag_messages",
)  # fmt: skip
SUBPROJECT_COLUMNS = ("source_path", "subproject_index", "index", "name", "amount")
BUDGET_LINE_COLUMNS = ("source_path", "line_index", "index", "item", "initial_budget", "full_year_budget",
                       "executed", "weight", "execution_rate", "reported_score", "recomputed_score")
FLAG_COLUMNS = (
    "source_path", "flag_index", "index", "indicator_index", "code", "severity", "subject", "field", "message",
    "reported", "expected", "reported_text", "expected_text", "rule", "rule_confidence",
)  # fmt: skip
SECTION_COLUMNS = ("source_path", "section_index", "key", "other", "text")

# Column types shared by the typed stores (SQLite, Parquet); every other column is text.
REAL_COLUMNS = frozenset({
    "category_points", "weight", "reported_score", "recomputed_score", "score_delta", "amount", "subprojects_total",
    "reported_total", "recomputed_total", "total_delta", "stated_total", "initial_budget", "adjustment",
    "appropriation", "quota_balance", "actual_payment", "fund_balance", "carried_forward", "recovered",
    "full_year_budget", "executed", "execution_rate", "reported", "expected"})
INTEGER_COLUMNS = frozenset({"index", "indicator_index", "flag_index", "subproject_index", "line_index",
                             "section_index", "page", "year", "pages", "ocr", "other", "subproject_count",
                             "indicator_count", "flag_count", "error_flags", "warning_flags"})

# The per-report tables, in the order they are written, with their columns and row keys.
COLUMNS = {"reports": REPORT_COLUMNS, "indicators": INDICATOR_COLUMNS, "subprojects": SUBPROJECT_COLUMNS,
           "budget_lines": BUDGET_LINE_COLUMNS, "flags": FLAG_COLUMNS, "sections": SECTION_COLUMNS}
ROW_KEYS = {"reports": ("source_path",), "indicators": ("source_path", "indicator_index"),
            "subprojects": ("source_path", "subproject_index"), "budget_lines": ("source_path", "line_index"),
            "flags": ("source_path", "flag_index"), "sections": ("source_path", "section_index")}
# The tables computed across reports (validate/archive.py), rendered like the others.
ARCHIVE_COLUMNS = {"projects": PROJECT_COLUMNS, "patterns": PATTERN_COLUMNS}


def json_name(source_path: str) -> str:
    """``a/b/report.docx`` → ``a__b__report.docx.json``: flat, readable, one per input.

    A path that already holds ``__`` could flatten like another one (``a__b/c``, ``a/b__c``), so it
    also gets a short hash of itself: the name stays the same on every run, and unique."""
    name = source_path.replace("/", "__")
    # A control character (a newline) in a name stays out of the JSON's name: escaped, and hashed
    # like "__" since the escape could be a real name too.
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)
    if "__" in source_path or shown != name:
        shown += "." + hashlib.sha256(source_path.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return shown + ".json"


def write_json(record: dict[str, Any], folder: Path) -> Path:
    path = folder / json_name(record["source"]["path"])
    atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def publish(tmp: str, path: Path) -> None:
    """Move a finished temporary file into place with ordinary permissions (mkstemp makes 0600)."""
    os.chmod(tmp, _FILE_MODE)
    os.replace(tmp, path)


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def records_to_rows(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The flat tables of many records, as lists of dicts (small sets; the runner streams)."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    for rec in records:
        for name, rows in record_to_rows(rec).items():
            tables[name].extend(rows)
    return tables


def record_to_rows(rec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """One record's rows in every per-report table."""
    src = rec["source"]["path"]
    flags = rec.get("flags", [])
    budget = rec.get("budget") or {}
    project = rec.get("project") or {}
    ocr = 1 if rec["source"].get("ocr") else 0
    by_row: dict[int, list[dict[str, Any]]] = {}
    for flag in flags:
        row = flag_row_number(flag.get("field"))
        if row is not None:
            by_row.setdefault(row, []).append(flag)
    reported, recomputed = rec.get("reported_total"), rec.get("recomputed_total")
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    tables["reports"].append({
        "source_path": src, "format": rec["source"].get("format"), "sha256": rec["source"].get("sha256"),
        "status": rec["status"], "template": rec.get("template"), "profile": rec.get("profile"),
        "document_kind": rec.get("document_kind"), "scope": rec.get("scope"), "project_key": rec.get("project_key"),
        "project_name": project.get("name"), "year": project.get("year"),
        "department": project.get("department"), "implementing_unit": project.get("implementing_unit"),
        "unit": budget.get("unit"), **{k: budget.get(k) for k in BUDGET_KEYS},
        "subproject_count": len(rec.get("subprojects", [])), "subprojects_total": rec.get("subprojects_total"),
        "indicator_count": len(rec.get("indicators", [])), "reported_total": reported,
        "recomputed_total": recomputed, "total_delta": _delta(reported, recomputed),
        "stated_total": rec.get("stated_total"), "stated_grade": rec.get("stated_grade"),
        "pages": rec["source"].get("pages"), "ocr": ocr, "flag_count": len(flags),
        "error_flags": sum(1 for f in flags if f["severity"] == "error"),
        "warning_flags": sum(1 for f in flags if f["severity"] == "warning"),
        "flag_codes": " ".join(sorted({f["code"] for f in flags})),
        "errors": "; ".join(f"{e['code']}: {e['message']}" for e in rec.get("errors", [])),
    })
    for i, ind in enumerate(rec.get("indicators", [])):
        mine = by_row.get(i, [])
        tables["indicators"].append({
            "source_path": src, "indicator_index": i, "index": i, **{k: ind.get(k) for k in INDICATOR_COLUMNS[3:13]},
            "score_delta": _delta(ind.get("reported_score"), ind.get("recomputed_score")),
            "rule": ind.get("rule"), "reading": ind.get("reading"), "deviation_reason": ind.get("deviation_reason"),
            "ocr": ocr, "flag_codes": " ".join(sorted({f["code"] for f in mine})),
            "flag_messages": "\n".join(f"{f['code']}: {f.get('message', '')}" for f in mine) or None,
        })
    for i, sub in enumerate(rec.get("subprojects", [])):
        tables["subprojects"].append({"source_path": src, "subproject_index": i, "index": i, "name": sub.get("name"),
                                      "amount": sub.get("amount")})
    for i, line in enumerate(rec.get("budget_lines", [])):
        tables["budget_lines"].append({"source_path": src, "line_index": i, "index": i, **line})
    for i, flag in enumerate(flags):
        row = {"source_path": src, "flag_index": i, "index": i, "indicator_index": flag_row_number(flag.get("field")),
               **{k: flag.get(k) for k in ("code", "severity", "subject", "field", "message", "rule",
                                           "rule_confidence")}}
        for side in ("reported", "expected"):
            row[side], row[f"{side}_text"] = _number_or_text(flag.get(side))
        tables["flags"].append(row)
    sections = [(key, 0, text) for key, text in (rec.get("sections") or {}).items()]
    sections += [(part.get("heading"), 1, part.get("text")) for part in rec.get("sections_other") or []]
    for i, (key, other, text) in enumerate(sections):
        tables["sections"].append({"source_path": src, "section_index": i, "key": key, "other": other, "text": text})
    return tables


def flag_row_number(field: str | None) -> int | None:
    """``indicators[2].reported_score`` → 2: the indicator row a flag is on (None for a range or
    for flags on the report)."""
    if not field or not field.startswith("indicators["):
        return None
    inside = field[len("indicators["):field.find("]")] if "]" in field else ""
    return int(inside) if inside.isdigit() else None


def _delta(reported: Any, recomputed: Any) -> float | None:
    if isinstance(reported, (int, float)) and isinstance(recomputed, (int, float)):
        return round(reported - recomputed, 6)
    return None


def _number_or_text(value: Any) -> tuple[float | None, str | None]:
    """A flag's figure: numbers in the number column, anything else as text beside it, so that
    ``expected > 9`` compares numbers only."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, str(value).lower()
    if isinstance(value, (int, float)):
        return float(value), None
    if isinstance(value, (list, dict)):
        return None, json.dumps(value, ensure_ascii=False)
    return None, str(value)


def excel_safe(value: Any) -> Any:
    """Keep Excel from running a cell as a formula: ``=100%`` is text, not a formula.

    Only the CSV copy is changed (a leading apostrophe); JSON keeps the exact text.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if value[:1] in ("-", "+") and _is_number(value):
            return value
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
