"""What the story's HTML page shows: each report's article cut into segments at its
mentions' spans, every segment knowing its story items, and each story item with its
colour (the same in every report), mentions and whether its figures conflict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.contract.keys import keyed_items
from summarizer.contract.models import SummaryDocument
from summarizer.contract.story import StoryDocument
from summarizer.reports.items import label, short
from summarizer.reports.page import cut_at_spans

#: Hues of story items' highlights, given in turn: distinct on a light background. Reds and
#: pinks are left out: red marks a conflict, and an editor reads a red highlight as one.
HUES = (210, 30, 130, 280, 175, 55, 95, 250)


@dataclass
class StorySegment:
    text: str
    items: list[str]  # story item ids covering it
    starts: list[str]  # story item ids whose span begins here


@dataclass
class Column:
    ref: str
    outlet: str
    headline: str
    segments: list[StorySegment]


@dataclass
class StoryItemView:
    id: str
    kind: str
    hue: int
    conflict: bool
    mentions: list[tuple[str, str, str]]  # (outlet, item key, its words)


def story_view(
    story: StoryDocument, documents: Sequence[SummaryDocument], texts: Sequence[str]
) -> tuple[list[Column], list[StoryItemView]]:
    conflicted = {f.about for f in story.figures if f.verdict == "conflict"}
    outlets = {r.id: r.outlet for r in story.articles}
    words = {
        r.id: dict(keyed_items(d.extraction))
        for r, d in zip(story.articles, documents, strict=True)
    }
    views, spans = [], {r.id: [] for r in story.articles}  # type: dict[str, list[tuple[int, int, str]]]
    shared = [s for s in [*story.events, *story.claims, *story.actors]]
    for n, s in enumerate(shared):
        kind = "event" if s.id.startswith("SE") else "claim" if s.id.startswith("SC") else "actor"
        views.append(StoryItemView(
            s.id, kind, HUES[n % len(HUES)], s.id in conflicted,
            [(outlets[m.article], m.item, short(label(words[m.article][m.item]), 120))
             for m in s.mentions if m.item in words[m.article]],
        ))  # fmt: skip
        if kind != "actor":  # actors' names would cover the text: events and claims are shown
            for m in s.mentions:
                spans[m.article] += [
                    (a, b, s.id) for a, b in (sp for sp in m.spans if len(sp) == 2)
                ]
    columns = [
        Column(r.id, outlets[r.id], d.extraction.headline, _segments(t, spans[r.id]))
        for r, d, t in zip(story.articles, documents, texts, strict=True)
    ]
    return columns, views


def _segments(text: str, spans: list[tuple[int, int, str]]) -> list[StorySegment]:
    return [StorySegment(part, sorted(set(covering)), sorted(set(starts)))
            for part, covering, starts in cut_at_spans(text, spans)]  # fmt: skip
