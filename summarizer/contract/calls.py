"""What the model calls of one article cost, counted as they happen."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CallStats:
    """Every HTTP request sent for one article (retries included: the document's
    `provenance.attempts`), every token used, and a line per call for `-v`."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Of the prompt tokens, those read from the server's prompt cache.
    cached_tokens: int = 0
    log: list[str] = field(default_factory=list)
