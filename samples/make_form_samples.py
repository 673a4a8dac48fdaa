#!/usr/bin/env python3
"""Generate samples of four more form families — the real Sichuan 2023 部门预算项目支出绩效自评表
(报表编号 510000_0013zp), the Chongqing 部门整体绩效自评表, a form no description names (generic), and the
Hubei 项目绩效目标自评表 — as .docx (python-docx), .xlsx (openpyxl) and .pdf (LibreOffice, from a docx
variant), with the expected JSON for each.

Run from the repository root:

    .venv/bin/python samples/make_form_samples.py

Every file is written next to this script (samples/) and every expectation to
samples/expected/<sample file name>.json.  The .docx and .xlsx files are byte-identical from run to run
(fixed document properties and zip timestamps); the PDF is made by LibreOffice in a private profile (fonts:
AR PL UMing CN), its creation date, /ID and /DocChecksum overwritten with fixed values (the helpers of
make_pdf_samples.py, make_national_samples.py and sample_kit.py are reused).

All expected values are written by hand from each sample's own data: every indicator row carries its
recomputed score, worked out with the rule of its form (the working is in the comment next to every row
that is not simply "full weight").  Nothing here runs jixiao; the only arithmetic the script does is adding
the hand values up for recomputed_total, and it asserts that sum against a hand-written total.  The
expected names / targets / actuals are written out and only *checked* against NFKC + whitespace removal of
the printed cells.  After writing, the script opens every file (python-docx, openpyxl, pdfplumber), checks
that the labels are there and that the PDF's indicator table crosses a page break inside a row, and
validates every expectation against jixiao/report.schema.json (completed with the keys the expected files
leave out: schema_version, source.sha256, budget, subprojects, flag messages).

Rules used
----------
Sichuan (sichuan-2023; national rules of shared/spec/scoring-rules.md part (b), national-2020 parameters)
    budget (B2)    总额 only: 权重 × min(1, 预算执行数 ÷ 调整后预算数); the other rows print "/" and get null.
    positive (B4)  ≥ / = : actual ≥ target → w, else w × actual / target.
    reverse (B5)   ≤ : actual ≤ target → w; else ratio w × t/a or linear w × (1 − (a−t)/t), whichever is within
                   0.05 of the reported score, else ratio.
    over (B7)      r ≥ 130 % → w + over_achievement (info).  None in this sample.
    bands (B8)     达成 [0.8w, w], 部分达成 [0.6w, 0.8w), 未达成 [0, 0.6w): inside → the reported score,
                   outside → nearest edge (exclusive upper edge − 0.01) + score_mismatch.
    deviation (B9) reported or recomputed below w and 未完成原因分析 empty → missing_deviation_reason.
    weights (B3)   Σ 权重 + budget 权重 = 100; the split is free (no class points printed: no nonstandard_split).
    total          reported: 总额 得分 + Σ 得分 must equal 合计 得分 (total_mismatch);
                   recomputed: 总额 recomputed + Σ indicator recomputed.
Chongqing (chongqing-department; the form's own rule)
    budget         执行率得分 = 执行率权重 × min(1, 全年执行数 ÷ 全年(调整)预算数).
    indicators     指标得分 = 得分系数(%) ÷ 100 × 指标权重(分); a printed 指标得分 more than 0.05 off → score_mismatch.
    total          自评总分 must equal 执行率得分 + Σ 指标得分 within 0.05 (total_mismatch).
generic (national proportional rule, rule_confidence low)
    B4 / B5 / B6 as above for quantitative rows; a qualitative row keeps its reported score when it lies in
    [0, w], else w.  A reported score above its weight → score_exceeds_weight (error); an empty 评分 →
    missing_value (warning).  总分 must equal Σ 评分 (total_mismatch).
Hubei (hubei-goal; the national rules with the Hubei parameters of part C, national-hubei-2020's, which the
form's own 备注 states)
    budget         得分(20分*执行率) = 20 × min(1, 执行数(B) ÷ 预算数(A)); the form prints no 分值 cell, the 20 is the
                   label's (the profile's budget weight); the 其中 rows print "/" for 得分 and get null.
    positive       ≥ / = : actual ≥ target → w, else w × actual / target.
    reverse        ≤ : actual ≤ target → w, else ratio w × t/a only (a score by the linear variant is a mismatch).
    over           r ≥ 130 % → w + over_achievement (info).
    bands          达成 [0.8w, w], 部分达成 [0.5w, 0.8w), 未达成 [0, 0.5w); inside → the reported score, outside →
                   nearest edge (exclusive upper edge − 0.01) + score_mismatch.  Another word (是) → 达成 +
                   qualitative_unmapped (info).
    deviation      reported or recomputed below w and 偏差大或目标未完成原因分析 empty → missing_deviation_reason
                   (the 改进措施及结果应用方案 column is no reason).
    weights        20 + Σ 分值 = 100 (two 年度绩效目标 blocks of 40 points); no class split (no nonstandard_split).
    total          reported: 得分(20分*执行率) + Σ 得分 must equal 总分 (total_mismatch); recomputed: budget
                   recomputed + Σ indicator recomputed.

The samples and what each one shows
-----------------------------------
sichuan-2023-nanbu-rural-road-maintenance.docx                                             (sichuan-2023)
    The real form's layout (shared/real-world/sichuan-2023-pipe-web-text.txt): 报表编号 and the title
    部门预算项目支出绩效自评表(2023年度) above an 11-column table; 项目名称 with its project code
    (51132124T000011572083-2023年农村公路养护补助资金项目, kept as printed) | 主管部门 | 实施单位; 项目基本情况
    with 1.项目年度目标完成情况 (sub-headers 项目年度目标 | 年度目标完成情况 and their texts below) and
    2.项目实施内容及过程概述 (two paragraphs); 预算执行情况(10分) with 年度预算数(万元) | 年初预算 | 调整后预算数 |
    预算执行数 | 预算执行率 | 权重 | 得分 | 原因 (the 原因 cell merged down the five rows), rows 总额 /
    其中:财政资金 / 财政专户管理资金 / 单位资金 / 其他资金 (其他资金 blank, "/" for 权重 and 得分 below 总额);
    绩效指标(90分) with 一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析, 一级
    and 二级 merged down their rows, 13 rows in 产出指标 / 成本指标 (printed at the 一级 level, the real
    2021 framework: category 成本) / 效益指标 / 满意度指标; 合计 | 100 | 得分; 评价结论, 存在问题 and 改进措施
    (the last two as two numbered paragraphs); 项目负责人 | 财务负责人.  Qualitative rows print 指标性质 定性
    (as the Sichuan system does) and an empty 度量单位.
    Faults: 总额 得分 10 taken from 年初 (504 ÷ 500 ≥ 100 %) where 504 ÷ 调整后 560 = 90 % → 9
    (score_mismatch 总额); 危桥改造数量 10 of ≥12座 scored full 8 → 6.6667 (score_mismatch); 部分达成 scored
    9 of 10 → 7.99 (score_mismatch 农村公路安全通行保障水平); 吸纳沿线农村劳动力务工人次 260 of ≥300 → 4.3333,
    reported 4.33, no 未完成原因分析 (missing_deviation_reason); 合计 98.16 while 10 + Σ 得分 = 97.16
    (total_mismatch).
    Must not flag: r exactly 100 % (≥860 / 860, =100 / 100), reverse met (≤0.35 / 0.33 万元/公里), reverse
    missed scored by linear (≤25 / 28 万元/座 → 4.40, ratio 4.46), a proportional shortfall with its reason
    (≥95 / 86 % → 5.4316, reported 5.43), 达成 rows at full weight, weights 10 + 90 = 100, printed 执行率
    90.00 % = 504 ÷ 560.
sichuan-2023-nanbu-rural-road-maintenance.xlsx
    The same form in one worksheet (A–K as the Word grid): 报表编号 and the title as merged rows, labels and
    一级 / 二级 merged down, amounts as numbers formatted 0.00, rates as fractions formatted 0.00 %
    (0.9 → 90.00%), 指标值 / 完成值 / 权重 / 得分 as numbers where they are figures ("=" stored as text, not
    a formula), "/" as text, the 实施单位 label printed 实施单位(盖章) as in the cell-per-line real copy, the
    原因 cell holding the form's own 填报说明 (as both real copies do).  Same data, same expectation.
sichuan-2023-nanbu-rural-road-maintenance-table-across-pages.pdf
    The docx through LibreOffice, printed larger (AR PL UMing CN at the first base size of PDF_BASE_SIZES
    that works, 9.5 pt against the docx's 9; A4, the docx's column grid, a footer 第 N 页 共 M 页): the
    indicator table runs from page 1 onto page 2 and the break cuts the row 农村公路安全通行保障水平 inside
    its 完成值 and 未完成原因分析 texts (not after a 。), and the next row sits under the continuing 效益指标
    merged cell; make_national_samples.make_pdf() looks for it (SC_COLUMNS), main() prints it.
    check_pdf_paragraph_ends() checks that every paragraph of the multi-paragraph cells ends its line well
    short of the right edge.  Same expectation as the docx (source changed).
chongqing-department-2022-bishan-agriculture.docx                                  (chongqing-department)
    2022年度部门整体绩效自评表: 主管部门 | 财政处室 | 自评总分(分); 部门预算执行情况 with 年初预算数 |
    全年(调整)预算数 | 全年执行数 | 执行率(%) | 执行率权重 | 执行率得分(分) and one row of figures; 当年绩效目标
    with 年初绩效目标 / 全年(调整)绩效目标 / 全年目标实际完成情况; 10 indicators under 指标名称 | 计量单位 |
    指标性质 | 年初指标值 | 调整指标值 | 全年完成值 | 得分系数(%) | 指标权重(分) | 指标得分(分) | 是否核心指标
    (no class column), three with 调整指标值 filled.
    Faults: 执行率得分 10 where 10 × 8234.80 ÷ 8650.00 = 9.52 (score_mismatch 部门预算执行情况);
    农业产业化龙头企业培育数量 coefficient 80 % × 8 = 6.4 but 指标得分 7.2 (score_mismatch); 自评总分 97.43
    while 10 + Σ 指标得分 = 98.43 (total_mismatch).
    Must not flag: coefficients below 100 that agree (95 % × 10 = 9.5; 97.78 % × 12 = 11.7336, reported
    11.73), the adjusted target used where 调整指标值 is filled, a reverse row (≤86 万元 / 79.4).
generic-2022-yichun-public-toilets.docx                                                         (generic)
    宜春市市级项目绩效自评情况表, a form of our own: 项目名称 / 项目单位 / 年度 label cells above an
    indicator table 序号 | 指标类别 | 指标内容 | 预期目标 | 实际完成 | 分值 | 评分 | 说明 (class printed on every
    row), a 总分 row.
    Faults: 公厕保洁达标率 scored 12 of 10 (score_exceeds_weight, and score_mismatch: the rule gives 10);
    故障报修处理及时率 with 评分 empty (missing_value; the rule still gives 10 from 93 % of ≥90 %).
    Must not flag: 总分 88.98 = Σ 评分, a proportional shortfall (280 of ≥300 → 9.3333, reported 9.33), a
    reverse target met, a qualitative row scored 9 of 10, a target without operator (100% / 100%).
chongqing-department-2022-bishan-agriculture.xlsx
    The Chongqing form in one worksheet (A–J as the Word grid): title and 金额单位 as merged rows, 部门预算执行情况
    and 当年绩效目标 merged down, the amounts and 执行率(%) as numbers formatted 0.00 (95.20), 自评总分 a number
    formatted 0.00, 指标值 / 完成值 / 得分系数 / 权重 / 得分 as numbers (General: 3.5, 97.78), 调整指标值 an empty
    cell where the docx is blank.  No 填表人 line under the table (the docx prints it as a paragraph): the form
    has no total row that ends the indicator table, and the engine reads a line merged across A–J below the
    indicators as one more indicator row.  Same data, same expectation (source changed).
generic-2022-yichun-public-toilets.xlsx
    The 宜春 form in one worksheet (A–H as the Word grid): 年度 the number 2022, 序号 / 分值 / 评分 / 总分 numbers,
    the empty 评分 an empty cell, 公厕改造验收合格率's 100% / 100% the fraction 1 formatted 0% (shown 100%), the
    other targets and actuals text, the 填报单位 line under the 总分 row.  Same data, same expectation (source
    changed).
hubei-goal-2022-yidu-culture-stations.docx                                                      (hubei-goal)
    The real Hubei layout (three copies found on the web: 2020 长江禁捕, 2020 黄冈 水土保持监测, 学生资助): the title
    2022年度项目绩效目标自评表 and 填报单位 / 填报日期 above a 10-column table; 项目名称 | 主管部门 | 实施单位; the tick
    rows 项目类别 / 项目属性 / 项目类型 (■ chosen, □ not); 预算执行情况（万元）（20分） heading the item column of
    预算数（A） | 执行数（B） | 执行率（B/A） | 得分（20分*执行率）, rows 年度财政资金总额 / 其中：当年财政拨款 / 上年结余结转
    (no 分值 column; "/" for the 其中 rows' 得分); two blocks 年度绩效目标1（40分） and 年度绩效目标2（40分） (merged
    down column A), each with its own header 一级指标 | 二级指标 | 三级指标 | 年初目标值（A） | 实际完成值（B） | 分值 |
    得分 | 偏差大或目标未完成原因分析 | 改进措施及结果应用方案 (the columns the task names; the real copies print
    no 分值 column and the last two as rows under 总分), 一级 and 二级 merged down their rows, classes 产出指标 /
    效益指标 / 满意度指标 and 过程指标 (category 过程, 二级 资金管理 / 组织实施); 总分 | 100 | 得分; the form's 备注
    (its scoring rules) and 填报人 as paragraphs.  Labels print full-width brackets.
    Faults: 开展群众文化活动场次 436 of ≥480场 scored full 6 → 5.45 (score_mismatch); 文艺培训人均成本 ≤150 / 180元
    reported 4.8 by the linear variant → Hubei ratio 5.0 (score_mismatch); 过程 row 资金使用合规性 未达成 scored
    3.5 of 6 → band < 3 → 2.99 (score_mismatch); 文化志愿者培训人次 540 of ≥600 → 5.4 = reported, with text in
    改进措施及结果应用方案 only (missing_deviation_reason); 群众文化活动参与人次 8.1 of ≥6万人次 = 135 %
    (over_achievement, info, explained in the 偏差大 column); 评审程序是否公正 是 / 是 (qualitative_unmapped, info,
    read as 达成: 6 of 6 in band).
    Must not flag: the budget 20 × 331.20 ÷ 360.00 = 20 × 92 % = 18.40 with no 分值 cell, the printed 执行率
    of every money row, r exactly 100 % (≥12个 / 12个, =100% / 100%), reverse met (≤30 / 27.6万元), 部分达成 3.5
    of 6 (Hubei band [3, 4.8); the national band would start at 3.6), a proportional shortfall with its reason
    (88 of ≥95% → 5.5579, reported 5.56), 达成 rows at full weight, weights 20 + 40 + 40 = 100, 总分 91.16 =
    18.40 + Σ 得分 (the budget score is part of the total), the second block's header row (not an indicator),
    the 过程 class (scored, never mapped to another class).
hubei-goal-2022-yidu-culture-stations.xlsx
    The same form in one worksheet (A–J as the Word grid): title and 填报单位 as merged rows, labels with
    ASCII brackets, 实施单位 printed 项目实施单位 (as the real copies do), the block labels and 一级 / 二级 merged
    down, amounts as numbers formatted 0.00, 执行率 as fractions formatted 0.00 % (0.92 → 92.00%), 分值 / 得分 as
    numbers, targets and actuals text ("=100%" stored as text, not a formula), 备注 and 填报人 as merged rows
    under 总分.  Same data, same expectation.
hubei-goal-2022-yidu-culture-stations-table-across-pages.pdf
    The docx through LibreOffice, printed larger (AR PL UMing CN at the first base size of HB_PDF_BASE_SIZES
    that works, 10.5 pt against the docx's 9; A4, the docx's grid, a footer 第 N 页 共 M 页): the second block
    runs from page 1 onto page 2 and the break cuts the row 文化志愿者培训人次 inside its 改进措施及结果应用方案 text
    and the block label 年度绩效目标2（40 | 分）; page 2 opens with 文艺培训人均成本 under the continuing 产出指标
    cell.  make_national_samples.make_pdf() looks for it (HB_COLUMNS), main() prints it.  Same expectation as
    the docx (source changed).

Conventions of the expected JSON: document_kind "form", stated_total and stated_grade null; names, targets
and actuals NFKC-folded with whitespace removed (Sichuan target = 指标性质 + 指标值 + 度量单位, qualitative
rows included: 定性 + 有效改善 → "定性有效改善"; Chongqing target = 指标性质 + (调整指标值 where filled, else
年初指标值) + 计量单位; Hubei target = 年初目标值(A) as printed; actuals as printed, no unit added); budget items
without 其中: (Hubei: 预算数(A) is full_year_budget, initial_budget and weight null; the 改进措施及结果应用方案 column
is no field of the record); execution_rate the
printed percentage as a number (null where blank or "/"); texts (reasons, sections) as written, paragraphs
→ newlines.  Texts use only 、 and 。 as punctuation, so that NFKC folding or not gives the same text, and
no narrative states a score or a grade.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no samples/__pycache__ (it would count as a file of the samples folder)

from make_national_samples import (  # noqa: E402
    SEVERITY, Columns, add_paragraph, add_rows, class_cells, describe_break, finish_docx, flag_records, fold,
    indicator_record, indicator_rows, make_pdf, merge, money_value, new_document, new_sheet, project_rows,
    rate_percent, rate_value, save_xlsx, sheet_title, table_rows_by_page)
from make_pdf_samples import squash  # noqa: E402
from sample_kit import emit, expected_record, print_written  # noqa: E402

FORM_SEVERITY = {**SEVERITY, "score_exceeds_weight": "error"}


def paras(text):
    """A cell text: str, or list of str = one Word paragraph each (expected: joined by newlines)."""
    return "\n".join(text) if isinstance(text, list) else text


def budget_record(item, initial, full, executed, rate, weight, reported, recomputed):
    """One budget line of an expected record (printed texts; blank and "/" → null)."""
    return {
        "item": item,
        "initial_budget": money_value(initial),
        "full_year_budget": money_value(full),
        "executed": money_value(executed),
        "execution_rate": rate_percent(rate),
        "weight": money_value(weight),
        "reported_score": money_value(reported),
        "recomputed_score": recomputed,
    }


def project_record(project: dict, year: int) -> dict:
    return {"name": project.get("name"), "year": year, "department": project.get("department"),
            "implementing_unit": project.get("implementing_unit")}


def form_record(source_path, fmt, template, scope, project, budget_lines, indicators, printed_total, total, sections,
                flags, **more) -> dict:
    """The expected record of a form (document_kind form, profile = template, no stated total or grade)."""
    return expected_record(source_path, fmt, template, template, "form", scope, project, budget_lines=budget_lines,
                           indicators=indicators, reported_total=float(printed_total),
                           recomputed_total=round(total, 6), sections=sections, flags=flags, **more)


def indicator_cells(t, first, rows, classes, values):
    """Indicator rows [(class index, row)] from table row first: values(row) in columns 3 on, and the 一级 and 二级
    cells merged down their rows."""
    for k, (_, ind) in enumerate(rows):
        for c, v in enumerate(values(ind), start=3):
            merge(t, first + k, c, first + k, c, v)
    for a, b, c, text in class_cells(rows, classes):
        merge(t, first + a, c, first + b, c, text)


def check_totals(where, total, hand_total, reported, printed_total, flags, tolerance=0.01):
    """The hand total is the sum of the hand values; the printed total is off the reported sum (by more than
    tolerance) exactly when a total_mismatch flag says so."""
    assert abs(total - hand_total) < 1e-6, (where, total)
    off = abs(reported - float(printed_total)) > tolerance
    assert off == (("total_mismatch", "total") in flags), (where, reported)


# ==========================================================================
# 1. 四川 部门预算项目支出绩效自评表 (2023年度), 报表编号 510000_0013zp
# ==========================================================================
# A budget row: SLine(item as printed, 年初预算, 调整后预算数, 预算执行数, 预算执行率, 权重, 得分, recomputed)
# An indicator row: SInd(二级, 三级, 指标性质, 指标值, 度量单位, 完成值, 权重, 得分, recomputed, 未完成原因分析,
#                        expected target)
# A class: (category, 一级 as printed, rows).  Everything printed is text here; the xlsx turns figures into numbers.


@dataclass
class SLine:
    item: str
    initial: str
    full: str
    executed: str
    rate: str
    weight: str
    reported: str
    recomputed: float | None


@dataclass
class SInd:
    sub: str
    name: str
    nature: str
    value: str
    unit: str
    actual: str
    weight: str
    reported: str
    recomputed: float
    reason: str | None
    target: str       # expected: 指标性质 + 指标值 + 度量单位, checked against the printed cells


SC_FILE = "sichuan-2023-nanbu-rural-road-maintenance"
SC_TITLE = "部门预算项目支出绩效自评表(2023年度)"
SC_CODE = "报表编号:510000_0013zp"
SC_YEAR = 2023  # from the title
SC_PROJECT = {
    "name": "51132124T000011572083-2023年农村公路养护补助资金项目",
    "department": "南部县交通运输局部门",           # the real form prints the 主管部门 with 部门 / 本级
    "implementing_unit": "南部县农村公路养护中心",
}
SC_GOAL = ("完成全县农村公路日常养护860公里、改造危桥12座、实施安全生命防护工程45公里。"
           "农村公路优良中等路率达到85%以上、确保农村公路安全畅通。")
SC_GOAL_DONE = ("全年完成农村公路日常养护860公里、危桥改造10座、安全生命防护工程45.6公里。"
                "农村公路优良中等路率达到86.2%。受汛期影响2座危桥改造结转至2024年实施。")
SC_PROCESS = [
    "2023年3月下达全县农村公路养护计划、5月完成危桥改造工程招标、6月至11月组织实施日常养护和安全生命防护工程。",
    "县交通运输局按月开展养护质量巡查、12月完成项目验收和资金支付。",
]
SC_CONCLUSION = ("项目按计划实施、农村公路日常养护和安全生命防护工程全面完成。"
                 "农村群众出行条件有效改善、危桥改造任务未全部完成。")
SC_PROBLEMS = [
    "1.受汛期影响2座危桥改造工程延期开工。",
    "2.部分乡镇养护机械化水平不高、吸纳当地劳动力务工未达到预期。",
]
SC_MEASURES = [
    "1.提前谋划汛前施工计划、确保结转危桥于2024年5月前完工。",
    "2.加大养护机械设备投入、推行群众参与的以工代赈养护模式。",
]
SC_BUDGET_REASON = "年中追加危桥改造资金60万元。2座危桥改造延至2024年实施、相应资金未支付。"
# The 原因 cell of the real form as published (its 填报说明); the xlsx prints it instead of a reason.
SC_BUDGET_NOTE = ("1.预算执行率=预算执行数/调整后预算数,预算执行率未达到90%的需说明原因(100字以内);"
                  "2.年中发生预算调整的(追加或调减),应单独说明理由;3.其他资金包括:社会投入资金、银行贷款.")
SC_SIGN = ("项目负责人：张建国", "财务负责人：李晓梅")

SC_BUDGET = [
    # 504 / 调整后 560 = 90 % (printed 90.00 %, right) → 10 × 0.9 = 9.0; the form prints 10, i.e. 504 / 年初 500
    # ≥ 100 % → score_mismatch 总额 (Δ 1)
    SLine("总额", "500.00", "560.00", "504.00", "90.00%", "10", "10", 9.0),
    # sub-rows: 500 + 0 + 0 = 500, 540 + 0 + 20 = 560, 486 + 0 + 18 = 504 (they add up to 总额)
    SLine("其中:财政资金", "500.00", "540.00", "486.00", "90.00%", "/", "/", None),
    SLine("财政专户管理资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", None),
    SLine("单位资金", "0.00", "20.00", "18.00", "90.00%", "/", "/", None),
    SLine("其他资金", "", "", "", "", "/", "/", None),  # blank as in the real form
]

SC_CLASSES = [
    ("产出", "产出指标", [
        # r = 860/860 = 100 % exactly → 8
        SInd("数量指标", "农村公路日常养护里程", "≥", "860", "公里", "860", "8", "8", 8.0, None, "≥860公里"),
        # 10 < 12 → 8 × 10/12 = 6.666667; reported 8 (full) → score_mismatch (Δ 1.33); reason present
        SInd("数量指标", "危桥改造数量", "≥", "12", "座", "10", "8", "8", 8 * 10 / 12,
             "受汛期影响2座危桥改造工程延期开工。已结转至2024年5月前完工。", "≥12座"),
        # r = 45.6/45 = 101.3 % → 6
        SInd("数量指标", "安全生命防护工程实施里程", "≥", "45", "公里", "45.6", "6", "6", 6.0, None, "≥45公里"),
        # r = 86.2/85 = 101.4 % → 6
        SInd("质量指标", "农村公路优良中等路率", "≥", "85", "%", "86.2", "6", "6", 6.0, None, "≥85%"),
        # r = 100/100 = 100 % exactly → 6
        SInd("质量指标", "养护工程验收合格率", "=", "100", "%", "100", "6", "6", 6.0, None, "=100%"),
        # 86 < 95 → 6 × 86/95 = 5.431579; reported 5.43 (Δ 0.0016) → no flag; reason present
        SInd("时效指标", "养护工程按期完工率", "≥", "95", "%", "86", "6", "5.43", 6 * 86 / 95,
             "2座危桥及3段防护工程因汛期停工延期完工。下年度提前安排汛前施工计划。", "≥95%"),
    ]),
    # 成本指标 printed at the 一级 level (the 2021 common framework the real Sichuan forms use): category 成本
    ("成本", "成本指标", [
        # reverse met: 0.33 ≤ 0.35 → 5
        SInd("经济成本指标", "农村公路日常养护单位成本", "≤", "0.35", "万元/公里", "0.33", "5", "5", 5.0, None,
             "≤0.35万元/公里"),
        # reverse missed: ratio 5 × 25/28 = 4.464286, linear 5 × (1 − 3/25) = 4.40; reported 4.40 → linear
        # (Δ 0; ratio Δ 0.064 > 0.05) → 4.4, no flag; reason present
        SInd("经济成本指标", "危桥改造单座成本", "≤", "25", "万元/座", "28", "5", "4.4", 4.4,
             "钢材和混凝土价格上涨、2座危桥加固方案变更。下年度实行限额设计。", "≤25万元/座"),
    ]),
    ("效益", "效益指标", [
        # 达成 band [8, 10]: 10 inside → 10
        SInd("社会效益指标", "农村群众出行条件", "定性", "有效改善", "", "达成年度指标", "10", "10", 10.0, None,
             "定性有效改善"),
        # 部分达成 band [6, 8): reported 9 is outside → nearest edge 8 − 0.01 = 7.99 → score_mismatch; reason present
        SInd("社会效益指标", "农村公路安全通行保障水平", "定性", "明显提升", "", "部分达成年度指标并具有一定效果",
             "10", "9", 7.99, "2座危桥未完成改造、相关路段仍实行限载通行。下年度汛前完成改造。", "定性明显提升"),
        # 260 < 300 → 5 × 260/300 = 4.333333; reported 4.33 (Δ 0.0033) → no mismatch, but no 未完成原因分析
        # → missing_deviation_reason
        SInd("经济效益指标", "吸纳沿线农村劳动力务工人次", "≥", "300", "人次", "260", "5", "4.33", 5 * 260 / 300,
             None, "≥300人次"),
        # 达成 band [4, 5]: 5 inside → 5
        SInd("可持续影响指标", "农村公路管护长效机制", "定性", "健全", "", "达成年度指标", "5", "5", 5.0, None,
             "定性健全"),
    ]),
    ("满意度", "满意度指标", [
        # r = 93/90 = 103.3 % → 10
        SInd("服务对象满意度指标", "沿线群众满意度", "≥", "90", "%", "93", "10", "10", 10.0, None, "≥90%"),
    ]),
]
# weights: budget 10 + 产出 (8+8+6+6+6+6 = 40) + 成本 (5+5 = 10) + 效益 (10+10+5+5 = 30) + 满意度 10 = 100
SC_WEIGHT_TOTAL = "100"
# reported: 10 + 产出 (8+8+6+6+6+5.43 = 39.43) + 成本 (5+4.4 = 9.4) + 效益 (10+9+4.33+5 = 28.33) + 10 = 97.16;
# the form prints 98.16 → total_mismatch
SC_TOTAL_PRINTED = "98.16"
# 9 + 产出 (8 + 6.666667 + 6 + 6 + 6 + 5.431579 = 38.098246) + 成本 (5 + 4.4 = 9.4)
#   + 效益 (10 + 7.99 + 4.333333 + 5 = 27.323333) + 满意度 10 = 93.821579
SC_RECOMPUTED_TOTAL = 93.821578947
SC_FLAGS = [
    ("score_mismatch", "总额"),
    ("score_mismatch", "危桥改造数量"),
    ("full_score_despite_shortfall", "危桥改造数量"),  # 10 of ≥12座 given its full 8
    ("score_mismatch", "农村公路安全通行保障水平"),
    ("missing_deviation_reason", "吸纳沿线农村劳动力务工人次"),
    ("total_mismatch", "total"),
]

# 11 columns: label | 一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析
SC_GRID = [800, 700, 800, 1400, 800, 850, 850, 900, 700, 700, 1138]
SC_COL_CLASS, SC_COL_SUB, SC_COL_NAME, SC_COL_WEIGHT = 1, 2, 3, 8


def build_sichuan_docx(path: Path):
    doc = new_document("部门预算项目支出绩效自评表")
    add_paragraph(doc, SC_CODE, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_paragraph(doc, SC_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=16)
    t = doc.add_table(rows=0, cols=11)
    t.style = "Table Grid"
    last = 10
    project_rows(t, SC_PROJECT, label_to=0, unit_at=5, last=last)
    # 项目基本情况
    r = add_rows(t, 3)
    merge(t, r, 0, r + 2, 0, "项目基本情况")
    merge(t, r, 1, r + 1, 2, "1.项目年度目标完成情况")
    merge(t, r, 3, r, 6, "项目年度目标")
    merge(t, r, 7, r, last, "年度目标完成情况")
    merge(t, r + 1, 3, r + 1, 6, SC_GOAL)
    merge(t, r + 1, 7, r + 1, last, SC_GOAL_DONE)
    merge(t, r + 2, 1, r + 2, 2, "2.项目实施内容及过程概述")
    merge(t, r + 2, 3, r + 2, last, SC_PROCESS)
    # 预算执行情况(10分)
    cols = [(1, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 8)]
    r = add_rows(t, 1 + len(SC_BUDGET))
    merge(t, r, 0, r + len(SC_BUDGET), 0, "预算执行情况(10分)")
    for (c1, c2), h in zip(cols, ("年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分")):
        merge(t, r, c1, r, c2, h)
    merge(t, r, 9, r, last, "原因")
    for k, line in enumerate(SC_BUDGET, start=1):
        for (c1, c2), v in zip(cols, (line.item, line.initial, line.full, line.executed, line.rate, line.weight,
                                      line.reported)):
            merge(t, r + k, c1, r + k, c2, v)
    merge(t, r + 1, 9, r + len(SC_BUDGET), last, SC_BUDGET_REASON)
    # 绩效指标(90分)
    rows = indicator_rows(SC_CLASSES)
    r = add_rows(t, 1 + len(rows))
    merge(t, r, 0, r + len(rows), 0, "绩效指标(90分)")
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
                           "未完成原因分析"), start=1):
        merge(t, r, c, r, c, h)
    indicator_cells(t, r + 1, rows, SC_CLASSES, lambda ind: (ind.name, ind.nature, ind.value, ind.unit, ind.actual,
                                                             ind.weight, ind.reported, ind.reason or ""))
    # 合计, 评价结论, 存在问题, 改进措施, 负责人
    r = add_rows(t, 5)
    merge(t, r, 0, r, 7, "合计")
    merge(t, r, 8, r, 8, SC_WEIGHT_TOTAL)
    merge(t, r, 9, r, 9, SC_TOTAL_PRINTED)
    merge(t, r, 10, r, 10, "")
    for k, (label, text) in enumerate((("评价结论", SC_CONCLUSION), ("存在问题", SC_PROBLEMS),
                                       ("改进措施", SC_MEASURES)), start=1):
        merge(t, r + k, 0, r + k, 0, label)
        merge(t, r + k, 1, r + k, last, text)
    merge(t, r + 4, 0, r + 4, 5, SC_SIGN[0])
    merge(t, r + 4, 6, r + 4, last, SC_SIGN[1])
    finish_docx(doc, path, [SC_GRID])


def _num(text: str):
    """A printed figure as a number for the xlsx (None for a blank cell, text such as "/" kept)."""
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def sheet_project_rows(put, project, unit_label: str, last: int):
    """Rows 3 and 4 of the Sichuan and Hubei sheets: 项目名称 | name; 主管部门 | department | unit_label | unit."""
    put(3, 1, 1, "项目名称")
    put(3, 2, last, project["name"], left=True)
    put(4, 1, 1, "主管部门")
    put(4, 2, 5, project["department"])
    put(4, 6, 7, unit_label)
    put(4, 8, last, project["implementing_unit"])


def build_sichuan_xlsx(path: Path):
    """The Sichuan form in one worksheet (指标性质 "=" stored as text, not a formula)."""
    wb, ws, put = new_sheet("部门预算项目支出绩效自评表", (12, 10, 12, 20, 8, 9, 10, 12, 8, 9, 22))
    sheet_title(ws, "A1:K1", SC_CODE, bold=False, align="right", vertical=None)
    sheet_title(ws, "A2:K2", SC_TITLE, wrap=True)
    sheet_project_rows(put, SC_PROJECT, "实施单位(盖章)", 11)
    # 项目基本情况: rows 5–7
    put(5, 1, 1, "项目基本情况", r2=7)
    put(5, 2, 3, "1.项目年度目标完成情况", r2=6)
    put(5, 4, 7, "项目年度目标")
    put(5, 8, 11, "年度目标完成情况")
    put(6, 4, 7, SC_GOAL, left=True)
    put(6, 8, 11, SC_GOAL_DONE, left=True)
    put(7, 2, 3, "2.项目实施内容及过程概述")
    put(7, 4, 11, paras(SC_PROCESS), left=True)
    ws.row_dimensions[6].height = 80
    ws.row_dimensions[7].height = 48
    # 预算执行情况(10分): rows 8–13
    put(8, 1, 1, "预算执行情况(10分)", r2=8 + len(SC_BUDGET))
    put(8, 2, 3, "年度预算数(万元)")
    for c, h in enumerate(("年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"), start=4):
        put(8, c, c, h)
    put(8, 10, 11, "原因")
    for k, line in enumerate(SC_BUDGET, start=9):
        put(k, 2, 3, line.item)
        for c, text in zip((4, 5, 6), (line.initial, line.full, line.executed)):
            put(k, c, c, _num(text), "0.00")
        put(k, 7, 7, rate_value(line.rate), "0.00%")
        put(k, 8, 8, _num(line.weight))
        put(k, 9, 9, _num(line.reported))
    put(9, 10, 11, SC_BUDGET_NOTE, r2=8 + len(SC_BUDGET), left=True)
    # 绩效指标(90分) from row 14
    rows = indicator_rows(SC_CLASSES)
    head = 9 + len(SC_BUDGET)
    put(head, 1, 1, "绩效指标(90分)", r2=head + len(rows))
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
                           "未完成原因分析"), start=2):
        put(head, c, c, h)
    first = head + 1
    for k, (_, ind) in enumerate(rows):
        r = first + k
        put(r, 4, 4, ind.name)
        put(r, 5, 5, ind.nature)
        put(r, 6, 6, _num(ind.value))
        put(r, 7, 7, ind.unit)
        put(r, 8, 8, _num(ind.actual))
        put(r, 9, 9, _num(ind.weight))
        put(r, 10, 10, _num(ind.reported))
        put(r, 11, 11, ind.reason or "", left=True)
    for a, b, c, text in class_cells(rows, SC_CLASSES):
        put(first + a, c + 1, c + 1, text, r2=first + b)
    r = first + len(rows)
    put(r, 1, 8, "合计")
    put(r, 9, 9, float(SC_WEIGHT_TOTAL))
    put(r, 10, 10, float(SC_TOTAL_PRINTED))
    put(r, 11, 11, "")
    for k, (label, text) in enumerate((("评价结论", SC_CONCLUSION), ("存在问题", SC_PROBLEMS),
                                       ("改进措施", SC_MEASURES)), start=1):
        put(r + k, 1, 1, label)
        put(r + k, 2, 11, paras(text), left=True)
        ws.row_dimensions[r + k].height = 36
    put(r + 4, 1, 6, SC_SIGN[0], left=True)
    put(r + 4, 7, 11, SC_SIGN[1], left=True)
    save_xlsx(wb, path)


def sichuan_expected(source_path: str, fmt: str) -> dict:
    budget_lines = [budget_record(line.item.removeprefix("其中:"), line.initial, line.full, line.executed, line.rate,
                                  line.weight, line.reported, line.recomputed) for line in SC_BUDGET]
    indicators = []
    for category, label, rows in SC_CLASSES:
        assert fold(label) == category + "指标", label
        for ind in rows:
            assert ind.target == fold(ind.nature + ind.value + ind.unit), ind.target
            assert ind.name == fold(ind.name) and ind.actual == fold(ind.actual), ind.name
            indicators.append(indicator_record(category, None, ind.sub, ind.name, ind.target, ind.weight, ind.actual,
                                               ind.reported, ind.recomputed, ind.reason))
    total = SC_BUDGET[0].recomputed + sum(i["recomputed_score"] for i in indicators)
    # the printed sums behind the flags
    reported = float(SC_BUDGET[0].reported) + sum(i["reported_score"] for i in indicators)
    weights = float(SC_BUDGET[0].weight) + sum(i["weight"] for i in indicators)
    assert abs(weights - float(SC_WEIGHT_TOTAL)) < 1e-9 and abs(weights - 100) < 1e-9, weights
    check_totals("sichuan", total, SC_RECOMPUTED_TOTAL, reported, SC_TOTAL_PRINTED, SC_FLAGS)
    sections = {"年度总体目标": SC_GOAL, "总体目标完成情况": SC_GOAL_DONE, "项目实施情况": paras(SC_PROCESS),
                "自评结论": SC_CONCLUSION, "存在问题": paras(SC_PROBLEMS), "建议": paras(SC_MEASURES)}
    return form_record(source_path, fmt, "sichuan-2023", "project", project_record(SC_PROJECT, SC_YEAR), budget_lines,
                       indicators, SC_TOTAL_PRINTED, total, sections, flag_records(SC_FLAGS, FORM_SEVERITY))


# --------------------------------------------------------------------------
# The PDF: the Sichuan docx printed larger, the indicator table across a page break
# --------------------------------------------------------------------------
PDF_NAME = f"{SC_FILE}-table-across-pages.pdf"
PDF_FAMILY = "AR PL UMing CN"
# Base font sizes (half-points) tried in turn; the first that puts a page break inside an indicator row (its
# text continued on the next page, not cut after a 。) whose 一级 class goes on below the break is kept.  With
# LibreOffice 7.4.7 and AR PL UMing CN the first one (9.5 pt, the docx has 9) cuts 农村公路安全通行保障水平:
# its 完成值 (部分达成年度 | 指标并具有一定效果) and 未完成原因分析 go on at the top of page 2, whose next row
# 吸纳沿线农村劳动力务工人次 has an empty 一级 cell (效益指标 continues).
PDF_BASE_SIZES = [19, 20, 21, 22, 23, 24]
# the cells of an indicator row in the PDF's table rows: 一级, 三级, 权重, 未完成原因分析 of the 11 columns
SC_COLUMNS = Columns(width=11, cls=SC_COL_CLASS, name=SC_COL_NAME, weight=SC_COL_WEIGHT, reason=10)


# ==========================================================================
# 2. 重庆 部门整体绩效自评表 (2022年度)
# ==========================================================================
# A row: CInd(指标名称, 计量单位, 指标性质, 年初指标值, 调整指标值, 全年完成值, 得分系数(%), 指标权重(分),
#             指标得分(分), 是否核心指标, recomputed, expected target)


@dataclass
class CInd:
    name: str
    unit: str
    nature: str
    initial: str
    adjusted: str
    actual: str
    coefficient: str
    weight: str
    reported: str
    core: str
    recomputed: float
    target: str


CQ_FILE = "chongqing-department-2022-bishan-agriculture.docx"
CQ_TITLE = "2022年度部门整体绩效自评表"
CQ_YEAR = 2022
CQ_DEPARTMENT = "重庆市璧山区农业农村委员会"
CQ_FINANCE_OFFICE = "农业科"
CQ_TOTAL_PRINTED = "97.43"
# 部门预算执行情况: 年初预算数 | 全年(调整)预算数 | 全年执行数 | 执行率(%) | 执行率权重 | 执行率得分(分)
# 8234.80 / 8650.00 = 0.952 → printed 95.20 (right); 10 × 0.952 = 9.52, the form prints 10 → score_mismatch
CQ_BUDGET = ("8200.00", "8650.00", "8234.80", "95.20", "10", "10")
CQ_BUDGET_RECOMPUTED = 9.52
CQ_GOAL_INITIAL = ("新建高标准农田3.5万亩、稳定粮食播种面积145万亩以上。"
                   "培育农业产业化龙头企业20家、农村人居环境整治覆盖90%以上行政村。"
                   "确保农产品质量安全和重大动物疫情防控形势稳定。")
CQ_GOAL_ADJUSTED = ("年中调整部分目标。粮食播种面积调整为142万亩、龙头企业培育数量调整为18家、"
                    "农村人居环境整治村覆盖率调整为85%。其余目标不变。")
CQ_GOAL_DONE = [
    "全年新建高标准农田3.62万亩、粮食播种面积142.6万亩、农作物耕种收综合机械化率53.1%。",
    "新培育农业产业化龙头企业16家、农村人居环境整治村覆盖率86%、未发生区域性重大动物疫情。",
]
CQ_ROWS = [
    # coefficient 100 % × 10 = 10 = reported
    CInd("新建高标准农田面积", "万亩", "≥", "3.5", "", "3.62", "100", "10", "10", "是", 10.0, "≥3.5万亩"),
    CInd("农作物耕种收综合机械化率", "%", "≥", "52", "", "53.1", "100", "8", "8", "否", 8.0, "≥52%"),
    # 调整指标值 142 filled → target ≥142万亩 (not the 年初 145); 100 % × 10 = 10
    CInd("粮食播种面积", "万亩", "≥", "145", "142", "142.6", "100", "10", "10", "是", 10.0, "≥142万亩"),
    # 调整指标值 85 filled → target ≥85%; 100 % × 8 = 8
    CInd("农村人居环境整治村覆盖率", "%", "≥", "90", "85", "86", "100", "8", "8", "否", 8.0, "≥85%"),
    CInd("动物疫病强制免疫密度", "%", "≥", "90", "", "92.5", "100", "8", "8", "否", 8.0, "≥90%"),
    # 95 % × 10 = 9.5 = reported → no flag
    CInd("农产品质量安全例行监测合格率", "%", "≥", "98", "", "97.6", "95", "10", "9.5", "是", 9.5, "≥98%"),
    # 调整指标值 18 filled → target ≥18家; 80 % × 8 = 6.4, the form prints 7.2 → score_mismatch (Δ 0.8)
    CInd("农业产业化龙头企业培育数量", "家", "≥", "20", "18", "16", "80", "8", "7.2", "否", 6.4, "≥18家"),
    # reverse, 100 % × 8 = 8
    CInd("三公经费支出控制数", "万元", "≤", "86", "", "79.4", "100", "8", "8", "否", 8.0, "≤86万元"),
    CInd("农村土地承包经营纠纷调处率", "%", "≥", "95", "", "96.3", "100", "8", "8", "否", 8.0, "≥95%"),
    # 97.78 % × 12 = 11.7336; reported 11.73 (Δ 0.0036) → no flag
    CInd("服务对象满意度", "%", "≥", "90", "", "88", "97.78", "12", "11.73", "是", 0.9778 * 12, "≥90%"),
]
# weights: 执行率权重 10 + (10+8+10+8+8+10+8+8+8+12 = 90) = 100
# reported: 10 + (10+8+10+8+8+9.5+7.2+8+8+11.73 = 88.43) = 98.43; 自评总分 97.43 → total_mismatch (Δ 1)
# recomputed: 9.52 + (10+8+10+8+8+9.5+6.4+8+8+11.7336 = 87.6336) = 97.1536
CQ_RECOMPUTED_TOTAL = 97.1536
CQ_FLAGS = [
    ("score_mismatch", "部门预算执行情况"),
    ("score_mismatch", "农业产业化龙头企业培育数量"),
    ("total_mismatch", "total"),
]
# 10 columns: 指标名称 | 计量单位 | 指标性质 | 年初指标值 | 调整指标值 | 全年完成值 | 得分系数(%) | 指标权重(分) |
#             指标得分(分) | 是否核心指标
CQ_GRID = [1900, 700, 700, 900, 900, 900, 900, 900, 900, 938]


def build_chongqing_docx(path: Path):
    doc = new_document("部门整体绩效自评表")
    add_paragraph(doc, CQ_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=16)
    add_paragraph(doc, "金额单位：万元", align=WD_ALIGN_PARAGRAPH.RIGHT)
    t = doc.add_table(rows=0, cols=10)
    t.style = "Table Grid"
    r = add_rows(t, 1)
    merge(t, r, 0, r, 0, "主管部门")
    merge(t, r, 1, r, 3, CQ_DEPARTMENT)
    merge(t, r, 4, r, 4, "财政处室")
    merge(t, r, 5, r, 6, CQ_FINANCE_OFFICE)
    merge(t, r, 7, r, 8, "自评总分(分)")
    merge(t, r, 9, r, 9, CQ_TOTAL_PRINTED)
    cols = [(1, 2), (3, 4), (5, 6), (7, 7), (8, 8), (9, 9)]
    r = add_rows(t, 2)
    merge(t, r, 0, r + 1, 0, "部门预算执行情况")
    for (c1, c2), h in zip(cols, ("年初预算数", "全年(调整)预算数", "全年执行数", "执行率(%)", "执行率权重", "执行率得分(分)")):
        merge(t, r, c1, r, c2, h)
    for (c1, c2), v in zip(cols, CQ_BUDGET):
        merge(t, r + 1, c1, r + 1, c2, v)
    r = add_rows(t, 3)
    merge(t, r, 0, r + 2, 0, "当年绩效目标")
    for k, (label, text) in enumerate((("年初绩效目标", CQ_GOAL_INITIAL), ("全年(调整)绩效目标", CQ_GOAL_ADJUSTED),
                                       ("全年目标实际完成情况", CQ_GOAL_DONE))):
        merge(t, r + k, 1, r + k, 2, label)
        merge(t, r + k, 3, r + k, 9, text)
    r = add_rows(t, 1 + len(CQ_ROWS))
    for c, h in enumerate(("指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值", "得分系数(%)",
                           "指标权重(分)", "指标得分(分)", "是否核心指标")):
        merge(t, r, c, r, c, h)
    for k, ind in enumerate(CQ_ROWS, start=1):
        for c, v in enumerate((ind.name, ind.unit, ind.nature, ind.initial, ind.adjusted, ind.actual,
                               ind.coefficient, ind.weight, ind.reported, ind.core)):
            merge(t, r + k, c, r + k, c, v)
    add_paragraph(doc, "填表人：周敏    联系电话：023-41425678    填报日期：2023年3月20日")
    finish_docx(doc, path, [CQ_GRID])


def chongqing_expected(source_path: str = CQ_FILE, fmt: str = "docx") -> dict:
    initial, full, executed, rate, weight, reported = CQ_BUDGET
    indicators = []
    for ind in CQ_ROWS:
        value = ind.adjusted or ind.initial
        assert ind.target == fold(ind.nature + value + ind.unit), ind.target
        assert ind.name == fold(ind.name) and ind.actual == fold(ind.actual), ind.name
        indicators.append(indicator_record(None, None, None, ind.name, ind.target, ind.weight, ind.actual, ind.reported,
                                           ind.recomputed, None, score_coefficient=float(ind.coefficient)))
    total = CQ_BUDGET_RECOMPUTED + sum(i["recomputed_score"] for i in indicators)
    summed = float(reported) + sum(i["reported_score"] for i in indicators)
    check_totals("chongqing", total, CQ_RECOMPUTED_TOTAL, summed, CQ_TOTAL_PRINTED, CQ_FLAGS, tolerance=0.05)
    assert abs(float(weight) + sum(i["weight"] for i in indicators) - 100) < 1e-9
    budget = budget_record("部门预算执行情况", initial, full, executed, rate, weight, reported, CQ_BUDGET_RECOMPUTED)
    sections = {"年度绩效目标": CQ_GOAL_INITIAL, "总体目标完成情况": paras(CQ_GOAL_DONE)}
    return form_record(source_path, fmt, "chongqing-department", "department",
                       project_record({"department": CQ_DEPARTMENT}, CQ_YEAR), [budget], indicators, CQ_TOTAL_PRINTED,
                       total, sections, flag_records(CQ_FLAGS, FORM_SEVERITY),
                       sections_other=[{"heading": "全年(调整)绩效目标", "text": CQ_GOAL_ADJUSTED}])


# ==========================================================================
# 3. generic: 宜春市市级项目绩效自评情况表 (a form no description names)
# ==========================================================================
# A row: GInd(序号, 指标类别 as printed, 指标内容, 预期目标, 实际完成, 分值, 评分, 说明, recomputed, category)


@dataclass
class GInd:
    no: str
    cls: str
    name: str
    target: str
    actual: str
    weight: str
    reported: str
    note: str | None
    recomputed: float
    category: str


GE_FILE = "generic-2022-yichun-public-toilets.docx"
GE_TITLE = "宜春市市级项目绩效自评情况表"
GE_PROJECT = {"name": "城区公共厕所提档升级改造项目", "department": "宜春市城市管理局"}
GE_YEAR = "2022"
GE_ROWS = [
    # 42 ≥ 40 → 10
    GInd("1", "产出指标", "新建改造公厕数量", "≥40座", "42座", "10", "10", None, 10.0, "产出"),
    # no operator = positive: 100 ≥ 100 → 10
    GInd("2", "产出指标", "公厕改造验收合格率", "100%", "100%", "10", "10", None, 10.0, "产出"),
    # 36 < 40 → 10 × 36/40 = 9 = reported
    GInd("3", "产出指标", "智能管理系统接入座数", "≥40座", "36座", "10", "9", "4座公厕所在区域网络未覆盖、暂未接入。",
         9.0, "产出"),
    # reverse met: 24.6 ≤ 25 → 10
    GInd("4", "产出指标", "单座改造成本", "≤25万元", "24.6万元", "10", "10", None, 10.0, "产出"),
    # 96.5 < 100 → 10 × 0.965 = 9.65 = reported
    GInd("5", "产出指标", "项目资金支付率", "=100%", "96.5%", "10", "9.65", "部分工程尾款待审计结算后支付。", 9.65, "产出"),
    # 96 ≥ 95 → 10; reported 12 > 分值 10 → score_exceeds_weight, and score_mismatch (Δ 2)
    GInd("6", "效益指标", "公厕保洁达标率", "≥95%", "96%", "10", "12", None, 10.0, "效益"),
    # qualitative: reported 9 in [0, 10] → 9
    GInd("7", "效益指标", "群众如厕环境", "明显改善", "明显改善", "10", "9", "老城区部分公厕受场地限制未增设第三卫生间。",
         9.0, "效益"),
    # 280 < 300 → 10 × 280/300 = 9.333333; reported 9.33 (Δ 0.0033) → no flag
    GInd("8", "效益指标", "公厕日均服务人次", "≥300人次", "280人次", "10", "9.33", "2座公厕因周边道路施工临时关闭1个月。",
         10 * 280 / 300, "效益"),
    # 评分 empty → missing_value; the rule still gives 93 ≥ 90 → 10
    GInd("9", "效益指标", "故障报修处理及时率", "≥90%", "93%", "10", "", None, 10.0, "效益"),
    # 92 ≥ 90 → 10
    GInd("10", "满意度指标", "群众满意度", "≥90%", "92%", "10", "10", None, 10.0, "满意度"),
]
# reported: 10+10+9+10+9.65+12+9+9.33+(empty)+10 = 88.98 = 总分 → no total_mismatch
GE_TOTAL_PRINTED = "88.98"
# recomputed: 10+10+9+10+9.65+10+9+9.333333+10+10 = 96.983333
GE_RECOMPUTED_TOTAL = 96.983333333
GE_FLAGS = [
    ("score_exceeds_weight", "公厕保洁达标率"),
    ("score_mismatch", "公厕保洁达标率"),
    ("missing_value", "故障报修处理及时率"),
]
# 8 columns: 序号 | 指标类别 | 指标内容 | 预期目标 | 实际完成 | 分值 | 评分 | 说明
GE_GRID = [600, 1100, 2000, 1200, 1200, 700, 800, 2038]


def build_generic_docx(path: Path):
    doc = new_document(GE_TITLE)
    add_paragraph(doc, GE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=16)
    t = doc.add_table(rows=0, cols=8)
    t.style = "Table Grid"
    r = add_rows(t, 2)
    merge(t, r, 0, r, 1, "项目名称")
    merge(t, r, 2, r, 7, GE_PROJECT["name"])
    merge(t, r + 1, 0, r + 1, 1, "项目单位")
    merge(t, r + 1, 2, r + 1, 4, GE_PROJECT["department"])
    merge(t, r + 1, 5, r + 1, 5, "年度")
    merge(t, r + 1, 6, r + 1, 7, GE_YEAR)
    r = add_rows(t, 1 + len(GE_ROWS))
    for c, h in enumerate(("序号", "指标类别", "指标内容", "预期目标", "实际完成", "分值", "评分", "说明")):
        merge(t, r, c, r, c, h)
    for k, ind in enumerate(GE_ROWS, start=1):
        for c, v in enumerate((ind.no, ind.cls, ind.name, ind.target, ind.actual, ind.weight, ind.reported,
                               ind.note or "")):
            merge(t, r + k, c, r + k, c, v)
    r = add_rows(t, 1)
    merge(t, r, 0, r, 4, "总分")
    merge(t, r, 5, r, 5, "100")
    merge(t, r, 6, r, 6, GE_TOTAL_PRINTED)
    merge(t, r, 7, r, 7, "")
    add_paragraph(doc, "填报单位（盖章）：宜春市城市管理局")
    finish_docx(doc, path, [GE_GRID])


def generic_expected(source_path: str = GE_FILE, fmt: str = "docx") -> dict:
    indicators = []
    for ind in GE_ROWS:
        assert fold(ind.cls) == ind.category + "指标", ind.cls
        for s in (ind.name, ind.target, ind.actual):
            assert s == fold(s), s
        indicators.append(indicator_record(ind.category, None, None, ind.name, ind.target, ind.weight, ind.actual,
                                           ind.reported, ind.recomputed, ind.note))
    total = sum(i["recomputed_score"] for i in indicators)
    summed = sum(i["reported_score"] for i in indicators if i["reported_score"] is not None)
    check_totals("generic", total, GE_RECOMPUTED_TOTAL, summed, GE_TOTAL_PRINTED, GE_FLAGS)
    over = {i["name"] for i in indicators if i["reported_score"] is not None and i["reported_score"] > i["weight"]}
    assert over == {s for c, s in GE_FLAGS if c == "score_exceeds_weight"}, over
    unscored = {i["name"] for i in indicators if i["reported_score"] is None}
    assert unscored == {s for c, s in GE_FLAGS if c == "missing_value"}, unscored
    return form_record(source_path, fmt, "generic", "project", project_record(GE_PROJECT, int(GE_YEAR)), None,
                       indicators, GE_TOTAL_PRINTED, total, {},
                       flag_records(GE_FLAGS, FORM_SEVERITY, rule_confidence="low"))


# --------------------------------------------------------------------------
# The Chongqing and generic forms as .xlsx (one worksheet, the Word grid as columns A–J / A–H)
# --------------------------------------------------------------------------
CQ_XLSX = CQ_FILE.removesuffix(".docx") + ".xlsx"
GE_XLSX = GE_FILE.removesuffix(".docx") + ".xlsx"


def build_chongqing_xlsx(path: Path):
    """The Chongqing docx as one worksheet: figures as numbers (amounts and 执行率(%) formatted 0.00, the
    coefficients, weights and scores General), 自评总分 a number, 调整指标值 blank where the docx is blank, no
    填表人 line."""
    wb, ws, put = new_sheet("部门整体绩效自评表", (24, 9, 9, 11, 11, 11, 11, 11, 11, 11))
    sheet_title(ws, "A1:J1", CQ_TITLE)
    sheet_title(ws, "A2:J2", "金额单位：万元", bold=False, align="right")
    put(3, 1, 1, "主管部门")
    put(3, 2, 4, CQ_DEPARTMENT)
    put(3, 5, 5, "财政处室")
    put(3, 6, 7, CQ_FINANCE_OFFICE)
    put(3, 8, 9, "自评总分(分)")
    put(3, 10, 10, float(CQ_TOTAL_PRINTED), "0.00")
    cols = [(2, 3), (4, 5), (6, 7), (8, 8), (9, 9), (10, 10)]
    put(4, 1, 1, "部门预算执行情况", r2=5)
    for (c1, c2), h in zip(cols, ("年初预算数", "全年(调整)预算数", "全年执行数", "执行率(%)", "执行率权重", "执行率得分(分)")):
        put(4, c1, c2, h)
    for (c1, c2), v, fmt in zip(cols, CQ_BUDGET, ("0.00", "0.00", "0.00", "0.00", None, None)):
        put(5, c1, c2, float(v), fmt)
    put(6, 1, 1, "当年绩效目标", r2=8)
    for k, (label, text) in enumerate((("年初绩效目标", CQ_GOAL_INITIAL), ("全年(调整)绩效目标", CQ_GOAL_ADJUSTED),
                                       ("全年目标实际完成情况", CQ_GOAL_DONE))):
        put(6 + k, 2, 3, label)
        put(6 + k, 4, 10, paras(text), left=True)
        ws.row_dimensions[6 + k].height = 48
    for c, h in enumerate(("指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值", "得分系数(%)",
                           "指标权重(分)", "指标得分(分)", "是否核心指标"), start=1):
        put(9, c, c, h)
    for r, ind in enumerate(CQ_ROWS, start=10):
        for c, v in enumerate((ind.name, ind.unit, ind.nature, _num(ind.initial), _num(ind.adjusted), _num(ind.actual),
                               _num(ind.coefficient), _num(ind.weight), _num(ind.reported), ind.core), start=1):
            put(r, c, c, v, left=(c == 1))
    # No 填表人 line under the table (the docx prints one as a paragraph): the form has no total row to end the
    # indicator table, and a line merged across A–J below it would be read as one more indicator row.
    save_xlsx(wb, path)


def check_chongqing_xlsx(path: Path, exp: dict):
    text, ws = xlsx_texts(path)
    check_labels(path.name, text, CQ_LABELS)
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:J1", "A4:A5", "A6:A8", "D6:J6"} <= merged, merged
    assert ws["J3"].value == float(CQ_TOTAL_PRINTED) and ws["B5"].value == 8200.0 and ws["B5"].number_format == "0.00"
    assert ws["H5"].value == 95.2 and ws["D10"].value == 3.5 and ws["E10"].value is None and ws["E12"].value == 142.0
    names = [ws.cell(r, 1).value for r in range(10, 10 + len(CQ_ROWS))]
    assert names == [i["name"] for i in exp["indicators"]], names


def build_generic_xlsx(path: Path):
    """The 宜春 docx as one worksheet: 序号, 分值, 评分, 总分 and 年度 as numbers, the empty 评分 an empty cell, and
    公厕改造验收合格率's 100% / 100% as the fraction 1 formatted 0% (the other targets and actuals text)."""
    wb, ws, put = new_sheet("项目绩效自评情况表", (6, 11, 22, 12, 12, 7, 8, 26))
    sheet_title(ws, "A1:H1", GE_TITLE)
    put(2, 1, 2, "项目名称")
    put(2, 3, 8, GE_PROJECT["name"])
    put(3, 1, 2, "项目单位")
    put(3, 3, 5, GE_PROJECT["department"])
    put(3, 6, 6, "年度")
    put(3, 7, 8, int(GE_YEAR))
    for c, h in enumerate(("序号", "指标类别", "指标内容", "预期目标", "实际完成", "分值", "评分", "说明"), start=1):
        put(4, c, c, h)

    def figure_or_text(text):
        return (1.0, "0%") if text == "100%" else (text, None)

    for r, ind in enumerate(GE_ROWS, start=5):
        put(r, 1, 1, int(ind.no))
        put(r, 2, 2, ind.cls)
        put(r, 3, 3, ind.name, left=True)
        put(r, 4, 4, *figure_or_text(ind.target))
        put(r, 5, 5, *figure_or_text(ind.actual))
        put(r, 6, 6, _num(ind.weight))
        put(r, 7, 7, _num(ind.reported))
        put(r, 8, 8, ind.note or "", left=True)
    r = 5 + len(GE_ROWS)
    put(r, 1, 5, "总分")
    put(r, 6, 6, 100.0)
    put(r, 7, 7, float(GE_TOTAL_PRINTED))
    put(r, 8, 8, "")
    put(r + 2, 1, 8, "填报单位（盖章）：宜春市城市管理局", left=True, border=False)
    save_xlsx(wb, path)


