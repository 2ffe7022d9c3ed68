"""Servers that are not OpenAI: a request refused for its shape is said once, not retried as
an outage; the schema goes the way llama.cpp's server takes it; a dead server is noticed
once for the whole batch."""

from __future__ import annotations

import asyncio
import json
import socket

from conftest import run_summarizer
from fakeserver import FakeOpenAI, status
from scenarios import TEST_KEY
from test_batch import write_articles

from summarizer.contract.options import Options
from summarizer.providers.chat import AsyncModelClient
from summarizer.providers.ratelimit import MAX_UNANSWERED_IN_A_ROW, RateGate
from summarizer.providers.settings import ModelSettings
from summarizer.runs.batch import Batch, BatchOptions
from summarizer.sources.articles import expand, iter_articles

#: What llama-cpp-python's server (0.3) answers to response_format json_schema.
LLAMA_CPP_500 = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format',"
    " 'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
)
ARTICLE = "examples/aleppo-offensive-1.txt"


def test_a_request_refused_for_its_shape_is_said_once_with_what_to_do():
    with FakeOpenAI() as fake:
        fake.script("Rebels", *[status(500, LLAMA_CPP_500)] * 4)
        fake.script("HTS", *[status(500, LLAMA_CPP_500)] * 4)
        done = run_summarizer("summary", ARTICLE, "--base-url", fake.base_url,
                              env={"OPENAI_API_KEY": TEST_KEY})  # fmt: skip
        sent = len(fake.requests)
    assert done.returncode == 3 and sent == 1  # not retried as an outage
    assert "does not take this request's shape (500" in done.stderr
    assert "--response-format json_object" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_json_object_sends_the_schema_as_llama_cpp_takes_it():
    settings = ModelSettings(response_format="json_object", max_tokens=900)
    body = json.loads(settings.encode([{"role": "user", "content": "x"}]))
    assert body["response_format"]["type"] == "json_object"
    schema = body["response_format"]["schema"]
    assert schema["required"] == ["headline", "summary", "actors", "events", "claims"]
    assert "maxItems" not in json.dumps(schema)  # a grammar of the limits would not parse
    assert body["max_tokens"] == 900 and "max_completion_tokens" not in body
    strict = json.loads(ModelSettings(max_tokens=900).encode([]))
    assert strict["response_format"]["json_schema"]["strict"] is True
    assert strict["max_completion_tokens"] == 900 and "max_tokens" not in strict


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once it is closed


def test_a_dead_server_is_noticed_once_for_the_whole_batch(tmp_path):
    inputs = write_articles(tmp_path / "in", 30)
    settings = ModelSettings(api_key=TEST_KEY, base_url=f"http://127.0.0.1:{closed_port()}/v1")

    async def no_sleep(_seconds: float) -> None:
        pass

    gate = RateGate(4)
    client = AsyncModelClient(settings, sleep=no_sleep, gate=gate)
    batch = Batch(tmp_path / "out", client, Options(), BatchOptions(jobs=4))
    report = asyncio.run(batch.run(iter_articles(expand([str(inputs)]))))
    assert report.failed == 30 and report.counts["ok"] == 0
    assert f"answered none of the last {MAX_UNANSWERED_IN_A_ROW} requests" in report.aborted
    assert report.requests < MAX_UNANSWERED_IN_A_ROW + 4 * 2  # not 30 x 4 attempts
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert sum("not attempted" in e["error"] for e in errors) >= 20


def test_rate_limit_headers_pace_the_batch_before_a_429():
    from summarizer.providers.ratelimit import duration

    assert duration("6m0s") == 360 and duration("20ms") == 0.02 and duration("1h2m3.5s") == 3723.5
    now = [100.0]
    gate = RateGate(4, clock=lambda: now[0])
    gate.note_tokens(2000)
    gate.observe({"x-ratelimit-remaining-tokens": "50000", "x-ratelimit-reset-tokens": "9s"})
    assert gate.not_before == 0 and gate.paced == 0  # plenty left
    gate.observe({"x-ratelimit-remaining-tokens": "1200", "x-ratelimit-reset-tokens": "1.5s"})
    assert gate.not_before == 101.5 and gate.paced == 1  # not enough for the next request
    gate.observe({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "3s"})
    assert gate.not_before == 103.0


def test_a_key_near_its_token_limit_waits_for_the_reset(tmp_path):
    import time

    from fakeserver import echo_reply, last_user_text

    arrivals: list[tuple[str, float]] = []

    def responder(body: dict):
        arrivals.append((last_user_text(body)[:12], time.monotonic()))
        reply = echo_reply(body)
        if "Article 1:" in last_user_text(body):
            reply.headers.update({"x-ratelimit-remaining-tokens": "10",
                                  "x-ratelimit-reset-tokens": "400ms"})  # fmt: skip
        return reply

    inputs = write_articles(tmp_path / "in", 2)
    with FakeOpenAI(responder=responder) as fake:
        env = fake.env()
        done = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "out"), "--jobs", "1",
                              env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (_, first), (_, second) = arrivals
    assert second - first >= 0.35  # held back until the tokens reset, no 429 needed
