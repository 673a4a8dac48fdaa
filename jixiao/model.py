"""The vocabulary of jixiao: every record passed between stages, defined once.

Two families live here:

* the format-neutral **document** a reader produces (``Document`` of ``Table`` and
  ``Paragraph`` blocks, tables made of ``Cell``), which knows nothing of report forms;
* the **report** a form parser fills in (``RawReport`` of raw strings) and the checked
  record that normalize/validate make of it (``Report``, ``Indicator``, ``Flag``).

Chinese source terms are given for each field so that a reader of the form can find it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Union

SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- document


@dataclass(frozen=True)
class Cell:
    """One table cell, reported once even when merged.

    ``row``/``col`` are the top-left grid slot; ``rowspan``/``colspan`` how many grid
    rows and columns the cell covers (Word vMerge / gridSpan, PDF spanning boxes).
    ``text`` keeps the cell's own line breaks (``\\n``) so that normalize can decide
    which of them are wrapping and which are meaningful.
    """

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None


@dataclass(frozen=True)
class Table:
    """A table as a list of cells over an ``n_rows`` × ``n_cols`` grid."""

    cells: tuple[Cell, ...]
    n_rows: int
    n_cols: int
    page: int | None = None

    def grid(self) -> list[list[Cell | None]]:
        """Each grid slot filled with the cell covering it (the same object across a span)."""
        slots: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    slots[r][c] = cell
        return slots


@dataclass(frozen=True)
class Paragraph:
    """Running text outside tables (titles, 填表说明, notes, a prose report's body).

    ``level`` is the heading level where the file marks one (a Word heading style, an HTML
    ``<h2>``, a PDF line set larger and alone); numbered headings (一、 / （一） / 1.) are found
    from the text by the prose reader whatever the reader says."""

    text: str
    page: int | None = None
    level: int | None = None
    marked: bool = False  # set apart as a heading would be: bold, centred or larger, and short


Block = Union[Table, Paragraph]


@dataclass(frozen=True)
class Document:
    """What a reader makes of a file: blocks in reading order, and facts about the source."""

    blocks: tuple[Block, ...]
    format: str
    pages: int | None = None
    ocr: bool = False
    notes: tuple[str, ...] = ()

    def tables(self) -> Iterator[Table]:
        return (b for b in self.blocks if isinstance(b, Table))

    def text(self) -> str:
        """All text, tables included, for template recognition."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            else:
                parts.extend(c.text for c in block.cells)
        return "\n".join(parts)


# --------------------------------------------------------------------------- raw report


@dataclass
class RawIndicator:
    """One row of the indicator table (绩效指标) as printed, strings untouched.

    category_label  类别, e.g. ``投入目标(26分)`` (may arrive split over lines)
    name            指标名称, fragments joined with ``\\n`` where a row continued
    target          目标值 / 年度指标值
    weight          权重 / 分值
    actual          实际完成值
    score           自评分 / 得分
    extra           other cells of the row (remarks, 偏差原因) keyed by header
    """

    category_label: str
    name: str
    target: str
    weight: str
    actual: str
    score: str
    page: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class RawReport:
    """Everything a form parser found, as raw strings keyed by the contract's names."""

    template: str
    project: dict[str, str] = field(default_factory=dict)
    budget: dict[str, str] = field(default_factory=dict)
    budget_unit: str | None = None
    appropriation_copies: list[str] = field(default_factory=list)
    subprojects: list[tuple[str, str]] = field(default_factory=list)
    subprojects_total: str | None = None
    indicators: list[RawIndicator] = field(default_factory=list)
    section_points: str | None = None
    reported_total: str | None = None
    sections: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    budget_lines: list[dict[str, str]] = field(default_factory=list)  # national form: 项目资金 rows
    indicator_points_total: str | None = None  # 分值 printed on the 总分 row
    sections_other: list[tuple[str, str]] = field(default_factory=list)  # (heading, text) of no canonical key
    scope: str = "project"  # project (项目支出) or department (部门整体支出)
    class_column: bool = True  # False where the form prints no class (一级指标) at all
    document_kind: str = "form"  # form | report (prose 自评报告) | report_with_form
    stated_total: str | None = None  # the total score the prose states (自评得分97分)
    stated_grade: str | None = None  # the grade it states (评价等级为“优”)
    notes: list[str] = field(default_factory=list)  # how the form was read where it was not plain (source.notes)


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class Value:
    """A parsed 目标值 or 实际完成值: operator, number and unit, or a qualitative word.

    op      ``>=``, ``<=`` or ``=`` (``None`` for words and blanks)
    number  the figure, thousands separators removed
    unit    what followed the number (``%``, ``个``, ``万元``)
    word    the text when there is no number (``合规``, ``好``, ``提升``)
    """

    text: str
    op: str | None = None
    number: float | None = None
    unit: str = ""
    word: str | None = None

    @property
    def is_blank(self) -> bool:
        return self.number is None and not self.word

    @property
    def is_number(self) -> bool:
        return self.number is not None


@dataclass
class Indicator:
    """One scored row of 绩效指标, normalised, then rescored by validate."""

    category: str | None
    category_points: float | None
    name: str
    target: Value
    weight: float | None
    actual: Value
    reported_score: float | None
    page: int | None = None
    subcategory: str | None = None
    deviation_reason: str | None = None
    recomputed_score: float | None = None
    rule: str | None = None
    reading: str | None = None
    execution_rate: float | None = None
    coefficient: float | None = None  # 得分系数 (%), where the form scores by it (重庆 部门整体)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "category_points": self.category_points,
            "name": self.name,
            "target": self.target.text,
            "weight": self.weight,
            "actual": self.actual.text,
            "reported_score": self.reported_score,
            "recomputed_score": _round(self.recomputed_score),
            "rule": self.rule,
            "page": self.page,
            "subcategory": self.subcategory,
            "deviation_reason": self.deviation_reason,
        }
        if self.reading is not None:
            out["reading"] = self.reading
        if self.execution_rate is not None:
            out["project_execution_rate"] = _round(self.execution_rate, 2)
        if self.coefficient is not None:
            out["score_coefficient"] = _round(self.coefficient)
        return out


