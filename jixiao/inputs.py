"""What a run takes as input: the report-looking files under DIR, each with its key.

Only regular files are ever opened. A named pipe, a device or a link to one (``/dev/zero``)
named like a report gets an error record from its ``lstat``/``stat`` alone: opening it could
block or never end. A link that leads out of DIR is not followed unless asked, so a run over an
archive never reads (or hashes) what lies outside it. jixiao's own outputs are never inputs,
wherever OUT is.

A file's key (``source.path``) is its path relative to DIR, readable even when the file system
gave bytes that are not UTF-8: archives made on Chinese Windows often have GBK names.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

# Written by jixiao into OUT; never read back as reports when OUT lies in (or is) DIR.
OUTPUT_NAMES = frozenset({"json", "parquet", "reports.csv", "indicators.csv", "subprojects.csv", "flags.csv",
                          "budget_lines.csv", "projects.csv", "patterns.csv", "dataset.sqlite",
                          "dataset.sqlite-wal", "dataset.sqlite-shm", "audit.xlsx", "summary.html", ".jixiao"})


class Listed(NamedTuple):
    """What a rerun compares of an input's ``stat`` (named as in ``os.stat_result``): a run holds
    one per input, and the whole ``stat_result`` is several times its size."""

    st_size: int
    st_mtime_ns: int
    st_ctime_ns: int
    st_ino: int


@dataclass(frozen=True, slots=True)  # one per input of an archive: no __dict__ each
class Input:
    """One report-looking file. ``problem`` is (code, message) when it must not be read."""

    path: Path
    key: str
    problem: tuple[str, str] | None = None
    stat: Listed | None = None  # as seen when listed (None where it could not be taken)


def readable_name(name: str) -> str:
    """A file-name component as text: undecodable bytes (``os.fsdecode`` keeps them as surrogates)
    decoded as GB18030 where they are valid, else escaped as ``\\xNN``. The same bytes always give
    the same text, so the key is stable across reruns."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace")


def path_key(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators, every part readable."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = path.parts
    return "/".join(readable_name(p) for p in parts)


def printable(text: str) -> str:
    """``text`` for a one-line log: control and line-separator characters escaped, so that a
    crafted file name cannot break a line or forge another one."""
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch == "\\":
            out.append(ch.encode("unicode_escape").decode("ascii") if ch != "\\" else "\\\\")
        else:
            out.append(ch)
    return "".join(out)


def file_problem(path: Path) -> tuple[str, str] | None:
    """Why ``path`` must not be opened (code, message), or None for a regular file."""
    return _stat_and_problem(path)[1]


def _stat_and_problem(path: Path) -> tuple[os.stat_result | None, tuple[str, str] | None]:
    try:
        st = os.stat(path)  # follows links: a link to /dev/zero is a device
    except OSError as exc:
        return None, ("unreadable_file", f"cannot open the file ({exc.strerror or type(exc).__name__}); "
                                         "check that it exists and that jixiao may read it")
    if stat.S_ISREG(st.st_mode):
        return st, None
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
            or stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
            else "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file")
    return st, ("not_a_file", f"{kind}, not a regular file: not opened; copy the report itself into the folder")


def _input(path: Path, key: str, problem: tuple[str, str] | None = None) -> Input:
    st, found = _stat_and_problem(path)
    listed = Listed(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) if st is not None else None
    return Input(path, key, problem or found, listed)


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read without ever blocking: what is not a regular file (a pipe whose
    writer never comes) hashes as empty, and its record says why it was not read."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return digest.hexdigest()
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return digest.hexdigest()
        with os.fdopen(fd, "rb", closefd=False) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        pass
    finally:
        os.close(fd)
    return digest.hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def find_inputs(root: Path, out: Path | None = None, follow_links: bool = False,
                suffixes: tuple[str, ...] | None = None) -> tuple[list[Input], list[str]]:
    """Report-looking files under ``root`` (recursively, sorted by path) and the keys of the other
    files seen. Hidden files and folders are left out; so is everything jixiao writes to ``out``."""
    if suffixes is None:
        from extract import REPORT_SUFFIXES as suffixes
    if root.is_file() or not root.is_dir():
        base = root.parent
        key = path_key(root, base)
        if root.suffix.lower() not in suffixes:
            return [], [key]
        return [_input(root, key)], []
    real_root = root.resolve()
    real_out = out.resolve() if out is not None else None
    reports: list[Input] = []
    others: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        real_here = here.resolve()
        # A folder that is (or was) some run's OUT: its outputs are not reports, whatever OUT is now.
        is_out = real_here == real_out or ".jixiao" in dirnames
        kept = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            real = (here / d).resolve()
            if real == real_out or (is_out and d in OUTPUT_NAMES):
                continue
            if (here / d).is_symlink():
                # Not walked (a link can lead in a circle or out of DIR); said, not silently dropped.
                others.append(path_key(here / d, root) + "/ (a link to a folder, not followed)")
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            if is_out and name in OUTPUT_NAMES:
                continue
            key = path_key(path, root)
            if path.suffix.lower() not in suffixes:
                others.append(key)
                continue
            problem = None
            if path.is_symlink() and not follow_links and path.exists():  # a dangling link: unreadable, below
                target = path.resolve()
                if not _inside(target, real_root):
                    problem = ("link_outside", f"a link to {printable(str(target))}, outside the folder given: "
                                               "not followed; pass --follow-links to read it")
            reports.append(_input(path, key, problem))
    return reports, others


