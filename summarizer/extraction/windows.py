"""Articles longer than a model's context: overlapping windows, and one extraction merged
from the windows' extractions.

Windows end at a paragraph or sentence break where one is near, and overlap so that a
sentence cut by one window is whole in the next. Merging renumbers ids (A1.., E1.., C1..),
merges actors that share a name or alias, and drops events and claims that two windows
extracted from the same evidence (the overlap). Spans need no shifting: the merged
extraction is validated against the whole article.
"""

from __future__ import annotations

from summarizer.contract.defaults import WINDOW_CHARS
from summarizer.contract.limits import MAX_EVIDENCE, MAX_LIST
from summarizer.contract.models import Actor, Claim, Event, Extraction
from summarizer.grounding.text import keys

#: Characters each window shares with the next.
WINDOW_OVERLAP_CHARS: int = 2_000
#: How far back from a window's end to look for a paragraph or sentence break, as a share.
BREAK_SEARCH_SHARE: float = 0.2


def split_windows(
    text: str, size: int = WINDOW_CHARS, overlap: int = WINDOW_OVERLAP_CHARS
) -> list[tuple[int, int]]:
    """[start, end) of each window; one window when the text fits."""
    if len(text) <= size:
        return [(0, len(text))]
    overlap = min(overlap, size // 4)
    windows: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(len(text), start + size)
        if end < len(text):
            end = _break_before(text, end, start + int(size * (1 - BREAK_SEARCH_SHARE)))
        windows.append((start, end))
        if end >= len(text):
            return windows
        start = _break_after(text, end - overlap, end)


def _break_before(text: str, end: int, floor: int) -> int:
    for mark in ("\n", ". "):
        cut = text.rfind(mark, floor, end)
        if cut > 0:
            return cut + len(mark)
    return end


def _break_after(text: str, start: int, ceiling: int) -> int:
    for mark in ("\n", ". "):
        cut = text.find(mark, start, ceiling)
        if cut >= 0:
            return cut + len(mark)
    return start


def merge_extractions(parts: list[Extraction]) -> Extraction:
    """One extraction from the windows' extractions, in window order."""
    actors: list[Actor] = []
    by_form: dict[tuple[str, ...], int] = {}  # name or alias -> index in actors
    events: list[Event] = []
    claims: list[Claim] = []
    seen_evidence: set[tuple[str, tuple[tuple[str, ...], ...]]] = set()
    pending_affiliations: list[tuple[int, str | None, dict[str, str], int]] = []

    for n, part in enumerate(parts, start=1):
        ids: dict[str, str] = {}
        for actor in part.actors:
            forms = [tuple(keys(f)) for f in (actor.name, *actor.aliases)]
            known = next((by_form[f] for f in forms if f in by_form), None)
            if known is None:
                known = len(actors)
                actors.append(
                    actor.model_copy(update={"id": f"A{known + 1}", "affiliation_id": None})
                )
            else:
                actors[known] = _merge_actor(actors[known], actor)
            for f in forms:
                by_form.setdefault(f, known)
            ids[actor.id] = actors[known].id
            pending_affiliations.append((known, actor.affiliation_id, ids, n))
        for event in part.events:
            if _first_time(seen_evidence, "E", event.evidence):
                events.append(event.model_copy(update={
                    "id": f"E{len(events) + 1}",
                    "actor_ids": [_mapped(ids, a, n) for a in event.actor_ids],
                }))  # fmt: skip
        for claim in part.claims:
            if _first_time(seen_evidence, "C", claim.evidence):
                speaker = _mapped(ids, claim.speaker_id, n) if claim.speaker_id else None
                claims.append(claim.model_copy(
                    update={"id": f"C{len(claims) + 1}", "speaker_id": speaker}
                ))  # fmt: skip
    resolved: set[int] = set()
    for index, affiliation, ids, n in pending_affiliations:  # the first one stated wins
        if affiliation is not None and index not in resolved:
            resolved.add(index)
            actors[index] = actors[index].model_copy(
                update={"affiliation_id": _mapped(ids, affiliation, n)}
            )
    first = parts[0]
    return Extraction(
        headline=first.headline, summary=first.summary,
        actors=actors, events=events, claims=claims,
    )  # fmt: skip


def _mapped(ids: dict[str, str], local: str, part: int) -> str:
    """A part's actor id in the merged numbering; an id the part never defined stays
    dangling, marked with its part, instead of landing on another part's actor."""
    return ids.get(local, f"{local} (part {part})")


def _merge_actor(kept: Actor, other: Actor) -> Actor:
    names = {tuple(keys(kept.name))}
    aliases = list(kept.aliases)
    for alias in (other.name, *other.aliases):
        if tuple(keys(alias)) not in names | {tuple(keys(a)) for a in aliases}:
            aliases.append(alias)
    evidence = list(kept.evidence) + [e for e in other.evidence if e not in kept.evidence]
    return kept.model_copy(update={  # within the contract's limits: a document must fit it
        "aliases": aliases[:MAX_LIST], "evidence": evidence[:MAX_EVIDENCE],
        "description": kept.description or other.description,
    })  # fmt: skip


def _first_time(
    seen: set[tuple[str, tuple[tuple[str, ...], ...]]], kind: str, evidence: list[str]
) -> bool:
    key = (kind, tuple(sorted(tuple(keys(e)) for e in evidence)))
    if key in seen:
        return False
    seen.add(key)
    return True
