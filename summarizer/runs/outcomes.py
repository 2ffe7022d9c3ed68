"""How an article of a batch ends: its result file written, or its error, never lost."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from summarizer.contract.article import ArticleInput, sha256
from summarizer.contract.errors import (
    EXIT_INTERNAL,
    EXIT_PROBLEMS,
    FatalServiceError,
    GroundingFailed,
    NotSent,
    UserError,
)
from summarizer.contract.models import SummaryDocument
from summarizer.reports.escape import terminal
from summarizer.runs.files import NO_ROOM, write_atomic
from summarizer.runs.outdir import ERRORS_FILE, FAILED_SUFFIX, OutputDir

Status = Literal["ok", "flagged", "dropped", "skipped", "failed"]
STATUSES: tuple[Status, ...] = ("ok", "flagged", "dropped", "skipped", "failed")
#: Failures listed in the closing table; all of them are in errors.jsonl.
MAX_FAILURES_SHOWN: int = 10


@dataclass
class Outcome:
    source: str
    status: Status
    id: str | None = None
    requests: int = 0
    error: str | None = None
    #: The failure is one that every further request would meet (key, quota, model).
    fatal: bool = False
    #: The result could not be written, as no further one could be (disk full, read-only).
    no_room: bool = False
    #: A failure's exit code, as a run of this article alone would end (`contract.errors`).
    exit_code: int = EXIT_PROBLEMS
    #: Tokens of its requests (prompt, of them cached, completion) and their estimated cost.
    tokens: tuple[int, int, int] = (0, 0, 0)
    cost_usd: float | None = None
    #: Of its document, for the run log: the article's sha256, its model and prompt, and
    #: its problems counted by code.
    sha256: str | None = None
    model: str | None = None
    problems: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Job:
    """An article to summarise, and where its result goes."""

    source: str
    name: str
    path: Path
    article: ArticleInput


def new_job(source: str, article: ArticleInput, files: OutputDir) -> tuple[Job, str]:
    """An article's job in a batch: a name no other article of it has, where its result
    goes, and its text's sha256 (what resuming compares)."""
    digest = sha256(article.text)
    name = files.name_for(article.id, digest)
    return Job(source, name, files.path / f"{name}.json", replace(article, id=name)), digest


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
            return _costed(Outcome(source, status, name, requests), result)
        if isinstance(result, GroundingFailed):
            kept = job.path.with_name(f"{name}{FAILED_SUFFIX}.json")
            write_atomic(kept, result.document.model_dump_json(indent=2), fsync=False)
            failed = Outcome(source, "failed", name, requests, f"{result} ({kept.name})")
            return _costed(failed, result.document)
    except OSError as e:
        error = f"cannot write the result in {job.path.parent}: {e.strerror or e}"
        return Outcome(source, "failed", name, requests, error, no_room=e.errno in NO_ROOM)
    except Exception as e:
        result = e
    if isinstance(result, NotSent) and requests:
        error = f"stopped after {requests} request(s): {result.reason}"
        return Outcome(source, "failed", name, requests, error, exit_code=result.exit_code)
    if isinstance(result, UserError):
        fatal = isinstance(result, FatalServiceError)
        return Outcome(source, "failed", name, requests, str(result), fatal=fatal,
                       exit_code=result.exit_code)  # fmt: skip
    # A bug must not lose the rest of the batch.
    described = f"{type(result).__name__}: {result}"
    return Outcome(source, "failed", name, requests, f"internal error: {described}",
                   exit_code=EXIT_INTERNAL)  # fmt: skip


def _costed(outcome: Outcome, document: SummaryDocument) -> Outcome:
    u = document.provenance.usage
    outcome.tokens = (u.prompt_tokens, u.cached_tokens, u.completion_tokens)
    outcome.cost_usd = document.provenance.estimated_cost_usd
    outcome.sha256, outcome.model = document.article.sha256, document.provenance.model
    codes = Counter(p.code for r in document.grounding.items.values() for p in r.problems)
    outcome.problems = dict(sorted(codes.items()))
    return outcome


