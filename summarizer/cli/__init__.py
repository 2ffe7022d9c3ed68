"""The `summarizer` command. Heavy imports happen inside commands, so `--help` is fast."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from summarizer.contract.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_PROBLEMS, InputError, UserError
from summarizer.contract.defaults import DEFAULT_JOBS, DEFAULT_MODEL, REQUEST_TIMEOUT, WINDOW_CHARS

if TYPE_CHECKING:
    from summarizer.providers.chat import ModelSettings

EXIT_CODES_HELP = """\b
Exit codes:
  0  done: validate found no problem; summary wrote its document
  1  problems remain: validate found some, summary --on-problems fail, or an
     article of a batch failed (see OUTDIR/errors.jsonl)
  2  bad input: unreadable file, JSON that does not fit the contract, bad option,
     no API key
  3  the model service failed (key rejected, quota, refusal, cut-off, outage)"""


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(package_name="summarizer", prog_name="summarizer")
def cli() -> None:
    """Structured, checkable summaries of news articles.

    Every event, actor and claim a language model extracts comes with verbatim evidence,
    and is checked against the article: where each excerpt stands, whether every number,
    quote, speaker and name is really there.

    \b
    Summarise an article (needs OPENAI_API_KEY, or --base-url for a local server):
      summarizer summary article.txt
    See it work without a key, from the recordings shipped with the project:
      summarizer summary examples/aleppo-offensive-1.txt --replay cassettes --format markdown
    Check an extraction you already have:
      summarizer validate article.txt extraction.json
    """


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("article", metavar="ARTICLE")
@click.argument("extraction", metavar="EXTRACTION.json")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Output format. Default: text on a terminal, json when piped.",
)
def validate(article: str, extraction: str, fmt: str | None) -> None:
    """Check EXTRACTION.json against the ARTICLE it was drawn from.

    EXTRACTION.json is an extraction (contract v1) or a whole summary document, whose
    "extraction" is then checked. Either file may be '-' for standard input.

    \b
    Examples:
      summarizer validate article.txt extraction.json
      summarizer validate article.txt extraction.json --format json | jq .ok
    """
    from pydantic import ValidationError

    from summarizer.sources.articles import load_article
    from summarizer.contract.errors import InputError, describe_validation_error
    from summarizer.grounding.checks import validate as run_validate
    from summarizer.sources.reading import name, read_json

    if article == "-" and extraction == "-":
        raise InputError("only one of ARTICLE and EXTRACTION.json can be '-' (stdin)")
    text = load_article(article)[0].text  # as `summary` reads it: .json, HTML, encodings
    data = read_json(extraction)
    if isinstance(data, dict) and "extraction" in data and "headline" not in data:
        data = data["extraction"]
    try:
        report = run_validate(text, data)
    except ValidationError as e:
        raise InputError(describe_validation_error(e, name(extraction))) from None
    fmt = fmt or ("text" if sys.stdout.isatty() else "json")
    if fmt == "json":
        click.echo(report.model_dump_json(indent=2))
    else:
        from summarizer.reports.markdown import report_text

        click.echo(report_text(report, name(article)))
    sys.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("articles", metavar="ARTICLE...", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown", "text"]),
    default=None,
    help="json: the summary document (contract v1); markdown: a brief for editors; text: a "
    "terminal view. Default: text on a terminal, json when piped or written with -o.",
)
@click.option("-o", "--output", metavar="FILE|OUTDIR",
              help="Write to FILE, not stdout; for many articles, their directory.")  # fmt: skip
@click.option("--model", envvar="SUMMARIZER_MODEL", help="Model [env SUMMARIZER_MODEL; "
              f"default {DEFAULT_MODEL}, which supports Structured Outputs].")  # fmt: skip
@click.option("--base-url", envvar="OPENAI_BASE_URL", help="OpenAI-compatible server, e.g. "
              "http://localhost:11434/v1 for Ollama [env OPENAI_BASE_URL].")  # fmt: skip
@click.option("--api-key", envvar="OPENAI_API_KEY", help="API key [env OPENAI_API_KEY].")
@click.option("--repairs", type=click.IntRange(0, 5), default=1, show_default=True,
              help="Calls that send the model its problems and ask again.")  # fmt: skip
@click.option(
    "--on-problems",
    type=click.Choice(["flag", "drop", "fail"]),
    default="flag",
    show_default=True,
    help="After repair: flag keeps items and marks their problems; drop removes them (listed "
    "under 'dropped'); fail writes the document and exits 1.",
)
@click.option("--replay", type=click.Path(file_okay=False), help="Answer model calls from the "
              "cassettes in DIR instead of the network (no key needed).")  # fmt: skip
@click.option("--title", help="Article title, sent to the model and kept in the document.")
@click.option("--source", help="Outlet that published the article.")
@click.option("--url", help="Where the article was published.")
@click.option("--published", help="Publication date, as written.")
@click.option("--timeout", type=float, default=REQUEST_TIMEOUT, show_default=True,
              help="Seconds to wait for one answer.")  # fmt: skip
@click.option("--max-tokens", type=int, help="Cap on the model's answer, in tokens.")
@click.option("--encoding", help="Encoding of the article files when not UTF-8 (e.g. cp1252).")
@click.option("--window-chars", type=click.IntRange(2000), default=WINDOW_CHARS, show_default=True,
              help="Longer articles go to the model in overlapping parts this long.")  # fmt: skip
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
              help=f"Many articles: requests in flight [default {DEFAULT_JOBS}].")  # fmt: skip
@click.option("--max-requests", type=click.IntRange(1), help="Many articles: cap on the "
              "requests of the whole run; articles left are recorded as failed.")  # fmt: skip
@click.option("--no-resume", is_flag=True, help="Many articles: redo articles whose result "
              "already exists for the same text, model and prompt.")  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="Many articles: no progress output.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Report requests, tokens and repairs on stderr."
)
def summary(
    articles: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    model: str | None,
    base_url: str | None,
    api_key: str | None,
    repairs: int,
    on_problems: str,
    replay: str | None,
    title: str | None,
    source: str | None,
    url: str | None,
    published: str | None,
    timeout: float,
    max_tokens: int | None,
    encoding: str | None,
    window_chars: int,
    jobs: int | None,
    max_requests: int | None,
    no_resume: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Summarise articles into events, actors and claims, each checked against the article.

    ARTICLE is a text file, an HTML page (its article text is extracted), a .json file with
    "text" (and optional "id", "title", "source", "url", "published"), or '-' for standard
    input. Several files, a directory, or a .jsonl file (one JSON article per line) make a
    batch: each result goes to OUTDIR/<id>.json, each failure to OUTDIR/errors.jsonl, and
    a rerun skips what is already done.

    \b
    Examples:
      summarizer summary article.txt --format markdown -o brief.md
      cat article.txt | summarizer summary - > summary.json
      summarizer summary article.txt --base-url http://localhost:11434/v1 --model qwen2.5
      summarizer summary examples/aleppo-offensive-1.txt --replay cassettes
      summarizer summary wire/ -o results/ --jobs 16
      summarizer summary today.jsonl -o results/ --max-requests 2000
    """
    from dataclasses import replace

    from summarizer.sources.articles import expand, load_article
    from summarizer.providers.chat import CallStats, ModelClient, ModelSettings
    from summarizer.extraction.steps import GroundingFailed, request_bound, summarize

    _settle_heap()

    settings = ModelSettings.from_env(
        model=model, base_url=base_url, api_key=api_key, timeout=timeout, max_tokens=max_tokens
    )
    if replay:
        settings = replace(settings, api_key=settings.api_key or "replay")
    files = expand(list(articles))
    if files != list(articles) or len(files) != 1 or files[0].endswith(".jsonl"):
        if not output:
            raise InputError("several articles: name a directory for the results with -o OUTDIR")
        _refuse_overwriting_inputs(list(articles), files, Path(output))
        _run_batch(files, Path(output), settings, replay=replay, encoding=encoding,
                   jobs=jobs or DEFAULT_JOBS, max_requests=max_requests, repairs=repairs,
                   on_problems=on_problems, resume=not no_resume, quiet=quiet,
                   window_chars=window_chars)  # fmt: skip
        return
    article = files[0]
    if output and Path(output).is_dir():
        raise InputError(
            f"-o {output} is a directory: name a file for one article's result, or give"
            " several articles (or a directory, or a .jsonl file) for a batch"
        )
    loaded, notices = load_article(article, encoding)
    for notice in notices:
        click.echo(f"summarizer: notice: {notice}", err=True)
    meta = {k: v for k, v in (("title", title), ("source", source), ("url", url),
                              ("published", published)) if v}  # fmt: skip
    loaded = replace(loaded, **meta)
    http_client = None
    if replay:
        from summarizer.providers.replay import replay_client

        http_client = replay_client(Path(replay))
    client = ModelClient(settings, http_client=http_client)
    stats = CallStats()
    failed: GroundingFailed | None = None
    try:
        document = summarize(
            loaded.text, title=loaded.title, source=loaded.source, url=loaded.url,
            published=loaded.published, article_id=loaded.id, client=client, repairs=repairs,
            on_problems=on_problems, stats=stats, window_chars=window_chars,  # type: ignore[arg-type]
        )  # fmt: skip
    except GroundingFailed as e:
        document, failed = e.document, e
    finally:
        if verbose:
            for line in stats.log:
                click.echo(f"summarizer: {line}", err=True)
            click.echo(
                f"summarizer: {stats.requests} request(s) to {settings.model} (at most"
                f" {request_bound(repairs)} for an article); {stats.prompt_tokens} prompt +"
                f" {stats.completion_tokens} completion tokens",
                err=True,
            )
    _emit_document(document, fmt, output)
    if failed:
        raise failed


