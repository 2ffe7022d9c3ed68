"""Tokens and price per article, and per 1,000 articles live, with the prompt cache warm,
and through the Batch API, at the default model's prices (genai-prices' table).

    python benchmarks/cost.py

For the two reference articles: the prompt and completion tokens are those their recorded
answers report (`cassettes/`); the cached tokens are the prefix every request shares (the
schema, the system prompt), estimated at 4 characters a token and rounded down to OpenAI's
128-token cache steps, since no tokenizer of OpenAI's models ships offline.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.contract.defaults import DEFAULT_MODEL  # noqa: E402
from summarizer.providers.prices import estimated_cost  # noqa: E402
from summarizer.providers.settings import ModelSettings  # noqa: E402
from summarizer.runs.estimate import cached_prefix  # noqa: E402


def main() -> None:
    cached = cached_prefix(ModelSettings(api_key="x"))
    print(f"model {DEFAULT_MODEL}; prices from genai-prices; cached prefix {cached} tokens"
          " (estimated)")  # fmt: skip
    print(f"{'article':<20} {'prompt':>7} {'cached':>7} {'completion':>10}"
          f" {'live /1000':>11} {'cached /1000':>13} {'batch /1000':>12}")  # fmt: skip
    for name in ("aleppo-offensive-1", "aleppo-offensive-2"):
        answer = json.loads((ROOT / "tests/fixtures/responses" / f"clean-{name}.json").read_text())
        usage = answer["body"]["usage"]
        prompt, completion = usage["prompt_tokens"], usage["completion_tokens"]
        live = estimated_cost(DEFAULT_MODEL, prompt, 0, completion)
        warm = estimated_cost(DEFAULT_MODEL, prompt, min(cached, prompt), completion)
        batch = estimated_cost(DEFAULT_MODEL, prompt, 0, completion, batch=True)
        assert live is not None and warm is not None and batch is not None
        print(f"{name:<20} {prompt:>7} {min(cached, prompt):>7} {completion:>10}"
              f" {live * 1000:>10.2f}$ {warm * 1000:>12.2f}$ {batch * 1000:>11.2f}$")  # fmt: skip


if __name__ == "__main__":
    main()
