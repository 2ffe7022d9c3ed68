"""Tokens with character offsets, and the normal form every check compares.

Two strings "match exactly" when their sequences of word keys are equal. A word key is the
word in Unicode NFKC, case-folded, with diacritics removed. Everything that is not a word
character (whitespace, punctuation, typographic quotes and dashes) separates words and is
otherwise ignored, which is what the contract asks an exact match to forgive.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from functools import cached_property, lru_cache
from itertools import accumulate, compress, repeat
from operator import add

WORD_RE = re.compile(r"\w+")

# A sentence ends at . ! ? (optionally followed by a closing quote) before whitespace and a
# capital letter, digit or opening quote; and at every line break. The scan seeks the
# punctuation first (fast) and checks what follows in Python.
_BREAK_RE = re.compile(r"""[.!?\n]+["'”’)]*""")
_NEXT_SENTENCE_RE = re.compile(r"""\s+["'“‘(]?[A-Z0-9]""")

#: Beyond this many occurrences of its rarest word, a search anchors on word pairs instead.
COMMON_WORD_HITS: int = 32

#: Words after which a full stop does not end a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "st", "no", "vs", "u.s", "u.k"}
)


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """The comparison form of one word: NFKC, case-folded, without diacritics."""
    if word.isascii():
        return word.lower()
    folded = unicodedata.normalize("NFKC", word).casefold()
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return unicodedata.normalize("NFC", stripped)


WordList = tuple[list[int], list[int], list[str]]


def words(text: str) -> WordList:
    """Starts, ends and keys of the words of `text` (parallel lists: cheap on long articles).

    Found with no regex: the text is encoded one byte per character (a letter, digit or "_"
    kept in lower case, or `_OTHER_LETTER` for any other word character; a space for the
    rest), and split on single spaces, so that each part starts one character after the
    previous part ends (an empty part stands for a second space in a row). Byte translation
    and split run in C, several times faster than a regex making a match object per word.
    """
    parts = _spaced(text).split(" ")
    lengths = list(map(len, parts))
    starts = list(compress(accumulate(map(add, lengths, repeat(1)), initial=0), lengths))
    word_keys = list(filter(None, parts))
    ends = list(map(add, starts, map(len, word_keys)))
    if not text.isascii():  # words with other letters are normalised from the text itself
        for i, key in enumerate(word_keys):
            if _OTHER_LETTER in key:
                word_keys[i] = word_key(text[starts[i] : ends[i]])
    return starts, ends, word_keys


def is_word_char(c: str) -> bool:
    """Whether WORD_RE counts `c` as part of a word (its \\w)."""
    return c.isalnum() or c == "_"


def keys(text: str) -> list[str]:
    if text.isascii():  # the common case: no per-word normalising needed
        return _spaced(text).split()
    return list(map(word_key, WORD_RE.findall(text)))


#: What a word character beyond ASCII becomes in `_spaced` text.
_OTHER_LETTER = "\x01"
#: ASCII bytes to themselves in lower case if WORD_RE counts them as word characters, to a
#: space if not; `_OTHER_LETTER` stays itself.
_SPACED_BYTES = (
    bytes(
        ord(chr(b).lower()) if is_word_char(chr(b)) or chr(b) == _OTHER_LETTER else ord(" ")
        for b in range(128)
    )
    + b" " * 128
)


def _mark_other_letters(error: UnicodeError) -> tuple[str, int]:
    """Encoding error handler: each character beyond ASCII becomes one byte, `_OTHER_LETTER`
    if it is a word character and a space if not (so offsets are kept)."""
    assert isinstance(error, UnicodeEncodeError)
    chunk = error.object[error.start : error.end]
    return "".join(_OTHER_LETTER if is_word_char(c) else " " for c in chunk), error.end


codecs.register_error("summarizer.text.words", _mark_other_letters)


def _spaced(text: str) -> str:
    """`text` with one character per character of it: word characters in lower case (or
    `_OTHER_LETTER`), all others a space."""
    if _OTHER_LETTER in text:  # a control character no article needs: it must not pass
        text = text.replace(_OTHER_LETTER, " ")
    encoded = text.encode("ascii", "summarizer.text.words")
    return encoded.translate(_SPACED_BYTES).decode("ascii")


_DOTTED_ACRONYM_RE = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,}")


def undot_acronyms(text: str) -> str:
    """ "U.N." -> "UN .", "a.m." -> "am .": the letters, padded with spaces to the same
    length and keeping the last dot (it may end a sentence), so that "U.N." and "UN" compare
    alike and every offset into the text stays valid."""
    if "." not in text:
        return text

    def letters(m: re.Match[str]) -> str:
        return m.group().replace(".", "").ljust(len(m.group()) - 1) + "."

    return _DOTTED_ACRONYM_RE.sub(letters, text)


