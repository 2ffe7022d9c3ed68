"""A batch that can wait, through the provider's Batch API at half the price.

Every article goes through the same flow as a live batch; where the flow asks for an
answer that is not there yet, its request joins the next round: a JSONL file uploaded,
a batch made of it. When a round ends, its answers are stored and the flows are run again
from the start with them, until each ends in a document (written as a live batch writes
it) or an error, or asks for more (repairs, the next part of a long article): the next
round, or live calls with `repair_live`.

Nothing is paid for twice: OUTDIR/.batch-api/state.json records each round before and
after each step (written atomically), uploads and batches are named by their round, and a
rerun after `kill -9` at any point looks for what the last run made before making it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from summarizer.contract.calls import CallStats
from summarizer.contract.errors import ServiceError
from summarizer.contract.models import SummaryDocument
from summarizer.contract.options import Options
from summarizer.pipeline.article import article_document_flow
from summarizer.pipeline.drivers import Flow, drive
from summarizer.providers.batches import ENDED, MAX_BATCH_BYTES, MAX_BATCH_REQUESTS, BatchService
from summarizer.providers.chat import read_reply, reply_text
from summarizer.providers.failures import server_text
from summarizer.runs.files import write_atomic
from summarizer.runs.outcomes import (
    BatchReport,
    Job,
    Outcome,
    already_done,
    conclude,
    new_job,
)
from summarizer.runs.outdir import OutputDir
from summarizer.sources.articles import Loaded, iter_articles

STATE_DIR = ".batch-api"


def state_file(outdir: Path) -> Path:
    """Where a Batch API run keeps its state in OUTDIR."""
    return outdir / STATE_DIR / "state.json"
#: How a batch ends that leaves requests to send again.
UNANSWERED = frozenset({"expired", "failed", "cancelled"})
#: Seconds between two looks at a batch that has not ended (with --wait).
POLL_SECONDS: float = 30.0


#: An article that ended: its outcome (it could not be read), or what `conclude` takes.
Ended = Outcome | tuple[Job, SummaryDocument | Exception, int]


@dataclass
class Pending:
    """A request a flow waits for."""

    custom_id: str
    body: bytes
    #: The article's first request (not a repair, nor a later part of a long article).
    first: bool = True
    #: The article's place among the run's inputs.
    article: int = 0


class _Missing(Exception):
    """A flow asked for an answer no batch has given yet: where that flow stops for now."""

    def __init__(self, pending: Pending) -> None:
        self.pending = pending


@dataclass
class RoundResult:
    """Where a step left the run: done (its report), or waiting for batches."""

    report: BatchReport | None = None
    waiting: list[str] = field(default_factory=list)  # batch ids not ended
    submitted: list[str] = field(default_factory=list)  # batch ids made by this step
    progress: str = ""


def custom_id(name: str, body: bytes) -> str:
    """One request's id in a batch: its article and the hash of its body."""
    return f"{name[:40]}-{hashlib.sha256(body).hexdigest()[:20]}"


