"""One path for an article: the work between its steps and the model, written once and
driven two ways (as httpx drives one `auth_flow` with `sync_auth_flow` and
`async_auth_flow`).

`article_flow` does everything but wait: it encodes each call of the steps into a request
body, reads each answer into an `Answer` (or an `InvalidAnswer` the steps may ask about
again), and hands the grounding checks out. `drive` and `adrive` only carry its requests:
a body to the model, a `Check` to `validate`, sync or async. One article, `asummarize` and
every article of a batch go through them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

from summarizer.contract.errors import GroundingFailed
from summarizer.contract.models import GroundingReport, SummaryDocument
from summarizer.extraction.answers import InvalidAnswer, parse_answer
from summarizer.extraction.steps import Check, Steps
from summarizer.grounding.checks import validate
from summarizer.providers.failures import server_text
from summarizer.providers.prices import estimated_cost
from summarizer.providers.settings import ModelSettings


@dataclass(frozen=True)
class Send:
    """A request from the flow to its driver: send this body, answer with the reply's text."""

    body: bytes


Flow = Generator[Send | Check, Any, SummaryDocument]


def article_flow(steps: Steps, settings: ModelSettings) -> Flow:
    """The steps, with their calls encoded for `settings`, their answers read, and the
    document's cost estimated."""
    resume: Callable[[], Any] = steps.__next__
    while True:
        try:
            request = resume()
        except StopIteration as done:
            return priced(done.value, batch=settings.batch_api)
        except GroundingFailed as failed:
            raise GroundingFailed(priced(failed.document, batch=settings.batch_api)) from None
        if isinstance(request, Check):
            report = yield request
            resume = partial(steps.send, report)
            continue
        text = yield Send(settings.encode(request.messages))
        try:
            resume = partial(steps.send, parse_answer(text))
        except InvalidAnswer as invalid:  # its message may quote the answer: -v prints it
            said = InvalidAnswer(server_text(str(invalid), settings.api_key), invalid.content)
            resume = partial(steps.throw, said)


def priced(document: SummaryDocument, *, batch: bool = False) -> SummaryDocument:
    """`document` with its estimated cost in its provenance."""
    p = document.provenance
    cost = estimated_cost(p.model, p.usage.prompt_tokens, p.usage.cached_tokens,
                          p.usage.completion_tokens, batch=batch)  # fmt: skip
    if cost is None:
        return document
    provenance = p.model_copy(update={"estimated_cost_usd": cost})
    return document.model_copy(update={"provenance": provenance})


def run_check(check: Check) -> GroundingReport:
    """The grounding checks a flow asks for (a pure function: it can run in any process)."""
    return validate(check.text, check.extraction)


def drive(flow: Flow, send: Callable[[bytes], str]) -> SummaryDocument:
    """Run `flow` to its document, sending each body through `send`."""
    try:
        request = next(flow)
        while True:
            if isinstance(request, Send):
                request = flow.send(send(request.body))
            else:
                request = flow.send(run_check(request))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def adrive(
    flow: Flow,
    send: Callable[[bytes], Awaitable[str]],
    check: Callable[[Check], Awaitable[GroundingReport]] | None = None,
) -> SummaryDocument:
    """As `drive`, awaiting each answer; `check` may run the checks elsewhere (a batch's
    process pool), else they run here."""
    try:
        request = next(flow)
        while True:
            if isinstance(request, Send):
                request = flow.send(await send(request.body))
            elif check is not None:
                request = flow.send(await check(request))
            else:
                request = flow.send(run_check(request))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
