"""What the benchmarks share: emptying the checks' memo caches between articles."""

from __future__ import annotations


def forget_memos() -> None:
    """Empty the checks' memo caches (parsed sentences, word keys), as an article unlike the
    one before finds them. The benchmarks repeat one article: kept warm, the memos would
    parse its sentences once for every run and flatter the figure by about a sixth."""
    from summarizer.grounding import attribution, text

    for module in (attribution, text):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
