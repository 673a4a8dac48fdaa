"""Legacy Word (.doc) reader: Word 97-2003 files are read in Python (extract.readers.doc_binary); LibreOffice
converts only what is not one (RTF, Word 2003 XML, Word 6/95 saved as .doc) to .docx for the .docx reader.

The file's type is checked from its bytes before LibreOffice sees it, because LibreOffice
"converts" anything it cannot identify as plain text (random bytes become a .docx of garbage
with exit status 0). What a ``.doc`` file may really be:

* an OLE2 compound file with a ``WordDocument`` stream: Word 97-2003 → read by extract.readers.doc_binary,
  LibreOffice never started (``JIXIAO_DOC_CROSSCHECK=1`` also converts it with LibreOffice and notes
  whether both readings agree); Word 6/95 → converted with the matching import filter forced, so a
  damaged file fails instead of becoming text; the Word header's encryption bit is read first (a
  password-protected file gets its own message);
* an OLE2 file holding something else (an Excel workbook, a PowerPoint deck, a
  password-protected .docx/.xlsx ``EncryptedPackage``) → an error naming what it is;
* RTF, HTML or Word 2003 XML saved with a ``.doc`` suffix (what budget systems and Word's
  "web page" export give) → converted with LibreOffice's RTF / HTML / Word 2003 XML filter;
* a .docx zip package with a ``.doc`` suffix → read directly, no LibreOffice needed;
* anything else → an error.

Conversion runs with a private, throw-away LibreOffice profile whose settings disable macro
execution and VBA loading, on a copy of the input under a plain ASCII name in a private temporary
folder (paths with spaces or Chinese characters, and concurrent runs, are then safe), with a
timeout after which the whole process group is killed.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

from extract.readers.limits import first_bytes
from jixiao.errors import MissingSystemTool, UnreadableDocument
from jixiao.model import Document

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DEFAULT_TIMEOUT = 120.0  # seconds; JIXIAO_SOFFICE_TIMEOUT overrides
SOFFICE_ENV = "JIXIAO_SOFFICE"
TIMEOUT_ENV = "JIXIAO_SOFFICE_TIMEOUT"
CROSSCHECK_ENV = "JIXIAO_DOC_CROSSCHECK"  # 1: a Word 97-2003 file is also converted by LibreOffice, compared
# Where the macOS cask puts the program (it is not on PATH there).
_MAC_SOFFICE = "/Applications/LibreOffice.app/Contents/MacOS/soffice"

INSTALL_HINT = (
    "install LibreOffice to read RTF and pre-97 Word files saved as .doc: `sudo apt-get install "
    "libreoffice-writer-nogui` (Debian/Ubuntu) or `brew install --cask libreoffice` (macOS), or set "
    "JIXIAO_SOFFICE to the soffice program; Word 97-2003 .doc, .docx and .pdf files are unaffected"
)

# The profile LibreOffice starts with: no macros run, no VBA loaded (a fresh profile already has
# macro security "high"; this makes it "very high" and switches execution off altogether).
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Load" \
oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Executable" \
oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


@dataclasses.dataclass(frozen=True)
class _Kind:
    """What the bytes of a .doc file are, and how to convert them."""

    what: str  # for notes and messages
    suffix: str  # name of the private copy (helps LibreOffice's own detection)
    filters: tuple[str, ...]  # LibreOffice import filters to force, tried in order


WORD97 = _Kind("Word 97-2003 .doc file", ".doc", ("MS Word 97",))


def doc_to_document(path: Path, timeout: float | None = None) -> Document:
    """A legacy .doc (or RTF/HTML/.docx saved as .doc) → ``Document`` with ``format="doc"``."""
    from extract.readers.docx import docx_to_document

    from extract.readers.html import html_to_document, looks_like_html

    head, _ = first_bytes(path, 4096, ".doc")
    if looks_like_html(head):  # a web page saved as .doc: read as HTML, no conversion needed
        doc = html_to_document(path)
        return dataclasses.replace(doc, notes=("an HTML page saved with a .doc suffix; read as HTML", *doc.notes))
    kind = sniff(path)
    if kind is None:  # a .docx package under a .doc name: no conversion needed
        doc = docx_to_document(path)
        return dataclasses.replace(doc, format="doc", notes=doc.notes + (
            "a Word .docx package saved with a .doc suffix; read as .docx",))
    if kind == WORD97:
        return word97_to_document(path, timeout)
    soffice = find_soffice()
    limit = timeout if timeout is not None else _timeout_from_env()
    with tempfile.TemporaryDirectory(prefix="jixiao-doc-") as tmp:
        converted = convert_with_soffice(soffice, path, Path(tmp), kind, limit)
        try:
            doc = docx_to_document(converted)
        except UnreadableDocument as exc:
            raise UnreadableDocument(
                f"LibreOffice converted the {kind.what} but its .docx could not be read: {exc}") from exc
    if not doc.blocks:
        raise UnreadableDocument(
            f"LibreOffice found no text in this {kind.what}: it is empty or damaged; open it in Word or "
            "LibreOffice and check it, then save it again as .docx"
        )
    return dataclasses.replace(doc, format="doc", notes=doc.notes + (
        f"{kind.what} converted to .docx by LibreOffice",))


def word97_to_document(path: Path, timeout: float | None = None) -> Document:
    """A Word 97-2003 .doc read in Python; with ``JIXIAO_DOC_CROSSCHECK=1`` also by LibreOffice, compared."""
    from extract.readers.doc_binary import doc_binary_to_document

    doc = doc_binary_to_document(path)
    if not doc.blocks:
        raise UnreadableDocument(
            f"no text in this {WORD97.what}: it is empty or damaged; open it in Word or LibreOffice and check "
            "it, then save it again as .docx")
    if os.environ.get(CROSSCHECK_ENV, "").strip().lower() in ("1", "true", "yes"):
        doc = dataclasses.replace(doc, notes=doc.notes + (_cross_check(path, doc, timeout),))
    return doc


def _cross_check(path: Path, doc: Document, timeout: float | None) -> str:
    """A note saying whether LibreOffice's reading of the file (as .docx) gives the same blocks."""
    from extract.readers.docx import docx_to_document

    limit = timeout if timeout is not None else _timeout_from_env()
    with tempfile.TemporaryDirectory(prefix="jixiao-doc-") as tmp:
        theirs = docx_to_document(convert_with_soffice(find_soffice(), path, Path(tmp), WORD97, limit))
    if theirs.blocks == doc.blocks:
        return "cross-check: LibreOffice reads the same blocks"
    first = next((i for i, (a, b) in enumerate(zip(doc.blocks, theirs.blocks)) if a != b),
                 min(len(doc.blocks), len(theirs.blocks)))
    return (f"cross-check: LibreOffice reads it differently from block {first + 1} on "
            f"({len(doc.blocks)} blocks here, {len(theirs.blocks)} in LibreOffice's reading)")


