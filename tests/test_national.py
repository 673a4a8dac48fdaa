"""National form (财预〔2020〕10号): the worked examples of spec part (b), and a form end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.model import Indicator, Report
from normalize.values import parse_value
from validate import validate_report
from validate.profile import choose_profile, load_profile

NATIONAL = load_profile("national-2020")
HUBEI = load_profile("national-hubei-2020")


def row(target: str, weight: float, actual: str, reported: float | None, name: str = "指标",
        category: str = "产出", deviation: str | None = "原因") -> Indicator:
    return Indicator(category=category, category_points=None, name=name, target=parse_value(target), weight=weight,
                     actual=parse_value(actual), reported_score=reported, deviation_reason=deviation)


def check(*rows: Indicator, profile=NATIONAL, budget=None, total=None) -> Report:
    return validate_report(Report("national-2020", indicators=list(rows), budget_lines=budget or [],
                                  reported_total=total), profile)


def codes(report: Report, whole_form: bool = False) -> list[tuple[str, str]]:
    """Flags as (code, subject); the 100-point and split checks only when the test builds a whole form."""
    form_level = {"weight_sum_mismatch", "nonstandard_split"}
    return sorted((f.code, f.subject) for f in report.flags
                  if whole_form or not (f.code in form_level and f.subject in ("total", "split")))


@pytest.mark.parametrize("target, weight, actual, reported, expected", [
    ("≥50个", 8, "45个", 7.2, 7.2),           # B4: 8 × 0.9
    ("≥90%", 10, "95%", 10, 10),              # B4: reached
    ("≤90万元", 8, "100万元", 7.2, 7.2),       # B5 ratio
    ("≤90万元", 8, "100万元", 7.11, 8 * (1 - 10 / 90)),  # B5 linear, accepted as the reading closer to the report
    ("≤202.6万元", 8, "132.9万元", 8, 8),      # B5 met
    ("=0起", 5, "1起", 0, 0),                  # B6
    ("=0起", 5, "0起", 5, 5),
])
def test_quantitative_examples(target: str, weight: float, actual: str, reported: float, expected: float) -> None:
    report = check(row(target, weight, actual, reported))
    assert report.indicators[0].recomputed_score == pytest.approx(expected)
    assert codes(report) == []


def test_hubei_accepts_only_the_ratio_formula() -> None:
    report = check(row("≤90万元", 8, "100万元", 7.11), profile=HUBEI)
    assert report.indicators[0].recomputed_score == pytest.approx(7.2)
    assert codes(report) == [("score_mismatch", "指标")]


def test_over_achievement_is_not_deducted() -> None:
    report = check(row("≥100人", 6, "180人", 6, name="培训人数", deviation=None))
    assert report.indicators[0].recomputed_score == 6
    assert codes(report) == [("over_achievement", "培训人数")]


@pytest.mark.parametrize("actual, reported, recomputed, flagged", [
    ("达成", 10, 10, False), ("达成", 9, 9, False), ("达成", 7, 8, True),
    ("部分达成", 7, 7, False), ("部分达成", 8, 7.99, True), ("未达成", 3, 3, False), ("未达成", 6.5, 5.99, True),
])
def test_qualitative_bands(actual: str, reported: float, recomputed: float, flagged: bool) -> None:
    report = check(row("达成年度目标", 10, actual, reported))
    assert report.indicators[0].recomputed_score == pytest.approx(recomputed)
    assert ("score_mismatch", "指标") in codes(report) if flagged else "score_mismatch" not in str(codes(report))


def test_other_words_read_as_reached() -> None:
    report = check(row("有效提升", 10, "效果明显", 9, name="群众获得感"))
    assert report.indicators[0].recomputed_score == 9
    assert codes(report) == [("qualitative_unmapped", "群众获得感")]


def _budget(initial, full, executed, weight, rate, score, item="年度资金总额"):
    return {"item": item, "initial_budget": initial, "full_year_budget": full, "executed": executed,
            "weight": weight, "execution_rate": rate, "reported_score": score, "recomputed_score": None}


@pytest.mark.parametrize("line, expected, flags", [
    (_budget(132.912, 132.912, 132.912, 10, 100, 10), 10, []),
    (_budget(100, 90, 81, 10, 90, 9), 9, []),
    (_budget(89.974, 89.974, 89.974, 10, 100, 0), 10, [("score_mismatch", "年度资金总额")]),  # the Chizhou case
    (_budget(100, None, 93, 10, 93, 9.3), 9.3, []),  # 全年预算数 empty: 年初预算数 (assumed)
    (_budget(100, 100, 93, 10, 95, 9.3), 9.3, [("execution_rate_mismatch", "年度资金总额")]),
])
def test_budget_execution_score(line: dict, expected: float, flags: list) -> None:
    report = check(row("≥1个", 90, "1个", 90), budget=[line])
    assert line["recomputed_score"] == pytest.approx(expected)
    assert codes(report) == flags


def test_empty_total_row_uses_the_sub_rows() -> None:
    lines = [_budget(None, None, None, 10, None, 9), _budget(60, 60, 54, None, 90, None, "当年财政拨款"),
             _budget(40, 40, 36, None, 90, None, "上年结转资金")]
    report = check(row("≥1个", 90, "1个", 90), budget=lines)
    assert lines[0]["recomputed_score"] == pytest.approx(9)
    assert ("total_row_empty", "年度资金总额") in codes(report)


def test_points_total_and_split() -> None:
    rows = [row("≥1个", 50, "1个", 50, category="产出"), row("≥1个", 30, "1个", 30, category="效益"),
            row("≥1个", 9, "1个", 9, category="满意度")]
    report = check(*rows, budget=[_budget(10, 10, 10, 10, 100, 10)], total=100)
    # B10: 10 + 50 + 30 + 9 = 99, reported 100; and the 分值 add up to 99, not 100.
    assert codes(report, whole_form=True) == [("nonstandard_split", "split"), ("total_mismatch", "total"),
                             ("weight_sum_mismatch", "total")]
    assert report.recomputed_total == pytest.approx(99)


def test_missing_deviation_reason() -> None:
    report = check(row("≥50个", 8, "45个", 7.2, name="数量", deviation=None))
    assert codes(report) == [("missing_deviation_reason", "数量")]


def test_variant_profiles_are_chosen_by_their_headers() -> None:
    assert choose_profile("national-2020", "项目资金 预算执行情况（20分） 得分（20分*执行率）").name == "national-hubei-2020"
    assert choose_profile("national-2020", "一级指标 指标性质 指标值 度量单位").name == "national-sichuan-2023"
    assert choose_profile("national-2020", "年度资金总额 全年预算数").name == "national-2020"


def test_form_end_to_end(tmp_path: Path) -> None:
    import docx

    from jixiao.pipeline import path_to_record

    rows = [
        ["项目名称", "新能源汽车充电设施建设", "", "", "", "", "", "", ""],
        ["主管部门", "市发展改革委", "", "", "实施单位", "市能源中心", "", "", ""],
        ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""],
        ["", "年度资金总额", "100", "90", "81", "10", "90%", "9", ""],
        ["", "其中：当年财政拨款", "100", "90", "81", "—", "90%", "—", ""],
        ["年度总体目标", "预期目标", "", "", "", "实际完成情况", "", "", ""],
        ["", "建成充电桩500个。", "", "", "", "建成充电桩450个。", "", "", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["", "产出指标(50分)", "数量指标", "新建公共充电桩数量", "≥500个", "450个", "35", "31.5", "部分选址未落实"],
        ["", "", "成本指标", "单桩建设成本", "≤2万元", "2.2万元", "15", "12", ""],
        ["", "效益指标(30分)", "社会效益指标", "服务车辆数", "≥1万辆", "1.8万辆", "30", "30", ""],
        ["", "满意度指标(10分)", "服务对象满意度指标", "用户满意度", "≥90%", "部分达成", "10", "8", "满意度调查偏低"],
        ["总分", "", "", "", "", "", "100", "90.5", ""],
    ]
    document = docx.Document()
    document.add_paragraph("项目支出绩效自评表")
    document.add_paragraph("（2021年度）")
    table = document.add_table(rows=len(rows), cols=9)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(8, 1).merge(table.cell(9, 1))  # 产出指标 merged down its rows, as in the form
    path = tmp_path / "national.docx"
    document.save(str(path))
    record = path_to_record(path, tmp_path)
    assert (record["status"], record["template"], record["profile"]) == ("ok", "national-2020", "national-2020")
    assert record["project"] == {"name": "新能源汽车充电设施建设", "year": 2021, "department": "市发展改革委",
                                 "implementing_unit": "市能源中心"}
    assert record["budget_lines"][0]["recomputed_score"] == pytest.approx(9)
    assert [(i["category"], i["subcategory"], i["name"]) for i in record["indicators"]] == [
        ("产出", "数量指标", "新建公共充电桩数量"), ("产出", "成本指标", "单桩建设成本"),
        ("效益", "社会效益指标", "服务车辆数"), ("满意度", "服务对象满意度指标", "用户满意度")]
    assert record["sections"] == {"年度总体目标": "建成充电桩500个。", "总体目标完成情况": "建成充电桩450个。"}
    flags = sorted((f["code"], f["subject"]) for f in record["flags"])
    assert flags == [("missing_deviation_reason", "单桩建设成本"), ("over_achievement", "服务车辆数"),
                     ("score_mismatch", "单桩建设成本"), ("score_mismatch", "用户满意度")]
    assert record["reported_total"] == 90.5
    assert record["recomputed_total"] == pytest.approx(9 + 31.5 + 15 * 2 / 2.2 + 30 + 7.99)
