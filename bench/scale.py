#!/usr/bin/env python3
"""Archive size: peak memory and time of whole runs at 1,000 and 10,000 generated reports, first
run and unchanged rerun.

    .venv/bin/python bench/scale.py [--sizes 1000,10000] [--jobs 0]

The reports are the text and Word samples copied into year × department folders, each text copy
with its own project name (so records differ, as in a real archive). Peak memory is the largest
sum of the proportional set sizes (PSS) of the run's whole process tree (parent, workers and the
workbook's writer together), sampled every 50 ms from /proc: PSS counts a page shared by forked
processes once, where a sum of resident sets would count it in each; the figure that must not grow
with the archive.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SAMPLES = BENCH.parent / "samples"
JIXIAO = Path(sys.executable).parent / "jixiao"
SOURCES = ("suzhou-2020-egov-selfeval.txt", "suzhou-2020-egov-selfeval.docx",
           "national-2021-ev-charging-score-faults.docx", "sichuan-2023-nanbu-rural-road-maintenance-web-pipes.txt",
           "sichuan-2023-nanbu-rural-road-maintenance.docx", "chongqing-department-2022-bishan-agriculture.docx")
TABLES = ("reports.csv", "indicators.csv", "flags.csv", "sections.csv", "projects.csv", "patterns.csv",
          "dataset.sqlite")


def build(folder: Path, n: int) -> None:
    """n reports in 9 year folders × departments; text copies renamed so that their records differ."""
    if (folder / ".done").exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    texts = {name: (SAMPLES / name).read_text(encoding="utf-8") for name in SOURCES if name.endswith(".txt")}
    for i in range(n):
        name = SOURCES[i % len(SOURCES)]
        sub = folder / f"{2015 + i % 9}" / f"部门{(i // 9) % 37:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        dst = sub / f"{i:06d}-{name}"
        if name in texts:
            text = texts[name]
            # The project name line changes: another project, another record.
            for word in ("电子政务", "农村公路"):
                text = text.replace(word, f"{word}{i}", 1)
            dst.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(SAMPLES / name, dst)
    (folder / ".done").write_text(str(n))


def _tree_rss(pid: int) -> int:
    """Proportional resident bytes (PSS) of pid and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _pss(p, rss.get(p, 0))
        todo.extend(children.get(p, []))
    return total


def _pss(pid: int, fallback: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return fallback


def run(src: Path, out: Path, jobs: int) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen([str(JIXIAO), "extract", str(src), "--out", str(out), "-q", "--jobs", str(jobs)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.05)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 3):  # 3: some reports with errors — the figures still count
        raise SystemExit(f"jixiao failed ({proc.returncode}): {proc.stderr.read().decode()[-400:]}")
    return took, peak


def digests(out: Path) -> dict[str, str]:
    return {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in TABLES if (out / n).exists()}


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=BENCH / "corpus" / "scale")
    args = parser.parse_args(argv)
    lines = ["| reports | first run | peak memory | unchanged rerun | rerun / first | rerun peak | tables unchanged |",
             "|---:|---:|---:|---:|---:|---:|:---:|"]
    peaks = {}
    for n in (int(s) for s in args.sizes.split(",")):
        src = args.corpus / str(n)
        build(src, n)
        with tempfile.TemporaryDirectory(prefix="jixiao-scale-") as tmp:
            out = Path(tmp) / "out"
            first, peak = run(src, out, args.jobs)
            before = digests(out)
            again, again_peak = run(src, out, args.jobs)
            same = digests(out) == before
        peaks[n] = peak
        lines.append(f"| {n:,} | {first:.1f} s | {peak / 2**20:.0f} MB | {again:.2f} s | {again / first:.3f} | "
                     f"{again_peak / 2**20:.0f} MB | {'yes' if same else 'NO'} |")
        print(lines[-1], flush=True)
    if len(peaks) > 1:
        small, big = min(peaks), max(peaks)
        lines.append("")
        lines.append(f"Peak memory at {big:,} reports is {peaks[big] / peaks[small]:.2f}× that at {small:,}.")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
