"""The model call: one request body to an OpenAI-compatible Chat Completions endpoint,
retried through tenacity (the SDK's own retries are off), and the answer's text.

The sync and async clients differ only in how they wait; each call counts every HTTP
request it sends (retries included) and every token into the article's `CallStats`.
Every failure becomes a `ServiceError` with one line that says what to do.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from summarizer.contract.calls import CallStats
from summarizer.contract.errors import FatalServiceError, ServiceError
from summarizer.providers.failures import (
    MAX_RETRY_AFTER,
    NotJSONBody,
    check_body,
    is_transient,
    public_url,
    redact,
    retry_after,
    server_text,
    service_error,
)
from summarizer.providers.ratelimit import MAX_UNANSWERED_IN_A_ROW, RateGate
from summarizer.providers.settings import ModelSettings

if TYPE_CHECKING:
    import openai

#: Requests per model call: the first and up to three retries of transient failures.
MAX_TRANSPORT_ATTEMPTS: int = 4
#: Backoff between retries when the server does not say how long to wait, in seconds.
RETRY_INITIAL_WAIT: float = 1.0
RETRY_MAX_WAIT: float = 20.0


@dataclass(frozen=True)
class Reply:
    """What is read of a Chat Completions answer: its text, or why there is none."""

    content: str | None
    refusal: str | None
    finish_reason: str | None


def read_reply(completion: Any) -> Reply:
    """The first choice of an SDK completion."""
    if not getattr(completion, "choices", None):
        raise ServiceError("the model's answer has no choices")
    choice = completion.choices[0]
    message = choice.message
    return Reply(message.content, getattr(message, "refusal", None), choice.finish_reason)


def reply_text(reply: Reply, key: str | None = None) -> str:
    """The answer's text; a refusal, a cut-off or a filtered answer is a `ServiceError`."""
    if reply.refusal:
        raise ServiceError(f"the model refused: {server_text(reply.refusal, key)}")
    if reply.finish_reason == "length":
        raise ServiceError(
            "the model's answer was cut off at its length limit (finish_reason length):"
            " the article may be too long for this model; raise --max-tokens or use a model"
            " with a larger output limit"
        )
    if reply.finish_reason == "content_filter":
        raise ServiceError("the provider's content filter stopped the answer (content_filter)")
    return reply.content or ""


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    asked = retry_after(exc) if exc else None
    if asked is not None:
        return asked
    backoff = wait_exponential_jitter(initial=RETRY_INITIAL_WAIT, max=RETRY_MAX_WAIT)
    return backoff(state)


def _retry_policy(sleep: Callable[[float], Any]) -> dict[str, Any]:
    """The one retry layer: transient failures, at most MAX_TRANSPORT_ATTEMPTS requests."""
    return {
        "stop": stop_after_attempt(MAX_TRANSPORT_ATTEMPTS),
        "wait": _wait,
        "retry": retry_if_exception(is_transient),
        "sleep": sleep,
        "reraise": True,
    }


def _one_line(exc: Exception, settings: ModelSettings, attempts: int) -> Exception:
    """What a failed call raises: our own errors as they are, the SDK's as one line
    (`attempts`: the requests this call made)."""
    import openai

    if isinstance(exc, NotJSONBody | openai.OpenAIError) and not isinstance(exc, ServiceError):
        error = service_error(exc, settings, attempts)
        return type(error)(redact(str(error), settings.api_key))
    return exc


def _answered(completion: Any, stats: CallStats, settings: ModelSettings) -> str:
    usage = getattr(completion, "usage", None)
    stats.prompt_tokens += getattr(usage, "prompt_tokens", 0) or 0
    stats.completion_tokens += getattr(usage, "completion_tokens", 0) or 0
    details = getattr(usage, "prompt_tokens_details", None)
    stats.cached_tokens += getattr(details, "cached_tokens", 0) or 0
    return reply_text(read_reply(completion), settings.api_key)


def _post(client: Any, body: bytes) -> Any:
    """POST the body as it is: the SDK's `post` for custom requests skips the type transform
    that `chat.completions.create` runs over every request (~3 ms, the schema included)."""
    from openai.types.chat import ChatCompletion

    return client.post("/chat/completions", content=body, cast_to=ChatCompletion)


