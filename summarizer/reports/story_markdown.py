"""The desk's Markdown brief of a story: conflicting figures first, then what two outlets
or more report (with their count), then what only one says, each in the outlets' own
words. Every text from a document goes through `escape.markdown`."""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.contract.keys import keyed_items
from summarizer.contract.models import SummaryDocument
from summarizer.contract.story import FigureComparison, Mention, StoryDocument
from summarizer.reports.escape import markdown as md
from summarizer.reports.items import label, short

_VERDICT = {"conflict": "✗ conflict", "compatible": "~ compatible", "agree": "✓ agree"}


def story_markdown(story: StoryDocument, documents: Sequence[SummaryDocument]) -> str:
    """The brief of `story`, whose reports are `documents` (in the story's order)."""
    outlets = {ref.id: ref.outlet for ref in story.articles}
    words = {ref.id: dict(keyed_items(doc.extraction))
             for ref, doc in zip(story.articles, documents, strict=True)}  # fmt: skip

    def said(m: Mention) -> str:
        item = words[m.article].get(m.item)
        text = short(label(item)) if item is not None else m.item
        return f"{md(outlets[m.article])} ({md(m.item)}): “{md(text)}”"

    lines = [f"# Story: {md(documents[0].extraction.headline)}", ""]
    reports = "; ".join(md(f"{outlets[r.id]} ({r.id})") for r in story.articles)
    lines += [f"*{len(story.articles)} reports: {reports}*", ""]
    lines += _figures(story, outlets)
    for title, single in (("Corroborated", False), ("Only one outlet", True)):
        lines += [f"## {title}", ""]
        for kind, items in (("Events", story.events), ("Claims", story.claims),
                            ("Actors", story.actors)):  # fmt: skip
            chosen = [s for s in items if (len(s.mentions) == 1) == single]
            if not chosen:
                continue
            lines += [f"### {kind}", ""]
            for s in chosen:
                count = "" if single else f" — {len(s.mentions)} outlets"
                lines.append(f"- **{s.id}**{count}")
                lines += [f"  - {said(m)}" for m in s.mentions]
            lines.append("")
    return "\n".join(lines) + "\n"


def _figures(story: StoryDocument, outlets: dict[str, str]) -> list[str]:
    order = {"conflict": 0, "compatible": 1, "agree": 2}
    figures = sorted(story.figures, key=lambda f: (order[f.verdict], f.id))
    if not figures:
        return []
    lines = ["## Figures, conflicts first", ""]
    for f in figures:
        values = " · ".join(_value(f, n, outlets) for n in range(len(f.values)))
        lines.append(f"- {_VERDICT[f.verdict]} — **{md(f.unit)}** ({f.about}): {values}")
    return [*lines, ""]


def _value(f: FigureComparison, n: int, outlets: dict[str, str]) -> str:
    v = f.values[n]
    return f"{md(outlets[v.article])}: “{md(v.as_written)}”"
