from __future__ import annotations

import pytest

from summarizer.grounding.alignment import align_evidence
from summarizer.grounding.text import ArticleIndex


@pytest.fixture(scope="module")
def index(article1: str) -> ArticleIndex:
    return ArticleIndex(article1)


def found(index: ArticleIndex, excerpt: str):
    (m,) = align_evidence(index, [excerpt])
    return m


@pytest.mark.parametrize(
    "excerpt",
    [
        "Rami Abdulrahman, director of the observatory, said",
        "rami abdulrahman director of the observatory said",  # case and punctuation
        "“The highway is now out of service, after regime forces reopened it several years ago,”",
        "the Idlib region is subject to a ceasefire – often broken but mostly respected –",
        "More than 500.000 people died in it",
        "  Russian   airstrikes in rural parts\nof Aleppo ",
    ],
)
def test_exact_after_normalisation(index, excerpt):
    m = found(index, excerpt)
    assert m is not None and m.exact


def test_span_points_at_the_excerpt(index, article1):
    m = found(index, "killed 19 civilians on Thursday")
    assert article1[m.start : m.end] == "killed 19 civilians on Thursday"


def test_a_typo_in_a_long_excerpt_is_a_weak_match(index, article1):
    m = found(index, "suddenly attacked government-held areas in the northern provnce of Aleppo")
    assert m is not None and not m.exact
    assert article1[m.start : m.end].endswith("northern province of Aleppo")


def test_a_dropped_short_word_is_a_weak_match(index):
    m = found(index, "Russia became involved in Syrian civil war in 2015")
    assert m is None  # "a close ally ..." lies between: too far
    m = found(index, "became involved in Syrian civil war in 2015, turning the tide")
    assert m is not None and not m.exact


@pytest.mark.parametrize(
    "excerpt",
    [
        "Russian airstrikes in rural parts of Aleppo killed 21 civilians on Thursday",  # number
        "Russian airstrikes in rural parts of Aleppo killed nineteen civilians on Friday",  # name
        "Rami Abdulrahmen, director of the observatory, said",  # a name's typo is a new name
        "The highway is not out of service, after regime forces reopened it",  # negation added
        "the highway is now out of service after regime forces reopened it years ago",  # dropped
        "The rebels have been surprised by their failure",  # a changed content word
    ],
)
def test_fuzzy_never_forgives_numbers_names_negations(index, excerpt):
    assert found(index, excerpt) is None


def test_a_repeated_excerpt_takes_the_occurrence_near_the_other_excerpts():
    text = (
        "The army said the road was closed. Many other things happened that week. "
        "Then rebels took the bridge at dawn. The army said the road was closed."
    )
    index = ArticleIndex(text)
    _, second = align_evidence(
        index, ["rebels took the bridge at dawn", "The army said the road was closed"]
    )
    assert second.start == text.rindex("The army said")
    (alone,) = align_evidence(index, ["The army said the road was closed"])
    assert alone.start == 0
