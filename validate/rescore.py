"""Rescoring one indicator row with a rule profile: the score the form's rules give, and why."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from jixiao.model import Indicator, Value
from validate.profile import ClassRule, Profile


@dataclass
class RowFinding:
    code: str
    severity: str
    message: str
    field: str = "actual"


@dataclass
class Outcome:
    """What the rules give for one row.

    ``score`` is None only where the rules cannot decide (a finding says why);
    ``alternatives`` holds other readings the rules allow (spec A8) by name.
    """

    score: float | None
    rule: str
    reading: str | None = None
    alternatives: dict[str, float] = field(default_factory=dict)
    findings: list[RowFinding] = field(default_factory=list)
    out_of_band: bool = False  # the reported score breaks a band rule: a mismatch whatever the distance


def indicator_to_outcome(ind: Indicator, profile: Profile) -> Outcome:
    outcome = _outcome(ind, profile)
    scores = [outcome.score, *outcome.alternatives.values()]
    if any(s is not None and not math.isfinite(s) for s in scores):
        # Huge figures (a long run of digits) can overflow the rule's arithmetic; no score is
        # better than an infinite one in the record.
        return Outcome(None, f"{outcome.rule} → 数值溢出, 人工复核", findings=[*outcome.findings, RowFinding(
            "needs_review", "warning", f"target {ind.target.text!r} / actual {ind.actual.text!r} / weight "
            f"{ind.weight!r}: the figures are too large for the rule's arithmetic")])
    return outcome


def _outcome(ind: Indicator, profile: Profile) -> Outcome:
    w = ind.weight
    if w is None:
        return Outcome(None, "权重缺失 → 无法评分", findings=[RowFinding("missing_value", "warning", "权重 (weight) is empty", "weight")])
    if profile.scoring == "coefficient":
        return _by_coefficient(ind, w)
    cls = profile.classes.get(ind.category) if ind.category is not None else None
    cls = cls or profile.classes.get("*")  # "*": any class the form prints (成本, 过程) or none
    if cls is None:
        msg = f"class {ind.category or '(none)'!r} has no rule in profile {profile.name}"
        return Outcome(None, "类别不在规则配置中 → 无法评分", findings=[RowFinding("needs_review", "warning", msg, "category")])

    if ind.actual.is_blank:
        explanation = ind.deviation_reason
        if explanation:
            return Outcome(None, "实际完成值缺失但有说明 → 人工复核", findings=[
                RowFinding("needs_review", "warning", "实际完成值 is empty but the row explains why: check by hand")])
        return Outcome(0.0, "实际完成值缺失且无说明 → 0分 (无法提供具体数值，且无说明，得0分)", findings=[
            RowFinding("missing_value", "warning", "实际完成值 (actual) is empty and the row gives no explanation: the rule gives 0")])

    if profile.qualitative == "reported" and ind.actual.word is not None:
        return _qualitative_reported(ind, w)
    if profile.qualitative == "bands":
        banded = _qualitative_bands(ind, w, profile)
        if banded is not None:
            return banded
    else:
        qualitative = _qualitative(ind, w, profile)
        if qualitative is not None:
            return qualitative
    if profile.scoring == "proportional":
        return _proportional(ind, w, profile)
    return _quantitative(ind, w, cls, profile)


def _by_coefficient(ind: Indicator, w: float) -> Outcome:
    """重庆 部门整体 form: 指标得分 = 得分系数 × 指标权重, the form's own arithmetic."""
    k = ind.coefficient
    if k is None:
        return Outcome(None, "得分系数缺失 → 无法评分", findings=[RowFinding(
            "missing_value", "warning", "得分系数 (score coefficient) is empty", "score_coefficient")])
    return Outcome(w * k / 100.0, f"得分系数 {k:g}% × 指标权重 {w:g} = {w * k / 100.0:.2f}")


def _qualitative_reported(ind: Indicator, w: float) -> Outcome:
    """A form whose rules are not known (generic): a word outcome keeps its reported score where
    that lies in [0, weight] (assumed), else the nearest edge."""
    s = ind.reported_score
    if s is None:
        return Outcome(None, f"定性: “{ind.actual.word}” → 无自评分")
    edge = min(max(s, 0.0), w)
    if edge == s:
        return Outcome(s, f"定性: “{ind.actual.word}” → 自评 {s:g} 在 [0, {w:g}] 内 (assumed: rules of the form unknown)")
    return Outcome(edge, f"定性: “{ind.actual.word}” → 自评 {s:g} 超出 [0, {w:g}] → {edge:g} (assumed)", out_of_band=True)


