"""Tokenising: `words` and `keys` find exactly the words WORD_RE finds, with their offsets,
in any text (they take a byte-translation shortcut that must not change the result)."""

from __future__ import annotations

import random

import pytest

from summarizer.grounding.text import WORD_RE, keys, word_key, words


def by_regex(text: str) -> tuple[list[int], list[int], list[str]]:
    found = list(WORD_RE.finditer(text))
    starts = [m.start() for m in found]
    return starts, [m.end() for m in found], [word_key(m.group()) for m in found]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Rebels seized Aleppo's airport, the monitor said.",
        "  two  spaces\tand\nlines  ",
        "snake_case and 3.30pm and M5",
        "Türkiye’s “offensive” — İzmir, Łódź, Москва; ٣ rockets; ﬁnal",
        "e\u0301te\u0301 (combining accents)",
        "a\x01b control\x00chars\x7f",
    ],
)
def test_words_and_keys_agree_with_the_word_regex(text):
    assert words(text) == by_regex(text)
    assert keys(text) == by_regex(text)[2]


def test_words_and_keys_agree_with_the_word_regex_on_random_text():
    rng = random.Random(20261122)
    alphabet = "abcXYZ09_ .,'\"-\n\t\x00\x01\x7féÜß“”—İ٣\u0301ﬁ"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        assert words(text) == by_regex(text), repr(text)
        assert keys(text) == by_regex(text)[2], repr(text)


def test_offsets_point_at_the_words(article2):
    starts, ends, found = words(article2)
    assert [word_key(article2[s:e]) for s, e in zip(starts, ends)] == found
    assert "turkiye" in found  # "Türkiye": case and diacritics gone
