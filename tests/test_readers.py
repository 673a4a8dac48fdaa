"""Readers: merged cells reported once with their span; text dumps aligned on the right."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import read_document
from extract.readers.txt import text_to_document
from jixiao.errors import UnreadableDocument, UnsupportedFormat
from jixiao.model import Paragraph, Table


@pytest.fixture()
def merged_docx(tmp_path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("苏州市级财政支出项目绩效自评表")
    table = document.add_table(rows=4, cols=4)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "项目名称"  # gridSpan 2
    table.cell(0, 2).merge(table.cell(0, 3)).text = "电子政务项目建设资金"
    table.cell(1, 0).merge(table.cell(3, 0)).text = "投入目标(26分)"  # vMerge over 3 rows
    for r, name in ((1, "资金使用合规性"), (2, "财务制度健全性"), (3, "业务运维体系\n健全性")):
        table.cell(r, 1).text = name
        table.cell(r, 2).text = "合规"
        table.cell(r, 3).text = "3"
    document.add_paragraph("填表说明：……")
    path = tmp_path / "merged.docx"
    document.save(str(path))
    return path


def test_docx_merged_cells_are_reported_once_with_their_span(merged_docx: Path) -> None:
    doc = read_document(merged_docx)
    assert [type(b) for b in doc.blocks] == [Paragraph, Table, Paragraph]
    table = doc.blocks[1]
    assert isinstance(table, Table)
    assert (table.n_rows, table.n_cols) == (4, 4)
    by_text = {c.text: c for c in table.cells}
    assert (by_text["项目名称"].colspan, by_text["项目名称"].rowspan) == (2, 1)
    label = by_text["投入目标(26分)"]
    assert (label.row, label.col, label.rowspan, label.colspan) == (1, 0, 3, 1)
    assert [c.text for c in table.cells].count("投入目标(26分)") == 1
    assert "业务运维体系\n健全性" in by_text
    grid = table.grid()
    assert grid[3][0] is label and grid[0][1] is by_text["项目名称"]


def test_txt_rows_are_read_as_they_come_and_a_form_may_align_them_right() -> None:
    """The reader trims a dump's padding but does not guess which cells a short row lost; a form
    whose dumps lose cells on the left (Suzhou: align_text = "right") lines them up on the right."""
    from extract.forms.align import right_align_text_tables

    dump = (
        "项目\t类别\t指标名称\t目标值\t权重\t实际完成值\t自评分\n"
        "(80分)\t\t财务制度健全性\t健全\t3\t好\t3\t\n"
        "\t产出目标 (24分)\t\t项目验收通过率\t=100%\t2.18\t=100%\t2.18\n"
        "\n"
        "\t成数\t\t\t\t\n"
        "--\t--\t-----\t--\n"
        "填表说明：一段说明\n"
    )
    doc = text_to_document(dump)
    table, note = doc.blocks
    assert isinstance(table, Table) and isinstance(note, Paragraph)
    assert [c.text for c in table.cells if c.row == 3] == ["", "成数", "", "", "", ""]  # as it came
    table = right_align_text_tables(doc).blocks[0]
    grid = table.grid()
    assert [row[2].text for row in grid] == ["指标名称", "财务制度健全性", "项目验收通过率", "成数"]
    assert [row[6].text for row in grid] == ["自评分", "3", "2.18", ""]
    assert grid[2][0].text == "产出目标 (24分)"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.docx", b"", "empty"),
        ("random.docx", bytes(range(256)) * 8, "not a zip package"),
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02" * 100, "binary data"),
    ],
)
def test_bad_files_raise_unreadable(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=message):
        read_document(path)


def test_zip_without_word_document(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "notword.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableDocument, match="word/document.xml"):
        read_document(path)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.rtf"
    path.write_text("x")
    with pytest.raises(UnsupportedFormat, match="no reader for .rtf"):
        read_document(path)


def test_gb18030_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("项目名称\t电子政务\n".encode("gb18030"))
    doc = read_document(path)
    assert isinstance(doc.blocks[0], Table) and doc.blocks[0].cells[0].text == "项目名称"


def test_docx_text_in_tracked_changes_and_content_controls(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "项目名称"
    p = table.cell(0, 1).paragraphs[0]._p
    p.append(parse_xml(f'<w:r {w}><w:t>电子</w:t></w:r>'))
    p.append(parse_xml(f'<w:ins {w} w:id="1" w:author="a"><w:r><w:t>政务</w:t></w:r></w:ins>'))
    p.append(parse_xml(f'<w:del {w} w:id="2" w:author="a"><w:r><w:delText>旧文</w:delText></w:r></w:del>'))
    p.append(parse_xml(f'<w:hyperlink {w}><w:r><w:t>项目</w:t></w:r></w:hyperlink>'))
    # A whole table wrapped in a content control, as budget systems export it.
    tbl = table._tbl
    sdt = parse_xml(f"<w:sdt {w}><w:sdtContent/></w:sdt>")
    tbl.addprevious(sdt)
    sdt[0].append(tbl)
    path = tmp_path / "tracked.docx"
    document.save(str(path))
    (table_block,) = [b for b in read_document(path).blocks if isinstance(b, Table)]
    assert [c.text for c in table_block.cells] == ["项目名称", "电子政务项目"]


def test_legacy_doc_with_docx_suffix_gets_a_helpful_message(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(UnreadableDocument, match="legacy Word .doc file saved with a .docx suffix"):
        read_document(path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_text_in_every_usual_encoding(tmp_path: Path, encoding: str) -> None:
    from extract.readers.txt import txt_to_document

    path = tmp_path / "r.txt"
    path.write_bytes("项目名称\t电子政务 (2020)\n一、项目基本情况\n".encode(encoding))
    doc = txt_to_document(path)
    assert [c.text for c in next(doc.tables()).cells] == ["项目名称", "电子政务 (2020)"]


def test_undecodable_text_names_the_encodings_tried(tmp_path: Path) -> None:
    from extract.readers.txt import txt_to_document

    path = tmp_path / "r.txt"
    path.write_bytes(b"\x81\x30\xff\xfe\x80" * 50 + "项目".encode("utf-8"))
    with pytest.raises(UnreadableDocument, match="tried UTF-8, GB18030.*UTF-16"):
        txt_to_document(path)
