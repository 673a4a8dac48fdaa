"""OUT/summary.html: the archive at a glance, one self-contained page an auditor opens from disk.

Everything on it is read from the store (``dataset.sqlite``) by aggregate queries (GROUP BY, or
ORDER BY … LIMIT for the lists), so the page costs the same memory at 100 reports or 100,000.
A file read and found to be no report at all (error code ``not_a_report``, a stray notes.txt) is
no report that failed: it is left out of every count, chart and list of reports (a WHERE clause on
each query) and listed on its own, as 非报告文件.
Charts are inline SVG written by jixiao.svg_chart: text stays SVG ``<text>`` drawn by the
browser's own fonts (no CJK font is needed where the page is built), ids are the chart's name
and no date is written, so the same store gives the same page byte for byte. No script, no
network: the page works offline and in a mail attachment.
"""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import quote

from jixiao.outdir import Dataset, Root
from jixiao.svg_chart import Part, hbar, shorten, vbar
from jixiao.writers import atomic_write_text, json_name

PAGE_NAME = "summary.html"
TOP_GROUPS = 15  # bars per chart (forms, departments); the rest are counted as 其他
TOP_CODES = 25
WORST_LIMIT = 30
LIST_LIMIT = 50
SHORT_LABEL = 18  # ems of a name beside a horizontal bar
SHORT_TICK = 10  # ems of a label under a vertical bar
SHORT_CELL = 120  # characters of a name in a table cell (the whole name is its tooltip)

STATUS = {"ok": "正常", "partial": "部分读取", "error": "读取失败"}
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
COLOURS = {"ok": "#5b8c5a", "partial": "#e0a030", "error": "#c0392b", "warning": "#e0a030", "info": "#7f8fa6"}
# Δ total (reported − recomputed) in bands an auditor reads: 0 means the reported total checks out.
DELTA_BANDS = (
    ("≤ −10", "{total_delta} <= -10"), ("−10 ~ −5", "{total_delta} <= -5"), ("−5 ~ −1", "{total_delta} <= -1"),
    ("−1 ~ −0.01", "{total_delta} <= -0.005"), ("0", "{total_delta} < 0.005"), ("0.01 ~ 1", "{total_delta} < 1"),
    ("1 ~ 5", "{total_delta} < 5"), ("5 ~ 10", "{total_delta} < 10"), ("≥ 10", "1"),
)
# A reports row that is no report (as jixiao.runner.is_not_a_report: status error, an error of code
# not_a_report; the store's errors column is "code: message; …"). ``{REPORTS}`` in a query is the
# reports table without them, ``{NOT_A_REPORT}`` the condition itself.
NOT_A_REPORT = ("(COALESCE({status}, '') = 'error' AND (substr(COALESCE({errors}, ''), 1, 13) = 'not_a_report:' "
                "OR instr(COALESCE({errors}, ''), '; not_a_report:') > 0))")
REPORTS = f"(SELECT * FROM reports WHERE NOT {NOT_A_REPORT})"


@dataclass
class Group:
    """One bar: a label and its counts by part (status or severity), in the chart's part order."""

    label: str
    counts: dict[str, int]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def write_summary_page(conn: sqlite3.Connection, out_dir: Path) -> Path:
    """Write ``out_dir/summary.html`` from the store on ``conn`` (atomically) and return its path."""
    path = out_dir / PAGE_NAME
    atomic_write_text(path, store_to_html(conn, out_dir))
    return path


