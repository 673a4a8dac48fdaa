"""Across the archive (issue 14): project series, and the findings no single report shows.

``archive_to_findings(conn)`` (re)computes two tables of the store from its reports / indicators /
sections / flags tables (columns in ../shared/contract/README.md, "Across reports"):

- ``projects``: one row per project series (project_key, name (the latest year's), department, years,
  source_paths), sorted by project_key;
- ``patterns``: one row per finding (code, severity, subject, source_paths, years, message, evidence),
  sorted by code, subject, source_paths; render them in rowid order.
  - ``narrative_copied``: a section, or a 偏差原因 of 30 characters or more, the same or nearly the same in
    reports of two or more project-years (validate/archive_similar.py says how it is measured);
  - ``target_lowered``: within one project series, an indicator (matched by its normalised name) with a
    less demanding target than in the project's previous year;
  - ``full_score_despite_shortfall``: one row per flag of that code (validate/checks.py).

Every query streams (``for row in conn.execute``); what grows with the archive lives in SQLite.  The
results depend only on the tables' contents, so a rerun that changes nothing writes the same rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any, Iterator

from validate.archive_similar import (ArchiveSettings, batches, bands_to_pairs, groups, load_texts, pairs_to_groups,
                                      signatures_to_bands, similarity_range)
from validate.archive_text import indicator_key, lowered, project_key, trimmed

__all__ = ["ArchiveSettings", "PATTERN_COLUMNS", "PROJECT_COLUMNS", "archive_to_findings", "project_key"]

# The columns of the two tables, defined here once (jixiao/writers.py imports them for the CSVs and the store).
PROJECT_COLUMNS = ("project_key", "name", "department", "years", "source_paths")
PATTERN_COLUMNS = ("code", "severity", "subject", "source_paths", "years", "message", "evidence")
DEVIATION_SUBJECT = "偏差原因"


def _create(table: str, columns: tuple[str, ...]) -> str:
    """The DDL of a table of text columns (every column of projects and patterns is text)."""
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{c} TEXT' for c in columns)})"


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def archive_to_findings(conn: sqlite3.Connection, settings: ArchiveSettings | dict[str, Any] | None = None, *,
                        similarity: float | None = None) -> None:
    """Recompute the ``projects`` and ``patterns`` tables of an open store (and its ``archive_signatures``
    cache), then commit.  ``settings``: ArchiveSettings, a dict of its fields, or None for the defaults.
    ``similarity``: the narrative_copied threshold (the Jaccard index, in (0, 1]) in place of the settings'
    (0.9 by default); None keeps it.  A value out of range raises ValueError."""
    settings = ArchiveSettings.resolve(settings)
    if similarity is not None:
        settings = replace(settings, similarity=similarity)
    conn.execute(_create("projects", PROJECT_COLUMNS))
    conn.execute(_create("patterns", PATTERN_COLUMNS))
    _keys(conn)
    conn.execute("DROP TABLE IF EXISTS temp._found")
    conn.execute(_create("temp._found", PATTERN_COLUMNS))
    for found in (narrative_findings(conn, settings), target_findings(conn), shortfall_findings(conn)):
        for batch in batches(found):
            conn.executemany(_insert("_found", PATTERN_COLUMNS), batch)
    conn.execute("DELETE FROM projects")
    for batch in batches(project_rows(conn)):
        conn.executemany(_insert("projects", PROJECT_COLUMNS), batch)
    conn.execute("DELETE FROM patterns")
    listed = ", ".join(PATTERN_COLUMNS)
    conn.execute(f"INSERT INTO patterns ({listed}) SELECT {listed} FROM _found ORDER BY code, subject, source_paths, "
                 "years, message, evidence")
    conn.commit()
    for table in ("_found", "_keys", "_texts", "_narr", "_bands", "_pairs", "_groups"):
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _index_column(conn: sqlite3.Connection, table: str, name: str) -> str:
    """``indicator_index`` (the store's row key) where the table has it, else the older ``index``."""
    return name if name in _columns(conn, table) else '"index"'


def _keys(conn: sqlite3.Connection) -> None:
    """temp._keys: each report's project key (the stored one, else computed from its department and name),
    year, name and department."""
    conn.execute("DROP TABLE IF EXISTS temp._keys")
    conn.execute("CREATE TEMP TABLE _keys (source_path TEXT PRIMARY KEY, project_key TEXT, year INTEGER, "
                 "name TEXT, department TEXT)")
    stored = "project_key" in _columns(conn, "reports")
    cursor = conn.execute(f"SELECT source_path, {'project_key' if stored else 'NULL'}, year, project_name, "
                          "department FROM reports ORDER BY source_path")
    rows = ((path, key or project_key(department, name), year, name, department)
            for path, key, year, name, department in cursor)
    conn.executemany("INSERT INTO _keys VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("CREATE INDEX temp._keys_project ON _keys (project_key, year)")


def project_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str, str, str]]:
    """One row per project series: the latest year's name and department, years ascending, paths sorted."""
    cursor = conn.execute("SELECT project_key, year, source_path, name, department FROM _keys "
                          "WHERE project_key IS NOT NULL ORDER BY project_key, year IS NULL, year, source_path")
    current: str | None = None
    years: list[int] = []
    paths: list[str] = []
    name = department = ""

    def row() -> tuple[str, str, str, str, str]:
        assert current is not None
        return (current, name, department, ";".join(str(y) for y in sorted(set(years))), ";".join(sorted(paths)))

    for key, year, path, this_name, this_department in cursor:
        if key != current:
            if current is not None:
                yield row()
            current, years, paths = key, [], []
        if year is not None:
            years.append(year)
        paths.append(path)
        if year is not None or not name:  # rows are in year order: the last dated one is the latest
            name, department = this_name or "", this_department or ""
    if current is not None:
        yield row()


