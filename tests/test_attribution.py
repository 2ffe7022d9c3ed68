from __future__ import annotations

import pytest

from summarizer.grounding.attribution import (
    SpeakerForms,
    actors_named,
    names_actor,
    sentence_sources,
    sources_for_span,
)
from summarizer.grounding.text import ArticleIndex


def phrases(sentence: str) -> list[str]:
    return [s.phrase for s in sentence_sources(sentence)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            '"The highway is out of service," said the observatory, which has sources.',
            ["the observatory"],
        ),
        (
            "Rami Abdulrahman, director of the observatory, said that 19 civilians died.",
            ["Rami Abdulrahman"],
        ),
        (
            "Nick Heras, an analyst at the New Lines Institute, told the Guardian that it was so.",
            ["Nick Heras"],
        ),
        ("Fighting went on, according to observers.", ["observers"]),
        (
            'Mohamed Bashir, the leader of the "salvation government", stated that it aims high.',
            ["Mohamed Bashir"],
        ),
        (
            "An Iranian general was killed, the Iranian news agency reported.",
            ["the Iranian news agency"],
        ),
        ('Opposition forces "are in a better position to take villages," Heras said.', ["Heras"]),
        (
            "Analysts interviewed by CNN point out that the rebels advance.",
            ["Analysts interviewed by CNN"],
        ),
        (
            'Clashes went on in Idlib. "The war goes on in the capital and beyond," she added.',
            ["she"],
        ),
        ("The think tank is based in Brussels.", []),
        (
            "Ilić’s lawyer, Jan-Willem Hoekstra, called the sentence “disproportionate” and said"
            " his client had never seen them.",
            ["Ilić’s lawyer, Jan-Willem Hoekstra"],
        ),
        (
            "The court seized €840,000 in cash and a home that it said was bought with bribes.",
            ["it"],
        ),
        ("Oil rose 2 percent, traders said on Monday.", ["traders"]),
        ("Prices rose sharply in May, said Jane Doe.", ["Jane Doe"]),
        (
            "Prices rose sharply in May, said the central bank, which cut rates.",
            ["the central bank"],
        ),
        ("Jane Doe, 54, said prices rose.", ["Jane Doe"]),
        ("Jane Doe, of the central bank, said prices rose.", ["Jane Doe"]),
        ("Ana Quispe, who flew in, said the toll was likely to rise.", ["Ana Quispe"]),
        (
            "David Fuente, a strategist at Meridian in London, said the decision could revive"
            " foreign demand for Polish debt.",
            ["David Fuente"],
        ),
        ('He called it "a said thing to told anyone about".', []),
        ("The toll rose, According To the monitor.", ["the monitor"]),
        ("The toll rose accordingly, the monitor SAID.", ["the monitor"]),
        ("The toll rose, according toward nothing.", []),
        ("Ärzte ohne Grenzen said the toll rose.", ["Ärzte ohne Grenzen"]),
        ("Jane ſaid it.", ["Jane"]),  # a verb read by its key, as every word is
    ],
)
def test_sentence_sources(sentence, expected):
    assert phrases(sentence) == expected


def test_a_pronoun_takes_the_speaker_named_before():
    text = (
        "Analyst Haid Haid believes that the rebels planned this for long. "
        'He added that "the regime could have reinforced its lines."'
    )
    index = ArticleIndex(text)
    start = text.index("the regime could")
    assert [s.phrase for s in sources_for_span(index, start, start + 20)] == ["Analyst Haid Haid"]


def test_a_pronoun_looks_back_past_a_multi_sentence_quote():
    text = (
        '"Rates will fall," said Anna Kraus, an economist. "Inflation is easing. It has'
        " been for months. If it doesn't, they may reverse.\" She said she expected 4.5"
        " percent. Tom Reed, a strategist, said demand could revive."
    )
    index = ArticleIndex(text)
    start = text.index("She said")
    assert [s.phrase for s in sources_for_span(index, start, start + 10)] == ["Anna Kraus"]


def test_a_quote_whose_attribution_is_in_the_next_sentence():
    text = '"The rebels see an opportunity ... The rebels were surprised," said Nanar Havac.'
    index = ArticleIndex(text)
    assert [s.phrase for s in sources_for_span(index, 1, 30)] == ["Nanar Havac"]


def test_names_actor_by_name_surname_alias_and_title():
    sohr = SpeakerForms.of("Syrian Observatory for Human Rights", ["the monitor"],
                           "UK-based war monitor", person=False)  # fmt: skip
    heras = SpeakerForms.of("Nick Heras", [], "analyst at the New Lines Institute", person=True)
    assert names_actor("the Syrian Observatory for Human Rights", sohr)
    assert names_actor("the Britain-based monitor", sohr)  # title, by its head noun
    assert names_actor("The UK-based Observatory", sohr)
    assert names_actor("Heras", heras)
    assert not names_actor("Haid Haid", heras)
    assert not names_actor("the monitor", heras)
    assert names_actor("the monitor", sohr, by_role=False)  # an alias, word for word


def test_actors_named_by_name_alias_or_surname_in_order():
    forms = {
        "A1": SpeakerForms.of("Syrian Observatory for Human Rights", ["the monitor"],
                              "UK-based war monitor", person=False),
        "A2": SpeakerForms.of("Nick Heras", [], "analyst", person=True),
        "A3": SpeakerForms.of("Heras family", [], None, person=False),
    }  # fmt: skip
    assert actors_named("Heras", forms) == ["A2"]  # a surname names a person only
    assert actors_named("the Heras family and the monitor", forms) == ["A1", "A2", "A3"]
    assert actors_named("the Britain-based monitor", forms) == []  # a title, not a name