def check_generic_xlsx(path: Path, exp: dict):
    text, ws = xlsx_texts(path)
    check_labels(path.name, text, GE_LABELS)
    assert ws["G3"].value == 2022 and ws["D6"].value == 1.0 and ws["D6"].number_format == "0%"
    assert ws["G13"].value is None and ws["G15"].value == float(GE_TOTAL_PRINTED)
    names = [ws.cell(r, 3).value for r in range(5, 5 + len(GE_ROWS))]
    assert names == [i["name"] for i in exp["indicators"]], names


# ==========================================================================
# 4. 湖北 项目绩效目标自评表 (2022年度)
# ==========================================================================
# A budget row: HLine(item as printed, 预算数(A), 执行数(B), 执行率(B/A), 得分(20分*执行率), recomputed)
# An indicator row: HInd(二级, 三级, 年初目标值(A), 实际完成值(B), 分值, 得分, recomputed, 偏差大或目标未完成原因分析,
#                        改进措施及结果应用方案)
# A block: (年度绩效目标N(40分) as printed, its points, classes); a class: (category, 一级 as printed, rows).


@dataclass
class HLine:
    item: str
    budget: str
    executed: str
    rate: str
    reported: str
    recomputed: float | None


@dataclass
class HInd:
    sub: str
    name: str
    target: str
    actual: str
    weight: str
    reported: str
    recomputed: float
    reason: str | None
    measure: str | None   # 改进措施及结果应用方案: printed in its own column, no field of the record


