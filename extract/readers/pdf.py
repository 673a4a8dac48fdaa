"""PDF reader: cells rebuilt from the page's ruling lines and characters.

Table engines that read a PDF cell by cell lose CJK text when fonts are embedded as CFF
and never stitch a row a page break cut; here every character and every ruling line is
taken from the page and ``extract.readers.geometry`` rebuilds the cells, spans and page
continuations. Pages without a text layer (scans) go through OCR.

Two page readers give the geometry the same ``PageGeometry``: PDFium (``extract.readers.pdfium``, the
default, about five times faster) and pdfplumber (``--tables pdfplumber``), kept as a
cross-check: the tests require both to give the same record for every sample. A page that draws
more than ``limits.MAX_PAGE_SEGMENTS`` path segments is read as text lines by either; with
pdfplumber it is read by PDFium, which counts them first: pdfminer would interpret every one of
them in Python (minutes for 200,000) before anything could be checked.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator

from extract.readers.geometry import Glyph, PageGeometry, Segment, pages_to_document
from extract.readers.limits import MAX_PAGE_SEGMENTS, first_bytes, raise_if_out_of_memory
from extract.readers.pdfium import AXIS_TOLERANCE, dedupe_glyphs, drawn_segments, pdfium
from extract.readers.pdfium import page_to_geometry as pdfium_page
from jixiao.errors import UnreadableDocument
from jixiao.model import Document

# A page with fewer characters than this, but with an image, is taken for a scan.
MIN_TEXT_CHARS = 5


def pdf_to_document(path: Path) -> Document:
    """A PDF → ``Document``, pages read with PDFium."""
    check_header(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise _unreadable(exc) from exc

    def pages() -> Iterator[tuple[PageGeometry, bool]]:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                geometry, images = pdfium_page(page, index + 1)
            finally:
                page.close()
            yield geometry, images > 0

    try:
        return _read_pages(path, pages())
    finally:
        pdf.close()


def pdf_to_document_pdfplumber(path: Path) -> Document:
    """A PDF → ``Document``, pages read with pdfplumber (pdfminer)."""
    pdfplumber = _import_pdfplumber()
    check_header(path)
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        raise_if_out_of_memory(exc)
        raise _unreadable(exc) from exc
    try:
        return _read_pages(path, _plumber_pages(path, pdf))
    finally:
        pdf.close()


def _plumber_pages(path: Path, pdf: Any) -> Iterator[tuple[PageGeometry, bool]]:
    """pdfplumber's pages (geometry, has images); a page that draws too much read by PDFium instead."""
    try:
        counter = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:  # pdfminer may read what PDFium cannot: no counts then
        counter = None
    try:
        for index, page in enumerate(pdf.pages):
            if counter is not None and index < len(counter):
                heavy = _pdfium_if_heavy(counter, index)
                if heavy is not None:
                    yield heavy
                    continue
            yield page_to_geometry(page), bool(page.images)
    finally:
        if counter is not None:
            counter.close()


def _pdfium_if_heavy(pdf: Any, index: int) -> tuple[PageGeometry, bool] | None:
    page = pdf[index]
    try:
        if drawn_segments(page) <= MAX_PAGE_SEGMENTS:
            return None
        geometry, images = pdfium_page(page, index + 1)
        return geometry, images > 0
    finally:
        page.close()


def _read_pages(path: Path, pages: Iterable[tuple[PageGeometry, bool]]) -> Document:
    """Pages (geometry, has images) → ``Document``; pages that are only an image go through OCR."""
    notes: list[str] = []
    ocr_used = False
    try:
        read: list[PageGeometry] = []
        scanned: list[int] = []
        unmapped: list[int] = []
        for geometry, has_images in pages:
            if len(geometry.glyphs) < MIN_TEXT_CHARS and has_images:
                scanned.append(geometry.number)
            elif unmapped_text(geometry):
                unmapped.append(geometry.number)
            read.append(geometry)
        if scanned or unmapped:
            read = _ocr_pages(path, read, sorted(scanned + unmapped))
            ocr_used = True
        if scanned:
            notes.append(f"OCR used on page(s) {', '.join(map(str, scanned))}: no text layer")
        if unmapped:
            notes.append(f"OCR used on page(s) {', '.join(map(str, unmapped))}: the fonts map their characters to no "
                         "Unicode text (no ToUnicode map), so the text layer is unreadable")
    except UnreadableDocument:
        raise
    except Exception as exc:  # a huge page runs out of memory here: that is no damaged PDF
        raise_if_out_of_memory(exc)
        raise _unreadable(exc) from exc
    return pages_to_document(read, format="pdf", ocr=ocr_used, notes=notes)


