"""dataset.sqlite: every flat table in one file, kept in step with the records in ``json/``.

The store is where the tables live: CSV, Parquet, the workbook, the summary page and the
cross-report tables are all rendered from it by streaming queries, so no writer ever holds the
archive in memory. It is updated in place: a record whose JSON file changed has its rows replaced
(delete, then insert, one transaction per batch), the rows of a record whose file is gone are
dropped, and an unchanged record is neither read nor written again. Which file a report's rows came
from, with its size and modification time, is kept in ``_records``; that is how a change is seen.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

from jixiao.writers import ARCHIVE_COLUMNS, COLUMNS, INTEGER_COLUMNS, REAL_COLUMNS, ROW_KEYS, record_to_rows

# Raised whenever a table's columns change: a store of another version is rebuilt from json/.
SCHEMA_VERSION = 3
_INDEXES = {"reports": ("template", "status", "year", "project_key"), "indicators": ("category", "name"),
            "flags": ("code", "severity"), "subprojects": (), "budget_lines": ("item",), "sections": ("key",)}
_BATCH = 200  # records per transaction: bounded memory, few commits


def _ddl(table: str, columns: tuple[str, ...], key: tuple[str, ...] | None) -> list[str]:
    cols = []
    for name in columns:
        kind = "REAL" if name in REAL_COLUMNS else "INTEGER" if name in INTEGER_COLUMNS else "TEXT"
        cols.append(f'"{name}" {kind}')
    parts = ", ".join(cols)
    if key:
        parts += ", PRIMARY KEY (" + ", ".join(f'"{k}"' for k in key) + ")"
    if table in COLUMNS and table != "reports":
        parts += ', FOREIGN KEY ("source_path") REFERENCES reports ("source_path") ON DELETE CASCADE'
    out = [f'CREATE TABLE IF NOT EXISTS {table} ({parts})']
    out += [f'CREATE INDEX IF NOT EXISTS idx_{table}_{c} ON {table} ("{c}")' for c in _INDEXES.get(table, ())]
    return out


def open_store(path: Path) -> sqlite3.Connection:
    """Open (or create) the store; a store written by another schema version is emptied first,
    so that it is rebuilt from json/ by the next sync."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    with conn:
        if version != SCHEMA_VERSION:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            conn.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                conn.execute(f'DROP TABLE IF EXISTS "{table}"')
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        for table, columns in COLUMNS.items():
            for statement in _ddl(table, columns, ROW_KEYS[table]):
                conn.execute(statement)
        for table, columns in ARCHIVE_COLUMNS.items():
            for statement in _ddl(table, columns, None):
                conn.execute(statement)
        conn.execute('CREATE TABLE IF NOT EXISTS _records (json_name TEXT PRIMARY KEY, source_path TEXT, '
                     'size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, inode INTEGER)')
        # Which code rendered the outputs (tables.py); cleared by any change to the records.
        conn.execute('CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT)')
        conn.execute('CREATE INDEX IF NOT EXISTS idx__records_source ON _records (source_path)')
        conn.execute('CREATE TABLE IF NOT EXISTS _inputs (source_path TEXT PRIMARY KEY, size INTEGER, '
                     'mtime_ns INTEGER, ctime_ns INTEGER, inode INTEGER, sha256 TEXT, shaped_by TEXT)')
    return conn


def write_records(conn: sqlite3.Connection, records: Iterable[dict[str, Any]]) -> None:
    """Replace each record's rows, in one transaction."""
    with conn:
        for record in records:
            _replace(conn, record)


