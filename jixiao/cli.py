"""Command line: a thin layer over ``jixiao.pipeline``.

Exit codes: 0 the run finished (flags are results, not failures); 1 with ``--strict``
when some file was not ok, or when the run itself failed; 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from jixiao import __version__
from jixiao.errors import JixiaoError
from jixiao.inputs import printable
from jixiao.text import char_columns


# The names of extract.PDF_TABLE_ENGINES, spelt out so that `--help` does not import the readers.
TABLE_ENGINES = ("pdfium", "pdfplumber", "camelot")

EXTRACT_EPILOG = """\
examples:
  jixiao extract archive --out out                  every report under archive/ → out/
  jixiao extract archive --out out --strict -q      for scripts: exit 1 when a report is not ok
  jixiao extract archive --include '2021/*' --exclude '草稿'   one year's folder, drafts left out
  jixiao extract report.pdf --out one               a single file
  jixiao explain out                                each report's rows, rules and flags

outputs (in OUT):
  json/            one record per report-named file (.pdf .docx .doc .xlsx .xls .txt .html .htm),
                   also when it cannot be read (status error, errors[] says why)
  reports.csv indicators.csv flags.csv subprojects.csv budget_lines.csv projects.csv patterns.csv
  dataset.sqlite   the same tables in SQLite        audit.xlsx   the auditor's workbook
  parquet/         with --format parquet

  A file named like a report that is no report at all (a stray notes.txt) gets a record with
  error code not_a_report and is counted apart ("3 other files not reports"), not as a failure.
  A rerun redoes only files that changed (or whose settings did); --force redoes all.

