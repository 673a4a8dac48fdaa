"""Form parser for the Suzhou 2017 form (苏州市级财政支出项目绩效自评表).

Maps a ``Document`` onto a ``RawReport`` by labels: real reports add, drop and reorder
rows, split tables and wrap cells, so nothing here depends on a row number. Values stay
raw strings; normalize turns them into names and numbers.
"""

from __future__ import annotations

import re

from extract.rows import Row, document_to_rows
from jixiao.model import CATEGORIES, Document, Paragraph, RawIndicator, RawReport
from extract.labels import ClassLabel, Entry, entries_to_indicators, inline_value, label_key, rows_to_fields
from jixiao.text import compact

TEMPLATE = "suzhou-2017"

PROJECT_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "year": ("项目年份", "项目年度", "评价年度"),
    "department": ("项目主管部门(单位)", "项目主管部门", "主管部门(单位)", "主管部门", "预算部门"),
    "implementing_unit": ("项目实施单位", "实施单位"),
}

# (contract key, exact labels, or a substring that identifies the label); specific ones first.
MONEY_LABELS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("adjustment", ("当年使用上年结余、结转及当年调整预算数",), "调整预算"),
    ("initial_budget", ("年初预算数",), None),
    ("appropriation", ("财政拨款数",), None),
    ("quota_balance", ("指标结余数",), None),
    ("actual_payment", ("实际支付数",), None),
    ("fund_balance", ("资金结余、结转数", "资金结余结转数"), "资金结余"),
    ("carried_forward", ("结转数",), None),
    ("recovered", ("财政收回数",), None),
)

SECTION_LABELS: dict[str, tuple[str, ...]] = {
    "项目概况": ("项目概况", "项目基本概况"),
    "项目总目标": ("项目总目标", "总目标"),
    "年度绩效目标": ("年度绩效目标", "年度目标"),
    "项目实施情况": ("项目实施情况", "实施情况"),
    "项目管理成效": ("项目管理成效", "管理成效"),
    "存在问题": ("项目管理存在的问题及原因", "存在的问题及原因", "存在问题及原因", "存在的问题", "存在问题"),
    "建议": ("进一步加强项目管理的建议", "加强项目管理的建议", "改进建议", "意见建议", "建议"),
}
SUZHOU_SECTIONS = tuple(SECTION_LABELS)

# Indicator header roles; the first matching role wins, so 实际完成值 is not read as 目标值.
HEADER_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("project", ("项目",)),
    ("category", ("类别", "一级指标", "指标类别")),
    ("name", ("指标名称", "三级指标", "绩效指标")),
    ("actual", ("实际完成值", "实际完成", "实际值", "完成值")),
    ("target", ("目标值", "年度指标值", "指标值", "预期目标")),
    ("weight", ("权重", "分值", "权重分")),
    ("score", ("自评分", "得分", "自评得分")),
    ("remark", ("备注", "说明", "偏差原因")),
)
# 合计 row of the indicator table; the figure may share the label's cell (`合计 80分`).
_TOTAL = re.compile(r"^(?:合计|总计|总分|合计得分|自评总分|总得分|自评得分合计)(\d+(?:\.\d+)?分?)?$")
_POINTS_ONLY = re.compile(r"^\(?\d+(?:\.\d+)?分\)?$")
_MAX_LABEL = 30


def suzhou_document_to_raw(doc: Document) -> RawReport:
    rows = document_to_rows(doc)
    raw = RawReport(template=TEMPLATE)
    raw.project = rows_to_project(rows)
    paragraphs_to_project(doc, raw.project)
    rows_to_budget(rows, raw)
    rows_to_subprojects(rows, raw)
    end = rows_to_indicators(rows, raw)
    raw.sections = blocks_to_sections(doc, rows, end if end is not None else 0)
    raw.missing.extend(_missing_parts(raw))
    return raw


# --------------------------------------------------------------------------- labels


def _is_known_label(text: str) -> bool:
    label = label_key(text)
    if not label or len(label) > _MAX_LABEL:
        return False
    return (
        any(label in labels for labels in PROJECT_LABELS.values())
        or _money_key(text) is not None
        or "项目资金构成" in label
    )


def _money_key(text: str) -> str | None:
    label = label_key(text)
    if not label or len(label) > _MAX_LABEL:
        return None
    for key, exact, substring in MONEY_LABELS:
        if label in exact or (substring is not None and substring in label):
            return key
    return None


# --------------------------------------------------------------------------- project


def rows_to_project(rows: list[Row]) -> dict[str, str]:
    """项目名称 / 项目年份 / 项目主管部门(单位) / 实施单位: the cell right of each label."""
    return rows_to_fields(rows, PROJECT_LABELS)


def paragraphs_to_project(doc: Document, found: dict[str, str]) -> None:
    """``项目名称：…`` written as a line above the table, where the table lacks the row."""
    for block in doc.blocks:
        if not isinstance(block, Paragraph):
            continue
        for key, labels in PROJECT_LABELS.items():
            if key not in found:
                value = inline_value(block.text, labels)
                if value is not None:
                    found[key] = value


# --------------------------------------------------------------------------- money


