"""Worker processes for a batch: the network in one process, everything else on every core.

A batch's event loop sends all the requests (one rate gate, one connection pool, the key
in one place) and does nothing else, so that answers are read the moment they arrive. The
rest of each article's work runs in worker processes: the prompts, the parsing of every
answer, the grounding checks, the repair round, the result file.

The protocol, over one pipe per worker (tokens name articles):

    batch -> worker   ("article", token, Job)     summarise this article
                      ("answer", token, Relayed)  the answer to the worker's last call
                      ("stop", 0, None)           no more articles
    worker -> batch   ("call", token, messages)   send these messages to the model
                      ("done", token, Outcome)    the article ended (its file is written)

A worker ends with the batch process, even when that is killed with -9 (it watches its
parent), and a worker that dies takes only its own articles with it: they are recorded as
failed, and the batch goes on with the workers left.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from summarizer.batch import Job, Outcome, conclude
from summarizer.client import CallStats, Reply, parse_reply
from summarizer.errors import FatalServiceError, ServiceError
from summarizer.grounding import validate
from summarizer.pipeline import OnProblems, _drive, _steps
from summarizer.prompting import Message, first_messages, prompt_version
from summarizer.ratelimit import RequestCapReached

#: Most worker processes for one batch.
MAX_WORKERS: int = 8
#: How often a worker looks whether the batch process still lives, in seconds.
PARENT_WATCH_SECONDS: float = 0.5
#: How long a worker may take to finish after "stop" before it is terminated, in seconds.
STOP_GRACE_SECONDS: float = 5.0

Fetch = Callable[[list[Message], CallStats], Awaitable[Reply]]

#: Failures a call can end with, by the name that crosses the pipe (most specific first).
_ERRORS: dict[str, type[Exception]] = {
    "cap": RequestCapReached,
    "fatal": FatalServiceError,
    "service": ServiceError,
}


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to run an article's steps (never the API key)."""

    model: str
    repairs: int
    on_problems: OnProblems
    window_chars: int
    threads: int


@dataclass(frozen=True)
class Relayed:
    """The end of one call, as it crosses the pipe: a reply or a failure, and its cost."""

    reply: Reply | None
    error: tuple[str, str] | None
    requests: int
    prompt_tokens: int
    completion_tokens: int


def default_workers() -> int:
    """One worker per core: the event loop needs little of a core of its own."""
    return min(os.cpu_count() or 1, MAX_WORKERS)


def can_fork() -> bool:
    """Workers are forked (instant, and they share the imported modules): Linux only,
    since forking is unsafe on macOS and absent on Windows."""
    return sys.platform.startswith("linux")


# --- the batch's side ----------------------------------------------------------------------


class _Worker:
    def __init__(self, context: Any, config: WorkerConfig, index: int) -> None:
        self.conn, child = multiprocessing.Pipe(duplex=True)
        self.process = context.Process(
            target=_serve, args=(child, config, os.getpid()), name=f"summarizer-worker-{index}",
            daemon=True,
        )  # fmt: skip
        self.process.start()
        child.close()
        self.load = 0
        self.tokens: set[int] = set()
        # Sends go through a thread (a busy worker must never block the event loop), started
        # once every worker is forked: a fork copies no thread.
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_all, daemon=True)

    def send(self, message: tuple[str, int, Any]) -> None:
        self._outbox.put(message)

    def _send_all(self) -> None:
        while (message := self._outbox.get()) is not None:
            try:
                self.conn.send(message)
            except OSError:
                return  # the worker is gone; its reader records its articles

    def close(self, *, now: bool = False) -> None:
        """Stop after the articles in hand, or `now` (the batch was interrupted)."""
        if not now:
            self._outbox.put(("stop", 0, None))
        self._outbox.put(None)
        self._sender.join(timeout=STOP_GRACE_SECONDS)
        self.process.join(timeout=0 if now else STOP_GRACE_SECONDS)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.conn.close()


