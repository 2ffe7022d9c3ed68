"""Worker processes for a batch: the network in one process, everything else on every core.

A batch's event loop sends all the requests (one rate gate, one connection pool, the key
in one place) and does nothing else, so that answers are read the moment they arrive. The
rest of each article's work runs in worker processes: the prompts, the parsing of every
answer, the grounding checks, the repair round, the result file.

The protocol, over one socket per worker (each message is its length, then its pickle;
tokens name articles; a worker ends when the batch closes its socket):

    batch -> worker   ("article", token, Job)     summarise this article
                      ("answer", token, Relayed)  the answer to the worker's last call
    worker -> batch   ("call", token, body)       send this request body (JSON bytes)
                      ("done", token, Outcome)    the article ended (its file is written)

A worker ends with the batch process, even when that is killed with -9 (it watches its
parent), and a worker that dies takes only its own articles with it: they are recorded as
failed, and the batch goes on with the workers left.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import pickle
import signal
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from summarizer.runs.batch import InternalError, Job, Outcome, conclude
from summarizer.providers.chat import (
    Answer,
    CallStats,
    InvalidAnswer,
    ModelSettings,
    Reply,
    parse_reply,
)
from summarizer.contract.errors import FatalServiceError, NotSent, ServiceError
from summarizer.grounding.checks import validate
from summarizer.contract.models import SummaryDocument
from summarizer.extraction.steps import OnProblems, _steps, advance, answered
from summarizer.extraction.prompting import Message, first_messages, prompt_version
from summarizer.providers.ratelimit import RequestCapReached

#: Most worker processes for one batch.
MAX_WORKERS: int = 8
#: How much lower a worker's scheduling priority is than the batch process's: the event
#: loop that sends the requests runs the moment an answer arrives, and the workers' checks
#: take the rest of the CPU (they get all of it while the loop waits on the network).
WORKER_NICENESS: int = 5
#: How often a worker looks whether the batch process still lives, in seconds.
PARENT_WATCH_SECONDS: float = 0.5
#: How long a worker may take to end after its socket closed before it is terminated, in
#: seconds.
STOP_GRACE_SECONDS: float = 5.0

Fetch = Callable[[bytes, CallStats], Awaitable[Reply]]

#: Failures a call can end with, by the name that crosses the socket (most specific first);
#: anything else is a bug, described as an `InternalError`.
_ERRORS: dict[str, type[Exception]] = {
    "not_sent": NotSent,
    "cap": RequestCapReached,
    "fatal": FatalServiceError,
    "service": ServiceError,
}


def _portable(error: Exception) -> tuple[str, str]:
    """A failure as it crosses the socket: its kind, and what rebuilds it."""
    if isinstance(error, NotSent):
        return "not_sent", error.reason
    kind = next((k for k, cls in _ERRORS.items() if isinstance(error, cls)), "internal")
    return kind, str(error) if kind != "internal" else f"{type(error).__name__}: {error}"


def _rebuilt(kind: str, text: str) -> Exception:
    return _ERRORS.get(kind, InternalError)(text)


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to run an article's steps and write its requests."""

    settings: ModelSettings
    repairs: int
    on_problems: OnProblems
    window_chars: int

    def __post_init__(self) -> None:
        # A worker writes request bodies; the key stays with the process that sends them.
        object.__setattr__(self, "settings", replace(self.settings, api_key=None))


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


def _frame(message: tuple[str, int, Any]) -> bytes:
    """A message as it crosses the socket: its length, then its pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(4, "big") + data


class _Worker:
    def __init__(
        self, context: Any, config: WorkerConfig, index: int, forked: list[int] | None
    ) -> None:
        """`forked`: None when spawning; when forking, the descriptors the worker inherits
        but must not hold (the batch's ends of the earlier workers' sockets), or a worker
        would never see its own socket close."""
        self.sock, child = socket.socketpair()
        inherited = [*forked, self.sock.fileno()] if forked is not None else []
        self.process = context.Process(
            target=_serve, args=(child, config, os.getpid(), inherited),
            name=f"summarizer-worker-{index}", daemon=True,
        )  # fmt: skip
        self.process.start()
        child.close()
        #: The articles this worker has in hand.
        self.tokens: set[int] = set()
        self.writer: asyncio.StreamWriter | None = None

    def send(self, message: tuple[str, int, Any]) -> bool:
        """Queue a message (the event loop writes it as the worker takes it, never waiting);
        False when the worker's socket is closed."""
        if self.writer is None or self.writer.is_closing():
            return False
        self.writer.write(_frame(message))
        return True


