"""A fake OpenAI-compatible Chat Completions server for tests and benchmarks.

It binds 127.0.0.1 on a free port and answers `POST /v1/chat/completions`. By default every
request gets a valid, grounded extraction of the article it carries (`echo_reply`); tests can
script other replies (refusals, cut answers, rate limits, hangs...) for the requests whose
last user message contains a given text:

    with FakeOpenAI() as server:
        server.script("Aleppo", rate_limited(retry_after_ms=20), ok(extraction))
        ...  # point the client at server.base_url
        assert server.count("Aleppo") == 2
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from scenarios import ROOT, TEST_KEY

__all__ = [
    "FakeOpenAI",
    "Reply",
    "article_of",
    "breaks_schema",
    "cut_mid_body",
    "echo_extraction",
    "echo_reply",
    "hang",
    "length",
    "not_json",
    "ok",
    "quota",
    "rate_limited",
    "refusal",
    "status",
]

CHAT_PATH = "/v1/chat/completions"
FENCE_OPEN, FENCE_CLOSE = "<<<ARTICLE", "ARTICLE>>>"
DEFAULT_MODEL = "fake-model"

Mode = Literal["send", "cut", "hang"]


@dataclass
class Reply:
    """One scripted HTTP answer.

    `mode` is "send" (a normal answer), "cut" (status and headers announcing the whole body,
    then half of it, then the connection closes) or "hang" (no answer until the server stops).
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    mode: Mode = "send"

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


# --- reply builders ------------------------------------------------------------------------

