"""HTML reader: tables with their spans, line breaks and entities, layout tables, paragraphs in reading
order, page chrome left out, encodings, HTML under other suffixes, and files that are not HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extract.readers.html import html_bytes_to_document, html_to_document, looks_like_html
from jixiao.errors import UnreadableDocument
from jixiao.model import Document, Paragraph, Table
from tests.conftest import EXPECTED, SAMPLES

SAMPLE = "national-2022-web-page-elderly-meals.html"


def read(markup: str, encoding: str = "utf-8") -> Document:
    return html_bytes_to_document(markup.encode(encoding))


def tables(doc: Document) -> list[Table]:
    return list(doc.tables())


def paragraphs(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def spans(table: Table) -> dict[str, tuple[int, int, int, int]]:
    return {c.text: (c.row, c.col, c.rowspan, c.colspan) for c in table.cells}


# --------------------------------------------------------------------------- grid


def test_rowspan_and_colspan_give_each_cell_its_grid_slot_once() -> None:
    doc = read("""<table>
      <tr><td rowspan="3">绩效指标</td><td colspan="2">产出指标</td><td>分值</td></tr>
      <tr><td rowspan="2">数量指标</td><td>新建站点</td><td>10</td></tr>
      <tr><td>服务人次</td><td>10</td></tr>
      <tr><td colspan="3">总分</td><td>100</td></tr>
    </table>""")
    [table] = tables(doc)
    assert (table.n_rows, table.n_cols) == (4, 4)
    assert spans(table) == {
        "绩效指标": (0, 0, 3, 1), "产出指标": (0, 1, 1, 2), "分值": (0, 3, 1, 1),
        "数量指标": (1, 1, 2, 1), "新建站点": (1, 2, 1, 1), "10": (2, 3, 1, 1),  # the second 10
        "服务人次": (2, 2, 1, 1), "总分": (3, 0, 1, 3), "100": (3, 3, 1, 1),
    }
    assert len(table.cells) == 10
    grid = table.grid()
    label = next(c for c in table.cells if c.text == "绩效指标")
    assert grid[2][0] is label and grid[2][1].text == "数量指标"


def test_spans_follow_the_html_table_model() -> None:
    doc = read("""<table>
      <thead><tr><th>一级</th><th>二级</th><th>得分</th></tr></thead>
      <tfoot><tr><td colspan="0">合计</td><td>x</td><td>99</td></tr></tfoot>
      <tbody><tr><td rowspan="0">产出</td><td>数量</td><td rowspan="9">10</td></tr>
             <tr><td>质量</td></tr></tbody>
      <tbody><tr><td>效益</td><td>社会</td><td>20</td></tr></tbody>
    </table>""")
    [table] = tables(doc)
    got = spans(table)
    assert got["一级"] == (0, 0, 1, 1)  # <thead> first
    assert got["产出"] == (1, 0, 2, 1)  # rowspan 0: to the end of its <tbody>
    assert got["10"] == (1, 2, 2, 1)  # rowspan 9: cut at the end of its <tbody>
    assert got["质量"] == (2, 1, 1, 1)
    assert got["效益"] == (3, 0, 1, 1)  # the next <tbody> starts free
    assert got["合计"] == (4, 0, 1, 1)  # <tfoot> shown last; colspan 0 is 1
    assert table.n_rows == 5 and table.n_cols == 3


def test_a_colspan_past_a_thousand_columns_is_clamped_with_a_note() -> None:
    doc = read('<table><tr><td colspan="5000">a</td><td>b</td></tr><tr><td colspan="600">c</td>'
               '<td colspan="600">d</td><td colspan="2px">e</td></tr></table>')
    [table] = tables(doc)
    got = spans(table)
    assert got["a"] == (0, 0, 1, 1000) and got["b"] == (0, 1000, 1, 1)  # the HTML limit: 1,000
    assert got["c"] == (1, 0, 1, 600) and got["d"] == (1, 600, 1, 400)  # the table ends at 1,000 columns
    assert got["e"] == (1, 1000, 1, 1)  # "2px" is 2 (the HTML rules), past the end: 1
    assert any("3 colspan value(s) up to 5,000" in n for n in doc.notes)  # a, d and e


# --------------------------------------------------------------------------- text


def test_br_and_p_are_line_breaks_inside_a_cell() -> None:
    doc = read("""<table><tr>
      <td>享受助餐服务<br>老年人数</td>
      <td><p>第一段。</p><p>第二段，
          写在两行源码里。</p><div>第三段</div></td>
      <td><p style="text-align:center"><span>&nbsp;</span></p></td>
    </tr><tr><td>a</td><td>b</td><td>c</td></tr></table>""")
    [table] = tables(doc)
    texts = [c.text for c in table.cells]
    assert texts[0] == "享受助餐服务\n老年人数"
    assert texts[1] == "第一段。\n第二段， 写在两行源码里。\n第三段"  # source line breaks are spaces
    assert texts[2] == ""  # a cell of &nbsp; only is empty


def test_entities_are_their_characters() -> None:
    doc = read("<table><tr><td>&ge;&nbsp;1.2万人</td><td>&#9745;是&nbsp;&#x2610;否</td></tr>"
               "<tr><td>&le;5元&amp;餐</td><td>&#65288;2022年度&#65289;</td></tr></table>")
    [table] = tables(doc)
    assert [c.text for c in table.cells] == ["≥ 1.2万人", "☑是 ☐否", "≤5元&餐", "（2022年度）"]


def test_form_controls_show_what_a_person_sees() -> None:
    doc = read("""<table><tr><td><input type="checkbox" checked>达成 <input type="checkbox">未达成</td>
      <td><input type="text" value="850.00"></td>
      <td><select><option>否</option><option selected>是</option></select></td></tr>
      <tr><td>a</td><td><input type="hidden" value="secret"></td><td>c</td></tr></table>""")
    [table] = tables(doc)
    assert [c.text for c in table.cells] == ["☑达成 ☐未达成", "850.00", "是", "a", "", "c"]


def test_text_outside_tables_is_paragraphs_in_reading_order() -> None:
    doc = read("""<body><h1>天长市2022年度绩效自评报告</h1>
      <p>一、项目概况</p><div>项目于2022年实施。<br>全年完成投资576万元。</div>
      <table><tr><td>项目名称</td><td>助餐</td></tr><tr><td>分值</td><td>10</td></tr></table>
      裸露的文字<p>二、存在问题</p></body>""")
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph"] * 4 + ["Table"] + ["Paragraph"] * 2
    assert paragraphs(doc) == ["天长市2022年度绩效自评报告", "一、项目概况", "项目于2022年实施。",
                               "全年完成投资576万元。", "裸露的文字", "二、存在问题"]
    if "level" in Paragraph.__dataclass_fields__:
        assert [getattr(b, "level") for b in doc.blocks if isinstance(b, Paragraph)] == [1] + [None] * 5


def test_scripts_styles_navigation_headers_and_footers_are_left_out() -> None:
    doc = read("""<html><head><title>页面标题</title><style>p{color:red}</style>
      <script>document.write("脚本")</script></head><body>
      <div class="header"><div class="logo">市人民政府</div></div>
      <header>网站页头</header><nav><a>首页</a><a>政务公开</a></nav>
      <div class="site-nav"><a>导航</a></div><ul class="menu"><li>菜单</li></ul>
      <div class="position">当前位置：<a>首页</a> &gt; 绩效评价</div>
      <p>您现在的位置：首页 &gt; 信息公开</p><p>首页 &gt; 财政资金 &gt; 绩效</p>
      <div role="navigation">角色导航</div><noscript>请启用脚本</noscript>
      <article><header>文章标题</header><p>正文</p><footer>文章落款</footer></article>
      <p style="display: none">隐藏</p><p hidden>也隐藏</p><script>var x = "脚本2";</script>
      <div id="footer">版权所有</div><footer>网站页脚</footer></body></html>""")
    assert paragraphs(doc) == ["文章标题", "正文", "文章落款"]


def test_a_form_inside_an_element_named_like_chrome_is_kept() -> None:
    doc = read("""<div class="header-box"><table>
      <tr><td rowspan="2">绩效指标</td><td>新建站点</td></tr><tr><td>服务人次</td></tr></table></div>""")
    [table] = tables(doc)
    assert spans(table)["绩效指标"] == (0, 0, 2, 1)


def test_the_outer_layout_table_is_not_the_form() -> None:
    doc = read("""<table width="1000"><tr><td colspan="2"><img alt="logo">市民政局</td></tr>
      <tr><td width="200"><a>通知公告</a><br><a>政策文件</a></td>
          <td><p>现将绩效自评结果公开如下：</p>
              <table border="1"><tr><td rowspan="2">项目资金</td><td>年初预算数</td><td>600.00</td></tr>
                                <tr><td>全年执行数</td><td>576.00</td></tr></table>
              <p>填报说明</p></td></tr>
      <tr><td colspan="2">主办单位</td></tr></table>""")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph"] * 4 + ["Table"] + ["Paragraph"] * 2
    assert paragraphs(doc) == ["市民政局", "通知公告", "政策文件", "现将绩效自评结果公开如下：", "填报说明", "主办单位"]
    [form] = tables(doc)
    assert (form.n_rows, form.n_cols) == (2, 3)
    assert spans(form)["项目资金"] == (0, 0, 2, 1) and spans(form)["576.00"] == (1, 2, 1, 1)


def test_a_one_cell_frame_around_prose_is_paragraphs() -> None:
    doc = read("<table><tr><td><h2>一、项目概况</h2><p>项目于2022年实施。</p></td></tr></table>")
    assert tables(doc) == [] and paragraphs(doc) == ["一、项目概况", "项目于2022年实施。"]


def test_a_table_nested_in_a_data_table_follows_it_with_its_own_grid() -> None:
    doc = read("""<table>
      <tr><td>项目名称</td><td>社区助餐</td></tr>
      <tr><td>主管部门</td><td>民政局</td></tr>
      <tr><td>绩效指标</td><td><table><tr><td colspan="2">产出</td></tr><tr><td>站点</td><td>10</td></tr></table></td></tr>
    </table>""")
    outer, inner = tables(doc)
    assert spans(outer) == {"项目名称": (0, 0, 1, 1), "社区助餐": (0, 1, 1, 1), "主管部门": (1, 0, 1, 1),
                            "民政局": (1, 1, 1, 1), "绩效指标": (2, 0, 1, 1), "": (2, 1, 1, 1)}
    assert spans(inner) == {"产出": (0, 0, 1, 2), "站点": (1, 0, 1, 1), "10": (1, 1, 1, 1)}


def test_hidden_rows_are_left_out() -> None:
    doc = read('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr>'
               '<tr style="display:none"><td width="55">x</td><td width="62">y</td></tr></table>')
    [table] = tables(doc)
    assert table.n_rows == 2 and "x" not in spans(table)


# --------------------------------------------------------------------------- encodings

GBK_PAGE = "<html><head>{meta}</head><body><p>社区老年助餐服务补助资金≥1.2万人</p></body></html>"
TEXT = "社区老年助餐服务补助资金≥1.2万人"


@pytest.mark.parametrize(("data", "note"), [
    (b"\xef\xbb\xbf" + GBK_PAGE.format(meta="").encode("utf-8"), None),
    (GBK_PAGE.format(meta='<meta charset="utf-8">').encode("utf-8"), None),
    (GBK_PAGE.format(meta='<meta charset="gbk">').encode("gbk"), None),
    (GBK_PAGE.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gb2312"),
     None),
    ('<?xml version="1.0" encoding="GB18030"?>\n<html><body><p>社区老年助餐服务补助资金≥1.2万人</p></body></html>'
     .encode("gb18030"), None),
    (("\ufeff" + GBK_PAGE.format(meta='<meta charset="gbk">')).encode("utf-16-le"), None),  # the BOM wins
    (GBK_PAGE.format(meta="").encode("gbk"), "no encoding declared: read as GB18030"),
    (GBK_PAGE.format(meta='<meta charset="utf-8">').encode("gbk"), "declares UTF-8 but its bytes are not valid"),
    (GBK_PAGE.format(meta='<meta charset="iso-8859-1">').encode("gbk"), "declares ISO8859-1 but its bytes are GB18030"),
], ids=["utf8-bom", "utf8-meta", "gbk-meta", "http-equiv-gb2312", "xml-declaration", "utf16-bom", "detected-gbk",
        "declared-utf8-is-gbk", "declared-latin1-is-gbk"])
def test_encodings(data: bytes, note: str | None) -> None:
    doc = html_bytes_to_document(data)
    assert paragraphs(doc) == [TEXT]
    assert (note is None and not doc.notes) or any(note in n for n in doc.notes), doc.notes


def test_gb18030_bytes_without_a_declaration_are_detected() -> None:
    # 䶮 (U+4DAE, a character of names) and 𠀀 exist in GB18030, not in GBK: GB18030's four-byte sequences.
    doc = html_bytes_to_document("<p>䶮与𠀀的项目</p>".encode("gb18030"))
    assert paragraphs(doc) == ["䶮与𠀀的项目"]


def test_a_few_bad_bytes_are_replaced_with_a_note() -> None:
    # after </html>, where libxml2 would drop it and browsers show it
    data = GBK_PAGE.format(meta='<meta charset="gbk">').encode("gbk") + b"<p>\x80</p>"
    doc = html_bytes_to_document(data)
    assert paragraphs(doc) == [TEXT, "\ufffd"]
    assert any("replaced by U+FFFD" in n for n in doc.notes)


def test_undecodable_bytes_name_the_encodings_tried() -> None:
    data = b'<html><head><meta charset="gbk"></head><body><p>' + b"\xff\x80" * 200 + b"</p></body></html>"
    with pytest.raises(UnreadableDocument) as err:
        html_bytes_to_document(data)
    message = str(err.value)
    assert "GB18030" in message and "UTF-8" in message and "declared gbk" in message
    assert message.endswith("save it again as a web page (HTML, UTF-8)")
    assert "\n" not in message


# --------------------------------------------------------------------------- files


def test_an_html_table_saved_as_xls_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_bytes('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
                     '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
                     '<table border="1"><tr><td colspan="2">项目名称</td><td>助餐</td></tr>'
                     '<tr><td>分值</td><td>10</td><td>9</td></tr></table></body></html>'.encode("gb2312"))
    assert looks_like_html(path.read_bytes()[:4096])
    doc = html_to_document(path)
    [table] = tables(doc)
    assert doc.format == "html" and spans(table)["项目名称"] == (0, 0, 1, 2)
    assert doc.notes[0] == "an HTML page saved with a .xls suffix (a web system's Excel export); read as HTML"


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty (0 bytes)"),
    (b" \r\n\t", "empty (4 bytes)"),
    ("项目名称 社区助餐\n分值 10\n".encode("utf-8"), "not an HTML page (no HTML tags"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a PDF file saved with a .html suffix"),
    (b"PK\x03\x04\x14\x00\x06\x00", "rename it to .docx or .xlsx"),
    (b"\x00\x01\x02\x03<html>" * 20, "a binary file"),
], ids=["empty", "blank", "plain-text", "pdf", "zip", "binary"])
def test_what_is_not_html_is_unreadable_with_a_reason(tmp_path: Path, data: bytes, words: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(data)
    with pytest.raises(UnreadableDocument) as err:
        html_to_document(path)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_page_of_only_scripts_and_navigation_shows_no_text() -> None:
    with pytest.raises(UnreadableDocument, match="shows no text"):
        read("<html><head><script>x()</script></head><body><nav>首页</nav></body></html>")


@pytest.mark.parametrize(("head", "html"), [
    (b"<!DOCTYPE html><html><body>", True),
    (b"\xef\xbb\xbf\r\n<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">", True),
    (b"<!-- saved from url=(0014)about:internet -->\n<meta http-equiv=Content-Type content=\"text/html\">", True),
    (b"<table border=1><tr><td>x</td></tr></table>", True),
    (b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', True),
    ("\ufeff<html><body>".encode("utf-16-le"), True),
    (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
     b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', False),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, False),
    (b"PK\x03\x04", False),
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"----=_NextPart\"", False),
    ("项目名称\t社区助餐".encode("utf-8"), False),
    (b"", False),
])
def test_looks_like_html(head: bytes, html: bool) -> None:
    assert looks_like_html(head) is html


def test_out_of_memory_in_the_parser_escapes_as_memory_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import lxml.etree
    import lxml.html

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise lxml.etree.XMLSyntaxError("Memory allocation failed", 2, 1, 1)

    monkeypatch.setattr(lxml.html, "document_fromstring", fail)
    with pytest.raises(MemoryError):
        read("<p>x</p>")


# --------------------------------------------------------------------------- the sample, end to end


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= 1e-4
    return a == b


def test_the_web_page_sample_gives_its_expected_record() -> None:
    """The reader called directly, then the form engine, rules and checks: the same comparison as
    tests/test_samples.py makes once the reader is wired to the .html suffix."""
    from jixiao.pipeline import document_to_report, report_to_record

    doc = html_to_document(SAMPLES / SAMPLE)
    expected = json.loads((EXPECTED / f"{SAMPLE}.json").read_text(encoding="utf-8"))
    got = report_to_record(document_to_report(doc), {"path": SAMPLE, "format": "html"})
    assert got["status"] == expected["status"], got["errors"]
    for key in ("template", "profile", "project", "sections"):
        assert got[key] == expected[key], key
    for key in ("reported_total", "recomputed_total"):
        assert _close(got[key], expected[key]), key
    assert len(got["budget_lines"]) == len(expected["budget_lines"])
    for g, e in zip(got["budget_lines"], expected["budget_lines"]):
        assert all(_close(g.get(k), v) for k, v in e.items()), (g, e)
    assert [r["name"] for r in got["indicators"]] == [r["name"] for r in expected["indicators"]]
    for g, e in zip(got["indicators"], expected["indicators"]):
        for field, value in e.items():
            assert _close(g[field], value), (e["name"], field, g[field], value)
    flag = lambda f: (f["code"], f["subject"], f["severity"])  # noqa: E731
    assert sorted(map(flag, got["flags"])) == sorted(map(flag, expected["flags"]))
    # what the page holds besides the form
    text = paragraphs(doc)
    assert "发布日期：2023-05-18" in text and "公开方式：☑主动公开 ☐依申请公开" in text
    assert not any(word in t for t in text for word in ("当前位置", "政务公开", "无障碍", "皖ICP备", "siteId", "搜索"))
    assert len(tables(doc)) == 1  # the one-cell layout table around the page is not a table


def test_a_report_in_a_wrapper_named_like_chrome_is_kept() -> None:
    body = "项目于2022年实施，全年新建社区老年助餐点32个。" * 20  # 500 characters, no links
    doc = read(f'<div class="main-header-wrap"><p>{body}</p></div><p>地址：<span class="location">琅琊区</span></p>'
               '<div class="nav"><a>首页</a></div>')
    assert paragraphs(doc) == [body, "地址：琅琊区"]


def test_an_html_page_saved_as_doc_is_read_without_libreoffice(tmp_path: Path, monkeypatch) -> None:
    from extract.readers.doc import doc_to_document

    monkeypatch.setenv("JIXIAO_SOFFICE", str(tmp_path / "no-such-soffice"))
    path = tmp_path / "report.doc"
    path.write_bytes("<html><body><p>一、项目基本情况</p><table><tr><td>项目名称</td><td>某项目</td></tr></table>"
                     "</body></html>".encode())
    doc = doc_to_document(path)
    assert "an HTML page saved with a .doc suffix" in doc.notes[0]
    assert [c.text for c in next(doc.tables()).cells] == ["项目名称", "某项目"]
