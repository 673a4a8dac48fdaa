"""The samples read by OCR give their whole expected record exactly: the two scans (the Suzhou form,
and a national form at other angles with more noise) and the national PDF whose fonts have no
ToUnicode maps. (tests/test_samples.py judges OCR samples by rows only; here every field counts:
header, money, rows with their reasons, sections, totals and flags.)"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import EXPECTED, SAMPLES
from tests.test_samples import _close

OCR_SAMPLES = ["suzhou-2022-school-meals-scanned.pdf", "national-2021-rural-water-scanned.pdf",
               "national-2021-ev-charging-no-tounicode.pdf"]


@pytest.mark.slow
@pytest.mark.parametrize("name", OCR_SAMPLES)
def test_ocr_sample_gives_its_whole_record(name: str) -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    from jixiao.pipeline import path_to_record

    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    got = path_to_record(SAMPLES / name, SAMPLES)
    assert got["source"]["ocr"] is True
    assert got["status"] == expected["status"] == "ok", got.get("errors")
    assert got["template"] == expected["template"]
    for key in ("project", "budget", "subprojects", "sections", "sections_other", "profile"):
        if key in expected:
            assert got[key] == expected[key], key
    for key in ("subprojects_total", "reported_total", "recomputed_total"):
        if key in expected:
            assert _close(got[key], expected[key]), key
    if "budget_lines" in expected:
        assert _close([{k: g.get(k) for k in e} for g, e in zip(got["budget_lines"], expected["budget_lines"])],
                      expected["budget_lines"])
    wrong = [(e["name"], {k: (g.get(k), v) for k, v in e.items() if k != "page" and not _close(g.get(k), v)})
             for g, e in zip(got["indicators"], expected["indicators"])]
    assert len(got["indicators"]) == len(expected["indicators"])
    assert [w for w in wrong if w[1]] == []
    flag = lambda f: (f["code"], f["subject"], f["severity"])  # noqa: E731
    assert Counter(map(flag, got["flags"])) == Counter(map(flag, expected["flags"]))
