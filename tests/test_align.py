"""Rows of text dumps placed under their header by what their cells hold (issue #10: not by the
right edge), so a row that lost empty cells at either end or in the middle keeps its values."""

from __future__ import annotations

import pytest

from extract.forms import load_form
from extract.forms.align import align_text_tables, place
from extract.forms.engine import document_to_raw
from jixiao.model import Cell, Document, Table
from tests.conftest import ROOT

SICHUAN_ROLES = [None, "class", "subclass", "name", "nature", "target", "unit", "actual", "weight", "score", "reason"]


@pytest.mark.parametrize("texts, cols", [
    # a whole row
    (["产出指标", "数量指标", "道路长度", "≥", "30", "公里", "32", "10", "10", "无"], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    # under merged 一级/二级 cells: the row starts at the name
    (["道路长度", "≥", "30", "公里", "32", "10", "10"], [3, 4, 5, 6, 7, 8, 9]),
    # no 度量单位 and no reason: the figures still land under 权重 and 得分
    (["产出指标", "经济成本指标", "成本控制数", "≤", "30", "完成", "90", "90"], [1, 2, 3, 4, 5, 7, 8, 9]),
])
def test_cells_go_under_the_role_that_fits_them(texts: list[str], cols: list[int]) -> None:
    assert place(texts, SICHUAN_ROLES)[0] == cols


def test_a_row_that_could_go_two_ways_is_said_to_be_a_guess() -> None:
    assert place(["道路长度", "10"], [None, "name", "weight", "score"])[1] is False
    assert place(["道路长度", "10", "8"], [None, "name", "weight", "score"])[1] is True


def _ragged(rows: list[list[str]]) -> Document:
    cells = tuple(Cell(t, r, c) for r, row in enumerate(rows) for c, t in enumerate(row))
    return Document((Table(cells, len(rows), max(len(r) for r in rows)),), "txt")


def test_web_text_of_the_sichuan_form_keeps_its_values() -> None:
    """As the real page prints it: the rowspan label cells are gone from every row below them."""
    doc = _ragged([
        ["部门预算项目支出绩效自评表(2023年度)"],
        ["项目名称", "2023年全县安可替代补助资金项目"],
        ["主管部门", "大英县司法局", "实施单位", "大英县司法局"],
        ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"],
        ["总额", "0.00", "3.36", "3.36", "100.00%", "10", "10"],
        ["其中:财政资金", "0.00", "3.36", "3.36", "100.00%", "/", "/"],
        ["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
         "未完成原因分析"],
        ["产出指标", "经济成本指标", "成本控制数", "≤", "30", "万元", "完成", "45", "45"],
        ["质量指标", "验收合格率", "=", "100", "%", "100", "45", "40", "一处返工"],
        ["合计", "100", "95"],
    ])
    form = load_form("sichuan-2023")
    aligned, _ = align_text_tables(doc, form)
    raw = document_to_raw(aligned, form)
    assert raw.budget_lines[0] == {"item": "总额", "initial_budget": "0.00", "full_year_budget": "3.36",
                                   "executed": "3.36", "execution_rate": "100.00%", "weight": "10", "reported_score": "10"}
    got = [(r.category_label, r.extra["subcategory"], r.name, r.target, r.actual, r.weight, r.score,
            r.extra.get("deviation_reason")) for r in raw.indicators]
    assert got == [("产出指标", "经济成本指标", "成本控制数", "≤30万元", "完成", "45", "45", None),
                   ("产出指标", "质量指标", "验收合格率", "=100%", "100", "45", "40", "一处返工")]


def test_a_pipe_separated_web_copy_is_read_through_its_header(tmp_path) -> None:
    from jixiao.pipeline import path_to_record

    path = tmp_path / "web.txt"
    path.write_text(
        "部门预算项目支出绩效自评表(2023年度) |\n"
        "项目名称 | 2023年全县安可替代补助资金项目 |\n"
        "主管部门 | 大英县司法局 | 实施单位 | 大英县司法局 |\n"
        "预算执行情况(10分) | 年度预算数(万元) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因 |\n"
        "总额 | 0.00 | 3.36 | 3.36 | 100.00% | 10 | 10 | |\n"
        "|---|---|---|\n"
        "绩效指标(90分) | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析 |\n"
        "产出指标 | 经济成本指标 | 成本控制数 | ≤ | 30 | 万元 | 28 | 90 | 90 | ||\n"
        "合计 | 100 | 100 |\n"
        "评价结论 | 资金支付给项目施工方。 |\n", encoding="utf-8")
    record = path_to_record(path, tmp_path)
    assert record["template"] == "sichuan-2023" and record["status"] == "ok", record["errors"]
    assert [(i["name"], i["target"], i["actual"], i["weight"], i["reported_score"]) for i in record["indicators"]] == \
        [("成本控制数", "≤30万元", "28", 90.0, 90.0)]
    assert record["budget_lines"][0]["executed"] == 3.36 and record["reported_total"] == 100.0
    assert record["sections"]["自评结论"] == "资金支付给项目施工方。"


def test_a_tab_dump_row_that_dropped_its_trailing_cell_keeps_its_class(tmp_path) -> None:
    """The reader no longer right-aligns short rows: a row without its 偏差原因 cell is not shifted,
    so its class label stays a class and the rows below are not refiled."""
    from jixiao.pipeline import path_to_record

    rows = [
        "项目支出绩效自评表", "（2022年度）",
        "项目名称\t乡村道路建设\t\t\t\t\t\t", "主管部门\t某县交通局\t\t实施单位\t某县公路站\t\t\t",
        "项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分",
        "\t年度资金总额\t100\t100\t100\t10\t100%\t10",
        "年度总体目标\t预期目标\t\t\t实际完成情况\t\t\t", "\t建设道路10公里\t\t\t建成10公里\t\t\t",
        "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
        "\t产出指标\t数量指标\t道路长度\t≥10公里\t10公里\t45\t45",
        "\t\t质量指标\t验收合格率\t=100%\t100%\t45\t45\t",
        "总分\t\t\t\t\t\t100\t100\t",
    ]
    path = tmp_path / "dump.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    record = path_to_record(path, tmp_path)
    assert record["template"] == "national-2020"
    assert [(i["category"], i["subcategory"], i["name"], i["weight"], i["reported_score"])
            for i in record["indicators"]] == [("产出", "数量指标", "道路长度", 45.0, 45.0),
                                               ("产出", "质量指标", "验收合格率", 45.0, 45.0)]


CELL_PER_LINE = ROOT.parent / "shared" / "real-world" / "sichuan-2023-cell-per-line-unscored.txt"


def test_a_table_copied_one_cell_per_line_is_rebuilt_by_its_header(tmp_path) -> None:
    from jixiao.pipeline import path_to_record

    cells = ["部门预算项目支出绩效自评表(2023年度)", "项目名称", "51000021R000000019951-工资性支出", "主管部门", "青神县发展和改革局",
             "实施单位", "青神县发展和改革局",
             "预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因",
             "总额", "238.93", "251.89", "251.89", "100.00%", "10", "10", "",
             "其中:财政资金", "238.93", "251.89", "251.89", "100.00%", "/", "/",
             "绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
             "未完成原因分析",
             "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%", "100", "60", "60", "",
             "效益指标", "社会效益指标", "足额保障率(参保率)", "=", "100", "%", "98", "30", "29", "两人延后参保",
             "合计", "100", "99"]
    path = tmp_path / "cells.txt"
    path.write_text("\n".join(f"{c} |" if c else "|" for c in cells) + "\n", encoding="utf-8")
    record = path_to_record(path, tmp_path)
    assert record["template"] == "sichuan-2023" and record["status"] == "ok", record["errors"]
    assert record["project"]["name"] == "51000021R000000019951-工资性支出"
    assert [(i["category"], i["subcategory"], i["name"], i["target"], i["actual"], i["weight"], i["reported_score"],
             i["deviation_reason"]) for i in record["indicators"]] == [
        ("产出", "数量指标", "发放(缴纳)覆盖率", "=100%", "100", 60.0, 60.0, None),
        ("效益", "社会效益指标", "足额保障率(参保率)", "=100%", "98", 30.0, 29.0, "两人延后参保")]
    assert [(b["item"], b["executed"], b["reported_score"]) for b in record["budget_lines"]] == \
        [("总额", 251.89, 10.0), ("财政资金", 251.89, None)]
    assert record["reported_total"] == 99.0


@pytest.mark.skipif(not CELL_PER_LINE.exists(), reason="shared/real-world not next to this checkout")
def test_the_real_sichuan_page_copied_cell_by_cell_gives_its_unscored_rows(tmp_path) -> None:
    from jixiao.pipeline import path_to_record

    path = tmp_path / "real.txt"
    path.write_bytes(CELL_PER_LINE.read_bytes())
    record = path_to_record(path, tmp_path)
    assert record["template"] == "sichuan-2023"
    assert [(i["name"], i["weight"], i["reported_score"]) for i in record["indicators"]] == \
        [("发放(缴纳)覆盖率", 60.0, None), ("足额保障率(参保率)", 30.0, None)]  # published unscored
    assert {f["code"] for f in record["flags"]} >= {"missing_value"}


ANHUI = ROOT.parent / "shared" / "real-world" / "national-anhui-2022-flattened-xls-text.txt"


def test_a_sheet_flattened_onto_one_line_is_cut_into_its_rows(tmp_path) -> None:
    """Cells separated by single spaces, empty cells gone: rows found by what their cells hold."""
    from jixiao.pipeline import path_to_record

    line = ("附件: 项目支出绩效自评表 (2022年度) 项目名称 委托业务项目 主管部门 某镇人民政府 实施单位 某镇人民政府 "
            "项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 90 90 81 10 90% 9 "
            "绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 "
            "产出指标(50分) 数量指标 委托业务项目数量 ≥50个 45 8 7.2 年底新增五项未完成 "
            "质量指标 报告合格率 =100% 100% 8 8 经费支出合规性 严格执行相关制度规定 达成预期指标 8 8 "
            "效益指标(30分) 社会效益指标 对市场公平的影响程度 效果明显 达成预期指标 10 10 "
            "总分 100 42.2")
    path = tmp_path / "flat.txt"
    path.write_text(line + "\n", encoding="utf-8")
    record = path_to_record(path, tmp_path)
    assert record["template"] == "national-2020"
    assert [(i["category"], i["subcategory"], i["name"], i["target"], i["actual"], i["weight"], i["reported_score"],
             i["deviation_reason"]) for i in record["indicators"]] == [
        ("产出", "数量指标", "委托业务项目数量", "≥50个", "45", 8.0, 7.2, "年底新增五项未完成"),
        ("产出", "质量指标", "报告合格率", "=100%", "100%", 8.0, 8.0, None),
        ("产出", "质量指标", "经费支出合规性", "严格执行相关制度规定", "达成预期指标", 8.0, 8.0, None),
        ("效益", "社会效益指标", "对市场公平的影响程度", "效果明显", "达成预期指标", 10.0, 10.0, None)]


@pytest.mark.skipif(not ANHUI.exists(), reason="shared/real-world not next to this checkout")
def test_the_real_flattened_anhui_page_gives_the_chizhou_budget_case(tmp_path) -> None:
    from jixiao.pipeline import path_to_record

    path = tmp_path / "anhui.txt"
    path.write_bytes(ANHUI.read_bytes())
    record = path_to_record(path, tmp_path)
    assert [i["name"] for i in record["indicators"]][:3] == ["基建工程委托业务项目数量", "委托业务报告合格率", "经费支出合规性"]
    # 得分 0 printed for 89.974 of 89.974 executed: the rule gives 10 (scoring-rules B2, the Chizhou case)
    assert ("score_mismatch", "年度资金总额") in {(f["code"], f["subject"]) for f in record["flags"]}
