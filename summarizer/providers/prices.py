"""What a run costs, estimated from a maintained price table (genai-prices, which ships its
data: no request is made), with cached input and the Batch API's discount applied."""

from __future__ import annotations

from functools import lru_cache

#: What the Batch API charges of the live price (OpenAI: half).
BATCH_DISCOUNT: float = 0.5


@lru_cache(maxsize=64)
def _known(model: str) -> bool:
    return estimated_cost(model, 1, 0, 1, check=False) is not None


def estimated_cost(
    model: str,
    prompt_tokens: int,
    cached_tokens: int,
    completion_tokens: int,
    *,
    batch: bool = False,
    check: bool = True,
) -> float | None:
    """US dollars for these tokens of `model`, or None when its price is unknown."""
    if check and not _known(model):
        return None
    from genai_prices import Usage, calc_price

    usage = Usage(input_tokens=prompt_tokens, cache_read_tokens=cached_tokens,
                  output_tokens=completion_tokens)  # fmt: skip
    try:
        price = calc_price(usage, model_ref=model)
    except LookupError:
        return None
    cost = float(price.total_price) * (BATCH_DISCOUNT if batch else 1.0)
    return round(cost, 6)
