"""Issue #9 item 4: no row content makes validation raise; a row the rules cannot score is flagged
and the rest of the report is rescored."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from jixiao.model import RawIndicator, RawReport
from jixiao.pipeline import path_to_record, report_to_record
from normalize import raw_to_report
from validate import validate_report
from validate.profile import PROFILE_DIR, load_profile

from .conftest import SAMPLES

SEED = SAMPLES / "suzhou-2020-egov-selfeval.txt"
PROFILES = sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))
# Profiles that score a row from its target and actual (重庆's scores by 得分系数 × 指标权重 instead).
TARGET_PROFILES = [p for p in PROFILES if load_profile(p).scoring != "coefficient"]

# What a cell of 目标值 / 实际完成值 / 权重 / 自评分 may hold in a real or broken report.
_OPS = st.sampled_from(["", "=", "≥", "≤", ">", "<", ">=", "<=", "不低于", "不超过", "控制在", "-", "+"])
_NUMBERS = st.one_of(
    st.integers(-10, 10**7).map(str),
    st.floats(-1e6, 1e9, allow_nan=False).map(lambda x: f"{x:.6g}"),
    st.sampled_from(["0", "0.0", "00", ".5", "1,000", "3,773.00", "1e5", "9" * 400, "9" * 150, "0." + "0" * 300 + "1"]),
)
_UNITS = st.sampled_from(["", "%", "个", "台", "万元", "元", "分", "次", "%及其以下", "个以上", "以内", " 个", "％"])
_FIGURES = st.builds(lambda op, n, u: f"{op}{n}{u}", _OPS, _NUMBERS, _UNITS)
_WORDS = st.sampled_from(["好", "较好", "一般", "较差", "差", "良好", "达成", "部分达成", "未达成", "合规", "健全",
                          "规范", "提升", "效果明显", "—", "/", "无", "空", "n/a", "\\", "  ", "\n", "≥", "%"])
_JUNK = st.text(max_size=30)
_LONG = st.text(min_size=200, max_size=2000)
_CELL = st.one_of(st.none(), st.just(""), _FIGURES, _WORDS, _JUNK, _LONG,
                  st.builds(lambda a, b: a + b, _FIGURES, _FIGURES),  # a chunk printed twice or glued to the next
                  st.builds(lambda a: a + a, st.one_of(_FIGURES, _WORDS)))
_CATEGORY = st.sampled_from(["投入目标(26分)", "产出指标", "产出目标 (24分)", "结果目标(22分)", "影响力目标(8分)", "效益指标",
                             "满意度指标", "", "其他", "投入"])


@st.composite
def _rows(draw: st.DrawFn) -> list[RawIndicator]:
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        row = RawIndicator(category_label=draw(_CATEGORY), name=draw(st.one_of(_JUNK, _WORDS)),
                           target=draw(_CELL), weight=draw(_CELL), actual=draw(_CELL), score=draw(_CELL))
        if draw(st.booleans()):
            row.extra["deviation_reason"] = draw(st.one_of(st.just(""), _JUNK))
        rows.append(row)
    return rows


@pytest.mark.parametrize("profile_name", PROFILES)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows(), total=_CELL)
def test_no_row_content_makes_validation_raise(profile_name: str, rows: list[RawIndicator], total: str) -> None:
    profile = load_profile(profile_name)
    raw = RawReport(template=profile.template, indicators=rows, reported_total=total)
    report = validate_report(raw_to_report(raw), profile)

    assert len(report.indicators) == len(rows)  # every row keeps its record
    flagged = {f.field.split("]")[0] + "]" for f in report.flags if f.field and f.field.startswith("indicators[")}
    for i, ind in enumerate(report.indicators):
        assert ind.rule, "every row says which rule was applied (or why none was)"
        assert ind.recomputed_score is None or math.isfinite(ind.recomputed_score)
        if ind.recomputed_score is None:
            assert f"indicators[{i}]" in flagged, f"row {i} is unscored without a flag saying why: {ind.rule}"
    assert report.recomputed_total is None or math.isfinite(report.recomputed_total)
    record = report_to_record(report, {"path": "x.txt"})
    json.dumps(record, ensure_ascii=False, allow_nan=False)  # a strict-JSON record, no NaN/Infinity


@pytest.fixture(scope="module")
def seed_blank_target(tmp_path_factory: pytest.TempPathFactory) -> dict:
    text = SEED.read_text(encoding="utf-8")
    assert text.count("\t≥35 个\t") == 1
    path = Path(tmp_path_factory.mktemp("seed")) / "seed-blank-target.txt"
    path.write_text(text.replace("\t≥35 个\t", "\t\t"), encoding="utf-8")
    return path_to_record(path, path.parent)


def test_seed_with_a_blank_target_keeps_every_row(seed_blank_target: dict) -> None:
    record = seed_blank_target
    assert record["status"] == "ok", record["errors"]
    rows = record["indicators"]
    assert len(rows) == 38
    i, row = next((i, r) for i, r in enumerate(rows) if r["name"] == "数据交换前置交换节点数")
    assert row["target"] == "" and row["recomputed_score"] is None
    assert "目标值缺失" in row["rule"]
    codes = {(f["code"], f["field"]) for f in record["flags"]}
    assert ("missing_value", f"indicators[{i}].target") in codes
    # The other rows are rescored as in the untouched seed.
    assert sum(r["recomputed_score"] is None for r in rows) == 1
    assert next(r for r in rows if r["name"] == "预算执行率")["recomputed_score"] == pytest.approx(3.9)
    partial = [f for f in record["flags"] if f["code"] == "recomputed_total_partial"]
    assert len(partial) == 1 and partial[0]["message"].startswith("1 row(s) could not be rescored")


@pytest.mark.parametrize("profile_name", TARGET_PROFILES)
@pytest.mark.parametrize("target, actual, code", [
    ("", "=40个", "missing_value"),          # the blank 目标值 of the issue
    ("", "12", "missing_value"),
    ("合规", "=3", "needs_review"),           # a word target against a figure
    ("≤-5%", "=0%", "needs_review"),          # a negative reverse target: the ratio would divide by 0
    ("≥35个≥35个", "=40个", "unit_mismatch"),  # a chunk printed twice: its unit no longer matches
])
def test_a_row_the_rules_cannot_score_is_flagged_not_raised(profile_name: str, target: str, actual: str,
                                                           code: str) -> None:
    profile = load_profile(profile_name)
    category = "产出指标" if profile.template.startswith("national") else "产出目标(4分)"
    good = RawIndicator(category, "好行", "=10个", "2", "=10个", "2")
    bad = RawIndicator(category, "坏行", target, "2", actual, "2")
    report = validate_report(raw_to_report(RawReport(template=profile.template, indicators=[good, bad])), profile)
    assert report.indicators[0].recomputed_score == pytest.approx(2.0)
    assert report.indicators[1].recomputed_score is None
    assert code in {f.code for f in report.flags if f.field and f.field.startswith("indicators[1]")}
    assert report.recomputed_total == pytest.approx(4.0)  # the unscored row enters at its reported score
    assert "recomputed_total_partial" in {f.code for f in report.flags}


def test_a_run_of_hundreds_of_digits_is_not_a_figure() -> None:
    from normalize.values import parse_number, parse_value

    # Taken as numbers they overflow the sums of validation to infinity (not valid JSON).
    assert parse_number("9" * 400) is None and parse_number("9" * 150) is None
    assert parse_value("≥" + "9" * 400 + "个").number is None
    assert parse_number("3,773.00") == 3773.0 and parse_value("≥500000个").number == 500000
    big = "9" * 150
    rows = [RawIndicator("产出目标(2分)", f"行{i}", "=1个", big, "=1个", big) for i in range(2)]
    profile = load_profile("suzhou-2017")
    report = validate_report(raw_to_report(RawReport(template="suzhou-2017", indicators=rows)), profile)
    json.dumps(report_to_record(report, {"path": "x.txt"}), allow_nan=False)


@pytest.mark.parametrize("actual", ["好", "=5个"])
def test_an_infinite_score_is_not_recorded(actual: str) -> None:
    from jixiao.model import Indicator
    from normalize.values import parse_value
    from validate.rescore import indicator_to_outcome

    # normalize never gives such a weight; a hand-built Indicator (or a future reader) could.
    ind = Indicator("投入", None, "行", parse_value("=5个"), float("inf"), parse_value(actual), 1.0)
    outcome = indicator_to_outcome(ind, load_profile("suzhou-2017"))
    assert outcome.score is None
    assert [f.code for f in outcome.findings][-1] == "needs_review"
