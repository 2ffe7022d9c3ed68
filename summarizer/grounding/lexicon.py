"""Ordinary English words, to tell "Clashes erupted" from "Kremlin officials said".

The list ships with the package (see data/README.md). It is read once, on first use, as
constant data: the checks stay a pure function of their inputs.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    data = (
        resources.files("summarizer.grounding").joinpath("data/english-words.txt.gz").read_bytes()
    )
    return frozenset(gzip.decompress(data).decode("ascii").split())


def is_ordinary_word(word: str) -> bool:
    """Whether `word`, in lower case, is a common English word rather than only a name."""
    return word.lower() in _english_words()