def _replace(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
    conn.execute("DELETE FROM reports WHERE source_path = ?", (record["source"]["path"],))  # the rest cascades
    for table, rows in record_to_rows(record).items():
        if not rows:
            continue
        cols = COLUMNS[table]
        names = ", ".join(f'"{c}"' for c in cols)
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
        conn.executemany(sql, [tuple(_cell(row.get(c)) for c in cols) for row in rows])


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def write_store(records: list[dict[str, Any]], path: Path) -> None:
    """Make the store describe exactly ``records`` (tests and small tools; the runner syncs)."""
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


def sync_store(conn: sqlite3.Connection, json_dir: Path) -> int:
    """Bring the store in step with the JSON files in ``json_dir``: files new or changed since the
    last sync (by size and modification time) are read and their rows replaced; rows of files gone
    are dropped. Returns how many records changed (0: every table is as it was)."""
    known = {row[0]: (row[1], row[2], row[3], row[4], row[5]) for row in
             conn.execute("SELECT json_name, size, mtime_ns, ctime_ns, inode, source_path FROM _records")}
    changed = 0
    batch: list[tuple[str, os.stat_result]] = []
    seen: set[str] = set()
    for name, st in _json_files(json_dir):
        seen.add(name)
        old = known.get(name)
        if old is None or old[:4] != (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino):
            batch.append((name, st))
        if len(batch) >= _BATCH:
            changed += _load(conn, json_dir, batch)
            batch = []
    if batch:
        changed += _load(conn, json_dir, batch)
    gone = [(name, known[name][4]) for name in known if name not in seen]
    if gone:
        with conn:
            conn.execute(_UNRENDERED)
            for name, source_path in gone:
                conn.execute("DELETE FROM _records WHERE json_name = ?", (name,))
                still = conn.execute("SELECT 1 FROM _records WHERE source_path = ?", (source_path,)).fetchone()
                if still is None:
                    conn.execute("DELETE FROM reports WHERE source_path = ?", (source_path,))
        changed += len(gone)
    return changed


_UNRENDERED = "DELETE FROM _meta WHERE key = 'rendered_by'"


def _json_files(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    if not folder.is_dir():
        return
    with os.scandir(folder) as entries:
        for entry in entries:
            # Temporary files of a write in progress start with a dot.
            if entry.name.endswith(".json") and not entry.name.startswith(".") and entry.is_file():
                yield entry.name, entry.stat()


def _load(conn: sqlite3.Connection, folder: Path, batch: list[tuple[str, os.stat_result]]) -> int:
    loaded = 0
    with conn:
        # In the same transaction as the change: a run killed before rendering leaves no claim
        # that the outputs describe these records.
        conn.execute(_UNRENDERED)
        for name, st in batch:
            try:
                record = json.loads((folder / name).read_text(encoding="utf-8"))
                source_path = record["source"]["path"]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not a record (outdir.records() leaves such files alone too)
            _replace(conn, record)
            conn.execute("INSERT OR REPLACE INTO _records VALUES (?, ?, ?, ?, ?, ?)",
                         (name, source_path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
            loaded += 1
    return loaded


def rows(conn: sqlite3.Connection, table: str, columns: tuple[str, ...] | None = None) -> Iterator[sqlite3.Row]:
    """A table's rows in key order, streamed."""
    columns = columns or COLUMNS.get(table) or ARCHIVE_COLUMNS[table]
    key = ROW_KEYS.get(table) or columns
    names = ", ".join(f'"{c}"' for c in columns)
    order = ", ".join(f'"{k}"' for k in key)
    yield from conn.execute(f"SELECT {names} FROM {table} ORDER BY {order}")


# What a rerun needs to know of each input without reading it or its record: its size and time
# when it was read, its hash, and what shaped its record (code, rules, tables, tools).
def known_inputs(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    """source_path → (size, mtime_ns, ctime_ns, inode, sha256, shaped_by, json_name, json size,
    json mtime_ns, json ctime_ns, json inode)."""
    return {row[0]: tuple(row[1:]) for row in conn.execute(
        "SELECT i.source_path, i.size, i.mtime_ns, i.ctime_ns, i.inode, i.sha256, i.shaped_by, r.json_name, "
        "r.size, r.mtime_ns, r.ctime_ns, r.inode FROM _inputs i JOIN _records r ON r.source_path = i.source_path")}


def remember_inputs(conn: sqlite3.Connection, inputs: Iterable[tuple[Any, ...]]) -> None:
    """(source_path, size, mtime_ns, ctime_ns, inode, sha256, shaped_by) of inputs whose records are
    in json/."""
    with conn:
        conn.executemany("INSERT OR REPLACE INTO _inputs VALUES (?, ?, ?, ?, ?, ?, ?)", inputs)


def forget_inputs(conn: sqlite3.Connection, keys: Iterable[str]) -> None:
    with conn:
        conn.executemany("DELETE FROM _inputs WHERE source_path = ?", ((k,) for k in keys))


def brief(record: dict[str, Any]) -> dict[str, Any]:
    """What a run keeps of a record once it is written: enough for its summary line and counts,
    not its rows (a run of 100,000 reports must not hold them all). Its repeated words — status,
    form, each flag's code and severity — are one shared object each, not one per record: briefs
    are read, never changed."""
    source = record["source"]
    return {"source": {"path": source["path"], "sha256": source.get("sha256")},
            "status": _shared(record.get("status")),
            "template": _shared(record.get("template")), "profile": _shared(record.get("profile")),
            "indicator_count": len(record.get("indicators") or []),
            "errors": record.get("errors") or [],
            "flags": [_flag_brief(f.get("code"), f.get("severity")) for f in record.get("flags") or []]}


_FLAG_BRIEFS: dict[tuple[Any, Any], dict[str, Any]] = {}


def _shared(word: Any) -> Any:
    return sys.intern(word) if type(word) is str else word


def _flag_brief(code: Any, severity: Any) -> dict[str, Any]:
    try:
        return _FLAG_BRIEFS[code, severity]
    except KeyError:
        return _FLAG_BRIEFS.setdefault((code, severity), {"code": code, "severity": severity})
    except TypeError:  # not hashable: a malformed record's, kept as it is
        return {"code": code, "severity": severity}


def brief_from_store(conn: sqlite3.Connection, source_path: str, json_path: Path) -> dict[str, Any] | None:
    """A record's brief from its rows in the store (a rerun's unchanged inputs); the errors, where
    there are any, from its JSON file (their messages may hold any text, "; " too)."""
    row = conn.execute("SELECT status, template, profile, indicator_count, errors, sha256 FROM reports "
                       "WHERE source_path = ?", (source_path,)).fetchone()
    if row is None:
        return None
    errors: list[dict[str, Any]] = []
    if row[4]:
        try:
            errors = json.loads(json_path.read_text(encoding="utf-8")).get("errors") or []
        except (OSError, ValueError, AttributeError):
            return None
    flags = [_flag_brief(f[0], f[1]) for f in conn.execute(
        "SELECT code, severity FROM flags WHERE source_path = ? ORDER BY flag_index", (source_path,))]
    return {"source": {"path": source_path, "sha256": row[5]}, "status": _shared(row[0]),
            "template": _shared(row[1]), "profile": _shared(row[2]),
            "indicator_count": row[3], "errors": errors, "flags": flags}
