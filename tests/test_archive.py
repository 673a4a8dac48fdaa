"""Across the archive (issue 14): project series, narrative_copied, target_lowered, full_score_despite_shortfall.

Unit tests of each rule with its near misses; the findings over small stores built by hand; the sample archive
(samples/archive/, made by samples/make_archive_samples.py) against its expected records and its hand-written
projects.csv / patterns.csv (samples/expected/archive/).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jixiao.model import Indicator, Report
from jixiao.store import open_store, write_store
from normalize.values import parse_value
from tests.conftest import EXPECTED, SAMPLES
from tests.test_samples import INDICATOR_FIELDS, _close
from validate.archive import PATTERN_COLUMNS, PROJECT_COLUMNS, ArchiveSettings, archive_to_findings
from validate.archive_similar import (bands_to_pairs, jaccard, load_texts, minhash_functions, shingles, signature,
                                      signatures_to_bands)
from validate.archive_text import lowered, narrative_key, project_key, shortfall_word, split_code
from validate.checks import full_score_despite_shortfall_flags
from validate.profile import Profile

ARCHIVE = SAMPLES / "archive"
ARCHIVE_EXPECTED = EXPECTED / "archive"


# ----------------------------------------------------------------------------------------------
# Project series
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a, b", [
    (("宜城市教育局", "2021年农村学校营养改善计划"), ("宜城市教育局", "农村学校营养改善计划（2022年度）")),
    (("宜城市教育局", "农村学校营养改善计划(2023年度)"), ("宜城市教育局", "农村学校 营养改善计划")),
    (("宜城市教育局", "2022年度农村学校营养改善计划"), ("宜城市教育局", "农村学校营养改善计划（2023年）")),
    (("宜城市教育局", "农村学校“营养改善”计划"), ("宜城市教育局", "农村学校营养改善计划")),
    (("宜城市 教育局", "ＡＢＣ平台运维"), ("宜城市教育局", "ABC平台运维")),  # full-width folded
    (("四川省财政厅", "51000021R000000019951-工资性支出"), ("四川省财政厅", "51000021R000000019951－工资性支出(2023年)")),
    (("四川省财政厅", "51000021R000000019951-工资性支出"), ("四川省财政厅", "51000021R000000019951-人员工资支出")),
])
def test_names_of_one_series_give_one_key(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert project_key(*a) == project_key(*b) is not None


@pytest.mark.parametrize("a, b", [
    (("宜城市教育局", "信息化系统运维经费"), ("宜城市民政局", "信息化系统运维经费")),  # two departments
    (("宜城市教育局", "农村学校营养改善计划"), ("宜城市教育局", "农村学校营养改善计划二期")),
    (("宜城市教育局", "2021年农村学校营养改善计划"), ("宜城市教育局", "2021农村学校营养改善")),
    (("四川省财政厅", "51000021R000000019951-工资性支出"), ("四川省财政厅", "51000021R000000019952-工资性支出")),
])
def test_other_projects_do_not_join(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert project_key(*a) != project_key(*b)


def test_project_key_is_readable_and_a_code_wins() -> None:
    assert project_key("宜城市教育局", "农村学校营养改善计划（2022年度）") == "宜城市教育局|农村学校营养改善计划"
    assert project_key("四川省财政厅", "51000021R000000019951-工资性支出") == "code:51000021R000000019951"
    assert project_key("任意部门", "工资性支出", code="51000021R000000019951") == "code:51000021R000000019951"
    assert split_code("51000021R000000019951-工资性支出") == ("51000021R000000019951", "工资性支出")
    assert split_code("2023年农村公路养护") == (None, "2023年农村公路养护")  # a year is no code
    assert split_code("G318-国道养护") == (None, "G318-国道养护")  # too short for a code
    assert project_key("宜城市教育局", None) is None and project_key("宜城市教育局", "2021年") is None


# ----------------------------------------------------------------------------------------------
# target_lowered
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("earlier, later, expected", [
    ("≥95%", "≥90%", True),
    ("≥500个", "≥400个", True),
    ("≤30万元", "≤35万元", True),
    ("=20座", "=18座", True),            # = is met from the figure up (positive rule)
    ("=0起", "≤1起", True),              # a zero target allows none
    ("不低于95%", "≥90%", True),
    ("95%以上", "90%以上", True),
    ("≥95%", "≥98%", False),             # raised
    ("≥95%", "≥95%", False),             # unchanged
    ("≤30万元", "≤28万元", False),       # less spending allowed: more demanding
    ("≥500人", "≥400人次", False),       # units differ: not comparable
    ("≥95%", "≤5%", False),              # direction changed: not comparable
    ("明显提升", "有所提升", False),       # words
    ("", "≥90%", False),
])
def test_a_target_is_lowered_only_when_less_demanding(earlier: str, later: str, expected: bool) -> None:
    assert lowered(earlier, later) is expected


# ----------------------------------------------------------------------------------------------
# full_score_despite_shortfall
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, word", [
    ("部分老旧小区电力增容未完成。", "未完成"),
    ("受汛期影响2座危桥改造工程延期开工。", "延期"),
    ("部分乡镇卫生院设备采购尚未完成，下年度继续推进。", "未完成"),
    ("设备尚未到位。", "未到位"),
    ("因手续办理不顺导致进度滞后。", "滞后"),
    ("年度目标部分完成。", "部分完成"),
    ("受疫情影响无法按期完成。", "无法按期"),
    ("覆盖率未达到年度目标。", "未达到"),
    ("已完成年度目标，但验收推迟至次年。", "推迟"),   # a later clause
    ("受资金影响未按计划完成。", "未按计划"),
    ("2个站点尚未竣工。", "尚未"),
    ("因设备无货未完成。", "未完成"),                 # 无 governs 货, not 未完成
    ("项目无专人跟进，进度滞后。", "滞后"),
    ("前期进度滞后，目前已完成60%。", "滞后"),         # a part made good is no recovery
    ("进度滞后，已开工但未完成。", "滞后"),
    ("进度滞后，下年度确保按期完成。", "滞后"),         # an intention, not a recovery
    ("验收推迟。已于次年3月完成。", "推迟"),           # made good in another sentence (after the year)
    ("前期进度滞后，已于年底前全部完成，但部分资金未到位。", "未到位"),  # the delay cancelled, not the rest
])
def test_a_reason_that_says_the_row_fell_short(text: str, word: str) -> None:
    assert shortfall_word(text) == word


@pytest.mark.parametrize("text", [
    "已完成", "已全部完成，无偏差。", "无偏差", "未发现偏差。", "无", "/", "", None,
    "不存在进度滞后问题。", "项目按期实施，未出现进度滞后。", "项目无滞后。", "没有未完成事项。",
    "2021年度农村自来水普及率统计数据尚未发布。待统计部门公布后补充。",  # a statistic, not the work
    "社会运营商自建充电桩同步接入监管平台。年初目标设定偏保守。",
    "前期进度滞后，已于年底前全部完成。", "原计划推迟的验收已完成。", "部分工程延期开工，但按期完成。",
    "施工进度滞后；已于12月底前完成100%。", "不存在进度滞后问题。", "未出现任何工期延期。",
])
def test_a_reason_that_does_not(text: str | None) -> None:
    assert shortfall_word(text) is None


def _row(target: str, actual: str, weight: float, score: float, reason: str | None = None) -> Indicator:
    return Indicator("产出", 50.0, "指标", parse_value(target), weight, parse_value(actual), score,
                     deviation_reason=reason)


@pytest.mark.parametrize("row, fires", [
    (_row("≥200个", "180个", 5, 5), True),                  # short by the figures, full marks
    (_row("≤5%", "6.5%", 5, 5), True),                      # reverse: above its ceiling
    (_row("=0起", "1起", 3, 3), True),                      # a zero target missed
    (_row("明显提升", "部分达成年度指标并具有一定效果", 10, 10), True),  # the actual's own word
    (_row("明显提升", "达成年度指标", 10, 10, "部分设备采购尚未完成。"), True),  # its own reason
    (_row("≥200个", "180个", 5, 4.5), False),               # a shortfall scored in proportion
    (_row("≥200个", "200个", 5, 5), False),                 # met exactly
    (_row("≤5%", "3.2%", 5, 5), False),                     # reverse met
    (_row("≥1.2万人", "3.6万户", 6, 6), False),              # units differ: no comparison
    (_row("明显提升", "达成年度指标", 10, 10, "已全部完成，无偏差。"), False),
    (_row("明显提升", "达成年度指标", 10, 10, "项目按期实施，未出现进度滞后。"), False),
    (_row("≥95%", "90%", 5, 4.74, "因用地手续办理滞后延期完工。"), False),  # not full marks
    (_row("≥95%", "0.96", 5, 5), False),                    # a bare fraction: 96%, met
    (_row("≥95%", "0.86", 5, 5), True),                     # 86%, short
    (_row("≤1%", "0.5", 5, 5), False),                      # 0.5 or 0.5%: not comparable
    (_row("≥95%", "96", 5, 5), False),                      # a bare 96 is 96 (%)
    (_row("明显提升", "达成年度指标", 10, 10, "前期进度滞后，已于年底前全部完成。"), False),
    (_row("明显提升", "达成年度指标", 10, 10, "因设备无货未完成。"), True),
])
def test_full_score_despite_shortfall_flag(row: Indicator, fires: bool) -> None:
    report = Report(template="national-2020")
    report.indicators = [row]
    flags = list(full_score_despite_shortfall_flags(report, Profile.resolve(None, "national-2020", "")))
    assert [(f.code, f.severity, f.field) for f in flags] == (
        [("full_score_despite_shortfall", "warning", "indicators[0].reported_score")] if fires else [])
    if fires:
        assert f"scored its full weight {row.weight:g}" in flags[0].message and "满分" in flags[0].rule


def test_a_bare_fraction_read_as_a_percentage_says_so_in_the_rule() -> None:
    report = Report(template="national-2020")
    report.indicators = [_row("≥95%", "0.86", 5, 5), _row("≥95%", "86%", 5, 5)]
    fraction, percent = full_score_despite_shortfall_flags(report, Profile.resolve(None, "national-2020", ""))
    assert "按比例读作 86%" in fraction.rule and "(read as 86%)" in fraction.message
    assert "按比例" not in percent.rule and "read as" not in percent.message


# ----------------------------------------------------------------------------------------------
# Similarity
# ----------------------------------------------------------------------------------------------
PROBLEMS = ("一是部分农村学校食堂设施设备老化，2022年仍有12所学校采用课间餐供餐模式。二是食堂从业人员流动性大，"
            "食品安全培训覆盖不够。三是营养膳食搭配不够科学，学生挑食浪费现象仍然存在。")
OTHER_PROBLEMS = ("一是部分农村学校食堂设施设备老化，2021年仍有20所学校采用课间餐供餐模式。二是配送企业冷链运输能力不足，"
                  "偏远学校配送时间较长。三是学生营养监测数据采集不完整，膳食评估缺乏依据。")


def _similarity(a: str, b: str) -> float:
    k = ArchiveSettings().shingle
    return jaccard(shingles(narrative_key(a), k), shingles(narrative_key(b), k))


@pytest.mark.parametrize("other, similar", [
    (PROBLEMS.replace("2022年仍有12所", "2023年仍有9所"), True),            # years and figures differ
    (PROBLEMS.replace("，", " ，\n"), True),                                 # whitespace differs
    (PROBLEMS.replace("不够科学", "不太科学"), True),                         # one small edit: 0.93
    (OTHER_PROBLEMS, False),                                                # the same first sentence only
    (PROBLEMS[:60] + "二是资金拨付不及时。", False),                          # a half of it
])
def test_similarity_is_measured(other: str, similar: bool) -> None:
    assert (_similarity(PROBLEMS, other) >= 0.9) is similar


def test_minhash_estimates_the_jaccard_index() -> None:
    settings = ArchiveSettings()
    functions = minhash_functions(settings)
    k = settings.shingle
    a, b = shingles(narrative_key(PROBLEMS), k), shingles(narrative_key(PROBLEMS.replace("不够科学", "不太科学")), k)
    estimate = float(np.mean(signature(a, functions) == signature(b, functions)))
    assert abs(estimate - jaccard(a, b)) < 0.1
    assert np.array_equal(signature(a, functions), signature(a, minhash_functions(settings)))  # deterministic


def test_settings_are_validated() -> None:
    assert ArchiveSettings.resolve({"similarity": 0.8}).similarity == 0.8
    with pytest.raises(ValueError, match="similarity"):
        ArchiveSettings(similarity=1.5)
    with pytest.raises(ValueError, match="bands"):
        ArchiveSettings(permutations=100, bands=16)
    with pytest.raises(ValueError, match="unknown archive settings: treshold"):
        ArchiveSettings.resolve({"treshold": 0.9})


# ----------------------------------------------------------------------------------------------
# archive_to_findings over stores built by hand
# ----------------------------------------------------------------------------------------------
def record(path: str, department: str, name: str, year: int, indicators: list[dict[str, Any]] = (),
           sections: dict[str, str] | None = None, flags: list[dict[str, Any]] = ()) -> dict[str, Any]:
    rows = [{"category": "产出", "category_points": 50.0, "name": n, "target": t, "weight": w, "actual": a,
             "reported_score": s, "recomputed_score": s, "deviation_reason": r} for n, t, a, w, s, r in indicators]
    return {"source": {"path": path, "format": "docx", "sha256": "0" * 64}, "status": "ok", "template": "national-2020",
            "project": {"name": name, "year": year, "department": department},
            "project_key": project_key(department, name), "indicators": rows, "sections": sections or {},
            "flags": list(flags)}


def findings(tmp_path: Path, records: list[dict[str, Any]], **settings: Any) -> tuple[list[tuple], list[tuple]]:
    path = tmp_path / "dataset.sqlite"
    write_store(records, path)
    conn = open_store(path)
    try:
        archive_to_findings(conn, settings or None)
        projects = [tuple(r) for r in conn.execute("SELECT * FROM projects ORDER BY rowid")]
        patterns = [tuple(r) for r in conn.execute("SELECT * FROM patterns ORDER BY rowid")]
    finally:
        conn.close()
    return projects, patterns


REASON = "受年初疫情防控影响，项目实施进度滞后，部分资金未能按期拨付。下年度将加快实施进度，确保资金及时拨付到位。"


def test_copied_narrative_groups_every_report_and_leaves_near_misses(tmp_path: Path) -> None:
    records = [
        record("a21.docx", "甲局", "2021年甲项目", 2021, sections={"存在问题": OTHER_PROBLEMS}),
        record("a22.docx", "甲局", "甲项目", 2022, sections={"存在问题": PROBLEMS}),
        record("a23.docx", "甲局", "甲项目（2023年度）", 2023,
               sections={"存在问题": PROBLEMS.replace("2022年仍有12所", "2023年仍有9所")}),
        record("b23.docx", "乙局", "乙项目", 2023, sections={"存在问题": PROBLEMS.replace("不够科学", "不太科学")},
               indicators=[("覆盖率", "≥85%", "80%", 10, 9.41, REASON)]),
        record("c22.docx", "丙局", "丙项目", 2022, indicators=[("及时率", "≥95%", "90%", 10, 9.47, REASON),
                                                          ("天数", "≥200天", "190天", 10, 9.5, "资金拨付进度滞后。")]),
        record("c23.docx", "丙局", "丙项目", 2023, indicators=[("天数", "≥200天", "190天", 10, 9.5, "资金拨付进度滞后。")]),
        # one report in two formats: the same text in one project-year is no copy
        record("d22.docx", "丁局", "丁项目", 2022, sections={"建议": OTHER_PROBLEMS[::-1]}),
        record("d22.pdf", "丁局", "丁项目", 2022, sections={"建议": OTHER_PROBLEMS[::-1]}),
    ]
    projects, patterns = findings(tmp_path, records)
    assert [(p[0], p[3], p[4]) for p in projects] == [
        ("丁局|丁项目", "2022", "d22.docx;d22.pdf"), ("丙局|丙项目", "2022;2023", "c22.docx;c23.docx"),
        ("乙局|乙项目", "2023", "b23.docx"), ("甲局|甲项目", "2021;2022;2023", "a21.docx;a22.docx;a23.docx")]
    assert projects[-1][1] == "甲项目（2023年度）"  # the latest year's name
    copied = [(p[2], p[3], p[4]) for p in patterns if p[0] == "narrative_copied"]
    assert copied == [("偏差原因", "b23.docx;c22.docx", "2022;2023"),
                      ("存在问题", "a22.docx;a23.docx;b23.docx", "2022;2023")]
    row = next(p for p in patterns if p[2] == "存在问题")
    assert "in 3 reports (2022, 2023), across 2 projects" in row[5]
    assert row[6].startswith("similarity 0.9") and "shared text: 「一是部分农村学校食堂设施设备老化" in row[6]


def test_a_copied_group_is_verified_against_its_first_text_not_chained(tmp_path: Path) -> None:
    """A ≈ B (0.93) and B ≈ C (0.93) but A ≉ C (0.87): C is not reported with A (no single linkage); with B
    first, A and C each are ≥ the threshold against it and all three are one group."""
    a, c = PROBLEMS.replace("不够科学", "不太科学"), PROBLEMS.replace("流动性大", "流动性高")
    assert _similarity(a, PROBLEMS) >= 0.9 and _similarity(PROBLEMS, c) >= 0.9 > _similarity(a, c)
    texts = {"a.docx": a, "b.docx": PROBLEMS, "c.docx": c}
    _, patterns = findings(tmp_path, [record(p, f"{p[0]}局", "项目", 2022, sections={"存在问题": t})
                                      for p, t in texts.items()])
    assert [(p[0], p[3]) for p in patterns] == [("narrative_copied", "a.docx;b.docx")]
    assert patterns[0][6].startswith("similarity 0.93 (Jaccard of 3-character shingles against the text of a.docx,")
    texts = {"a.docx": PROBLEMS, "b.docx": a, "c.docx": c}  # the middle text first
    _, patterns = findings(tmp_path, [record(p, f"{p[0]}局", "项目", 2022, sections={"存在问题": t})
                                      for p, t in texts.items()])
    assert [(p[0], p[3]) for p in patterns] == [("narrative_copied", "a.docx;b.docx;c.docx")]
    assert patterns[0][6].startswith("similarity 0.93 (Jaccard of 3-character shingles against the text of a.docx,")


def test_the_similarity_range_covers_every_report_of_the_group(tmp_path: Path) -> None:
    """Two reports hold the first text itself (1.0 to it), a third a variant (0.93): 0.93–1.00."""
    variant = PROBLEMS.replace("不够科学", "不太科学")
    records = [record("a.docx", "甲局", "甲项目", 2021, sections={"存在问题": PROBLEMS}),
               record("b.docx", "甲局", "甲项目", 2022, sections={"存在问题": PROBLEMS}),
               record("c.docx", "乙局", "乙项目", 2022, sections={"存在问题": variant})]
    _, patterns = findings(tmp_path, records)
    assert [p[3] for p in patterns] == ["a.docx;b.docx;c.docx"]
    assert patterns[0][6].startswith("similarity 0.93–1.00 (")


def test_lowered_targets_within_a_series_only(tmp_path: Path) -> None:
    records = [
        record("a21.docx", "甲局", "甲项目", 2021, indicators=[("覆盖率", "≥95%", "96%", 10, 10, None),
                                                          ("学校数量", "≥120所", "120所", 10, 10, None),
                                                          ("服务人数", "≥500人", "520人", 10, 10, None)]),
        # other order, a name printed with a space: matched by name
        record("a22.docx", "甲局", "甲项目", 2022, indicators=[("学校数量", "≥125所", "126所", 10, 10, None),
                                                          ("服务人数", "≥400人次", "450人次", 10, 10, None),
                                                          ("覆盖 率", "≥90%", "92%", 10, 10, None)]),
        record("a23.docx", "甲局", "甲项目", 2023, indicators=[("覆盖率", "≥90%", "93%", 10, 10, None)]),
        # the same name at another department is another series: its lower target is no finding
        record("b22.docx", "乙局", "甲项目", 2022, indicators=[("覆盖率", "≥80%", "93%", 10, 10, None)]),
        record("c21.docx", "丙局", "丙项目", 2021, indicators=[("运营补贴支出", "≤32万元", "30万元", 10, 10, None)]),
        record("c22.docx", "丙局", "丙项目", 2022, indicators=[("运营补贴支出", "≤30万元", "29万元", 10, 10, None)]),
        record("c23.docx", "丙局", "丙项目", 2023, indicators=[("运营补贴支出", "≤35万元", "34万元", 10, 10, None)]),
    ]
    _, patterns = findings(tmp_path, records)
    assert [(p[0], p[2], p[3], p[4]) for p in patterns] == [
        ("target_lowered", "覆盖 率", "a21.docx;a22.docx", "2021;2022"),
        ("target_lowered", "运营补贴支出", "c22.docx;c23.docx", "2022;2023")]
    assert "≥95% in 2021 to ≥90% in 2022" in patterns[0][5]
    assert patterns[0][6] == "2021 a21.docx: 目标值 ≥95%; 2022 a22.docx: 目标值 ≥90%"


def test_full_score_rows_come_from_the_flags(tmp_path: Path) -> None:
    flag = {"code": "full_score_despite_shortfall", "severity": "warning", "subject": "学校数量",
            "field": "indicators[1].reported_score", "message": "scored its full weight 10, but …", "reported": 10.0}
    records = [record("a.docx", "甲局", "甲项目", 2023, flags=[flag],
                      indicators=[("覆盖率", "≥90%", "93%", 10, 10, None),
                                  ("学校数量", "≥130所", "126所", 10, 10, "2所学校食堂未能按期交付。")])]
    _, patterns = findings(tmp_path, records)
    assert patterns == [("full_score_despite_shortfall", "warning", "学校数量", "a.docx", "2023",
                         "scored its full weight 10, but …",
                         "目标值 ≥130所, 实际完成值 126所, 分值 10, 自评分 10, 偏差原因 「2所学校食堂未能按期交付。」")]


def test_a_rerun_gives_the_same_tables_and_reuses_signatures(tmp_path: Path) -> None:
    records = [record(f"r{i}.docx", "甲局", f"项目{i % 3}", 2020 + i % 4,
                      sections={"存在问题": PROBLEMS.replace("12所", f"{i}所") if i % 2 else OTHER_PROBLEMS + str(i)})
               for i in range(12)]
    first = findings(tmp_path, records)
    assert first == findings(tmp_path, records)
    conn = open_store(tmp_path / "dataset.sqlite")
    try:
        settings = ArchiveSettings()
        items = [(r[0], r[1], r[2]) for r in conn.execute("SELECT source_path, key, text FROM sections")]
        load_texts(conn, items, settings)
        assert signatures_to_bands(conn, settings) == 0  # every signature came from the cache
        load_texts(conn, items + [("new.docx", "存在问题", REASON)], settings)
        assert signatures_to_bands(conn, settings) == 1
    finally:
        conn.close()
    assert first[1] and first[1][0][3].count(";") == 5  # the six odd reports, one finding


def test_the_threshold_is_a_setting(tmp_path: Path) -> None:
    records = [record("a.docx", "甲局", "甲项目", 2022, sections={"存在问题": PROBLEMS}),
               record("b.docx", "乙局", "乙项目", 2022, sections={"存在问题": PROBLEMS[:90] + "四是档案管理不规范。"})]
    assert findings(tmp_path, records)[1] == []
    assert [p[0] for p in findings(tmp_path, records, similarity=0.6)[1]] == ["narrative_copied"]


def test_the_threshold_is_a_keyword_of_archive_to_findings(tmp_path: Path) -> None:
    """What a CLI option passes: ``archive_to_findings(conn, similarity=0.6)``, over the settings' 0.9."""
    write_store([record("a.docx", "甲局", "甲项目", 2022, sections={"存在问题": PROBLEMS}),
                 record("b.docx", "乙局", "乙项目", 2022, sections={"存在问题": PROBLEMS[:90] + "四是档案管理不规范。"})],
                tmp_path / "dataset.sqlite")
    conn = open_store(tmp_path / "dataset.sqlite")
    try:
        codes = lambda: [r[0] for r in conn.execute("SELECT code FROM patterns")]  # noqa: E731
        archive_to_findings(conn)
        assert codes() == []
        archive_to_findings(conn, similarity=0.6)
        assert codes() == ["narrative_copied"]
        assert "threshold 0.6)" in conn.execute("SELECT evidence FROM patterns").fetchone()[0]
        archive_to_findings(conn, {"similarity": 0.6}, similarity=None)  # None keeps the settings'
        assert codes() == ["narrative_copied"]
        with pytest.raises(ValueError, match="similarity"):
            archive_to_findings(conn, similarity=1.5)
    finally:
        conn.close()


