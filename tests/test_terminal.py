"""What a person sees running jixiao: files that are no report, --include/--exclude, an empty
folder, `--help`, `explain` on a terminal, and the run on platforms without fork."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from jixiao.cli import main
from jixiao.inputs import not_a_report, selected
from tests.conftest import SAMPLES

SEED = "suzhou-2020-egov-selfeval.txt"
# A real report in a layout no form describes: it must stay a failure, never "not a report".
UNKNOWN_LAYOUT = ("某区2021年度城市绿化项目\n项目负责单位：区园林局\n"
                  "本年度完成绿化面积12万平方米，完成率96%，项目资金已拨付。\n"
                  "考核内容  满分  本项得分\n绿化面积  40  38\n群众反映  20  18\n")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _records(out: Path) -> dict[str, dict]:
    return {r["source"]["path"]: r for r in (json.loads(p.read_text(encoding="utf-8"))
                                            for p in (out / "json").glob("*.json"))}


def _docx(path: Path, *paragraphs: str) -> None:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


# --------------------------------------------------------------------------- not a report


@pytest.mark.parametrize("text, fmt", [
    ("购物清单\n牛奶 2盒\n鸡蛋 1斤\n面包\n", "txt"),
    ("# jixiao samples\n\nThese files are made by the scripts beside them.\n", "txt"),
    ("会议纪要\n与绩效无关的文字\n", "txt"),  # one report word alone makes no report
    ("关于举办2022年春季运动会的通知\n各单位：为丰富职工生活，定于4月举办春季运动会，请各单位组织报名。", "docx"),
])
def test_files_that_are_no_report_are_told_apart(text: str, fmt: str) -> None:
    assert not_a_report(text, 0, fmt) is not None


@pytest.mark.parametrize("text, fmt, hits, ocr, notes", [
    (UNKNOWN_LAYOUT, "txt", 0, False, ()),                      # 项目, 完成率 → 完成情况? no: 项目, 资金, 得分
    ("项目支出绩效自评表", "txt", 0, False, ()),                    # a title alone: 绩效, 自评, 项目
    ("附件1", "docx", 0, False, ()),                               # little text in Word: the form may be a picture
    ("", "txt", 0, False, ()),                                     # nothing read
    ("购物清单 牛奶", "pdf", 0, True, ()),                          # read by OCR: the OCR may have missed the words
    ("购物清单 牛奶 鸡蛋 面包 苹果 香蕉 橙子 葡萄", "pdf", 0, False,
     ("page 1: fonts map characters to no Unicode text",)),        # unreadable text layer
    ("ÏîÄ¿Ö§³ö¼¨Ð§×ÔÆÀ±í ÏîÄ¿Ãû³Æ", "txt", 0, False, ()),            # GBK read as Latin-1: mis-decoded
    ("购物清单 牛奶 鸡蛋 面包 苹果 香蕉 橙子 葡萄", "docx", 2, False, ()),  # two of a form's labels seen
])
def test_what_may_be_a_report_is_never_called_none(text: str, fmt: str, hits: int, ocr: bool, notes: tuple) -> None:
    assert not_a_report(text, hits, fmt, ocr, notes) is None


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "杂项").mkdir(parents=True)
    shutil.copy(SAMPLES / SEED, root / SEED)
    (root / "notes.txt").write_text("会议纪要\n与绩效无关的文字\n", encoding="utf-8")
    (root / "杂项" / "shopping.txt").write_text("购物清单\n牛奶 2盒\n鸡蛋 1斤\n", encoding="utf-8")
    _docx(root / "杂项" / "notice.docx", "关于举办2022年春季运动会的通知",
          "各单位：为丰富职工生活，定于4月举办春季运动会，请各单位组织报名。")
    (root / "README.md").write_text("# archive\n", encoding="utf-8")
    return root


def test_files_that_are_no_report_are_counted_apart_and_do_not_trip_strict(mixed: Path, tmp_path: Path,
                                                                         schema_validator) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run("extract", str(mixed), "--out", str(out), "--strict", "--jobs", "1")
    assert code == 0, stderr
    records = _records(out)
    assert set(records) == {SEED, "notes.txt", "杂项/shopping.txt", "杂项/notice.docx"}  # one JSON each
    for key in ("notes.txt", "杂项/shopping.txt", "杂项/notice.docx"):
        schema_validator.validate(records[key])
        assert records[key]["status"] == "error"  # the contract's status enum has no other word
        assert [e["code"] for e in records[key]["errors"]] == ["not_a_report"]
    lines = stdout.splitlines()
    assert "notes.txt  not a report" in lines and "杂项/notice.docx  not a report" in lines
    flags = len(records[SEED]["flags"])  # the seed's flags are tested elsewhere; none come from the others
    assert lines[-1] == (f"1 reports: 1 ok, 0 partial, 0 error; {flags} flags; 4 other files not reports (3 named "
                         "like reports, read and found to be none: notes.txt, 杂项/notice.docx, 杂项/shopping.txt); "
                         f"outputs in {out}/")


def test_a_report_in_an_unknown_layout_stays_a_failure(mixed: Path, tmp_path: Path) -> None:
    (mixed / "绿化.txt").write_text(UNKNOWN_LAYOUT, encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, _ = run("extract", str(mixed), "--out", str(out), "--strict", "-q", "--jobs", "1")
    assert code == 1
    assert _records(out)["绿化.txt"]["errors"][0]["code"] == "unknown_template"
    assert stdout.startswith("2 reports: 1 ok, 0 partial, 1 error;")


# --------------------------------------------------------------------------- --include / --exclude


@pytest.mark.parametrize("key, include, exclude, expected", [
    ("2021/a.txt", ("2021/*",), (), True),
    ("2020/a.txt", ("2021/*",), (), False),
    ("2021/sub/a.PDF", ("*.pdf",), (), True),        # a name pattern, any case, at any depth
    ("2021/草稿/a.txt", (), ("草稿",), False),        # a folder's name takes all it holds
    ("2021/草稿/a.txt", (), ("2021/草稿",), False),
    ("2021/定稿/a.txt", (), ("草稿",), True),
    ("2021/a.txt", ("2021",), ("*.txt",), False),    # exclude wins
])
def test_selection_by_glob(key: str, include: tuple, exclude: tuple, expected: bool) -> None:
    assert selected(key, include, exclude) is expected


def test_include_and_exclude_choose_the_files_and_keep_the_others_records(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    for folder in ("2020", "2021", "2021/草稿"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / SEED, root / folder / "seed.txt")
    code, stdout, _ = run("extract", str(root), "--out", str(out), "--include", "2021/*", "--exclude", "草稿",
                          "--jobs", "1")
    assert code == 0
    assert set(_records(out)) == {"2021/seed.txt"}
    assert "; 2 files left out by --include/--exclude; 0 other files not reports;" in stdout.splitlines()[-1]
    code, stdout, _ = run("extract", str(root), "--out", str(out), "--include", "2020", "-q", "--jobs", "1")
    assert stdout.startswith("1 reports: 1 ok")
    assert set(_records(out)) == {"2020/seed.txt", "2021/seed.txt"}  # left out is not gone
    with (out / "reports.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert sorted(r["source_path"] for r in csv.DictReader(fh)) == ["2020/seed.txt", "2021/seed.txt"]


def test_extract_help_shows_examples_outputs_and_exit_codes() -> None:
    code, stdout, _ = run("extract", "--help")
    assert code == 0 and "--include GLOB" in stdout and "--exclude GLOB" in stdout
    for heading in ("examples:", "outputs (in OUT):", "exit codes:"):
        assert f"\n{heading}\n" in stdout
    assert "  jixiao extract archive --out out " in stdout
    assert "  json/            one record per report-named file" in stdout
    for code_line in ("  0    the run finished", "  1    with --strict", "  2    usage error", "  130  interrupted"):
        assert code_line in stdout


# --------------------------------------------------------------------------- empty folders


def test_an_empty_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, stdout, _ = run("extract", str(tmp_path / "empty"), "--out", str(tmp_path / "o"))
    assert code == 0
    assert stdout == (f"nothing found in {tmp_path / 'empty'}: the folder holds no files (hidden files and "
                      f"jixiao's own outputs are not read); outputs in {tmp_path / 'o'}/\n")


def test_a_folder_without_reports_says_so(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "README.md").write_text("# nothing here\n", encoding="utf-8")
    code, stdout, _ = run("extract", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--strict")
    assert code == 0
    assert stdout.startswith(f"no reports found in {tmp_path / 'in'} (no .pdf .docx .doc .xlsx .xls .txt .html .htm "
                             "files); 1 other files not reports;")
    code, stdout, _ = run("extract", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--exclude", "*")
    assert stdout.startswith(f"nothing found in {tmp_path / 'in'}: all 1 files were left out by --include/--exclude")


# --------------------------------------------------------------------------- platforms without fork


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(SAMPLES / SEED, root / SEED)
    shutil.copy(SAMPLES / "suzhou-2018-road-maintenance-weight-total-faults.docx", root / "road.docx")
    (root / "notes.txt").write_text("购物清单\n牛奶\n", encoding="utf-8")
    return root


# spawn: the Windows path, no forked table writer either; fork: workers forked from the run itself
# (a small run's default); forkserver: a large run's default, the table writer still forked
@pytest.mark.parametrize("method,contexts", [("spawn", {"spawn"}), ("fork", {"fork"}),
                                             ("forkserver", {"forkserver", "fork"})])
def test_every_start_method_gives_the_same_records(method: str, contexts: set[str], small: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.runner as runner

    monkeypatch.delenv("JIXIAO_START_METHOD", raising=False)
    code, served, _ = run("extract", str(small), "--out", str(tmp_path / "server"), "--jobs", "2")
    assert code == 0
    assert runner.start_method(small_run=True) == "fork"  # what that run used
    monkeypatch.setenv("JIXIAO_START_METHOD", method)
    assert runner.start_method() == method
    started = []
    real = runner.multiprocessing.get_context
    monkeypatch.setattr(runner.multiprocessing, "get_context", lambda m=None: started.append(m) or real(m))
    code, other, _ = run("extract", str(small), "--out", str(tmp_path / method), "--jobs", "2")
    assert code == 0
    assert started and set(started) == contexts
    assert other.splitlines()[-1].replace(f"{method}/", "server/") == served.splitlines()[-1]
    records = sorted((tmp_path / "server" / "json").glob("*.json"))
    assert len(records) == 3 and not any('"worker_crashed"' in p.read_text(encoding="utf-8") for p in records)
    for path in records:
        assert (tmp_path / method / "json" / path.name).read_bytes() == path.read_bytes()
    assert (tmp_path / method / "reports.csv").read_bytes() == (tmp_path / "server" / "reports.csv").read_bytes()


def test_a_large_run_starts_its_workers_from_the_fork_server(small: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.runner as runner

    monkeypatch.delenv("JIXIAO_START_METHOD", raising=False)
    monkeypatch.setattr(runner, "FILES_PER_WORKER", 1)  # 3 files on 2 workers: some worker is renewed
    started = []
    real = runner.multiprocessing.get_context
    monkeypatch.setattr(runner.multiprocessing, "get_context", lambda m=None: started.append(m) or real(m))
    code, _, _ = run("extract", str(small), "--out", str(tmp_path / "o"), "--jobs", "2")
    assert code == 0 and started[0] == "forkserver"
    assert not any('"worker_crashed"' in p.read_text(encoding="utf-8") for p in (tmp_path / "o" / "json").glob("*"))


def test_the_fork_server_ends_with_the_run(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing.forkserver as forkserver

    monkeypatch.setenv("JIXIAO_START_METHOD", "forkserver")  # a large run's default
    started = []
    real = forkserver.ForkServer.ensure_running

    def ensure_running(self: forkserver.ForkServer) -> None:
        real(self)
        started.append(self._forkserver_pid)

    monkeypatch.setattr(forkserver.ForkServer, "ensure_running", ensure_running)
    code, _, _ = run("extract", str(small), "--out", str(tmp_path / "o"), "--jobs", "2")
    assert code == 0 and started
    # Reaped, not left running (nor a zombie): its workers' CPU time counts among this process's children.
    assert forkserver._forkserver._forkserver_pid is None
    assert not Path(f"/proc/{started[0]}").exists()


def test_spawned_workers_are_stopped_at_the_time_limit(small: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_START_METHOD", "spawn")
    # A spawned worker takes far more than 50 ms to import jixiao: every file runs out of time.
    code, stdout, _ = run("extract", str(small), "--out", str(tmp_path / "o"), "--jobs", "2", "--timeout", "0.05")
    assert code == 0
    records = _records(tmp_path / "o")
    assert {k: r["errors"][0]["code"] for k, r in records.items()} == {SEED: "timeout", "road.docx": "timeout",
                                                                       "notes.txt": "timeout"}


def test_spawn_is_chosen_where_there_is_no_fork_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import jixiao.runner as runner

    monkeypatch.delenv("JIXIAO_START_METHOD", raising=False)
    monkeypatch.setattr(runner.multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # Windows
    assert runner.start_method() == "spawn"
    assert runner.start_method(small_run=True) == "spawn"
    monkeypatch.setattr(runner.multiprocessing, "get_all_start_methods", lambda: ["fork", "spawn", "forkserver"])
    assert runner.start_method() == "forkserver"
    assert runner.start_method(small_run=True) == "fork"


def test_a_bad_start_method_is_a_usage_error(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_START_METHOD", "vfork")
    code, _, err = run("extract", str(small), "--out", str(tmp_path / "o"))
    assert code == 2
    assert err.startswith("jixiao: JIXIAO_START_METHOD=vfork is not a start method of this platform (it has: ")


def test_memory_limits_only_where_the_platform_has_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    import jixiao.runner as runner

    monkeypatch.setitem(sys.modules, "resource", None)  # Windows: no resource module
    assert runner.limit_address_space(1024) is False
    monkeypatch.undo()
    # Where it exists (Linux here), in a child so that this process keeps its address space.
    child = subprocess.run([sys.executable, "-c", "import resource; from jixiao.runner import limit_address_space; "
                            "print(limit_address_space(3000), resource.getrlimit(resource.RLIMIT_AS)[0] >> 20)"],
                           capture_output=True, text=True, timeout=60)
    assert child.stdout.split() == ["True", "3000"], child.stderr


def test_parent_death_signal_is_asked_for_on_linux_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes
    import os
    import sys

    import jixiao.processes as processes

    asked = []

    class Libc:
        def __init__(self, *a, **k) -> None:
            pass

        def prctl(self, *args: int) -> int:
            asked.append(args)
            return 0

    monkeypatch.setattr(ctypes, "CDLL", Libc)
    monkeypatch.setattr(sys, "platform", "win32")
    processes.end_with_parent(os.getppid(), [])
    assert asked == []
    monkeypatch.setattr(sys, "platform", "linux")
    processes.end_with_parent(os.getppid(), [])
    assert asked and asked[0][0] == 1  # PR_SET_PDEATHSIG


# --------------------------------------------------------------------------- explain on a terminal


def _columns(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


LONG_NAME = "农村饮用水安全巩固提升工程完成数量及其配套管网延伸长度"  # 27 characters, 54 columns
RULE = "产出: 完成率 45/50 = 90.0% 低于 100% 10.00 点 × 5% → 3.5 (the 2017 form's band for 产出 rows)"


def _record(path: str) -> dict:
    """A record written by hand: one row on page 3 with a long name, a long rule and a flag."""
    return {
        "schema_version": 1, "source": {"path": path, "sha256": "0" * 64, "format": "pdf", "pages": 4, "ocr": False},
        "status": "ok", "errors": [], "template": "suzhou-2017", "profile": "suzhou-2017",
        "project": {"name": "供水", "year": 2019, "department": "水务局"}, "budget": {}, "subprojects": [],
        "subprojects_total": None, "reported_total": 5.0, "recomputed_total": 3.5, "sections": {},
        "indicators": [
            {"category": "产出", "name": LONG_NAME, "target": "50公里", "actual": "45公里", "weight": 5.0,
             "reported_score": 5.0, "recomputed_score": 3.5, "rule": RULE, "page": 3},
            {"category": "产出", "name": "水质检测频次", "target": "12次", "actual": "12次", "weight": 5.0,
             "reported_score": 5.0, "recomputed_score": 5.0, "rule": "完成率 100%", "page": 4},
        ],
        "flags": [{"code": "score_mismatch", "severity": "error", "subject": LONG_NAME,
                   "field": "indicators[0].reported_score", "reported": 5.0, "expected": 3.5,
                   "message": "reported 自评分 5 but the rules give 3.50 (Δ 1.50)", "rule": RULE}],
    }


def test_explain_fits_the_terminal_and_shows_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "water.pdf.json"
    path.write_text(json.dumps(_record("water.pdf"), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "72")  # what shutil.get_terminal_size reads first
    code, stdout, _ = run("explain", str(path))
    assert code == 0
    lines = stdout.splitlines()
    assert max(_columns(line) for line in lines) <= 72
    row = next(i for i, line in enumerate(lines) if line.startswith("    0 "))
    assert lines[row].startswith("    0  p.3  产出   农村饮用水安全巩固")
    assert "…" in lines[row] and lines[row].endswith("  5.00     5.00     3.50")
    # The rule and the flag are under their row, wrapped, every piece of them kept.
    below = lines[row + 1:row + 6]
    assert below[0].startswith("           = 产出: 完成率 45/50 = 90.0%")
    assert "".join(x.strip() for x in below).replace(" ", "").startswith(
        ("=" + RULE + "✗score_mismatch:reported自评分5buttherulesgive3.50(Δ1.50)").replace(" ", ""))
    assert not any(line.startswith("    1 ") for line in lines)  # no flag on it: shown with --all
    code, stdout, _ = run("explain", str(path), "--all", "--width", "120")
    row = next(line for line in stdout.splitlines() if line.startswith("    1 "))
    assert row == "    1  p.4  产出   水质检测频次" + " " * 29 + "  5.00     5.00     5.00"
    assert f"  0  p.3  产出   {LONG_NAME[:19]}…  " in stdout  # 40 columns of name at 120: 19 characters and …


def test_explain_takes_a_folder_of_records_and_an_out_folder(tmp_path: Path) -> None:
    records = tmp_path / "records"
    records.mkdir()
    for name in ("a.pdf", "b.pdf"):
        (records / f"{name}.json").write_text(json.dumps(_record(name), ensure_ascii=False), encoding="utf-8")
    code, stdout, _ = run("explain", str(records), "--width", "80")
    assert code == 0
    assert [line for line in stdout.splitlines() if ": ok, form" in line] == [
        "a.pdf: ok, form suzhou-2017, rules suzhou-2017", "b.pdf: ok, form suzhou-2017, rules suzhou-2017"]
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(SAMPLES / SEED, src / SEED)
    (src / "notes.txt").write_text("购物清单\n牛奶\n", encoding="utf-8")
    assert run("extract", str(src), "--out", str(out), "-q")[0] == 0
    code, stdout, _ = run("explain", str(out), "--width", "80")
    assert code == 0  # a file that is no report is no failure here either
    heads = [line for line in stdout.splitlines() if not line.startswith(" ") and line]
    assert heads == ["notes.txt: error, form unknown, rules —", f"{SEED}: ok, form suzhou-2017, rules suzhou-2017"]
    code, stdout, _ = run("explain", str(src), "--width", "80")  # the reports themselves
    assert code == 0 and f"{SEED}: ok, form suzhou-2017, rules suzhou-2017" in stdout.splitlines()
    (tmp_path / "nothing").mkdir()
    code, _, err = run("explain", str(tmp_path / "nothing"))
    assert code == 2 and err.startswith("jixiao: nothing to explain in")
