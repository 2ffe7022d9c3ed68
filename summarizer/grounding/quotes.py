"""Quotes: is the model's `quote` word for word in the article, and inside quotation marks?

Typography, case and whitespace do not matter (see `text`). An ellipsis in the model's quote
stands for words it left out, as in print: each part must then stand in the article in order,
close together.
"""

from __future__ import annotations

import re

from summarizer.grounding.text import ArticleIndex, keys

#: Most article words an ellipsis in a quote may stand for.
MAX_ELIDED_WORDS: int = 60

_ELLIPSIS_RE = re.compile(r"\.\s*\.\s*\.|…|\[\s*(?:\.\s*)+\]")
_OPENING = frozenset("“«„")
_CLOSING = frozenset("”»")
_STRAIGHT = '"'
_CURLY = _OPENING | _CLOSING


def find_quote(index: ArticleIndex, quote: str) -> int | None:
    """Character offset where `quote` starts in the article, or None if not verbatim."""
    parts = [p for p in map(keys, _ELLIPSIS_RE.split(quote)) if p]
    if not parts:
        return None
    for first in index.find_all(parts[0]):
        end = first + len(parts[0])
        for part in parts[1:]:
            following = [p for p in index.find_all(part) if end <= p <= end + MAX_ELIDED_WORDS]
            if not following:
                break
            end = following[0] + len(part)
        else:
            return index.starts[first]
    return None


def inside_quotation_marks(text: str, offset: int) -> bool:
    """Whether `offset` lies between quotation marks opened earlier in its paragraph: the
    last curly mark before it says open or closed, and each straight one after that
    toggles."""
    paragraph_start = text.rfind("\n", 0, offset) + 1
    before = text[paragraph_start:offset]
    last_curly = max(before.rfind(mark) for mark in _CURLY)
    is_open = last_curly >= 0 and before[last_curly] in _OPENING
    return is_open != (before.count(_STRAIGHT, last_curly + 1) % 2 == 1)
