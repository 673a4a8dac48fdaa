"""The pipeline: file → Document → template → RawReport → Report → validated record.

``path_to_record`` never raises for a bad file: every input gets exactly one record, with
status ``error`` and a reason when it cannot be read.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

from jixiao import __version__
from jixiao.errors import JixiaoError, NotAReport, UnknownTemplate, UnsupportedTemplate
from jixiao.inputs import file_problem, not_a_report, path_key, sha256_of
from jixiao.model import SCHEMA_VERSION, SECTION_KEYS, Document, RawReport, ReadError, Report
from validate.archive_text import project_key

log = logging.getLogger("jixiao")

FORMATS = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".xlsx": "xlsx", ".xls": "xls", ".txt": "txt",
           ".html": "html", ".htm": "html"}


def document_to_report(doc: Document, rules: Any = None, forms: tuple[Path, ...] = ()) -> Report:
    """A read document → validated ``Report`` (form recognised from its labels; ``forms``: folders of
    the user's own form descriptions, beside the built-in ones)."""
    from extract.forms import document_to_form, form_to_raw
    from extract.prose import document_to_prose
    from normalize import raw_to_report
    from validate import Profile, validate_report

    form, hits = document_to_form(doc, forms)
    prose = document_to_prose(doc)
    if form is None and not prose.is_report:
        why = not_a_report(doc.text(), hits, doc.format, doc.ocr, doc.notes)
        if why is not None:
            raise NotAReport(why)
        raise UnknownTemplate(
            f"no known report form recognised (best match had {hits} of its labels), no indicator table "
            "with a name column and two of 目标值 / 实际完成值 / 权重 / 得分, and no report headings (一、… 二、…); "
            "describe the form in a TOML file (see `jixiao forms show generic`) and pass its folder with --forms"
        )
    if form is None:
        raw = prose_to_raw(prose)
        report = raw_to_report(raw)
        return validate_report(report, Profile.resolve(rules or "report", "report", ""))
    raw = form_to_raw(doc, form)
    if prose.is_report:
        with_prose(raw, prose)
    report = raw_to_report(raw)
    report.errors.extend(ReadError("missing_part", f"not found in the document: {part}") for part in raw.missing)
    if rules is None and form.profile:
        rules = form.profile
        if rules.endswith(".toml") and form.source and not Path(rules).is_absolute():
            rules = str(Path(form.source).parent / rules)  # a user's form names its profile beside it
    profile = Profile.resolve(rules, form.name, doc.text())
    return validate_report(report, profile)


def prose_to_raw(prose: Any) -> RawReport:
    """A prose report without an indicator table: its sections and what it states."""
    raw = RawReport(template="report", project=dict(prose.project), scope=prose.scope, document_kind="report")
    raw.project.setdefault("implementing_unit", "")
    with_prose(raw, prose)
    return raw


def with_prose(raw: Any, prose: Any) -> None:
    """Add a report's prose to what its form gave: sections the form's cells lack, the stated total
    and grade, and the header facts of its title where the form has none."""
    if raw.document_kind == "form":
        raw.document_kind = "report_with_form"
    for key, text in prose.sections.items():
        raw.sections.setdefault(key, text)
    raw.sections_other.extend(prose.other)
    raw.stated_total, raw.stated_grade = prose.stated_total, prose.stated_grade
    if prose.scope == "department":
        raw.scope = "department"
    for key, value in prose.project.items():
        if not raw.project.get(key):
            raw.project[key] = value


def new_source(path: Path, key: str, sha256: str) -> dict[str, Any]:
    """A record's ``source`` before the file is read: pages and OCR are filled in by the reader."""
    return {"path": key, "sha256": sha256, "format": FORMATS.get(path.suffix.lower(), "other"),
            "pages": None, "ocr": False}


def path_to_record(path: Path, root: Path, rules: Any = None, tables: str = "pdfium",
                   forms: tuple[Path, ...] = ()) -> dict[str, Any]:
    """One input file → one contract record (a dict ready for JSON)."""
    source = new_source(path, path_key(path, root), sha256_of(path))
    problem = file_problem(path)  # a pipe or a device is never opened: reading it could block for good
    if problem is not None:
        return error_record(source, *problem)
    try:
        from extract import read_document

        doc = read_document(path, tables)
        source["pages"] = doc.pages
        source["ocr"] = doc.ocr
        if doc.notes:
            source["notes"] = list(doc.notes)
        report = document_to_report(doc, rules, forms)
        if report.notes:
            source["notes"] = [*source.get("notes", []), *report.notes]
    except JixiaoError as exc:
        template = exc.template if isinstance(exc, UnsupportedTemplate) else "unknown"
        message = str(exc)
        if isinstance(exc, UnknownTemplate) and any("no Unicode text" in n for n in source.get("notes", [])):
            message = ("the PDF's text layer is unreadable (its fonts map characters to no Unicode text) and OCR "
                       f"found no report in the pages either: {message}")
        return error_record(source, exc.code, message, template)
    except MemoryError:  # the per-file limit, or the machine: a larger --max-memory may do; retried on a rerun
        return error_record(source, "memory_limit", "ran out of memory reading the file; raise --max-memory "
                            "(or free memory) to process it (it is retried on the next run)")
    except Exception as exc:  # a bug or a file nobody anticipated: still one record, the run goes on
        log.debug("internal error on %s", path, exc_info=True)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        message = f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno}); please report it"
        return error_record(source, "internal_error", message, "unknown")
    return report_to_record(report, source)


def report_to_record(report: Report, source: dict[str, Any]) -> dict[str, Any]:
    usable = (bool(report.indicators) or any(v is not None for k, v in report.budget.items() if k != "unit")
              or any(report.project.values()) or bool(report.sections))
    status = "ok" if not report.errors else ("partial" if usable else "error")
    return {
        "schema_version": SCHEMA_VERSION,
        "jixiao_version": __version__,
        "source": source,
        "status": status,
        "errors": [e.to_json() for e in report.errors],
        "template": report.template,
        "profile": report.profile,
        "project": report.project,
        "project_key": project_key(report.project.get("department"), report.project.get("name")),
        "budget": {k: v for k, v in report.budget.items()},
        "subprojects": report.subprojects,
        "subprojects_total": report.subprojects_total,
        "indicators": [ind.to_json() for ind in report.indicators],
        "section_points": report.section_points,
        "reported_total": report.reported_total,
        "recomputed_total": round(report.recomputed_total, 6) if report.recomputed_total is not None else None,
        "sections": {k: report.sections[k] for k in SECTION_KEYS if k in report.sections},
        "sections_other": report.sections_other,
        "document_kind": report.document_kind,
        "scope": report.scope,
        "stated_total": report.stated_total,
        "stated_grade": report.stated_grade,
        "flags": [f.to_json() for f in report.flags],
        "budget_lines": [{k: _rounded(v) for k, v in line.items()} for line in report.budget_lines],
    }


def _rounded(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def error_record(source: dict[str, Any], code: str, message: str, template: str = "unknown") -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "jixiao_version": __version__,
        "source": source,
        "status": "error",
        "errors": [{"code": code, "message": message}],
        "template": template,
        "profile": None,
        "project": {"name": None, "year": None, "department": None},
        "budget": {},
        "subprojects": [],
        "subprojects_total": None,
        "indicators": [],
        "reported_total": None,
        "recomputed_total": None,
        "sections": {},
        "flags": [],
    }
