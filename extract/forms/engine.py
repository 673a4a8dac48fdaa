"""The form engine: any ``Document`` → ``RawReport`` through a form description.

Every part is found by its labels, never by row numbers: header fields by their label cells, the
money block and the indicator table by the roles of their header rows (so columns may come in any
order, and a table may run on over pages or repeat its header), narrative cells by their labels.
Hierarchy columns (一级 / 二级) merged down their rows are carried down; a class printed as a row of
its own (``产出指标(50分)``) starts a class; a name cut by a page break is joined to its row. Parts
only some forms print (a money block read label → figure, 子项目, class labels left of the name
column, narrative walked in reading order) are in ``extract.forms.parts``, used where the
description asks for them.
"""

from __future__ import annotations

import re

from extract.forms import parts
from extract.forms.description import VALUE_ROLES, BudgetPart, FormDescription
from extract.forms.labels import ClassLabel, Entry, entries_to_indicators, inline_value, label_key, rows_to_fields
from extract.forms.rows import Row, document_to_rows
from jixiao.model import Document, Paragraph, RawIndicator, RawReport
from jixiao.text import compact

# A class printed as a row of its own, or a 一级 cell: 产出指标(50分), 效益指标（30分）, 过程指标.
_CLASS_ROW = re.compile(r"^[^\d(（]{1,10}(?:指标|目标)\s*(?:[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）])?$")
# 二级 words: a column of these is the 二级 level whatever its header says.
SUBCLASS_WORDS = ("数量指标", "质量指标", "时效指标", "成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标",
                  "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标")
_FIRST_LEVEL = ("产出", "效益", "满意度", "投入", "过程", "结果", "影响力", "管理", "决策")


def document_to_raw(doc: Document, form: FormDescription) -> RawReport:
    rows = document_to_rows(doc)
    raw = RawReport(template=form.name)
    raw.scope = form.scope
    raw.project = _project(doc, rows, form)
    if form.budget is not None:
        raw.budget_lines = budget_lines(rows, form.budget)
    if form.money is not None:
        parts.rows_to_money(rows, form.money, raw)
    if form.subprojects is not None:
        parts.rows_to_subprojects(rows, form, raw, lambda row: _is_header(row, form))
    raw.sections, raw.sections_other = _narrative(rows, form)
    end = _indicators(rows, raw, form)
    if form.narrative:
        walked = parts.blocks_to_sections(doc, rows, end if end is not None else 0, form)
        raw.sections = {**walked, **raw.sections}  # a [sections] / [goals] cell wins over the walk
    if form.total_fields:
        total = rows_to_fields(rows, {"total": form.total_fields}).get("total", "").strip()
        if total:
            raw.reported_total = total
            raw.missing = [m for m in raw.missing if not m.endswith("(reported total)")]
    raw.missing.extend(_missing(raw, form))
    for key in form.always_fields:
        raw.project.setdefault(key, "")  # a key of the record, null where not printed
    return raw


def _project(doc: Document, rows: list[Row], form: FormDescription) -> dict[str, str]:
    found = rows_to_fields(rows, form.fields) if form.fields else {}
    year = re.compile(form.year_pattern) if form.year_pattern else None
    for block in doc.blocks:
        texts = [block.text] if isinstance(block, Paragraph) else [c.text for c in block.cells]
        for text in texts:
            if "year" not in found and year is not None:
                match = year.search(compact(text))
                if match:
                    found["year"] = match.group(1)
            for key, labels in form.fields.items():
                if key not in found and isinstance(block, Paragraph):
                    value = inline_value(text, labels)
                    if value is not None:
                        found[key] = value
    return found


def roles_of(row: Row, spec: dict[str, tuple[str, ...]], match: str = "prefix") -> dict[str, int]:
    """Column of each role whose label a cell of ``row`` prints (the first role that fits a cell wins,
    so that 年初预算数 is not read as 预算数 and 执行率权重 not as 执行率)."""
    roles: dict[str, int] = {}
    for cell in row.cells():
        label = label_key(cell.text)
        # A header cell is short; under "substring" a label is found in a cell of any length.
        if not label or (match == "prefix" and len(label) > 20):
            continue
        for role, labels in spec.items():
            if role not in roles and any(_fits(label, l, match) for l in labels):
                roles[role] = cell.col
                break
    return roles