# --------------------------------------------------------------------------- the tool


def find_soffice() -> str:
    """The LibreOffice program: ``$JIXIAO_SOFFICE``, else soffice/libreoffice on PATH (or the macOS app)."""
    override = os.environ.get(SOFFICE_ENV, "").strip()
    if override:
        found = shutil.which(override)
        if found is None:
            raise MissingSystemTool(f"{SOFFICE_ENV}={override} is not an executable program; {INSTALL_HINT}")
    else:
        found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and sys.platform == "darwin" and os.access(_MAC_SOFFICE, os.X_OK):
        found = _MAC_SOFFICE
    if found is None:
        raise MissingSystemTool(f"LibreOffice (soffice) not found; {INSTALL_HINT}")
    if not has_writer(found):
        # Calc alone opens no Word file and says a valid one is damaged: as good as no LibreOffice.
        raise MissingSystemTool(f"LibreOffice at {found} has no Writer (only e.g. Calc is installed); "
                                f"{INSTALL_HINT}")
    return found


def has_writer(soffice: str) -> bool:
    """Whether the LibreOffice behind ``soffice`` has its Writer part. Only a program folder seen
    to be LibreOffice's and lacking Writer's library says no; anything else is given the benefit."""
    program = Path(os.path.realpath(soffice)).parent
    try:
        names = set(os.listdir(program))
    except OSError:
        return True
    if not names & {"soffice.bin", "libmergedlo.so", "libmergedlo.dylib", "mergedlo.dll"}:
        return True  # not a program folder we know (a wrapper script): let LibreOffice say
    return any(name.startswith(("libswlo", "swlo", "swriter")) for name in names)