def _refuse_overwriting_inputs(inputs: list[str], files: list[str], outdir: Path) -> None:
    """A batch writes OUTDIR/<id>.json: never over an article it was given."""
    target = outdir.resolve()
    for path in inputs:
        if path != "-" and Path(path).is_dir() and Path(path).resolve() == target:
            raise InputError(f"-o {outdir} is also an input directory; name another one")
    for path in files:
        if path != "-" and Path(path).resolve().parent == target and path.endswith(".json"):
            raise InputError(f"-o {outdir} holds the input {path}; name another directory")


def _settle_heap() -> None:
    """After the imports, keep the cyclic garbage collector off the objects they made (the
    openai package makes many): it would rescan them at every collection, which slows the
    checks by a third or more in a long run."""
    import gc

    gc.freeze()


def _run_batch(
    files: list[str],
    outdir: Path,
    settings: ModelSettings,
    *,
    replay: str | None,
    encoding: str | None,
    jobs: int,
    max_requests: int | None,
    repairs: int,
    on_problems: str,
    resume: bool,
    quiet: bool,
    window_chars: int,
) -> None:
    import asyncio

    import httpx2

    from summarizer.sources.articles import count_articles, iter_articles
    from summarizer.runs.batch import Batch, BatchReport, Progress, report_table
    from summarizer.providers.chat import AsyncModelClient
    from summarizer.contract.errors import EXIT_SERVICE
    from summarizer.providers.ratelimit import RateGate
    from summarizer.runs.workers import WorkerConfig, WorkerPool, default_workers

    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"-o {outdir}: a file is there; several articles need a directory")
    progress = Progress(count_articles(files), quiet=quiet)
    workers = None
    if jobs > 1 and (count := default_workers()) > 1:
        # Forked before the event loop starts and before the model client exists (the
        # workers never send a request); see summarizer.workers.
        config = WorkerConfig(settings=settings, repairs=repairs,
                              on_problems=on_problems,  # type: ignore[arg-type]
                              window_chars=window_chars)  # fmt: skip
        workers = WorkerPool(count, config)
    try:
        if replay:
            from summarizer.providers.replay import async_replay_client

            http = async_replay_client(Path(replay))
        else:
            limits = httpx2.Limits(max_connections=jobs + 2, max_keepalive_connections=jobs + 2)
            http = httpx2.AsyncClient(limits=limits)
        client = AsyncModelClient(settings, http_client=http,
                                  gate=RateGate(jobs, max_requests=max_requests))  # fmt: skip
        batch = Batch(outdir, client, jobs=jobs, repairs=repairs, resume=resume,
                      window_chars=window_chars, workers=workers,
                      on_problems=on_problems,  # type: ignore[arg-type]
                      progress=progress)  # fmt: skip

        async def run() -> BatchReport:
            async with http:
                return await batch.run(iter_articles(files, encoding))

        report = asyncio.run(run())
    finally:
        if workers:
            workers.close()
    click.echo(report_table(report, outdir))
    if report.aborted:
        sys.exit(EXIT_SERVICE)
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)


