"""Consistency checks over a whole report: totals, weights, money identities, subprojects."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator

from jixiao.model import Flag, Indicator, Report
from validate.archive_text import read_figures, short_by_figures, short_by_word, shortfall_word, trimmed
from validate.profile import Profile


def report_to_flags(report: Report, profile: Profile) -> list[Flag]:
    return [
        *total_flags(report, profile),
        *weight_flags(report, profile),
        *budget_flags(report, profile),
        *subproject_flags(report, profile),
        *execution_rate_flags(report, profile),
        *points_flags(report, profile),
        *deviation_flags(report, profile),
        *score_exceeds_weight_flags(report, profile),
        *stated_flags(report, profile),
        *full_score_despite_shortfall_flags(report, profile),
    ]


def budget_line_total(report: Report) -> dict[str, Any] | None:
    """The money row that carries the budget score: 年度资金总额, or the block's first row where the
    form names it otherwise (总额, 部门预算执行情况)."""
    lines = report.budget_lines
    return next((line for line in lines if line["item"] == "年度资金总额"), lines[0] if lines else None)


def score_exceeds_weight_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """A row's reported score above its weight (分值 / 权重): no rule of any form allows it."""
    if not profile.score_exceeds_weight:
        return
    for i, ind in enumerate(report.indicators):
        if ind.weight is not None and ind.reported_score is not None \
                and ind.reported_score > ind.weight + profile.sum_tolerance:
            yield Flag("score_exceeds_weight", "error", ind.name,
                       f"reported score {ind.reported_score:g} is above the row's weight {ind.weight:g}",
                       field=f"indicators[{i}].reported_score", reported=ind.reported_score, expected=ind.weight,
                       rule="自评分 ≤ 权重/分值")


def full_score_despite_shortfall_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """A row given its full weight while its actual misses its target (by the operator), its actual's word
    says it fell short (部分达成, 未达成), or its own 偏差原因 / 未完成原因 says so (未完成, 未达到, 滞后,
    尚未, 部分完成 …; a denied one such as 无滞后 or 未出现延期, or a delay its sentence says was made good
    (滞后，已于年底前全部完成), does not count).  A bare actual of at most 1 against a % target is read as a
    fraction (0.96 against ≥95% is 96%, met), and the flag's rule says so where it fired on that reading."""
    for i, ind in enumerate(report.indicators):
        if ind.weight is None or ind.reported_score is None or ind.weight <= 0 \
                or ind.reported_score < ind.weight - 0.005:
            continue
        rule = ("满分 (自评分 = 分值) 只给完成目标的指标: 实际完成值未达目标值, "
                "或偏差原因写明未完成/未达到/滞后/尚未/部分完成")
        if short_by_figures(ind.target, ind.actual):
            why = f"its actual {ind.actual.text} falls short of its target {ind.target.text}"
            note = (read_figures(ind.target, ind.actual) or (0, 0, None))[2]
            if note:  # a bare 0.86 against ≥95%, read as 86%
                why += f" (read as {ind.actual.number * 100:g}%)"
                rule += f"; {note}"
        elif word := short_by_word(ind.actual):
            why = f"its actual {ind.actual.text} says {word}"
        elif word := shortfall_word(ind.deviation_reason):
            why = f"its own 偏差原因 says {word}: 「{trimmed(ind.deviation_reason, 60)}」"
        else:
            continue
        yield Flag("full_score_despite_shortfall", "warning", ind.name,
                   f"scored its full weight {ind.weight:g}, but {why}",
                   field=f"indicators[{i}].reported_score", reported=ind.reported_score,
                   rule=rule)


def budget_execution_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """National form (spec B2): budget score = 分值 × min(1, 全年执行数 ÷ 全年预算数).

    Sets ``recomputed_score`` on the 年度资金总额 line."""
    rule_cfg = profile.budget
    line = budget_line_total(report)
    if rule_cfg is None or line is None:
        return
    i = report.budget_lines.index(line)
    subs = [ln for ln in report.budget_lines if ln is not line]
    base_key = "full_year_budget" if rule_cfg.rate_base == "full_year" else "initial_budget"

    def base_of(ln: dict[str, Any]) -> float | None:
        value = ln.get(base_key)
        return value if value else ln.get("initial_budget")

    base, executed = base_of(line), line.get("executed")
    if not base and not executed and any(base_of(ln) for ln in subs):
        base = sum(base_of(ln) or 0.0 for ln in subs)
        executed = sum(ln.get("executed") or 0.0 for ln in subs)
        yield Flag("total_row_empty", "info", line["item"],
                   "the 年度资金总额 row is empty: the budget score uses the sum of the rows below it",
                   field=f"budget_lines[{i}]", rule="年度资金总额 = Σ 当年财政拨款 + 上年结转资金 + 其他资金")
    if not base or executed is None:
        return
    weight = line.get("weight") if line.get("weight") is not None else rule_cfg.weight
    rate = executed / base
    score = weight * min(rule_cfg.cap, rate)
    line["recomputed_score"] = score
    rule = f"预算执行率 {executed:g}/{base:g} = {100 * rate:.1f}% → 分值 {weight:g} × min({rule_cfg.cap:g}, 执行率) = {score:.2f}"
    reported = line.get("reported_score")
    if reported is not None and abs(reported - score) > profile.score_tolerance:
        yield Flag("score_mismatch", "error", line["item"],
                   f"reported budget-execution 得分 {reported:g} but the rule gives {score:.2f}",
                   field=f"budget_lines[{i}].reported_score", reported=reported, expected=score, rule=rule)
    printed = line.get("execution_rate")
    if printed is not None and abs(printed - 100 * rate) > profile.execution_rate_tolerance:
        yield Flag("execution_rate_mismatch", "warning", line["item"],
                   f"the printed 执行率 {printed:g}% differs from 全年执行数/全年预算数 = {100 * rate:.1f}%",
                   field=f"budget_lines[{i}].execution_rate", reported=printed, expected=round(100 * rate, 2),
                   rule=f"执行率 = 全年执行数 ÷ 全年预算数 (±{profile.execution_rate_tolerance:g} points)")