HB_FILE = "hubei-goal-2022-yidu-culture-stations"
HB_TITLE = "2022年度项目绩效目标自评表"
HB_YEAR = 2022  # from the title
HB_FILLED = "填报单位：宜都市文化和旅游局　　填报日期：2023年3月10日"
HB_PROJECT = {
    "name": "乡镇综合文化站免费开放补助资金",
    "department": "宜都市文化和旅游局",
    "implementing_unit": "宜都市文化馆",
}
# The real form's tick rows (■ chosen, □ not); no field of the record.
HB_KINDS = [
    ("项目类别", "1、部门预算项目□　2、市直专项■　3、市对下转移支付项目□"),
    ("项目属性", "1、持续性项目■　2、新增性项目□"),
    ("项目类型", "1、常年性项目■　2、延续性项目□　3、一次性项目□"),
]
HB_BUDGET_HEAD = ("预算执行情况（万元）（20分）", "预算数（A）", "执行数（B）", "执行率（B/A）", "得分（20分*执行率）")
HB_BUDGET_WEIGHT = 20  # no 分值 column: the 20 of the label, the profile's budget weight
HB_BUDGET = [
    # 331.20 / 360.00 = 92 % (printed 92.00 %, right) → 20 × 0.92 = 18.4 = printed → no flag
    HLine("年度财政资金总额", "360.00", "331.20", "92.00%", "18.40", 18.4),
    # sub-rows: 320 + 40 = 360, 296 + 35.2 = 331.2; 296/320 = 92.5 %, 35.2/40 = 88 % (printed right)
    HLine("其中：当年财政拨款", "320.00", "296.00", "92.50%", "/", None),
    HLine("上年结余结转", "40.00", "35.20", "88.00%", "/", None),
]
HB_IND_HEAD = ("一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "分值", "得分",
               "偏差大或目标未完成原因分析", "改进措施及结果应用方案")
