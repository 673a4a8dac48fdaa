"""Form parser for the national 项目支出绩效自评表 (财预〔2020〕10号) and its local copies.

Finds, by label: 项目名称 / 主管部门 / 实施单位 and the year; the money block (年度资金总额,
当年财政拨款, 上年结转资金, 其他资金 × 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 /
得分); 年度总体目标 (预期目标, 实际完成情况); the indicator block (一级 / 二级 / 三级指标,
年度指标值 — or 指标性质 + 指标值 + 度量单位 in the Sichuan copy — 实际完成值, 分值, 得分,
偏差原因分析及改进措施); and 总分.
"""

from __future__ import annotations

import re

from extract.labels import ClassLabel, Entry, entries_to_indicators, inline_value, label_key, rows_to_fields
from extract.rows import Row, document_to_rows
from jixiao.model import Document, Paragraph, RawIndicator, RawReport
from normalize.text import compact

TEMPLATE = "national-2020"

PROJECT_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "department": ("主管部门", "主管部门(单位)", "预算部门", "项目主管部门"),
    "implementing_unit": ("实施单位", "项目实施单位"),
}
BUDGET_ITEMS = {
    "年度资金总额": "年度资金总额", "资金总额": "年度资金总额", "合计": "年度资金总额",
    "当年财政拨款": "当年财政拨款", "本年财政拨款": "当年财政拨款", "财政拨款": "当年财政拨款",
    "上年结转资金": "上年结转资金", "上年结转": "上年结转资金",
    "其他资金": "其他资金",
}  # fmt: skip
# Money block columns; the first match wins, so 年初预算数 is not read as 预算数.
BUDGET_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("initial_budget", ("年初预算数",)),
    ("full_year_budget", ("全年预算数", "调整后预算数", "调整预算数")),
    ("executed", ("全年执行数", "执行数", "实际执行数")),
    ("weight", ("分值",)),
    ("execution_rate", ("执行率",)),
    ("reported_score", ("得分",)),
)
INDICATOR_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("level1", ("一级指标",)),
    ("level2", ("二级指标",)),
    ("name", ("三级指标",)),
    ("nature", ("指标性质",)),
    ("unit", ("度量单位", "计量单位")),
    ("actual", ("实际完成值", "实际值", "全年实际值")),
    ("target", ("年度指标值", "指标值", "年度目标值", "预期指标值")),
    ("weight", ("分值",)),
    ("score", ("得分",)),
    ("deviation", ("偏差原因", "偏差原因分析及改进措施", "原因分析")),
)
_TOTAL = re.compile(r"^(?:总分|合计|总计)(\d+(?:\.\d+)?分?)?$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")


def national_document_to_raw(doc: Document) -> RawReport:
    rows = document_to_rows(doc)
    raw = RawReport(template=TEMPLATE)
    raw.project = _project(doc, rows)
    raw.budget_lines = _budget_lines(rows)
    raw.sections = _overall_goal(rows)
    _indicators(rows, raw)
    raw.missing.extend(_missing(raw))
    return raw


def _project(doc: Document, rows: list[Row]) -> dict[str, str]:
    found = rows_to_fields(rows, PROJECT_LABELS)
    for block in doc.blocks:
        texts = [block.text] if isinstance(block, Paragraph) else [c.text for c in block.cells]
        for text in texts:
            match = _YEAR.search(compact(text))
            if match and "year" not in found:
                found["year"] = match.group(1)
            for key, labels in PROJECT_LABELS.items():
                if key not in found and isinstance(block, Paragraph):
                    value = inline_value(text, labels)
                    if value is not None:
                        found[key] = value
    return found


