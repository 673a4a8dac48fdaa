#!/usr/bin/env python3
"""`make eval`: how right jixiao is, field by field, against the samples' expected records.

    .venv/bin/python bench/eval.py [--samples samples] [--records OUT] [--json] [--all]

Runs ``jixiao extract SAMPLES`` into a temporary folder (or reads the records of an earlier run with
``--records OUT``) and compares every record with ``SAMPLES/expected/<file>.json``:

- indicator rows found: precision and recall by name (rows paired by name, in order);
- per field, over the paired rows: category, category points, weight, reported score, target, actual,
  recomputed score, and any other field an expected row states (the national form's 二级指标 and
  偏差原因); numbers equal within 1e-4, text exactly;
- money figures (the ``budget`` figures, ``subprojects_total``, the national form's ``budget_lines``),
  project fields, totals, 子项目 rows (by name, with their amounts), narrative sections (text exactly);
- flags by (code, subject): found (expected and raised), missed, and wrongly raised (raised, not expected);
- status, template and rule profile.

Only what an expected record states is checked. Prints a table per document and overall and always
exits 0: it is a report, not a test (``make test`` is the test). ``--json`` prints the same figures
for machines. The functions (``compare_record``, ``summarize``, ``evaluate``) are importable.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
INDICATOR_FIELDS = ("category", "category_points", "weight", "reported_score", "target", "actual",
                    "recomputed_score")
TOTAL_FIELDS = ("reported_total", "recomputed_total")
TOLERANCE = 1e-4


# --------------------------------------------------------------------------- comparing one record


def same(got: Any, expected: Any) -> bool:
    """Numbers equal within ``TOLERANCE``, anything else exactly."""
    if isinstance(got, bool) or isinstance(expected, bool):
        return got == expected
    if isinstance(got, (int, float)) and isinstance(expected, (int, float)):
        return abs(got - expected) <= TOLERANCE
    return got == expected


def pair_by_name(expected: list[dict], got: list[dict], key: str = "name") -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pair rows by name, in order (the n-th expected row of a name with the n-th found row of it).

    Returns (pairs, expected rows not found, found rows not expected)."""
    unused: dict[Any, list[dict]] = {}
    for row in got:
        unused.setdefault(row.get(key), []).append(row)
    pairs, missed = [], []
    for row in expected:
        candidates = unused.get(row.get(key))
        if candidates:
            pairs.append((row, candidates.pop(0)))
        else:
            missed.append(row)
    extra = [row for rows in unused.values() for row in rows]
    extra.sort(key=lambda r: got.index(r))
    return pairs, missed, extra


def indicator_fields(rows: Iterable[dict[str, Any]]) -> list[str]:
    """The fields checked on paired rows: the usual ones, then any other an expected row states."""
    fields = list(INDICATOR_FIELDS)
    for row in rows:
        fields.extend(k for k in row if k != "name" and k not in fields)
    return fields


def _tally() -> dict[str, Any]:
    return {"checked": 0, "correct": 0}


def _check(tally: dict[str, Any], misses: list[dict], group: str, where: str, got: Any, expected: Any) -> None:
    tally["checked"] += 1
    if same(got, expected):
        tally["correct"] += 1
    else:
        misses.append({"group": group, "where": where, "got": got, "expected": expected})