HB_BLOCKS = [
    ("年度绩效目标1（40分）", 40, [
        ("产出", "产出指标", [
            # r = 12/12 = 100 % exactly → 6
            HInd("数量指标", "免费开放乡镇综合文化站数量", "≥12个", "12个", "6", "6", 6.0, None, None),
            # 436 < 480 → 6 × 436/480 = 5.45; reported 6 (full) → score_mismatch (Δ 0.55); reason present
            HInd("数量指标", "开展群众文化活动场次", "≥480场", "436场", "6", "6", 6 * 436 / 480,
                 "受疫情防控影响3月至4月暂停线下集中活动。", "下半年增加线上活动场次。2023年提前制定全年活动计划。"),
            # r = 91.7/90 → 4
            HInd("质量指标", "文化站等级评定达标率", "≥90%", "91.7%", "4", "4", 4.0, None, None),
            # r = 100 % exactly → 4
            HInd("时效指标", "补助资金拨付及时率", "=100%", "100%", "4", "4", 4.0, None, None),
            # reverse met: 27.6 ≤ 30 → 4
            HInd("成本指标", "单站年度运行补助标准", "≤30万元", "27.6万元", "4", "4", 4.0, None, None),
        ]),
        ("效益", "效益指标", [
            # r = 8.1/6 = 135 % ≥ 130 % → 6 + over_achievement (info); the 偏差大 column explains it
            HInd("社会效益指标", "群众文化活动参与人次", "≥6万人次", "8.1万人次", "6", "6", 6.0,
                 "线上直播活动吸引群众广泛参与、参与人次超出年初预期。", "2023年结合实际参与情况合理调高目标值。"),
            # 部分达成, Hubei band [0.5w, 0.8w) = [3, 4.8): 3.5 inside → 3.5 (the national band [3.6, 4.8) would
            # not hold it); reason present
            HInd("社会效益指标", "基层公共文化服务水平", "明显提升", "部分达成预期指标", "6", "3.5", 3.5,
                 "部分偏远村组文化服务覆盖不足。", "2023年增设流动文化服务点。"),
        ]),
        ("满意度", "满意度指标", [
            # r = 93/90 → 4
            HInd("服务对象满意度指标", "群众满意度", "≥90%", "93%", "4", "4", 4.0, None, None),
        ]),
    ]),
    ("年度绩效目标2（40分）", 40, [
        ("产出", "产出指标", [
            # 540 < 600 → 6 × 0.9 = 5.4 = reported, but 偏差大或目标未完成原因分析 is empty → missing_deviation_reason
            # (the 改进措施 column has text: it is not a reason)
            HInd("数量指标", "文化志愿者培训人次", "≥600人次", "540人次", "6", "5.4", 5.4, None,
                 "2023年扩大培训覆盖面、分片区组织集中培训。"),
            # reverse missed: Hubei ratio only → 6 × 150/180 = 5.0; reported 4.8 (= linear 6 × (1 − 30/150))
            # → score_mismatch (Δ 0.2); reason present
            HInd("成本指标", "文艺培训人均成本", "≤150元", "180元", "6", "4.8", 6 * 150 / 180,
                 "外聘专业师资课时费上涨。", "2023年优先使用本地文艺骨干授课。"),
        ]),
        ("效益", "效益指标", [
            # 达成, band [4.8, 6]: 6 inside → 6
            HInd("可持续影响指标", "文化站长效运营机制", "健全", "达成预期指标", "6", "6", 6.0, None, None),
            # 88 < 95 → 6 × 88/95 = 5.557895; reported 5.56 (Δ 0.0021) → no flag; reason present
            HInd("社会效益指标", "数字文化服务覆盖行政村比例", "≥95%", "88%", "6", "5.56", 6 * 88 / 95,
                 "12个偏远行政村网络条件不足、数字文化设备未接入。", "2023年配合通信部门完成网络覆盖后接入。"),
        ]),
        ("满意度", "满意度指标", [
            # r = 90/85 → 4
            HInd("服务对象满意度指标", "文化志愿者满意度", "≥85%", "90%", "4", "4", 4.0, None, None),
        ]),
        # 过程指标: category 过程 (no other class), scored by the same rules ([classes."*"])
        ("过程", "过程指标", [
            # 未达成, Hubei band [0, 0.5w) = [0, 3): 3.5 outside → nearest edge 3 − 0.01 = 2.99 → score_mismatch
            HInd("资金管理", "资金使用合规性", "合规", "未达成预期指标", "6", "3.5", 2.99,
                 "审计发现2个文化站存在以白条入账问题。", "已责令整改。2023年开展财务票据专项检查。"),
            # 是 is none of the three outcomes → read as 达成 (qualitative_unmapped, info); 6 in [4.8, 6] → 6
            HInd("组织实施", "评审程序是否公正", "是", "是", "6", "6", 6.0, None, None),
        ]),
    ]),
]
# weights: budget 20 + block 1 (6+6+4+4+4 + 6+6 + 4 = 40) + block 2 (6+6 + 6+6 + 4 + 6+6 = 40) = 100
# reported: 18.4 + block 1 (6+6+4+4+4+6+3.5+4 = 37.5) + block 2 (5.4+4.8+6+5.56+4+3.5+6 = 35.26) = 91.16 = 总分
HB_TOTAL_PRINTED = "91.16"
# recomputed: 18.4 + block 1 (6+5.45+4+4+4+6+3.5+4 = 36.95) + block 2 (5.4+5+6+5.557895+4+2.99+6 = 34.947895)
#   = 90.297895
HB_RECOMPUTED_TOTAL = 90.297894737
HB_FLAGS = [
    ("score_mismatch", "开展群众文化活动场次"),
    ("full_score_despite_shortfall", "开展群众文化活动场次"),  # 436 of ≥480场 given its full 6
    ("over_achievement", "群众文化活动参与人次"),
    ("missing_deviation_reason", "文化志愿者培训人次"),
    ("score_mismatch", "文艺培训人均成本"),
    ("score_mismatch", "资金使用合规性"),
    ("qualitative_unmapped", "评审程序是否公正"),
]
HB_NOTE = ("备注：1.预算执行情况口径：预算数为调整后财政资金总额（包括上年结余结转）、执行数为资金使用单位财政资金实际支出数。"
           "2.定量指标计分原则：正向指标得分=分值×B/A、反向指标得分=分值×A/B、得分不得超过分值。"
           "3.定性指标按达成预期指标、部分达成预期指标、未达成预期指标三档、分别在分值的100%-80%、80%-50%、50%-0%区间内确定得分。")
