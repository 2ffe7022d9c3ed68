"""The model call: one request to an OpenAI-compatible Chat Completions endpoint with the
strict extraction schema, retried through tenacity (the SDK's own retries are off), and an
answer that is always re-checked against the JSON Schema (fastjsonschema) and with pydantic,
since local servers enforce a schema only partly.

Every failure becomes a `ServiceError` with one line that says what to do, or an
`InvalidAnswer` that the pipeline may re-ask once.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from summarizer.contract.errors import FatalServiceError, InputError, ServiceError
from summarizer.contract.models import Extraction
from summarizer.extraction.prompting import Message
from summarizer.providers.ratelimit import RateGate
from summarizer.contract.schemas import extraction_schema
from summarizer.contract.defaults import DEFAULT_MODEL, REQUEST_TIMEOUT

if TYPE_CHECKING:
    import openai

#: Requests per model call: the first and up to three retries of transient failures.
MAX_TRANSPORT_ATTEMPTS: int = 4
#: Backoff between retries when the server does not say how long to wait, in seconds.
RETRY_INITIAL_WAIT: float = 1.0
RETRY_MAX_WAIT: float = 20.0
#: The longest `retry-after` honoured, in seconds; a server asking for more is not retried.
MAX_RETRY_AFTER: float = 60.0
#: Name of the schema in the request (`response_format.json_schema.name`).
SCHEMA_NAME = "extraction"

#: Shapes of API keys that servers echo in messages: OpenAI's (also masked), bearer tokens,
#: and the prefixed keys of other OpenAI-compatible providers.
_SECRET_RE = re.compile(
    r"\b(?:sk-[A-Za-z0-9_\-*]{3,}|Bearer\s+\S+|(?:gsk|xai|hf|sk|pk|rk)_[A-Za-z0-9]{8,}"
    r"|AIza[0-9A-Za-z_\-]{20,})"
)


@dataclass(frozen=True)
class ModelSettings:
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = REQUEST_TIMEOUT
    temperature: float | None = 0.0
    max_tokens: int | None = None

    @classmethod
    def from_env(
        cls,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        **kw: Any,
    ) -> ModelSettings:
        """Options first, then SUMMARIZER_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY."""
        return cls(
            model=model or os.environ.get("SUMMARIZER_MODEL") or DEFAULT_MODEL,
            base_url=base_url or os.environ.get("OPENAI_BASE_URL") or None,
            api_key=api_key or os.environ.get("OPENAI_API_KEY") or None,
            **kw,
        )

    def client_kwargs(self) -> dict[str, Any]:
        if self.api_key is None and self.base_url is None:
            raise InputError(
                "no API key: set OPENAI_API_KEY (or pass --api-key), or point --base-url at"
                " an OpenAI-compatible server, or answer from recordings with --replay DIR"
            )
        return {
            # Local servers need no key, but the SDK wants one.
            "api_key": self.api_key or "not-needed",
            "base_url": self.base_url,
            "max_retries": 0,  # one retry layer: tenacity, here
            "timeout": self.timeout,
        }

    def request(self, messages: list[Message]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": extraction_schema()},
            },
        }
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_completion_tokens"] = self.max_tokens
        return body

    def encode(self, messages: list[Message]) -> bytes:
        """The request body as sent: JSON in UTF-8, as the SDK writes it. Sent as bytes, it
        spares the SDK a deep copy and an encoding of it per request (~20% of its work)."""
        body = self.request(messages)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Answer:
    extraction: Extraction
    content: str


@dataclass
class CallStats:
    """What the calls of one article cost: every request sent, every token used."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    log: list[str] = field(default_factory=list)


class NotJSONBody(Exception):
    """The HTTP body of an answer is not JSON (a proxy's error page, a cut stream)."""


def _check_body(completion: Any) -> Any:
    if not hasattr(completion, "choices"):
        raise NotJSONBody(f"a {type(completion).__name__} body")
    return completion


class InvalidAnswer(ServiceError):
    """The model answered, but not with JSON that fits the schema: worth asking again."""

    def __init__(self, message: str, content: str):
        super().__init__(message)
        self.content = content


def redact(text: str, key: str | None = None) -> str:
    """Keep API keys (even masked ones a server echoes) out of messages and logs: the key in
    use, whatever its shape, and anything shaped like a key."""
    if key and len(key) >= 8:
        text = text.replace(key, "[redacted]")
    return _SECRET_RE.sub("[redacted]", text)