class ModelClient:
    """Sync model calls. `openai_client` may be the caller's own `openai.OpenAI`; its
    retries are turned off. `sleep` is injectable so that tests never wait for real."""

    def __init__(
        self,
        settings: ModelSettings | None = None,
        *,
        openai_client: openai.OpenAI | None = None,
        http_client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or ModelSettings.from_env()
        if openai_client is None:
            import openai

            openai_client = openai.OpenAI(**self.settings.client_kwargs(), http_client=http_client)
        self.openai = openai_client.with_options(max_retries=0)
        self._sleep = sleep

    def fetch(self, body: bytes, stats: CallStats) -> str:
        """The answer's text to the request `body`, retried through transient failures."""
        before = stats.requests
        try:
            for attempt in Retrying(**_retry_policy(self._sleep)):
                with attempt:
                    stats.requests += 1
                    completion = self._create(body)
        except Exception as exc:
            raise _one_line(exc, self.settings, stats.requests - before) from None
        return _answered(completion, stats, self.settings)

    def _create(self, body: bytes) -> Any:
        try:
            return check_body(_post(self.openai, body))
        except json.JSONDecodeError as e:
            raise NotJSONBody(str(e)) from None


class AsyncModelClient:
    """The async twin of `ModelClient`; a batch's requests all pass its `gate`."""

    def __init__(
        self,
        settings: ModelSettings | None = None,
        *,
        openai_client: openai.AsyncOpenAI | None = None,
        http_client: Any = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        gate: RateGate | None = None,
    ) -> None:
        self.settings = settings or ModelSettings.from_env()
        self.gate = gate
        if openai_client is None:
            import openai

            openai_client = openai.AsyncOpenAI(
                **self.settings.client_kwargs(), http_client=http_client
            )
        self.openai = openai_client.with_options(max_retries=0)
        self._sleep = sleep

    async def fetch(self, body: bytes, stats: CallStats) -> str:
        """As `ModelClient.fetch`, through the batch's gate when there is one."""
        before = stats.requests
        try:
            async for attempt in AsyncRetrying(**_retry_policy(self._sleep)):
                with attempt:
                    completion = await self._send(body, stats)
        except Exception as exc:
            error = _one_line(exc, self.settings, stats.requests - before)
            if isinstance(error, FatalServiceError) and self.gate is not None:
                await self.gate.stop(str(error))  # nothing more goes out, not even now
            raise error from None
        return _answered(completion, stats, self.settings)

    async def _send(self, body: bytes, stats: CallStats) -> Any:
        """One request, through the batch's gate when there is one."""
        if self.gate is None:
            stats.requests += 1
            return await self._create(body)
        import openai

        await self.gate.acquire()
        stats.requests += 1
        try:
            completion = await self._create(body)
        except openai.APIConnectionError as exc:  # no answer at all (a timeout too)
            await asyncio.shield(self.gate.release())
            if self.gate.answered(False):
                raise self._server_down(exc) from None
            raise
        except openai.RateLimitError as exc:
            self.gate.answered(True)
            if getattr(exc, "code", None) == "insufficient_quota":
                await self.gate.release()  # not a rate: nothing to slow down for
            else:
                asked = retry_after(exc)
                pause = min(asked, MAX_RETRY_AFTER) if asked is not None else None
                await self.gate.release(rate_limited=True, retry_after=pause)
            raise
        except BaseException as exc:
            if isinstance(exc, openai.APIStatusError | NotJSONBody):
                self.gate.answered(True)  # an answer, if not a good one
            # Shielded: a call cancelled here still gives its slot back.
            await asyncio.shield(self.gate.release())
            raise
        self.gate.answered(True)
        usage = getattr(completion, "usage", None)
        self.gate.note_tokens(getattr(usage, "total_tokens", 0) or 0)
        await self.gate.release()
        return completion

    def _server_down(self, exc: Exception) -> FatalServiceError:
        where = public_url(self.settings.base_url)
        cause = service_error(exc, self.settings, 1)
        return FatalServiceError(
            f"{where} answered none of the last {MAX_UNANSWERED_IN_A_ROW} requests ({cause});"
            " it looks down: stopped sending, try again later"
        )

    async def _create(self, body: bytes) -> Any:
        try:
            return check_body(await _post(self.openai, body))
        except json.JSONDecodeError as e:
            raise NotJSONBody(str(e)) from None
