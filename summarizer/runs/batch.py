"""Many articles in one run: as fast as the key allows, and every article ends as a result
file or as a line of `errors.jsonl`.

- Lanes take articles one by one from a stream (a JSON Lines file is never read whole);
  every request passes one shared `RateGate`, which keeps `jobs` requests in flight.
- Each article goes through the same flow as one article (`pipeline.drivers.adrive`). Its
  checks run in this process, or, with `check_processes`, in a process pool (worth it only
  when answers arrive faster than one core can check them: see docs/decisions.md).
- Each result is `OUTDIR/<id>.json`, written atomically (temporary file, then rename).
- Resume: an article whose result exists for the same text, model and prompt version is
  skipped; everything else is done again. Temporary files left by a killed run are removed.
- A failure that every further request would meet too (key, quota, unknown model) stops
  the sending; the articles left are recorded with that reason.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from summarizer.contract.article import ArticleInput
from summarizer.contract.calls import CallStats
from summarizer.contract.defaults import DEFAULT_JOBS, MAX_CHECK_PROCESSES, MAX_JOBS
from summarizer.contract.errors import InputError
from summarizer.contract.models import GroundingReport, SummaryDocument
from summarizer.contract.options import Options
from summarizer.extraction.steps import Check
from summarizer.pipeline.article import article_document_flow
from summarizer.pipeline.drivers import adrive, run_check
from summarizer.providers.chat import AsyncModelClient
from summarizer.providers.ratelimit import RateGate
from summarizer.providers.settings import settings_for
from summarizer.runs.outcomes import BatchReport, Outcome, already_done, conclude, new_job
from summarizer.runs.outdir import OutputDir
from summarizer.runs.pages import write_index, write_page
from summarizer.runs.progress import Progress
from summarizer.sources.articles import Loaded, expand, iter_articles, safe_id

#: Articles in progress per request slot (`jobs`): while an article waits for its answer,
#: the next one is being read and the last one checked and written, so a free slot never
#: waits for that work.
ARTICLES_PER_SLOT: int = 2
#: How often a check process looks whether the batch process still lives, in seconds.
PARENT_WATCH_SECONDS: float = 0.5


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (how each article is summarised is `Options`).

    - `jobs`: requests in flight; `max_requests`: cap on the requests of the whole run
      (the articles it leaves are recorded as failed and done by the next run);
    - `resume`: skip articles whose result exists for the same text, model and prompt;
    - `encoding`: of the article files when not UTF-8;
    - `check_processes`: run the checks in a pool of this many processes (0: here);
    - `pages`: also write each result's HTML page (`<id>.html`) and `index.html`.
    """

    jobs: int = DEFAULT_JOBS
    max_requests: int | None = None
    resume: bool = True
    encoding: str | None = None
    check_processes: int = 0
    pages: bool = False

    def __post_init__(self) -> None:
        bounds = {"jobs": (1, MAX_JOBS), "check_processes": (0, MAX_CHECK_PROCESSES)}
        for name, (low, high) in bounds.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InputError(f"{name} {value!r}: give a whole number from {low} to {high}")
        cap = self.max_requests
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise InputError(f"max_requests {cap!r}: give a positive whole number")


