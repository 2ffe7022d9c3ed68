"""Proper names: does a name the model wrote occur in the article?

A name occurs when its words stand together in the article: as a run ("Hayat Tahrir Al
Sham" for "Hayat Tahrir al-Sham"), or close to one another ("Bashar Assad" for "Bashar
al-Assad", "President Assad" for "President Bashar al-Assad"). Case and diacritics do not
matter ("Turkiye" for "Türkiye"). Two real words far apart are not a name ("Nick Haid").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left

from summarizer.grounding.lexicon import is_ordinary_word
from summarizer.grounding.text import (
    WORD_RE,
    ArticleIndex,
    is_word_char,
    join_texts,
    keys,
    opens_sentence,
    owner,
    word_key,
)

#: How many article words a name's words may stand apart, beyond the name's own length.
NAME_WINDOW_SLACK: int = 3
#: Lower-case words that may join the capitalised words of one name ("Institute for Strategy
#: and Policy", "Bashar al-Assad", "Osama bin Laden").
CONNECTORS: frozenset[str] = frozenset(
    {"al", "el", "ad", "bin", "ibn", "bint", "de", "del", "della", "da", "di", "du", "van",
     "von", "der", "den", "la", "le", "of", "for", "and", "the", "y"}
)  # fmt: skip
#: Share of capitalised words above which a text is in Title Case (a headline style), so
#: that capitals no longer mark names.
TITLE_CASE_SHARE: float = 0.8


def occurs(index: ArticleIndex, name: str, *, as_written: bool = False) -> bool:
    """Whether `name` stands in the article: as a run of words, or (unless `as_written`)
    with its words close together, or as names joined by "and" ("Damascus and Moscow")."""
    needle = keys(name)
    if not needle:
        return True
    if index.contains(needle):
        return True
    if as_written:
        return False
    if "and" in needle:
        parts = " ".join(needle).split(" and ")
        if len(parts) > 1 and all(p.strip() and _near_together(index, p.split()) for p in parts):
            return True
    return _near_together(index, needle)


def _near_together(index: ArticleIndex, needle: list[str]) -> bool:
    """Whether the words of `needle` (connectors aside) stand close together somewhere."""
    core = [k for k in needle if k not in CONNECTORS] or needle
    hits = [index.positions.get(k) for k in core]
    if not all(hits):
        return False
    window = len(core) + NAME_WINDOW_SLACK
    rarest = min(hits, key=len)
    return any(all(_near(h, p, window) for h in hits) for p in rarest)


def _near(sorted_positions: list[int], p: int, window: int) -> bool:
    i = bisect_left(sorted_positions, p - window)
    return i < len(sorted_positions) and sorted_positions[i] <= p + window


def _capital_letters() -> str:
    """A regex class of every upper- and title-case letter of the scripts news is written
    in (Latin, Greek, Cyrillic, Armenian, Georgian...), as ranges: "İzmir", "Łódź", "Москва"."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x3000):
        if chr(cp).isupper() or unicodedata.category(chr(cp)) == "Lt":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_CAPITAL = _capital_letters()
_GAP = r"[\s\-‐‑–'’]+"
#: A capitalised word. The capital comes first and the "no word character before it" check
#: after, so that the regex engine can seek capitals with its fast character-set scan: about
#: twice as fast as a leading lookbehind, which it must try at every position.
_NAME_WORD = rf"[{_CAPITAL}](?<!\w[{_CAPITAL}])\w*"
_CONNECTOR = "(?:" + "|".join(sorted(CONNECTORS, key=len, reverse=True)) + ")"
#: A run of capitalised words, joined by spaces, hyphens or connectors ("Bashar al-Assad").
_NAME_RUN_RE = re.compile(rf"{_NAME_WORD}(?:{_GAP}(?:{_CONNECTOR}{_GAP})*{_NAME_WORD})*")
_OPENER_RE = re.compile(rf"{_NAME_WORD}(?:{_GAP}(?:{_CONNECTOR}{_GAP})*)?")
_CAPITALISED_WORD_RE = re.compile(rf"{_NAME_WORD}")
_COMPOUND_RE = re.compile(r"[-‐‑][a-z]")


def _title_case(text: str) -> bool:
    """A headline in Title Case: capitals no longer mark names there."""
    capitals = len(_CAPITALISED_WORD_RE.findall(text))
    # Most texts have a few capitals: they need no count of their words.
    return capitals > 3 and capitals > TITLE_CASE_SHARE * len(WORD_RE.findall(text))