def store_to_html(conn: sqlite3.Connection, out_dir: Path) -> str:
    q = _Query(conn)
    totals = q.one("""SELECT COUNT(*), TOTAL({status} = 'ok'), TOTAL({status} = 'partial'), TOTAL({status} = 'error'),
                             TOTAL({ocr} = 1), TOTAL({flag_count}), TOTAL({error_flags}), TOTAL({warning_flags}),
                             TOTAL({flag_count} > 0), TOTAL({error_flags} > 0)
                      FROM {REPORTS}""") or (0,) * 10
    n, ok, partial, error, ocr, flags, errors, warns, flagged, with_errors = (int(v or 0) for v in totals)
    others = int((q.one("SELECT COUNT(*) FROM reports WHERE {NOT_A_REPORT}") or (0,))[0] or 0)
    kpis = [("报告", n, ""), ("正常", ok, "ok"), ("部分读取", partial, "partial"), ("读取失败", error, "error"),
            ("OCR 识别", ocr, ""), ("有旗标的报告", flagged, ""), ("有错误旗标的报告", with_errors, "error"),
            ("旗标", flags, ""), ("错误", errors, "error"), ("警告", warns, "warning"),
            ("提示", flags - errors - warns, "info")]
    parts = [_kpis(kpis + ([("非报告文件", others, "")] if others else []))]
    if n == 0:
        parts.append('<p class="none">存档中没有报告：输入文件夹里没有找到可读的报告文件。</p>')
    else:
        parts += [_status_section(q, n, others), _flag_sections(q, flags), _delta_section(q, n),
                  _worst_section(q, out_dir), _error_section(q, error, out_dir), _ocr_section(q, ocr, out_dir)]
    if others:
        parts.append(_not_report_section(q, others, out_dir))
    parts.append(_cross_section(q))
    return _page(n, "\n".join(parts), others)


# -- the store --------------------------------------------------------------------------------------

