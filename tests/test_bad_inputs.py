"""Hostile and broken inputs: each gives one record with a clear reason; nothing else is lost."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from jixiao.pipeline import path_to_record
from jixiao.runner import RunSettings, run_extract
from tests.conftest import SAMPLES, pdf_bytes

SEED_DOCX = SAMPLES / "suzhou-2020-egov-selfeval.docx"


def _rezip(src: Path, dst: Path, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, replace.get(item.filename, zin.read(item.filename)))
        for name, data in (extra or {}).items():
            zout.writestr(name, data)


def test_zip_bomb_docx_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(SEED_DOCX) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        with zout.open("word/media/zeros.bin", "w") as fh:  # 210 MB of zeros, ~200 KB packed
            chunk = bytes(1 << 20)
            for _ in range(210):
                fh.write(chunk)
    assert bomb.stat().st_size < 2_000_000
    record = path_to_record(bomb, tmp_path)
    assert record["status"] == "error"
    assert "zip bomb" in record["errors"][0]["message"]


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    with zipfile.ZipFile(SEED_DOCX) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    head, _, body = xml.partition("?>")
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    xml = head + "?>" + doctype + body.replace("电子政务项目建设资金", "&xxe;", 1)
    hostile = tmp_path / "xxe.docx"
    _rezip(SEED_DOCX, hostile, {"word/document.xml": xml.encode("utf-8")})
    record = path_to_record(hostile, tmp_path)
    assert "TOP-SECRET-CONTENT" not in str(record)
    assert record["status"] in ("ok", "partial", "error")
    assert record["errors"] or record["status"] == "ok"


def _simple_pdf(pages: int) -> bytes:
    """A plain PDF with one line of text per page, written by hand."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font_id = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for n in range(pages):
        content = f"BT /F1 12 Tf 72 720 Td (Page {n + 1} of a long appendix) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % pages
    return pdf_bytes(objects)


@pytest.mark.slow
def test_300_page_pdf_without_the_form(tmp_path: Path) -> None:
    path = tmp_path / "appendix.pdf"
    path.write_bytes(_simple_pdf(300))
    record = path_to_record(path, tmp_path)
    assert record["source"]["pages"] == 300
    # Read whole, and none of a report's words in it (English page lines): no report at all (issue 13).
    assert (record["status"], record["errors"][0]["code"]) == ("error", "not_a_report")


def test_report_whose_tables_are_missing(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in ("苏州市级财政支出项目绩效自评表", "项目名称：电子政务项目建设资金", "市级预算执行情况 市级财政资金使用情况",
                 "项目资金构成 指标名称 权重 自评分", "填表说明：……"):
        document.add_paragraph(line)
    path = tmp_path / "no-tables.docx"
    document.save(str(path))
    record = path_to_record(path, tmp_path)
    assert record["template"] == "suzhou-2017"
    assert record["status"] == "partial"
    messages = " ".join(e["message"] for e in record["errors"])
    assert "indicator table" in messages and "项目资金构成" in messages
    assert record["project"]["name"] == "电子政务项目建设资金"


def test_unreadable_files_get_records_and_the_run_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "suzhou-2020-egov-selfeval.txt", src / "seed.txt")
    (src / "dangling.pdf").symlink_to(tmp_path / "gone.pdf")
    locked = src / "locked.docx"
    shutil.copy(SEED_DOCX, locked)
    locked.chmod(0)
    summary = run_extract(src, tmp_path / "out", RunSettings(jobs=1))
    by_path = {r["source"]["path"]: r for r in summary.records}
    assert by_path["seed.txt"]["status"] == "ok"
    assert by_path["dangling.pdf"]["status"] == "error"
    assert by_path["dangling.pdf"]["errors"][0]["code"] == "unreadable_file"
    if os.geteuid() != 0:  # root reads any file; the permission case only exists for other users
        assert by_path["locked.docx"]["errors"][0]["code"] == "unreadable_file"
    assert len(list((tmp_path / "out" / "json").glob("*.json"))) == 3
