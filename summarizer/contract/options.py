"""How articles are summarised: one typed, checked object for one article, async, a batch
and the CLI, with every default defined once (in `contract.defaults`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from summarizer.contract.defaults import (
    DEFAULT_ON_PROBLEMS,
    DEFAULT_REPAIRS,
    DEFAULT_RESPONSE_FORMAT,
    MAX_REPAIRS,
    MIN_WINDOW_CHARS,
    ON_PROBLEMS,
    REQUEST_TIMEOUT,
    RESPONSE_FORMATS,
    WINDOW_CHARS,
    OnProblems,
    ResponseFormat,
)
from summarizer.contract.errors import InputError

#: The type each option must have (bool is refused where a number is wanted).
_TYPES: dict[str, tuple[type, ...]] = {
    "model": (str,), "base_url": (str,), "api_key": (str,), "timeout": (int, float),
    "max_tokens": (int,), "repairs": (int,), "on_problems": (str,), "window_chars": (int,),
    "response_format": (str,),
}  # fmt: skip
_MAY_BE_NONE = frozenset({"model", "base_url", "api_key", "max_tokens"})
_WANTED = {str: "a text", int: "a whole number", float: "a number"}


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class Options:
    """Settings of a summary. `model`, `base_url` and `api_key` left at None are taken from
    SUMMARIZER_MODEL, OPENAI_BASE_URL and OPENAI_API_KEY (then the default model).

    - `repairs`: calls after the first answer that send the model its problems;
    - `on_problems`: "flag" keeps items and marks their problems, "drop" removes them (into
      the document's `dropped`), "fail" raises `GroundingFailed` with the document;
    - `window_chars`: a longer article goes to the model in overlapping parts this long;
    - `timeout`: seconds to wait for one answer; `max_tokens`: cap on an answer;
    - `response_format`: "json_schema" (OpenAI's Structured Outputs) or "json_object" (the
      schema as llama.cpp's server and others take it).

    A bad value raises `InputError` at once, before any request is paid for.
    """

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = REQUEST_TIMEOUT
    max_tokens: int | None = None
    repairs: int = DEFAULT_REPAIRS
    on_problems: OnProblems = DEFAULT_ON_PROBLEMS
    window_chars: int = WINDOW_CHARS
    response_format: ResponseFormat = DEFAULT_RESPONSE_FORMAT

    def __post_init__(self) -> None:
        self._check_types()
        if self.response_format not in RESPONSE_FORMATS:
            raise InputError(
                f"response_format {self.response_format!r}: choose one of"
                f" {', '.join(RESPONSE_FORMATS)}"
            )
        if self.on_problems not in ON_PROBLEMS:
            raise InputError(
                f"on_problems {self.on_problems!r}: choose one of {', '.join(ON_PROBLEMS)}"
            )
        if not 0 <= self.repairs <= MAX_REPAIRS:
            raise InputError(f"repairs {self.repairs}: give a number from 0 to {MAX_REPAIRS}")
        if self.window_chars < MIN_WINDOW_CHARS:
            raise InputError(
                f"window_chars {self.window_chars}: give at least {MIN_WINDOW_CHARS} characters"
            )
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise InputError(f"timeout {self.timeout}: give a positive number of seconds")
        if self.base_url is not None and not _is_http_url(self.base_url):
            raise InputError(
                f"base_url {self.base_url!r}: give an http:// or https:// address, such as"
                " http://localhost:11434/v1"
            )
        if self.max_tokens is not None and self.max_tokens < 1:
            raise InputError(f"max_tokens {self.max_tokens}: give a positive number of tokens")

    def _check_types(self) -> None:
        """A value of the wrong type is bad input too (a float of repairs, a string of
        seconds), said as one line rather than as a TypeError deep in a run."""
        for name, kinds in _TYPES.items():
            value = getattr(self, name)
            if value is None and name in _MAY_BE_NONE:
                continue
            if isinstance(value, bool) or not isinstance(value, kinds):
                raise InputError(f"{name} {value!r}: give {_WANTED[kinds[-1]]}")

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        key = "[redacted]" if self.api_key else None
        return (f"Options(model={self.model!r}, base_url={self.base_url!r}, api_key={key}, "
                f"repairs={self.repairs}, on_problems={self.on_problems!r}, "
                f"window_chars={self.window_chars}, timeout={self.timeout!r}, "
                f"max_tokens={self.max_tokens!r})")  # fmt: skip
