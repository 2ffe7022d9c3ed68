"""`on_problems="drop"`: remove the items with problems, and what then names them."""

from __future__ import annotations

from summarizer.contract.keys import SUMMARY_KEY, keyed_items
from summarizer.contract.models import Actor, Claim, DroppedItem, Event, Extraction, GroundingReport
from summarizer.grounding.checks import validate

#: Rounds of dropping: removing an actor can leave a claim that names it dangling.
MAX_DROP_ROUNDS: int = 5


def drop_items_with_problems(
    text: str, extraction: Extraction, report: GroundingReport
) -> tuple[Extraction, GroundingReport, list[DroppedItem]]:
    """Remove every actor, event and claim with a problem, and what then names a removed
    actor; the headline and summary cannot be removed and keep their problems."""
    dropped: list[DroppedItem] = []
    for _ in range(MAX_DROP_ROUNDS):
        keyed = keyed_items(extraction)
        bad = {k for k, r in report.items.items() if r.problems and k != SUMMARY_KEY}
        if not bad:
            break
        dropped += [
            DroppedItem(key=k, item=item, problems=report.items[k].problems)
            for k, item in keyed
            if k in bad
        ]
        extraction = _without(extraction, [item for k, item in keyed if k not in bad])
        report = validate(text, extraction)
    return extraction, report, dropped


def _without(extraction: Extraction, kept: list[Actor | Event | Claim]) -> Extraction:
    """The extraction of the `kept` items, references to removed actors cut."""
    actors = [i for i in kept if isinstance(i, Actor)]
    ids = {a.id for a in actors}
    events = [
        e.model_copy(update={"actor_ids": [a for a in e.actor_ids if a in ids]})
        for e in kept
        if isinstance(e, Event)
    ]
    actors = [
        a if a.affiliation_id in ids or a.affiliation_id is None
        else a.model_copy(update={"affiliation_id": None})
        for a in actors
    ]  # fmt: skip
    claims = [c for c in kept if isinstance(c, Claim)]
    return extraction.model_copy(update={"actors": actors, "events": events, "claims": claims})
