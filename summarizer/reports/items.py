"""What every view of a summary document shows of an item, looked up by its report key
(`contract.keys`), so that two items that share an id each show their own report."""

from __future__ import annotations

from summarizer.contract.keys import Item
from summarizer.contract.models import Actor, Event, Figure, ItemReport, Problem, SummaryDocument

MARKS = {"grounded": "✓ grounded", "weak": "~ weak (fuzzy evidence)", "ungrounded": "✗ ungrounded"}


def status_mark(doc: SummaryDocument, key: str) -> str:
    """The item's grounding status as a mark and a word ("✓ grounded")."""
    report = doc.grounding.items.get(key)
    return MARKS[report.status] if report else "?"


def problems_of(doc: SummaryDocument, key: str) -> list[Problem]:
    report: ItemReport | None = doc.grounding.items.get(key)
    return report.problems if report else []


def label(item: Item) -> str:
    """The item's main text: an actor's name, an event's description, a claim's statement."""
    if isinstance(item, Actor):
        return item.name
    return item.description if isinstance(item, Event) else item.statement


def figure_text(f: Figure) -> str:
    return f"{f.as_written} ({f.unit}{', approximate' if f.approximate else ''})"


#: Characters of an excerpt shown whole under its item; a longer one is cut with "…".
EXCERPT_CHARS: int = 160


def short(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` whole when short, else cut at a word with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def excerpts(doc: SummaryDocument, key: str, item: Item) -> list[tuple[str, bool]]:
    """Each evidence excerpt of the item (cut when long), and whether it was found."""
    report = doc.grounding.items.get(key)
    spans = report.spans if report else []
    return [(short(e), n < len(spans) and len(spans[n]) == 2) for n, e in enumerate(item.evidence)]