def _fits(label: str, wanted: str, match: str = "prefix") -> bool:
    """A header cell fits a label it starts with (分值 fits 分值(分)), or under "substring" one it
    contains (指标名称(三级指标)); ``=指标`` only the very word."""
    if wanted.startswith("="):
        return label == wanted[1:]
    if match == "substring":
        return wanted in label
    return label == wanted or label.startswith(wanted)


def budget_lines(rows: list[Row], part: BudgetPart) -> list[dict[str, str]]:
    for r, row in enumerate(rows):
        roles = roles_of(row, part.columns)
        if not set(part.needs) <= set(roles) or (part.one_of and not set(part.one_of) & set(roles)):
            continue
        first_value = min(roles.values())
        lines: list[dict[str, str]] = []
        for below in rows[r + 1:r + 1 + part.max_rows]:
            item = None
            for cell in below.cells():
                if cell.col >= first_value:
                    break
                key = part.items.get(label_key(cell.text))
                if key and below.starts_here(cell):
                    item = key
            figures = {role: below.own_text(col).strip() for role, col in roles.items()}
            if item is None and part.single_item and not lines and any(_has_digit(v) for v in figures.values()):
                item = part.single_item
            if item is None:
                if lines:
                    break
                continue
            lines.append({"item": item, **figures})
            if part.single_item and item == part.single_item:
                break
        return lines
    return []


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _narrative(rows: list[Row], form: FormDescription) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Goal blocks (sub-headers with their texts below) and label → text cells."""
    sections: dict[str, str] = {}
    other: list[tuple[str, str]] = []
    labels = set(form.goals) | set(form.sections)
    for r, row in enumerate(rows):
        cols = {form.goals[label_key(c.text)]: c.col for c in row.cells() if label_key(c.text) in form.goals}
        cols = {k: v for k, v in cols.items() if k not in sections}
        if cols:
            for below in rows[r + 1:r + 4]:
                texts = {key: below.own_text(col).strip() for key, col in cols.items()}
                texts = {k: v for k, v in texts.items() if v and label_key(v) not in labels}
                if not texts and below.table == row.table:
                    # A text copy left-packs the row of texts (its empty cells gone): as many texts as
                    # sub-headers, in their order.
                    own = [c.text.strip() for c in below.cells() if below.starts_here(c) and c.text.strip()]
                    if len(own) == len(cols) and not any(label_key(t) in labels or len(t) < 2 for t in own):
                        texts = dict(zip(sorted(cols, key=cols.get), own))
                if texts:
                    sections.update(texts)
                    break
    for row in rows:
        cells = [c for c in row.cells() if row.starts_here(c)]
        for i, cell in enumerate(cells):
            key = form.sections.get(label_key(cell.text))
            if key is None or key in sections:
                continue
            right = [c.text.strip() for c in cells[i + 1:] if c.text.strip()]
            if not right or label_key(right[0]) in labels:
                continue
            text = right[0]
            if key == "other":
                other.append((compact(cell.text).rstrip(":："), text))
            else:
                sections[key] = text
            break
    return sections, other


def _regex_of(labels: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(compact(l)) for l in labels)
    return re.compile(rf"^(?:{alternatives})(\d+(?:\.\d+)?分?)?$")


def _is_header(row: Row, form: FormDescription) -> bool:
    roles = roles_of(row, form.columns, form.match)
    values = sum(1 for role in VALUE_ROLES if role in roles)
    return (set(form.header_needs) <= set(roles) and values >= form.header_min_values
            and (not form.header_one_of or bool(set(form.header_one_of) & set(roles))))


def _is_sub_header(row: Row, roles: dict[str, int], form: FormDescription) -> bool:
    """The second row of a two-row header: labels only (no figures), roles the first row lacks."""
    cells = [c for c in row.cells() if row.starts_here(c) and c.text.strip()]
    if not cells or any(_has_digit(c.text) and not re.search(r"[(（].*\d.*[)）]", c.text) for c in cells):
        return False
    more = {k: v for k, v in roles_of(row, form.columns, form.match).items() if k not in roles}
    return bool(more) and all(label_key(c.text) and len(label_key(c.text)) <= 20 for c in cells)


def _pair_is_header(top: Row, below: Row, form: FormDescription) -> bool:
    roles = roles_of(top, form.columns, form.match)
    if not roles or not _is_sub_header(below, roles, form):
        return False
    roles.update({k: v for k, v in roles_of(below, form.columns, form.match).items() if k not in roles})
    values = sum(1 for role in VALUE_ROLES if role in roles)
    return (set(form.header_needs) <= set(roles) and values >= form.header_min_values
            and (not form.header_one_of or bool(set(form.header_one_of) & set(roles))))


def _is_spanning_line(row: Row) -> bool:
    """A row of one cell merged across (nearly) the whole table: a note, a signature, a date."""
    cells = [c for c in row.cells() if row.starts_here(c) and c.text.strip()]
    return len(cells) == 1 and row.n_cols >= 4 and cells[0].colspan >= 0.75 * row.n_cols \
        and not _CLASS_ROW.match(compact(cells[0].text))


def _class_starts(text: str, form: FormDescription) -> bool:
    flat = compact(text)
    if not flat:
        return False
    return any(k in flat for k in form.class_words) if form.class_words else True


def _class_column_is_subclass(rows: list[Row], col: int | None) -> bool:
    """A class column holding 二级 words (数量指标, 社会效益指标 …) and no 一级 one is the 二级 level."""
    if col is None:
        return False
    # Class rows (a class alone on its row) are not the column's values.
    values = {compact(r.own_text(col)) for r in rows
              if sum(1 for c in r.cells() if r.starts_here(c) and c.text.strip()) > 1} - {""}
    second = {v for v in values if any(v.startswith(w[:-2]) and v.endswith("指标") for w in SUBCLASS_WORDS)}
    first = {v for v in values - second if any(v.startswith(k) for k in _FIRST_LEVEL)}
    return bool(second) and not first


def _indicators(rows: list[Row], raw: RawReport, form: FormDescription) -> int | None:
    """Indicator rows from the header to the total row; returns the index of the first row after the
    table (where a narrative walk starts), None where there is no table."""
    start = next((i for i, row in enumerate(rows) if _is_header(row, form)), None)
    if start is None:  # a header whose roles are split over two rows (分值 | 得分 under 评分 …)
        start = next((i for i in range(len(rows) - 1) if rows[i].table == rows[i + 1].table
                      and _pair_is_header(rows[i], rows[i + 1], form)), None)
    if start is None:
        raw.missing.append("绩效指标 (indicator table)")
        return None
    roles = roles_of(rows[start], form.columns, form.match)
    below = rows[start + 1] if start + 1 < len(rows) else None
    if below is not None and below.table == rows[start].table and _is_sub_header(below, roles, form):
        # A header over two rows (指标值 over 年度指标值 | 实际完成值): the second row's roles join in.
        roles.update({k: v for k, v in roles_of(below, form.columns, form.match).items()
                      if k not in roles and v not in roles.values()})
        start += 1
    total = _regex_of(form.total_labels)
    ends = set(form.end_labels) | parts.narrative_labels(form)
    left_cells = form.class_from == "left_cells"
    if not left_cells:
        if "subclass" not in roles and _class_column_is_subclass(rows[start + 1:], roles.get("class")):
            roles["subclass"] = roles.pop("class")
        raw.class_column = "class" in roles
    table, width = rows[start].table, rows[start].n_cols
    label, sub, section = ClassLabel(), "", []
    entries: list[Entry] = []
    end = len(rows)
    for i in range(start + 1, len(rows)):
        row = rows[i]
        if form.continuation == "right" and row.table != table:
            table = row.table
            if _is_header(row, form):
                roles, width = _header_roles(row, form, raw), row.n_cols
                continue
            if row.n_cols < 4:
                end = i
                break
            if row.n_cols != width:
                # A continuation table of another width: value columns line up on the right.
                roles = {k: max(0, v + row.n_cols - width) for k, v in roles.items()}
                width = row.n_cols
        elif _is_header(row, form):
            if form.continuation == "headers":
                roles = _header_roles(row, form, raw)
            continue  # under "right", a header repeated inside its table keeps the columns
        texts = [c.text for c in row.cells() if row.starts_here(c) and c.text.strip()]
        if ends and any(label_key(t) in ends for t in texts):
            end = i
            break
        totals = [m for m in (total.match(label_key(t)) for t in texts) if m]
        if totals:
            _read_total(row, roles, totals[0], texts, raw, form)
            end = i + 1
            break
        if _is_spanning_line(row):
            continue  # 填表人：… / 备注：… merged across the table: no indicator
        if left_cells:
            label, section = parts.left_cells_label(row, roles.get("name"), label, section, form)
        else:
            label, sub, class_row = _column_class(row, texts, roles, label, sub, form)
            if class_row:
                raw.class_column = True
                continue
        entry = _row_to_entry(row, roles, label, sub)
        if entry is not None:
            entries.append(entry)
    if section:
        raw.section_points = "".join(section)
    entries_to_indicators(entries, raw, form.total_name)
    return end


def _header_roles(row: Row, form: FormDescription, raw: RawReport) -> dict[str, int]:
    """A repeated header's columns; a form read with no class column keeps its one column as 二级."""
    roles = roles_of(row, form.columns, form.match)
    if "subclass" not in roles and raw.class_column is False and "class" in roles:
        roles["subclass"] = roles.pop("class")
    return roles