def _qualitative_bands(ind: Indicator, w: float, profile: Profile) -> Outcome | None:
    """National form (spec B8): the outcome word fixes a band the reported score must fall in."""
    t, a = ind.target, ind.actual
    if a.word is None:
        if t.word is not None and a.is_number:
            return Outcome(None, "定性目标, 实际完成值为数值 → 人工复核", findings=[RowFinding(
                "needs_review", "warning", f"word target {t.text!r} with a figure {a.text!r}: check by hand")])
        return None
    findings: list[RowFinding] = []
    # Longest outcome first: 部分达成 and 未达成 contain 达成.
    outcome = next((o for o in sorted(profile.bands, key=len, reverse=True) if o in a.word), None)
    if outcome is None:
        outcome = profile.unmapped_grade or next(iter(profile.bands))
        findings.append(RowFinding("qualitative_unmapped", "info",
                                   f"{a.word!r} is not one of {'/'.join(profile.bands)}: read as {outcome} (assumed)"))
    lo, hi = profile.bands[outcome]
    top = hi >= 1.0
    low_edge, high_edge = w * lo, w * hi if top else w * hi - 0.01
    band = f"[{lo:.0%}, {hi:.0%}{']' if top else ')'}"
    s = ind.reported_score
    if s is None:
        return Outcome(None, f"定性: {outcome} → 分值×{band}; 无自评分", findings=findings)
    if low_edge - 1e-9 <= s <= high_edge + 1e-9:
        return Outcome(s, f"定性: {outcome} → 分值×{band}, 自评 {s:g} 在区间内", findings=findings)
    edge = high_edge if s > high_edge else low_edge
    return Outcome(edge, f"定性: {outcome} → 分值×{band}, 自评 {s:g} 在区间外 → 最近边界 {edge:.2f}",
                   findings=findings, out_of_band=True)


def _proportional(ind: Indicator, w: float, profile: Profile) -> Outcome:
    """National form (spec B4–B7): share of the target reached, reverse rows both ways."""
    t = ind.target
    figures = _figures(ind, w)
    if isinstance(figures, Outcome):
        return figures
    tn, an = figures
    reverse = t.op == "<="
    if tn == 0 and (reverse or t.op == "="):
        score = w if an == 0 else 0.0
        return Outcome(score, f"目标值为0: 实际 {an:g} → {'满分' if an == 0 else '0分'}")
    if reverse:
        if an <= tn:
            return Outcome(w, f"反向指标 实际 {an:g} ≤ 目标 {tn:g} → 满分")
        scores = {"ratio": w * tn / an, "linear": w * max(0.0, 1 - (an - tn) / tn)}
        first, *others = profile.reverse_formula
        rule = "; ".join(f"{'比值法 目标/实际' if f == 'ratio' else '线性法'} → {scores[f]:.2f}" for f in profile.reverse_formula)
        return Outcome(scores[first], f"反向指标 实际 {an:g} > 目标 {tn:g}: {rule}", reading=first,
                       alternatives={f: scores[f] for f in others})
    if tn == 0:
        return Outcome(w, "目标值为0 → 满分")
    r = 100.0 * an / tn
    if an >= tn:
        outcome = Outcome(w, f"完成率 {an:g}/{tn:g} = {r:.1f}% ≥ 100% → 满分")
        if profile.over_achievement_at is not None and r >= profile.over_achievement_at:
            outcome.findings.append(RowFinding(
                "over_achievement", "info",
                f"completion {r:.0f}% is at or above {profile.over_achievement_at:g}%: the target may have been set "
                f"too low{'' if ind.deviation_reason else '; the deviation column gives no explanation'} (no deduction)"))
        return outcome
    return Outcome(w * an / tn, f"完成率 {an:g}/{tn:g} = {r:.1f}% → 分值×{r:.1f}%")


def _qualitative(ind: Indicator, w: float, profile: Profile) -> Outcome | None:
    t, a = ind.target, ind.actual
    grades = profile.grades
    if a.word is not None and a.word in grades:
        share = grades[a.word]
        return Outcome(w * share, f"定性: {a.word} → 权重×{share:.0%}")
    if t.word is None and a.word is None:
        return None
    if t.word is not None and a.word is not None and a.word == t.word:
        share = grades[profile.echo_grade]
        return Outcome(w * share, f"定性: 实际完成值与目标值同为“{a.word}” → 按“{profile.echo_grade}”计 权重×{share:.0%} (assumed)")
    if t.word is not None and a.is_number and a.number == 100 and a.unit == "%":
        share = grades[profile.mixed_grade]
        return Outcome(
            w * share,
            f"定性: 目标值“{t.word}”, 实际完成值 {a.text} → 按“{profile.mixed_grade}”计 权重×{share:.0%} (assumed)",
            findings=[RowFinding("mixed_qualitative", "info",
                                 f"word target {t.word!r} with actual {a.text!r}: scored as {profile.mixed_grade} (assumed rule)")],
        )
    if t.is_blank:
        return _blank_target()
    words = "/".join(profile.grades)
    return Outcome(None, "定性: 实际完成值不是等级词 → 人工复核", findings=[RowFinding(
        "needs_review", "warning", f"target {t.text!r} / actual {a.text!r}: not a grade ({words}) and not comparable numbers")])


