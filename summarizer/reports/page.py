"""What the editor's HTML page shows, computed from a summary document and its article:
the article cut into segments at every evidence span's edges (so that overlapping spans
stay readable), and each item with its status, problems and excerpts. `html.py` renders it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from summarizer.contract.keys import SUMMARY_KEY, Item, keyed_items
from summarizer.contract.models import Actor, Claim, Event, Problem, SummaryDocument
from summarizer.reports.items import figure_text, label, short

T = TypeVar("T")

#: Which status a segment covered by several items shows: the worst.
_RANK = {"grounded": 0, "weak": 1, "ungrounded": 2}
SYMBOLS = {"grounded": "✓", "weak": "~", "ungrounded": "✗"}


@dataclass
class SpanView:
    """One evidence excerpt found in the article."""

    id: str  # the element id of its start marker ("span-C1_2-0")
    key: str
    status: str
    start: int
    end: int
    title: str  # what the marker says on hover: the item, its problems, what was forgiven


@dataclass
class Segment:
    """A run of the article's text covered by the same spans."""

    text: str
    spans: list[SpanView]  # the spans covering it
    starts: list[SpanView]  # the spans that begin here (their markers)

    @property
    def status(self) -> str:
        return max((s.status for s in self.spans), key=_RANK.__getitem__, default="")

    @property
    def keys(self) -> str:
        return " ".join(sorted({s.key for s in self.spans}))


@dataclass
class ItemView:
    key: str
    kind: str  # "event", "actor", "claim"
    status: str
    text: str
    details: list[str]  # type, when, where, speaker, attribution, figures, aliases...
    quote: str | None
    problems: list[Problem]
    found: list[tuple[str, str]]  # (marker id, excerpt) of each excerpt found
    missing: list[str]  # excerpts not found in the article
    forgiven: str | None  # for a weak item: what the fuzzy match forgave


@dataclass
class PageView:
    doc: SummaryDocument
    segments: list[Segment]
    groups: list[tuple[str, list[ItemView]]]
    summary_problems: list[Problem]
    span_count: int
    counts: dict[str, int] = field(default_factory=dict)


def anchor(key: str) -> str:
    """A key as it may stand in an element id and a URL fragment ("C1#2" -> "C1_2")."""
    return key.replace("#", "_")


def page_view(doc: SummaryDocument, text: str) -> PageView:
    """The page of `doc`, whose article is `text` (its sha256 checked by the caller)."""
    keyed = keyed_items(doc.extraction)
    spans = [s for key, item in keyed for s in _spans(doc, text, key, item)]
    items = [_item(doc, text, key, item) for key, item in keyed]
    groups = [
        (title, [i for i in items if i.kind == kind])
        for title, kind in (("Events", "event"), ("Actors", "actor"), ("Claims", "claim"))
    ]
    statuses = [i.status for i in items]
    counts = {s: statuses.count(s) for s in _RANK}
    summary = doc.grounding.items.get(SUMMARY_KEY)
    return PageView(doc, _segments(text, spans), [g for g in groups if g[1]],
                    summary.problems if summary else [], len(spans), counts)  # fmt: skip


def _spans(doc: SummaryDocument, text: str, key: str, item: Item) -> list[SpanView]:
    report = doc.grounding.items.get(key)
    if report is None:
        return []
    out = []
    for n, (excerpt, span) in enumerate(zip(item.evidence, report.spans, strict=False)):
        if len(span) != 2 or not 0 <= span[0] <= span[1] <= len(text):
            continue
        lines = [f"{key} {SYMBOLS[report.status]} {report.status}: {short(label(item), 80)}"]
        lines += [f"{p.code}: {p.message}" for p in report.problems]
        seen = text[span[0] : span[1]]
        if report.status == "weak" and _plain(seen) != _plain(excerpt):
            lines.append(f"forgiven: the excerpt reads “{short(excerpt)}”")
        out.append(SpanView(f"span-{anchor(key)}-{n}", key, report.status, span[0], span[1],
                            "\n".join(lines)))  # fmt: skip
    return out


def _plain(text: str) -> str:
    return " ".join("".join(c.lower() if c.isalnum() else " " for c in text).split())


def _segments(text: str, spans: list[SpanView]) -> list[Segment]:
    parts = cut_at_spans(text, [(s.start, s.end, s) for s in spans])
    return [Segment(part, covering, starts) for part, covering, starts in parts]


def cut_at_spans(
    text: str, spans: Sequence[tuple[int, int, T]]
) -> list[tuple[str, list[T], list[T]]]:
    """`text` cut at every span's edges: each part with what covers it and what begins at
    it (an empty span covers nothing, but begins somewhere: its mark is still shown)."""
    cuts = sorted({0, len(text), *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
    by_start: dict[int, list[T]] = {}
    for a, _, payload in spans:
        by_start.setdefault(a, []).append(payload)
    parts = []
    for a, b in itertools.pairwise(cuts):
        covering = [payload for s, e, payload in spans if s <= a and b <= e and s < e]
        starts = by_start.pop(a, [])
        if a < b or starts:
            parts.append((text[a:b], covering, starts))
    for rest in by_start.values():  # empty spans at the very end
        parts.append(("", [], rest))
    return parts


def _item(doc: SummaryDocument, text: str, key: str, item: Item) -> ItemView:
    report = doc.grounding.items.get(key)
    spans = report.spans if report else []
    found, missing = [], []
    for n, excerpt in enumerate(item.evidence):
        span = spans[n] if n < len(spans) else []
        if len(span) == 2:
            found.append((f"span-{anchor(key)}-{n}", short(excerpt)))
        else:
            missing.append(short(excerpt))
    status = report.status if report else "ungrounded"
    forgiven = (
        "an excerpt was found only by a fuzzy match (a typo, or a short word dropped or"
        " added); the article's own words are highlighted"
        if status == "weak" else None
    )  # fmt: skip
    kind = "actor" if isinstance(item, Actor) else "event" if isinstance(item, Event) else "claim"
    quote = item.quote if isinstance(item, Claim) else None
    return ItemView(key, kind, status, label(item), _details(doc, item), quote,
                    report.problems if report else [], found, missing, forgiven)  # fmt: skip


def _details(doc: SummaryDocument, item: Item) -> list[str]:
    names = {a.id: a.name for a in doc.extraction.actors}
    if isinstance(item, Actor):
        out = [item.kind.replace("_", " ")] + ([item.description] if item.description else [])
        return out + ([f"also: {', '.join(item.aliases)}"] if item.aliases else [])
    figures = [f"figures: {'; '.join(figure_text(f) for f in item.figures)}"] * bool(item.figures)
    if isinstance(item, Event):
        where = [v for v in (item.when, item.where) if v]
        taking_part = ", ".join(names.get(a, a) for a in item.actor_ids)
        actors = [f"actors: {taking_part}"] * bool(item.actor_ids)
        return [item.type.replace("_", " "), *where, *actors, *figures]
    speaker = names.get(item.speaker_id, item.speaker_id) if item.speaker_id else "the outlet"
    return [f"speaker: {speaker}", item.attribution.replace("_", " "), *figures]
