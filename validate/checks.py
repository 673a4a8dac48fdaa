"""Consistency checks over a whole report: totals, weights, money identities, subprojects."""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator

from jixiao.model import Flag, Indicator, Report
from validate.profile import Profile


def report_to_flags(report: Report, profile: Profile) -> list[Flag]:
    return [
        *total_flags(report, profile),
        *weight_flags(report, profile),
        *budget_flags(report, profile),
        *subproject_flags(report, profile),
        *execution_rate_flags(report, profile),
    ]


def total_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """The reported row scores must add up to the reported 合计 (spec 0.5)."""
    scores = [i.reported_score for i in report.indicators if i.reported_score is not None]
    if report.reported_total is None or not scores:
        return
    summed = sum(scores)
    if abs(summed - report.reported_total) > profile.sum_tolerance:
        yield Flag(
            "total_mismatch", "error", "total",
            f"the reported 自评分 of the rows add up to {summed:.2f}, but 合计 says {report.reported_total:g}",
            field="reported_total", reported=report.reported_total, expected=summed,
            rule=f"Σ 自评分 = 合计 (±{profile.sum_tolerance:g})",
        )


def weight_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """Weights add up to their class total; equal-split classes also share it evenly (spec A2)."""
    tol = profile.sum_tolerance
    classes: OrderedDict[str, list[tuple[int, Indicator]]] = OrderedDict()
    for i, ind in enumerate(report.indicators):
        classes.setdefault(ind.category, []).append((i, ind))
    for category, rows in classes.items():
        points = next((ind.category_points for _, ind in rows if ind.category_points is not None), None)
        weights = [ind.weight for _, ind in rows]
        if points is None or any(w is None for w in weights):
            continue
        total = sum(w for w in weights if w is not None)
        first = rows[0][0]
        field = f"indicators[{first}:{rows[-1][0] + 1}].weight"
        if abs(total - points) > tol:
            yield Flag(
                "weight_sum_mismatch", "error", category,
                f"{category} weights add up to {total:.2f}, but the class label says {points:g}分",
                field=field, reported=total, expected=points, rule=f"Σ 权重 = 类别分值 (±{tol:g})",
            )
            continue
        cls = profile.classes.get(category)
        if cls is None or cls.weights != "equal_split":
            continue
        share = points / len(rows)
        off = [(i, ind) for i, ind in rows[:-1] if ind.weight is not None and abs(ind.weight - share) > tol]
        if off:
            i, ind = off[0]
            yield Flag(
                "weight_sum_mismatch", "error", category,
                f"{category}: weight {ind.weight:g} of {ind.name} is not {points:g}/{len(rows)} = {share:.2f}",
                field=f"indicators[{i}].weight", reported=ind.weight, expected=share,
                rule="各项指标分值 = 该类总分值 / 指标个数 (last row takes the rounding remainder)",
            )
    class_points = [rows[0][1].category_points for rows in classes.values()]
    if report.section_points is not None and class_points and all(p is not None for p in class_points):
        summed = sum(p for p in class_points if p is not None)
        if abs(summed - report.section_points) > tol:
            yield Flag(
                "weight_sum_mismatch", "error", "section",
                f"the class totals add up to {summed:g}, but the section label says {report.section_points:g}分",
                field="indicators", reported=summed, expected=report.section_points,
                rule="Σ 类别分值 = 项目绩效实现情况分值",
            )


def budget_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """The money identities printed in the 填表说明 (spec A9)."""
    b = report.budget
    tol = profile.money_tolerance

    def check(subject: str, label: str, value: float | None, parts: list[float | None], formula: str) -> Iterator[Flag]:
        if value is None or any(p is None for p in parts):
            return
        expected = sum(p for p in parts if p is not None)
        if abs(value - expected) > tol:
            yield Flag(
                "budget_identity", "error", subject,
                f"{label} is {value:g} but {formula} gives {expected:g}",
                field=f"budget.{subject}", reported=value, expected=round(expected, 6), rule=formula,
            )

    neg = lambda x: None if x is None else -x  # noqa: E731
    yield from check("quota_balance", "指标结余数", b.get("quota_balance"),
                     [b.get("initial_budget"), b.get("adjustment"), neg(b.get("appropriation"))],
                     "指标结余数 = 年初预算数 + 当年使用上年结余、结转及当年调整预算数 − 财政拨款数")
    # Each identity uses the 财政拨款数 printed in its own table; a disagreement between the
    # two copies is flagged once below, not again through every identity.
    yield from check("fund_balance", "资金结余、结转数", b.get("fund_balance"),
                     [paid_from_appropriation(report), neg(b.get("actual_payment"))],
                     "资金结余、结转数 = 财政拨款数 − 实际支付数")
    yield from check("fund_balance", "资金结余、结转数", b.get("fund_balance"),
                     [b.get("carried_forward"), b.get("recovered")],
                     "资金结余、结转数 = 结转数 + 财政收回数")
    copies = [c for c in report.appropriation_copies if c is not None]
    if len(copies) > 1 and max(copies) - min(copies) > tol:
        yield Flag(
            "budget_identity", "error", "appropriation",
            f"财政拨款数 differs between the two money tables: {' vs '.join(f'{c:g}' for c in copies)}",
            field="budget.appropriation", reported=copies[1], expected=copies[0],
            rule="财政拨款数 (预算执行情况) = 财政拨款数 (资金使用情况)",
        )


def paid_from_appropriation(report: Report) -> float | None:
    """The 财政拨款数 of the 资金使用情况 table (the second copy), where 实际支付数 is printed."""
    copies = [c for c in report.appropriation_copies if c is not None]
    return copies[1] if len(copies) > 1 else report.budget.get("appropriation")


def subproject_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    amounts = [s["amount"] for s in report.subprojects]
    if report.subprojects_total is None or not amounts or any(a is None for a in amounts):
        return
    summed = sum(a for a in amounts if a is not None)
    if abs(summed - report.subprojects_total) > profile.money_tolerance:
        yield Flag(
            "subproject_sum_mismatch", "error", "subprojects_total",
            f"the {len(amounts)} 子项目 add up to {summed:g}, but 合计 says {report.subprojects_total:g}",
            field="subprojects_total", reported=report.subprojects_total, expected=round(summed, 6),
            rule=f"Σ 子项目实际金额 = 合计 (±{profile.money_tolerance:g})",
        )


def execution_rate_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """实际支付数 ÷ 财政拨款数 next to the 预算执行率 row (spec A10)."""
    paid, appropriated = report.budget.get("actual_payment"), paid_from_appropriation(report)
    if paid is None or not appropriated:
        return
    rate = 100.0 * paid / appropriated
    for i, ind in enumerate(report.indicators):
        if profile.execution_rate_indicator not in ind.name:
            continue
        ind.execution_rate = rate
        a = ind.actual
        if a.number is None or a.unit != "%":
            continue
        if abs(rate - a.number) > profile.execution_rate_tolerance:
            yield Flag(
                "execution_rate_mismatch", "warning", ind.name,
                f"the row reports {a.text} but 实际支付数/财政拨款数 = {paid:g}/{appropriated:g} = {rate:.1f}%",
                field=f"indicators[{i}].actual", reported=a.number, expected=round(rate, 2),
                rule=f"预算执行率 ≈ 实际支付数 ÷ 财政拨款数 (±{profile.execution_rate_tolerance:g} points, assumed)",
            )
