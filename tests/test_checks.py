"""Report-level checks: totals, weights, money identities, subprojects, execution rate."""

from __future__ import annotations

import pytest

from jixiao.model import Indicator, Report
from normalize.values import parse_value
from validate import validate_report
from validate.profile import load_profile

SUZHOU = load_profile("suzhou-2017")
SEED_BUDGET = {"unit": "万元", "initial_budget": 3773.0, "adjustment": 0.0, "appropriation": 3773.0,
               "quota_balance": 0.0, "actual_payment": 3513.0, "fund_balance": 260.0,
               "carried_forward": 0.0, "recovered": 0.0}


def ind(category: str, points: float | None, weight: float, reported: float, name: str = "指标",
        target: str = "=10", actual: str = "=10") -> Indicator:
    return Indicator(category=category, category_points=points, name=name, target=parse_value(target),
                     weight=weight, actual=parse_value(actual), reported_score=reported)


def codes(report: Report) -> list[tuple[str, str]]:
    return sorted((f.code, f.subject) for f in report.flags)


def output_class(weights: list[float]) -> list[Indicator]:
    return [ind("产出", 24, w, w, name=f"产出{i}") for i, w in enumerate(weights)]


def test_seed_budget_flags_fund_balance_only() -> None:
    report = validate_report(Report("suzhou-2017", budget=dict(SEED_BUDGET)), SUZHOU)
    assert codes(report) == [("budget_identity", "fund_balance")]
    assert report.flags[0].rule == "资金结余、结转数 = 结转数 + 财政收回数"


def test_quota_balance_identity() -> None:
    budget = dict(SEED_BUDGET, quota_balance=10.0, carried_forward=200.0, recovered=60.0)
    report = validate_report(Report("suzhou-2017", budget=budget), SUZHOU)
    assert codes(report) == [("budget_identity", "quota_balance")]


def test_two_appropriation_figures_must_agree() -> None:
    # The second table is consistent with its own 财政拨款数 (3737 − 3513 = 224): one flag, not two.
    budget = dict(SEED_BUDGET, fund_balance=224.0, carried_forward=224.0)
    report = Report("suzhou-2017", budget=budget, appropriation_copies=[3773.0, 3737.0])
    assert codes(validate_report(report, SUZHOU)) == [("budget_identity", "appropriation")]


def test_equal_split_with_remainder_on_last_row_passes() -> None:
    report = validate_report(Report("suzhou-2017", indicators=output_class([2.18] * 10 + [2.2]),
                                    reported_total=24.0), SUZHOU)
    assert report.flags == []


def test_weights_not_adding_up_to_class_total() -> None:
    report = validate_report(Report("suzhou-2017", indicators=output_class([2.18] * 10 + [2.5]),
                                    reported_total=24.3), SUZHOU)
    assert codes(report) == [("weight_sum_mismatch", "产出")]


def test_uneven_split_in_equal_split_class() -> None:
    report = validate_report(Report("suzhou-2017", indicators=output_class([3.0, 1.38] + [2.18] * 9),
                                    reported_total=24.0), SUZHOU)
    assert codes(report) == [("weight_sum_mismatch", "产出")]


def test_uneven_input_weights_are_allowed() -> None:
    rows = [ind("投入", 26, w, w) for w in (3, 3, 1, 1, 6, 3, 1, 1, 1, 2, 1, 1, 1, 1)]
    report = validate_report(Report("suzhou-2017", indicators=rows, reported_total=26.0), SUZHOU)
    assert report.flags == []


def test_total_mismatch() -> None:
    report = validate_report(Report("suzhou-2017", indicators=output_class([2.18] * 10 + [2.2]),
                                    reported_total=25.0), SUZHOU)
    assert codes(report) == [("total_mismatch", "total")]
    assert report.flags[0].expected == pytest.approx(24.0)


def test_subproject_sum() -> None:
    subs = [{"name": "甲", "amount": 98.0}, {"name": "乙", "amount": 197.0}]
    assert codes(validate_report(Report("suzhou-2017", subprojects=subs, subprojects_total=295.0), SUZHOU)) == []
    assert codes(validate_report(Report("suzhou-2017", subprojects=subs, subprojects_total=300.0), SUZHOU)) == [
        ("subproject_sum_mismatch", "subprojects_total")]


def test_execution_rate_next_to_its_row() -> None:
    budget = dict(SEED_BUDGET, carried_forward=260.0)
    row = ind("投入", None, 6, 3.9, name="预算执行率", target="=100%", actual="=93%")
    report = validate_report(Report("suzhou-2017", budget=budget, indicators=[row]), SUZHOU)
    assert report.flags == []
    assert report.indicators[0].execution_rate == pytest.approx(93.109, abs=1e-3)

    row = ind("投入", None, 6, 4.8, name="预算执行率", target="=100%", actual="=96%")
    report = validate_report(Report("suzhou-2017", budget=budget, indicators=[row]), SUZHOU)
    assert codes(report) == [("execution_rate_mismatch", "预算执行率")]