def _quantitative(ind: Indicator, w: float, cls: ClassRule, profile: Profile) -> Outcome:
    t, a = ind.target, ind.actual
    figures = _figures(ind, w)
    if isinstance(figures, Outcome):
        return figures
    reverse = t.op == "<="
    r, how = completion_rate(t, a, profile.reverse_formula[0])
    label = f"{ind.category}: {how}"
    score, band = band_score(r, w, cls)
    assumed = " (影响力按结果类规则, assumed)" if cls.assumed else ""
    outcome = Outcome(score, f"{label} {band}{assumed}", reading="completion" if r < cls.full_from else None)
    if r < cls.full_from and "difference" in profile.percent_readings and t.unit == "%" and t.number != 100:
        points = (a.number - t.number) if reverse else (t.number - a.number)
        alt = w * max(0.0, 1 - cls.shortfall_per_point * points)
        outcome.alternatives["difference"] = alt
        outcome.rule += f"; 读法二 (百分点差 {points:g}) → {alt:.2f}"
    if "completion" not in profile.percent_readings and "difference" in outcome.alternatives:
        outcome.score, outcome.reading = outcome.alternatives.pop("difference"), "difference"
    return outcome


def _figures(ind: Indicator, w: float) -> tuple[float, float] | Outcome:
    """Target and actual figures for the numeric rules, or the outcome saying why there are none.

    Any cell text can reach the numeric rules (a blank 目标值, a word where a figure was
    expected); such a row is flagged and left unscored so that the rest of the report is
    still rescored.
    """
    t, a = ind.target, ind.actual
    tn, an = t.number, a.number
    if t.is_blank:
        return _blank_target()
    if tn is None or an is None:
        return Outcome(None, "目标值或实际完成值无数值 → 人工复核", findings=[RowFinding(
            "needs_review", "warning", f"target {t.text!r} / actual {a.text!r}: no figures to compare")])
    if tn < 0 or an < 0:
        # The completion-rate rules (spec 0.2) divide by these figures and assume they count
        # something; a negative one would divide by zero or give a negative score.
        return Outcome(None, "目标值或实际完成值为负数 → 人工复核", findings=[RowFinding(
            "needs_review", "warning", f"target {t.text!r} / actual {a.text!r}: a negative figure, the rules do not apply")])
    if t.unit and a.unit and t.unit != a.unit:
        return Outcome(None, f"单位不一致 ({t.unit} / {a.unit}) → 无法评分", findings=[RowFinding(
            "unit_mismatch", "warning", f"target unit {t.unit!r} differs from actual unit {a.unit!r}: not rescored")])
    return tn, an


def _blank_target() -> Outcome:
    return Outcome(None, "目标值缺失 → 无法评分", findings=[RowFinding(
        "missing_value", "warning", "目标值 (target) is empty: nothing to compare the actual value with", "target")])


def completion_rate(t: Value, a: Value, reverse_formula: str = "ratio") -> tuple[float, str]:
    """Completion rate r in percent (spec 0.2) and how it was computed, in words."""
    assert t.number is not None and a.number is not None
    tn, an = t.number, a.number
    reverse = t.op == "<="
    if tn == 0:
        if reverse or t.op == "=":
            r = 100.0 if an == 0 else 0.0
            return r, f"目标值为0, 实际 {an:g} → 完成率 {r:.0f}%"
        return 100.0, "目标值为0 → 完成率 100%"
    if reverse:
        if an <= tn:
            return 100.0, f"反向指标 实际 {an:g} ≤ 目标 {tn:g} → 完成率 100%"
        if reverse_formula == "linear":
            r = 100.0 * max(0.0, 1 - (an - tn) / tn)
            return r, f"反向指标 实际 {an:g} > 目标 {tn:g}, 线性 → 完成率 {r:.1f}% (assumed)"
        r = 100.0 * tn / an
        return r, f"反向指标 完成率 = 目标/实际 = {r:.1f}% (assumed)"
    r = 100.0 * an / tn
    return r, f"完成率 {an:g}/{tn:g} = {r:.1f}%"


def band_score(r: float, w: float, cls: ClassRule) -> tuple[float, str]:
    """A class's band rule (spec A4/A6) applied to completion rate r and weight w."""
    hi = cls.full_to
    if r < cls.full_from:
        short = cls.full_from - r
        score = w * max(0.0, 1 - cls.shortfall_per_point * short)
        return score, f"低于 {cls.full_from:g}% {short:.2f} 点 × {cls.shortfall_per_point:.0%} → {score:.4g}"
    if hi is not None and r > hi:
        over = r - hi
        score = w * max(0.0, 1 - cls.excess_per_point * over)
        return score, f"超过 {hi:g}% {over:.2f} 点 × {cls.excess_per_point:.0%} → {score:.4g}"
    where = f"在 {cls.full_from:g}–{hi:g}% 区间" if hi is not None else f"≥ {cls.full_from:g}%"
    return w, f"{where} → 满分"