def outcome_of(document: SummaryDocument, source: str, failed: str | None = None) -> Outcome:
    """One article's outcome from its document (the CLI's one article, for the run log)."""
    if failed:
        status: Status = "failed"
    elif document.dropped:
        status = "dropped"
    else:
        status = "ok" if document.grounding.ok else "flagged"
    outcome = Outcome(source, status, document.article.id, document.provenance.attempts, failed)
    return _costed(outcome, document)


@dataclass
class BatchReport:
    """How a batch ended: its outcomes counted, its first failures, and why it stopped."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Outcome] = field(default_factory=list)
    #: Every article's outcome, in the order they ended.
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    #: Why the sending stopped: a failure every further request would meet.
    aborted: str | None = None
    #: Why the writing stopped: no further result could be saved (disk full, read-only).
    not_saved: str | None = None
    #: Whether errors.jsonl holds every failure (it could not be written otherwise).
    errors_written: bool = True
    #: Interrupted (Ctrl-C): the articles not reached are in no count.
    interrupted: bool = False
    #: Tokens of the results' requests (prompt, of them cached, completion), and their
    #: estimated cost (None when no price is known).
    tokens: list[int] = field(default_factory=lambda: [0, 0, 0])
    cost_usd: float | None = None

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def add(self, outcome: Outcome) -> None:
        """Count an article's end into the totals; the first failures are kept to show."""
        self.counts[outcome.status] += 1
        self.requests += outcome.requests
        self.outcomes.append(outcome)
        self.tokens = [a + b for a, b in zip(self.tokens, outcome.tokens, strict=True)]
        if outcome.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + outcome.cost_usd
        if outcome.status == "failed" and len(self.failures) < MAX_FAILURES_SHOWN:
            self.failures.append(outcome)


def report_table(report: BatchReport, outdir: Path) -> str:
    """The closing table of a batch."""
    lines = ["outcome    articles"]
    for status in STATUSES:
        lines.append(f"{status:<10} {report.counts[status]:>8}")
    total = sum(report.counts.values())
    lines.append(f"{'total':<10} {total:>8}   requests {report.requests}   {report.seconds:.2f} s")
    prompt, cached, completion = report.tokens
    cost = "" if report.cost_usd is None else f"   about ${report.cost_usd:.4f}"
    lines.append(f"tokens     {prompt} prompt ({cached} cached) + {completion} completion{cost}")
    if report.interrupted:
        lines.append("interrupted: the articles not reached are not counted; a rerun does them")
    if report.aborted:
        lines.append(f"stopped sending: {terminal(report.aborted)}")
    if report.not_saved:
        lines.append(f"stopped writing: {terminal(report.not_saved)}")
    if report.failed:
        where = terminal(str(outdir / ERRORS_FILE))
        shown = f"the first {len(report.failures)}" if report.failed > len(report.failures) else (
            "all"
        )  # fmt: skip
        lines.append(
            f"failed (all {report.failed} in {where}):"
            if report.errors_written
            else f"failed ({where} could not be written; {shown} of {report.failed} here):"
        )
        lines += [f"  {terminal(o.source)}: {terminal(o.error or '')}" for o in report.failures]
    return "\n".join(lines)


def saved_line(report: BatchReport, outdir: Path) -> str:
    """One line on what was saved and what was not, for a batch that stopped early."""
    saved = sum(report.counts[s] for s in STATUSES if s != "failed")
    why = report.not_saved or ("interrupted" if report.interrupted else "stopped")
    return (
        f"{why}: {saved} result(s) saved in {outdir}, {report.failed} article(s) not saved"
        + (" (see the table)" if report.failed else "")
        + "; a rerun does what is missing"
    )


def already_done(path: Path, digest: str, model: str) -> bool:
    """Whether `path` holds a result for this text, model and prompt version (resume)."""
    import json

    from summarizer.extraction.prompting import prompt_version

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return (
            data["article"]["sha256"] == digest
            and data["provenance"]["model"] == model
            and data["provenance"]["prompt_version"] == prompt_version()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False