exit codes:
  0    the run finished (flags are results, not failures; files that are no report are no failure)
  1    with --strict: some report was not ok; or writing the outputs failed
  2    usage error: missing DIR, bad option, invalid rule profile or form, unusable OUT
  130  interrupted (the files finished so far are kept; the same command resumes)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jixiao",
        description="Extract and rescore performance self-evaluation reports (绩效自评报告).",
    )
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="extract every report under DIR into OUT (JSON + CSV tables)",
                        description="Extract every report under DIR (searched recursively) into OUT: one JSON "
                        "record per report-named file, checked and rescored, and the tables built from them.",
                        epilog=EXTRACT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ex.add_argument("dir", type=Path, metavar="DIR", help="folder searched recursively, or one file")
    ex.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    ex.add_argument("--rules", metavar="PROFILE", help="rule profile: a built-in name or a .toml file "
                    "(default: the recognised form's own profile)")
    ex.add_argument("--forms", action="append", default=[], type=Path, metavar="DIR",
                    help="a folder of your own form descriptions (*.toml), read beside the built-in ones; repeatable")
    ex.add_argument("--tables", choices=TABLE_ENGINES, default="pdfium",
                    help="table engine for PDFs: jixiao's own cell reconstruction on pages read by PDFium "
                    "(default) or by pdfplumber (slower, a cross-check), or camelot (lattice, stream where a "
                    "page has no ruling lines)")
    ex.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)")
    ex.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                    help="time limit per file; a file over it is stopped and recorded as an error (default 120)")
    ex.add_argument("--max-memory", type=int, default=4096, metavar="MB",
                    help="address-space limit per file in MB (default 4096; 0 = none)")
    ex.add_argument("--force", action="store_true", help="redo files already done by an earlier run")
    ex.add_argument("--format", action="append", default=[], choices=("parquet",), dest="formats",
                    help="extra output: parquet (OUT/parquet/<table>/year=…, for data teams); repeatable")
    ex.add_argument("--engine", choices=("local", "dask"), default="local",
                    help="local worker processes (default) or a Dask cluster")
    ex.add_argument("--scheduler", metavar="ADDRESS",
                    help="Dask scheduler, e.g. tcp://HOST:8786 (with --engine dask; default: a local cluster)")
    ex.add_argument("--include", action="append", default=[], metavar="GLOB",
                    help="only files whose path relative to DIR (or a folder above them) matches GLOB, e.g. "
                    "'2021/*' or '*.pdf'; case-insensitive, * also crosses /; repeatable")
    ex.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                    help="leave out files (or whole folders) that match GLOB, e.g. '草稿' or '*/old/*'; repeatable. "
                    "Records earlier runs wrote for files left out are kept")
    ex.add_argument("--similarity", type=float, default=None, metavar="S",
                    help="how alike two narrative sections must be (Jaccard of their 3-character shingles, "
                    "figures and years ignored) to be reported as copied across reports (default 0.9; the "
                    "candidate search is tuned for 0.8 and above: lower values find only part of the pairs)")
    ex.add_argument("--follow-links", action="store_true",
                    help="read files that links in DIR lead to outside DIR (default: recorded, not read)")
    ex.add_argument("--strict", action="store_true", help="exit 1 if any file is not ok")
    ex.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    ex.add_argument("--verbose", "-v", action="store_true", help="full tracebacks for internal errors")

    explain = sub.add_parser("explain", help="print a report's rescoring: its rows, their rules and flags",
                             description="Print a report's rescoring, fitted to the terminal: each row with a "
                             "flag (or every row with --all), its page, reported and rescored score, the rule "
                             "and the flags under it. FILE is a report, a record (.json), a folder of reports "
                             "or records, or an OUT folder (its json/).")
    explain.add_argument("file", type=Path, metavar="FILE|DIR")
    explain.add_argument("--width", type=int, default=0, metavar="COLUMNS",
                         help="line width (default: the terminal's, 100 when not a terminal)")
    explain.add_argument("--rules", metavar="PROFILE", help="rule profile (default: the recognised form's)")
    explain.add_argument("--tables", choices=TABLE_ENGINES, default="pdfium")
    explain.add_argument("--forms", action="append", default=[], type=Path, metavar="DIR",
                         help="a folder of your own form descriptions (*.toml); repeatable")
    explain.add_argument("--all", action="store_true", help="show every row, not only rows with flags")

    forms = sub.add_parser("forms", help="list or show form descriptions")
    forms_sub = forms.add_subparsers(dest="forms_command", required=True)
    forms_list = forms_sub.add_parser("list", help="list the built-in forms (and those in --forms folders)")
    forms_list.add_argument("--forms", action="append", default=[], type=Path, metavar="DIR")
    forms_show = forms_sub.add_parser("show", help="print a form's TOML (copy it to describe your own form)")
    forms_show.add_argument("name", help="form name or path")

    rules = sub.add_parser("rules", help="list or show rule profiles")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    rules_sub.add_parser("list", help="list the built-in rule profiles")
    show = rules_sub.add_parser("show", help="print a rule profile's TOML (copy it to make your own)")
    show.add_argument("name", help="profile name or path")
    return parser


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        import contextlib

        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):  # --help and usage errors
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "extract":
            return _extract(args, out, err)
        if args.command == "explain":
            return _explain(args, out, err)
        if args.command == "forms":
            return _forms(args, out)
        return _rules(args, out)
    except JixiaoError as exc:
        print(f"jixiao: {type(exc).__name__}: {exc}", file=err)
        return 2 if args.command in ("rules", "forms") or exc.code in ("invalid_profile", "invalid_form",
                                                                          "output_folder") else 1
    except BrokenPipeError:  # `jixiao explain … | head`: the reader has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the outputs could not be written (a full disk, a folder made read-only)
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"jixiao: writing the outputs failed: {exc.strerror or exc}{where}; fix that and run the same "
              "command again (the files finished so far are kept)", file=err)
        return 1
    except KeyboardInterrupt:
        print("\njixiao: interrupted; the files finished so far are kept, run the same command again to resume",
              file=err)
        return 130