def capitalised_names(
    text: str, title_case: bool | None = None
) -> list[tuple[str, str | None, int]]:
    """The proper names of a model's free text: runs of capitalised words, each with the
    part that remains when its first word is an ordinary word opening a sentence
    ("Supports Assad" -> "Assad"; a lone "Clashes" -> ""), or None when it has no such
    opener, and where it starts. `title_case`: whether the text is a Title Case headline,
    when the caller knows (texts joined for one pass are judged one by one, not as one).
    """
    if _title_case(text) if title_case is None else title_case:
        # Every word stands for itself, and may be an ordinary word.
        return [(m.group(), "", m.start()) for m in _CAPITALISED_WORD_RE.finditer(text)
                if m.group() != "I"]  # fmt: skip
    names: list[tuple[str, str | None, int]] = []
    in_lower_case: dict[str, bool] = {}  # the same openers come back sentence after sentence
    for m in _NAME_RUN_RE.finditer(text):
        phrase = m.group()
        if phrase == "I":
            continue
        rest = None
        if opens_sentence(text, m.start()):
            opener = _OPENER_RE.match(phrase)
            word = opener.group().rstrip(" -‐‑–'’") if opener else ""
            if opener and not _looks_like_name(text, m.start(), word, in_lower_case):
                rest = phrase[opener.end() :]
        names.append((phrase, rest, m.start()))
    return names


def _looks_like_name(text: str, start: int, word: str, in_lower_case: dict[str, bool]) -> bool:
    """A sentence-opening word is a name if it is an acronym or CamelCase ("HTS",
    "McDonald") or the first half of a compound ("Washington-based"), and not if the same
    text uses it in lower case (`in_lower_case` memoises that, word by word)."""
    if word not in in_lower_case:
        lower = word.lower()  # ("ℍ" has no lower case: it is itself, and does not count)
        in_lower_case[word] = lower.islower() and _has_word(text, lower)
    if in_lower_case[word]:
        return False
    return bool(_COMPOUND_RE.match(text, start + len(word))) or any(c.isupper() for c in word[1:])


def _has_word(text: str, word: str) -> bool:
    """Whether `word` is one of the words of `text` (as WORD_RE finds them), without
    reading them all: a substring search, then a look at the characters around each hit."""
    if not WORD_RE.fullmatch(word):
        return False
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if not (start and is_word_char(text[start - 1])) and not (
            end < len(text) and is_word_char(text[end])
        ):
            return True
        start = text.find(word, end)
    return False


def missing_names(
    index: ArticleIndex, text: str | None, seen: dict[str, bool] | None = None
) -> list[str]:
    """Proper names of `text` that occur nowhere in the article."""
    return missing_names_in(index, [text or ""], seen)[0]


def missing_names_in(
    index: ArticleIndex, texts: list[str], seen: dict[str, bool] | None = None
) -> list[list[str]]:
    """`missing_names` of each text, found in one pass over all but the Title Case ones.
    `seen` memoises `occurs` across the texts, where the same names come back item after
    item."""
    seen = {} if seen is None else seen

    def known(name: str) -> bool:
        if name not in seen:
            seen[name] = occurs(index, name)
        return seen[name]

    missing: list[list[str]] = [[] for _ in texts]
    title_case = [bool(text) and _title_case(text) for text in texts]
    plain = [i for i, text in enumerate(texts) if text and not title_case[i]]
    joined, starts = join_texts([texts[i] for i in plain])
    found = [(plain[owner(starts, start)], name, rest)
             for name, rest, start in capitalised_names(joined, title_case=False)]  # fmt: skip
    found += [(i, name, rest) for i, text in enumerate(texts) if title_case[i]
              for name, rest, _ in capitalised_names(text, title_case=True)]  # fmt: skip
    for i, name, rest in found:
        if known(name):
            continue
        opener = name[: len(name) - len(rest)] if rest is not None else ""
        if opener and _ordinary_word(index, opener) and (not rest or known(rest)):
            continue  # "Supports Assad": an ordinary word opened the sentence
        missing[i].append(name)
    return missing


def _ordinary_word(index: ArticleIndex, opener: str) -> bool:
    """Whether a capitalised word opening a sentence is an ordinary word, not a name: the
    article uses it in lower case ("Supports"), or, if the article lacks it, English does
    ("Clashes" but not "Kremlin"); "Nick" of "Nick Heras" is a name."""
    words = WORD_RE.findall(opener)
    if not words:
        return True
    hits = index.positions.get(word_key(words[0]), ())
    if not hits:
        return is_ordinary_word(words[0])
    return any(index.text[index.starts[i]].islower() for i in hits)
