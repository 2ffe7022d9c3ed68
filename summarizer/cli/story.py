"""`summarizer story`: several outlets' reports of one event lined up: what they agree on,
what only one says, where their figures conflict."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.cli.emit import write_out
from summarizer.cli.help import EXIT_CODES_HELP
from summarizer.cli.options import MODEL, options
from summarizer.contract.errors import EXIT_PROBLEMS, InputError

if TYPE_CHECKING:
    from summarizer.contract.models import SummaryDocument

STORY_FORMATS = ("json", "markdown", "html")
STORY_FILE = "story"


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("reports", metavar="REPORT...", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(STORY_FORMATS), default=None,
              help="json: the story document (contract story-1); markdown: the desk's brief; "
              "html: the reports side by side. Default: from -o's suffix, else markdown on a "
              "terminal and json when piped.")  # fmt: skip
@click.option("-o", "--output", metavar="FILE|DIR", help="Write to FILE; or to DIR/story.<ext>, "
              "with the reports' summary documents kept beside it.")  # fmt: skip
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Articles summarised at once.")  # fmt: skip
@click.option("--article", "articles", multiple=True, metavar="FILE", help="An article of a "
              "summary document given as REPORT, for the HTML page (matched by its sha256); "
              "repeat for each.")  # fmt: skip
@click.option("--link-with-model", is_flag=True, help="Ask the model, in one call, for the links "
              "words alone missed; each must keep the contract's rules to count.")  # fmt: skip
@options(MODEL)
def story(reports: tuple[str, ...], fmt: str | None, output: str | None, jobs: int,
          articles: tuple[str, ...], link_with_model: bool, **params: Any) -> None:  # fmt: skip
    """Line up two or more outlets' reports of one event: which actors, events and claims
    are the same, which only one outlet has, and where the figures agree or conflict.

    Each REPORT is an article (summarised first, as `summarizer summary` would; with -o DIR
    the summary documents are kept there and a rerun skips them) or a summary document
    written by `summarizer summary` (a .json file).

    \b
    Examples:
      summarizer story examples/aleppo-offensive-1.txt examples/aleppo-offensive-2.txt \\
          --replay cassettes --format markdown
      summarizer story wire/reuters.json wire/afp.json wire/ap.json -o story.json
      summarizer story a.txt b.txt c.txt -o desk/ --format html
    """
    if len(reports) < 2:
        raise InputError("a story needs two reports or more; give each outlet's article")
    target, keep = _target(output, fmt)
    documents, texts = _documents(list(reports), keep, jobs, params)
    texts = _with_articles(documents, texts, articles)
    from summarizer.story.compare import compare

    result = compare(documents)
    if link_with_model:
        result = _linked(result, documents, params)
    fmt = fmt or _format_of(target)
    write_out(_render(result, documents, texts, fmt), target)


def _linked(result: Any, documents: list, params: dict[str, Any]) -> Any:  # type: ignore[type-arg]
    from summarizer.cli.options import options_from, replay_http
    from summarizer.pipeline.story_links import link_with_model
    from summarizer.providers.chat import ModelClient
    from summarizer.providers.settings import settings_for

    options = options_from(params)
    http = replay_http(params.get("replay"))
    return link_with_model(result, documents, ModelClient(settings_for(options), http_client=http))


def _with_articles(documents: list, texts: list, articles: tuple[str, ...]) -> list:  # type: ignore[type-arg]
    """The documents' article texts, from --article files matched by their sha256."""
    if not articles:
        return texts
    from summarizer.contract.article import sha256
    from summarizer.sources.articles import load_article

    given = {sha256(t): t for t in (load_article(a)[0].text for a in articles)}
    return [t if t is not None else given.get(d.article.sha256) for d, t in zip(documents, texts)]