def _read_total(row: Row, roles: dict[str, int], match: re.Match[str], texts: list[str], raw: RawReport,
                form: FormDescription) -> None:
    """The total row: its score cell, else a figure in its label (合计 80分), else (where the form
    says so) its last printed text."""
    last = texts[-1] if form.total_last_cell and len(texts) > 1 else None
    raw.reported_total = row.own_text(roles.get("score")).strip() or match.group(1) or last
    raw.indicator_points_total = row.own_text(roles.get("weight")).strip() or None


def _column_class(row: Row, texts: list[str], roles: dict[str, int], label: ClassLabel, sub: str,
                  form: FormDescription) -> tuple[ClassLabel, str, bool]:
    """The class (一级) and subclass (二级) a row's class columns give, and whether the row is a class
    printed as a row of its own (it holds no indicator)."""
    if len(texts) == 1 and _CLASS_ROW.match(compact(texts[0])) and not _values(row, roles)["weight"]:
        return ClassLabel([texts[0]]), "", True
    level1 = row.own_text(roles.get("class")).strip()
    if level1 and _class_starts(level1, form):
        label, sub = ClassLabel([level1]), ""  # a new class does not inherit the 二级 of the last one
    level2 = row.own_text(roles.get("subclass")).strip()
    return label, level2 or sub, False