@dataclass(frozen=True)
class Flag:
    """A finding of the validator: something in the form does not add up.

    code        stable code (score_mismatch, total_mismatch, …)
    severity    error (the figures disagree), warning (look at it), info (a rule assumption was used)
    subject     indicator name, contract key (``fund_balance``) or ``total``
    field       path in the record, e.g. ``indicators[4].reported_score``
    rule        the rule that was applied, in words an auditor can check
    """

    code: str
    severity: str
    subject: str
    message: str
    field: str | None = None
    reported: Any = None
    expected: Any = None
    rule: str | None = None
    rule_confidence: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "subject": self.subject,
            "field": self.field,
            "message": self.message,
            "reported": _round(self.reported) if isinstance(self.reported, float) else self.reported,
            "expected": _round(self.expected) if isinstance(self.expected, float) else self.expected,
            "rule": self.rule,
        }
        if self.rule_confidence:
            out["rule_confidence"] = self.rule_confidence
        return out


@dataclass(frozen=True)
class ReadError:
    """Why (part of) a document could not be used: ``errors[]`` in the record."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class Report:
    """The checked record of one report; ``to_json`` gives the contract's shape."""

    template: str
    project: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    appropriation_copies: list[float | None] = field(default_factory=list)  # 财政拨款数 is printed twice
    subprojects: list[dict[str, Any]] = field(default_factory=list)
    subprojects_total: float | None = None
    indicators: list[Indicator] = field(default_factory=list)
    section_points: float | None = None
    reported_total: float | None = None
    recomputed_total: float | None = None
    sections: dict[str, str] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    profile: str | None = None
    sections_other: list[dict[str, str]] = field(default_factory=list)
    scope: str = "project"
    document_kind: str = "form"
    stated_total: float | None = None
    stated_grade: str | None = None
    notes: list[str] = field(default_factory=list)
    budget_lines: list[dict[str, Any]] = field(default_factory=list)
    """National form 项目资金: item, initial_budget (年初预算数), full_year_budget (全年预算数),
    executed (全年执行数), weight (分值), execution_rate (执行率, percent), reported_score (得分),
    recomputed_score."""


BUDGET_KEYS = (
    "initial_budget",  # 年初预算数
    "adjustment",  # 当年使用上年结余、结转及当年调整预算数
    "appropriation",  # 财政拨款数
    "quota_balance",  # 指标结余数
    "actual_payment",  # 实际支付数
    "fund_balance",  # 资金结余、结转数
    "carried_forward",  # 结转数
    "recovered",  # 财政收回数
)

# First-level classes (一级指标) of the Suzhou and national forms, longest first so that 影响力 is not
# read as 影响; a class another form prints is kept as printed.
CATEGORIES = ("影响力", "满意度", "投入", "产出", "结果", "效益")

SECTION_KEYS = (
    "项目概况",
    "项目总目标",
    "年度绩效目标",
    "项目实施情况",
    "项目管理成效",
    "存在问题",
    "建议",
    "年度总体目标",
    "总体目标完成情况",
    "自评结论",
)


def _round(x: Any, places: int = 6) -> Any:
    # Full precision is kept for sums; six places only hide float noise (77.89999999).
    if isinstance(x, float):
        return round(x, places)
    return x
