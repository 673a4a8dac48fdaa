"""OUT/summary.html: its content from a store built from hand-made records, and (slow) the page
drawn in a real headless Chromium: no console errors, every chart drawn, a screenshot kept."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import sqlite3
import subprocess
import time
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from jixiao.store import open_store, write_store
from jixiao.summary_page import write_summary_page
from jixiao.svg_chart import Part, axis_ticks, hbar, vbar
from jixiao.writers import json_name
from tests.conftest import ROOT

HUGE_DEPARTMENT = "县级特别长的部门名称" * 300
SCRIPT_NAME = "<script>alert('x')</script>高标准农田建设项目"


def _flag(code: str, severity: str, field: str = "reported_total") -> dict[str, Any]:
    return {"code": code, "severity": severity, "subject": "总分", "field": field, "message": f"{code} 的说明",
            "reported": 1.0, "expected": 2.0}


def _record(path: str, status: str = "ok", template: str = "national-2021", year: int | None = 2021,
            department: str = "农业农村局", name: str = "项目", reported: float | None = 90.0,
            recomputed: float | None = 90.0, flags: list[dict[str, Any]] | None = None, ocr: bool = False,
            errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    source = {"path": path, "format": path.rsplit(".", 1)[-1], "sha256": "0" * 64, "pages": 2}
    if ocr:
        source["ocr"] = True
    return {"source": source, "status": status, "template": template, "document_kind": "form", "scope": "project",
            "project": {"name": name, "year": year, "department": department},
            "reported_total": reported, "recomputed_total": recomputed, "flags": flags or [],
            "errors": errors or []}


# Five reports, their numbers chosen by hand: 3 ok, 1 partial, 1 error; 5 flags (3 error, 2 warning);
# one read by OCR. Worst first: worst.docx (2 errors, Δ −9.486842), partial.docx (1 error, Δ +2),
# mild.pdf (1 warning, Δ 0); clean.xlsx and broken.docx have no flags.
RECORDS = [
    _record("a/worst.docx", name=SCRIPT_NAME, reported=84.94, recomputed=94.426842,
            flags=[_flag("score_mismatch", "error", "indicators[0].reported_score"),
                   _flag("total_mismatch", "error"), _flag("weight_total", "warning")]),
    _record("b/mild.pdf", template="suzhou-2017", year=2022, department=HUGE_DEPARTMENT, ocr=True,
            flags=[_flag("missing_value", "warning", "indicators[1].actual")]),
    _record("c/clean.xlsx", year=2022),
    _record("broken.docx", status="error", template="unknown", year=None, department="", reported=None,
            recomputed=None, errors=[{"code": "unreadable", "message": "not a Word file <zip>"}]),
    _record("d/partial.docx", status="partial", year=2023, department="<img src=x>住建局", reported=92.0, recomputed=90.0,
            flags=[_flag("score_mismatch", "error", "indicators[2].reported_score")]),
]


# A stray file read and found to be no report at all (jixiao.inputs.not_a_report): status error with
# an error of code not_a_report in the store, yet no report that failed.
NOT_A_REPORT = {"code": "not_a_report", "message": "read, and no report at all: no report form, indicator table "
                "or report headings, and none of the words a self-evaluation uses (绩效, 自评, 指标, 得分, 预算, …)"}
NOTES = _record("notes.txt", status="error", template="unknown", year=None, department="", reported=None,
                recomputed=None, ocr=True, errors=[NOT_A_REPORT])
# Its not_a_report error after another one: still no report (the store joins them "code: message; …").
STRAY_PDF = _record("x/stray.pdf", status="error", template="unknown", year=None, department="", reported=None,
                    recomputed=None, errors=[{"code": "pdf_fonts", "message": "odd fonts"}, NOT_A_REPORT])


class _Page(HTMLParser):
    """The page's sections (text and links) and its inline SVGs."""

    def __init__(self) -> None:
        super().__init__()
        self.section = ""
        self.text: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.svgs = 0
        self.scripts = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id") or ""
        elif tag == "a" and a.get("href") and not a["href"].startswith("#"):
            self.links.setdefault(self.section, []).append(a["href"])
        elif tag == "svg":
            self.svgs += 1
        elif tag == "script":
            self.scripts += 1
        for key in ("src", "href"):
            if (a.get(key) or "").startswith(("http:", "https:", "//")):
                self.external.append(a[key] or "")

    def handle_data(self, data: str) -> None:
        self.text.setdefault(self.section, []).append(data)

    def words(self, section: str) -> str:
        return " ".join(self.text.get(section, []))


