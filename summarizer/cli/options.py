"""The command line's options, in groups that commands share (each group's options are
applied in order by `options`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from summarizer.contract.defaults import (
    DEFAULT_JOBS,
    DEFAULT_MODEL,
    DEFAULT_ON_PROBLEMS,
    DEFAULT_REPAIRS,
    DEFAULT_RESPONSE_FORMAT,
    MAX_CHECK_PROCESSES,
    MAX_JOBS,
    MAX_REPAIRS,
    MIN_WINDOW_CHARS,
    ON_PROBLEMS,
    REQUEST_TIMEOUT,
    RESPONSE_FORMATS,
    WINDOW_CHARS,
)

if TYPE_CHECKING:
    from summarizer.contract.options import Options

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def options(*groups: tuple[Decorator, ...]) -> Decorator:
    """Apply the option groups to a command, in the order they are listed in `--help`."""

    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for group in reversed(groups):
            for option in reversed(group):
                command = option(command)
        return command

    return apply


#: Which model, where, and how long to wait: every command that calls one.
MODEL = (
    click.option(
        "--model",
        envvar="SUMMARIZER_MODEL",
        help="Model [env SUMMARIZER_MODEL; "
        f"default {DEFAULT_MODEL}, which supports Structured Outputs].",
    ),
    click.option(
        "--base-url",
        envvar="OPENAI_BASE_URL",
        help="OpenAI-compatible server, e.g. "
        "http://localhost:11434/v1 for Ollama [env OPENAI_BASE_URL].",
    ),
    click.option("--api-key", envvar="OPENAI_API_KEY", help="API key [env OPENAI_API_KEY]."),
    click.option(
        "--replay",
        type=click.Path(file_okay=False),
        help="Answer model calls from the cassettes in DIR instead of the network (no key needed).",
    ),
    click.option(
        "--timeout",
        type=float,
        default=REQUEST_TIMEOUT,
        show_default=True,
        help="Seconds to wait for one answer.",
    ),
    click.option("--max-tokens", type=int, help="Cap on the model's answer, in tokens."),
    click.option(
        "--response-format",
        type=click.Choice(RESPONSE_FORMATS),
        default=DEFAULT_RESPONSE_FORMAT,
        show_default=True,
        help="json_schema: OpenAI's strict Structured Outputs; json_object: the"
        " schema as llama.cpp's server and other local servers take it.",
    ),
)

#: How an article is extracted and what happens to items with problems.
EXTRACTION = (
    click.option(
        "--repairs",
        type=click.IntRange(0, MAX_REPAIRS),
        default=DEFAULT_REPAIRS,
        show_default=True,
        help="Calls that send the model its problems and ask again.",
    ),
    click.option(
        "--on-problems",
        type=click.Choice(ON_PROBLEMS),
        default=DEFAULT_ON_PROBLEMS,
        show_default=True,
        help="After repair: flag keeps items and marks their problems; drop removes them (listed "
        "under 'dropped'); fail writes the document and exits 1.",
    ),
    click.option(
        "--window-chars",
        type=click.IntRange(MIN_WINDOW_CHARS),
        default=WINDOW_CHARS,
        show_default=True,
        help="Longer articles go to the model in overlapping parts this long.",
    ),
)

#: What is known of the article, and how its file is read.
ARTICLE = (
    click.option("--title", help="Article title, sent to the model and kept in the document."),
    click.option("--source", help="Outlet that published the article."),
    click.option("--url", help="Where the article was published."),
    click.option("--published", help="Publication date, as written."),
    click.option("--encoding", help="Encoding of the article files when not UTF-8 (e.g. cp1252)."),
)

#: How a Batch API run is followed (`summary --batch-api` and `collect`).
BATCH_API_WAITING = (
    click.option(
        "--wait", is_flag=True, help="Batch API: wait for the batches to end, with progress."
    ),
    click.option(
        "--repair-live",
        is_flag=True,
        help="Batch API: send the repair round live, not as a second batch.",
    ),
)

#: Many articles.
BATCH = (
    click.option(
        "-j",
        "--jobs",
        type=click.IntRange(1, MAX_JOBS),
        default=None,
        help=f"Many articles: requests in flight [default {DEFAULT_JOBS}].",
    ),
    click.option(
        "--max-requests",
        type=click.IntRange(1),
        help="Many articles: cap on the "
        "requests of the whole run; articles left are recorded as failed.",
    ),
    click.option(
        "--no-resume",
        is_flag=True,
        help="Many articles: redo articles whose result "
        "already exists for the same text, model and prompt.",
    ),
    click.option(
        "--check-processes",
        type=click.IntRange(0, MAX_CHECK_PROCESSES),
        default=0,
        help="Many articles: run the checks in N processes (worth it only when"
        " answers arrive faster than one core checks them) [default 0: here].",
    ),
    click.option("-q", "--quiet", is_flag=True, help="Many articles: no progress output."),
    click.option(
        "--batch-api",
        is_flag=True,
        help="Many articles: through the provider's Batch "
        "API, at half the price, answered within 24 hours; collect with "
        "`summarizer collect OUTDIR`.",
    ),
    *BATCH_API_WAITING,
)

#: Where runs are logged.
LOG_DB = click.option(
    "--log-db",
    metavar="PATH",
    envvar="SUMMARIZER_LOG_DB",
    help="The run log's SQLite database [env SUMMARIZER_LOG_DB; default: logs.db "
    "in the user's data directory].",
)
LOG = (LOG_DB, click.option("--no-log", is_flag=True, help="Do not log this run."))

#: What is reported on stderr.
OUTPUT = (
    click.option(
        "--dry-run",
        is_flag=True,
        help="Print the requests, tokens and price the run "
        "would take (estimated), and send nothing.",
    ),
    click.option(
        "-v", "--verbose", is_flag=True, help="Report requests, tokens and repairs on stderr."
    ),
)


def options_from(params: dict[str, Any]) -> Options:
    """The summary options the command line gave (checked: a bad value is an InputError);
    a command without the extraction options takes their defaults."""
    from summarizer.contract.options import Options

    return Options(
        model=params["model"], base_url=None if params["replay"] else params["base_url"],
        api_key=params["api_key"] or ("replay" if params["replay"] else None),  # no key needed
        timeout=params["timeout"], max_tokens=params["max_tokens"],
        repairs=params.get("repairs", DEFAULT_REPAIRS),
        on_problems=params.get("on_problems", DEFAULT_ON_PROBLEMS),
        window_chars=params.get("window_chars", WINDOW_CHARS),
        response_format=params["response_format"],
    )  # fmt: skip


def replay_http(replay: str | None, *, is_async: bool = False) -> Any:
    """The HTTP client that answers from the recordings of `--replay DIR`; None without it."""
    if not replay:
        return None
    from pathlib import Path

    from summarizer.providers.replay import async_replay_client, replay_client

    return (async_replay_client if is_async else replay_client)(Path(replay))
