"""`validate`: check an extraction against its article, item by item.

This module is the one place where problem codes are decided. The modules it calls
(`alignment`, `numbers`, `quotes`, `attribution`, `names`) find facts in the article; here
those facts become the contract's problems. Everything is a pure function of (article text,
extraction): no I/O, no globals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from summarizer.contract.keys import SUMMARY_KEY, Item, keyed_items
from summarizer.contract.models import (
    Actor,
    Claim,
    Event,
    Extraction,
    Figure,
    GroundingReport,
    ItemReport,
    Problem,
    ProblemCode,
)
from summarizer.grounding.alignment import Match, align_evidence
from summarizer.grounding.attribution import (
    SpeakerForms,
    actors_named,
    names_actor,
    sources_for_span,
)
from summarizer.grounding.injection import injection_spans, inside
from summarizer.grounding.names import missing_names_in, occurs
from summarizer.grounding.numbers import ArticleNumbers, find_numbers, unsupported_numbers_in
from summarizer.grounding.quotes import find_quote, inside_quotation_marks
from summarizer.grounding.text import ArticleIndex, has_dotted_acronym, keys, undot_acronyms

#: Characters of an excerpt or text shown in a problem message.
MESSAGE_EXCERPT_CHARS: int = 80


def validate(article_text: str, extraction: Extraction | Mapping[str, Any]) -> GroundingReport:
    """Check every actor, event and claim, and the headline and summary, against the article.

    `extraction` may be a model or a plain dict (validated against the contract first: a
    dict that does not fit raises `pydantic.ValidationError`).
    """
    if not isinstance(extraction, Extraction):
        extraction = Extraction.model_validate(extraction)
    if has_dotted_acronym(article_text) or has_dotted_acronym("\n".join(_strings(extraction))):
        # "U.N." and "UN" compare alike; lengths are kept, so spans stay valid.
        article_text = undot_acronyms(article_text)
        extraction = Extraction.model_validate(
            _map_strings(extraction.model_dump(), undot_acronyms)
        )
    article = _Article.of(article_text)
    keyed = keyed_items(extraction)
    counts = Counter(item.id for _, item in keyed)
    actors: dict[str, Actor] = {}
    for actor in extraction.actors:
        actors.setdefault(actor.id, actor)
    forms = {a.id: _forms(a) for a in actors.values()}

    free_texts = [
        *((key, label, text) for key, item in keyed for label, text in _free_texts(item)),
        (SUMMARY_KEY, "headline", extraction.headline),
        (SUMMARY_KEY, "summary", extraction.summary),
    ]  # fmt: skip
    # Orders to a model support no sentence of the model's own words either.
    reported = (
        _Article.of(_blanked(article_text, article.injections), find_injections=False)
        if article.injections
        else article
    )
    text_problems = _free_text_problems(reported, free_texts)

    reports: dict[str, ItemReport] = {}
    for key, item in keyed:
        matches = align_evidence(article.index, item.evidence)
        problems = [
            *_evidence_problems(item.evidence, matches),
            *_injection_problems(article, matches),
            *text_problems.get(key, []),
            *_reference_problems(item, actors),
        ]
        if isinstance(item, Actor):
            problems += _actor_problems(article, item)
        else:
            problems += _figure_problems(item.figures, item.evidence)
        if isinstance(item, Claim):
            problems += _quote_problems(article, item)
            problems += _speaker_problems(article, item, matches, actors, forms)
        if counts[item.id] > 1:
            problems.append(
                _problem("duplicate_id", f"id {item.id} is used by {counts[item.id]} items")
            )
        reports[key] = _report(matches, problems)

    reports[SUMMARY_KEY] = _report([], text_problems.get(SUMMARY_KEY, []))
    return GroundingReport(ok=all(not r.problems for r in reports.values()), items=reports)


@dataclass(frozen=True)
class _Article:
    text: str
    index: ArticleIndex
    numbers: ArticleNumbers
    injections: list[tuple[int, int]]
    #: Whether each proper name met so far occurs: one validation's memo, not a global.
    names_seen: dict[str, bool] = field(default_factory=dict)
    #: Which actors each source phrase names (sources recur from claim to claim).
    named_by: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, *, find_injections: bool = True) -> _Article:
        index = ArticleIndex(text)
        words = (index.starts, index.ends, index.keys)
        numbers = ArticleNumbers.of(text, words, index.positions)
        injections = injection_spans(text, index.positions.keys()) if find_injections else []
        return cls(text, index, numbers, injections)


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span turned to spaces (offsets kept)."""
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], " " * (end - start)]
        last = end
    return "".join([*parts, text[last:]])


