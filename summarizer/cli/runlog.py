"""The run log from the command line: each run recorded (a log that cannot be written is a
notice, never the run's failure), and `summarizer logs`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import click

from summarizer.cli.help import EXIT_CODES_HELP
from summarizer.cli.options import LOG_DB


def log_path(params: dict[str, Any]) -> Path | None:
    """Where to log the run (None: --no-log)."""
    if params["no_log"]:
        return None
    if params["log_db"]:
        return Path(params["log_db"])
    from summarizer.runs.log import default_path

    return default_path()


def log_run(path: Path, command: str, outcomes: list, seconds: float, **settings: Any) -> None:  # type: ignore[type-arg]
    from summarizer.extraction.prompting import prompt_version
    from summarizer.reports.escape import terminal
    from summarizer.runs.log import record_run

    models = {o.model for o in outcomes if o.model}
    settings = {"model": ", ".join(sorted(models)) or None, "prompt_version": prompt_version(),
                **settings}  # fmt: skip
    try:
        record_run(path, command, outcomes, settings=settings, seconds=seconds)
    except (OSError, sqlite3.Error) as e:
        click.echo(f"summarizer: notice: the run was not logged in {terminal(str(path))}: {e}",
                   err=True)  # fmt: skip


@click.command(epilog=EXIT_CODES_HELP)
@click.option("-n", "--count", type=click.IntRange(1), default=10, show_default=True,
              help="How many runs, newest first.")  # fmt: skip
@click.option("-q", "--query", metavar="TEXT", help="Only runs with an article whose id, "
              "source, sha256, outcome or error holds TEXT.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="The runs as JSON.")
@LOG_DB
def logs(count: int, query: str | None, as_json: bool, log_db: str | None) -> None:
    """List the runs logged, newest first: what they cost and how their articles ended.

    \b
    Examples:
      summarizer logs -n 5
      summarizer logs -q aleppo --json
      datasette ~/.local/share/summarizer/logs.db   # browse it (pip install datasette)
    """
    from summarizer.reports.escape import terminal
    from summarizer.runs.log import recent_runs

    path = log_path({"no_log": False, "log_db": log_db})
    assert path is not None
    if not path.exists():
        click.echo(f"summarizer: no run logged yet in {terminal(str(path))}", err=True)
        return
    try:
        runs = recent_runs(path, count, query)
    except sqlite3.Error as e:
        from summarizer.contract.errors import InputError

        said = f"{terminal(str(path))}: not a run log ({e}); name one with --log-db"
        raise InputError(said) from None

    if as_json:
        click.echo(json.dumps(runs, indent=2))
        return
    for r in runs:
        cost = "" if r["cost_usd"] is None else f"  about ${r['cost_usd']:.4f}"
        outcomes = ", ".join(f"{k} {v}" for k, v in json.loads(r["outcomes"]).items())
        click.echo(
            f"#{r['id']}  {r['started_at']}  {r['command']}  {r['model'] or '?'}  "
            f"{r['articles']} article(s): {outcomes}  {r['requests']} request(s)  "
            f"{r['prompt_tokens']}+{r['completion_tokens']} tokens{cost}"
            + (f"  {terminal(r['outdir'])}" if r["outdir"] else "")
        )
