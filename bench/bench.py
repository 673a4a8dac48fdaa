#!/usr/bin/env python3
"""`make bench`: how fast jixiao is, against what a user would pick instead, measured side by side.

    .venv/bin/python bench/bench.py [--rounds 3] [--corpus bench/corpus] [--results bench/results.md]

1. Builds (or reuses) the corpus under ``bench/corpus/`` with ``bench/make_corpus.py``: 100 reports
   (40 Word-made PDFs — TrueType and CFF fonts, a table over page breaks, a borderless table — and 60
   Word files), a head-to-head set of text PDFs, a 10-report set, 1-, 5- and 50-page PDFs; and the
   scanned samples, each beside RapidOCR's default pipeline on the same pages (OCR seconds per page,
   peak memory, rows exact, the ratio).
2. Runs every configuration as a fresh process, interleaved round-robin (each round starts one step
   further along the list), ``--rounds`` times: ``jixiao extract DIR --out TMP --force -q`` at ``--jobs 1``
   and at all cores, and over the same PDFs pdfplumber's bare ``extract_tables()``, camelot lattice and
   pypdfium2 reading every character (``bench/alternatives.py``).
3. Reads 20 scans it was not tuned on (``bench/ocr_accuracy.py``: the text-PDF samples scanned, and
   the scanned samples) and scores each record against its sample's expected record.
4. Prints one Markdown table (median and min–max of the rounds, peak memory, ratios, scaling, growth)
   and writes it to ``bench/results.md`` with the machine's core count and the date.

Peak memory is the largest resident set of any one process of the run (``/usr/bin/time -v``, else
``getrusage(RUSAGE_CHILDREN)`` in a wrapper): for jixiao that is the parent or the largest per-file
worker, so it bounds the memory per worker from above.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from machine import library_versions, load_average, processor  # bench/machine.py

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SAMPLES = ROOT / "samples"
PYTHON = Path(sys.executable)
JIXIAO = PYTHON.parent / "jixiao"
CORPUS_VERSION = 1

# The corpus: (folder, make_corpus kinds, number of reports).
CORPUS_SETS: tuple[tuple[str, str, int], ...] = (
    ("reports/pdf", "pdf", 40),    # the text PDF samples, round-robin
    ("reports/word", "docx", 60),  # the 7 Word samples, round-robin
    ("head", "pdf", 0),            # the head-to-head PDF set: 3 of each text PDF sample (0 = that many)
    ("ten/pdf", "pdf", 4),
    ("ten/word", "docx", 6),
)
# Sample PDFs concatenated (page by page, in this order, repeated) for the growth files.
GROWTH_SOURCES = ("suzhou-2020-egov-selfeval-truetype.pdf", "suzhou-2020-egov-selfeval-cff.pdf",
                  "suzhou-2019-water-supply-rows-split-across-pages.pdf", "suzhou-2021-public-bike-borderless.pdf")
GROWTH_PAGES = (1, 5, 50)

TARGETS = {
    "plumber": 1.0,   # jixiao --jobs 1 time ÷ bare pdfplumber extract_tables: at most this
    "camelot": 6.0,   # camelot lattice time ÷ jixiao --jobs 1: at least this
    "memory_mb": 200,
    "scaling": 1.8,   # two workers' throughput ÷ one worker's: at least this
}


# --------------------------------------------------------------------------- corpus


def _samples_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SAMPLES.iterdir()):
        if path.is_file() and path.suffix in (".pdf", ".docx", ".doc", ".txt"):
            digest.update(path.name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update((BENCH / "make_corpus.py").read_bytes())
    return digest.hexdigest()


def build_corpus(corpus: Path, log=print) -> dict:
    """Build the corpus under ``corpus`` unless a corpus built from the same samples is there."""
    manifest_path = corpus / "manifest.json"
    wanted = {"version": CORPUS_VERSION, "samples": _samples_digest(),
              "sets": [list(s) for s in CORPUS_SETS], "growth": list(GROWTH_PAGES)}
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if {k: manifest.get(k) for k in wanted} == wanted:
            log(f"corpus: reusing {corpus}")
            return manifest
    except (OSError, ValueError):
        pass
    sys.path.insert(0, str(BENCH))
    import make_corpus

    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    for folder, kinds, n in CORPUS_SETS:
        if n == 0:
            n = 3 * sum(1 for p in SAMPLES.iterdir() if any(make_corpus.KINDS[k](p) for k in kinds.split(",")))
        make_corpus.build(corpus / folder, n, kinds.split(","), broken=0)
    growth = corpus / "growth"
    growth.mkdir()
    for pages in GROWTH_PAGES:
        concatenate_pages([SAMPLES / name for name in GROWTH_SOURCES], pages,
                          growth / f"{pages:02d}" / f"report-{pages:02d}-pages.pdf")
    manifest = {**wanted, "built": dt.datetime.now().isoformat(timespec="seconds")}
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    log(f"corpus: built {corpus}")
    return manifest


def concatenate_pages(sources: Sequence[Path], pages: int, out: Path) -> Path:
    """A ``pages``-page PDF made of the sources' pages in order (whole reports, repeated as needed)."""
    import pypdfium2 as pdfium

    out.parent.mkdir(parents=True, exist_ok=True)
    new = pdfium.PdfDocument.new()
    opened = [pdfium.PdfDocument(str(p)) for p in sources]
    try:
        i = 0
        while len(new) < pages:
            src = opened[i % len(opened)]
            take = min(len(src), pages - len(new))
            new.import_pages(src, list(range(take)))
            i += 1
        new.save(str(out))
    finally:
        new.close()
        for pdf in opened:
            pdf.close()
    return out


def pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def report_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".pdf", ".docx", ".doc", ".txt"))


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    wall: float
    cpu: float
    maxrss_mb: float
    ok: bool
    note: str


@dataclass
class Config:
    key: str
    group: str
    label: str
    cmd: list[str]
    files: int
    pages: int            # PDF pages (0: not counted, e.g. Word files)
    jixiao_out: bool = False  # the command takes --out TMP
    samples: list[Sample] = field(default_factory=list)

    def wall(self) -> list[float]:
        return [s.wall for s in self.samples]

    def median(self) -> float:
        return statistics.median(self.wall())

    def cpu_median(self) -> float:
        return statistics.median(s.cpu for s in self.samples)


def _gnu_time() -> str | None:
    """GNU time (``-v`` gives the peak resident set), if installed; BSD time has no ``-v``."""
    for candidate in ("/usr/bin/time", shutil.which("gtime"), shutil.which("time")):
        if candidate and Path(candidate).exists():
            probe = subprocess.run([candidate, "-v", "true"], capture_output=True, text=True)
            if probe.returncode == 0 and "Maximum resident set size" in probe.stderr:
                return candidate
    return None


TIME_BIN = _gnu_time()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Measure an ordinary installation: byte code cached as Python does by default (a sandbox that
    # sets PYTHONDONTWRITEBYTECODE would otherwise make every fresh process compile jixiao's modules).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("OMP_NUM_THREADS", "1")  # onnxruntime / OpenCV: one thread per worker, as --jobs assumes
    return env


def measure(cmd: list[str]) -> Sample:
    """Run ``cmd`` as a fresh process; wall seconds, CPU seconds, peak RSS of its largest process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as fh:
        stats_path = Path(fh.name)
    try:
        if TIME_BIN:
            full = [TIME_BIN, "-v", "-o", str(stats_path), *cmd]
        else:
            full = [str(PYTHON), str(Path(__file__).resolve()), "--rusage-wrapper", str(stats_path), "--", *cmd]
        started = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, text=True, env=_env())
        wall = time.perf_counter() - started
        text = stats_path.read_text(encoding="utf-8", errors="replace")
    finally:
        stats_path.unlink(missing_ok=True)
    if TIME_BIN:
        rss_kb = float(_field(text, r"Maximum resident set size \(kbytes\): (\d+)"))
        cpu = float(_field(text, r"User time \(seconds\): ([\d.]+)")) + float(_field(text, r"System time \(seconds\): ([\d.]+)"))
    else:
        data = json.loads(text)
        rss_kb, cpu, wall = data["maxrss_kb"], data["cpu"], data["wall"]
    out_lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    err_lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    note = out_lines[-1] if out_lines else (err_lines[-1] if err_lines else "")
    return Sample(wall, cpu, rss_kb / 1024, proc.returncode == 0, note)


def _field(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    return match.group(1) if match else "0"


def _rusage_wrapper(stats_path: str, cmd: list[str]) -> int:
    """Fallback without /usr/bin/time: run ``cmd``, then write its children's rusage as JSON."""
    import resource

    started = time.perf_counter()
    rc = subprocess.call(cmd)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    Path(stats_path).write_text(json.dumps({"maxrss_kb": usage.ru_maxrss, "wall": wall,
                                            "cpu": usage.ru_utime + usage.ru_stime}), encoding="utf-8")
    return rc


# --------------------------------------------------------------------------- configurations


def configurations(corpus: Path, workers: int, scans: bool = True) -> list[Config]:
    configs: list[Config] = []

    def jixiao(key: str, group: str, label: str, target: Path, jobs: int) -> None:
        files = [target] if target.is_file() else report_files(target)
        pages = sum(pdf_pages(p) for p in files if p.suffix.lower() == ".pdf")
        cmd = [str(JIXIAO), "extract", str(target), "--force", "-q", "--jobs", str(jobs)]
        configs.append(Config(key, group, label, cmd, len(files), pages, jixiao_out=True))

    head = corpus / "head"
    head_pdfs = report_files(head)
    head_pages = sum(pdf_pages(p) for p in head_pdfs)
    listing = corpus / "head.list"
    listing.write_text("".join(f"{p}\n" for p in head_pdfs), encoding="utf-8")
    jixiao("pdf_j1", "pdf", "jixiao `--jobs 1`", head, 1)
    jixiao("pdf_jn", "pdf", f"jixiao `--jobs {workers}`", head, workers)
    alt = [str(PYTHON), str(BENCH / "alternatives.py")]
    configs.append(Config("plumber", "pdf", "pdfplumber `extract_tables()` (bare)",
                          [*alt, "pdfplumber", str(listing)], len(head_pdfs), head_pages))
    configs.append(Config("camelot", "pdf", "camelot lattice", [*alt, "camelot", str(listing)],
                          len(head_pdfs), head_pages))
    configs.append(Config("pdfium", "pdf", "pypdfium2 all characters (floor)", [*alt, "pypdfium2", str(listing)],
                          len(head_pdfs), head_pages))
    jixiao("all_j1", "corpus", "jixiao `--jobs 1`", corpus / "reports", 1)
    jixiao("all_jn", "corpus", f"jixiao `--jobs {workers}`", corpus / "reports", workers)
    jixiao("ten_j1", "corpus", "jixiao `--jobs 1`", corpus / "ten", 1)
    jixiao("ten_jn", "corpus", f"jixiao `--jobs {workers}`", corpus / "ten", workers)
    for pages in GROWTH_PAGES:
        jixiao(f"grow{pages}", "growth", "jixiao `--jobs 1`",
               corpus / "growth" / f"{pages:02d}" / f"report-{pages:02d}-pages.pdf", 1)
    if scans:
        configs += ocr_configurations()
    return configs


# --------------------------------------------------------------------------- OCR (issue 15)

OCR_TARGETS = {"ratio": 0.3, "memory_mb": 400}  # jixiao -j 1 ÷ RapidOCR's default pipeline; peak per worker


def scan_samples() -> list[Path]:
    """The scanned samples (each its own report; image-only PDFs)."""
    return sorted(p for p in SAMPLES.glob("*.pdf") if "scanned" in p.name)


def ocr_configurations() -> list[Config]:
    """Per scanned sample: ``jixiao extract FILE --jobs 1`` and RapidOCR's default full-page pipeline
    (detection, direction classifier, recognition) on the same pages rendered at 200 dpi, each a fresh
    process (model loading counts for both)."""
    configs = []
    for i, path in enumerate(scan_samples()):
        pages = pdf_pages(path)
        configs.append(Config(f"scan{i}", "scan", "jixiao `--jobs 1` (OCR)",
                              [str(JIXIAO), "extract", str(path), "--force", "-q", "--jobs", "1"], 1, pages,
                              jixiao_out=True))
        configs.append(Config(f"rapid{i}", "scan", "RapidOCR default pipeline, 200 dpi",
                              [str(PYTHON), str(Path(__file__).resolve()), "--rapidocr", str(path)], 1, pages))
    return configs


def run_rapidocr(path: str) -> int:
    """What a user would run instead: ``RapidOCR()(page)`` on each page, rendered at 200 dpi grey."""
    sys.path.insert(0, str(ROOT))
    from rapidocr_onnxruntime import RapidOCR

    from extract.readers.ocr import pdf_page_images

    engine = RapidOCR()
    lines = 0
    for image in pdf_page_images(path, dpi=200):
        result, _ = engine(image)
        lines += len(result or [])
    print(f"rapidocr {lines} lines")
    return 0


def scan_accuracy(path: Path) -> dict:
    """One run of jixiao on a scanned sample against its expected record (``ocr_accuracy.score``: indicator
    rows exactly right, every field; whether the header block is complete and right)."""
    import ocr_accuracy

    expected = json.loads((SAMPLES / "expected" / f"{path.name}.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        subprocess.run([str(JIXIAO), "extract", str(path), "--force", "-q", "--jobs", "1", "--out", tmp],
                       capture_output=True, env=_env())
        found = sorted((Path(tmp) / "json").glob("*.json"))
        got = json.loads(found[0].read_text(encoding="utf-8")) if found else {}
    return ocr_accuracy.score(expected, got)


def ocr_rows(by: dict, accuracy: dict, row) -> tuple[list[str], list[str], bool]:
    """The OCR part of the table (jixiao and RapidOCR per scanned sample), the issue 15 target lines, and
    whether every target is met."""
    lines, targets, met = [], [], True
    for i, path in enumerate(scan_samples()):
        mine, theirs = by.get(f"scan{i}"), by.get(f"rapid{i}")
        if not mine or not mine.samples:
            continue
        acc = accuracy.get(path.name, {})
        rows = f"{acc['exact']}/{acc['rows']} rows exact" if acc else "rows not checked"
        header = ("header complete" if acc.get("header") else "header NOT complete") if acc else ""
        what = f"scan `{path.name}`"
        ratio = cpu = None
        if theirs and theirs.samples:
            ratio, cpu = mine.median() / theirs.median(), mine.cpu_median() / theirs.cpu_median()
            lines.append(row(mine, what, f"{_fmt(ratio)}× RapidOCR's time ({_fmt(cpu)}× its CPU); {rows}, {header}"))
            lines.append(row(theirs, what, "detection + classifier + recognition on every page"))
        else:
            lines.append(row(mine, what, f"{rows}, {header}"))
        peak = max(s.maxrss_mb for s in mine.samples)
        ok_ratio = ratio is not None and ratio <= OCR_TARGETS["ratio"]
        ok_memory = peak <= OCR_TARGETS["memory_mb"]
        ok_rows = bool(acc) and acc["exact"] == acc["rows"] == acc["found"] and acc["header"]
        met = met and ok_ratio and ok_memory and ok_rows
        yes = lambda ok: "**met**" if ok else "**not met**"  # noqa: E731
        measured = f"{_fmt(ratio)}× ({_fmt(cpu)}× in CPU)" if ratio is not None else "not measured"
        targets.append(f"| `{path.name}`: `--jobs 1` ≤ 0.3× RapidOCR's default pipeline | {measured} | {yes(ok_ratio)} |")
        targets.append(f"| `{path.name}`: peak ≤ 400 MB per worker | {peak:.0f} MB | {yes(ok_memory)} |")
        targets.append(f"| `{path.name}`: every row exact, header complete | {rows}, {header} | {yes(ok_rows)} |")
    return lines, targets, met


_PROBE = "s = 0\nfor i in range(6_000_000):\n    s += i\n"


def cpu_capacity(workers: int) -> float:
    """How many cores a CPU-bound job of ``workers`` processes gets right now (``workers`` on an idle
    machine): ``workers`` × (time of one probe process alone) ÷ (time of ``workers`` probes at once)."""
    if workers <= 1:
        return 1.0
    cmd = [str(PYTHON), "-S", "-c", _PROBE]
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    one = time.perf_counter() - started
    started = time.perf_counter()
    procs = [subprocess.Popen(cmd) for _ in range(workers)]
    for proc in procs:
        proc.wait()
    many = time.perf_counter() - started
    return workers * one / many


def run_rounds(configs: list[Config], rounds: int, workers: int, log=print) -> tuple[list[float], list[float]]:
    """Run every configuration ``rounds`` times, interleaved. Returns the 1-minute load average seen
    before each run and the cores a ``workers``-process job could get (probed before each round and at the end)."""
    loads: list[float] = []
    capacity: list[float] = []
    for r in range(rounds):
        capacity.append(cpu_capacity(workers))
        log(f"round {r + 1}/{rounds}  CPU probe: a {workers}-process job gets {capacity[-1]:.2f} cores")
        order = configs[r % len(configs):] + configs[: r % len(configs)]
        for cfg in order:
            cmd = list(cfg.cmd)
            loads.append(load_average())
            tmp = None
            if cfg.jixiao_out:
                tmp = tempfile.mkdtemp(prefix="jixiao-bench-")
                cmd += ["--out", tmp]
            try:
                sample = measure(cmd)
            finally:
                if tmp:
                    shutil.rmtree(tmp, ignore_errors=True)
            cfg.samples.append(sample)
            status = "" if sample.ok else "  FAILED"
            log(f"round {r + 1}/{rounds}  {cfg.key:8s} {sample.wall:7.2f} s  {sample.cpu:7.2f} s CPU  "
                f"{sample.maxrss_mb:6.0f} MB  load {loads[-1]:.1f}  {sample.note[:80]}{status}")
    capacity.append(cpu_capacity(workers))
    log(f"end        CPU probe: a {workers}-process job gets {capacity[-1]:.2f} cores")
    return loads, capacity


# --------------------------------------------------------------------------- the table


def _fmt(x: float) -> str:
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    if x >= 0.01:
        return f"{x:.3f}"
    return f"{x:.4f}"


def _spread(values: list[float], per: int) -> str:
    if not per:
        return "—"
    vals = [v / per for v in values]
    return f"{_fmt(statistics.median(vals))} ({_fmt(min(vals))}–{_fmt(max(vals))})"


def render(configs: list[Config], *, workers: int, rounds: int, loads: list[float], capacity: list[float], date: str,
           corpus_note: str, accuracy: dict | None = None) -> tuple[str, dict]:
    by = {c.key: c for c in configs}
    lines: list[str] = []
    verdict: dict = {}

    def ratio(a: str, b: str) -> float | None:
        if a in by and b in by and by[a].samples and by[b].samples:
            return by[a].median() / by[b].median()
        return None

    def cpu_ratio(a: str, b: str) -> float | None:
        if a in by and b in by and by[a].samples and by[b].samples:
            return by[a].cpu_median() / by[b].cpu_median()
        return None

    def row(c: Config, what: str, extra: str = "") -> str:
        cpu = c.cpu_median()
        peak = max(s.maxrss_mb for s in c.samples)
        failed = sum(1 for s in c.samples if not s.ok)
        flag = f" ({failed} run(s) failed)" if failed else ""
        per_page_cpu = _fmt(cpu / c.pages) if c.pages else "—"
        return (f"| {what} | {c.label}{flag} | {c.files} | {c.pages or '—'} | {_spread(c.wall(), c.pages)} | "
                f"{_spread(c.wall(), c.files)} | {per_page_cpu} | {_fmt(cpu / c.files)} | {peak:.0f} | {extra} |")

    lines.append(f"Machine: {workers} cores ({processor()}), "
                 f"Python {platform.python_version()}, {library_versions()}. Date: {date}. "
                 f"{rounds} rounds, each configuration a fresh process, interleaved round-robin; "
                 f"median (min–max) of the rounds. Load average (1 min, the benchmark's own process "
                 f"included) before each run: median {statistics.median(loads):.1f}, max {max(loads):.1f}. "
                 f"CPU probe (a pure-Python loop in {workers} processes at once, before each round and at the "
                 f"end): {workers}-process jobs got {', '.join(f'{c:.2f}' for c in capacity)} cores.")
    busy = statistics.median(capacity) < 0.9 * workers or statistics.median(loads) > 1.5
    if busy:
        lines.append("")
        lines.append(f"**The machine was busy with other work during this run** (load average ≈ "
                     f"{statistics.median(loads):.1f}; a {workers}-process job got ≈ "
                     f"{statistics.median(capacity):.2f} of {workers} cores): wall-clock times are inflated and "
                     f"the multi-core rows cannot show more than that; CPU seconds are the steadier figure, "
                     f"and the ratios below are given in both.")
    lines.append("")
    lines.append(corpus_note)
    lines.append("")
    lines.append("| set | run | files | pages | s / page | s / report | CPU s / page | CPU s / report | peak MB | ratio |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    pdf_set = f"text PDFs"
    if "pdf_j1" in by:
        lines.append(row(by["pdf_j1"], pdf_set, "—"))
        s = ratio("pdf_j1", "pdf_jn")
        lines.append(row(by["pdf_jn"], pdf_set, f"{_fmt(s)}× the throughput of `--jobs 1`" if s else ""))
        for key in ("plumber", "camelot", "pdfium"):
            r, rc = ratio("pdf_j1", key), cpu_ratio("pdf_j1", key)
            if r is None or rc is None:
                continue
            text = (f"jixiao `-j 1` takes {_fmt(r)}× its time ({_fmt(rc)}× its CPU)" if r >= 1 else
                    f"jixiao `-j 1` takes {_fmt(r)}× its time, {_fmt(1 / r)}× faster ({_fmt(1 / rc)}× in CPU)")
            lines.append(row(by[key], pdf_set, text))
    if "all_j1" in by:
        lines.append(row(by["all_j1"], "100 reports", "—"))
        s = ratio("all_j1", "all_jn")
        lines.append(row(by["all_jn"], "100 reports", f"{_fmt(s)}× the throughput of `--jobs 1`" if s else ""))
    if "ten_j1" in by:
        g = gc = None
        if "all_j1" in by:
            g = (by["all_j1"].median() / by["all_j1"].files) / (by["ten_j1"].median() / by["ten_j1"].files)
            gc = (by["all_j1"].cpu_median() / by["all_j1"].files) / (by["ten_j1"].cpu_median() / by["ten_j1"].files)
        lines.append(row(by["ten_j1"], "10 reports",
                         f"per report, 100 reports take {_fmt(g)}× the time of 10 ({_fmt(gc)}× the CPU)" if g and gc else "—"))
        s = ratio("ten_j1", "ten_jn")
        lines.append(row(by["ten_jn"], "10 reports", f"{_fmt(s)}× the throughput of `--jobs 1`" if s else ""))
    base = None
    for pages in GROWTH_PAGES:
        c = by.get(f"grow{pages}")
        if c is None:
            continue
        per_page = c.cpu_median() / pages
        base = base or per_page
        lines.append(row(c, f"one {pages}-page PDF", f"CPU s / page {_fmt(per_page / base)}× the 1-page file's"))
    ocr_lines, ocr_targets, ocr_met = ocr_rows(by, accuracy or {}, row)
    lines.extend(ocr_lines)
    lines.append("")

    # Targets (issue 5).
    r_plumber = ratio("pdf_j1", "plumber")
    r_camelot = ratio("camelot", "pdf_j1")
    c_plumber = cpu_ratio("pdf_j1", "plumber")
    c_camelot = cpu_ratio("camelot", "pdf_j1")
    scaling = ratio("all_j1", "all_jn")
    # Throughput on the 90 reports the 100-report set has over the 10-report set (same mix of
    # formats): start-up and other per-run costs cancel out, what is left is the rate of work.
    marginal = None
    if all(k in by for k in ("all_j1", "all_jn", "ten_j1", "ten_jn")):
        one = by["all_j1"].median() - by["ten_j1"].median()
        many = by["all_jn"].median() - by["ten_jn"].median()
        marginal = one / many if many > 0 and one > 0 else None
    cap = statistics.median(capacity)
    measurable = cap >= 0.9 * workers
    ordinary = [c for c in configs if c.group in ("pdf", "corpus") and c.jixiao_out]
    peak = max((max(s.maxrss_mb for s in c.samples) for c in ordinary if c.samples), default=None)
    verdict = {
        "plumber_ratio": r_plumber, "camelot_speedup": r_camelot, "peak_mb": peak, "scaling": scaling,
        "scaling_marginal": marginal,
        "met": {
            "plumber": r_plumber is not None and r_plumber <= TARGETS["plumber"],
            "camelot": r_camelot is not None and r_camelot >= TARGETS["camelot"],
            "memory": peak is not None and peak < TARGETS["memory_mb"],
            "scaling": marginal is not None and marginal >= TARGETS["scaling"],
        },
        "scaling_measurable": measurable, "capacity": cap,
    }
    yes = lambda ok: "**met**" if ok else "**not met**"  # noqa: E731
    lines.append("| target (issue 5) | measured | |")
    lines.append("|---|---|---|")
    issue5 = len(lines)
    if r_plumber is not None:
        lines.append(f"| `--jobs 1` no slower than bare pdfplumber `extract_tables()` on the same PDFs | "
                     f"{_fmt(r_plumber)}× its time ({_fmt(c_plumber)}× its CPU) | {yes(verdict['met']['plumber'])} |")
    if r_camelot is not None:
        lines.append(f"| `--jobs 1` ≥ 6× faster than camelot lattice | {_fmt(r_camelot)}× faster "
                     f"({_fmt(c_camelot)}× in CPU) | "
                     f"{yes(verdict['met']['camelot'])} |")
    if peak is not None:
        lines.append(f"| < 200 MB peak per worker on ordinary reports (largest process of any run above "
                     f"except the growth and scan rows) | {peak:.0f} MB | {yes(verdict['met']['memory'])} |")
    if marginal is not None and scaling is not None:
        measured = (f"{_fmt(marginal)}× on the 90 reports the 100-report set adds to the 10-report set "
                    f"(whole runs of 100 reports, start-up and output writing included: {_fmt(scaling)}×)")
        if measurable or verdict["met"]["scaling"]:
            lines.append(f"| {workers} workers ≥ 1.8× the throughput of one | {measured} | "
                         f"{yes(verdict['met']['scaling'])} |")
        else:
            lines.append(f"| {workers} workers ≥ 1.8× the throughput of one | {measured}, but "
                         f"a {workers}-process CPU probe got only {cap:.2f} cores during the run | **not measurable "
                         f"on this run** (rerun on an idle machine) |")
    if len(lines) == issue5:  # no text-PDF runs (--only): no issue 5 table
        del lines[issue5 - 2:]
    if ocr_targets:
        verdict["ocr_met"] = ocr_met
        lines.append("")
        lines.append("| target (issue 15, scans) | measured | |")
        lines.append("|---|---|---|")
        lines.extend(ocr_targets)
    return "\n".join(lines) + "\n", verdict


def composition(files: Sequence[Path]) -> str:
    """``3 × a.pdf, 2 × b.pdf`` from the corpus copies' names (``0007-a.pdf``)."""
    from collections import Counter

    counts = Counter(re.sub(r"^\d+-", "", p.name) for p in files)
    return ", ".join(f"{n} × `{name}`" for name, n in sorted(counts.items()))


def corpus_description(corpus: Path) -> str:
    head = report_files(corpus / "head")
    head_pages = sum(pdf_pages(p) for p in head)
    reports = report_files(corpus / "reports")
    pdfs = [p for p in reports if p.suffix == ".pdf"]
    ten = report_files(corpus / "ten")
    return (f"Corpus (`bench/corpus/`, built by `bench/make_corpus.py` from `samples/`): **text PDFs** = "
            f"{len(head)} Word-made PDFs, {head_pages} pages, the same files for every tool "
            f"({composition(head)}); **100 reports** = {len(pdfs)} text PDFs "
            f"({sum(pdf_pages(p) for p in pdfs)} pages) + {len(reports) - len(pdfs)} Word `.docx`, the samples "
            f"round-robin; **10 reports** = {sum(1 for p in ten if p.suffix == '.pdf')} PDFs + "
            f"{sum(1 for p in ten if p.suffix != '.pdf')} `.docx`; **1-, 5-, 50-page PDFs** = pages of "
            f"{', '.join(f'`{n}`' for n in GROWTH_SOURCES)} concatenated in that order with pypdfium2 (the 50-page "
            f"file holds several reports one after another); **scans** = "
            f"{', '.join(f'`{p.name}` ({pdf_pages(p)} pages)' for p in scan_samples())}, each beside RapidOCR's "
            f"default pipeline on the same pages at 200 dpi (rows exact: one more jixiao run against the "
            f"sample's expected record). jixiao runs are the whole CLI "
            f"(`jixiao extract DIR --out TMP --force -q`: read, rescore, write JSON, CSV, SQLite, Excel); the "
            f"other tools only read tables or text. s / page and s / report are wall-clock seconds divided by "
            f"the set's pages or files; CPU s is user + system time of all the run's processes; peak MB is the "
            f"largest resident set of any one process of the run (for jixiao: the parent or the largest per-file "
            f"worker).")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--rusage-wrapper"]:
        return _rusage_wrapper(args_in[1], args_in[3:])
    if args_in[:1] == ["--rapidocr"]:
        return run_rapidocr(args_in[1])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3; the table gives the median)")
    parser.add_argument("--corpus", type=Path, default=BENCH / "corpus")
    parser.add_argument("--results", type=Path, default=None,
                        help="Markdown file the table is written to (default bench/results.md, none with --only; "
                             "'-' for none)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the 'all cores' run (default: all cores)")
    parser.add_argument("--no-scans", action="store_true", help="skip the scanned-PDF rows (OCR, the slowest)")
    parser.add_argument("--only", default="",
                        help="comma-separated configuration keys, 'scale', 'patterns' and 'ocr_accuracy' among them (for development: "
                             "the rest is not run, and bench/results.md is left as it is unless --results is given)")
    parser.add_argument("--scale", default="1000,10000",
                        help="archive sizes for the whole-run scale figures (bench/scale.py; '' for none)")
    parser.add_argument("--patterns", default="1000,10000,100000",
                        help="report counts for the copied-narrative growth figures (bench/patterns.py; '' for none)")
    parser.add_argument("--no-ocr-accuracy", action="store_true",
                        help="skip reading the 20 scans made of the samples (bench/ocr_accuracy.py; about a minute)")
    args = parser.parse_args(args_in)
    keep = set(args.only.split(",")) if args.only else None
    if keep is not None:
        args.scale = args.scale if "scale" in keep else ""
        args.patterns = args.patterns if "patterns" in keep else ""
        args.no_ocr_accuracy = args.no_ocr_accuracy or "ocr_accuracy" not in keep
    if args.results is None:
        args.results = Path("-") if keep is not None else BENCH / "results.md"
    if not JIXIAO.exists():
        print(f"bench: {JIXIAO} not found; run `make venv` first", file=sys.stderr)
        return 2

    def log(msg: str) -> None:
        print(msg, flush=True)

    started = time.monotonic()
    build_corpus(args.corpus, log)
    configs = configurations(args.corpus, args.jobs, scans=not args.no_scans)
    if keep is not None:
        configs = [c for c in configs if c.key in keep]
    log(f"bench: {len(configs)} configurations × {args.rounds} rounds; timer: "
        f"{TIME_BIN + ' -v' if TIME_BIN else 'getrusage wrapper'}; load average {load_average():.2f}")
    # A warm-up run of jixiao (byte code, disk cache) that is not counted.
    warm = [c for c in configs if c.key == "ten_j1"] or [c for c in configs if c.jixiao_out][:1]
    for c in warm:
        with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
            subprocess.run([*c.cmd, "--out", tmp], capture_output=True, env=_env())
    loads, capacity = run_rounds(configs, args.rounds, args.jobs, log) if configs else ([], [])
    accuracy = {}
    if any(c.group == "scan" for c in configs):
        for path in scan_samples():
            accuracy[path.name] = scan_accuracy(path)
            log(f"scan {path.name}: {accuracy[path.name]}")
    date = dt.date.today().isoformat()
    # --only with none of the timed runs (only scale, patterns or ocr_accuracy): no timing table.
    table = render(configs, workers=args.jobs, rounds=args.rounds, loads=loads, capacity=capacity, date=date,
                   corpus_note=corpus_description(args.corpus), accuracy=accuracy)[0] if configs else ""
    # Archive size (issue 15) and the cross-report search (issue 14), each in its own processes.
    sys.path.insert(0, str(BENCH))
    if args.scale:
        import scale

        log(f"bench: archive scale at {args.scale} reports")
        table += ("\n\n## Archive size: whole runs, first and unchanged rerun (`bench/scale.py`)\n\n"
                  + "\n".join(scale.main(["--sizes", args.scale, "--jobs", str(args.jobs)])))
    if not args.no_scans and not args.no_ocr_accuracy:
        import ocr_accuracy

        log("bench: OCR accuracy on scans made of the samples")
        table += ocr_accuracy.section(args.jobs, log)
    if args.patterns:
        import patterns

        log(f"bench: copied-narrative search at {args.patterns} reports")
        table += ("\n\n## Copied narrative across the archive: growth (`bench/patterns.py`)\n\n"
                  + "\n".join(patterns.main(args.patterns.split(","))))
    elapsed = time.monotonic() - started
    print()
    print(table)
    print(f"bench: {elapsed:.0f} s in all")
    if str(args.results) != "-":
        body = (f"# jixiao benchmark\n\nWritten by `make bench` (`bench/bench.py`); {args.jobs} cores, {date}, "
                f"{elapsed:.0f} s for the whole benchmark.\n\n{table}\n"
                f"<details><summary>every run (wall s, CPU s, peak MB)</summary>\n\n"
                f"| run | {' | '.join(f'round {i + 1}' for i in range(args.rounds))} |\n"
                f"|---|{'---|' * args.rounds}\n"
                + "".join(f"| {c.key} ({c.group}) | "
                          + " | ".join(f"{s.wall:.2f} / {s.cpu:.2f} / {s.maxrss_mb:.0f}{'' if s.ok else ' FAILED'}"
                                       for s in c.samples) + " |\n" for c in configs)
                + "\n</details>\n")
        args.results.write_text(body, encoding="utf-8")
        print(f"bench: table written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
