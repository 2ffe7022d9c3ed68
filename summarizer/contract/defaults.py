"""Defaults, defined once for the CLI, the Python API and a batch, in a module light enough
for `--help`."""

from __future__ import annotations

from typing import Literal

#: The model used unless --model or SUMMARIZER_MODEL says otherwise; it supports
#: Structured Outputs (strict JSON schema).
DEFAULT_MODEL: str = "gpt-4.1-mini"
#: Seconds before a request that has not answered is abandoned (and retried).
REQUEST_TIMEOUT: float = 120.0
#: Articles in flight in a batch unless --jobs says otherwise: about what a new key's rate
#: limits carry with answers of a few thousand tokens.
DEFAULT_JOBS: int = 8
#: Most requests in flight a batch accepts (--jobs).
MAX_JOBS: int = 256
#: Most processes a batch's checks may run in (--check-processes).
MAX_CHECK_PROCESSES: int = 64
#: Characters of article per model call: about 12,000 tokens, which leaves room for the
#: prompt and the answer in the context of current models.
WINDOW_CHARS: int = 48_000
#: The shortest window allowed: shorter parts would cut most sentences' context.
MIN_WINDOW_CHARS: int = 2_000
#: Repair calls after the first answer: each sends the model its problems and asks again.
DEFAULT_REPAIRS: int = 1
#: The most repair calls allowed (each costs a full answer).
MAX_REPAIRS: int = 5

#: After repair: keep items and mark their problems, remove them, or fail the article.
OnProblems = Literal["flag", "drop", "fail"]
ON_PROBLEMS: tuple[str, ...] = ("flag", "drop", "fail")
DEFAULT_ON_PROBLEMS: OnProblems = "flag"

#: How the schema goes to the server: OpenAI's strict Structured Outputs, or the
#: `json_object` form with a schema that llama.cpp's server (and others) take.
ResponseFormat = Literal["json_schema", "json_object"]
RESPONSE_FORMATS: tuple[str, ...] = ("json_schema", "json_object")
DEFAULT_RESPONSE_FORMAT: ResponseFormat = "json_schema"
