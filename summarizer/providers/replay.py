"""`--replay DIR`: answer model calls from recorded cassettes instead of the network.

The cassettes are vcrpy YAML files (`DIR/*.yaml`). A request is answered by the recording
with the same method, path and JSON body (host and headers do not matter, so a recording
made against the OpenAI API replays for any --base-url). Recordings of the same request are
played in order. A request with no recording fails with a message that says so.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import httpx2

from summarizer.contract.errors import InputError

Key = tuple[str, str, str]


def _canonical(body: Any) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if not body:
        return ""
    try:
        return json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False)
    except json.JSONDecodeError:
        return body


class Recordings:
    """The interactions of every cassette in a directory, by request."""

    def __init__(self, directory: Path) -> None:
        import yaml

        if not directory.is_dir():
            raise InputError(f"--replay {directory}: no such directory of recordings")
        self.directory = directory
        self._answers: dict[Key, deque[dict[str, Any]]] = {}
        for path in sorted(directory.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for interaction in data.get("interactions", []):
                request = interaction["request"]
                key = self._key(request["method"], httpx2.URL(request["uri"]).path, request["body"])
                self._answers.setdefault(key, deque()).append(interaction["response"])
        if not self._answers:
            raise InputError(f"--replay {directory}: no recordings (*.yaml) in it")

    @staticmethod
    def _key(method: str, path: str, body: Any) -> Key:
        return method.upper(), path, _canonical(body)

    def answer(self, request: httpx2.Request) -> httpx2.Response:
        key = self._key(request.method, request.url.path, request.content)
        queue = self._answers.get(key)
        if not queue:
            raise InputError(
                f"no recording in {self.directory} answers this request (the article, model,"
                " prompt or options differ from the recordings); run without --replay to"
                " call the model"
            )
        recorded = queue.popleft() if len(queue) > 1 else queue[0]
        body = recorded["body"]["string"]
        content = body if isinstance(body, bytes) else body.encode("utf-8")
        headers = [
            (name, value)
            for name, values in (recorded.get("headers") or {}).items()
            if name.lower() not in ("content-length", "content-encoding", "transfer-encoding")
            for value in values
        ]
        return httpx2.Response(
            recorded["status"]["code"], headers=headers, content=content, request=request
        )


class ReplayTransport(httpx2.BaseTransport):
    def __init__(self, recordings: Recordings) -> None:
        self.recordings = recordings

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self.recordings.answer(request)


class AsyncReplayTransport(httpx2.AsyncBaseTransport):
    def __init__(self, recordings: Recordings) -> None:
        self.recordings = recordings

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self.recordings.answer(request)


def replay_client(directory: Path) -> httpx2.Client:
    """An HTTP client for the OpenAI SDK that answers from the recordings in `directory`."""
    return httpx2.Client(transport=ReplayTransport(Recordings(directory)))


def async_replay_client(directory: Path) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=AsyncReplayTransport(Recordings(directory)))
