#!/usr/bin/env python3
"""Generate national-form sample reports (财预〔2020〕10号 项目支出绩效自评表 and its Hubei / Sichuan copies)
as .docx, .pdf (LibreOffice, from one of the .docx) and .xlsx (openpyxl), with the expected JSON for each.

Run from the repository root:

    .venv/bin/python samples/make_national_samples.py

Every file is written next to this script (samples/) and every expectation to
samples/expected/<sample file name>.json.  The .docx and .xlsx files are byte-identical from run to run
(fixed document properties and zip timestamps); the PDF is made by LibreOffice in a private profile (fonts:
AR PL UMing CN), its creation date, /ID and /DocChecksum overwritten with fixed values (see
make_pdf_samples.py, whose LibreOffice helpers are reused here).

All expected values are written by hand from each sample's own data: every indicator row carries its
recomputed score, worked out with the rules of shared/spec/scoring-rules.md part (b) and the local
parameters of part C (the working is in the comment next to every row that is not simply "full weight").
Nothing here runs a scoring engine; the only arithmetic the script does is adding the hand values up for
recomputed_total, and it asserts that sum against a hand-written total.  The expected targets/actuals/names
are written out too (where they differ from the printed text) and only *checked* against NFKC + whitespace
removal of the printed text.

Rules used (national-2020 unless the sample says otherwise)
-----------------------------------------------------------
budget (B2)      rate = 全年执行数 ÷ 全年预算数 (Sichuan: ÷ 调整后预算数); score = 分值 × min(1, rate); an empty
                 年度资金总额 row → the sub-rows summed (total_row_empty, info).
positive (B4)    ≥ / = / no operator: actual ≥ target → w, else w × actual / target.
reverse (B5)     ≤: actual ≤ target → w; else ratio w × target/actual or linear w × (1 − (actual−target)/target),
                 whichever is closer to the reported score if within 0.05, else ratio (Hubei: ratio only).
zero (B6)        =0 / ≤0: actual 0 → w, else 0.
over (B7)        positive r ≥ 130 % → w, info over_achievement.
bands (B8)       达成 [0.8w, w], 部分达成 [0.6w, 0.8w), 未达成 [0, 0.6w) (Hubei 0.8 / 0.5); inside → the reported
                 score; outside → the nearest edge (exclusive upper edge − 0.01) + score_mismatch.  Another word
                 → 达成 + qualitative_unmapped (info).
missing (0.4)    actual empty/—/无 without deviation text → 0 + missing_value; with text → null + needs_review.
deviation (B9)   reported or recomputed below w (by > 0.005) and no 偏差原因分析及改进措施 → missing_deviation_reason.
null rows        a row the rules cannot decide (needs_review, unit_mismatch) enters recomputed_total at its
                 reported score, with the info flag recomputed_total_partial (subject total) — the convention
                 of the README flag table and of the Suzhou samples' engine.

The samples and what each one shows
-----------------------------------
national-2021-ev-charging-score-faults.docx                                        (national-2020, 50/30/10/10)
    Faults: the Chizhou case (年度资金总额 850/850, 执行率 100 %, 得分 0 → recomputed 10, score_mismatch
    年度资金总额); a positive shortfall (180 of ≥200) scored full → 4.5, score_mismatch; 部分达成 scored 8 of
    10 → 7.99, score_mismatch; r = 140 % → over_achievement (with a deviation text); a proportional
    shortfall (1.2 of ≥1.5 万吨 → 3.2) with no deviation text → missing_deviation_reason.
    Must not flag: r exactly 100 % (=20座 / 20座, ≥80% / 80%), reverse met (≤5% / 3.2%), reverse missed
    scored by ratio (≤0.8 / 1.0 万元/个 → 4.00) and by linear (≤40 / 48 万元/座 → 4.00 = linear, ratio 4.17),
    a shortfall scored proportionally with its reason (≥95% / 90% → 4.7368, reported 4.74), =0起 met,
    达成 rows at full weight.
national-2021-ev-charging-table-across-pages.pdf
    The docx above through LibreOffice (AR PL UMing CN at 11 pt, A4, the docx's column grid, a footer
    第 N 页 共 M 页): the indicator table runs from page 1 onto page 2 and the break cuts a row in the
    middle of the 产出 / 成本指标 merged cells (the 偏差原因 text of 单桩建设补助标准 ends on page 2, whose
    next row 单站建设成本 has empty 一级 and 二级 cells); indicator_break() checks it, main() prints it.
    Same expectation as the docx (source changed).
national-2021-ev-charging-no-tounicode.pdf
    The PDF above with every font's /ToUnicode key renamed (strip_tounicode): its text layer gives glyph
    numbers, so it is read by OCR.  Same expectation (source changed).
national-2021-rural-water-scanned.pdf
    The rural-water docx below in AR PL UMing CN through LibreOffice, scanned by make_pdf_samples.scan_pdf at
    other angles (-0.8°) and with more noise and dust than the Suzhou scan (make_scan).  Same expectation as
    that docx (source changed).
national-2021-rural-water-weight-faults.docx                                       (national-2020, 40/40/10/10)
    Faults: 年度资金总额 row with no amounts (sub-rows summed: 1228.80 / 1280.00 = 96 % → 9.6,
    total_row_empty); labels 产出指标(40分) / 效益指标（40分） → nonstandard_split; the 效益 weights add up to
    42 ≠ 40 (weight_sum_mismatch 效益) and all weights to 102 (weight_sum_mismatch total); 总分 86.19 while
    the rows add up to 85.19 (total_mismatch); 受益农村人口 ≥1.2万人 / 3.6万户 (unit_mismatch, not rescored);
    农村自来水普及率 actual — with an explanation (needs_review); 用水户对供水服务满意度 actual empty, no
    explanation, reported 0 (missing_value + missing_deviation_reason, no score_mismatch); 效果明显 as an
    outcome (qualitative_unmapped); those two undecided rows → recomputed_total_partial.
    Must not flag: 达成 scored 9 of 10, 部分达成 scored 7 of 10, =0起 missed and scored 0 with a reason,
    reverse missed scored by ratio (≤12 / 15 万元/公里 → 4.0), a proportional shortfall (78 of ≥85 公里 →
    4.5882, reported 4.59), ＝100％ printed full-width.
    Layout: a name wrapped with a line break, targets with spaces (≥ 85 公里), two paragraphs in 实际完成情况.
national-2022-old-community-renovation-exec-rate.xlsx                              (national-2020, 50/30/10/10)
    The form in one worksheet (openpyxl): title and year merged across, labels merged down, 一级 and 二级
    merged down their rows, amounts as numbers formatted 0.00, 执行率 as fractions formatted 0.00%, scores
    as numbers, one actual as a fraction formatted 0% (shown 96%), text cells such as =100% stored as text
    (not as formulas).  Faults: 执行率 printed 95.00% while 925/1000 =
    92.5 % (execution_rate_mismatch; 得分 9.25 is right); 达成 scored 7 of 10 → 8 (score_mismatch);
    r = 140 % (over_achievement).  Must not flag: r exactly 100 %, 未达成 scored 2 of 5, ≤0起 met, reverse
    met, reverse missed by ratio (≤0.8 / 0.9 → 8.8889, reported 8.89), shortfalls with reasons.
national-hubei-2020-rural-waste.docx                                     (national-hubei-2020, 20 + 40/30/10)
    Budget label 预算执行情况(20分), score column 得分(20分*执行率), 分值 20: 494/520 = 95 % → 19.
    Faults: reverse missed reported by the linear formula (≤120 / 150 元/吨, 6.0) → Hubei ratio 6.4,
    score_mismatch; 未达成 scored 5.5 of 10 → Hubei band < 5 → 4.99, score_mismatch.  Must not flag: the
    20/80 split, 部分达成 scored 4.4 of 8 (Hubei band 4–6.4; the national band would start at 4.8), reverse
    missed by ratio (≤5 / 8处 → 6.25), a proportional shortfall (27 of ≥30 → 7.2).
national-sichuan-2023-school-nutrition.docx                                      (national-sichuan-2023, 50/30/10/10)
    Targets in three columns 指标性质 | 指标值 | 度量单位 (expected target = the three joined, ≥12000人), actuals
    bare numbers, the money column 调整后预算数.  Faults: 得分 10 from 年初 (608/600) where 608 ÷ 调整后 640 =
    95 % → 9.5 (score_mismatch 年度资金总额); 学生体质健康合格率 86 of ≥90 → 9.5556 reported 9.56 with no
    deviation text (missing_deviation_reason).  Must not flag: =86所 / 86, =0起 / 0, ≤5元 / 5, reverse
    missed by ratio (≤180 / 216 万元 → 4.1667, reported 4.17), 91 of ≥95% → 9.5789 reported 9.58.

Conventions of the expected JSON: names, targets and actuals NFKC-folded with whitespace removed (a line
break in a name removed); budget items without 其中：; execution_rate the printed percentage as a number
(null where the cell is blank or —); deviation texts and sections as written (paragraphs → newlines).
Deviation texts use only 、 and 。 as punctuation, so that NFKC folding or not gives the same text.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import re
import shutil
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
EXPECTED_DIR = HERE / "expected"
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no samples/__pycache__ (it would count as a file of the samples folder)

from make_pdf_samples import A4, Docx, fix_lo_pdf, scan_pdf, soffice_convert, squash  # noqa: E402

FORM_TITLE = "项目支出绩效自评表"
FIXED = _dt.datetime(2022, 3, 1, 9, 0, 0)

SEVERITY = {
    "score_mismatch": "error",
    "total_mismatch": "error",
    "weight_sum_mismatch": "error",
    "nonstandard_split": "info",
    "over_achievement": "info",
    "qualitative_unmapped": "info",
    "total_row_empty": "info",
    "recomputed_total_partial": "info",
    "missing_deviation_reason": "warning",
    "missing_value": "warning",
    "needs_review": "warning",
    "unit_mismatch": "warning",
    "execution_rate_mismatch": "warning",
    "full_score_despite_shortfall": "warning",
}


# --------------------------------------------------------------------------
# Data spec
# --------------------------------------------------------------------------
# An indicator row: Ind(sub, name, target, weight, actual, reported, recomputed, deviation)
# sub         二级指标 (a run of equal values is one merged cell)
# name        三级指标 as printed ("\n" = a line break in the cell), or (printed, expected)
# target      年度指标值 as printed, or (printed, expected); Sichuan: (指标性质, 指标值, 度量单位)
# weight      分值 as printed
# actual      实际完成值 as printed, or (printed, expected); in the xlsx a float is a fraction shown as 0%
# reported    得分 as printed
# recomputed  the hand-computed score (full precision), None where the rules cannot decide
# deviation   偏差原因分析及改进措施 (None = empty cell)
#
# A class is (category, printed 一级 label, points in the label, rows).
# A budget line is Line(item as printed, 年初, 全年/调整后, 执行, 分值, 执行率, 得分, recomputed) — printed text.


@dataclass
class Ind:
    sub: str
    name: object
    target: object
    weight: str
    actual: object
    reported: str
    recomputed: float | None
    deviation: str | None = None


@dataclass
class Line:
    item: str
    initial: str
    full: str
    executed: str
    weight: str
    rate: str
    reported: str
    recomputed: float | None


@dataclass
class Sample:
    file: str
    profile: str
    year: int
    project: dict            # name / department / implementing_unit
    budget: list             # Line × 4
    goals: tuple             # (预期目标, 实际完成情况): str, or list[str] = one Word paragraph each
    classes: list
    total_printed: str       # 总分 得分 as printed
    recomputed_total: float  # hand total, asserted against the sum of the hand row values
    flags: list              # (code, subject)
    budget_label: str = "项目资金（万元）"
    budget_headers: tuple = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    sichuan: bool = False


def printed(v):
    return v[0] if isinstance(v, tuple) and len(v) == 2 else v


def expected(v):
    return v[1] if isinstance(v, tuple) and len(v) == 2 else v


def fold(s: str) -> str:
    """NFKC + every whitespace removed: only used to *check* the hand-written expected strings."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