class BatchApiRun:
    """A Batch API run into OUTDIR; `step` does all that can be done now."""

    def __init__(self, outdir: Path, service: BatchService, options: Options) -> None:
        self.outdir = outdir
        self.service = service
        self.options = options
        self.settings = replace(service.client.settings, batch_api=True)
        self.dir = outdir / STATE_DIR
        self.state: dict[str, Any] = {"inputs": [], "encoding": None, "rounds": []}

    # --- state -----------------------------------------------------------------------------

    def load(self) -> None:
        path = state_file(self.outdir)
        if path.exists():
            self.state = json.loads(path.read_text(encoding="utf-8"))

    def save(self) -> None:
        write_atomic(state_file(self.outdir), json.dumps(self.state, indent=1))

    def forget_retryable(self) -> None:
        """A new run resends what an expired or failed batch left unanswered."""
        for path in (self.dir / "answers").glob("*.json"):
            if json.loads(path.read_text(encoding="utf-8")).get("retry"):
                path.unlink()

    def answer(self, cid: str) -> dict[str, Any] | None:
        path = self.dir / "answers" / f"{cid}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def keep_answer(self, cid: str, answer: dict[str, Any]) -> None:
        write_atomic(self.dir / "answers" / f"{cid}.json", json.dumps(answer), fsync=False)

    # --- one step --------------------------------------------------------------------------

    def step(self, repair_live: Callable[[bytes, CallStats], str] | None = None) -> RoundResult:
        """Collect the rounds that ended; if one has not, say so; else run every flow with
        the answers there are, and write the results, or submit the next round."""
        waiting, progress = self._collect()
        if waiting:
            return RoundResult(waiting=waiting, progress=progress)
        ended: dict[int, Ended] = {}
        redo: set[int] | None = None  # every article at first; then those still waiting
        while True:
            now, pending = self._drive(redo)
            ended.update(now)
            if not pending:
                return RoundResult(report=self._finish(list(ended.values())))
            later = [p for p in pending if not p.first]
            if repair_live is None or not later:
                return RoundResult(submitted=self._submit(pending))
            redo = {p.article for p in pending}
            for p in later:  # the repair round, live; first requests wait for a batch
                stats = CallStats()
                try:
                    text = repair_live(p.body, stats)
                    self.keep_answer(p.custom_id, {"text": text, "usage": _usage_of(stats)})
                except ServiceError as e:
                    self.keep_answer(p.custom_id, {"error": str(e), "usage": _usage_of(stats)})

    def _collect(self) -> tuple[list[str], str]:
        waiting, progress = [], []
        for r in self.state["rounds"]:
            if r.get("collected") or not r.get("batch_id"):
                continue
            batch = self.service.status(r["batch_id"])
            counts = batch.request_counts
            done = f"{counts.completed + counts.failed}/{counts.total}" if counts else "?"
            progress.append(f"{r['batch_id']} {batch.status} ({done} requests)")
            if batch.status not in ENDED:
                waiting.append(r["batch_id"])
                continue
            self._store(r, batch)
            r["collected"], r["status"] = True, batch.status
            self.save()
        return waiting, "; ".join(progress)

    def _store(self, round_: dict[str, Any], batch: Any) -> None:
        """A round's answers and errors, each kept; a request an ended batch left
        unanswered (expired, failed) is recorded as that article's error."""
        seen: set[str] = set()
        for file_id in (batch.output_file_id, batch.error_file_id):
            if not file_id:
                continue
            for line in self.service.content(file_id).decode("utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    answer = _answer_of(record, self.settings.api_key)
                    self.keep_answer(record["custom_id"], answer)
                    seen.add(record["custom_id"])
        for cid in set(round_["custom_ids"]) - seen:
            said = (f"the batch {batch.id} ended {batch.status} before this request was"
                    " answered; a rerun submits it again")  # fmt: skip
            self.keep_answer(cid, {"error": said, "retry": True})

    def _articles(self) -> Iterator[Loaded]:
        return iter_articles(self.state["inputs"], self.state["encoding"])

    def _drive(self, redo: set[int] | None) -> tuple[dict[int, Ended], list[Pending]]:
        """Run the flows of the articles in `redo` (all when None) on the answers there are:
        each ends, or waits for its next answer. Every article is named, in order, so each
        keeps its name whichever are run."""
        files = OutputDir(self.outdir)  # names only: the run holds the lock
        ended: dict[int, Ended] = {}
        pending = []
        for n, loaded in enumerate(self._articles()):
            if redo is not None and n not in redo:
                if loaded.article is not None:
                    new_job(loaded.source, loaded.article, files)  # takes its name
                continue
            if loaded.article is None:
                ended[n] = Outcome(loaded.source, "failed", id=loaded.id, error=loaded.error)
                continue
            job, digest = new_job(loaded.source, loaded.article, files)
            if already_done(job.path, digest, self.settings.model):
                ended[n] = Outcome(loaded.source, "skipped", id=job.name)
                continue
            stats = CallStats()
            try:
                flow = article_document_flow(job.article, self.options, self.settings, stats)
                result = self._known(flow, job.name, stats, n)
            except Exception as e:  # a service error of an answer, a bug: this article's
                result = e
            if isinstance(result, Pending):
                pending.append(result)
            else:
                ended[n] = (job, result, stats.requests)
        return ended, pending

    def _known(
        self, flow: Flow, name: str, stats: CallStats, article: int
    ) -> SummaryDocument | Pending:
        """Run `flow` on the answers there are, to its document or its first missing one."""

        def send(body: bytes) -> str:
            cid = custom_id(name, body)
            answer = self.answer(cid)
            if answer is None:
                raise _Missing(Pending(cid, body, first=stats.requests == 0, article=article))
            return _text(answer, stats, self.settings.api_key)

        try:
            return drive(flow, send)
        except _Missing as missing:
            flow.close()
            return missing.pending

    def _submit(self, pending: list[Pending]) -> list[str]:
        """The pending requests as the next round: files within the limits, uploaded, and
        a batch of each; every step recorded before the next."""
        made = []
        unique = list({p.custom_id: p for p in pending}.values())  # one text twice: one request
        for chunk in _chunks(unique):
            lines = [json.dumps({"custom_id": p.custom_id, "method": "POST",
                                 "url": "/v1/chat/completions",
                                 "body": json.loads(p.body)}) for p in chunk]  # fmt: skip
            data = ("\n".join(lines) + "\n").encode()
            tag = hashlib.sha256(data).hexdigest()[:16]
            earlier = [r for r in self.state["rounds"] if r["tag"] == tag]
            round_ = next((r for r in earlier if r.get("status") not in UNANSWERED), None)
            if round_ is None:  # a new round, or the same requests again after an expired one
                ids = [p.custom_id for p in chunk]
                name = f"summarizer-{tag}-{len(earlier) + 1}.jsonl"
                round_ = {"tag": tag, "custom_ids": ids, "file": name}
                self.state["rounds"].append(round_)
                self.save()  # before the upload: a rerun knows what it was about to send
            if not round_.get("file_id"):
                round_["file_id"] = self.service.upload(round_["file"], data)
                self.save()
            if not round_.get("batch_id"):
                round_["batch_id"] = self.service.create(round_["file_id"], tag)
                self.save()
            made.append(round_["batch_id"])
        return made

    def _finish(self, ended: list[Ended]) -> BatchReport:
        report = BatchReport()
        for item in ended:
            report.add(item if isinstance(item, Outcome) else conclude(*item))
        return report


def _chunks(pending: list[Pending]) -> Iterator[list[Pending]]:
    """Groups within the Batch API's limits of requests and bytes per file."""
    chunk: list[Pending] = []
    size = 0
    for p in pending:
        line = len(p.body) + 200
        if chunk and (len(chunk) >= MAX_BATCH_REQUESTS or size + line > MAX_BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(p)
        size += line
    if chunk:
        yield chunk


def _answer_of(record: dict[str, Any], key: str | None) -> dict[str, Any]:
    """What is kept of one line of a batch's output or error file (a server's words
    redacted and cut, as every server's words are)."""
    response = record.get("response") or {}
    body = response.get("body") or {}
    if record.get("error") or response.get("status_code") != 200:
        error = record.get("error") or body.get("error") or {}
        message = error.get("message") if isinstance(error, dict) else str(error)
        said = server_text(str(message), key)
        return {"error": f"the Batch API could not answer ({response.get('status_code')}):"
                         f" {said}", "retry": False}  # fmt: skip
    return {"completion": body}


def _text(answer: dict[str, Any], stats: CallStats, key: str | None) -> str:
    """The answer's text for the flow, its cost counted; an error is the article's."""
    from openai.types.chat import ChatCompletion

    stats.requests += 1
    usage = answer.get("usage") or (answer.get("completion") or {}).get("usage") or {}
    stats.prompt_tokens += usage.get("prompt_tokens", 0) or 0
    stats.completion_tokens += usage.get("completion_tokens", 0) or 0
    details = usage.get("prompt_tokens_details") or {}
    stats.cached_tokens += details.get("cached_tokens", 0) or 0
    if "error" in answer:
        raise ServiceError(answer["error"])
    if "text" in answer:
        return str(answer["text"])
    return reply_text(read_reply(ChatCompletion.model_validate(answer["completion"])), key)


def _usage_of(stats: CallStats) -> dict[str, int]:
    return {"prompt_tokens": stats.prompt_tokens, "completion_tokens": stats.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": stats.cached_tokens}}  # fmt: skip


def poll_until_ended(
    run: BatchApiRun,
    sleep: Callable[[float], None],
    say: Callable[[str], None],
    repair_live: Callable[[bytes, CallStats], str] | None = None,
) -> BatchReport:
    """`--wait`: step, and wait between steps, until every article has ended."""
    while True:
        result = run.step(repair_live)
        if result.report is not None:
            return result.report
        say(result.progress or f"submitted {', '.join(result.submitted)}")
        sleep(POLL_SECONDS if result.waiting else 0)
