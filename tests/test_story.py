"""The story comparison: the reference pair as the issue states it, the contract's rules
(each broken on purpose), name rules in general form, figure verdicts, the evaluation's
levels, and `summarizer story` end to end."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, run_summarizer

from summarizer import compare
from summarizer.contract.story import StoryDocument
from summarizer.story.figures import qualifier, unit_of, verdict
from summarizer.story.model_links import Proposal, apply_links
from summarizer.story.names import Named, country, name_basis
from summarizer.story.rules import breaches
from summarizer.story_evaluation import evaluate_stories, load

STORIES = ROOT / "tests" / "story"


@pytest.fixture(scope="module")
def pair():
    documents, _ = load(STORIES / "aleppo.json", ROOT)
    return documents, compare(documents)


def actor_with(story: StoryDocument, article: str, item: str):
    return next(a for a in story.actors if any(m.article == article and m.item == item
                                                for m in a.mentions))  # fmt: skip


def test_the_reference_pair(pair):
    documents, story = pair
    director = actor_with(story, "r1", "A3")
    assert {(m.article, m.item) for m in director.mentions} == {("r1", "A3"), ("r2", "A3")}
    assert {"Rami Abdulrahman", "Rami Abdel Rahman"} <= set(director.forms)
    hts = actor_with(story, "r1", "A1")
    assert {"HTS", "Hayat Tahrir Al Sham", "Hayat Tahrir al-Sham"} <= set(hts.forms)
    assert [m.article for m in hts.mentions] == ["r1", "r2"]
    tolls = [
        f for f in story.figures if f.unit == "killed" and {v.value for v in f.values} == {182}
    ]
    assert len(tolls) == 1 and tolls[0].verdict == "agree"
    (distance,) = [f for f in story.figures if f.unit == "km"]
    assert sorted(v.as_written for v in distance.values) == [
        "less than 10 kilometers", "less than 10 kilometers (six miles)"]  # fmt: skip
    for item in [*story.actors, *story.events, *story.claims]:
        for m in item.mentions:
            doc = documents[[r.id for r in story.articles].index(m.article)]
            assert m.spans == doc.grounding.items[m.item].spans and m.spans
    assert breaches(story, documents) == []


@pytest.mark.parametrize("name", ["aleppo", "quake", "flood"])
def test_every_story_keeps_the_rules(name):
    documents, _ = load(STORIES / f"{name}.json", ROOT)
    story = compare(documents)
    assert breaches(story, documents) == []
    verdicts = {f.verdict for f in story.figures}
    if name != "aleppo":
        assert {"compatible", "conflict"} <= verdicts


def _broken(pair, change):
    documents, story = pair
    data = json.loads(story.model_dump_json())
    change(data)
    return breaches(StoryDocument.model_validate(data), documents)


def test_rule_1_an_item_lost_or_counted_twice_is_a_breach(pair):
    assert any("is in no story item" in b for b in _broken(pair, lambda d: d["claims"].pop()))
    twice = _broken(
        pair, lambda d: d["actors"][5]["mentions"].append(d["actors"][0]["mentions"][0])
    )
    assert any("is in 2 story items" in b for b in twice)
    assert any("holds two items of r1" in b for b in twice)


def test_rule_2_a_mention_with_wrong_spans_is_a_breach(pair):
    def shift(d):
        d["events"][0]["mentions"][0]["spans"] = [[0, 5]]

    assert any(b.startswith("rule 2") for b in _broken(pair, shift))


def test_rule_3_actors_joined_without_a_name_basis_is_a_breach(pair):
    def unexplained(d):
        multi = next(a for a in d["actors"] if len(a["mentions"]) == 2)
        multi["links"][0]["basis"] = ["similar_text"]

    assert any(b.startswith("rule 3") for b in _broken(pair, unexplained))


def test_rule_4_figures_of_two_units_or_one_report_twice_are_a_breach(pair):
    def mix(d):
        d["figures"][0]["unit"] = "wounded"

    def twice(d):
        d["figures"][0]["values"][1]["article"] = d["figures"][0]["values"][0]["article"]

    assert any("compares what counts" in b for b in _broken(pair, mix))
    assert any("two figures of one report" in b for b in _broken(pair, twice))


def test_rule_5_a_models_link_that_breaks_the_rules_is_dropped_and_counted(pair):
    documents, story = pair
    havac = actor_with(story, "r1", "A11")  # Nanar Havac, a person
    tsources = actor_with(story, "r2", "A13")  # Turkish security sources
    guardian = actor_with(story, "r1", "A20")
    proposals = [
        Proposal(havac.id, tsources.id),  # a person with a group: refused
        Proposal(story.events[0].id, story.claims[0].id),  # two kinds: refused
        Proposal(story.actors[0].id, story.actors[1].id),  # two items of r1 in one: refused
        Proposal(guardian.id, tsources.id),  # allowed by the rules (a model's judgement)
    ]
    linked = apply_links(story, proposals, documents)
    assert linked.provenance.rejected_links == 3 and linked.provenance.method == "lexical+model"
    joined = actor_with(linked, "r1", "A20")
    assert joined.links[-1].basis == ["model_judgement"] and len(joined.mentions) == 2
    assert breaches(linked, documents) == []


def test_a_models_link_into_an_item_whose_figures_were_compared_is_kept():
    documents, _ = load(STORIES / "flood.json", ROOT)
    story = compare(documents)
    assert any(f.about == "SC2" for f in story.figures)  # SC2's figures were compared
    linked = apply_links(story, [Proposal("SC6", "SC2")], documents)  # SC2 goes into SC6
    assert linked.provenance.rejected_links == 0 and breaches(linked, documents) == []
    assert {f.about for f in linked.figures} == {"SE1", "SC1", "SC4", "SC6"}


def P(name, *aliases, kind="person"):
    return Named(name, tuple(aliases), kind)


@pytest.mark.parametrize(
    ("a", "b", "basis"),
    [
        (P("Khan Sheikhoun", kind="other"), P("Khan Shaykhun", kind="other"), "spelling_variant"),
        (P("Mohammed al-Rashid"), P("Mohamed Rashid"), "spelling_variant"),
        (P("Qassem Soleimani"), P("Kassem Suleimani"), "spelling_variant"),
        (P("World Food Programme", kind="international_body"),
         P("WFP", kind="international_body"), "acronym"),
        (P("Czechia", kind="state"), P("Czech Republic", kind="state"), "alias"),
        (P("interior ministry", kind="government"),
         P("ministry of the interior", kind="government"), "spelling_variant"),
    ],
)  # fmt: skip
def test_names_are_matched_by_general_rules(a, b, basis):
    found = name_basis(a, b)
    assert found is not None and basis in found[0]


@pytest.mark.parametrize(
    ("a", "b"),
    [(P("Ali Hassan"), P("Samir Hassan")), (P("Iran", kind="state"), P("Iraq", kind="state")),
     (P("Turkish security sources", kind="other"), P("Turkey", kind="state")),
     (P("Mali", kind="state"), P("Malawi", kind="state"))],
)  # fmt: skip
def test_different_names_stay_apart(a, b):
    assert name_basis(a, b) is None


def test_two_people_who_share_a_surname_stay_apart():
    documents, _ = load(STORIES / "flood.json", ROOT)
    story = compare(documents)
    farmer = actor_with(story, "agency", "A5")
    assert [m.item for m in farmer.mentions] == ["A5"]  # Youssef Rashid, not the minister
    minister = actor_with(story, "agency", "A2")
    assert {(m.article, m.item) for m in minister.mentions} == {
        ("agency", "A2"), ("daily", "A2"), ("radio", "A4")}  # fmt: skip
    assert country("Kingdom of Eswatini") == country("Eswatini") == "SWZ"


def test_figure_qualifiers_units_and_verdicts():
    assert qualifier("around 200", True) == "about" and qualifier("at least 58", True) == "at_least"
    assert (
        qualifier("more than 30 civilians", True) == "more_than"
        and qualifier("182", False) == "exact"
    )
    assert unit_of("people killed")[0] == unit_of("dead")[0] == unit_of("deaths")[0] == "killed"
    assert unit_of("people wounded")[0] != unit_of("people killed")[0]
    assert unit_of("miles") == ("km", 1.609344)
    assert verdict([(58, "exact"), (58, "at_least")]) == "agree"
    assert verdict([(200, "about"), (182, "exact")]) == "compatible"
    assert verdict([(200, "about"), (190, "about")]) == "compatible"
    assert verdict([(1300, "at_least"), (213, "at_least")]) == "conflict"
    assert verdict([(182, "exact"), (220, "exact")]) == "conflict"


def test_the_development_set_holds_its_levels():
    scores = evaluate_stories(STORIES, ROOT)
    for kind in ("actors", "events", "claims"):
        assert scores.precision(kind) >= 1.0 and scores.recall(kind) >= 1.0, scores.misses
    assert scores.verdict_accuracy >= 1.0, scores.misses


def test_summarizer_story_from_the_recordings(tmp_path):
    args = ["story", "examples/aleppo-offensive-1.txt", "examples/aleppo-offensive-2.txt",
            "--replay", "cassettes"]  # fmt: skip
    brief = run_summarizer(*args, "--format", "markdown")
    assert brief.returncode == 0, brief.stderr
    assert brief.stdout.index("## Figures, conflicts first") < brief.stdout.index("## Corroborated")
    assert "— 2 outlets" in brief.stdout and "## Only one outlet" in brief.stdout
    desk = tmp_path / "desk"
    desk.mkdir()
    done = run_summarizer(*args, "-o", str(desk))
    story = StoryDocument.model_validate_json((desk / "story.json").read_text())
    assert done.returncode == 0 and {p.name for p in desk.glob("aleppo-*.json")} == {
        "aleppo-offensive-1.json", "aleppo-offensive-2.json"}  # fmt: skip
    again = run_summarizer("story", str(desk / "aleppo-offensive-1.json"),
                           str(desk / "aleppo-offensive-2.json"), "--format", "json")  # fmt: skip
    assert again.returncode == 0
    assert json.loads(again.stdout)["figures"] == json.loads(story.model_dump_json())["figures"]
    one = run_summarizer("story", "examples/aleppo-offensive-1.txt", "--replay", "cassettes")
    assert one.returncode == 2 and "two reports or more" in one.stderr


def test_a_report_the_model_refused_ends_the_story_as_a_service_failure():
    from fakeserver import FakeOpenAI, refusal

    with FakeOpenAI(responder=lambda body: refusal("I can't help with that.")) as fake:
        env = fake.env()
        done = run_summarizer("story", "examples/aleppo-offensive-1.txt",
                              "examples/aleppo-offensive-2.txt", env=env)  # fmt: skip
    assert done.returncode == 3, done.stderr  # as `summary` of that article alone
    assert "could not be summarised" in done.stderr and "refused" in done.stderr


def test_the_story_page_in_a_browser(chromium, tmp_path):
    from browser import Watched

    page = tmp_path / "story.html"
    done = run_summarizer("story", "examples/aleppo-offensive-1.txt",
                          "examples/aleppo-offensive-2.txt", "--replay", "cassettes",
                          "-o", str(page))  # fmt: skip
    assert done.returncode == 0, done.stderr
    watched = Watched(chromium, page)
    columns = watched.page.locator("section.report")
    assert columns.count() == 2
    chip = watched.page.locator(".chip").first
    chip.click()
    item = chip.get_attribute("data-item")
    marked = watched.page.locator(f'.start.selected[data-item="{item}"]')
    assert marked.count() >= 2  # in both reports
    assert watched.errors == [] and watched.requests == [page.resolve().as_uri()]


def test_links_asked_of_a_model_pass_the_rules_before_they_count():
    done = run_summarizer("story", "examples/aleppo-offensive-1.txt",
                          "examples/aleppo-offensive-2.txt", "--replay", "cassettes",
                          "--link-with-model", "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    story = StoryDocument.model_validate_json(done.stdout)
    p = story.provenance
    assert (p.method, p.attempts, p.rejected_links) == ("lexical+model", 1, 1)  # a person
    assert p.model == "gpt-4.1-mini" and p.usage.prompt_tokens == 3120  # joined with a group


def test_the_links_request_holds_the_items_words_never_an_article():
    from summarizer.story.link_request import link_messages

    documents, _ = load(STORIES / "aleppo.json", ROOT)
    story = compare(documents)
    user = link_messages(story, documents)[1]["content"]
    assert "SA3:" in user and "Rami Abdel Rahman" in user and "SC1:" in user
    article = (ROOT / "examples" / "aleppo-offensive-1.txt").read_text()
    sentences = [s for s in article.split(". ") if len(s) > 120]
    assert sentences and not any(s in user for s in sentences)


def test_the_story_page_of_saved_documents_takes_their_articles(tmp_path):
    desk = tmp_path / "desk"
    desk.mkdir()
    args = ["examples/aleppo-offensive-1.txt", "examples/aleppo-offensive-2.txt"]
    assert run_summarizer("story", *args, "--replay", "cassettes", "-o", str(desk)).returncode == 0
    docs = [str(desk / "aleppo-offensive-1.json"), str(desk / "aleppo-offensive-2.json")]
    page = tmp_path / "s.html"
    refused = run_summarizer("story", *docs, "--format", "html", "-o", str(page))
    assert refused.returncode == 2 and "--article" in refused.stderr
    done = run_summarizer(
        "story", *docs, "-o", str(page), "--article", args[1], "--article", args[0]
    )
    assert done.returncode == 0 and page.read_text().count('<section class="report"') == 2


def test_reports_with_one_id_get_their_own_refs_and_people_who_share_an_alias_stay_apart():
    from summarizer.story_evaluation import document

    text = "Governor Ali Hassan said Hassan would stay. Rescuer Samir Hassan said Hassan left."
    person = {"id": "A1", "name": "Ali Hassan", "aliases": ["Hassan"], "kind": "person",
              "description": None, "affiliation_id": None,
              "evidence": ["Governor Ali Hassan"]}  # fmt: skip
    ali = {"headline": "h", "summary": "s", "events": [], "claims": [], "actors": [person]}
    samir = json.loads(json.dumps(ali))
    samir["actors"][0].update(name="Samir Hassan", evidence=["Rescuer Samir Hassan"])
    docs = [document(i, None, text, x) for i, x in (("a", ali), ("a", samir), ("a-2", ali))]
    story = compare(docs)
    refs = [r.id for r in story.articles]
    assert len(set(refs)) == 3 and refs[:2] == ["a", "a-2"]
    assert all(len({m.article for m in a.mentions}) == len(a.mentions) for a in story.actors)
    samirs = [a for a in story.actors if "Samir Hassan" in a.forms]
    assert samirs and all("Ali Hassan" not in a.forms for a in samirs)
    assert breaches(story, docs) == []


def test_a_models_link_of_two_claims_recomputes_speaker_and_quotes(pair):
    documents, story = pair
    singles = [c for c in story.claims if len(c.mentions) == 1]
    a = next(c for c in singles if c.mentions[0].article == "r1" and c.speaker_id)
    b = next(c for c in singles if c.mentions[0].article == "r2" and c.speaker_id)
    linked = apply_links(story, [Proposal(a.id, b.id)], documents)
    joined = next(c for c in linked.claims if c.id == a.id)
    assert len(joined.mentions) == 2 and joined.speaker_id is None  # two speakers


def test_a_summary_document_that_breaks_the_contract_is_bad_input(tmp_path):
    bad = json.loads((ROOT / "examples" / "aleppo-offensive-2.summary.json").read_text())
    bad["extraction"]["actors"][0]["kind"] = "bogus"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    done = run_summarizer("story", str(path), "examples/aleppo-offensive-2.summary.json")
    assert done.returncode == 2 and "kind" in done.stderr
