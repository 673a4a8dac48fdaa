"""The outputs a run leaves beside json/: the store first, then everything rendered from it.

The order is fixed: the store is brought in step with json/ (only changed records are read), the
cross-report tables are computed in it, and the CSV files, Parquet, the workbook and the summary
page are rendered from it by streaming queries. When no record changed and every output is there,
nothing is rewritten: a rerun that changes nothing costs a directory listing and leaves every file
byte for byte as it was.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from jixiao.store import open_store, rows, sync_store
from jixiao.writers import ARCHIVE_COLUMNS, COLUMNS, INTEGER_COLUMNS, REAL_COLUMNS, ROW_KEYS, excel_safe, publish

STORE = "dataset.sqlite"
# The CSV files of the contract (sections.csv is ours: the narrative, one row per section).
CSV_TABLES = (*COLUMNS, *ARCHIVE_COLUMNS)
_PARQUET_BATCH = 20_000


@dataclass
class Refresh:
    changed: int = 0  # records read anew or dropped
    records: int = 0  # records the tables describe
    rendered: bool = False  # whether the rendered outputs were rewritten


def refresh_outputs(out: Path, formats: tuple[str, ...] = (), renderer: str = "", similarity: float | None = None,
                    side_by_side: Callable[[Callable[[], None], Callable[[], None]], None] | None = None) -> Refresh:
    """Sync the store with ``out/json`` and render every output from it.

    ``renderer`` names the code that renders (jixiao's code digest): outputs an other version
    rendered are rendered anew even when no record changed. ``side_by_side(first, second)`` may run
    the workbook (the slowest writer) in another process while this one writes the rest; both only
    read the store."""
    result = Refresh()
    rendered_by = f"{renderer}|{','.join(sorted(formats))}|{similarity}"
    conn = open_store(out / STORE)
    try:
        result.changed = sync_store(conn, out / "json")
        result.records = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        before = conn.execute("SELECT value FROM _meta WHERE key = 'rendered_by'").fetchone()
        if result.changed == 0 and before is not None and before[0] == rendered_by and _all_there(out, formats):
            return result
        with conn:
            # Cleared first: a run killed while rendering leaves no claim that the outputs are whole
            # (the sync clears it too, with each change).
            conn.execute("DELETE FROM _meta WHERE key = 'rendered_by'")
        _findings(conn, similarity)
    finally:
        conn.close()
    result.rendered = True

    def workbook() -> None:
        from jixiao.workbook import write_workbook

        with _reading(out) as conn:
            write_workbook(conn, out / "audit.xlsx")

    def the_rest() -> None:
        with _reading(out) as conn:
            write_csvs(conn, out)
            if "parquet" in formats:
                write_parquet(conn, out / "parquet")
            _summary_page(conn, out)

    (side_by_side or _in_turn)(workbook, the_rest)
    conn = sqlite3.connect(str(out / STORE))
    try:
        with conn:
            conn.execute("INSERT OR REPLACE INTO _meta VALUES ('rendered_by', ?)", (rendered_by,))
    finally:
        conn.close()
    return result


def preload_writers() -> None:
    """Import what rendering the outputs needs (the workbook's library, the summary page, numpy's
    random generator for the copied-narrative signatures: 40 ms of its own), so that a process can do
    it while it waits for records; importing it twice costs nothing."""
    import numpy.random  # noqa: F401
    import xlsxwriter  # noqa: F401

    import jixiao.summary_page  # noqa: F401
    import jixiao.workbook  # noqa: F401


def stored_keys(out: Path, skip: set[str]) -> list[str]:
    """The keys (source paths) of the records in ``out/json`` but the files named in ``skip``:
    taken from the store where it knows the file, read from the file where it does not."""
    import json

    names = [entry.name for entry in os.scandir(out / "json") if entry.name.endswith(".json")
             and not entry.name.startswith(".") and entry.name not in skip] if (out / "json").is_dir() else []
    known: dict[str, str] = {}
    if (out / STORE).exists() and names:
        with _reading(out) as conn:
            try:
                known = {r[0]: r[1] for r in conn.execute("SELECT json_name, source_path FROM _records")}
            except sqlite3.DatabaseError:
                known = {}
    keys = []
    for name in names:
        if name in known:
            keys.append(known[name])
            continue
        try:
            keys.append(json.loads((out / "json" / name).read_text(encoding="utf-8"))["source"]["path"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return keys


def _in_turn(first: Callable[[], None], second: Callable[[], None]) -> None:
    first()
    second()


class _reading:
    """A read connection to the store, closed on exit (each process opens its own)."""

    def __init__(self, out: Path) -> None:
        self.conn = sqlite3.connect(str(out / STORE))
        self.conn.row_factory = sqlite3.Row

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: Any) -> None:
        self.conn.close()


def _all_there(out: Path, formats: tuple[str, ...]) -> bool:
    names = [f"{t}.csv" for t in CSV_TABLES] + ["audit.xlsx", "summary.html"]
    if "parquet" in formats:
        names.append("parquet")
    return all((out / name).exists() for name in names)


def _findings(conn: sqlite3.Connection, similarity: float | None = None) -> None:
    from validate.archive import archive_to_findings

    archive_to_findings(conn, similarity=similarity)


def _summary_page(conn: sqlite3.Connection, out: Path) -> None:
    from jixiao.summary_page import write_summary_page

    write_summary_page(conn, out)


def write_csvs(conn: sqlite3.Connection, out: Path) -> None:
    for table in CSV_TABLES:
        columns = COLUMNS.get(table) or ARCHIVE_COLUMNS[table]
        write_csv(out / f"{table}.csv", columns, (dict(zip(columns, row)) for row in rows(conn, table, columns)))


def write_csv(path: Path, columns: tuple[str, ...], table_rows: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # utf-8-sig: the byte-order mark makes Excel open the Chinese text as UTF-8.
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in table_rows:
                writer.writerow({k: excel_safe(v) for k, v in row.items()})
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(conn: sqlite3.Connection, folder: Path) -> None:
    """OUT/parquet/<table>/year=<year>/part-0.parquet, typed like the store, every table
    partitioned by its report's year (``year=__HIVE_DEFAULT_PARTITION__`` where unknown) with
    ``year`` an int64 in every partition. Written a year and a batch at a time, into a temporary
    folder swapped in whole, so readers never see half of it."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
        raise RuntimeError("pyarrow is needed for --format parquet: `pip install pyarrow`") from exc

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        years = [r[0] for r in conn.execute("SELECT DISTINCT year FROM reports ORDER BY year IS NULL, year")]
        for table, columns in COLUMNS.items():
            fields = [pa.field(c, pa.float64() if c in REAL_COLUMNS else pa.int64() if c in INTEGER_COLUMNS
                               else pa.string()) for c in columns if c != "year"]
            data_schema = pa.schema(fields)
            for year in years:
                part = tmp / table / ("year=__HIVE_DEFAULT_PARTITION__" if year is None else f"year={year}")
                names = ", ".join(f't."{f.name}"' for f in fields)
                key = ", ".join(f't."{k}"' for k in ("source_path", *ROW_KEYS[table][1:]))
                where = "r.year IS NULL" if year is None else "r.year = ?"
                sql = (f"SELECT {names} FROM {table} t JOIN reports r ON r.source_path = t.source_path "
                       f"WHERE {where} ORDER BY {key}")
                cursor = conn.execute(sql, () if year is None else (year,))
                writer = None
                while True:
                    batch = cursor.fetchmany(_PARQUET_BATCH)
                    if not batch:
                        break
                    if writer is None:
                        part.mkdir(parents=True, exist_ok=True)
                        writer = pq.ParquetWriter(str(part / "part-0.parquet"), data_schema)
                    columns_data = list(zip(*batch))
                    arrays = [pa.array([_typed(v, f.type, pa) for v in col], type=f.type)
                              for f, col in zip(fields, columns_data)]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=data_schema))
                if writer is not None:
                    writer.close()
        old = folder.with_name(f".{folder.name}.old")
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _typed(value: Any, kind: Any, pa: Any) -> Any:
    if value is None or value == "":
        return None
    if kind == pa.string():
        return value if isinstance(value, str) else str(value)
    if kind == pa.int64():
        return int(value)
    return float(value)