def _emit_document(document: object, fmt: str | None, output: str | None) -> None:
    from pathlib import Path

    from summarizer.runs.files import write_atomic
    from summarizer.reports.markdown import document_markdown, document_text

    if fmt is None:
        suffix = Path(output).suffix.lower() if output else ""
        fmt = {".md": "markdown", ".txt": "text"}.get(suffix) or (
            "text" if output is None and sys.stdout.isatty() else "json"
        )
    if fmt == "markdown":
        text = document_markdown(document)  # type: ignore[arg-type]
    elif fmt == "text":
        text = document_text(document)  # type: ignore[arg-type]
    else:
        text = document.model_dump_json(indent=2) + "\n"  # type: ignore[attr-defined]
    if output:
        try:
            write_atomic(Path(output), text)
        except OSError as e:
            raise InputError(
                f"-o {output}: cannot write ({e.strerror}); the result was not saved:"
                " choose a writable place"
            ) from None
    else:
        click.echo(text, nl=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and an exit code."""
    try:
        cli.main(args=argv, prog_name="summarizer", standalone_mode=False)
    except UserError as e:
        click.echo(f"summarizer: error: {e}", err=True)
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("summarizer: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(EXIT_BAD_INPUT if e.exit_code == 2 else e.exit_code)
    except KeyboardInterrupt:
        click.echo("summarizer: interrupted", err=True)
        sys.exit(130)
    sys.exit(EXIT_OK)