HB_SIGN = "填报人：周丽　　联系电话：0717-4812345"
# 10 columns: block | 一级 | 二级 | 三级 | 年初目标值(A) | 实际完成值(B) | 分值 | 得分 | 偏差大… | 改进措施…
HB_GRID = [700, 700, 900, 1500, 900, 1000, 550, 600, 1400, 1388]
HB_COL_CLASS, HB_COL_SUB, HB_COL_NAME, HB_COL_WEIGHT, HB_COL_REASON = 1, 2, 3, 6, 8


def build_hubei_docx(path: Path):
    doc = new_document("项目绩效目标自评表")
    add_paragraph(doc, HB_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=16)
    add_paragraph(doc, HB_FILLED, align=WD_ALIGN_PARAGRAPH.RIGHT)
    t = doc.add_table(rows=0, cols=10)
    t.style = "Table Grid"
    last = 9
    project_rows(t, HB_PROJECT, label_to=0, unit_at=5, last=last)
    r = add_rows(t, len(HB_KINDS))
    for k, (label, text) in enumerate(HB_KINDS):
        merge(t, r + k, 0, r + k, 0, label)
        merge(t, r + k, 1, r + k, last, text)
    # 预算执行情况(万元)(20分): the block label heads the item column
    cols = [(0, 2), (3, 4), (5, 6), (7, 7), (8, 9)]
    r = add_rows(t, 1 + len(HB_BUDGET))
    for (c1, c2), h in zip(cols, HB_BUDGET_HEAD):
        merge(t, r, c1, r, c2, h)
    for k, line in enumerate(HB_BUDGET, start=1):
        for (c1, c2), v in zip(cols, (line.item, line.budget, line.executed, line.rate, line.reported)):
            merge(t, r + k, c1, r + k, c2, v)
    # 年度绩效目标1(40分), 年度绩效目标2(40分): each with its own header row
    for label, _, classes in HB_BLOCKS:
        rows = indicator_rows(classes)
        r = add_rows(t, 1 + len(rows))
        merge(t, r, 0, r + len(rows), 0, label)
        for c, h in enumerate(HB_IND_HEAD, start=1):
            merge(t, r, c, r, c, h)
        indicator_cells(t, r + 1, rows, classes, lambda ind: (ind.name, ind.target, ind.actual, ind.weight,
                                                              ind.reported, ind.reason or "", ind.measure or ""))
    r = add_rows(t, 1)
    merge(t, r, 0, r, 5, "总分")
    merge(t, r, 6, r, 6, "100")
    merge(t, r, 7, r, 7, HB_TOTAL_PRINTED)
    merge(t, r, 8, r, last, "")
    add_paragraph(doc, HB_NOTE)
    add_paragraph(doc, HB_SIGN)
    finish_docx(doc, path, [HB_GRID])


