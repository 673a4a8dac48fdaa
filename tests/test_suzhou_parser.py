"""The Suzhou form, read by the engine through its description, finds parts by label: layouts real
archives show must give the seed's record."""

from __future__ import annotations

from typing import Callable

import pytest

from extract.forms import form_to_raw, load_form
from extract.forms.engine import document_to_raw
from extract.readers.txt import text_to_document
from jixiao.pipeline import document_to_report, report_to_record
from tests.conftest import SAMPLES

SEED = (SAMPLES / "suzhou-2020-egov-selfeval.txt").read_text(encoding="utf-8")
KEYS = ("project", "budget", "subprojects", "subprojects_total", "reported_total", "recomputed_total", "sections")


def record_of(text: str) -> dict:
    report = document_to_report(text_to_document(text))
    return report_to_record(report, {"path": "x.txt", "sha256": "0" * 64, "format": "txt"})


def essentials(record: dict) -> dict:
    rows = [{k: v for k, v in r.items() if k not in ("page", "rule")} for r in record["indicators"]]
    flags = sorted((f["code"], f["subject"]) for f in record["flags"])
    return {**{k: record[k] for k in KEYS}, "indicators": rows, "flags": flags, "status": record["status"]}


def _replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return change


LAYOUTS = {
    "page footer inside the indicator table": _replace("\n\n\t成数", "\n第 1 页 共 2 页\n\f\t成数"),
    "running footer as a dash number": _replace("\n\n\t成数", "\n— 1 —\n\t成数"),
    "project rows in another order": _replace(
        "项目名称\t\t电子政务项目建设资金\t\t\t项目年份\t2020\n项目主管部门(单位)\t\t苏州市信息中心\t\t\t\t\n",
        "项目主管部门(单位)\t\t苏州市信息中心\t\t\t\t\n项目年份\t2020\t\t\t\t\t\n项目名称\t\t电子政务项目建设资金\t\t\t\t\n"),
    "narrative cell broken into lines": _replace(
        "为市级各部门上层应用提供支撑；", "为市级各部门上层\n应用提供支撑；"),
    "total in the label cell": _replace("合计\t\t\t\t\t\t80", "合计 80分\t\t\t\t\t\t"),
    "class label split over two rows": _replace(
        "影响力目 标 (8分)\t数据库标准 化水平\t提升\t2\t提升\t2\n\t部门用户",
        "影响力目\t数据库标准 化水平\t提升\t2\t提升\t2\n标 (8分)\t部门用户"),
    "full-width operators and spaces in numbers": _replace("≥35 个\t2.44\t=40 个", "≥ 35 个\t2.44\t＝40 个"),
}


@pytest.fixture(scope="module")
def seed_essentials() -> dict:
    return essentials(record_of(SEED))


@pytest.mark.parametrize("change", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_layout_variant_gives_the_seed_record(change: Callable[[str], str], seed_essentials: dict) -> None:
    variant = change(SEED)
    assert variant != SEED
    assert essentials(record_of(variant)) == seed_essentials


def test_name_fragment_above_its_values_joins_downwards() -> None:
    # The cut fell inside the name, above the row's values: the fragment begins the next row.
    text = SEED.replace("\t架构治理服 务提交电子 政务项目初 审报告数\t≥100 份",
                        "\t架构治理服 务提交电子\t\t\t\t\n\t政务项目初 审报告数\t≥100 份")
    names = [r["name"] for r in record_of(text)["indicators"]]
    assert "架构治理服务提交电子政务项目初审报告数" in names
    assert len(names) == 38


def test_missing_parts_make_the_record_partial() -> None:
    text = SEED.split("填表说明")[0]  # narrative table cut off
    record = record_of(text)
    assert record["status"] == "partial"
    assert {e["code"] for e in record["errors"]} == {"missing_part"}
    assert any("项目概况" in e["message"] for e in record["errors"])
    assert len(record["indicators"]) == 38


def test_raw_report_keeps_printed_strings() -> None:
    raw = form_to_raw(text_to_document(SEED), load_form("suzhou-2017"))  # its dumps are aligned right first
    row = next(r for r in raw.indicators if "数据资源" in r.name)
    assert row.name == "数据资源分 析算数据资 源分析算法"
    assert (row.target, row.weight, row.actual, row.score) == ("≥4 种", "2.44", "=4 种", "2.44")
    assert raw.section_points == "项目绩效实现情况(80分)"


def test_the_description_has_no_parser_and_its_parts_are_data() -> None:
    form = load_form("suzhou-2017")
    assert not hasattr(form, "parser") and form.class_from == "left_cells" and form.continuation == "right"
    assert form.money is not None and form.money.copies == "appropriation" and form.subprojects is not None
    assert list(form.narrative)[0] == "项目概况"


@pytest.mark.parametrize("part, message", [
    ({"money": {"labels": {"bugdet": ["年初预算数"]}}}, "unknown key money.labels.bugdet"),
    ({"money": {"labels": {"initial_budget": ["年初预算数"]}, "kind": "right"}}, "money.kind must be one of below"),
    ({"subprojects": {"title": "项目资金构成", "name": ["子项目名称"]}}, "subprojects.amount is required"),
    ({"narrative": {"problems": ["存在问题"]}}, "unknown key narrative.problems"),
    ({"indicators": {"columns": {"name": ["指标名称"]}, "match": "fuzzy"}}, "indicators.match must be one of"),
    ({"indicators": {"columns": {"name": ["指标名称"]}, "class_from": "left"}}, "indicators.class_from must be"),
    ({"indicators": {"columns": {"name": ["指标名称"]}, "header_one_of": ["wieght"]}}, "unknown role 'wieght'"),
    ({"missing_labels": {"nmae": "项目名称"}}, "unknown key missing_labels.nmae"),
])
def test_bad_keys_of_the_new_parts_are_named(part: dict, message: str) -> None:
    from extract.forms.description import InvalidForm, form_from_dict

    with pytest.raises(InvalidForm, match=message):
        form_from_dict({"name": "x", "indicators": {"columns": {"name": ["指标名称"]}}, **part}, source="my.toml")