class Batch:
    """One batch run into `outdir`, through `client` (whose gate every request passes)."""

    def __init__(
        self,
        outdir: Path,
        client: AsyncModelClient,
        options: Options,
        batch: BatchOptions,
        progress: Progress | None = None,
    ) -> None:
        self.outdir = outdir
        self.client = client
        self.options = options
        self.batch = batch
        self.progress = progress
        self.report = BatchReport()
        self.files = OutputDir(outdir)
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, articles: Iterator[Loaded]) -> BatchReport:
        """Every article to its end; interrupted (Ctrl-C), what was done is reported."""
        started = time.monotonic()
        self.files.open()
        if self.batch.check_processes:
            self._pool = _check_pool(self.batch.check_processes)
        try:
            lanes = self.batch.jobs * ARTICLES_PER_SLOT
            await asyncio.gather(*(self._lane(articles) for _ in range(lanes)))
        except asyncio.CancelledError:
            self.report.interrupted = True
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
            self._write_errors(force=True)
            self._write_index()
            self.files.close()
            if self.progress:
                self.progress.close()
        self.report.seconds = time.monotonic() - started
        return self.report

    async def _lane(self, articles: Iterator[Loaded]) -> None:
        for loaded in articles:  # shared: each article goes to one lane
            started = time.monotonic()
            outcome = await self._process(loaded)
            outcome.seconds = time.monotonic() - started
            self._record(outcome)
            await asyncio.sleep(0)  # let the other lanes take their turn

    async def _process(self, loaded: Loaded) -> Outcome:
        if loaded.article is None:
            return Outcome(loaded.source, "failed", id=loaded.id, error=loaded.error)
        if self.progress:
            for notice in loaded.notices:
                self.progress.notice(notice)
        job, digest = new_job(loaded.source, loaded.article, self.files)
        text, path = job.article.text, job.path
        if self.batch.resume and already_done(path, digest, self.client.settings.model):
            if self.batch.pages and not path.with_suffix(".html").exists():
                done = SummaryDocument.model_validate_json(path.read_text(encoding="utf-8"))
                self._page(done, text, path)
            return Outcome(loaded.source, "skipped", id=job.name)
        stopped = self.report.aborted or self.report.not_saved
        if stopped:
            return Outcome(loaded.source, "failed", id=job.name, error=f"not attempted: {stopped}")
        stats = CallStats()
        result: SummaryDocument | Exception
        try:
            flow = article_document_flow(job.article, self.options, self.client.settings, stats)
            send = partial(self.client.fetch, stats=stats)
            result = await adrive(flow, send, self._check if self._pool else None)
        except Exception as e:
            result = e
        outcome = conclude(job, result, stats.requests)
        if self.batch.pages and isinstance(result, SummaryDocument) and outcome.status != "failed":
            self._page(result, text, path)
        return outcome

    def _page(self, document: SummaryDocument, text: str, result: Path) -> None:
        """The result's page; one that cannot be written is said, the result stays."""
        try:
            write_page(document, text, result)
        except OSError as e:
            self.report.not_saved = self.report.not_saved or (
                f"cannot write the page in {self.outdir}: {e.strerror or e}"
            )

    async def _check(self, check: Check) -> GroundingReport:
        """The checks in the pool; a pool broken by a process that died (killed, out of
        memory) is replaced, and this check runs here, so no other article pays for it."""
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, run_check, check)
        except BrokenProcessPool:
            if self._pool is pool and pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = _check_pool(self.batch.check_processes)
            return run_check(check)

    def _record(self, outcome: Outcome) -> None:
        if outcome.fatal:
            self.report.aborted = self.report.aborted or outcome.error
        if outcome.no_room:
            self.report.not_saved = self.report.not_saved or outcome.error
        self.report.add(outcome)
        if outcome.status == "failed":
            self.files.errors.append(error_record(outcome))
            self._write_errors()
        if self.progress:
            self.progress.update(outcome)

    def _write_index(self) -> None:
        if not self.batch.pages:
            return
        try:
            write_index(self.outdir, self.report.outcomes)
        except OSError as e:
            self.report.not_saved = self.report.not_saved or (
                f"cannot write index.html in {self.outdir}: {e.strerror or e}"
            )

    def _write_errors(self, *, force: bool = False) -> None:
        try:
            self.files.write_errors(force=force)
            self.report.errors_written = True
        except OSError as e:  # kept in memory; the closing table lists the first ones
            self.report.errors_written = False
            self.report.not_saved = self.report.not_saved or (
                f"cannot write in {self.outdir}: {e.strerror or e}"
            )


def error_record(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.id, "source": outcome.source, "error": outcome.error,
        "requests": outcome.requests,
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }  # fmt: skip


def run_batch(
    articles: Sequence[str | Path | ArticleInput],
    outdir: str | Path,
    options: Options | None = None,
    batch: BatchOptions | None = None,
    *,
    http_client: Any = None,
    progress: Progress | None = None,
) -> BatchReport:
    """Summarise many articles into `outdir`: `OUTDIR/<id>.json` for each, and a line of
    `OUTDIR/errors.jsonl` for each that failed; never raises for one article.

    `articles`: files, directories of them and JSON Lines files (as the CLI takes them), or
    `ArticleInput`s. `http_client`: an `httpx2.AsyncClient` to send through (the CLI's
    `--replay` passes one that answers from recordings). Raises `InputError` for a bad
    `outdir` or options, before any request.
    """
    run = partial(arun_batch, articles, outdir, options, batch, http_client=http_client,
                  progress=progress)  # fmt: skip
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run())
    # An event loop runs in this thread already (a notebook, a GUI): the batch gets its own.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(lambda: asyncio.run(run())).result()



async def arun_batch(
    articles: Sequence[str | Path | ArticleInput],
    outdir: str | Path,
    options: Options | None = None,
    batch: BatchOptions | None = None,
    *,
    http_client: Any = None,
    progress: Progress | None = None,
) -> BatchReport:
    """The async twin of `run_batch`, for a caller with its own event loop."""
    import httpx2

    options, batch, outdir = options or Options(), batch or BatchOptions(), Path(outdir)
    if isinstance(articles, str | Path | ArticleInput):
        articles = [articles]  # one name, not a sequence of characters
    if http_client is None:
        slots = batch.jobs + 2
        limits = httpx2.Limits(max_connections=slots, max_keepalive_connections=slots)
        http_client = httpx2.AsyncClient(limits=limits)
    gate = RateGate(batch.jobs, max_requests=batch.max_requests)

    async def observe(response: Any) -> None:  # every answer's rate-limit headers
        gate.observe(response.headers)

    http_client.event_hooks["response"] = [*http_client.event_hooks["response"], observe]
    client = AsyncModelClient(settings_for(options), http_client=http_client, gate=gate)
    async with http_client:
        runner = Batch(outdir, client, options, batch, progress)
        return await runner.run(_loaded(articles, batch.encoding))


def _loaded(
    articles: Sequence[str | Path | ArticleInput], encoding: str | None
) -> Iterator[Loaded]:
    """Every article to do, read as the lanes take them; ids made safe as file names."""
    for n, item in enumerate(articles, start=1):
        if isinstance(item, ArticleInput):
            safe = replace(item, id=safe_id(item.id)) if item.id else item
            yield Loaded(source=item.id or f"article {n}", article=safe)
        else:
            yield from iter_articles(expand([str(item)]), encoding)


def _check_pool(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(processes, initializer=_end_with_parent, initargs=(os.getpid(),))


def _end_with_parent(parent: int) -> None:
    """In a pool process: end when the batch process is gone (killed: nobody says stop)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
