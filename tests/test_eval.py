"""bench/eval.py (`make eval`) reports 100 % for a matching record and exactly the misses of an altered one."""

from __future__ import annotations

import copy
import importlib.util
import json
from typing import Any

import pytest

from tests.conftest import EXPECTED, ROOT

_spec = importlib.util.spec_from_file_location("jixiao_bench_eval", ROOT / "bench" / "eval.py")
assert _spec is not None and _spec.loader is not None
ev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ev)

PAIRS = ("suzhou-2020-egov-selfeval.docx", "suzhou-2018-road-maintenance-weight-total-faults.docx")


def _expected(name: str) -> dict[str, Any]:
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))


def _as_record(expected: dict[str, Any]) -> dict[str, Any]:
    """The expected record as the pipeline would write it: more keys than the expectation states."""
    record = copy.deepcopy(expected)
    for i, row in enumerate(record["indicators"]):
        row.update(page=None, rule="…", flags=[], index=i)
    for flag in record["flags"]:
        flag.update(field="…", message="…", rule="…")
    record["errors"] = []
    return record


@pytest.mark.parametrize("name", PAIRS)
def test_a_matching_record_scores_100_percent(name: str) -> None:
    expected = _expected(name)
    result = ev.compare_record(expected, _as_record(expected))
    assert result["misses"] == []
    assert ev.document_score(result) == 1.0
    rows = result["rows"]
    assert rows["matched"] == rows["expected"] == rows["found"] == len(expected["indicators"])
    assert all(t["correct"] == t["checked"] == len(expected["indicators"]) for t in result["fields"].values())
    assert result["flags"] == {"expected": len(expected["flags"]), "found": len(expected["flags"]),
                               "missed": 0, "wrongly_raised": 0}


def test_an_altered_record_reports_exactly_its_misses() -> None:
    expected = _expected(PAIRS[0])
    got = _as_record(expected)
    rows = got["indicators"]
    dropped = rows.pop(5)["name"]                      # one row not found
    rows[0]["name"] += "X"                             # one row misnamed: missed and spurious
    rows[1]["weight"] = rows[1]["weight"] + 1          # wrong weight
    rows[2]["recomputed_score"] = 0.5                  # wrong rescoring
    rows[3]["target"] = "?"                            # wrong text
    rows[4]["weight"] = rows[4]["weight"] + 5e-5       # within tolerance: right
    got["budget"]["fund_balance"] = 999.0              # one money figure wrong
    key = next(iter(expected["sections"]))
    got["sections"][key] += "。"                       # one section wrong
    removed = got["flags"].pop(0)                      # one expected flag not raised
    got["flags"].append({"code": "total_mismatch", "severity": "error", "subject": "total"})  # one wrongly raised

    r = ev.compare_record(expected, got)
    n = len(expected["indicators"])
    assert r["rows"] == {"expected": n, "found": n - 1, "matched": n - 2}
    assert r["fields"]["weight"] == {"checked": n - 2, "correct": n - 3}
    assert r["fields"]["recomputed_score"] == {"checked": n - 2, "correct": n - 3}
    assert r["fields"]["target"] == {"checked": n - 2, "correct": n - 3}
    assert r["fields"]["category"] == {"checked": n - 2, "correct": n - 2}
    assert r["money"] == {"checked": 10, "correct": 9}
    assert r["sections"] == {"checked": 7, "correct": 6, "extra": 0}
    assert r["flags"] == {"expected": 4, "found": 3, "missed": 1, "wrongly_raised": 1}
    assert r["status"] == {"expected": "ok", "got": "ok"}
    where = sorted((m["group"], m["where"]) for m in r["misses"])
    assert where == sorted([
        ("rows", f"indicator {dropped!r}"),
        ("rows", f"indicator {expected['indicators'][0]['name']!r}"),
        ("rows", f"indicator {rows[0]['name']!r}"),
        ("field weight", f"{rows[1]['name']}.weight"),
        ("field recomputed_score", f"{rows[2]['name']}.recomputed_score"),
        ("field target", f"{rows[3]['name']}.target"),
        ("money", "budget.fund_balance"),
        ("sections", f"sections.{key}"),
        ("flags", f"flag {removed['code']} · {removed['subject']}"),
        ("flags", "flag total_mismatch · total"),
    ])

    # Overall figures add up the two documents; the text report names the misses.
    evaluation = ev.evaluate({PAIRS[0]: expected, PAIRS[1]: _expected(PAIRS[1])},
                             {PAIRS[0]: got, PAIRS[1]: _as_record(_expected(PAIRS[1]))})
    overall = evaluation["overall"]
    n2 = len(_expected(PAIRS[1])["indicators"])
    assert overall["rows"]["recall"] == pytest.approx((n - 2 + n2) / (n + n2))
    assert overall["rows"]["precision"] == pytest.approx((n - 2 + n2) / (n - 1 + n2))
    assert overall["flags"]["wrongly_raised"] == 1 and overall["flags"]["missed"] == 1
    assert overall["all_checks"]["checked"] - overall["all_checks"]["correct"] == 10
    text = ev.format_text(evaluation)
    assert "budget.fund_balance: 999.0 → 260.0" in text
    assert ev.main(["--records", "/nonexistent-folder"]) == 0


def test_a_document_without_a_record_misses_everything() -> None:
    expected = _expected(PAIRS[1])
    r = ev.compare_record(expected, None)
    assert not r["found"] and r["rows"]["matched"] == 0 and r["flags"]["found"] == 0
    assert ev.document_score(r) == 0.0
