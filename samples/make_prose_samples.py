#!/usr/bin/env python3
"""Generate samples of PROSE self-evaluation reports (绩效自评报告: project and 部门整体) — Word (python-docx)
and a LibreOffice PDF — with the expected JSON of each, two of them with the national 项目支出绩效自评表
attached as a Word table after the text.

Run from the repository root:

    .venv/bin/python samples/make_prose_samples.py

Every sample is written next to this script (samples/) and every expectation to
samples/expected/<sample file name>.json.  The .docx files are byte-identical from run to run (fixed document
properties and zip timestamps); the PDF is made by LibreOffice in a private profile (fonts: AR PL UMing CN), its
creation date, /ID and /DocChecksum overwritten with fixed values (make_pdf_samples.py's helpers).  The docx
the PDF is made from stays in a temp folder (it is not a sample).

The expected values are written by hand from each sample's own text.  A report is written here once, as its
title and its top-level sections; every section is (heading as printed, the key it goes to, written by hand —
OTHER for sections_other —, its paragraphs as printed, sub-heading lines included).  The document is made from
those paragraphs and the expectation joins the same paragraphs with "\n"; nothing matches headings to keys by
their words and nothing reads the text back to find a score.  stated_total, stated_grade and the flags are
hand values too; the script only *checks* that the stated words appear in the text (e.g. "自评得分92分"), that a
sections_other heading is its printed heading without the numbering, and that the form arithmetic holds.  The
attached forms reuse make_national_samples.py's data classes (Sample / Ind / Line), its hand-value
conventions, its expected_json() (which only reformats the hand values and asserts their sum against a
hand-written total) and its layout (add_form(), the 10-column table and grid of its build_docx()).  After
writing, the script opens every file (python-docx, pdfplumber) and checks it: the docx paragraphs are exactly
the spec's, no Word heading style is used, the PDF text is exactly the spec's paragraphs once its running
header and page numbers are taken off, and every expectation is valid against jixiao/report.schema.json
(sample_kit.schema_check: completed with the keys the expected files leave out: schema_version, source.sha256,
budget, subprojects, flag messages).

Conventions of the expected JSON (the prose reader is judged against them)
---------------------------------------------------------------------------
template / profile / document_kind
    prose only: "report" / "report" / "report", status "ok" (a report without a table lacks no part),
    indicators [], budget_lines [], reported_total and recomputed_total null.  With the national form:
    "national-2020" / "national-2020" / "report_with_form", indicators, budget_lines, totals and the form's
    flags as the national rules give them (shared/spec/scoring-rules.md part (b), hand-computed as in
    make_national_samples.py).
scope
    "department" when the title says 部门整体, else "project".
project
    name = the words of the title between the year (2023年度) and 支出绩效自评报告 / 绩效自评报告 (a department
    report: null); year from the title; department = the unit the title names before the year;
    implementing_unit null.  With the form, the form's own 项目名称 / 主管部门 / 实施单位 win (year: title and
    form agree).
sections
    A section runs from its top-level heading (一、 二、 …) to the next top-level heading; its text leaves out
    its own heading line and keeps its sub-heading lines ((一) / （一） / 1、) and their text, paragraphs joined
    with "\n", each paragraph as written (only leading / trailing spaces removed; no NFKC folding of text).
    The key comes from the top-level heading's words (a heading joining two keys takes the first one:
    项目基本情况及自评结论 → 项目概况); a top-level heading that fits no key goes to sections_other as
    {"heading": the heading without its numbering, "text": …}, in document order; sub-headings never make keys
    of their own (a sub-heading （二）项目绩效目标 stays in the 项目概况 text).  The title and anything before
    the first heading are in no section; nor is page furniture (running header, page numbers).  With the form
    attached: the prose ends where the form begins (its title paragraph 项目支出绩效自评表, on a new page); the
    form's title, its （2023年度） line, the table and its 填报说明 are in no prose section, and the form's own
    cells give 年度总体目标 / 总体目标完成情况 as in every national record, beside the prose keys.
stated_total / stated_grade
    The total the text states (自评得分92分, 综合自评得分92分, 自评得分为86.5分; never 分值100分 nor a class
    sub-score such as 产出指标满分40分，自评得分36分) and the grade word as written (优, 良好, 良).
flags
    stated_total_mismatch (error, subject "total"): stated_total differs from the form's printed 总分 by more
    than 0.05.  grade_mismatch (warning, subject "grade"): the stated grade does not fit the band of the stated
    total (优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60; 优秀→优, 良好→良, 中等/合格→中, 不合格/差→差).  A prose-only
    report has no other flags.

The samples and what each one shows
-----------------------------------
prose-2023-public-culture-project-report-no-table.docx                       (report, project, no flags)
    蓬溪县文化广电旅游局2023年度公共文化服务体系建设项目支出绩效自评报告: no table at all and no Word heading
    style (every line a plain Normal paragraph with direct formatting, as real reports are), headings known by
    their numbering only.  一、项目基本情况 with sub-headings （一）项目概况 / （二）项目绩效目标 (→ 项目概况,
    the sub-headings inside); 二、绩效评价情况(分值100分,自评得分92分) (→ sections_other) whose text gives class
    sub-scores (投入指标满分20分，自评得分20分 … 效益指标满分20分，自评得分18分) and 综合自评得分92分，评价等级为
    “优”; 三、存在的问题 (→ 存在问题) holding 一是…二是… and lines 1、… 2、… that are text, not headings;
    四、下一步改进措施 (→ 建议); 五、其他需要说明的问题 (→ sections_other, the closing signature and date
    inside, as the section runs to the end of the text).  stated_total 92, stated_grade 优: fits, no flag.
prose-2022-forestry-department-report.pdf                                 (report, department, no flags)
    青川县林业局2022年度部门整体支出绩效自评报告 through LibreOffice (A4, AR PL UMing CN 14 pt, 28 pt line
    spacing, no space between paragraphs: a paragraph's first line is indented two characters, its other lines
    start at the margin, headings indented too and bold, as 公文 print them): three pages, each with
    a running header (青川县林业局预算绩效信息公开) and a page number (— N —), page furniture in no section;
    a page break cuts a paragraph, whose text goes on below the next page's header (make_pdf() tries the
    bottom margins of PDF_BOTTOM_MARGINS until one does; main() prints the cut paragraph).  Headings
    一、部门基本情况 (→ 项目概况) / 二、部门整体支出绩效情况 (→ sections_other) / 三、存在的问题及原因 (→ 存在问题) /
    四、改进措施 (→ 建议) / 五、部门整体支出绩效自评结论 (→ 自评结论: 自评得分为86.5分，整体绩效自评为良好).
    Distracting numbers: 部门预算总额1200万元, 指标体系（分值100分）, 预算执行率93.9%; a sub-heading
    （二）绩效目标完成情况 inside section 二 (sub-headings make no key).
    stated_total 86.5, stated_grade 良好 (→ 良, 80 ≤ 86.5 < 90): fits, no flag.
prose-2023-elderly-canteen-report-with-form.docx          (report_with_form, national-2020, project)
    岳池县民政局2023年度社区老年助餐服务项目支出绩效自评报告, headings 一、项目基本情况及自评结论 (→ 项目概况,
    the first of the two keys) / 二、项目绩效目标 (→ 年度绩效目标) / 三、项目实施情况 (→ 项目实施情况) /
    四、绩效评价情况(分值100分,自评得分95分) (→ sections_other) / 五、存在的问题及原因 (→ 存在问题) /
    六、改进建议 (→ 建议); the text states 自评得分95分 and 优.  Then, on a new page, the national
    项目支出绩效自评表 (2023年度) as make_national_samples.build_docx() lays it out: 项目名称 社区老年助餐服务补助
    资金 (the title says 社区老年助餐服务项目: the form's name wins), budget 288 / 320 = 90 % → 9, rows adding
    up to 93 with it, 总分 printed 93, every row scored as the rules give (no form flag).
    Flag: stated_total_mismatch (95 ≠ 93).  优 fits 95: no grade_mismatch.
prose-2023-public-health-report-with-form-agrees.docx     (report_with_form, national-2020, project)
    武胜县卫生健康局2023年度基本公共卫生服务项目支出绩效自评报告, headings 一、基本情况 (sub-headings (一) /
    (二), half-width) → 项目概况 / 二、绩效目标 → 年度绩效目标 / 三、绩效自评结论 → 自评结论 / 四、存在问题 →
    存在问题 / 五、下一步工作计划 → 建议; the text states 自评得分92分 and 评价等级为“良”.  The national form
    (项目名称 基本公共卫生服务补助资金): budget 1425 / 1500 = 95 % → 9.5, seven rows below their weight, each
    with its reason, 总分 printed 92 = the rows and the recomputed total.
    Flag: grade_mismatch (良 does not fit 92 ≥ 90: 优).  92 = 92: no stated_total_mismatch.

Form texts (goals, deviation reasons) use only 、 ， and 。 as make_national_samples.py's do; section headings
that go to sections_other are written so that NFKC folding leaves them unchanged (half-width brackets and
comma, as the real Yunnan report prints 二、绩效评价情况(分值100分,自评得分97分)).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from lxml import etree

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no samples/__pycache__ (it would count as a file of the samples folder)

from make_national_samples import (  # noqa: E402
    FORM_TITLE, GRID_10, Ind, Line, Sample, add_form, check_form_arithmetic, finish_docx, new_document,
    save_deterministic)
from make_national_samples import expected_json as national_expected  # noqa: E402
from make_pdf_samples import NS, R, W, A4, Docx, fix_lo_pdf, soffice_convert, squash, w  # noqa: E402
from sample_kit import emit, expected_record, print_written  # noqa: E402

OTHER = "sections_other"
SEVERITY = {"stated_total_mismatch": "error", "grade_mismatch": "warning"}


@dataclass
class Sec:
    heading: str        # the top-level heading as printed (一、…)
    key: str            # the sections key it goes to, by hand; OTHER = sections_other
    paras: list         # its paragraphs as printed, sub-heading lines included
    other_heading: str | None = None   # OTHER only: the heading without its numbering, by hand


@dataclass
class Report:
    file: str
    title: str
    sections: list
    scope: str
    project: dict               # by hand from the title (prose only; with a form the form's fields)
    stated_total: float | None
    stated_grade: str | None
    stated_words: tuple         # words that must appear in the text (a check of the two hand values above)
    flags: list                 # (code, subject) of the prose checks
    form: Sample | None = None
    size: float = 12            # body font size (pt)


def fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


# ==========================================================================
# 1. Prose only, no table: 公共文化服务体系建设项目
# ==========================================================================
CULTURE = Report(
    file="prose-2023-public-culture-project-report-no-table.docx",
    title="蓬溪县文化广电旅游局2023年度公共文化服务体系建设项目支出绩效自评报告",
    scope="project",
    # title: <department>2023年度<name>支出绩效自评报告
    project={"name": "公共文化服务体系建设项目", "year": 2023, "department": "蓬溪县文化广电旅游局",
             "implementing_unit": None},
    sections=[
        Sec("一、项目基本情况", "项目概况", [
            "（一）项目概况",
            "为推进基本公共文化服务标准化、均等化建设，2023年县级财政安排公共文化服务体系建设项目资金260万元，"
            "主要用于县图书馆、县文化馆免费开放运行保障，16个镇（街道）综合文化站和328个村（社区）综合性文化服务中心"
            "设备更新，以及送戏下乡、流动图书服务等群众文化活动。",
            "项目由蓬溪县文化广电旅游局组织实施，县图书馆、县文化馆和各镇（街道）综合文化站具体承担。"
            "项目资金于2023年4月全部下达，全年实际支出247万元，预算执行率95%。",
            "（二）项目绩效目标",
            "2023年项目绩效目标为：县图书馆、县文化馆全年免费开放不少于300天；更新镇（街道）综合文化站文化设备16套；"
            "开展送戏下乡演出120场以上、流动图书服务60次以上；公共文化设施全年接待群众30万人次以上；"
            "群众对公共文化服务满意度达到90%以上。",
        ]),
        Sec("二、绩效评价情况(分值100分,自评得分92分)", OTHER, [
            "根据《项目支出绩效评价管理办法》（财预〔2020〕10号）和县财政局关于开展2023年度项目支出绩效自评工作的"
            "通知要求，我局成立自评工作小组，对照年初设定的绩效目标，从投入、过程、产出、效益四个方面对项目实施情况"
            "开展自评。",
            "（一）投入指标满分20分，自评得分20分。项目立项依据充分，绩效目标明确，资金260万元按计划足额到位，"
            "资金到位率100%。",
            "（二）过程指标满分20分，自评得分18分。项目资金使用符合财务管理制度规定，但部分镇综合文化站设备采购"
            "进度滞后，预算执行率95%，扣2分。",
            "（三）产出指标满分40分，自评得分36分。县图书馆、县文化馆全年免费开放306天；更新综合文化站文化设备16套；"
            "开展送戏下乡演出126场；流动图书服务48次，未完成年度目标，扣4分。",
            "（四）效益指标满分20分，自评得分18分。公共文化设施全年接待群众32.6万人次，群众对公共文化服务满意度"
            "为88%，低于年度目标，扣2分。",
            # 20 + 18 + 36 + 18 = 92: the class sub-scores add up to the stated total
            "综合自评得分92分，评价等级为“优”。",
        ], other_heading="绩效评价情况(分值100分,自评得分92分)"),
        Sec("三、存在的问题", "存在问题", [
            "项目实施中主要存在以下问题：一是部分镇综合文化站专职人员不足，设备更新后使用管理不够规范；"
            "二是流动图书服务受车辆和人员限制，进村频次不均衡，未达到年度目标。",
            "1、县图书馆数字资源更新不及时，年轻群体借阅率偏低。",
            "2、项目绩效目标设置不够细化，部分指标缺少可量化的考核标准。",
        ]),
        Sec("四、下一步改进措施", "建议", [
            "（一）加强基层文化队伍建设，通过公益性岗位和志愿者招募充实镇综合文化站工作力量，建立设备使用登记和维护制度。",
            "（二）优化流动文化服务安排，统筹调配流动服务车辆，按季度制定进村服务计划，确保服务全覆盖。",
            "（三）科学设置绩效目标，细化量化考核指标，加强绩效运行监控，提高资金使用效益。",
        ]),
        Sec("五、其他需要说明的问题", OTHER, [
            "无。",
            # the closing signature and date: no heading follows, so they end the last section's text
            "蓬溪县文化广电旅游局",
            "2024年3月20日",
        ], other_heading="其他需要说明的问题"),
    ],
    stated_total=92.0,
    stated_grade="优",
    stated_words=("自评得分92分", "综合自评得分92分", "评价等级为“优”"),
    # 优 with 92: 92 ≥ 90 → fits; no form → no stated_total_mismatch.  No flag.
    flags=[],
)

# ==========================================================================
# 2. 部门整体 report as a LibreOffice PDF with a running header and page numbers
# ==========================================================================
FORESTRY = Report(
    file="prose-2022-forestry-department-report.pdf",
    title="青川县林业局2022年度部门整体支出绩效自评报告",
    scope="department",  # 部门整体 in the title
    project={"name": None, "year": 2022, "department": "青川县林业局", "implementing_unit": None},
    sections=[
        Sec("一、部门基本情况", "项目概况", [
            "（一）部门职能",
            "青川县林业局是县政府工作部门，主要负责全县林业和草原资源保护、生态修复、森林防火、林业有害生物防治、"
            "国有林场管理和林业产业发展等工作，承担天然林资源保护、退耕还林成果巩固、自然保护地管理和野生动植物保护"
            "的监督管理责任，指导全县林业科技推广和林业改革工作。",
            "（二）机构设置及人员情况",
            "局机关内设办公室、生态修复股、资源管理股、林业产业股4个股室，下属县林业技术推广站、县森林病虫害防治"
            "检疫站和3个国有林场共5个二级单位。年末在职人员136人，退休人员89人。",
            "（三）部门预算收支情况",
            # 709.2 + 417.6 = 1126.8; 1126.8 / 1200 = 93.9 %
            "2022年部门预算总额1200万元，其中基本支出720万元、项目支出480万元。全年实际支出1126.8万元，"
            "其中基本支出709.2万元、项目支出417.6万元。",
        ]),
        Sec("二、部门整体支出绩效情况", OTHER, [
            "根据县财政局关于开展2022年度部门整体支出绩效自评工作的通知，我局对照部门整体支出绩效评价指标体系"
            "（分值100分），从预算执行、产出、效益和满意度四个方面开展自评。",
            "（一）预算执行情况",
            "全年预算执行数1126.8万元，预算执行率93.9%。基本支出保障了机关和二级单位正常运转，项目支出主要用于"
            "天然林保护、森林防火、林业有害生物防治和国有林场基础设施建设。",
            "（二）绩效目标完成情况",
            "全年完成营造林2.6万亩，其中人工造林0.8万亩、森林抚育1.8万亩；管护天然林资源186万亩，森林覆盖率保持在"
            "74.6%以上；全年未发生重大森林火灾，森林防火巡护队伍开展巡山护林1.2万人次；完成林业有害生物防治面积"
            "3.2万亩，成灾率控制在0.3%以下；新建林区防火通道18公里、维修林区道路26公里，3个国有林场管护用房"
            "改造完成2个。",
            "（三）效益情况",
            "通过实施天然林保护和国土绿化工程，全县生态环境持续改善，水土流失得到有效控制。依托林下种植、林下养殖"
            "和森林康养带动林下经济发展，吸纳林区群众务工860人次，林区群众人均增收约620元。全年开展群众满意度调查，"
            "发放问卷550份，收回有效问卷520份，群众满意率为91.2%。",
        ], other_heading="部门整体支出绩效情况"),
        Sec("三、存在的问题及原因", "存在问题", [
            "（一）预算编制精准度有待提高。部分项目前期论证不充分，年中调整较多，导致项目支出执行率偏低。",
            "（二）绩效目标设置不够科学。个别绩效指标以定性描述为主，量化程度不高，难以准确衡量工作成效。",
            # 480 − 417.6 = 62.4
            "（三）国有林场基础设施项目推进较慢。受雨季施工条件影响，林区道路维修工程和1个国有林场管护用房改造工程"
            "未按期完工，项目资金支付进度滞后，年末结转资金62.4万元，影响了部门整体预算执行率。",
        ]),
        Sec("四、改进措施", "建议", [
            "（一）加强预算编制管理。提前做好项目储备和前期论证，合理测算项目资金需求，减少年中预算调整。",
            "（二）提高绩效目标质量。按照指标明确、细化量化、合理可行的要求设置绩效目标，增加可量化考核的产出和效益指标。",
            "（三）加快项目实施进度。建立项目进度月报制度，科学安排施工计划，确保结转项目在2023年汛期前完工。",
        ]),
        Sec("五、部门整体支出绩效自评结论", "自评结论", [
            "综合各项指标完成情况，青川县林业局2022年度部门整体支出绩效自评得分为86.5分，整体绩效自评为良好。",
            "下一步，我局将针对自评发现的问题认真整改，进一步提高部门整体支出绩效水平。",
        ]),
    ],
    stated_total=86.5,
    stated_grade="良好",
    stated_words=("自评得分为86.5分", "整体绩效自评为良好"),
    # 良好 → 良: 80 ≤ 86.5 < 90 → fits.  No flag.
    flags=[],
    size=14,
)
PDF_HEADER = "青川县林业局预算绩效信息公开"
PDF_FAMILY = "AR PL UMing CN"
# Bottom margins (twips; left / right / top 2.8 / 2.6 / 3.7 cm as in 公文) tried in turn; the first whose layout
# puts a page break inside a paragraph (its text continued below the next page's running header) is kept.
# With LibreOffice 7.4.7 and AR PL UMing CN the second (3.18 cm) cuts （三）国有林场基础设施项目… from page 2
# to page 3 (the 3.5 cm of 公文 breaks between paragraphs only).  main() prints the one used.
PDF_BOTTOM_MARGINS = [1984, 1800, 1600, 1417]

# ==========================================================================
# 3. A report with the national form attached: the stated total is not the form's
# ==========================================================================
CANTEEN_FORM = Sample(
    file="prose-2023-elderly-canteen-report-with-form.docx",
    profile="national-2020",
    year=2023,
    project={"name": "社区老年助餐服务补助资金", "department": "岳池县民政局",
             "implementing_unit": "岳池县养老服务指导中心"},
    budget=[
        # 288 / 320 = 90 % → 10 × 0.9 = 9 = reported
        Line("年度资金总额", "300.00", "320.00", "288.00", "10", "90.00%", "9", 9.0),
        Line("其中：当年财政拨款", "280.00", "300.00", "270.00", "—", "90.00%", "—", None),
        Line("上年结转资金", "20.00", "20.00", "18.00", "—", "90.00%", "—", None),
        Line("其他资金", "0.00", "0.00", "0.00", "—", "—", "—", None),
    ],
    goals=(
        "新建社区老年助餐点30个，全年提供助餐服务40万人次以上，助餐点食品安全抽检合格率100%，"
        "每餐政府补助标准不超过3元，困难老年人助餐补贴覆盖率达到90%以上，就餐老年人满意度达到90%以上。",
        "全年建成社区老年助餐点30个，其中27个按期投入运营，提供助餐服务36万人次，食品安全抽检全部合格。"
        "困难老年人助餐补贴覆盖率72%，就餐老年人满意度93%。",
    ),
    classes=[
        ("产出", "产出指标(50分)", 50, [
            # r = 30/30 = 100 % exactly → 10
            Ind("数量指标", "新建社区老年助餐点数量", "≥30个", "10", "30个", "10", 10.0),
            # 36 < 40 → 10 × 36/40 = 9 = reported; reason present
            Ind("数量指标", "年度助餐服务人次", "≥40万人次", "10", "36万人次", "9", 9.0,
                "部分助餐点选址距离老年人居住区较远。下年度调整服务半径并推广送餐上门。"),
            Ind("质量指标", "助餐点食品安全抽检合格率", "=100%", "10", "100%", "10", 10.0),
            # 90 < 100 → 10 × 0.9 = 9 = reported; reason present
            Ind("时效指标", "助餐点按期投运率", "=100%", "10", "90%", "9", 9.0,
                "3个助餐点因场地改造延期投运。已于2024年1月全部投入运营。"),
            # reverse met: 3 ≤ 3 → 10
            Ind("成本指标", "每餐政府补助标准", "≤3元/餐", "10", "3元/餐", "10", 10.0),
        ]),
        ("效益", "效益指标(30分)", 30, [
            # 达成 band [8, 10]: 10 inside → 10
            Ind("社会效益指标", "老年人就餐便利度", "明显提升", "10", "达成年度指标", "10", 10.0),
            # 72 < 90 → 10 × 72/90 = 8 = reported; reason present
            Ind("社会效益指标", "困难老年人助餐补贴覆盖率", "≥90%", "10", "72%", "8", 8.0,
                "困难老年人身份信息核实周期较长。下年度与公安、残联共享数据。"),
            # 达成 band [8, 10]: 8 inside → 8; below w, reason present → no flag
            Ind("可持续影响指标", "助餐服务长效运营机制", "建立健全", "10", "达成年度指标", "8", 8.0,
                "运营补贴办法尚未覆盖社会餐饮企业。下年度修订补贴办法。"),
        ]),
        ("满意度", "满意度指标(10分)", 10, [
            # r = 93/90 = 103 % → 5
            Ind("服务对象满意度指标", "就餐老年人满意度", "≥90%", "5", "93%", "5", 5.0),
            # r = 88/85 = 103.5 % → 5
            Ind("服务对象满意度指标", "助餐点运营单位满意度", "≥85%", "5", "88%", "5", 5.0),
        ]),
    ],
    # reported: 9 + 产出 (10+9+10+9+10 = 48) + 效益 (10+8+8 = 26) + 满意度 10 = 93 = 总分 printed
    total_printed="93",
    # every row as reported: 9 + 48 + 26 + 10 = 93
    recomputed_total=93.0,
    flags=[],  # the form itself: no flag (standard 10/50/30/10 split, weights 100, no r ≥ 130 %)
)

CANTEEN = Report(
    file=CANTEEN_FORM.file,
    title="岳池县民政局2023年度社区老年助餐服务项目支出绩效自评报告",
    scope="project",
    # the form's 项目名称 / 主管部门 / 实施单位 win over the title's 社区老年助餐服务项目 / 岳池县民政局
    project={"name": "社区老年助餐服务补助资金", "year": 2023, "department": "岳池县民政局",
             "implementing_unit": "岳池县养老服务指导中心"},
    sections=[
        Sec("一、项目基本情况及自评结论", "项目概况", [  # two keys joined → the first, 项目概况
            "为解决城乡社区高龄、独居、失能及困难老年人就餐难问题，2023年县级财政安排社区老年助餐服务项目资金300万元，"
            "年中追加20万元，全年预算320万元，由岳池县民政局主管，岳池县养老服务指导中心具体实施。项目主要用于新建"
            "社区老年助餐点、助餐服务运营补贴和困难老年人就餐补助。",
            "经自评，该项目自评得分95分，评价等级为“优”。",
        ]),
        Sec("二、项目绩效目标", "年度绩效目标", [
            "2023年新建社区老年助餐点30个，全年提供助餐服务40万人次以上，助餐点食品安全抽检合格率100%，每餐政府补助"
            "标准不超过3元，困难老年人助餐补贴覆盖率达到90%以上，就餐老年人满意度达到90%以上。",
        ]),
        Sec("三、项目实施情况", "项目实施情况", [
            "2023年3月，县民政局印发社区老年助餐服务实施方案，明确助餐点建设标准和运营补贴办法。4月至10月，按照"
            "“政府引导、社会运营、老人可及”的原则，依托社区养老服务站、机关食堂和社会餐饮企业建成助餐点30个，"
            "其中27个按期投入运营。",
            "县养老服务指导中心按月核定助餐人次，按季度拨付运营补贴，全年执行资金288万元，预算执行率90%。"
            "县市场监管局对助餐点开展食品安全抽检60批次，全部合格。",
        ]),
        Sec("四、绩效评价情况(分值100分,自评得分95分)", OTHER, [
            "（一）预算执行情况。全年预算320万元，执行288万元，预算执行率90%。",
            "（二）产出情况。新建社区老年助餐点30个，全年提供助餐服务36万人次，助餐点按期投运率90%，每餐政府补助3元，"
            "助餐点食品安全抽检合格率100%。",
            "（三）效益情况。老年人就餐便利度明显提升，困难老年人助餐补贴覆盖率72%，助餐服务长效运营机制基本建立。",
            "（四）满意度情况。随机抽取就餐老年人和运营单位开展满意度调查，就餐老年人满意度93%，运营单位满意度88%。",
        ], other_heading="绩效评价情况(分值100分,自评得分95分)"),
        Sec("五、存在的问题及原因", "存在问题", [
            "一是部分助餐点选址距离老年人居住区较远，就餐人次未达到预期。二是困难老年人身份信息核实周期较长，"
            "补贴发放覆盖面不足。三是3个助餐点因场地改造延期，未能按期投入运营。",
        ]),
        Sec("六、改进建议", "建议", [
            "（一）优化助餐点布局，结合老年人分布情况调整服务半径，推广送餐上门服务。",
            "（二）加强与公安、残联等部门数据共享，缩短困难老年人身份核实时间，做到应补尽补。",
            "（三）建立助餐点建设进度台账，加强督导检查，确保项目按期建成投运。",
        ]),
    ],
    stated_total=95.0,
    stated_grade="优",
    stated_words=("自评得分95分", "评价等级为“优”"),
    # stated 95 vs 总分 printed 93: |Δ| = 2 > 0.05 → stated_total_mismatch (error).
    # 优 with 95 (the stated total): ≥ 90 → fits, no grade_mismatch (93 would fit too).
    flags=[("stated_total_mismatch", "total")],
    form=CANTEEN_FORM,
)

# ==========================================================================
# 4. A report with the national form attached: the total agrees, the grade does not
# ==========================================================================
HEALTH_FORM = Sample(
    file="prose-2023-public-health-report-with-form-agrees.docx",
    profile="national-2020",
    year=2023,
    project={"name": "基本公共卫生服务补助资金", "department": "武胜县卫生健康局",
             "implementing_unit": "武胜县疾病预防控制中心"},
    budget=[
        # 1425 / 1500 = 95 % → 10 × 0.95 = 9.5 = reported
        Line("年度资金总额", "1500.00", "1500.00", "1425.00", "10", "95.00%", "9.5", 9.5),
        Line("其中：当年财政拨款", "1380.00", "1380.00", "1311.00", "—", "95.00%", "—", None),
        Line("上年结转资金", "120.00", "120.00", "114.00", "—", "95.00%", "—", None),
        Line("其他资金", "0.00", "0.00", "0.00", "—", "—", "—", None),
    ],
    goals=(
        "为城乡居民免费提供基本公共卫生服务，65岁及以上老年人健康管理3.2万人以上，0-6岁儿童健康管理率达到90%以上，"
        "高血压患者规范管理率达到65%以上，居民健康素养水平达到25%以上，居民满意度达到90%以上。",
        "全年为3.0万名老年人提供健康管理服务，0-6岁儿童健康管理率93%，高血压患者规范管理率58.5%，"
        "居民健康素养水平27.6%。受资金下达较晚影响，人均补助资金到位80.1元，居民满意度81%。",
    ),
    classes=[
        ("产出", "产出指标(50分)", 50, [
            # 3.0 < 3.2 → 8 × 3.0/3.2 = 7.5 = reported; reason present
            Ind("数量指标", "65岁及以上老年人健康管理人数", "≥3.2万人", "8", "3.0万人", "7.5", 7.5,
                "部分外出务工老年人未能纳入健康管理。下年度开展上门随访服务。"),
            # r = 93/90 = 103 % → 8
            Ind("数量指标", "0-6岁儿童健康管理率", "≥90%", "8", "93%", "8", 8.0),
            # 58.5 < 65 → 8 × 58.5/65 = 7.2 = reported; reason present
            Ind("质量指标", "高血压患者规范管理率", "≥65%", "8", "58.5%", "7.2", 7.2,
                "乡镇卫生院公共卫生人员不足、随访不及时。下年度充实基层公共卫生服务力量。"),
            # 85.5 < 90 → 8 × 85.5/90 = 7.6 = reported; reason present
            Ind("质量指标", "居民电子健康档案规范化建档率", "≥90%", "8", "85.5%", "7.6", 7.6,
                "部分档案信息更新不及时。下年度开展健康档案专项清理。"),
            # 90 < 100 → 8 × 0.9 = 7.2 = reported; reason present
            Ind("时效指标", "补助资金拨付及时率", "=100%", "8", "90%", "7.2", 7.2,
                "上级补助资金下达较晚。已建立资金拨付月报制度。"),
            # positive (=): 80.1 < 89 → 10 × 80.1/89 = 9 = reported; reason present
            Ind("成本指标", "人均基本公共卫生服务经费补助标准", "=89元/人", "10", "80.1元/人", "9", 9.0,
                "部分补助资金结转下年拨付。下年度加快资金拨付进度。"),
        ]),
        ("效益", "效益指标(30分)", 30, [
            # r = 27.6/25 = 110.4 % → 10
            Ind("社会效益指标", "居民健康素养水平", "≥25%", "10", "27.6%", "10", 10.0),
            # r = 98/95 = 103 % → 10
            Ind("社会效益指标", "法定传染病报告及时率", "≥95%", "10", "98%", "10", 10.0),
            # 部分达成 band [6, 8): 7 inside → 7; reason present
            Ind("可持续影响指标", "基层医疗卫生机构公共卫生服务能力", "持续提升", "10",
                "部分达成年度指标并具有一定效果", "7", 7.0,
                "部分乡镇卫生院公共卫生专业人员缺乏。下年度通过县级医院下派人员补充。"),
        ]),
        ("满意度", "满意度指标(10分)", 10, [
            # 81 < 90 → 10 × 81/90 = 9 = reported; reason present
            Ind("服务对象满意度指标", "城乡居民对基本公共卫生服务满意度", "≥90%", "10", "81%", "9", 9.0,
                "居民对部分服务项目知晓率不高。下年度加强基本公共卫生服务宣传。"),
        ]),
    ],
    # reported: 9.5 + 产出 (7.5+8+7.2+7.6+7.2+9 = 46.5) + 效益 (10+10+7 = 27) + 满意度 9 = 92 = 总分 printed
    total_printed="92",
    recomputed_total=92.0,  # every row as reported
    flags=[],  # the form itself: no flag
)

HEALTH = Report(
    file=HEALTH_FORM.file,
    title="武胜县卫生健康局2023年度基本公共卫生服务项目支出绩效自评报告",
    scope="project",
    # the form's fields win over the title's 基本公共卫生服务项目
    project={"name": "基本公共卫生服务补助资金", "year": 2023, "department": "武胜县卫生健康局",
             "implementing_unit": "武胜县疾病预防控制中心"},
    sections=[
        Sec("一、基本情况", "项目概况", [
            "(一)项目概况",
            "基本公共卫生服务项目是国家为城乡居民免费提供的基本公共卫生服务，包括居民健康档案管理、健康教育、预防接种、"
            "0-6岁儿童健康管理、老年人健康管理、慢性病患者健康管理和传染病报告处理等服务内容。项目由武胜县卫生健康局主管，"
            "武胜县疾病预防控制中心负责技术指导和考核，各乡镇卫生院和社区卫生服务中心具体实施。",
            "(二)资金安排情况",
            "2023年项目预算资金1500万元，其中当年财政拨款1380万元、上年结转资金120万元。全年执行1425万元，预算执行率95%。",
        ]),
        Sec("二、绩效目标", "年度绩效目标", [
            "2023年65岁及以上老年人健康管理3.2万人以上，0-6岁儿童健康管理率达到90%以上，高血压患者规范管理率达到65%以上，"
            "居民电子健康档案规范化建档率达到90%以上，补助资金按时足额拨付，人均基本公共卫生服务经费补助标准达到89元。",
            "居民健康素养水平达到25%以上，法定传染病报告及时率达到95%以上，基层医疗卫生机构公共卫生服务能力持续提升，"
            "城乡居民对基本公共卫生服务满意度达到90%以上。",
        ]),
        Sec("三、绩效自评结论", "自评结论", [
            "项目总体按计划实施，老年人、儿童和慢性病患者健康管理服务有序开展，居民健康素养水平稳步提高。对照绩效目标"
            "逐项评价，该项目自评得分92分，评价等级为“良”。",
        ]),
        Sec("四、存在问题", "存在问题", [
            "(一)部分乡镇卫生院公共卫生人员不足，高血压患者随访不及时，规范管理率未达到目标。",
            "(二)上级补助资金下达较晚，部分资金未能按时拨付到乡镇卫生院，人均补助资金到位标准未达到89元。",
            "(三)居民电子健康档案更新不及时，存在部分档案信息不完整的情况。",
        ]),
        Sec("五、下一步工作计划", "建议", [
            "(一)通过招聘和县级医院下派等方式充实基层公共卫生服务力量，加强慢性病患者随访管理。",
            "(二)加快资金拨付进度，建立资金拨付情况月报制度，确保补助资金及时足额到位。",
            "(三)开展居民电子健康档案专项清理，提高档案规范化水平和使用率。",
        ]),
    ],
    stated_total=92.0,
    stated_grade="良",
    stated_words=("自评得分92分", "评价等级为“良”"),
    # stated 92 = 总分 92 → no stated_total_mismatch.  良 needs 80 ≤ s < 90; 92 ≥ 90 is 优 → grade_mismatch.
    flags=[("grade_mismatch", "grade")],
    form=HEALTH_FORM,
)

DOCX_REPORTS = [CULTURE, CANTEEN, HEALTH]
PDF_REPORT = FORESTRY


# ==========================================================================
# Word builder
# ==========================================================================
def prose_paragraph(doc, text: str, size: float, *, title=False, bold=False):
    """A plain Normal paragraph with direct formatting (no Word heading style, as real reports are)."""
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(size * 2) if size >= 14 else 1.5
    if title:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(size)
    else:
        fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
    run = p.add_run(text)
    run.font.size = Pt(size + 4 if title else size)
    run.bold = title or bold
    return p


def report_blocks(rep: Report):
    """(kind, text): the title, then every heading and paragraph, in order."""
    yield "title", rep.title
    for sec in rep.sections:
        yield "heading", sec.heading
        for para in sec.paras:
            yield "para", para


def add_prose(doc, rep: Report):
    for kind, text in report_blocks(rep):
        prose_paragraph(doc, text, rep.size, title=kind == "title", bold=kind == "heading")


def build_docx(rep: Report, path: Path):
    """The report's paragraphs (make_national_samples.new_document: Normal 宋体 9 pt for the attached form's cells,
    the prose runs carry their own size), then the national form on a new page as
    make_national_samples.build_docx() lays it out (10 columns, GRID_10)."""
    doc = new_document(rep.title)
    add_prose(doc, rep)
    if rep.form is not None:
        add_form(doc, rep.form, new_page=True)
    finish_docx(doc, path, [GRID_10] if rep.form is not None else [])


# ==========================================================================
# PDF: the department report through LibreOffice with a running header and page numbers
# ==========================================================================
def add_header_and_page_number(d: Docx, header_text: str):
    """A centred running header and a centred page number — N — (PAGE field) on every page."""
    def part(root_tag: str, style: str, runs_xml: str) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:{root_tag} xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="{style}"/>'
                f'<w:jc w:val="center"/></w:pPr>{runs_xml}</w:p></w:{root_tag}>').encode("utf-8")

    def run(t):
        return f'<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>'

    page = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t>1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    d.parts["word/header1.xml"] = part("hdr", "Header", run(header_text))
    d.parts["word/footer1.xml"] = part("ftr", "Footer", run("— ") + page + run(" —"))
    rels_name = "word/_rels/document.xml.rels"
    rels = etree.fromstring(d.parts[rels_name])
    ct = etree.fromstring(d.parts["[Content_Types].xml"])
    sect = d.doc.find(".//w:body/w:sectPr", NS)
    for kind, name in (("footer", "footer1.xml"), ("header", "header1.xml")):
        rid = f"rId{kind.title()}ProseSample"
        rel = etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship")
        rel.set("Id", rid)
        rel.set("Type", f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}")
        rel.set("Target", name)
        ov = etree.SubElement(ct, "{http://schemas.openxmlformats.org/package/2006/content-types}Override")
        ov.set("PartName", f"/word/{name}")
        ov.set("ContentType", f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml")
        ref = etree.Element(w(f"{kind}Reference"))  # schema order: headerReference before footerReference
        ref.set(w("type"), "default")
        ref.set(f"{{{R}}}id", rid)
        sect.insert(0, ref)
    d.parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    d.parts["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8", standalone=True)


def make_pdf(rep: Report, tmp: Path):
    """The first bottom margin of PDF_BOTTOM_MARGINS whose layout has a page break inside a paragraph is kept;
    returns (the PDF, pages, cut paragraphs, that margin)."""
    for bottom in PDF_BOTTOM_MARGINS:
        doc = new_document(rep.title)
        add_prose(doc, rep)
        raw = tmp / "raw.docx"
        save_deterministic(doc, raw)
        d = Docx(raw)
        d.set_page(A4, {"left": 1588, "right": 1474, "top": 2098, "bottom": bottom})
        d.set_fonts(PDF_FAMILY, PDF_FAMILY)
        add_header_and_page_number(d, PDF_HEADER)
        src = tmp / (Path(rep.file).stem + ".docx")
        d.save(src)
        pdf = soffice_convert(src, "pdf", tmp / f"pdf{bottom}", tmp / "lo-profile")
        n_pages, cut = check_pdf(rep, pdf)
        if cut:
            fix_lo_pdf(pdf)
            shutil.copyfile(pdf, HERE / rep.file)
            return HERE / rep.file, n_pages, cut, bottom
    raise RuntimeError("no bottom margin puts a page break inside a paragraph")


# ==========================================================================
# Expected JSON
# ==========================================================================
NUMBERING = re.compile(r"^[一二三四五六七八九十]+、")
GRADE_WORD = {"优": "优", "优秀": "优", "良": "良", "良好": "良", "中": "中", "中等": "中", "合格": "中",
              "差": "差", "不合格": "差"}


def sections_of(rep: Report) -> tuple[dict, list]:
    sections, other = {}, []
    for sec in rep.sections:
        text = "\n".join(p.strip() for p in sec.paras)
        if sec.key == OTHER:
            # check of the hand-written heading: the printed one without 一、, unchanged by NFKC
            assert sec.other_heading == NUMBERING.sub("", sec.heading) == fold(sec.other_heading), sec.heading
            other.append({"heading": sec.other_heading, "text": text})
        else:
            assert sec.key not in sections, (rep.file, sec.key)
            sections[sec.key] = text
    return sections, other


def check_stated(rep: Report):
    """The hand values stated_total / stated_grade appear in the text; the flags follow the rules."""
    text = "".join(p for sec in rep.sections for p in [sec.heading, *sec.paras])
    for words in rep.stated_words:
        assert words in text, (rep.file, words)
    assert f"{rep.stated_total:g}分" in rep.stated_words[0], rep.file
    assert rep.stated_grade in "".join(rep.stated_words), rep.file
    codes = {c for c, _ in rep.flags}
    if rep.form is not None:
        form_total = float(rep.form.total_printed)
        assert (abs(rep.stated_total - form_total) > 0.05) == ("stated_total_mismatch" in codes), rep.file
    else:
        assert "stated_total_mismatch" not in codes
    s = rep.stated_total
    band = "优" if s >= 90 else "良" if s >= 80 else "中" if s >= 60 else "差"
    assert (GRADE_WORD[rep.stated_grade] != band) == ("grade_mismatch" in codes), rep.file


def report_expected(rep: Report, source_path: str, fmt: str) -> dict:
    check_stated(rep)
    sections, other = sections_of(rep)
    flags = [{"code": c, "severity": SEVERITY[c], "subject": s} for c, s in rep.flags]
    stated = {"stated_total": rep.stated_total, "stated_grade": rep.stated_grade, "sections_other": other}
    if rep.form is None:
        return expected_record(source_path, fmt, "report", "report", "report", rep.scope, rep.project,
                               budget_lines=[], indicators=[], reported_total=None, recomputed_total=None,
                               sections=sections, flags=flags, **stated)
    s = rep.form
    check_form_arithmetic(s)
    form = national_expected(s, source_path, fmt)  # indicators, budget lines, totals, the form's flags
    assert form["project"] == rep.project, rep.file  # the form's fields win
    assert not set(form["sections"]) & set(sections), rep.file
    return expected_record(source_path, fmt, "national-2020", s.profile, "report_with_form", rep.scope,
                           form["project"], budget_lines=form["budget_lines"], indicators=form["indicators"],
                           reported_total=form["reported_total"], recomputed_total=form["recomputed_total"],
                           sections={**sections, **form["sections"]}, flags=form["flags"] + flags, **stated)


# ==========================================================================
# Checks on the written files
# ==========================================================================
def check_docx(rep: Report, path: Path):
    d = Document(str(path))
    texts = [p.text.strip() for p in d.paragraphs if p.text.strip()]
    want = [text for _, text in report_blocks(rep)]
    if rep.form is None:
        assert texts == want and not d.tables, path.name
    else:
        assert texts[:len(want)] == want, path.name
        assert texts[len(want):len(want) + 2] == [FORM_TITLE, f"（{rep.form.year}年度）"], texts[len(want):]
        assert len(texts) == len(want) + 3 and texts[-1].startswith("填报说明") and len(d.tables) == 1, path.name
    styles = {p.style.name for p in d.paragraphs}
    assert styles == {"Normal"}, styles  # no Word heading style


def check_pdf(rep: Report, path: Path):
    """Every page has the running header on top and — N — at the bottom; without them, the pages' text is
    exactly the title and the paragraphs of the spec.  Returns the pages count and the paragraphs a page
    break cuts."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        pages = [(page.extract_text() or "").splitlines() for page in pdf.pages]
    assert len(pages) >= 2, len(pages)
    body = []
    for n, lines in enumerate(pages, start=1):
        assert squash(lines[0]) == PDF_HEADER, (n, lines[0])
        assert squash(lines[-1]) == f"—{n}—", (n, lines[-1])
        body.append(squash("".join(lines[1:-1])))
    want = [squash(text) for _, text in report_blocks(rep)]
    assert "".join(body) == "".join(want), "PDF text differs from the spec"
    cut, pos = [], 0
    ends = [len("".join(body[:k + 1])) for k in range(len(body) - 1)]  # page ends, in squashed characters
    for text in want:
        start, pos = pos, pos + len(text)
        cut += [(text[:12] + "…", k + 1) for k, e in enumerate(ends) if start < e < pos]
    return len(pages), cut


def main():
    written = []
    for rep in DOCX_REPORTS:
        build_docx(rep, HERE / rep.file)
        check_docx(rep, HERE / rep.file)
        emit(rep.file, report_expected(rep, rep.file, "docx"), written)

    tmp = Path(tempfile.mkdtemp(prefix="jixiao-prose-pdf-"))
    try:
        pdf, n_pages, cut, bottom = make_pdf(PDF_REPORT, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert check_pdf(PDF_REPORT, pdf) == (n_pages, cut)
    emit(PDF_REPORT.file, report_expected(PDF_REPORT, PDF_REPORT.file, "pdf"), written)

    print_written(written)
    print(f"  {PDF_REPORT.file}: {n_pages} pages (bottom margin {bottom} twips), header {PDF_HEADER} and "
          f"— N — on each; " + "; ".join(f"page {k}→{k + 1} cuts the paragraph {t}" for t, k in cut))

if __name__ == "__main__":
    main()
