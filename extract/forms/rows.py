"""A document's tables as one stream of rows, the view form parsers work on.

Form parsers find parts by their labels, not by row numbers, and a part may run on
into the next table (a page break, a "续表"). A stream of rows over every table in
document order lets them walk past table boundaries without knowing about them.
"""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.model import Cell, Document, Table


@dataclass(frozen=True)
class Row:
    """One grid row: ``slots[c]`` is the cell covering column ``c`` (shared across spans)."""

    table: int
    index: int
    slots: tuple[Cell | None, ...]
    n_cols: int

    def starts_here(self, cell: Cell | None) -> bool:
        """True where ``cell`` begins in this row (not the lower part of a vertical merge)."""
        return cell is not None and cell.row == self.index

    def cells(self) -> list[Cell]:
        """Distinct cells of the row, left to right, each once however many columns it spans."""
        seen: set[int] = set()
        out: list[Cell] = []
        for cell in self.slots:
            if cell is not None and id(cell) not in seen:
                seen.add(id(cell))
                out.append(cell)
        return out

    def own_text(self, col: int | None) -> str:
        """Text of the cell at ``col`` if it begins in this row, else ``""``."""
        if col is None or col >= len(self.slots):
            return ""
        cell = self.slots[col]
        return cell.text if self.starts_here(cell) else ""

    @property
    def page(self) -> int | None:
        """The page the row starts on: that of its own cells, not of a merged cell from above."""
        own = [c.page for c in self.slots if self.starts_here(c) and c is not None and c.page is not None]
        if own:
            return min(own)
        pages = [c.page for c in self.slots if c is not None and c.page is not None]
        return max(pages) if pages else None


def document_to_rows(doc: Document) -> list[Row]:
    rows: list[Row] = []
    for t_index, table in enumerate(doc.tables()):
        rows.extend(table_to_rows(table, t_index))
    return rows


def table_to_rows(table: Table, t_index: int = 0) -> list[Row]:
    return [
        Row(table=t_index, index=r, slots=tuple(slots), n_cols=table.n_cols)
        for r, slots in enumerate(table.grid())
    ]