_DOT_LETTER_DOT_RE = re.compile(r"\.[^\W\d_]\.")  # in every dotted acronym; fast to seek


def has_dotted_acronym(text: str) -> bool:
    return bool(_DOT_LETTER_DOT_RE.search(text)) and bool(_DOTTED_ACRONYM_RE.search(text))


#: Between texts checked in one pass: ends a sentence and a run of capitalised words, and
#: joins no number or word to the next text.
TEXT_SEPARATOR = "\n¶\n"


def join_texts(texts: list[str]) -> tuple[str, list[int]]:
    """Texts joined by TEXT_SEPARATOR, and where each starts: one regex pass over many
    short texts costs far less than one pass each."""
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(TEXT_SEPARATOR)
    return TEXT_SEPARATOR.join(texts), starts


def owner(starts: list[int], offset: int) -> int:
    """Index of the joined text that holds `offset`."""
    return bisect_right(starts, offset) - 1


#: What may stand between a sentence's end and its first word: spaces, opening quotes.
_SENTENCE_LEAD = frozenset(" \t\"'“”‘’(«")


def opens_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` is the first of a sentence (or of the text). Looks back
    only as far as needed: a slice of everything before would cost O(n) per word."""
    i = start
    while i > 0 and text[i - 1] in _SENTENCE_LEAD:
        i -= 1
    return i == 0 or text[i - 1] in ".!?\n:"


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence, trimmed of surrounding whitespace."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK_RE.finditer(text):
        mark = m.group()
        newline = mark.find("\n")
        if newline >= 0:
            cut = m.start() + newline
        elif _NEXT_SENTENCE_RE.match(text, m.end()) and not (
            mark[0] == "." and _ends_with_abbreviation(text, m.start())
        ):
            cut = m.end()
        else:
            continue
        _add_trimmed(bounds, text, start, cut)
        start = cut
    _add_trimmed(bounds, text, start, len(text))
    return bounds


def _add_trimmed(bounds: list[tuple[int, int]], text: str, s: int, e: int) -> None:
    segment = text[s:e]
    stripped = segment.strip()
    if stripped:
        s += len(segment) - len(segment.lstrip())
        bounds.append((s, s + len(stripped)))


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"[\w.]+$", text[max(0, dot - 6) : dot])
    return bool(word) and word.group().lower() in ABBREVIATIONS


class ArticleIndex:
    """The article tokenised once, with a word-key index, for every check to share."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts, self.ends, self.keys = words(text)
        self.positions: dict[str, list[int]] = {}
        slot = self.positions.setdefault
        for i, k in enumerate(self.keys):
            slot(k, []).append(i)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return sentence_bounds(self.text)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s for s, _ in self.sentences]

    @cached_property
    def bigram_positions(self) -> dict[tuple[str, str], list[int]]:
        """Where each pair of adjacent keys starts: built only when a needle has nothing but
        common words, whose single-word lists are long."""
        pairs: dict[tuple[str, str], list[int]] = {}
        for i, pair in enumerate(zip(self.keys, self.keys[1:])):
            pairs.setdefault(pair, []).append(i)
        return pairs

    def find_all(self, needle: list[str]) -> list[int]:
        """Word indices where the key sequence `needle` starts, in article order."""
        return list(self._hits(needle))

    def contains(self, needle: list[str]) -> bool:
        if len(needle) == 1:
            return needle[0] in self.positions
        return next(self._hits(needle), None) is not None

    def _hits(self, needle: list[str]) -> Iterator[int]:
        if not needle:
            return
        # Anchor on a rare key of the needle to keep the scan short: its longest key, most
        # often a rare one, or failing that the rarest (looking each up costs more than
        # the scan it saves, on the long needles of evidence).
        lengths = list(map(len, needle))
        anchor = lengths.index(max(lengths))
        candidates: list[int] = self.positions.get(needle[anchor], [])
        if len(candidates) > COMMON_WORD_HITS:
            counts = list(map(len, map(self.positions.get, needle, repeat((), len(needle)))))
            anchor = counts.index(min(counts))
            candidates = self.positions.get(needle[anchor], [])
        if not candidates:
            return
        if len(candidates) > COMMON_WORD_HITS and len(needle) > 1:
            pair_lists = [
                (self.bigram_positions.get((needle[i], needle[i + 1]), []), i)
                for i in range(len(needle) - 1)
            ]
            candidates, anchor = min(pair_lists, key=lambda pl: len(pl[0]))
        n = len(needle)
        keys = self.keys
        for p in candidates:
            s = p - anchor
            if s >= 0 and keys[s : s + n] == needle:
                yield s

    def char_span(self, first_word: int, n_words: int) -> tuple[int, int]:
        return self.starts[first_word], self.ends[first_word + n_words - 1]

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence that holds `offset`."""
        return max(0, bisect_right(self._sentence_starts, offset) - 1)
