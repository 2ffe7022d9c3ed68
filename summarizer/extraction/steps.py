"""`summarize`: article in, checked summary document out.

One call to the model; when the grounding report has problems, up to `repairs` more calls
that send the model its answer and the problems item by item; the attempt with the fewest
problems is kept. Then `on_problems` decides: `flag` keeps the items and their problems,
`drop` removes them (listing them in `dropped`), `fail` raises `GroundingFailed`.

The steps are written once, as a generator that yields what it needs done (messages to
send, or a grounding `Check`) and receives the result, so the sync `summarize`, the async
`asummarize` and a batch's worker processes (which get their answers through a pipe) share
them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from summarizer.providers.chat import (
    MAX_TRANSPORT_ATTEMPTS,
    Answer,
    AsyncModelClient,
    CallStats,
    InvalidAnswer,
    ModelClient,
    ModelSettings,
)
from summarizer.contract.errors import EXIT_PROBLEMS, UserError
from summarizer.grounding.checks import SUMMARY_ITEM, validate
from summarizer.contract.models import (
    SCHEMA_VERSION,
    ArticleMeta,
    DroppedItem,
    Extraction,
    GroundingReport,
    Provenance,
    SummaryDocument,
    Usage,
)
from summarizer.extraction.prompting import (
    Message,
    first_messages,
    invalid_answer_messages,
    prompt_version,
    repair_messages,
)
from summarizer.extraction.windows import WINDOW_CHARS, merge_extractions, split_windows

if TYPE_CHECKING:
    import openai

OnProblems = Literal["flag", "drop", "fail"]
#: Repair calls after the first answer, unless told otherwise.
DEFAULT_REPAIRS: int = 1
#: Rounds of dropping: removing an actor can leave a claim that names it dangling.
MAX_DROP_ROUNDS: int = 5


class GroundingFailed(UserError):
    """`on_problems="fail"` and problems remain; the document is attached, not lost."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, document: SummaryDocument) -> None:
        bad = [k for k, r in document.grounding.items.items() if r.problems]
        super().__init__(
            f"{len(bad)} item(s) still have problems after repair: {', '.join(bad[:8])}"
            + (" ..." if len(bad) > 8 else "")
        )
        self.document = document


@dataclass(frozen=True)
class ArticleInput:
    text: str
    id: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None

    def meta(self) -> ArticleMeta:
        sha = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        return ArticleMeta(
            id=self.id or sha[:16], title=self.title, source=self.source, url=self.url,
            published=self.published, sha256=sha, chars=len(self.text),
        )  # fmt: skip


@dataclass(frozen=True)
class Check:
    """A request from the steps to their driver: run the grounding checks."""

    text: str
    extraction: Extraction


Request = list[Message] | Check


def request_bound(repairs: int, windows: int = 1) -> int:
    """The most requests one article can cost: each call and each of its retries."""
    return windows * (1 + repairs) * MAX_TRANSPORT_ATTEMPTS


def _extract(
    text: str, first: list[Message], repairs: int, stats: CallStats, label: str
) -> Generator[Request, Any, tuple[Extraction, GroundingReport]]:
    """One call, and up to `repairs` more; the attempt with the fewest problems."""
    messages = first
    best: tuple[Extraction, GroundingReport] | None = None
    for attempt in range(1 + repairs):
        try:
            answer = yield messages
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


def _steps(
    article: ArticleInput,
    model: str,
    repairs: int,
    on_problems: OnProblems,
    stats: CallStats,
    window_chars: int = WINDOW_CHARS,
) -> Generator[Request, Any, SummaryDocument]:
    windows = split_windows(article.text, window_chars)
    if len(windows) == 1:
        first = first_messages(
            article.text, title=article.title, source=article.source, published=article.published
        )
        extraction, report = yield from _extract(article.text, first, repairs, stats, "")
    else:
        parts = []
        for i, (start, end) in enumerate(windows, start=1):
            part = article.text[start:end]
            first = first_messages(
                part, title=article.title, source=article.source, published=article.published,
                part=(i, len(windows)),
            )  # fmt: skip
            extracted, _ = yield from _extract(part, first, repairs, stats, f"part {i}: ")
            parts.append(extracted)
        extraction = merge_extractions(parts)
        report = yield Check(article.text, extraction)
        stats.log.append(f"{len(windows)} parts merged: {_count(report)} problem(s)")
    dropped: list[DroppedItem] = []
    if on_problems == "drop":
        extraction, report, dropped = drop_items_with_problems(article.text, extraction, report)
    document = SummaryDocument(
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
                prompt_tokens=stats.prompt_tokens, completion_tokens=stats.completion_tokens
            ),
        ),
        dropped=dropped,
    )
    if on_problems == "fail" and not report.ok:
        raise GroundingFailed(document)
    return document


def _count(report: GroundingReport) -> int:
    return sum(len(item.problems) for item in report.items.values())


