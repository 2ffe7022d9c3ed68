"""Each problem code of the contract, through `validate`."""

from __future__ import annotations

import pytest
from conftest import actor, claim, event, extraction, figure
from pydantic import ValidationError

from summarizer import validate
from summarizer.contract.models import Extraction, GroundingReport

SOHR = actor(
    "A1", "Syrian Observatory for Human Rights", ["the observatory", "the Observatory"],
    kind="organization", description="UK-based war monitor",
    evidence=["the Syrian Observatory for Human Rights said"],
)  # fmt: skip
RAMI = actor(
    "A2", "Rami Abdulrahman", [], description="director of the observatory",
    affiliation_id="A1", evidence=["Rami Abdulrahman, director of the observatory"],
)  # fmt: skip
HERAS = actor("A3", "Nick Heras", ["Heras"], evidence=["Nick Heras, an analyst"])
HAID = actor("A4", "Haid Haid", [], evidence=["Analyst Haid Haid believes"])
ACTORS = [SOHR, RAMI, HERAS, HAID]

STRIKES = claim(
    "C1", "Russian airstrikes in rural Aleppo killed 19 civilians on Thursday.",
    ["Russian airstrikes in rural parts of Aleppo killed 19 civilians on Thursday"],
    speaker_id="A2", figures=[figure(19, "19 civilians", unit="civilians killed")],
)  # fmt: skip
HIGHWAY = claim(
    "C2", "The observatory said the highway is out of service.",
    ["The highway is now out of service, after regime forces reopened it several years ago"],
    speaker_id="A1", attribution="direct_quote",
    quote="The highway is now out of service, after regime forces reopened it several years ago",
)  # fmt: skip
TOLL = event(
    "E1", "The offensive has killed around 200 people, according to observers.",
    ["an offensive that has killed around 200 people"], type="attack", actor_ids=["A1"],
    figures=[figure(200, "around 200", approximate=True, unit="people killed")],
)  # fmt: skip


def run(article: str, **parts) -> GroundingReport:
    base = {"actors": ACTORS, "events": [TOLL], "claims": [STRIKES, HIGHWAY]}
    base.update(parts)
    return validate(article, extraction(**base))


def codes(report: GroundingReport, key: str) -> list[str]:
    return [p.code for p in report.items[key].problems]


def with_(item: dict, **changes) -> dict:
    return {**item, **changes}


def test_a_faithful_extraction_is_ok(article1):
    report = run(article1)
    assert report.ok
    assert set(report.items) == {"A1", "A2", "A3", "A4", "E1", "C1", "C2", "summary"}
    assert all(r.status == "grounded" for r in report.items.values())


def test_spans_locate_each_excerpt_in_order(article1):
    report = run(article1)
    (start, end), = report.items["C1"].spans  # fmt: skip
    assert article1[start:end] == STRIKES["evidence"][0]


def test_a_model_and_a_dict_give_the_same_report(article1):
    data = extraction(actors=ACTORS, events=[TOLL], claims=[STRIKES])
    assert validate(article1, data) == validate(article1, Extraction.model_validate(data))


def test_a_dict_that_breaks_the_contract_is_refused(article1):
    with pytest.raises(ValidationError, match="speaker_id"):
        validate(
            article1, extraction(claims=[{k: v for k, v in STRIKES.items() if k != "speaker_id"}])
        )


def test_evidence_not_found_keeps_the_order_of_spans(article1):
    item = with_(TOLL, evidence=["an offensive that has killed around 200 people",
                                 "an offensive that has killed around 300 people"])  # fmt: skip
    report = run(article1, events=[item])
    assert codes(report, "E1") == ["evidence_not_found"]
    assert report.items["E1"].status == "ungrounded"
    assert report.items["E1"].spans[0] and report.items["E1"].spans[1] == []


def test_a_typo_makes_an_item_weak_not_ungrounded(article1):
    item = with_(
        TOLL, evidence=["an offensive that has kiled around 200 people, including civilians"]
    )
    report = run(article1, events=[item])
    assert report.ok and report.items["E1"].status == "weak"


@pytest.mark.parametrize(
    "fig",
    [
        figure(190, "around 200", approximate=True),  # value does not match as_written
        figure(300, "around 300", approximate=True),  # as_written not in the evidence
        figure(200, "around 200", approximate=False),  # an approximation passed off as exact
    ],
)
def test_number_not_supported_in_figures(article1, fig):
    report = run(article1, events=[with_(TOLL, figures=[fig])])
    assert codes(report, "E1") == ["number_not_supported"]


def test_value_may_be_written_with_words_or_separators(article2):
    item = event(
        "E1", "Clashes are within 10 kilometers of Aleppo.",
        ["less than 10 kilometers (six miles) southwest of the outskirts of Aleppo city"],
        figures=[figure(6, "six miles", unit="miles"), figure(10, "10 kilometers", unit="km")],
    )  # fmt: skip
    assert validate(article2, extraction(events=[item])).items["E1"].problems == []


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("description", "The offensive has killed 250 people."),
        ("description", "The offensive, begun in 2012, has killed around 200 people."),
        ("when", "in 2016"),
    ],
)
def test_number_not_supported_in_free_text(article1, field, text):
    report = run(article1, events=[with_(TOLL, **{field: text})])
    assert codes(report, "E1") == ["number_not_supported"]


