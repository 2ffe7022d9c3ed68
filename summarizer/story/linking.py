"""Items of several reports grouped into story items: candidate pairs scored with their
bases, then joined greedily, strongest first, never two items of one report in a group
(so each pair of reports is matched one to one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from summarizer.story.names import words

#: Words that say nothing of what two texts share.
_STOPWORDS = """
    a an the of in on at to for from by with and or but as is are was were be been has have
    had that this these those it its their his her they he she which who whom said says say
    also after before during while into than then there over about up out not no
"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class Entry:
    """One item of one report, as grouping sees it."""

    report: int
    key: str
    item: Any
    spans: list[list[int]]


@dataclass(frozen=True)
class Pair:
    """Two entries of different reports that may be one story item, and why."""

    score: float
    i: int
    j: int
    basis: tuple[str, ...]


@dataclass
class Group:
    members: list[int]
    reports: set[int]
    links: list[Pair] = field(default_factory=list)


@lru_cache(maxsize=65536)
def content(text: str) -> str:
    """The text's folded words, stopwords aside, for comparing what two texts say."""
    return " ".join(w for w in words(text) if w not in STOPWORDS)


def similarity(a: str, b: str) -> float:
    """How much two texts say alike, 0..1: word order aside, their content words' overlap
    (rapidfuzz), tempered by the length of the shorter so that a short text does not match
    everything that contains it."""
    ca, cb = content(a), content(b)
    if not ca or not cb:
        return 0.0
    overlap = fuzz.token_set_ratio(ca, cb) / 100
    whole = fuzz.token_sort_ratio(ca, cb) / 100
    return 0.6 * overlap + 0.4 * whole


def group(entries: list[Entry], pairs: list[Pair]) -> list[Group]:
    """Entries joined along `pairs`, strongest first; a join that would put two entries of
    one report in a group is skipped. Every entry ends in exactly one group."""
    owner = list(range(len(entries)))
    groups = {i: Group([i], {e.report}) for i, e in enumerate(entries)}
    for pair in sorted(pairs, key=lambda p: (-p.score, p.i, p.j)):
        a, b = owner[pair.i], owner[pair.j]
        if a == b or groups[a].reports & groups[b].reports:
            continue
        if b < a:
            a, b = b, a
        merged = groups.pop(b)
        groups[a].members += merged.members
        groups[a].reports |= merged.reports
        groups[a].links += [*merged.links, pair]
        for m in merged.members:
            owner[m] = a
    return [groups[k] for k in sorted(groups)]
