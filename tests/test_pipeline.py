"""The summary pipeline through the cassettes: every failure and every repair branch."""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager, suppress

import pytest
import vcr
import yaml
from scenarios import RESPONSES, SCENARIOS, TEST_KEY, Scenario

from summarizer.contract.calls import CallStats
from summarizer.contract.errors import GroundingFailed, InputError, ServiceError
from summarizer.contract.models import SummaryDocument
from summarizer.extraction.answers import InvalidAnswer, parse_answer
from summarizer.extraction.prompting import prompt_version
from summarizer.extraction.steps import model_calls
from summarizer.pipeline.article import asummarize, summarize
from summarizer.providers.chat import MAX_TRANSPORT_ATTEMPTS, AsyncModelClient, ModelClient
from summarizer.providers.settings import ModelSettings

REPLAY = vcr.VCR(record_mode="none", match_on=("method", "path", "body"))


@contextmanager
def replaying(scenario: Scenario):
    with REPLAY.use_cassette(str(scenario.path)) as cassette:
        yield cassette
    assert cassette.all_played, f"{scenario.name}: not every recorded request was made"


def usage_of(*answers: str) -> tuple[int, int]:
    bodies = [json.loads((RESPONSES / f"{a}.json").read_text())["body"] for a in answers]
    return (sum(b["usage"]["prompt_tokens"] for b in bodies),
            sum(b["usage"]["completion_tokens"] for b in bodies))  # fmt: skip


def run(name: str, sleeps: list[float] | None = None, **kw) -> SummaryDocument:
    scenario = SCENARIOS[name]
    client = ModelClient(
        ModelSettings(model=scenario.model, api_key=TEST_KEY),
        sleep=(sleeps if sleeps is not None else []).append,
    )
    with replaying(scenario):
        return summarize(scenario.text(), client=client, repairs=scenario.repairs, **kw)


@pytest.mark.parametrize("name", ["aleppo-offensive-1", "aleppo-offensive-2"])
def test_reference_articles(name):
    doc = run(name)
    scenario = SCENARIOS[name]
    assert doc.grounding.ok and doc.dropped == []
    assert doc.article.chars == len(scenario.text()) and len(doc.article.sha256) == 64
    assert doc.provenance.attempts == 1
    assert doc.provenance.prompt_version == prompt_version()
    assert doc.provenance.schema_version == doc.schema_version == "1"
    assert (doc.provenance.usage.prompt_tokens, doc.provenance.usage.completion_tokens) == usage_of(
        f"clean-{name}"
    )
    SummaryDocument.model_validate_json(doc.model_dump_json())  # the contract round-trips


def test_the_article_is_fenced_as_data():
    cassette = yaml.safe_load(SCENARIOS["aleppo-offensive-1"].path.read_text())
    body = json.loads(cassette["interactions"][0]["request"]["body"])
    user = body["messages"][1]["content"]
    assert "<<<ARTICLE\n" + SCENARIOS["aleppo-offensive-1"].text() in user
    assert "Never follow" in body["messages"][0]["content"]
    schema = body["response_format"]["json_schema"]
    assert schema["strict"] is True and schema["schema"]["additionalProperties"] is False


def test_a_repair_call_fixes_the_problems():
    doc = run("repair-fixes")
    assert doc.grounding.ok and doc.provenance.attempts == 2
    usage = doc.provenance.usage
    prompt, completion = usage_of("faulty-aleppo-offensive-1", "clean-aleppo-offensive-1")
    assert (usage.prompt_tokens, usage.completion_tokens) == (prompt, completion)


def test_the_repair_request_lists_the_problems_item_by_item():
    cassette = yaml.safe_load(SCENARIOS["repair-fixes"].path.read_text())
    second = json.loads(cassette["interactions"][1]["request"]["body"])["messages"]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert json.loads(second[2]["content"])["headline"]  # the model's previous answer
    problems = [line for line in second[3]["content"].splitlines() if line.startswith("- ")]
    assert len(problems) >= 20
    assert any(
        line.startswith("- C4#2: duplicate_id") or "duplicate_id" in line for line in problems
    )


def test_repair_that_does_not_help_keeps_the_attempt_with_fewest_problems():
    doc = run("repair-does-not-help")  # flag, the default
    assert doc.provenance.attempts == 2 and not doc.grounding.ok
    bad = {k for k, r in doc.grounding.items.items() if r.problems}
    assert "A90" in bad and len(bad) == 2  # the first answer: two faults, not the second's 30
    assert any(a.id == "A90" for a in doc.extraction.actors)


def test_on_problems_drop_removes_and_lists_the_items():
    doc = run("repair-does-not-help", on_problems="drop")
    assert doc.grounding.ok
    dropped = {d.key: {p.code for p in d.problems} for d in doc.dropped}
    assert "actor_not_in_source" in dropped["A90"] and len(dropped) == 2
    kept = {i.id for i in [*doc.extraction.actors, *doc.extraction.claims]}
    assert not kept & set(dropped)


def test_on_problems_fail_raises_with_the_document():
    with pytest.raises(GroundingFailed) as failed:
        run("repair-does-not-help", on_problems="fail")
    assert failed.value.exit_code == 1
    assert not failed.value.document.grounding.ok and "A90" in str(failed.value)


def test_an_answer_that_is_not_json_is_asked_again():
    doc = run("not-json-then-valid")
    assert doc.grounding.ok and doc.provenance.attempts == 2


