"""summarizer: structured, checkable summaries of news articles.

Public API (imported lazily, so that `summarizer --help` starts fast):
- `validate(article_text, extraction) -> GroundingReport`
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["GroundingReport", "validate"]

if TYPE_CHECKING:
    from summarizer.grounding import validate
    from summarizer.models import GroundingReport


def __getattr__(name: str) -> Any:
    if name == "validate":
        from summarizer.grounding import validate

        return validate
    if name == "GroundingReport":
        from summarizer.models import GroundingReport

        return GroundingReport
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