def test_numbers_in_the_headline_and_summary(article1):
    report = run(article1, headline="Offensive kills 250 in Aleppo", summary="It began in 2011.")
    assert codes(report, "summary") == ["number_not_supported"]
    assert "250" in report.items["summary"].problems[0].message


@pytest.mark.parametrize(
    "quote",
    [
        "The highway is now closed, after regime forces reopened it several years ago",
        "Syria has been affected by civil war for more than a decade",  # not a quotation
        None,  # direct_quote without its quote
    ],
)
def test_quote_not_verbatim(article1, quote):
    report = run(article1, claims=[with_(HIGHWAY, quote=quote)])
    assert codes(report, "C2") == ["quote_not_verbatim"]


def test_speaker_not_supported_when_another_actor_is_the_source(article1):
    report = run(article1, claims=[with_(STRIKES, speaker_id="A3")])
    assert codes(report, "C1") == ["speaker_not_supported"]
    assert "Rami Abdulrahman" in report.items["C1"].problems[0].message


def test_speaker_by_pronoun_and_by_title(article1):
    added = claim(
        "C3", "Haid said waiting would have let the regime strengthen its lines.",
        ['He added that "if the rebels had waited too long, the regime could have strengthened'
         ' its front lines'], speaker_id="A4",
    )  # fmt: skip
    titled = with_(HIGHWAY, quote=None, attribution="indirect")
    report = run(article1, claims=[added, titled])
    assert report.items["C3"].problems == [] and report.items["C2"].problems == []
    swapped = run(article1, claims=[with_(added, speaker_id="A3")])
    assert codes(swapped, "C3") == ["speaker_not_supported"]


def test_a_title_does_not_beat_an_actor_the_source_names():
    text = (
        "The Geophysical Institute of Peru said the quake struck at 4 a.m. "
        "The National Civil Defence Institute (INDECI) said 31 people died."
    )
    igp = actor("A1", "Geophysical Institute of Peru", kind="organization",
                evidence=["The Geophysical Institute of Peru said"])  # fmt: skip
    indeci = actor("A2", "National Civil Defence Institute", ["INDECI"], kind="organization",
                   evidence=["The National Civil Defence Institute (INDECI)"])  # fmt: skip
    toll = claim("C1", "31 people died.", ["INDECI) said 31 people died"], speaker_id="A1")
    report = validate(text, extraction(actors=[igp, indeci], claims=[toll], summary="x"))
    assert codes(report, "C1") == ["speaker_not_supported"]
    right = validate(text, extraction(actors=[igp, indeci], claims=[with_(toll, speaker_id="A2")],
                                      summary="x"))  # fmt: skip
    assert right.items["C1"].problems == []


def test_an_organisation_speaks_through_its_director(article1):
    report = run(article1, claims=[with_(STRIKES, speaker_id="A1")])
    assert report.items["C1"].problems == []


def test_actor_not_in_source(article1):
    report = run(
        article1, actors=[*ACTORS, actor("A5", "Rami Abdel Rahman", [], evidence=["Rami"])]
    )
    assert codes(report, "A5") == ["actor_not_in_source"]
    report = run(article1, actors=[with_(SOHR, aliases=["SOHR"]), *ACTORS[1:]])
    assert codes(report, "A1") == ["actor_not_in_source"]
    assert "SOHR" in report.items["A1"].problems[0].message


@pytest.mark.parametrize(
    ("field", "text"),
    [("description", "The offensive near Homs has killed around 200 people."),
     ("where", "Geneva"), ("when", "on Friday")],
)  # fmt: skip
def test_entity_not_in_source(article1, field, text):
    report = run(article1, events=[with_(TOLL, **{field: text})])
    assert codes(report, "E1") == ["entity_not_in_source"]


def test_entity_in_the_summary(article1):
    report = run(article1, summary="Kremlin officials backed the Syrian army near Aleppo.")
    assert codes(report, "summary") == ["entity_not_in_source"]


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        ("C1", {"claims": [with_(STRIKES, speaker_id="A99")]}),
        ("E1", {"events": [with_(TOLL, actor_ids=["A1", "A7"])]}),
        ("A2", {"actors": [SOHR, with_(RAMI, affiliation_id="A42"), HERAS, HAID]}),
    ],
)
def test_dangling_reference(article1, key, parts):
    report = run(article1, **parts)
    assert codes(report, key) == ["dangling_reference"]


def test_duplicate_ids_keep_both_items_in_the_report(article1):
    twin = with_(HIGHWAY, id="C1")
    report = run(article1, claims=[STRIKES, twin])
    assert codes(report, "C1") == ["duplicate_id"] and codes(report, "C1#2") == ["duplicate_id"]
    assert not report.ok


def test_report_json_has_the_contract_shape(article1):
    data = run(article1).model_dump(mode="json")
    assert set(data) == {"ok", "items"}
    assert set(data["items"]["C1"]) == {"status", "spans", "problems"}
    assert data["items"]["summary"] == {"status": "grounded", "spans": [], "problems": []}