# --- failures ------------------------------------------------------------------------------


def _server_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and body.get("message"):
        return redact(str(body["message"]))
    return redact(str(getattr(exc, "message", exc)))


def retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked to wait (`retry-after-ms`, `retry-after` seconds or date)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def is_transient(exc: BaseException) -> bool:
    """Failures worth retrying: rate limits (not quota), 5xx, 408/409, timeouts, cut links."""
    import openai

    if isinstance(exc, openai.RateLimitError):
        wait = retry_after(exc)
        return getattr(exc, "code", None) != "insufficient_quota" and (
            wait is None or wait <= MAX_RETRY_AFTER
        )
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409)
    return isinstance(exc, openai.APIConnectionError | NotJSONBody)  # and APITimeoutError


def service_error(exc: BaseException, settings: ModelSettings, attempts: int) -> ServiceError:
    """The one-line message for a failed call."""
    import openai

    where = settings.base_url or "the OpenAI API"
    after = f" (after {attempts} attempts)" if attempts > 1 else ""
    if isinstance(exc, openai.AuthenticationError):
        return FatalServiceError(
            f"{where} rejected the API key (401): check OPENAI_API_KEY or --api-key"
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return FatalServiceError(f"{where} denied access (403): {_server_message(exc)}")
    if isinstance(exc, openai.NotFoundError):
        return FatalServiceError(
            f"model '{settings.model}' not found at {where} (404): choose another with"
            f" --model or SUMMARIZER_MODEL ({_server_message(exc)})"
        )
    if isinstance(exc, openai.RateLimitError):
        if getattr(exc, "code", None) == "insufficient_quota":
            return FatalServiceError(
                f"{where}: the account has no quota left (429 insufficient_quota); check its"
                " plan and billing. Not retried."
            )
        wait = retry_after(exc)
        if wait is not None and wait > MAX_RETRY_AFTER:
            return FatalServiceError(
                f"{where} is rate limiting and asks to wait {wait:.0f} s (429); try again later"
            )
        return ServiceError(f"{where} is rate limiting (429){after}; try again later or slower")
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code in (400, 422):
            return ServiceError(
                f"{where} refused the request ({exc.status_code}): {_server_message(exc)}"
            )
        return ServiceError(
            f"{where} failed ({exc.status_code}){after}: {_server_message(exc)}; try again later"
        )
    if isinstance(exc, openai.APITimeoutError):
        return ServiceError(
            f"{where} did not answer within {settings.timeout:g} s{after}; try again later"
        )
    if isinstance(exc, NotJSONBody):
        return ServiceError(f"{where} answered with a body that is not JSON{after}")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return ServiceError(f"cannot reach {where}{after}: {redact(str(cause))}")
    return ServiceError(f"the model call failed: {redact(str(exc))}")


# --- the answer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What the pipeline needs of a Chat Completions answer: plain data, so that a batch
    can hand it from the process that talks to the network to the one that checks it."""

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


def parse_completion(completion: Any) -> Answer:
    """Check a Chat Completions answer and read the extraction out of it."""
    return parse_reply(read_reply(completion))


def parse_reply(reply: Reply) -> Answer:
    """Check an answer and read the extraction out of it: refusals and cut answers are
    service errors, content that is not a valid extraction is an `InvalidAnswer`."""
    if reply.refusal:
        raise ServiceError(f"the model refused: {redact(reply.refusal)}")
    if reply.finish_reason == "length":
        raise ServiceError(
            "the model's answer was cut off at its length limit (finish_reason length):"
            " the article may be too long for this model; raise --max-tokens or use a model"
            " with a larger output limit"
        )
    if reply.finish_reason == "content_filter":
        raise ServiceError("the provider's content filter stopped the answer (content_filter)")
    content = reply.content or ""
    if not content.strip():
        raise InvalidAnswer("the model's answer is empty", content)
    try:
        data = json.loads(content)
    except json.JSONDecodeError as e:
        raise InvalidAnswer(
            f"the model's answer is not JSON ({e.msg} at character {e.pos})",
            content,
        ) from None
    problem = schema_problem(data)
    if problem:
        raise InvalidAnswer(
            f"the model's answer breaks the schema: {problem}",
            content,
        )
    try:
        extraction = Extraction.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidAnswer(
            f"the model's answer breaks the schema at {where}: {first['msg']}",
            content,
        ) from None
    return Answer(extraction, content)


@lru_cache(maxsize=1)
def _schema_validator() -> Callable[[Any], Any]:
    """The extraction schema compiled to Python once (fastjsonschema: ~0.5 ms per answer,
    where the jsonschema package takes ~8 ms on a 50-item extraction)."""
    import fastjsonschema

    return fastjsonschema.compile(extraction_schema())


def schema_problem(data: Any) -> str | None:
    """The first place where `data` breaks the extraction schema, or None."""
    import fastjsonschema

    try:
        _schema_validator()(data)
    except fastjsonschema.JsonSchemaValueException as e:
        where = "/".join(str(p) for p in (e.path or [])[1:]) or "(top level)"
        return f"{where}: {e.message.removeprefix('data.').removeprefix('data ')[:200]}"
    return None


# --- the call, sync and async --------------------------------------------------------------


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    asked = retry_after(exc) if exc else None
    if asked is not None:
        return asked
    backoff = wait_exponential_jitter(initial=RETRY_INITIAL_WAIT, max=RETRY_MAX_WAIT)
    return backoff(state)


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
        self._client = openai_client.with_options(max_retries=0)
        self._sleep = sleep

    def complete(self, messages: list[Message], stats: CallStats) -> Answer:
        return parse_reply(self.fetch(messages, stats))

    def fetch(self, messages: list[Message], stats: CallStats) -> Reply:
        """The answer to `messages`, retried through transient failures; not yet checked."""
        body = self.settings.encode(messages)
        before = stats.requests
        try:
            for attempt in Retrying(**_retry_policy(self._sleep)):
                with attempt:
                    stats.requests += 1
                    completion = self._create(body)
        except Exception as exc:
            raise _one_line(exc, self.settings, stats.requests - before) from None
        _count_usage(completion, stats)
        return read_reply(completion)

    def _create(self, body: bytes) -> Any:
        """POST the body as it is: the SDK's `post` for custom requests skips the type
        transform that `chat.completions.create` runs over every request (~3 ms here, the
        schema included); the body is JSON already."""
        from openai.types.chat import ChatCompletion

        try:
            return _check_body(
                self._client.post("/chat/completions", content=body, cast_to=ChatCompletion)
            )
        except json.JSONDecodeError as e:
            raise NotJSONBody(str(e)) from None


class AsyncModelClient:
    """The async twin of `ModelClient`, for many articles at once."""

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
        self._client = openai_client.with_options(max_retries=0)
        self._sleep = sleep

    async def complete(self, messages: list[Message], stats: CallStats) -> Answer:
        return parse_reply(await self.fetch(messages, stats))

    async def fetch(self, messages: list[Message] | bytes, stats: CallStats) -> Reply:
        """As `ModelClient.fetch`, through the batch's gate when there is one; a batch's
        worker sends the body already encoded (`settings.encode`)."""
        body = messages if isinstance(messages, bytes) else self.settings.encode(messages)
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
        _count_usage(completion, stats)
        return read_reply(completion)

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
        except openai.RateLimitError as exc:
            if getattr(exc, "code", None) == "insufficient_quota":
                await self.gate.release()  # not a rate: nothing to slow down for
            else:
                asked = retry_after(exc)
                pause = min(asked, MAX_RETRY_AFTER) if asked is not None else None
                await self.gate.release(rate_limited=True, retry_after=pause)
            raise
        except BaseException:
            # Shielded: a call cancelled here (its worker died) still gives its slot back.
            await asyncio.shield(self.gate.release())
            raise
        await self.gate.release()
        return completion

    async def _create(self, body: bytes) -> Any:
        """As `ModelClient._create`."""
        from openai.types.chat import ChatCompletion

        try:
            return _check_body(
                await self._client.post("/chat/completions", content=body, cast_to=ChatCompletion)
            )
        except json.JSONDecodeError as e:
            raise NotJSONBody(str(e)) from None


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


def _count_usage(completion: Any, stats: CallStats) -> None:
    usage = getattr(completion, "usage", None)
    stats.prompt_tokens += getattr(usage, "prompt_tokens", 0) or 0
    stats.completion_tokens += getattr(usage, "completion_tokens", 0) or 0
