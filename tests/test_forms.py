"""Forms as data: descriptions validated when loaded, recognised by their labels, read by one engine;
a form described only in a user's own TOML file reads its document."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from extract.forms import builtin_forms, document_to_form, load_form
from extract.forms.description import InvalidForm, form_from_dict
from extract.forms.engine import document_to_raw
from jixiao.cli import main
from jixiao.model import Cell, Document, Table
from jixiao.pipeline import path_to_record
from tests.conftest import SAMPLES

GENERIC_SAMPLE = "generic-2022-yichun-public-toilets.docx"

MY_FORM = """
name = "yichun-2022"
description = "宜春市市级项目绩效自评情况表"
profile = "generic"
recognise = ["项目绩效自评情况表", "指标类别", "指标内容", "预期目标", "实际完成", "评分"]
min_hits = 4

[fields]
name = ["项目名称"]
department = ["项目单位"]
year = ["年度"]

[indicators]
header_needs = ["name", "weight"]
total_labels = ["总分"]

[indicators.columns]
class = ["指标类别"]
name = ["指标内容"]
target = ["预期目标"]
actual = ["实际完成"]
weight = ["分值"]
score = ["评分"]
reason = ["说明"]
"""


def _table(rows: list[list[str]]) -> Document:
    n = max(len(r) for r in rows)
    cells = tuple(Cell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row + [""] * (n - len(row))))
    return Document((Table(cells, len(rows), n),), "txt")


@pytest.mark.parametrize("name", builtin_forms())
def test_every_builtin_form_loads_and_shows(name: str) -> None:
    form = load_form(name)
    assert form.name == name and form.scope in ("project", "department")
    out = io.StringIO()
    assert main(["forms", "show", name], stdout=out) == 0
    assert f'name = "{name}"' in out.getvalue()


@pytest.mark.parametrize("data, message", [
    ({"name": "x", "bogus": 1, "indicators": {"columns": {"name": ["a"]}}}, "unknown key bogus"),
    ({"name": "x", "indicators": {"columns": {"nmae": ["a"]}}}, "unknown key indicators.columns.nmae"),
    ({"name": "x", "indicators": {"columns": {"weight": ["a"]}}}, "indicators.columns.name is required"),
    ({"name": "x", "indicators": {"columns": {"name": "a"}}, "sections": {"存在问题": "problems"}},
     "'problems' is not a section key"),
    ({"name": "x", "scope": "city", "indicators": {"columns": {"name": ["a"]}}}, "scope must be"),
    ({"indicators": {"columns": {"name": ["a"]}}}, "key name is required"),
])
def test_bad_descriptions_name_the_key(data: dict, message: str) -> None:
    with pytest.raises(InvalidForm, match=message):
        form_from_dict(data, source="my.toml")


def test_a_bad_user_form_is_a_usage_error_before_anything_is_read(tmp_path: Path) -> None:
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "x.toml").write_text('name = "x"\n[indicators.columns]\nname = ["指标"]\nweight = 3\n',
                                              encoding="utf-8")
    err = io.StringIO()
    code = main(["extract", str(SAMPLES), "--out", str(tmp_path / "out"), "--forms", str(tmp_path / "forms")],
                stderr=err)
    assert code == 2 and "indicators.columns.weight must be a list" in err.getvalue()
    assert not (tmp_path / "out" / "json").exists()


def test_a_form_described_only_in_a_user_file_reads_its_sample(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "yichun-2022.toml").write_text(MY_FORM, encoding="utf-8")
    expected = json.loads((SAMPLES / "expected" / f"{GENERIC_SAMPLE}.json").read_text(encoding="utf-8"))
    record = path_to_record(SAMPLES / GENERIC_SAMPLE, SAMPLES, forms=(forms,))
    assert record["template"] == "yichun-2022" and record["profile"] == "generic"
    assert record["project"]["name"] == expected["project"]["name"]
    assert [(i["category"], i["name"], i["target"], i["actual"], i["weight"], i["reported_score"])
            for i in record["indicators"]] == \
        [(i["category"], i["name"], i["target"], i["actual"], i["weight"], i["reported_score"])
         for i in expected["indicators"]]
    assert record["reported_total"] == expected["reported_total"]
    # Without the user's folder the same file is only the generic form.
    assert path_to_record(SAMPLES / GENERIC_SAMPLE, SAMPLES)["template"] == "generic"
    out = io.StringIO()
    assert main(["forms", "list", "--forms", str(forms)], stdout=out) == 0
    assert "yichun-2022\tproject\tgeneric\t" in out.getvalue()


def test_columns_in_any_order_and_a_class_kept_as_printed() -> None:
    doc = _table([
        ["项目名称", "某项目", "主管部门", "某局"],
        ["得分", "权重", "指标名称", "目标值", "完成值", "类别"],
        ["4", "5", "道路长度", "≥10公里", "8公里", "成本指标"],
        ["10", "10", "满意度", "≥90%", "95%", "满意度指标"],
        ["合计", "", "", "", "", ""],
    ])
    form, _ = document_to_form(doc)
    assert form is not None and form.name == "generic"
    raw = document_to_raw(doc, form)
    assert [(r.category_label, r.name, r.target, r.actual, r.weight, r.score) for r in raw.indicators] == [
        ("成本指标", "道路长度", "≥10公里", "8公里", "5", "4"), ("满意度指标", "满意度", "≥90%", "95%", "10", "10")]
    from normalize import raw_to_report

    assert [i.category for i in raw_to_report(raw).indicators] == ["成本", "满意度"]


def test_class_rows_and_a_column_of_second_level_words() -> None:
    doc = _table([
        ["项目名称", "某项目"],
        ["指标", "指标名称", "目标值", "实际完成值", "分值", "得分"],
        ["产出指标(20分)", "", "", "", "", ""],
        ["数量指标", "建设公里数", "≥10公里", "10公里", "10", "10"],
        ["", "验收合格率", "=100%", "100%", "10", "10"],
        ["效益指标(10分)", "", "", "", "", ""],
        ["社会效益指标", "受益人口", "≥1万人", "1.2万人", "10", "10"],
        ["总分", "", "", "", "30", "30"],
    ])
    form, _ = document_to_form(doc)
    raw = document_to_raw(doc, form)
    rows = [(r.category_label, r.extra["subcategory"], r.name) for r in raw.indicators]
    assert rows == [("产出指标(20分)", "数量指标", "建设公里数"), ("产出指标(20分)", "数量指标", "验收合格率"),
                    ("效益指标(10分)", "社会效益指标", "受益人口")]
    assert raw.reported_total == "30"


def test_a_table_with_no_form_and_no_indicator_header_is_unknown() -> None:
    doc = _table([["会议纪要", "2023年"], ["参会人员", "张三"]])
    assert document_to_form(doc)[0] is None


def test_a_national_form_with_sichuan_columns_stays_national() -> None:
    record = path_to_record(SAMPLES / "national-sichuan-2023-school-nutrition.docx", SAMPLES)
    assert record["template"] == "national-2020" and record["profile"] == "national-sichuan-2023"


def test_a_copied_builtin_description_is_the_users(tmp_path: Path) -> None:
    """`jixiao forms show NAME > my.toml`, edited, wins over the built-in of the same name."""
    forms = tmp_path / "forms"
    forms.mkdir()
    out = io.StringIO()
    main(["forms", "show", "sichuan-2023"], stdout=out)
    text = out.getvalue().replace('"改进措施" = "建议"', '"改进措施" = "other"')
    (forms / "sichuan-2023.toml").write_text(text, encoding="utf-8")
    sample = SAMPLES / "sichuan-2023-nanbu-rural-road-maintenance.docx"
    record = path_to_record(sample, SAMPLES, forms=(forms,))
    assert "建议" not in record["sections"]
    assert [s["heading"] for s in record["sections_other"]] == ["改进措施"]
    shutil.rmtree(forms)


def test_a_form_cannot_name_code_only_data() -> None:
    with pytest.raises(InvalidForm, match="unknown key parser"):
        form_from_dict({"name": "x", "parser": "os:system", "indicators": {"columns": {"name": ["指标名称"]}}})


def test_a_header_over_two_rows() -> None:
    """指标值 spans 年度指标值 | 实际完成值 in the row below: both rows make the header."""
    doc = Document((Table((
        Cell("项目名称", 0, 0), Cell("某项目", 0, 1, colspan=5),
        Cell("指标名称", 1, 0, rowspan=2), Cell("指标值", 1, 1, colspan=2), Cell("分值", 1, 3, rowspan=2),
        Cell("得分", 1, 4, rowspan=2), Cell("说明", 1, 5, rowspan=2),
        Cell("年度指标值", 2, 1), Cell("实际完成值", 2, 2),
        Cell("道路长度", 3, 0), Cell("≥10公里", 3, 1), Cell("8公里", 3, 2), Cell("10", 3, 3), Cell("8", 3, 4),
        Cell("", 3, 5),
        Cell("合计", 4, 0), Cell("10", 4, 3), Cell("8", 4, 4), Cell("", 4, 5),
    ), 5, 6),), "docx")
    form, _ = document_to_form(doc)
    raw = document_to_raw(doc, form)
    assert [(r.name, r.target, r.actual, r.weight, r.score) for r in raw.indicators] == \
        [("道路长度", "≥10公里", "8公里", "10", "8")]
    assert raw.reported_total == "8"


def test_a_note_merged_across_the_table_is_no_indicator_and_a_new_class_has_no_old_subclass() -> None:
    doc = Document((Table((
        Cell("一级指标", 0, 0), Cell("二级指标", 0, 1), Cell("指标名称", 0, 2), Cell("目标值", 0, 3),
        Cell("分值", 0, 4), Cell("得分", 0, 5),
        Cell("产出指标", 1, 0), Cell("数量指标", 1, 1), Cell("道路长度", 1, 2), Cell("≥10公里", 1, 3),
        Cell("10", 1, 4), Cell("10", 1, 5),
        Cell("满意度指标", 2, 0), Cell("", 2, 1), Cell("群众满意度", 2, 2), Cell("≥90%", 2, 3), Cell("10", 2, 4),
        Cell("10", 2, 5),
        Cell("填表人：张三  联系电话：12345678", 3, 0, colspan=6),
    ), 4, 6),), "docx")
    form, _ = document_to_form(doc)
    raw = document_to_raw(doc, form)
    assert [(r.category_label, r.extra["subcategory"], r.name) for r in raw.indicators] == \
        [("产出指标", "数量指标", "道路长度"), ("满意度指标", "", "群众满意度")]
