"""Indicator and item names: rejoined and de-duplicated (fragments are placed by
``jixiao.segment.fragment_side`` when the form engine reads the rows)."""

from __future__ import annotations

from jixiao.text import clean_field, repair_duplicate


def clean_name(raw: str) -> str:
    """A name as printed (wrapped, maybe with a doubled fragment) → the name."""
    return repair_duplicate(clean_field(raw))
