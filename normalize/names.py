"""Indicator and item names: rejoined, de-duplicated, and fragments attached to the right row."""

from __future__ import annotations

from typing import Callable

from normalize.text import clean_field, repair_duplicate


def clean_name(raw: str) -> str:
    """A name as printed (wrapped, maybe with a doubled fragment) → the name."""
    return repair_duplicate(clean_field(raw))


def _segmenter() -> Callable[[str], list[str]]:
    from normalize.segment import segmenter

    return segmenter()


def warm_up() -> None:
    """Load the segmenter's dictionary now (before worker processes fork), not at the first fragment."""
    _segmenter()


def _word_crosses(left: str, right: str) -> bool:
    """Does jieba read a word across the seam of ``left + right``?"""
    seam = len(left)
    pos = 0
    for token in _segmenter()(left + right):
        if pos < seam < pos + len(token):
            return True
        pos += len(token)
    return False


def fragment_side(previous: str | None, fragment: str, following: str | None) -> str:
    """Where a name fragment cut off by a page break belongs: ``"previous"`` or ``"following"``.

    A row cut by a page break leaves a fragment (``成数``) that could end the name above
    (``监管数据中心基础库建``) or begin the name below. The side where jieba finds a word
    across the seam (``建成``) wins; without evidence the fragment continues the row
    above, which is what a page break does.
    """
    prev = clean_name(previous or "")
    frag = clean_name(fragment)
    follow = clean_name(following or "")
    if following is not None and not follow:
        return "following"  # the row below has values but no name: the cut fell inside its name
    if not prev:
        return "following"
    if not follow:
        return "previous"
    joins_prev = _word_crosses(prev, frag)
    joins_next = _word_crosses(frag, follow)
    if joins_next and not joins_prev:
        return "following"
    return "previous"
