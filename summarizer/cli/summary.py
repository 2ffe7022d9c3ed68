"""`summarizer summary`: one article to a document or brief, or many to a directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.cli.batch import run_batch_command
from summarizer.cli.emit import FORMATS
from summarizer.cli.help import EXIT_CODES_HELP
from summarizer.cli.one import one_article
from summarizer.cli.options import (
    ARTICLE,
    BATCH,
    EXTRACTION,
    LOG,
    MODEL,
    OUTPUT,
    options,
    options_from,
)
from summarizer.cli.runlog import log_path
from summarizer.contract.defaults import DEFAULT_JOBS
from summarizer.contract.errors import InputError

if TYPE_CHECKING:
    from summarizer.contract.options import Options
    from summarizer.runs.batch import BatchOptions

#: Options that only a batch uses (-q is harmless for one article: it has no progress).
BATCH_ONLY = ("jobs", "max_requests", "no_resume", "check_processes", "batch_api", "wait",
              "repair_live")  # fmt: skip


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("articles", metavar="ARTICLE...", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="json: the summary document (contract v1); markdown: a brief for editors; text: a "
    "terminal view; html: the article with its evidence highlighted (for many articles: "
    "<id>.html beside each <id>.json, and index.html). Default: from -o's suffix, else text "
    "on a terminal and json when piped.",
)
@click.option("-o", "--output", metavar="FILE|OUTDIR",
              help="Write to FILE, not stdout; for many articles, their directory.")  # fmt: skip
@options(MODEL, EXTRACTION, ARTICLE, BATCH, LOG, OUTPUT)
def summary(articles: tuple[str, ...], fmt: str | None, output: str | None, **params: Any) -> None:
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
    from summarizer.sources.articles import expand

    _settle_heap()
    files = expand(list(articles))
    options = options_from(params)
    _say_which_wins(params)
    if params["dry_run"]:
        _dry_run(files, options, params)
        return
    if files != list(articles) or len(files) != 1 or files[0].endswith(".jsonl"):
        if not output:
            raise InputError("several articles: name a directory for the results with -o OUTDIR")
        _refuse_overwriting_inputs(list(articles), files, Path(output))
        _many(list(articles), files, Path(output), options, fmt, params)
        return
    _refuse_batch_options(params)
    meta = {k: params[k] for k in ("title", "source", "url", "published")}
    one_article(files[0], options, meta, output=output, fmt=fmt, params=params)


def _many(
    named: list[str], files: list[str], outdir: Path, options: Options, fmt: str | None,
    params: dict[str, Any],
) -> None:  # fmt: skip
    """Many articles: live, or through the provider's Batch API."""
    if params["batch_api"]:
        from summarizer.cli.batch_api import batch_api_command

        if params["max_requests"]:
            raise InputError("--max-requests caps live requests; a --batch-api run sends"
                             " every request in its batches: drop one of them")  # fmt: skip
        batch_api_command(files, outdir, options, encoding=params["encoding"], params=params)
        return
    batch = _batch_options(fmt, params)
    run_batch_command(named, files, outdir, options, batch, replay=params["replay"],
                      quiet=params["quiet"], log=log_path(params))  # fmt: skip


def _dry_run(files: list[str], options: Options, params: dict[str, Any]) -> None:
    from summarizer.providers.settings import settings_for
    from summarizer.runs.estimate import estimate, summary_lines
    from summarizer.sources.articles import iter_articles

    settings = settings_for(options)
    found = estimate(iter_articles(files, params["encoding"]), options, settings)
    click.echo("\n".join(summary_lines(found, settings.model)))


def _batch_options(fmt: str | None, params: dict[str, Any]) -> BatchOptions:
    """How the batch runs, from the command line; a brief format is refused for many."""
    from summarizer.runs.batch import BatchOptions

    if fmt not in (None, "json", "html"):
        raise InputError(
            f"--format {fmt}: many articles are written as JSON documents (and HTML pages"
            " with --format html); render a brief from one with: summarizer render DOC.json"
        )
    return BatchOptions(
        jobs=params["jobs"] or DEFAULT_JOBS, max_requests=params["max_requests"],
        resume=not params["no_resume"], encoding=params["encoding"],
        check_processes=params["check_processes"], pages=fmt == "html",
    )  # fmt: skip


def _given(name: str) -> bool:
    """Whether the option was given on the command line (not by default or environment)."""
    source = click.get_current_context().get_parameter_source(name)
    return source is click.core.ParameterSource.COMMANDLINE


def _refuse_batch_options(params: dict[str, Any]) -> None:
    """Options only a batch uses, given for one article: said, before any request."""
    given = [f"--{n.replace('_', '-')}" for n in BATCH_ONLY if _given(n)]
    if given:
        raise InputError(
            f"{', '.join(given)}: only for many articles (several files, a directory or a"
            " .jsonl file with -o OUTDIR); drop it for one article"
        )


def _say_which_wins(params: dict[str, Any]) -> None:
    """--replay answers from recordings: a server or key given beside it is not used."""
    unused = [f"--{n.replace('_', '-')}" for n in ("base_url", "api_key") if _given(n)]
    if params["replay"] and unused:
        click.echo(
            f"summarizer: notice: --replay answers from the recordings in {params['replay']};"
            f" {' and '.join(unused)} not used",
            err=True,
        )


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
