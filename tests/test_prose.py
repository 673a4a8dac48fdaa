"""Prose reports: sections by their headings, furniture left out, and the score and grade they state."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.prose import document_to_prose, heading_level, section_key, stated_total
from jixiao.model import Document, Paragraph
from jixiao.pipeline import document_to_report, report_to_record
from tests.conftest import ROOT

YUNNAN = ROOT.parent / "shared" / "real-world" / "prose-yunnan-2024-project-report.txt"


def _doc(*lines: str, fmt: str = "docx") -> Document:
    return Document(tuple(Paragraph(line) for line in lines), fmt)


@pytest.mark.parametrize("text, expected", [
    ("一、基本情况", (1, "基本情况")),
    ("二、绩效评价情况(分值100分,自评得分97分)", (1, "绩效评价情况(分值100分,自评得分97分)")),
    ("（一）项目概况", (2, "项目概况")),
    ("(二)绩效目标", (2, "绩效目标")),
    ("1.项目立项背景", (3, "项目立项背景")),
    ("（1）资金使用", (4, "资金使用")),
    ("①组织管理", (5, "组织管理")),
    ("一是资金拨付不及时，影响进度。", None),            # a list item in the text
    ("1、加强项目前期论证。", None),
    ("(1)“数说红河”展厅运维经费。“数”说红河——新时代团结进步美丽红河展厅位于蒙自市", None),
    ("2024年,红河州数据发展中心实施项目共15个", None),
])
def test_headings_by_their_numbering(text: str, expected: tuple[int, str] | None) -> None:
    assert heading_level(Paragraph(text)) == expected


@pytest.mark.parametrize("heading, key", [
    ("基本情况", "项目概况"), ("项目基本情况及自评结论", "项目概况"), ("部门基本情况", "项目概况"),
    ("项目绩效目标", "年度绩效目标"), ("存在的问题及原因", "存在问题"), ("下一步改进措施", "建议"),
    ("绩效自评结论", "自评结论"), ("绩效评价情况(分值100分,自评得分97分)", None), ("其他需要说明的问题", None),
])
def test_heading_words_to_section_keys(heading: str, key: str | None) -> None:
    assert section_key(heading) == key


@pytest.mark.parametrize("text, total", [
    ("二、绩效评价情况(分值100分,自评得分97分)", "97"),
    ("投入指标满分20分，自评得分20分；产出指标满分40分，自评得分36分。综合自评得分92分。", "92"),
    ("产出指标满分40分，自评得分36分。", None),                # only a class sub-score
    ("本项目总得分为88.5分，评价等级为良。", "88.5"),
    ("项目总分100分。", None),                                 # a maximum, not a score
    ("项目自评总分：95分", "95"),
])
def test_the_stated_total_is_never_a_maximum_or_a_sub_score(text: str, total: str | None) -> None:
    assert stated_total(text) == total


def test_a_report_by_its_headings() -> None:
    doc = _doc(
        "首页 > 信息公开 > 预算绩效管理",
        "发布日期：2024-05-01",
        "某县水利局2023年度农村饮水安全巩固提升项目支出绩效自评报告",
        "一、项目基本情况",
        "（一）项目概况",
        "项目总投资500万元。",
        "（二）项目绩效目标",
        "完成10处供水工程。",
        "二、绩效评价情况(分值100分,自评得分92分)",
        "综合自评得分92分，评价等级为“优”。",
        "三、存在的问题",
        "一是资金拨付不及时。",
        "1、部分工程进度滞后。",
        "四、下一步改进措施",
        "加强资金管理。",
        "第 2 页 共 3 页",
    )
    prose = document_to_prose(doc)
    assert prose.sections == {
        "项目概况": "（一）项目概况\n项目总投资500万元。\n（二）项目绩效目标\n完成10处供水工程。",
        "存在问题": "一是资金拨付不及时。\n1、部分工程进度滞后。",
        "建议": "加强资金管理。",
    }
    assert prose.other == [("绩效评价情况(分值100分,自评得分92分)", "综合自评得分92分，评价等级为“优”。")]
    assert (prose.stated_total, prose.stated_grade) == ("92", "优")
    assert prose.project == {"year": "2023", "department": "某县水利局", "name": "农村饮水安全巩固提升项目"}
    record = report_to_record(document_to_report(doc), {"path": "x.docx", "format": "docx"})
    assert (record["template"], record["document_kind"], record["status"], record["stated_total"]) == \
        ("report", "report", "ok", 92.0)
    assert record["flags"] == []


def test_a_department_report_and_a_grade_that_does_not_fit() -> None:
    doc = _doc("某市教育局2022年度部门整体支出绩效自评报告", "一、部门基本情况", "本局下属学校12所。",
               "二、自评结论", "部门整体支出自评得分为86.5分，自评等级为优秀。", "第1页", "第2页", "第3页")
    record = report_to_record(document_to_report(doc), {"path": "x.docx", "format": "docx"})
    assert record["scope"] == "department" and record["project"]["name"] is None
    assert record["sections"] == {"项目概况": "本局下属学校12所。", "自评结论": "部门整体支出自评得分为86.5分，自评等级为优秀。"}
    flags = [(f["code"], f["severity"], f["expected"]) for f in record["flags"]]
    assert flags == [("grade_mismatch", "warning", "良")]


def test_lines_of_a_pdf_run_on_until_a_sentence_ends() -> None:
    doc = _doc("一、存在的问题", "部分项目资金拨付", "不够及时。", "二、改进措施", "加强管理。", fmt="pdf")
    assert document_to_prose(doc).sections["存在问题"] == "部分项目资金拨付不够及时。"


def test_text_without_headings_is_no_report() -> None:
    from jixiao.errors import UnknownTemplate

    with pytest.raises(UnknownTemplate):
        document_to_report(_doc("会议纪要", "今天开会。"))


@pytest.mark.skipif(not YUNNAN.exists(), reason="shared/real-world not next to this checkout")
def test_the_real_yunnan_page_gives_its_project_overview_without_the_site_chrome() -> None:
    lines = [line for line in YUNNAN.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    record = report_to_record(document_to_report(_doc(*lines, fmt="txt")), {"path": "y.txt", "format": "txt"})
    overview = record["sections"]["项目概况"]
    assert overview.startswith("2024年,红河州数据发展中心")
    assert "（一）项目概况" in overview or "(一)项目概况" in overview
    for chrome in ("索引号", "发布机构", "发布日期", "预算绩效管理", "时效性"):
        assert chrome not in overview
    assert record["project"]["year"] == 2024 and record["project"]["department"] == "红河州数据发展中心"
    assert record["document_kind"] == "report"


def test_explain_shows_the_stated_total_and_the_sections(tmp_path: Path) -> None:
    import io

    from jixiao.cli import main

    path = tmp_path / "report.txt"
    path.write_text("某县水利局2023年度农村饮水安全项目支出绩效自评报告\n一、项目基本情况\n项目总投资500万元。\n"
                    "二、绩效评价情况\n综合自评得分92分，评价等级为“良”。\n三、存在的问题\n资金拨付不及时。\n", encoding="utf-8")
    out = io.StringIO()
    assert main(["explain", str(path)], stdout=out) == 0
    text = out.getvalue()
    assert "stated in the text: total 92.00, grade 良" in text
    assert "grade_mismatch" in text and "项目概况" in text and "项目总投资500万元。" in text


def test_word_heading_styles_mark_headings_without_numbering(tmp_path: Path) -> None:
    from docx import Document as WordDocument

    from extract.readers.docx import docx_to_document

    word = WordDocument()
    word.add_paragraph("某区财政局2023年度部门整体支出绩效自评报告")
    word.add_heading("部门基本情况", 1)
    word.add_paragraph("本局内设科室8个。")
    word.add_heading("主要职能", 2)
    word.add_paragraph("负责全区财政收支管理。")
    word.add_heading("存在的问题", 1)
    word.add_paragraph("预算执行进度偏慢。")
    word.save(str(tmp_path / "r.docx"))
    prose = document_to_prose(docx_to_document(tmp_path / "r.docx"))
    assert prose.sections == {"项目概况": "本局内设科室8个。\n主要职能\n负责全区财政收支管理。", "存在问题": "预算执行进度偏慢。"}
    assert prose.scope == "department"


def test_unnumbered_headings_set_bold_or_centred_in_word(tmp_path: Path) -> None:
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from extract.readers.docx import docx_to_document

    word = WordDocument()
    word.add_paragraph("某县民政局2023年度社区养老项目支出绩效自评报告")
    word.add_paragraph().add_run("项目基本情况").bold = True
    word.add_paragraph("项目预算300万元。")
    word.add_paragraph("其中").add_run("重点").bold = True          # a bold word inside text: no heading
    centred = word.add_paragraph("存在的问题")
    centred.alignment = WD_ALIGN_PARAGRAPH.CENTER
    word.add_paragraph("部分站点运营不足。")
    word.save(str(tmp_path / "r.docx"))
    prose = document_to_prose(docx_to_document(tmp_path / "r.docx"))
    assert prose.sections == {"项目概况": "项目预算300万元。\n其中重点", "存在问题": "部分站点运营不足。"}


def test_a_pdf_line_set_larger_and_alone_is_marked() -> None:
    from extract.readers.geometry import Glyph, PageGeometry
    from extract.readers.paragraphs import glyphs_to_paragraphs

    def line(text: str, top: float, size: float, x: float = 72.0) -> list[Glyph]:
        return [Glyph(ch, x + i * size, top, x + (i + 1) * size, top + size) for i, ch in enumerate(text)]

    glyphs = line("存在的问题", 100, 16) + line("部分站点运营不足，资金拨付偏慢，影响了整体进度。", 130, 10) \
        + line("下一步将加强管理。", 142, 10)
    page = PageGeometry(1, 595.0, 842.0, (), tuple(glyphs))
    paragraphs = [p for _, p in glyphs_to_paragraphs(glyphs, page, 10.0)]
    assert [(p.text, p.marked) for p in paragraphs] == [
        ("存在的问题", True), ("部分站点运营不足，资金拨付偏慢，影响了整体进度。下一步将加强管理。", False)]