def build_hubei_xlsx(path: Path):
    """The Hubei form in one worksheet (A–J as the Word grid), labels with ASCII brackets, 实施单位 printed
    项目实施单位 (as the real copies do), amounts as numbers formatted 0.00, 执行率 as fractions formatted 0.00 %,
    分值 / 得分 as numbers, targets and actuals as text ("=100%" text, not a formula)."""
    wb, ws, put = new_sheet("项目绩效目标自评表", (10, 10, 13, 22, 11, 14, 7, 7, 22, 22))
    sheet_title(ws, "A1:J1", HB_TITLE)
    sheet_title(ws, "A2:J2", HB_FILLED, bold=False, align="right")
    sheet_project_rows(put, HB_PROJECT, "项目实施单位", 10)
    for k, (label, text) in enumerate(HB_KINDS, start=5):
        put(k, 1, 1, label)
        put(k, 2, 10, text, left=True)
    cols = [(1, 3), (4, 5), (6, 7), (8, 8), (9, 10)]
    head = 5 + len(HB_KINDS)
    for (c1, c2), h in zip(cols, HB_BUDGET_HEAD):
        put(head, c1, c2, fold(h))
    for k, line in enumerate(HB_BUDGET, start=head + 1):
        put(k, 1, 3, line.item)
        put(k, 4, 5, _num(line.budget), "0.00")
        put(k, 6, 7, _num(line.executed), "0.00")
        put(k, 8, 8, rate_value(line.rate), "0.00%")
        put(k, 9, 10, _num(line.reported))
    r = head + 1 + len(HB_BUDGET)
    for label, _, classes in HB_BLOCKS:
        rows = indicator_rows(classes)
        put(r, 1, 1, fold(label), r2=r + len(rows))
        for c, h in enumerate(HB_IND_HEAD, start=2):
            put(r, c, c, fold(h))
        first = r + 1
        for k, (_, ind) in enumerate(rows):
            row = first + k
            put(row, 4, 4, ind.name, left=True)
            put(row, 5, 5, ind.target)
            put(row, 6, 6, ind.actual)
            put(row, 7, 7, _num(ind.weight))
            put(row, 8, 8, _num(ind.reported))
            put(row, 9, 9, ind.reason or "", left=True)
            put(row, 10, 10, ind.measure or "", left=True)
        for a, b, c, text in class_cells(rows, classes):
            put(first + a, c + 1, c + 1, text, r2=first + b)
        r = first + len(rows)
    put(r, 1, 6, "总分")
    put(r, 7, 7, 100.0)
    put(r, 8, 8, float(HB_TOTAL_PRINTED))
    put(r, 9, 10, "")
    put(r + 1, 1, 10, HB_NOTE, left=True, border=False)
    ws.row_dimensions[r + 1].height = 60
    put(r + 2, 1, 10, HB_SIGN, left=True, border=False)
    save_xlsx(wb, path)


