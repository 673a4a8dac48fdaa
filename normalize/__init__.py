"""Normalize: a ``RawReport`` of printed strings → a ``Report`` of names, numbers and parsed values.

No scoring happens here; validate does that with the form's rule profile.
"""

from __future__ import annotations

import re
from typing import Any

from jixiao.model import BUDGET_KEYS, CATEGORIES, Indicator, RawReport, ReadError, Report
from normalize.names import clean_name
from normalize.narrative import clean_narrative
from jixiao.text import compact, fold, rejoin
from normalize.values import parse_number, parse_value

_POINTS = re.compile(r"(\d+(?:\.\d+)?)\s*分")
# A printed class: its words before 指标 / 目标 and any (N分).
_PRINTED = re.compile(r"^([^\d(（]+?)(?:类)?(?:指标|目标)?(?:[(（].*)?$")
_YEAR = re.compile(r"(19|20)\d{2}")


def parse_category(label: str) -> tuple[str | None, float | None]:
    """``投入目标(26分)`` → (投入, 26.0); ``影响力目\\n标 (8分)`` → (影响力, 8.0); a class no form of
    the samples names is kept as printed, without 指标/目标 and its points (``成本指标`` → 成本)."""
    text = compact(label)
    points = _POINTS.search(text)
    name = next((c for c in CATEGORIES if c in text), None)
    if name is None:
        printed = _PRINTED.match(text)
        name = printed.group(1) if printed and printed.group(1) else None
    return name, float(points.group(1)) if points else None


def parse_year(raw: str | None) -> int | None:
    match = _YEAR.search(fold(raw or ""))
    return int(match.group(0)) if match else None


def raw_to_report(raw: RawReport) -> Report:
    report = Report(template=raw.template)
    report.project = {
        "name": _name_or_none(raw.project.get("name")),
        "year": parse_year(raw.project.get("year")),
        "department": _name_or_none(raw.project.get("department")),
    }
    if "implementing_unit" in raw.project:
        report.project["implementing_unit"] = _name_or_none(raw.project["implementing_unit"])

    report.budget = {"unit": raw.budget_unit}
    report.budget.update({key: parse_number(raw.budget.get(key)) for key in BUDGET_KEYS})
    report.appropriation_copies = [parse_number(c) for c in raw.appropriation_copies]

    report.subprojects = [
        {"name": clean_name(name), "amount": parse_number(amount)} for name, amount in raw.subprojects
    ]
    report.subprojects_total = parse_number(raw.subprojects_total)

    for row in raw.indicators:
        category, points = parse_category(row.category_label)
        if category is None and raw.class_column:
            report.errors.append(
                ReadError("unknown_category", f"indicator {clean_name(row.name)!r} has no class label (类别)")
            )
        report.indicators.append(
            Indicator(
                category=category or ("" if raw.class_column else None),
                category_points=points,
                name=clean_name(row.name),
                target=parse_value(row.target),
                weight=parse_number(row.weight),
                actual=parse_value(row.actual),
                reported_score=parse_number(row.score),
                page=row.page,
                subcategory=_name_or_none(row.extra.get("subcategory")),
                deviation_reason=clean_narrative(row.extra["deviation_reason"]) or None
                if "deviation_reason" in row.extra
                else None,
                coefficient=parse_number(row.extra.get("coefficient")),
            )
        )
    report.budget_lines = [budget_line(line) for line in raw.budget_lines]
    report.section_points = parse_number(raw.section_points)
    report.reported_total = parse_number(raw.reported_total)
    report.sections = {key: clean_narrative(text) for key, text in raw.sections.items()}
    report.sections_other = [{"heading": rejoin(fold(h)), "text": clean_narrative(t)} for h, t in raw.sections_other]
    report.scope = raw.scope
    report.document_kind = raw.document_kind
    report.stated_total = parse_number(raw.stated_total)
    report.stated_grade = raw.stated_grade
    report.notes = list(raw.notes)
    return report


def budget_line(line: dict[str, str]) -> dict[str, Any]:
    """A 项目资金 row: figures as numbers, 执行率 as a percentage (``96.5%`` → 96.5)."""
    out: dict[str, Any] = {"item": line["item"]}
    for key in ("initial_budget", "full_year_budget", "executed", "weight", "execution_rate", "reported_score"):
        out[key] = parse_number(line.get(key))
    rate_text = fold(line.get("execution_rate") or "")
    if out["execution_rate"] is not None and "%" not in rate_text and out["execution_rate"] <= 1.5:
        out["execution_rate"] *= 100  # written as a fraction (0.965)
    out["recomputed_score"] = None
    return out


def _name_or_none(raw: str | None) -> str | None:
    if raw is None:
        return None
    text = rejoin(fold(raw))
    return text or None
