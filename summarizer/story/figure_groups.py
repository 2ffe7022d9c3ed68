"""The FigureComparisons of a story: for each story event or claim of two reports or more,
its figures that count the same thing, one value per report, with a verdict."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from summarizer.contract.keys import keyed_items
from summarizer.contract.models import Figure, SummaryDocument
from summarizer.contract.story import (
    ArticleRef,
    FigureComparison,
    FigureValue,
    StoryClaim,
    StoryEvent,
)
from summarizer.story.figures import qualifier, unit_of, verdict


def figure_comparisons(
    documents: Sequence[SummaryDocument],
    refs: list[ArticleRef],
    events: list[StoryEvent],
    claims: list[StoryClaim],
) -> list[FigureComparison]:
    by_ref = {ref.id: n for n, ref in enumerate(refs)}
    items = [{k: i for k, i in keyed_items(d.extraction)} for d in documents]
    out: list[FigureComparison] = []
    for story in [*events, *claims]:
        if len(story.mentions) < 2:
            continue
        units: dict[str, list[tuple[FigureValue, float]]] = defaultdict(list)
        for mention in story.mentions:
            report = by_ref[mention.article]
            item = items[report][mention.item]
            for fig in item.figures:
                unit, factor = unit_of(fig.unit)
                value = _value(mention.article, mention.item, fig, item.evidence, mention.spans)
                units[unit].append((value, fig.value * factor))
        for unit, values in units.items():
            for chain in _chains(values):
                out.append(FigureComparison(
                    id=f"SF{len(out) + 1}", about=story.id, unit=unit,
                    values=[v for v, _ in chain],
                    verdict=verdict([(n, v.qualifier) for v, n in chain]),
                ))  # fmt: skip
    return out


def _value(
    article: str, key: str, fig: Figure, evidence: list[str], spans: list[list[int]]
) -> FigureValue:
    """The figure as compared, with the span of the excerpt that states it."""
    span: list[int] = []
    for excerpt, s in zip(evidence, spans, strict=False):
        if len(s) == 2 and fig.as_written.lower() in excerpt.lower():
            span = s
            break
    if not span:
        span = next((s for s in spans if len(s) == 2), [])
    return FigureValue(article=article, item=key, value=fig.value, approximate=fig.approximate,
                       qualifier=qualifier(fig.as_written, fig.approximate),  # type: ignore[arg-type]
                       as_written=fig.as_written, span=span)  # fmt: skip


def _chains(values: list[tuple[FigureValue, float]]) -> list[list[tuple[FigureValue, float]]]:
    """One value per report in each comparison: a report with several figures of one unit
    ("19 civilians", "one civilian") has each paired with the nearest of the others."""
    per_article: dict[str, list[tuple[FigureValue, float]]] = defaultdict(list)
    for v in values:
        per_article[v[0].article].append(v)
    if len(per_article) < 2:
        return []
    base = max(per_article.values(), key=len)
    others = [list(vs) for vs in per_article.values() if vs is not base]
    chains = []
    for value in base:
        chain = [value]
        for vs in others:
            if vs:
                nearest = min(vs, key=lambda v: abs(v[1] - value[1]) / max(abs(value[1]), 1e-9))
                vs.remove(nearest)
                chain.append(nearest)
        if len(chain) >= 2:
            chains.append(chain)
    return chains
