"""Run faults from issue #9: inputs that are not files, names that are not UTF-8, a parent killed
with -9, reruns after a change besides the file, folders added to one OUT, OUT inside DIR, an
OUT that cannot be used, links out of DIR, two runs at once."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jixiao.cli import main
from tests.conftest import SAMPLES

SEED = "suzhou-2020-egov-selfeval.txt"
WORD = "suzhou-2018-road-maintenance-weight-total-faults.docx"
GBK_NAME = os.fsdecode(b"gbk-\xc3\xfb\xb3\xc6.docx")  # 名称 in GBK bytes, as a Chinese Windows archive has it
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and byte file names are POSIX")


def _run(src: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(["extract", str(src), "--out", str(out), "--jobs", "2", "--timeout", "20", *extra],
                stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def _json(out: Path) -> dict[str, dict]:
    records = (json.loads(p.read_text(encoding="utf-8")) for p in (out / "json").glob("*.json"))
    return {r["source"]["path"]: r for r in records}


def _csv_paths(out: Path, table: str = "reports") -> list[str]:
    with (out / f"{table}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return sorted({row["source_path"] for row in csv.DictReader(fh)})


def _sqlite_paths(out: Path) -> list[str]:
    with sqlite3.connect(out / "dataset.sqlite") as conn:
        return sorted(r[0] for r in conn.execute("SELECT source_path FROM reports"))


def _xlsx_paths(out: Path) -> list[str]:
    import openpyxl

    ws = openpyxl.load_workbook(out / "audit.xlsx", read_only=True)["概览"]
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("文件")
    return sorted(r[col] for r in rows[1:] if r[col])


@posix_only
def test_hostile_folder_finishes_with_one_record_per_input(tmp_path: Path, schema_validator) -> None:
    """A FIFO, a /dev/zero link, a GBK-named report and a name with a newline, beside a sample:
    the run ends by itself, one JSON each, and the readable ones keep all their rows."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / SEED, src / SEED)
    os.mkfifo(src / "report.pdf")
    os.symlink("/dev/zero", src / "zero.txt")
    os.mkfifo(src / "inside-pipe.docx")
    os.symlink(src / "inside-pipe.docx", src / "link-to-pipe.docx")  # a link inside DIR, to a pipe
    shutil.copy(SAMPLES / WORD, src / GBK_NAME)
    shutil.copy(SAMPLES / SEED, src / "forged\n21 reports: 21 ok.txt")
    started = time.monotonic()
    code, stdout, stderr = _run(src, tmp_path / "out")
    assert time.monotonic() - started < 60 and code == 0, stderr
    records = _json(tmp_path / "out")
    assert len(records) == 7
    for record in records.values():
        schema_validator.validate(record)
    assert records["report.pdf"]["errors"][0]["code"] == "not_a_file"
    assert "named pipe" in records["report.pdf"]["errors"][0]["message"]
    assert records["link-to-pipe.docx"]["errors"][0]["code"] == "not_a_file"
    assert records["zero.txt"]["errors"][0]["code"] == "link_outside"
    expected_rows = len(json.loads((SAMPLES / "expected" / f"{WORD}.json").read_text(encoding="utf-8"))["indicators"])
    assert len(records["gbk-名称.docx"]["indicators"]) == expected_rows
    assert records["gbk-名称.docx"]["status"] == "ok"
    assert len(records["forged\n21 reports: 21 ok.txt"]["indicators"]) == 38
    # One line per file and the summary: the newline is printed escaped, so nothing is forged.
    lines = stdout.splitlines()
    assert len(lines) == 8 and lines[-1].startswith("7 reports: 3 ok, 0 partial, 4 error;")
    assert any(line.startswith("forged\\n21 reports: 21 ok.txt  ok") for line in lines)
    assert "Traceback" not in stderr
    assert _csv_paths(tmp_path / "out") == sorted(records)


