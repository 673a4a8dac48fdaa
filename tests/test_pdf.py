"""The PDF reader on broken input: each gives one clear reason, never a crash."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from extract import read_document
from jixiao.errors import UnreadableDocument
from jixiao.pipeline import path_to_record
from tests.conftest import SAMPLES, pdf_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"


def _a_real_pdf() -> Path:
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    return pdfs[0] if pdfs else FIXTURES / "encrypted.pdf"


def test_encrypted_pdf() -> None:
    with pytest.raises(UnreadableDocument, match="encrypted"):
        read_document(FIXTURES / "encrypted.pdf")


def test_truncated_pdf(tmp_path: Path) -> None:
    data = _a_real_pdf().read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    record = path_to_record(path, tmp_path)
    assert record["status"] == "error"
    # A truncated file may still open (pdfminer is lenient) and then yield no form at all;
    # either way the record says why.
    assert record["errors"][0]["code"] in ("unreadable_document", "unknown_template")


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (bytes(random.Random(3).randrange(256) for _ in range(4096)), "not a PDF file"),
    (b"%PDF-1.7\n" + bytes(random.Random(4).randrange(256) for _ in range(4096)), "damaged or truncated PDF"),
])
def test_bad_pdfs(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=message):
        read_document(path)


# --------------------------------------------------------------------------- the two page readers


def _one_page_pdf(content: bytes, form: bytes) -> bytes:
    """A minimal one-page PDF (A4) drawing ``content``, with form XObject /F0 drawing ``form``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /F0 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Length %d >>\nstream\n" % len(form)
        + form + b"\nendstream",
    ]
    return pdf_bytes(objects)


DRAWING = b"\n".join([
    b"0.5 w 100 700 m 300 700 l S",          # a stroked horizontal line
    b"100 650 m 100 700 l S",                 # a stroked vertical line
    b"300 650 0.5 50 re f",                   # a thin filled rectangle: a vertical border
    b"100 600 m 300 650 l S",                 # a diagonal (a split header cell): no ruling line
    b"50 50 500 740 re W n",                  # a clipping path: draws nothing
    b"q 1 0 0 1 0 -100 cm /F0 Do Q",          # a form XObject, moved down 100 pt
    b"BT /F1 12 Tf 110 680 Td (AB) Tj ET",
    b"BT /F1 1 Tf 10 0 0 10 110 660 Tm (C) Tj ET",  # size set by the text matrix, as Word-made PDFs do
])
FORM = b"100 500 m 300 500 l S"


def test_pdfium_page_reader_reads_ruling_lines_and_characters_like_pdfplumber(tmp_path: Path) -> None:
    import pdfplumber
    import pypdfium2

    from extract.readers.pdf import page_to_geometry as plumber_page
    from extract.readers.pdfium import page_to_geometry as pdfium_page

    path = tmp_path / "drawing.pdf"
    path.write_bytes(_one_page_pdf(DRAWING, FORM))
    pdf = pypdfium2.PdfDocument(str(path))
    fast, images = pdfium_page(pdf[0], 1)
    pdf.close()
    with pdfplumber.open(str(path)) as doc:
        slow = plumber_page(doc.pages[0])

    def rounded(segments: Any) -> list[tuple[float, ...]]:
        return sorted((round(s.x0, 1), round(s.top, 1), round(s.x1, 1), round(s.bottom, 1)) for s in segments)

    # Top-left origin on an 842 pt page: y = 700 is top = 142.
    assert (100.0, 142.0, 300.0, 142.0) in rounded(fast.segments)              # the stroked line
    assert (100.0, 142.0, 100.0, 192.0) in rounded(fast.segments)              # the vertical one
    assert (300.0, 142.0, 300.0, 192.0) in rounded(fast.segments)              # the thin rectangle's sides
    assert (100.0, 442.0, 300.0, 442.0) in rounded(fast.segments)              # the form's line, moved by cm
    assert not [s for s in rounded(fast.segments) if s[1] >= 192.0 and s[3] <= 242.0 and s[0] != s[2]
                and s[1] != s[3]]                                           # no diagonal
    assert not [s for s in rounded(fast.segments) if 50.0 in s or 550.0 in s]   # no clipping path
    assert rounded(fast.segments) == rounded(slow.segments)
    assert images == 0
    assert [g.text for g in fast.glyphs] == [g.text for g in slow.glyphs] == ["A", "B", "C"]
    for a, b in zip(fast.glyphs, slow.glyphs):
        assert (a.x0, a.top, a.x1, a.bottom) == pytest.approx((b.x0, b.top, b.x1, b.bottom), abs=0.6)
    c = fast.glyphs[-1]
    assert c.bottom - c.top == pytest.approx(10.0)  # one font size tall: Tf 1 scaled 10 by Tm


TEXT_PDFS = [p.name for p in sorted(SAMPLES.glob("*.pdf")) if "scanned" not in p.name]


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_pdfplumber_pages_give_the_same_record_as_pdfium_pages(name: str) -> None:
    """The slower reader stays as a cross-check: both must rebuild the same report."""
    fast = path_to_record(SAMPLES / name, SAMPLES, tables="pdfium")
    slow = path_to_record(SAMPLES / name, SAMPLES, tables="pdfplumber")
    assert fast["status"] == "ok"
    assert slow == fast


def _turned_copy(src: Path, rotation: int, dst: Path) -> Path:
    """``src`` with every page stored turned and a /Rotate that turns it back for display, as
    landscape tables and some scanners' PDFs are made: it looks the same, its coordinates do not.
    Each page goes in whole as a form XObject, so its own content stream is left as it was."""
    import pypdfium2 as pdfium

    pdf, out = pdfium.PdfDocument(str(src)), pdfium.PdfDocument.new()
    for i in range(len(pdf)):
        w, h = pdf[i].get_size()
        matrix, size = {90: ((0, 1, -1, 0, h, 0), (h, w)), 180: ((-1, 0, 0, -1, w, h), (w, h)),
                        270: ((0, -1, 1, 0, 0, w), (h, w))}[rotation]
        obj = pdf.page_as_xobject(i, out).as_pageobject()
        obj.transform(pdfium.PdfMatrix(*matrix))
        page = out.new_page(*size)
        page.insert_obj(obj)
        page.set_rotation(rotation)
        page.gen_content()
    out.save(str(dst))
    return dst


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_pages_stored_turned_read_as_displayed(tmp_path: Path, rotation: int) -> None:
    name = "suzhou-2019-water-supply-rows-split-across-pages.pdf"
    turned = _turned_copy(SAMPLES / name, rotation, tmp_path / name)
    expected = path_to_record(SAMPLES / name, SAMPLES)
    for tables in ("pdfium", "pdfplumber"):
        got = path_to_record(turned, tmp_path, tables=tables)
        assert got["status"] == "ok", (tables, got["errors"])
        assert {k: v for k, v in got.items() if k != "source"} == {k: v for k, v in expected.items() if k != "source"}