class _Query:
    """Aggregate reads that tolerate an older store: a column it lacks reads as NULL."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._columns: dict[str, set[str]] = {}

    def columns(self, table: str) -> set[str]:
        if table not in self._columns:
            self._columns[table] = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
        return self._columns[table]

    def has_rows(self, table: str) -> bool:
        return bool(self.columns(table)) and self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None

    def sql(self, text: str, table: str = "reports") -> str:
        """``{col}`` in ``text`` becomes the column, or NULL where the table has none; ``{REPORTS}``
        the reports table without the files that are no report, ``{NOT_A_REPORT}`` their condition."""
        text = text.replace("{REPORTS}", REPORTS).replace("{NOT_A_REPORT}", NOT_A_REPORT)
        have = self.columns(table)
        return re.sub(r"\{(\w+)\}", lambda m: f'"{m.group(1)}"' if m.group(1) in have else "NULL", text)

    def one(self, text: str, params: Sequence[Any] = (), table: str = "reports") -> tuple[Any, ...]:
        if not self.columns(table):
            return ()
        row = self.conn.execute(self.sql(text, table), params).fetchone()
        return tuple(row) if row is not None else ()

    def rows(self, text: str, params: Sequence[Any] = (), table: str = "reports") -> Iterator[tuple[Any, ...]]:
        if not self.columns(table):
            return iter(())
        return (tuple(r) for r in self.conn.execute(self.sql(text, table), params))


def _top_groups(q: _Query, key: str, parts: Sequence[tuple[str, str]], order: str, limit: int,
                table: str = "reports") -> list[Group]:
    """The ``limit`` largest groups of ``key`` by ``order``, each with its parts' sums, and a last
    group 其他 for all the rest (summed in SQL, so no group list is ever held whole). The reports
    table is read without the files that are no report."""
    source = "{REPORTS}" if table == "reports" else table
    sums = ", ".join(f"TOTAL({expr})" for _, expr in parts)
    top = [Group(_label(r[0]), {name: int(v) for (name, _), v in zip(parts, r[1:])})
           for r in q.rows(f"SELECT {key}, {sums} FROM {source} GROUP BY 1 ORDER BY {order}, 1 LIMIT ?",
                           (limit + 1,), table)]
    if len(top) <= limit:
        return top
    everything = q.one(f"SELECT {sums} FROM {source}", (), table)
    rest = {name: int(total) - sum(g.counts[name] for g in top[:limit]) for (name, _), total in zip(parts, everything)}
    n_groups = q.one(f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} GROUP BY {key})", (), table)[0]
    return top[:limit] + [Group(f"其他 {n_groups - limit} 项", rest)]


def _label(value: Any) -> str:
    return "（空）" if value is None or value == "" else str(value)


# -- sections ---------------------------------------------------------------------------------------

_STATUS_PARTS = [(s, f"status = '{s}'") for s in STATUS]
_SEVERITY_PARTS = [("error", "{error_flags}"), ("warning", "{warning_flags}"),
                   ("info", "{flag_count} - COALESCE({error_flags}, 0) - COALESCE({warning_flags}, 0)")]


def _status_section(q: _Query, n: int, others: int = 0) -> str:
    forms = _top_groups(q, "{template}", _STATUS_PARTS, "COUNT(*) DESC", TOP_GROUPS)
    kinds = _top_groups(q, "{document_kind}", _STATUS_PARTS, "COUNT(*) DESC", TOP_GROUPS)
    legend = {s: f"{STATUS[s]} {s}" for s in STATUS}
    note = f"共 {n} 份报告。表式（template）即识别出的表格式样。"
    if others:
        note += f"另有 {others} 个文件不是报告，未计入，见“非报告文件”。"
    return _section("status", "按状态与表式", note, [
        _hbar("forms", "各表式的报告数（按状态）", forms, list(STATUS), legend, "报告数"),
        _table(["表式", *[legend[s] for s in STATUS], "合计"],
               [[g.label, *[g.counts[s] for s in STATUS], g.total] for g in forms]),
        _table(["文档类型", *[legend[s] for s in STATUS], "合计"],
               [[g.label, *[g.counts[s] for s in STATUS], g.total] for g in kinds]),
    ])


def _flag_sections(q: _Query, flags: int) -> str:
    legend = {s: f"{SEVERITY[s]} {s}" for s in SEVERITY}
    severities = list(SEVERITY)
    if flags == 0:
        body = ['<p class="none">没有旗标：所有报告的复核均未发现问题。</p>']
        return _section("flags", "旗标", "", body)
    codes: list[Group] = []
    if q.columns("flags"):
        parts = [(s, f"severity = '{s}'") for s in severities[:2]] + [("info", "severity NOT IN ('error', 'warning')")]
        codes = _top_groups(q, "code", parts, "COUNT(*) DESC", TOP_CODES, table="flags")
        reach = dict(q.rows("SELECT code, COUNT(DISTINCT source_path) FROM flags GROUP BY code", table="flags"))
        for g in codes:
            g.extra["reports"] = reach.get(g.label, "")
    by_code = [_hbar("codes", "各旗标代码的旗标数（按严重程度）", codes, severities, legend, "旗标数"),
               _table(["旗标代码", *[legend[s] for s in severities], "合计", "涉及报告"],
                      [[g.label, *[g.counts[s] for s in severities], g.total, g.extra.get("reports", "")]
                       for g in codes])] if codes else ['<p class="none">旗标表为空。</p>']
    years = [Group("年度不详" if g.label == "（空）" else g.label, g.counts, g.extra) for g in
             _top_years(q)]
    departments = _top_groups(q, "{department}", _SEVERITY_PARTS, "TOTAL({flag_count}) DESC, COUNT(*) DESC",
                              TOP_GROUPS)
    n_departments = q.one("SELECT COUNT(*) FROM (SELECT 1 FROM {REPORTS} GROUP BY {department})")[0]
    return "\n".join([
        _section("flag-codes", "旗标：按代码与严重程度", f"共 {flags} 条旗标。", by_code),
        _section("flag-years", "旗标：按年度", "", [
            _vbar("years", "各年度的旗标数（按严重程度）", years, severities, legend, "旗标数"),
            _table(["年度", "报告", *[legend[s] for s in severities], "旗标合计"],
                   [[g.label, g.extra["reports"], *[g.counts[s] for s in severities], g.total] for g in years])]),
        _section("flag-departments", "旗标：按部门",
                 f"共 {n_departments} 个部门，旗标最多的 {min(TOP_GROUPS, n_departments)} 个如下。", [
                     _hbar("departments", "旗标最多的部门（按严重程度）", departments, severities, legend,
                           "旗标数"),
                     _table(["部门", *[legend[s] for s in severities], "合计"],
                            [[g.label, *[g.counts[s] for s in severities], g.total] for g in departments])]),
    ])


def _top_years(q: _Query) -> list[Group]:
    sums = ", ".join(f"TOTAL({expr})" for _, expr in _SEVERITY_PARTS)
    rows = list(q.rows(f"SELECT {{year}}, COUNT(*), {sums} FROM {{REPORTS}} GROUP BY 1 ORDER BY 1 DESC LIMIT 40"))
    return [Group(_label(r[0]), {name: int(v) for (name, _), v in zip(_SEVERITY_PARTS, r[2:])}, {"reports": r[1]})
            for r in reversed(rows)]


def _delta_section(q: _Query, n: int) -> str:
    case = " ".join(f"WHEN {cond} THEN {i}" for i, (_, cond) in enumerate(DELTA_BANDS))
    counts = dict(q.rows(f"SELECT CASE {case} END, COUNT(*) FROM {{REPORTS}} WHERE {{total_delta}} IS NOT NULL "
                         "GROUP BY 1"))
    bands = [Group(label, {"n": int(counts.get(i, 0))}) for i, (label, _) in enumerate(DELTA_BANDS)]
    known, off, largest = (v or 0 for v in q.one(
        "SELECT COUNT({total_delta}), TOTAL(ABS({total_delta}) >= 0.005), MAX(ABS({total_delta})) FROM {REPORTS}"))
    note = (f"Δ 总分 = 自评总分 − 复核总分。{known} 份报告两者都有，其中 {int(off)} 份不一致"
            f"（最大 |Δ| = {_num(largest)}）；{n - known} 份缺少其一，无法比较。")
    if not known:
        return _section("delta", "Δ 总分分布", note, [])
    colours = ["#c0392b" if g.label != "0" else "#5b8c5a" for g in bands]
    return _section("delta", "Δ 总分分布", note, [
        _vbar("delta", "Δ 总分各区间的报告数", bands, ["n"], {"n": "报告数"}, "报告数", colours=colours),
        _table(["Δ 区间", "报告数"], [[g.label, g.counts["n"]] for g in bands])])


def _worst_section(q: _Query, out_dir: Path) -> str:
    rows = q.rows("""SELECT source_path, {status}, {template}, {project_name}, {department}, {year},
                            {reported_total}, {recomputed_total}, {total_delta}, {error_flags}, {warning_flags},
                            {flag_count}, {flag_codes}
                     FROM {REPORTS}
                     WHERE {flag_count} > 0 OR ABS({total_delta}) >= 0.005
                     ORDER BY COALESCE({error_flags}, 0) DESC, COALESCE(ABS({total_delta}), 0) DESC,
                              COALESCE({warning_flags}, 0) DESC, {flag_count} DESC, source_path
                     LIMIT ?""", (WORST_LIMIT,))
    links = _Links(out_dir)
    body = [[i, _Raw(links.cells(r[0])), _Raw(_status(r[1])), r[2], _Raw(_name(r[3])), _Raw(_name(r[4])),
             r[5], r[6], r[7], _Raw(_delta(r[8])), r[9], r[10], r[11], _Raw(_text(r[12], 1000))]
            for i, r in enumerate(rows, 1)]
    if not body:
        return _section("worst", "问题最多的报告", "", ['<p class="none">没有需要复核的报告：无旗标，总分一致。</p>'])
    note = f"按错误旗标数、|Δ 总分|、警告数排序，列出前 {WORST_LIMIT} 份。JSON 为该报告的完整记录，文件为输入原件。"
    return _section("worst", "问题最多的报告", note, [_table(
        ["#", "报告", "状态", "表式", "项目", "部门", "年度", "自评总分", "复核总分", "Δ", "错误", "警告", "旗标",
         "旗标代码"], body, cls="wide")])


def _error_section(q: _Query, n_error: int, out_dir: Path) -> str:
    if not n_error:
        return _section("unread", "读取失败的文件", "", ['<p class="none">没有读取失败的文件。</p>'])
    rows = q.rows("SELECT source_path, {format}, {errors} FROM {REPORTS} WHERE status = 'error' "
                  "ORDER BY source_path LIMIT ?", (LIST_LIMIT,))
    note = f"共 {n_error} 个文件未能读出报告" + (f"，列出前 {LIST_LIMIT} 个。" if n_error > LIST_LIMIT else "。")
    links = _Links(out_dir)
    body = [[_Raw(links.cells(r[0])), r[1], _Raw(_text(r[2], 600))] for r in rows]
    return _section("unread", "读取失败的文件", note, [_table(["文件", "格式", "原因"], body, cls="wide")])


def _not_report_section(q: _Query, others: int, out_dir: Path) -> str:
    rows = q.rows("SELECT source_path, {format}, {errors} FROM reports WHERE {NOT_A_REPORT} "
                  "ORDER BY source_path LIMIT ?", (LIST_LIMIT,))
    note = (f"共 {others} 个文件读取后判定不是绩效自评报告（not_a_report），未计入以上报告与读取失败的文件"
            + (f"，列出前 {LIST_LIMIT} 个。" if others > LIST_LIMIT else "。"))
    links = _Links(out_dir)
    body = [[_Raw(links.cells(r[0])), r[1], _Raw(_text(_reason(r[2]), 300))] for r in rows]
    return _section("not-reports", "非报告文件", note, [_table(["文件", "格式", "原因"], body, cls="wide")])


def _reason(errors: Any) -> str:
    """The not_a_report error's message from the store's "code: message; …"."""
    text = str(errors or "")
    start = text.find("not_a_report: ")
    return text[start + len("not_a_report: "):] if start >= 0 else text


def _ocr_section(q: _Query, n_ocr: int, out_dir: Path) -> str:
    if not n_ocr:
        return _section("ocr", "OCR 识别的报告", "", ['<p class="none">没有报告经 OCR 识别：所有文件都有可读的文字层。</p>'])
    links = _Links(out_dir)
    rows = q.rows("SELECT source_path, {status}, {project_name}, {pages}, {flag_count} FROM {REPORTS} "
                  "WHERE {ocr} = 1 ORDER BY source_path LIMIT ?", (LIST_LIMIT,))
    note = (f"共 {n_ocr} 份报告的文字由 OCR 识别，数字可能有误，请对照原件。"
            + (f"列出前 {LIST_LIMIT} 份。" if n_ocr > LIST_LIMIT else ""))
    return _section("ocr", "OCR 识别的报告", note, [_table(
        ["报告", "状态", "项目", "页数", "旗标"],
        [[_Raw(links.cells(r[0])), _Raw(_status(r[1])), r[2], r[3], r[4]] for r in rows], cls="wide")])


def _cross_section(q: _Query) -> str:
    body = []
    if q.has_rows("projects"):
        n, series = (int(v or 0) for v in q.one("SELECT COUNT(*), TOTAL({years} LIKE '%;%') FROM projects",
                                                 table="projects"))
        rows = q.rows("SELECT {name}, {department}, {years}, {source_paths} FROM projects "
                      "ORDER BY LENGTH({years}) DESC, {name} LIMIT ?", (LIST_LIMIT,), table="projects")
        body += [f"<h3>项目系列</h3><p>共 {n} 个项目，其中 {series} 个跨多个年度。</p>",
                 _table(["项目", "部门", "年度", "报告"], [[*r[:3], _Raw(_paths(r[3]))] for r in rows], cls="wide")]
    else:
        body.append('<h3>项目系列</h3><p class="none">未发现跨年度的项目系列。</p>')
    if q.has_rows("patterns"):
        counts = [[SEVERITY.get(s, s) if s else "", c, k] for c, s, k in q.rows(
            "SELECT {code}, {severity}, COUNT(*) FROM patterns GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 50",
            table="patterns")]
        rows = q.rows("SELECT {code}, {severity}, {subject}, {years}, {message}, {source_paths} FROM patterns "
                      "ORDER BY {severity} = 'error' DESC, {code}, {subject} LIMIT ?", (LIST_LIMIT * 2,),
                      table="patterns")
        body += ["<h3>跨报告发现</h3>", _table(["严重程度", "代码", "条数"], counts),
                 _table(["代码", "严重程度", "对象", "年度", "说明", "报告"],
                        [[r[0], SEVERITY.get(r[1], r[1]), r[2], r[3], _Raw(_text(r[4], 600)), _Raw(_paths(r[5]))]
                         for r in rows], cls="wide")]
    else:
        body.append('<h3>跨报告发现</h3><p class="none">未发现跨报告的问题（抄袭的叙述、调低的目标等）。</p>')
    return _section("cross", "跨报告发现", "同一项目跨年度比较，以及只有对照多份报告才能看出的问题。", body)


# -- links to each report's JSON and input ------------------------------------------------------

class _Links:
    """``json/<name>.json`` beside the page, and the input file where its folder is still there."""

    def __init__(self, out_dir: Path) -> None:
        self.out = out_dir
        roots: list[Root] = []
        try:
            data = json.loads((out_dir / ".jixiao" / "roots.json").read_text(encoding="utf-8"))
            roots = [Root(r["dir"], r["prefix"]) for r in data.get("roots", [])]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        self.dataset = Dataset(out_dir, roots)

    def input_href(self, key: str) -> str | None:
        root = self.dataset.owner(key)
        if root is None:
            return None
        path = Path(root.dir) / key[len(root.prefix):]
        if not path.is_file():
            return None
        try:
            rel = os.path.relpath(path, self.out.resolve())
        except ValueError:  # another drive (Windows)
            return path.resolve().as_uri()
        return quote(Path(rel).as_posix())

    def cells(self, key: str) -> str:
        shown = _text(key)
        out = [f'<span class="path">{shown}</span>',
               f'<a href="{html.escape(quote("json/" + json_name(key)))}">JSON</a>']
        href = self.input_href(key)
        if href:
            out.append(f'<a href="{html.escape(href)}">文件</a>')
        return " ".join(out)


# -- charts -----------------------------------------------------------------------------------------

def _hbar(name: str, title: str, groups: list[Group], parts: list[str], legend: dict[str, str],
          xlabel: str) -> str:
    """Stacked horizontal bars, one per group (largest on top), each ending with its total."""
    if not groups:
        return ""
    labels = [shorten(g.label, SHORT_LABEL) for g in groups]
    return hbar(name, title, labels, _parts(groups, parts, legend), xlabel)


def _vbar(name: str, title: str, groups: list[Group], parts: list[str], legend: dict[str, str], ylabel: str,
          colours: list[str] | None = None) -> str:
    """Stacked vertical bars, one per group in order, each topped with its total; ``colours``
    colours a single part's bars one by one."""
    if not groups:
        return ""
    labels = [shorten(g.label, SHORT_TICK) for g in groups]
    return vbar(name, title, labels, _parts(groups, parts, legend, colours), ylabel)