@posix_only
def test_followed_link_to_a_device_is_still_not_opened(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    os.symlink("/dev/zero", src / "zero.txt")
    code, stdout, _ = _run(src, tmp_path / "out", "--follow-links")
    assert code == 0
    assert _json(tmp_path / "out")["zero.txt"]["errors"][0]["code"] == "not_a_file"


@posix_only
def test_link_out_of_dir_is_not_read_unless_asked(tmp_path: Path) -> None:
    src, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    src.mkdir()
    elsewhere.mkdir()
    shutil.copy(SAMPLES / SEED, elsewhere / "secret.txt")
    os.symlink(elsewhere / "secret.txt", src / "link.txt")
    _run(src, tmp_path / "out")
    record = _json(tmp_path / "out")["link.txt"]
    assert record["errors"][0]["code"] == "link_outside" and record["indicators"] == []
    import hashlib

    assert record["source"]["sha256"] == hashlib.sha256(b"").hexdigest()  # not even hashed
    code, stdout, _ = _run(src, tmp_path / "out", "--follow-links")
    assert len(_json(tmp_path / "out")["link.txt"]["indicators"]) == 38
    assert "1 redone" in stdout


@posix_only
def test_gbk_name_is_a_stable_key(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / WORD, src / GBK_NAME)
    shutil.copy(SAMPLES / WORD, src / os.fsdecode(b"bad-\xff\xfe.docx"))  # valid in neither UTF-8 nor GB18030
    _run(src, tmp_path / "out")
    assert sorted(_json(tmp_path / "out")) == ["bad-\\xff\\xfe.docx", "gbk-名称.docx"]
    code, stdout, _ = _run(src, tmp_path / "out")
    assert "2 unchanged since the last run, skipped" in stdout


def test_rerun_redoes_files_when_rules_tools_or_libraries_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / SEED, src / SEED)
    shutil.copy(SAMPLES / WORD, src / "road.docx")
    out = tmp_path / "out"
    _run(src, out)
    before = _json(out)
    assert before[SEED]["profile"] == "suzhou-2017"
    profile = tmp_path / "my.toml"
    profile.write_text((Path(__file__).parent.parent / "validate" / "profiles" / "suzhou-2017.toml")
                       .read_text(encoding="utf-8"), encoding="utf-8")
    code, stdout, _ = _run(src, out, "--rules", str(profile))
    assert "2 redone (--rules changed: 2)" in stdout
    code, stdout, _ = _run(src, out, "--rules", str(profile))
    assert "2 unchanged since the last run" in stdout
    # An edited profile of the same name is another profile.
    profile.write_text(profile.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    code, stdout, _ = _run(src, out, "--rules", str(profile))
    assert "2 redone (--rules changed: 2)" in stdout
    # A tool installed since (here: LibreOffice appearing or vanishing) redoes the files too.
    import extract

    real = extract.optional_tools()
    monkeypatch.setattr(extract, "optional_tools", lambda: {k: (None if v else "/usr/bin/soffice")
                                                            for k, v in real.items()})
    code, stdout, _ = _run(src, out, "--rules", str(profile))
    assert "2 redone (an optional tool was installed or removed: 2)" in stdout
    # So does a new version of a library that reads files (here: pdfminer, pdfplumber's parser).
    libraries = extract.reading_libraries()
    assert "pdfminer.six" in libraries
    monkeypatch.setattr(extract, "reading_libraries", lambda: {**libraries, "pdfminer.six": "99990101"})
    code, stdout, _ = _run(src, out, "--rules", str(profile))
    assert "2 redone (a library that reads files changed version: 2)" in stdout
    code, stdout, _ = _run(src, out, "--rules", str(profile))
    assert "2 unchanged since the last run" in stdout


def test_reading_libraries_are_the_installed_versions() -> None:
    from importlib.metadata import version

    import extract

    libraries = extract.reading_libraries()
    for name in ("pdfplumber", "pdfminer.six", "pypdfium2", "python-docx", "numpy", "onnxruntime"):
        assert libraries[name] == version(name)
    assert set(libraries) <= set(extract.READING_LIBRARIES)


def test_rerun_redoes_files_when_the_table_engine_changes(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "suzhou-2020-egov-selfeval-truetype.pdf", src / "r.pdf")
    _run(src, tmp_path / "out")
    code, stdout, _ = _run(src, tmp_path / "out", "--tables", "pdfplumber")
    assert "1 redone (--tables changed: 1)" in stdout


def test_two_folders_into_one_out_lose_nothing(tmp_path: Path) -> None:
    """2019/ then 2020/ into ds, both holding r.docx: both kept, every table agrees with json/."""
    a, b, out = tmp_path / "2019", tmp_path / "2020", tmp_path / "ds"
    a.mkdir()
    b.mkdir()
    shutil.copy(SAMPLES / WORD, a / "r.docx")
    shutil.copy(SAMPLES / SEED, b / "r.txt")
    shutil.copy(SAMPLES / WORD, b / "r.docx")
    _run(a, out)
    code, stdout, _ = _run(b, out)
    assert code == 0 and "(3 records in all, this folder's under 2020/)" in stdout
    keys = sorted(_json(out))
    assert keys == ["2020/r.docx", "2020/r.txt", "r.docx"]
    for paths in (_csv_paths(out), _csv_paths(out, "indicators"), _sqlite_paths(out), _xlsx_paths(out)):
        assert paths == keys
    # Rerun of the first folder: its records stay under their keys, the second folder's stay too.
    code, stdout, _ = _run(a, out)
    assert "1 unchanged" in stdout and sorted(_json(out)) == keys and _csv_paths(out) == keys
    # An input deleted: its record leaves json/ and every table, the other folder's records stay.
    (b / "r.txt").unlink()
    code, stdout, _ = _run(b, out)
    assert "1 records of inputs no longer in DIR removed" in stdout
    keys = ["2020/r.docx", "r.docx"]
    for paths in (sorted(_json(out)), _csv_paths(out), _csv_paths(out, "indicators"), _sqlite_paths(out),
                  _xlsx_paths(out)):
        assert paths == keys


def test_a_folder_around_or_inside_one_out_holds_is_refused(tmp_path: Path) -> None:
    top, out = tmp_path / "archive", tmp_path / "ds"
    (top / "2019").mkdir(parents=True)
    shutil.copy(SAMPLES / SEED, top / "2019" / "r.txt")
    _run(top / "2019", out)
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".jixiao" not in p.parts}
    code, stdout, stderr = _run(top, out)
    assert code == 2 and stdout == "" and "use another --out" in stderr and len(stderr.splitlines()) == 1
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".jixiao" not in p.parts} == before