def compare_record(expected: dict[str, Any], got: dict[str, Any] | None) -> dict[str, Any]:
    """One document's figures: counts per group and the list of misses.

    ``got`` None means the pipeline wrote no record for the document (everything expected is missed)."""
    misses: list[dict] = []
    result: dict[str, Any] = {
        "document": expected.get("source", {}).get("path"),
        "found": got is not None,
        "status": {"expected": expected.get("status"), "got": None if got is None else got.get("status")},
        "misses": misses,
    }
    got = got or {}
    doc = _tally()
    _check(doc, misses, "status", "status", got.get("status"), expected.get("status"))
    for key in ("template", "profile"):
        if key in expected:
            _check(doc, misses, "status", key, got.get(key), expected.get(key))
    result["document_fields"] = doc

    # Indicator rows: found by name, then field by field on the pairs.
    exp_rows = expected.get("indicators", [])
    got_rows = got.get("indicators", []) if "indicators" in expected else []
    pairs, missed, extra = pair_by_name(exp_rows, got_rows)
    result["rows"] = {"expected": len(exp_rows), "found": len(got_rows), "matched": len(pairs)}
    for row in missed:
        misses.append({"group": "rows", "where": f"indicator {row.get('name')!r}", "got": None,
                       "expected": "row"})
    for row in extra:
        misses.append({"group": "rows", "where": f"indicator {row.get('name')!r}", "got": "row",
                       "expected": None})
    fields = {f: _tally() for f in indicator_fields(exp_rows)}
    for exp_row, got_row in pairs:
        for f in fields:
            if f in exp_row:
                _check(fields[f], misses, f"field {f}", f"{exp_row.get('name')}.{f}", got_row.get(f), exp_row[f])
    result["fields"] = fields

    # Money figures: the budget block and the 子项目 total.
    money = _tally()
    for key, value in expected.get("budget", {}).items():
        _check(money, misses, "money", f"budget.{key}", got.get("budget", {}).get(key), value)
    if "subprojects_total" in expected:
        _check(money, misses, "money", "subprojects_total", got.get("subprojects_total"), expected["subprojects_total"])
    # The national form's 项目资金 block: one line per 资金来源 (``item``), every figure of it.
    line_pairs, line_missed, _ = pair_by_name(expected.get("budget_lines", []), got.get("budget_lines", []) or [], "item")
    for row in line_missed:
        for key in row:
            if key != "item":
                _check(money, misses, "money", f"budget_lines[{row.get('item')}].{key}", None, row[key])
    for exp_row, got_row in line_pairs:
        for key, value in exp_row.items():
            if key != "item":
                _check(money, misses, "money", f"budget_lines[{exp_row.get('item')}].{key}", got_row.get(key), value)
    result["money"] = money

    project = _tally()
    for key, value in expected.get("project", {}).items():
        _check(project, misses, "project", f"project.{key}", (got.get("project") or {}).get(key), value)
    result["project"] = project

    totals = _tally()
    for key in TOTAL_FIELDS:
        if key in expected:
            _check(totals, misses, "totals", key, got.get(key), expected[key])
    result["totals"] = totals

    sub_pairs, sub_missed, sub_extra = pair_by_name(expected.get("subprojects", []),
                                                    got.get("subprojects", []) if "subprojects" in expected else [])
    subs = {"expected": len(expected.get("subprojects", [])), "found": len(sub_pairs) + len(sub_extra),
            "matched": len(sub_pairs), **_tally()}
    for row in sub_missed:
        misses.append({"group": "subprojects", "where": f"subproject {row.get('name')!r}", "got": None, "expected": "row"})
    for row in sub_extra:
        misses.append({"group": "subprojects", "where": f"subproject {row.get('name')!r}", "got": "row", "expected": None})
    for exp_row, got_row in sub_pairs:
        if "amount" in exp_row:
            _check(subs, misses, "subprojects", f"subproject {exp_row.get('name')!r}.amount", got_row.get("amount"), exp_row["amount"])
    result["subprojects"] = subs

    # Narrative sections, text exactly; a section found that the expectation lacks is counted apart.
    sections = {**_tally(), "extra": 0}
    if "sections" in expected:
        got_sections = got.get("sections", {}) or {}
        for key, text in expected["sections"].items():
            got_text = got_sections.get(key)
            _check(sections, misses, "sections", f"sections.{key}", got_text, text)
            if isinstance(got_text, str) and isinstance(text, str) and got_text != text:
                at = next((i for i, (a, b) in enumerate(zip(got_text, text)) if a != b), min(len(got_text), len(text)))
                misses[-1].update(got=got_text[max(0, at - 10):], expected=text[max(0, at - 10):],
                                  note=f"first difference at character {at}")
        for key in got_sections:
            if key not in expected["sections"]:
                sections["extra"] += 1
                misses.append({"group": "sections", "where": f"sections.{key}", "got": got_sections[key],
                               "expected": None})
    result["sections"] = sections

    # Flags by (code, subject), as multisets.
    key = lambda f: (f.get("code"), f.get("subject"))  # noqa: E731
    exp_flags = Counter(map(key, expected.get("flags", [])))
    got_flags = Counter(map(key, got.get("flags", []))) if "flags" in expected else Counter()
    found, missed_flags, wrong = exp_flags & got_flags, exp_flags - got_flags, got_flags - exp_flags
    result["flags"] = {"expected": sum(exp_flags.values()), "found": sum(found.values()),
                       "missed": sum(missed_flags.values()), "wrongly_raised": sum(wrong.values())}
    for (code, subject), n in sorted(missed_flags.items(), key=str):
        misses.extend({"group": "flags", "where": f"flag {code} · {subject}", "got": None, "expected": "flag"}
                      for _ in range(n))
    for (code, subject), n in sorted(wrong.items(), key=str):
        misses.extend({"group": "flags", "where": f"flag {code} · {subject}", "got": "flag", "expected": None}
                      for _ in range(n))
    return result


