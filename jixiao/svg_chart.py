"""Stacked bar charts as inline SVG, written by hand for OUT/summary.html.

Two kinds, horizontal (:func:`hbar`) and vertical (:func:`vbar`): one stacked bar per group, its
total at its end, an axis of integer ticks, a legend row above the bars when there are several
parts. Text is SVG ``<text>`` in the browser's own fonts, so no font is read where the page is
built; text widths are estimated in ems (:func:`em`) to lay labels out. Output is a pure function
of the input, so the same store gives the same page byte for byte. A plotting library did this
before and cost a second of import on every run for five charts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Sequence

from jixiao.text import char_columns

FONTS = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'SimHei', "
         "'WenQuanYi Micro Hei', sans-serif")
LABEL_SIZE = 13  # px: group labels and the axis label
SMALL_SIZE = 12  # px: ticks, totals, legend
INK, MUTED, GRID = "#222", "#555", "#e6e9ee"
MAX_WIDTH = 860  # px of the viewBox: a chart wider than the page's column only scales down


@dataclass(frozen=True)
class Part:
    """One part of every bar (a status, a severity): its legend text, its value in each group,
    and its colour, or one colour per group where a single part is coloured by group."""

    label: str
    values: Sequence[int]
    colour: str | Sequence[str]

    def colour_of(self, i: int) -> str:
        return self.colour if isinstance(self.colour, str) else self.colour[i]


_EMS = {1: 0.6, 2: 1.0}  # a character's width in ems by its columns (jixiao.text.char_columns)


def em(text: str) -> float:
    """Width of ``text`` in ems as the browser draws it: CJK characters are square, others narrower."""
    return sum(_EMS[char_columns(ch)] for ch in text)


def shorten(text: str, limit: float) -> str:
    """``text`` cut to ``limit`` ems (so a Latin code keeps more characters than a Chinese name)."""
    if em(text) <= limit:
        return text
    while em(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def tick_step(most: int, ticks: int = 5) -> int:
    """The round step (1, 2 or 5 × 10^k) that covers ``most`` in at most ``ticks`` steps."""
    scale = 1
    while True:
        for m in (1, 2, 5):
            if most <= m * scale * ticks:
                return m * scale
        scale *= 10


def axis_ticks(most: int) -> list[int]:
    """Integer ticks from 0 to the first step at or past ``most`` (0, 1 for an all-zero chart)."""
    step = tick_step(max(most, 1))
    end = -(-max(most, 1) // step) * step
    return list(range(0, end + 1, step))


def hbar(name: str, title: str, labels: Sequence[str], parts: Sequence[Part], axis_label: str) -> str:
    """Stacked horizontal bars, the first group on top, each ending with its total; ``labels``
    are drawn as given (cut them first)."""
    totals = _totals(parts, len(labels))
    ticks = axis_ticks(max(totals))
    legend = _legend_parts(parts)
    left = 10 + max(em(t) for t in labels) * LABEL_SIZE + 8
    right = em(str(max(totals))) * SMALL_SIZE + 14
    top, row, thick = (30 if legend else 10), 26, 18
    plot_w = MAX_WIDTH - left - right
    axis_y = top + row * len(labels)

    def x(v: float) -> float:
        return left + v / ticks[-1] * plot_w

    out = [_line(x(t), top, x(t), axis_y, GRID) for t in ticks[1:]]
    for i, label in enumerate(labels):
        y, mid, start = top + i * row + (row - thick) / 2, top + i * row + row / 2, 0
        for part in parts:
            v = part.values[i]
            if v:
                out.append(_rect(x(start), y, x(start + v) - x(start), thick, part.colour_of(i),
                                 f"{label} · {part.label}: {v}"))
            start += v
        out.append(_text(left - 8, mid, label, "end", LABEL_SIZE))
        out.append(_text(x(totals[i]) + 4, mid, str(totals[i]), "start", SMALL_SIZE))
    out.append(_line(left, top, left, axis_y))
    out.append(_line(left, axis_y, left + plot_w, axis_y))
    for t in ticks:
        out.append(_line(x(t), axis_y, x(t), axis_y + 4))
        out.append(_text(x(t), axis_y + 16, str(t), "middle", SMALL_SIZE, MUTED))
    out.append(_text(left + plot_w / 2, axis_y + 38, axis_label, "middle", LABEL_SIZE))
    out += _legend(legend, left)
    return _svg(name, title, MAX_WIDTH, axis_y + 48, out)


def vbar(name: str, title: str, labels: Sequence[str], parts: Sequence[Part], axis_label: str) -> str:
    """Stacked vertical bars, groups left to right, each topped with its total; labels too wide
    for their column are slanted, totals too wide stood on end."""
    totals = _totals(parts, len(labels))
    ticks = axis_ticks(max(totals))
    legend = _legend_parts(parts)
    label_w = max(em(t) for t in labels) * SMALL_SIZE
    left = 28 + em(str(ticks[-1])) * SMALL_SIZE + 10
    col = min(max(48, label_w + 14), (MAX_WIDTH - left - 16) / len(labels))
    slant = label_w + 4 > col
    total_w = em(str(max(totals))) * SMALL_SIZE
    upright = total_w + 4 <= col  # else totals stand on end, so neighbours' never overlap
    top, plot_h = (30 if legend else 10) + (18 if upright else total_w + 10), 200
    axis_y = top + plot_h
    width = max(left + col * len(labels) + 16, left + _legend_width(legend) + 10)
    height = axis_y + (label_w * 0.71 + 22 if slant else 28)

    def y(v: float) -> float:
        return axis_y - v / ticks[-1] * plot_h

    out = [_line(left, y(t), left + col * len(labels), y(t), GRID) for t in ticks[1:]]
    thick = min(col * 0.7, 44)
    for i, label in enumerate(labels):
        cx, start = left + col * (i + 0.5), 0
        for part in parts:
            v = part.values[i]
            if v:
                out.append(_rect(cx - thick / 2, y(start + v), thick, y(start) - y(start + v), part.colour_of(i),
                                 f"{label} · {part.label}: {v}"))
            start += v
        if upright:
            out.append(_text(cx, y(totals[i]) - 9, str(totals[i]), "middle", SMALL_SIZE))
        else:
            out.append(_text(cx, y(totals[i]) - 4, str(totals[i]), "start", SMALL_SIZE, rotate=-90))
        if slant:
            out.append(_text(cx, axis_y + 12, label, "end", SMALL_SIZE, rotate=-45))
        else:
            out.append(_text(cx, axis_y + 16, label, "middle", SMALL_SIZE))
    out.append(_line(left, y(ticks[-1]), left, axis_y))
    out.append(_line(left, axis_y, left + col * len(labels), axis_y))
    for t in ticks:
        out.append(_line(left - 4, y(t), left, y(t)))
        out.append(_text(left - 7, y(t), str(t), "end", SMALL_SIZE, MUTED))
    out.append(_text(14, top + plot_h / 2, axis_label, "middle", LABEL_SIZE, rotate=-90))
    out += _legend(legend, left)
    return _svg(name, title, width, height, out)


# -- pieces -----------------------------------------------------------------------------------------

def _totals(parts: Sequence[Part], n: int) -> list[int]:
    return [sum(p.values[i] for p in parts) for i in range(n)]


def _legend_parts(parts: Sequence[Part]) -> list[Part]:
    """The parts a legend names: only with several parts, and only those drawn somewhere."""
    return [p for p in parts if any(p.values)] if len(parts) > 1 else []


def _legend(parts: Sequence[Part], left: float) -> list[str]:
    """One row above the bars, where no bar can hide it."""
    out, x = [], left
    for part in parts:
        out.append(f'<rect x="{_n(x)}" y="6" width="12" height="12" fill="{_esc(part.colour_of(0))}"/>')
        out.append(_text(x + 17, 12, part.label, "start", SMALL_SIZE))
        x += _legend_width([part])
    return out


def _legend_width(parts: Sequence[Part]) -> float:
    return sum(17 + em(p.label) * SMALL_SIZE + 18 for p in parts)


def _svg(name: str, title: str, width: float, height: float, body: list[str]) -> str:
    w, h = _n(width), _n(height)
    return (f'<svg class="chart" data-chart="{_esc(name)}" role="img" aria-labelledby="{_esc(name)}-title" '
            f'xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'font-family="{FONTS}" font-size="{LABEL_SIZE}" fill="{INK}">'
            f'<title id="{_esc(name)}-title">{_esc(title)}</title>\n' + "\n".join(body) + "\n</svg>")


def _rect(x: float, y: float, w: float, h: float, colour: str, tip: str) -> str:
    return (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{_esc(colour)}">'
            f"<title>{_esc(tip)}</title></rect>")


def _text(x: float, y: float, text: str, anchor: str, size: int, colour: str = "", rotate: int = 0) -> str:
    # dy centres the text on y without dominant-baseline, which not every viewer honours.
    extra = f' fill="{colour}"' if colour else ""
    if rotate:
        extra += f' transform="rotate({rotate} {_n(x)} {_n(y)})"'
    return (f'<text x="{_n(x)}" y="{_n(y)}" dy="0.35em" text-anchor="{anchor}" font-size="{size}"{extra}>'
            f"{_esc(text)}</text>")


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = "#888") -> str:
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}" '
            f'shape-rendering="crispEdges"/>')


def _n(value: float) -> str:
    """A coordinate to two decimals, trailing zeros dropped: short, and the same on every machine."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _esc(text: str) -> str:
    return html.escape(text, quote=True)
