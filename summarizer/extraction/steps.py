"""The steps of one article, from its text to a checked summary document, without I/O.

One call to the model; when the grounding report has problems, up to `repairs` more calls
that send the model its answer and the problems item by item; the attempt with the fewest
problems is kept. Then `on_problems` decides: `flag` keeps the items and their problems,
`drop` removes them (listing them in `dropped`), `fail` raises `GroundingFailed`.

The steps are a generator that yields what it needs done, messages to send (`Call`) or
checks to run (`Check`), and receives the result: an `Answer`, or an `InvalidAnswer`
thrown in. The drivers in `summarizer.pipeline` run it, sync or async, for one article or
a batch.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from summarizer.contract.article import ArticleInput
from summarizer.contract.calls import CallStats
from summarizer.contract.errors import GroundingFailed
from summarizer.contract.models import (
    SCHEMA_VERSION,
    DroppedItem,
    Extraction,
    GroundingReport,
    Provenance,
    SummaryDocument,
    Usage,
)
from summarizer.contract.options import Options
from summarizer.extraction.answers import Answer, InvalidAnswer
from summarizer.extraction.dropping import drop_items_with_problems
from summarizer.extraction.prompting import (
    Message,
    first_messages,
    invalid_answer_messages,
    prompt_version,
    repair_messages,
)
from summarizer.extraction.windows import merge_extractions, split_windows


@dataclass(frozen=True)
class Call:
    """A request from the steps to their driver: send these messages to the model."""

    messages: list[Message]


@dataclass(frozen=True)
class Check:
    """A request from the steps to their driver: run the grounding checks."""

    text: str
    extraction: Extraction


Request = Call | Check
Steps = Generator[Request, Any, SummaryDocument]


def model_calls(repairs: int, windows: int = 1) -> int:
    """The most model calls one article can take (each may be retried by its client)."""
    return windows * (1 + repairs)


def article_steps(article: ArticleInput, options: Options, model: str, stats: CallStats) -> Steps:
    """The steps of `article`; `model` is recorded in the provenance, `stats` counted by the
    driver's client."""
    windows = split_windows(article.text, options.window_chars)
    meta = {"title": article.title, "source": article.source, "published": article.published}
    if len(windows) == 1:
        first = first_messages(article.text, **meta)
        extraction, report = yield from _extract(article.text, first, options.repairs, stats, "")
    else:
        parts = []
        for i, (start, end) in enumerate(windows, start=1):
            part = article.text[start:end]
            first = first_messages(part, **meta, part=(i, len(windows)))
            label = f"part {i}: "
            extracted, _ = yield from _extract(part, first, options.repairs, stats, label)
            parts.append(extracted)
        extraction = merge_extractions(parts)
        report = yield Check(article.text, extraction)
        stats.log.append(f"{len(windows)} parts merged: {_count(report)} problem(s)")
    dropped: list[DroppedItem] = []
    if options.on_problems == "drop":
        extraction, report, dropped = drop_items_with_problems(article.text, extraction, report)
    document = _document(article, extraction, report, dropped, model, stats)
    if options.on_problems == "fail" and not report.ok:
        raise GroundingFailed(document)
    return document


def _extract(
    text: str, first: list[Message], repairs: int, stats: CallStats, label: str
) -> Generator[Request, Any, tuple[Extraction, GroundingReport]]:
    """One call, and up to `repairs` more; the attempt with the fewest problems."""
    messages = first
    best: tuple[Extraction, GroundingReport] | None = None
    for attempt in range(1 + repairs):
        try:
            answer: Answer = yield Call(messages)
        except InvalidAnswer as invalid:
            stats.log.append(f"{label}call {attempt + 1}: {invalid}")
            if attempt == repairs:
                if best is None:
                    raise
                break
            messages = invalid_answer_messages(first, invalid.content, str(invalid))
            continue
        report = yield Check(text, answer.extraction)
        stats.log.append(f"{label}call {attempt + 1}: {_count(report)} problem(s)")
        if best is None or _count(report) <= _count(best[1]):
            best = (answer.extraction, report)
        if report.ok:
            break
        if attempt < repairs:
            messages = repair_messages(first, answer.extraction, report)
    assert best is not None
    return best


def _document(
    article: ArticleInput,
    extraction: Extraction,
    report: GroundingReport,
    dropped: list[DroppedItem],
    model: str,
    stats: CallStats,
) -> SummaryDocument:
    return SummaryDocument(
        schema_version=SCHEMA_VERSION,
        article=article.meta(),
        extraction=extraction,
        grounding=report,
        provenance=Provenance(
            model=model,
            prompt_version=prompt_version(),
            schema_version=SCHEMA_VERSION,
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            attempts=stats.requests,
            usage=Usage(
                prompt_tokens=stats.prompt_tokens,
                completion_tokens=stats.completion_tokens,
                cached_tokens=stats.cached_tokens,
            ),
        ),
        dropped=dropped,
    )


def _count(report: GroundingReport) -> int:
    return sum(len(item.problems) for item in report.items.values())
