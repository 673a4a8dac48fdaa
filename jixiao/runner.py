"""Runs over whole folders: worker processes, a time and memory limit per file, resumable.

Each file is processed in a forked worker process, so that a file that hangs or blows up
is killed (with its worker, which is replaced) and recorded with status ``error`` while the
run goes on. Every finished record is written to ``OUT/json`` at once (atomically), so an
interrupted run loses nothing that was done; a rerun skips files whose content and jixiao
version are unchanged.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable

from jixiao import __version__
from jixiao.pipeline import FORMATS, _relative, _sha256, error_record, path_to_record
from jixiao.writers import json_name, write_json


ENGINES = ("local", "dask")
# Records with these errors are redone on a rerun: the file itself may be fine.
RETRY_CODES = frozenset({"timeout", "worker_crashed", "memory_limit", "internal_error"})
EXTRA_FORMATS = ("parquet",)
# A worker process is replaced after this many files, so that memory a library keeps (or leaks)
# cannot pile up over an archive of thousands.
FILES_PER_WORKER = 200
_STOP = threading.Event()
_POLLING = threading.Event()  # set while the run waits on worker processes and looks at _STOP


def request_stop() -> bool:
    """Ask the run in progress to stop, keeping the files finished so far (safe in a signal handler).

    Returns True when the run will see the request within a moment by itself; otherwise the caller
    should raise KeyboardInterrupt to break off work in this process. Raising from a handler is not
    always enough: when the signal lands in an at-fork callback (logging registers one) Python
    prints the exception and drops it."""
    _STOP.set()
    return _POLLING.is_set()


def _check_stop() -> None:
    if _STOP.is_set():
        raise KeyboardInterrupt


@dataclass(frozen=True)
class RunSettings:
    """How a run goes. ``jobs`` worker processes (0 = all cores); ``timeout`` seconds and
    ``max_memory_mb`` of address space per file (0 = no limit); ``force`` redoes done files."""

    jobs: int = 0
    timeout: float = 120.0
    max_memory_mb: int = 4096
    force: bool = False
    rules: Any = None
    tables: str = "pdfium"
    engine: str = "local"
    scheduler: str | None = None
    formats: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.scheduler and self.engine != "dask":
            raise ValueError("--scheduler goes with --engine dask")
        bad = [f for f in self.formats if f not in EXTRA_FORMATS]
        if bad:
            raise ValueError(f"unknown output format {bad[0]!r} (extra formats: {', '.join(EXTRA_FORMATS)})")
        if self.jobs < 0:
            raise ValueError("jobs must be 0 (all cores) or more")
        if self.timeout < 0:
            raise ValueError("timeout must not be negative")
        if self.max_memory_mb < 0:
            raise ValueError("max_memory_mb must not be negative")

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


@dataclass
class RunSummary:
    records: list[dict[str, Any]] = field(default_factory=list)
    not_reports: list[str] = field(default_factory=list)
    skipped: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.records if r["status"] == status)


def find_inputs(root: Path, exclude: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Report-looking files under ``root`` (recursively, sorted) and the other files seen."""
    from extract import REPORT_SUFFIXES

    if root.is_file():
        return ([root], []) if root.suffix.lower() in REPORT_SUFFIXES else ([], [root])
    reports: list[Path] = []
    others: list[Path] = []
    excluded = exclude.resolve() if exclude is not None else None
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (excluded is None or (here / d).resolve() != excluded))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            (reports if path.suffix.lower() in REPORT_SUFFIXES else others).append(path)
    return reports, others


