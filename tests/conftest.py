from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXPECTED = SAMPLES / "expected"
SCHEMA_PATH = ROOT / "jixiao" / "report.schema.json"


@pytest.fixture(scope="session")
def schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def seed_record() -> dict:
    from jixiao.pipeline import path_to_record

    return path_to_record(SAMPLES / "suzhou-2020-egov-selfeval.txt", SAMPLES)