def _strings(extraction: Extraction) -> Iterator[str]:
    """Every text of an extraction (ids and enums aside)."""
    yield extraction.headline
    yield extraction.summary
    for item in [*extraction.actors, *extraction.events, *extraction.claims]:
        yield from item.evidence
        if isinstance(item, Actor):
            yield item.name
            yield from item.aliases
            texts = [item.description]
        elif isinstance(item, Event):
            texts = [item.description, item.when, item.where]
        else:
            texts = [item.statement, item.quote]
        yield from (t for t in texts if t)
        for fig in getattr(item, "figures", []):
            yield fig.as_written


def _map_strings(data: Any, f: Callable[[str], str]) -> Any:
    if isinstance(data, str):
        return f(data)
    if isinstance(data, dict):
        return {k: _map_strings(v, f) for k, v in data.items()}
    if isinstance(data, list):
        return [_map_strings(v, f) for v in data]
    return data


def _report(matches: list[Match | None], problems: list[Problem]) -> ItemReport:
    spans = [[m.start, m.end] if m else [] for m in matches]
    if problems:
        status = "ungrounded"
    elif all(m.exact for m in matches if m):
        status = "grounded"
    else:
        status = "weak"
    # Built from checked parts (spans are [start, end] of matches): no need to validate.
    return ItemReport.model_construct(status=status, spans=spans, problems=problems)


def _problem(code: ProblemCode, message: str) -> Problem:
    return Problem.model_construct(code=code, message=message)