# --------------------------------------------------------------------------
# 1. 新能源汽车充电设施 (national-2020): score faults; also the PDF
# --------------------------------------------------------------------------
EV = Sample(
    file="national-2021-ev-charging-score-faults.docx",
    profile="national-2020",
    year=2021,
    project={"name": "新能源汽车公共充电基础设施建设补助资金", "department": "滁州市发展和改革委员会",
             "implementing_unit": "滁州市能源发展服务中心"},
    budget=[
        # Chizhou case: 850 / 850 = 100 % → 10 × 1 = 10; the form prints 得分 0 → score_mismatch
        Line("年度资金总额", "850.00", "850.00", "850.00", "10", "100.00%", "0", 10.0),
        Line("其中：当年财政拨款", "800.00", "800.00", "800.00", "—", "100.00%", "—", None),
        Line("上年结转资金", "50.00", "50.00", "50.00", "—", "100.00%", "—", None),
        Line("其他资金", "0.00", "0.00", "0.00", "—", "—", "—", None),
    ],
    goals=(
        "2021年新建公共充电桩500个以上、充电站20座，改造老旧充电桩200个，充电设施全部接入市级监管平台。"
        "通过财政补助带动社会资本投资3000万元以上，实现公共充电服务覆盖80%以上乡镇，"
        "年减少二氧化碳排放1.5万吨以上，充电用户满意度达到90%以上。",
        "全年新建公共充电桩520个、充电站20座，改造老旧充电桩180个，接入市级监管平台充电桩840个。"
        "带动社会资本投资3300万元，公共充电服务覆盖80%的乡镇，全年未发生充电设施安全事故。"
        "受新能源汽车保有量增速低于预期影响，年减少二氧化碳排放1.2万吨，未达到年度目标。",
    ),
    classes=[
        ("产出", "产出指标(50分)", 50, [
            Ind("数量指标", "新建公共充电桩数量", "≥500个", "5", "520个", "5", 5.0),
            # r = 20/20 = 100 % exactly → 5
            Ind("数量指标", "新建充电站数量", "=20座", "5", "20座", "5", 5.0),
            # 180 < 200 → 5 × 180/200 = 4.5; reported 5 → score_mismatch (Δ 0.5); reason present
            Ind("数量指标", "改造老旧充电桩数量", "≥200个", "5", "180个", "5", 4.5,
                "部分老旧小区电力增容未完成。剩余20个改造任务结转下年实施。"),
            # r = 840/600 = 140 % ≥ 130 → 5, over_achievement (info); reason present
            Ind("数量指标", "充电桩接入市级监管平台数量", "≥600个", "5", "840个", "5", 5.0,
                "社会运营商自建充电桩同步接入监管平台。年初目标设定偏保守。"),
            Ind("质量指标", "充电设施验收合格率", "=100%", "5", "100%", "5", 5.0),
            # reverse, 3.2 ≤ 5 → 5
            Ind("质量指标", "充电桩故障率", "≤5%", "5", "3.2%", "5", 5.0),
            # 90 < 95 → 5 × 90/95 = 4.736842…; reported 4.74 (Δ 0.0032) → no flag; reason present
            Ind("时效指标", "项目完工及时率", "≥95%", "5", "90%", "4.74", 5 * 90 / 95,
                "2个充电站因用地手续办理滞后延期完工。下年度提前开展选址和用地审批。"),
            Ind("时效指标", "补助资金拨付及时性", "按时拨付", "5", "达成年度指标", "5", 5.0),
            # reverse missed: ratio 5 × 0.8/1.0 = 4.00, linear 5 × (1 − 0.2/0.8) = 3.75;
            # reported 4.00 → ratio (Δ 0), linear Δ 0.25 → 4.00, no flag; reason present
            Ind("成本指标", "单桩建设补助标准", "≤0.8万元/个", "5", "1.0万元/个", "4.00", 4.0,
                "快充桩占比提高导致单桩成本上升。下年度优化快慢充配置比例。"),
            # reverse missed: ratio 5 × 40/48 = 4.1667, linear 5 × (1 − 8/40) = 4.00;
            # reported 4.00 → linear (Δ 0), ratio Δ 0.167 → 4.00, no flag; reason present
            Ind("成本指标", "单站建设成本", "≤40万元/座", "5", "48万元/座", "4.00", 4.0,
                "配套电网接入工程费用高于预算。下年度统筹电网企业同步建设配套工程。"),
        ]),
        ("效益", "效益指标(30分)", 30, [
            # r = 110 % → 3
            Ind("经济效益指标", "带动社会资本投资", "≥3000万元", "3", "3300万元", "3", 3.0),
            Ind("社会效益指标", "新能源汽车充电便利度", "明显提升", "3", "达成", "3", 3.0),
            # r = 80/80 = 100 % exactly → 3
            Ind("社会效益指标", "公共充电服务覆盖乡镇比例", "≥80%", "3", "80%", "3", 3.0),
            # zero target met → 3
            Ind("社会效益指标", "充电设施安全事故发生数", "=0起", "3", "0起", "3", 3.0),
            # 1.2 < 1.5 → 4 × 1.2/1.5 = 3.2 = reported; no deviation text → missing_deviation_reason
            Ind("生态效益指标", "年减少二氧化碳排放量", "≥1.5万吨", "4", "1.2万吨", "3.2", 3.2),
            # 部分达成 band [6, 8): reported 8 is outside → nearest edge 8 − 0.01 = 7.99 → score_mismatch
            Ind("生态效益指标", "城市空气质量改善", "逐步改善", "10", "部分达成年度指标并具有一定效果", "8", 7.99,
                "机动车电动化替代进度慢于预期。下年度加大公共领域车辆电动化推广力度。"),
            Ind("可持续影响指标", "充电设施长效运营机制", "建立健全", "4", "达成年度指标", "4", 4.0),
        ]),
        ("满意度", "满意度指标(10分)", 10, [
            Ind("服务对象满意度指标", "充电用户满意度", "≥90%", "5", "93.5%", "5", 5.0),
            Ind("服务对象满意度指标", "充电运营企业满意度", "≥85%", "5", "88%", "5", 5.0),
        ]),
    ],
    # reported: 0 + 产出 47.74 + 效益 27.2 + 满意度 10 = 84.94
    total_printed="84.94",
    # 10 + (5+5+4.5+5+5+5+4.736842+5+4+4 = 47.236842) + (3+3+3+3+3.2+7.99+4 = 27.19) + 10 = 94.426842
    recomputed_total=94.426842105,
    flags=[
        ("score_mismatch", "年度资金总额"),
        ("score_mismatch", "改造老旧充电桩数量"),
        ("full_score_despite_shortfall", "改造老旧充电桩数量"),  # 180 of ≥200个 given its full 5
        ("over_achievement", "充电桩接入市级监管平台数量"),
        ("missing_deviation_reason", "年减少二氧化碳排放量"),
        ("score_mismatch", "城市空气质量改善"),
    ],
)

