"""Prompt caching, tokens and price: the request's shared prefix, cached tokens counted,
an estimated price in every document and closing table, and `--dry-run`."""

from __future__ import annotations

import json

from conftest import EXAMPLES, run_summarizer
from fakeserver import FakeOpenAI, _completion, echo_extraction
from scenarios import TEST_KEY
from test_batch import write_articles

from summarizer.extraction.prompting import first_messages
from summarizer.providers.prices import estimated_cost
from summarizer.providers.settings import ModelSettings
from summarizer.runs.estimate import CHARS_PER_TOKEN


def common_prefix(a: bytes, b: bytes) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def test_two_requests_share_their_prefix_byte_for_byte_up_to_the_article():
    settings = ModelSettings(api_key=TEST_KEY)
    texts = [(EXAMPLES / f"aleppo-offensive-{n}.txt").read_text() for n in (1, 2)]
    bodies = [settings.encode(first_messages(t)) for t in texts]
    shared = common_prefix(*bodies)
    prefix = bodies[0][:shared].decode()
    assert prefix.endswith("<<<ARTICLE\\n")  # everything before the article, nothing after
    body = json.loads(bodies[0])
    assert list(body)[:3] == ["model", "prompt_cache_key", "response_format"]
    assert list(body)[-1] == "messages"
    assert body["prompt_cache_key"] == json.loads(bodies[1])["prompt_cache_key"]
    assert len(prefix) / CHARS_PER_TOKEN >= 1024  # what OpenAI needs to cache it (estimated)
    local = json.loads(ModelSettings(base_url="http://127.0.0.1:9/v1").encode(first_messages("x")))
    assert "prompt_cache_key" not in local  # a local server is not sent a field it may refuse


def test_cached_tokens_and_the_price_reach_the_document_and_the_table(tmp_path):
    def answer(body):
        reply = _completion(json.dumps(echo_extraction(body["messages"][-1]["content"]
                                                       .split("<<<ARTICLE\n")[1].split("\nARTICLE>>>")[0])),
                            prompt_tokens=3000, completion_tokens=500)  # fmt: skip
        data = json.loads(reply.body)
        data["usage"]["prompt_tokens_details"] = {"cached_tokens": 1920}
        reply.body = json.dumps(data).encode()
        return reply

    inputs = write_articles(tmp_path / "in", 2)
    with FakeOpenAI(responder=answer) as fake:
        env = fake.env()
        done = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "out"), env=env)
    doc = json.loads((tmp_path / "out" / "a001.json").read_text())
    usage, cost = doc["provenance"]["usage"], doc["provenance"]["estimated_cost_usd"]
    assert usage == {"prompt_tokens": 3000, "completion_tokens": 500, "cached_tokens": 1920}
    assert cost == estimated_cost("gpt-4.1-mini", 3000, 1920, 500) < estimated_cost(
        "gpt-4.1-mini", 3000, 0, 500)  # fmt: skip
    assert (
        f"tokens     6000 prompt (3840 cached) + 1000 completion   about ${2 * cost:.4f}"
        in done.stdout
    )


def test_a_local_models_price_is_unknown_not_invented():
    assert estimated_cost("my-local-gemma", 1000, 0, 1000) is None
    assert estimated_cost("gpt-4.1-mini", 1_000_000, 0, 0, batch=True) == 0.2  # half of $0.40


def test_dry_run_says_what_a_run_would_take_and_sends_nothing(tmp_path):
    inputs = write_articles(tmp_path / "in", 3)
    with FakeOpenAI() as fake:
        env = fake.env()
        done = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "out"), "--dry-run",
                              env=env)  # fmt: skip
        assert fake.requests == []
    assert done.returncode == 0 and not (tmp_path / "out").exists()
    assert "3 article(s), 3 request(s) (at most 6 with every repair)" in done.stdout
    assert "tokens (estimated" in done.stdout and "Batch API $" in done.stdout
