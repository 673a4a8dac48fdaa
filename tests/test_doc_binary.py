"""The Word 97-2003 binary reader (extract.readers.doc_binary): the .doc gives the Document its .docx twin gives.

No test here needs LibreOffice except the one cross-check marked slow: the .doc fixtures were made
once by tests/fixtures/doc/make_doc_fixtures.py (LibreOffice 7.4) from the .docx beside each, and the
sample suzhou-2021-elderly-care-budget-faults.doc has its .docx twin in samples/.
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
from collections import Counter
from pathlib import Path

import olefile
import pytest

import extract
from extract import optional_tools
from extract.readers.doc_binary import (
    Pap, Piece, RawPara, Tap, _Row, bytes_to_fib, clx_to_pieces, doc_binary_to_document, iter_sprms,
    paragraphs_to_blocks, pieces_to_text, rows_to_table,
)
from extract.readers.docx import docx_to_document
from jixiao.errors import UnreadableDocument
from jixiao.model import Paragraph, Table
from jixiao.pipeline import document_to_report, path_to_record, report_to_record
from tests.conftest import EXPECTED, ROOT, SAMPLES

FIXTURES = ROOT / "tests" / "fixtures" / "doc"
ELDERLY = "suzhou-2021-elderly-care-budget-faults"
TWINS = ("merged-cells", "nested-table", "table-across-pages", "fields-revisions")


def _cells(table: Table) -> list[tuple[str, int, int, int, int]]:
    return [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells]


def _record(doc) -> dict:  # type: ignore[no-untyped-def]
    return report_to_record(document_to_report(doc), {"path": "x"})


@pytest.fixture()
def binary_doc_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """.doc read by this reader, and no LibreOffice anywhere (finding it or starting it fails the test)."""
    monkeypatch.setitem(extract.READERS, ".doc", ("extract.readers.doc_binary", "doc_binary_to_document"))

    def no_soffice(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"LibreOffice was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_soffice)
    monkeypatch.setattr(subprocess, "run", no_soffice)


def _with_word_stream(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """A copy of ``src`` whose WordDocument stream ``edit`` changed (same size)."""
    shutil.copyfile(src, dst)
    with olefile.OleFileIO(str(dst), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        edit(word)
        ole.write_stream("WordDocument", bytes(word))
    return dst


# --------------------------------------------------------------------------- the sample and its twin


def test_sample_doc_gives_the_document_of_its_docx_twin() -> None:
    doc = doc_binary_to_document(SAMPLES / f"{ELDERLY}.doc")
    twin = docx_to_document(SAMPLES / f"{ELDERLY}.docx")
    assert doc.format == "doc"
    assert doc.notes == ()
    assert doc.blocks == twin.blocks
    assert [(t.n_rows, t.n_cols) for t in doc.tables()] == [(t.n_rows, t.n_cols) for t in twin.tables()]
    assert _record(doc) == _record(twin)


def test_sample_doc_through_the_pipeline_matches_the_expected_record(binary_doc_reader: None,
                                                                     schema_validator) -> None:
    got = path_to_record(SAMPLES / f"{ELDERLY}.doc", SAMPLES)
    expected = json.loads((EXPECTED / f"{ELDERLY}.doc.json").read_text(encoding="utf-8"))
    schema_validator.validate(got)
    assert got["source"]["format"] == "doc" and "notes" not in got["source"]
    assert got["status"] == expected["status"] == "ok", got.get("errors")
    for key in ("template", "project", "budget", "subprojects", "sections"):
        assert got[key] == expected[key], key
    for key in ("subprojects_total", "reported_total", "recomputed_total"):
        assert got[key] == pytest.approx(expected[key], abs=1e-4), key
    assert [r["name"] for r in got["indicators"]] == [r["name"] for r in expected["indicators"]]
    for g, e in zip(got["indicators"], expected["indicators"]):
        for field, value in e.items():
            if isinstance(value, float):
                assert g[field] == pytest.approx(value, abs=1e-4), (e["name"], field)
            else:
                assert g[field] == value, (e["name"], field)
    key = lambda f: (f["code"], f["subject"], f["severity"])  # noqa: E731
    assert Counter(map(key, got["flags"])) == Counter(map(key, expected["flags"]))


# --------------------------------------------------------------------------- fixtures and their twins


@pytest.mark.parametrize("name", TWINS)
def test_doc_fixture_gives_the_document_of_its_docx(name: str) -> None:
    doc = doc_binary_to_document(FIXTURES / f"{name}.doc")
    assert doc.blocks == docx_to_document(FIXTURES / f"{name}.docx").blocks


def test_merged_cells_horizontal_vertical_and_both() -> None:
    doc = doc_binary_to_document(FIXTURES / "merged-cells.doc")
    title, table, after = doc.blocks
    assert title == Paragraph("合并单元格测试表") and after == Paragraph("表后说明。")
    assert isinstance(table, Table) and (table.n_rows, table.n_cols) == (4, 5)
    assert _cells(table) == [
        ("项目名称", 0, 0, 1, 2), ("年初预算数", 0, 2, 1, 1), ("全年执行数", 0, 3, 1, 1), ("得分", 0, 4, 1, 1),
        ("产出指标", 1, 0, 3, 1), ("数量指标", 1, 1, 1, 1),
        ("第一段\n第二段\n换行前\n换行后\t制表", 1, 2, 1, 1),  # paragraphs, a line break and a tab in a cell
        ("前后有空格", 1, 3, 1, 1), ("5", 1, 4, 1, 1),
        ("质量指标", 2, 1, 1, 1), ("", 2, 2, 1, 1), ("二乘二", 2, 3, 2, 2),
        ("时效指标", 3, 1, 1, 1), ("及时", 3, 2, 1, 1),
    ]


def test_nested_table_text_belongs_to_its_cell() -> None:
    doc = doc_binary_to_document(FIXTURES / "nested-table.doc")
    table = next(doc.tables())
    assert _cells(table) == [
        # python-docx's add_table leaves an empty paragraph after the inner table: the empty line
        ("外层甲", 0, 0, 1, 1), ("内表之前\n内00\n内01\n内10\n内11\n\n内表之后", 0, 1, 1, 1),
        ("外层乙", 1, 0, 1, 1), ("外层丙", 1, 1, 1, 1),
    ]
    assert doc.blocks[-1] == Paragraph("结束")


def test_table_across_pages_is_one_table_and_a_page_break_is_no_paragraph() -> None:
    doc = doc_binary_to_document(FIXTURES / "table-across-pages.doc")
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Paragraph", "Table"]
    assert doc.blocks[1] == Paragraph("分页之后")
    big, small = doc.tables()
    assert (big.n_rows, big.n_cols) == (91, 3)
    assert [c.text for c in big.cells[:3]] == ["序号", "指标名称", "得分"]
    assert [c.text for c in big.cells[-3:]] == ["90", "指标90", "0.5"]
    assert _cells(small) == [("第二表", 0, 0, 1, 1), ("末行", 0, 1, 1, 1)]


def test_fields_keep_their_result_and_deleted_text_headers_footnotes_are_left_out() -> None:
    doc = doc_binary_to_document(FIXTURES / "fields-revisions.doc")
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == [
        "Plain ASCII paragraph, written 8-bit.",  # footnote reference mark dropped
        "见网站：示例链接。",  # HYPERLINK field: its result
        "第1页",  # PAGE field: its stored result
        "保留插入的字结束",  # tracked deletion out, insertion in
        "符号之后",  # a Wingdings symbol, as the .docx reader leaves w:sym out
        "Last line.",
    ]
    assert "页眉文字" not in doc.text() and "脚注正文" not in doc.text()


def test_word_made_compressed_text_is_cp1252() -> None:
    # A piece table with one 8-bit ("compressed") piece, as Word writes Western text.
    clx = b"\x02" + struct.pack("<I", 4 * 2 + 8) + struct.pack("<ii", 0, 6) + struct.pack(
        "<HIH", 0, 0x40000000 | (0x10 * 2), 0)
    pieces = clx_to_pieces(clx, 6)
    assert pieces == [Piece(0, 6, 0x10, True)]
    word = bytes(0x10) + "caf\xe9 \x80".encode("latin-1") + bytes(16)
    assert pieces_to_text(word, pieces) == "café €"


# --------------------------------------------------------------------------- unreadable files


def test_encrypted_doc_is_a_clear_error() -> None:
    # encrypted.doc: merged-cells saved by LibreOffice with a password (RC4 CryptoAPI, FIB fEncrypted)
    with pytest.raises(UnreadableDocument, match="password-protected") as info:
        doc_binary_to_document(FIXTURES / "encrypted.doc")
    assert "save it again without one" in str(info.value)


@pytest.mark.parametrize("flag", [0x0100, 0x8000], ids=["fEncrypted", "fObfuscated"])
def test_fib_encryption_flags_are_a_clear_error(tmp_path: Path, flag: int) -> None:
    def set_flag(word: bytearray) -> None:
        struct.pack_into("<H", word, 0x0A, struct.unpack_from("<H", word, 0x0A)[0] | flag)

    locked = _with_word_stream(FIXTURES / "merged-cells.doc", tmp_path / "locked.doc", set_flag)
    with pytest.raises(UnreadableDocument, match="password-protected"):
        doc_binary_to_document(locked)


def test_encrypted_doc_gets_an_error_record(binary_doc_reader: None, tmp_path: Path, schema_validator) -> None:
    shutil.copyfile(FIXTURES / "encrypted.doc", tmp_path / "encrypted.doc")
    record = path_to_record(tmp_path / "encrypted.doc", tmp_path)
    schema_validator.validate(record)
    assert record["status"] == "error"
    assert record["errors"][0]["code"] == "unreadable_document"
    assert "password-protected" in record["errors"][0]["message"]


def test_word6_header_is_named(tmp_path: Path) -> None:
    old = _with_word_stream(FIXTURES / "merged-cells.doc", tmp_path / "old.doc",
                            lambda w: struct.pack_into("<HH", w, 0, 0xA5DC, 0x65))
    with pytest.raises(UnreadableDocument, match="Word 6/95"):
        doc_binary_to_document(old)


@pytest.mark.parametrize("content, match", [
    (b"", "not an OLE2"),
    (b"{\\rtf1 hello}", "not an OLE2"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "damaged OLE2"),
])
def test_bytes_that_are_not_a_word_file(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "x.doc"
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=match):
        doc_binary_to_document(path)


def test_damaged_doc_bytes_give_a_document_or_unreadable_never_a_crash(tmp_path: Path) -> None:
    rng = random.Random(11)
    sources = [(SAMPLES / f"{ELDERLY}.doc").read_bytes(), (FIXTURES / "nested-table.doc").read_bytes()]
    path = tmp_path / "fuzzed.doc"
    outcomes: Counter[str] = Counter()
    for _ in range(100):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(512, len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[:rng.randrange(512, len(data))]
        path.write_bytes(bytes(data))
        try:
            doc_binary_to_document(path)
            outcomes["read"] += 1
        except UnreadableDocument:
            outcomes["unreadable"] += 1
    assert outcomes["read"] and outcomes["unreadable"]


# --------------------------------------------------------------------------- pure functions


def test_sprm_operand_sizes() -> None:
    def_table = struct.pack("<HB", 1 + 1 + 4 + 20, 1) + struct.pack("<hh", 0, 1000) + bytes(20)
    grpprl = (struct.pack("<HB", 0x2416, 1) + struct.pack("<Hi", 0x6649, 2) + struct.pack("<H", 0xD608)
              + def_table + struct.pack("<HBBB", 0xD62B, 2, 0, 3) + struct.pack("<HI", 0x7701, 0))
    sprms = list(iter_sprms(grpprl))
    assert [s for s, _ in sprms] == [0x2416, 0x6649, 0xD608, 0xD62B, 0x7701]
    assert sprms[2][1] == def_table and sprms[3][1] == b"\x02\x00\x03"
    assert list(iter_sprms(grpprl[:-2]))[-1][0] == 0xD62B  # a truncated last sprm is left out


def test_fib_names_its_table_stream() -> None:
    word = olefile.OleFileIO(str(SAMPLES / f"{ELDERLY}.doc")).openstream("WordDocument").read()
    fib = bytes_to_fib(word)
    assert fib.table_stream == "1Table" and fib.ccp_text > 0 and fib.clx[1] > 0


def _row(cells: list[str], edges: tuple[int, ...], horz: tuple[int, ...] = (), vert: tuple[int, ...] = ()) -> _Row:
    n = len(edges) - 1
    return _Row(cells, Tap(edges, horz or (0,) * n, vert or (0,) * n))


def test_rows_to_table_colspans_from_cell_edges() -> None:
    table, note = rows_to_table([
        _row(["a", "b", "c"], (0, 100, 200, 300)),
        _row(["wide", "c2"], (0, 200, 300)),
        _row(["d"], (100, 301)),  # starts at the second column; 301 is 300 rounded differently
    ])
    assert note == ""
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert _cells(table) == [("a", 0, 0, 1, 1), ("b", 0, 1, 1, 1), ("c", 0, 2, 1, 1),
                             ("wide", 1, 0, 1, 2), ("c2", 1, 2, 1, 1), ("d", 2, 1, 1, 2)]


def test_rows_to_table_merge_flags() -> None:
    table, _ = rows_to_table([
        _row(["top", "x", "y"], (0, 100, 200, 300), vert=(3, 0, 0)),
        _row(["", "first", ""], (0, 100, 200, 300), horz=(0, 1, 2), vert=(1, 0, 0)),  # fFirstMerged, fMerged
        _row(["", "z", "w"], (0, 100, 200, 300), vert=(1, 0, 0)),
        _row(["new", "p", "q"], (0, 100, 200, 300)),
    ])
    assert _cells(table) == [("top", 0, 0, 3, 1), ("x", 0, 1, 1, 1), ("y", 0, 2, 1, 1),
                             ("first", 1, 1, 1, 2), ("z", 2, 1, 1, 1), ("w", 2, 2, 1, 1),
                             ("new", 3, 0, 1, 1), ("p", 3, 1, 1, 1), ("q", 3, 2, 1, 1)]


def test_rows_to_table_too_many_columns_is_read_cell_by_cell() -> None:
    rows = [_row(["a", "b"], (i * 10, i * 10 + 5, 20_000)) for i in range(600)]
    table, note = rows_to_table(rows)
    assert "past the 1,000 a table can have" in note
    assert table.n_cols == 2 and table.cells[-1].col == 1


def test_paragraphs_to_blocks_rows_cells_and_nesting() -> None:
    tap = Tap((0, 100, 200), (0, 0), (0, 0))
    paras = [
        RawPara("  标题  ", "\r", Pap()), RawPara("", "\r", Pap()),
        RawPara("甲", "\r", Pap(depth=1)), RawPara("乙", "\x07", Pap(depth=1)),
        RawPara("内", "\r", Pap(depth=2, inner_cell=True)), RawPara("", "\r", Pap(depth=2, row_end=True)),
        RawPara("丙", "\x07", Pap(depth=1)), RawPara("", "\x07", Pap(depth=1, row_end=True, tap=tap)),
        RawPara("后", "\r", Pap()),
    ]
    blocks, notes = paragraphs_to_blocks(paras)
    assert notes == []
    assert blocks[0] == Paragraph("标题") and blocks[2] == Paragraph("后")
    assert _cells(blocks[1]) == [("甲\n乙", 0, 0, 1, 1), ("内\n丙", 0, 1, 1, 1)]


# --------------------------------------------------------------------------- optional cross-check


@pytest.mark.slow
@pytest.mark.skipif(not optional_tools()["soffice"], reason="LibreOffice with Writer is not installed")
def test_libreoffice_reads_the_fixtures_as_this_reader_does(tmp_path: Path) -> None:
    """Cross-check: LibreOffice's own reading of each .doc (saved as .docx) agrees with this reader.
    Not table-across-pages.doc: LibreOffice wrote its last table with no paragraph mark after it, and
    reads that table back as one paragraph ("第二表末行"); this reader keeps the table the .docx has.
    Not fields-revisions.doc: LibreOffice gives its Wingdings symbol as the text U+F0FE, which the .docx
    reader (w:sym) and this one leave out."""
    names = ["merged-cells.doc", "nested-table.doc", f"{ELDERLY}.doc"]
    for name in names:
        shutil.copyfile(FIXTURES / name if (FIXTURES / name).exists() else SAMPLES / name, tmp_path / name)
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                    "--convert-to", "docx", "--outdir", str(tmp_path / "out"), *(str(tmp_path / n) for n in names)],
                   check=True, capture_output=True, timeout=300, start_new_session=True)
    for name in names:
        ours = doc_binary_to_document(tmp_path / name)
        theirs = docx_to_document(tmp_path / "out" / name.replace(".doc", ".docx"))
        assert ours.blocks == theirs.blocks, name