def _roles(row: Row, spec: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for cell in row.cells():
        label = label_key(cell.text)
        if not label or len(label) > 20:
            continue
        for role, labels in spec:
            if role not in roles and any(label == l or label.startswith(l) for l in labels):
                roles[role] = cell.col
                break
    return roles


def _budget_lines(rows: list[Row]) -> list[dict[str, str]]:
    for r, row in enumerate(rows):
        roles = _roles(row, BUDGET_COLUMNS)
        if not {"executed", "reported_score"} <= set(roles) or not ({"initial_budget", "full_year_budget"} & set(roles)):
            continue
        first_value = min(roles.values())
        lines: list[dict[str, str]] = []
        for below in rows[r + 1:r + 8]:
            item = None
            for cell in below.cells():
                if cell.col >= first_value:
                    break
                key = BUDGET_ITEMS.get(label_key(cell.text))
                if key and below.starts_here(cell):
                    item = key
            if item is None:
                if lines:
                    break
                continue
            line = {"item": item}
            line.update({role: below.own_text(col).strip() for role, col in roles.items()})
            lines.append(line)
        return lines
    return []


def _overall_goal(rows: list[Row]) -> dict[str, str]:
    """年度总体目标: the texts under 预期目标 and 实际完成情况."""
    for r, row in enumerate(rows):
        cols = {}
        for cell in row.cells():
            label = label_key(cell.text)
            if label in ("预期目标", "年度目标"):
                cols["年度总体目标"] = cell.col
            elif label in ("实际完成情况", "实际完成", "完成情况"):
                cols["总体目标完成情况"] = cell.col
        if cols:
            for below in rows[r + 1:r + 4]:
                texts = {key: below.own_text(col).strip() for key, col in cols.items()}
                if any(texts.values()):
                    return {k: v for k, v in texts.items() if v}
    for row in rows:  # 年度总体目标 | text, without the two sub-headers
        cells = row.cells()
        if cells and label_key(cells[0].text) == "年度总体目标" and len(cells) > 1 and len(cells[1].text) > 8:
            return {"年度总体目标": cells[1].text}
    return {}


def _is_indicator_header(row: Row) -> bool:
    roles = _roles(row, INDICATOR_COLUMNS)
    return {"name", "weight", "score"} <= set(roles) and ("target" in roles or "nature" in roles)


def _indicators(rows: list[Row], raw: RawReport) -> None:
    start = next((i for i, row in enumerate(rows) if _is_indicator_header(row)), None)
    if start is None:
        raw.missing.append("绩效指标 (indicator table)")
        return
    roles = _roles(rows[start], INDICATOR_COLUMNS)
    label = ClassLabel()
    sub = ""
    entries: list[Entry] = []
    for row in rows[start + 1:]:
        if _is_indicator_header(row):
            roles = _roles(row, INDICATOR_COLUMNS)
            continue
        texts = [c.text for c in row.cells() if row.starts_here(c) and c.text.strip()]
        totals = [m for m in (_TOTAL.match(label_key(t)) for t in texts) if m]
        if totals:
            raw.reported_total = row.own_text(roles.get("score")).strip() or totals[0].group(1)
            raw.indicator_points_total = row.own_text(roles.get("weight")).strip() or None
            break
        level1 = row.own_text(roles.get("level1")).strip()
        if level1:
            label = ClassLabel([level1]) if any(k in compact(level1) for k in ("产出", "效益", "满意度")) else label
        level2 = row.own_text(roles.get("level2")).strip()
        if level2:
            sub = level2
        values = {k: row.own_text(roles.get(k)).strip() for k in ("target", "actual", "weight", "score")}
        if "nature" in roles:
            values["target"] = "".join(row.own_text(roles.get(k)).strip() for k in ("nature", "target", "unit"))
        name = row.own_text(roles.get("name")).strip()
        if not name and not any(values.values()):
            continue
        if name and not any(values.values()):
            entries.append(Entry("fragment", label, text=name))
            continue
        extra = {"subcategory": sub}
        deviation = row.own_text(roles.get("deviation")).strip()
        if deviation:
            extra["deviation_reason"] = deviation
        indicator = RawIndicator(category_label="", name=name, target=values["target"], weight=values["weight"],
                                 actual=values["actual"], score=values["score"], page=row.page, extra=extra)
        entries.append(Entry("indicator", label, indicator=indicator))
    entries_to_indicators(entries, raw, "总分")


def _missing(raw: RawReport) -> list[str]:
    # 实施单位: missing where its label is printed with an empty cell (a copy without the label is not faulted).
    missing = [f"project {key}" for key in ("name", "year", "department", "implementing_unit")
               if not raw.project.get(key, "").strip() and (key != "implementing_unit" or key in raw.project)]
    if not raw.budget_lines:
        missing.append("项目资金 (money block)")
    if "年度总体目标" not in raw.sections:
        missing.append("section 年度总体目标")
    return missing
