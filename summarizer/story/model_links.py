"""Links a model proposes (`--link-with-model`), kept only when the story still keeps the
contract's rules (rule 5): same kind, different reports, one item per report in a story
item, and never two persons the name rules keep apart. The rest are counted, not used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.contract.keys import keyed_items
from summarizer.contract.models import SummaryDocument
from summarizer.contract.story import Link, StoryDocument
from summarizer.story.figure_groups import figure_comparisons
from summarizer.story.names import Named, given_names_compatible, name_basis, surname_of
from summarizer.story.rules import breaches

#: Score of a link a model proposed (its judgement, not a measure).
MODEL_SCORE: float = 0.5
_KINDS = {"SA": "actors", "SE": "events", "SC": "claims"}


@dataclass(frozen=True)
class Proposal:
    """Two story items the model says are one."""

    a: str
    b: str


def apply_links(
    story: StoryDocument, proposals: Sequence[Proposal], documents: Sequence[SummaryDocument]
) -> StoryDocument:
    """`story` with each proposal that keeps the rules applied, and the rejected counted."""
    rejected = 0
    for p in proposals:
        joined = _joined(story, p, documents)
        if joined is None or breaches(joined, documents):
            rejected += 1
        else:
            story = joined
    provenance = story.provenance.model_copy(update={
        "method": "lexical+model", "rejected_links": story.provenance.rejected_links + rejected,
    })  # fmt: skip
    figures = figure_comparisons(documents, story.articles, story.events, story.claims)
    return story.model_copy(update={"provenance": provenance, "figures": figures})


def _joined(
    story: StoryDocument, p: Proposal, documents: Sequence[SummaryDocument]
) -> StoryDocument | None:
    kind = _KINDS.get(p.a[:2])
    if kind is None or _KINDS.get(p.b[:2]) != kind or p.a == p.b:
        return None  # two kinds, or no story item
    items = {s.id: s for s in getattr(story, kind)}
    first, second = items.get(p.a), items.get(p.b)
    if first is None or second is None:
        return None
    if {m.article for m in first.mentions} & {m.article for m in second.mentions}:
        return None  # two items of one report
    if kind == "actors" and not _may_be_one(first, second, story, documents):
        return None
    mentions = [*first.mentions, *second.mentions]
    shift = len(first.mentions)
    moved = [k.model_copy(update={"a": k.a + shift, "b": k.b + shift}) for k in second.links]
    judged = Link(a=0, b=shift, basis=["model_judgement"], score=MODEL_SCORE)
    links = [*first.links, *moved, judged]
    update: dict = {"mentions": mentions, "links": links}  # type: ignore[type-arg]
    if kind != "actors":
        update.update(_refreshed(kind, mentions, story, documents))
    if kind == "actors":
        update["forms"] = list(dict.fromkeys([*first.forms, *second.forms]))
        update["name"] = max((first.name, second.name), key=len)
    merged = first.model_copy(update=update)
    kept = [merged if s.id == first.id else s for s in getattr(story, kind) if s.id != second.id]
    return story.model_copy(update={kind: kept})


def _refreshed(kind: str, mentions: list, story: StoryDocument, documents) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """What a merged event or claim says of all its mentions, as `compare` says it: the
    event's type and actors; the claim's speaker (none when they differ) and quotes."""
    from collections import Counter

    from summarizer.story.matching import quote_words

    refs = {r.id: n for n, r in enumerate(story.articles)}
    actor_of = {(m.article, m.item): a.id for a in story.actors for m in a.mentions}
    items = [(m.article, dict(keyed_items(documents[refs[m.article]].extraction))[m.item])
             for m in mentions]  # fmt: skip
    if kind == "events":
        actors = [actor_of.get((ref, a)) for ref, e in items for a in e.actor_ids]
        types = Counter(e.type for _, e in items)
        return {"type": types.most_common(1)[0][0],
                "actor_ids": list(dict.fromkeys(a for a in actors if a))}  # fmt: skip
    speakers = {actor_of.get((ref, c.speaker_id)) for ref, c in items if c.speaker_id}
    quotes = [quote_words(c.quote) for _, c in items if c.attribution == "direct_quote" and c.quote]
    same = None if len(quotes) < 2 else (
        "same_words" if all(q == quotes[0] for q in quotes) else "different_words"
    )  # fmt: skip
    return {"speaker_id": next(iter(speakers)) if len(speakers) == 1 else None, "quotes": same}


def _may_be_one(first, second, story: StoryDocument, documents) -> bool:  # type: ignore[no-untyped-def]
    """Never two persons the name rules keep apart: persons of different surnames, or of
    one surname with given names that differ."""
    refs = {r.id: n for n, r in enumerate(story.articles)}
    actors = []
    for m in [*first.mentions, *second.mentions]:
        item = dict(keyed_items(documents[refs[m.article]].extraction))[m.item]
        actors.append(Named(item.name, tuple(item.aliases), item.kind))
    people = [a for a in actors if a.kind == "person"]
    if not people:
        return True
    for x in people:
        for y in people:
            if name_basis(x, y):
                continue
            (sx, gx), (sy, gy) = surname_of(x), surname_of(y)
            if sx != sy or not given_names_compatible(gx, gy):
                return False
    return len(people) == len(actors)  # a person is never one with a non-person
