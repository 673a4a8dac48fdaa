"""dataset.sqlite: the same tables as the CSV files, in one file, updated in place on reruns.

Each report's rows are replaced as a whole (delete, then insert) inside one transaction per
batch, so a rerun never leaves a report half old and half new, and an interrupted run
leaves the file as it was after the last committed batch.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Iterable

from jixiao.writers import COLUMNS, INTEGER_COLUMNS, REAL_COLUMNS, records_to_rows

_KEYS = {"reports": ("source_path",), "indicators": ("source_path", "index"),
         "subprojects": ("source_path", "index"), "flags": ("source_path", "index"),
         "budget_lines": ("source_path", "index")}
_INDEXES = {"reports": ("template", "status", "year"), "indicators": ("category", "name"),
            "flags": ("code", "severity"), "subprojects": (), "budget_lines": ("item",)}


def table_columns(table: str) -> tuple[str, ...]:
    """A table's columns in the typed stores: flags also get their index within the report."""
    columns = COLUMNS[table]
    return columns if table != "flags" else ("source_path", "index", *columns[1:])


def _ddl(table: str) -> list[str]:
    cols = []
    for name in table_columns(table):
        kind = "REAL" if name in REAL_COLUMNS else "INTEGER" if name in INTEGER_COLUMNS else "TEXT"
        cols.append(f'"{name}" {kind}')
    key = ", ".join(f'"{k}"' for k in _KEYS[table])
    fk = "" if table == "reports" else ', FOREIGN KEY ("source_path") REFERENCES reports ("source_path") ON DELETE CASCADE'
    out = [f'CREATE TABLE IF NOT EXISTS {table} ({", ".join(cols)}, PRIMARY KEY ({key}){fk})']
    out += [f'CREATE INDEX IF NOT EXISTS idx_{table}_{c} ON {table} ("{c}")' for c in _INDEXES[table]]
    return out


def open_store(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    with conn:
        for table in ("reports", "indicators", "subprojects", "flags", "budget_lines"):
            for statement in _ddl(table):
                conn.execute(statement)
    return conn


def write_records(conn: sqlite3.Connection, records: Iterable[dict[str, Any]]) -> None:
    """Replace each record's rows in one transaction."""
    records = list(records)
    tables = records_to_rows(records)
    number_flags(tables["flags"])
    with conn:
        conn.executemany("DELETE FROM reports WHERE source_path = ?", [(r["source"]["path"],) for r in records])
        for table in ("reports", "indicators", "subprojects", "flags", "budget_lines"):
            rows = tables[table]
            if not rows:
                continue
            cols = table_columns(table)
            names = ", ".join(f'"{c}"' for c in cols)
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
            conn.executemany(sql, [tuple(_cell(row.get(c)) for c in cols) for row in rows])


def number_flags(rows: list[dict[str, Any]]) -> None:
    """Give each flag its index within its report (the key of the flags table)."""
    counter: dict[str, int] = {}
    for row in rows:
        n = counter.get(row["source_path"], 0)
        row["index"] = n
        counter[row["source_path"]] = n + 1


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def write_store(records: list[dict[str, Any]], path: Path) -> None:
    """Make the store describe exactly ``records`` (every record in json/): their rows replaced,
    the rows of any other report dropped."""
    conn = open_store(path)
    try:
        write_records(conn, records)
        drop_other_reports(conn, {r["source"]["path"] for r in records})
    finally:
        conn.close()


def drop_other_reports(conn: sqlite3.Connection, keep: set[str]) -> None:
    stored = [row[0] for row in conn.execute("SELECT source_path FROM reports")]
    gone = [(p,) for p in stored if p not in keep]
    if gone:
        with conn:
            conn.executemany("DELETE FROM reports WHERE source_path = ?", gone)  # rows of other tables cascade
