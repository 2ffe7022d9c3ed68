"""The `summarizer` command: its group, its commands, and the one place where errors become
one line and an exit code. Heavy imports happen inside commands, so `--help` is fast."""

from __future__ import annotations

import os
import sys

import click

from summarizer.cli.batch_api import collect
from summarizer.cli.help import EXIT_CODES_HELP
from summarizer.cli.render import render
from summarizer.cli.runlog import logs
from summarizer.cli.story import story
from summarizer.cli.summary import summary
from summarizer.cli.validate import validate
from summarizer.contract.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    UserError,
)
from summarizer.reports.escape import terminal


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
    The article with its evidence highlighted, in a browser:
      summarizer summary article.txt -o page.html
    Several outlets' reports of one event lined up:
      summarizer story reuters.txt afp.txt --format markdown
    Many articles at half the price, collected later:
      summarizer summary wire/ -o results/ --batch-api; summarizer collect results/
    What earlier runs cost:
      summarizer logs
    """


#: Set, a bug shows its traceback instead of one line.
DEBUG_VARIABLE = "SUMMARIZER_DEBUG"

cli.add_command(summary)
cli.add_command(validate)
cli.add_command(render)
cli.add_command(story)
cli.add_command(logs)
cli.add_command(collect)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and an exit code."""
    try:
        # Without standalone mode, click returns the code of a `ctx.exit(code)` / `Exit`.
        code = cli.main(args=argv, prog_name="summarizer", standalone_mode=False)
    except UserError as e:
        click.echo(f"summarizer: error: {terminal(str(e))}", err=True)
        sys.exit(e.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("summarizer: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as e:
        e.show()
        sys.exit(EXIT_BAD_INPUT if e.exit_code == 2 else e.exit_code)
    except Exception as e:  # a bug: one line, and the traceback only when asked for
        if os.environ.get(DEBUG_VARIABLE):
            raise
        click.echo(
            f"summarizer: internal error: {terminal(f'{type(e).__name__}: {e}')} (a bug in"
            f" summarizer; {DEBUG_VARIABLE}=1 shows where)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