def unmapped_text(page: PageGeometry) -> bool:
    """A text layer of control, private-use or replacement characters: fonts without a ToUnicode map
    (the characters are glyph numbers). Such a page reads like a scan: by OCR."""
    if len(page.glyphs) < MIN_TEXT_CHARS:
        return False
    chars = [ch for g in page.glyphs for ch in g.text]
    bad = sum(1 for ch in chars if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"))
    # Glyph numbers also land on ASCII letters and signs: a page of them with no CJK at all and many
    # control characters is as unreadable (a report in Chinese always has CJK text).
    cjk = sum(1 for ch in chars if "\u3400" <= ch <= "\u9fff")
    signs = sum(1 for ch in chars if unicodedata.category(ch).startswith(("P", "S")))
    return bad >= 0.5 * len(chars) or (cjk == 0 and len(chars) >= 50
                                       and (bad >= 0.15 * len(chars) or signs >= 0.3 * len(chars)))


def page_to_geometry(page: Any) -> PageGeometry:
    """One pdfplumber page → ruling lines and characters, top-left origin."""
    segments = tuple(_edges(page))
    glyphs = tuple(dedupe_glyphs(
        Glyph(c["text"], float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"]))
        for c in page.chars
        if c["text"].strip()
    ))
    return PageGeometry(page.page_number, float(page.width), float(page.height), segments, glyphs)


def _edges(page: Any) -> Iterator[Segment]:
    # Lines, rectangle sides and curve pieces: Word draws cell borders as any of these.
    # A diagonal (a 斜线表头 split cell) is no ruling line; pdfplumber marks it "v" all the same.
    for e in page.edges:
        x0, x1, top, bottom = float(e["x0"]), float(e["x1"]), float(e["top"]), float(e["bottom"])
        if min(x1 - x0, bottom - top) > AXIS_TOLERANCE:
            continue
        if (x1 - x0) > (bottom - top):
            y = (top + bottom) / 2
            yield Segment(x0, y, x1, y)
        else:
            x = (x0 + x1) / 2
            yield Segment(x, top, x, bottom)


def _ocr_pages(path: Path, pages: list[PageGeometry], scanned: list[int]) -> list[PageGeometry]:
    from extract.readers.ocr import pdf_pages_to_geometries, start_engine

    start_engine()  # the recogniser loads while the pages are rendered and straightened
    read = {page.number: page for page in pdf_pages_to_geometries(path, scanned)}
    return [read.get(p.number, p) for p in pages]


def _import_pdfplumber() -> Any:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover
        raise UnreadableDocument("pdfplumber is not installed; run `pip install pdfplumber`") from exc
    return pdfplumber


def check_header(path: Path) -> None:
    """UnreadableDocument unless the file can be read and starts like a PDF."""
    head, size = first_bytes(path, 1024, "PDF")
    if b"%PDF-" not in head:
        raise UnreadableDocument(f"not a PDF file (no %PDF header in its first bytes, {size} bytes); check its real type")


def _unreadable(exc: Exception) -> UnreadableDocument:
    # pdfplumber wraps pdfminer's exception: name the one that says what happened.
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc.__context__
    if isinstance(inner, Exception) and type(exc).__name__ == "PdfminerException":
        exc = inner
    name = type(exc).__name__
    text = str(exc)
    if name == "PdfiumError":  # "Failed to load document (PDFium: Data format error)."
        name, text = "PDFium", text.partition("(PDFium: ")[2].rstrip(").") or text
    if "Password" in name or "password" in text or "Encryption" in name or "encrypt" in text.lower():
        return UnreadableDocument(
            "the PDF is encrypted (password-protected); remove the password (e.g. `qpdf --decrypt in.pdf out.pdf`) and retry"
        )
    return UnreadableDocument(
        f"damaged or truncated PDF ({name}: {text or 'no detail'}); try repairing it, e.g. `qpdf in.pdf out.pdf`"
    )
