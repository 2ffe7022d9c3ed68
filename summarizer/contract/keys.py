"""Report keys: how the grounding report, the briefs and `drop` name an item.

An item's key is its id; a later item that reuses an id gets "<id>#2", "<id>#3"... so that
every item has its own report even when the model repeats an id. The headline and summary
share one key, "summary". Every layer that looks an item up by key uses `keyed_items`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from summarizer.contract.models import Actor, Claim, Event, Extraction

#: The report key of the headline and summary.
SUMMARY_KEY = "summary"

Item = Actor | Event | Claim


def item_keys(items: Iterable[Item]) -> list[str]:
    """The report key of each item, in order."""
    seen: Counter[str] = Counter()
    keys = []
    for item in items:
        seen[item.id] += 1
        keys.append(item.id if seen[item.id] == 1 else f"{item.id}#{seen[item.id]}")
    return keys


def keyed_items(extraction: Extraction) -> list[tuple[str, Item]]:
    """Every actor, event and claim with its report key, in the report's order."""
    items: list[Item] = [*extraction.actors, *extraction.events, *extraction.claims]
    return list(zip(item_keys(items), items, strict=True))
