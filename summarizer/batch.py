"""Many articles in one run: as fast as the key allows, and every article ends as a result
file or as a line of `errors.jsonl`.

- Workers (--jobs) take articles one by one from a stream (a JSON Lines file is never read
  whole), and every request passes one shared `RateGate`.
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
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, TextIO

from summarizer.articles import Loaded
from summarizer.client import AsyncModelClient, CallStats, FatalServiceError
from summarizer.errors import UserError
from summarizer.grounding import validate
from summarizer.models import Extraction, GroundingReport, SummaryDocument
from summarizer.output import write_atomic
from summarizer.pipeline import Checker, GroundingFailed, OnProblems, asummarize
from summarizer.prompting import prompt_version
from summarizer.settings import DEFAULT_JOBS, WINDOW_CHARS

ERRORS_FILE = "errors.jsonl"
#: Failures listed in the closing table; all of them are in errors.jsonl.
MAX_FAILURES_SHOWN: int = 10
#: Most worker processes that run grounding checks for a batch (one core stays with the
#: event loop that sends the requests).
CHECK_WORKERS: int = 4
#: How often a check worker looks whether the batch process still lives, in seconds.
PARENT_WATCH_SECONDS: float = 0.5
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


class ProcessChecker:
    """Grounding checks in worker processes, so that a batch's event loop keeps the
    requests flowing on one core while the checks run on the others."""

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: the workers are this process's own children, and each watches it, so that
        # they end with it even on kill -9 (a forkserver's workers outlive a killed parent).
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context,
            initializer=_start_worker, initargs=(os.getpid(),),
        )  # fmt: skip

    async def __call__(self, text: str, extraction: Extraction) -> GroundingReport:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, validate, text, extraction)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int) -> None:
    """In a check worker: keep the collector off the import-time objects (see
    `cli._settle_heap`), and end when the batch process is gone (it was killed)."""
    import gc
    import threading

    gc.freeze()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def default_checker() -> ProcessChecker | None:
    """A process pool on a machine with cores to spare; None (check in the loop) otherwise."""
    cores = os.cpu_count() or 1
    return ProcessChecker(min(cores - 1, CHECK_WORKERS)) if cores > 1 else None


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
        checker: Checker | None = None,
    ) -> None:
        self.window_chars = window_chars
        self.checker = checker
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
            await asyncio.gather(*(self._worker(articles) for _ in range(self.jobs)))
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
        stats = CallStats()
        try:
            document = await asummarize(
                article.text, title=article.title, source=article.source, url=article.url,
                published=article.published, article_id=name, client=self.client,
                repairs=self.repairs, on_problems=self.on_problems, stats=stats,
                window_chars=self.window_chars, checker=self.checker,
            )  # fmt: skip
        except GroundingFailed as e:
            kept = self.outdir / f"{name}.failed.json"
            await asyncio.to_thread(write_atomic, kept, e.document.model_dump_json(indent=2))
            return Outcome(loaded.source, "failed", name, stats.requests, f"{e} ({kept.name})")
        except FatalServiceError as e:
            self.report.aborted = self.report.aborted or str(e)
            return Outcome(loaded.source, "failed", name, stats.requests, str(e))
        except UserError as e:
            return Outcome(loaded.source, "failed", name, stats.requests, str(e))
        except Exception as e:  # a bug must not lose the rest of the batch
            return Outcome(loaded.source, "failed", name, stats.requests,
                           f"internal error: {type(e).__name__}: {e}")  # fmt: skip
        await asyncio.to_thread(_write_document, path, document)
        if document.dropped:
            status: Status = "dropped"
        else:
            status = "ok" if document.grounding.ok else "flagged"
        return Outcome(loaded.source, status, name, stats.requests)

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


def _write_document(path: Path, document: SummaryDocument) -> None:
    write_atomic(path, document.model_dump_json(indent=2))


def report_table(report: BatchReport, outdir: Path) -> str:
    """The closing table of a batch."""
    lines = ["outcome    articles"]
    for status in ("ok", "flagged", "dropped", "skipped", "failed"):
        lines.append(f"{status:<10} {report.counts[status]:>8}")
    total = sum(report.counts.values())
    lines.append(f"{'total':<10} {total:>8}   requests {report.requests}   {report.seconds:.1f} s")
    if report.aborted:
        lines.append(f"stopped sending: {report.aborted}")
    if report.failed:
        lines.append(f"failed (all {report.failed} in {outdir / ERRORS_FILE}):")
        lines += [f"  {o.source}: {o.error}" for o in report.failures]
    return "\n".join(lines)