# Words a performance self-evaluation cannot do without, in its form or its prose. A file that
# was read (its text is there and legible) and prints at most one of them is no report: a stray
# note, a README, a shopping list. Anything more is a report jixiao could not read, and stays a
# failure the auditor sees.
REPORT_WORDS = ("绩效", "自评", "评价", "指标", "得分", "分值", "权重", "目标值", "实际完成", "完成值", "完成情况",
                "偏差", "预算", "资金", "拨款", "执行率", "项目", "评分", "满意度", "产出", "效益", "总分", "合计")
# Formats that can hold a report as pictures (a scan pasted into Word): a file of these with little
# text may be one, so it needs this much legible text before it can be called no report.
_PICTURE_FORMATS = ("pdf", "docx", "doc", "xlsx", "xls", "html")
_MIN_TEXT = 20


def not_a_report(text: str, form_hits: int, fmt: str, ocr: bool = False, notes: tuple[str, ...] = ()) -> str | None:
    """Why a document that no form, indicator table or heading fits is no report at all, or None
    when it may still be one (then it stays an ``unknown_template`` failure).

    No report only when every sign says so: no form label seen (beyond one), at most one of
    ``REPORT_WORDS``, text that was really read (not OCR, no unreadable PDF fonts, no undecodable or
    mis-decoded characters) and, for formats that can hold pictures, enough of it."""
    if ocr or form_hits > 1 or any("Unicode" in n or "OCR" in n for n in notes):
        return None
    legible = [ch for ch in text if not ch.isspace()]
    if not legible:
        return None  # nothing read: a picture, a damaged file, a reader's gap; not proven to be no report
    garbled = sum(1 for ch in legible if ch == "\ufffd" or "\x80" <= ch <= "\u02ff" or unicodedata.category(ch) == "Co")
    if garbled > 0.05 * len(legible):
        return None  # mis-decoded text hides the words it would show
    if fmt in _PICTURE_FORMATS and len(legible) < _MIN_TEXT:
        return None
    compact = "".join(legible)
    seen = [w for w in REPORT_WORDS if w in compact]
    if len(seen) > 1:
        return None
    words = f"only {seen[0]} of the words" if seen else "none of the words"
    return (f"read, and no report at all: no report form, indicator table or report headings, and {words} "
            "a self-evaluation uses (绩效, 自评, 指标, 得分, 预算, …); if it is one, describe its form "
            "(`jixiao forms show generic`) and pass its folder with --forms")


def selected(key: str, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> bool:
    """Whether the file with ``key`` (its path relative to DIR, ``/``-separated) is in the run:
    it matches an ``include`` pattern (when any are given) and no ``exclude`` pattern.

    A pattern is a shell glob (``*``, ``?``, ``[…]``; ``*`` also crosses ``/``), compared without
    regard to case with the whole path and with each folder above the file (``2020/草稿`` takes the
    folder with all it holds); a pattern without ``/`` is also compared with the file's name and
    each folder's name (``*.pdf``, ``草稿``)."""
    if include and not any(_matches(key, p) for p in include):
        return False
    return not any(_matches(key, p) for p in exclude)


def _matches(key: str, pattern: str) -> bool:
    import fnmatch

    pattern = pattern.strip("/").lower().replace("\\", "/")
    parts = key.lower().split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    if "/" not in pattern:
        candidates += parts
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)
