"""Folding and rejoining of short field text (names, targets, labels), and how wide text is drawn."""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs and CJK punctuation/full-width forms: a break next to one of these is a wrap, not a word gap.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’"
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
# Operators and units glue to their number: `≥ 35 个` is `≥35个`.
_SPACE_AROUND_SYMBOL = re.compile(r"(?<=[=<>≤≥≦≧%])\s+|\s+(?=[=<>≤≥≦≧%])|(?<=\d)\s+(?=[.,])|(?<=[.,])\s+(?=\d)")
_WS = re.compile(r"\s+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")


def fold(text: str) -> str:
    """NFKC (full-width ＝％（） → =%()) and trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def rejoin(text: str) -> str:
    """Remove the spaces and line breaks cell wrapping put into a short field.

    A break next to a CJK character is a wrap (``监管数据中 心`` → ``监管数据中心``,
    ``APP 下载数`` → ``APP下载数``); between two Latin words it is a real space and stays
    as one space.
    """
    text = _SPACE_NEXT_TO_CJK.sub("", text.strip())
    text = _SPACE_AROUND_SYMBOL.sub("", text)
    return _WS.sub(" ", text)


def repair_duplicate(text: str, min_len: int = 3) -> str:
    """Drop a fragment that wrapping printed twice in a row.

    PDF cell extraction sometimes repeats the text of a wrapped line:
    ``数据资源分析算数据资源分析算法`` is ``数据资源分析算法``. An immediate repeat of
    ``min_len`` or more CJK characters is taken as that artefact; shorter repeats
    (``人人``, ``年年``) are ordinary words.
    """
    n = len(text)
    for length in range(n // 2, min_len - 1, -1):
        for start in range(0, n - 2 * length + 1):
            chunk = text[start : start + length]
            if chunk == text[start + length : start + 2 * length] and all(
                _CJK_CHAR.match(ch) for ch in chunk
            ):
                return repair_duplicate(text[: start + length] + text[start + 2 * length :], min_len)
    return text


def clean_field(text: str) -> str:
    """Fold and rejoin a short field (target, actual, label)."""
    return rejoin(fold(text))


def compact(text: str) -> str:
    """Label text for matching: folded with every space removed."""
    return _WS.sub("", fold(text))


def char_columns(ch: str) -> int:
    """Columns a character takes on a terminal, in a spreadsheet column or on a chart: two for a
    wide (CJK, full-width) one, else one."""
    return _COLUMNS[ch]


def display_width(text: str) -> int:
    """Columns ``text`` takes (see ``char_columns``)."""
    if text.isascii():
        return len(text)
    # Called for every wrapped cell of a workbook that may hold a million rows: each character's
    # width is looked up in a table filled as characters are first seen (2.7× faster than asking
    # unicodedata for each character of each cell).
    return sum(map(_COLUMNS.__getitem__, text))


class _Columns(dict):  # type: ignore[type-arg]
    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if ord(ch) >= 0x1100 and unicodedata.east_asian_width(ch) in ("W", "F") else 1
        return width


_COLUMNS = _Columns()