def _extract(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import signal

    from jixiao.runner import RunSettings, is_not_a_report, request_stop, run_extract, start_method

    def stop(signum: int, frame: Any) -> None:
        # `kill` stops the run like Ctrl-C: workers ended, finished files kept. While the run waits on
        # its workers it stops by itself; otherwise this process is the worker and must break off.
        if not request_stop():
            raise KeyboardInterrupt

    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where a shell made it ignored
            signal.signal(signal.SIGINT, stop)
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, stop)
        if hasattr(signal, "pthread_sigmask"):  # not on Windows
            # A parent that blocks SIGTERM (some CI runners and supervisors do) passes its mask on;
            # a blocked `kill` would wait unseen until the whole archive is done.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    except ValueError:  # not the main thread (an embedding program): leave its signals alone
        pass

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    if _missing_extra(args.tables, err):
        return 2
    if not args.dir.exists():
        print(f"jixiao: no such file or folder: {args.dir}", file=err)
        return 2

    try:
        settings = RunSettings(jobs=args.jobs, timeout=args.timeout, max_memory_mb=args.max_memory,
                               force=args.force, rules=args.rules, tables=args.tables, engine=args.engine,
                               scheduler=args.scheduler, formats=tuple(args.formats),
                               follow_links=args.follow_links, forms=tuple(args.forms),
                               include=tuple(args.include), exclude=tuple(args.exclude),
                               similarity=args.similarity)
        start_method()  # a bad JIXIAO_START_METHOD is a usage error, said before anything is read
    except ValueError as exc:
        print(f"jixiao: {exc}", file=err)
        return 2

    progress = Progress(out) if out.isatty() and not args.quiet else None

    def echo(record: dict[str, Any], skipped: bool) -> None:
        if progress is not None:
            progress.update(record, skipped)
        if args.quiet or skipped:
            return
        if progress is not None and record["status"] == "ok":
            return  # on a terminal the bar says it; problems still get their own line
        if is_not_a_report(record):
            if progress is not None:
                progress.clear()
            print(f"{printable(record['source']['path'])}  not a report", file=out, flush=True)
            return
        flags = record["flags"]
        errors = sum(1 for f in flags if f["severity"] == "error")
        line = (f"{printable(record['source']['path'])}  {record['status']}  {record['template']}  "
                f"{len(record['indicators'])} indicators  {len(flags)} flags ({errors} error)")
        if record["status"] != "ok" and record.get("errors"):
            first = record["errors"][0]
            line += f"  — {first['code']}: {printable(first['message'])}"
        if progress is not None:
            progress.clear()
        print(line, file=out, flush=True)

    summary = run_extract(args.dir, args.out, settings, on_record=echo,
                          on_start=progress.start if progress is not None else None)
    if progress is not None:
        progress.clear()
    n = len(summary.reports)
    flags = sum(len(r["flags"]) for r in summary.records)
    skipped = f"{summary.skipped} unchanged since the last run, skipped (--force redoes them); " if summary.skipped else ""
    redone = ""
    if summary.redone:
        why = ", ".join(f"{k}: {v}" for k, v in sorted(summary.redone.items(), key=lambda kv: -kv[1]))
        redone = f"{sum(summary.redone.values())} redone ({why}); "
    removed = f"{summary.removed} records of inputs no longer in DIR removed; " if summary.removed else ""
    held = ""
    if summary.total_records != len(summary.records):
        held = f" ({summary.total_records} records in all" + (f", this folder's under {summary.prefix}" if summary.prefix else "") + ")"
    read = summary.read_not_reports
    not_reports = f"{len(read) + len(summary.not_reports)} other files not reports"
    if read:
        names = ", ".join(printable(k) for k in read[:3]) + (", …" if len(read) > 3 else "")
        not_reports += f" ({len(read)} named like reports, read and found to be none: {names})"
    left_out = f"{summary.left_out} files left out by --include/--exclude; " if summary.left_out else ""
    if not summary.records and not summary.not_reports:
        what = (f"all {summary.left_out} files were left out by --include/--exclude" if summary.left_out
                else "the folder holds no files (hidden files and jixiao's own outputs are not read)")
        print(f"nothing found in {args.dir}: {what}; outputs in {args.out}/{held}", file=out)
        return 0
    if not summary.records:
        print(f"no reports found in {args.dir} (no .pdf .docx .doc .xlsx .xls .txt .html .htm files); "
              f"{left_out}{not_reports}; outputs in {args.out}/{held}", file=out)
        return 0
    print(
        f"{n} reports: {summary.count('ok')} ok, {summary.count('partial')} partial, {summary.count('error')} error; "
        f"{flags} flags; {skipped}{redone}{removed}{left_out}{not_reports}; "
        f"outputs in {args.out}/{held}",
        file=out,
    )
    if args.strict and summary.count("ok") != n:
        return 1
    return 0


def _missing_extra(tables: str, err: TextIO) -> bool:
    """``--tables camelot`` without camelot installed (an extra): one line with the install step."""
    import importlib.util

    if tables != "camelot" or importlib.util.find_spec("camelot") is not None:
        return False
    print("jixiao: --tables camelot needs camelot, an optional extra: pip install 'jixiao[camelot]' "
          "(in a checkout: make camelot)", file=err)
    return True


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import shutil

    if _missing_extra(args.tables, err):
        return 2

    width = args.width or shutil.get_terminal_size((100, 24)).columns
    width = max(width, 40)
    if args.file.is_dir():
        records = list(_records_in(args.file, args, err))
        if not records:
            print(f"jixiao: nothing to explain in {args.file}: no report files and no records (.json)", file=err)
            return 2
    elif args.file.is_file():
        records = [_record_of(args.file, args.file.parent, args, err)]
    else:
        print(f"jixiao: no such file or folder: {args.file}", file=err)
        return 2
    failed = False
    for n, record in enumerate(records):
        if n:
            print("", file=out)
        failed |= _explain_record(record, args.all, width, out)
    return 1 if failed else 0