# --------------------------------------------------------------------------
# 2. 农村饮水安全 (national-2020): weight and total faults, undecidable rows
# --------------------------------------------------------------------------
WATER = Sample(
    file="national-2021-rural-water-weight-faults.docx",
    profile="national-2020",
    year=2021,
    project={"name": "农村饮水安全巩固提升工程补助资金", "department": "来安县水利局",
             "implementing_unit": "来安县农村供水管理站"},
    budget=[
        # no amounts on the total row → sub-rows summed: full 1150 + 80 + 50 = 1280.00,
        # executed 1104 + 76.8 + 48 = 1228.80 → 96 % → 10 × 0.96 = 9.6 = reported; total_row_empty (info)
        Line("年度资金总额", "", "", "", "10", "", "9.6", 9.6),
        Line("其中：当年财政拨款", "1200.00", "1150.00", "1104.00", "", "96.00%", "", None),
        Line("上年结转资金", "80.00", "80.00", "76.80", "", "96.00%", "", None),
        Line("其他资金", "50.00", "50.00", "48.00", "", "96.00%", "", None),
    ],
    goals=(
        "新建集中供水工程12处，改造老旧供水管网85公里，巩固提升1.2万农村人口饮水安全保障水平，"
        "农村集中供水工程水质达标率达到90%以上，农村自来水普及率达到90%以上。",
        [
            "全年新建集中供水工程12处，改造老旧供水管网78公里，工程全部通过验收，水质达标率92%。",
            "受汛期影响，部分管网改造工程延期，7月一处水源地受洪水污染发生1起饮水安全事故，已妥善处置。",
        ],
    ),
    classes=[
        ("产出", "产出指标(40分)", 40, [
            Ind("数量指标", "新建集中供水工程", "≥12处", "5", "12处", "5", 5.0),
            # 78 < 85 → 5 × 78/85 = 4.588235…; reported 4.59 (Δ 0.0018) → no flag; reason present
            Ind("数量指标", "改造老旧供水管网长度", ("≥ 85 公里", "≥85公里"), "5", "78公里", "4.59", 5 * 78 / 85,
                "汛期施工受限。剩余7公里管网改造纳入下年度计划。"),
            # 万人 vs 万户 → unit_mismatch, not rescored (None); reported 5 = w → no deviation flag
            Ind("数量指标", "受益农村人口", "≥1.2万人", "5", "3.6万户", "5", None),
            Ind("质量指标", ("农村集中供水工程\n水质达标率", "农村集中供水工程水质达标率"), "≥90%", "5", "92%", "5", 5.0),
            # full-width ＝ and ％ → =100%; r = 100 %
            Ind("质量指标", "工程验收合格率", ("＝100％", "=100%"), "5", ("100％", "100%"), "5", 5.0),
            Ind("时效指标", "工程建设按期完成率", "≥95%", "5", "96%", "5", 5.0),
            # reverse met: 80 ≤ 85 → 5
            Ind("成本指标", "单位供水工程投资", ("≤ 85万元/处", "≤85万元/处"), "5", "80万元/处", "5", 5.0),
            # reverse missed: ratio 5 × 12/15 = 4.0, linear 5 × (1 − 3/12) = 3.75; reported 4.0 → ratio
            Ind("成本指标", "管网改造单位成本", "≤12万元/公里", "5", "15万元/公里", "4.0", 4.0,
                "管材价格上涨。下年度通过集中招标采购降低成本。"),
        ]),
        ("效益", "效益指标（40分）", 40, [  # weights 6+6+6+10+4+10 = 42 ≠ 40 → weight_sum_mismatch 效益
            Ind("经济效益指标", "农村供水水费收缴率", "≥90%", "6", "95%", "6", 6.0),
            # actual — with an explanation → not rescored (None), needs_review; reported 6
            Ind("社会效益指标", "农村自来水普及率", "≥90%", "6", "—", "6", None,
                "2021年度农村自来水普及率统计数据尚未发布。待统计部门公布后补充。"),
            # =0 target, actual 1 → 0 = reported; reason present → no flag
            Ind("社会效益指标", "饮水安全事故发生数", "=0起", "6", "1起", "0", 0.0,
                "7月一处水源地受洪水污染导致停水。已建立汛期水源地巡查和应急供水机制。"),
            # 达成 band [8, 10]: 9 inside → 9; below w, reason present → no flag
            Ind("社会效益指标", "农村供水保障水平", "显著提升", "10", "达成年度指标", "9", 9.0,
                "个别山区村组仍存在季节性缺水。下年度实施水源连通工程。"),
            # 效果明显 is not an outcome word → 达成 band [3.2, 4]: 4 inside → 4; qualitative_unmapped (info)
            Ind("生态效益指标", "水源地保护", "有效保护", "4", "效果明显", "4", 4.0),
            # 部分达成 band [6, 8): 7 inside → 7; reason present → no flag
            Ind("可持续影响指标", "工程长效运行管护机制", "建立健全", "10", "部分达成年度指标并具有一定效果", "7", 7.0,
                "村级管水员队伍尚未全覆盖。下年度落实管护经费和管水员补助。"),
        ]),
        ("满意度", "满意度指标(10分)", 10, [
            Ind("服务对象满意度指标", "受益群众满意度", "≥90%", "5", "91%", "5", 5.0),
            # actual empty, no explanation → 0 (= reported 0): missing_value + missing_deviation_reason
            Ind("服务对象满意度指标", ("用水户对供水服务\n满意度", "用水户对供水服务满意度"), "≥85%", "5", "", "0", 0.0),
        ]),
    ],
    # reported rows: budget 9.6 + 产出 38.59 + 效益 32 + 满意度 5 = 85.19; the form prints 86.19 → total_mismatch
    total_printed="86.19",
    # 9.6 + 产出 (5 + 4.588235 + [5 reported, undecided] + 5+5+5+5+4 = 38.588235)
    #     + 效益 (6 + [6 reported, undecided] + 0 + 9 + 4 + 7 = 32) + 满意度 5 = 85.188235
    recomputed_total=85.188235294,
    flags=[
        ("total_row_empty", "年度资金总额"),
        ("nonstandard_split", "split"),
        ("weight_sum_mismatch", "效益"),
        ("weight_sum_mismatch", "total"),          # 10 + 40 + 42 + 10 = 102
        ("total_mismatch", "total"),               # 85.19 ≠ 86.19
        ("unit_mismatch", "受益农村人口"),
        ("needs_review", "农村自来水普及率"),
        ("qualitative_unmapped", "水源地保护"),
        ("missing_value", "用水户对供水服务满意度"),
        ("missing_deviation_reason", "用水户对供水服务满意度"),
        ("recomputed_total_partial", "total"),     # two undecided rows counted at their reported score
    ],
)