@dataclass
class _InHand:
    """An article given to a worker, until its outcome is known."""

    job: Job
    fetch: Fetch
    worker: _Worker
    outcome: asyncio.Future[Outcome]
    #: What its calls cost so far (a worker that dies cannot say how many requests it made).
    stats: CallStats = field(default_factory=CallStats)
    #: Its call in progress, cancelled if its worker dies.
    call: asyncio.Task[None] | None = None


class WorkerPool:
    """Worker processes for one batch. Create it before the event loop starts (it forks),
    and close it after."""

    def __init__(self, workers: int, config: WorkerConfig) -> None:
        fork = can_fork()
        if fork:
            warm_up()
        context = multiprocessing.get_context("fork" if fork else "spawn")
        self._workers: list[_Worker] = []
        for i in range(workers):
            forked = [w.sock.fileno() for w in self._workers] if fork else None
            self._workers.append(_Worker(context, config, i, forked))
        self._alive = list(self._workers)
        self._tokens = itertools.count(1)
        self._in_hand: dict[int, _InHand] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._interrupted = False
        self._connected: asyncio.Future[None] | None = None
        self._finishing = False

    async def _connect(self) -> None:
        """Open the workers' sockets in the running event loop, once: every article waits
        for the same opening."""
        if self._connected is None:
            self._connected = asyncio.ensure_future(self._open())
        await self._connected

    async def _open(self) -> None:
        for worker in list(self._alive):  # a worker found dead meanwhile leaves the list
            reader, worker.writer = await asyncio.open_connection(sock=worker.sock)
            self._spawn(self._read(worker, reader))

    def _spawn(self, coroutine: Any) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def summarize(self, job: Job, fetch: Fetch) -> Outcome:
        """Summarise `job` in a worker, sending its calls through `fetch`."""
        if self._finishing:
            raise RuntimeError("this WorkerPool has finished its batch: make a new one")
        await self._connect()
        if not self._alive:
            return Outcome(job.source, "failed", job.name,
                           error="internal error: every worker process has ended")  # fmt: skip
        worker = min(self._alive, key=lambda w: len(w.tokens))
        token = next(self._tokens)
        article = _InHand(job, fetch, worker, asyncio.get_running_loop().create_future())
        self._in_hand[token] = article
        worker.tokens.add(token)
        try:
            if not worker.send(("article", token, job)):
                self._lost(worker)
            return await article.outcome
        except asyncio.CancelledError:
            self._interrupted = True  # articles still in hand: see close()
            raise
        finally:
            worker.tokens.discard(token)
            del self._in_hand[token]

    async def _read(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(4), "big")
                kind, token, payload = pickle.loads(await reader.readexactly(size))
                article = self._in_hand.get(token)
                if article is None:
                    continue
                if kind == "call":
                    article.call = self._spawn(self._call(token, article, payload))
                elif kind == "done" and not article.outcome.done():
                    article.outcome.set_result(payload)
        except (asyncio.IncompleteReadError, OSError):
            if not self._finishing:
                self._lost(worker)

    async def _call(self, token: int, article: _InHand, body: bytes) -> None:
        stats = article.stats
        before = (stats.requests, stats.prompt_tokens, stats.completion_tokens)
        reply, error = None, None
        try:
            reply = await article.fetch(body, stats)
        except Exception as e:
            error = _portable(e)
        relayed = Relayed(reply, error, stats.requests - before[0],
                          stats.prompt_tokens - before[1],
                          stats.completion_tokens - before[2])  # fmt: skip
        if not article.worker.send(("answer", token, relayed)):
            self._lost(article.worker)

    def _lost(self, worker: _Worker) -> None:
        """A worker died (killed, out of memory): its articles fail, the others go on."""
        if worker in self._alive:
            self._alive.remove(worker)
        worker.process.join(timeout=0.1)  # it has ended, or is ending: its socket closed
        code = worker.process.exitcode
        reason = "internal error: a worker process ended" + (
            f" (exit code {code})" if code is not None else ""
        )  # fmt: skip
        for token in list(worker.tokens):
            article = self._in_hand[token]
            if article.call is not None:
                article.call.cancel()  # nobody is left to take its answer
            if not article.outcome.done():
                job = article.job
                article.outcome.set_result(Outcome(job.source, "failed", job.name,
                                                   article.stats.requests, reason))  # fmt: skip

    async def finish(self) -> None:
        """After the last article: close the sockets (a worker ends when its socket does)."""
        self._finishing = True
        for worker in self._workers:
            if worker.writer is not None:
                worker.writer.close()
                with contextlib.suppress(OSError):
                    await worker.writer.wait_closed()

    def close(self) -> None:
        """Wait for the workers to end; end them at once if articles are still in hand (an
        interrupted run: their results are never half-written, and the next run redoes
        them)."""
        interrupted = self._interrupted or bool(self._in_hand)
        for worker in self._workers:
            worker.sock.close()
            worker.process.join(timeout=0 if interrupted else STOP_GRACE_SECONDS)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join()


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


