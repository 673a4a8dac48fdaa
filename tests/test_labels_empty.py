"""Issue #9 item 9: an empty labelled cell is empty (a ``missing_part``), never the neighbouring field's value."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.forms.labels import rows_to_fields
from extract.forms.rows import table_to_rows
from jixiao.model import Cell, Table
from jixiao.pipeline import path_to_record

from .conftest import SAMPLES

LABELS = {"name": ("项目名称",), "year": ("项目年份",), "department": ("主管部门",), "implementing_unit": ("实施单位",)}


def _fields(*texts: str) -> dict[str, str]:
    table = Table(cells=tuple(Cell(t, 0, c) for c, t in enumerate(texts)), n_rows=1, n_cols=len(texts))
    return rows_to_fields(table_to_rows(table), LABELS)


@pytest.mark.parametrize("texts, expected", [
    (("项目名称", "电子政务", "项目年份", "2020"), {"name": "电子政务", "year": "2020"}),
    (("项目名称", "", "项目年份", "2020"), {"name": "", "year": "2020"}),
    (("项目名称", "", "", "", "项目年份", "2020"), {"name": "", "year": "2020"}),       # text-dump gap cells
    (("项目名称", "", "电子政务", "", "项目年份", ""), {"name": "电子政务", "year": ""}),
    (("主管部门", "", "实施单位", "某中心"), {"department": "", "implementing_unit": "某中心"}),
    (("项目名称", " ", "项目年份：2020"), {"name": "", "year": "2020"}),                 # the neighbour shares its cell
    (("项目名称", "", "联系电话", "12345"), {"name": ""}),                               # a label outside the dict
])
def test_a_label_reads_only_its_own_cell(texts: tuple[str, ...], expected: dict[str, str]) -> None:
    assert _fields(*texts) == expected


def _record(path: Path) -> dict:
    return path_to_record(path, path.parent)


def _missing(record: dict) -> list[str]:
    return [e["message"] for e in record["errors"] if e["code"] == "missing_part"]


# --------------------------------------------------------------------------- text dump (the seed)


def _seed_without(tmp_path: Path, old: str, new: str) -> dict:
    text = (SAMPLES / "suzhou-2020-egov-selfeval.txt").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "seed.txt"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return _record(path)


def test_seed_with_an_empty_project_name(tmp_path: Path) -> None:
    record = _seed_without(tmp_path, "\t电子政务项目建设资金\t", "\t\t")
    assert record["project"] == {"name": None, "year": 2020, "department": "苏州市信息中心"}
    assert record["status"] == "partial"
    assert any("project name" in m for m in _missing(record))
    assert len(record["indicators"]) == 38  # the rest of the report stands


def test_seed_with_an_empty_department(tmp_path: Path) -> None:
    record = _seed_without(tmp_path, "\t苏州市信息中心\t", "\t\t")
    assert record["project"]["department"] is None
    assert record["project"]["name"] == "电子政务项目建设资金"
    assert record["status"] == "partial" and any("project department" in m for m in _missing(record))


def test_seed_with_an_empty_year(tmp_path: Path) -> None:
    record = _seed_without(tmp_path, "\t项目年份\t2020", "\t项目年份\t")
    assert record["project"]["year"] is None and record["project"]["name"] == "电子政务项目建设资金"
    assert record["status"] == "partial" and any("project year" in m for m in _missing(record))


# --------------------------------------------------------------------------- Word files


def _docx_without(tmp_path: Path, sample: str, label: str) -> dict:
    """A copy of ``sample`` with the value cell right of ``label`` emptied (python-docx)."""
    import docx

    document = docx.Document(str(SAMPLES / sample))
    emptied = None
    for table in document.tables:
        for row in table.rows:
            cells = row.cells  # a merged cell is repeated once per grid column it spans
            for i, cell in enumerate(cells):
                if emptied is None and cell.text.strip() == label:
                    emptied = next(c for c in cells[i + 1:] if c._tc is not cell._tc)
                    emptied.text = ""
    assert emptied is not None, f"no {label} cell in {sample}"
    path = tmp_path / sample
    document.save(str(path))
    return _record(path)


def test_suzhou_docx_with_an_empty_project_name(tmp_path: Path) -> None:
    record = _docx_without(tmp_path, "suzhou-2020-egov-selfeval.docx", "项目名称")
    assert record["project"]["name"] is None  # not 项目年份's 2020
    assert record["project"]["year"] == 2020
    assert record["status"] == "partial" and any("project name" in m for m in _missing(record))


def test_suzhou_docx_with_an_empty_department(tmp_path: Path) -> None:
    record = _docx_without(tmp_path, "suzhou-2021-public-bike-appropriation-exec-rate.docx", "项目主管部门(单位)")
    assert record["project"]["department"] is None  # not 实施单位's company
    assert record["project"]["implementing_unit"] == "苏州市公共自行车有限公司"
    assert record["status"] == "partial" and any("project department" in m for m in _missing(record))


def test_suzhou_docx_with_an_empty_implementing_unit(tmp_path: Path) -> None:
    record = _docx_without(tmp_path, "suzhou-2021-public-bike-appropriation-exec-rate.docx", "实施单位")
    assert record["project"]["implementing_unit"] is None
    assert record["project"]["department"] == "苏州市交通运输局"
    assert record["status"] == "partial" and any("implementing_unit" in m for m in _missing(record))


def test_suzhou_docx_with_an_empty_year_on_its_own_row(tmp_path: Path) -> None:
    record = _docx_without(tmp_path, "suzhou-2022-school-meals-reordered-layout.docx", "项目年份")
    assert record["project"]["year"] is None
    assert record["project"]["department"] == "苏州市教育局"
    assert record["status"] == "partial" and any("project year" in m for m in _missing(record))


@pytest.mark.parametrize("label, key, kept", [
    ("项目名称", "name", {"department": "滁州市发展和改革委员会"}),
    ("主管部门", "department", {"implementing_unit": "滁州市能源发展服务中心"}),
    ("实施单位", "implementing_unit", {"department": "滁州市发展和改革委员会"}),
])
def test_national_docx_with_an_empty_header_field(tmp_path: Path, label: str, key: str, kept: dict) -> None:
    record = _docx_without(tmp_path, "national-2021-ev-charging-score-faults.docx", label)
    assert record["project"][key] is None
    assert {k: record["project"][k] for k in kept} == kept
    assert record["status"] == "partial" and any(f"project {key}" in m for m in _missing(record))
    assert len(record["indicators"]) == 19
