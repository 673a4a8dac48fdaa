"""The schema the tests validate against is the contract's, unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, SCHEMA_PATH

SHARED = ROOT.parent / "shared" / "contract" / "report.schema.json"


@pytest.mark.skipif(not SHARED.exists(), reason="shared/ contract not next to this checkout")
def test_schema_copy_is_the_contract() -> None:
    assert SCHEMA_PATH.read_bytes() == SHARED.read_bytes()


def test_every_stable_flag_code_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ("score_mismatch", "total_mismatch", "weight_sum_mismatch", "budget_identity",
                 "subproject_sum_mismatch", "execution_rate_mismatch", "missing_value"):
        assert f"`{code}`" in readme
