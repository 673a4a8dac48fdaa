"""Validate: rescore every indicator with the form's rule profile and collect flags.

Findings are collected, never raised: a form that does not add up is the product, not a
failure. Each flag names the rule that was applied so that an auditor can check it.
"""

from __future__ import annotations

from dataclasses import replace

from jixiao.model import Flag, Indicator, Report
from validate.checks import budget_execution_flags, budget_line_total, report_to_flags
from validate.profile import Profile
from validate.rescore import indicator_to_outcome

__all__ = ["Profile", "validate_report"]


def validate_report(report: Report, profile: Profile) -> Report:
    """Fill ``recomputed_score``/``rule`` of every indicator, ``recomputed_total`` and ``flags``."""
    report.profile = profile.name
    flags: list[Flag] = []
    undecided = 0
    total = 0.0
    for i, ind in enumerate(report.indicators):
        flags.extend(_rescore(i, ind, profile))
        if ind.recomputed_score is None:
            undecided += 1
            total += ind.reported_score or 0.0
        else:
            total += ind.recomputed_score
    flags.extend(budget_execution_flags(report, profile))
    line = budget_line_total(report)
    if line is not None and line.get("recomputed_score") is not None:
        total += line["recomputed_score"]
    elif line is not None and line.get("reported_score") is not None:
        undecided += 1
        total += line["reported_score"]
    report.recomputed_total = total if report.indicators else None
    if undecided:
        flags.append(Flag(
            "recomputed_total_partial", "info", "total",
            f"{undecided} row(s) could not be rescored; recomputed_total counts their reported scores",
            field="recomputed_total", rule="undecided rows enter the recomputed total at their reported score",
        ))
    flags.extend(report_to_flags(report, profile))
    if profile.confidence == "low":  # the form's own rules are not known: every finding says so
        flags = [replace(f, rule_confidence="low") for f in flags]
    report.flags = flags
    return report


def _rescore(i: int, ind: Indicator, profile: Profile) -> list[Flag]:
    outcome = indicator_to_outcome(ind, profile)
    ind.recomputed_score = outcome.score
    ind.rule = outcome.rule
    ind.reading = outcome.reading
    flags = [
        Flag(f.code, f.severity, ind.name, f.message, field=f"indicators[{i}].{f.field}", rule=outcome.rule)
        for f in outcome.findings
    ]
    reported = ind.reported_score
    if reported is None:
        flags.append(Flag("missing_value", "warning", ind.name, "自评分 (reported score) is empty",
                          field=f"indicators[{i}].reported_score", rule=outcome.rule))
        return flags
    if outcome.score is None:
        return flags
    tol = profile.score_tolerance
    if outcome.alternatives:
        # The spec allows other readings (A8): the one closest to the reported score is taken
        # when it is within tolerance, and recorded.
        name, alt = min(outcome.alternatives.items(), key=lambda kv: abs(kv[1] - reported))
        if abs(alt - reported) <= tol and abs(alt - reported) < abs(outcome.score - reported):
            ind.recomputed_score = alt
            ind.reading = name
            ind.rule = f"{outcome.rule}; 采用读法二 (closest to the reported score)"
            return flags
    delta = ind.recomputed_score - reported if ind.recomputed_score is not None else 0.0
    if abs(delta) > tol or outcome.out_of_band:
        special = profile.special_for(ind.name)
        note = f" Low confidence: {special.note}." if special and special.confidence == "low" else ""
        if outcome.out_of_band:
            message = (f"reported 自评分 {reported:g} lies outside the band its outcome allows; "
                       f"the nearest allowed score is {ind.recomputed_score:.2f}.{note}")
        else:
            message = f"reported 自评分 {reported:g} but the rules give {ind.recomputed_score:.2f} (Δ {abs(delta):.2f}).{note}"
        flags.append(Flag(
            "score_mismatch", "error", ind.name, message,
            field=f"indicators[{i}].reported_score", reported=reported, expected=ind.recomputed_score,
            rule=ind.rule, rule_confidence=special.confidence if special else "high",
        ))
    return flags