def _out(tmp_path: Path, records: list[dict[str, Any]], with_inputs: bool = True) -> Path:
    """OUT as a run leaves it: json/, .jixiao/roots.json naming the input folder, dataset.sqlite."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    for rec in records:
        if with_inputs:
            (inputs / rec["source"]["path"]).parent.mkdir(parents=True, exist_ok=True)
            (inputs / rec["source"]["path"]).write_bytes(b"input")
        (out / "json").mkdir(parents=True, exist_ok=True)
        (out / "json" / json_name(rec["source"]["path"])).write_text(json.dumps(rec), encoding="utf-8")
    (out / ".jixiao").mkdir(parents=True, exist_ok=True)
    (out / ".jixiao" / "roots.json").write_text(json.dumps({"roots": [{"dir": str(inputs), "prefix": ""}]}))
    write_store(records, out / "dataset.sqlite")
    return out


def _render(out: Path) -> tuple[str, _Page]:
    conn = open_store(out / "dataset.sqlite")
    try:
        path = write_summary_page(conn, out)
    finally:
        conn.close()
    assert path == out / "summary.html"
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    return text, page


def test_counts_worst_first_and_links(tmp_path: Path) -> None:
    out = _out(tmp_path, RECORDS)
    text, page = _render(out)
    kpis = dict((label, int(n)) for n, label in re.findall(r'<div class="kpi[^"]*"><b>(\d+)</b><span>([^<]+)', text))
    assert kpis == {"报告": 5, "正常": 3, "部分读取": 1, "读取失败": 1, "OCR 识别": 1, "有旗标的报告": 3,
                    "有错误旗标的报告": 2, "旗标": 5, "错误": 3, "警告": 2, "提示": 0}
    worst = page.words("worst")
    order = [worst.index(name) for name in ("a/worst.docx", "d/partial.docx", "b/mild.pdf")]
    assert order == sorted(order)
    assert "c/clean.xlsx" not in worst and "broken.docx" not in worst
    assert "−9.49" in worst and "+2.00" in worst and "84.94" in worst and "94.43" in worst
    # Each listed report links its JSON and its input; every link resolves to a file from OUT.
    links = page.links["worst"]
    assert "json/a__worst.docx.json" in links and len(links) == 6
    assert page.links["unread"] == ["json/broken.docx.json", "../in/broken.docx"]
    assert page.links["ocr"] == ["json/b__mild.pdf.json", "../in/b/mild.pdf"]
    for href in (h for hrefs in page.links.values() for h in hrefs):
        assert (out / unquote(href)).is_file(), href
    assert "not a Word file <zip>" in page.words("unread")
    assert "b/mild.pdf" in page.words("ocr")
    codes = page.words("flag-codes")
    assert re.search(r"score_mismatch\s+2\s+0\s+0\s+2\s+2", codes)  # 2 errors, in 2 reports
    years = page.words("flag-years")
    assert re.search(r"2021\s+1\s+2\s+1\s+0\s+3", years) and re.search(r"年度不详\s+1\s+0\s+0\s+0\s+0", years)
    assert "未发现跨年度的项目系列" in page.words("cross")
    assert page.svgs == 5  # forms, codes, years, departments, Δ
    assert page.scripts == 0 and page.external == []


def test_files_that_are_no_report_are_counted_and_listed_apart(tmp_path: Path) -> None:
    """notes.txt and x/stray.pdf (not_a_report) are in no count, chart or list of reports, and not
    among the files that failed: a 非报告文件 tile, a line in the header and a list of their own."""
    out = _out(tmp_path, [*RECORDS, NOTES, STRAY_PDF])
    text, page = _render(out)
    kpis = dict((label, int(n)) for n, label in re.findall(r'<div class="kpi[^"]*"><b>(\d+)</b><span>([^<]+)', text))
    assert kpis == {"报告": 5, "正常": 3, "部分读取": 1, "读取失败": 1, "OCR 识别": 1, "有旗标的报告": 3,
                    "有错误旗标的报告": 2, "旗标": 5, "错误": 3, "警告": 2, "提示": 0, "非报告文件": 2}
    assert "<p>5 份报告 · 另有 2 个非报告文件 · 由 jixiao" in text and '<a href="#not-reports">非报告文件</a>' in text
    for section in ("status", "flag-codes", "flag-years", "flag-departments", "delta", "worst", "unread", "ocr",
                    "cross"):
        words = page.words(section)
        assert "notes.txt" not in words and "stray.pdf" not in words and "not_a_report" not in words, section
    assert "共 1 个文件未能读出报告。" in page.words("unread")
    assert page.links["unread"] == ["json/broken.docx.json", "../in/broken.docx"]
    assert page.links["ocr"] == ["json/b__mild.pdf.json", "../in/b/mild.pdf"]  # notes.txt's OCR flag not counted
    status = page.words("status")
    assert "共 5 份报告" in status and "另有 2 个文件不是报告" in status
    assert re.search(r"unknown\s+0\s+0\s+1\s+1", status)  # the unknown form: broken.docx alone
    assert re.search(r"年度不详\s+1\s+0\s+0\s+0\s+0", page.words("flag-years"))
    assert "4 份报告两者都有" in page.words("delta") and "1 份缺少其一" in page.words("delta")
    listed = page.words("not-reports")
    assert "共 2 个文件读取后判定不是绩效自评报告" in listed and "none of the words a self-evaluation uses" in listed
    assert listed.index("notes.txt") < listed.index("x/stray.pdf")
    assert page.links["not-reports"] == ["json/notes.txt.json", "../in/notes.txt", "json/x__stray.pdf.json",
                                         "../in/x/stray.pdf"]


def test_an_archive_of_no_reports_lists_its_files(tmp_path: Path) -> None:
    text, page = _render(_out(tmp_path, [NOTES]))
    assert "<b>0</b><span>报告</span>" in text and "<b>0</b><span>读取失败</span>" in text
    assert "<b>1</b><span>非报告文件</span>" in text and "存档中没有报告" in text
    assert "notes.txt" in page.words("not-reports") and "unread" not in page.text


def test_a_failure_that_only_mentions_not_a_report_stays_a_failure(tmp_path: Path) -> None:
    odd = _record("odd.docx", status="error", template="unknown", reported=None, recomputed=None,
                  errors=[{"code": "unreadable", "message": "damaged; not_a_report-like text"}])
    text, page = _render(_out(tmp_path, [odd]))
    assert "<b>1</b><span>读取失败</span>" in text and "非报告文件" not in text
    assert "odd.docx" in page.words("unread")


def test_links_to_inputs_only_where_they_are(tmp_path: Path) -> None:
    out = _out(tmp_path, RECORDS, with_inputs=False)
    _, page = _render(out)
    assert page.links["worst"] == ["json/a__worst.docx.json", "json/d__partial.docx.json", "json/b__mild.pdf.json"]


def test_strings_from_documents_are_escaped(tmp_path: Path) -> None:
    out = _out(tmp_path, RECORDS)
    conn = open_store(out / "dataset.sqlite")
    with conn:
        conn.execute("INSERT INTO projects VALUES (?, ?, ?, ?, ?)",
                     ("k1", SCRIPT_NAME, "农业农村局", "2021;2022", "a/worst.docx;c/clean.xlsx"))
        conn.execute("INSERT INTO patterns VALUES (?, ?, ?, ?, ?, ?, ?)",
                     ("narrative_copied", "warning", "<b>自评结论</b>", "a/worst.docx;c/clean.xlsx", "2021;2022",
                      "两份报告的自评结论相同 & <img src=x>", "…"))
    conn.close()
    text, page = _render(out)
    assert "<script" not in text and "<img" not in text and "<b>自评结论" not in text
    assert re.search(r"<text[^>]*>&lt;img src=x&gt;住建局</text>", text)  # the department on its chart
    assert "<img src=x>住建局" in page.words("worst")
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids))  # sections' anchors and charts' titles never clash
    for chart in ("forms", "codes", "years", "departments", "delta"):  # each chart named by its title
        assert f'aria-labelledby="{chart}-title"' in text and f"{chart}-title" in ids
    assert text.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") >= 2  # worst list, projects
    cross = page.words("cross")
    assert SCRIPT_NAME in cross and "两份报告的自评结论相同 & <img src=x>" in cross and "1 个跨多个年度" in cross
    # The huge department name: cut on the chart and in its cell, whole in the cell's tooltip.
    assert HUGE_DEPARTMENT not in page.words("flag-departments")
    assert "县级特别长的部门名称县级特别长的部门名称" in page.words("flag-departments")
    assert f'title="{HUGE_DEPARTMENT[:2000]}"' in text


@pytest.mark.parametrize("records, says", [
    ([], "存档中没有报告"),
    ([RECORDS[3]], "没有旗标"),
    ([RECORDS[2]], "没有需要复核的报告"),
])
def test_small_archives_render(tmp_path: Path, records: list[dict[str, Any]], says: str) -> None:
    text, page = _render(_out(tmp_path, records))
    assert says in text and text.rstrip().endswith("</html>")
    assert "未发现跨报告的问题" in text


def test_same_store_same_page(tmp_path: Path) -> None:
    out = _out(tmp_path, RECORDS)
    first, _ = _render(out)
    second, _ = _render(out)
    assert first == second
    assert not [p for p in out.iterdir() if p.name.startswith(".summary.html")]  # no temporary left


@pytest.mark.parametrize("most, ticks", [
    (0, [0, 1]), (1, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (10, [0, 2, 4, 6, 8, 10]),
    (11, [0, 5, 10, 15]), (69_551, [0, 20_000, 40_000, 60_000, 80_000]),
])
def test_axis_ticks_are_round_integers(most: int, ticks: list[int]) -> None:
    assert axis_ticks(most) == ticks


def test_chart_text_is_escaped_and_every_bar_drawn() -> None:
    parts = [Part("错误 <b>", [2, 0, 1], "#c0392b"), Part("警告", [1, 0, 0], "#e0a030"), Part("提示", [0, 0, 0], "#777")]
    for draw in (hbar, vbar):
        svg = draw("c", "标题 & <i>", ["<img src=x>", "乙", "丙"], parts, "旗标数")
        assert "<img" not in svg and "<b>" not in svg and "<i>" not in svg
        assert '<title id="c-title">标题 &amp; &lt;i&gt;</title>' in svg
        assert svg.count("<rect") == 3 + 2  # nonzero parts, and a legend swatch for each part drawn
        assert re.findall(r'font-size="12">(\d+)</text>', svg) == ["3", "0", "1"]  # each bar's total, ticks aside
        assert "提示" not in re.sub(r"<title>.*?</title>", "", svg)  # no legend for a part never drawn


def test_many_years_slant_their_labels_and_stand_totals_on_end() -> None:
    years = [str(y) for y in range(1985, 2024)]
    svg = vbar("years", "年度", years, [Part("n", [5130] * len(years), "#7f8fa6")], "旗标数")
    assert svg.count('transform="rotate(-45') == len(years) and svg.count('transform="rotate(-90') == len(years) + 1  # + the axis label
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    assert width <= 860


@pytest.mark.slow
def test_memory_flat_at_100000_reports(tmp_path: Path) -> None:
    """Bounded memory: the page over 100,000 reports (each its own department) allocates about
    what it does over 100."""
    def peak(n: int, tag: str = "", traced: bool = True) -> tuple[int, str]:
        path = tmp_path / f"{n}{tag}.sqlite"
        write_store([], path)
        conn = open_store(path)
        with conn:  # rows made by SQLite itself: 100,000 in a second
            conn.execute("""
                WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ?)
                INSERT INTO reports (source_path, status, template, year, department, ocr, total_delta,
                                     flag_count, error_flags, warning_flags)
                SELECT printf('r%06d.docx', n), CASE n % 3 WHEN 0 THEN 'ok' WHEN 1 THEN 'partial' ELSE 'error' END,
                       'form-' || (n % 7), 2015 + n % 9, '部门' || n, n % 50 = 0, (n % 41) - 20.0,
                       n % 5, CASE WHEN n % 5 > 2 THEN n % 3 ELSE 0 END, n % 5 > 0
                FROM i""", (n,))
        out = tmp_path / f"out{n}{tag}"
        out.mkdir()
        if traced:
            tracemalloc.start()
        write_summary_page(conn, out)
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        conn.close()
        return used, (out / "summary.html").read_text(encoding="utf-8")

    peak(100, "warm", traced=False)  # one-time set-up (imports, SQLite's caches) outside the comparison
    small, _ = peak(100)
    large, text = peak(100_000)
    assert '<b>100000</b><span>报告</span>' in text and "其他 99985 项" in text
    assert large < small + 8_000_000, (small, large)


# -- the page in a real browser ---------------------------------------------------------------------

def _chromium() -> str:
    """Chromium from Debian packages: installed here (with CJK fonts) when missing and we are
    root with apt-get; otherwise the test is skipped with the reason."""
    if os.name != "posix":
        pytest.skip("the browser test hands Chromium its DevTools pipe as fds 3 and 4, which needs POSIX")
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("JIXIAO_NO_APT"):
        pytest.skip("chromium is not installed (and JIXIAO_NO_APT forbids installing it)")
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and cannot be (needs root and apt-get): apt-get install chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"chromium could not be installed ({' '.join(cmd)}: {done.stderr.strip()[-300:]})")
    found = shutil.which("chromium")
    if not found:
        pytest.skip("apt-get install chromium left no chromium on PATH")
    return found


class _Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
    JSON messages ending in NUL, read on its fd 3, written on its fd 4): no websocket library and
    no browser download, and the page's console errors and uncaught exceptions are seen."""

    def __init__(self, exe: str, profile: Path) -> None:
        self.exe, self.profile = exe, profile
        self.events: list[dict[str, Any]] = []
        self.buffer = b""
        self.next_id = 0
        self.session: str | None = None

    def __enter__(self) -> "_Browser":
        import fcntl  # POSIX only, as is the pipe hand-over below

        to_child, self.to_browser = os.pipe()
        self.from_browser, from_child = os.pipe()

        def fds() -> None:  # the child's fd 3 reads our commands, its fd 4 writes the answers
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child, from_child)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.log = open(self.profile.parent / "chromium.log", "wb")
        self.proc = subprocess.Popen(
            [self.exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions", "--disable-quic",
             "--hide-scrollbars", f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, preexec_fn=fds, close_fds=False)
        os.close(to_child)
        os.close(from_child)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("Browser.close", session=False, timeout=10)
        except (OSError, AssertionError):
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)
        self.log.close()

    def _read(self, deadline: float) -> dict[str, Any] | None:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                return None
            chunk = os.read(self.from_browser, 1 << 16)
            assert chunk, f"chromium closed its pipe: {(self.profile.parent / 'chromium.log').read_text()[-2000:]}"
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict[str, Any] | None = None, session: bool = True,
             timeout: float = 30) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while (answer := self._read(deadline)) is not None:
            if answer.get("id") == self.next_id:
                assert "error" not in answer, (method, answer["error"])
                return answer.get("result", {})
            self.events.append(answer)
        raise AssertionError(f"no answer to {method} within {timeout} s")

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        if any(e.get("method") == method for e in self.events):
            return
        while (event := self._read(deadline)) is not None:
            self.events.append(event)
            if event.get("method") == method:
                return
        raise AssertionError(f"no {method} within {timeout} s")

    def open(self, url: str) -> dict[str, Any]:
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")
        return {"errors": self.errors()}

    def errors(self) -> list[str]:
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details.get("text", ""))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"{params['entry'].get('text')} ({params['entry'].get('url', '')})")
        return found

    def evaluate(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    def screenshot(self, width: int) -> bytes:
        """The whole page at ``width`` CSS pixels, as PNG."""
        metrics = {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": False}
        self.call("Emulation.setDeviceMetricsOverride", metrics)
        height = self.evaluate("document.documentElement.scrollHeight")
        self.call("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(int(height), 16000)})
        return base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])


@pytest.mark.slow
def test_page_in_headless_chromium(tmp_path: Path) -> None:
    out = _out(tmp_path, RECORDS)
    _render(out)
    with _Browser(_chromium(), tmp_path / "profile") as browser:
        result = browser.open((out / "summary.html").as_uri())
        charts = browser.evaluate("""[...document.querySelectorAll('svg.chart')].map(svg => {
            const box = svg.getBoundingClientRect();
            const marks = [...svg.querySelectorAll('path, rect, use')].filter(m => {
                const b = m.getBBox(); return b.width > 0 && b.height > 0; });
            const texts = [...svg.querySelectorAll('text')].filter(t => t.getComputedTextLength() > 0);
            return {name: svg.dataset.chart, width: box.width, height: box.height, marks: marks.length,
                    texts: texts.length};
        })""")
        shot = browser.screenshot(1280)
    path = tmp_path / "summary.png"
    path.write_bytes(shot)
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy(path, artifacts / "summary.png")
    print(f"screenshot: {artifacts / 'summary.png'}")
    assert result["errors"] == [], result["errors"]
    assert [c["name"] for c in charts] == ["forms", "codes", "years", "departments", "delta"]
    for chart in charts:
        assert chart["width"] > 100 and chart["height"] > 50 and chart["marks"] >= 3 and chart["texts"] >= 3, chart
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000


def test_sqlite_row_factory_not_needed(tmp_path: Path) -> None:
    out = _out(tmp_path, RECORDS)
    conn = sqlite3.connect(out / "dataset.sqlite")
    try:
        assert "a/worst.docx" in write_summary_page(conn, out).read_text(encoding="utf-8")
    finally:
        conn.close()


def test_a_store_without_tables_renders(tmp_path: Path) -> None:
    """A store from before the page (no reports table yet, or an older one lacking columns)."""
    conn = sqlite3.connect(tmp_path / "old.sqlite")
    try:
        assert "存档中没有报告" in write_summary_page(conn, tmp_path).read_text(encoding="utf-8")
        conn.execute("CREATE TABLE reports (source_path TEXT, status TEXT, flag_count INTEGER)")
        conn.execute("INSERT INTO reports VALUES ('a.docx', 'ok', 0)")
        text = write_summary_page(conn, tmp_path).read_text(encoding="utf-8")
    finally:
        conn.close()
    assert "<b>1</b><span>报告</span>" in text and "没有旗标" in text


def test_input_links_follow_each_folders_prefix(tmp_path: Path) -> None:
    """OUT built from two folders: a report of the second (keyed ``2020/…``) links its file in that folder."""
    records = [_record("a.docx", flags=[_flag("total_mismatch", "error")]),
               _record("2020/b.docx", flags=[_flag("total_mismatch", "error")])]
    out = _out(tmp_path, records[:1])
    second = tmp_path / "second"
    second.mkdir()
    (second / "b.docx").write_bytes(b"input")
    roots = {"roots": [{"dir": str(tmp_path / "in"), "prefix": ""}, {"dir": str(second), "prefix": "2020/"}]}
    (out / ".jixiao" / "roots.json").write_text(json.dumps(roots))
    write_store(records, out / "dataset.sqlite")
    _, page = _render(out)
    assert sorted(page.links["worst"]) == ["../in/a.docx", "../second/b.docx", "json/2020__b.docx.json",
                                           "json/a.docx.json"]
