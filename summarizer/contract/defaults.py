"""Defaults shared by the CLI and the client, in a module light enough for `--help`."""

from __future__ import annotations

#: The model used unless --model or SUMMARIZER_MODEL says otherwise; it supports
#: Structured Outputs (strict JSON schema).
DEFAULT_MODEL: str = "gpt-4.1-mini"
#: Seconds before a request that has not answered is abandoned (and retried).
REQUEST_TIMEOUT: float = 120.0
#: Articles in flight in a batch unless --jobs says otherwise: about what a new key's rate
#: limits carry with answers of a few thousand tokens.
DEFAULT_JOBS: int = 8
#: Characters of article per model call: about 12,000 tokens, which leaves room for the
#: prompt and the answer in the context of current models.
WINDOW_CHARS: int = 48_000