_ids = itertools.count(1)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _completion(
    content: str | None,
    *,
    refusal: str | None = None,
    finish_reason: str = "stop",
    prompt_tokens: int = 1000,
    completion_tokens: int = 500,
    model: str = DEFAULT_MODEL,
) -> Reply:
    body = {
        "id": f"chatcmpl-fake{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return Reply(200, _dumps(body))


def ok(
    extraction: dict[str, Any],
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 1000,
    completion_tokens: int = 500,
    model: str = DEFAULT_MODEL,
) -> Reply:
    """200: a chat.completion whose message content is `extraction` as JSON."""
    return _completion(
        json.dumps(extraction, ensure_ascii=False),
        finish_reason=finish_reason,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        model=model,
    )


def refusal(text: str = "I can't help with that.") -> Reply:
    """200: the model refuses (content None, message.refusal set)."""
    return _completion(None, refusal=text, completion_tokens=10)


def length(partial: str = '{"headline": "cut') -> Reply:
    """200: the answer ran out of tokens (finish_reason "length", content cut short)."""
    return _completion(partial, finish_reason="length")


def not_json(text: str = "Sure! Here is the summary: ...") -> Reply:
    """200: content that is not JSON at all."""
    return _completion(text)


def breaks_schema(data: dict[str, Any] | None = None) -> Reply:
    """200: JSON content that breaks the schema, as a non-strict local server may send."""
    return _completion(json.dumps({"headline": "x"} if data is None else data))


def status(
    code: int,
    message: str,
    *,
    type: str = "server_error",
    code_name: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Any status with the OpenAI error body {"error": {message, type, param, code}}."""
    body = {"error": {"message": message, "type": type, "param": None, "code": code_name}}
    return Reply(code, _dumps(body), dict(headers or {}))


def rate_limited(*, retry_after: float | None = None, retry_after_ms: int | None = None) -> Reply:
    """429 rate_limit_exceeded, with `retry-after` / `retry-after-ms` headers when given."""
    headers = {}
    if retry_after is not None:
        headers["retry-after"] = f"{retry_after:g}"
    if retry_after_ms is not None:
        headers["retry-after-ms"] = str(retry_after_ms)
    return status(
        429,
        "Rate limit reached for requests. Please try again later.",
        type="requests",
        code_name="rate_limit_exceeded",
        headers=headers,
    )


def quota() -> Reply:
    """429 insufficient_quota: not worth retrying."""
    return status(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        type="insufficient_quota",
        code_name="insufficient_quota",
    )


_CUT_EXTRACTION = {
    "headline": "A reply that is cut in the middle",
    "summary": "The server announces the whole body, sends half of it and hangs up.",
    "actors": [],
    "events": [],
    "claims": [],
}


def cut_mid_body() -> Reply:
    """200 with a Content-Length for the whole body; half of it is sent, then the link closes."""
    reply = ok(_CUT_EXTRACTION)
    reply.mode = "cut"
    return reply


def hang() -> Reply:
    """Read the request and never answer (the connection closes when the server stops)."""
    return Reply(mode="hang")


# --- requests and the echo responder -------------------------------------------------------


def _text(message: dict[str, Any]) -> str:
    """The text of a message: a string, or the text parts of a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


def _user_texts(body: dict[str, Any]) -> list[str]:
    messages = body.get("messages")
    if not isinstance(messages, list):
        return []
    return [_text(m) for m in messages if isinstance(m, dict) and m.get("role") == "user"]


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the request's last user message ("" when there is none)."""
    texts = _user_texts(body)
    return texts[-1] if texts else ""


def article_of(body: dict[str, Any]) -> str:
    """The article fenced in the request's first user message, between a line `<<<ARTICLE`
    and a line `ARTICLE>>>` ("" without a user message; the whole message without a fence)."""
    texts = _user_texts(body)
    if not texts:
        return ""
    text = texts[0]
    start = text.find(FENCE_OPEN + "\n")
    while start > 0 and text[start - 1] != "\n":
        start = text.find(FENCE_OPEN + "\n", start + 1)
    if start < 0:
        return text
    start += len(FENCE_OPEN) + 1
    end = text.rfind("\n" + FENCE_CLOSE)
    if end < start - 1:
        return text[start:]
    return text[start:end]


_SENTENCE_END_RE = re.compile(r"[.!?] |\n")
_CAPITALISED = r"[A-ZÀ-ÖØ-Þ][\w'’-]*"
#: Two or more capitalised words in a row, joined by single spaces.
_NAME_RUN_RE = re.compile(rf"(?<![\w'’-]){_CAPITALISED}(?: {_CAPITALISED})+")
_SENTENCE_LEAD = " \t\"'“‘«([-–—"
MAX_SENTENCE_CHARS = 300
MAX_HEADLINE_WORDS = 12


def _first_sentence(article: str) -> str:
    text = article.lstrip()
    end = _SENTENCE_END_RE.search(text)
    if end is not None:
        text = text[: end.start() + (1 if end.group() != "\n" else 0)]
    text = text.rstrip()
    if len(text) > MAX_SENTENCE_CHARS:
        cut = text[:MAX_SENTENCE_CHARS]
        if not text[MAX_SENTENCE_CHARS].isspace():
            head, space, _ = cut.rpartition(" ")
            cut = head if space else cut
        text = cut.rstrip()
    return text


def _first_name_run(article: str) -> str | None:
    for match in _NAME_RUN_RE.finditer(article):
        before = article[: match.start()].rstrip(_SENTENCE_LEAD)
        if before and before[-1] not in ".!?\n":
            return match.group()
    return None


def echo_extraction(article: str) -> dict[str, Any]:
    """A valid extraction of `article` built from its own words: the first sentence as
    summary and event, its first twelve words as headline, and the first run of capitalised
    words that does not open a sentence as the one actor (none without such a run)."""
    sentence = _first_sentence(article)
    headline = " ".join(sentence.split()[:MAX_HEADLINE_WORDS]).rstrip(",;:")
    name = _first_name_run(article)
    actors = []
    if name is not None:
        actors.append(
            {
                "id": "A1",
                "name": name,
                "aliases": [],
                "kind": "other",
                "description": None,
                "affiliation_id": None,
                "evidence": [name],
            }
        )
    event = {
        "id": "E1",
        "type": "other",
        "description": sentence,
        "when": None,
        "where": None,
        "actor_ids": [a["id"] for a in actors],
        "figures": [],
        "evidence": [sentence],
    }
    return {
        "headline": headline,
        "summary": sentence,
        "actors": actors,
        "events": [event],
        "claims": [],
    }


def echo_reply(body: dict[str, Any]) -> Reply:
    """ok(echo_extraction(article_of(body))), with the request's model name."""
    model = body.get("model")
    return ok(
        echo_extraction(article_of(body)),
        model=model if isinstance(model, str) else DEFAULT_MODEL,
    )


# --- the server ----------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about connections the client (or stop()) closed."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server
    #: When the request being answered arrived (time.monotonic).
    received: float = 0.0

    def log_message(self, format: str, *args: Any) -> None:
        """No request log."""

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_POST(self) -> None:
        self.received = time.monotonic()
        raw = self._read_body()
        batches = self.server.fake.batch_api
        if batches is not None and batches.handles(self.path):
            self._answer(batches.answer("POST", self.path, raw, self.headers))
            return
        if self.path.split("?", 1)[0].rstrip("/") != CHAT_PATH:
            self._answer(_not_found(self.command, self.path))
            return
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            body = exc
        if not isinstance(body, dict):
            reply = status(400, "the body is not a JSON object", type="invalid_request_error")
            self._answer(reply)
            return
        fake = self.server.fake
        fake._enter()
        try:
            self._answer(fake._reply_for(body))
        finally:
            fake._leave()

    def _other(self) -> None:
        self.received = time.monotonic()
        raw = self._read_body()
        batches = self.server.fake.batch_api
        if batches is not None and batches.handles(self.path):
            self._answer(batches.answer(self.command, self.path, raw, self.headers))
            return
        self._answer(_not_found(self.command, self.path))

    do_GET = do_PUT = do_PATCH = do_DELETE = _other

    def _answer(self, reply: Reply) -> None:
        fake = self.server.fake
        if reply.mode == "hang":
            fake._stopping.wait()
            self.close_connection = True
            return
        if fake.latency > 0:  # counted from the request's arrival: the reply's making included
            fake._stopping.wait(max(0.0, self.received + fake.latency - time.monotonic()))
        self.send_response(reply.status)
        headers = {k.lower(): v for k, v in reply.headers.items()}
        headers.setdefault("content-type", "application/json")
        headers["content-length"] = str(len(reply.body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.mode == "cut":
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(reply.body)


def _not_found(method: str, path: str) -> Reply:
    return status(
        404,
        f"Invalid URL ({method} {path})",
        type="invalid_request_error",
        code_name="unknown_url",
    )


class FakeOpenAI:
    """A local Chat Completions server: scripted replies first, then the responder.

    `latency`: seconds from a request's arrival to its answer, the making of the reply
    included, so that the server's own work (16 requests arriving together contend for one
    interpreter here) does not add to the latency asked for.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        responder: Callable[[dict[str, Any]], Reply] | None = None,
    ) -> None:
        self.latency = latency
        self.responder: Callable[[dict[str, Any]], Reply] = responder or echo_reply
        self.base_url: str = ""
        self.requests: list[dict[str, Any]] = []
        self.max_in_flight: int = 0
        self.in_flight: int = 0
        self._scripts: list[tuple[str, deque[Reply]]] = []
        #: The Files and Batches endpoints, when a test serves them (tests/fakebatches.py).
        self.batch_api: Any = None
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def env(self, key: str = TEST_KEY) -> dict[str, str]:
        """The environment that points `summarizer` at this server, with a test key."""
        return {"OPENAI_BASE_URL": self.base_url, "OPENAI_API_KEY": key}

    # --- lifecycle

    def start(self) -> None:
        """Bind a free port on 127.0.0.1 and serve in a background thread."""
        if self._server is not None:
            raise RuntimeError("the fake server is already running")
        self._stopping = threading.Event()
        self._server = _Server(self)
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeOpenAI:{port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving; hanging requests and open connections are closed, unanswered."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            self._thread = None

    def __enter__(self) -> FakeOpenAI:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port bound (0 before start)."""
        return self._server.server_address[1] if self._server else 0

    # --- scripting

    def script(self, match: str, *replies: Reply) -> None:
        """Requests whose last user message contains `match` get `replies`, one per request,
        in order; once they are used up, the responder answers again."""
        with self._lock:
            self._scripts.append((match, deque(replies)))

    @property
    def open_connections(self) -> int:
        """Connections open now."""
        return len(self._connections)

    def count(self, match: str) -> int:
        """How many requests received had `match` in their last user message."""
        with self._lock:
            bodies = list(self.requests)
        return sum(match in last_user_text(b) for b in bodies)

    # --- used by the handler

    def _reply_for(self, body: dict[str, Any]) -> Reply:
        text = last_user_text(body)
        scripted = None
        with self._lock:
            self.requests.append(body)
            for match, replies in self._scripts:
                if replies and match in text:
                    scripted = replies.popleft()
                    break
        if scripted is not None:
            return scripted
        try:
            return self.responder(body)
        except Exception as exc:  # a broken responder is a 500, not a dropped connection
            return status(500, f"fake responder failed: {exc!r}")

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def reference_name(body: dict[str, Any]) -> str:
    """Which of the two reference articles (examples/) a request is about."""
    return "aleppo-offensive-1" if "Bonus video" in article_of(body) else "aleppo-offensive-2"


def reference_inputs(tmp_path: Path) -> Path:
    """A folder `in` holding the two reference articles, as a batch's input."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("aleppo-offensive-1", "aleppo-offensive-2"):
        (inputs / f"{name}.txt").write_text((ROOT / "examples" / f"{name}.txt").read_text())
    return inputs
