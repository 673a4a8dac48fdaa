"""Parsing of 目标值 / 实际完成值 cells and of money and score figures."""

from __future__ import annotations

import math
import re

from jixiao.model import Value
from jixiao.text import clean_field

# Prefix operators, longest first; full-width forms are already folded by NFKC.
_PREFIX_OPS = (
    (">=", ">="), ("≥", ">="), ("≧", ">="), ("⩾", ">="), (">", ">="),
    ("<=", "<="), ("≤", "<="), ("≦", "<="), ("⩽", "<="), ("<", "<="),
    ("==", "="), ("=", "="),
    ("不低于", ">="), ("不少于", ">="), ("大于等于", ">="), ("大于", ">="), ("达到", ">="), ("超过", ">="),
    ("不高于", "<="), ("不超过", "<="), ("不多于", "<="), ("不大于", "<="), ("小于等于", "<="),
    ("小于", "<="), ("低于", "<="), ("控制在", "<="),
)  # fmt: skip
# Suffix words after the unit: `35个以上`, `15%及其以下`, `90万元以内`.
_SUFFIX_OPS = (
    ("及其以上", ">="), ("及以上", ">="), ("以上", ">="), ("或以上", ">="),
    ("及其以下", "<="), ("及以下", "<="), ("以下", "<="), ("以内", "<="), ("或以下", "<="), ("之内", "<="),
)  # fmt: skip
_NUMBER = re.compile(r"^([+-]?\d[\d,]*(?:\.\d+)?|[+-]?\.\d+)")
_BLANKS = {"", "-", "—", "——", "–", "/", "无", "\\", "n/a", "N/A", "空"}
_MONEY = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?|[+-]?\.\d+")
# No cell of these forms holds a figure near this; a longer run of digits is junk, and taking
# it as a number would overflow the sums and ratios of validation to infinity.
_LARGEST = 1e100


def parse_value(raw: str) -> Value:
    """``=100%`` → (=, 100, %); ``≥35 个`` → (>=, 35, 个); ``15%及其以下`` → (<=, 15, %); ``合规`` → word."""
    text = clean_field(raw)
    if text in _BLANKS:
        return Value(text=text)
    rest = text
    op: str | None = None
    for token, meaning in _PREFIX_OPS:
        if rest.startswith(token):
            op, rest = meaning, rest[len(token):].strip()
            break
    match = _NUMBER.match(rest)
    if not match:
        return Value(text=text, word=text)
    number = float(match.group(1).replace(",", ""))
    if not _plausible(number):
        return Value(text=text, word=text)
    unit = rest[match.end():].strip()
    for token, meaning in _SUFFIX_OPS:
        if unit.endswith(token):
            unit = unit[: -len(token)].strip()
            op = meaning if op in (None, "=") else op
            break
    return Value(text=text, op=op or "=", number=number, unit=unit)


def parse_number(raw: str | None) -> float | None:
    """A money, weight or score figure: ``3,773.00`` → 3773.0, ``80分`` → 80.0, blank → None."""
    if raw is None:
        return None
    text = clean_field(raw).replace(" ", "")
    if text in _BLANKS:
        return None
    match = _MONEY.search(text)
    if not match:
        return None
    number = float(match.group(0).replace(",", ""))
    return number if _plausible(number) else None


def _plausible(number: float) -> bool:
    return math.isfinite(number) and abs(number) <= _LARGEST


def is_blank(raw: str | None) -> bool:
    return raw is None or clean_field(raw) in _BLANKS
