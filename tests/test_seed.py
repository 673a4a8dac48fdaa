"""The seed report (a real Suzhou 2017 report as text from its PDF): the spine's acceptance."""

from __future__ import annotations

from collections import Counter

import pytest


def test_seed_is_recognised_and_complete(seed_record: dict, schema_validator) -> None:
    schema_validator.validate(seed_record)
    assert seed_record["status"] == "ok", seed_record["errors"]
    assert seed_record["template"] == "suzhou-2017"
    assert seed_record["project"] == {"name": "电子政务项目建设资金", "year": 2020, "department": "苏州市信息中心"}


def test_seed_indicator_table(seed_record: dict) -> None:
    rows = seed_record["indicators"]
    assert Counter(r["category"] for r in rows) == {"投入": 14, "产出": 11, "结果": 9, "影响力": 4}
    assert {r["category"]: r["category_points"] for r in rows} == {"投入": 26, "产出": 24, "结果": 22, "影响力": 8}
    names = [r["name"] for r in rows]
    for name in ("监管数据中心基础库建成数", "落实项目监理制数量", "数据资源分析算法", "监管数据中心对接部门数",
                 "APP下载数", "架构治理服务提交电子政务项目初审报告数", "全市电子政务项目治理水平"):
        assert name in names
    assert all(" " not in n for n in names)
    by_name = {r["name"]: r for r in rows}
    assert {k: by_name["数据交换前置交换节点数"][k] for k in ("target", "weight", "actual", "reported_score")} == {
        "target": "≥35个", "weight": 2.44, "actual": "=40个", "reported_score": 2.44}
    assert {k: by_name["资金节约率"][k] for k in ("target", "actual")} == {"target": "15%及其以下", "actual": "=1%"}
    assert by_name["安全认证网关"]["weight"] == 2.2
    assert by_name["业务中台需要对接部门业务服务"]["weight"] == 2.48
    assert sum(r["weight"] for r in rows) == pytest.approx(80)
    assert sum(r["reported_score"] for r in rows) == pytest.approx(80)


def test_seed_money_and_subprojects(seed_record: dict) -> None:
    assert seed_record["budget"] == {
        "unit": "万元", "initial_budget": 3773.0, "adjustment": 0.0, "appropriation": 3773.0, "quota_balance": 0.0,
        "actual_payment": 3513.0, "fund_balance": 260.0, "carried_forward": 0.0, "recovered": 0.0,
    }
    subs = seed_record["subprojects"]
    assert len(subs) == 13
    assert subs[0] == {"name": "苏州市“互联网+监管”监管数据中心", "amount": 98.0}
    assert subs[-1] == {"name": "2019年项目尾款", "amount": 402.0}
    assert sum(s["amount"] for s in subs) == seed_record["subprojects_total"] == 3773.0


def test_seed_sections_are_plain_text(seed_record: dict) -> None:
    sections = seed_record["sections"]
    assert list(sections) == ["项目概况", "项目总目标", "年度绩效目标", "项目实施情况", "项目管理成效", "存在问题", "建议"]
    assert all("<" not in text and ">" not in text for text in sections.values())
    assert sections["项目管理成效"].splitlines()[0] == "1.健全组织机构，数字政府顶层设计不断完善"
    assert len(sections["项目管理成效"].splitlines()) == 6
    assert sections["存在问题"].startswith("随着大数据时代的发展")
    assert sections["建议"].endswith("监督检查。")


def test_seed_rescoring_and_flags(seed_record: dict) -> None:
    by_name = {r["name"]: r for r in seed_record["indicators"]}
    assert by_name["预算执行率"]["recomputed_score"] == pytest.approx(3.9)
    assert "低于 100% 7.00 点 × 5%" in by_name["预算执行率"]["rule"]
    others = [r for r in seed_record["indicators"] if r["name"] != "预算执行率"]
    assert all(r["recomputed_score"] == pytest.approx(r["reported_score"]) for r in others)
    assert seed_record["reported_total"] == 80.0
    assert seed_record["recomputed_total"] == pytest.approx(77.9)
    flags = sorted((f["code"], f["subject"], f["severity"]) for f in seed_record["flags"])
    assert flags == [
        ("budget_identity", "fund_balance", "error"),
        ("full_score_despite_shortfall", "预算执行率", "warning"),  # 93 of =100% given its full 6
        ("mixed_qualitative", "政府采购规范性", "info"),
        ("score_mismatch", "预算执行率", "error"),
    ]
    (mismatch,) = [f for f in seed_record["flags"] if f["code"] == "score_mismatch"]
    assert mismatch["rule_confidence"] == "low"
    assert (mismatch["reported"], mismatch["expected"]) == (6.0, pytest.approx(3.9))
    assert by_name["预算执行率"]["project_execution_rate"] == pytest.approx(93.11)
