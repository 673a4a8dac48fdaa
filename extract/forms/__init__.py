"""Forms: descriptions (``<name>.toml``, data) and the one engine that reads a document through them.

``document_to_form`` recognises a document's form from the labels each description lists;
``form_to_raw`` reads it. A document with an indicator table whose header no named form claims is
read with the ``generic`` description (its header labels are the whole role vocabulary).
"""

from __future__ import annotations

from pathlib import Path

from extract.forms.description import FormDescription, InvalidForm, builtin_forms, forms_in, load_form
from jixiao.model import Document, RawReport
from jixiao.text import compact

__all__ = ["FormDescription", "InvalidForm", "builtin_forms", "document_to_form", "form_to_raw", "load_form",
           "forms_in"]
GENERIC = "generic"


def document_to_form(doc: Document, folders: tuple[Path, ...] = ()) -> tuple[FormDescription | None, int]:
    """The best-matching form and how many of its labels were seen (None when no form fits).

    Forms are compared by the share of their labels the document prints (a national form with
    three Sichuan columns spliced in is still national), ties by the count."""
    text = compact(doc.text())
    best: FormDescription | None = None
    best_key = (0.0, 0)
    best_hits = 0
    for form in forms_in(folders):
        if not form.recognise:
            continue
        hits = sum(1 for label in form.recognise if compact(label) in text)
        best_hits = max(best_hits, hits)
        key = (hits / len(form.recognise), hits)
        if hits >= form.min_hits and key > best_key:
            best, best_key = form, key
    if best is None:
        generic = next((f for f in forms_in(folders) if f.name == GENERIC), None)
        if generic is not None and _has_indicator_header(doc, generic):
            return generic, best_hits
    return best, best_hits


def _has_indicator_header(doc: Document, form: FormDescription) -> bool:
    from extract.forms.engine import _is_header
    from extract.forms.rows import document_to_rows

    return any(_is_header(row, form) for row in document_to_rows(doc))


def form_to_raw(doc: Document, form: FormDescription) -> RawReport:
    """Read ``doc`` as ``form`` through the engine."""
    from extract.forms.engine import document_to_raw

    notes: list[str] = []
    if doc.format == "txt":  # text dumps and web copies lose empty cells: the form says where they were
        from extract.forms.align import align_text_tables, flattened_to_cells, right_align_text_tables

        doc = flattened_to_cells(doc)
        if form.align_text == "right":
            doc = right_align_text_tables(doc)
        else:
            doc, notes = align_text_tables(doc, form)
    raw = document_to_raw(doc, form)
    raw.notes.extend(notes)
    return raw
