"""summarizer: structured, checkable summaries of news articles.

The public API (imported on first use, so that `summarizer --help` starts fast):

- `summarize(text, ...) -> SummaryDocument` and `asummarize`, its async twin; settings in
  `Options` (or the common ones as keywords);
- `run_batch(articles, outdir, options, BatchOptions(...)) -> BatchReport`: many articles,
  each ending as `OUTDIR/<id>.json` or a line of `OUTDIR/errors.jsonl`;
- `validate(article_text, extraction) -> GroundingReport`: the checks alone;
- `compare(documents) -> StoryDocument`: several outlets' reports of one event lined up;
- the contract's models (`SummaryDocument`, `Extraction`, `GroundingReport`...), and
- the errors to catch: `UserError` and its kinds `InputError`, `ServiceError`,
  `FatalServiceError`, `GroundingFailed` (each has `.exit_code`, its message is one line).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "ArticleInput",
    "ArticleMeta",
    "BatchOptions",
    "BatchReport",
    "CallStats",
    "Claim",
    "DroppedItem",
    "Event",
    "Extraction",
    "FatalServiceError",
    "Figure",
    "GroundingFailed",
    "GroundingReport",
    "InputError",
    "ItemReport",
    "Options",
    "Problem",
    "Provenance",
    "ServiceError",
    "StoryDocument",
    "SummaryDocument",
    "Usage",
    "UserError",
    "arun_batch",
    "asummarize",
    "compare",
    "run_batch",
    "summarize",
    "validate",
]

#: Where each public name lives: imported when first used.
_HOMES = {
    "summarizer.pipeline.article": ["summarize", "asummarize"],
    "summarizer.grounding.checks": ["validate"],
    "summarizer.story.compare": ["compare"],
    "summarizer.contract.story": ["StoryDocument"],
    "summarizer.runs.batch": ["run_batch", "arun_batch", "BatchOptions"],
    "summarizer.runs.outcomes": ["BatchReport"],
    "summarizer.contract.options": ["Options"],
    "summarizer.contract.article": ["ArticleInput"],
    "summarizer.contract.calls": ["CallStats"],
    "summarizer.contract.models": [
        "SummaryDocument", "Extraction", "Actor", "Event", "Claim", "Figure", "GroundingReport",
        "ItemReport", "Problem", "ArticleMeta", "Provenance", "Usage", "DroppedItem",
    ],
    "summarizer.contract.errors": [
        "UserError", "InputError", "ServiceError", "FatalServiceError", "GroundingFailed",
    ],
}  # fmt: skip
_LAZY = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:
    from summarizer.contract.article import ArticleInput
    from summarizer.contract.calls import CallStats
    from summarizer.contract.errors import (
        FatalServiceError,
        GroundingFailed,
        InputError,
        ServiceError,
        UserError,
    )
    from summarizer.contract.models import (
        Actor,
        ArticleMeta,
        Claim,
        DroppedItem,
        Event,
        Extraction,
        Figure,
        GroundingReport,
        ItemReport,
        Problem,
        Provenance,
        SummaryDocument,
        Usage,
    )
    from summarizer.contract.options import Options
    from summarizer.contract.story import StoryDocument
    from summarizer.grounding.checks import validate
    from summarizer.pipeline.article import asummarize, summarize
    from summarizer.runs.batch import BatchOptions, arun_batch, run_batch
    from summarizer.runs.outcomes import BatchReport
    from summarizer.story.compare import compare


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return [*__all__, "__version__"]
