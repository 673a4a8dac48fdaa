"""Rows of text dumps placed under their header by what each cell holds, not by position.

Text from a PDF or a web page drops empty cells: a row under a merged 一级 cell starts one column
late, a row without 偏差原因 ends early, and a web copy loses the cells of a rowspan. Counting from
either edge misfiles such rows. Here each row's cells keep their order and are placed under the
header's columns so that every cell fits its column's role best (an operator under 指标性质, a unit
under 度量单位, figures under 权重 / 得分, long text under 偏差原因): a monotone alignment found by
dynamic programming. A row whose best placement is not better than another is flagged as a guess.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extract.forms.description import FormDescription
from extract.forms.engine import _FIRST_LEVEL, SUBCLASS_WORDS
from jixiao.model import Cell, Document, Paragraph, Table
from jixiao.text import compact

_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?%?$")
_OPERATOR = re.compile(r"^(?:[≥≤=＝<>＜＞]|>=|<=|定性|定量)$")
_HAS_DIGIT = re.compile(r"\d")
_UNIT = re.compile(r"^[%‰a-zA-Z\u4e00-\u9fff/·]{1,5}$")
# Each role's fit for a cell's text: higher is better; a role can refuse a text (strongly negative).
_SKIP = -0.6  # a column left empty by the row costs a little, so that cells are not spread out
# Units of measure forms print in a 度量单位 / 计量单位 column (the last character is enough for 万人次).
UNITS = frozenset({"%", "‰", "个", "人", "次", "天", "日", "月", "年", "元", "米", "里", "座", "所", "台", "件", "户",
                   "亩", "吨", "项", "家", "处", "批", "套", "场", "篇", "辆", "株", "棵", "只", "头", "份", "册", "期",
                   "万元", "公里", "小时", "人次", "万人", "平方米", "个百分点", "分", "级", "星", "km", "m", "kg", "t"})
_PLACEHOLDERS = {"/", "／", "—", "-", "——", "无", "不适用"}
_VALUE_ROLES = {"target", "target_adjusted", "actual", "weight", "score", "coefficient", "reason", "unit", "nature",
                "initial_budget", "full_year_budget", "executed", "execution_rate", "reported_score"}


def fit(role: str | None, text: str) -> float:
    t = compact(text)
    number = bool(_NUMBER.match(t.replace(",", "")))
    digit = bool(_HAS_DIGIT.search(t))
    if role is None:
        return -0.2
    if t in _PLACEHOLDERS:
        return 1.0 if role in _VALUE_ROLES else -1.0  # "/" stands in a value column
    if role == "nature":
        return 4.0 if _OPERATOR.match(t) else -4.0
    if role == "unit":
        if digit or not _UNIT.match(t) or len(t) > 5:
            return -3.0
        return 3.0 if t in UNITS or t[-1:] in UNITS else 0.2
    if role in ("weight", "score", "coefficient", "reported_score", "initial_budget", "full_year_budget",
                "executed", "execution_rate"):
        return 2.0 if number else -3.0
    if role in ("class", "subclass"):
        if digit and not re.search(r"分[)）]?$", t):
            return -3.0
        if not (t.endswith(("指标", "目标")) or re.search(r"指标[(（]", t)):
            return 0.3
        second = t in SUBCLASS_WORDS
        first = any(t.startswith(k) for k in _FIRST_LEVEL) and not second
        if role == "subclass":
            return 3.5 if second else (2.5 if not first else 2.0)
        return 3.5 if first else (2.5 if not second else 2.0)
    if role == "name":
        return -3.0 if number or _OPERATOR.match(t) else (1.5 if len(t) >= 2 else 0.2)
    if role in ("target", "target_adjusted"):
        return 2.0 if digit or t[:1] in "≥≤=＝<>" else 0.6
    if role == "actual":
        return 1.5 if digit or t in ("完成", "达成", "部分达成", "未达成", "未完成", "是", "否") else 1.0
    if role in ("reason", "core"):
        return 2.0 if len(t) >= 8 and not number else (0.3 if not number else -2.0)
    return 0.0


def place(texts: list[str], roles: list[str | None]) -> tuple[list[int], bool]:
    """Column of each text (in order, strictly increasing) that fits the roles best, and whether that
    placement is the only best one (ties broken to the left and to the right give the same)."""
    left = _place(texts, roles, -1e-6)
    right = _place(texts, roles, 1e-6)
    return left, left == right


def placement_score(texts: list[str], roles: list[str | None]) -> float:
    """How well ``texts`` fit ``roles`` at their best placement (−inf where they cannot)."""
    n, m = len(texts), len(roles)
    if n == 0 or n > m:
        return float("-inf")
    prev = [_SKIP * j for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [float("-inf")] * (m + 1)
        for j in range(i, m + 1):
            cur[j] = max(cur[j - 1] + _SKIP, prev[j - 1] + fit(roles[j - 1], texts[i - 1]))
        prev = cur
    return prev[m]


def _starts_like_a_row(row: list[str], roles: list[str | None]) -> float:
    """Rows begin with their class, 二级 or name (what a rowspan leaves of them): a bonus for a cut that
    starts a row there, so that a name is not taken for the reason text of the row above."""
    first = _place(row, roles, -1e-6)[0] if row else None
    return 1.5 if first is not None and roles[first] in ("class", "subclass", "name") else 0.0


def segment_rows(tokens: list[str], roles: list[str | None], max_len: int) -> list[list[str]]:
    """Cells whose row ends are lost (a sheet flattened onto one line, empty cells gone) cut into the
    rows that fit the header's roles best: each row's best placement, summed, with a cost per row so
    that rows are not split without need; a row needs a name-like text and a figure."""
    n = len(tokens)
    best = [float("-inf")] * (n + 1)
    cut = [0] * (n + 1)
    best[0] = 0.0
    for j in range(1, n + 1):
        for i in range(max(0, j - max_len), j):
            if best[i] == float("-inf"):
                continue
            row = tokens[i:j]
            if not any(_NUMBER.match(compact(t).replace(",", "")) or compact(t) in _PLACEHOLDERS for t in row) \
                    or not any(not _HAS_DIGIT.search(t) and not _OPERATOR.match(compact(t)) for t in row):
                continue
            score = best[i] + placement_score(row, roles) - 1.0 + _starts_like_a_row(row, roles)
            if score > best[j]:
                best[j], cut[j] = score, i
    if best[n] == float("-inf"):
        return [tokens]
    rows: list[list[str]] = []
    j = n
    while j > 0:
        rows.append(tokens[cut[j]:j])
        j = cut[j]
    return rows[::-1]


def _place(texts: list[str], roles: list[str | None], lean: float) -> list[int]:
    n, m = len(texts), len(roles)
    if n == 0 or n > m:
        return list(range(min(n, m)))
    neg = float("-inf")
    # best[i][j]: best score placing texts[:i] within columns[:j]; ``lean`` breaks ties to one side.
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        best[0][j] = _SKIP * j
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            take = best[i - 1][j - 1] + fit(roles[j - 1], texts[i - 1]) + lean * j
            best[i][j] = max(best[i][j - 1] + _SKIP, take)
    cols: list[int] = []
    i, j = n, m
    while i > 0:
        take = best[i - 1][j - 1] + fit(roles[j - 1], texts[i - 1]) + lean * j
        if j >= i and best[i][j] == take:
            cols.append(j - 1)
            i, j = i - 1, j - 1
        else:
            j -= 1
    return cols[::-1]


def _place_total(texts: list[str], roles: list[str | None]) -> tuple[list[int], bool]:
    """A 合计 row: its label first, its figures under the last figure columns (… 权重, 得分), as a
    total row prints only the sums."""
    figures = [c for c, role in enumerate(roles) if role in ("weight", "score", "coefficient")]
    rest = texts[1:]
    if not figures or len(rest) > len(figures):
        return place(texts, roles)
    cols = figures[-len(rest):] if rest else []
    first = next((c for c in range(len(roles)) if not cols or c < cols[0]), 0)
    return [first, *cols], len(rest) == len(figures)


def header_roles(cells: list[Cell], spec: dict[str, tuple[str, ...]]) -> list[str | None]:
    from extract.forms.engine import roles_of
    from extract.forms.rows import table_to_rows

    width = max((c.col + c.colspan for c in cells), default=0)
    table = Table(tuple(replace(c, row=0, rowspan=1) for c in cells), 1, width)
    found = roles_of(table_to_rows(table)[0], spec)
    by_col: list[str | None] = [None] * width
    for role, col in found.items():
        by_col[col] = role
    return by_col


def align_text_tables(doc: Document, form: FormDescription) -> tuple[Document, list[str]]:
    """``doc`` with the rows under each indicator or money header of its tables placed by role;
    notes name the rows whose placement was a guess. Only text dumps need this."""
    from extract.forms.rows import table_to_rows

    doc = rebuild_cell_runs(doc, form)
    notes: list[str] = []
    blocks = []
    specs = [form.columns] + ([form.budget.columns] if form.budget is not None else [])
    for block in doc.blocks:
        if not isinstance(block, Table):
            blocks.append(block)
            continue
        rows = table_to_rows(block)
        by_row = {r: sorted((c for c in block.cells if c.row == r), key=lambda c: c.col) for r in range(block.n_rows)}
        roles: list[str | None] | None = None
        out: list[Cell] = []
        for r, row in enumerate(rows):
            cells = by_row[r]
            spec = next((s for s in specs if _header_like(row, s, form)), None)
            if spec is not None:
                roles = header_roles(cells, spec)
                out.extend(cells)
                continue
            texts = [c.text for c in cells if c.text.strip()]
            last = max((c.col for c in cells if c.text.strip()), default=-1)
            # A row that reaches the header's last column kept its cells in place (a tab dump pads rows
            # to the width, keeping empty fields); one that stops short lost cells on its way.
            if roles is None or not texts or len(texts) > len(roles) or len(texts) == 1 or last >= len(roles) - 1:
                out.extend(cells)
                continue
            total = compact(texts[0]) in {compact(t) for t in form.total_labels}
            cols, sure = _place_total(texts, roles) if total else place(texts, roles)
            if not sure and len(texts) >= 3:  # a label and its text (存在问题 | 无) need no placing
                notes.append(f"row {r + 1} of a text table ({' | '.join(texts)[:60]}): placed under its header "
                             "by what its cells hold, with more than one equally good placement")
            page = cells[0].page if cells else None
            out.extend(Cell(text=t, row=r, col=c, page=page) for t, c in zip(texts, cols))
        width = max([block.n_cols] + [c.col + 1 for c in out])
        blocks.append(replace(block, cells=tuple(out), n_cols=width))
    return replace(doc, blocks=tuple(blocks)), notes


def _header_like(row, spec: dict[str, tuple[str, ...]], form: FormDescription) -> bool:
    from extract.forms.engine import _is_header, roles_of

    if spec is form.columns:
        return _is_header(row, form)
    return len(roles_of(row, spec)) >= 3


def right_align_text_tables(doc: Document) -> Document:
    """Rows shorter than their table padded on the left: for a form whose dumps lose the cells of
    merged labels at the left of a row, so that its value columns line up on the right."""
    blocks = []
    for block in doc.blocks:
        if not isinstance(block, Table):
            blocks.append(block)
            continue
        out: list[Cell] = []
        for r in range(block.n_rows):
            cells = sorted((c for c in block.cells if c.row == r), key=lambda c: c.col)
            shift = block.n_cols - (max((c.col for c in cells), default=-1) + 1)
            page = cells[0].page if cells else block.page
            out.extend(Cell(text="", row=r, col=c, page=page) for c in range(shift))
            out.extend(replace(c, col=c.col + shift) for c in cells)
        blocks.append(replace(block, cells=tuple(out)))
    return replace(doc, blocks=tuple(blocks))


def rebuild_cell_runs(doc: Document, form: FormDescription) -> Document:
    """Tables copied one cell per line (a one-column table here) rebuilt into rows: a run of header
    labels is a header row; below it a row starts at a row label (a class, a 二级 word, a money item)
    or when it holds as many cells as the header has columns after its block label; a label of the
    form's fields or narrative with the cell after it makes a row of two."""
    blocks = []
    for block in doc.blocks:
        if isinstance(block, Table) and block.n_cols == 1 and block.n_rows >= 6:
            texts = [c.text for c in sorted(block.cells, key=lambda c: c.row)]
            rows = _cells_to_rows(texts, form)
            cells = tuple(Cell(t, r, c, page=block.page) for r, row in enumerate(rows) for c, t in enumerate(row))
            blocks.append(Table(cells, len(rows), max(len(r) for r in rows), page=block.page))
        else:
            blocks.append(block)
    return replace(doc, blocks=tuple(blocks))


