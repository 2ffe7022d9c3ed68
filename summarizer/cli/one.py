"""One article: summarised, then written as JSON, a Markdown brief or the terminal view."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.cli.emit import default_format, emit
from summarizer.cli.options import replay_http
from summarizer.cli.runlog import log_path
from summarizer.contract.errors import InputError
from summarizer.reports.escape import terminal

if TYPE_CHECKING:
    from summarizer.contract.calls import CallStats
    from summarizer.contract.options import Options


def one_article(
    path: str,
    options: Options,
    meta: dict[str, str | None],
    *,
    output: str | None,
    fmt: str | None,
    params: dict[str, Any],
) -> None:
    """Summarise the article in `path` and write what the user asked for; a document that
    fails `on_problems="fail"` is written too, then the failure is raised."""
    from summarizer.contract.calls import CallStats
    from summarizer.contract.errors import GroundingFailed
    from summarizer.pipeline.article import summarize
    from summarizer.providers.chat import ModelClient
    from summarizer.providers.settings import settings_for
    from summarizer.sources.articles import load_article

    if output:
        _check_output(output, path)
    article, notices = load_article(path, params["encoding"])
    for notice in notices:
        click.echo(f"summarizer: notice: {terminal(notice)}", err=True)
    article = replace(article, **{k: v for k, v in meta.items() if v})
    client = ModelClient(settings_for(options), http_client=replay_http(params["replay"]))
    stats = CallStats()
    failed: GroundingFailed | None = None
    started = time.monotonic()
    try:
        document = summarize(
            article.text, title=article.title, source=article.source, url=article.url,
            published=article.published, article_id=article.id, options=options,
            client=client, stats=stats,
        )  # fmt: skip
    except GroundingFailed as e:
        document, failed = e.document, e
    finally:
        if params["verbose"]:
            _report_calls(stats, client.settings.model, options.repairs)
    emit(document, fmt or default_format(output, piped="json"), output, article.text)
    log = log_path(params)
    if log is not None:
        from summarizer.cli.runlog import log_run
        from summarizer.runs.outcomes import outcome_of

        outcome = outcome_of(document, path, str(failed) if failed else None)
        log_run(log, "summary", [outcome], time.monotonic() - started)
    if failed:
        raise failed


def _check_output(output: str, article: str) -> None:
    """-o names a file that can be written and is not the article: said before any request."""
    target = Path(output)
    if target.is_dir():
        raise InputError(
            f"-o {output} is a directory: name a file for one article's result, or give"
            " several articles (or a directory, or a .jsonl file) for a batch"
        )
    if article != "-" and target.resolve() == Path(article).resolve():
        raise InputError(f"-o {output} is the article itself; name another file")
    parent = target.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise InputError(f"-o {output}: cannot write in {parent}; choose a writable place")


def _report_calls(stats: CallStats, model: str, repairs: int) -> None:
    from summarizer.extraction.steps import model_calls
    from summarizer.providers.chat import MAX_TRANSPORT_ATTEMPTS

    for line in stats.log:
        click.echo(f"summarizer: {terminal(line)}", err=True)
    bound = model_calls(repairs) * MAX_TRANSPORT_ATTEMPTS
    click.echo(
        f"summarizer: {stats.requests} request(s) to {model} (at most {bound} for an"
        f" article); {stats.prompt_tokens} prompt + {stats.completion_tokens} completion tokens",
        err=True,
    )