# ----------------------------------------------------------------------------------------------
# narrative_copied
# ----------------------------------------------------------------------------------------------
def _narrative_items(conn: sqlite3.Connection, settings: ArchiveSettings) -> Iterator[tuple[str, str, str]]:
    """(source_path, subject, text): every canonical section, then every 偏差原因 long enough to compare."""
    yield from conn.execute("SELECT source_path, key, text FROM sections WHERE other = 0 AND text IS NOT NULL "
                            f"ORDER BY source_path, {_index_column(conn, 'sections', 'section_index')}")
    index = _index_column(conn, "indicators", "indicator_index")
    cursor = conn.execute("SELECT source_path, deviation_reason FROM indicators WHERE deviation_reason IS NOT NULL "
                          f"AND length(deviation_reason) >= ? ORDER BY source_path, {index}", (settings.min_chars,))
    for source_path, text in cursor:
        yield source_path, DEVIATION_SUBJECT, text


def narrative_findings(conn: sqlite3.Connection, settings: ArchiveSettings) -> Iterator[tuple[str, ...]]:
    """One ``narrative_copied`` row per group of similar texts held by reports of two or more
    project-years (a docx and its PDF copy of one year's report are one report, not a copy)."""
    if "sections" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS sections (source_path TEXT, section_index INTEGER, key TEXT, "
                     "other INTEGER, text TEXT)")
    load_texts(conn, _narrative_items(conn, settings), settings)
    signatures_to_bands(conn, settings)
    bands_to_pairs(conn, settings)
    pairs_to_groups(conn, settings)
    found = []
    for root, members in groups(conn):
        paths = sorted({path for path, _ in members})
        if len(paths) < 2:
            continue
        info = {row[0]: row[1:] for row in conn.execute(
            f"SELECT source_path, project_key, year FROM _keys WHERE source_path IN ({','.join('?' * len(paths))})",
            paths)}
        units = {(info.get(p, (None, None))[0] or p, info.get(p, (None, None))[1]) for p in paths}
        if len(units) < 2:
            continue
        subject, text = conn.execute("SELECT subject, text FROM _texts WHERE text_id = ?", (root,)).fetchone()
        years = sorted({y for _, y in units if y is not None})
        lo, hi = similarity_range(conn, members)
        projects = len({key for key, _ in units})
        where = "across the years of one project" if projects == 1 else f"across {projects} projects"
        shown = ", ".join(map(str, years)) or "years unknown"
        message = (f"「{subject}」 is the same or nearly the same in {len(paths)} reports ({shown}), {where}, "
                   f"once whitespace, years and figures are set aside: the text may have been copied "
                   f"rather than written for the year (自评流于形式)")
        shown_similarity = f"{lo:.2f}" if f"{lo:.2f}" == f"{hi:.2f}" else f"{lo:.2f}–{hi:.2f}"
        against = "" if len({t for _, t in members}) == 1 else f" against the text of {_first_report(members)}"
        evidence = (f"similarity {shown_similarity} (Jaccard of {settings.shingle}-character shingles{against}, "
                    f"threshold {settings.similarity:g}); shared text: 「{trimmed(text, settings.evidence_chars)}」")
        found.append(("narrative_copied", "warning", subject, ";".join(paths), ";".join(map(str, years)),
                      message, evidence))
        if len(found) >= 500:
            yield from found
            found = []
    yield from found