def test_out_inside_dir_never_reads_its_own_outputs(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / SEED, src / SEED)
    for out in (src, src / "results"):
        for _ in range(2):
            code, stdout, _ = _run(src, out, "--force")
            assert stdout.splitlines()[-1].startswith("1 reports: 1 ok")
    # An OUT of an earlier run left in DIR is no input either, whatever OUT is now.
    code, stdout, _ = _run(src, tmp_path / "elsewhere")
    assert stdout.splitlines()[-1].startswith("1 reports: 1 ok")


def test_unusable_out_is_a_one_line_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / SEED, src / SEED)
    (tmp_path / "file").write_text("x")
    for out in (tmp_path / "file", tmp_path / "file" / "sub"):
        code, stdout, stderr = _run(src, out)
        assert code == 2 and len(stderr.splitlines()) == 1 and "--out" in stderr and "Traceback" not in stderr


def test_a_failed_write_is_one_line_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import jixiao.tables

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "reports.csv"))

    monkeypatch.setattr(jixiao.tables, "write_csv", full)
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / SEED, src / SEED)
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(["extract", str(src), "--out", str(tmp_path / "out"), "--jobs", "1", "--timeout", "0",
                 "--max-memory", "0"], stdout=stdout, stderr=stderr)
    assert code == 1 and len(stderr.getvalue().splitlines()) == 1
    assert "No space left on device" in stderr.getvalue() and "run the same command again" in stderr.getvalue()


@posix_only
def test_a_second_run_into_the_same_out_is_refused(tmp_path: Path) -> None:
    from jixiao.outdir import OutputFolderError, open_dataset

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / SEED, src / SEED)
    holder = open_dataset(tmp_path / "out")  # as a run in progress holds it
    try:
        code, stdout, stderr = _run(src, tmp_path / "out")
        assert code == 2 and f"another jixiao run (pid {os.getpid()})" in stderr
        with pytest.raises(OutputFolderError):
            open_dataset(tmp_path / "out")
    finally:
        holder.release()
    assert _run(src, tmp_path / "out")[0] == 0


def _descendants(pid: int) -> list[int]:
    """pid's children, theirs, and so on (a fork server's workers are the run's grandchildren)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found.extend(kids)
        todo.extend(kids)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
# fork: two workers; forkserver: the server, its resource tracker and the two workers it forks
@pytest.mark.parametrize("method,processes", [("fork", 2), ("forkserver", 4)])
def test_workers_end_when_the_parent_is_killed(method: str, processes: int, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(8):
        shutil.copy(SAMPLES / "suzhou-2020-egov-selfeval-truetype.pdf", src / f"r{i}.pdf")
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "extract", str(src), "--out", str(tmp_path / "out"),
                             "--jobs", "2", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "JIXIAO_START_METHOD": method})
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < processes:
        workers = _descendants(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= processes, "the workers did not start"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "workers outlived the killed parent"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_a_long_lived_worker_gives_freed_memory_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    from jixiao.processes import give_back_memory

    def vm_rss() -> int:
        return int(next(line for line in Path("/proc/self/status").read_text().splitlines()
                        if line.startswith("VmRSS:")).split()[1])

    # Many small blocks (below mmap's threshold: they stay on the heap), all freed but the last.
    blocks = [bytearray(4000) for _ in range(50_000)]
    keep = blocks[-1]
    del blocks
    before = vm_rss()
    trimmed = []
    real = ctypes.CDLL

    class Libc:
        def __init__(self, *args: object) -> None:
            self.libc = real(*args)

        def malloc_trim(self, pad: int) -> int:
            trimmed.append(pad)
            return self.libc.malloc_trim(pad)

    monkeypatch.setattr(ctypes, "CDLL", Libc)
    give_back_memory()
    assert trimmed == [0] and keep
    assert vm_rss() < before - 100_000  # KB: most of the ~200 MB freed went back to the system
