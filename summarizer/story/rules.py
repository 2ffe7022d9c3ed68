"""The rules every story document satisfies (contract story v1, section 2), as a check
that names each breach: the tests hold `compare` to them, and links a model proposes are
kept only when the story still passes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from summarizer.contract.keys import Item, keyed_items
from summarizer.contract.models import Actor, Claim, Event, SummaryDocument
from summarizer.contract.story import StoryDocument
from summarizer.story.figures import unit_of
from summarizer.story.names import Named, given_names_compatible, surname_of

#: Each report's items by key, under its ArticleRef id.
ItemTables = dict[str, dict[str, Item]]

#: Bases on which two actors' mentions may be one actor (rule 3).
NAME_BASES = frozenset(
    {"same_name", "spelling_variant", "acronym", "alias", "surname", "model_judgement"}
)


def breaches(story: StoryDocument, documents: Sequence[SummaryDocument]) -> list[str]:
    """Every breach of rules 1 to 4 by `story` of `documents`; [] when it keeps them all."""
    out: list[str] = []
    refs = [a.id for a in story.articles]
    if len(refs) != len(documents) or len(set(refs)) != len(refs):
        out.append("rule 1: one ArticleRef per report, each id once")
        return out
    for kind, items, cls in (("actors", story.actors, Actor), ("events", story.events, Event),
                             ("claims", story.claims, Claim)):  # fmt: skip
        out += _each_once(kind, items, cls, refs, documents)
        out += _mentions_real(kind, items, refs, documents)
    out += _actor_links(story) + _people_apart(story, item_tables(refs, documents))
    out += _figures(story, refs, documents)
    return out


def _each_once(
    kind: str, items: list, cls: type, refs: list[str], documents: Sequence[SummaryDocument]
) -> list[str]:  # type: ignore[type-arg]
    """Rule 1: every item of its kind in exactly one story item, never two of one report."""
    out = []
    seen = Counter((m.article, m.item) for s in items for m in s.mentions)
    expected = {(ref, key) for ref, doc in zip(refs, documents, strict=True)
                for key, item in keyed_items(doc.extraction) if isinstance(item, cls)}  # fmt: skip
    out += [f"rule 1: {kind}: {a}/{k} is in no story item" for a, k in expected - set(seen)]
    out += [f"rule 1: {kind}: {a}/{k} is in {n} story items" for (a, k), n in seen.items() if n > 1]
    out += [f"rule 1: {kind}: {a}/{k} is no item of that report" for a, k in set(seen) - expected]
    for s in items:
        per_report = Counter(m.article for m in s.mentions)
        out += [
            f"rule 1: {kind}: {s.id} holds two items of {a}" for a, n in per_report.items() if n > 1
        ]
    return out


def _mentions_real(
    kind: str, items: list, refs: list[str], documents: Sequence[SummaryDocument]
) -> list[str]:  # type: ignore[type-arg]
    """Rule 2: a mention's spans are its item's spans in the report's grounding report."""
    out = []
    by_ref = dict(zip(refs, documents, strict=True))
    for s in items:
        for m in s.mentions:
            doc = by_ref.get(m.article)
            report = doc.grounding.items.get(m.item) if doc else None
            if report is not None and m.spans != report.spans:
                out.append(f"rule 2: {kind}: {s.id}: the spans of {m.article}/{m.item} differ")
        for link in s.links:
            if not (link.a < len(s.mentions) and link.b < len(s.mentions)) or link.a == link.b:
                out.append(f"rule 2: {kind}: {s.id}: a link names no pair of its mentions")
    return out


def item_tables(refs: Sequence[str], documents: Sequence[SummaryDocument]) -> ItemTables:
    """Each report's items by key, under its ArticleRef id: built once per story."""
    return {ref: dict(keyed_items(d.extraction)) for ref, d in zip(refs, documents, strict=True)}


def _people_apart(story: StoryDocument, tables: ItemTables) -> list[str]:
    """Rule 3: two different people (given names that differ) are never one actor."""
    out = []
    for actor in story.actors:
        people = []
        for m in actor.mentions:
            item = tables.get(m.article, {}).get(m.item)
            if item is not None and getattr(item, "kind", None) == "person":
                people.append(Named(item.name, tuple(item.aliases), "person"))
        given = [surname_of(p)[1] for p in people]
        if any(
            not given_names_compatible(x, y) for i, x in enumerate(given) for y in given[i + 1 :]
        ):
            out.append(f"rule 3: {actor.id} joins people whose given names differ")
    return out


def _actor_links(story: StoryDocument) -> list[str]:
    """Rule 3: actors' mentions joined only on a name basis."""
    return [
        f"rule 3: {a.id}: mentions joined without a name basis ({', '.join(link.basis)})"
        for a in story.actors
        for link in a.links
        if not NAME_BASES & set(link.basis)
    ] + [
        f"rule 3: {a.id}: {len(a.mentions)} mentions but only {len(a.links)} links"
        for a in story.actors
        if len(a.links) < len(a.mentions) - 1
    ]


def _figures(
    story: StoryDocument, refs: list[str], documents: Sequence[SummaryDocument]
) -> list[str]:
    """Rule 4: a comparison is of one story item's mentions and one unit."""
    out = []
    mentions = {
        s.id: {(m.article, m.item) for m in s.mentions} for s in [*story.events, *story.claims]
    }
    figures: dict[tuple[str, str, str], list[str]] = {}
    for ref, doc in zip(refs, documents, strict=True):
        for key, item in keyed_items(doc.extraction):
            for fig in getattr(item, "figures", []):
                figures.setdefault((ref, key, fig.as_written), []).append(fig.unit)
    for f in story.figures:
        if f.about not in mentions:
            out.append(f"rule 4: {f.id} is about {f.about}, no story event or claim")
            continue
        if any((v.article, v.item) not in mentions[f.about] for v in f.values):
            out.append(f"rule 4: {f.id} holds a figure of an item that is not {f.about}'s")
        if len({v.article for v in f.values}) != len(f.values):
            out.append(f"rule 4: {f.id} holds two figures of one report")
        units = {
            unit_of(u)[0]
            for v in f.values
            for u in figures.get((v.article, v.item, v.as_written), [])
        }
        if units != {f.unit}:
            out.append(f"rule 4: {f.id} compares what counts {sorted(units)} as {f.unit!r}")
    return out
