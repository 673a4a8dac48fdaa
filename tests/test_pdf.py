"""The PDF reader on broken input: each gives one clear reason, never a crash."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from extract import read_document
from jixiao.errors import UnreadableDocument
from jixiao.pipeline import path_to_record

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


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