def _parts(groups: list[Group], parts: list[str], legend: dict[str, str],
           colours: list[str] | None = None) -> list[Part]:
    return [Part(legend.get(p, p), [g.counts.get(p, 0) for g in groups],
                 colours if colours and len(parts) == 1 else COLOURS.get(p, "#4a6fa5")) for p in parts]


# -- HTML -------------------------------------------------------------------------------------------

class _Raw(str):
    """Markup built here (already escaped), put in a cell as it is."""


def _text(value: Any, limit: int = SHORT_CELL) -> str:
    """A value from a document, escaped; a long one cut with its whole text as the tooltip."""
    if value is None:
        return ""
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, float):
        return _num(value)
    text = str(value)
    if len(text) <= limit:
        return html.escape(text)
    return f'<span title="{html.escape(text[:2000])}">{html.escape(text[:limit - 1])}…</span>'


def _name(value: Any) -> str:
    """A project or department name in a narrow column: cut to 40 characters, kept from wrapping
    one character a line."""
    return f'<span class="name">{_text(value, 40)}</span>' if value else ""


def _paths(value: Any, shown: int = 6) -> str:
    """``;``-joined source paths one a line, the first ``shown`` of them."""
    paths = [p for p in str(value or "").split(";") if p]
    lines = [f'<span class="path">{_text(p)}</span>' for p in paths[:shown]]
    if len(paths) > shown:
        lines.append(f'<span class="path">… 共 {len(paths)} 份</span>')
    return "".join(lines)


