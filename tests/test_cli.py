"""The command line, in-process with injected streams, plus one subprocess smoke test."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.cli import main
from tests.conftest import ROOT, SAMPLES


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    """A small archive: the seed, a copy in a Chinese-named folder with a space, and bad files."""
    root = tmp_path / "archive"
    (root / "2020 年 报告").mkdir(parents=True)
    shutil.copy(SAMPLES / "suzhou-2020-egov-selfeval.txt", root / "seed.txt")
    shutil.copy(SAMPLES / "suzhou-2020-egov-selfeval.txt", root / "2020 年 报告" / "电子政务.txt")
    (root / "empty.txt").write_bytes(b"")
    (root / "random.docx").write_bytes(bytes(range(256)) * 4)
    (root / "notes.txt").write_text("会议纪要\n与绩效无关的文字\n", encoding="utf-8")
    (root / "truncated.pdf").write_bytes(b"%PDF-1.4 not really")
    (root / "budget.xlsx").write_bytes(b"PK\x03\x04")
    (root / "export.html").write_text("<html><body>绩效</body></html>", encoding="utf-8")
    (root / "readme.md").write_text("not a report")
    return root


def test_bad_files_get_error_records_and_the_run_goes_on(archive: Path, tmp_path: Path, schema_validator) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run("extract", str(archive), "--out", str(out))
    assert code == 0, stderr
    records = {}
    for path in sorted((out / "json").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        schema_validator.validate(record)
        records[record["source"]["path"]] = record
    assert set(records) == {"seed.txt", "2020 年 报告/电子政务.txt", "empty.txt", "random.docx", "notes.txt",
                            "truncated.pdf", "budget.xlsx", "export.html"}
    assert records["seed.txt"]["status"] == records["2020 年 报告/电子政务.txt"]["status"] == "ok"
    assert records["empty.txt"]["errors"][0] == {"code": "unreadable_document",
                                                 "message": "the text file is empty: nothing to extract"}
    assert records["random.docx"]["errors"][0]["code"] == "unreadable_document"
    assert "not a zip package" in records["random.docx"]["errors"][0]["message"]
    assert records["notes.txt"]["errors"][0]["code"] == "not_a_report"  # read, and no report at all
    assert records["truncated.pdf"]["errors"][0]["code"] == "unreadable_document"
    assert records["truncated.pdf"]["errors"][0]["message"].startswith("damaged or truncated PDF")
    assert records["budget.xlsx"]["errors"][0]["code"] == "unreadable_document"
    assert records["export.html"]["errors"][0]["code"] == "unknown_template"  # read as HTML: no form in it
    bad = ("empty.txt", "random.docx", "notes.txt", "truncated.pdf", "budget.xlsx", "export.html")
    assert all(records[p]["status"] == "error" for p in bad)
    assert "random.docx  error  unknown  0 indicators" in stdout
    flags = sum(len(r["flags"]) for r in records.values())
    assert stdout.rstrip().splitlines()[-1] == (
        f"7 reports: 2 ok, 0 partial, 5 error; {flags} flags; 2 other files not reports (1 named like reports, "
        f"read and found to be none: notes.txt); outputs in {out}/")

    with (out / "reports.csv").open(encoding="utf-8-sig", newline="") as fh:
        reports = list(csv.DictReader(fh))
    assert sorted(r["source_path"] for r in reports) == sorted(records)
    assert (out / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with (out / "indicators.csv").open(encoding="utf-8-sig", newline="") as fh:
        indicators = list(csv.DictReader(fh))
    assert len(indicators) == 76
    assert indicators[0]["target"] == "合规"
    # Excel would run =100% as a formula: the CSV copy is neutralised, the JSON keeps it.
    assert indicators[3]["target"] == "'=100%"
    with (out / "flags.csv").open(encoding="utf-8-sig", newline="") as fh:
        flags = list(csv.DictReader(fh))
    assert {(f["source_path"], f["code"]) for f in flags} >= {("seed.txt", "score_mismatch")}
    with (out / "subprojects.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 26


def test_strict_exits_one_when_a_file_is_not_ok(archive: Path, tmp_path: Path) -> None:
    code, _, _ = run("extract", str(archive), "--out", str(tmp_path / "o"), "--strict", "--quiet")
    assert code == 1
    code, stdout, _ = run("extract", str(archive / "seed.txt"), "--out", str(tmp_path / "o2"), "--strict", "-q")
    assert code == 0
    assert stdout.startswith("1 reports: 1 ok")


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    code, _, err = run("extract", str(tmp_path / "missing"))
    assert (code, err.strip()) == (2, f"jixiao: no such file or folder: {tmp_path / 'missing'}")
    assert run("frobnicate")[0] == 2
    code, _, err = run("extract", str(SAMPLES), "--out", str(tmp_path / "o"), "--rules", "nope")
    assert code == 2
    assert err.startswith("jixiao: InvalidProfile: rule profile 'nope' not found")


def test_rules_list_and_show() -> None:
    code, out, _ = run("rules", "list")
    names = [line.split("\t")[:2] for line in out.splitlines()]
    assert code == 0 and ["suzhou-2017", "suzhou-2017"] in names and ["national-hubei-2020", "national-2020"] in names
    code, out, _ = run("rules", "show", "suzhou-2017")
    assert code == 0 and 'name = "suzhou-2017"' in out


def test_edited_profile_changes_the_rescoring(tmp_path: Path) -> None:
    text = (ROOT / "validate" / "profiles" / "suzhou-2017.toml").read_text(encoding="utf-8")
    mine = tmp_path / "lenient.toml"
    mine.write_text(text.replace('name = "suzhou-2017"', 'name = "lenient"')
                    .replace("shortfall_per_point = 0.05\nexcess_per_point = 0.01\nweights = \"sum\"",
                             "shortfall_per_point = 0.0\nexcess_per_point = 0.01\nweights = \"sum\""),
                    encoding="utf-8")
    out = tmp_path / "o"
    code, _, _ = run("extract", str(SAMPLES / "suzhou-2020-egov-selfeval.txt"), "--out", str(out), "--rules", str(mine))
    assert code == 0
    record = json.loads((out / "json" / "suzhou-2020-egov-selfeval.txt.json").read_text(encoding="utf-8"))
    assert record["profile"] == "lenient"
    assert [f["code"] for f in record["flags"] if f["code"] == "score_mismatch"] == []


@pytest.mark.slow
def test_installed_entry_point_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "jixiao"
    result = subprocess.run([str(exe), "extract", str(SAMPLES / "suzhou-2020-egov-selfeval.txt"), "--out",
                             str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "suzhou-2020-egov-selfeval.txt  ok  suzhou-2017  38 indicators  4 flags (2 error)" in result.stdout


def test_explain_shows_every_mismatch_with_its_rule() -> None:
    code, out, _ = run("explain", str(SAMPLES / "suzhou-2020-egov-selfeval.txt"), "--width", "100")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "suzhou-2020-egov-selfeval.txt: ok, form suzhou-2017, rules suzhou-2017"
    row = next(i for i, line in enumerate(lines) if "预算执行率" in line)
    # 40 columns of name at 100: 10 for 预算执行率, 30 of padding, then the weight right-aligned in 6.
    assert lines[row].endswith("预算执行率" + " " * 30 + "   6.00     6.00     3.90")
    assert lines[row + 1].strip() == "= 投入: 完成率 93/100 = 93.0% 低于 100% 7.00 点 × 5% → 3.9"  # under its row
    assert any("✗ score_mismatch: reported 自评分 6 but the rules give 3.90" in line for line in lines)
    assert any("✗ budget_identity (fund_balance)" in line for line in lines)
    assert "  total: reported 80.00, rules 77.90; 4 flags" in lines
    code, out, _ = run("explain", str(SAMPLES / "suzhou-2020-egov-selfeval.txt"), "--all")
    assert sum(1 for line in out.splitlines() if line[:5].strip().isdigit()) == 38


# --------------------------------------------------------------------------- install: one OpenCV


SEED_PDF = "suzhou-2020-egov-selfeval-truetype.pdf"
OPENCV_DISTRIBUTIONS = ("opencv-python", "opencv-python-headless", "opencv-contrib-python",
                        "opencv-contrib-python-headless")


def test_camelot_is_an_extra_not_in_the_default_install() -> None:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("camelot")]
    assert [d for d in project["optional-dependencies"]["camelot"] if d.startswith("camelot-py")]


def test_one_opencv_build_and_cv2_works() -> None:
    """rapidocr's opencv-python is the one OpenCV of the default install; with the camelot extra its
    opencv-python-headless writes the same cv2 package, so the two must then be one version."""
    from importlib import metadata

    import numpy as np

    installed = {}
    for name in OPENCV_DISTRIBUTIONS:
        try:
            installed[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    try:
        metadata.version("camelot-py")
        camelot = True
    except metadata.PackageNotFoundError:
        camelot = False
    if camelot:
        assert len(set(installed.values())) == 1, f"the camelot extra's OpenCV differs from rapidocr's: {installed}"
    else:
        assert list(installed) == ["opencv-python"], installed
    import cv2

    # What the OCR reader asks of it: colour to grey, an adaptive threshold, a blur; and a PNG round trip.
    image = np.zeros((40, 60, 3), dtype=np.uint8)
    image[10:30, 20:40] = (255, 255, 255)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    assert gray.shape == (40, 60) and gray[20, 30] == 255 and gray[0, 0] == 0
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 10)
    assert binary.shape == gray.shape and binary.dtype == np.uint8
    assert cv2.blur(gray, (3, 3))[20, 30] == 255
    ok, png = cv2.imencode(".png", image)
    assert ok and (cv2.imdecode(png, cv2.IMREAD_COLOR) == image).all()


def test_tables_camelot_without_the_extra_is_one_line_with_the_install_step(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "camelot" else real(name, *a))
    message = ("jixiao: --tables camelot needs camelot, an optional extra: pip install 'jixiao[camelot]' "
               "(in a checkout: make camelot)\n")
    code, stdout, err = run("extract", str(SAMPLES), "--out", str(tmp_path / "o"), "--tables", "camelot")
    assert (code, stdout, err) == (2, "", message)
    assert not (tmp_path / "o").exists()  # nothing was read or written
    code, _, err = run("explain", str(SAMPLES / SEED_PDF), "--tables", "camelot")
    assert (code, err) == (2, message)


def test_the_command_writes_everything_before_it_leaves(tmp_path: Path, schema_validator) -> None:
    """``jixiao`` (``cli.run``) leaves without the interpreter's teardown: what it printed, its exit code
    and every output must be there all the same."""
    import os
    import sqlite3

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "suzhou-2020-egov-selfeval.txt", src / "seed.txt")
    (src / "broken.docx").write_bytes(b"PK\x03\x04 not really a Word file")
    command = [sys.executable, "-c", "from jixiao.cli import run; run()"]
    # Buffered as a pipe is by default: what is not flushed is lost.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run([*command, "extract", str(src), "--out", str(tmp_path / "out"), "--strict"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1  # --strict: a file is not ok
    assert "2 reports: 1 ok, 0 partial, 1 error" in done.stdout
    records = sorted((tmp_path / "out" / "json").glob("*.json"))
    assert len(records) == 2
    for path in records:
        schema_validator.validate(json.loads(path.read_text(encoding="utf-8")))
    with sqlite3.connect(tmp_path / "out" / "dataset.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM reports").fetchone() == (2,)
    missing = subprocess.run([*command, "extract", str(tmp_path / "nothing-here")], capture_output=True, text=True,
                             timeout=60, env=env)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    listed = subprocess.run([*command, "rules", "list"], capture_output=True, text=True, timeout=60, env=env)
    assert listed.returncode == 0 and "suzhou-2017" in listed.stdout and "generic" in listed.stdout
