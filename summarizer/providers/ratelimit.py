"""One gate for every request of a batch: how many may be in flight, when the next may go,
and how many the run may send in all.

On a 429 the whole batch slows down: the number in flight is halved and nobody sends before
the time the server asked for (`retry-after`); every `limit` successes in a row then let one
more in, up to the --jobs ceiling (additive increase, multiplicative decrease).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from summarizer.contract.errors import NotSent, ServiceError

#: Pause for the whole batch after a 429 that says nothing about how long to wait, seconds.
DEFAULT_RATE_LIMIT_PAUSE: float = 1.0
#: Requests in a row, across the batch, that got no answer at all (connection refused or
#: cut, timeout) before the server is taken for down and the sending stops.
MAX_UNANSWERED_IN_A_ROW: int = 10


class RequestCapReached(ServiceError):
    """--max-requests is spent: the article is recorded as failed and redone next run."""


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
