"""Many articles in one run: as fast as the key allows, and every article ends as a result
file or as a line of `errors.jsonl`.

- Lanes take articles one by one from a stream (a JSON Lines file is never read whole);
  every request passes one shared `RateGate`, which keeps --jobs requests in flight.
- Each result is `OUTDIR/<id>.json`, written atomically (temporary file, then rename).
- Resume: an article whose result exists for the same text, model and prompt version is
  skipped; everything else is done again. Temporary files left by a killed run are removed.
- A failure that every further request would meet too (key, quota, unknown model) stops
  the sending; the articles left are recorded with that reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from summarizer.sources.articles import Loaded
from summarizer.providers.chat import AsyncModelClient, CallStats
from summarizer.contract.errors import FatalServiceError, NotSent, UserError
from summarizer.contract.models import SummaryDocument
from summarizer.runs.files import write_atomic
from summarizer.extraction.steps import ArticleInput, GroundingFailed, OnProblems, asummarize
from summarizer.extraction.prompting import prompt_version
from summarizer.contract.defaults import DEFAULT_JOBS, WINDOW_CHARS

if TYPE_CHECKING:
    from summarizer.runs.workers import WorkerPool

ERRORS_FILE = "errors.jsonl"
#: Articles in progress per request slot (--jobs): the gate keeps the requests in flight
#: to --jobs, and while an article waits for its answer, the next one is being prepared and
#: the last one checked and written, so a free slot never waits for that work.
ARTICLES_PER_SLOT: int = 2
#: Failures listed in the closing table; all of them are in errors.jsonl.
MAX_FAILURES_SHOWN: int = 10
#: Shortest interval between two redraws of the progress bar, in seconds.
PROGRESS_REDRAW: float = 0.1

Status = Literal["ok", "flagged", "dropped", "skipped", "failed"]


@dataclass
class Outcome:
    source: str
    status: Status
    id: str | None = None
    requests: int = 0
    error: str | None = None
    #: The failure is one that every further request would meet (key, quota, model).
    fatal: bool = False


@dataclass(frozen=True)
class Job:
    """An article to summarise, and where its result goes."""

    source: str
    name: str
    path: Path
    article: ArticleInput


class InternalError(Exception):
    """A bug met in another process, already described there ("KeyError: 'x'")."""


def conclude(job: Job, result: SummaryDocument | Exception, requests: int) -> Outcome:
    """An article's end: its result file written, or its error (a document that failed
    `on_problems="fail"` is kept beside, as NAME.failed.json). Never raises: whatever
    happens here is this article's error, and the batch goes on."""
    name, source = job.name, job.source
    try:
        if isinstance(result, SummaryDocument):
            write_atomic(job.path, result.model_dump_json(indent=2), fsync=False)
            if result.dropped:
                status: Status = "dropped"
            else:
                status = "ok" if result.grounding.ok else "flagged"
            return Outcome(source, status, name, requests)
        if isinstance(result, GroundingFailed):
            kept = job.path.with_name(f"{name}.failed.json")
            write_atomic(kept, result.document.model_dump_json(indent=2), fsync=False)
            return Outcome(source, "failed", name, requests, f"{result} ({kept.name})")
    except OSError as e:
        where = job.path.parent
        return Outcome(source, "failed", name, requests,
                       f"cannot write the result in {where}: {e.strerror or e}")  # fmt: skip
    except Exception as e:
        result = e
    if isinstance(result, NotSent) and requests:
        error = f"stopped after {requests} request(s): {result.reason}"
        return Outcome(source, "failed", name, requests, error)
    if isinstance(result, FatalServiceError):
        return Outcome(source, "failed", name, requests, str(result), fatal=True)
    if isinstance(result, UserError):
        return Outcome(source, "failed", name, requests, str(result))
    # A bug must not lose the rest of the batch.
    described = str(result) if isinstance(result, InternalError) else (
        f"{type(result).__name__}: {result}"
    )  # fmt: skip
    return Outcome(source, "failed", name, requests, f"internal error: {described}")


@dataclass
class BatchReport:
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Outcome] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    aborted: str | None = None

    @property
    def failed(self) -> int:
        return self.counts["failed"]


