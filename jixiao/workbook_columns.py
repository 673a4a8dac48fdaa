"""The columns of audit.xlsx: each sheet's columns in order, with the Chinese header an auditor
reads, what the column means, how its numbers are shown, and where the same value lives in the
CSV files / dataset.sqlite (``table.column``) and in the JSON records. The `说明` sheet is written
from these lists, so the explanation cannot drift from the sheets.
"""

from __future__ import annotations

from dataclasses import dataclass

# How a column's cells are shown. Widths are Excel character widths; a CJK character is about two.
KINDS = ("text", "wrap", "int", "score", "money", "rate", "yesno", "label", "link")
NUMBER_FORMATS = {"int": "0", "score": "0.00", "money": "#,##0.00", "rate": "0.00"}
NUMBER_WIDTHS = {"int": 6, "score": 8, "money": 13, "rate": 8}

# Values shown in Chinese; the store keeps the English key (listed on the 说明 sheet).
STATUS_LABELS = {"ok": "正常", "partial": "不完整", "error": "无法读取"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    key: the value's name in the sheet's query (the store column unless ``store`` says otherwise).
    header: the Chinese header printed on the sheet.
    meaning: one line for the 说明 sheet.
    kind: how cells are shown (see KINDS): wrap = text wrapped in a column at most ``width`` wide.
    width: the widest the column gets; text columns shrink to their longest value.
    store: ``table.column`` in CSV/SQLite ("" = the sheet's table and ``key``; "-" = computed here).
    json: where the value is in a JSON record ("" = none).
    """

    key: str
    header: str
    meaning: str
    kind: str = "text"
    width: int = 12
    store: str = ""
    json: str = ""


C = Column
_SRC = C("source_path", "文件", "输入文件相对于所给文件夹的路径（报告的键）", "wrap", 28, json="source.path")

SUMMARY = (
    C("status", "状态", "读取状态：正常 = ok，不完整 = partial（缺少表的某部分），无法读取 = error", "label", 8,
      "reports.status", "status"),
    C("project_name", "项目名称", "项目名称（部门整体报告为部门名称）", "wrap", 26, "reports.project_name", "project.name"),
    C("department", "部门", "主管部门", "wrap", 14, "reports.department", "project.department"),
    C("year", "年度", "项目年度", "int", 6, "reports.year", "project.year"),
    C("template", "表式", "识别出的表式（jixiao forms list），generic = 按表头读取，report = 无表的文字报告", "text", 14,
      "reports.template", "template"),
    C("reported_total", "报告总分", "报告填写的自评总分", "score", 8, "reports.reported_total", "reported_total"),
    C("recomputed_total", "重算总分", "按评分规则重算的总分", "score", 8, "reports.recomputed_total", "recomputed_total"),
    C("total_delta", "总分差", "报告总分 − 重算总分", "score", 8, "reports.total_delta", "reported_total − recomputed_total"),
    C("error_flags", "错误", "级别为“错误”的标记数（数字对不上）", "int", 6, "reports.error_flags", "flags[severity=error]"),
    C("warning_flags", "警告", "级别为“警告”的标记数（需要看一下）", "int", 6, "reports.warning_flags",
      "flags[severity=warning]"),
    C("info_flags", "提示", "级别为“提示”的标记数（说明如何读取或计分）", "int", 6,
      "reports.flag_count − error_flags − warning_flags", "flags[severity=info]"),
    C("stated_total", "自述总分", "文字报告中自述的总分（有则列出）", "score", 8, "reports.stated_total", "stated_total"),
    C("ocr", "OCR", "是 = 有内容经 OCR 识别（扫描件），需对照原件", "yesno", 5, "reports.ocr", "source.ocr"),
    C("flag_codes", "标记代码", "本报告各标记的代码（去重、排序，每行一个）", "wrap", 24, "reports.flag_codes", "flags[].code"),
    C("errors", "读取问题", "无法读取或不完整的原因（代码: 说明）", "wrap", 24, "reports.errors", "errors[]"),
    C("first_row", "指标行", "链接：本报告在“指标”表的第一行（括号内为行数）", "link", 14, "-"),
    _SRC,
)

INDICATORS = (
    _SRC,
    C("indicator_index", "序号", "本报告内的指标行号（从 0 起）；“标记”表的“指标序号”指向它", "int", 6,
      "indicators.indicator_index", "indicators[i]"),
    C("page", "页", "该行所在页（有页的格式）", "int", 5, "indicators.page", "indicators[].page"),
    C("category", "一级指标", "一级指标（不含分值）", "wrap", 10, "indicators.category", "indicators[].category"),
    C("category_points", "一级分值", "一级指标标注的分值", "score", 8, "indicators.category_points",
      "indicators[].category_points"),
    C("subcategory", "二级指标", "二级指标", "wrap", 12, "indicators.subcategory", "indicators[].subcategory"),
    C("name", "指标名称", "指标名称（三级指标）", "wrap", 24, "indicators.name", "indicators[].name"),
    C("target", "目标值", "目标值（按原文）", "wrap", 12, "indicators.target", "indicators[].target"),
    C("weight", "权重", "权重（分值）", "score", 7, "indicators.weight", "indicators[].weight"),
    C("actual", "实际完成值", "实际完成值（按原文）", "wrap", 12, "indicators.actual", "indicators[].actual"),
    C("reported_score", "报告得分", "报告填写的自评分", "score", 8, "indicators.reported_score",
      "indicators[].reported_score"),
    C("recomputed_score", "重算得分", "按评分规则重算的得分", "score", 8, "indicators.recomputed_score",
      "indicators[].recomputed_score"),
    C("score_delta", "得分差", "报告得分 − 重算得分", "score", 8, "indicators.score_delta",
      "reported_score − recomputed_score"),
    C("flag_messages", "标记", "本行的标记（代码: 说明），被标记的单元格另有批注", "wrap", 40, "indicators.flag_messages",
      "flags[field=indicators[i].…].message"),
    C("rule", "计分规则", "重算得分所用的规则及其算式", "wrap", 36, "indicators.rule", "indicators[].rule"),
    C("deviation_reason", "偏差原因", "偏差原因分析及改进措施（原文）", "wrap", 28, "indicators.deviation_reason",
      "indicators[].deviation_reason"),
    C("ocr", "OCR", "是 = 本行经 OCR 识别", "yesno", 5, "indicators.ocr", "source.ocr"),
)

FLAGS = (
    _SRC,
    C("flag_index", "序号", "本报告内的标记序号（从 0 起）", "int", 6, "flags.flag_index", "flags[i]"),
    C("indicator_index", "指标序号", "标记所在的指标行（“指标”表的序号，链接到该行）；空 = 不在指标行上", "int", 8,
      "flags.indicator_index", "flags[].field"),
    C("severity", "级别", "错误 = error（数字对不上），警告 = warning（需要看一下），提示 = info", "label", 6,
      "flags.severity", "flags[].severity"),
    C("code", "代码", "标记代码（README“How to read a flag”）", "text", 22, "flags.code", "flags[].code"),
    C("subject", "对象", "标记针对的对象：指标名称、预算键或 total", "wrap", 20, "flags.subject", "flags[].subject"),
    C("message", "说明", "可据以核查的一句话", "wrap", 50, "flags.message", "flags[].message"),
    C("reported", "报告值", "报告中的值（数字；非数字时为原文）", "wrap", 10, "flags.reported / flags.reported_text",
      "flags[].reported"),
    C("expected", "应为值", "按规则应得的值（数字；非数字时为原文）", "wrap", 10, "flags.expected / flags.expected_text",
      "flags[].expected"),
    C("rule", "规则", "所用规则及其算式", "wrap", 36, "flags.rule", "flags[].rule"),
    C("rule_confidence", "规则可信度", "规则的可信度（low = 缺少官方细则，用了通用规则）", "text", 8,
      "flags.rule_confidence", "flags[].rule_confidence"),
    C("field", "字段", "记录中的位置，如 indicators[4].reported_score", "wrap", 24, "flags.field", "flags[].field"),
)

SECTIONS = (
    _SRC,
    C("section_index", "序号", "本报告内的章节序号（从 0 起，按原文顺序）", "int", 6, "sections.section_index", ""),
    C("key", "章节", "章节：规范键（项目概况、存在问题……）或原文标题", "wrap", 16, "sections.key",
      "sections.<键> / sections_other[].heading"),
    C("other", "其他章节", "是 = 不属于规范键的章节（原标题）", "yesno", 6, "sections.other", "sections_other"),
    C("text", "内容", "章节正文（纯文本，段落换行）", "wrap", 100, "sections.text",
      "sections.<键> / sections_other[].text"),
)

PATTERNS = (
    C("code", "代码", "跨报告发现的代码：narrative_copied / target_lowered / full_score_despite_shortfall", "text", 24,
      "patterns.code"),
    C("severity", "级别", "错误 / 警告 / 提示", "label", 6, "patterns.severity"),
    C("subject", "对象", "章节键或指标名称", "wrap", 20, "patterns.subject"),
    C("years", "年度", "涉及年度（; 分隔）", "text", 12, "patterns.years"),
    C("message", "说明", "发现的说明", "wrap", 50, "patterns.message"),
    C("evidence", "依据", "依据（相似度、目标值对比等）", "wrap", 40, "patterns.evidence"),
    C("source_paths", "文件", "涉及的文件（存储中以 ; 分隔，表中每行一个）", "wrap", 40, "patterns.source_paths"),
)

PROJECTS = (
    C("project_key", "项目键", "同一项目跨年度的键（部门 + 去掉年份的项目名称）", "wrap", 30, "projects.project_key"),
    C("name", "项目名称", "最近年度的项目名称", "wrap", 30, "projects.name"),
    C("department", "部门", "主管部门", "wrap", 16, "projects.department"),
    C("years", "年度", "各年度（; 分隔，升序）", "text", 14, "projects.years"),
    C("source_paths", "文件", "各年度的文件（存储中以 ; 分隔，表中每行一个）", "wrap", 50, "projects.source_paths"),
)

SUBPROJECTS = (
    _SRC,
    C("subproject_index", "序号", "本报告内的子项目序号（从 0 起）", "int", 6, "subprojects.subproject_index", ""),
    C("name", "子项目名称", "子项目名称", "wrap", 36, "subprojects.name", "subprojects[].name"),
    C("amount", "金额", "子项目金额（单位同“预算”表）", "money", 13, "subprojects.amount", "subprojects[].amount"),
)

_MONEY = (
    ("initial_budget", "年初预算数"), ("adjustment", "调整预算数"), ("appropriation", "财政拨款数"),
    ("quota_balance", "指标结余数"), ("actual_payment", "实际支付数"), ("fund_balance", "资金结余、结转数"),
    ("carried_forward", "结转数"), ("recovered", "财政收回数"),
)
BUDGET = (
    _SRC,
    C("project_name", "项目名称", "项目名称", "wrap", 24, "reports.project_name", "project.name"),
    C("unit", "单位", "金额单位（万元 / 元）", "text", 6, "reports.unit", "budget.unit"),
    *(C(key, label, f"{label}（按原文）", "money", 13, f"reports.{key}", f"budget.{key}") for key, label in _MONEY),
    C("subproject_count", "子项目数", "子项目个数", "int", 6, "reports.subproject_count", "len(subprojects)"),
    C("subprojects_total", "子项目合计", "子项目合计（报告所填）", "money", 13, "reports.subprojects_total",
      "subprojects_total"),
)

BUDGET_LINES = (
    _SRC,
    C("line_index", "序号", "本报告内的资金行序号（从 0 起）", "int", 6, "budget_lines.line_index", ""),
    C("item", "资金项目", "资金行（年度资金总额、当年财政拨款……）", "wrap", 20, "budget_lines.item", "budget_lines[].item"),
    C("initial_budget", "年初预算数", "年初预算数", "money", 13, "budget_lines.initial_budget",
      "budget_lines[].initial_budget"),
    C("full_year_budget", "全年预算数", "全年预算数", "money", 13, "budget_lines.full_year_budget",
      "budget_lines[].full_year_budget"),
    C("executed", "全年执行数", "全年执行数", "money", 13, "budget_lines.executed", "budget_lines[].executed"),
    C("weight", "分值", "分值", "score", 7, "budget_lines.weight", "budget_lines[].weight"),
    C("execution_rate", "执行率(%)", "执行率（百分数，如 93.10）", "rate", 9, "budget_lines.execution_rate",
      "budget_lines[].execution_rate"),
    C("reported_score", "报告得分", "报告填写的得分", "score", 8, "budget_lines.reported_score",
      "budget_lines[].reported_score"),
    C("recomputed_score", "重算得分", "按规则重算的得分", "score", 8, "budget_lines.recomputed_score",
      "budget_lines[].recomputed_score"),
)

# Sheet name → (store table, columns), in the workbook's order.
SHEETS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "概览": ("reports", SUMMARY),
    "指标": ("indicators", INDICATORS),
    "标记": ("flags", FLAGS),
    "叙述": ("sections", SECTIONS),
    "跨报告发现": ("patterns", PATTERNS),
    "项目系列": ("projects", PROJECTS),
    "子项目": ("subprojects", SUBPROJECTS),
    "预算": ("reports", BUDGET),
    "预算明细": ("budget_lines", BUDGET_LINES),
}


def store_key(table: str, column: Column) -> str:
    if column.store == "-":
        return "（工作簿计算）"
    return column.store or f"{table}.{column.key}"