# --------------------------------------------------------------------------
# 3. 老旧小区改造 (national-2020) as an Excel worksheet
# --------------------------------------------------------------------------
COMMUNITY = Sample(
    file="national-2022-old-community-renovation-exec-rate.xlsx",
    profile="national-2020",
    year=2022,
    project={"name": "城镇老旧小区改造中央补助资金", "department": "宣城市住房和城乡建设局",
             "implementing_unit": "宣城市城市更新服务中心"},
    budget=[
        # 925 / 1000 = 92.5 % → 10 × 0.925 = 9.25 = reported; the printed rate 95.00 % is 2.5 points off
        # → execution_rate_mismatch (warning)
        Line("年度资金总额", "1000.00", "1000.00", "925.00", "10", "95.00%", "9.25", 9.25),
        Line("其中：当年财政拨款", "900.00", "900.00", "840.00", "", "93.33%", "", None),
        Line("上年结转资金", "100.00", "100.00", "85.00", "", "85.00%", "", None),
        Line("其他资金", "", "", "", "", "", "", None),
    ],
    goals=(
        "完成45个城镇老旧小区改造，惠及居民1.5万户，改造工程质量验收合格率100%，"
        "户均改造成本控制在0.8万元以内，居民满意度达到90%以上。",
        "全年完成45个老旧小区改造，惠及居民2.1万户，工程质量全部验收合格，加装电梯32台。"
        "受材料价格上涨影响，户均改造成本0.9万元，部分小区安全隐患整改未全部完成。",
    ),
    classes=[
        ("产出", "产出指标(50分)", 50, [
            # r = 45/45 = 100 % exactly → 10
            Ind("数量指标", "改造老旧小区数量", "≥45个", "10", "45个", "10", 10.0),
            # r = 2.1/1.5 = 140 % → 10, over_achievement; reason present
            Ind("数量指标", "惠及居民户数", "≥1.5万户", "10", "2.1万户", "10", 10.0,
                "纳入改造的小区规模大于申报时测算。下年度按实际户数核定目标。"),
            Ind("质量指标", "改造工程质量验收合格率", "=100%", "10", "100%", "10", 10.0),
            # 96 < 100 → 5 × 0.96 = 4.8 = reported; reason present
            Ind("时效指标", "项目开工率", "=100%", "5", "96%", "4.8", 4.8,
                "2个小区因居民意见未统一推迟开工。下年度加强前期群众工作。"),
            # reverse missed: ratio 10 × 0.8/0.9 = 8.888…, linear 10 × (1 − 0.1/0.8) = 8.75;
            # reported 8.89 → ratio (Δ 0.0011; linear Δ 0.14) → 8.8889, no flag; reason present
            Ind("成本指标", "户均改造成本", "≤0.8万元/户", "10", "0.9万元/户", "8.89", 10 * 0.8 / 0.9,
                "钢材和管材价格上涨。下年度推行工程量清单限价。"),
            # reverse met: 24 ≤ 25 → 5
            Ind("成本指标", "加装电梯单台补助", "≤25万元/台", "5", "24万元/台", "5", 5.0),
        ]),
        ("效益", "效益指标(30分)", 30, [
            # 达成 band [8, 10]: reported 7 is below → nearest edge 8 → score_mismatch; reason present
            Ind("社会效益指标", "居住环境改善", "明显改善", "10", "达成年度指标", "7", 8.0,
                "部分小区绿化工程未完成。下年度春季补种。"),
            # 未达成 band [0, 3): 2 inside → 2; reason present
            Ind("社会效益指标", "小区安全隐患整改", "全部整改", "5", "未达成年度指标且效果较差", "2", 2.0,
                "消防通道占用问题涉及产权纠纷。下年度联合消防部门专项整治。"),
            # ≤0 target met → 5
            Ind("社会效益指标", "安全生产事故数", "≤0起", "5", "0起", "5", 5.0),
            # 70 < 80 → 10 × 70/80 = 8.75 = reported; reason present
            Ind("可持续影响指标", "小区长效管理机制建立率", "≥80%", "10", "70%", "8.75", 8.75,
                "部分小区业主委员会尚未成立。下年度推动物业管理全覆盖。"),
        ]),
        ("满意度", "满意度指标(10分)", 10, [
            # actual stored as 0.96 with number format 0% → displayed 96%
            Ind("服务对象满意度指标", "居民满意度", "≥90%", "10", 0.96, "10", 10.0),
        ]),
    ],
    # reported: 9.25 + 产出 48.69 + 效益 22.75 + 满意度 10 = 90.69
    total_printed="90.69",
    # 9.25 + 产出 (10+10+10+4.8+8.888889+5 = 48.688889) + 效益 (8+2+5+8.75 = 23.75) + 10 = 91.688889
    recomputed_total=91.688888889,
    flags=[
        ("execution_rate_mismatch", "年度资金总额"),
        ("over_achievement", "惠及居民户数"),
        ("score_mismatch", "居住环境改善"),
    ],
)

# --------------------------------------------------------------------------
# 4. Hubei copy: 预算执行情况(20分), bands 80 % / 50 %, reverse by ratio only
# --------------------------------------------------------------------------
HUBEI = Sample(
    file="national-hubei-2020-rural-waste.docx",
    profile="national-hubei-2020",
    year=2020,
    project={"name": "农村生活垃圾收运处置体系建设资金", "department": "京山市住房和城乡建设局",
             "implementing_unit": "京山市环境卫生管理所"},
    budget_label="预算执行情况(20分)",
    budget_headers=("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分(20分*执行率)"),
    budget=[
        # 494 / 520 = 95 % → 20 × 0.95 = 19 = reported
        Line("年度资金总额", "500.00", "520.00", "494.00", "20", "95.00%", "19", 19.0),
        Line("其中：当年财政拨款", "460.00", "480.00", "456.00", "—", "95.00%", "—", None),
        Line("上年结转资金", "40.00", "40.00", "38.00", "—", "95.00%", "—", None),
        Line("其他资金", "", "", "", "—", "", "—", None),
    ],
    goals=(
        "新建垃圾中转站6座，配置垃圾收运车辆30辆，行政村生活垃圾收运覆盖率达到90%以上，"
        "生活垃圾无害化处理率达到95%以上，农村人居环境明显改善。",
        "全年建成垃圾中转站6座，配置收运车辆27辆，行政村生活垃圾收运覆盖率92%，无害化处理率97%。"
        "受疫情影响中转站投运推迟，非正规垃圾堆放点整治未全部完成。",
    ),
    classes=[
        ("产出", "产出指标(40分)", 40, [
            Ind("数量指标", "新建垃圾中转站", "≥6座", "8", "6座", "8", 8.0),
            # 27 < 30 → 8 × 27/30 = 7.2 = reported; reason present
            Ind("数量指标", "配置垃圾收运车辆", "≥30辆", "8", "27辆", "7.2", 7.2,
                "3辆专用车辆因厂家供货延迟未交付。已督促供应商于下年一季度交付。"),
            Ind("质量指标", "生活垃圾无害化处理率", "≥95%", "8", "97%", "8", 8.0),
            # 部分达成, Hubei band [0.5w, 0.8w) = [4, 6.4): 4.4 inside → 4.4 (the national band [4.8, 6.4)
            # would not hold it); reason present
            Ind("时效指标", "中转站建成投运时间", "2020年11月底前", "8", "部分达成", "4.4", 4.4,
                "受疫情影响施工推迟。6座中转站于12月全部投运。"),
            # reverse missed: Hubei ratio only → 8 × 120/150 = 6.4; reported 6.0 (= linear 8 × (1 − 30/120))
            # → Δ 0.4 → score_mismatch; reason present
            Ind("成本指标", "垃圾清运单位成本", "≤120元/吨", "8", "150元/吨", "6.0", 6.4,
                "清运距离增加导致运输成本上升。下年度优化中转站布局和清运线路。"),
        ]),
        ("效益", "效益指标(30分)", 30, [
            Ind("社会效益指标", "行政村生活垃圾收运覆盖率", "≥90%", "10", "92%", "10", 10.0),
            # 未达成, Hubei band [0, 0.5w) = [0, 5): 5.5 outside → nearest edge 5 − 0.01 = 4.99 → score_mismatch
            # (the national band [0, 6) would hold it); reason present
            Ind("生态效益指标", "农村人居环境整治", "明显改善", "10", "未达成", "5.5", 4.99,
                "部分村庄环境整治资金未到位。下年度整合涉农资金集中整治。"),
            # reverse missed: ratio 10 × 5/8 = 6.25 = reported → no flag; reason present
            Ind("生态效益指标", "非正规垃圾堆放点数量", "≤5处", "10", "8处", "6.25", 6.25,
                "新排查出3处历史堆放点。已列入下年度整治清单。"),
        ]),
        ("满意度", "满意度指标(10分)", 10, [
            Ind("服务对象满意度指标", "村民满意度", "≥85%", "10", "88%", "10", 10.0),
        ]),
    ],
    # reported: 19 + 产出 33.6 + 效益 21.75 + 满意度 10 = 84.35
    total_printed="84.35",
    # 19 + 产出 (8+7.2+8+4.4+6.4 = 34) + 效益 (10+4.99+6.25 = 21.24) + 10 = 84.24
    recomputed_total=84.24,
    flags=[
        ("score_mismatch", "垃圾清运单位成本"),
        ("score_mismatch", "农村人居环境整治"),
    ],
)