def _target(output: str | None, fmt: str | None) -> tuple[Path | None, Path | None]:
    """Where the story goes, and the directory the summary documents are kept in (if any)."""
    if output is None:
        return None, None
    path = Path(output)
    if path.is_dir() or output.endswith(("/", "\\")):
        suffix = {"json": ".json", "markdown": ".md", "html": ".html"}[fmt or "json"]
        return path / f"{STORY_FILE}{suffix}", path
    return path, None


def _format_of(target: Path | None) -> str:
    import sys

    if target is not None:
        return {".md": "markdown", ".html": "html", ".htm": "html"}.get(target.suffix, "json")
    return "markdown" if sys.stdout.isatty() else "json"


def is_summary_document(path: str) -> bool:
    """A .json file written by `summarizer summary` (not a JSON article)."""
    if not path.endswith(".json") or not Path(path).is_file():
        return False
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("schema_version") == "1" and "extraction" in data


def _documents(
    reports: list[str], keep: Path | None, jobs: int, params: dict[str, Any]
) -> tuple[list[SummaryDocument], list[str | None]]:
    """Each report's summary document (articles summarised first) and its article's text
    when at hand."""

    articles = [r for r in reports if not is_summary_document(r)]
    made = _summarise(articles, keep, jobs, params) if articles else {}
    documents, texts = [], []
    for report in reports:
        if report in made:
            doc, text = made[report]
        else:
            doc, text = _read_document(report), None
        documents.append(doc)
        texts.append(text)
    return documents, texts


def _read_document(path: str) -> SummaryDocument:
    from pydantic import ValidationError

    from summarizer.contract.errors import describe_validation_error
    from summarizer.contract.models import SummaryDocument

    try:
        return SummaryDocument.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except ValidationError as e:
        raise InputError(describe_validation_error(e, path)) from None


def _summarise(
    articles: list[str], keep: Path | None, jobs: int, params: dict[str, Any]
) -> dict[str, tuple[SummaryDocument, str]]:
    """The articles summarised as a batch would (resume included, into `keep`)."""
    from summarizer.cli.options import options_from, replay_http
    from summarizer.contract.models import SummaryDocument
    from summarizer.runs.batch import BatchOptions, run_batch
    from summarizer.sources.articles import load_article

    options = options_from(params)
    http = replay_http(params.get("replay"), is_async=True)
    with tempfile.TemporaryDirectory() as scratch:
        outdir = keep or Path(scratch)
        report = run_batch(articles, outdir, options, BatchOptions(jobs=jobs), http_client=http)
        by_source = {o.source: o for o in report.outcomes}
        made = {}
        for path in articles:
            outcome = by_source.get(path)
            if outcome is None or outcome.status == "failed":
                reason = outcome.error if outcome else "not summarised"
                code = outcome.exit_code if outcome else EXIT_PROBLEMS
                raise click.exceptions.Exit(_fail(path, reason, code))
            doc = SummaryDocument.model_validate_json((outdir / f"{outcome.id}.json").read_text())
            made[path] = (doc, load_article(path)[0].text)
        return made


def _fail(path: str, reason: str | None, code: int) -> int:
    """Say why an article could not be summarised; `code` is the exit code of its failure,
    as `summary` of that article alone would end."""
    from summarizer.reports.escape import terminal

    click.echo(f"summarizer: error: {path} could not be summarised: {terminal(reason or '')}",
               err=True)  # fmt: skip
    return code


def _render(result: Any, documents: list, texts: list, fmt: str) -> str:  # type: ignore[type-arg]
    if fmt == "markdown":
        from summarizer.reports.story_markdown import story_markdown

        return story_markdown(result, documents)
    if fmt == "html":
        from summarizer.reports.story_html import story_html

        if any(t is None for t in texts):
            raise InputError(
                "the HTML page needs each report's article: give the articles as REPORTs, or"
                " --article FILE for each summary document (its sha256 must match)"
            )
        return story_html(result, documents, texts)
    return result.model_dump_json(indent=2) + "\n"