class Progress:
    """A bar on a terminal; one plain line per article when stderr is not one."""

    def __init__(self, total: int, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        self.counts[outcome.status] += 1
        if self.quiet:
            return
        if not self.tty:
            detail = f": {outcome.error}" if outcome.error else ""
            self.stream.write(
                f"summarizer: [{self.done}/{self.total}] {outcome.id or outcome.source}"
                f" {outcome.status}{detail}\n"
            )
            self.stream.flush()
            return
        now = time.monotonic()
        if now - self._drawn < PROGRESS_REDRAW and self.done < self.total:
            return
        self._drawn = now
        width = 30
        filled = width * self.done // max(1, self.total)
        rate = self.done / max(1e-9, now - self.started)
        counts = " ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
            f"  {counts}  {rate:.1f}/s \x1b[K"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.tty and not self.quiet and self.done:
            self.stream.write("\n")
            self.stream.flush()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Batch:
    def __init__(
        self,
        outdir: Path,
        client: AsyncModelClient,
        *,
        jobs: int = DEFAULT_JOBS,
        repairs: int = 1,
        on_problems: OnProblems = "flag",
        resume: bool = True,
        progress: Progress | None = None,
        window_chars: int = WINDOW_CHARS,
        workers: WorkerPool | None = None,
    ) -> None:
        self.window_chars = window_chars
        self.workers = workers
        self.outdir = outdir
        self.client = client
        self.jobs = jobs
        self.repairs = repairs
        self.on_problems = on_problems
        self.resume = resume
        self.progress = progress
        self.model = client.settings.model
        self.report = BatchReport()
        self._names: set[str] = set()
        self._errors: TextIO | None = None

    async def run(self, articles: Iterator[Loaded]) -> BatchReport:
        started = time.monotonic()
        self.outdir.mkdir(parents=True, exist_ok=True)
        for stale in self.outdir.glob(".*.tmp"):  # left by a run that was killed
            stale.unlink(missing_ok=True)
        with open(self.outdir / ERRORS_FILE, "w", encoding="utf-8") as self._errors:
            lanes = self.jobs * ARTICLES_PER_SLOT
            await asyncio.gather(*(self._worker(articles) for _ in range(lanes)))
        if self.workers is not None:
            await self.workers.finish()
        self._errors = None
        if self.progress:
            self.progress.close()
        self.report.seconds = time.monotonic() - started
        return self.report

    async def _worker(self, articles: Iterator[Loaded]) -> None:
        for loaded in articles:  # shared: each article goes to one worker
            outcome = await self._process(loaded)
            self._record(outcome)
            await asyncio.sleep(0)  # let the other workers take their turn

    def _output_name(self, loaded: Loaded, digest: str) -> str:
        assert loaded.article is not None
        base = loaded.article.id or digest[:16]
        if base in self._names:  # the same id twice in one batch
            base = f"{base}-{digest[:8]}"
        self._names.add(base)
        return base

    async def _process(self, loaded: Loaded) -> Outcome:
        if loaded.article is None:
            return Outcome(loaded.source, "failed", error=loaded.error)
        article = loaded.article
        digest = sha256(article.text)
        name = self._output_name(loaded, digest)
        path = self.outdir / f"{name}.json"
        if self.resume and self._already_done(path, digest):
            return Outcome(loaded.source, "skipped", id=name)
        if self.report.aborted:
            return Outcome(loaded.source, "failed", id=name,
                           error=f"not attempted: {self.report.aborted}")  # fmt: skip
        job = Job(loaded.source, name, path, replace(article, id=name))
        if self.workers is not None:
            return await self.workers.summarize(job, self.client.fetch)
        stats = CallStats()
        result: SummaryDocument | Exception
        try:
            result = await asummarize(
                article.text, title=article.title, source=article.source, url=article.url,
                published=article.published, article_id=name, client=self.client,
                repairs=self.repairs, on_problems=self.on_problems, stats=stats,
                window_chars=self.window_chars,
            )  # fmt: skip
        except Exception as e:
            result = e
        return await asyncio.to_thread(conclude, job, result, stats.requests)

    def _already_done(self, path: Path, digest: str) -> bool:
        """Whether `path` holds a result for this text, model and prompt version."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return (
                data["article"]["sha256"] == digest
                and data["provenance"]["model"] == self.model
                and data["provenance"]["prompt_version"] == prompt_version()
            )
        except (OSError, ValueError, KeyError, TypeError):
            return False

    def _record(self, outcome: Outcome) -> None:
        if outcome.fatal:
            self.report.aborted = self.report.aborted or outcome.error
        self.report.counts[outcome.status] += 1
        self.report.requests += outcome.requests
        if outcome.status == "failed":
            if len(self.report.failures) < MAX_FAILURES_SHOWN:
                self.report.failures.append(outcome)
            assert self._errors is not None
            self._errors.write(
                json.dumps(
                    {"id": outcome.id, "source": outcome.source, "error": outcome.error,
                     "requests": outcome.requests,
                     "time": datetime.now(timezone.utc).isoformat(timespec="seconds")},
                    ensure_ascii=False,
                ) + "\n"
            )  # fmt: skip
            self._errors.flush()
        if self.progress:
            self.progress.update(outcome)


def report_table(report: BatchReport, outdir: Path) -> str:
    """The closing table of a batch."""
    lines = ["outcome    articles"]
    for status in ("ok", "flagged", "dropped", "skipped", "failed"):
        lines.append(f"{status:<10} {report.counts[status]:>8}")
    total = sum(report.counts.values())
    lines.append(f"{'total':<10} {total:>8}   requests {report.requests}   {report.seconds:.2f} s")
    if report.aborted:
        lines.append(f"stopped sending: {report.aborted}")
    if report.failed:
        lines.append(f"failed (all {report.failed} in {outdir / ERRORS_FILE}):")
        lines += [f"  {o.source}: {o.error}" for o in report.failures]
    return "\n".join(lines)
