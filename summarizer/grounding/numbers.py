"""Numbers as an article writes them: "500.000", "1,200", "2.4 million", "six", "a dozen",
"two-month", "second", "around 200", "dozens".

Parsing is deliberately lenient where writing conventions disagree: "1.500" may be one and
a half or fifteen hundred, so it yields both candidate values, and a comparison succeeds when
the candidate sets meet. The same parser reads the article and the model's text, so both
sides are read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from summarizer.grounding.text import WordList, join_texts, keys, owner, word_key
from summarizer.grounding.text import words as text_words

UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
    "thousandth": 1000,
}  # fmt: skip
SCALES: dict[str, int] = {
    "dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}  # fmt: skip
#: Plural quantity words that state no exact number: the range of values they admit.
VAGUE: dict[str, tuple[float, float]] = {
    "dozens": (12, 144), "scores": (20, 200), "hundreds": (100, 1_000),
    "thousands": (1_000, 1_000_000), "millions": (1_000_000, 1_000_000_000),
    "billions": (1_000_000_000, 1_000_000_000_000),
}  # fmt: skip

#: Words before a number that make it approximate.
APPROXIMATORS: tuple[str, ...] = (
    "around", "about", "some", "nearly", "almost", "approximately", "roughly", "more than",
    "over", "at least", "up to", "less than", "fewer than", "under", "close to", "upwards of",
    "an estimated", "estimated", "at most", "as many as", "as few as", "circa", "approx",
)  # fmt: skip

#: Words before "one" that make it a pronoun, not a count ("no one", "the one who").
_ONE_PRONOUN_BEFORE = frozenset({"no", "the", "this", "that", "any", "every", "each", "which"})
#: Words after "one" that make it a pronoun or idiom ("one of them", "one another").
_ONE_PRONOUN_AFTER = frozenset({"of", "another", "day", "way", "side"})

_SEP_SPACES = " \u00a0\u202f\u2009"
#: A number written in digits. The pattern opens with a digit, so that the regex engine seeks
#: one with its fast character-set scan; the check that no word character, dot or comma
#: stands before the number comes right after that first digit.
_DIGITS_RE = re.compile(
    rf"""\d(?<![\w.,]\d)(?:                            # the first digit, then:
        \d{{0,2}}(?:,\d{{3}})+(?:\.\d+)?               # 1,200  1,200.5
      | \d{{0,2}}(?:\.\d{{3}})+(?:,\d+)?               # 500.000  1.200,5
      | \d{{0,2}}(?:[{_SEP_SPACES}]\d{{3}})+(?:[.,]\d+)?  # 500 000
      | \d*(?:[.,]\d+)?                                # 182  2.4  2,4
    )(?!\d)
    (?i:(?P<suffix>st|nd|rd|th|s)(?![a-z])|(?P<scale>bn|mn|tn|k|m|b)(?![a-z]))?
    # a unit may follow at once ("1.5km", "3.30pm"): it ends the number""",
    re.VERBOSE,
)
#: The same for ASCII text, where it finds the same numbers three times faster (no Unicode
#: category look-up for each character).
_ASCII_DIGITS_RE = re.compile(_DIGITS_RE.pattern, re.VERBOSE | re.ASCII)
_NO_SEP_SPACES = str.maketrans("", "", _SEP_SPACES)
#: Scales written right after the digits: "$3.5bn", "20k". "m" and "b" may also be units
#: (metres, bytes), so a number with them keeps its unscaled value as well.
SUFFIX_SCALES: dict[str, int] = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000,
                                 "b": 1_000_000_000, "bn": 1_000_000_000,
                                 "tn": 1_000_000_000_000}  # fmt: skip