def _num(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _delta(value: Any) -> str:
    if value is None:
        return ""
    if abs(value) < 0.005:
        return '<span class="ok">0.00</span>'
    return f'<span class="bad">{value:+.2f}</span>'.replace("-", "−")


def _status(value: Any) -> str:
    if value is None:
        return ""
    return f'<span class="st-{html.escape(str(value))}">{html.escape(STATUS.get(value, str(value)))}</span>'


def _table(head: list[str], rows: list[Any], cls: str = "") -> str:
    if not rows:
        return ""
    numeric = [all(isinstance(r[i], (int, float)) or r[i] is None for r in rows) for i in range(len(head))]
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    out = [f'<table class="{cls}"><thead><tr>{header}</tr></thead><tbody>']
    for row in rows:
        out.append("<tr>" + "".join(
            f'<td class="n">{_text(v)}</td>' if numeric[i] else f"<td>{_text(v)}</td>" for i, v in enumerate(row))
            + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _kpis(items: list[tuple[str, int, str]]) -> str:
    tiles = "".join(f'<div class="kpi {cls}"><b>{value}</b><span>{html.escape(name)}</span></div>'
                    for name, value, cls in items)
    return f'<div class="kpis">{tiles}</div>'


def _section(anchor: str, title: str, note: str, body: list[str]) -> str:
    note_html = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{note_html}'
            + "".join(b for b in body if b) + "</section>")


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
  margin:0;color:#222;background:#f6f7f9;font-size:14px}
header{background:#28405e;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}
nav a{color:#fff;margin-right:14px;font-size:13px}
main{padding:8px 24px 40px;max-width:1400px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 18px;margin:14px 0}
h2{font-size:18px;margin:4px 0 8px}
h3{font-size:15px;margin:12px 0 6px}
.note{color:#555;margin:0 0 8px}
.none{color:#5b8c5a}
.kpis{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.kpi{background:#fff;border:1px solid #dde1e6;border-left:4px solid #4a6fa5;border-radius:6px;padding:8px 14px;
  min-width:92px}
.kpi b{display:block;font-size:22px}
.kpi span{color:#555;font-size:13px}
.kpi.ok{border-left-color:#5b8c5a}
.kpi.partial,.kpi.warning{border-left-color:#e0a030}
.kpi.error{border-left-color:#c0392b}
.kpi.info{border-left-color:#7f8fa6}
svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
table.wide{width:100%}
th,td{border:1px solid #dde1e6;padding:3px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#eef1f5;white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td .path{display:block;min-width:14em;overflow-wrap:anywhere}
td .name{display:block;min-width:7em}
a{color:#1f5fa8}
.bad{color:#c0392b;font-weight:bold}
.ok,.st-ok{color:#5b8c5a}
.st-error{color:#c0392b}
.st-partial{color:#b07400}
td span.bad,td span.ok,td [class^=st-]{white-space:nowrap}
@media print{body{background:#fff}header{background:#fff;color:#000}nav{display:none}
  svg.chart,tr{break-inside:avoid}section{border:none;padding:0}}
"""


def _page(n: int, body: str, others: int = 0) -> str:
    links = [("status", "状态与表式"), ("flag-codes", "旗标"), ("delta", "Δ 总分"), ("worst", "问题报告"),
             ("unread", "读取失败"), ("ocr", "OCR")] + ([("not-reports", "非报告文件")] if others else []) + [
             ("cross", "跨报告")]
    nav = "".join(f'<a href="#{a}">{t}</a>' for a, t in links)
    counted = f"{n} 份报告" + (f" · 另有 {others} 个非报告文件" if others else "")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>绩效自评报告存档概览</title>
<style>{_CSS}</style>
</head>
<body>
<header><h1>绩效自评报告存档概览</h1><p>{counted} · 由 jixiao 从 dataset.sqlite 生成</p><nav>{nav}</nav></header>
<main>
{body}
</main>
</body>
</html>
"""
