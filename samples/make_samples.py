#!/usr/bin/env python3
"""Generate Suzhou-2017-form sample reports (.docx) and the expected JSON for each.

Run from the repository root:

    .venv/bin/python samples/make_samples.py

Every file is written next to this script (samples/) and every expectation to
samples/expected/<sample file name>.json.  The output is deterministic (fixed
document properties, fixed zip timestamps, random.Random(7) for the broken file).

All expected values below are written by hand from each sample's own data:
each indicator row carries its recomputed score, worked out with the rules of
shared/spec/scoring-rules.md part (a) (the working is in the comment next to
every row that is not simply "full weight").  Nothing here runs a scoring
engine; the only arithmetic the script does is adding the hand values up for
recomputed_total, and it asserts that sum against a hand-written total.

The samples and what each one shows
-----------------------------------
suzhou-2020-egov-selfeval.docx
    The seed (suzhou-2020-egov-selfeval.txt, a real report) rebuilt as Word with
    the same content: 38 indicators (投入 14 / 产出 11 / 结果 9 / 影响力 4), 13
    subprojects, the 8 money figures, 7 narrative sections with the raw
    <p style=...> markup of the seed in 项目管理成效.  Names are clean cell text,
    a few wrapped with an embedded line break (数据交换前\\n置交换节点数).
    Flags: score_mismatch 预算执行率 (=93% → 3.90, reported 6),
    budget_identity fund_balance (260 ≠ 结转数 0 + 财政收回数 0),
    mixed_qualitative 政府采购规范性 (规范 → =100%).
    The same expectation is also written for the seed text file
    (expected/suzhou-2020-egov-selfeval.txt.json, source.format "txt").

suzhou-2019-water-supply-score-faults.docx
    Scoring faults: five score_mismatch rows (an 投入 =90% row given full
    weight; an 产出 r = 140 % row not cut; a ≥98% / =96% row scored full; a
    结果 ≥95% / =90% row scored as if r = 90; a blank (—) actual given full
    weight → also missing_value).  Must not flag: 1.91 reported for 1.9075
    (r = 97.5), 户表改造数 r = 124 %, 结果 r = 538 %, reverse targets met,
    财务制度健全性 较好 = 80 %.  Layout: wrapped names (line breaks, stray
    spaces), a continuation row (…巩固提升工程完 + 成数), narrative cells with
    several Word paragraphs, a negative 调整预算数 (-300.00).

suzhou-2021-elderly-care-budget-faults.docx
    Money faults: 指标结余数 150 where 1860 + 140 − 1950 = 50
    (budget_identity quota_balance); subprojects sum to 1950 but 合计 says 1905
    (subproject_sum_mismatch).  mixed_qualitative 政府采购规范性.  Must not flag:
    A8 reading 2 (≥90% / =86%, reported 3.43 = reading 2, not reading 1 3.34),
    r = 130 % exactly in 产出, 较好 = 80 %, 1/3-weight splits 2.67/2.67/2.66.
    Layout: class labels split over lines in the merged cells (投入目\\n标(20分),
    影响力目\\n标\\n(8分)), full-width （）％＝ in cells, <p> markup spread over two
    Word paragraphs with &ldquo;/&rdquo; entities.

suzhou-2018-road-maintenance-weight-total-faults.docx
    Form faults: the last 产出 weight is 2.40 instead of 2.20 (weights sum to
    24.2 → weight_sum_mismatch 产出); 合计 77.11 while the rows add up to 76.11
    (total_mismatch).  Must not flag: reverse target missed (≤48小时 / =50小时,
    r = 96 → 1.744, reported 1.74), A8 both readings within tolerance (reading 1
    kept), 较好 = 80 %.  Layout: the indicator table split into two Word tables
    at the 结果 class with the header row repeated; wrapped names as separate
    paragraphs; the duplicated-fragment artefact 道路病害识 别算道路病 害识别算法
    (true name 道路病害识别算法); <p> markup with <br/>, <strong>, &nbsp;.

suzhou-2022-school-meals-reordered-layout.docx
    Layout: 项目年份 on its own row, an extra 实施单位 row, the 项目资金构成 block
    placed before the two money tables, class labels split over lines, a
    continuation row (…明厨亮灶改造完 + 成数), amounts printed with 2 decimals,
    narrative paragraphs indented with ideographic spaces.  Faults: 资金结余、结转数
    86 where 1420 − 1340 = 80 (budget_identity fund_balance; 86 = 结转数 86 +
    财政收回数 0 holds); an actual of "/" reported 0 (missing_value only, no
    score_mismatch).  Must not flag: r = 124 %, ≥190天 / =186天 → 4.47, 一般 = 60 %.

suzhou-2020-river-cleanup-split-table.docx
    Layout: the indicator table split into two Word tables in the middle of the
    产出 class (header repeated, the class cell empty in the second table).
    Faults: 结果 weights 3.6 × 5 + 4.0 (sum 22 but rows differ from 22/6 = 3.67
    → weight_sum_mismatch 结果); 资金结余、结转数 38.40 ≠ 结转数 20.00 + 财政收回数
    8.40 (budget_identity fund_balance); 产出 r = 150 % scored full
    (score_mismatch).  mixed_qualitative 政府采购规范性.  Must not flag: 产出
    r = 135 % cut to 2.5365 (reported 2.54), r = 95 % → 2.0025 (reported 2.00),
    A8 reading 1 only (≥90% / =80%, reported 0.89), reverse target met, 较好.

suzhou-2021-public-bike-appropriation-exec-rate.docx
    Faults: the two 财政拨款数 cells differ (1200.00 vs 1120.00 → budget_identity
    appropriation); 预算执行率 claims =100% while 实际支付数 / 财政拨款数 is 88.7 %
    (or 95.0 % with the second cell) → execution_rate_mismatch.  Layout:
    实施单位 on the 主管部门 row, "APP 注册用户数" (Latin + space + CJK),
    plain <p>/<div> markup with &quot;.  Must not flag: reverse target met,
    r = 90 % → 1.875 (reported 1.88), r = 95 % → 2.8125 (reported 2.81), 较好.

broken-random-bytes.docx
    2 KB of random.Random(7) bytes with a .docx name.  Expected: status "error",
    template "unknown", no indicators.

Conventions of the expected JSON (see the brief / contract): names, targets,
actuals, project and subproject names are NFKC-folded with whitespace next to
CJK removed and line breaks removed; narrative sections keep their characters
but lose markup (block tags → line breaks, entities unescaped, lines stripped,
empty lines dropped).  budget.appropriation is the 财政拨款数 of the first money
table (市级预算执行情况); the identity 资金结余、结转数 = 财政拨款数 − 实际支付数 is
read within the second table (市级财政资金使用情况).
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
EXPECTED_DIR = HERE / "expected"

TITLE = "苏州市级财政支出项目绩效自我评价报告"
FORM_TITLE = "苏州市级财政支出项目绩效自评表"
INDICATOR_HEADER = ["项目", "类别", "指标名称", "目标值", "权重", "实际完成值", "自评分"]
FILL_NOTE = (
    "填表说明：1.“市级预算执行情况”、“市级财政资金使用情况”均含非税收入。“年初预算数”填“二下”数；"
    "“当年使用上年结余、结转及当年调整预算数”填当年使用上年结余、结转数以及追加或调减预算数；"
    "“财政拨款数”填财政部门实际拨付的款项数；“实际支付数”填资金实际支付到最终使用者的数额；"
    "“结转数”填结转以后年度使用的资金数；“财政收回数”填财政部门收回的资金数。"
    "指标结余数=年初预算数+当年使用上年结余、结转及当年调整预算数-财政拨款数；"
    "资金结余、结转数=财政拨款数-实际支付数=结转数+财政收回数。"
    "2.“指标名称”中“投入”类指标根据项目类型，按照《2017年度苏州市级财政支出项目绩效评价“投入”类共性指标》规定，"
    "逐一对照进行自我评价；“产出”、“结果”、“影响力”三类指标填列预算部门（单位）报送的绩效目标申报表中"
    "经财政部门审核通过的指标，如发生绩效目标调整的，以经财政部门批准调整后的指标为准。"
    "3.各项指标权重值为根据指标数量将该类总分值分摊到各项指标的分值，即各项指标分值=该类总分值/指标个数。"
    "4.各项数据采集的时间节点均为2019年12月31日。定性指标按照好、较好、一般、较差、差等级评分，"
    "分别得对应权重值的100%、80%、60%、40%和20%。定量指标评分规则：“产出”类每项指标的实际完成值对应"
    "预期设定的目标值，完成100%~130%得权重值满分，实际完成值每低于目标值1个百分点相应扣减权重值的5%，"
    "超过130%的每超过1%扣权重值1%；除指标解释中有特别说明的以外，“投入”类指标评分规则同“产出”类指标；"
    "“结果”类指标以100%及以上为满分，每降低1%扣权重值5%。某项指标无法提供具体数值，且无说明，得0分。"
)
MARK_NOTE = "（标注：项目概况、项目总目标、年度绩效目标由软件自动从申报表生成）"

# (section key in the JSON, row label in the form)
SECTION_ROWS = [
    ("项目概况", "项目概况"),
    ("项目总目标", "项目总目标"),
    ("年度绩效目标", "年度绩效目标"),
    ("项目实施情况", "项目实施情况"),
    ("项目管理成效", "项目管理成效"),
    ("存在问题", "项目管理存在的问题及原因"),
    ("建议", "进一步加强项目管理的建议"),
]

SEVERITY = {
    "score_mismatch": "error",
    "missing_value": "warning",
    "mixed_qualitative": "info",
    "total_mismatch": "error",
    "weight_sum_mismatch": "error",
    "budget_identity": "error",
    "subproject_sum_mismatch": "error",
    "execution_rate_mismatch": "warning",
    "full_score_despite_shortfall": "warning",
}


# --------------------------------------------------------------------------
# Data spec
# --------------------------------------------------------------------------
# An indicator row is a tuple
#   (printed_name, name, target, weight, actual, reported, recomputed)
# printed_name  text put in the 指标名称 cell; "\n" is a line break inside the
#               cell; a tuple (head, tail) puts the tail on a continuation row.
# name          the expected (clean) name; None when printed_name is already clean.
# target/actual the printed cell text, or (printed, expected) when they differ.
# weight/reported  printed cell text; the expected value is that number.
# recomputed    the hand-computed score (full precision).
#
# A class is (category, printed label, points, rows).


@dataclass
class Html:
    """A narrative cell holding raw HTML: raw = Word paragraphs as written, text = expected."""

    raw: list
    text: str


@dataclass
class Sample:
    file: str
    project: dict            # name / year / department (/ implementing_unit); (printed, expected) allowed
    budget: dict             # the eight amounts as numbers (what the form prints, 2 decimals)
    subprojects: list        # (printed name or (printed, expected), amount)
    subprojects_total: float
    classes: list
    total_printed: str       # 合计 of 自评分 as printed
    recomputed_total: float  # hand total, asserted against the sum of the hand row values
    sections: dict           # key -> str | list[str] (several Word paragraphs) | Html
    flags: list              # (code, subject)
    layout: dict = field(default_factory=dict)
    budget_printed: dict = field(default_factory=dict)  # overrides, e.g. {"appropriation_use": 1120.0}


def printed(v):
    return v[0] if isinstance(v, tuple) else v


def expected(v):
    return v[1] if isinstance(v, tuple) else v


# --------------------------------------------------------------------------
# 1. The seed, rebuilt
# --------------------------------------------------------------------------
SEED_MGMT_LINES = [
    (True, "1.健全组织机构，数字政府顶层设计不断完善"),
    (False, "今年，市信息中心配合市大数据管理局，强化全市电子政务建设顶层设计，着眼从全局和根本上解决政务信息系统建设中存在的"
            "“各自为政、条块分割、烟囱林立、信息孤岛”问题，进一步加快全市政务信息系统整合共享工作。2020年，苏州市电子政务"
            "（政务大数据）工作领导小组多次召开工作例会，瞄准电子政务建设中的跨部门、跨业务、跨系统、跨条线、跨层级协同问题，"
            "研究部署重大事项，协调解决难点问题，监督推进工作落实。以上制度举措为电子政务建设专项资金的使用管理工作提供了"
            "坚实的政策指导和制度保证。"),
    (True, "2.专项资金管理规范，支出有据，资金使用合理合规。"),
    (False, "电子政务建设专项资金严格执行专户管理和先发生后支付的原则，有效保障资金安全，避免专项资金在预算部门沉积。"
            "在资金管理方面，资金、财务制度健全，审批拨付流程清晰，经费支出有据可循，资金使用合理合规，专项资金管理规范、"
            "严谨，资金使用效率较高。"),
    (True, "3.电子政务项目规范化、精细化、科学化水平进一步提高。"),
    (False, "在应用系统建设项目安排上，坚持市大数据管理局、市财政局两部门联合审查、专家评分的流程，体现了公平、公正的原则。"
            "在项目实施过程中，项目申报表、可行性研究报告、项目责任书等纸质资料齐全，市大数据管理局和市信息中心统一整理归档，"
            "管理规范，项目流程做到了有迹可查。专项资金全程有监管、有跟踪、有协调、有反馈，电子政务项目规范化、精细化、"
            "科学化水平进一步提高。"),
]
# The seed cell is one line of HTML: <p style="text-align: center;">heading</p> <p>body</p> ...
SEED_MGMT = Html(
    raw=[" ".join(f'<p style="text-align: center;">{t}</p>' if head else f"<p>{t}</p>"
                  for head, t in SEED_MGMT_LINES)],
    text="\n".join(t for _, t in SEED_MGMT_LINES),
)

SEED = Sample(
    file="suzhou-2020-egov-selfeval.docx",
    project={"name": "电子政务项目建设资金", "year": 2020, "department": "苏州市信息中心"},
    budget=dict(initial_budget=3773.00, adjustment=0.00, appropriation=3773.00, quota_balance=0.00,
                actual_payment=3513.00, fund_balance=260.00, carried_forward=0.00, recovered=0.00),
    subprojects=[
        ("苏州市“互联网+监管”监管数据中心", 98),
        ("互联网+公共服务(燃气缴费)项目", 197),
        ("苏州城市服务总入口项目", 879),
        ("苏州市级政务云业务中台项目", 360),
        ("苏州市级政务云数据中台项目", 570),
        ("苏州市级政务云业务索引应用项目", 198),
        ("苏州市电子政务架构治理及绩效管理服务项目", 60),
        ("苏州市市级数据库平台标准化治理项目", 360),
        ("苏州大数据共享协同综合服务项目", 64),
        ("苏州市电子政务外网电子认证管控服务平台", 232),
        ("苏州市政务云资源管理可视化平台", 200),
        ("监理服务", 153),
        ("2019年项目尾款", 402),
    ],
    subprojects_total=3773.0,
    classes=[
        ("投入", "投入目标(26分)", 26, [
            ("资金使用合规性", None, "合规", "3", "好", "3", 3.0),
            ("财务制度健全性", None, "健全", "3", "好", "3", 3.0),
            ("资产产权明确性", None, "资产明确", "1", "好", "1", 1.0),
            ("各级财政应承担资金到位率", None, "=100%", "1", "=100%", "1", 1.0),
            # r = 93 → 6 × (1 − 0.05 × 7) = 3.90; reported 6 → score_mismatch
            ("预算执行率", None, "=100%", "6", "=93%", "6", 3.9),
            ("专款专用率", None, "=100%", "3", "=100%", "3", 3.0),
            # reverse, 1 ≤ 15 → r = 100
            ("资金节约率", None, "15%及其以下", "1", "=1%", "1", 1.0),
            ("配套设施到位率", None, "=100%", "1", "=100%", "1", 1.0),
            ("实际风险事件有效控制率", None, "=100%", "1", "=100%", "1", 1.0),
            # word target, =100% actual → 好 + mixed_qualitative
            ("政府采购规范性", None, "规范", "2", "=100%", "2", 2.0),
            ("可行研究充分性", None, "充分", "1", "好", "1", 1.0),
            ("工程变更合规性", None, "合规", "1", "好", "1", 1.0),
            ("与预期质量计划差距\n定期检查率", "与预期质量计划差距定期检查率", "=100%", "1", "=100%", "1", 1.0),
            ("业务运维体系健全性", None, "健全", "1", "好", "1", 1.0),
        ]),
        ("产出", "产出目标 (24分)", 24, [
            ("项目验收通过率", None, "=100%", "2.18", "=100%", "2.18", 2.18),
            ("各项目目标达成率", None, "=100%", "2.18", "=100%", "2.18", 2.18),
            ("项目建设管理规范", None, "规范", "2.18", "规范", "2.18", 2.18),
            ("年内项目启动数", None, "=7个", "2.18", "=7个", "2.18", 2.18),
            ("签名验签服务器", None, "=4台", "2.18", "=4台", "2.18", 2.18),
            # r = 124.2 (产出 band 100–130) → full
            ("圈存机布点数", None, "=805个", "2.18", "=1000个", "2.18", 2.18),
            ("监管数据中心基础库建成数", None, "=8", "2.18", "=8", "2.18", 2.18),
            ("落实项目监理制数量", None, "=10", "2.18", "=10", "2.18", 2.18),
            # r = 116.7 → full
            ("业务中台通用服务能力", None, "=6", "2.18", "=7", "2.18", 2.18),
            ("提供数据质量的第三方\n数据质量监测服务", "提供数据质量的第三方数据质量监测服务",
             "=40", "2.18", "=40", "2.18", 2.18),
            ("安全认证网关", None, "=2", "2.2", "=2", "2.2", 2.2),
        ]),
        ("结果", "结果目标 (22分)", 22, [
            ("数据交换前\n置交换节点数", "数据交换前置交换节点数", ("≥35 个", "≥35个"), "2.44",
             ("=40 个", "=40个"), "2.44", 2.44),
            ("业务标签信息", None, ("≥55 个", "≥55个"), "2.44", ("=106 个", "=106个"), "2.44", 2.44),
            ("对接业务部门服务", None, ("≥100 点", "≥100点"), "2.44", ("=200 点", "=200点"), "2.44", 2.44),
            # r = 538 → 结果 has no overshoot penalty → full
            ("APP下载数", None, ("≥500000 个", "≥500000个"), "2.44", ("=2690000 个", "=2690000个"), "2.44", 2.44),
            ("架构治理服务提交电子政务\n项目初审报告数", "架构治理服务提交电子政务项目初审报告数",
             ("≥100 份", "≥100份"), "2.44", ("=100 份", "=100份"), "2.44", 2.44),
            ("数据中台综合监控分析项", None, ("≥20 项", "≥20项"), "2.44", ("=20 项", "=20项"), "2.44", 2.44),
            ("数据资源分析算法", None, ("≥4 种", "≥4种"), "2.44", ("=4 种", "=4种"), "2.44", 2.44),
            ("监管数据中心对接部门数", None, "≥10", "2.44", "=16", "2.44", 2.44),
            ("业务中台需要对接部门业务服务", None, "≥30", "2.48", "=30", "2.48", 2.48),
        ]),
        ("影响力", "影响力目标 (8分)", 8, [
            ("数据库标准化水平", None, "提升", "2", "提升", "2", 2.0),
            # r = 105.3 → full
            ("部门用户满意度", None, "≥95%", "2", "=100%", "2", 2.0),
            ("部门沟通机制健全性", None, "健全", "2", "健全", "2", 2.0),
            ("全市电子政务项目治理水平", None, "提升", "2", "提升", "2", 2.0),
        ]),
    ],
    total_printed="80",
    recomputed_total=77.9,  # 80 − (6 − 3.9)
    sections={
        "项目概况": "推动燃气缴费、城市服务总入口等事实惠民项目，提升老百姓幸福感、获得感；建设数据中台、业务中台、"
                "业务索引应用、数据库标准化平台、电子认证管控平台等公共能力平台，为市级各部门上层应用提供支撑；"
                "通过架构治理、数据服务，保障全市政务信息化有序开展。",
        "项目总目标": "电子政务基础设施进一步完善、电子政务运维保障能力进一步提高、电子政务应用水平进一步提升。",
        "年度绩效目标": "电子政务基础设施进一步完善、电子政务运维保障能力进一步提高、电子政务应用水平进一步提升。",
        "项目实施情况": "经统计，2020年资金预算总额为3773万元，实际使用金额3513万元，预算执行率为93%，预算执行水平较高。"
                  "各项目均有较为完善的资金、财务管理制度，健全的制度保障了专项资金的专款专用，业务运维体系健全。"
                  "应用系统建设项目可行性研究充分，业务申报单位在报送《苏州市电子政务建设项目申报表》时附有项目可行性研究报告，"
                  "市大数据管理局会同市财政局组织专家，审查合格后方可列入市电子政务建设年度计划。获得电子政务建设专项资金扶持"
                  "建设的项目均经过专家组严格审核，其中项目与部门发展的适应性和一致性作为立项依据的重点被考核并得到保证。"
                  "所有项目招投标过程均符合国家相关规定，未出现投诉情况。软件项目现已列入部门资产，产权明晰。",
        "项目管理成效": SEED_MGMT,
        "存在问题": "随着大数据时代的发展，信息化应用需求变化更加迅速，在项目启动建设时间受到申报项目确定时间的影响，"
                "实际资金到位并启动建设时间较晚，项目建设周期不充裕。",
        "建议": "今年我们将继续加强电子政务项目管理工作，强化对实施项目事前、事中和事后的管理，对项目立项审批、建设、验收和"
              "运维全生命周期中的各个环节都引入绩效目标考评机制，建立和完善了监督检查和评估机制，强化对实施执行进度和质量的"
              "跟踪分析和监督检查。",
    },
    flags=[
        ("score_mismatch", "预算执行率"),
        ("full_score_despite_shortfall", "预算执行率"),  # =93% of =100% given its full 6
        ("budget_identity", "fund_balance"),      # 260 ≠ 0 + 0
        ("mixed_qualitative", "政府采购规范性"),
    ],
    layout={"section_label": "项目绩效实现情况\n(80分)"},
)


# --------------------------------------------------------------------------
# 2. Variants
# --------------------------------------------------------------------------
WATER = Sample(
    file="suzhou-2019-water-supply-score-faults.docx",
    project={"name": "城乡区域供水管网改造及运行维护经费", "year": 2019, "department": "苏州市水务局"},
    # 5200 − 300 − 4900 = 0 ✓; 4900 − 4655 = 245 ✓ = 245 + 0 ✓; 4655 / 4900 = 95.0 %
    budget=dict(initial_budget=5200.00, adjustment=-300.00, appropriation=4900.00, quota_balance=0.00,
                actual_payment=4655.00, fund_balance=245.00, carried_forward=245.00, recovered=0.00),
    subprojects=[
        ("城区老旧供水管网改造工程", 2860),
        ("农村区域供水管网延伸工程", 1120),
        ("二次供水设施改造", 450),
        ("供水管网运行维护", 380),
        ("管网漏损监测系统运维", 90),
    ],
    subprojects_total=4900.0,  # 2860 + 1120 + 450 + 380 + 90 = 4900 ✓
    classes=[
        ("投入", "投入目标(26分)", 26, [  # 3+3+2+2+6+3+1+1+1+2+1+1 = 26
            ("资金使用合规性", None, "合规", "3", "好", "3", 3.0),
            # 较好 → 80 % × 3 = 2.4 (must not flag)
            ("财务制度健全性", None, "健全", "3", "较好", "2.4", 2.4),
            ("资产产权明确性", None, "资产明确", "2", "好", "2", 2.0),
            ("各级财政应承担\n资金到位率", "各级财政应承担资金到位率", "=100%", "2", "=100%", "2", 2.0),
            # r = 95 → 6 × (1 − 0.25) = 4.5
            ("预算执行率", None, "=100%", "6", "=95%", "4.5", 4.5),
            ("专款专用率", None, "=100%", "3", "=100%", "3", 3.0),
            # reverse, 5 ≤ 15 → full
            ("资金节约率", None, "15%及其以下", "1", "=5%", "1", 1.0),
            ("配套设施到位率", None, "=100%", "1", "=100%", "1", 1.0),
            ("实际风险事件有\n效控制率", "实际风险事件有效控制率", "=100%", "1", "=100%", "1", 1.0),
            ("政府采购规范性", None, "规范", "2", "好", "2", 2.0),
            ("工程变更合规性", None, "合规", "1", "好", "1", 1.0),
            # FAULT: r = 90 → 1 × (1 − 0.05 × 10) = 0.5; reported 1 → score_mismatch
            ("与预期质量计划\n差距定期检查 率", "与预期质量计划差距定期检查率", "=100%", "1", "=90%", "1", 0.5),
        ]),
        ("产出", "产出目标(24分)", 24, [  # 10 × 2.18 + 2.20 = 24
            # r = 105.6 → full
            ("城区老旧管网改\n造长度", "城区老旧管网改造长度", "≥45公里", "2.18", "=47.5公里", "2.18", 2.18),
            # r = 97.5 → 2.18 × (1 − 0.125) = 1.9075; reported 1.91, Δ 0.0025 (must not flag)
            ("农村供水管网延\n伸长度", "农村供水管网延伸长度", "≥40公里", "2.18", "=39公里", "1.91", 1.9075),
            ("二次供水泵房改造数量", None, "=24座", "2.18", "=24座", "2.18", 2.18),
            # r = 124 (band 100–130) → full (must not flag)
            ("户表改造数", None, ("≥8000 户", "≥8000户"), "2.18", ("=9920 户", "=9920户"), "2.18", 2.18),
            # FAULT: r = 140 → 2.18 × (1 − 0.01 × 10) = 1.962; reported 2.18 → score_mismatch
            ("管网漏损检测里程", None, "≥300公里", "2.18", "=420公里", "2.18", 1.962),
            ("水质检测频次", None, "≥12次/年", "2.18", "=12次/年", "2.18", 2.18),
            # FAULT: r = 9600/98 = 97.959 → reading 1: 2.18 × (1 − 0.05 × 100/49) = 2.18 × 44/49 = 1.957551;
            # reading 2: 2.18 × (1 − 0.05 × 2) = 1.962; reported 2.18 matches neither → score_mismatch, reading 1
            ("管网抢修及时率", None, "≥98%", "2.18", "=96%", "2.18", 2.18 * 44 / 49),
            ("水厂供水能力", None, "≥30万吨/日", "2.18", "=30万吨/日", "2.18", 2.18),
            # continuation row: the tail 成数 sits alone on the next table row
            (("农村饮用水安全巩固提升工程完", "成数"), "农村饮用水安全巩固提升工程完成数",
             "=6个", "2.18", "=6个", "2.18", 2.18),
            ("供水管网地理信息\n系统更新", "供水管网地理信息系统更新", "=1套", "2.18", "=1套", "2.18", 2.18),
            # r = 104 → full
            ("管网水质在线监\n测点建设 数", "管网水质在线监测点建设数", "≥50个", "2.20", "=52个", "2.2", 2.2),
        ]),
        ("结果", "结果目标(22分)", 22, [  # 8 × 2.44 + 2.48 = 22
            ("城区供水水质综\n合合格率", "城区供水水质综合合格率", "≥99%", "2.44", "=99.6%", "2.44", 2.44),
            ("农村供水保证率", None, "≥95%", "2.44", "=97%", "2.44", 2.44),
            # reverse, 10.8 ≤ 12 → full
            ("管网漏损率", None, "12%以下", "2.44", "=10.8%", "2.44", 2.44),
            # r = 13.45 / 2.5 = 538 % → 结果 overshoot is not cut → full (must not flag)
            ("新增受益人口", None, "≥2.5万人", "2.44", "=13.45万人", "2.44", 2.44),
            # FAULT: r = 9000/95 = 94.737 → reading 1: 2.44 × (1 − 0.05 × 100/19) = 2.44 × 14/19 = 1.797895;
            # reading 2: 2.44 × (1 − 0.05 × 5) = 1.83; reported 1.22 (= r taken as 90) → score_mismatch, reading 1
            ("供水管网压力合\n格率", "供水管网压力合格率", "≥95%", "2.44", "=90%", "1.22", 2.44 * 14 / 19),
            ("供水服务投诉处理率", None, "=100%", "2.44", "=100%", "2.44", 2.44),
            ("停水事件24小时内\n恢复率", "停水事件24小时内恢复率", "≥98%", "2.44", "=99%", "2.44", 2.44),
            # FAULT: actual "—" → 0, missing_value; reported 2.44 → score_mismatch
            ("水费收缴率", None, "≥95%", "2.44", "—", "2.44", 0.0),
            # reverse (以内), 96 ≤ 120 → full
            ("居民用水投诉数量", None, "120件以内", "2.48", "=96件", "2.48", 2.48),
        ]),
        ("影响力", "影响力目标(8分)", 8, [
            ("群众饮水安全保障水平", None, "提升", "2", "提升", "2", 2.0),
            ("用户满意度", None, "≥90%", "2", "=93%", "2", 2.0),
            # 较好 → 80 % × 2 = 1.6
            ("供水应急保障能力", None, "提升", "2", "较好", "1.6", 1.6),
            ("节水型社会建设", None, "促进", "2", "好", "2", 2.0),
        ]),
    ],
    # reported: 23.9 + 23.73 + 20.78 + 7.6 = 76.01
    total_printed="76.01",
    # 投入 23.4; 产出 15.26 + 1.9075 + 1.962 + 2.2 + 1.957551020 = 23.287051020;
    # 结果 14.64 + 1.797894737 + 0 + 2.48 = 18.917894737; 影响力 7.6 → 73.204945757
    recomputed_total=73.204945757,
    sections={
        "项目概况": "实施城区老旧供水管网改造和农村区域供水管网延伸工程，推进二次供水设施改造，开展供水管网日常运行维护和"
                "漏损监测，保障城乡居民用水安全。",
        "项目总目标": "建成安全可靠、优质高效的城乡一体化供水保障体系，供水水质稳定达标，管网漏损率逐年下降。",
        "年度绩效目标": "完成城区老旧供水管网改造45公里、农村供水管网延伸40公里，改造二次供水泵房24座，管网漏损率控制在12%以下，"
                  "用户满意度达到90%以上。",
        "项目实施情况": [
            "2019年项目年初预算5200万元，年中调减300万元，财政实际拨款4900万元，实际支付4655万元，预算执行率95%，"
            "结余资金245万元结转下年使用。",
            "全年完成城区老旧供水管网改造47.5公里、农村供水管网延伸39公里，改造二次供水泵房24座，完成户表改造9920户，"
            "新建管网水质在线监测点52个。",
            "项目严格执行政府采购和招投标制度，工程监理、审计全程参与，资金支付按合同约定和工程进度办理。",
        ],
        "项目管理成效": [
            "一是建立项目月度调度机制，水务局分管领导每月召开推进会，协调解决管网迁改中的交通、管线冲突等问题。",
            "二是强化工程质量管理，实行材料进场检测和隐蔽工程旁站监督，全年工程一次验收合格率100%。",
            "三是管网漏损监测系统全面投入运行，管网漏损率由上年的12.6%下降至10.8%。",
        ],
        "存在问题": "部分农村管网延伸工程受征地拆迁影响开工滞后，年内未能全部完成；水费收缴率数据因营业收费系统升级尚未完成统计。",
        "建议": "提前做好项目前期工作，加强与属地政府的协调；加快营业收费系统升级，完善绩效数据的统计口径和报送机制。",
    },
    flags=[
        ("score_mismatch", "与预期质量计划差距定期检查率"),
        ("full_score_despite_shortfall", "与预期质量计划差距定期检查率"),  # =90% of =100% given its full 1
        ("score_mismatch", "管网漏损检测里程"),
        ("score_mismatch", "管网抢修及时率"),
        ("full_score_despite_shortfall", "管网抢修及时率"),  # =96% of ≥98% given its full 2.18
        ("score_mismatch", "供水管网压力合格率"),
        ("score_mismatch", "水费收缴率"),
        ("missing_value", "水费收缴率"),
    ],
    layout={"section_label": "项目绩效实现情况(80分)"},
)

ELDERLY = Sample(
    file="suzhou-2021-elderly-care-budget-faults.docx",
    project={"name": ("居家养老服务补助资金（市级）", "居家养老服务补助资金(市级)"), "year": 2021,
             "department": "苏州市民政局"},
    # FAULT: 1860 + 140 − 1950 = 50 ≠ 150 → budget_identity quota_balance
    # 1950 − 1911 = 39 ✓ = 0 + 39 ✓; 1911 / 1950 = 98.0 %
    budget=dict(initial_budget=1860.00, adjustment=140.00, appropriation=1950.00, quota_balance=150.00,
                actual_payment=1911.00, fund_balance=39.00, carried_forward=0.00, recovered=39.00),
    subprojects=[
        ("居家养老服务站运营补贴", 820),
        (("政府购买居家养老服务（助餐、助浴、助洁）", "政府购买居家养老服务(助餐、助浴、助洁)"), 610),
        ("助餐点建设补助", 260),
        ("适老化改造补助", 180),
        ("养老服务信息平台运维", 80),
    ],
    # FAULT: 820 + 610 + 260 + 180 + 80 = 1950 ≠ 1905 → subproject_sum_mismatch
    subprojects_total=1905.0,
    classes=[
        ("投入", "投入目\n标(20分)", 20, [  # 3+3+2+6+3+1+2 = 20
            ("资金使用合规性", None, "合规", "3", "好", "3", 3.0),
            # actual repeats the word target → 好
            ("财务制度健全性", None, "健全", "3", "健全", "3", 3.0),
            ("各级财政应承担资金到位率", None, "=100%", "2", "=100%", "2", 2.0),
            # r = 98 → 6 × 0.9 = 5.4
            ("预算执行率", None, "=100%", "6", "=98%", "5.4", 5.4),
            ("专款专用率", None, "=100%", "3", "=100%", "3", 3.0),
            # reverse (以下), 2 ≤ 10 → full
            ("资金节约率", None, "10%以下", "1", "=2%", "1", 1.0),
            # word target, =100% → 好 + mixed_qualitative
            ("政府采购规范性", None, "规范", "2", "=100%", "2", 2.0),
        ]),
        ("产出", "产出目\n标(30分)", 30, [  # 30/7 = 4.2857 → 6 × 4.29 + 4.26 = 30
            ("居家养老服务站建成数", None, "≥60个", "4.29", "=62个", "4.29", 4.29),
            ("服务老年人数", None, "≥1.2万人", "4.29", "=1.35万人", "4.29", 4.29),
            # r = 130 exactly → still in the full band (must not flag)
            ("助餐点新增数", None, "≥40个", "4.29", "=52个", "4.29", 4.29),
            # r = 98 → 4.29 × 0.9 = 3.861; reported 3.86
            ("适老化改造户数", None, "≥500户", "4.29", "=490户", "3.86", 3.861),
            ("上门服务工时", None, "≥15万小时", "4.29", "=16.2万小时", "4.29", 4.29),
            # A8: r = 95.556 → reading 1: 4.29 × (1 − 0.05 × 4.444) = 4.29 × 7/9 = 3.336667;
            # reading 2: 90 − 86 = 4 points → 4.29 × 0.8 = 3.432.  Reported 3.43 matches reading 2 only → 3.432
            ("服务质量抽查合格率", None, ("≥90％", "≥90%"), "4.29", ("＝86％", "=86%"), "3.43", 3.432),
            ("养老服务信息平台数据更新及时率", None, "=100%", "4.26", "=100%", "4.26", 4.26),
        ]),
        ("结果", "结果目标(22分)", 22, [  # 22/6 = 3.667 → 5 × 3.67 + 3.65 = 22
            ("居家养老服务覆盖率", None, "≥85%", "3.67", "=88%", "3.67", 3.67),
            ("失能老人照护服务覆盖率", None, "≥70%", "3.67", "=72%", "3.67", 3.67),
            # reverse (以内), 1.2 ≤ 2 → full
            ("服务投诉率", None, "2%以内", "3.67", "=1.2%", "3.67", 3.67),
            ("助餐服务人次", None, "≥20万人次", "3.67", "=26.5万人次", "3.67", 3.67),
            # r = 93.333 → 3.67 × (1 − 0.05 × 6.667) = 3.67 × 2/3 = 2.446667; reported 2.45
            ("家庭照护床位建设数", None, "≥300张", "3.67", "=280张", "2.45", 3.67 * 2 / 3),
            ("养老服务补贴发放准确率", None, "=100%", "3.65", "=100%", "3.65", 3.65),
        ]),
        ("影响力", "影响力目\n标\n(8分)", 8, [  # 8/3 = 2.667 → 2.67 + 2.67 + 2.66
            ("老年人获得感", None, "提升", "2.67", "提升", "2.67", 2.67),
            ("服务对象满意度", None, "≥90%", "2.67", "=95%", "2.67", 2.67),
            # 较好 → 2.66 × 0.8 = 2.128; reported 2.13
            ("养老服务体系建设水平", None, "提升", "2.66", "较好", "2.13", 2.128),
        ]),
    ],
    # reported: 19.4 + 28.71 + 20.78 + 7.47 = 76.36
    total_printed="76.36",
    # 19.4 + 28.713 + 20.776667 + 7.468 = 76.357667
    recomputed_total=76.357666667,
    sections={
        "项目概况": "通过运营补贴和政府购买服务方式，支持居家养老服务站（中心）建设运营，为辖区老年人提供助餐、助浴、助洁、"
                "助医等上门服务，并对经济困难老年人家庭实施适老化改造。",
        "项目总目标": "构建以居家为基础、社区为依托、机构为补充、医养相结合的养老服务体系，让老年人就近享有便捷、优质的养老服务。",
        "年度绩效目标": "建成居家养老服务站60个以上，服务老年人1.2万人以上，新增助餐点40个，完成适老化改造500户，"
                  "服务对象满意度达到90%以上。",
        "项目实施情况": [
            "2021年项目年初预算1860万元，年中追加140万元，财政实际拨款1950万元，实际支付1911万元，预算执行率98%。",
            "全年建成居家养老服务站62个，服务老年人1.35万人，新增助餐点52个，完成适老化改造490户，提供上门服务16.2万小时。",
            "受疫情影响，部分家庭照护床位建设进度滞后，年末建成280张。",
        ],
        "项目管理成效": Html(
            raw=[
                '<p style="text-indent: 2em;">一、强化制度保障。出台《苏州市居家养老服务补助资金管理办法》，'
                "明确补助对象、标准和拨付流程，实行&ldquo;先服务、后结算&rdquo;。</p>",
                '<p style="text-indent: 2em;">二、加强过程监管。委托第三方机构对服务站点开展季度检查，检查结果与运营补贴挂钩。</p>'
                '<p style="text-indent: 2em;">三、推进信息化管理。依托养老服务信息平台，实现服务工单、服务工时和补贴结算'
                "全流程线上管理。</p>",
            ],
            text="一、强化制度保障。出台《苏州市居家养老服务补助资金管理办法》，明确补助对象、标准和拨付流程，"
                 "实行“先服务、后结算”。\n"
                 "二、加强过程监管。委托第三方机构对服务站点开展季度检查，检查结果与运营补贴挂钩。\n"
                 "三、推进信息化管理。依托养老服务信息平台，实现服务工单、服务工时和补贴结算全流程线上管理。",
        ),
        "存在问题": "一是部分服务站点专业护理人员不足，服务内容以助餐、助洁为主，医疗护理类服务供给偏少；"
                "二是家庭照护床位建设受疫情影响进度滞后。",
        "建议": "加大养老护理人员培训和激励力度，提高专业服务供给能力；提前谋划家庭照护床位建设，加强对服务质量的日常抽查和结果运用。",
    },
    flags=[
        ("budget_identity", "quota_balance"),
        ("subproject_sum_mismatch", "subprojects_total"),
        ("mixed_qualitative", "政府采购规范性"),
    ],
    layout={"section_label": "项目绩效实现情况\n(80分)", "wrap": "para"},
)

ROAD = Sample(
    file="suzhou-2018-road-maintenance-weight-total-faults.docx",
    project={"name": "市区道路桥梁养护维修经费", "year": 2018, "department": "苏州市市容市政管理局"},
    # 2680 + 0 − 2680 = 0 ✓; 2680 − 2546 = 134 ✓ = 134 + 0 ✓; 2546 / 2680 = 95.0 %
    budget=dict(initial_budget=2680.00, adjustment=0.00, appropriation=2680.00, quota_balance=0.00,
                actual_payment=2546.00, fund_balance=134.00, carried_forward=134.00, recovered=0.00),
    subprojects=[
        ("城市道路日常养护", 1260),
        ("桥梁检测及维修加固", 680),
        ("人行道及无障碍设施改造", 420),
        ("道路病害快速修复", 230),
        ("养护管理信息系统运维", 90),
    ],
    subprojects_total=2680.0,  # 1260 + 680 + 420 + 230 + 90 ✓
    classes=[
        ("投入", "投入目标(26分)", 26, [  # 3+3+1+2+6+3+1+1+1+2+1+1+1 = 26
            ("资金使用合规性", None, "合规", "3", "好", "3", 3.0),
            ("财务制度健全性", None, "健全", "3", "好", "3", 3.0),
            ("资产产权明确性", None, "资产明确", "1", "好", "1", 1.0),
            ("各级财政应承担\n资金到位率", "各级财政应承担资金到位率", "=100%", "2", "=100%", "2", 2.0),
            # r = 95 → 6 × 0.75 = 4.5
            ("预算执行率", None, "=100%", "6", "=95%", "4.5", 4.5),
            ("专款专用率", None, "=100%", "3", "=100%", "3", 3.0),
            ("资金节约率", None, "15%及其以下", "1", "=3%", "1", 1.0),
            ("配套设施到位率", None, "=100%", "1", "=100%", "1", 1.0),
            ("实际风险事件有效\n控制率", "实际风险事件有效控制率", "=100%", "1", "=100%", "1", 1.0),
            ("政府采购规范性", None, "规范", "2", "好", "2", 2.0),
            ("可行研究充分性", None, "充分", "1", "好", "1", 1.0),
            # 较好 → 0.8
            ("工程变更合规性", None, "合规", "1", "较好", "0.8", 0.8),
            ("与预期质量计划差\n距定期检查率", "与预期质量计划差距定期检查率", "=100%", "1", "=100%", "1", 1.0),
        ]),
        # FAULT: 10 × 2.18 + 2.40 = 24.2 ≠ 24 → weight_sum_mismatch 产出 (the last row should be 2.20)
        ("产出", "产出目标(24分)", 24, [
            ("道路日常养护面 积", "道路日常养护面积", "≥520万平方米", "2.18", "=536万平方米", "2.18", 2.18),
            ("桥梁定期检测座数", None, "=186座", "2.18", "=186座", "2.18", 2.18),
            # r = 124 → full
            ("道路病害修复数", None, "≥3000处", "2.18", "=3720处", "2.18", 2.18),
            ("人行道改造面积", None, "≥8万平方米", "2.18", "=8.6万平方米", "2.18", 2.18),
            ("无障碍设施改造\n点位", "无障碍设施改造点位", "≥120个", "2.18", "=126个", "2.18", 2.18),
            # reverse missed: r = 100 × 48 / 50 = 96 → 2.18 × 0.8 = 1.744; reported 1.74 (must not flag)
            ("平均病害修复时\n长", "平均病害修复时长", "≤48小时", "2.18", "=50小时", "1.74", 1.744),
            ("桥梁维修加固数", None, "=12座", "2.18", "=12座", "2.18", 2.18),
            ("道路养护巡查频次", None, "≥2次/日", "2.18", "=2次/日", "2.18", 2.18),
            ("窨井盖整治数", None, "≥1500个", "2.18", "=1620个", "2.18", 2.18),
            # duplicated-fragment artefact of a PDF→Word conversion; the true name is 道路病害识别算法
            ("道路病害识 别算道路病 害识别算法", "道路病害识别算法", ("≥3 种", "≥3种"), "2.18",
             ("=3 种", "=3种"), "2.18", 2.18),
            # r = 102.2 → full weight as printed (2.40)
            ("养护档案数字化率", None, "≥90%", "2.40", "=92%", "2.4", 2.4),
        ]),
        ("结果", "结果目标(22分)", 22, [  # 22/8 = 2.75
            ("道路完好率", None, "≥95%", "2.75", "=96.5%", "2.75", 2.75),
            ("桥梁技术状况评定\nA、B级占比", "桥梁技术状况评定A、B级占比", "≥90%", "2.75", "=93%", "2.75", 2.75),
            # A8: r = 9100/95 = 95.789 → reading 1: 2.75 × (1 − 0.05 × 80/19) = 2.75 × 15/19 = 2.171053;
            # reading 2: 4 points → 2.75 × 0.8 = 2.2.  Reported 2.17 is within 0.05 of both → reading 1 kept
            ("道路病害及时修复率", None, "≥95%", "2.75", "=91%", "2.17", 2.75 * 15 / 19),
            # reverse met
            ("市民出行投诉量", None, "≤200件", "2.75", "=168件", "2.75", 2.75),
            ("道路挖掘修复合格率", None, "=100%", "2.75", "=100%", "2.75", 2.75),
            ("桥梁安全运行率", None, "=100%", "2.75", "=100%", "2.75", 2.75),
            # r = 90 → 2.75 × 0.5 = 1.375; reported 1.38
            ("雨季道路积水点整治数", None, "≥30处", "2.75", "=27处", "1.38", 1.375),
            ("养护作业按时完成率", None, "≥95%", "2.75", "=98%", "2.75", 2.75),
        ]),
        ("影响力", "影响力目标(8分)", 8, [
            ("城市道路通行环境", None, "改善", "2", "改善", "2", 2.0),
            ("市民满意度", None, "≥85%", "2", "=90%", "2", 2.0),
            ("养护长效管理机制健全性", None, "健全", "2", "健全", "2", 2.0),
            ("城市形象", None, "提升", "2", "好", "2", 2.0),
        ]),
    ],
    # FAULT: rows add up to 24.3 + 23.76 + 20.05 + 8 = 76.11, but 合计 says 77.11 → total_mismatch
    total_printed="77.11",
    # 24.3 + 23.764 + (16.5 + 2.171052632 + 1.375) + 8 = 76.110052632
    recomputed_total=76.110052632,
    sections={
        "项目概况": "对市区主次干道、支路及城市桥梁实施日常养护和维修加固，开展人行道及无障碍设施改造，建立道路病害快速修复机制，"
                "保障城市道路桥梁安全畅通。",
        "项目总目标": "道路桥梁设施完好、安全、畅通，养护管理规范化、精细化、信息化水平持续提升。",
        "年度绩效目标": "完成道路日常养护面积520万平方米，桥梁定期检测186座，修复道路病害3000处以上，道路完好率保持在95%以上，"
                  "市民满意度达到85%以上。",
        "项目实施情况": "2018年项目预算2680万元，财政拨款2680万元，实际支付2546万元，预算执行率95%，剩余134万元为桥梁加固工程"
                  "质保金，结转下年支付。全年完成道路日常养护面积536万平方米，修复道路病害3720处，完成桥梁维修加固12座，"
                  "改造人行道8.6万平方米。",
        "项目管理成效": Html(
            raw=[
                '<p style="text-align: left;">&nbsp;&nbsp;<strong>1.养护作业标准化。</strong>制定《市区道路养护作业规范》，'
                "推行&ldquo;定人、定段、定责&rdquo;网格化养护。<br/><strong>2.病害处置快速化。</strong>建立巡查发现、派单、"
                "修复、复核闭环机制，病害平均修复时长控制在50小时左右。</p> <p>3.管理手段信息化。养护管理信息系统接入"
                "道路病害识别算法，实现病害自动识别和工单派发。&nbsp;</p>",
            ],
            text="1.养护作业标准化。制定《市区道路养护作业规范》，推行“定人、定段、定责”网格化养护。\n"
                 "2.病害处置快速化。建立巡查发现、派单、修复、复核闭环机制，病害平均修复时长控制在50小时左右。\n"
                 "3.管理手段信息化。养护管理信息系统接入道路病害识别算法，实现病害自动识别和工单派发。",
        ),
        "存在问题": "部分道路因地下管线施工反复开挖，病害修复后易复发；雨季积水点整治受排水管网改造进度制约，年内完成27处，"
                "未达到30处的目标。",
        "建议": "建立道路挖掘计划统筹和联合审批机制，减少重复开挖；加强与排水管网改造项目的衔接，合理安排积水点整治计划。",
    },
    flags=[
        ("weight_sum_mismatch", "产出"),
        ("total_mismatch", "total"),
    ],
    layout={"section_label": "项目绩效实现情况(80分)", "wrap": "para",
            "split_before": (2, 0)},  # second Word table starts at the first 结果 row
)

SCHOOL = Sample(
    file="suzhou-2022-school-meals-reordered-layout.docx",
    project={"name": "中小学校学生营养午餐补助资金", "year": 2022, "department": "苏州市教育局",
             "implementing_unit": "苏州市学生营养餐管理服务中心"},
    # 1380 + 40 − 1420 = 0 ✓; FAULT: 1420 − 1340 = 80 ≠ 86 → budget_identity fund_balance
    # (86 = 86 + 0 holds); 1340 / 1420 = 94.37 % vs row 94 % ✓
    budget=dict(initial_budget=1380.00, adjustment=40.00, appropriation=1420.00, quota_balance=0.00,
                actual_payment=1340.00, fund_balance=86.00, carried_forward=86.00, recovered=0.00),
    subprojects=[
        ("义务教育学校午餐补助", 860),
        ("高中学校午餐补助", 310),
        ("食堂设施设备改造", 170),
        ("食品安全检测", 50),
        ("营养餐信息管理平台运维", 30),
    ],
    subprojects_total=1420.0,  # 860 + 310 + 170 + 50 + 30 ✓
    classes=[
        ("投入", "投入目\n标\n(20分)", 20, [  # 3+2+6+3+1+2+2+1 = 20
            ("资金使用合规性", None, "合规", "3", "好", "3", 3.0),
            ("财务制度健全性", None, "健全", "2", "好", "2", 2.0),
            # r = 94 → 6 × 0.7 = 4.2
            ("预算执行率", None, "=100%", "6", "=94%", "4.2", 4.2),
            ("专款专用率", None, "=100%", "3", "=100%", "3", 3.0),
            ("资金节约率", None, "15%及其以下", "1", "=6%", "1", 1.0),
            ("各级财政应承担资金到位率", None, "=100%", "2", "=100%", "2", 2.0),
            ("政府采购规范性", None, "规范", "2", "好", "2", 2.0),
            ("实际风险事件有效控制率", None, "=100%", "1", "=100%", "1", 1.0),
        ]),
        ("产出", "产出目\n标(30分)", 30, [  # 6 × 5 = 30
            ("受益学生人数", None, "≥9.5万人", "5", "=9.82万人", "5", 5.0),
            # r = 18600/190 = 97.895 → 5 × (1 − 0.05 × 40/19) = 5 × 17/19 = 85/19 = 4.473684; reported 4.47
            ("供餐天数", None, "≥190天", "5", "=186天", "4.47", 85 / 19),
            ("食堂改造学校数", None, "=25所", "5", "=25所", "5", 5.0),
            # r = 124 → full
            ("食品安全抽检批次", None, "≥600批次", "5", "=744批次", "5", 5.0),
            ("营养配餐指导覆盖学校数", None, "≥120所", "5", "=126所", "5", 5.0),
            # continuation row
            (("农村学校食堂明厨亮灶改造完", "成数"), "农村学校食堂明厨亮灶改造完成数", "≥40所", "5", "=42所", "5", 5.0),
        ]),
        ("结果", "结果目\n标(20分)", 20, [  # 5 × 4 = 20
            ("学生营养餐供应合格率", None, "=100%", "4", "=100%", "4", 4.0),
            # FAULT: actual "/" → 0 and missing_value; reported 0 → no score_mismatch
            ("学生营养状况改善率", None, "≥10%", "4", "/", "0", 0.0),
            ("学生就餐率", None, "≥90%", "4", "=93.5%", "4", 4.0),
            ("家庭经济困难学生免费供餐覆盖率", None, "=100%", "4", "=100%", "4", 4.0),
            ("学生体质健康达标率", None, "≥92%", "4", "=95.1%", "4", 4.0),
        ]),
        ("影响力", "影响力目\n标\n(10分)", 10, [  # 4 × 2.5 = 10
            ("学生及家长满意度", None, "≥90%", "2.5", "=96%", "2.5", 2.5),
            ("学校食堂管理水平", None, "提升", "2.5", "提升", "2.5", 2.5),
            # 一般 → 60 % × 2.5 = 1.5
            ("营养健康教育普及程度", None, "提高", "2.5", "一般", "1.5", 1.5),
            ("校园食品安全保障机制", None, "健全", "2.5", "健全", "2.5", 2.5),
        ]),
    ],
    # reported: 18.2 + 29.47 + 16 + 9 = 72.67
    total_printed="72.67",
    # 18.2 + (25 + 4.473684211) + 16 + 9 = 72.673684211
    recomputed_total=72.673684211,
    sections={
        "项目概况": ["　　对全市义务教育阶段和普通高中在校学生午餐给予补助，改造学校食堂设施设备，开展食品安全抽检和营养配餐指导，"
                 "改善学生营养状况。"],
        "项目总目标": "保障学生吃得安全、吃得营养、吃得实惠，学生营养健康水平持续提高。",
        "年度绩效目标": "补助受益学生9.5万人以上，全年供餐190天以上，改造学校食堂25所，食品安全抽检600批次以上，"
                  "学生及家长满意度达到90%以上。",
        "项目实施情况": [
            "　　2022年项目年初预算1380万元，追加40万元，财政拨款1420万元，实际支付1340万元，预算执行率94%。",
            "　　全年补助受益学生9.82万人，供餐186天（受线上教学影响，较计划减少4天），完成25所学校食堂改造和"
            "42所农村学校食堂明厨亮灶改造，开展食品安全抽检744批次。",
            "　　学生营养状况改善率需依据2022年度学生体检数据测算，体检数据尚未汇总，暂无法提供。",
        ],
        "项目管理成效": [
            "　　一是建立市、区、校三级食品安全责任体系，落实校长陪餐制度。",
            "　　二是推行营养配餐指导，组织营养师定期审核学校食谱，全市126所学校实现营养配餐指导全覆盖。",
        ],
        "存在问题": "部分学校食堂从业人员流动性大，食品安全培训需经常性开展；营养状况改善情况的数据采集周期与绩效评价时间不匹配。",
        "建议": "将食堂从业人员培训纳入年度考核；调整学生营养状况改善率指标的统计口径，以上一学年体检数据为依据。",
    },
    flags=[
        ("budget_identity", "fund_balance"),
        ("missing_value", "学生营养状况改善率"),
    ],
    layout={
        "section_label": "项目绩效实现情况(80分)",
        "order": ["name", "year", "department", "implementing_unit", "subprojects", "budget_exec", "fund_use"],
        "amount_format": "{:.2f}",
    },
)

RIVER = Sample(
    file="suzhou-2020-river-cleanup-split-table.docx",
    project={"name": "城区河道长效保洁及水环境整治经费", "year": 2020, "department": "苏州市城市管理局"},
    # 960 + 0 − 960 = 0 ✓; 960 − 921.6 = 38.4 ✓; FAULT: 20.00 + 8.40 = 28.40 ≠ 38.40 → budget_identity fund_balance
    # 921.6 / 960 = 96.0 %
    budget=dict(initial_budget=960.00, adjustment=0.00, appropriation=960.00, quota_balance=0.00,
                actual_payment=921.60, fund_balance=38.40, carried_forward=20.00, recovered=8.40),
    subprojects=[
        ("城区河道日常保洁", 520),
        ("河道清淤疏浚", 260),
        ("水质监测", 85),
        ("水面漂浮物打捞设备购置", 60),
        ("河长制宣传及巡河管理", 35),
    ],
    subprojects_total=960.0,  # 520 + 260 + 85 + 60 + 35 ✓
    classes=[
        ("投入", "投入目标(26分)", 26, [  # 3+3+2+2+6+3+2+1+2+1+1 = 26
            ("资金使用合规性", None, "合规", "3", "好", "3", 3.0),
            ("财务制度健全性", None, "健全", "3", "好", "3", 3.0),
            ("资产产权明确性", None, "资产明确", "2", "好", "2", 2.0),
            ("各级财政应承担资金到位率", None, "=100%", "2", "=100%", "2", 2.0),
            # r = 96 → 6 × 0.8 = 4.8
            ("预算执行率", None, "=100%", "6", "=96%", "4.8", 4.8),
            ("专款专用率", None, "=100%", "3", "=100%", "3", 3.0),
            ("资金节约率", None, "15%及其以下", "2", "=4%", "2", 2.0),
            ("配套设施到位率", None, "=100%", "1", "=100%", "1", 1.0),
            # word target, =100% → 好 + mixed_qualitative
            ("政府采购规范性", None, "规范", "2", "=100%", "2", 2.0),
            ("工程变更合规性", None, "合规", "1", "好", "1", 1.0),
            ("实际风险事件有效控制率", None, "=100%", "1", "=100%", "1", 1.0),
        ]),
        ("产出", "产出目标(24分)", 24, [  # 24/9 = 2.667 → 8 × 2.67 + 2.64 = 24
            ("保洁河道长度", None, "≥210公里", "2.67", "=214公里", "2.67", 2.67),
            # r = 95 → 2.67 × 0.75 = 2.0025; reported 2.00
            ("河道清淤土方量", None, "≥12万立方米", "2.67", "=11.4万立方米", "2.00", 2.0025),
            ("水质监测断面数", None, "=36个", "2.67", "=36个", "2.67", 2.67),
            # r = 135 → 2.67 × (1 − 0.05) = 2.5365; reported 2.54 (must not flag)
            ("水面漂浮物打捞量", None, "≥1800吨", "2.67", "=2430吨", "2.54", 2.5365),
            # --- second Word table starts here (class cell empty) ---
            # FAULT: r = 150 → 2.67 × (1 − 0.20) = 2.136; reported 2.67 → score_mismatch
            ("河道巡查频次", None, "≥2次/周", "2.67", "=3次/周", "2.67", 2.136),
            ("打捞设备购置数", None, "=6台", "2.67", "=6台", "2.67", 2.67),
            ("排口整治数", None, "≥45个", "2.67", "=45个", "2.67", 2.67),
            ("河长制公示牌更新数", None, "≥300块", "2.67", "=312块", "2.67", 2.67),
            ("保洁作业考核次数", None, "=12次", "2.64", "=12次", "2.64", 2.64),
        ]),
        # FAULT: 5 × 3.6 + 4.0 = 22 but 3.6 is 0.067 away from 22/6 = 3.667 → weight_sum_mismatch 结果
        ("结果", "结果目标(22分)", 22, [
            ("河道水质达标率", None, "≥80%", "3.6", "=85%", "3.6", 3.6),
            ("河面保洁合格率", None, "≥95%", "3.6", "=97%", "3.6", 3.6),
            ("黑臭水体消除数", None, "=8条", "3.6", "=8条", "3.6", 3.6),
            # reverse met
            ("河道淤积投诉量", None, "50件以下", "3.6", "=31件", "3.6", 3.6),
            # r = 92 → 3.6 × 0.6 = 2.16
            ("河道生态修复面积", None, "≥5万平方米", "3.6", "=4.6万平方米", "2.16", 2.16),
            ("水环境综合治理达标河道数", None, "≥20条", "4.0", "=22条", "4.0", 4.0),
        ]),
        ("影响力", "影响力目标(8分)", 8, [
            # A8: r = 88.889 → reading 1: 2 × (1 − 0.05 × 100/9) = 2 × 4/9 = 8/9 = 0.888889;
            # reading 2: 10 points → 2 × 0.5 = 1.0.  Reported 0.89 matches reading 1 only → 8/9
            ("周边居民满意度", None, "≥90%", "2", "=80%", "0.89", 8 / 9),
            ("河长制工作机制健全性", None, "健全", "2", "健全", "2", 2.0),
            ("水生态环境", None, "改善", "2", "改善", "2", 2.0),
            # 较好 → 1.6
            ("公众护河意识", None, "提升", "2", "较好", "1.6", 1.6),
        ]),
    ],
    # reported: 24.8 + 23.2 + 20.56 + 6.49 = 75.05
    total_printed="75.05",
    # 24.8 + 22.665 + 20.56 + (0.888889 + 5.6) = 74.513888889
    recomputed_total=74.513888889,
    sections={
        "项目概况": "对城区河道实施日常保洁和清淤疏浚，开展水质监测和水面漂浮物打捞，配合推进河长制工作，改善城区河道水环境。",
        "项目总目标": "城区河道水面整洁、水体流动、水质改善，河道长效管护机制健全。",
        "年度绩效目标": "保洁河道210公里，清淤土方12万立方米，河道水质达标率80%以上，消除黑臭水体8条，周边居民满意度90%以上。",
        "项目实施情况": [
            "2020年项目预算960万元，财政拨款960万元，实际支付921.6万元，预算执行率96%。",
            "全年保洁河道214公里，清淤土方11.4万立方米，打捞水面漂浮物2430吨，完成排口整治45个，消除黑臭水体8条。",
        ],
        "项目管理成效": "实行河道保洁市场化运作和月度考核，考核结果与保洁经费拨付挂钩；建立河长巡河、问题交办和整改销号的"
                  "闭环机制，河道管护水平明显提升。",
        "存在问题": "部分河道清淤受汛期影响未能按计划实施；周边居民对河道异味问题仍有反映，满意度未达到预期目标。",
        "建议": "合理安排清淤时序，避开汛期集中施工；加强沿河排口巡查和截污管理，从源头改善河道水质。",
    },
    flags=[
        ("budget_identity", "fund_balance"),
        ("mixed_qualitative", "政府采购规范性"),
        ("score_mismatch", "河道巡查频次"),
        ("weight_sum_mismatch", "结果"),
    ],
    layout={"section_label": "项目绩效实现情况(80分)", "split_before": (1, 4)},
)

BIKE = Sample(
    file="suzhou-2021-public-bike-appropriation-exec-rate.docx",
    project={"name": "公共自行车系统运营补贴", "year": 2021, "department": "苏州市交通运输局",
             "implementing_unit": "苏州市公共自行车有限公司"},
    # 1200 + 0 − 1200 = 0 ✓; FAULT: 财政拨款数 1200.00 (预算执行情况) vs 1120.00 (资金使用情况) → appropriation;
    # in the second table 1120 − 1064 = 56 ✓ = 56 + 0 ✓.
    # FAULT: 1064 / 1200 = 88.7 % (1064 / 1120 = 95.0 %) vs 预算执行率 =100% → execution_rate_mismatch
    budget=dict(initial_budget=1200.00, adjustment=0.00, appropriation=1200.00, quota_balance=0.00,
                actual_payment=1064.00, fund_balance=56.00, carried_forward=56.00, recovered=0.00),
    budget_printed={"appropriation_use": 1120.00},
    subprojects=[
        ("公共自行车运营维护补贴", 680),
        ("站点新建及迁移", 240),
        ("车辆更新购置", 190),
        ("智能调度系统运维", 60),
        ("安全保险及宣传", 30),
    ],
    subprojects_total=1200.0,  # 680 + 240 + 190 + 60 + 30 ✓
    classes=[
        ("投入", "投入目标(20分)", 20, [  # 3+3+6+3+1+2+2 = 20
            ("资金使用合规性", None, "合规", "3", "好", "3", 3.0),
            ("财务制度健全性", None, "健全", "3", "好", "3", 3.0),
            # r = 100 → full (the row itself is consistent; the money tables are not)
            ("预算执行率", None, "=100%", "6", "=100%", "6", 6.0),
            ("专款专用率", None, "=100%", "3", "=100%", "3", 3.0),
            ("资金节约率", None, "10%以下", "1", "=1%", "1", 1.0),
            ("政府采购规范性", None, "规范", "2", "好", "2", 2.0),
            ("各级财政应承担资金到位率", None, "=100%", "2", "=100%", "2", 2.0),
        ]),
        ("产出", "产出目标(30分)", 30, [  # 8 × 3.75 = 30
            ("公共自行车投放数量", None, "≥4万辆", "3.75", "=4.1万辆", "3.75", 3.75),
            # r = 120 → full
            ("新建站点数", None, "≥80个", "3.75", "=96个", "3.75", 3.75),
            ("车辆完好率", None, "≥95%", "3.75", "=97%", "3.75", 3.75),
            # r = 90 → 3.75 × 0.5 = 1.875; reported 1.88
            ("站点迁移调整数", None, "=30个", "3.75", "=27个", "1.88", 1.875),
            # reverse met (25 ≤ 30)
            ("调度响应时间", None, "≤30分钟", "3.75", "=25分钟", "3.75", 3.75),
            ("车辆更新数", None, "=3000辆", "3.75", "=3000辆", "3.75", 3.75),
            ("智能锁车桩改造数", None, "≥1000个", "3.75", "=1150个", "3.75", 3.75),
            # r = 95 → 3.75 × 0.75 = 2.8125; reported 2.81
            ("骑行安全宣传活动场次", None, "≥20场", "3.75", "=19场", "2.81", 2.8125),
        ]),
        ("结果", "结果目标(22分)", 22, [  # 22/7 = 3.143 → 6 × 3.14 + 3.16 = 22
            ("日均骑行量", None, "≥8万人次", "3.14", "=9.2万人次", "3.14", 3.14),
            ("APP 注册用户数", "APP注册用户数", ("≥20 万人", "≥20万人"), "3.14", ("=26.8 万人", "=26.8万人"), "3.14", 3.14),
            ("站点500米服务半径覆盖率", None, "≥90%", "3.14", "=92%", "3.14", 3.14),
            ("故障车辆修复及时率", None, "≥95%", "3.14", "=96%", "3.14", 3.14),
            ("用户投诉办结率", None, "=100%", "3.14", "=100%", "3.14", 3.14),
            # 较好 → 3.14 × 0.8 = 2.512; reported 2.51
            ("公共交通接驳便利度", None, "提高", "3.14", "较好", "2.51", 2.512),
            ("绿色出行分担率", None, "≥5%", "3.16", "=5.2%", "3.16", 3.16),
        ]),
        ("影响力", "影响力目标(8分)", 8, [
            ("用户满意度", None, "≥90%", "2", "=94%", "2", 2.0),
            ("城市绿色出行水平", None, "提升", "2", "提升", "2", 2.0),
            ("减少碳排放量", None, "≥1500吨", "2", "=1680吨", "2", 2.0),
            ("公共自行车运营管理机制", None, "健全", "2", "健全", "2", 2.0),
        ]),
    ],
    # reported: 20 + 27.19 + 21.37 + 8 = 76.56
    total_printed="76.56",
    # 20 + 27.1875 + 21.372 + 8 = 76.5595
    recomputed_total=76.5595,
    sections={
        "项目概况": "对城市公共自行车系统运营维护给予补贴，新建和迁移服务站点，更新车辆和智能锁车桩，完善智能调度系统，"
                "方便市民绿色出行。",
        "项目总目标": "建成覆盖广泛、使用便捷、运营高效的公共自行车服务网络，提高绿色出行比例。",
        "年度绩效目标": "公共自行车投放4万辆以上，新建站点80个，车辆完好率95%以上，日均骑行量8万人次以上，用户满意度90%以上。",
        "项目实施情况": "2021年项目预算1200万元，全年投放公共自行车4.1万辆，新建站点96个，迁移调整站点27个，更新车辆3000辆，"
                  "改造智能锁车桩1150个。项目资金按运营考核结果拨付，预算执行率100%。",
        "项目管理成效": Html(
            raw=[
                "<p>1.运营考核常态化。按月对车辆完好率、调度响应时间、站点保洁情况进行考核，考核结果与运营补贴挂钩。</p>"
                "<p>2.调度管理智能化。智能调度系统实时监测站点车辆数量，平均调度响应时间缩短至25分钟。</p>"
                "<div>3.服务渠道多样化。APP扫码借车、刷卡借车和&quot;一码通&quot;乘车码同步推广。</div>",
            ],
            text="1.运营考核常态化。按月对车辆完好率、调度响应时间、站点保洁情况进行考核，考核结果与运营补贴挂钩。\n"
                 "2.调度管理智能化。智能调度系统实时监测站点车辆数量，平均调度响应时间缩短至25分钟。\n"
                 "3.服务渠道多样化。APP扫码借车、刷卡借车和\"一码通\"乘车码同步推广。",
        ),
        "存在问题": [
            "一是部分新建站点位于新建居住区，周边配套尚未成熟，使用率偏低。",
            "二是站点迁移受道路施工影响，年内完成27个，未达到30个的计划。",
        ],
        "建议": "根据骑行大数据动态优化站点布局，提高站点使用效率；加强与交通、城管部门协调，提前确定站点迁移方案。",
    },
    flags=[
        ("budget_identity", "appropriation"),
        ("execution_rate_mismatch", "预算执行率"),
    ],
    layout={"section_label": "项目绩效实现情况(80分)",
            "order": ["name_year", "department_unit", "budget_exec", "fund_use", "subprojects"]},
)

SAMPLES = [SEED, WATER, ELDERLY, ROAD, SCHOOL, RIVER, BIKE]
BROKEN_FILE = "broken-random-bytes.docx"


# --------------------------------------------------------------------------
# Word builder
# --------------------------------------------------------------------------
def write_cell(cell, text, wrap="br"):
    """Put text into a (possibly merged) cell.

    text: str, "\n" = line break inside the paragraph (wrap="br") or a new
    paragraph (wrap="para"); or a list of str = one Word paragraph each.
    """
    if isinstance(text, list):
        paras = text
    elif wrap == "para":
        paras = text.split("\n")
    else:
        paras = [text]
    first = cell.paragraphs[0]
    first.add_run(paras[0])  # Run.text turns "\n" into <w:br/>
    for p in paras[1:]:
        cell.add_paragraph().add_run(p)


def merge(table, r1, c1, r2, c2, text="", wrap="br"):
    cell = table.cell(r1, c1)
    if (r2, c2) != (r1, c1):
        cell = cell.merge(table.cell(r2, c2))
    if text != "":
        write_cell(cell, text, wrap)
    return cell


def add_rows(table, n):
    first = len(table.rows)
    for _ in range(n):
        table.add_row()
    return first


def fmt_money(x):
    return f"{x:.2f}"


def blk_name(t, s, with_year):
    r = add_rows(t, 1)
    merge(t, r, 0, r, 1, "项目名称")
    if with_year:
        merge(t, r, 2, r, 4, printed(s.project["name"]))
        merge(t, r, 5, r, 5, "项目年份")
        merge(t, r, 6, r, 6, str(s.project["year"]))
    else:
        merge(t, r, 2, r, 6, printed(s.project["name"]))


def blk_year(t, s):
    r = add_rows(t, 1)
    merge(t, r, 0, r, 1, "项目年份")
    merge(t, r, 2, r, 6, str(s.project["year"]))


def blk_department(t, s, with_unit=False):
    r = add_rows(t, 1)
    merge(t, r, 0, r, 1, "项目主管部门(单位)")
    if with_unit:
        merge(t, r, 2, r, 3, printed(s.project["department"]))
        merge(t, r, 4, r, 4, "实施单位")
        merge(t, r, 5, r, 6, printed(s.project["implementing_unit"]))
    else:
        merge(t, r, 2, r, 6, printed(s.project["department"]))


def blk_implementing_unit(t, s):
    r = add_rows(t, 1)
    merge(t, r, 0, r, 1, "实施单位")
    merge(t, r, 2, r, 6, printed(s.project["implementing_unit"]))


def blk_budget_exec(t, s):
    b = s.budget
    r = add_rows(t, 2)
    merge(t, r, 0, r + 1, 0, "市级预算执行情况(万元)")
    merge(t, r, 1, r, 1, "年初预算数")
    merge(t, r, 2, r, 2, "当年使用上年结余、结转及当年调整预算数")
    merge(t, r, 3, r, 4, "财政拨款数")
    merge(t, r, 5, r, 6, "指标结余数")
    merge(t, r + 1, 1, r + 1, 1, fmt_money(b["initial_budget"]))
    merge(t, r + 1, 2, r + 1, 2, fmt_money(b["adjustment"]))
    merge(t, r + 1, 3, r + 1, 4, fmt_money(b["appropriation"]))
    merge(t, r + 1, 5, r + 1, 6, fmt_money(b["quota_balance"]))


def blk_fund_use(t, s):
    b = s.budget
    appropriation = s.budget_printed.get("appropriation_use", b["appropriation"])
    r = add_rows(t, 3)
    merge(t, r, 0, r + 2, 0, "市级财政资金使用情况(万元)")
    merge(t, r, 1, r + 1, 1, "财政拨款数")
    merge(t, r, 2, r + 1, 2, "实际支付数")
    merge(t, r, 3, r + 1, 3, "资金结余、结转数")
    merge(t, r, 4, r, 5, "其中:")
    merge(t, r + 1, 4, r + 1, 4, "结转数")
    merge(t, r + 1, 5, r + 1, 5, "财政收回数")
    for c, v in enumerate([appropriation, b["actual_payment"], b["fund_balance"],
                           b["carried_forward"], b["recovered"]], start=1):
        merge(t, r + 2, c, r + 2, c, fmt_money(v))


def blk_subprojects(t, s):
    fmt = s.layout.get("amount_format")
    amount = (lambda x: fmt.format(x)) if fmt else (lambda x: f"{x:g}")
    n = len(s.subprojects)
    r = add_rows(t, 2 + n)
    merge(t, r, 0, r + 1 + n, 1, "项目资金构成(详细列出各子项目名称和金额)")
    merge(t, r, 2, r, 4, "子项目名称")
    merge(t, r, 5, r, 6, "实际金额(万元)")
    merge(t, r + 1, 2, r + 1, 4, "合计")
    merge(t, r + 1, 5, r + 1, 6, amount(s.subprojects_total))
    for i, (name, amt) in enumerate(s.subprojects):
        merge(t, r + 2 + i, 2, r + 2 + i, 4, printed(name))
        merge(t, r + 2 + i, 5, r + 2 + i, 6, amount(amt))


BLOCKS = {
    "name_year": lambda t, s: blk_name(t, s, True),
    "name": lambda t, s: blk_name(t, s, False),
    "year": blk_year,
    "department": blk_department,
    "department_unit": lambda t, s: blk_department(t, s, True),
    "implementing_unit": blk_implementing_unit,
    "budget_exec": blk_budget_exec,
    "fund_use": blk_fund_use,
    "subprojects": blk_subprojects,
}
DEFAULT_ORDER = ["name_year", "department", "budget_exec", "fund_use", "subprojects"]


def header_row(t):
    r = add_rows(t, 1)
    for c, h in enumerate(INDICATOR_HEADER):
        merge(t, r, c, r, c, h)


def indicator_segments(s):
    """Physical table rows, grouped into Word tables: [[(class_idx, cells), ...], ...].

    cells = [name, target, weight, actual, reported]; a continuation row has only the name.
    """
    split = s.layout.get("split_before")
    segments = [[]]
    for ci, (_, _, _, rows) in enumerate(s.classes):
        for ri, (pname, _, target, weight, actual, reported, _) in enumerate(rows):
            if split == (ci, ri):
                segments.append([])
            if isinstance(pname, tuple):
                head, tail = pname
                segments[-1].append((ci, [head, printed(target), weight, printed(actual), reported]))
                segments[-1].append((ci, [tail, "", "", "", ""]))
            else:
                segments[-1].append((ci, [pname, printed(target), weight, printed(actual), reported]))
    return segments


def new_table(doc):
    t = doc.add_table(rows=0, cols=7)
    t.style = "Table Grid"
    return t


def build_docx(s: Sample, path: Path):
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    fixed = _dt.datetime(2021, 3, 1, 9, 0, 0)
    cp = doc.core_properties
    cp.author = cp.last_modified_by = "jixiao samples"
    cp.title = TITLE
    cp.created = cp.modified = cp.last_printed = fixed
    cp.revision = 1

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(16)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(FORM_TITLE).bold = True

    wrap = s.layout.get("wrap", "br")
    t = new_table(doc)
    for block in s.layout.get("order", DEFAULT_ORDER):
        BLOCKS[block](t, s)

    segments = indicator_segments(s)
    for si, seg in enumerate(segments):
        if si > 0:  # a page break between the two Word tables, as a PDF→Word conversion leaves
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            t = new_table(doc)
        header_row(t)
        first = add_rows(t, len(seg))
        for k, (_, cells) in enumerate(seg):
            for c, text in enumerate(cells, start=2):
                merge(t, first + k, c, first + k, c, text, wrap)
        # column 0: one merged cell down every indicator row of this table
        merge(t, first, 0, first + len(seg) - 1, 0, s.layout["section_label"] if si == 0 else "", wrap)
        # column 1: one merged cell per class run; the label only where the class starts
        k = 0
        while k < len(seg):
            ci = seg[k][0]
            end = k
            while end + 1 < len(seg) and seg[end + 1][0] == ci:
                end += 1
            starts_here = not (si > 0 and k == 0 and segments[si - 1] and segments[si - 1][-1][0] == ci)
            merge(t, first + k, 1, first + end, 1, s.classes[ci][1] if starts_here else "", "para")
            k = end + 1
    r = add_rows(t, 1)
    merge(t, r, 0, r, 5, "合计")
    merge(t, r, 6, r, 6, s.total_printed)

    doc.add_paragraph(FILL_NOTE)

    nt = doc.add_table(rows=1 + len(SECTION_ROWS), cols=2)
    nt.style = "Table Grid"
    merge(nt, 0, 0, 0, 1, "项目基本情况")
    for i, (key, label) in enumerate(SECTION_ROWS, start=1):
        merge(nt, i, 0, i, 0, label)
        value = s.sections[key]
        write_cell(nt.cell(i, 1), value.raw if isinstance(value, Html) else value)

    doc.add_paragraph(MARK_NOTE)

    save_deterministic(doc, path)


def save_deterministic(doc, path: Path):
    """Save with fixed zip timestamps so that every run writes the same bytes."""
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2021, 3, 1, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, zin.read(info.filename))


# --------------------------------------------------------------------------
# Expected JSON
# --------------------------------------------------------------------------
def section_text(value):
    if isinstance(value, Html):
        return value.text
    if isinstance(value, list):  # several Word paragraphs → lines (indentation stripped)
        return "\n".join(p.strip() for p in value)
    return value


def expected_json(s: Sample, source_path: str, fmt: str) -> dict:
    project = {k: expected(v) for k, v in s.project.items()}
    indicators = []
    for category, _, points, rows in s.classes:
        for pname, name, target, weight, actual, reported, recomputed in rows:
            indicators.append({
                "category": category,
                "category_points": float(points),
                "name": name if name is not None else pname,
                "target": expected(target),
                "weight": float(weight),
                "actual": expected(actual),
                "reported_score": float(reported),
                "recomputed_score": float(recomputed),
            })
    total = sum(i["recomputed_score"] for i in indicators)
    assert abs(total - s.recomputed_total) < 1e-6, (s.file, total, s.recomputed_total)
    return {
        "source": {"path": source_path, "format": fmt},
        "status": "ok",
        "template": "suzhou-2017",
        "project": project,
        "budget": {"unit": "万元", **{k: float(v) for k, v in s.budget.items()}},
        "subprojects": [{"name": expected(n), "amount": float(a)} for n, a in s.subprojects],
        "subprojects_total": float(s.subprojects_total),
        "indicators": indicators,
        "reported_total": float(s.total_printed),
        "recomputed_total": round(total, 6),
        "sections": {key: section_text(s.sections[key]) for key, _ in SECTION_ROWS},
        "flags": [{"code": c, "severity": SEVERITY[c], "subject": subj} for c, subj in s.flags],
    }


def write_json(obj, path: Path):
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main():
    EXPECTED_DIR.mkdir(exist_ok=True)
    written = []
    for s in SAMPLES:
        build_docx(s, HERE / s.file)
        write_json(expected_json(s, s.file, "docx"), EXPECTED_DIR / f"{s.file}.json")
        written += [s.file, f"expected/{s.file}.json"]

    seed_txt = "suzhou-2020-egov-selfeval.txt"
    write_json(expected_json(SEED, seed_txt, "txt"), EXPECTED_DIR / f"{seed_txt}.json")
    written.append(f"expected/{seed_txt}.json")

    rng = random.Random(7)
    (HERE / BROKEN_FILE).write_bytes(bytes(rng.getrandbits(8) for _ in range(2048)))
    write_json({
        "source": {"path": BROKEN_FILE, "format": "docx"},
        "status": "error",
        "template": "unknown",
        "indicators": [],
    }, EXPECTED_DIR / f"{BROKEN_FILE}.json")
    written += [BROKEN_FILE, f"expected/{BROKEN_FILE}.json"]

    for w in written:
        print("wrote samples/" + w)


if __name__ == "__main__":
    main()
