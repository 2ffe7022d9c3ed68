"""Candidate pairs of items across reports, each with its bases and a score: actors by
their names (rule 3), events and claims by what they share."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable

from summarizer.story.figures import consistent, qualifier, unit_of
from summarizer.story.linking import Entry, Pair, content, similarity
from summarizer.story.names import Named, given_names_compatible, name_basis, surname_of, words

#: Score of a persons' match on the surname alone (rule 3: compatible given names, and no
#: other person of that surname in the story).
SURNAME_SCORE: float = 0.7
#: The least score that makes two events, or two claims, one.
MIN_EVENT_SCORE: float = 0.5
MIN_CLAIM_SCORE: float = 0.5
#: The least text similarity of two claims joined on their words alone.
MIN_CLAIM_TEXT: float = 0.35
#: Text similarity from which "similar_text" is a basis.
SIMILAR_TEXT: float = 0.55
#: Quote similarity from which two quotes are one quote translated or trimmed.
SIMILAR_QUOTE: float = 0.6
_TIME_WORDS = re.compile(
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"\d{4}"
)

ActorOf = Callable[[int, str], str | None]  # (report, actor id) -> story actor id


def named(entry: Entry) -> Named:
    a = entry.item
    return Named(a.name, tuple(a.aliases), a.kind)


def actor_pairs(entries: list[Entry]) -> list[Pair]:
    """Pairs of actors of different reports with a name basis."""
    people = [named(e) for e in entries]
    surnames: dict[str, list[list[str]]] = defaultdict(list)
    for p in people:
        if p.kind == "person":
            last, given = surname_of(p)
            surnames[last].append(given)
    pairs = []
    for i, a in enumerate(entries):
        for j in range(i + 1, len(entries)):
            if entries[j].report == a.report:
                continue
            found = name_basis(people[i], people[j]) or _by_surname(people[i], people[j], surnames)
            if found:
                pairs.append(Pair(found[1], i, j, tuple(found[0])))
    return pairs


def _by_surname(
    a: Named, b: Named, surnames: dict[str, list[list[str]]]
) -> tuple[list[str], float] | None:
    if a.kind != "person" or b.kind != "person":
        return None
    (last_a, given_a), (last_b, given_b) = surname_of(a), surname_of(b)
    if last_a != last_b or len(last_a) < 3 or not given_names_compatible(given_a, given_b):
        return None
    others = [g for g in surnames[last_a] if not given_names_compatible(g, given_a)
              or not given_names_compatible(g, given_b)]  # fmt: skip
    return None if others else (["surname"], SURNAME_SCORE)


def scored_pairs(
    entries: list[Entry], score: Callable[[Entry, Entry], tuple[float, list[str]] | None],
    least: float,
) -> list[Pair]:  # fmt: skip
    """Every pair of entries of different reports that `score` rates at `least` or more."""
    pairs = []
    for i, a in enumerate(entries):
        for j in range(i + 1, len(entries)):
            if entries[j].report == a.report:
                continue
            found = score(a, entries[j])
            if found and found[0] >= least:
                pairs.append(Pair(min(found[0], 1.0), i, j, tuple(found[1])))
    return pairs


def event_pairs(entries: list[Entry], actor_of: ActorOf) -> list[Pair]:
    """Pairs of events of different reports that tell one event."""
    return scored_pairs(entries, lambda a, b: _event_score(a, b, actor_of), MIN_EVENT_SCORE)


def _event_score(a: Entry, b: Entry, actor_of: ActorOf) -> tuple[float, list[str]]:
    ea, eb = a.item, b.item
    text = max(similarity(ea.description, eb.description),
               similarity(" ".join(ea.evidence), " ".join(eb.evidence)))  # fmt: skip
    actors_a = {actor_of(a.report, x) for x in ea.actor_ids} - {None}
    actors_b = {actor_of(b.report, x) for x in eb.actor_ids} - {None}
    shared = len(actors_a & actors_b) / max(1, len(actors_a | actors_b))
    features = {
        "similar_text": (text, 0.55),
        "shared_actors": (shared, 0.15),
        "same_time": (_same_time(ea.when, eb.when), 0.1),
        "same_place": (_same_place(ea.where, eb.where), 0.1),
        "same_figures": (
            max(_same_figures(ea.figures, eb.figures), 0.6 * _same_unit(ea.figures, eb.figures)),
            0.15,
        ),
    }
    score = sum(value * weight for value, weight in features.values())
    score += 0.05 if ea.type == eb.type else -0.1
    basis = [n for n, (v, _) in features.items() if v >= {"similar_text": SIMILAR_TEXT}.get(n, 0.5)]
    return score, basis or ["similar_text"]


def claim_pairs(entries: list[Entry], actor_of: ActorOf) -> list[Pair]:
    """Pairs of claims of different reports that say one thing."""
    speakers: Counter[tuple[int, str | None]] = Counter(
        (e.report, actor_of(e.report, e.item.speaker_id)) for e in entries if e.item.speaker_id
    )
    return scored_pairs(entries, lambda a, b: _claim_score(a, b, actor_of, speakers),
                        MIN_CLAIM_SCORE)  # fmt: skip


def _claim_score(
    a: Entry, b: Entry, actor_of: ActorOf, speakers: Counter[tuple[int, str | None]]
) -> tuple[float, list[str]] | None:
    ca, cb = a.item, b.item
    sa = actor_of(a.report, ca.speaker_id) if ca.speaker_id else None
    sb = actor_of(b.report, cb.speaker_id) if cb.speaker_id else None
    counted = _same_unit(ca.figures, cb.figures)
    consistent_figures = _same_figures(ca.figures, cb.figures)
    if sa and sb and sa != sb and not counted:
        return None  # two speakers: two claims, unless both count one thing (a toll)
    # The statements, not the evidence: evidence names the speaker, whose name two claims
    # of one speaker share whatever they say.
    text = similarity(ca.statement, cb.statement)
    if not ca.speaker_id and not cb.speaker_id:
        text = max(text, similarity(" ".join(ca.evidence), " ".join(cb.evidence)))
    quote = similarity(ca.quote, cb.quote) if ca.quote and cb.quote else 0.0
    same_speaker = bool(sa) and sa == sb
    # One speaker's only claim in each report: most likely the same thing, in other words.
    only = same_speaker and speakers[(a.report, sa)] == 1 and speakers[(b.report, sb)] == 1
    if same_speaker and counted and not consistent_figures:
        return None  # one source giving two different figures: two claims
    figures = 0.3 * consistent_figures or 0.25 * counted
    alike = 0.05 * (ca.attribution == cb.attribution)
    score = 0.5 * text + 0.2 * same_speaker + 0.2 * only + 0.15 * quote + figures + alike
    if text < MIN_CLAIM_TEXT and not (counted or only or quote >= SIMILAR_QUOTE):
        return None
    basis = [name for name, on in (
        ("similar_text", text >= SIMILAR_TEXT), ("same_speaker", same_speaker),
        ("same_quote", quote >= SIMILAR_QUOTE), ("same_figures", consistent_figures > 0),
    ) if on]  # fmt: skip
    return score, basis or ["similar_text"]


def _same_time(x: str | None, y: str | None) -> float:
    if not x or not y:
        return 0.0
    tx, ty = set(_TIME_WORDS.findall(x.lower())), set(_TIME_WORDS.findall(y.lower()))
    return 1.0 if (tx & ty) or content(x) == content(y) else 0.0


def _same_place(x: str | None, y: str | None) -> float:
    if not x or not y:
        return 0.0
    wx, wy = set(content(x).split()), set(content(y).split())
    return len(wx & wy) / max(1, min(len(wx), len(wy)))


def _same_figures(xs: list, ys: list) -> float:
    """1 when a figure of one and a figure of the other count the same and are consistent."""
    for x in xs:
        ux, fx = unit_of(x.unit)
        for y in ys:
            uy, fy = unit_of(y.unit)
            qx = qualifier(x.as_written, x.approximate)
            qy = qualifier(y.as_written, y.approximate)
            if ux == uy and consistent(x.value * fx, qx, y.value * fy, qy):
                return 1.0
    return 0.0


def _same_unit(xs: list, ys: list) -> float:
    """1 when a figure of each counts the same thing, whatever their values."""
    units = {unit_of(x.unit)[0] for x in xs}
    return 1.0 if any(unit_of(y.unit)[0] in units for y in ys) else 0.0


def quote_words(text: str) -> list[str]:
    """A quote's words, typography aside, for "same_words"."""
    return words(text)