def hubei_expected(source_path: str, fmt: str) -> dict:
    # 预算数(A) is the full-year budget (调整后财政资金总额, the form's 备注); no 年初 and no 分值 column
    budget_lines = [budget_record(fold(line.item).removeprefix("其中:"), "", line.budget, line.executed, line.rate, "",
                                  line.reported, line.recomputed) for line in HB_BUDGET]
    indicators = []
    for label, points, classes in HB_BLOCKS:
        block = 0.0
        for category, printed, rows in classes:
            assert fold(printed) == category + "指标", printed
            for ind in rows:
                for s in (ind.name, ind.target, ind.actual):
                    assert s == fold(s), s
                indicators.append(indicator_record(category, None, ind.sub, ind.name, ind.target, ind.weight,
                                                   ind.actual, ind.reported, ind.recomputed, ind.reason))
                block += float(ind.weight)
        assert abs(block - points) < 1e-9 and f"{points}分" in fold(label), (label, block)
    total = HB_BUDGET[0].recomputed + sum(i["recomputed_score"] for i in indicators)
    reported = float(HB_BUDGET[0].reported) + sum(i["reported_score"] for i in indicators)
    check_totals("hubei", total, HB_RECOMPUTED_TOTAL, reported, HB_TOTAL_PRINTED, HB_FLAGS)
    weights = HB_BUDGET_WEIGHT + sum(i["weight"] for i in indicators)
    assert abs(weights - 100) < 1e-9, weights
    budget = HB_BUDGET[0]
    assert abs(float(budget.executed) / float(budget.budget) * 100 - rate_percent(budget.rate)) < 1e-9
    assert abs(HB_BUDGET_WEIGHT * min(1, float(budget.executed) / float(budget.budget)) - budget.recomputed) < 1e-9
    return form_record(source_path, fmt, "hubei-goal", "project", project_record(HB_PROJECT, HB_YEAR), budget_lines,
                       indicators, HB_TOTAL_PRINTED, total, {}, flag_records(HB_FLAGS, FORM_SEVERITY))