def drop_items_with_problems(
    text: str, extraction: Extraction, report: GroundingReport
) -> tuple[Extraction, GroundingReport, list[DroppedItem]]:
    """Remove every actor, event and claim with a problem, and what then names a removed
    actor; the headline and summary cannot be removed and keep their problems."""
    dropped: list[DroppedItem] = []
    for _ in range(MAX_DROP_ROUNDS):
        keyed = _keyed_items(extraction)
        bad = {k for k, r in report.items.items() if r.problems and k != SUMMARY_ITEM}
        if not bad:
            break
        dropped += [
            DroppedItem(key=k, item=item, problems=report.items[k].problems)
            for k, item in keyed
            if k in bad
        ]
        kept = [item for k, item in keyed if k not in bad]
        actors = [i for i in kept if i.id.startswith("A")]
        ids = {a.id for a in actors}
        events = [
            e.model_copy(update={"actor_ids": [a for a in e.actor_ids if a in ids]})
            for e in kept
            if e.id.startswith("E")
        ]
        actors = [
            a if a.affiliation_id in ids or a.affiliation_id is None
            else a.model_copy(update={"affiliation_id": None})
            for a in actors
        ]  # fmt: skip
        claims = [c for c in kept if c.id.startswith("C")]
        extraction = extraction.model_copy(
            update={"actors": actors, "events": events, "claims": claims}
        )
        report = validate(text, extraction)
    return extraction, report, dropped


def _keyed_items(extraction: Extraction) -> list[tuple[str, Any]]:
    """Items with their report keys ("C4", and "C4#2" for a second item with that id)."""
    seen: dict[str, int] = {}
    out = []
    for item in [*extraction.actors, *extraction.events, *extraction.claims]:
        seen[item.id] = seen.get(item.id, 0) + 1
        out.append((item.id if seen[item.id] == 1 else f"{item.id}#{seen[item.id]}", item))
    return out


# --- drivers -------------------------------------------------------------------------------


def summarize(
    text: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    article_id: str | None = None,
    model: str | None = None,
    client: ModelClient | openai.OpenAI | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    repairs: int = DEFAULT_REPAIRS,
    on_problems: OnProblems = "flag",
    window_chars: int = WINDOW_CHARS,
    stats: CallStats | None = None,
) -> SummaryDocument:
    """Summarise one article into a checked `SummaryDocument` (contract v1).

    `client` may be a `summarizer.client.ModelClient`, your own `openai.OpenAI` (its SDK
    retries are turned off: retries happen here), or None to build one from `model`,
    `base_url`, `api_key` and the environment. An article longer than `window_chars` is
    sent in overlapping parts whose extractions are merged. Raises `ServiceError` when the
    model service fails and `GroundingFailed` when `on_problems="fail"` and problems remain.
    """
    settings = _settings(client, model, base_url, api_key)
    model_client = (
        client if isinstance(client, ModelClient) else ModelClient(settings, openai_client=client)
    )
    stats = stats if stats is not None else CallStats()
    article = ArticleInput(text, id=article_id, title=title, source=source, url=url,
                           published=published)  # fmt: skip
    steps = _steps(article, model_client.settings.model, repairs, on_problems, stats, window_chars)
    return _drive(steps, lambda messages: model_client.complete(messages, stats))


async def asummarize(
    text: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    article_id: str | None = None,
    model: str | None = None,
    client: AsyncModelClient | openai.AsyncOpenAI | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    repairs: int = DEFAULT_REPAIRS,
    on_problems: OnProblems = "flag",
    window_chars: int = WINDOW_CHARS,
    stats: CallStats | None = None,
) -> SummaryDocument:
    """The async twin of `summarize`: same arguments, with an async client."""
    settings = _settings(client, model, base_url, api_key)
    model_client = (
        client if isinstance(client, AsyncModelClient)
        else AsyncModelClient(settings, openai_client=client)
    )  # fmt: skip
    stats = stats if stats is not None else CallStats()
    article = ArticleInput(text, id=article_id, title=title, source=source, url=url,
                           published=published)  # fmt: skip
    steps = _steps(article, model_client.settings.model, repairs, on_problems, stats, window_chars)
    return await _adrive(steps, lambda messages: model_client.complete(messages, stats))


def _settings(
    client: Any, model: str | None, base_url: str | None, api_key: str | None
) -> ModelSettings:
    if isinstance(client, ModelClient | AsyncModelClient):
        return client.settings
    return ModelSettings.from_env(model=model, base_url=base_url, api_key=api_key)


Steps = Generator[Request, Any, SummaryDocument]


def advance(steps: Steps, step: Callable[[], Request]) -> list[Message] | SummaryDocument:
    """Take `step` and run the grounding checks it leads to: what is left is the next
    request to send, or the finished document. Every driver goes through here."""
    try:
        request = step()
        while isinstance(request, Check):
            request = steps.send(validate(request.text, request.extraction))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    return request


def answered(steps: Steps, answer: Answer | InvalidAnswer) -> list[Message] | SummaryDocument:
    """Hand the steps the model's answer (or why it was unusable, so they can ask again)."""
    if isinstance(answer, InvalidAnswer):
        return advance(steps, lambda: steps.throw(answer))
    return advance(steps, lambda: steps.send(answer))


def _drive(steps: Steps, call: Callable[[list[Message]], Answer]) -> SummaryDocument:
    request = advance(steps, lambda: next(steps))
    while not isinstance(request, SummaryDocument):
        try:
            answer: Answer | InvalidAnswer = call(request)
        except InvalidAnswer as invalid:
            answer = invalid
        request = answered(steps, answer)
    return request


async def _adrive(
    steps: Steps, call: Callable[[list[Message]], Awaitable[Answer]]
) -> SummaryDocument:
    request = advance(steps, lambda: next(steps))
    while not isinstance(request, SummaryDocument):
        try:
            answer: Answer | InvalidAnswer = await call(request)
        except InvalidAnswer as invalid:
            answer = invalid
        request = answered(steps, answer)
    return request
