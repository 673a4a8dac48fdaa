"""What one file may cost a reader: running out of memory told apart from a damaged file.

Out of memory is not a damaged file: a reader that turns a library's failure into
``UnreadableDocument`` must let it reach the pipeline as ``MemoryError`` (recorded as
``memory_limit`` and retried by a rerun, perhaps with a larger ``--max-memory``). Libraries hide
it: pdfplumber wraps whatever pdfminer raised in ``PdfminerException``; lxml (python-docx,
openpyxl) reports libxml2's failed allocation as ``XMLSyntaxError`` code 2, expat as code 1.
PDFium has no such error: its allocator ends the process, which the runner records as a crash.
"""

from __future__ import annotations

from typing import NoReturn


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
