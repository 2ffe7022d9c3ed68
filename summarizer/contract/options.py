"""How articles are summarised: one typed, checked object for one article, async, a batch
and the CLI, with every default defined once (in `contract.defaults`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from summarizer.contract.defaults import (
    DEFAULT_ON_PROBLEMS,
    DEFAULT_REPAIRS,
    MAX_REPAIRS,
    MIN_WINDOW_CHARS,
    ON_PROBLEMS,
    REQUEST_TIMEOUT,
    WINDOW_CHARS,
    OnProblems,
)
from summarizer.contract.errors import InputError


@dataclass(frozen=True)
class Options:
    """Settings of a summary. `model`, `base_url` and `api_key` left at None are taken from
    SUMMARIZER_MODEL, OPENAI_BASE_URL and OPENAI_API_KEY (then the default model).

    - `repairs`: calls after the first answer that send the model its problems;
    - `on_problems`: "flag" keeps items and marks their problems, "drop" removes them (into
      the document's `dropped`), "fail" raises `GroundingFailed` with the document;
    - `window_chars`: a longer article goes to the model in overlapping parts this long;
    - `timeout`: seconds to wait for one answer; `max_tokens`: cap on an answer.

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

    def __post_init__(self) -> None:
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
        if self.max_tokens is not None and self.max_tokens < 1:
            raise InputError(f"max_tokens {self.max_tokens}: give a positive number of tokens")

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        key = "[redacted]" if self.api_key else None
        return (f"Options(model={self.model!r}, base_url={self.base_url!r}, api_key={key}, "
                f"repairs={self.repairs}, on_problems={self.on_problems!r}, "
                f"window_chars={self.window_chars}, timeout={self.timeout!r}, "
                f"max_tokens={self.max_tokens!r})")  # fmt: skip
