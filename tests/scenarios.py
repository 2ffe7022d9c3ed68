"""The cassettes: which article, which scripted answers, which settings. Shared by
`compose_cassettes.py` (which records them) and the tests (which replay them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from summarizer.contract.defaults import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
RESPONSES = ROOT / "tests" / "fixtures" / "responses"
#: Key used by tests and composing; never a real key (requests' authorization is scrubbed).
TEST_KEY = "sk-test-not-a-real-key"


@dataclass(frozen=True)
class Scenario:
    name: str
    article: str  # path below ROOT
    answers: tuple[str, ...]  # fixture names in tests/fixtures/responses, served in order
    model: str = DEFAULT_MODEL
    repairs: int = 1
    #: Replayable with `summarizer summary ARTICLE --replay cassettes`: kept at the top of
    #: cassettes/; the others are in cassettes/scenarios/.
    replayable: bool = False
    #: Re-recordable against the live API (the others script faults a live API won't make).
    live: bool = False
    live_api_key: str | None = None  # for the live 401: a key that is wrong on purpose
    #: "summary" (the article summarised), "links" (a story of the two reference articles
    #: whose links a model is asked for: `summarizer story --link-with-model`), or
    #: "batch-api" (the two articles through the Batch API: files, batches, results).
    task: str = "summary"

    @property
    def path(self) -> Path:
        return (CASSETTES if self.replayable else CASSETTES / "scenarios") / f"{self.name}.yaml"

    def text(self) -> str:
        return (ROOT / self.article).read_text(encoding="utf-8")


A1 = "examples/aleppo-offensive-1.txt"
A2 = "examples/aleppo-offensive-2.txt"

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in [
        Scenario("aleppo-offensive-1", A1, ("clean-aleppo-offensive-1",),
                 replayable=True, live=True),
        Scenario("aleppo-offensive-2", A2, ("clean-aleppo-offensive-2",),
                 replayable=True, live=True),
        Scenario("repair-fixes", A1, ("faulty-aleppo-offensive-1", "clean-aleppo-offensive-1")),
        Scenario("repair-does-not-help", A1,
                 ("two-faults-aleppo-offensive-1", "faulty-aleppo-offensive-1")),
        Scenario("refusal", A1, ("refusal",)),
        Scenario("length", A1, ("length",)),
        Scenario("content-filter", A1, ("content-filter",)),
        Scenario("not-json-then-valid", A1, ("not-json", "clean-aleppo-offensive-1")),
        Scenario("rate-limited-then-ok", A1, ("rate-limited", "clean-aleppo-offensive-1")),
        Scenario("server-error-then-ok", A1, ("server-error", "clean-aleppo-offensive-1")),
        Scenario("overloaded-every-time", A1, ("overloaded",) * 4),
        Scenario("quota", A1, ("quota",)),
        Scenario("unauthorized", A1, ("unauthorized",), live=True,
                 live_api_key="sk-wrong-on-purpose-for-recording"),
        Scenario("schema-rejected", A1, ("schema-rejected",)),
        Scenario("model-not-found", A1, ("model-not-found",), model="no-such-model", live=True),
        Scenario("story-links-aleppo", A1, ("story-links-aleppo",), replayable=True, live=True,
                 task="links"),
        Scenario("batch-api-aleppo", A1, (), live=True, task="batch-api"),
    ]
}  # fmt: skip
