"""The fake OpenAI server: each reply and fault is what it says, seen through plain httpx2."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fakeserver import (
    FakeOpenAI,
    Reply,
    article_of,
    breaks_schema,
    cut_mid_body,
    echo_extraction,
    echo_reply,
    hang,
    length,
    not_json,
    ok,
    quota,
    rate_limited,
    refusal,
    status,
)

from summarizer import validate
from summarizer.contract.models import Extraction
from summarizer.extraction.prompting import first_messages

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

SAMPLE = {
    "headline": "Rebels cut the Damascus-Aleppo highway",
    "summary": "Fighting near Aleppo has killed around 200 people.",
    "actors": [],
    "events": [],
    "claims": [],
}


def body_for(article: str, *, extra_user: str | None = None) -> dict[str, Any]:
    """A request body as the project sends it: system + fenced article (+ a repair turn)."""
    messages: list[dict[str, Any]] = list(first_messages(article, title="A title"))
    if extra_user is not None:
        messages += [
            {"role": "assistant", "content": json.dumps(SAMPLE)},
            {"role": "user", "content": extra_user},
        ]
    return {"model": "test-model", "messages": messages}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def client() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=5.0) as c:
        yield c


def post(client: httpx2.Client, server: FakeOpenAI, body: dict[str, Any]) -> httpx2.Response:
    return client.post(f"{server.base_url}/chat/completions", json=body)


def message_of(response: httpx2.Response) -> tuple[dict[str, Any], str]:
    data = response.json()
    choice = data["choices"][0]
    return choice["message"], choice["finish_reason"]


# --- ok and echo ---------------------------------------------------------------------------


def test_ok_is_a_valid_chat_completion(server: FakeOpenAI, client: httpx2.Client) -> None:
    server.script("Aleppo", ok(SAMPLE, prompt_tokens=7, completion_tokens=3))
    response = post(client, server, body_for("Fighting near Aleppo."))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    assert data["object"] == "chat.completion"
    assert data["id"].startswith("chatcmpl-")
    assert isinstance(data["created"], int) and data["model"]
    message, finish = message_of(response)
    assert message["role"] == "assistant" and message["refusal"] is None
    assert finish == "stop"
    assert data["usage"] == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    assert Extraction.model_validate_json(message["content"]).model_dump() == SAMPLE


def test_default_responder_echoes_the_article(server: FakeOpenAI, client: httpx2.Client) -> None:
    article = (EXAMPLES / "aleppo-offensive-1.txt").read_text(encoding="utf-8")
    response = post(client, server, body_for(article))
    assert response.status_code == 200
    assert response.json()["model"] == "test-model"
    message, _ = message_of(response)
    extraction = json.loads(message["content"])
    assert extraction == echo_extraction(article)
    assert validate(article, extraction).ok


@pytest.mark.parametrize("name", ["aleppo-offensive-1.txt", "aleppo-offensive-2.txt"])
def test_echo_extraction_is_valid_and_grounded(name: str) -> None:
    article = (EXAMPLES / name).read_text(encoding="utf-8")
    extraction = echo_extraction(article)
    Extraction.model_validate(extraction)
    report = validate(article, extraction)
    assert report.ok, report.model_dump()
    first_line = article.splitlines()[0]
    assert extraction["summary"] == first_line  # the first sentence ends the first line
    assert first_line.startswith(extraction["headline"])
    assert len(extraction["headline"].split()) == 12
    [actor] = extraction["actors"]
    assert actor["name"] == actor["evidence"][0] and actor["name"] in article
    assert actor["name"].startswith("Hayat Tahrir")
    assert extraction["events"][0]["actor_ids"] == ["A1"]


def test_echo_extraction_edges() -> None:
    plain = echo_extraction("nothing capitalised here. Second sentence Follows")
    assert plain["summary"] == "nothing capitalised here."
    assert plain["actors"] == [] and plain["events"][0]["actor_ids"] == []
    Extraction.model_validate(plain)
    # A run that opens a sentence is skipped; the next one is taken.
    named = echo_extraction("Rami Abdulrahman spoke. Later the Syrian Observatory said so.")
    assert named["actors"][0]["name"] == "Syrian Observatory"
    long = echo_extraction("word " * 100)
    assert len(long["summary"]) <= 300 and long["summary"].endswith("word")


def test_article_of_reads_the_fence() -> None:
    article = "Line one.\n\nLine <<<ARTICLE two ARTICLE>>> three.\n"
    assert article_of(body_for(article)) == article.replace("ARTICLE>>>", "ARTICLE >>>").replace(
        "<<<ARTICLE", "<<< ARTICLE"
    )
    assert article_of(body_for("Body.", extra_user="Fix the problems.")) == "Body."


# --- scripting and recording ---------------------------------------------------------------


def test_script_then_responder_and_count(server: FakeOpenAI, client: httpx2.Client) -> None:
    server.script("REPAIR", status(500, "first"), refusal("second"))
    other = post(client, server, body_for("Unrelated article."))
    assert other.status_code == 200  # not matched: the last user message has no REPAIR
    first = post(client, server, body_for("Some article.", extra_user="REPAIR please"))
    second = post(client, server, body_for("Some article.", extra_user="REPAIR please"))
    third = post(client, server, body_for("Some article.", extra_user="REPAIR please"))
    assert first.status_code == 500 and first.json()["error"]["message"] == "first"
    assert message_of(second)[0]["refusal"] == "second"
    assert third.status_code == 200
    assert Extraction.model_validate_json(message_of(third)[0]["content"]).summary == (
        "Some article."
    )
    assert server.count("REPAIR") == 3
    assert server.count("Unrelated") == 1
    assert server.count("Some article") == 0  # only the last user message counts
    assert server.count("nowhere") == 0


def test_requests_records_bodies(server: FakeOpenAI, client: httpx2.Client) -> None:
    bodies = [body_for(f"Article number {i}.") for i in range(3)]
    for body in bodies:
        post(client, server, body)
    assert server.requests == bodies
    assert [article_of(b) for b in server.requests] == [f"Article number {i}." for i in range(3)]


def test_custom_responder_and_404(client: httpx2.Client) -> None:
    seen: list[dict[str, Any]] = []

    def responder(body: dict[str, Any]) -> Reply:
        seen.append(body)
        return not_json("custom")

    with FakeOpenAI(responder=responder) as server:
        response = post(client, server, {"messages": []})
        assert message_of(response)[0]["content"] == "custom"
        assert seen == [{"messages": []}]
        missing = client.post(f"{server.base_url}/completions", json={})
        assert missing.status_code == 404 and "error" in missing.json()
        assert client.get(f"{server.base_url}/models").status_code == 404
        assert len(server.requests) == 1


# --- errors --------------------------------------------------------------------------------


def test_rate_limited_quota_and_status(server: FakeOpenAI, client: httpx2.Client) -> None:
    server.script(
        "Aleppo",
        rate_limited(retry_after_ms=20),
        rate_limited(retry_after=1.5),
        quota(),
        status(503, "overloaded", headers={"x-test": "yes"}),
    )
    body = body_for("Aleppo.")
    limited = post(client, server, body)
    assert limited.status_code == 429
    assert limited.headers["retry-after-ms"] == "20"
    assert "retry-after" not in limited.headers
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    limited2 = post(client, server, body)
    assert limited2.headers["retry-after"] == "1.5"
    quota_reply = post(client, server, body)
    assert quota_reply.status_code == 429
    error = quota_reply.json()["error"]
    assert error["code"] == "insufficient_quota" and error["type"] == "insufficient_quota"
    unavailable = post(client, server, body)
    assert unavailable.status_code == 503
    assert unavailable.headers["x-test"] == "yes"
    assert unavailable.json() == {
        "error": {"message": "overloaded", "type": "server_error", "param": None, "code": None}
    }


def test_bad_answers(server: FakeOpenAI, client: httpx2.Client) -> None:
    server.script("Aleppo", refusal(), length(), not_json(), breaks_schema())
    body = body_for("Aleppo.")

    message, finish = message_of(post(client, server, body))
    assert message["content"] is None and message["refusal"] == "I can't help with that."
    assert finish == "stop"

    message, finish = message_of(post(client, server, body))
    assert finish == "length" and message["content"] == '{"headline": "cut'
    with pytest.raises(json.JSONDecodeError):
        json.loads(message["content"])

    message, _ = message_of(post(client, server, body))
    with pytest.raises(json.JSONDecodeError):
        json.loads(message["content"])

    message, _ = message_of(post(client, server, body))
    assert json.loads(message["content"]) == {"headline": "x"}
    with pytest.raises(ValueError):
        Extraction.model_validate_json(message["content"])


# --- transport faults ----------------------------------------------------------------------


def test_cut_mid_body_is_a_protocol_error(server: FakeOpenAI, client: httpx2.Client) -> None:
    server.script("Aleppo", cut_mid_body())
    with pytest.raises(httpx2.HTTPError) as caught:
        post(client, server, body_for("Aleppo."))
    assert isinstance(caught.value, (httpx2.RemoteProtocolError, httpx2.ReadError))
    # The server goes on answering on new connections.
    assert post(client, server, body_for("Aleppo.")).status_code == 200


def test_hang_times_out_and_stop_is_prompt() -> None:
    server = FakeOpenAI()
    server.start()
    try:
        server.script("Aleppo", hang())
        with httpx2.Client(timeout=0.2) as client, pytest.raises(httpx2.ReadTimeout):
            post(client, server, body_for("Aleppo."))
        # A second hanging request still pending on an open connection while stopping.
        server.script("Aleppo", hang())
        pending = threading.Thread(target=_post_ignoring_errors, args=(server,), daemon=True)
        pending.start()
        _wait_for(lambda: len(server.requests) == 2)
    finally:
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 1.0
    pending.join(timeout=1.0)
    assert not pending.is_alive()


def _post_ignoring_errors(server: FakeOpenAI) -> None:
    try:
        with httpx2.Client(timeout=5.0) as client:
            post(client, server, body_for("Aleppo."))
    except httpx2.HTTPError:
        pass


def _wait_for(condition: Any, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_requests_are_answered_concurrently() -> None:
    """Every request is in flight at once: each answer waits until all have arrived, which a
    server that answered one at a time would never reach (its barrier would break)."""
    n = 8
    everyone = threading.Barrier(n, timeout=10)
    statuses: list[int] = []
    lock = threading.Lock()

    def responder(body: dict[str, Any]) -> Reply:
        everyone.wait()
        return echo_reply(body)

    def one(i: int) -> None:
        with httpx2.Client(timeout=15.0) as client:
            response = post(client, server, body_for(f"Article {i}."))
        with lock:
            statuses.append(response.status_code)

    with FakeOpenAI(responder=responder) as server:
        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=15.0)
    assert statuses == [200] * n
    assert server.max_in_flight == n


def test_latency_counts_from_the_requests_arrival() -> None:
    def slow_responder(body: dict[str, Any]) -> Reply:
        time.sleep(0.15)  # the reply takes long to make
        return echo_reply(body)

    with (
        FakeOpenAI(latency=0.3, responder=slow_responder) as server,
        httpx2.Client(timeout=5.0) as client,
    ):
        started = time.monotonic()
        response = post(client, server, body_for("Article 1."))
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert 0.3 <= elapsed < 0.43  # not 0.3 + 0.15: the making is part of the latency


def test_keep_alive_reuses_one_connection(server: FakeOpenAI, client: httpx2.Client) -> None:
    for i in range(20):
        response = post(client, server, body_for(f"Article {i}."))
        assert response.status_code == 200
        assert response.http_version == "HTTP/1.1"
    assert len(server.requests) == 20
    assert server.open_connections <= 1
