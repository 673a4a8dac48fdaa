"""The pipeline: file → Document → template → RawReport → Report → validated record.

``path_to_record`` never raises for a bad file: every input gets exactly one record, with
status ``error`` and a reason when it cannot be read.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from pathlib import Path
from typing import Any, Callable

from jixiao import __version__
from jixiao.errors import JixiaoError, UnknownTemplate, UnsupportedTemplate
from jixiao.inputs import file_problem, path_key, sha256_of
from jixiao.model import SCHEMA_VERSION, SECTION_KEYS, Document, RawReport, ReadError, Report

log = logging.getLogger("jixiao")

# template → (module, function) of its form parser: Document → RawReport.
PARSERS: dict[str, tuple[str, str]] = {
    "suzhou-2017": ("extract.suzhou", "suzhou_document_to_raw"),
    "national-2020": ("extract.national", "national_document_to_raw"),
}
FORMATS = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".xlsx": "xlsx", ".xls": "xls", ".txt": "txt",
           ".html": "html", ".htm": "html"}


def parser_for(template: str) -> Callable[[Document], RawReport]:
    try:
        module_name, func_name = PARSERS[template]
    except KeyError:
        raise UnsupportedTemplate(
            f"recognised the {template} form, but jixiao has no parser for it yet (supported: {', '.join(PARSERS)})",
            template,
        ) from None
    func: Callable[[Document], RawReport] = getattr(importlib.import_module(module_name), func_name)
    return func


def document_to_report(doc: Document, rules: Any = None) -> Report:
    """A read document → validated ``Report`` (template recognised from its labels)."""
    from extract.recognize import document_to_template
    from normalize import raw_to_report
    from validate import Profile, validate_report

    template, hits = document_to_template(doc)
    if template == "unknown":
        raise UnknownTemplate(
            f"no known report form recognised (best match had {hits} of its labels); "
            "jixiao reads the Suzhou 2017 form (苏州市级财政支出项目绩效自评表) and the national "
            "项目支出绩效自评表 (财预〔2020〕10号)"
        )
    raw = parser_for(template)(doc)
    report = raw_to_report(raw)
    report.errors.extend(ReadError("missing_part", f"not found in the document: {part}") for part in raw.missing)
    profile = Profile.resolve(rules, template, doc.text())
    return validate_report(report, profile)


def path_to_record(path: Path, root: Path, rules: Any = None, tables: str = "pdfium") -> dict[str, Any]:
    """One input file → one contract record (a dict ready for JSON)."""
    source: dict[str, Any] = {
        "path": path_key(path, root),
        "sha256": sha256_of(path),
        "format": FORMATS.get(path.suffix.lower(), "other"),
        "pages": None,
        "ocr": False,
    }
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
        report = document_to_report(doc, rules)
    except JixiaoError as exc:
        template = exc.template if isinstance(exc, UnsupportedTemplate) else "unknown"
        return error_record(source, exc.code, str(exc), template)
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
        "budget": {k: v for k, v in report.budget.items()},
        "subprojects": report.subprojects,
        "subprojects_total": report.subprojects_total,
        "indicators": [ind.to_json() for ind in report.indicators],
        "section_points": report.section_points,
        "reported_total": report.reported_total,
        "recomputed_total": round(report.recomputed_total, 6) if report.recomputed_total is not None else None,
        "sections": {k: report.sections[k] for k in SECTION_KEYS if k in report.sections},
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
