"""`compare(documents) -> StoryDocument`: several outlets' summary documents of one event
lined up (contract story v1). A pure function of the documents: no I/O, no model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from summarizer.contract.keys import keyed_items
from summarizer.contract.models import Actor, Claim, Event, SummaryDocument
from summarizer.contract.story import (
    STORY_SCHEMA_VERSION,
    ArticleRef,
    Link,
    Mention,
    StoryActor,
    StoryClaim,
    StoryDocument,
    StoryEvent,
    StoryProvenance,
    StoryUsage,
)
from summarizer.story.figure_groups import figure_comparisons
from summarizer.story.linking import Entry, Group, group
from summarizer.story.matching import (
    ActorOf,
    actor_pairs,
    claim_pairs,
    event_pairs,
    quote_words,
)

#: Actor kinds from the most specific to the least: the story actor takes the first its
#: mentions have.
KIND_ORDER = ("person", "armed_group", "military", "government", "state", "media",
              "international_body", "organization", "other")  # fmt: skip


def compare(
    documents: Sequence[SummaryDocument], *, created_at: str | None = None
) -> StoryDocument:
    """The story of `documents` (two or more reports of one event, in order)."""
    refs = article_refs(documents)
    actors = _entries(documents, Actor)
    actor_groups = group(actors, actor_pairs(actors))
    story_actor = {(actors[m].report, actors[m].item.id): f"SA{n}"
                   for n, g in enumerate(actor_groups, start=1) for m in g.members}  # fmt: skip

    def actor_of(report: int, actor_id: str) -> str | None:
        return story_actor.get((report, actor_id))

    events = _entries(documents, Event)
    claims = _entries(documents, Claim)
    event_groups = group(events, event_pairs(events, actor_of))
    claim_groups = group(claims, claim_pairs(claims, actor_of))
    story_events = [_event(n, g, events, refs, actor_of) for n, g in enumerate(event_groups, 1)]
    story_claims = [_claim(n, g, claims, refs, actor_of) for n, g in enumerate(claim_groups, 1)]
    return StoryDocument(
        schema_version=STORY_SCHEMA_VERSION,
        articles=refs,
        actors=[_actor(n, g, actors, refs) for n, g in enumerate(actor_groups, start=1)],
        events=story_events,
        claims=story_claims,
        figures=figure_comparisons(documents, refs, story_events, story_claims),
        provenance=_provenance(created_at),
    )


def _provenance(created_at: str | None) -> StoryProvenance:
    return StoryProvenance(
        created_at=created_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        method="lexical", model=None, prompt_version=None, attempts=0,
        usage=StoryUsage(prompt_tokens=0, completion_tokens=0), rejected_links=0,
    )  # fmt: skip


def article_refs(documents: Sequence[SummaryDocument]) -> list[ArticleRef]:
    """Each report's article, its id made unique within the story ("a", "a-2"...)."""
    refs: list[ArticleRef] = []
    taken: set[str] = set()
    for doc in documents:
        ref, n = doc.article.id, 1
        while ref in taken:
            n += 1
            ref = f"{doc.article.id}-{n}"
        taken.add(ref)
        refs.append(ArticleRef(**{**doc.article.model_dump(), "id": ref}))
    return refs


def _entries(documents: Sequence[SummaryDocument], kind: type) -> list[Entry]:
    return [
        Entry(n, key, item, doc.grounding.items[key].spans if key in doc.grounding.items else [])
        for n, doc in enumerate(documents)
        for key, item in keyed_items(doc.extraction)
        if isinstance(item, kind)
    ]


def _mentions(
    g: Group, entries: list[Entry], refs: list[ArticleRef]
) -> tuple[list[Mention], list[Link]]:
    """The group's mentions in report order, and its links as indices into them."""
    members = sorted(g.members, key=lambda m: entries[m].report)
    index = {m: k for k, m in enumerate(members)}
    mentions = [Mention(article=refs[entries[m].report].id, item=entries[m].key,
                        spans=entries[m].spans) for m in members]  # fmt: skip
    links = [Link(a=min(index[p.i], index[p.j]), b=max(index[p.i], index[p.j]),
                  basis=list(p.basis), score=round(p.score, 3)) for p in g.links]  # fmt: skip
    return mentions, links


def _actor(n: int, g: Group, entries: list[Entry], refs: list[ArticleRef]) -> StoryActor:
    mentions, links = _mentions(g, entries, refs)
    items = [entries[m].item for m in sorted(g.members, key=lambda m: entries[m].report)]
    forms = list(dict.fromkeys(f for a in items for f in (a.name, *a.aliases)))
    kind = min((a.kind for a in items), key=KIND_ORDER.index)
    name = max((a.name for a in items), key=len)
    return StoryActor(id=f"SA{n}", name=name, forms=forms, kind=kind, mentions=mentions,
                      links=links)  # fmt: skip


def _event(
    n: int, g: Group, entries: list[Entry], refs: list[ArticleRef], actor_of: ActorOf
) -> StoryEvent:
    mentions, links = _mentions(g, entries, refs)
    members = sorted(g.members, key=lambda m: entries[m].report)
    fields = event_fields([(entries[m].report, entries[m].item) for m in members], actor_of)
    return StoryEvent(id=f"SE{n}", mentions=mentions, links=links, **fields)


def _claim(
    n: int, g: Group, entries: list[Entry], refs: list[ArticleRef], actor_of: ActorOf
) -> StoryClaim:
    mentions, links = _mentions(g, entries, refs)
    members = sorted(g.members, key=lambda m: entries[m].report)
    fields = claim_fields([(entries[m].report, entries[m].item) for m in members], actor_of)
    return StoryClaim(id=f"SC{n}", mentions=mentions, links=links, **fields)


def event_fields(items: list[tuple[int, Event]], actor_of: ActorOf) -> dict[str, Any]:
    """What a story event says of its reports' events: their commonest type, and their
    actors as story actors."""
    types = Counter(e.type for _, e in items)
    actor_ids = list(dict.fromkeys(
        s for report, e in items for a in e.actor_ids if (s := actor_of(report, a)) is not None
    ))  # fmt: skip
    return {"type": types.most_common(1)[0][0], "actor_ids": actor_ids}


def claim_fields(items: list[tuple[int, Claim]], actor_of: ActorOf) -> dict[str, Any]:
    """What a story claim says of its reports' claims: the speaker (none when they name
    different ones), and whether their direct quotes have the same words."""
    speakers = {actor_of(report, c.speaker_id) for report, c in items if c.speaker_id}
    quotes = [quote_words(c.quote) for _, c in items if c.attribution == "direct_quote" and c.quote]
    same = None if len(quotes) < 2 else (
        "same_words" if all(q == quotes[0] for q in quotes) else "different_words"
    )  # fmt: skip
    return {"speaker_id": next(iter(speakers)) if len(speakers) == 1 else None, "quotes": same}
