"""Many articles from the command line: `run_batch` with progress, the closing table and
the batch's exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from summarizer.cli.options import replay_http
from summarizer.contract.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_SERVICE

if TYPE_CHECKING:
    from summarizer.contract.options import Options
    from summarizer.runs.batch import BatchOptions


def run_batch_command(
    named: list[str],
    files: list[str],
    outdir: Path,
    options: Options,
    batch: BatchOptions,
    *,
    replay: str | None,
    quiet: bool,
    log: Path | None,
) -> None:
    """Run the batch of `files` (expanded from the `named` inputs), print its table, and
    exit with its code."""
    from summarizer.contract.errors import InputError
    from summarizer.reports.escape import terminal
    from summarizer.runs.batch import run_batch
    from summarizer.runs.outcomes import report_table, saved_line
    from summarizer.runs.progress import Progress
    from summarizer.sources.articles import count_articles

    total = count_articles(files)
    if total == 0:
        raise InputError(
            f"no article in {', '.join(named)}: give .txt, .md, .json, .jsonl or .html files"
        )
    http_client = replay_http(replay, is_async=True)
    progress = Progress(total, quiet=quiet)
    report = run_batch(files, outdir, options, batch, http_client=http_client,
                       progress=progress)  # fmt: skip
    click.echo(report_table(report, outdir))
    if log is not None:
        from summarizer.cli.runlog import log_run

        log_run(log, "summary", report.outcomes, report.seconds, outdir=str(outdir))
    if report.interrupted or report.not_saved:
        click.echo(f"summarizer: {terminal(saved_line(report, outdir))}", err=True)
    if report.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if report.aborted:
        sys.exit(EXIT_SERVICE)
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)
