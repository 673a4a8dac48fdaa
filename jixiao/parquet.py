"""A Parquet dataset for data teams: OUT/parquet/<table>/year=<year>/part-0.parquet.

Every table is partitioned by the report's year (项目年份; ``year=__HIVE_DEFAULT_PARTITION__``
where unknown), typed like dataset.sqlite, with the exact text (no Excel neutralising).
The dataset is rebuilt in a temporary folder and swapped in, so readers never see half of it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from jixiao.store import number_flags, table_columns
from jixiao.writers import INTEGER_COLUMNS, REAL_COLUMNS, records_to_rows


def write_parquet(records: list[dict[str, Any]], folder: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
        raise RuntimeError("pyarrow is needed for --format parquet: `pip install pyarrow`") from exc

    tables = records_to_rows(records)
    number_flags(tables["flags"])
    years = {r["source_path"]: r.get("year") for r in tables["reports"]}
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, rows in tables.items():
            columns = table_columns(name)
            fields = [pa.field(c, pa.float64() if c in REAL_COLUMNS else pa.int64() if c in INTEGER_COLUMNS
                               else pa.string()) for c in columns]
            if name != "reports":
                fields.append(pa.field("year", pa.int64()))
                for row in rows:
                    row["year"] = years.get(row["source_path"])
            schema = pa.schema(fields)
            data = {f.name: [_typed(row.get(f.name), f.type, pa) for row in rows] for f in fields}
            table = pa.Table.from_pydict(data, schema=schema)
            pq.write_to_dataset(table, root_path=str(tmp / name), partition_cols=["year"],
                                basename_template="part-{i}.parquet")
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
