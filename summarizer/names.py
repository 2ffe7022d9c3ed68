"""Proper names: does a name the model wrote occur in the article?

A name occurs when its words stand together in the article: as a run ("Hayat Tahrir Al
Sham" for "Hayat Tahrir al-Sham"), or close to one another ("Bashar Assad" for "Bashar
al-Assad", "President Assad" for "President Bashar al-Assad"). Case and diacritics do not
matter ("Turkiye" for "Türkiye"). Two real words far apart are not a name ("Nick Haid").
"""

from __future__ import annotations

import re

from summarizer.text import WORD_RE, ArticleIndex, word_key

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
TITLE_CASE_SHARE: float = 0.6

_PHRASE_GAP_RE = re.compile(r"[\s\-‐‑–'’]*")


def occurs(index: ArticleIndex, name: str, *, as_written: bool = False) -> bool:
    """Whether `name` stands in the article, as a run of words or (unless `as_written`) with
    its words close together."""
    needle = [word_key(w) for w in WORD_RE.findall(name)]
    if not needle:
        return True
    if index.contains(needle):
        return True
    if as_written:
        return False
    core = [k for k in needle if k not in CONNECTORS] or needle
    hits = [index.positions.get(k) for k in core]
    if not all(hits):
        return False
    window = len(core) + NAME_WINDOW_SLACK
    rarest = min(hits, key=len)
    return any(all(_near(h, p, window) for h in hits) for p in rarest)


def _near(positions: list[int], p: int, window: int) -> bool:
    return any(abs(q - p) <= window for q in positions)


def capitalised_names(text: str) -> list[str]:
    """The proper names of a model's free text: runs of capitalised words.

    A capitalised word that opens a sentence is a name only when it runs into another
    capitalised word ("Vladimir Putin said"), or is not an ordinary lower-case word of the
    same text: a lone "The" or "Clashes" at a sentence start is not a name.
    """
    matches = list(WORD_RE.finditer(text))
    capital = [m.group()[0].isupper() for m in matches]
    if matches and sum(capital) > TITLE_CASE_SHARE * len(matches) and len(matches) > 3:
        # Title Case: every word is capitalised, so each stands for itself.
        return [m.group() for m in matches if not m.group().isdigit()]
    lower_words = {m.group() for m in matches if m.group().islower()}
    names: list[str] = []
    run: list[re.Match[str]] = []

    def close_run() -> None:
        while run and run[-1].group().islower():  # trailing connectors
            run.pop()
        if (
            run
            and _opens_sentence(text, run[0].start())
            and not _looks_like_name(text, run[0], lower_words)
        ):
            run.pop(0)  # "Supports Assad", "Leader of Turkey": the opener is no name
            while run and run[0].group().islower():
                run.pop(0)
        if run:
            names.append(text[run[0].start() : run[-1].end()])
        run.clear()

    for i, m in enumerate(matches):
        word = m.group()
        joined = bool(run) and _PHRASE_GAP_RE.fullmatch(text[run[-1].end() : m.start()])
        if capital[i] and word != "I":
            if run and not joined:
                close_run()
            run.append(m)
        elif run and joined and word in CONNECTORS:
            run.append(m)
        else:
            close_run()
    close_run()
    return names


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“”‘’(«")
    return not before or before[-1] in ".!?\n:"


def _looks_like_name(text: str, word: re.Match[str], lower_words: set[str]) -> bool:
    """A sentence-opening word is a name if it is an acronym or CamelCase ("HTS",
    "McDonald") or the first half of a compound ("Washington-based"), and not if the same
    text uses it in lower case."""
    w = word.group()
    if w.lower() in lower_words:
        return False
    compound = re.match(r"[-‐‑][a-z]", text[word.end() : word.end() + 2])
    return bool(compound) or any(c.isupper() for c in w[1:])


def missing_names(index: ArticleIndex, text: str | None) -> list[str]:
    """Proper names of `text` that occur nowhere in the article."""
    if not text:
        return []
    return [name for name in capitalised_names(text) if not occurs(index, name)]
