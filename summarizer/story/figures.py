"""Figures across reports (contract story v1, rule 4): what each counts, how it is
qualified, and whether the reports agree, are compatible, or conflict."""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.story.names import words

#: How far a figure qualified as "about" V may be from V, and two qualified figures from
#: each other, and still be compatible: a fraction of the larger.
TOLERANCE: float = 0.15
#: Kilometres in a mile: distances are compared in km.
KM_PER_MILE: float = 1.609344

_QUALIFIERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (q, re.compile(rf"^\W*(?:{p})\b", re.IGNORECASE))
    for q, p in (
        ("at_least", r"at least|no fewer than|no less than|a minimum of|not less than"),
        ("more_than", r"more than|over|above|upwards of|in excess of|beyond"),
        ("at_most", r"at most|up to|no more than|a maximum of|not more than"),
        ("less_than", r"less than|fewer than|under|below|nearly|almost|just under"),
        (
            "about",
            r"around|about|some|roughly|approximately|an estimated|close to|circa|"
            r"estimated",
        ),
    )
)

#: Words of a unit that say what was counted; the rest ("people", "civilians"...) say who.
_KILLED = {"killed", "dead", "deaths", "death", "died", "toll", "fatalities", "lives", "kill"}
_WOUNDED = {"wounded", "injured", "injuries", "hurt"}
_DISTANCE = {"km": 1.0, "kms": 1.0, "kilometers": 1.0, "kilometres": 1.0, "kilometer": 1.0,
             "kilometre": 1.0, "miles": KM_PER_MILE, "mile": KM_PER_MILE}  # fmt: skip
_PLURALS = {"people": "people", "persons": "people", "civilians": "civilians",
            "civilian": "civilians", "children": "children", "child": "children",
            "fighters": "fighters", "fighter": "fighters", "soldiers": "soldiers",
            "soldier": "soldiers"}  # fmt: skip


@lru_cache(maxsize=4096)
def qualifier(as_written: str, approximate: bool) -> str:
    """How the article qualifies the figure ("more than 30" -> more_than)."""
    for name, pattern in _QUALIFIERS:
        if pattern.search(as_written):
            return name
    return "about" if approximate else "exact"


@lru_cache(maxsize=4096)
def unit_of(unit: str) -> tuple[str, float]:
    """What a figure counts, normalised, and the factor to its normal unit: "people killed",
    "dead" and "deaths" are one ("killed"); "civilians killed" its own; miles are km."""
    ws = words(unit)
    for w in ws:
        if w in _DISTANCE:
            return "km", _DISTANCE[w]
    event = "killed" if _KILLED & set(ws) else "wounded" if _WOUNDED & set(ws) else None
    who = [_PLURALS.get(w, w) for w in ws if w not in _KILLED | _WOUNDED]
    who = [w for w in who if w != "people"]
    if event:
        return " ".join([*who, event]), 1.0
    return " ".join(_PLURALS.get(w, w) for w in ws), 1.0


def _close(x: float, y: float) -> bool:
    return abs(x - y) <= TOLERANCE * max(abs(x), abs(y))


def consistent(v1: float, q1: str, v2: float, q2: str) -> bool:
    """Whether two qualified values can both be true (rule 4, pair by pair)."""
    if q1 == "exact" and q2 == "exact":
        return v1 == v2
    if q1 != "exact" and q2 != "exact":
        return _close(v1, v2)  # two estimates far apart conflict, bounds or not
    exact, (bound, q) = (v1, (v2, q2)) if q1 == "exact" else (v2, (v1, q1))
    return {
        "about": _close(exact, bound),
        "at_least": exact >= bound,
        "more_than": exact > bound,
        "at_most": exact <= bound,
        "less_than": exact < bound,
    }[q]


def verdict(values: list[tuple[float, str]]) -> str:
    """agree: all values equal (qualifiers aside); compatible: every pair consistent;
    conflict: otherwise."""
    if len({v for v, _ in values}) == 1:
        return "agree"
    pairs = [(a, b) for i, a in enumerate(values) for b in values[i + 1 :]]
    return "compatible" if all(consistent(*a, *b) for a, b in pairs) else "conflict"