def points_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """National form (spec B3): Σ 分值 + budget 分值 = 100, and the usual split."""
    if profile.total_points is None or not report.indicators:
        return
    line = budget_line_total(report)
    budget_weight = (line.get("weight") if line and line.get("weight") is not None
                     else profile.budget.weight if profile.budget else 0.0)
    weights = [i.weight for i in report.indicators]
    if any(w is None for w in weights):
        return
    total = sum(w for w in weights if w is not None) + (budget_weight or 0.0)
    if abs(total - profile.total_points) > profile.sum_tolerance:
        yield Flag("weight_sum_mismatch", "error", "total",
                   f"indicator 分值 plus the budget's {budget_weight:g} add up to {total:g}, not {profile.total_points:g}",
                   field="indicators", reported=total, expected=profile.total_points,
                   rule=f"Σ 分值 + 预算执行分值 = {profile.total_points:g}")
    if profile.split:
        classes: dict[str, float] = {}
        for ind in report.indicators:
            classes[ind.category] = classes.get(ind.category, 0.0) + (ind.weight or 0.0)
        actual = {**classes, "budget": budget_weight or 0.0}
        off = {k: v for k, v in actual.items() if abs(v - profile.split.get(k, 0.0)) > profile.sum_tolerance}
        if off:
            expected = ", ".join(f"{k} {v:g}" for k, v in profile.split.items())
            got = ", ".join(f"{k} {v:g}" for k, v in actual.items())
            yield Flag("nonstandard_split", "info", "split", f"points split {got}; the standard is {expected}",
                       field="indicators", rule=f"standard split: {expected} (local forms may differ)")


def deviation_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """National form (spec B9): a row scored below its weight needs 偏差原因分析及改进措施."""
    if not profile.deviation_required:
        return
    for i, ind in enumerate(report.indicators):
        if ind.weight is None or ind.deviation_reason:
            continue
        below = [s for s in (ind.reported_score, ind.recomputed_score) if s is not None and s < ind.weight - 0.005]
        if below:
            yield Flag("missing_deviation_reason", "warning", ind.name,
                       f"scored {min(below):g} of {ind.weight:g} but 偏差原因分析及改进措施 is empty",
                       field=f"indicators[{i}].deviation_reason",
                       rule="得分低于分值的指标须填写偏差原因分析及改进措施")


def total_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """The reported row scores (and the budget score, where the form has one) must add up to
    the reported 合计/总分 (spec 0.5)."""
    scores = [i.reported_score for i in report.indicators if i.reported_score is not None]
    if report.reported_total is None or not scores:
        return
    line = budget_line_total(report)
    budget_reported = line.get("reported_score") if line else None
    summed = sum(scores) + (budget_reported or 0.0)
    if abs(summed - report.reported_total) > profile.sum_tolerance:
        yield Flag(
            "total_mismatch", "error", "total",
            f"the reported scores add up to {summed:.2f}, but the total says {report.reported_total:g}",
            field="reported_total", reported=report.reported_total, expected=summed,
            rule=f"Σ 自评分{' + 预算执行得分' if budget_reported is not None else ''} = 合计/总分 (±{profile.sum_tolerance:g})",
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


# A grade as reports write it → the grade of the score bands.
GRADE_WORDS = {"优秀": "优", "优": "优", "良好": "良", "良": "良", "中等": "中", "中": "中", "合格": "中",
               "不合格": "差", "较差": "差", "差": "差"}


def form_total(report: Report) -> float | None:
    """The form's total: its printed 合计/总分, else the sum of its reported parts."""
    if report.reported_total is not None:
        return report.reported_total
    scores = [i.reported_score for i in report.indicators if i.reported_score is not None]
    if not scores:
        return None
    line = budget_line_total(report)
    return sum(scores) + ((line or {}).get("reported_score") or 0.0)


def stated_flags(report: Report, profile: Profile) -> Iterator[Flag]:
    """What a report's prose states against its table (spec: 自评得分 in the text = the form's total)
    and against the grade bands."""
    total = form_total(report)
    stated = report.stated_total
    if stated is not None and total is not None and abs(stated - total) > profile.score_tolerance:
        yield Flag("stated_total_mismatch", "error", "total",
                   f"the report states a total of {stated:g}, but its table gives {total:g}",
                   field="stated_total", reported=stated, expected=total,
                   rule="报告所述自评得分 = 自评表总分 (合计/总分, or the sum of its parts)")
    grade = GRADE_WORDS.get(report.stated_grade or "")
    score = stated if stated is not None else total
    if grade is None or score is None or grade not in profile.grade_bands:
        return
    lo, hi = profile.grade_bands[grade]
    top = hi >= max(h for _, h in profile.grade_bands.values())
    if not (lo <= score < hi or (top and score == hi)):
        fits = next((g for g, (a, b) in profile.grade_bands.items() if a <= score < b or (b == 100 and score == b)), "?")
        bands = ", ".join(f"{g} {a:g}–{b:g}" for g, (a, b) in profile.grade_bands.items())
        yield Flag("grade_mismatch", "warning", "grade",
                   f"the report states the grade {report.stated_grade} for a score of {score:g}, which is {fits}",
                   field="stated_grade", reported=report.stated_grade, expected=fits,
                   rule=f"等级与得分区间: {bands} (profile grade_bands)")