def _show(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MESSAGE_EXCERPT_CHARS:
        text = text[: MESSAGE_EXCERPT_CHARS - 1] + "…"
    return f'"{text}"'


# --- evidence_not_found ------------------------------------------------------------------


def _evidence_problems(evidence: list[str], matches: list[Match | None]) -> list[Problem]:
    return [
        _problem("evidence_not_found", f"evidence {i} is not in the article: {_show(excerpt)}")
        for i, (excerpt, match) in enumerate(zip(evidence, matches), start=1)
        if match is None
    ]


def _injection_problems(article: _Article, matches: list[Match | None]) -> list[Problem]:
    """Evidence that stands in text giving orders to the model supports nothing."""
    if not article.injections:
        return []
    return [
        _problem(
            "evidence_not_found",
            f"evidence {i} stands in text that gives instructions to the model, not in the"
            " article's reporting",
        )
        for i, m in enumerate(matches, start=1)
        if m and inside(article.injections, m.start, m.end)
    ]


# --- number_not_supported, entity_not_in_source ------------------------------------------


def _free_texts(item: Item) -> list[tuple[str, str]]:
    """The model's own words in an item, by field: what names and numbers are checked in."""
    if isinstance(item, Actor):
        fields = [("description", item.description)]
    elif isinstance(item, Event):
        fields = [("description", item.description), ("when", item.when), ("where", item.where)]
    else:
        fields = [("statement", item.statement)]
    return [(label, text) for label, text in fields if text]


def _free_text_problems(
    article: _Article, fields: list[tuple[str, str, str]]
) -> dict[str, list[Problem]]:
    """Numbers and proper names of the model's own words that the article does not state,
    by report key; all texts are read in one pass."""
    texts = [text for _, _, text in fields]
    numbers = unsupported_numbers_in(texts, article.numbers)
    names = missing_names_in(article.index, texts, article.names_seen)
    out: dict[str, list[Problem]] = {}
    for (key, label, _), bad_numbers, bad_names in zip(fields, numbers, names):
        problems = out.setdefault(key, [])
        problems += [
            _problem(
                "number_not_supported",
                f"{label} states {_show(n.text)}, a number the article does not state",
            )
            for n in bad_numbers
        ]
        problems += [
            _problem("entity_not_in_source", f"{label} names {_show(name)}, not in the article")
            for name in bad_names
        ]
    return out


def _figure_problems(figures: list[Figure], evidence: list[str]) -> list[Problem]:
    if not figures:
        return []
    evidence_keys = [_delimited_keys(e) for e in evidence]
    problems = []
    for i, fig in enumerate(figures, start=1):
        where = f"figure {i} ({_show(fig.as_written)})"
        written = _delimited_keys(fig.as_written)
        if written == "\0" or not any(written in e for e in evidence_keys):
            problems.append(
                _problem("number_not_supported", f"{where} is not in the item's evidence")
            )
            continue
        stated = find_numbers(fig.as_written)
        if not stated:
            problems.append(_problem("number_not_supported", f"{where} states no number"))
        elif not any(n.admits(fig.value) for n in stated):
            problems.append(
                _problem("number_not_supported", f"{where} does not state the value {fig.value:g}")
            )
        elif not fig.approximate and any(n.approximate for n in stated):
            problems.append(
                _problem("number_not_supported", f"{where} is approximate; the figure says exact")
            )
    return problems


def _delimited_keys(text: str) -> str:
    """The text's keys, each followed and the first preceded by NUL: a run of keys of one
    text then stands in another's as a substring. (NUL, which no key holds: NFKC makes
    keys with spaces of some characters.)"""
    return "\0" + "".join(key + "\0" for key in keys(text))


# --- quote_not_verbatim --------------------------------------------------------------------


def _quote_problems(article: _Article, claim: Claim) -> list[Problem]:
    if not claim.quote:
        if claim.attribution == "direct_quote":
            return [_problem("quote_not_verbatim", "a direct_quote claim gives no quote")]
        return []
    offset = find_quote(article.index, claim.quote)
    if offset is None:
        message = f"quote is not word for word in the article: {_show(claim.quote)}"
    elif not inside_quotation_marks(article.text, offset):
        message = f"quote stands in the article but not in quotation marks: {_show(claim.quote)}"
    else:
        return []
    return [_problem("quote_not_verbatim", message)]


# --- speaker_not_supported -----------------------------------------------------------------


def _speaker_problems(
    article: _Article,
    claim: Claim,
    matches: list[Match | None],
    actors: dict[str, Actor],
    forms: dict[str, SpeakerForms],
) -> list[Problem]:
    speaker = actors.get(claim.speaker_id or "")
    found = [m for m in matches if m]
    if speaker is None or not found:
        return []  # no speaker, a dangling one, or no evidence: reported elsewhere
    sources = [src for m in found for src in sources_for_span(article.index, m.start, m.end)]
    for src in sources:
        if src.unresolved:
            continue
        if src.phrase not in article.named_by:
            article.named_by[src.phrase] = actors_named(src.phrase, forms)
        named = [actors[i] for i in article.named_by[src.phrase]]
        if named:
            # The source names actors: the speaker must be one of them, or be the
            # organisation they speak for (its director, its spokesman...).
            if speaker in named or all(a.affiliation_id == speaker.id for a in named):
                return []
        elif names_actor(src.phrase, forms[speaker.id]):
            return []  # a title the article uses for the speaker: "the monitor said"
    known = [src for src in sources if not src.unresolved]
    if known:
        shown = ", ".join(_show(src.phrase) for src in known)
        message = f"the article attributes this evidence to {shown}, not to {speaker.name}"
    elif sources:
        return []  # "she said" with no one named before: nothing to contradict
    else:
        sentence_text = " ".join(
            article.text[slice(*article.index.sentences[article.index.sentence_of(m.start)])]
            for m in found
        )
        if names_actor(sentence_text, forms[speaker.id], by_role=False):
            return []  # no speech verb, but the sentence is about the speaker
        message = f"the article does not attribute this evidence to {speaker.name}"
    return [_problem("speaker_not_supported", message)]


def _forms(actor: Actor) -> SpeakerForms:
    return SpeakerForms.of(
        actor.name, actor.aliases, actor.description, person=actor.kind == "person"
    )


# --- actor_not_in_source -------------------------------------------------------------------


def _actor_problems(article: _Article, actor: Actor) -> list[Problem]:
    missing = [
        form
        for form in (actor.name, *actor.aliases)
        if not occurs(article.index, form, as_written=True)
    ]
    if not missing:
        return []
    which = "name" if missing[0] == actor.name else "alias"
    shown = ", ".join(_show(m) for m in missing)
    return [_problem("actor_not_in_source", f"{which} {shown} does not occur in the article")]


# --- dangling_reference --------------------------------------------------------------------


def _reference_problems(item: Item, actors: dict[str, Actor]) -> list[Problem]:
    if isinstance(item, Actor):
        refs = {"affiliation_id": [item.affiliation_id]}
    elif isinstance(item, Event):
        refs = {"actor_ids": list(item.actor_ids)}
    else:
        refs = {"speaker_id": [item.speaker_id]}
    return [
        _problem("dangling_reference", f"{field} {ref} names no actor of the extraction")
        for field, ids in refs.items()
        for ref in ids
        if ref is not None and ref not in actors
    ]
