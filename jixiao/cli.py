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
    ex.add_argument("--follow-links", action="store_true",
                    help="read files that links in DIR lead to outside DIR (default: recorded, not read)")
    ex.add_argument("--strict", action="store_true", help="exit 1 if any file is not ok")
    ex.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    ex.add_argument("--verbose", "-v", action="store_true", help="full tracebacks for internal errors")

    explain = sub.add_parser("explain", help="print one report's rescoring: every row, its rule and its flags")
    explain.add_argument("file", type=Path)
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
    if not args.dir.exists():
        print(f"jixiao: no such file or folder: {args.dir}", file=err)
        return 2

    try:
        settings = RunSettings(jobs=args.jobs, timeout=args.timeout, max_memory_mb=args.max_memory,
                               force=args.force, rules=args.rules, tables=args.tables, engine=args.engine,
                               scheduler=args.scheduler, formats=tuple(args.formats),
                               follow_links=args.follow_links, forms=tuple(args.forms),
                               include=tuple(args.include), exclude=tuple(args.exclude))
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


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from jixiao.pipeline import path_to_record

    if not args.file.is_file():
        print(f"jixiao: no such file: {args.file}", file=err)
        return 2
    record = path_to_record(args.file, args.file.parent, args.rules, args.tables, tuple(args.forms))
    print(f"{record['source']['path']}: {record['status']}, form {record['template']}, rules {record['profile']}",
          file=out)
    for e in record.get("errors", []):
        print(f"  ! {e['code']}: {e['message']}", file=out)
    if record["status"] == "error":
        return 1
    by_row: dict[int, list[dict[str, Any]]] = {}
    other: list[dict[str, Any]] = []
    for flag in record["flags"]:
        field = flag.get("field") or ""
        if field.startswith("indicators[") and ":" not in field.split("]")[0]:
            by_row.setdefault(int(field[len("indicators["):field.index("]")]), []).append(flag)
        else:
            other.append(flag)
    print(f"\n  {'#':>3}  {'class':<6} {'indicator':<28} {'weight':>6} {'reported':>8} {'rules':>8}  rule / flags", file=out)
    for i, ind in enumerate(record["indicators"]):
        flags = by_row.get(i, [])
        if not flags and not args.all:
            continue
        rec = ind["recomputed_score"]
        print(f"  {i:>3}  {_pad(ind['category'] or '—', 6)} {_pad(ind['name'], 28)} {_num(ind['weight']):>6} "
              f"{_num(ind['reported_score']):>8} {_num(rec):>8}  {ind.get('rule') or ''}", file=out)
        for flag in flags:
            print(f"  {'':>3}  {'':<6} {'':<28} {'':>6} {'':>8} {'':>8}  {_mark(flag)} {flag['code']}: {flag['message']}",
                  file=out)
    for line in record.get("budget_lines", []):
        if line.get("weight") is not None:
            print(f"\n  budget {line['item']}: reported {_num(line.get('reported_score'))}, "
                  f"rules {_num(line.get('recomputed_score'))}", file=out)
    if other:
        print("\n  form-level flags:", file=out)
        for flag in other:
            print(f"    {_mark(flag)} {flag['code']} ({flag['subject']}): {flag['message']}  [{flag.get('rule') or ''}]",
                  file=out)
    print(f"\n  total: reported {_num(record['reported_total'])}, rules {_num(record['recomputed_total'])}; "
          f"{len(record['flags'])} flags", file=out)
    if record.get("stated_total") is not None or record.get("stated_grade"):
        print(f"  stated in the text: total {_num(record.get('stated_total'))}, grade {record.get('stated_grade') or '—'}",
              file=out)
    sections = [*record.get("sections", {}).items(), *((s["heading"], s["text"]) for s in record.get("sections_other", []))]
    if sections:
        print(f"\n  sections ({record.get('document_kind', 'form')}):", file=out)
        for key, text in sections:
            first = text.replace("\n", " ")[:40]
            print(f"    {_pad(key, 20)} {first}{'…' if len(text) > 40 else ''}", file=out)
    return 0


def _pad(text: str, width: int) -> str:
    """Pad to a terminal width: CJK characters take two columns."""
    import unicodedata

    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