# --------------------------------------------------------------------------
# The Hubei PDF: the docx printed larger, the second block's indicator rows across a page break
# --------------------------------------------------------------------------
HB_PDF_NAME = f"{HB_FILE}-table-across-pages.pdf"
# Base font sizes (half-points) tried in turn, as PDF_BASE_SIZES.  With LibreOffice 7.4.7 and AR PL UMing CN the
# third one (10.5 pt, the docx has 9) cuts 文化志愿者培训人次: its 改进措施 text (2023年扩大培训覆盖 | 面、分片区组织
# 集中培训。) and the block label (年度绩效目标2（40 | 分）) go on at the top of page 2, whose next row 文艺培训人均成本
# has an empty 一级 cell (产出指标 continues).
HB_PDF_BASE_SIZES = [19, 20, 21, 22, 23, 24, 18]
# the cells of an indicator row in the PDF's table rows: 一级, 三级, 分值, 偏差大或目标未完成原因分析 of the 10 columns
HB_COLUMNS = Columns(width=10, cls=HB_COL_CLASS, name=HB_COL_NAME, weight=HB_COL_WEIGHT, reason=HB_COL_REASON)


HB_LABELS = [HB_TITLE, "项目名称", "主管部门", "项目类别", "项目属性", "项目类型", *HB_BUDGET_HEAD, "年度财政资金总额",
             "其中:当年财政拨款", "上年结余结转", *HB_IND_HEAD, "年度绩效目标1(40分)", "年度绩效目标2(40分)", "产出指标",
             "效益指标", "满意度指标", "过程指标", "总分", "备注"]


def check_hubei_xlsx(path: Path, exp: dict):
    text, ws = xlsx_texts(path)
    check_labels(path.name, text, [*HB_LABELS, "项目实施单位"], fold)
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:J1", "A8:C8", "A12:A20", "B13:B17", "A21:A28"} <= merged, merged
    assert ws["D9"].value == 360.0 and ws["H9"].value == 0.92 and ws["H9"].number_format == "0.00%"
    assert ws["I9"].value == 18.4 and ws["I10"].value == "/" and ws["E16"].data_type == "s"
    names = [ws.cell(r, 4).value for r in (*range(13, 21), *range(22, 29))]
    assert names == [i["name"] for i in exp["indicators"]], names
    assert ws["H29"].value == float(HB_TOTAL_PRINTED) and ws["A29"].value == "总分"


# ==========================================================================
# Checks on the written files
# ==========================================================================
def docx_texts(path: Path) -> str:
    d = Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return squash("".join(parts))


def xlsx_texts(path: Path) -> tuple[str, list]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert len(wb.worksheets) == 1
    ws = wb.active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    return squash("".join(str(v) for v in values)), ws


def check_labels(where: str, text: str, labels, norm=squash):
    """Every label is in the text, both sides normalised by norm (squash; fold where the docx prints （） and the
    xlsx ())."""
    flat = norm(text)
    missing = [lab for lab in labels if norm(lab) not in flat]
    assert not missing, (where, missing)


SC_LABELS = ["部门预算项目支出绩效自评表(2023年度)", "项目名称", "主管部门", "实施单位", "项目基本情况",
             "1.项目年度目标完成情况", "项目年度目标", "年度目标完成情况", "2.项目实施内容及过程概述",
             "预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重",
             "得分", "原因", "总额", "其中:财政资金", "财政专户管理资金", "单位资金", "其他资金", "绩效指标(90分)",
             "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "未完成原因分析", "合计",
             "评价结论", "存在问题", "改进措施", "项目负责人", "财务负责人", "成本指标", "经济成本指标"]
CQ_LABELS = ["2022年度部门整体绩效自评表", "主管部门", "财政处室", "自评总分(分)", "部门预算执行情况", "年初预算数",
             "全年(调整)预算数", "全年执行数", "执行率(%)", "执行率权重", "执行率得分(分)", "当年绩效目标", "年初绩效目标",
             "全年(调整)绩效目标", "全年目标实际完成情况", "指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值",
             "全年完成值", "得分系数(%)", "指标权重(分)", "指标得分(分)", "是否核心指标"]
GE_LABELS = [GE_TITLE, "项目名称", "项目单位", "年度", "序号", "指标类别", "指标内容", "预期目标", "实际完成", "分值",
             "评分", "说明", "总分"]


def check_xlsx(path: Path, exp: dict):
    text, ws = xlsx_texts(path)
    check_labels(path.name, text, SC_LABELS)
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A2:K2", "A8:A13", "J9:K13", "A14:A27"} <= merged, merged
    # figures are numbers: the amounts, rates, weights, scores and numeric 完成值
    assert ws["D9"].value == 500.0 and ws["G9"].value == 0.9 and ws["G9"].number_format == "0.00%"
    assert ws["H9"].value == 10.0 and ws["I10"].value == "/" and ws["D13"].value is None
    assert ws["E15"].value == "≥" and ws["F15"].value == 860.0 and ws["H15"].value == 860.0
    assert ws["E19"].value == "=" and ws["E19"].data_type == "s"
    assert ws["J20"].value == 5.43 and ws["J28"].value == float(SC_TOTAL_PRINTED)
    names = [ws.cell(r, 4).value for r in range(15, 28)]
    assert names == [i["name"] for i in exp["indicators"]], names


def check_pdf_labels(path: Path, labels, norm=squash, column_a=False):
    """Every label is in the PDF's text or in one of its table cells (a label wrapped in a narrow cell is whole
    only there), or with column_a read down column A (a block label merged down it may be cut by the page
    break: 年度绩效目标2(40 | 分)); both sides normalised by norm."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        text = squash("".join(page.extract_text() or "" for page in pdf.pages))
    pages = table_rows_by_page(path)
    places = [norm(text), norm("|".join(c for page in pages for row in page for c in row))]
    if column_a:
        places.append(norm("".join(row[0] for page in pages for row in page if row)))
    missing = [lab for lab in labels if not any(norm(lab) in place for place in places)]
    assert not missing, (path.name, missing)


def check_pdf_paragraph_ends(path: Path, texts: list[list[str]]):
    """Each paragraph of a multi-paragraph cell but the last ends its line well short of the table's right
    edge (two characters or more), so that the line reads as the end of a paragraph, not a wrap."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for paragraphs in texts:
            for para in paragraphs[:-1]:
                tail, found = para[-4:], False
                for page in pdf.pages:
                    right = max(t.bbox[2] for t in page.find_tables())
                    lines: dict[int, list] = {}
                    for ch in page.chars:
                        lines.setdefault(round(ch["top"]), []).append(ch)
                    for chars in lines.values():
                        chars.sort(key=lambda c: c["x0"])
                        if "".join(c["text"] for c in chars).endswith(tail):
                            gap, size = right - chars[-1]["x1"], chars[-1]["size"]
                            assert gap >= 2 * size, (para, gap, size)
                            found = True
                assert found, para


def main():
    written = []
    docx_name, xlsx_name = f"{SC_FILE}.docx", f"{SC_FILE}.xlsx"
    build_sichuan_docx(HERE / docx_name)
    check_labels(docx_name, docx_texts(HERE / docx_name), SC_LABELS)
    emit(docx_name, sichuan_expected(docx_name, "docx"), written)
    build_sichuan_xlsx(HERE / xlsx_name)
    exp = sichuan_expected(xlsx_name, "xlsx")
    check_xlsx(HERE / xlsx_name, exp)
    emit(xlsx_name, exp, written)

    build_chongqing_docx(HERE / CQ_FILE)
    check_labels(CQ_FILE, docx_texts(HERE / CQ_FILE), CQ_LABELS)
    emit(CQ_FILE, chongqing_expected(), written)

    build_generic_docx(HERE / GE_FILE)
    check_labels(GE_FILE, docx_texts(HERE / GE_FILE), GE_LABELS)
    emit(GE_FILE, generic_expected(), written)

    build_chongqing_xlsx(HERE / CQ_XLSX)
    exp = chongqing_expected(CQ_XLSX, "xlsx")
    check_chongqing_xlsx(HERE / CQ_XLSX, exp)
    emit(CQ_XLSX, exp, written)

    build_generic_xlsx(HERE / GE_XLSX)
    exp = generic_expected(GE_XLSX, "xlsx")
    check_generic_xlsx(HERE / GE_XLSX, exp)
    emit(GE_XLSX, exp, written)

    hb_docx, hb_xlsx = f"{HB_FILE}.docx", f"{HB_FILE}.xlsx"
    build_hubei_docx(HERE / hb_docx)
    check_labels(hb_docx, docx_texts(HERE / hb_docx), [*HB_LABELS, "实施单位"], fold)
    emit(hb_docx, hubei_expected(hb_docx, "docx"), written)
    build_hubei_xlsx(HERE / hb_xlsx)
    exp = hubei_expected(hb_xlsx, "xlsx")
    check_hubei_xlsx(HERE / hb_xlsx, exp)
    emit(hb_xlsx, exp, written)

    exp = sichuan_expected(PDF_NAME, "pdf")
    made = make_pdf(HERE / docx_name, PDF_NAME, exp, PDF_BASE_SIZES, SC_COLUMNS)
    check_pdf_labels(HERE / PDF_NAME, SC_LABELS)
    check_pdf_paragraph_ends(HERE / PDF_NAME, [SC_PROCESS, SC_PROBLEMS, SC_MEASURES])
    emit(PDF_NAME, exp, written)

    exp = hubei_expected(HB_PDF_NAME, "pdf")
    hb_made = make_pdf(HERE / hb_docx, HB_PDF_NAME, exp, HB_PDF_BASE_SIZES, HB_COLUMNS)
    check_pdf_labels(HERE / HB_PDF_NAME, [*HB_LABELS, "实施单位"], fold, column_a=True)
    emit(HB_PDF_NAME, exp, written)

    print_written(written)
    print(describe_break(PDF_NAME, made, SC_COLUMNS, "一级 cell"))
    print(describe_break(HB_PDF_NAME, hb_made, HB_COLUMNS, "一级 cell"))


if __name__ == "__main__":
    main()
