"""Where each evidence excerpt stands in the article.

An excerpt matches exactly when its word keys (see `text`) occur as a run in the article:
case, whitespace, punctuation, typographic quotes and dashes, NFKC forms and diacritics do
not matter. Failing that, a word-level fuzzy match forgives a typo, a split or joined word,
or a short function word dropped or added, and nothing else: an edit that touches a number,
a proper name or a negation rejects the match.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from operator import sub
from statistics import median
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from summarizer.grounding.numbers import NUMBER_WORDS, VAGUE
from summarizer.grounding.text import WORD_RE, ArticleIndex, keys, opens_sentence, word_key

#: Shortest excerpt, in words, that may be matched fuzzily; shorter ones must match exactly.
FUZZY_MIN_WORDS: int = 3
#: Most word edits a fuzzy match may need, as a share of the excerpt's words (at least one).
FUZZY_MAX_EDIT_SHARE: float = 0.2
#: Least character similarity (0-100, rapidfuzz ratio) for a changed word to count as a typo.
FUZZY_MIN_WORD_SIMILARITY: float = 75.0
#: Least share of the excerpt's words that must stand at one article position to try it.
FUZZY_MIN_ANCHOR_SHARE: float = 0.5
#: Candidate positions tried per excerpt, best first.
FUZZY_MAX_CANDIDATES: int = 3
#: Words seen more often than this in the article do not vote for candidate positions.
FUZZY_MAX_ANCHOR_HITS: int = 50
#: Extra article words on each side of a candidate that the alignment may absorb.
FUZZY_SLACK_WORDS: int = 2

#: Words that negate: a fuzzy match may never add or drop one. "t" is the tail of "n't".
NEGATIONS: frozenset[str] = frozenset(
    {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without",
     "cannot", "nowhere", "t"}
)  # fmt: skip
#: Short function words that a fuzzy match may drop, add or swap for one another.
FUNCTION_WORDS: frozenset[str] = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "for", "from", "by", "with", "and",
     "or", "that", "which", "who", "as", "is", "are", "was", "were", "be", "been", "has",
     "have", "had", "it", "its", "this", "these", "those", "their", "there", "then", "also",
     "so", "into", "s"}
)  # fmt: skip


class Match(NamedTuple):
    """An excerpt found in the article: word range and character span. (A named tuple: made
    for every excerpt, and built several times faster than a frozen dataclass.)"""

    first_word: int
    n_words: int
    start: int
    end: int
    exact: bool


@dataclass(frozen=True, slots=True)
class _Words:
    """An excerpt's words: keys to compare, and whether each is protected from fuzzy edits."""

    keys: list[str]
    protected: list[bool]

    @classmethod
    def of(cls, text: str) -> _Words:
        keys, protected = [], []
        for m in WORD_RE.finditer(text):
            word = m.group()
            keys.append(word_key(word))
            initial = opens_sentence(text, m.start())
            protected.append(_is_protected(word, keys[-1], initial))
        return cls(keys, protected)


def _is_protected(word: str, key: str, sentence_initial: bool) -> bool:
    """Numbers, negations and proper names: what a fuzzy match must never change."""
    return (
        any(c.isdigit() for c in word)
        or key in NUMBER_WORDS
        or key in VAGUE
        or key in NEGATIONS
        or (word[0].isupper() and not sentence_initial)
    )


def _article_protected(index: ArticleIndex, i: int) -> bool:
    word = index.text[index.starts[i] : index.ends[i]]
    return _is_protected(word, index.keys[i], opens_sentence(index.text, index.starts[i]))


def exact_occurrences(index: ArticleIndex, excerpt: str) -> list[Match]:
    needle = keys(excerpt)
    return [
        Match(s, len(needle), *index.char_span(s, len(needle)), exact=True)
        for s in index.find_all(needle)
    ]


def fuzzy_match(index: ArticleIndex, excerpt: str) -> Match | None:
    """The article passage that differs from `excerpt` only by forgivable word edits."""
    words = _Words.of(excerpt)
    n = len(words.keys)
    if n < FUZZY_MIN_WORDS:
        return None
    votes: Counter[int] = Counter()
    for i, key in enumerate(words.keys):
        hits = index.positions.get(key, ())
        if len(hits) <= FUZZY_MAX_ANCHOR_HITS:
            votes.update(map(sub, hits, repeat(i)))  # counted in C
    # A dropped or added word shifts the votes of the words after it by one. Only a start
    # next to one with a third of the votes needed can reach them, smoothed.
    needed = FUZZY_MIN_ANCHOR_SHARE * n
    near_strong = {s + d for s, count in votes.items() if 3 * count >= needed for d in (-1, 0, 1)}
    smoothed = Counter(
        {s: votes[s - 1] + votes[s] + votes[s + 1] for s in votes if s in near_strong}
    )
    best: tuple[int, Match] | None = None
    for start, count in smoothed.most_common(FUZZY_MAX_CANDIDATES):
        if count < needed:
            break
        found = _align_at(index, words, start)
        if found and (best is None or found[0] < best[0]):
            best = found
    return best[1] if best else None


