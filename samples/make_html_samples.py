#!/usr/bin/env python3
"""Generate an HTML sample: the national 项目支出绩效自评表 (财预〔2020〕10号) as a county government site
publishes it — a GBK web page with the form as a <table> — with its expected JSON.

Run from the repository root:

    .venv/bin/python samples/make_html_samples.py

The page is written next to this script (samples/) and its expectation to samples/expected/<file>.json.
The output is the same bytes on every run (no dates, no randomness).

All expected values are written by hand from the sample's own data, following exactly the conventions of
make_national_samples.py (its docstring: the national rules of shared/spec/scoring-rules.md part (b), the
expected JSON's shape of samples/expected/national-2021-ev-charging-score-faults.docx.json).  Every indicator
row carries its recomputed score with the working in the comment next to it where it is not simply "full
weight".  Nothing here runs jixiao; the only arithmetic the script does is adding the hand values up for
recomputed_total (make_national_samples.expected_json), asserted against the hand-written total.  The data
below is the text a person sees on the page ("\\n" a <br>, "\\u00a0" a &nbsp;, a list one <p> each); the
page builder writes it as a web editor does (≥ and ≤ as &ge; / &le;, ☑ / ☐ as &#9745; / &#9744;, empty
cells as &nbsp;), and expected_json *checks* the expected names / targets / actuals against NFKC +
whitespace removal of that text.

The sample and what it shows
----------------------------
national-2022-web-page-elderly-meals.html                                          (national-2020, 50/30/10/10)
    Page: GBK bytes with <meta charset="gbk"> (and an XHTML doctype); <head> with title, styles and scripts;
    a site header (logo, a search box), the site navigation (<div class="nav">), a breadcrumb
    (<div class="position">当前位置：首页 > …), all inside a layout table of one cell (old CMS templates);
    the 信息公开 lines 索引号 / 信息分类 / 发布机构 / 发布日期 / 公开方式 (☑ as &#9745;), the title as <h1>,
    来源 / 浏览次数, an introduction, the form, 填报说明, 【打印本页】【关闭窗口】, a footer and a script at the
    end.  The form is one <table> of 10 columns: title and year rows across all columns (colspan 10), labels
    and values with colspan, 项目资金（万元） and 年度总体目标 and 绩效指标 with rowspan, 一级 and 二级 merged down
    their rows, names broken with <br> (享受助餐服务<br>老年人数), targets with &nbsp; (&ge;&nbsp;1.2万人),
    empty cells as &nbsp; (其他资金), the two goal texts as <p> paragraphs, a deviation text of two lines
    (<br>), and a hidden column-width row (display:none) at the end as Word leaves one.
    Faults: 享受助餐服务老年人数 1.08 of ≥1.2 万人 scored full 10 → 9.0 (score_mismatch); 年度助餐服务人次
    50.4 of ≥36 万人次 = 140 % (over_achievement, with a reason); 助餐服务长效运营机制 部分达成 scored 7 of 10
    with no 偏差原因 (missing_deviation_reason).  Must not flag: 576 / 640 = 90 % → 9 (= reported), =100% /
    100%, ≤5元/餐 met at exactly 5, a shortfall scored proportionally with its reason (90 of ≥95% → 4.7368,
    reported 4.74; 80 of ≥85% → 4.7059, reported 4.71), reverse missed scored by linear (≤10 / 12 万元/个 →
    4.00 = linear, ratio 4.17), 达成 at full weight, the 总分 94.45 = the reported rows.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPECTED_DIR = HERE / "expected"
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no samples/__pycache__ (it would count as a file of the samples folder)

from make_national_samples import (  # noqa: E402
    FORM_TITLE, Ind, Line, Sample, check_form_arithmetic, class_cells, expected_json, indicator_rows, printed,
    write_json,
)

NBSP = "\u00a0"

# --------------------------------------------------------------------------
# 社区老年助餐服务 (national-2020) as a web page
# --------------------------------------------------------------------------
MEALS = Sample(
    file="national-2022-web-page-elderly-meals.html",
    profile="national-2020",
    year=2022,
    project={"name": "社区老年助餐服务补助资金", "department": "天长市民政局",
             "implementing_unit": "天长市养老服务指导中心"},
    budget=[
        # 576 / 640 = 90 % → 10 × 0.9 = 9 = reported; no flag
        Line("年度资金总额", "600.00", "640.00", "576.00", "10", "90.00%", "9", 9.0),
        Line("其中：当年财政拨款", "560.00", "600.00", "540.00", "—", "90.00%", "—", None),
        Line("上年结转资金", "40.00", "40.00", "36.00", "—", "90.00%", "—", None),
        Line("其他资金", "", "", "", "—", "", "—", None),  # empty cells printed as &nbsp;
    ],
    goals=(
        "全年新建社区老年助餐点30个，提供助餐服务36万人次以上，惠及老年人1.2万人以上，"
        "助餐点食品安全检查合格率100%，每餐政府补助不超过5元，老年人就餐便利度明显提升。",
        [
            "全年新建社区老年助餐点32个，提供助餐服务50.4万人次，享受助餐服务老年人1.08万人，"
            "助餐点食品安全检查全部合格。",
            "受部分老年人就餐习惯影响，享受助餐服务人数未达到年度目标，助餐服务长效运营机制尚在完善。",
        ],
    ),
    classes=[
        ("产出", "产出指标(50分)", 50, [
            Ind("数量指标", "新建社区老年助餐点", "≥30个", "10", "32个", "10", 10.0),
            # r = 50.4/36 = 140 % ≥ 130 → 10, over_achievement (info); reason present
            Ind("数量指标", "年度助餐服务人次", "≥36万人次", "10", "50.4万人次", "10", 10.0,
                "助餐点开业后就餐老年人增长快于预期。下年度按实际服务量核定目标。"),
            # r = 100/100 exactly → 10
            Ind("质量指标", "助餐点食品安全检查合格率", "=100%", "10", "100%", "10", 10.0),
            # 90 < 95 → 5 × 90/95 = 4.736842…; reported 4.74 (Δ 0.0032) → no flag; a reason of two lines (<br>)
            Ind("时效指标", "补助资金拨付及时率", "≥95%", "5", "90%", "4.74", 5 * 90 / 95,
                "第四季度补助资金因绩效考核延期拨付。\n下年度按季度预拨补助资金。"),
            # reverse met at exactly the target: 5 ≤ 5 → 10
            Ind("成本指标", "每餐政府补助标准", "≤5元/餐", "10", "5元/餐", "10", 10.0),
            # reverse missed: ratio 5 × 10/12 = 4.1667, linear 5 × (1 − 2/10) = 4.00;
            # reported 4.00 → linear (Δ 0), ratio Δ 0.167 → 4.00, no flag; reason present
            Ind("成本指标", "助餐点建设补助标准", ("≤\u00a010万元/个", "≤10万元/个"), "5", "12万元/个", "4.00", 4.0,
                "部分助餐点配套厨房改造费用高于预算。下年度统一厨房设备配置标准。"),
        ]),
        ("效益", "效益指标(30分)", 30, [
            # 1.08 < 1.2 → 10 × 1.08/1.2 = 9.0; reported 10 → score_mismatch (Δ 1); reason present
            Ind("社会效益指标", ("享受助餐服务\n老年人数", "享受助餐服务老年人数"),
                ("≥\u00a01.2万人", "≥1.2万人"), "10", "1.08万人", "10", 9.0,
                "部分老年人习惯居家自行做饭。下年度加强助餐服务宣传。"),
            Ind("社会效益指标", "老年人就餐便利度", "明显提升", "10", "达成年度指标", "10", 10.0),
            # 部分达成 band [6, 8): 7 inside → 7; below w and no deviation text → missing_deviation_reason
            Ind("可持续影响指标", "助餐服务长效运营机制", "建立健全", "10", "部分达成年度指标并具有一定效果", "7", 7.0),
        ]),
        ("满意度", "满意度指标(10分)", 10, [
            Ind("服务对象满意度指标", "就餐老年人满意度", "≥90%", "5", "96%", "5", 5.0),
            # 80 < 85 → 5 × 80/85 = 4.705882…; reported 4.71 (Δ 0.0041) → no flag; reason present
            Ind("服务对象满意度指标", "老年人家属满意度", "≥85%", "5", "80%", "4.71", 5 * 80 / 85,
                "部分家属对菜品口味提出改进意见。下年度按季度征求就餐老年人意见调整菜单。"),
        ]),
    ],
    # reported: 9 + 产出 (10+10+10+4.74+10+4.00 = 48.74) + 效益 (10+10+7 = 27) + 满意度 (5+4.71 = 9.71) = 94.45
    total_printed="94.45",
    # 9 + 产出 (10+10+10+4.736842+10+4 = 48.736842) + 效益 (9+10+7 = 26) + 满意度 (5+4.705882 = 9.705882)
    #   = 93.442724
    recomputed_total=93.442724458,
    flags=[
        ("over_achievement", "年度助餐服务人次"),
        ("score_mismatch", "享受助餐服务老年人数"),
        ("full_score_despite_shortfall", "享受助餐服务老年人数"),  # 1.08 of ≥1.2万人 given its full 10
        ("missing_deviation_reason", "助餐服务长效运营机制"),
    ],
)

SAMPLES = [MEALS]


# --------------------------------------------------------------------------
# The web page
# --------------------------------------------------------------------------
ENTITIES = {"≥": "&ge;", "≤": "&le;", NBSP: "&nbsp;", "☑": "&#9745;", "☐": "&#9744;", "\n": "<br />"}


def h(text) -> str:
    """Displayed text → the markup a web editor writes for it (a list: one <p> per item)."""
    if isinstance(text, list):
        return "".join(f"<p>{h(t)}</p>" for t in text)
    if text in ("", None):
        return "&nbsp;"
    out = html.escape(text, quote=False)
    for ch, entity in ENTITIES.items():
        out = out.replace(ch, entity)
    return out


def td(text, colspan=1, rowspan=1, style="") -> str:
    attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
    attrs += f' style="{style}"' if style else ""
    return f"<td{attrs}>{h(text)}</td>"


def form_table(s: Sample) -> str:
    """The form over the 10 columns of make_national_samples' Word grid (GRID_10)."""
    rows: list[str] = []
    center = "text-align:center"
    rows.append(td(FORM_TITLE, 10, style="font-size:18px;font-weight:bold;" + center))
    rows.append(td(f"（{s.year}年度）", 10, style=center))
    rows.append(td("项目名称", 2) + td(s.project["name"], 8))
    rows.append(td("主管部门", 2) + td(s.project["department"], 4) + td("实施单位", 2)
                + td(s.project["implementing_unit"], 2))
    # money block: label (rowspan 5) | item (2) | 年初 | 全年 | 执行 | 分值 | 执行率 | 得分 (2)
    rows.append(td(s.budget_label, rowspan=5) + td("", 2) + "".join(td(x) for x in s.budget_headers[:-1])
                + td(s.budget_headers[-1], 2))
    for line in s.budget:
        rows.append(td(line.item, 2) + td(line.initial) + td(line.full) + td(line.executed) + td(line.weight)
                    + td(line.rate) + td(line.reported, 2))
    # 年度总体目标 (rowspan 2) | 预期目标 (5) | 实际完成情况 (4)
    rows.append(td("年度总体目标", rowspan=2) + td("预期目标", 5) + td("实际完成情况", 4))
    rows.append(td(s.goals[0], 5, style="text-align:left") + td(s.goals[1], 4, style="text-align:left"))
    # indicators: 绩效指标 (rowspan 1 + n) | 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差 (2)
    inds = indicator_rows(s.classes)
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    rows.append(td("绩效指标", rowspan=1 + len(inds)) + "".join(td(x) for x in header)
                + td("偏差原因分析及改进措施", 2))
    merged = {(a, c): (b - a + 1, text) for a, b, c, text in class_cells(inds, s.classes)}  # 一级 and 二级
    for k, (_, ind) in enumerate(inds):
        cells = ""
        for c in (1, 2):  # rows under a rowspan leave its column out, as HTML does
            if (k, c) in merged:
                n, text = merged[k, c]
                cells += td(text, rowspan=n)
        cells += (td(printed(ind.name)) + td(printed(ind.target)) + td(printed(ind.actual)) + td(ind.weight)
                  + td(ind.reported) + td(ind.deviation or "", 2, style="text-align:left"))
        rows.append(cells)
    rows.append(td("总分", 6) + td("100") + td(s.total_printed) + td("", 2))
    widths = (55, 62, 66, 104, 73, 73, 55, 62, 58, 59)  # the Word grid in px, as Word's HTML export leaves it
    hidden = '<tr style="display:none">' + "".join(f'<td width="{w}"></td>' for w in widths) + "</tr>"
    body = "\n".join(f"<tr>{r}</tr>" for r in rows)
    return ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="4" width="100%" '
            'style="border-collapse:collapse;font-size:12px">\n<tbody>\n' + body + "\n" + hidden
            + "\n</tbody>\n</table>")


PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="gbk" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{title}_{department}</title>
<meta name="keywords" content="绩效自评,项目支出,{department}" />
<link rel="stylesheet" type="text/css" href="/css/style.css" />
<style type="text/css">
.xxgk-info p {{ margin: 0; line-height: 28px; }}
#zoom table td {{ border: 1px solid #000; padding: 4px; }}
</style>
<script type="text/javascript" src="/js/jquery.min.js"></script>
<script type="text/javascript">var siteId = "341181"; var columnId = "7845";</script>
</head>
<body>
<table width="1000" align="center" border="0" cellpadding="0" cellspacing="0">
<tr><td>
<div class="header">
  <div class="logo"><img src="/images/logo.png" alt="天长市人民政府" /></div>
  <div class="search"><form action="/search"><input type="text" name="q" value="请输入关键字" /><button type="submit">搜索</button></form></div>
  <div class="top-links"><a href="/wza">无障碍浏览</a> | <a href="/elder">长者模式</a></div>
</div>
<div class="nav">
  <ul>
    <li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/zmhd">政民互动</a></li>
    <li><a href="/bsfw">办事服务</a></li><li><a href="/zjtc">走进天长</a></li>
  </ul>
</div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/zwgk/czzj">财政资金</a> &gt; 绩效评价</div>
<div class="xxgk-info">
  <p>索引号：11341181MB1587361X/202305-00018</p>
  <p>信息分类：财政预决算 / 绩效评价</p>
  <p>发布机构：{department}</p>
  <p>发布日期：2023-05-18</p>
  <p>公开方式：&#9745;主动公开&nbsp;&nbsp;&#9744;依申请公开</p>