def _label_roles(text: str, specs: list[dict[str, tuple[str, ...]]]) -> bool:
    from extract.forms.engine import _fits
    from extract.forms.labels import label_key

    label = label_key(text)
    return bool(label) and len(label) <= 20 and any(_fits(label, l) for spec in specs for ls in spec.values() for l in ls)


def _cells_to_rows(texts: list[str], form: FormDescription) -> list[list[str]]:
    from extract.forms.labels import label_key

    specs = [form.columns] + ([form.budget.columns] if form.budget is not None else [])
    row_labels = {label_key(k) for k in (form.budget.items if form.budget is not None else {})}
    field_labels = {label_key(l) for ls in form.fields.values() for l in ls} | {label_key(k) for k in form.sections} \
        | {label_key(t) for t in form.total_labels}
    goal_labels = {label_key(k) for k in form.goals}
    rows: list[list[str]] = []
    i, width = 0, 0
    flattened = True  # row ends are found from what the cells hold (empty cells, where kept, say too little)
    while i < len(texts):
        run = 0
        while i + run < len(texts) and _label_roles(texts[i + run], specs):
            run += 1
        if run >= 3:  # a header row, with the block label before it (绩效指标(90分), 预算执行情况(10分))
            label = rows.pop()[0] if rows and len(rows[-1]) == 1 and texts[i - 1:i] == rows[-1] else None
            header = ([label] if label is not None else []) + texts[i:i + run]
            rows.append(header)
            width = run
            i += run
            if flattened:
                end = _block_end(texts, i, specs, field_labels)
                roles = header_roles([Cell(t, 0, c) for c, t in enumerate(header)], _spec_of(header, specs))
                rows.extend(segment_rows([t for t in texts[i:end] if t.strip()], roles, len(roles)))
                i, width = end, 0
            continue
        text = texts[i]
        key = label_key(text)
        if key in goal_labels:  # 项目年度目标 | 年度目标完成情况, then their texts
            j = i
            while j < len(texts) and label_key(texts[j]) in goal_labels:
                j += 1
            rows.append(texts[i:j])
            own: list[str] = []
            while j < len(texts) and len(own) < len(rows[-1]):
                if texts[j].strip():
                    own.append(texts[j])
                j += 1
            rows.append(own)
            i, width = j, 0
            continue
        if key in {label_key(t) for t in form.total_labels}:  # 合计 and the figures after it
            j = i + 1
            while j < len(texts) and (not texts[j].strip() or _NUMBER.match(compact(texts[j]))) and j - i <= 3:
                j += 1
            rows.append(texts[i:j])
            i = j
            continue
        if key in field_labels or (width == 0 and key in row_labels):
            width = 0
            rows.append(texts[i:i + 2])
            i += 2
            continue
        starts_row = key in row_labels or text.strip().endswith("指标") or not rows or width == 0 \
            or len(rows[-1]) >= width
        if starts_row:
            rows.append([text])
        else:
            rows[-1].append(text)
        i += 1
    return [row for row in rows if any(t.strip() for t in row)]


