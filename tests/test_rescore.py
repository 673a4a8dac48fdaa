"""Rescoring against the worked examples of shared/spec/scoring-rules.md part (a)."""

from __future__ import annotations

import pytest

from jixiao.model import Indicator, Report
from normalize.values import parse_value
from validate import validate_report
from validate.profile import load_profile
from validate.rescore import indicator_to_outcome

SUZHOU = load_profile("suzhou-2017")


def row(category: str, target: str, weight: float, actual: str, reported: float | None = None,
        name: str = "指标") -> Indicator:
    return Indicator(category=category, category_points=None, name=name, target=parse_value(target),
                     weight=weight, actual=parse_value(actual), reported_score=reported)


@pytest.mark.parametrize(
    "category, target, weight, actual, expected",
    [
        ("产出", "=805个", 2.18, "=1000个", 2.18),        # r = 124.2 → in band
        ("产出", "=100%", 2.18, "=97.5%", 1.9075),        # A4: 2.5 points × 5 %
        ("产出", "=100%", 2.18, "=85%", 0.545),
        ("产出", "=100%", 2.18, "=150%", 1.744),          # above 130: 1 % per point
        ("产出", "≥500000个", 2.44, "=2690000个", 0.0),   # r = 538 in 产出 → 0
        ("结果", "≥500000个", 2.44, "=2690000个", 2.44),  # A6: no penalty for overshooting
        ("结果", "=100%", 2.44, "=90%", 1.22),
        ("影响力", "≥95%", 2.0, "=100%", 2.0),            # A7: 结果 rule, r = 105.3
        ("投入", "=100%", 6.0, "=93%", 3.9),              # A5: 预算执行率 of the seed
        ("投入", "15%及其以下", 1.0, "=1%", 1.0),          # reverse, met
        ("投入", "合规", 3.0, "好", 3.0),                  # A3
        ("投入", "合规", 3.0, "较好", 2.4),
        ("投入", "合规", 3.0, "一般", 1.8),
        ("影响力", "健全", 2.0, "健全", 2.0),              # actual repeats the target word
        ("产出", "规范", 2.18, "=100%", 2.18),             # word target, =100 %
        ("产出", "=0起", 2.0, "=0起", 2.0),                # zero target met
        ("产出", "=0起", 2.0, "=1起", 0.0),
        ("产出", "≤90万元", 2.0, "=100万元", 1.0),         # reverse over target, ratio: r = 90 → 10 points short
    ],
)
def test_worked_examples(category: str, target: str, weight: float, actual: str, expected: float) -> None:
    outcome = indicator_to_outcome(row(category, target, weight, actual), SUZHOU)
    assert outcome.score == pytest.approx(expected, abs=1e-9)
    assert outcome.rule


def test_rule_text_names_band() -> None:
    outcome = indicator_to_outcome(row("产出", "=805个", 2.18, "=1000个"), SUZHOU)
    assert outcome.rule == "产出: 完成率 1000/805 = 124.2% 在 100–130% 区间 → 满分"


def test_missing_actual_without_explanation_scores_zero() -> None:
    outcome = indicator_to_outcome(row("产出", "=100%", 2.18, ""), SUZHOU)
    assert outcome.score == 0.0
    assert [f.code for f in outcome.findings] == ["missing_value"]


def test_missing_actual_with_explanation_needs_review() -> None:
    ind = row("产出", "=100%", 2.18, "—")
    ind.deviation_reason = "统计口径调整，数据待年底核定"
    outcome = indicator_to_outcome(ind, SUZHOU)
    assert outcome.score is None
    assert [f.code for f in outcome.findings] == ["needs_review"]


def test_unit_mismatch_is_not_guessed() -> None:
    outcome = indicator_to_outcome(row("产出", "≤90万元", 2.0, "=900000元"), SUZHOU)
    assert outcome.score is None
    assert [f.code for f in outcome.findings] == ["unit_mismatch"]


def _validated(*rows: Indicator) -> Report:
    return validate_report(Report(template="suzhou-2017", indicators=list(rows)), SUZHOU)


def test_percent_target_reading_two_accepted_and_recorded() -> None:
    # A8: target ≥95 %, actual 90 %, 结果, w = 2: reading 1 → 1.474, reading 2 → 1.50.
    report = _validated(row("结果", "≥95%", 2.0, "=90%", reported=1.50))
    ind = report.indicators[0]
    assert ind.recomputed_score == pytest.approx(1.5)
    assert ind.reading == "difference"
    assert [f.code for f in report.flags] == []


def test_percent_target_reading_one_kept_when_it_matches() -> None:
    report = _validated(row("结果", "≥95%", 2.0, "=90%", reported=1.47))
    ind = report.indicators[0]
    assert ind.recomputed_score == pytest.approx(2 * (1 - 0.05 * (100 - 100 * 90 / 95)))
    assert ind.reading == "completion"
    assert report.flags == []


def test_within_tolerance_is_not_flagged() -> None:
    report = _validated(row("产出", "=100%", 2.18, "=97.5%", reported=1.91))
    assert report.indicators[0].recomputed_score == pytest.approx(1.9075)
    assert report.flags == []


def test_mismatch_flag_carries_rule_and_low_confidence_for_special_rows() -> None:
    report = _validated(row("投入", "=100%", 6.0, "=93%", reported=6.0, name="预算执行率"))
    assert [f.code for f in report.flags] == ["score_mismatch", "full_score_despite_shortfall"]  # 93 of 100, full 6
    flag = report.flags[0]
    assert (flag.code, flag.severity, flag.subject, flag.rule_confidence) == ("score_mismatch", "error", "预算执行率", "low")
    assert flag.expected == pytest.approx(3.9)
    assert "低于 100% 7.00 点" in (flag.rule or "")
    assert "共性指标" in flag.message


def test_missing_actual_reported_full_gives_two_flags() -> None:
    # 0.4 example: weight 2.18, actual blank, no remark, reported 2.18 → recomputed 0.
    report = _validated(row("产出", "=100%", 2.18, "", reported=2.18))
    assert sorted(f.code for f in report.flags) == ["missing_value", "score_mismatch"]
    assert report.recomputed_total == 0.0
