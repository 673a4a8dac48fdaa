#!/usr/bin/env python3
"""What a user would run instead of jixiao for the PDF tables, as the benchmark runs it.

    .venv/bin/python bench/alternatives.py {pdfplumber,camelot,pypdfium2} LIST_FILE

LIST_FILE names one PDF a line. Each tool is called the way its documentation shows, over every
page, in this one process (the benchmark starts a fresh process per run so that import and
start-up costs count, as they do for ``jixiao extract``):

- pdfplumber: ``page.extract_tables()`` on every page — tables as lists of cell strings, nothing more;
- camelot: ``camelot.read_pdf(path, pages="all", flavor="lattice")``;
- pypdfium2: ``page.get_textpage().get_text_range()`` on every page — every character read once,
  the floor for anything that parses the PDF's text.

Prints one line: ``<tool> <files> files <pages> pages <tables> tables``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def run_pdfplumber(paths: list[str]) -> tuple[int, int]:
    import pdfplumber

    pages = tables = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                tables += len(page.extract_tables())
                pages += 1
    return pages, tables


def run_camelot(paths: list[str]) -> tuple[int, int]:
    import warnings

    import camelot

    warnings.filterwarnings("ignore")  # "no tables found on page N" for text-only pages
    pages = tables = 0
    for path in paths:
        found = camelot.read_pdf(path, pages="all", flavor="lattice")
        tables += found.n
        pages += _page_count(path)
    return pages, tables


def run_pypdfium2(paths: list[str]) -> tuple[int, int]:
    import pypdfium2 as pdfium

    pages = chars = 0
    for path in paths:
        pdf = pdfium.PdfDocument(path)
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                textpage = page.get_textpage()
                chars += len(textpage.get_text_range())
                textpage.close()
                page.close()
                pages += 1
        finally:
            pdf.close()
    return pages, chars


def _page_count(path: str) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


TOOLS = {"pdfplumber": run_pdfplumber, "camelot": run_camelot, "pypdfium2": run_pypdfium2}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in TOOLS:
        print(__doc__, file=sys.stderr)
        return 2
    paths = [line for line in Path(args[1]).read_text(encoding="utf-8").splitlines() if line.strip()]
    pages, found = TOOLS[args[0]](paths)
    unit = "chars" if args[0] == "pypdfium2" else "tables"
    print(f"{args[0]} {len(paths)} files {pages} pages {found} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
