"""The `summarizer` command. Heavy imports happen inside commands, so `--help` is fast."""

from __future__ import annotations

import sys

import click

from summarizer.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_PROBLEMS, UserError

EXIT_CODES_HELP = """\b
Exit codes:
  0  everything checked out
  1  the grounding report has problems
  2  bad input: unreadable file, JSON that does not fit the contract, bad option
  3  the model service failed (key, quota, refusal, cut-off, outage)"""


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

    from summarizer.errors import InputError, describe_validation_error
    from summarizer.grounding import validate as run_validate
    from summarizer.reading import name, read_json, read_text

    if article == "-" and extraction == "-":
        raise InputError("only one of ARTICLE and EXTRACTION.json can be '-' (stdin)")
    text = read_text(article)
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
        from summarizer.render import report_text

        click.echo(report_text(report, name(article)))
    sys.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


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