def _row_to_entry(row: Row, roles: dict[str, int], label: ClassLabel, sub: str) -> Entry | None:
    """An indicator row, a name fragment (a name with no values: cut by a page break), or None."""
    values = _values(row, roles)
    name = row.own_text(roles.get("name")).strip()
    if not name and not any(values.values()):
        return None
    if name and not any(values.values()):
        return Entry("fragment", label, text=name)
    extra = {"subcategory": sub}
    reason = row.own_text(roles.get("reason")).strip()
    if reason:
        extra["deviation_reason"] = reason
    if "coefficient" in roles:
        extra["coefficient"] = row.own_text(roles["coefficient"]).strip()
    remark = row.own_text(roles.get("remark")).strip()
    if remark:
        extra["remark"] = remark  # kept in the raw row; no field of the record
    indicator = RawIndicator(category_label="", name=name, target=values["target"], weight=values["weight"],
                             actual=values["actual"], score=values["score"], page=row.page, extra=extra)
    return Entry("indicator", label, indicator=indicator)


def _values(row: Row, roles: dict[str, int]) -> dict[str, str]:
    values = {k: row.own_text(roles.get(k)).strip() for k in ("target", "actual", "weight", "score")}
    adjusted = row.own_text(roles.get("target_adjusted")).strip()
    if adjusted and adjusted not in ("/", "—", "-", "无"):
        values["target"] = adjusted  # 调整指标值, where filled, replaces 年初指标值
    if "nature" in roles or "unit" in roles:
        values["target"] = "".join(x for x in (row.own_text(roles.get("nature")).strip(), values["target"],
                                               row.own_text(roles.get("unit")).strip()) if x)
    return values


def _missing(raw: RawReport, form: FormDescription) -> list[str]:
    # 实施单位: missing where its label is printed with an empty cell (a copy without the label is not faulted).
    missing = [_missing_field(key, form) for key in ("name", "year", "department", "implementing_unit")
               if (key in form.required_fields or key in raw.project)
               and key in (*form.fields, "year") and not raw.project.get(key, "").strip()
               and (key != "implementing_unit" or key in raw.project)]
    if form.budget_required and not raw.budget_lines:
        missing.append("项目资金 (money block)")
    if form.goal_required and form.goal_required not in raw.sections:
        missing.append(f"section {form.goal_required}")
    if form.money is not None:
        missing.extend(f"budget {key}" for key in form.money.labels if key not in raw.budget)
    missing.extend(f"section {key}" for key in form.narrative if key not in raw.sections)
    return missing


def _missing_field(key: str, form: FormDescription) -> str:
    label = form.missing_labels.get(key)
    return f"project {key} ({label})" if label else f"project {key}"