def _record_of(path: Path, base: Path, args: argparse.Namespace, err: TextIO) -> dict[str, Any]:
    """A record read from its JSON (an OUT's json/, samples/expected/), or made from the report."""
    if path.suffix.lower() == ".json":
        import json

        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            record = None
            problem = f"cannot read the record: {exc}"
        if isinstance(record, dict) and "source" in record and "status" in record:
            return record
        if record is not None:
            problem = "not a jixiao record (no source and status)"
        from jixiao.pipeline import error_record, new_source

        return error_record(new_source(path, path.name, ""), "not_a_record", problem)
    from jixiao.pipeline import path_to_record

    return path_to_record(path, base, args.rules, args.tables, tuple(args.forms))


def _records_in(folder: Path, args: argparse.Namespace, err: TextIO) -> Any:
    """Every record a folder holds: an OUT's json/, else its reports and record files, in path order."""
    from extract import REPORT_SUFFIXES
    from jixiao.inputs import find_inputs

    if (folder / "json").is_dir():
        folder = folder / "json"
    reports, others = find_inputs(folder, None, suffixes=(*REPORT_SUFFIXES, ".json"))
    for inp in reports:
        if inp.problem is None:
            yield _record_of(inp.path, folder, args, err)


def _explain_record(record: dict[str, Any], show_all: bool, width: int, out: TextIO) -> bool:
    """Print one record's rescoring, every line within ``width`` columns; True when it is an error."""

    def say(text: str = "", indent: int = 0) -> None:
        for line in _wrap(text, width - indent):
            print(" " * indent + line, file=out)

    say(f"{printable(record['source']['path'])}: {record['status']}, form {record['template']}, "
        f"rules {record.get('profile') or '—'}")
    for e in record.get("errors", []):
        say(f"! {e['code']}: {printable(e['message'])}", 2)
    if record["status"] == "error":
        return not _is_not_a_report(record)
    by_row: dict[int, list[dict[str, Any]]] = {}
    other: list[dict[str, Any]] = []
    for flag in record["flags"]:
        field = flag.get("field") or ""
        if field.startswith("indicators[") and ":" not in field.split("]")[0]:
            by_row.setdefault(int(field[len("indicators["):field.index("]")]), []).append(flag)
        else:
            other.append(flag)
    # #, page, class, indicator, weight, reported, rules: the name takes what the terminal leaves.
    fixed = 2 + 3 + 1 + 4 + 2 + 6 + 1 + 1 + 6 + 1 + 8 + 1 + 8
    name_w = max(10, min(40, width - fixed))
    say()
    shown = [i for i in range(len(record["indicators"])) if show_all or i in by_row]
    if shown:
        print(f"  {'#':>3} {'page':>4}  {_pad('class', 6)} {_pad('indicator', name_w)} {'weight':>6} "
              f"{'reported':>8} {'rules':>8}", file=out)
    elif record["indicators"]:
        say(f"no row of the {len(record['indicators'])} has a flag (--all shows every row)", 2)
    under = 11  # rule and flag lines sit under their row, from the class column on
    for i in shown:
        ind, flags = record["indicators"][i], by_row.get(i, [])
        page = ind.get("page")
        print(f"  {i:>3} {('p.' + str(page)) if page else '—':>4}  {_pad(ind['category'] or '—', 6)} "
              f"{_pad(ind['name'], name_w)} {_num(ind['weight']):>6} {_num(ind['reported_score']):>8} "
              f"{_num(ind['recomputed_score']):>8}", file=out)
        if ind.get("rule"):
            say(f"= {ind['rule']}", under)
        for flag in flags:
            say(f"{_mark(flag)} {flag['code']}: {flag.get('message') or flag.get('subject') or ''}", under)
    for line in record.get("budget_lines", []):
        if line.get("weight") is not None:
            say()
            say(f"budget {line['item']}: reported {_num(line.get('reported_score'))}, "
                f"rules {_num(line.get('recomputed_score'))}", 2)
    if other:
        say()
        say("form-level flags:", 2)
        for flag in other:
            say(f"{_mark(flag)} {flag['code']} ({flag.get('subject')}): {flag.get('message') or ''}"
                + (f"  [{flag['rule']}]" if flag.get("rule") else ""), 4)
    say()
    say(f"total: reported {_num(record['reported_total'])}, rules {_num(record['recomputed_total'])}; "
        f"{len(record['flags'])} flags", 2)
    if record.get("stated_total") is not None or record.get("stated_grade"):
        say(f"stated in the text: total {_num(record.get('stated_total'))}, grade {record.get('stated_grade') or '—'}", 2)
    sections = [*record.get("sections", {}).items(), *((s["heading"], s["text"]) for s in record.get("sections_other", []))]
    if sections:
        say()
        say(f"sections ({record.get('document_kind', 'form')}):", 2)
        key_w = min(20, max(8, width // 4))
        for key, text in sections:
            line = _pad(key, key_w) + " " + text.replace("\n", " ")
            print("    " + _pad(line, width - 4, ellipsis=True).rstrip(), file=out)
    return False


def _is_not_a_report(record: dict[str, Any]) -> bool:
    return any(e.get("code") == "not_a_report" for e in record.get("errors", []))


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns (CJK characters take two), broken at a
    space where one is near the end of the line, else between any two characters."""
    width = max(width, 10)
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0
        for ch in para:
            w = char_columns(ch)
            if used + w > width:
                cut = line.rfind(" ")
                if cut > len(line) // 2:
                    lines.append(line[:cut].rstrip())
                    line = line[cut + 1:]
                else:
                    lines.append(line.rstrip())
                    line = ""
                used = sum(char_columns(c) for c in line)
            line, used = line + ch, used + w
        lines.append(line.rstrip())
    return lines


def _pad(text: str, width: int, ellipsis: bool = True) -> str:
    """``text`` in exactly ``width`` terminal columns (CJK characters take two): padded, or cut with
    ``…`` where it is longer."""
    total = sum(char_columns(ch) for ch in text)
    if total <= width:
        return text + " " * (width - total)
    out, used = "", 0
    limit = width - 1 if ellipsis else width
    for ch in text:
        w = char_columns(ch)
        if used + w > limit:
            break
        out, used = out + ch, used + w
    if ellipsis:
        out, used = out + "…", used + 1
    return out + " " * (width - used)


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}"


def _mark(flag: dict[str, Any]) -> str:
    return {"error": "✗", "warning": "!", "info": "i"}.get(flag["severity"], "?")


class Progress:
    """One line on a terminal, redrawn in place: files done, rate, ETA, problems so far."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.total = 0
        self.done = 0
        self.processed = 0
        self.problems = 0
        self.started = time.monotonic()

    def start(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()
        self._draw()

    def update(self, record: dict[str, Any], skipped: bool) -> None:
        self.done += 1
        self.processed += 0 if skipped else 1
        from jixiao.runner import is_not_a_report

        self.problems += record["status"] != "ok" and not is_not_a_report(record)
        self._draw()

    def _draw(self) -> None:
        elapsed = max(1e-9, time.monotonic() - self.started)
        rate = self.processed / elapsed
        left = self.total - self.done
        eta = f"{left / rate:.0f} s" if rate > 0 and left else "—"
        self.out.write(f"\r{self.done}/{self.total} files  {rate:.1f}/s  ETA {eta}  {self.problems} not ok\x1b[K")
        self.out.flush()

    def clear(self) -> None:
        self.out.write("\r\x1b[K")
        self.out.flush()


def _forms(args: argparse.Namespace, out: TextIO) -> int:
    from extract.forms import forms_in, load_form

    if args.forms_command == "list":
        for form in forms_in(tuple(args.forms)):
            print(f"{form.name}\t{form.scope}\t{form.profile or '(chosen by labels)'}\t{form.description}", file=out)
        return 0
    form = load_form(args.name)  # validates it, so `show` also checks an edited description
    out.write(Path(form.source).read_text(encoding="utf-8"))
    return 0


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    from validate.profile import PROFILE_DIR, available_profiles, load_profile

    if args.rules_command == "list":
        for name in available_profiles():
            profile = load_profile(name)
            print(f"{name}\t{profile.template}\t{profile.description}", file=out)
        return 0
    profile = load_profile(args.name)  # validates it, so `show` also checks an edited profile
    path = Path(profile.source) if profile.source else PROFILE_DIR / f"{args.name}.toml"
    out.write(path.read_text(encoding="utf-8"))
    return 0


def run() -> None:
    """The ``jixiao`` command: ``main()``, then out of the process without the interpreter's teardown.
    Freeing every module's objects one by one (numpy's, the workbook's, the forms') took 50–70 ms
    after each run, a tenth of a one-page PDF's; by the time ``main`` returns every output is written
    and closed, the workers and the Dask cluster are gone, and only the streams are left to flush."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a stream closed: nothing left to say
            pass
    import os

    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
