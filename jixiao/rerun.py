"""What a rerun may leave alone: inputs the store has seen, unchanged since.

An input whose size and modification time are as they were when it was read, whose record file is
as the store last saw it, and whose shaping (jixiao's code, rules, table reader, tools) is the same,
is done: neither it nor its record is read again. Anything else is checked the long way (hash, then
shaping) by the runner.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from jixiao.inputs import Listed
from jixiao.writers import json_name


class Earlier:
    """What the store knows of earlier runs' inputs: an input whose size, times and inode are as
    they were when it was read, whose record file is as the store last saw it and whose shaping is
    the same, is done, and neither it nor its record is read again. The change time and inode are
    there because a copy can keep size and modification time (``cp -p``, ``rsync -t``, a restore)
    but no user can set them; a false alarm costs only a hash."""

    def __init__(self, out: Path, shaped_by: dict[str, Any]) -> None:
        from jixiao.store import known_inputs

        self.out, self.shaped = out, shaping_digest(shaped_by)
        self.conn = None
        self.known: dict[str, tuple[Any, ...]] = {}
        if (out / "dataset.sqlite").exists():
            import sqlite3

            try:
                self.conn = sqlite3.connect(str(out / "dataset.sqlite"))
                self.known = known_inputs(self.conn)
            except sqlite3.DatabaseError:  # an older or damaged store: every input is checked the long way
                self.close()

    def unchanged(self, key: str, st: Listed | None, retry_codes: frozenset[str] = frozenset()
                  ) -> dict[str, Any] | None:
        from jixiao.store import brief_from_store

        row = self.known.get(key)
        if row is None or st is None or self.conn is None:
            return None
        (size, mtime_ns, ctime_ns, inode, _sha, shaped, json_file, json_size, json_mtime, json_ctime,
         json_inode) = row
        if (size, mtime_ns, ctime_ns, inode, shaped) != (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino,
                                                         self.shaped):
            return None
        try:
            js = os.stat(self.out / "json" / json_file)
        except OSError:
            return None
        if (js.st_size, js.st_mtime_ns, js.st_ctime_ns, js.st_ino) != (json_size, json_mtime, json_ctime, json_inode) \
                or json_file != json_name(key):
            return None
        brief = brief_from_store(self.conn, key, self.out / "json" / json_file)
        if brief is None or any(e.get("code") in retry_codes for e in brief.get("errors", [])):
            return None  # stopped, failed or not read last time: worth another try
        return brief

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def shaping_digest(shaped_by: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(shaped_by, sort_keys=True).encode()).hexdigest()[:16]


def remember(out: Path, stats: dict[str, Listed], done: dict[str, dict[str, Any]],
             shaped_by: dict[str, Any], retry_codes: frozenset[str]) -> None:
    """Note each input read or checked this run, with its record's hash, for the next run; an
    input whose record is not to be reused (stopped, failed) is forgotten, so that the next run
    looks at it again whatever an earlier run noted."""
    from jixiao.store import forget_inputs, open_store, remember_inputs

    shaped = shaping_digest(shaped_by)
    rows, forget = [], []
    for key, st in stats.items():
        record = done.get(key)
        sha = record["source"].get("sha256") if record is not None else None
        if record is None or not sha or any(e.get("code") in retry_codes for e in record.get("errors", [])):
            forget.append(key)
            continue
        rows.append((key, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, sha, shaped))
    if not rows and not forget:
        return
    conn = open_store(out / "dataset.sqlite")
    try:
        forget_inputs(conn, forget)
        remember_inputs(conn, rows)
    finally:
        conn.close()
