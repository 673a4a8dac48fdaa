"""Narrative cells (项目概况 …): markup removed, paragraphs kept as lines, text as written.

Narrative is not NFKC-folded: full-width punctuation (，（）) is the text itself.
"""

from __future__ import annotations

import html
import re

_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|br|div|li|tr|h[1-6])\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_INLINE_WS = re.compile(r"[ \t\u00a0\u3000]+")


def clean_narrative(text: str) -> str:
    text = _BLOCK_TAG.sub("\n", text or "")
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    lines = (_INLINE_WS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
