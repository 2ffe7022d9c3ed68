"""`summarizer summary`: one article to a document or brief, or many to a directory."""

from __future__ import annotations

from pathlib import Path

import click

from summarizer.cli.batch import run_batch_command
from summarizer.cli.help import EXIT_CODES_HELP
from summarizer.cli.one import one_article
from summarizer.contract.defaults import (
    DEFAULT_JOBS,
    DEFAULT_MODEL,
    DEFAULT_ON_PROBLEMS,
    DEFAULT_REPAIRS,
    MAX_JOBS,
    MAX_REPAIRS,
    MIN_WINDOW_CHARS,
    ON_PROBLEMS,
    REQUEST_TIMEOUT,
    WINDOW_CHARS,
)
from summarizer.contract.errors import InputError


@click.command(epilog=EXIT_CODES_HELP)
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
@click.option("--repairs", type=click.IntRange(0, MAX_REPAIRS), default=DEFAULT_REPAIRS,
              show_default=True,
              help="Calls that send the model its problems and ask again.")  # fmt: skip
@click.option(
    "--on-problems",
    type=click.Choice(ON_PROBLEMS),
    default=DEFAULT_ON_PROBLEMS,
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
@click.option("--window-chars", type=click.IntRange(MIN_WINDOW_CHARS), default=WINDOW_CHARS,
              show_default=True,
              help="Longer articles go to the model in overlapping parts this long.")  # fmt: skip
@click.option("-j", "--jobs", type=click.IntRange(1, MAX_JOBS), default=None,
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
    from summarizer.contract.options import Options
    from summarizer.runs.batch import BatchOptions
    from summarizer.sources.articles import expand

    _settle_heap()
    options = Options(
        model=model,
        base_url=base_url,
        api_key=_key(api_key, replay),
        timeout=timeout,
        max_tokens=max_tokens,
        repairs=repairs,
        on_problems=on_problems,
        window_chars=window_chars,
    )  # type: ignore[arg-type]
    files = expand(list(articles))
    if files != list(articles) or len(files) != 1 or files[0].endswith(".jsonl"):
        if not output:
            raise InputError("several articles: name a directory for the results with -o OUTDIR")
        _refuse_overwriting_inputs(list(articles), files, Path(output))
        batch = BatchOptions(jobs=jobs or DEFAULT_JOBS, max_requests=max_requests,
                             resume=not no_resume, encoding=encoding)  # fmt: skip
        run_batch_command(files, Path(output), options, batch, replay=replay, quiet=quiet)
        return
    meta = {"title": title, "source": source, "url": url, "published": published}
    one_article(files[0], options, meta, output=output, fmt=fmt,
                replay=replay, encoding=encoding, verbose=verbose)  # fmt: skip


def _key(api_key: str | None, replay: str | None) -> str | None:
    """Recordings need no key; the SDK wants one."""
    return api_key or ("replay" if replay else None)


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
