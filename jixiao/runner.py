"""Runs over whole folders: worker processes, a time and memory limit per file, resumable.

Each file is processed in a worker process (forked from a warmed-up fork server where the
platform has one, spawned on Windows),
so that a file that hangs or blows up is killed (with its worker, which is replaced) and recorded
with status ``error`` while the run goes on. Every finished record is written to ``OUT/json`` at once (atomically), so an
interrupted run loses nothing that was done; a rerun skips files whose content and jixiao
version are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable

from jixiao import __version__
from jixiao.inputs import Input, Listed, find_inputs, selected, sha256_of
from jixiao.outdir import Dataset, open_dataset, remove_records
from jixiao.pipeline import error_record, new_source, path_to_record
from jixiao.processes import (PARENT_ONLY_FDS, end_with_parent, give_back_memory, held_fds, limit_address_space,
                                side_by_side, start_method, stop_fork_server)
from jixiao.writers import json_name, write_json


ENGINES = ("local", "dask")
# Records with these errors are redone on a rerun: the file itself may be fine.
RETRY_CODES = frozenset({"timeout", "worker_crashed", "memory_limit", "internal_error",
                         # inputs that were not opened: looked at again each time (costs nothing)
                         "not_a_file", "link_outside", "unreadable_file"})
EXTRA_FORMATS = ("parquet",)
# A worker process is replaced after this many files, so that memory a library keeps (or leaks)
# cannot pile up over an archive of thousands.
FILES_PER_WORKER = 200
_STOP = threading.Event()
_CLOSING: list[threading.Thread] = []  # a Dask cluster winding down; the run waits for it before it returns
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
    follow_links: bool = False
    forms: tuple[Path, ...] = ()  # folders of the user's own form descriptions
    include: tuple[str, ...] = ()  # globs on the path relative to DIR: only files matching one are run
    exclude: tuple[str, ...] = ()  # … and none of these
    similarity: float | None = None  # copied narrative at this Jaccard or above (None: the default, 0.9)

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
        if self.similarity is not None and not 0 < self.similarity <= 1:
            raise ValueError(f"similarity must be above 0 and at most 1, not {self.similarity}")

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


@dataclass
class RunSummary:
    """``records`` are this run's inputs' records (``reports`` those of files that are reports,
    ``read_not_reports`` the keys of report-named files read and found to be none); ``not_reports``
    the keys of the other files seen (not named like a report); ``left_out`` how many files
    ``--include`` / ``--exclude`` left out; ``redone`` counts why files done before were done again;
    ``removed`` the records dropped because their inputs are gone; ``prefix`` is the key prefix of
    DIR's records in OUT ("" for OUT's first DIR)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    not_reports: list[str] = field(default_factory=list)
    skipped: int = 0
    redone: dict[str, int] = field(default_factory=dict)
    removed: int = 0
    prefix: str = ""
    total_records: int = 0
    left_out: int = 0

    @property
    def reports(self) -> list[dict[str, Any]]:
        return [r for r in self.records if not is_not_a_report(r)]

    @property
    def read_not_reports(self) -> list[str]:
        return [r["source"]["path"] for r in self.records if is_not_a_report(r)]

    def count(self, status: str) -> int:
        """Reports with this status (files that are no report are not counted as errors)."""
        return sum(1 for r in self.reports if r["status"] == status)


def is_not_a_report(record: dict[str, Any]) -> bool:
    """A record of a file that was read and is no report at all (a stray note): not a failure."""
    return record.get("status") == "error" and any(e.get("code") == "not_a_report" for e in record.get("errors", []))


