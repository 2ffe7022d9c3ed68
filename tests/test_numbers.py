from __future__ import annotations

import pytest

from summarizer.grounding.numbers import (
    ArticleNumbers,
    find_numbers,
    unsupported_numbers,
    unsupported_numbers_in,
)


def values(text: str) -> list[list[float]]:
    return [sorted(n.values) for n in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("more than 500.000 people", [[500.0, 500000.0]]),
        ("280000 displaced", [[280000.0]]),
        ("1,200 fighters", [[1.2, 1200.0]]),
        ("500 000 people", [[500000.0]]),
        ("2.4 million people", [[2400000.0]]),
        ("three million", [[3000000.0]]),
        ("1.200,5 tonnes", [[1200.5]]),
        ("six miles", [[6.0]]),
        ("the two-month war", [[2.0]]),
        ("a dozen rockets", [[12.0]]),
        ("two dozen rockets", [[24.0]]),
        ("twenty-five dead", [[25.0]]),
        ("a hundred and twenty men", [[120.0]]),
        ("in 2015 and 2011", [[2015.0], [2011.0]]),
        ("between 2019 and 2020", [[2019.0], [2020.0]]),
        ("three four", [[3.0], [4.0]]),
        ("the M5 highway and G7 talks", []),
        ("x1,200 and (1,200)", [[1.2, 1200.0]]),  # digits glued to a word are no number
        (".5 percent", []),
        ("٣ rockets", [[3.0]]),  # digits of any script
        ("2 MİLLİON people", [[2000000.0]]),  # a scale word in any case
        ("no one was hurt, one of them said", []),
        ("one civilian was killed", [[1.0]]),
    ],
)
def test_values_as_written(text, expected):
    assert values(text) == expected


def test_ordinals_are_marked():
    (second,) = find_numbers("the second largest city")
    (fifth,) = find_numbers("on the 5th day")
    assert second.ordinal and second.values == {2.0}
    assert fifth.ordinal and fifth.values == {5.0}


@pytest.mark.parametrize(
    "text", ["around 200", "more than 30", "at least 19", "nearly 1,000", "some 40", "over 12"]
)
def test_approximations(text):
    (n,) = find_numbers(text)
    assert n.approximate


def test_exact_number_is_not_approximate():
    (n,) = find_numbers("killed 19 civilians")
    assert not n.approximate


def test_vague_quantities_admit_a_range():
    (n,) = find_numbers("dozens of fighters")
    assert n.vague and n.admits(40) and not n.admits(5)


def test_scaled_numbers_admit_either_form():
    (n,) = find_numbers("2.4 million")
    assert n.admits(2_400_000) and n.admits(2.4) and not n.admits(24)


def test_article_numbers_support_words_and_digits_alike():
    article = ArticleNumbers.of("Nineteen civilians died; 500.000 fled in 2015, the second time.")
    assert unsupported_numbers("19 civilians", article) == []
    assert unsupported_numbers("half a million, i.e. 500,000 people", article) != []
    assert unsupported_numbers("500,000 people in 2015", article) == []
    assert [n.text for n in unsupported_numbers("21 civilians in 2016", article)] == ["21", "2016"]
    # an ordinal is not supported by a cardinal of the same value, nor the reverse
    assert [n.text for n in unsupported_numbers("the third time", article)] == ["third"]
    assert unsupported_numbers("the second time", article) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lost $3.5bn last year", [[3_500_000_000.0]]),
        ("20k people", [[20_000.0]]),
        ("a 1.2m budget", [[1.2, 1_200_000.0]]),  # "m": million, or metres
        ("1.5km away at 3.30pm, up 2.5pc", [[1.5], [3.3], [2.5]]),  # a unit ends the number
        ("5mm of rain on the M5", [[5.0]]),
    ],
)
def test_scales_and_units_glued_to_digits(text, expected):
    assert values(text) == expected


def test_a_changed_figure_with_a_glued_scale_is_caught():
    article = ArticleNumbers.of("The firm lost $3.5bn last year and $2.4bn the year before.")
    assert [n.text for n in unsupported_numbers("It lost $3.9bn.", article)] == ["3.9bn"]
    assert unsupported_numbers("It lost $3.5 billion, after $2.4bn.", article) == []


def test_number_words_are_read_as_the_article_reads_them():
    # "ﬁfty" (a ligature) is "fifty" in the article's index: so it is in the model's text.
    article = ArticleNumbers.of("Five people died.")
    (found,) = unsupported_numbers_in(["ﬁfty people died"], article)
    assert [n.text for n in found] == ["ﬁfty"]
    assert unsupported_numbers_in(["ﬁve people died"], article) == [[]]
