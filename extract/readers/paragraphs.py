"""Text outside a PDF page's tables as paragraphs, as the writer made them.

Official documents set paragraphs without space between them: a paragraph starts on a line indented
by about two characters and ends on a line that stops short of the right margin. Splitting only at
vertical gaps would run a whole page of a prose report (its headings too) into one paragraph, and
the prose reader finds sections by their heading paragraphs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from jixiao.model import Paragraph

if TYPE_CHECKING:
    from extract.readers.geometry import Glyph, PageGeometry

INDENT = 1.5  # units (a character's height) past the left margin: a first line
SHORT = 2.0  # units short of the right margin: a paragraph's last line
LARGER = 1.15  # a line this much taller than the page's usual line is set larger


def glyphs_to_paragraphs(glyphs: Sequence[Glyph], page: PageGeometry, unit: float) -> list[tuple[float, Paragraph]]:
    """Text outside tables as paragraphs (split at line gaps, indented first lines and short last
    lines), running headers and footers dropped."""
    from extract.readers.geometry import PAGE_MARK, glyphs_to_lines, line_text

    lines = []
    for line in glyphs_to_lines(glyphs):
        text = line_text(line).strip()
        top, bottom = min(g.top for g in line), max(g.bottom for g in line)
        in_margin = bottom < page.height * 0.08 or top > page.height * 0.92
        if text and not (in_margin and PAGE_MARK.match(text)):
            lines.append((text, top, bottom, min(g.x0 for g in line), max(g.x1 for g in line)))
    if not lines:
        return []
    heights = sorted(bottom - top for _, top, bottom, _, _ in lines)
    usual = heights[len(heights) // 2]
    left = min(x0 for *_, x0, _ in lines)
    right = max(x1 for *_, x1 in lines)
    out: list[tuple[float, Paragraph]] = []
    current: list[str] = []
    start = 0.0
    prev = None
    larger = False

    def flush() -> None:
        # A line alone, set larger than the page's text: how an unnumbered heading looks.
        marked = larger and len(current) == 1 and len(current[0]) <= 30
        out.append((start, Paragraph(join_lines(current), page=page.number, marked=marked)))

    for text, top, bottom, x0, x1 in lines:
        if current and prev is not None:
            gap = top - prev[2] > unit * 0.9
            indented = x0 - left > unit * INDENT
            ended = right - prev[4] > unit * SHORT
            if gap or indented or ended:
                flush()
                current = []
        if not current:
            start = top
            larger = bottom - top >= LARGER * usual
        current.append(text)
        prev = (text, top, bottom, x0, x1)
    flush()
    return out


def join_lines(lines: list[str]) -> str:
    """A paragraph wrapped over lines: CJK lines join without a space, Latin ones with one."""
    from extract.readers.geometry import _CJK

    text = lines[0]
    for line in lines[1:]:
        if _CJK.search(text[-1:]) or _CJK.search(line[:1]):
            text += line
        else:
            text += " " + line
    return text
