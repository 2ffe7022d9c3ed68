from __future__ import annotations

import pytest

from summarizer.grounding.names import capitalised_names, missing_names, occurs
from summarizer.grounding.quotes import find_quote, inside_quotation_marks
from summarizer.grounding.text import ArticleIndex


@pytest.fixture(scope="module")
def index1(article1: str) -> ArticleIndex:
    return ArticleIndex(article1)


@pytest.fixture(scope="module")
def index2(article2: str) -> ArticleIndex:
    return ArticleIndex(article2)


@pytest.mark.parametrize(
    "text",
    [
        "Hayat Tahrir al-Sham and the Syrian Observatory for Human Rights",
        "President Assad",  # the article: "Syrian President Bashar al-Assad"
        "Supports Assad and maintains a presence in Syria",  # an ordinary word opens it
        "Clashes erupted near Aleppo on Thursday",
        "Russia and Iran back Assad",
        "Turkey-backed factions joined; Ankara sent a message to Damascus and Moscow",
    ],
)
def test_names_the_article_has(index1, text):
    assert missing_names(index1, text) == []


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Vladimir Putin said", ["Vladimir Putin"]),
        ("fighting near Homs", ["Homs"]),
        ("analyst Nick Haid said", ["Nick Haid"]),  # two real names, never together
        ("Nick Haid said", ["Nick Haid"]),  # ... also at a sentence start
        ("a Washington-based institute", ["Washington"]),
        ("strikes on Friday", ["Friday"]),
        ("Rami Abdel Rahman said", ["Rami Abdel Rahman"]),  # the other outlet's spelling
    ],
)
def test_names_the_article_lacks(index1, text, missing):
    assert missing_names(index1, text) == missing


def test_diacritics_and_case_do_not_matter(index2):
    assert occurs(index2, "Turkiye") and occurs(index2, "TÜRKIYE")


def test_actor_names_must_stand_as_written(index2):
    assert occurs(index2, "Bashar Assad", as_written=True)
    assert not occurs(index2, "Bashar al-Assad", as_written=True)
    assert occurs(index2, "Bashar al-Assad")  # lenient in free text


def test_quote_verbatim_modulo_typography(index1, article1):
    offset = find_quote(index1, "“The highway is now out of service, after regime forces”")
    assert offset is not None and inside_quotation_marks(article1, offset)
    assert find_quote(index1, "The highway is now closed") is None


def test_an_ellipsis_stands_for_left_out_words(index1):
    assert find_quote(index1, "The rebels see an opportunity … Russia preoccupied with Ukraine")
    assert find_quote(index1, "The rebels see an opportunity ... Russia busy with Ukraine") is None


def test_narrative_text_is_not_a_quotation(index1, article1):
    offset = find_quote(index1, "Syria has been affected by civil war for more than a decade")
    assert offset is not None and not inside_quotation_marks(article1, offset)


def test_texts_checked_in_one_pass_do_not_run_into_each_other(index1):
    from summarizer.grounding.names import missing_names_in
    from summarizer.grounding.numbers import ArticleNumbers, unsupported_numbers_in

    texts = [
        "an analyst named Nick",
        "Haid said the rebels advanced",
        "",
        "Strikes Hit Homs Hard Today",
    ]
    assert missing_names_in(index1, texts) == [[], [], [], ["Homs"]]
    numbers = ArticleNumbers.of("It killed 19 people; 500 fled.")
    found = unsupported_numbers_in(["it killed 19", "000 fled", "500 fled, not 600"], numbers)
    # "19" and "000" stay two numbers: no 19000 in the first text
    assert [[n.text for n in per_text] for per_text in found] == [[], ["000"], ["600"]]


def test_a_title_case_headline_flags_names_not_ordinary_words(index1):
    assert missing_names(index1, "Rebels Cut Damascus-Aleppo Highway In Surprise Offensive") == []
    assert missing_names(index1, "Putin Backs Assad As Rebels Advance On Aleppo") == ["Putin"]


@pytest.mark.parametrize(
    ("text", "missing"),
    [("Clashes erupted near İzmir.", ["İzmir"]), ("Troops reached Москва.", ["Москва"]),
     ("Fighting near Łódź went on.", ["Łódź"])],
)  # fmt: skip
def test_names_in_any_script_are_checked(index1, text, missing):
    assert missing_names(index1, text) == missing


def test_dotted_and_undotted_acronyms_compare_alike():
    from summarizer import validate

    article = "The U.N. said aid convoys reached Idlib on Monday. U.S. officials agreed."
    extraction = {
        "headline": "UN says aid reached Idlib",
        "summary": "The UN said aid convoys reached Idlib on Monday, and US officials agreed.",
        "actors": [{"id": "A1", "name": "UN", "aliases": ["U.N."], "kind": "international_body",
                    "description": None, "affiliation_id": None,
                    "evidence": ["The UN said aid convoys reached Idlib"]}],
        "events": [], "claims": [],
    }  # fmt: skip
    report = validate(article, extraction)
    assert report.ok
    (start, end), = report.items["A1"].spans  # fmt: skip
    assert article[start:end] == "The U.N. said aid convoys reached Idlib"  # original offsets


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ('He said "we stay', True),
        ('He said "we stay" and', False),
        ("He said “we stay", True),
        ("He said “we stay” and", False),
        ("«Nous restons", True),
        ("“We stay,” he said, and “we", True),
        ("“A “nested” quote", False),  # the last curly mark closes
        ('“He said "no" and', True),  # straight marks inside a curly quote toggle twice
        ('Quotes end at a paragraph: "one\nand', False),
    ],
)
def test_inside_quotation_marks(text, inside):
    assert inside_quotation_marks(text, len(text)) is inside


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An opening word the text also uses in lower case is an ordinary word.
        ("Clashes erupted. The clashes went on.", [("Clashes", ""), ("The", "")]),
        # An opener that is a compound or an acronym is a name.
        ("Washington-based analysts said so.", [("Washington", None)]),
        ("HTS fighters advanced.", [("HTS", None)]),
        ("ℍℍ met officials.", [("ℍℍ", None)]),  # capitals with no lower case
        # A name follows an ordinary opener: that part is what must be checked.
        (
            "Forces of the regime left. Forces of Assad stayed.",
            [("Forces", ""), ("Forces of Assad", "Assad")],
        ),
    ],
)
def test_sentence_openers(text, expected):
    assert [(name, rest) for name, rest, _ in capitalised_names(text)] == expected
