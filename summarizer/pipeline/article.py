"""`summarize` and `asummarize`: one article in, a checked summary document out.

Both build the same flow (`pipeline.drivers`) and differ only in the driver: a batch runs
the async one for every article (`runs.batch`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from summarizer.contract.article import ArticleInput
from summarizer.contract.calls import CallStats
from summarizer.contract.defaults import OnProblems
from summarizer.contract.errors import InputError
from summarizer.contract.models import SummaryDocument
from summarizer.contract.options import Options
from summarizer.extraction.steps import article_steps
from summarizer.pipeline.drivers import Flow, adrive, article_flow, drive
from summarizer.providers.chat import AsyncModelClient, ModelClient
from summarizer.providers.settings import ModelSettings, settings_for

if TYPE_CHECKING:
    import openai


def summarize(
    text: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    article_id: str | None = None,
    options: Options | None = None,
    client: ModelClient | openai.OpenAI | None = None,
    stats: CallStats | None = None,
    model: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    repairs: int | None = None,
    on_problems: OnProblems | None = None,
) -> SummaryDocument:
    """Summarise one article into a checked `SummaryDocument` (contract v1).

    Settings come in `options` (`summarizer.Options`); the common ones may also be given as
    keywords (`model`, `api_key`, `base_url`, `repairs`, `on_problems`), which take
    precedence. `client` may be a `ModelClient`, your own `openai.OpenAI` (its SDK retries
    are turned off: retries happen here), or None to build one from the settings and the
    environment. `stats` (a `CallStats`) counts the requests and tokens as they happen.

    Raises `InputError` for bad input or options, `ServiceError` when the model service
    fails, and `GroundingFailed` (with `.document`) when `on_problems="fail"` and problems
    remain.
    """
    article = ArticleInput(text, article_id, title, source, url, published)
    opts = _options(options, model, api_key, base_url, repairs, on_problems)
    if not isinstance(client, ModelClient):
        client = ModelClient(settings_for(opts), openai_client=client)
    stats = stats if stats is not None else CallStats()
    flow = article_document_flow(article, opts, client.settings, stats)
    return drive(flow, partial(client.fetch, stats=stats))


async def asummarize(
    text: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    article_id: str | None = None,
    options: Options | None = None,
    client: AsyncModelClient | openai.AsyncOpenAI | None = None,
    stats: CallStats | None = None,
    model: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    repairs: int | None = None,
    on_problems: OnProblems | None = None,
) -> SummaryDocument:
    """The async twin of `summarize`: the same arguments, with an async client."""
    article = ArticleInput(text, article_id, title, source, url, published)
    opts = _options(options, model, api_key, base_url, repairs, on_problems)
    if not isinstance(client, AsyncModelClient):
        client = AsyncModelClient(settings_for(opts), openai_client=client)
    stats = stats if stats is not None else CallStats()
    flow = article_document_flow(article, opts, client.settings, stats)
    return await adrive(flow, partial(client.fetch, stats=stats))


def article_document_flow(
    article: ArticleInput, options: Options, settings: ModelSettings, stats: CallStats
) -> Flow:
    """The flow of one article, as every driver runs it."""
    if not article.text.strip():
        raise InputError("the article is empty; give it some text")
    return article_flow(article_steps(article, options, settings.model, stats), settings)


def _options(
    options: Options | None,
    model: str | None,
    api_key: str | None,
    base_url: str | None,
    repairs: int | None,
    on_problems: OnProblems | None,
) -> Options:
    """`options` with the keyword shortcuts that were given laid over it (checked again)."""
    shortcuts = {"model": model, "api_key": api_key, "base_url": base_url, "repairs": repairs,
                 "on_problems": on_problems}  # fmt: skip
    return replace(options or Options(), **{k: v for k, v in shortcuts.items() if v is not None})
