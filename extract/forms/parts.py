"""Engine parts a description switches on with data: a money block read label → figure below it
(``[money]``), a 子项目 list (``[subprojects]``), class labels read from the cells left of the name
column (``class_from = "left_cells"``), and narrative sections walked over table rows and paragraphs
in reading order (``[narrative]``).

The Suzhou 2017 form needs them all: its money tables print each label over its figure, its class
labels (投入目标(26分)) sit in merged cells left of 指标名称, and its narrative is label | text rows or
numbered paragraphs (一、项目概况：…) that text dumps break into lines. Nothing here names a form.
"""

from __future__ import annotations

import re
from typing import Callable

from extract.forms.description import FormDescription, MoneyPart, SubprojectPart
from extract.forms.labels import ClassLabel, label_key
from extract.forms.rows import Row
from jixiao.model import Document, Paragraph, RawReport
from jixiao.text import compact

# A label is short: a longer cell is a sentence that happens to mention one.
_MAX_LABEL = 30
# Header cells of the 子项目 columns, not sentences mentioning them (实际金额(万元) fits 金额).
_MAX_NAME_HEADER = 10
_MAX_AMOUNT_HEADER = 12
_UNIT = re.compile(r"\((万元|元|千元|亿元)\)")
# The points of a section label printed in a cell of their own: 项目绩效目标 | (100分).
_POINTS_ONLY = re.compile(r"^\(?\d+(?:\.\d+)?分\)?$")
# Lines that close a narrative on any form: notes, 填表说明, signatures and dates.
_NOTE = re.compile(r"^[（(]?\s*(?:标注|注[:：]|备注|填表说明|填报|单位负责人|负责人|联系|日期|审核)")
# A section whose text ends without one of these was cut mid-sentence: the next paragraph continues it.
_SENTENCE_END = ("。", "！", "？", "!", "?", "；", ";", "”")


# --------------------------------------------------------------------------- money


def money_key(text: str, part: MoneyPart) -> str | None:
    """The budget key whose label ``text`` is (exact, or holding the key's identifying substring)."""
    label = label_key(text)
    if not label or len(label) > _MAX_LABEL:
        return None
    for key, exact in part.labels.items():
        substring = part.substrings.get(key)
        if label in exact or (substring is not None and substring in label):
            return key
    return None


def rows_to_money(rows: list[Row], part: MoneyPart, raw: RawReport) -> None:
    """Each money label's value is the first figure below it in its columns; a label naming the
    block (市级预算执行情况(万元)) gives the unit."""
    for r, row in enumerate(rows):
        for cell in row.cells():
            if not row.starts_here(cell):
                continue
            key = money_key(cell.text, part)
            if key is None:
                if raw.budget_unit is None:
                    raw.budget_unit = _unit_in_label(cell.text, part.unit_labels)
                continue
            value = _value_below(rows, r, cell.row + cell.rowspan - 1, range(cell.col, cell.col + cell.colspan), part)
            if key == part.copies:
                raw.appropriation_copies.append(value or "")  # printed twice: both kept, so they can be compared
            if key not in raw.budget:
                raw.budget[key] = value or ""


def _unit_in_label(text: str, unit_labels: tuple[str, ...]) -> str | None:
    label = compact(text)
    if any(u in label for u in unit_labels) and "(" in label:
        match = _UNIT.search(label)
        if match:
            return match.group(1)
    return None


def _value_below(rows: list[Row], r: int, last_row: int, cols: range, part: MoneyPart) -> str | None:
    """The first non-empty cell under a label, in the label's columns, if it is a figure."""
    table = rows[r].table
    for row in rows[r + 1:r + 6]:
        if row.table != table:
            break
        if row.index <= last_row:
            continue
        below = [row.slots[c] for c in cols if c < len(row.slots)]
        cell = next((c for c in below if row.starts_here(c) and c is not None and c.text.strip()), None)
        if cell is None:
            continue
        text = cell.text.strip()
        return text if re.search(r"\d", text) and money_key(text, part) is None else None
    return None


# --------------------------------------------------------------------------- subprojects


def is_known_label(text: str, form: FormDescription) -> bool:
    """A header field's, a money label or the 子项目 part's own title: where a 子项目 list stops."""
    label = label_key(text)
    if not label or len(label) > _MAX_LABEL:
        return False
    return (any(label in labels for labels in form.fields.values())
            or (form.money is not None and money_key(text, form.money) is not None)
            or (form.subprojects is not None and form.subprojects.title in label))


def _fits_header(label: str, wanted: tuple[str, ...]) -> bool:
    return any(label == w[1:] if w.startswith("=") else w in label for w in wanted)