# --------------------------------------------------------------------------- summing up


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def summarize(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Overall figures, summed over documents (micro-averaged)."""
    results = list(results)
    total: dict[str, Any] = {
        "documents": len(results),
        "records_found": sum(1 for r in results if r["found"]),
        "status_right": sum(1 for r in results if r["status"]["got"] == r["status"]["expected"]),
    }
    rows = Counter()
    for r in results:
        rows.update(r["rows"])
    total["rows"] = {**rows, "precision": _ratio(rows["matched"], rows["found"]),
                     "recall": _ratio(rows["matched"], rows["expected"])}
    total["fields"] = {}
    names = list(INDICATOR_FIELDS)
    for r in results:
        names.extend(f for f in r["fields"] if f not in names)
    for f in names:
        checked = sum(r["fields"].get(f, {}).get("checked", 0) for r in results)
        correct = sum(r["fields"].get(f, {}).get("correct", 0) for r in results)
        total["fields"][f] = {"checked": checked, "correct": correct, "accuracy": _ratio(correct, checked)}
    for group in ("document_fields", "money", "project", "totals", "sections", "subprojects"):
        checked = sum(r[group]["checked"] for r in results)
        correct = sum(r[group]["correct"] for r in results)
        total[group] = {"checked": checked, "correct": correct, "accuracy": _ratio(correct, checked)}
    total["sections"]["extra"] = sum(r["sections"]["extra"] for r in results)
    subs = Counter()
    for r in results:
        subs.update({k: r["subprojects"][k] for k in ("expected", "found", "matched")})
    total["subprojects"].update(subs)
    total["subprojects"]["recall"] = _ratio(subs["matched"], subs["expected"])
    flags = Counter()
    for r in results:
        flags.update(r["flags"])
    total["flags"] = {**flags, "recall": _ratio(flags["found"], flags["expected"])}
    checked = sum(_checked(r) for r in results)
    total["all_checks"] = {"checked": checked, "correct": checked - sum(len(r["misses"]) for r in results)}
    total["all_checks"]["accuracy"] = _ratio(total["all_checks"]["correct"], checked)
    return total


def _checked(r: dict[str, Any]) -> int:
    """Every item a document was checked on: fields, rows, subproject rows and flags (expected or raised)."""
    groups = sum(r[g]["checked"] for g in ("document_fields", "money", "project", "totals", "sections", "subprojects"))
    fields = sum(t["checked"] for t in r["fields"].values())
    rows = r["rows"]["expected"] + (r["rows"]["found"] - r["rows"]["matched"])
    subs = r["subprojects"]["expected"] + (r["subprojects"]["found"] - r["subprojects"]["matched"])
    flags = r["flags"]["expected"] + r["flags"]["wrongly_raised"]
    return groups + fields + rows + subs + flags + r["sections"]["extra"]


def document_score(r: dict[str, Any]) -> float | None:
    checked = _checked(r)
    return _ratio(checked - len(r["misses"]), checked)


# --------------------------------------------------------------------------- running


def load_expected(samples: Path) -> dict[str, dict[str, Any]]:
    """``samples/expected/*.json`` by the document's path."""
    out = {}
    for path in sorted((samples / "expected").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        out[record.get("source", {}).get("path") or path.name[:-5]] = record
    return out


def load_records(out: Path) -> dict[str, dict[str, Any]]:
    """The records of a run (``OUT/json/*.json``) by the document's path."""
    records = {}
    for path in sorted((out / "json").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        records[record["source"]["path"]] = record
    return records


def run_pipeline(samples: Path, out: Path) -> tuple[int, str]:
    """``jixiao extract SAMPLES --out OUT --force -q`` in this process; (exit code, its output)."""
    from jixiao.cli import main as jixiao_main

    stdout, stderr = io.StringIO(), io.StringIO()
    code = jixiao_main(["extract", str(samples), "--out", str(out), "--force", "-q"], stdout=stdout, stderr=stderr)
    return code, (stdout.getvalue() + stderr.getvalue()).strip()


def evaluate(expected: dict[str, dict[str, Any]], records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Every expected document compared with its record; per document and overall."""
    documents = [compare_record(exp, records.get(path)) for path, exp in expected.items()]
    unexpected = sorted(set(records) - set(expected))
    return {"documents": documents, "overall": summarize(documents), "records_without_expectation": unexpected}


# --------------------------------------------------------------------------- printing


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _frac(correct: int, checked: int) -> str:
    return f"{correct}/{checked}" if checked else "—"


def format_text(evaluation: dict[str, Any], all_misses: bool = False, per_document: int = 12) -> str:
    docs, overall = evaluation["documents"], evaluation["overall"]
    out: list[str] = []
    header = ("document", "status", "rows P", "rows R", "fields", "money", "sections", "flags found", "wrong flags", "score")
    table = [header]
    for r in docs:
        f_checked = sum(t["checked"] for t in r["fields"].values())
        f_correct = sum(t["correct"] for t in r["fields"].values())
        rows = r["rows"]
        status = r["status"]["got"] or "no record"
        if r["status"]["got"] != r["status"]["expected"]:
            status += f" (expected {r['status']['expected']})"
        table.append((
            r["document"], status,
            _pct(_ratio(rows["matched"], rows["found"])) if rows["found"] else ("—" if not rows["expected"] else "0.0%"),
            _pct(_ratio(rows["matched"], rows["expected"])),
            _frac(f_correct, f_checked), _frac(r["money"]["correct"], r["money"]["checked"]),
            _frac(r["sections"]["correct"], r["sections"]["checked"]),
            _frac(r["flags"]["found"], r["flags"]["expected"]), str(r["flags"]["wrongly_raised"]),
            _pct(document_score(r)),
        ))
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        out.append("  ".join(_pad(cell, widths[i], left=i < 2) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    out.append("")
    rows = overall["rows"]
    out.append(f"Overall, {overall['documents']} documents ({overall['records_found']} with a record, "
               f"status right in {overall['status_right']}):")
    out.append(f"  indicator rows      precision {_pct(rows['precision'])} ({rows['matched']}/{rows['found']}), "
               f"recall {_pct(rows['recall'])} ({rows['matched']}/{rows['expected']})")
    for f, t in overall["fields"].items():
        out.append(f"  {f:19s} {_pct(t['accuracy']):>6s}  ({t['correct']}/{t['checked']} paired rows)")
    for group, label in (("money", "money figures"), ("project", "project fields"), ("totals", "totals"),
                         ("sections", "sections"), ("subprojects", "subproject amounts")):
        t = overall[group]
        extra = ""
        if group == "sections" and t.get("extra"):
            extra = f", {t['extra']} section(s) found that were not expected"
        if group == "subprojects":
            extra = f", rows recall {_pct(t.get('recall'))} ({t.get('matched', 0)}/{t.get('expected', 0)})"
        out.append(f"  {label:19s} {_pct(t['accuracy']):>6s}  ({t['correct']}/{t['checked']}){extra}")
    fl = overall["flags"]
    out.append(f"  flags               found {fl.get('found', 0)}/{fl.get('expected', 0)} ({_pct(fl.get('recall'))}), "
               f"missed {fl.get('missed', 0)}, wrongly raised {fl.get('wrongly_raised', 0)}  (by code and subject)")
    a = overall["all_checks"]
    out.append(f"  all checks          {_pct(a['accuracy'])} ({a['correct']}/{a['checked']})")
    if evaluation.get("records_without_expectation"):
        out.append(f"  records without an expected file (not scored): {', '.join(evaluation['records_without_expectation'])}")
    missing = [r for r in docs if r["misses"]]
    if missing:
        out.append("")
        out.append("Misses (found → expected):")
        for r in missing:
            shown = r["misses"] if all_misses else r["misses"][:per_document]
            out.append(f"  {r['document']}: {len(r['misses'])}")
            for m in shown:
                if m["group"] in ("rows", "subprojects", "flags") and (m["got"] is None) != (m["expected"] is None):
                    what = "missed" if m["got"] is None else ("wrongly raised" if m["group"] == "flags" else "not expected")
                else:
                    what = f"{_show(m['got'])} → {_show(m['expected'])}"
                out.append(f"    {m['group']:22s} {m['where']}: {what}" + (f"  ({m['note']})" if m.get("note") else ""))
            if len(shown) < len(r["misses"]):
                out.append(f"    … {len(r['misses']) - len(shown)} more (--all shows them)")
    return "\n".join(out) + "\n"


def _show(value: Any, width: int = 50) -> str:
    text = "∅" if value is None else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, left: bool) -> str:
    gap = " " * (width - _width(text))
    return text + gap if left else gap + text


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT / "samples",
                        help="folder of sample reports with expected/<file>.json (default samples/)")
    parser.add_argument("--records", type=Path, metavar="OUT",
                        help="compare the records of an earlier run (OUT/json) instead of running jixiao")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--all", action="store_true", help="list every miss (default: the first 12 per document)")
    args = parser.parse_args(argv)
    expected = load_expected(args.samples)
    if not expected:
        print(f"eval: no expected records in {args.samples / 'expected'}", file=sys.stderr)
        return 0
    note = ""
    if args.records is not None:
        records = load_records(args.records)
    else:
        with tempfile.TemporaryDirectory(prefix="jixiao-eval-") as tmp:
            code, text = run_pipeline(args.samples, Path(tmp) / "out")
            note = text.splitlines()[-1] if text else f"jixiao exited {code}"
            records = load_records(Path(tmp) / "out")
    evaluation = evaluate(expected, records)
    if args.json:
        print(json.dumps({**evaluation, "run": note}, ensure_ascii=False, indent=1))
    else:
        if note:
            print(f"jixiao: {note}\n")
        print(format_text(evaluation, all_misses=args.all), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
