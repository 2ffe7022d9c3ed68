"""The story's HTML page: the reports side by side, each story item highlighted in every
report where it stands, in the same colour, conflicting figures marked. Self-contained,
rendered by Jinja2 with autoescaping, as the single-article page is."""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.contract.models import SummaryDocument
from summarizer.contract.story import StoryDocument
from summarizer.reports.html import environment
from summarizer.reports.story_page import story_view

VERDICT_MARKS = {"agree": "✓", "compatible": "~", "conflict": "✗"}


def story_html(
    story: StoryDocument, documents: Sequence[SummaryDocument], texts: Sequence[str]
) -> str:
    """The page of `story`; `documents` and `texts` are its reports and their articles."""
    columns, items = story_view(story, documents, texts)
    return environment().get_template("story.html.j2").render(
        story=story, columns=columns, items=items, hues={i.id: i.hue for i in items},
        conflicted={i.id for i in items if i.conflict}, verdict_mark=VERDICT_MARKS,
        outlets={r.id: r.outlet for r in story.articles},
    )  # fmt: skip
