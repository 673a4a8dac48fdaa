"""What the generators of the newer samples (make_form_samples.py, make_prose_samples.py) share beyond the Word,
Excel and PDF helpers of make_national_samples.py and make_pdf_samples.py: writing an expectation beside its
sample and validating it against the contract (jixiao/report.schema.json).  Not a generator: nothing runs here.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXPECTED_DIR = HERE / "expected"
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no samples/__pycache__ (it would count as a file of the samples folder)

from make_national_samples import write_json  # noqa: E402


def schema_check(exp: dict, sample: Path):
    """Validate an expectation against the contract, completed with the keys the expected files leave out
    (schema_version, source.sha256, budget, subprojects, flag messages)."""
    import jsonschema

    schema = json.loads((ROOT / "jixiao" / "report.schema.json").read_text(encoding="utf-8"))
    rec = copy.deepcopy(exp)
    rec["schema_version"] = 1
    rec["source"]["sha256"] = hashlib.sha256(sample.read_bytes()).hexdigest()
    rec.setdefault("budget", {})
    rec.setdefault("subprojects", [])
    for f in rec["flags"]:
        f.setdefault("message", "(expected)")
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(rec)


def emit(name: str, exp: dict, written: list):
    """Write samples/expected/<name>.json, check it against the contract with the sample's bytes, and note both
    files in written (paths below samples/)."""
    EXPECTED_DIR.mkdir(exist_ok=True)
    write_json(exp, EXPECTED_DIR / f"{name}.json")
    schema_check(exp, HERE / name)
    written.extend([name, f"expected/{name}.json"])


def print_written(written: list):
    for name in written:
        print("wrote samples/" + name)


def expected_record(source_path: str, fmt: str, template: str, profile: str, document_kind: str, scope: str,
                    project: dict, *, budget_lines=None, indicators, reported_total, recomputed_total,
                    stated_total=None, stated_grade=None, sections: dict, sections_other=None, flags: list) -> dict:
    """An expected record in the contract's key order, status "ok"; budget_lines and sections_other are left
    out where None."""
    rec = {
        "source": {"path": source_path, "format": fmt},
        "status": "ok",
        "template": template,
        "profile": profile,
        "document_kind": document_kind,
        "scope": scope,
        "project": project,
    }
    if budget_lines is not None:
        rec["budget_lines"] = budget_lines
    rec.update(indicators=indicators, reported_total=reported_total, recomputed_total=recomputed_total,
               stated_total=stated_total, stated_grade=stated_grade, sections=sections)
    if sections_other is not None:
        rec["sections_other"] = sections_other
    rec["flags"] = flags
    return rec