def _subproject_columns(row: Row, part: SubprojectPart) -> tuple[int | None, int | None]:
    name_col = amount_col = None
    for cell in row.cells():
        label = compact(cell.text)
        if len(label) <= _MAX_NAME_HEADER and _fits_header(label, part.name):
            name_col = cell.col
        elif len(label) <= _MAX_AMOUNT_HEADER and _fits_header(label, part.amount):
            amount_col = cell.col
    return name_col, amount_col


def rows_to_subprojects(rows: list[Row], form: FormDescription, raw: RawReport,
                        is_header: Callable[[Row], bool]) -> None:
    """子项目 rows from the 子项目名称 / 金额 header to the next part (the indicator header, or a
    known label left of the columns); 合计 gives subprojects_total."""
    part = form.subprojects
    assert part is not None
    for r, row in enumerate(rows):
        name_col, amount_col = _subproject_columns(row, part)
        if name_col is None or amount_col is None:
            continue
        for below in rows[r + 1:]:
            if is_header(below) or any(is_known_label(c.text, form) for c in below.cells()
                                       if below.starts_here(c) and c.col not in (name_col, amount_col)):
                break
            name = below.own_text(name_col).strip()
            amount = below.own_text(amount_col).strip()
            if not name and not amount:
                continue
            if compact(name) in part.total:
                raw.subprojects_total = amount
            elif name and not amount and raw.subprojects and raw.subprojects[-1][1].strip():
                # A name without an amount continues the row above (cut by a page break).
                prev_name, prev_amount = raw.subprojects[-1]
                raw.subprojects[-1] = (prev_name + "\n" + name, prev_amount)
            else:
                raw.subprojects.append((name, amount))
        if not raw.subprojects:
            raw.missing.append(f"{part.title} (subprojects)")
        return
    raw.missing.append(f"{part.title} (subprojects)")


# --------------------------------------------------------------------------- class labels


def left_cells_label(row: Row, name_col: int | None, label: ClassLabel, section: list[str],
                     form: FormDescription) -> tuple[ClassLabel, list[str]]:
    """The class label (or section label) the cells left of the name column print on this row."""
    for cell in row.cells():
        if name_col is None or cell.col >= name_col or not row.starts_here(cell) or not cell.text.strip():
            continue
        label, section = _read_label(cell.text, label, section, form)
    return label, section


def _read_label(text: str, label: ClassLabel, section: list[str],
                form: FormDescription) -> tuple[ClassLabel, list[str]]:
    """A cell left of 指标名称: a new class label, a piece of one, or the section label."""
    c = compact(text)
    if any(w in c for w in form.section_words):
        return label, [text]
    if c and (not form.class_words or any(k in c for k in form.class_words)):
        return ClassLabel([text]), section
    if label.parts and not label.has_points:
        label.parts.append(text)  # 影响力目 | 标 (8分): a label split over rows or cells
        return label, section
    if _POINTS_ONLY.match(c) and section and "分" not in compact("".join(section)):
        section.append(text)
    return label, section


# --------------------------------------------------------------------------- narrative


def narrative_labels(form: FormDescription) -> set[str]:
    return {label for labels in form.narrative.values() for label in labels}


def blocks_to_sections(doc: Document, rows: list[Row], start: int, form: FormDescription) -> dict[str, str]:
    """Narrative sections, walking tables and paragraphs in reading order from row ``start``.

    A section is a label/text table row (项目概况 | …), or a numbered heading paragraph
    (一、项目概况：…). Text continues in rows with an empty label, and in paragraphs that follow a
    section cut off mid-sentence (text dumps break long cells into lines); a note ends a section.
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
                current = _row_to_section(row, sections, current, form)
            continue
        if first is None:
            continue
        head, _, tail = block.text.partition("：") if "：" in block.text[:30] else (block.text, "", "")
        key = _section_key(head, form)
        if key is not None and key not in sections:
            current = key
            sections[key] = tail.strip()
        elif _NOTE.match(block.text):
            current = None
        elif current is not None and not sections[current].endswith(_SENTENCE_END):
            sections[current] = sections[current] + block.text.strip()
    return sections


def _row_to_section(row: Row, sections: dict[str, str], current: str | None, form: FormDescription) -> str | None:
    cells = [c for c in row.cells() if row.starts_here(c)]
    if not cells:
        return current
    key = _section_key(cells[0].text, form)
    rest = "\n".join(c.text for c in cells[1:] if c.text.strip())
    if key is not None:
        sections[key] = _append(sections.get(key, ""), rest)
        return key
    if current is not None and not cells[0].text.strip() and rest:
        sections[current] = _append(sections[current], rest)
        return current
    return None if cells[0].text.strip() else current


def _section_key(text: str, form: FormDescription) -> str | None:
    label = label_key(text)
    if not label or len(label) > _MAX_LABEL:
        return None
    return next((key for key, labels in form.narrative.items() if label in labels), None)


def _append(old: str, new: str) -> str:
    return f"{old}\n{new}" if old and new else old or new