def _first_report(members: list[tuple[str, int]]) -> str:
    """The first report holding a group's first text (the leader's, the smallest text id)."""
    leader = min(t for _, t in members)
    return min(path for path, t in members if t == leader)


# ----------------------------------------------------------------------------------------------
# target_lowered
# ----------------------------------------------------------------------------------------------
def target_findings(conn: sqlite3.Connection) -> Iterator[tuple[str, ...]]:
    """Within each project series (one series in memory at a time), each indicator's target against the
    same indicator's in the project's previous year with that indicator; a less demanding one is a row."""
    index = _index_column(conn, "indicators", "indicator_index")
    cursor = conn.execute(
        f"SELECT k.project_key, k.year, k.source_path, i.name, i.target FROM indicators i "
        f"JOIN _keys k ON k.source_path = i.source_path WHERE k.project_key IS NOT NULL AND k.year IS NOT NULL "
        f"ORDER BY k.project_key, k.year, k.source_path, i.{index}")
    current: str | None = None
    series: dict[str, dict[int, tuple[str, str, str]]] = {}
    for key, year, path, name, target in cursor:
        if key != current:
            yield from _lowered_in(series)
            current, series = key, {}
        by_year = series.setdefault(indicator_key(name), {})
        by_year.setdefault(year, (path, name, target or ""))  # the first report and row of a year
    yield from _lowered_in(series)


def _lowered_in(series: dict[str, dict[int, tuple[str, str, str]]]) -> Iterator[tuple[str, ...]]:
    for by_year in series.values():
        years = sorted(by_year)
        for before, after in zip(years, years[1:]):
            (path1, _, target1), (path2, name, target2) = by_year[before], by_year[after]
            if not lowered(target1, target2):
                continue
            message = (f"the target of {name} was lowered from {target1} in {before} to {target2} in {after}: "
                       f"a less demanding 目标值 in a later year of the same project")
            evidence = f"{before} {path1}: 目标值 {target1}; {after} {path2}: 目标值 {target2}"
            yield ("target_lowered", "warning", name, ";".join(sorted({path1, path2})), f"{before};{after}",
                   message, evidence)


# ----------------------------------------------------------------------------------------------
# full_score_despite_shortfall
# ----------------------------------------------------------------------------------------------
def shortfall_findings(conn: sqlite3.Connection) -> Iterator[tuple[str, ...]]:
    """One row per ``full_score_despite_shortfall`` flag, with the row's figures and reason as evidence."""
    flag_cols, ind_index = _columns(conn, "flags"), _index_column(conn, "indicators", "indicator_index")
    on_row = "f.indicator_index" if "indicator_index" in flag_cols else "NULL"
    order = "f.flag_index" if "flag_index" in flag_cols else 'f."index"'
    cursor = conn.execute(
        f"SELECT f.source_path, f.subject, f.message, f.field, {on_row}, k.year FROM flags f "
        f"LEFT JOIN _keys k ON k.source_path = f.source_path WHERE f.code = 'full_score_despite_shortfall' "
        f"ORDER BY f.source_path, {order}")
    for path, subject, message, field, row_index, year in cursor:
        if row_index is None and field and field.startswith("indicators["):
            row_index = int(field[len("indicators["):].split("]")[0])
        row = conn.execute(f"SELECT target, actual, weight, reported_score, deviation_reason FROM indicators "
                           f"WHERE source_path = ? AND {ind_index} = ?", (path, row_index)).fetchone()
        evidence = ""
        if row is not None:
            target, actual, weight, score, reason = row
            evidence = f"目标值 {target}, 实际完成值 {actual}, 分值 {_num(weight)}, 自评分 {_num(score)}"
            if reason:
                evidence += f", 偏差原因 「{trimmed(reason, 80)}」"
        yield ("full_score_despite_shortfall", "warning", subject, path, "" if year is None else str(year),
               message, evidence)


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)
