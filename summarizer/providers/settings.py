"""Where and how requests go: the model, the server, the key, and the request body."""

from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from summarizer.contract.defaults import DEFAULT_MODEL, REQUEST_TIMEOUT, ResponseFormat
from summarizer.contract.errors import InputError
from summarizer.contract.options import Options
from summarizer.contract.schemas import extraction_schema

#: Name of the schema in the request (`response_format.json_schema.name`).
SCHEMA_NAME = "extraction"

Message = dict[str, str]


@dataclass(frozen=True)
class ModelSettings:
    """The model and server of a run; `api_key` never leaves this object but for the
    SDK client (errors are redacted with it)."""

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = REQUEST_TIMEOUT
    temperature: float | None = 0.0
    max_tokens: int | None = None
    #: "json_schema": OpenAI's strict Structured Outputs; "json_object": the schema as
    #: llama.cpp's server takes it (`{"type": "json_object", "schema": ...}`, `max_tokens`).
    response_format: ResponseFormat = "json_schema"
    #: Send `prompt_cache_key` (OpenAI routes requests of one key to one cache). None: when
    #: the server is OpenAI's (no --base-url, or an openai.com address).
    cache_key: bool | None = None
    #: The requests go through the provider's Batch API (priced at its discount).
    batch_api: bool = False

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        key = "[redacted]" if self.api_key else None
        return (f"ModelSettings(model={self.model!r}, base_url={self.base_url!r}, "
                f"api_key={key}, timeout={self.timeout!r})")  # fmt: skip

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
            "max_retries": 0,  # one retry layer: tenacity, in providers.chat
            "timeout": self.timeout,
        }

    def request(
        self, messages: list[Message], name: str = SCHEMA_NAME, schema: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The Chat Completions request for `messages`, with the extraction schema (or the
        strict `schema` called `name`), laid out for prompt caching: what is the same for
        every article (the model, the cache key, the schema, the system prompt) comes first
        and byte for byte the same; the messages, the article last, end it."""
        body: dict[str, Any] = {"model": self.model}
        if self.response_format == "json_object":
            plain = plain_schema() if schema is None else _without_max_items(schema)
            response_format: dict[str, Any] = {"type": "json_object", "schema": plain}
        else:
            strict = {"name": name, "strict": True, "schema": schema or extraction_schema()}
            response_format = {"type": "json_schema", "json_schema": strict}
        if self._sends_cache_key():
            body["prompt_cache_key"] = cache_key(messages[0]["content"] if messages else "", name)
        body["response_format"] = response_format
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            cap = "max_tokens" if self.response_format == "json_object" else "max_completion_tokens"
            body[cap] = self.max_tokens
        body["messages"] = messages
        return body

    def _sends_cache_key(self) -> bool:
        if self.cache_key is not None:
            return self.cache_key
        return self.response_format == "json_schema" and (
            self.base_url is None or "openai.com" in self.base_url
        )

    def encode(
        self, messages: list[Message], name: str = SCHEMA_NAME, schema: dict[str, Any] | None = None
    ) -> bytes:
        """The request body as sent: JSON in UTF-8, as the SDK writes it. Sent as bytes, it
        spares the SDK a deep copy and an encoding of it per request (~20% of its work)."""
        body = self.request(messages, name, schema)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@lru_cache(maxsize=64)
def cache_key(system_prompt: str, schema_name: str) -> str:
    """The prompt cache key of requests that share their system prompt and schema: the same
    for a whole run, and for every run of the same prompts."""
    digest = hashlib.sha256(f"{schema_name}\0{system_prompt}".encode()).hexdigest()[:16]
    return f"summarizer-{schema_name}-{digest}"


def settings_for(options: Options) -> ModelSettings:
    """The settings of a run: the options, then the environment, then the defaults."""
    return ModelSettings.from_env(
        model=options.model, base_url=options.base_url, api_key=options.api_key,
        timeout=options.timeout, max_tokens=options.max_tokens,
        response_format=options.response_format,
    )  # fmt: skip


@lru_cache(maxsize=1)
def plain_schema() -> dict[str, Any]:
    """The extraction schema as `_without_max_items` gives it."""
    return _without_max_items(extraction_schema())


def _without_max_items(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` without `maxItems`, for servers that build a grammar from the
    schema (llama.cpp): a bound of N items becomes N nested rules there, and the grammar of
    the contract's limits is too large to parse. The answer is held to the limits when it is
    read (`extraction.answers`), so a degenerate model is refused, not obeyed."""
    schema = copy.deepcopy(schema)
    frontier: list[Any] = [schema]
    while frontier:
        node = frontier.pop()
        if isinstance(node, dict):
            node.pop("maxItems", None)
            frontier += node.values()
        elif isinstance(node, list):
            frontier += node
    return schema