</div>
<h1 class="title">{title}</h1>
<div class="article-meta">来源：{department}&nbsp;&nbsp;浏览次数：<span id="hits">1268</span>&nbsp;&nbsp;【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</div>
<div id="zoom">
<p style="text-indent:2em">根据《天长市财政局关于开展{year}年度项目支出绩效自评工作的通知》要求，现将{name}绩效自评结果公开如下：</p>
{form}
<p>填报说明：1.绩效指标为预算批复中确定的绩效指标。2.分值和得分按照《项目支出绩效评价管理办法》（财预〔2020〕10号）规定填写。3.定性指标根据指标完成情况分为达成年度指标、部分达成年度指标并具有一定效果、未达成年度指标且效果较差三档。</p>
</div>
<div class="article-tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
<div class="footer">
  <p>主办：天长市人民政府办公室&nbsp;&nbsp;承办：天长市数据资源管理局</p>
  <p>皖ICP备05001123号&nbsp;&nbsp;网站标识码：3411810001</p>
</div>
</td></tr>
</table>
<script type="text/javascript">document.getElementById("hits").innerHTML = "1268";</script>
</body>
</html>
"""


def build_page(s: Sample) -> bytes:
    title = f"天长市{s.year}年度{s.project['name']}项目支出绩效自评表"
    page = PAGE.format(title=title, department=s.project["department"], year=s.year, name=s.project["name"],
                       form=form_table(s))
    return page.encode("gbk")  # strict: a character GBK lacks must be written as an entity


def main():
    EXPECTED_DIR.mkdir(exist_ok=True)
    for s in SAMPLES:
        check_form_arithmetic(s)
        (HERE / s.file).write_bytes(build_page(s))
        write_json(expected_json(s, s.file, "html"), EXPECTED_DIR / f"{s.file}.json")
        print(f"wrote samples/{s.file}\nwrote samples/expected/{s.file}.json")


if __name__ == "__main__":
    main()