def _spec_of(header: list[str], specs: list[dict[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """The header's own column vocabulary: the indicator table's or the money block's."""
    cells = [Cell(t, 0, c) for c, t in enumerate(header)]
    return max(specs, key=lambda spec: sum(r is not None for r in header_roles(cells, spec)))


def _block_end(texts: list[str], start: int, specs: list[dict[str, tuple[str, ...]]], stops: set[str]) -> int:
    """Where the cells under a header end: at a total or narrative label, or at the next header."""
    from extract.forms.labels import label_key

    for k in range(start, len(texts)):
        if label_key(texts[k]) in stops or re.match(r"^(合计|总分|总计)", compact(texts[k])):
            return k
        if k + 2 < len(texts) and all(_label_roles(t, specs) for t in texts[k:k + 3]):
            return k
    return len(texts)


def flattened_to_cells(doc: Document) -> Document:
    """A sheet flattened onto one line (cells separated by single spaces, empty cells gone, as some
    web pages print a spreadsheet): its words as a one-column table of cells, rebuilt into rows by
    the form like a table copied cell by cell."""
    blocks = []
    for block in doc.blocks:
        words = block.text.split() if isinstance(block, Paragraph) else []
        if len(words) >= 30 and sum(len(w) <= 12 for w in words) >= 0.6 * len(words):
            cells = tuple(Cell(w, r, 0, page=block.page) for r, w in enumerate(words))
            blocks.append(Table(cells, len(words), 1, page=block.page))
        else:
            blocks.append(block)
    return replace(doc, blocks=tuple(blocks))
