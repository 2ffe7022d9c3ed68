"""The provider's Batch API (OpenAI's Files and Batches endpoints): a file of requests
uploaded, a batch made of it, polled, and its results downloaded. Every call goes through
the one retry layer; uploads and batches are named, so that a run killed between a call
and its record finds what it made instead of paying for it twice."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tenacity import Retrying

from summarizer.providers.chat import ModelClient, _one_line, _retry_policy

#: The Batch API's limits per input file.
MAX_BATCH_REQUESTS: int = 50_000
MAX_BATCH_BYTES: int = 200 * 1024 * 1024
#: Statuses after which a batch changes no more.
ENDED = frozenset({"completed", "failed", "expired", "cancelled"})
ENDPOINT = "/v1/chat/completions"


class BatchService:
    """The Files and Batches endpoints through `client`'s SDK, settings and retries."""

    def __init__(self, client: ModelClient, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self._sleep = sleep

    def _call(self, make: Callable[[], Any]) -> Any:
        try:
            for attempt in Retrying(**_retry_policy(self._sleep)):
                with attempt:
                    return make()
        except Exception as exc:
            raise _one_line(exc, self.client.settings, 1) from None

    def find_file(self, name: str) -> str | None:
        """The id of a batch input file uploaded under `name`, if there is one."""
        page = self._call(lambda: self.client.openai.files.list(purpose="batch"))
        return next((f.id for f in page if f.filename == name), None)  # every page

    def upload(self, name: str, data: bytes) -> str:
        """Upload a batch input file (unless one of that name is there); its id."""
        found = self.find_file(name)
        if found:
            return found
        made = self._call(lambda: self.client.openai.files.create(file=(name, data),
                                                                  purpose="batch"))  # fmt: skip
        return str(made.id)

    def find_batch(self, file_id: str) -> str | None:
        page = self._call(lambda: self.client.openai.batches.list())
        return next((b.id for b in page if b.input_file_id == file_id), None)  # every page

    def create(self, file_id: str, tag: str) -> str:
        """A batch of the file's requests (unless one of that file is there); its id."""
        found = self.find_batch(file_id)
        if found:
            return found
        made = self._call(lambda: self.client.openai.batches.create(
            input_file_id=file_id, endpoint=ENDPOINT, completion_window="24h",
            metadata={"made_by": "summarizer", "round": tag},
        ))  # fmt: skip
        return str(made.id)

    def status(self, batch_id: str) -> Any:
        return self._call(lambda: self.client.openai.batches.retrieve(batch_id))

    def content(self, file_id: str) -> bytes:
        return bytes(self._call(lambda: self.client.openai.files.content(file_id).content))
