#!/usr/bin/env python3
"""Web-shaped copies of two samples, as real web pages hand them out (issue #11), with expectations.

Run from the repository root: ``.venv/bin/python samples/make_text_samples.py``.

* ``sichuan-2023-nanbu-rural-road-maintenance-web-pipes.txt``: the Sichuan .docx sample's tables as a web page
  copies them, one row per line with cells separated by ``|``, every empty cell dropped and a merged cell
  printed once (in the row it starts in), the title and the notes as lines of their own;
* ``sichuan-2023-nanbu-rural-road-maintenance-web-cells.txt``: the same page copied one cell per line, each
  line ending in `` |``, a lone ``|`` for an empty cell (merged cells once);
* ``national-2022-web-page-elderly-meals-export.xls``: the HTML sample saved with a .xls suffix, as web budget
  systems export "Excel".

The text is the .docx's own cell text (read with python-docx, so nothing of jixiao's reading is used);
each expectation is the source sample's hand-written one with ``source`` changed: the copies hold the
same figures, so they must give the same record.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EXPECTED = HERE / "expected"
sys.dont_write_bytecode = True


def docx_rows(path: Path) -> list[list[str]]:
    """Each table row's cells as Word holds them, a merged cell once (where it starts)."""
    word = Document(str(path))
    rows: list[list[str]] = []  # a vertically merged cell: its text where it starts, "" below
    body = word.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")).strip()
            if text:
                rows.append([text])
        elif tag == "tbl":
            for tr in child.iter(f"{W}tr"):
                cells = []
                for tc in tr.iter(f"{W}tc"):
                    vmerge = tc.find(f"{W}tcPr/{W}vMerge")
                    continued = vmerge is not None and vmerge.get(f"{W}val") in (None, "continue")
                    paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")).strip() for p in tc.iter(f"{W}p")]
                    cells.append("" if continued else " ".join(p for p in paragraphs if p))
                rows.append(cells)
    return rows


def pipes(rows: list[list[str]]) -> str:
    return "".join(" | ".join(c for c in row if c) + " |\n" if len(row) > 1 else row[0] + "\n" for row in rows)


def cell_lines(rows: list[list[str]]) -> str:
    return "".join("".join(f"{c} |\n" if c else "|\n" for c in row) if len(row) > 1 else row[0] + "\n"
                   for row in rows)


def copy_expectation(source: str, target: str, fmt: str, one_line_cells: bool = False) -> None:
    record = json.loads((EXPECTED / f"{source}.json").read_text(encoding="utf-8"))
    record["source"] = {**record["source"], "path": target, "format": fmt}
    if one_line_cells:  # a text copy prints a cell's paragraphs on one line, joined by a space
        record["sections"] = {k: v.replace("\n", " ") for k, v in record["sections"].items()}
    (EXPECTED / f"{target}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    sichuan = "sichuan-2023-nanbu-rural-road-maintenance.docx"
    rows = docx_rows(HERE / sichuan)
    for name, text in (("sichuan-2023-nanbu-rural-road-maintenance-web-pipes.txt", pipes(rows)),
                       ("sichuan-2023-nanbu-rural-road-maintenance-web-cells.txt", cell_lines(rows))):
        (HERE / name).write_text(text, encoding="utf-8")
        copy_expectation(sichuan, name, "txt", one_line_cells=True)
        print("wrote", name)
    html = "national-2022-web-page-elderly-meals.html"
    export = "national-2022-web-page-elderly-meals-export.xls"
    shutil.copyfile(HERE / html, HERE / export)
    copy_expectation(html, export, "xls")
    print("wrote", export)


if __name__ == "__main__":
    main()
