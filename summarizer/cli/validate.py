"""`summarizer validate`: check an extraction you already have against its article."""

from __future__ import annotations

import sys

import click

from summarizer.cli.help import EXIT_CODES_HELP
from summarizer.contract.errors import EXIT_OK, EXIT_PROBLEMS


@click.command(epilog=EXIT_CODES_HELP)
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

    from summarizer.contract.errors import InputError, describe_validation_error
    from summarizer.grounding.checks import validate as run_validate
    from summarizer.sources.articles import load_article
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
        from summarizer.reports.text import report_text

        click.echo(report_text(report, name(article)))
    sys.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)