def test_the_archive_columns_are_defined_once(tmp_path: Path) -> None:
    """jixiao/writers.py (CSVs, the store's DDL) uses validate/archive.py's columns, and archive_to_findings
    creates its tables from them where the store has none."""
    from jixiao import writers

    assert writers.PROJECT_COLUMNS is PROJECT_COLUMNS and writers.PATTERN_COLUMNS is PATTERN_COLUMNS
    assert writers.ARCHIVE_COLUMNS == {"projects": PROJECT_COLUMNS, "patterns": PATTERN_COLUMNS}
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE reports (source_path TEXT, project_name TEXT, year INTEGER, department TEXT)")
    conn.execute("CREATE TABLE indicators (source_path TEXT, \"index\" INTEGER, name TEXT, target TEXT, actual TEXT, "
                 "weight REAL, reported_score REAL, deviation_reason TEXT)")
    conn.execute("CREATE TABLE flags (source_path TEXT, \"index\" INTEGER, code TEXT, subject TEXT, field TEXT, "
                 "message TEXT)")
    archive_to_findings(conn)
    for table, columns in (("projects", PROJECT_COLUMNS), ("patterns", PATTERN_COLUMNS)):
        assert tuple(r[1] for r in conn.execute(f"PRAGMA table_info({table})")) == columns