def _timeout_from_env() -> float:
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def convert_with_soffice(soffice: str, path: Path, workdir: Path, kind: _Kind, timeout: float) -> Path:
    """Copy ``path`` into ``workdir`` and convert it to .docx there; the .docx path, or UnreadableDocument."""
    source = workdir / f"input{kind.suffix}"
    try:
        shutil.copyfile(path, source)
    except OSError as exc:
        raise UnreadableDocument(f"cannot read the file ({exc.strerror or exc})") from exc
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
    outdir = workdir / "out"
    outdir.mkdir()
    tails: list[str] = []
    for infilter in kind.filters:
        command = [
            soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
            f"-env:UserInstallation={profile.as_uri()}",
            f"--infilter={infilter}",
            "--convert-to", "docx:MS Word 2007 XML",
            "--outdir", str(outdir),
            str(source),
        ]
        returncode, output = _run(command, timeout, workdir)
        produced = outdir / "input.docx"
        if produced.is_file() and produced.stat().st_size > 0:
            return produced
        tail = f"exit status {returncode}" + (f": {output}" if output else "")
        if tail not in tails:
            tails.append(tail)
    detail = "; ".join(tails)
    raise UnreadableDocument(
        f"LibreOffice could not convert this {kind.what} ({detail}); the file may be damaged or "
        "password-protected: open it in Word or LibreOffice and save it again as .docx"
    )


def _run(command: list[str], timeout: float, cwd: Path) -> tuple[int, str]:
    """Run LibreOffice in its own process group; on timeout kill the whole group."""
    env = dict(os.environ)
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")  # never look for a display
    try:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=str(cwd), env=env, start_new_session=True,
        )
    except OSError as exc:
        raise MissingSystemTool(
            f"cannot start LibreOffice ({command[0]}: {exc.strerror or exc}); {INSTALL_HINT}") from exc
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # a descendant outside the group still holds the pipe
            proc.kill()
        raise UnreadableDocument(
            f"LibreOffice did not finish converting the file within {timeout:g} s and was stopped; "
            f"the file may be very large or damaged (raise the limit with {TIMEOUT_ENV}=SECONDS)"
        ) from None
    finally:
        if proc.poll() is None:  # an interrupt while waiting: leave no LibreOffice behind
            _kill_group(proc)
    return proc.returncode, _tail(out.decode("utf-8", "replace"))


def _kill_group(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except ProcessLookupError:
        pass


def _tail(output: str, lines: int = 3, chars: int = 400) -> str:
    kept = [line.strip() for line in output.splitlines()
            if line.strip() and "javaldx" not in line and not line.startswith("convert ")]
    return " | ".join(kept[-lines:])[-chars:]


# --------------------------------------------------------------------------- what the bytes are


def sniff(path: Path) -> _Kind | None:
    """How to convert this file, from its bytes; None for a .docx package; UnreadableDocument otherwise."""
    head, size = first_bytes(path, 4096, ".doc")
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole(path)
    if head.startswith(ZIP_MAGIC):
        return None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"{\\rtf"):
        return _Kind("RTF file saved as .doc", ".rtf", ("Rich Text Format",))
    if text.startswith(b"<?xml") and (b"<w:wordDocument" in head or b"Word.Document" in head):
        return _Kind("Word 2003 XML file saved as .doc", ".xml", ("MS Word 2003 XML",))
    if text.startswith((b"<html", b"<!doctype html", b"<?xml")) and b"<html" in head.lower():
        return _Kind("HTML page saved as .doc", ".html", ("HTML (StarWriter)",))
    if text.startswith(b"mime-version:"):
        raise UnreadableDocument(
            "a Word 'single file web page' (MHTML) saved as .doc; open it in Word and save it as .docx")
    raise UnreadableDocument(
        f"not a Word .doc file (no Word, RTF or HTML header in its first bytes, {size} bytes): the file is "
        "damaged or of another type; open it in Word or LibreOffice and save it again as .docx"
    )


