"""summarizer: structured, checkable summaries of news articles.

Public API (imported lazily, so that `summarizer --help` starts fast):
- `summarize(text, ...) -> SummaryDocument`, and `asummarize`, its async twin
- `validate(article_text, extraction) -> GroundingReport`
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["GroundingReport", "SummaryDocument", "asummarize", "summarize", "validate"]

_LAZY = {
    "validate": "summarizer.grounding.checks",
    "summarize": "summarizer.extraction.steps",
    "asummarize": "summarizer.extraction.steps",
    "GroundingReport": "summarizer.contract.models",
    "SummaryDocument": "summarizer.contract.models",
}

if TYPE_CHECKING:
    from summarizer.grounding.checks import validate
    from summarizer.contract.models import GroundingReport, SummaryDocument
    from summarizer.extraction.steps import asummarize, summarize


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