# ----------------------------------------------------------------------------------------------
# The sample archive
# ----------------------------------------------------------------------------------------------
ARCHIVE_FILES = sorted(ARCHIVE_EXPECTED.glob("*.json"))


@pytest.fixture(scope="module")
def archive_records() -> dict[str, dict[str, Any]]:
    from jixiao.pipeline import path_to_record

    return {p.name: path_to_record(p, ARCHIVE) for p in sorted(ARCHIVE.glob("*.docx"))}


def test_every_archive_document_has_an_expectation() -> None:
    assert [p.name[:-5] for p in ARCHIVE_FILES] == sorted(p.name for p in ARCHIVE.glob("*.docx"))
    assert len(ARCHIVE_FILES) == 11


@pytest.mark.parametrize("expected_path", ARCHIVE_FILES, ids=lambda p: p.name[:-5])
def test_archive_document_matches_expected(expected_path: Path, archive_records: dict, schema_validator) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    got = archive_records[expected_path.name[:-5]]
    schema_validator.validate(got)
    for key in ("source", "status", "template", "profile", "document_kind", "scope", "project", "sections",
                "sections_other", "stated_total", "stated_grade"):
        assert (got[key] if key != "source" else {k: got[key][k] for k in expected[key]}) == expected[key], key
    for key in ("reported_total", "recomputed_total"):
        assert _close(got[key], expected[key]), key
    for g, e in zip(got["budget_lines"], expected["budget_lines"]):
        assert _close({k: g.get(k) for k in e}, e), (g, e)
    assert [r["name"] for r in got["indicators"]] == [r["name"] for r in expected["indicators"]]
    for g, e in zip(got["indicators"], expected["indicators"]):
        for field in INDICATOR_FIELDS:
            assert _close(g[field], e[field]), (e["name"], field, g[field], e[field])
    key = lambda f: (f["code"], f["subject"], f["severity"])  # noqa: E731
    assert Counter(map(key, got["flags"])) == Counter(map(key, expected["flags"]))
    # the record's series: the department and the name without its year (or the code printed before it)
    name = expected["project"]["name"]
    assert got["project_key"] == (f"code:{name.split('-')[0]}" if name[0].isdigit() and "-" in name
                                  else f"{expected['project']['department']}|" + name.removeprefix("2023年度")
                                  .removeprefix("2021年").removesuffix("(2022年度)"))


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_archive_tables_from_the_store_match_the_hand_written_ones(archive_records: dict, tmp_path: Path) -> None:
    path = tmp_path / "dataset.sqlite"
    write_store(list(archive_records.values()), path)
    conn = open_store(path)
    try:
        archive_to_findings(conn)
        for table, columns in (("projects", PROJECT_COLUMNS), ("patterns", PATTERN_COLUMNS)):
            got = [list(columns)] + [["" if v is None else str(v) for v in row]
                                     for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid")]
            assert got == _csv(ARCHIVE_EXPECTED / f"{table}.csv"), table
    finally:
        conn.close()


@pytest.mark.slow
def test_extract_over_the_archive_writes_its_projects_and_patterns(tmp_path: Path) -> None:
    """Needs the runner to render projects.csv / patterns.csv from the store (issue 14's wiring)."""
    import io

    from jixiao.cli import main

    out = tmp_path / "out"
    assert main(["extract", str(ARCHIVE), "--out", str(out)], stdout=io.StringIO()) == 0
    for name in ("projects.csv", "patterns.csv"):
        assert (out / name).exists(), f"{name} not written"
        assert _csv(out / name) == _csv(ARCHIVE_EXPECTED / name), name
    before = {name: (out / name).read_bytes() for name in ("projects.csv", "patterns.csv")}
    assert main(["extract", str(ARCHIVE), "--out", str(out)], stdout=io.StringIO()) == 0
    assert {name: (out / name).read_bytes() for name in before} == before  # a rerun changes nothing


def test_store_without_the_new_tables_still_works(tmp_path: Path) -> None:
    """A store written before sections existed (or by hand) gives what its tables hold."""
    conn = sqlite3.connect(str(tmp_path / "old.sqlite"))
    conn.execute("CREATE TABLE reports (source_path TEXT, project_name TEXT, year INTEGER, department TEXT)")
    conn.execute("CREATE TABLE indicators (source_path TEXT, \"index\" INTEGER, name TEXT, target TEXT, actual TEXT, "
                 "weight REAL, reported_score REAL, deviation_reason TEXT)")
    conn.execute("CREATE TABLE flags (source_path TEXT, \"index\" INTEGER, code TEXT, subject TEXT, field TEXT, "
                 "message TEXT)")
    conn.executemany("INSERT INTO reports VALUES (?, ?, ?, ?)",
                     [("a.docx", "2021年甲项目", 2021, "甲局"), ("b.docx", "甲项目", 2022, "甲局")])
    conn.executemany("INSERT INTO indicators VALUES (?, 0, '覆盖率', ?, '96%', 10, 10, NULL)",
                     [("a.docx", "≥95%"), ("b.docx", "≥90%")])
    conn.commit()
    archive_to_findings(conn)
    assert [tuple(r) for r in conn.execute("SELECT project_key, years FROM projects")] == [("甲局|甲项目", "2021;2022")]
    assert [r[0] for r in conn.execute("SELECT code FROM patterns")] == ["target_lowered"]
    conn.close()


def test_a_crowded_bucket_is_chained_and_still_one_group(tmp_path: Path) -> None:
    """300 reports, each its own variant of one text, fill buckets past max_bucket (50): such a bucket is
    linked as a chain, so the candidate pairs stay within bands × texts (not the 44,850 of all pairs), and
    union-find still makes them one finding."""
    n = 300
    texts = [PROBLEMS.replace("不够科学", f"不够科学{chr(0x4E00 + i)}") for i in range(n)]
    records = [record(f"r{i:03d}.docx", f"部门{i}", "项目", 2022, sections={"存在问题": t}) for i, t in enumerate(texts)]
    _, patterns = findings(tmp_path, records)
    assert [(p[0], p[3].count(";") + 1) for p in patterns] == [("narrative_copied", n)]
    assert f"in {n} reports (2022), across {n} projects" in patterns[0][5]
    conn = sqlite3.connect(":memory:")
    settings = ArchiveSettings()
    load_texts(conn, [(f"r{i}", "存在问题", t) for i, t in enumerate(texts)], settings)
    signatures_to_bands(conn, settings)
    bands_to_pairs(conn, settings)
    pairs = conn.execute("SELECT COUNT(*) FROM _pairs").fetchone()[0]
    assert n - 1 <= pairs <= settings.bands * n < n * (n - 1) // 2