# --------------------------------------------------------------------------
# 5. Sichuan copy: 指标性质 | 指标值 | 度量单位, 调整后预算数
# --------------------------------------------------------------------------
SICHUAN = Sample(
    file="national-sichuan-2023-school-nutrition.docx",
    profile="national-sichuan-2023",
    year=2023,
    project={"name": "农村义务教育学生营养改善计划补助资金", "department": "苍溪县教育局",
             "implementing_unit": "苍溪县学生资助管理中心"},
    budget_headers=("年初预算数", "调整后预算数", "全年执行数", "分值", "执行率", "得分"),
    sichuan=True,
    budget=[
        # 608 / 调整后 640 = 95 % → 10 × 0.95 = 9.5; the form prints 10 (608/600 ≥ 100 %) → score_mismatch
        Line("年度资金总额", "600.00", "640.00", "608.00", "10", "95.00%", "10", 9.5),
        Line("其中：当年财政拨款", "560.00", "600.00", "570.00", "—", "95.00%", "—", None),
        Line("上年结转资金", "40.00", "40.00", "38.00", "—", "95.00%", "—", None),
        Line("其他资金", "0.00", "0.00", "0.00", "—", "—", "—", None),
    ],
    goals=(
        "为全县86所农村义务教育学校12000名以上学生提供营养膳食补助，每生每天补助5元，"
        "全年不发生食品安全事故，学生膳食营养达标率达到95%以上。",
        "全年为86所学校12350名学生提供营养膳食补助，未发生食品安全事故。"
        "膳食营养达标率91%，学生体质健康合格率86%，均未达到年度目标。",
    ),
    classes=[
        ("产出", "产出指标(50分)", 50, [
            Ind("数量指标", "受益学生人数", ("≥", "12000", "人"), "10", "12350", "10", 10.0),
            # r = 86/86 = 100 % exactly → 10
            Ind("数量指标", "供餐学校数量", ("=", "86", "所"), "10", "86", "10", 10.0),
            # zero target met → 10
            Ind("质量指标", "食品安全事故发生数", ("=", "0", "起"), "10", "0", "10", 10.0),
            # 91 < 95 → 10 × 91/95 = 9.578947…; reported 9.58 (Δ 0.0011) → no flag; reason present
            Ind("质量指标", "膳食营养达标率", ("≥", "95", "%"), "10", "91", "9.58", 10 * 91 / 95,
                "部分学校食堂缺少专职营养配餐人员。下年度开展营养配餐培训。"),
            # reverse met: 5 ≤ 5 → 5
            Ind("成本指标", "每生每天补助标准", ("≤", "5", "元"), "5", "5", "5", 5.0),
            # reverse missed: ratio 5 × 180/216 = 4.1667, linear 5 × (1 − 36/180) = 4.00;
            # reported 4.17 → ratio (Δ 0.0033; linear Δ 0.17) → 4.1667, no flag; reason present
            Ind("成本指标", "食堂运营成本", ("≤", "180", "万元"), "5", "216", "4.17", 5 * 180 / 216,
                "食材价格上涨和新增食堂人员工资。下年度推行食材集中采购。"),
        ]),
        ("效益", "效益指标(30分)", 30, [
            Ind("社会效益指标", "学生营养健康状况改善率", ("≥", "10", "%"), "10", "12", "10", 10.0),
            # 86 < 90 → 10 × 86/90 = 9.5556; reported 9.56 (Δ 0.0044) but no deviation text
            # → missing_deviation_reason
            Ind("社会效益指标", "学生体质健康合格率", ("≥", "90", "%"), "10", "86", "9.56", 10 * 86 / 90),
            Ind("可持续影响指标", "营养改善计划实施年限", ("≥", "3", "年"), "10", "3", "10", 10.0),
        ]),
        ("满意度", "满意度指标(10分)", 10, [
            Ind("服务对象满意度指标", "学生及家长满意度", ("≥", "90", "%"), "10", "95", "10", 10.0),
        ]),
    ],
    # reported: 10 + 产出 48.75 + 效益 29.56 + 满意度 10 = 98.31
    total_printed="98.31",
    # 9.5 + 产出 (10+10+10+9.578947+5+4.166667 = 48.745614) + 效益 (10+9.555556+10 = 29.555556) + 10 = 97.80117
    recomputed_total=97.801169591,
    flags=[
        ("score_mismatch", "年度资金总额"),
        ("missing_deviation_reason", "学生体质健康合格率"),
    ],
)

DOCX_SAMPLES = [EV, WATER, HUBEI, SICHUAN]
XLSX_SAMPLES = [COMMUNITY]
PDF_NAME = "national-2021-ev-charging-table-across-pages.pdf"
PDF_SOURCE = EV

# Column grids (twips).  A4 with left/right margins of 1134 (2 cm) leaves 9638 twips.
MARGINS = {"left": 1134, "right": 1134, "top": 1440, "bottom": 1440}
GRID_10 = [800, 900, 950, 1500, 1050, 1050, 800, 900, 840, 848]
GRID_12 = [700, 800, 900, 1400, 600, 700, 650, 900, 650, 700, 769, 869]


# --------------------------------------------------------------------------
# Word builder
# --------------------------------------------------------------------------
def write_cell(cell, text):
    """text: str ("\n" = a line break) or list of str (one Word paragraph each)."""
    paras = text if isinstance(text, list) else [text]
    cell.paragraphs[0].add_run(paras[0])
    for p in paras[1:]:
        cell.add_paragraph().add_run(p)


def merge(table, r1, c1, r2, c2, text=""):
    cell = table.cell(r1, c1)
    if (r2, c2) != (r1, c1):
        cell = cell.merge(table.cell(r2, c2))
    if text != "" and text is not None:
        write_cell(cell, text)
    return cell


def add_rows(table, n):
    first = len(table.rows)
    for _ in range(n):
        table.add_row()
    return first


def runs(rows, key):
    """[(first, last, value)] for runs of equal key(row)."""
    out, k = [], 0
    while k < len(rows):
        end = k
        while end + 1 < len(rows) and key(rows[end + 1]) == key(rows[k]):
            end += 1
        out.append((k, end, key(rows[k])))
        k = end + 1
    return out