def run_extract(
    root: Path,
    out: Path,
    settings: RunSettings | None = None,
    on_record: Callable[[dict[str, Any], bool], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> RunSummary:
    """Process every report under ``root``; write the contract's outputs to ``out``.

    ``on_start(n_reports)`` is called once the inputs are known; ``on_record(record, skipped)``
    as each file is done (in completion order).
    """
    from jixiao.store import write_store
    from jixiao.workbook import write_workbook
    from jixiao.writers import write_tables

    settings = settings or RunSettings()
    _STOP.clear()
    if settings.rules is not None and not hasattr(settings.rules, "classes"):
        from validate import Profile

        # Fail on a bad profile before any file is read.
        settings = RunSettings(**{**settings.__dict__, "rules": Profile.resolve(settings.rules)})
    reports, others = find_inputs(root, exclude=out)
    # Half-written temporary files of a run that was killed (the finished JSONs are whole).
    for stale in (out / "json").glob(".*.json.*"):
        stale.unlink(missing_ok=True)
    base = root if root.is_dir() else root.parent
    summary = RunSummary(not_reports=[_relative(p, base) for p in others])
    if on_start is not None:
        on_start(len(reports))
    todo: list[tuple[Path, str]] = []
    done: dict[str, dict[str, Any]] = {}
    for path in reports:
        rel = _relative(path, base)
        previous = None if settings.force else _done_record(out, rel, path)
        if previous is not None:
            done[rel] = previous
            summary.skipped += 1
            if on_record is not None:
                on_record(previous, True)
        else:
            todo.append((path, rel))

    def finished(record: dict[str, Any], written: bool = False) -> None:
        if not written:
            write_json(record, out / "json")
        done[record["source"]["path"]] = record
        if on_record is not None:
            on_record(record, False)
        _check_stop()

    if settings.engine == "dask":
        _run_on_dask(todo, base, settings, finished)
    elif settings.workers == 1 and settings.timeout == 0 and settings.max_memory_mb == 0:
        for path, _ in todo:
            finished(path_to_record(path, base, settings.rules, settings.tables))
    else:
        _run_in_children(todo, base, settings, finished, out / "json")
    summary.records = [done[_relative(p, base)] for p in reports]
    records = summary.records

    def the_rest() -> None:
        write_tables(records, out)
        write_store(records, out / "dataset.sqlite")
        if "parquet" in settings.formats:
            from jixiao.parquet import write_parquet

            write_parquet(records, out / "parquet")

    # The workbook is the slowest writer: with more than one core, it is written beside the others.
    # Not after a Dask run: forking a process that has had the client's threads is not safe.
    _side_by_side(lambda: write_workbook(records, out / "audit.xlsx"), the_rest,
                  settings.workers > 1 and settings.engine == "local")
    return summary


def _side_by_side(first: Callable[[], None], second: Callable[[], None], parallel: bool) -> None:
    """Run ``first`` in a forked process while this one runs ``second``; its exception, if any,
    is raised here once both are done."""
    if not parallel:
        first()
        second()
        return
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe(duplex=False)

    def child() -> None:  # pragma: no cover - child
        try:
            first()
            there.send(None)
        except BaseException as exc:  # noqa: BLE001 - carried to the parent, which raises it
            there.send(f"{type(exc).__name__}: {exc}")

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    there.close()
    try:
        second()
    finally:
        try:
            problem = here.recv()
        except EOFError:
            proc.join()
            problem = f"the writer process died (exit code {proc.exitcode})"
        proc.join()
        here.close()
    if problem is not None:
        raise RuntimeError(f"writing outputs failed: {problem}")


def _run_on_dask(todo: list[tuple[Path, str]], base: Path, settings: RunSettings,
                 finished: Callable[[dict[str, Any]], None]) -> None:
    """The same per-file function on a Dask cluster; files are read by the workers from a
    path they share with this machine. Without a scheduler address, a local cluster is started."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise RuntimeError("--engine dask needs dask.distributed: `pip install 'dask[distributed]'`") from exc
    import logging

    for name in ("distributed", "distributed.scheduler", "distributed.core", "distributed.nanny", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)  # cluster chatter is not the user's business
    cluster = None
    if settings.scheduler:
        client = Client(settings.scheduler)
    else:
        cluster = LocalCluster(n_workers=settings.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {
            client.submit(path_to_record, path.resolve(), base.resolve(), settings.rules, settings.tables,
                          key=f"jixiao-{rel}-{id(settings)}", pure=False): (path, rel)
            for path, rel in todo
        }
        for future in as_completed(futures):
            path, rel = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # a worker lost or killed: this file's record says so
                record = _limit_record(path, base, "worker_crashed", f"the Dask task failed: {type(exc).__name__}: {exc}")
            record["source"]["path"] = rel
            finished(record)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _done_record(out: Path, rel: str, path: Path) -> dict[str, Any] | None:
    """The record of an earlier run, if the file's content and jixiao's version are unchanged."""
    json_path = out / "json" / json_name(rel)
    try:
        record: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("jixiao_version") != __version__ or record.get("source", {}).get("path") != rel:
        return None
    if record["source"].get("sha256") != _sha256(path):
        return None
    if any(e.get("code") in RETRY_CODES for e in record.get("errors", [])):
        return None  # stopped, crashed or hit a bug last time: worth another try
    return record


def _worker(base: Path, settings: RunSettings, conn: Connection, json_dir: Path) -> None:  # pragma: no cover
    """A worker process: takes file paths from ``conn``, writes each file's JSON and sends back
    (record, written), until it gets ``None``. Writing here keeps the encoding off the parent,
    which is the one serial part of a run. It leaves after a file that ran it out of memory."""
    import signal

    # The parent decides when to stop and kills its workers; a Ctrl-C reaching the whole process
    # group must not print a traceback from each of them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if settings.workers > 1:
        os.environ.setdefault("JIXIAO_OCR_THREADS", "1")  # one core per worker: OCR would take them all
    if settings.max_memory_mb:
        import resource

        limit = settings.max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            record = path_to_record(path, base, settings.rules, settings.tables)
        except MemoryError:
            conn.send((_limit_record(path, base, "memory_limit",
                                     f"needed more than {settings.max_memory_mb} MB; raise --max-memory to process it"),
                       False))
            return  # its heap is spoilt: the parent starts a fresh worker for the next file
        try:
            write_json(record, json_dir)
            written = True
        except OSError:
            written = False  # the parent writes it, or says why it cannot
        conn.send((record, written))


def _limit_record(path: Path, base: Path, code: str, message: str) -> dict[str, Any]:
    source = {"path": _relative(path, base), "sha256": _sha256(path),
              "format": FORMATS.get(path.suffix.lower(), "other"), "pages": None, "ocr": False}
    return error_record(source, code, message)


def warm_up(paths: list[Path]) -> None:
    """Load, once in the parent, what workers would each load again: the readers the files need,
    the form parsers, the rule profiles and the segmenter's dictionary. Forked workers share these
    pages instead of each paying for them."""
    import importlib

    from extract import READERS

    for suffix in {p.suffix.lower() for p in paths}:
        if suffix in READERS:
            try:
                importlib.import_module(READERS[suffix][0])
            except ImportError:  # an optional reader: its files get their error record later
                pass
    from jixiao.pipeline import PARSERS
    from normalize.names import warm_up as load_segmenter
    from validate.profile import available_profiles, load_profile

    for module_name, _ in PARSERS.values():
        importlib.import_module(module_name)
    importlib.import_module("extract.recognize")
    for name in available_profiles():
        load_profile(name)
    load_segmenter()


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    files: int = 0
    path: Path | None = None  # the file it is on
    started: float = 0.0


def _run_in_children(todo: list[tuple[Path, str]], base: Path, settings: RunSettings,
                     finished: Callable[[dict[str, Any], bool], None], json_dir: Path) -> None:
    """Each file in a worker process that can be killed: long-lived workers (forked after the
    warm-up, so they share what it loaded) take one file at a time; a worker that hangs past the
    timeout is killed and one that dies is replaced, and that file gets its error record."""
    if len(todo) > settings.workers:  # sharing pays only when a worker process would do several files
        warm_up([path for path, _ in todo])
    ctx = multiprocessing.get_context("fork")
    pending = list(reversed(todo))
    idle: list[_Worker] = []
    busy: dict[Connection, _Worker] = {}

    def start() -> _Worker:
        here, there = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_worker, args=(base, settings, there, json_dir), daemon=True)
        proc.start()
        there.close()
        return _Worker(proc, here)

    def retire(worker: _Worker, kill: bool = False) -> None:
        if kill:
            worker.proc.kill()
        else:
            try:
                worker.conn.send(None)
            except OSError:
                worker.proc.kill()
        worker.proc.join()
        worker.conn.close()

    _POLLING.set()
    try:
        while pending or busy:
            _check_stop()
            while pending and len(busy) < settings.workers:
                worker = idle.pop() if idle else start()
                path, _ = pending.pop()
                worker.path, worker.started = path, time.monotonic()
                try:
                    worker.conn.send(path)
                except OSError:  # it died while idle: a fresh one takes the file
                    retire(worker, kill=True)
                    worker = start()
                    worker.path, worker.started = path, time.monotonic()
                    worker.conn.send(path)
                busy[worker.conn] = worker
            for conn in wait(list(busy), timeout=0.2):
                worker = busy.pop(conn)  # type: ignore[index]
                assert worker.path is not None
                written = False
                try:
                    record, written = conn.recv()
                except (EOFError, OSError):
                    worker.proc.join()
                    record = _limit_record(worker.path, base, "worker_crashed",
                                           f"the worker processing this file died (exit code {worker.proc.exitcode}); "
                                           "it may have run out of memory: try --max-memory")
                    retire(worker, kill=True)
                else:
                    worker.files += 1
                    if any(e.get("code") == "memory_limit" for e in record.get("errors", [])):
                        retire(worker, kill=True)  # it leaves by itself; make sure
                    elif worker.files >= FILES_PER_WORKER:
                        retire(worker)  # a fresh process now and then: no creeping memory
                    else:
                        idle.append(worker)
                finished(record, written)
            if settings.timeout:
                now = time.monotonic()
                for conn, worker in list(busy.items()):
                    if now - worker.started > settings.timeout:
                        del busy[conn]
                        retire(worker, kill=True)
                        assert worker.path is not None
                        finished(_limit_record(worker.path, base, "timeout",
                                               f"took longer than {settings.timeout:g} s and was stopped; "
                                               "try --timeout with a larger value"), False)
    finally:
        _POLLING.clear()
        for worker in list(busy.values()):
            retire(worker, kill=True)
        for worker in idle:
            retire(worker)
