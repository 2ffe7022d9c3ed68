"""`--dry-run`: the requests, tokens and price a run would take, before anything is sent.

No tokenizer of OpenAI's models ships offline (tiktoken downloads its tables), so tokens
are estimated from characters and labelled as estimates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.contract.options import Options
from summarizer.extraction.prompting import first_messages
from summarizer.extraction.windows import split_windows
from summarizer.providers.prices import estimated_cost
from summarizer.providers.settings import ModelSettings
from summarizer.sources.articles import Loaded

#: Characters per token of English prose and JSON, as OpenAI's tokenizers average them.
CHARS_PER_TOKEN: float = 4.0
#: Completion tokens per character of article: a dense extraction of the reference articles
#: took 0.94 and 1.03 (52 and 43 items for 5.7 and 4.5 KB).
COMPLETION_TOKENS_PER_CHAR: float = 1.0
#: OpenAI caches prompt prefixes in steps of this many tokens, from 1,024 on.
CACHE_STEP: int = 128
CACHE_MIN: int = 1024


@dataclass
class Estimate:
    articles: int = 0
    requests: int = 0
    most_requests: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0


def estimate(loaded: Iterable[Loaded], options: Options, settings: ModelSettings) -> Estimate:
    """What summarising these articles would take: one call per part of each article (and
    up to 1 + repairs with every repair), its tokens, and the prefix a cache would hold."""
    out, prefix = Estimate(), cached_prefix(settings)
    for item in loaded:
        if item.article is None:
            continue
        text = item.article.text
        parts = split_windows(text, options.window_chars)
        out.articles += 1
        out.requests += len(parts)
        out.most_requests += len(parts) * (1 + options.repairs)
        for start, end in parts:
            body = settings.encode(first_messages(text[start:end], title=item.article.title))
            out.prompt_tokens += round(len(body.decode()) / CHARS_PER_TOKEN)
            out.cached_tokens += prefix
            out.completion_tokens += round((end - start) * COMPLETION_TOKENS_PER_CHAR)
    out.cached_tokens = min(out.cached_tokens, out.prompt_tokens)
    return out


def cached_prefix(settings: ModelSettings) -> int:
    """Tokens of the prefix every request shares (what a warm cache holds), estimated."""
    probe = settings.encode(first_messages("\x00")).decode()
    shared = len(probe.split("\\u0000")[0])  # JSON writes the probe character as \u0000
    tokens = int(shared / CHARS_PER_TOKEN)
    return 0 if tokens < CACHE_MIN else tokens - tokens % CACHE_STEP


def summary_lines(e: Estimate, model: str) -> list[str]:
    """The dry run's report: requests, tokens, and the price live, cached and by batch."""
    live = estimated_cost(model, e.prompt_tokens, 0, e.completion_tokens)
    cached = estimated_cost(model, e.prompt_tokens, e.cached_tokens, e.completion_tokens)
    batch = estimated_cost(model, e.prompt_tokens, 0, e.completion_tokens, batch=True)

    def usd(x: float | None) -> str:
        return "unknown (no price for this model)" if x is None else f"${x:.4f}"

    return [
        f"dry run: {e.articles} article(s), {e.requests} request(s) (at most {e.most_requests}"
        f" with every repair) to {model}; nothing was sent",
        f"tokens (estimated: {CHARS_PER_TOKEN:g} characters a token): {e.prompt_tokens} prompt"
        f" ({e.cached_tokens} of them a cache could hold) + {e.completion_tokens} completion",
        f"price (estimated): live {usd(live)}; with the prompt cache warm {usd(cached)};"
        f" Batch API {usd(batch)}",
    ]