def rows_to_budget(rows: list[Row], raw: RawReport) -> None:
    """The two money tables: each label's value is the first figure below it in its column."""
    for r, row in enumerate(rows):
        for cell in row.cells():
            if not row.starts_here(cell):
                continue
            key = _money_key(cell.text)
            if key is None:
                if raw.budget_unit is None:
                    raw.budget_unit = _unit_in_label(cell.text)
                continue
            value = _value_below(rows, r, cell.row + cell.rowspan - 1, range(cell.col, cell.col + cell.colspan))
            if key == "appropriation":
                raw.appropriation_copies.append(value or "")
            if key not in raw.budget:
                raw.budget[key] = value or ""


def _unit_in_label(text: str) -> str | None:
    label = compact(text)
    if ("预算执行情况" in label or "资金使用情况" in label) and "(" in label:
        match = re.search(r"\((万元|元|千元|亿元)\)", label)
        if match:
            return match.group(1)
    return None


def _value_below(rows: list[Row], r: int, last_row: int, cols: range) -> str | None:
    """The first non-empty cell under a label, in the label's columns, if it is a figure."""
    table = rows[r].table
    for row in rows[r + 1 : r + 6]:
        if row.table != table:
            break
        if row.index <= last_row:
            continue
        below = [row.slots[c] for c in cols if c < len(row.slots)]
        cell = next((c for c in below if row.starts_here(c) and c is not None and c.text.strip()), None)
        if cell is None:
            continue
        text = cell.text.strip()
        return text if re.search(r"\d", text) and _money_key(text) is None else None
    return None


# --------------------------------------------------------------------------- subprojects


def rows_to_subprojects(rows: list[Row], raw: RawReport) -> None:
    """项目资金构成: 子项目名称 and 实际金额 columns, from their header to the next part."""
    for r, row in enumerate(rows):
        name_col = amount_col = None
        for cell in row.cells():
            label = compact(cell.text)
            if len(label) <= 10 and ("子项目名称" in label or label == "子项目"):
                name_col = cell.col
            elif "金额" in label and len(label) <= 12:
                amount_col = cell.col
        if name_col is None or amount_col is None:
            continue
        header = row
        for below in rows[r + 1 :]:
            if below.table != header.table and below.index == 0 and _is_indicator_header(below):
                break
            if _is_indicator_header(below) or any(_is_known_label(c.text) for c in below.cells()
                                                   if below.starts_here(c) and c.col not in (name_col, amount_col)):
                break
            name = below.own_text(name_col).strip()
            amount = below.own_text(amount_col).strip()
            if not name and not amount:
                continue
            if compact(name) in ("合计", "总计"):
                raw.subprojects_total = amount
            elif name and not amount and raw.subprojects and raw.subprojects[-1][1].strip():
                # A name without an amount continues the row above (cut by a page break).
                prev_name, prev_amount = raw.subprojects[-1]
                raw.subprojects[-1] = (prev_name + "\n" + name, prev_amount)
            else:
                raw.subprojects.append((name, amount))
        raw.missing.extend([] if raw.subprojects else ["项目资金构成 (subprojects)"])
        return
    raw.missing.append("项目资金构成 (subprojects)")


# --------------------------------------------------------------------------- indicators


def _header_roles(row: Row) -> dict[str, int]:
    roles: dict[str, int] = {}
    for cell in row.cells():
        label = label_key(cell.text)
        for role, labels in HEADER_ROLES:
            if role not in roles and (label in labels or (role != "project" and any(l in label for l in labels))):
                roles[role] = cell.col
                break
    return roles


def _is_indicator_header(row: Row) -> bool:
    roles = _header_roles(row)
    return "name" in roles and "score" in roles and ("weight" in roles or "target" in roles)


def rows_to_indicators(rows: list[Row], raw: RawReport) -> int | None:
    """Indicator rows from the header to 合计; returns the index of the first row after the table."""
    start = next((i for i, row in enumerate(rows) if _is_indicator_header(row)), None)
    if start is None:
        raw.missing.append("绩效指标 (indicator table)")
        return None
    roles = _header_roles(rows[start])
    table, width = rows[start].table, rows[start].n_cols
    label = ClassLabel()
    section: list[str] = []
    entries: list[Entry] = []
    end = len(rows)
    for i in range(start + 1, len(rows)):
        row = rows[i]
        if row.table != table:
            table = row.table
            if _is_indicator_header(row):
                roles, width = _header_roles(row), row.n_cols
                continue
            if row.n_cols < 4:
                end = i
                break
            if row.n_cols != width:
                # A continuation table of another width: value columns line up on the right.
                shift = row.n_cols - width
                roles = {k: max(0, v + shift) for k, v in roles.items()}
                width = row.n_cols
        elif _is_indicator_header(row):
            continue  # a header repeated inside the table
        texts = [c.text for c in row.cells() if row.starts_here(c) and c.text.strip()]
        if any(label_key(t) in SECTION_LABELS_FLAT for t in texts):
            end = i
            break
        totals = [m for m in (_TOTAL.match(label_key(t)) for t in texts) if m]
        if totals:
            score = row.own_text(roles.get("score")).strip()
            raw.reported_total = score or totals[0].group(1) or (texts[-1] if len(texts) > 1 else None)
            end = i + 1
            break
        name_col = roles["name"]
        for cell in row.cells():
            if cell.col >= name_col or not row.starts_here(cell) or not cell.text.strip():
                continue
            label, section = _read_label(cell.text, label, section)
        values = {k: row.own_text(roles.get(k)).strip() for k in ("target", "weight", "actual", "score")}
        name = row.own_text(name_col).strip()
        if not name and not any(values.values()):
            continue
        if name and not any(values.values()):
            entries.append(Entry("fragment", label, text=name))
            continue
        extra = {}
        if "remark" in roles and row.own_text(roles["remark"]).strip():
            extra["remark"] = row.own_text(roles["remark"]).strip()
        indicator = RawIndicator(
            category_label="", name=name, page=row.page, extra=extra, **values  # type: ignore[arg-type]
        )
        entries.append(Entry("indicator", label, indicator=indicator))
    if section:
        raw.section_points = "".join(section)
    entries_to_indicators(entries, raw, "合计")
    return end