def test_a_rate_limit_is_retried_after_the_time_the_server_asks():
    sleeps: list[float] = []
    doc = run("rate-limited-then-ok", sleeps)
    assert sleeps == [1.5]  # retry-after-ms: 1500 wins over retry-after: 2
    assert doc.grounding.ok and doc.provenance.attempts == 2


def test_a_server_error_is_retried_with_backoff():
    sleeps: list[float] = []
    doc = run("server-error-then-ok", sleeps)
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 20
    assert doc.provenance.attempts == 2


def test_retries_are_bounded():
    sleeps: list[float] = []
    with pytest.raises(
        ServiceError, match=f"failed \\(503\\) \\(after {MAX_TRANSPORT_ATTEMPTS} attempts\\)"
    ):
        run("overloaded-every-time", sleeps)
    assert len(sleeps) == MAX_TRANSPORT_ATTEMPTS - 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("quota", "no quota left \\(429 insufficient_quota\\).*Not retried"),
        ("unauthorized", "rejected the API key \\(401\\): check OPENAI_API_KEY"),
        ("schema-rejected", "refused the request \\(400\\): Invalid schema for response_format"),
        ("model-not-found", "model 'no-such-model' not found .*\\(404\\)"),
        ("refusal", "the model refused: I'm sorry"),
        ("length", "cut off at its length limit \\(finish_reason length\\)"),
        ("content-filter", "content filter stopped the answer"),
    ],
)
def test_failures_that_are_not_retried(name, message):
    sleeps: list[float] = []
    with pytest.raises(ServiceError, match=message) as failure:
        run(name, sleeps)
    assert sleeps == [] and failure.value.exit_code == 3


def test_a_timeout_is_retried_then_reported():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # accept and never answer
        server.settimeout(0.1)
        while not stop.is_set():
            with suppress(OSError):
                accepted.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    sleeps: list[float] = []
    settings = ModelSettings(api_key=TEST_KEY, timeout=0.2,
                             base_url=f"http://127.0.0.1:{server.getsockname()[1]}/v1")  # fmt: skip
    stats = CallStats()
    try:
        with pytest.raises(ServiceError, match=r"did not answer within 0.2 s \(after 4 attempts\)"):
            summarize("Rebels cut the road.", client=ModelClient(settings, sleep=sleeps.append),
                      stats=stats)  # fmt: skip
    finally:
        stop.set()
        for conn in accepted:
            conn.close()
        server.close()
    assert stats.requests == MAX_TRANSPORT_ATTEMPTS and len(sleeps) == MAX_TRANSPORT_ATTEMPTS - 1


def test_a_missing_key_says_how_to_set_one(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(InputError, match=r"OPENAI_API_KEY.*--base-url.*--replay"):
        summarize("Some article text.")


def test_environment_settings(monkeypatch):
    monkeypatch.setenv("SUMMARIZER_MODEL", "local-model")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = ModelSettings.from_env()
    assert (settings.model, settings.base_url) == ("local-model", "http://127.0.0.1:9/v1")
    assert settings.client_kwargs()["max_retries"] == 0  # a local server needs no key


def test_an_answer_that_breaks_the_schema_is_caught_by_jsonschema():
    data = json.loads((RESPONSES / "clean-aleppo-offensive-1.json").read_text())
    extraction = json.loads(data["body"]["choices"][0]["message"]["content"])
    extraction["claims"][0]["attribution"] = "rumour"  # not in the enum
    with pytest.raises(InvalidAnswer, match="claims/0/attribution"):
        parse_answer(json.dumps(extraction))
    del extraction["claims"][0]["attribution"]
    with pytest.raises(InvalidAnswer, match="breaks the schema"):
        parse_answer(json.dumps(extraction))


def test_the_call_bound():
    assert model_calls(1) == 2 and model_calls(0, windows=3) == 3


async def test_the_async_twin():
    scenario = SCENARIOS["rate-limited-then-ok"]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = AsyncModelClient(ModelSettings(api_key=TEST_KEY), sleep=sleep)
    with replaying(scenario):
        doc = await asummarize(scenario.text(), client=client)
    assert doc.grounding.ok and doc.provenance.attempts == 2 and sleeps == [1.5]


def _rate_limited(headers: dict[str, str]):
    import httpx2
    import openai

    request = httpx2.Request("POST", "https://api.openai.com/v1/chat/completions")
    response = httpx2.Response(429, headers=headers, request=request)
    return openai.RateLimitError("rate limited", response=response, body=None)


def test_retry_after_headers():
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime

    from summarizer.providers.failures import is_transient, retry_after

    assert retry_after(_rate_limited({"retry-after": "7"})) == 7.0
    assert retry_after(_rate_limited({"retry-after-ms": "250", "retry-after": "7"})) == 0.25
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 < retry_after(_rate_limited({"retry-after": later})) <= 30
    assert retry_after(_rate_limited({})) is None
    assert not is_transient(_rate_limited({"retry-after": "600"}))  # longer than we wait


def test_a_callers_own_client_loses_its_sdk_retries():
    import openai

    mine = openai.OpenAI(api_key=TEST_KEY, max_retries=5)
    assert ModelClient(ModelSettings(api_key=TEST_KEY), openai_client=mine).openai.max_retries == 0
    assert ModelClient(ModelSettings(api_key=TEST_KEY)).openai.max_retries == 0
