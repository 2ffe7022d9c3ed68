"""One gate for every request of a batch: how many may be in flight, when the next may go,
and how many the run may send in all.

On a 429 the whole batch slows down: the number in flight is halved and nobody sends before
the time the server asked for (`retry-after`); every `limit` successes in a row then let one
more in, up to the --jobs ceiling (additive increase, multiplicative decrease).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable, Mapping

from summarizer.contract.errors import NotSent, ServiceError

#: Pause for the whole batch after a 429 that says nothing about how long to wait, seconds.
DEFAULT_RATE_LIMIT_PAUSE: float = 1.0
#: Tokens a request is expected to take before any answer said (a 50-item answer and its
#: prompt take about 8,000).
EXPECTED_TOKENS: int = 8_000
#: Weight of the newest request in the running mean of tokens per request.
TOKENS_SMOOTHING: float = 0.2
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
#: Requests in a row, across the batch, that got no answer at all (connection refused or
#: cut, timeout) before the server is taken for down and the sending stops.
MAX_UNANSWERED_IN_A_ROW: int = 10
#: The longest a server's reset header holds the batch, in seconds.
MAX_PACING_WAIT: float = 60.0


class RequestCapReached(ServiceError):
    """--max-requests is spent: the article is recorded as failed and redone next run."""


def duration(text: str | None) -> float | None:
    """Seconds in a reset header ("1s", "6m0s", "20ms", "1h2m3.5s"), or None."""
    if not text:
        return None
    parts = _DURATION_RE.findall(text)
    if not parts:
        return _number(text)
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


class RateGate:
    def __init__(
        self,
        max_in_flight: int,
        *,
        max_requests: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ceiling = max_in_flight
        self.limit = max_in_flight
        self.max_requests = max_requests
        self.in_flight = 0
        self.sent = 0
        self.not_before = 0.0
        self.rate_limited = 0
        #: Why the gate closed for good (a failure every further request would meet).
        self.stopped: str | None = None
        self._successes = 0
        #: Requests in a row that got no answer (any answer, an error too, resets it).
        self.unanswered = 0
        #: Mean tokens (prompt and completion) of a request, as answers report them.
        self.tokens_per_request: float = EXPECTED_TOKENS
        #: Times the gate held requests back because the server's limits were nearly spent.
        self.paced = 0
        self._clock = clock
        self._changed = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._changed:
            while True:
                if self.stopped is not None:
                    raise NotSent(self.stopped)
                if self.max_requests is not None and self.sent >= self.max_requests:
                    raise RequestCapReached(
                        f"the run has sent its --max-requests {self.max_requests} requests"
                    )
                pause = self.not_before - self._clock()
                if pause > 0:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), pause)
                elif self.in_flight >= self.limit:
                    await self._changed.wait()
                else:
                    break
            self.in_flight += 1
            self.sent += 1

    async def release(
        self, *, rate_limited: bool = False, retry_after: float | None = None
    ) -> None:
        async with self._changed:
            self.in_flight -= 1
            if rate_limited:
                self.rate_limited += 1
                self.limit = max(1, self.limit // 2)
                self._successes = 0
                pause = retry_after if retry_after is not None else DEFAULT_RATE_LIMIT_PAUSE
                self.not_before = max(self.not_before, self._clock() + pause)
            else:
                self._successes += 1
                if self.limit < self.ceiling and self._successes >= self.limit:
                    self.limit += 1
                    self._successes = 0
            self._changed.notify_all()

    def observe(self, headers: Mapping[str, str]) -> None:
        """Read a response's rate-limit headers (`x-ratelimit-remaining-tokens` and
        `-requests`, and their `reset`): when what is left would not carry the requests in
        flight and the next one, nobody sends before the reset, so a key with a tokens-per-
        minute limit runs at that limit rather than into 429s."""
        wait = 0.0
        tokens = _number(headers.get("x-ratelimit-remaining-tokens"))
        if tokens is not None and tokens < self.tokens_per_request * (self.in_flight + 1):
            wait = max(wait, duration(headers.get("x-ratelimit-reset-tokens")) or 0.0)
        requests = _number(headers.get("x-ratelimit-remaining-requests"))
        if requests is not None and requests < self.in_flight + 1:
            wait = max(wait, duration(headers.get("x-ratelimit-reset-requests")) or 0.0)
        if wait > 0:
            self.paced += 1
            self.not_before = max(self.not_before, self._clock() + min(wait, MAX_PACING_WAIT))

    def note_tokens(self, tokens: int) -> None:
        """What an answered request took, for the running mean."""
        if tokens > 0:
            self.tokens_per_request += TOKENS_SMOOTHING * (tokens - self.tokens_per_request)

    def answered(self, answered: bool) -> bool:
        """Count a request that got an answer (of any status) or none; True when
        MAX_UNANSWERED_IN_A_ROW in a row got none: the server is down."""
        self.unanswered = 0 if answered else self.unanswered + 1
        return self.unanswered >= MAX_UNANSWERED_IN_A_ROW

    async def stop(self, reason: str) -> None:
        """Let nothing more through, and wake those waiting to tell them why."""
        async with self._changed:
            self.stopped = self.stopped or reason
            self._changed.notify_all()