def indicator_rows(classes):
    """The indicator rows of a form, [(class index, row)], from its classes (… printed label …, rows)."""
    return [(ci, ind) for ci, cls in enumerate(classes) for ind in cls[-1]]


def class_cells(rows, classes):
    """The merged 一级 (column 1) and 二级 (column 2) cells of indicator rows [(class index, row)], as
    (first, last, column, text) with rows counted from the first indicator row: 一级 = the class's printed label
    (classes[ci][1]) down its rows, 二级 = row.sub down each run of equal values within a class."""
    cells = [(a, b, 1, classes[ci][1]) for a, b, ci in runs(rows, lambda x: x[0])]
    return cells + [(a, b, 2, sub) for a, b, (ci, sub) in runs(rows, lambda x: (x[0], x[1].sub))]


def project_rows(t, project, *, label_to: int, unit_at: int, last: int):
    """Two rows: 项目名称 | name; 主管部门 | department | 实施单位 | implementing unit (labels over columns 0–label_to,
    实施单位 over unit_at and the next column)."""
    r = add_rows(t, 2)
    merge(t, r, 0, r, label_to, "项目名称")
    merge(t, r, label_to + 1, r, last, project["name"])
    merge(t, r + 1, 0, r + 1, label_to, "主管部门")
    merge(t, r + 1, label_to + 1, r + 1, unit_at - 1, project["department"])
    merge(t, r + 1, unit_at, r + 1, unit_at + 1, "实施单位")
    merge(t, r + 1, unit_at + 2, r + 1, last, project["implementing_unit"])


def new_document(title: str) -> Document:
    """A Word document with the samples' Normal style (宋体 9 pt) and fixed core properties."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(9)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    cp = doc.core_properties
    cp.author = cp.last_modified_by = "jixiao samples"
    cp.title = title
    cp.created = cp.modified = cp.last_printed = FIXED
    cp.revision = 1
    return doc


def add_paragraph(doc, text, *, align=None, bold=False, size=None):
    """A paragraph of one run (its bold always set, True or False; size in pt)."""
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return p


def add_form(doc, s: Sample, *, new_page=False):
    """The national form: its title and （year年度） line, the table (10 columns, Sichuan 12) and 填报说明."""
    n = 12 if s.sichuan else 10
    last = n - 1
    p = add_paragraph(doc, FORM_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=16)
    if new_page:
        p.paragraph_format.page_break_before = True
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(f"（{s.year}年度）")

    t = doc.add_table(rows=0, cols=n)
    t.style = "Table Grid"
    project_rows(t, s.project, label_to=1, unit_at=7 if s.sichuan else 6, last=last)
    # money block: label | item | 年初 | 全年 | 执行 | 分值 | 执行率 | 得分
    money_cols = ([(1, 2), (3, 3), (4, 5), (6, 7), (8, 8), (9, 9), (10, 11)] if s.sichuan
                  else [(1, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 9)])
    r = add_rows(t, 5)
    merge(t, r, 0, r + 4, 0, s.budget_label)
    for (c1, c2), h in zip(money_cols, ("",) + tuple(s.budget_headers)):
        merge(t, r, c1, r, c2, h)
    for k, line in enumerate(s.budget, start=1):
        values = (line.item, line.initial, line.full, line.executed, line.weight, line.rate, line.reported)
        for (c1, c2), v in zip(money_cols, values):
            merge(t, r + k, c1, r + k, c2, v)
    # 年度总体目标
    split = 6 if s.sichuan else 5
    r = add_rows(t, 2)
    merge(t, r, 0, r + 1, 0, "年度总体目标")
    merge(t, r, 1, r, split, "预期目标")
    merge(t, r, split + 1, r, last, "实际完成情况")
    merge(t, r + 1, 1, r + 1, split, s.goals[0])
    merge(t, r + 1, split + 1, r + 1, last, s.goals[1])
    # indicator block
    if s.sichuan:
        header = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分"]
    else:
        header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    rows = indicator_rows(s.classes)
    r = add_rows(t, 1 + len(rows))
    merge(t, r, 0, r + len(rows), 0, "绩效指标")
    for c, h in enumerate(header, start=1):
        merge(t, r, c, r, c, h)
    merge(t, r, len(header) + 1, r, last, "偏差原因分析及改进措施")
    first = r + 1
    for k, (ci, ind) in enumerate(rows):
        target = list(ind.target) if s.sichuan else [printed(ind.target)]
        cells = [printed(ind.name), *target, printed(ind.actual), ind.weight, ind.reported]
        for c, text in enumerate(cells, start=3):
            merge(t, first + k, c, first + k, c, text)
        merge(t, first + k, len(header) + 1, first + k, last, ind.deviation or "")
    for a, b, c, text in class_cells(rows, s.classes):  # 一级 and 二级 merged down their rows
        merge(t, first + a, c, first + b, c, text)
    # 总分
    weight_col, score_col = len(header) - 1, len(header)
    r = add_rows(t, 1)
    merge(t, r, 0, r, weight_col - 1, "总分")
    merge(t, r, weight_col, r, weight_col, "100")
    merge(t, r, score_col, r, score_col, s.total_printed)
    merge(t, r, score_col + 1, r, last, "")

    p = doc.add_paragraph()
    p.add_run("填报说明：1.绩效指标为预算批复中确定的绩效指标。2.分值和得分按照《项目支出绩效评价管理办法》"
              "（财预〔2020〕10号）规定填写。3.定性指标根据指标完成情况分为达成年度指标、部分达成年度指标"
              "并具有一定效果、未达成年度指标且效果较差三档。")


def finish_docx(doc, path: Path, grids: list[list[int]]):
    """Save with fixed timestamps, then A4 with MARGINS and a fixed column grid per table (make_pdf_samples.Docx;
    tables past the grids keep theirs)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.docx"
        save_deterministic(doc, raw)
        d = Docx(raw)
        d.set_page(A4, MARGINS)
        for tbl, grid in zip(d.tables(), grids):
            assert sum(grid) == d.text_width(), (sum(grid), d.text_width())
            d.set_grid(tbl, grid)
        d.save(path)


def build_docx(s: Sample, path: Path):
    doc = new_document(FORM_TITLE)
    add_form(doc, s)
    finish_docx(doc, path, [GRID_12 if s.sichuan else GRID_10])


def save_deterministic(doc, path: Path):
    buf = io.BytesIO()
    doc.save(buf)
    rezip(buf.getvalue(), path)


def rezip(data: bytes, path: Path, edit=None):
    """Write the zip with fixed timestamps (and optionally edit member texts) so every run gives the same bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if edit:
                body = edit(info.filename, body)
            zi = zipfile.ZipInfo(info.filename, date_time=(2022, 3, 1, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, body)


# --------------------------------------------------------------------------
# Excel builder (the same form in one worksheet, columns A–J as the Word grid)
# --------------------------------------------------------------------------
BLANK = ("", "—", "/")  # cells that print no figure


def money_value(text: str):
    return float(text) if text not in BLANK else None


def rate_value(text: str):
    """A printed rate (92.50%) as the fraction an Excel cell formatted 0.00% holds."""
    return float(text.rstrip("%")) / 100 if text not in BLANK else None


def new_sheet(title: str, widths):
    """A workbook with fixed properties, its sheet, and put(): a bordered (merged) cell with a value."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title
    wb.properties.creator = wb.properties.lastModifiedBy = "jixiao samples"
    wb.properties.created = wb.properties.modified = FIXED
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for k, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(k)].width = width

    def put(r, c1, c2=None, value=None, fmt=None, r2=None, left=False, border=True):
        c2, r2 = c2 or c1, r2 or r
        if (r2, c2) != (r, c1):
            ws.merge_cells(start_row=r, start_column=c1, end_row=r2, end_column=c2)
        if border:
            for rr in range(r, r2 + 1):
                for cc in range(c1, c2 + 1):
                    ws.cell(rr, cc).border = box
        cell = ws.cell(r, c1)
        if value is not None and value != "":
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text such as =100% (openpyxl would write a formula)
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="left" if left else "center")
        return cell

    return wb, ws, put


