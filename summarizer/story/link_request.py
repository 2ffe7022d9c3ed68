"""The request for a model's links (`--link-with-model`): the story items, each in every
report's words (ids, kinds, types, names, descriptions, statements, speakers; never an
article's text), and the reading of its answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources

from pydantic import ValidationError

from summarizer.contract.errors import ServiceError
from summarizer.contract.keys import keyed_items
from summarizer.contract.models import SummaryDocument
from summarizer.contract.story import LinkAnswer, LinkProposal, StoryDocument

TEMPLATE = "link.md"
#: Name of the schema in the request.
SCHEMA_NAME = "story_links"
#: The fence before the items, which are data.
FENCE = "<<<ITEMS"

Message = dict[str, str]


@cache
def link_prompt_version() -> str:
    text = resources.files("summarizer.prompts").joinpath(TEMPLATE).read_text(encoding="utf-8")
    return f"links-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def link_messages(story: StoryDocument, documents: Sequence[SummaryDocument]) -> list[Message]:
    """The system prompt, and every story item in every report's words."""
    system = resources.files("summarizer.prompts").joinpath(TEMPLATE).read_text(encoding="utf-8")
    outlets = {r.id: r.outlet for r in story.articles}
    items = {
        r.id: dict(keyed_items(d.extraction))
        for r, d in zip(story.articles, documents, strict=True)
    }
    names = {(r.id, a.id): a.name for r, d in zip(story.articles, documents, strict=True)
             for a in d.extraction.actors}  # fmt: skip
    lines = [FENCE]
    for s in [*story.actors, *story.events, *story.claims]:
        lines.append(f"{s.id}:")
        for m in s.mentions:
            item = items[m.article].get(m.item)
            if item is not None:
                lines.append(f"  - {outlets[m.article]}: {_words(item, m.article, names)}")
    lines.append(FENCE.replace("<<<", "") + ">>>")
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(lines)}]


def _words(item, article: str, names: dict[tuple[str, str], str]) -> str:  # type: ignore[no-untyped-def]
    kind = type(item).__name__
    if kind == "Actor":
        aliases = f" (also {', '.join(item.aliases)})" if item.aliases else ""
        return f"actor, {item.kind}: {item.name}{aliases}"
    if kind == "Event":
        return f"event, {item.type}: {item.description}"
    speaker = (
        names.get((article, item.speaker_id), "the outlet") if item.speaker_id else "the outlet"
    )
    return f"claim by {speaker}: {item.statement}"


def link_schema() -> dict:  # type: ignore[type-arg]
    return LinkAnswer.model_json_schema()


def read_links(content: str) -> list[LinkProposal]:
    """The proposals in the model's answer; an answer that does not fit is a ServiceError."""
    try:
        return LinkAnswer.model_validate(json.loads(content)).links
    except (ValueError, ValidationError) as e:
        raise ServiceError(f"the model's links do not fit their schema: {str(e)[:200]}") from None