class WorkerPool:
    """Worker processes for one batch. Create it before the event loop starts (it forks),
    and close it after."""

    def __init__(self, workers: int, config: WorkerConfig) -> None:
        fork = can_fork()
        if fork:
            warm_up()
        context = multiprocessing.get_context("fork" if fork else "spawn")
        self._workers = [_Worker(context, config, i) for i in range(workers)]
        for worker in self._workers:
            worker._sender.start()
        self._alive = list(self._workers)
        self._tokens = itertools.count(1)
        self._pending: dict[int, tuple[asyncio.Future[Outcome], Fetch, Job]] = {}
        self._calls: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def _listen(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for worker in self._alive:
                self._loop.add_reader(worker.conn.fileno(), self._on_message, worker)

    async def summarize(self, job: Job, fetch: Fetch) -> Outcome:
        """Summarise `job` in a worker, sending its calls through `fetch`."""
        self._listen()
        if not self._alive:
            return Outcome(job.source, "failed", job.name,
                           error="internal error: every worker process has ended")  # fmt: skip
        worker = min(self._alive, key=lambda w: w.load)
        token = next(self._tokens)
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending[token] = (future, fetch, job)
        worker.load += 1
        worker.tokens.add(token)
        worker.send(("article", token, job))
        try:
            return await future
        finally:
            worker.load -= 1
            worker.tokens.discard(token)
            self._pending.pop(token, None)

    def _on_message(self, worker: _Worker) -> None:
        try:
            while worker.conn.poll():
                kind, token, payload = worker.conn.recv()
                if token not in self._pending:
                    continue
                future, fetch, _ = self._pending[token]
                if kind == "call":
                    task = asyncio.get_running_loop().create_task(
                        self._call(worker, token, fetch, payload)
                    )
                    self._calls.add(task)
                    task.add_done_callback(self._calls.discard)
                elif kind == "done" and not future.done():
                    future.set_result(payload)
        except (EOFError, OSError):
            self._lost(worker)

    async def _call(self, worker: _Worker, token: int, fetch: Fetch, messages: Any) -> None:
        stats = CallStats()
        reply, error = None, None
        try:
            reply = await fetch(messages, stats)
        except Exception as e:
            kind = next((k for k, cls in _ERRORS.items() if isinstance(e, cls)), "internal")
            text = str(e) if kind != "internal" else f"internal error: {type(e).__name__}: {e}"
            error = (kind, text)
        relayed = Relayed(reply, error, stats.requests, stats.prompt_tokens,
                          stats.completion_tokens)  # fmt: skip
        worker.send(("answer", token, relayed))

    def _lost(self, worker: _Worker) -> None:
        """A worker died (killed, out of memory): its articles fail, the others go on."""
        assert self._loop is not None
        self._loop.remove_reader(worker.conn.fileno())
        if worker in self._alive:
            self._alive.remove(worker)
        worker.process.join(timeout=1.0)
        reason = f"internal error: a worker process ended (exit code {worker.process.exitcode})"
        for token in list(worker.tokens):
            future, _, job = self._pending[token]
            if not future.done():
                future.set_result(Outcome(job.source, "failed", job.name, error=reason))

    def close(self) -> None:
        """Stop the workers: at once when articles are still in hand (an interrupted run:
        their results are never half-written, and the next run redoes them)."""
        if self._loop is not None and not self._loop.is_closed():
            for worker in self._alive:
                self._loop.remove_reader(worker.conn.fileno())
        interrupted = bool(self._pending)
        for worker in self._workers:
            worker.close(now=interrupted)


def warm_up() -> None:
    """Load once, before forking, what each worker would otherwise load on its first article
    (the word list, the compiled schema, the prompts, the regexes): forked workers share it."""
    text = "Rebels of the Northern Front said on Monday that 3 people died."
    extraction = {
        "headline": "Rebels said 3 people died", "summary": "Rebels said 3 people died.",
        "actors": [{"id": "A1", "name": "Northern Front", "aliases": [], "kind": "armed_group",
                    "description": None, "affiliation_id": None,
                    "evidence": ["Rebels of the Northern Front"]}],
        "events": [],
        "claims": [{"id": "C1", "statement": "3 people died", "speaker_id": "A1",
                    "attribution": "according_to", "quote": None,
                    "figures": [{"value": 3, "approximate": False, "unit": "people killed",
                                 "as_written": "3 people"}],
                    "evidence": [text]}],
    }  # fmt: skip
    answer = parse_reply(Reply(json.dumps(extraction), None, "stop"))
    validate(text, answer.extraction)
    first_messages(text)
    prompt_version()


# --- the worker's side ---------------------------------------------------------------------


def _serve(conn: Connection, config: WorkerConfig, parent: int) -> None:
    """A worker's life: articles in, each on a thread of its own while it waits for the
    model; answers routed to the article that asked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch process's to handle
    _watch(parent)
    send_lock = threading.Lock()
    inboxes: dict[int, queue.SimpleQueue[Relayed]] = {}

    def send(message: tuple[str, int, Any]) -> None:
        with send_lock:
            conn.send(message)

    def run(token: int, job: Job, inbox: queue.SimpleQueue[Relayed]) -> None:
        stats = CallStats()
        try:
            outcome = conclude(job, _summarize(job, config, stats, token, send, inbox),
                               stats.requests)  # fmt: skip
        except Exception as e:  # a bug must cost this article only, never hang the batch
            outcome = Outcome(job.source, "failed", job.name, stats.requests,
                              f"internal error: {type(e).__name__}: {e}")  # fmt: skip
        inboxes.pop(token, None)
        send(("done", token, outcome))

    with ThreadPoolExecutor(max_workers=config.threads) as threads:
        while True:
            try:
                kind, token, payload = conn.recv()
            except (EOFError, OSError):
                os._exit(0)  # the batch process is gone: nothing left to report to
            if kind == "stop":
                break
            if kind == "article":
                inboxes[token] = queue.SimpleQueue()
                threads.submit(run, token, payload, inboxes[token])
            elif kind == "answer" and token in inboxes:
                inboxes[token].put(payload)
    conn.close()


def _summarize(
    job: Job,
    config: WorkerConfig,
    stats: CallStats,
    token: int,
    send: Callable[[tuple[str, int, Any]], None],
    inbox: queue.SimpleQueue[Relayed],
) -> Any:
    """The article's steps, each call relayed to the batch process: the document, or the
    exception the article ended with."""

    def call(messages: list[Message]) -> Any:
        send(("call", token, messages))
        relayed = inbox.get()
        stats.requests += relayed.requests
        stats.prompt_tokens += relayed.prompt_tokens
        stats.completion_tokens += relayed.completion_tokens
        if relayed.error is not None:
            kind, text = relayed.error
            raise _ERRORS.get(kind, RuntimeError)(text)
        assert relayed.reply is not None
        return parse_reply(relayed.reply)

    steps = _steps(job.article, config.model, config.repairs, config.on_problems, stats,
                   config.window_chars)  # fmt: skip
    try:
        return _drive(steps, call)
    except Exception as e:
        return e


def _watch(parent: int) -> None:
    """End this worker when the batch process is gone (killed: nobody will say stop)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