def fingerprint(settings: RunSettings) -> dict[str, Any]:
    """Everything besides the file that shapes its record: jixiao's code with its form descriptions
    and rule profiles, the --rules profile, the PDF table engine, which optional tools are installed
    and the versions of the libraries that read files (``extract.READING_LIBRARIES``: a new OpenCV
    moves a scan's pixels, a new pdfminer its characters). A record is reused only when all of it is
    unchanged."""
    import hashlib

    from extract import optional_tools, reading_libraries

    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent.parent
    for package in ("jixiao", "extract", "normalize", "validate"):
        for path in sorted((here / package).rglob("*")):
            if path.suffix in (".py", ".toml", ".json") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(here).as_posix().encode())
                digest.update(path.read_bytes())
    for folder in settings.forms:  # the user's own form descriptions shape records like built-in ones
        for path in sorted(Path(folder).glob("*.toml")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    rules = None
    if settings.rules is not None:
        profile = settings.rules
        source = getattr(profile, "source", "") or ""
        content = Path(source).read_bytes() if source and Path(source).is_file() else b""
        rules = f"{getattr(profile, 'name', profile)}:{hashlib.sha256(content).hexdigest()[:16]}"
    return {"code": digest.hexdigest()[:16], "rules": rules, "tables": settings.tables,
            "tools": {k: v is not None for k, v in optional_tools().items()}, "libraries": reading_libraries()}


# Why a record done before is done again, in the words of the summary line.
_REDO_REASONS = {"code": "jixiao or its forms changed", "rules": "--rules changed", "tables": "--tables changed",
                 "tools": "an optional tool was installed or removed",
                 "libraries": "a library that reads files changed version"}


def run_extract(
    root: Path,
    out: Path,
    settings: RunSettings | None = None,
    on_record: Callable[[dict[str, Any], bool], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> RunSummary:
    """Process every report under ``root``; write the contract's outputs to ``out``.

    ``on_start(n_reports)`` is called once the inputs are known; ``on_record(record, skipped)``
    as each file is done (in completion order). Raises OutputFolderError before anything is
    written when OUT cannot be used (a file, not creatable, held by another run, or a DIR whose
    keys would collide with the records OUT holds).
    """
    settings = settings or RunSettings()
    _STOP.clear()
    if settings.forms:
        from extract.forms import forms_in

        forms_in(tuple(Path(f) for f in settings.forms))  # fail on a bad description before any file is read
    if settings.rules is not None and not hasattr(settings.rules, "classes"):
        from validate import Profile

        # Fail on a bad profile before any file is read.
        settings = RunSettings(**{**settings.__dict__, "rules": Profile.resolve(settings.rules)})
    dataset = open_dataset(out)
    if dataset.lock_fd is not None:
        PARENT_ONLY_FDS.append(dataset.lock_fd)
    try:
        return _run(root, dataset, settings, on_record, on_start)
    finally:
        while _CLOSING:
            _CLOSING.pop().join()
        PARENT_ONLY_FDS.clear()
        dataset.release()


def _run(root: Path, dataset: Dataset, settings: RunSettings,
         on_record: Callable[[dict[str, Any], bool], None] | None,
         on_start: Callable[[int], None] | None) -> RunSummary:
    from jixiao.rerun import Earlier, remember
    from jixiao.store import brief
    from jixiao.tables import refresh_outputs, stored_keys

    out = dataset.out
    found, seen = find_inputs(root, out, settings.follow_links)
    inputs = [inp for inp in found if selected(inp.key, settings.include, settings.exclude)]
    others = [key for key in seen if selected(key, settings.include, settings.exclude)]
    base = root if root.is_dir() else root.parent
    entry = dataset.root_for(base)
    keyed = [(inp, entry.prefix + inp.key) for inp in inputs]
    _refuse_collisions(dataset, entry, [key for _, key in keyed])
    dataset.save()
    # Half-written temporary files of a run that was killed (the finished JSONs are whole).
    for stale in (out / "json").glob(".*.json.*"):
        stale.unlink(missing_ok=True)
    summary = RunSummary(not_reports=others, prefix=entry.prefix,
                         left_out=len(found) - len(inputs) + len(seen) - len(others))
    shaped_by = fingerprint(settings)
    if on_start is not None:
        on_start(len(inputs))
    todo: list[tuple[Path, str]] = []
    # What the run keeps of each record is its brief (status, counts): never all records' rows.
    done: dict[str, dict[str, Any]] = {}
    kept: set[str] = set()
    if summary.left_out:
        # Files --include / --exclude left out are still in DIR: their records stay, as they are.
        chosen = {inp.key for inp in inputs}
        kept = {entry.prefix + inp.key for inp in found if inp.key not in chosen}
    # Each input's size and times as listed (before it is read), for the next run to see it unchanged.
    stats: dict[str, Listed] = {}
    earlier = Earlier(out, shaped_by)

    def finished(record: dict[str, Any], written: bool = False) -> None:
        if not written:
            write_json(record, out / "json")
        done[record["source"]["path"]] = brief(record)
        if on_record is not None:
            on_record(record, False)
        _check_stop()

    refused = []
    for inp, key in keyed:
        if inp.problem is not None:
            refused.append(_problem_record(inp, key, shaped_by))
            continue
        if inp.stat is not None:
            stats[key] = inp.stat
        previous = None if settings.force else earlier.unchanged(key, stats.get(key), RETRY_CODES)
        if previous is not None:
            del stats[key]  # known already: nothing to note again
        why = None
        if previous is None and not settings.force:
            previous, why = _done_record(out, key, inp.path, shaped_by)
            previous = brief(previous) if previous is not None else None
        if previous is not None:
            done[key] = previous
            summary.skipped += 1
            if on_record is not None:
                on_record(previous, True)
        else:
            if why is not None:
                summary.redone[why] = summary.redone.get(why, 0) + 1
            todo.append((inp.path, key))
    for record in refused:  # never opened: written by this process, like any other record
        finished(record)

    if settings.engine == "dask":
        _run_on_dask(todo, base, settings, shaped_by, finished, out / "json")
    elif settings.workers == 1 and settings.timeout == 0 and settings.max_memory_mb == 0:
        for path, key in todo:
            finished(_process(path, key, base, settings, shaped_by))
    else:
        _run_in_children(todo, base, settings, shaped_by, finished, out / "json")
    earlier.close()
    summary.records = [done[key] for _, key in keyed]

    # Inputs gone from this DIR leave json/, so that every table describes the inputs as they are
    # (only when a whole DIR was given, and only its own records). Which record a JSON file holds is
    # known from the store, so no record is read for this.
    if root.is_dir():
        skip = {json_name(key) for key in (*done, *kept)}
        gone = [k for k in stored_keys(out, skip=skip) if dataset.owner(k) is entry]
        remove_records(dataset, gone)
        summary.removed = len(gone)

    # The workbook is the slowest writer: with more than one core, it is written beside the others.
    # Not after a Dask run: forking a process that has had the client's threads is not safe.
    parallel = settings.workers > 1 and settings.engine == "local"
    remember(out, stats, done, shaped_by, RETRY_CODES)
    refreshed = refresh_outputs(out, tuple(settings.formats), renderer=shaped_by["code"],
                                similarity=settings.similarity,
                                side_by_side=lambda a, b: side_by_side(a, b, parallel))
    summary.total_records = refreshed.records
    return summary


def _refuse_collisions(dataset: Dataset, entry: Any, keys: list[str]) -> None:
    """A key of this DIR that belongs to another DIR of OUT (its prefix is a folder of this DIR)."""
    from jixiao.outdir import OutputFolderError

    for key in keys:
        owner = dataset.owner(key)
        if owner is not None and owner is not entry:
            raise OutputFolderError(
                f"{key} would take the key of a record from {owner.dir} that {dataset.out} already holds; "
                "use another --out for this folder")


def _run_on_dask(todo: list[tuple[Path, str]], base: Path, settings: RunSettings, shaped_by: dict[str, Any],
                 finished: Callable[..., None], json_dir: Path) -> None:
    """The same per-file function on a Dask cluster; files are read by the workers from a
    path they share with this machine. Without a scheduler address, a local cluster is started.

    Each worker loads the readers, forms, profiles and segmenter once (before its first file), takes
    files in batches (a task costs the scheduler, the worker and this process more than a small
    file does) and sends each record back encoded, so this process only writes the bytes."""
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
        workers = max(1, len(client.scheduler_info().get("workers", {})) or settings.workers)
        suffixes = sorted({path.suffix.lower() for path, _ in todo})
        jobs = [(path.resolve(), rel) for path, rel in todo]
        size = dask_batch_size(len(jobs), workers)
        # (batch, retried): a batch whose task failed (a worker lost or killed) is tried again file by file.
        queue = deque((jobs[i:i + size], False) for i in range(0, len(jobs), size))
        client.run(_dask_worker_setup, suffixes, min(workers, len(queue)))
        resolved = base.resolve()
        running: dict[Any, tuple[list[tuple[Path, str]], bool]] = {}
        done = as_completed()

        def top_up() -> None:
            # A few tasks per worker at a time, each future dropped once its records are written: the
            # cluster holds a result only while it is on its way here, so the workers' memory does not
            # grow with the archive (holding every future kept every record on the workers to the end).
            while queue and len(running) < workers * DASK_TASKS_PER_WORKER:
                batch, retried = queue.popleft()
                future = client.submit(_process_batch, batch, resolved, settings, shaped_by, pure=False)
                running[future] = (batch, retried)
                done.add(future)

        top_up()
        for future in done:
            batch, retried = running.pop(future)
            try:
                results = future.result()
            except Exception as exc:
                if retried:  # this file's record says so
                    path, rel = batch[0]
                    finished(_limit_record(path, rel, "worker_crashed",
                                           f"the Dask task failed: {type(exc).__name__}: {exc}"))
                else:
                    queue.extend(([job], True) for job in batch)
                results = []
            del future
            for text in results:
                _finish_encoded(text, finished, json_dir)
            top_up()
    finally:
        def close() -> None:
            client.close()
            if cluster is not None:
                cluster.close()

        # A local cluster takes seconds to wind down: it does so while the tables are written.
        closing = threading.Thread(target=close, name="jixiao-dask-close", daemon=True)
        closing.start()
        _CLOSING.append(closing)


DASK_TASKS_PER_WORKER = 3  # tasks in flight per Dask worker: one running, the next ones queued


def dask_batch_size(files: int, workers: int) -> int:
    """Files per Dask task: about eight tasks per worker (so a slow batch cannot hold up the end of
    the run for long), at most 16 files (so a lost worker costs little), at least one."""
    return max(1, min(16, files // (workers * 8)))


def _finish_encoded(text: str, finished: Callable[..., None], json_dir: Path) -> None:
    record = json.loads(text)
    from jixiao.writers import atomic_write_text

    atomic_write_text(json_dir / json_name(record["source"]["path"]), text)
    finished(record, True)


def _dask_worker_setup(suffixes: list[str], sharing: int) -> None:  # pragma: no cover - on the workers
    """Once per Dask worker, before its first file: what the local engine's warm-up loads, and the
    share of the cores its OCR takes (``sharing`` workers read at once: never more than the batches)."""
    from extract.readers.ocr import set_worker_count

    set_worker_count(sharing)
    warm_up([Path(f"x{suffix}") for suffix in suffixes])


def _process_batch(jobs: list[tuple[Path, str]], base: Path, settings: RunSettings,
                   shaped_by: dict[str, Any]) -> list[str]:  # pragma: no cover - on the workers
    """Several files' records, each encoded as its JSON file's text."""
    encoded = [json.dumps(_process(path, key, base, settings, shaped_by), ensure_ascii=False, indent=2) + "\n"
               for path, key in jobs]
    give_back_memory()  # a Dask worker lives the whole run: without it, it grows with the archive
    return encoded


def _done_record(out: Path, key: str, path: Path, shaped_by: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The record of an earlier run when nothing that shaped it changed: the file's content and
    everything in ``shaped_by``. Otherwise None and why it is redone (None: never done)."""
    json_path = out / "json" / json_name(key)
    try:
        record: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if record.get("source", {}).get("path") != key:
        return None, None
    if any(e.get("code") in RETRY_CODES for e in record.get("errors", [])):
        return None, "stopped, failed or not read last time"  # worth another try
    if record["source"].get("sha256") != sha256_of(path):
        return None, "the file changed"
    before = record.get("shaped_by") or {}
    for part in _REDO_REASONS:
        if before.get(part) != shaped_by.get(part):
            return None, _REDO_REASONS[part]
    return record, None


def _process(path: Path, key: str, base: Path, settings: RunSettings, shaped_by: dict[str, Any]) -> dict[str, Any]:
    """One file's record, keyed as OUT keys it and marked with what shaped it."""
    record = path_to_record(path, base, settings.rules, settings.tables, settings.forms)
    record["source"]["path"] = key
    record["shaped_by"] = shaped_by
    return record


def _problem_record(inp: Input, key: str, shaped_by: dict[str, Any]) -> dict[str, Any]:
    """The record of an input that is not opened (not a regular file, a link out of DIR)."""
    assert inp.problem is not None
    record = error_record(new_source(inp.path, key, _NOTHING_READ), *inp.problem)
    record["shaped_by"] = shaped_by
    return record


def _worker(base: Path, settings: RunSettings, shaped_by: dict[str, Any], conn: Connection, json_dir: Path,
            parent: int | None, inherited: list[int], reading: Any) -> None:  # pragma: no cover - child
    """A worker process: takes (path, key) jobs from ``conn``, writes each file's JSON and sends back
    (record, written), until it gets ``None``. Writing here keeps the encoding off the parent,
    which is the one serial part of a run. It leaves after a file that ran it out of memory, and
    when the parent dies. ``reading`` (a shared integer the parent keeps up to date): how many workers
    read at once; each OCRs with its share of the cores."""
    import signal

    end_with_parent(parent, inherited)
    # The parent decides when to stop and kills its workers; a Ctrl-C reaching the whole process
    # group must not print a traceback from each of them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from extract.readers.ocr import set_worker_count

    set_worker_count(lambda: reading.value)  # else OCR would take every core
    if settings.max_memory_mb:
        limit_address_space(settings.max_memory_mb)  # where the platform has no limit, none
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        path, key = job
        try:
            record = _process(path, key, base, settings, shaped_by)
        except MemoryError:
            record = _limit_record(path, key, "memory_limit", _memory_message(settings))
        try:
            write_json(record, json_dir)
            written = True
        except OSError:
            written = False  # the parent writes it, or says why it cannot
        conn.send((record, written))
        if any(e.get("code") == "memory_limit" for e in record.get("errors", [])):
            return  # its heap is spoilt: the parent starts a fresh worker for the next file


def _memory_message(settings: RunSettings) -> str:
    limit = f"more than {settings.max_memory_mb} MB" if settings.max_memory_mb else "more memory than the machine has"
    return f"needed {limit}; raise --max-memory to process it (it is retried on the next run)"


_NOTHING_READ = hashlib.sha256(b"").hexdigest()


def _limit_record(path: Path, key: str, code: str, message: str) -> dict[str, Any]:
    return error_record(new_source(path, key, sha256_of(path)), code, message)


def reader_modules(paths: list[Path]) -> list[str]:
    """The modules of the readers these files need."""
    from extract import READERS

    return sorted({READERS[s][0] for s in {p.suffix.lower() for p in paths} if s in READERS})


def warm_up(paths: list[Path]) -> None:
    """Load, once, what workers would each load again: the readers the files need, the form
    parsers, the rule profiles and the segmenter's dictionary. Workers forked after it share these
    pages instead of each paying for them."""
    import importlib

    for module in reader_modules(paths):
        try:
            importlib.import_module(module)
        except ImportError:  # an optional reader: its files get their error record later
            pass
    from extract.forms import forms_in
    from jixiao.segment import warm_up as load_segmenter
    from validate.profile import available_profiles, load_profile

    importlib.import_module("extract.forms.engine")
    importlib.import_module("extract.forms.parts")
    importlib.import_module("extract.prose")
    forms_in()
    for name in available_profiles():
        load_profile(name)
    load_segmenter()


@dataclass
class _Worker:
    proc: Any
    conn: Connection
    files: int = 0
    path: Path | None = None  # the file it is on
    key: str = ""
    started: float = 0.0


def _preload_writers() -> None:
    from jixiao.tables import preload_writers

    try:
        preload_writers()
    except Exception:  # noqa: BLE001 - only time was to be saved: writing the outputs imports them itself
        pass


def _run_in_children(todo: list[tuple[Path, str]], base: Path, settings: RunSettings, shaped_by: dict[str, Any],
                     finished: Callable[[dict[str, Any], bool], None], json_dir: Path) -> None:
    """Each file in a worker process that can be killed: long-lived workers (forked after the
    warm-up, so they share what it loaded) take one file at a time; a worker that hangs past the
    timeout is killed and one that dies is replaced, and that file gets its error record."""
    method = start_method(small_run=len(todo) <= FILES_PER_WORKER * settings.workers)
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        # The server imports these before it forks its first worker (once per process: a server
        # already running keeps what it has).
        ctx.set_forkserver_preload(["__main__", "jixiao.preload", *reader_modules([path for path, _ in todo])])
    elif method == "fork" and len(todo) > settings.workers:  # sharing pays when a worker would do several files
        warm_up([path for path, _ in todo])
    pending = list(reversed(todo))
    # The workers share the cores among those reading: one scanned report read with --jobs 4 gets all
    # four, and so does a run's last long scan once the others are done.
    reading = ctx.Value("i", max(1, min(settings.workers, len(todo))), lock=False)
    idle: list[_Worker] = []
    busy: dict[Connection, _Worker] = {}
    # While the workers read, this process, idle until their first record, imports what writing the
    # outputs will need (the workbook's library is the most of it). Never while it forks: a child
    # forked while a thread holds an import lock would wait for it for ever.
    preload = threading.Thread(target=_preload_writers, name="jixiao-preload", daemon=True)

    def start() -> _Worker:
        if preload.is_alive():
            preload.join()
        here, there = ctx.Pipe(duplex=True)
        # A spawned child inherits no descriptor but its own pipe end: it has nothing to close.
        inherited = ([w.conn.fileno() for w in (*idle, *busy.values())] + [here.fileno()] + held_fds()
                     if method == "fork" else [])
        parent = os.getpid() if method != "forkserver" else None
        proc = ctx.Process(target=_worker, args=(base, settings, shaped_by, there, json_dir, parent, inherited, reading),
                           daemon=True)
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
                path, key = pending.pop()
                worker.path, worker.key, worker.started = path, key, time.monotonic()
                try:
                    worker.conn.send((path, key))
                except OSError:  # it died while idle: a fresh one takes the file
                    retire(worker, kill=True)
                    worker = start()
                    worker.path, worker.key, worker.started = path, key, time.monotonic()
                    worker.conn.send((path, key))
                busy[worker.conn] = worker
            reading.value = max(1, len(busy))
            if preload.ident is None:
                preload.start()
            # Woken at the first time limit to fall due, not up to a poll later: a file is stopped when
            # its time is up, not let run on.
            poll = 0.2
            if settings.timeout and busy:
                due = min(w.started for w in busy.values()) + settings.timeout
                poll = min(poll, max(0.0, due - time.monotonic()))
            for conn in wait(list(busy), timeout=poll):
                worker = busy.pop(conn)  # type: ignore[index]
                assert worker.path is not None
                written = False
                try:
                    record, written = conn.recv()
                except (EOFError, OSError):
                    worker.proc.join()
                    record = _limit_record(worker.path, worker.key, "worker_crashed",
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
                        finished(_limit_record(worker.path, worker.key, "timeout",
                                               f"took longer than {settings.timeout:g} s and was stopped; "
                                               "try --timeout with a larger value"), False)
    finally:
        _POLLING.clear()
        if preload.ident is not None:
            preload.join()
        for worker in list(busy.values()):
            retire(worker, kill=True)
        for worker in idle:
            retire(worker)
        if method == "forkserver":
            stop_fork_server()
