"""How a failed request is told apart and told to the user: what is worth retrying, how long
the server asked to wait, and the one-line message, with keys redacted."""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from summarizer.contract.errors import FatalServiceError, ServiceError
from summarizer.contract.limits import MAX_SERVER_TEXT_CHARS

if TYPE_CHECKING:
    from summarizer.providers.settings import ModelSettings

#: The shortest key redacted by its value (a shorter one would blank ordinary words).
MIN_REDACTED_KEY_CHARS: int = 4
#: The longest `retry-after` honoured, in seconds; a server asking for more is not retried.
MAX_RETRY_AFTER: float = 60.0

#: What a server that refuses a request's shape says (a field, a type it does not take).
_SHAPE_RE = re.compile(
    r"response_format|json_schema|input should be '|extra (?:inputs|fields) (?:are )?not"
    r" permitted|unrecognized request argument|max_completion_tokens"
)
#: Shapes of API keys that servers echo in messages: OpenAI's (also masked), bearer tokens,
#: and the prefixed keys of other OpenAI-compatible providers.
_SECRET_RE = re.compile(
    r"\b(?:sk-[A-Za-z0-9_\-*]{3,}|Bearer\s+\S+|(?:gsk|xai|hf|sk|pk|rk)_[A-Za-z0-9]{8,}"
    r"|AIza[0-9A-Za-z_\-]{20,})"
)


class NotJSONBody(Exception):
    """The HTTP body of an answer is not JSON (a proxy's error page, a cut stream)."""


def check_body(completion: Any) -> Any:
    if not hasattr(completion, "choices"):
        raise NotJSONBody(f"a {type(completion).__name__} body")
    return completion


def redact(text: str, key: str | None = None) -> str:
    """Keep API keys (even masked ones a server echoes) out of messages and logs: the key in
    use by its value, whatever its shape or length (from `MIN_REDACTED_KEY_CHARS`), and
    anything shaped like a key."""
    if key and len(key) >= MIN_REDACTED_KEY_CHARS:
        text = text.replace(key, "[redacted]")
    return _SECRET_RE.sub("[redacted]", text)


def server_text(text: str, key: str | None = None) -> str:
    """A server's or model's words as they may be shown: redacted, and cut to
    `MAX_SERVER_TEXT_CHARS` (the redaction first, so a cut never leaves half a key)."""
    text = redact(text, key)
    if len(text) > MAX_SERVER_TEXT_CHARS:
        text = f"{text[:MAX_SERVER_TEXT_CHARS]}... ({len(text):,} characters)"
    return text


def public_url(url: str | None) -> str:
    """Where requests go, as messages name it: without user, password or query."""
    if not url:
        return "the OpenAI API"
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", "")) if host else url


def _server_message(exc: Any, key: str | None) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and body.get("message"):
        return server_text(str(body["message"]), key)
    return server_text(str(getattr(exc, "message", exc)), key)


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


def rejects_the_shape(exc: BaseException) -> bool:
    """Whether the server refused the request for its shape, which no retry changes: it
    does not take `response_format` `json_schema` (llama.cpp's server answers 500 "Input
    should be 'text' or 'json_object'"), or another field of ours."""
    import openai

    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in (400, 422, 500):
        return False
    said = _server_message(exc, None).lower()
    return bool(_SHAPE_RE.search(said)) and "invalid schema for response_format" not in said


def is_transient(exc: BaseException) -> bool:
    """Failures worth retrying: rate limits (not quota), 5xx, 408/409, timeouts, cut links;
    not a request whose shape the server refuses."""
    import openai

    if rejects_the_shape(exc):
        return False

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

    where, key = public_url(settings.base_url), settings.api_key
    after = f" (after {attempts} attempts)" if attempts > 1 else ""
    if rejects_the_shape(exc):
        return FatalServiceError(
            f"{where} does not take this request's shape ({exc.status_code}: "  # type: ignore[attr-defined]
            f"{_server_message(exc, key)}); a server without OpenAI's response_format"
            " json_schema (llama.cpp, older local servers) takes --response-format json_object"
        )
    if isinstance(exc, openai.AuthenticationError):
        return FatalServiceError(
            f"{where} rejected the API key (401): check OPENAI_API_KEY or --api-key"
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return FatalServiceError(f"{where} denied access (403): {_server_message(exc, key)}")
    if isinstance(exc, openai.NotFoundError):
        return FatalServiceError(
            f"model '{settings.model}' not found at {where} (404): choose another with"
            f" --model or SUMMARIZER_MODEL ({_server_message(exc, key)})"
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
                f"{where} refused the request ({exc.status_code}): {_server_message(exc, key)}"
            )
        said = _server_message(exc, key)
        return ServiceError(f"{where} failed ({exc.status_code}){after}: {said}; try again later")
    if isinstance(exc, openai.APITimeoutError):
        return ServiceError(
            f"{where} did not answer within {settings.timeout:g} s{after}; try again later"
        )
    if isinstance(exc, NotJSONBody):
        return ServiceError(f"{where} answered with a body that is not JSON{after}")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return ServiceError(f"cannot reach {where}{after}: {server_text(str(cause), key)}")
    return ServiceError(f"the model call failed: {server_text(str(exc), key)}")