def sheet_title(ws, cells: str, text: str, *, bold=True, size=16, align="center", wrap=False, vertical="center"):
    """A line merged across cells (A1:J1), in bold at size pt unless bold is False."""
    from openpyxl.styles import Alignment, Font

    ws.merge_cells(cells)
    first = ws[cells.split(":")[0]]
    first.value = text
    if bold:
        first.font = Font(bold=True, size=size)
    first.alignment = Alignment(horizontal=align, vertical=vertical, wrap_text=wrap or None)


def save_xlsx(wb, path: Path):
    """Save with fixed zip timestamps and the fixed created / modified dates (openpyxl stamps the time of saving)."""
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def fix_core(name, body):
        if name == "docProps/core.xml":  # openpyxl stamps 'modified' with the time of saving
            body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            body = re.sub(rb"(<dcterms:created[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
        return body

    rezip(buf.getvalue(), path, fix_core)


def build_xlsx(s: Sample, path: Path):
    assert not s.sichuan
    wb, ws, put = new_sheet("项目支出绩效自评表", (8, 10, 12, 22, 14, 14, 8, 9, 14, 14))
    sheet_title(ws, "A1:J1", FORM_TITLE, wrap=True)
    sheet_title(ws, "A2:J2", f"（{s.year}年度）", bold=False, wrap=True)
    put(3, 1, 2, "项目名称")
    put(3, 3, 10, s.project["name"])
    put(4, 1, 2, "主管部门")
    put(4, 3, 6, s.project["department"])
    put(4, 7, 8, "实施单位")
    put(4, 9, 10, s.project["implementing_unit"])
    # money block: rows 5–9
    money_cols = [(2, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 8), (9, 10)]
    put(5, 1, 1, s.budget_label, r2=9)
    for (c1, c2), h in zip(money_cols, ("",) + tuple(s.budget_headers)):
        put(5, c1, c2, h)
    for k, line in enumerate(s.budget, start=6):
        put(k, 2, 3, line.item)
        for (c1, c2), text in zip(money_cols[1:4], (line.initial, line.full, line.executed)):
            put(k, c1, c2, money_value(text), "0.00")
        put(k, 7, 7, money_value(line.weight), "0")
        put(k, 8, 8, rate_value(line.rate), "0.00%")
        put(k, 9, 10, money_value(line.reported), "0.00")
    # 年度总体目标: rows 10–11
    put(10, 1, 1, "年度总体目标", r2=11)
    put(10, 2, 6, "预期目标")
    put(10, 7, 10, "实际完成情况")
    put(11, 2, 6, s.goals[0], left=True)
    put(11, 7, 10, s.goals[1], left=True)
    ws.row_dimensions[11].height = 96
    # indicators from row 12
    rows = indicator_rows(s.classes)
    head = 12
    put(head, 1, 1, "绩效指标", r2=head + len(rows))
    for c, h in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"], start=2):
        put(head, c, c, h)
    put(head, 9, 10, "偏差原因分析及改进措施")
    first = head + 1
    for k, (ci, ind) in enumerate(rows):
        r = first + k
        put(r, 4, 4, printed(ind.name))
        put(r, 5, 5, printed(ind.target))
        if isinstance(ind.actual, float):
            put(r, 6, 6, ind.actual, "0%")
        else:
            put(r, 6, 6, printed(ind.actual))
        put(r, 7, 7, float(ind.weight), "0")
        put(r, 8, 8, float(ind.reported), "0.00")
        put(r, 9, 10, ind.deviation or "", left=True)
    for a, b, c, text in class_cells(rows, s.classes):
        put(first + a, c + 1, c + 1, text, r2=first + b)
    r = first + len(rows)
    put(r, 1, 6, "总分")
    put(r, 7, 7, 100.0, "0")
    put(r, 8, 8, float(s.total_printed), "0.00")
    put(r, 9, 10, "")
    save_xlsx(wb, path)


# --------------------------------------------------------------------------
# Expected JSON
# --------------------------------------------------------------------------
def rate_percent(text: str):
    return float(text.rstrip("%")) if text not in BLANK else None


def indicator_record(category, points, sub, name, target, weight, actual, reported, recomputed, reason, **more):
    """One indicator of an expected record, in the contract's key order (points / reported / recomputed may be
    None, reported also ""; weight and the scores as printed text or numbers)."""
    return {
        "category": category,
        "category_points": None if points is None else float(points),
        "subcategory": sub,
        "name": name,
        "target": target,
        "weight": float(weight),
        "actual": actual,
        "reported_score": None if reported in (None, "") else float(reported),
        "recomputed_score": None if recomputed is None else float(recomputed),
        "deviation_reason": reason,
        **more,
    }


def flag_records(flags, severity=SEVERITY, **more):
    """The expected flags of (code, subject) pairs, with their severity (and the keys of more)."""
    return [{"code": c, "severity": severity[c], "subject": subj, **more} for c, subj in flags]


def expected_json(s: Sample, source_path: str, fmt: str) -> dict:
    budget_lines = []
    for line in s.budget:
        budget_lines.append({
            "item": line.item.removeprefix("其中："),
            "initial_budget": money_value(line.initial),
            "full_year_budget": money_value(line.full),
            "executed": money_value(line.executed),
            "weight": money_value(line.weight),
            "execution_rate": rate_percent(line.rate),
            "reported_score": money_value(line.reported),
            "recomputed_score": line.recomputed,
        })
    indicators = []
    for category, label, points, rows in s.classes:
        for ind in rows:
            name = expected(ind.name)
            assert name == fold(printed(ind.name)), name
            if s.sichuan:
                target = "".join(ind.target)
            else:
                target = expected(ind.target)
                assert target == fold(printed(ind.target)), target
            if isinstance(ind.actual, float):  # xlsx fraction shown with 0%
                actual = f"{round(ind.actual * 100)}%"
            else:
                actual = expected(ind.actual)
                assert actual == fold(printed(ind.actual)), actual
            indicators.append(indicator_record(category, points, ind.sub, name, target, ind.weight, actual,
                                               ind.reported, ind.recomputed, ind.deviation))
    # hand total: budget + Σ recomputed, rows the rules cannot decide at their reported score
    total = s.budget[0].recomputed + sum(
        i["recomputed_score"] if i["recomputed_score"] is not None else i["reported_score"] for i in indicators)
    assert abs(total - s.recomputed_total) < 1e-6, (s.file, total, s.recomputed_total)
    codes = [c for c, _ in s.flags]
    assert ("recomputed_total_partial" in codes) == any(i["recomputed_score"] is None for i in indicators), s.file
    goals = [("\n".join(g) if isinstance(g, list) else g) for g in s.goals]
    return {
        "source": {"path": source_path, "format": fmt},
        "status": "ok",
        "template": "national-2020",
        "profile": s.profile,
        "project": {"name": s.project["name"], "year": s.year, "department": s.project["department"],
                    "implementing_unit": s.project["implementing_unit"]},
        "budget_lines": budget_lines,
        "indicators": indicators,
        "reported_total": float(s.total_printed),
        "recomputed_total": round(total, 6),
        "sections": {"年度总体目标": goals[0], "总体目标完成情况": goals[1]},
        "flags": flag_records(s.flags),
    }


def check_form_arithmetic(s: Sample):
    """Sanity checks of the data spec itself (printed sums), so a typo in a sample shows up here."""
    reported = float(s.budget[0].reported) + sum(float(i.reported) for _, _, _, rows in s.classes for i in rows)
    weights = float(s.budget[0].weight) + sum(float(i.weight) for _, _, _, rows in s.classes for i in rows)
    codes = set(s.flags)
    assert (abs(reported - float(s.total_printed)) > 0.01) == (("total_mismatch", "total") in codes), (s.file, reported)
    assert (abs(weights - 100) > 0.01) == (("weight_sum_mismatch", "total") in codes), (s.file, weights)
    for category, _, points, rows in s.classes:
        off = abs(sum(float(i.weight) for i in rows) - points) > 0.01
        assert off == (("weight_sum_mismatch", category) in codes), (s.file, category)


def write_json(obj, path: Path):
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------
# PDF: the first docx through LibreOffice, the indicator table across a page break
# --------------------------------------------------------------------------
PDF_FAMILY = "AR PL UMing CN"
# Base font sizes (half-points) tried in turn; the first that breaks the page inside an indicator row whose
# 一级 class continues on the next page is kept.  With LibreOffice 7.4.7 and AR PL UMing CN the first one
# (11 pt) cuts the 偏差原因 text of 单桩建设补助标准, and 单站建设成本 (same 产出 / 成本指标 merged cells)
# opens page 2.
PDF_BASE_SIZES = [22, 21, 24, 20]


@dataclass(frozen=True)
class Columns:
    """Where the cells of an indicator row stand in a PDF table row: a row has at least `width` cells; the 一级
    class, the 三级 name, the weight and (None: not checked) the reason are in these columns."""
    width: int
    cls: int
    name: int
    weight: int
    reason: int | None = None


COLUMNS = Columns(width=8, cls=1, name=3, weight=6)  # of the 10-column grid


def table_rows_by_page(pdf_path: Path):
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        return [[[squash(c) for c in row] for tb in page.find_tables() for row in tb.extract()]
                for page in pdf.pages]


def indicator_break(pages, names, cols: Columns = COLUMNS):
    """The page break inside the indicator block, as (page, row before, continuation or None, row after).

    row before = last row on the page (an indicator row: 三级 name and 分值); continuation = the next page's
    first row when it has text but neither 三级 name nor 分值 (the rest of the row before, cut by the break);
    row after = the next indicator row.  None when no break falls between two indicator rows.
    """
    for i in range(len(pages) - 1):
        if not pages[i] or not pages[i + 1]:
            continue
        before, nxt = pages[i][-1], pages[i + 1]
        if len(before) < cols.width or before[cols.name] not in names or not before[cols.weight]:
            continue
        cont = None
        if len(nxt[0]) >= cols.width and not nxt[0][cols.name] and not nxt[0][cols.weight] and any(nxt[0]):
            cont, nxt = nxt[0], nxt[1:]
        if nxt and len(nxt[0]) >= cols.width and nxt[0][cols.name] in names:
            return i + 1, before, cont, nxt[0]
    return None


def make_pdf(source: Path, pdf_name: str, exp: dict, base_sizes=PDF_BASE_SIZES, cols: Columns = COLUMNS):
    """source in PDF_FAMILY at each base size in turn, with a footer 第 N 页 共 M 页, through LibreOffice (a
    private profile in a temp folder).  The first PDF whose page break cuts an indicator row of exp (its rest
    opens the next page) above a row whose 一级 cell continues (is empty there) — and, where cols.reason is
    set and the cut row has a reason, cuts that reason inside a sentence (a cut after 。 would read as a new
    paragraph) — gets fixed dates and ids and is written as samples/pdf_name.  Returns (size, pages, break)."""
    names = [i["name"] for i in exp["indicators"]]
    reasons = {i["name"]: i["deviation_reason"] for i in exp["indicators"] if i["deviation_reason"]}
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-samples-pdf-"))
    try:
        for size in base_sizes:
            d = Docx(source)
            d.set_fonts(PDF_FAMILY, PDF_FAMILY)
            d.set_base_size(size)
            d.add_page_footer()
            src = tmp / (Path(pdf_name).stem + ".docx")
            d.save(src)
            lo_pdf = soffice_convert(src, "pdf", tmp / f"pdf{size}", tmp / "lo-profile")
            pages = table_rows_by_page(lo_pdf)
            brk = indicator_break(pages, names, cols)
            if not brk or brk[2] is None or brk[3][cols.cls]:
                continue
            before = brk[1]
            if cols.reason is not None and before[cols.name] in reasons:
                if not before[cols.reason] or before[cols.reason].endswith("。"):
                    continue
            fix_lo_pdf(lo_pdf)
            shutil.copyfile(lo_pdf, HERE / pdf_name)
            return size, len(pages), brk
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    raise RuntimeError(f"{pdf_name}: no base size puts the page break inside a cut indicator row")


def describe_break(pdf_name: str, made, cols: Columns = COLUMNS, under="一级/二级 cells") -> str:
    """make_pdf's result as a line of the generator's report."""
    size, n_pages, (page, before, cont, after) = made
    return (f"  {pdf_name}: {n_pages} pages, base size {size / 2:g} pt; page {page}→{page + 1} cuts "
            f"{before[cols.name]} (continued on page {page + 1}: {[c for c in cont if c]}); "
            f"page {page + 1} opens with {after[cols.name]} under the continuing {under}")


# --------------------------------------------------------------------------
# A scan of another national form, and the PDF above with its fonts' ToUnicode maps taken away
# --------------------------------------------------------------------------
SCAN_NAME = "national-2021-rural-water-scanned.pdf"
SCAN_SOURCE = WATER
NO_TOUNICODE_NAME = "national-2021-ev-charging-no-tounicode.pdf"


def make_scan(source: Path, scan_name: str):
    """source in PDF_FAMILY through LibreOffice, then scanned (make_pdf_samples.scan_pdf): 200 dpi grey, each
    page turned by other angles than the Suzhou scan's (-0.8°, 0.55°), more sensor noise (σ 9) and dust, JPEG
    quality 50, seed 2021.  An image-only PDF: no fonts, no text layer."""
    import pdfplumber

    tmp = Path(tempfile.mkdtemp(prefix="jixiao-samples-scan-"))
    try:
        d = Docx(source)
        d.set_fonts(PDF_FAMILY, PDF_FAMILY)
        src = tmp / (Path(scan_name).stem + ".docx")
        d.save(src)
        lo_pdf = soffice_convert(src, "pdf", tmp / "pdf", tmp / "lo-profile")
        scan_pdf(lo_pdf, HERE / scan_name, tmp / "pages", angles=(-0.8, 0.55), quality=50, seed=2021,
                 noise=9.0, dust=0.0003)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with pdfplumber.open(HERE / scan_name) as pdf:
        assert not any(p.chars for p in pdf.pages) and all(p.images for p in pdf.pages), scan_name


def strip_tounicode(src: Path, dst: Path):
    """src with every font's /ToUnicode key renamed (/ToUnicodX, same length: offsets and xref stay right):
    the text layer gives glyph numbers, as a PDF whose fonts were embedded without ToUnicode maps does."""
    data = src.read_bytes()
    assert data.count(b"/ToUnicode") >= 1, src
    dst.write_bytes(data.replace(b"/ToUnicode", b"/ToUnicodX"))


def main():
    EXPECTED_DIR.mkdir(exist_ok=True)
    written = []
    for s in DOCX_SAMPLES:
        check_form_arithmetic(s)
        build_docx(s, HERE / s.file)
        write_json(expected_json(s, s.file, "docx"), EXPECTED_DIR / f"{s.file}.json")
        written += [s.file, f"expected/{s.file}.json"]
    for s in XLSX_SAMPLES:
        check_form_arithmetic(s)
        build_xlsx(s, HERE / s.file)
        write_json(expected_json(s, s.file, "xlsx"), EXPECTED_DIR / f"{s.file}.json")
        written += [s.file, f"expected/{s.file}.json"]

    exp = expected_json(PDF_SOURCE, PDF_NAME, "pdf")
    made = make_pdf(HERE / PDF_SOURCE.file, PDF_NAME, exp)
    write_json(exp, EXPECTED_DIR / f"{PDF_NAME}.json")
    written += [PDF_NAME, f"expected/{PDF_NAME}.json"]

    # The same records: a scan or an unreadable text layer changes nothing in the report, only the source.
    strip_tounicode(HERE / PDF_NAME, HERE / NO_TOUNICODE_NAME)
    write_json(expected_json(PDF_SOURCE, NO_TOUNICODE_NAME, "pdf"), EXPECTED_DIR / f"{NO_TOUNICODE_NAME}.json")
    make_scan(HERE / SCAN_SOURCE.file, SCAN_NAME)
    write_json(expected_json(SCAN_SOURCE, SCAN_NAME, "pdf"), EXPECTED_DIR / f"{SCAN_NAME}.json")
    written += [NO_TOUNICODE_NAME, f"expected/{NO_TOUNICODE_NAME}.json", SCAN_NAME, f"expected/{SCAN_NAME}.json"]

    for w_ in written:
        print("wrote samples/" + w_)
    print(describe_break(PDF_NAME, made))


if __name__ == "__main__":
    main()