_AMBIGUOUS_SCALES = frozenset({"m", "b"})
_SCALE_AFTER_RE = re.compile(r"[\s-]+(hundred|thousand|million|billion|trillion)\b", re.I)
NUMBER_WORDS: frozenset[str] = frozenset({*UNITS, *ORDINALS, *SCALES})
_ANY_NUMBER_WORD: frozenset[str] = NUMBER_WORDS | VAGUE.keys()
_APPROX_BEFORE_RE = re.compile(
    rf"\b(?:{'|'.join(re.escape(a) for a in APPROXIMATORS)})\s+$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Number:
    """One number stated in a text."""

    text: str
    start: int
    end: int
    values: frozenset[float]
    ordinal: bool = False
    approximate: bool = False
    #: For "dozens", "hundreds": the values it admits, [low, high). None for a stated number.
    vague: tuple[float, float] | None = None
    #: The number before its scale word: 2.4 for "2.4 million" (a model may write either).
    unscaled: frozenset[float] = frozenset()

    def admits(self, value: float) -> bool:
        """Whether `value` is what this mention states."""
        if self.vague is not None:
            return self.vague[0] <= value < self.vague[1]
        v = _norm(value)
        return v in self.values or v in self.unscaled


def _norm(value: float) -> float:
    return round(float(value), 6)


def _digit_values(raw: str) -> set[float]:
    """Candidate values of a digit string, reading its separators every plausible way."""
    compact = raw.translate(_NO_SEP_SPACES)
    if raw != compact:  # space thousands separators
        return {_norm(float(compact.replace(",", ".")))}
    if "," in raw and "." in raw:
        if raw.rfind(",") > raw.rfind("."):  # 1.200,5
            return {_norm(float(raw.replace(".", "").replace(",", ".")))}
        return {_norm(float(raw.replace(",", "")))}
    for sep in ",.":
        if sep in raw:
            groups = raw.split(sep)
            grouped = all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
            values = set()
            if grouped:
                values.add(_norm(float("".join(groups))))
            if len(groups) == 2 and (not grouped or groups[0] != "0"):
                values.add(_norm(float(f"{groups[0]}.{groups[1]}")))
            return values
    return {_norm(float(raw))}


def _word_value(words: list[str]) -> tuple[float, bool]:
    """Value of a run of number words, and whether it ends as an ordinal."""
    total = 0.0
    current = 0.0
    ordinal = False
    for w in words:
        if w in UNITS:
            current += UNITS[w]
        elif w in ORDINALS:
            value = ORDINALS[w]
            if value >= 100:
                current = (current or 1) * value
            else:
                current += value
            ordinal = True
        elif w in ("dozen", "hundred"):
            current = (current or 1) * SCALES[w]
        else:
            total += (current or 1) * SCALES[w]
            current = 0
    return total + current, ordinal


def _joins(prev: str, word: str) -> bool:
    """Whether `word` continues the number that `prev` is part of: "twenty three", "two
    hundred", "hundred and five"; not "two three" (two numbers side by side)."""
    if word in SCALES or word in ("hundredth", "thousandth") or prev in SCALES:
        return True
    tens = prev in UNITS and UNITS[prev] >= 20 and UNITS[prev] % 10 == 0
    small = UNITS.get(word, ORDINALS.get(word, 100)) < 10
    return tens and small


def _word_runs(
    text: str, keys: list[str], starts: list[int], ends: list[int], candidates: Iterable[int]
) -> Iterator[tuple[int, int]]:
    """Yield (first, last) word indices of each run of number words. `candidates` are the
    indices of number words, in order."""
    n = len(keys)
    done = -1
    for i in candidates:
        if i <= done:
            continue
        last = i
        j = i + 1
        while j < n:
            gap = text[ends[j - 1] : starts[j]]
            if keys[j] == "and" and j + 1 < n and keys[j + 1] in NUMBER_WORDS:
                if keys[j - 1] in SCALES and gap.isspace():
                    j += 1
                    continue
                break
            if keys[j] in NUMBER_WORDS and gap.strip(" -") == "" and len(gap) <= 3:
                previous = keys[j - 2] if keys[j - 1] == "and" else keys[j - 1]
                if _joins(previous, keys[j]):
                    last = j
                    j += 1
                    continue
            break
        yield i, last
        done = last


def _is_approximate(text: str, start: int) -> bool:
    return bool(_APPROX_BEFORE_RE.search(text[max(0, start - 24) : start]))


def _has_number_words(text: str) -> bool:
    return not _ANY_NUMBER_WORD.isdisjoint(keys(text))


def _texts_with_number_words(texts: list[str]) -> set[int]:
    """Which texts hold a number word: most often none, which one look at them all tells."""
    if not _has_number_words(" ".join(texts)):
        return set()
    return {i for i, text in enumerate(texts) if _has_number_words(text)}


def find_numbers(
    text: str,
    words: WordList | None = None,
    positions: dict[str, list[int]] | None = None,
    *,
    approximations: bool = True,
) -> list[Number]:
    """Every number stated in `text`, in order.

    `words` (from `text.words`) and `positions` (word key -> indices) save re-reading a long
    article; `approximations=False` skips telling "around 200" from "200".
    """
    found, scale_words = _digit_numbers(text, approximations)
    if words is not None or _has_number_words(text):  # else digits only: no words to read
        words = words if words is not None else text_words(text)
        found += _word_numbers(text, words, positions, scale_words, approximations)
    found.sort(key=lambda n: n.start)
    return found


def _digit_numbers(text: str, approximations: bool) -> tuple[list[Number], set[int]]:
    """The numbers written with digits ("2.4 million", "$3.5bn", "500.000"), and the starts
    of the scale words read with them (so that "million" is not read again as a word)."""
    found: list[Number] = []
    scale_words: set[int] = set()
    for m in (_ASCII_DIGITS_RE if text.isascii() else _DIGITS_RE).finditer(text):
        suffix = m.group("suffix") or ""
        glued = (m.group("scale") or "").lower()
        raw = m.group()[: len(m.group()) - len(suffix) - len(glued)]
        values = _digit_values(raw)
        end = m.end()
        unscaled: frozenset[float] = frozenset()
        scale = None if glued else _SCALE_AFTER_RE.match(text, end)
        if glued:
            unscaled = frozenset(values)
            scaled = {_norm(v * SUFFIX_SCALES[glued]) for v in values}
            values = scaled | (values if glued in _AMBIGUOUS_SCALES else set())
        elif scale:
            unscaled = frozenset(values)
            # The key, not lower(): re.I matches "MİLLİON", whose lower() is not "million".
            values = {_norm(v * SCALES[word_key(scale.group(1))]) for v in values}
            end = scale.end()
            scale_words.add(scale.start(1))
        found.append(
            Number(
                text=text[m.start() : end],
                start=m.start(),
                end=end,
                values=frozenset(values),
                ordinal=suffix.lower() in ("st", "nd", "rd", "th"),
                approximate=approximations and _is_approximate(text, m.start()),
                unscaled=unscaled,
            )
        )
    return found, scale_words


def _word_numbers(
    text: str,
    words: WordList,
    positions: dict[str, list[int]] | None,
    scale_words: set[int],
    approximations: bool,
) -> list[Number]:
    """The numbers written in words ("two hundred", "a dozen") and the vague ones ("dozens")."""
    starts, ends, keys = words
    if positions is None:
        number_words = [i for i, k in enumerate(keys) if k in NUMBER_WORDS or k in VAGUE]
    else:
        number_words = sorted(
            i for k in positions.keys() & (NUMBER_WORDS | VAGUE.keys()) for i in positions[k]
        )
    vague = [i for i in number_words if keys[i] in VAGUE]
    number_words = [
        i for i in number_words if starts[i] not in scale_words and keys[i] not in VAGUE
    ]
    found: list[Number] = []
    for first, last in _word_runs(text, keys, starts, ends, number_words):
        run = [k for k in keys[first : last + 1] if k != "and"]
        if run == ["one"] and (
            (first > 0 and keys[first - 1] in _ONE_PRONOUN_BEFORE)
            or (last + 1 < len(keys) and keys[last + 1] in _ONE_PRONOUN_AFTER)
        ):
            continue
        start = starts[first]
        if first > 0 and keys[first - 1] in ("a", "an") and run[0] in SCALES:
            start = starts[first - 1]  # "a dozen", "a hundred"
        value, ordinal = _word_value(run)
        found.append(
            Number(
                text=text[start : ends[last]],
                start=start,
                end=ends[last],
                values=frozenset({_norm(value)}),
                ordinal=ordinal,
                approximate=approximations and _is_approximate(text, start),
            )
        )
    found += [
        Number(text=text[starts[i] : ends[i]], start=starts[i], end=ends[i], values=frozenset(),
               approximate=True, vague=VAGUE[keys[i]])
        for i in vague
    ]  # fmt: skip
    return found


@dataclass(frozen=True)
class ArticleNumbers:
    """The numbers an article states, indexed for "is this number in the article?"."""

    cardinals: frozenset[float]
    ordinals: frozenset[float]
    vague: tuple[tuple[float, float], ...]

    @classmethod
    def of(
        cls,
        text: str,
        words: WordList | None = None,
        positions: dict[str, list[int]] | None = None,
    ) -> ArticleNumbers:
        cardinals: set[float] = set()
        ordinals: set[float] = set()
        vague: set[tuple[float, float]] = set()
        for n in find_numbers(text, words, positions, approximations=False):
            if n.vague is not None:
                vague.add(n.vague)
            elif n.ordinal:
                ordinals |= n.values
            else:
                cardinals |= n.values | n.unscaled
        return cls(frozenset(cardinals), frozenset(ordinals), tuple(sorted(vague)))

    def supports(self, number: Number) -> bool:
        if number.vague is not None:
            low, high = number.vague
            return number.vague in self.vague or any(low <= v < high for v in self.cardinals)
        pool = self.ordinals if number.ordinal else self.cardinals
        return not number.values.isdisjoint(pool)


def unsupported_numbers(text: str, article: ArticleNumbers) -> list[Number]:
    """Numbers in a model's free text that the article never states."""
    return unsupported_numbers_in([text], article)[0]


def unsupported_numbers_in(texts: list[str], article: ArticleNumbers) -> list[list[Number]]:
    """`unsupported_numbers` of each text. The few texts with number words are read word
    by word; the digits of all the others are found in one pass over them joined."""
    found: list[list[Number]] = [[] for _ in texts]
    with_words = _texts_with_number_words(texts)
    for i in with_words:
        found[i] = [
            n for n in find_numbers(texts[i], text_words(texts[i])) if not article.supports(n)
        ]
    rest = [i for i in range(len(texts)) if i not in with_words]
    joined, starts = join_texts([texts[i] for i in rest])
    for number in find_numbers(joined, _NO_WORDS):
        if not article.supports(number):
            found[rest[owner(starts, number.start)]].append(number)
    return found


#: What `find_numbers` is told of texts known to hold no number words: read only digits.
_NO_WORDS: WordList = ([], [], [])
