"""What one file may cost a reader: work per PDF page, bytes a zip package really inflates to, and
running out of memory told apart from a damaged file.

* **PDF pages**: the table reconstruction of a page is bounded (the ``MAX_*`` below); a page past a
  bound is read as text lines, with a note, instead of costing a worker its whole timeout.
* **Zip packages** (.docx, .xlsx, and the .docx LibreOffice makes of a .doc): a zip bomb is refused
  before any XML is parsed. The sizes an archive declares are not trusted: zipfile stops a member at
  its declared size, but asked for the whole member at once (as python-docx and openpyxl ask) it
  first inflates the entire stream into memory, so a member declaring 1,000 bytes may cost a GiB.
  ``check_unpacked_size`` inflates every member in chunks, counting, and stops as soon as the count
  passes the limit.
* **First bytes**: a reader that tells a file's real type from its first bytes reads them with
  ``first_bytes``, which turns an unreadable or empty file into one message for every format.
* **Out of memory** is not a damaged file: a reader that turns a library's failure into
  ``UnreadableDocument`` must let it reach the pipeline as ``MemoryError`` (recorded as
  ``memory_limit`` and retried by a rerun, perhaps with a larger ``--max-memory``). Libraries hide
  it: pdfplumber wraps whatever pdfminer raised in ``PdfminerException``; lxml (python-docx,
  openpyxl) reports libxml2's failed allocation as ``XMLSyntaxError`` code 2, expat as code 1.
  PDFium has no such error: its allocator ends the process, which the runner records as a crash.
"""

from __future__ import annotations

import copy
import zipfile
import zlib
from pathlib import Path
from typing import NoReturn

from jixiao.errors import UnreadableDocument

# --------------------------------------------------------------------------- PDF pages
# Ruling-line pieces one page may draw for its tables to be rebuilt (extract.readers.geometry). A real form
# page draws a few hundred to a few thousand (Word paints every cell border as a thin rectangle);
# grouping them costs more than linear time: 200,000 tiny lines kept a worker busy past its timeout.
MAX_PAGE_SEGMENTS = 20_000
# Pairs of pieces compared to group them into tables (about a second); a real page needs well
# under a million, a page of thousands of overlapping full-width lines hundreds of millions.
MAX_TOUCH_TESTS = 10_000_000
# Grid slots (rows × columns) of one ruled table: a real form page has some hundreds to thousands.
MAX_GRID_SLOTS = 100_000
# Ruled tables on one page: every character is looked up in each, and a real page has a few.
MAX_PAGE_TABLES = 200


class PageTooComplex(Exception):
    """A page draws more than the table reconstruction's work bounds allow (hostile or broken)."""


# --------------------------------------------------------------------------- zip packages

# Real reports are a few MB unpacked; a workbook of a whole budget system's export some tens.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Inflated per read: small enough that passing the limit costs at most this much more memory.
CHUNK_BYTES = 1 << 20
# Stands for "no declared size": zipfile then reads a member to the end of its compressed stream.
_UNBOUNDED = 1 << 62

_MB = 1024 * 1024


def first_bytes(path: Path, n: int, what: str) -> tuple[bytes, int]:
    """The first ``n`` bytes of the file at ``path`` and its size; UnreadableDocument when it cannot
    be read or is empty (``what`` names the kind of file in the message: ".xls", "PDF")."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(n)
    except OSError as exc:
        raise UnreadableDocument(f"cannot read the file ({exc.strerror or exc})") from exc
    if size == 0:
        raise UnreadableDocument(f"the {what} file is empty (0 bytes); get the file again from its source")
    return head, size


def check_unpacked_size(zf: zipfile.ZipFile, advice: str, limit: int | None = None) -> None:
    """UnreadableDocument when the members of ``zf`` inflate to more than ``limit`` bytes in all
    (a possible zip bomb), or when one of them cannot be inflated (``advice`` says what to do)."""
    limit = MAX_UNPACKED_BYTES if limit is None else limit
    declared = sum(info.file_size for info in zf.infolist())
    if declared > limit:  # honest but too big: no need to inflate anything to know
        raise UnreadableDocument(f"unpacks to {_size(declared)} (limit {_size(limit)}): "
                                 "refused as a possible zip bomb")
    total = 0
    for info in zf.infolist():
        probe = copy.copy(info)
        probe.file_size = _UNBOUNDED
        try:
            with zf.open(probe) as member:
                while chunk := member.read(CHUNK_BYTES):
                    total += len(chunk)
                    if total > limit:
                        raise UnreadableDocument(
                            f"unpacks to more than {_size(limit)} although its directory declares {_size(declared)} "
                            f"(passed in {info.filename}): refused as a possible zip bomb")
        # zipfile's failures for a damaged member: bad CRC or header, truncated or corrupt stream,
        # an encrypted member, an unsupported compression method.
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
            raise_if_out_of_memory(exc)
            raise UnreadableDocument(
                f"a damaged zip package: {info.filename} cannot be unpacked ({type(exc).__name__}: {exc}); {advice}"
            ) from exc


def _size(n: int) -> str:
    return f"{n // _MB:,} MB" if n >= _MB else f"{n:,} bytes"


def memory_error_in(exc: BaseException) -> MemoryError | None:
    """The out-of-memory failure behind ``exc`` (itself, or one it wraps or was raised while
    handling), or None when ``exc`` is some other failure."""
    seen: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and len(seen) < 8 and not any(node is s for s in seen):
        if isinstance(node, MemoryError):
            return node
        if _no_memory_code(node):
            return MemoryError(f"{type(node).__name__}: {node}")
        seen.append(node)
        inner = node.args[0] if node.args and isinstance(node.args[0], BaseException) else None
        node = inner or node.__cause__ or node.__context__
    return None


def raise_if_out_of_memory(exc: BaseException) -> None:
    """Raise ``MemoryError`` when ``exc`` means the reader ran out of memory; else return."""
    found = memory_error_in(exc)
    if found is not None:
        _raise(found, exc)


def _raise(found: MemoryError, exc: BaseException) -> NoReturn:
    if found is exc:
        raise found
    raise found from exc


def _no_memory_code(exc: BaseException) -> bool:
    """libxml2's XML_ERR_NO_MEMORY (2) in an lxml error, expat's XML_ERROR_NO_MEMORY (1) in an
    ElementTree/pyexpat one; checked by name so that lxml need not be imported here."""
    kind, module = type(exc).__name__, type(exc).__module__
    code = getattr(exc, "code", None)
    if module.startswith("lxml") and kind.endswith("Error"):
        return code == 2
    return kind in ("ParseError", "ExpatError") and code == 1