def _align_at(index: ArticleIndex, words: _Words, start: int) -> tuple[int, Match] | None:
    """Edits and match of `words` against the article around word `start`, if forgivable."""
    n = len(words.keys)
    lo = max(0, start - FUZZY_SLACK_WORDS)
    hi = min(len(index.keys), start + n + FUZZY_SLACK_WORDS)
    window = index.keys[lo:hi]
    ops = [op for op in Levenshtein.opcodes(words.keys, window) if op.tag != "equal"]
    # Window words beyond either end of the excerpt are not part of the match.
    first, last = lo, hi - 1
    while ops and ops[0].tag == "insert" and ops[0].src_start == 0:
        first = lo + ops.pop(0).dest_end
    while ops and ops[-1].tag == "insert" and ops[-1].src_start == n:
        last = lo + ops.pop().dest_start - 1
    if last < first:
        return None
    edits = 0
    for op in ops:
        src = range(op.src_start, op.src_end)
        dest = range(lo + op.dest_start, lo + op.dest_end)
        if any(words.protected[i] for i in src) or any(_article_protected(index, j) for j in dest):
            return None
        src_keys = [words.keys[i] for i in src]
        dest_keys = [index.keys[j] for j in dest]
        if not _forgivable(src_keys, dest_keys):
            return None
        edits += max(len(src_keys), len(dest_keys))
    if edits > max(1, int(FUZZY_MAX_EDIT_SHARE * n)):
        return None
    s, e = index.char_span(first, last - first + 1)
    return edits, Match(first, last - first + 1, s, e, exact=False)


def _forgivable(src: list[str], dest: list[str]) -> bool:
    """A typo, a split or joined word, or function words dropped, added or swapped."""
    if "".join(src) == "".join(dest):
        return True
    if len(src) == len(dest) and all(
        fuzz.ratio(a, b) >= FUZZY_MIN_WORD_SIMILARITY
        or (a in FUNCTION_WORDS and b in FUNCTION_WORDS)
        for a, b in zip(src, dest)
    ):
        return True
    return all(w in FUNCTION_WORDS for w in (*src, *dest))


def align_evidence(index: ArticleIndex, excerpts: list[str]) -> list[Match | None]:
    """One match per excerpt (None where not found). Where an excerpt occurs several times,
    take the occurrence nearest the item's other excerpts, not simply the first."""
    candidates: list[list[Match]] = []
    for excerpt in excerpts:
        exact = exact_occurrences(index, excerpt)
        if not exact:
            fuzzy = fuzzy_match(index, excerpt)
            exact = [fuzzy] if fuzzy else []
        candidates.append(exact)
    if all(len(c) <= 1 for c in candidates):  # the common case: nothing to choose
        return [c[0] if c else None for c in candidates]
    anchors = [c[0].first_word for c in candidates if len(c) == 1]
    if not anchors:
        several = [c for c in candidates if len(c) > 1]
        if not several:
            return [None] * len(excerpts)
        anchors = [_most_central(several)]
    center = median(anchors)
    return [min(c, key=lambda m: abs(m.first_word - center)) if c else None for c in candidates]


def _most_central(several: list[list[Match]]) -> int:
    """The occurrence of the rarest excerpt that lies closest to the others' occurrences."""
    rarest = min(several, key=len)
    if len(several) == 1:
        return rarest[0].first_word
    others = [[m.first_word for m in c] for c in several if c is not rarest]

    def spread(m: Match) -> int:
        return sum(
            _distance_to_nearest(sorted_positions, m.first_word) for sorted_positions in others
        )

    return min(rarest, key=spread).first_word


def _distance_to_nearest(sorted_positions: list[int], p: int) -> int:
    i = bisect_left(sorted_positions, p)
    near = sorted_positions[max(0, i - 1) : i + 1]
    return min(abs(q - p) for q in near)