def _serve(sock: socket.socket, config: WorkerConfig, parent: int, inherited: list[int]) -> None:
    """A worker's life, on one thread: each message moves one article on, to its next
    call or to its end. The steps are a generator, so an article waiting for the model
    costs nothing here. The worker ends when the batch closes its socket."""
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch process's to handle
    if WORKER_NICENESS and hasattr(os, "nice"):  # not on Windows
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICENESS)
    _watch(parent)
    incoming = sock.makefile("rb")
    runs: dict[int, _Run] = {}
    try:
        while True:
            header = incoming.read(4)
            size = int.from_bytes(header, "big")
            data = incoming.read(size) if len(header) == 4 else b""
            if len(data) < size or len(header) < 4:
                break  # the batch is done, or was killed in the middle of a message
            kind, token, payload = pickle.loads(data)
            if kind == "article":
                runs[token] = run = _Run(payload, config)
                message = run.start()
            elif kind == "answer" and token in runs:
                message = runs[token].answer(payload)
            else:
                continue
            if message[0] == "done":
                del runs[token]
            sock.sendall(_frame((message[0], token, message[1])))
    except (OSError, EOFError):
        pass  # the batch is gone (killed): nobody is left to tell
    os._exit(0)


class _Run:
    """One article in a worker: its steps, moved on by the answers the batch relays."""

    def __init__(self, job: Job, config: WorkerConfig) -> None:
        self.job = job
        self.settings = config.settings
        self.stats = CallStats()
        self.steps = _steps(job.article, config.settings.model, config.repairs,
                            config.on_problems, self.stats, config.window_chars)  # fmt: skip

    def start(self) -> tuple[str, Any]:
        return self._next(lambda: advance(self.steps, lambda: next(self.steps)))

    def answer(self, relayed: Relayed) -> tuple[str, Any]:
        self.stats.requests += relayed.requests
        self.stats.prompt_tokens += relayed.prompt_tokens
        self.stats.completion_tokens += relayed.completion_tokens
        if relayed.error is not None:
            return self._end(_rebuilt(*relayed.error))
        assert relayed.reply is not None
        reply = relayed.reply

        def step() -> list[Message] | SummaryDocument:
            try:
                answer: Answer | InvalidAnswer = parse_reply(reply)
            except InvalidAnswer as invalid:
                answer = invalid
            return answered(self.steps, answer)

        return self._next(step)

    def _next(self, step: Callable[[], list[Message] | SummaryDocument]) -> tuple[str, Any]:
        """("call", messages) for the next request, or ("done", outcome)."""
        try:
            request = step()
        except Exception as e:
            return self._end(e)
        if isinstance(request, SummaryDocument):
            return self._end(request)
        return "call", self.settings.encode(request)

    def _end(self, result: SummaryDocument | Exception) -> tuple[str, Outcome]:
        return "done", conclude(self.job, result, self.stats.requests)


def _watch(parent: int) -> None:
    """End this worker when the batch process is gone (killed: nobody will say stop)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
