"""`summarizer summary ... --batch-api` and `summarizer collect OUTDIR`: a batch through the
provider's Batch API, submitted now and collected when it has ended."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarizer.cli.help import EXIT_CODES_HELP
from summarizer.cli.options import BATCH_API_WAITING, LOG, MODEL, options
from summarizer.contract.errors import EXIT_OK, EXIT_PROBLEMS, InputError

if TYPE_CHECKING:
    from summarizer.contract.options import Options
    from summarizer.runs.batch_api import BatchApiRun
    from summarizer.runs.outdir import OutputDir


def batch_api_command(
    files: list[str], outdir: Path, options: Options, *, encoding: str | None,
    params: dict[str, Any],
) -> None:  # fmt: skip
    """Submit the articles' requests (or go on with a run begun in OUTDIR)."""
    run, lock = _open(outdir, options, params)
    try:
        run.state["inputs"], run.state["encoding"] = files, encoding
        run.save()
        run.forget_retryable()
        _advance(run, lock, params)
    finally:
        lock.close()


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("outdir", metavar="OUTDIR")
@options(BATCH_API_WAITING, MODEL, LOG)
def collect(outdir: str, **params: Any) -> None:
    """Collect a Batch API run begun with `summarizer summary ... --batch-api -o OUTDIR`:
    download the answers of the batches that ended, check them, send the repair round, and
    write the results and errors.jsonl as a live batch does. Say how far batches are when
    they have not ended; `--wait` waits for them.

    \b
    Examples:
      summarizer collect results/
      summarizer collect results/ --wait --repair-live
    """
    from summarizer.cli.options import options_from
    from summarizer.runs.batch_api import state_file

    path = Path(outdir)
    if not state_file(path).exists():
        raise InputError(f"{outdir}: no Batch API run here; start one with: summarizer summary"
                         " ARTICLES -o OUTDIR --batch-api")  # fmt: skip
    options = options_from(params)
    run, lock = _open(path, options, params)
    try:
        _advance(run, lock, params)
    finally:
        lock.close()


def _open(outdir: Path, options: Options, params: dict[str, Any]) -> tuple[BatchApiRun, Any]:
    """The run in OUTDIR, locked, going on with the options it began with (a model or
    response format that differs from them is refused: the requests would differ)."""
    from dataclasses import replace

    from summarizer.contract.options import Options as Opts
    from summarizer.providers.batches import BatchService
    from summarizer.providers.chat import ModelClient
    from summarizer.providers.settings import settings_for
    from summarizer.runs.batch_api import BatchApiRun, state_file
    from summarizer.runs.outdir import OutputDir

    state = state_file(outdir)
    saved = json.loads(state.read_text(encoding="utf-8")).get("options") if state.exists() else None
    if saved:
        for name in ("model", "response_format"):
            given = params.get(name)
            if given and saved.get(name) and given != saved[name]:
                raise InputError(f"--{name.replace('_', '-')} {given}: this run began with"
                                 f" {saved[name]}; its requests must stay the same")  # fmt: skip
        options = replace(Opts(**saved), api_key=options.api_key, base_url=options.base_url)
    lock = OutputDir(outdir)
    lock.open()
    run = BatchApiRun(outdir, BatchService(ModelClient(settings_for(options))), options)
    run.load()
    if not saved:
        run.state["options"] = {k: v for k, v in vars(options).items()
                                if k not in ("api_key", "base_url")}  # fmt: skip
        run.state["options"]["model"] = run.settings.model
    return run, lock


def _advance(run: BatchApiRun, lock: OutputDir, params: dict[str, Any]) -> None:
    from summarizer.runs.batch_api import poll_until_ended

    outdir = lock.path
    live = run.service.client.fetch if params.get("repair_live") else None
    if params.get("wait"):
        report = poll_until_ended(run, time.sleep, _say, live)
    else:
        result = run.step(live)
        if result.report is None:
            from summarizer.reports.escape import terminal

            if result.submitted:
                said = terminal(", ".join(result.submitted))
                click.echo(f"submitted {said}; collect the results with: summarizer collect"
                           f" {terminal(str(outdir))}")  # fmt: skip
            else:
                click.echo(f"not ended yet: {terminal(result.progress)}; collect later with:"
                           f" summarizer collect {terminal(str(outdir))}")  # fmt: skip
            return
        report = result.report
    _conclude(report, lock, params)


def _say(text: str) -> None:
    from summarizer.reports.escape import terminal

    click.echo(f"summarizer: {terminal(text)}", err=True)


def _conclude(report: Any, lock: OutputDir, params: dict[str, Any]) -> None:
    from summarizer.cli.runlog import log_path, log_run
    from summarizer.runs.batch import error_record
    from summarizer.runs.outcomes import report_table

    outdir = lock.path
    lock.errors[:] = [error_record(o) for o in report.outcomes if o.status == "failed"]
    lock.write_errors(force=True)
    click.echo(report_table(report, outdir))
    log = log_path(params)
    if log is not None:
        log_run(log, "batch-api", report.outcomes, report.seconds, outdir=str(outdir))
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)
