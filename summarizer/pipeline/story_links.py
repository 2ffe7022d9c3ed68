"""`--link-with-model`: one model call, through the same client, retries and recordings as
`summary`, with the story items; its proposals are kept only when the story still keeps
the contract's rules (`story.model_links`)."""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.contract.calls import CallStats
from summarizer.contract.models import SummaryDocument
from summarizer.contract.story import StoryDocument, StoryUsage
from summarizer.providers.chat import ModelClient
from summarizer.story.link_request import (
    SCHEMA_NAME,
    link_messages,
    link_prompt_version,
    link_schema,
    read_links,
)
from summarizer.story.model_links import Proposal, apply_links


def link_with_model(
    story: StoryDocument, documents: Sequence[SummaryDocument], client: ModelClient
) -> StoryDocument:
    """`story` with the links the model proposes that keep the rules, and their cost."""
    stats = CallStats()
    body = client.settings.encode(link_messages(story, documents), SCHEMA_NAME, link_schema())
    proposals = [Proposal(p.a, p.b) for p in read_links(client.fetch(body, stats))]
    linked = apply_links(story, proposals, documents)
    provenance = linked.provenance.model_copy(update={
        "model": client.settings.model, "prompt_version": link_prompt_version(),
        "attempts": stats.requests,
        "usage": StoryUsage(prompt_tokens=stats.prompt_tokens,
                            completion_tokens=stats.completion_tokens),
    })  # fmt: skip
    return linked.model_copy(update={"provenance": provenance})
