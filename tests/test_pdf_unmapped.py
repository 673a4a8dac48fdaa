"""A PDF whose fonts have no ToUnicode map gives glyph numbers as text (control characters): such a
page is read by OCR, with a note saying why, instead of giving garbage and unknown_template."""

from __future__ import annotations

from pathlib import Path

import pytest

import extract.readers.pdf as pdf
from extract.readers.geometry import Glyph, PageGeometry


def _page(number: int, text: str) -> PageGeometry:
    glyphs = tuple(Glyph(ch, 10.0 * i, 10.0, 10.0 * i + 9, 20.0) for i, ch in enumerate(text))
    return PageGeometry(number, 600.0, 800.0, (), glyphs)


@pytest.mark.parametrize("text, unmapped", [
    ("\x03\x05\x07\x0b\x11\x13\x17\x1d", True),
    ("\ue001\ue002\ue003\ue004\ue005\ue006", True),       # private-use code points
    ("项目名称电子政务项目建设资金", False),
    ("\x03\x05项目名称电子政务项目", False),               # a few stray characters are no reason
    ("\x03\x05", False),                                   # too little text to judge
])
def test_unmapped_text_is_told_from_text(text: str, unmapped: bool) -> None:
    assert pdf.unmapped_text(_page(1, text)) is unmapped


def test_pages_without_unicode_text_go_to_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[list[int]] = []

    def fake_ocr(path: Path, pages: list[PageGeometry], numbers: list[int]) -> list[PageGeometry]:
        asked.append(numbers)
        return [_page(p.number, "项目名称电子政务") if p.number in numbers else p for p in pages]

    monkeypatch.setattr(pdf, "_ocr_pages", fake_ocr)
    pages = [(_page(1, "项目名称电子政务项目"), False), (_page(2, "\x03\x05\x07\x0b\x11\x13\x17"), False)]
    doc = pdf._read_pages(Path("x.pdf"), iter(pages))
    assert asked == [[2]] and doc.ocr
    assert any("page(s) 2: the fonts map their characters to no Unicode text" in n for n in doc.notes)


def test_when_ocr_finds_nothing_either_the_error_says_the_text_layer_is_unreadable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.model import Document, Paragraph
    from jixiao.pipeline import path_to_record
    import extract

    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    note = "OCR used on page(s) 1: the fonts map their characters to no Unicode text (no ToUnicode map), so ..."
    monkeypatch.setattr(extract, "read_document",
                        lambda p, tables="pdfium": Document((Paragraph("看不清"),), "pdf", pages=1, ocr=True, notes=(note,)))
    record = path_to_record(path, tmp_path)
    assert record["errors"][0]["code"] == "unknown_template"
    assert record["errors"][0]["message"].startswith("the PDF's text layer is unreadable")


@pytest.mark.slow
def test_a_sample_pdf_stripped_of_its_tounicode_maps_is_read_by_ocr(tmp_path: Path) -> None:
    """The national sample PDF with its fonts' ToUnicode maps taken away (their key renamed): PDFium gives
    glyph numbers (ASCII signs, no CJK); the pages are read by OCR and the form and every row come back
    exactly. (The committed sample national-2021-ev-charging-no-tounicode.pdf is this file; its whole
    record is checked in tests/test_scan_samples.py.)"""
    import json

    from jixiao.pipeline import path_to_record
    from tests.conftest import EXPECTED, SAMPLES

    name = "national-2021-ev-charging-table-across-pages.pdf"
    data = (SAMPLES / name).read_bytes()
    assert data.count(b"/ToUnicode") >= 1
    path = tmp_path / "no-tounicode.pdf"
    path.write_bytes(data.replace(b"/ToUnicode", b"/ToUnicodX"))
    record = path_to_record(path, tmp_path)
    assert record["template"] == "national-2020" and record["source"]["ocr"] is True
    assert any("no Unicode text" in n for n in record["source"]["notes"])
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    assert record["project"] == expected["project"] and record["reported_total"] == expected["reported_total"]
    keys = ("name", "target", "actual", "weight", "reported_score")
    exact = sum(all(a[k] == b[k] for k in keys) for a, b in zip(record["indicators"], expected["indicators"]))
    assert len(record["indicators"]) == len(expected["indicators"]) == exact
    assert (SAMPLES / "national-2021-ev-charging-no-tounicode.pdf").read_bytes() == path.read_bytes()
