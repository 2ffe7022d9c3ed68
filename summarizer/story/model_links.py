"""Links a model proposes (`--link-with-model`), kept only when the story still keeps the
contract's rules (rule 5): same kind, different reports, one item per report in a story
item, and never two persons the name rules keep apart. The rest are counted, not used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from summarizer.contract.models import SummaryDocument
from summarizer.contract.story import Link, Mention, StoryActor, StoryDocument
from summarizer.story.compare import KIND_ORDER, claim_fields, event_fields
from summarizer.story.figure_groups import figure_comparisons
from summarizer.story.names import Named, name_basis, surname_of
from summarizer.story.rules import ItemTables, breaches, item_tables

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
    tables = item_tables([a.id for a in story.articles], documents)
    for p in proposals:
        joined = _joined(story, p, tables)
        if joined is None or breaches(joined, documents):
            rejected += 1
        else:
            story = joined
    provenance = story.provenance.model_copy(update={
        "method": "lexical+model", "rejected_links": story.provenance.rejected_links + rejected,
    })  # fmt: skip
    figures = figure_comparisons(documents, story.articles, story.events, story.claims)
    return story.model_copy(update={"provenance": provenance, "figures": figures})


def _joined(story: StoryDocument, p: Proposal, tables: ItemTables) -> StoryDocument | None:
    """The story with the proposal's two items made one; None when they cannot be one.
    Its figures are left empty: `apply_links` compares them again once, at the end."""
    kind = _KINDS.get(p.a[:2])
    if kind is None or _KINDS.get(p.b[:2]) != kind or p.a == p.b:
        return None  # two kinds, or no story item
    items = {s.id: s for s in getattr(story, kind)}
    first, second = items.get(p.a), items.get(p.b)
    if first is None or second is None:
        return None
    if {m.article for m in first.mentions} & {m.article for m in second.mentions}:
        return None  # two items of one report
    if kind == "actors" and not _may_be_one(first, second, tables):
        return None
    mentions = [*first.mentions, *second.mentions]
    shift = len(first.mentions)
    moved = [k.model_copy(update={"a": k.a + shift, "b": k.b + shift}) for k in second.links]
    judged = Link(a=0, b=shift, basis=["model_judgement"], score=MODEL_SCORE)
    links = [*first.links, *moved, judged]
    update: dict = {"mentions": mentions, "links": links}  # type: ignore[type-arg]
    if kind == "actors":  # as `compare` makes an actor: all forms, the longest name, ...
        update["forms"] = list(dict.fromkeys([*first.forms, *second.forms]))
        update["name"] = max((first.name, second.name), key=len)
        update["kind"] = min((first.kind, second.kind), key=KIND_ORDER.index)  # most specific
    else:
        update.update(_refreshed(kind, mentions, story, tables))
    merged = first.model_copy(update=update)
    kept = [merged if s.id == first.id else s for s in getattr(story, kind) if s.id != second.id]
    return story.model_copy(update={kind: kept, "figures": []})


def _refreshed(
    kind: str, mentions: list[Mention], story: StoryDocument, tables: ItemTables
) -> dict[str, Any]:
    """What a merged event or claim says of all its mentions, as `compare` says it."""
    report = {r.id: n for n, r in enumerate(story.articles)}
    story_actor = {(report[m.article], m.item): a.id for a in story.actors for m in a.mentions}
    items = [(report[m.article], tables[m.article][m.item]) for m in mentions]

    def actor_of(n: int, actor_id: str) -> str | None:
        return story_actor.get((n, actor_id))

    fields = event_fields if kind == "events" else claim_fields
    return fields(items, actor_of)  # type: ignore[arg-type]


def _may_be_one(first: StoryActor, second: StoryActor, tables: ItemTables) -> bool:
    """Never two persons of different surnames (given names that differ are rule 3's, which
    `breaches` checks next), nor a person and a non-person."""
    actors = []
    for m in [*first.mentions, *second.mentions]:
        item = tables[m.article][m.item]
        actors.append(Named(item.name, tuple(item.aliases), item.kind))  # type: ignore[union-attr]
    people = [a for a in actors if a.kind == "person"]
    for x, y in combinations(people, 2):
        if not name_basis(x, y) and surname_of(x)[0] != surname_of(y)[0]:
            return False
    return len(people) in (0, len(actors))