def _sniff_ole(path: Path) -> _Kind:
    try:
        data = path.read_bytes()
        streams = ole_streams(data)
    except (ValueError, struct.error) as exc:
        raise UnreadableDocument(
            f"a damaged OLE2 (Office 97-2003) file ({exc}); open it in Word or LibreOffice and save it again as .docx"
        ) from exc
    names = {name.lower(): entry for name, entry in streams.items()}
    if "wordDocument".lower() in names:
        start, size = names["worddocument"]
        fib = ole_read(data, start, size, 16)
        if len(fib) >= 12:
            n_fib = struct.unpack_from("<H", fib, 2)[0]
            flags = struct.unpack_from("<H", fib, 0x0A)[0]
            if flags & 0x0100:  # FIB fEncrypted
                raise UnreadableDocument(
                    "the Word .doc file is password-protected (encrypted); open it with the password in Word or "
                    "LibreOffice and save it again without one, as .docx"
                )
            if n_fib < 0xC1:  # Word 6.0 / 95
                return _Kind("Word 6/95 .doc file", ".doc", ("MS Word 95", "MS WinWord 6.0"))
        return WORD97
    if "encryptedpackage" in names:
        raise UnreadableDocument(
            "a password-protected (encrypted) Office 2007+ file saved as .doc; open it with the password and save "
            "it again without one, as .docx"
        )
    if "workbook" in names or "book" in names:
        raise UnreadableDocument("an Excel 97-2003 workbook (.xls) saved with a .doc suffix, not a Word document; "
                                 "rename it to .xls")
    if "powerpoint document" in names:
        raise UnreadableDocument("a PowerPoint 97-2003 file (.ppt) saved with a .doc suffix, not a Word document")
    listed = ", ".join(sorted(streams)[:6]) or "none"
    raise UnreadableDocument(
        f"an OLE2 (Office 97-2003) container that holds no Word document (streams: {listed}); check its real type"
    )


# A minimal reader of the OLE2 compound file directory (MS-CFB): enough to list the stream names
# and to read the first sector of one; no dependency for it.
_ENDOFCHAIN, _FREESECT = 0xFFFFFFFE, 0xFFFFFFFF


def ole_streams(data: bytes) -> dict[str, tuple[int, int]]:
    """Stream name → (start sector, size) from an OLE2 file's directory. ValueError when damaged."""
    if len(data) < 512 or not data.startswith(OLE2_MAGIC):
        raise ValueError("truncated header")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError(f"bad sector size 2^{shift}")
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    fat = _fat(data, shift)
    sector = 1 << shift
    names: dict[str, tuple[int, int]] = {}
    seen: set[int] = set()
    current = first_dir
    while current not in (_ENDOFCHAIN, _FREESECT):
        if current in seen or current >= len(fat):
            raise ValueError("broken directory chain")
        seen.add(current)
        offset = (current + 1) * sector
        block = data[offset:offset + sector]
        if len(block) < sector:
            raise ValueError("directory beyond the end of the file")
        for pos in range(0, sector, 128):
            entry = block[pos:pos + 128]
            name_len = struct.unpack_from("<H", entry, 64)[0]
            kind = entry[66]
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = entry[:name_len - 2].decode("utf-16-le", "replace")
            start = struct.unpack_from("<I", entry, 116)[0]
            size = struct.unpack_from("<I", entry, 120)[0]
            if kind == 2:
                names[name] = (start, size)
        current = fat[current] if current < len(fat) else _ENDOFCHAIN
    return names


def _fat(data: bytes, shift: int) -> list[int]:
    sector = 1 << shift
    n_fat = struct.unpack_from("<I", data, 0x2C)[0]
    difat = [x for x in struct.unpack_from("<109I", data, 0x4C) if x not in (_FREESECT, _ENDOFCHAIN)]
    next_difat = struct.unpack_from("<I", data, 0x44)[0]
    hops = 0
    while next_difat not in (_ENDOFCHAIN, _FREESECT) and len(difat) < n_fat:
        hops += 1
        offset = (next_difat + 1) * sector
        if hops > 10_000 or offset + sector > len(data):
            raise ValueError("broken DIFAT chain")
        entries = struct.unpack_from(f"<{sector // 4}I", data, offset)
        difat.extend(x for x in entries[:-1] if x not in (_FREESECT, _ENDOFCHAIN))
        next_difat = entries[-1]
    fat: list[int] = []
    for s in difat[:n_fat]:
        offset = (s + 1) * sector
        if offset + sector > len(data):
            raise ValueError("FAT sector beyond the end of the file")
        fat.extend(struct.unpack_from(f"<{sector // 4}I", data, offset))
    return fat


def ole_read(data: bytes, start: int, size: int, n: int) -> bytes:
    """The first ``n`` bytes (n ≤ one sector) of a stream of ``size`` bytes; empty when the stream
    is small enough to live in the mini stream (not read here)."""
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    cutoff = struct.unpack_from("<I", data, 0x38)[0]
    if size < cutoff or n > size:
        return b""
    sector = 1 << shift
    offset = (start + 1) * sector
    return data[offset:offset + n]
