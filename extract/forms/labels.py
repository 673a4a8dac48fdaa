"""Label helpers shared by the form parsers: matching printed labels, reading inline values,
and placing name fragments cut off by page breaks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from jixiao.model import Cell, RawIndicator

if TYPE_CHECKING:
    from extract.forms.rows import Row
    from jixiao.model import RawReport
from jixiao.segment import fragment_side
from jixiao.text import compact

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\(?[0-9]+[)、.]|\([一二三四五六七八九十]+\))")
_SUB_ITEM = re.compile(r"^其中[:：]")  # `其中：结转数` is the 结转数 label


def label_key(text: str) -> str:
    """Label text for matching: compact, trailing colon, leading numbering and 其中: removed."""
    return _SUB_ITEM.sub("", _NUMBERING.sub("", compact(text).rstrip(":：")))


def inline_value(text: str, labels: tuple[str, ...]) -> str | None:
    """``项目名称：电子政务`` written in one cell."""
    for sep in (":", "："):
        if sep in text:
            head, _, tail = text.partition(sep)
            if label_key(head) in labels and tail.strip():
                return tail.strip()
    return None


@dataclass
class ClassLabel:
    """A class label (类别) being read; it may arrive in pieces over several rows."""

    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)

    @property
    def has_points(self) -> bool:
        return "分" in compact(self.text)


@dataclass
class Entry:
    kind: str  # "indicator" or "fragment"
    label: ClassLabel
    indicator: RawIndicator | None = None
    text: str = ""


def attach_fragments(entries: list[Entry]) -> None:
    """Join each name fragment (a row with a name and no values) to the row it was cut from."""
    for i, entry in enumerate(entries):
        if entry.kind != "fragment":
            continue
        prev = next((e for e in reversed(entries[:i]) if e.kind == "indicator" and e.label is entry.label), None)
        follow = next((e for e in entries[i + 1 :] if e.kind == "indicator"), None)
        if follow is not None and follow.label is not entry.label:
            follow = None
        side = fragment_side(
            prev.indicator.name if prev and prev.indicator else None,
            entry.text,
            follow.indicator.name if follow and follow.indicator else None,
        )
        target = prev if side == "previous" else follow
        if target is None or target.indicator is None:
            continue
        if side == "previous":
            target.indicator.name = target.indicator.name + "\n" + entry.text
        else:
            target.indicator.name = entry.text + "\n" + target.indicator.name
        entry.kind = "joined"


# Labels printed beside the project fields on some copies of the forms; a value is never read
# past one of them, as it is never read past a project label.
OTHER_HEADER_LABELS = frozenset({"项目负责人", "负责人", "财务负责人", "联系人", "联系电话", "电话", "填报人", "填报日期",
                                 "项目类型", "项目属性", "资金来源"})


def rows_to_fields(rows: list[Row], labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Label → value fields (项目名称, 主管部门, …): the cell right of each label, or the text
    after a colon where label and value share a cell.

    Text dumps and borderless PDFs leave empty gap cells between a label and its value, so
    the value is the first non-empty cell before the next label. An empty value stays
    ``""``: the label's own cell is empty, and the next field's value is not this one's.
    """
    found: dict[str, str] = {}
    stops = {label for names in labels.values() for label in names} | OTHER_HEADER_LABELS
    for row in rows:
        cells = row.cells()
        for i, cell in enumerate(cells):
            for key, names in labels.items():
                if key in found:
                    continue
                inline = inline_value(cell.text, names)
                if inline is not None:
                    found[key] = inline
                elif label_key(cell.text) in names:
                    found[key] = value_right_of(cells[i + 1:], stops)
    return found


def value_right_of(cells: list[Cell], stops: set[str] | frozenset[str]) -> str:
    """The first non-empty cell of ``cells`` (those right of a label), ``""`` when a label comes first."""
    for cell in cells:
        if _is_label(cell.text, stops):
            return ""
        if cell.text.strip():
            return cell.text
    return ""


def _is_label(text: str, stops: set[str] | frozenset[str]) -> bool:
    head = text.replace("：", ":").partition(":")[0]
    return label_key(text) in stops or label_key(head) in stops


def entries_to_indicators(entries: list[Entry], raw: RawReport, total_label: str) -> None:
    """Place the name fragments, give each row its class label, and note what the table lacked."""
    attach_fragments(entries)
    for entry in entries:
        if entry.indicator is not None:
            entry.indicator.category_label = entry.label.text
            raw.indicators.append(entry.indicator)
    if not raw.indicators:
        raw.missing.append("绩效指标 (indicator rows)")
    if raw.reported_total is None:
        raw.missing.append(f"{total_label} (reported total)")