SECTION_LABELS_FLAT = {label for labels in SECTION_LABELS.values() for label in labels} | {"项目基本情况"}


def _read_label(text: str, label: ClassLabel, section: list[str]) -> tuple[ClassLabel, list[str]]:
    """A cell left of 指标名称: a new class label, a piece of one, or the section label."""
    c = compact(text)
    if "项目绩效" in c or "绩效实现" in c:
        return label, [text]
    if any(cat in c for cat in CATEGORIES):
        return ClassLabel([text]), section
    if label.parts and not label.has_points:
        label.parts.append(text)
        return label, section
    if _POINTS_ONLY.match(c) and section and "分" not in compact("".join(section)):
        section.append(text)
    return label, section


# --------------------------------------------------------------------------- narrative


_NOTE = re.compile(r"^[（(]?\s*(?:标注|注[:：]|备注|填表说明|填报|单位负责人|负责人|联系|日期|审核)")
_SENTENCE_END = ("。", "！", "？", "!", "?", "；", ";", "”")


def blocks_to_sections(doc: Document, rows: list[Row], start: int) -> dict[str, str]:
    """Narrative sections, walking tables and paragraphs in reading order from row ``start``.

    A section is a label/text table row (项目概况 | …), or a numbered heading paragraph
    (一、项目概况). Text continues in rows with an empty label, and in paragraphs that follow a
    section cut off mid-sentence (text dumps break long cells into lines).
    """
    first = (rows[start].table, rows[start].index) if start < len(rows) else None
    by_table: dict[int, list[Row]] = {}
    for row in rows:
        if first is None or (row.table, row.index) >= first:
            by_table.setdefault(row.table, []).append(row)
    sections: dict[str, str] = {}
    current: str | None = None
    table_index = -1
    for block in doc.blocks:
        if not isinstance(block, Paragraph):
            table_index += 1
            for row in by_table.get(table_index, []):
                current = _row_to_section(row, sections, current)
            continue
        if first is None:
            continue
        head, _, tail = block.text.partition("：") if "：" in block.text[:30] else (block.text, "", "")
        key = _section_key(head)
        if key is not None and key not in sections:
            current = key
            sections[key] = tail.strip()
        elif _NOTE.match(block.text):
            current = None
        elif current is not None and not sections[current].endswith(_SENTENCE_END):
            sections[current] = sections[current] + block.text.strip()
    return sections


def _row_to_section(row: Row, sections: dict[str, str], current: str | None) -> str | None:
    cells = [c for c in row.cells() if row.starts_here(c)]
    if not cells:
        return current
    key = _section_key(cells[0].text)
    rest = "\n".join(c.text for c in cells[1:] if c.text.strip())
    if key is not None:
        sections[key] = _append(sections.get(key, ""), rest)
        return key
    if current is not None and not cells[0].text.strip() and rest:
        sections[current] = _append(sections[current], rest)
        return current
    return None if cells[0].text.strip() else current


def _section_key(text: str) -> str | None:
    label = label_key(text)
    if not label or len(label) > _MAX_LABEL:
        return None
    for key, labels in SECTION_LABELS.items():
        if label in labels:
            return key
    return None


def _append(old: str, new: str) -> str:
    return f"{old}\n{new}" if old and new else old or new


_PROJECT_PARTS = {"name": "项目名称", "year": "项目年份", "department": "项目主管部门", "implementing_unit": "项目实施单位"}


def _missing_parts(raw: RawReport) -> list[str]:
    # 实施单位 is not on every copy of the form: missing only where its label is printed with an empty cell.
    missing = [f"project {key} ({label})" for key, label in _PROJECT_PARTS.items()
               if not raw.project.get(key, "").strip() and (key != "implementing_unit" or key in raw.project)]
    missing.extend(f"budget {key}" for key, _, _ in MONEY_LABELS if key not in raw.budget)
    missing.extend(f"section {key}" for key in SUZHOU_SECTIONS if key not in raw.sections)
    return missing
