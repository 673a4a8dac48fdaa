"""Bulk runs: resumable, and one bad file (hung, too big, crashing) never stops the run."""

from __future__ import annotations

import io
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import jixiao.runner as runner
from jixiao.cli import main
from jixiao.processes import side_by_side
from jixiao.runner import RunSettings, run_extract
from tests.conftest import SAMPLES

SEED = "suzhou-2020-egov-selfeval.txt"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    (src / "子目录 with space").mkdir(parents=True)
    shutil.copy(SAMPLES / SEED, src / SEED)
    shutil.copy(SAMPLES / SEED, src / "子目录 with space" / "copy.txt")  # same content, two places
    shutil.copy(SAMPLES / "suzhou-2018-road-maintenance-weight-total-faults.docx", src / "road.docx")
    return src


def _run(src: Path, out: Path, *extra: str) -> tuple[int, str]:
    stdout = io.StringIO()
    code = main(["extract", str(src), "--out", str(out), "--jobs", "2", *extra], stdout=stdout)
    return code, stdout.getvalue()


def test_rerun_skips_what_is_done_and_gives_the_same_outputs(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, first = _run(folder, out)
    assert code == 0 and "3 reports: 3 ok" in first
    before = {p.name: p.read_bytes() for p in (out / "json").glob("*.json")}
    tables = {n: (out / n).read_bytes() for n in ("reports.csv", "indicators.csv", "flags.csv")}
    code, second = _run(folder, out)
    assert "3 unchanged since the last run, skipped" in second
    assert [line for line in second.splitlines() if "  ok  " in line] == []
    assert {p.name: p.read_bytes() for p in (out / "json").glob("*.json")} == before
    assert {n: (out / n).read_bytes() for n in tables} == tables
    # A changed file is redone, the others are not.
    (folder / SEED).write_text((folder / SEED).read_text(encoding="utf-8").replace("3513.00", "3500.00"),
                               encoding="utf-8")
    code, third = _run(folder, out)
    assert "2 unchanged since the last run" in third and f"{SEED}  ok" in third
    code, forced = _run(folder, out, "--force")
    assert "skipped" not in forced and forced.count("  ok  ") == 3


def test_interrupted_run_leaves_only_whole_files(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(folder, out)
    (out / "json" / f"{SEED}.json").write_text('{"half": ', encoding="utf-8")  # as a kill mid-write would, were it not atomic
    (out / "json" / f".{SEED}.json.k1ll3d").write_text('{"ha', encoding="utf-8")  # a worker killed mid-write
    code, text = _run(folder, out)
    assert "2 unchanged" in text  # the damaged one is redone
    assert json.loads((out / "json" / f"{SEED}.json").read_text(encoding="utf-8"))["status"] == "ok"
    assert not [p for p in out.rglob(".*") if p.is_file()]  # no temporary files left behind


def _slow_or_broken(path: Path, base: Path, rules: Any = None, tables: str = "pdfium", forms: Any = ()) -> dict[str, Any]:
    if path.name == "road.docx":
        time.sleep(30)
    if path.name == "copy.txt":
        os._exit(3)  # a crash in native code looks like this from outside
    return ORIGINAL(path, base, rules, tables, forms)


ORIGINAL = runner.path_to_record


def test_hung_and_crashing_files_are_recorded_and_the_run_goes_on(folder: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "path_to_record", _slow_or_broken)
    monkeypatch.setenv("JIXIAO_START_METHOD", "fork")  # a patch reaches only workers forked from this process
    out = tmp_path / "out"
    started = time.monotonic()
    summary = run_extract(folder, out, RunSettings(jobs=2, timeout=3))
    assert time.monotonic() - started < 25
    by_path = {r["source"]["path"]: r for r in summary.records}
    assert by_path[SEED]["status"] == "ok"
    assert by_path["road.docx"]["errors"][0]["code"] == "timeout"
    assert "longer than 3 s" in by_path["road.docx"]["errors"][0]["message"]
    assert by_path["子目录 with space/copy.txt"]["errors"][0]["code"] == "worker_crashed"
    assert len(list((out / "json").glob("*.json"))) == 3


def _tagged(path: Path, base: Path, rules: Any = None, tables: str = "pdfium", forms: Any = ()) -> dict[str, Any]:
    if path.name == "3.txt":
        os._exit(3)
    record = ORIGINAL(path, base, rules, tables, forms)
    record["source"]["notes"] = [f"pid {os.getpid()}"]
    return record


def test_workers_take_several_files_and_are_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(1, 8):
        shutil.copy(SAMPLES / SEED, src / f"{i}.txt")
    monkeypatch.setattr(runner, "path_to_record", _tagged)
    monkeypatch.setenv("JIXIAO_START_METHOD", "fork")  # a patch reaches only workers forked from this process
    monkeypatch.setattr(runner, "FILES_PER_WORKER", 2)
    summary = run_extract(src, tmp_path / "out", RunSettings(jobs=1))
    brief = {r["source"]["path"]: r for r in summary.records}  # what the run keeps: status and counts
    assert brief["3.txt"]["errors"][0]["code"] == "worker_crashed"
    # The records as the workers wrote them.
    by_path = {r["source"]["path"]: r for r in (json.loads(p.read_text(encoding="utf-8"))
                                                for p in (tmp_path / "out" / "json").glob("*.json"))}
    assert by_path["3.txt"]["errors"][0]["code"] == "worker_crashed"
    assert all(brief[k]["status"] == by_path[k]["status"] for k in by_path)
    pids = [by_path[f"{i}.txt"]["source"]["notes"][0] for i in (1, 2, 4, 5, 6, 7)]
    # 1 and 2 in the first worker, which then retires; 3 kills the second; 4 and 5, then 6 and 7.
    assert pids[0] == pids[1] and pids[2] == pids[3] and pids[4] == pids[5]
    assert len(set(pids)) == 3 and os.getpid() not in {int(p.split()[1]) for p in pids}


def _threads_noted(path: Any, base: Any, rules: Any, tables: Any, forms: Any) -> dict:
    """The record, with the OCR's thread count when the file was taken up; a file named slow.txt also
    waits (up to 20 s) for the count to grow, as a run's last long scan reads on once the others are done."""
    from extract.readers.ocr import ocr_threads

    barrier = os.environ.get("JIXIAO_TEST_BARRIER")
    if barrier:  # "DIR N": wait until N files have been taken up, so that none is done yet
        where, n = barrier.rsplit(" ", 1)
        (Path(where) / path.name).touch()
        ends = time.monotonic() + 20
        while len(list(Path(where).iterdir())) < int(n) and time.monotonic() < ends:
            time.sleep(0.02)
    seen = [ocr_threads()]
    if path.name == "slow.txt":
        ends = time.monotonic() + 20
        while ocr_threads() == seen[0] and time.monotonic() < ends:
            time.sleep(0.05)
        seen.append(ocr_threads())
    record = ORIGINAL(path, base, rules, tables, forms)
    record["source"]["notes"] = [f"ocr threads {' then '.join(map(str, seen))}"]
    return record


@pytest.mark.parametrize("files, jobs, threads", [(1, 4, 4), (2, 4, 2), (3, 4, 1), (2, 2, 2)])
def test_workers_share_the_cores_among_the_files_they_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           files: int, jobs: int, threads: int) -> None:
    # On 4 cores: a lone scanned report read with --jobs 4 gets all four, not one worker's share.
    src = tmp_path / "in"
    src.mkdir()
    for i in range(files):
        shutil.copy(SAMPLES / SEED, src / f"{i}.txt")
    monkeypatch.setattr(runner, "path_to_record", _threads_noted)
    monkeypatch.setattr("extract.readers.ocr._cores", lambda: 4)
    monkeypatch.delenv("JIXIAO_OCR_THREADS", raising=False)
    monkeypatch.setenv("JIXIAO_START_METHOD", "fork")  # a patch reaches only workers forked from this process
    (tmp_path / "started").mkdir()
    monkeypatch.setenv("JIXIAO_TEST_BARRIER", f"{tmp_path / 'started'} {files}")
    run_extract(src, tmp_path / "out", RunSettings(jobs=jobs))
    notes = [json.loads(p.read_text(encoding="utf-8"))["source"]["notes"][0]
             for p in sorted((tmp_path / "out" / "json").glob("*.json"))]
    assert notes == [f"ocr threads {threads}"] * files  # each while all the files are read at once


def test_a_runs_last_long_scan_takes_the_cores_the_others_leave(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / SEED, src / "fast.txt")
    shutil.copy(SAMPLES / SEED, src / "slow.txt")
    monkeypatch.setattr(runner, "path_to_record", _threads_noted)
    monkeypatch.setattr("extract.readers.ocr._cores", lambda: 4)
    monkeypatch.delenv("JIXIAO_OCR_THREADS", raising=False)
    monkeypatch.setenv("JIXIAO_START_METHOD", "fork")
    (tmp_path / "started").mkdir()
    monkeypatch.setenv("JIXIAO_TEST_BARRIER", f"{tmp_path / 'started'} 2")  # both taken up before either is done
    run_extract(src, tmp_path / "out", RunSettings(jobs=2))
    slow = json.loads(next((tmp_path / "out" / "json").glob("slow*.json")).read_text(encoding="utf-8"))
    assert slow["source"]["notes"] == ["ocr threads 2 then 4"]  # two of four cores, all four once fast.txt is done


def test_a_failing_writer_beside_the_others_is_reported() -> None:
    ran = []
    with pytest.raises(RuntimeError, match="writing outputs failed: ZeroDivisionError"):
        side_by_side(lambda: None if 1 / 0 else None, lambda: ran.append("rest"), parallel=True)
    assert ran == ["rest"]


def _hungry(path: Path, base: Path, rules: Any = None, tables: str = "pdfium", forms: Any = ()) -> dict[str, Any]:
    if path.name == "road.docx":
        bytearray(512 * 1024 * 1024)  # more than the limit below
    return ORIGINAL(path, base, rules, tables, forms)


def _address_space_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024
    return 1024


def test_memory_guard(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "path_to_record", _hungry)
    monkeypatch.setenv("JIXIAO_START_METHOD", "fork")  # a patch reaches only workers forked from this process
    # The forked child starts with this process's address space: allow 250 MB on top of it.
    limit = _address_space_mb() + 250
    summary = run_extract(folder, tmp_path / "out", RunSettings(jobs=1, max_memory_mb=limit))
    by_path = {r["source"]["path"]: r for r in summary.records}
    assert by_path["road.docx"]["errors"][0]["code"] == "memory_limit"
    assert by_path[SEED]["status"] == "ok"


def test_bad_settings_are_usage_errors(tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["extract", str(SAMPLES), "--out", str(tmp_path), "--jobs", "-1"], stderr=err) == 2
    assert err.getvalue().strip() == "jixiao: jobs must be 0 (all cores) or more"


@pytest.mark.slow
def test_dask_engine_gives_the_same_rows_as_the_local_run(folder: Path, tmp_path: Path) -> None:
    local, dask = tmp_path / "local", tmp_path / "dask"
    run_extract(folder, local, RunSettings(jobs=2))
    run_extract(folder, dask, RunSettings(jobs=2, engine="dask"))  # a LocalCluster, as a real one would be used
    for name in ("reports.csv", "indicators.csv", "subprojects.csv", "flags.csv"):
        assert (dask / name).read_bytes() == (local / name).read_bytes(), name
    assert sorted(p.name for p in (dask / "json").glob("*.json")) == sorted(p.name for p in (local / "json").glob("*.json"))


@pytest.mark.slow
def test_dask_workers_take_files_in_batches_after_one_warm_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import distributed

    src = tmp_path / "in"
    for i in range(48):  # 48 files on 2 workers: 3 files a task, 16 tasks
        (src / f"d{i:02d}").mkdir(parents=True)
        shutil.copy(SAMPLES / SEED, src / f"d{i:02d}" / "seed.txt")
    submitted, ran = [], []
    real_submit, real_run = distributed.Client.submit, distributed.Client.run
    monkeypatch.setattr(distributed.Client, "submit", lambda self, fn, *a, **k: submitted.append(len(a[0]))
                        or real_submit(self, fn, *a, **k))
    monkeypatch.setattr(distributed.Client, "run", lambda self, fn, *a, **k: ran.append((fn.__name__, a[1]))
                        or real_run(self, fn, *a, **k))
    summary = run_extract(src, tmp_path / "dask", RunSettings(jobs=2, engine="dask"))
    assert summary.count("ok") == 48
    assert submitted == [3] * 16 and ran == [("_dask_worker_setup", 2)]  # once, two workers reading at once
    assert runner.dask_batch_size(10, 2) == 1 and runner.dask_batch_size(10_000, 2) == 16
    # The records the parent wrote from the workers' encoding are the local engine's, byte for byte.
    run_extract(src, tmp_path / "local", RunSettings(jobs=2))
    for path in sorted((tmp_path / "local" / "json").glob("*.json")):
        assert (tmp_path / "dask" / "json" / path.name).read_bytes() == path.read_bytes()


def test_a_failed_dask_task_is_tried_again_file_by_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from distributed import LocalCluster

    src = tmp_path / "in"
    src.mkdir()
    for i in range(32):  # 32 files on 2 workers: 2 files a task
        shutil.copy(SAMPLES / SEED, src / f"{i:02d}.txt")
    real = runner._process

    def failing(path: Path, key: str, *args: Any) -> dict[str, Any]:
        if key == "07.txt":
            raise RuntimeError("the reader fell over")
        return real(path, key, *args)

    # Workers in this process (threads), so that the patch reaches them.
    monkeypatch.setattr(runner, "_process", failing)
    monkeypatch.setenv("JIXIAO_OCR_THREADS", "1")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        summary = run_extract(src, tmp_path / "out", RunSettings(jobs=2, engine="dask",
                                                                 scheduler=cluster.scheduler_address))
    by_path = {r["source"]["path"]: r for r in summary.records}
    assert len(by_path) == 32 and len(list((tmp_path / "out" / "json").glob("*.json"))) == 32
    assert by_path["07.txt"]["errors"] == [{"code": "worker_crashed", "message": "the Dask task failed: "
                                            "RuntimeError: the reader fell over"}]
    assert all(r["status"] == "ok" for k, r in by_path.items() if k != "07.txt")  # 06.txt shared its task


def test_parquet_dataset_partitioned_by_year(folder: Path, tmp_path: Path) -> None:
    import pyarrow.dataset as ds

    out = tmp_path / "out"
    run_extract(folder, out, RunSettings(jobs=1, formats=("parquet",)))
    indicators = ds.dataset(out / "parquet" / "indicators", partitioning="hive").to_table().to_pylist()
    assert len(indicators) == 38 + 38 + 36
    assert sorted(p.name for p in (out / "parquet" / "indicators").iterdir()) == ["year=2018", "year=2020"]
    row = next(r for r in indicators if r["name"] == "预算执行率" and r["source_path"] == SEED)
    assert (row["target"], row["weight"], row["year"]) == ("=100%", 6.0, 2020)  # exact text, typed numbers
    run_extract(folder, out, RunSettings(jobs=1, formats=("parquet",)))  # rebuilt, not appended
    assert ds.dataset(out / "parquet" / "indicators", partitioning="hive").count_rows() == 38 + 38 + 36


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_outputs(tmp_path: Path) -> None:
    """A run stopped half way, then run again, gives the outputs of one uninterrupted run."""
    import signal
    import subprocess
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from make_corpus import build

    corpus = tmp_path / "corpus"
    build(corpus, 60, ["pdf", "docx", "txt"], broken=3)
    exe = [sys.executable, "-m", "jixiao.cli", "extract", str(corpus), "-q"]
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    assert subprocess.run([*exe, "--out", str(whole), "--jobs", "2"], capture_output=True, timeout=600).returncode == 0

    # One worker, so that the run is still going when the first files are done.
    # Started with SIGTERM blocked, as some CI runners start their jobs: the run must unblock it.
    proc = subprocess.Popen([*exe, "--out", str(resumed), "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM}))
    deadline = time.monotonic() + 300
    while len(list((resumed / "json").glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    # `kill` half way (SIGTERM; Ctrl-C's SIGINT takes the same path, but shells running a job in the
    # background, as some CI runners do, make the job ignore SIGINT)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    partial = len(list((resumed / "json").glob("*.json")))
    assert 3 <= partial < 60
    assert proc.returncode == 130 and b"run the same command again to resume" in err
    assert not (resumed / "reports.csv").exists()
    rerun = subprocess.run([*exe, "--out", str(resumed)], capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0
    assert f"{partial} unchanged since the last run, skipped" in rerun.stdout
    for name in ("reports.csv", "indicators.csv", "subprojects.csv", "flags.csv"):
        assert (resumed / name).read_bytes() == (whole / name).read_bytes(), name
    for path in (whole / "json").glob("*.json"):
        assert (resumed / "json" / path.name).read_bytes() == path.read_bytes(), path.name


def test_paths_that_flatten_alike_get_their_own_json(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "a__b").mkdir(parents=True)
    (src / "a").mkdir()
    shutil.copy(SAMPLES / SEED, src / "a__b" / "c.txt")
    shutil.copy(SAMPLES / SEED, src / "a" / "b__c.txt")
    out = tmp_path / "out"
    run_extract(src, out, RunSettings(jobs=1))
    paths = sorted(json.loads(p.read_text(encoding="utf-8"))["source"]["path"] for p in (out / "json").glob("*.json"))
    assert paths == ["a/b__c.txt", "a__b/c.txt"]
    summary = run_extract(src, out, RunSettings(jobs=1))  # and a rerun finds both as done
    assert summary.skipped == 2
