"""Writers: one JSON per document, and the flat tables (CSV, UTF-8 with BOM for Excel).

Files are written to a temporary name and renamed, so an interrupted run never leaves a
half-written file behind.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from jixiao.model import BUDGET_KEYS

REPORT_COLUMNS = (
    "source_path", "format", "sha256", "status", "template", "profile", "project_name", "year", "department",
    "implementing_unit", "unit", *BUDGET_KEYS, "subproject_count", "subprojects_total", "indicator_count",
    "reported_total", "recomputed_total", "flag_count", "error_flags", "flag_codes", "errors",
)  # fmt: skip
INDICATOR_COLUMNS = (
    "source_path", "index", "page", "category", "category_points", "subcategory", "name", "target", "weight",
    "actual", "reported_score", "recomputed_score", "score_delta", "rule", "reading", "flag_codes",
)  # fmt: skip
SUBPROJECT_COLUMNS = ("source_path", "index", "name", "amount")
BUDGET_LINE_COLUMNS = ("source_path", "index", "item", "initial_budget", "full_year_budget", "executed", "weight",
                       "execution_rate", "reported_score", "recomputed_score")
FLAG_COLUMNS = (
    "source_path", "code", "severity", "subject", "field", "message", "reported", "expected", "rule",
    "rule_confidence",
)  # fmt: skip


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
    """The four flat tables of the contract, as lists of dicts."""
    tables: dict[str, list[dict[str, Any]]] = {"reports": [], "indicators": [], "subprojects": [], "flags": [],
                                               "budget_lines": []}
    for rec in records:
        src = rec["source"]["path"]
        flags = rec.get("flags", [])
        budget = rec.get("budget", {})
        project = rec.get("project", {})
        tables["reports"].append({
            "source_path": src, "format": rec["source"]["format"], "sha256": rec["source"]["sha256"],
            "status": rec["status"], "template": rec["template"], "profile": rec.get("profile"),
            "project_name": project.get("name"), "year": project.get("year"),
            "department": project.get("department"), "implementing_unit": project.get("implementing_unit"),
            "unit": budget.get("unit"), **{k: budget.get(k) for k in BUDGET_KEYS},
            "subproject_count": len(rec.get("subprojects", [])), "subprojects_total": rec.get("subprojects_total"),
            "indicator_count": len(rec.get("indicators", [])), "reported_total": rec.get("reported_total"),
            "recomputed_total": rec.get("recomputed_total"), "flag_count": len(flags),
            "error_flags": sum(1 for f in flags if f["severity"] == "error"),
            "flag_codes": " ".join(sorted({f["code"] for f in flags})),
            "errors": "; ".join(f"{e['code']}: {e['message']}" for e in rec.get("errors", [])),
        })
        for i, ind in enumerate(rec.get("indicators", [])):
            prefix = f"indicators[{i}]."
            codes = sorted({f["code"] for f in flags if (f.get("field") or "").startswith(prefix)})
            reported, recomputed = ind.get("reported_score"), ind.get("recomputed_score")
            delta = round(reported - recomputed, 6) if reported is not None and recomputed is not None else None
            tables["indicators"].append({
                "source_path": src, "index": i, **{k: ind.get(k) for k in INDICATOR_COLUMNS[2:12]},
                "score_delta": delta, "rule": ind.get("rule"), "reading": ind.get("reading"),
                "flag_codes": " ".join(codes),
            })
        for i, sub in enumerate(rec.get("subprojects", [])):
            tables["subprojects"].append({"source_path": src, "index": i, "name": sub["name"], "amount": sub["amount"]})
        for i, line in enumerate(rec.get("budget_lines", [])):
            tables["budget_lines"].append({"source_path": src, "index": i, **line})
        for flag in flags:
            tables["flags"].append({"source_path": src, **{k: flag.get(k) for k in FLAG_COLUMNS[1:]}})
    return tables


# Column types shared by the typed stores (SQLite, Parquet); every other column is text.
REAL_COLUMNS = frozenset({
    "category_points", "weight", "reported_score", "recomputed_score", "score_delta", "amount", "subprojects_total",
    "reported_total", "recomputed_total", "initial_budget", "adjustment", "appropriation", "quota_balance",
    "actual_payment", "fund_balance", "carried_forward", "recovered", "full_year_budget", "executed",
    "execution_rate"})
INTEGER_COLUMNS = frozenset({"index", "page", "year", "subproject_count", "indicator_count", "flag_count",
                             "error_flags"})

COLUMNS = {"reports": REPORT_COLUMNS, "indicators": INDICATOR_COLUMNS, "subprojects": SUBPROJECT_COLUMNS,
           "budget_lines": BUDGET_LINE_COLUMNS,
           "flags": FLAG_COLUMNS}


def write_tables(records: list[dict[str, Any]], out: Path) -> None:
    for name, rows in records_to_rows(records).items():
        write_csv(out / f"{name}.csv", COLUMNS[name], rows)


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # utf-8-sig: the byte-order mark makes Excel open the Chinese text as UTF-8.
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: excel_safe(v) for k, v in row.items()})
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
