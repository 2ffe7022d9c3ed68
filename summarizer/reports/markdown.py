"""The Markdown brief for editors: every item with its grounding status and problems.

Every text from the model, a server or the article's page goes through `escape.markdown`:
the brief's structure is this module's alone."""

from __future__ import annotations

from summarizer.contract.keys import SUMMARY_KEY, Item, keyed_items
from summarizer.contract.models import Actor, Claim, Event, SummaryDocument
from summarizer.reports.escape import markdown as md
from summarizer.reports.items import excerpts, figure_text, label, problems_of, status_mark

Keyed = list[tuple[str, Item]]


def document_markdown(doc: SummaryDocument) -> str:
    """A brief for editors: every item with its grounding status and problems visible."""
    ex = doc.extraction
    keyed = keyed_items(ex)
    names = {a.id: a.name for a in ex.actors}
    lines = _head(doc)
    lines += _events(doc, [(k, i) for k, i in keyed if isinstance(i, Event)], names)
    lines += _actors(doc, [(k, i) for k, i in keyed if isinstance(i, Actor)])
    lines += _claims(doc, [(k, i) for k, i in keyed if isinstance(i, Claim)], names)
    lines += _dropped(doc)
    p = doc.provenance
    lines.append(
        f"---\n*{md(p.model)} · prompt {md(p.prompt_version)} · {p.attempts} request(s) · "
        f"{p.usage.prompt_tokens} prompt + {p.usage.completion_tokens} completion tokens"
        f"{_cost(p.estimated_cost_usd)} · {p.created_at}*"
    )
    return "\n".join(lines) + "\n"


def _problem_lines(doc: SummaryDocument, key: str, indent: str) -> list[str]:
    return [f"{indent}- ✗ `{p.code}`: {md(p.message)}" for p in problems_of(doc, key)]


def _figures_and_problems(doc: SummaryDocument, key: str, item: Event | Claim) -> list[str]:
    """The lines under an event or a claim: its figures, its evidence, then its problems."""
    figures = "; ".join(md(figure_text(f)) for f in item.figures)
    lines = [f"  - Figures: {figures}"] if figures else []
    return [*lines, f"  - Evidence: {_evidence(doc, key, item)}", *_problem_lines(doc, key, "  ")]


def _evidence(doc: SummaryDocument, key: str, item: Item) -> str:
    """The item's excerpts, each in quotes; one the article does not hold is marked."""
    return " · ".join(
        f"“{md(text)}”" + ("" if found else " ✗ not found")
        for text, found in excerpts(doc, key, item)
    )


def _head(doc: SummaryDocument) -> list[str]:
    ex, art = doc.extraction, doc.article
    bad = [k for k, r in doc.grounding.items.items() if r.problems]
    lines = [f"# {md(ex.headline)}", ""]
    meta = " · ".join(md(v) for v in (art.source, art.published, art.url) if v)
    if meta:
        lines += [f"*{meta}*", ""]
    lines += [md(ex.summary), ""]
    if bad:
        lines.append(f"**Grounding: {len(bad)} item(s) with problems, marked ✗ below.**")
    else:
        lines.append(
            f"**Grounding: all {len(doc.grounding.items)} items checked against the article.**"
        )
    return [*lines, *_problem_lines(doc, SUMMARY_KEY, ""), ""]


def _events(doc: SummaryDocument, events: Keyed, names: dict[str, str]) -> list[str]:
    if not events:
        return []
    lines = ["## Events", ""]
    for key, e in events:
        assert isinstance(e, Event)
        when_where = " · ".join(md(v) for v in (e.when, e.where) if v)
        context = e.type + (f" · {when_where}" if when_where else "")
        lines.append(f"- **{md(key)}** {md(e.description)} *({context})* — {status_mark(doc, key)}")
        if e.actor_ids:
            actors = ", ".join(md(names.get(a, a)) for a in e.actor_ids)
            lines.append(f"  - Actors: {actors}")
        lines += _figures_and_problems(doc, key, e)
    return [*lines, ""]


def _actors(doc: SummaryDocument, actors: Keyed) -> list[str]:
    if not actors:
        return []
    lines = ["## Actors", "", "| id | name | kind | role | grounding |", "|---|---|---|---|---|"]
    for key, a in actors:
        assert isinstance(a, Actor)
        name = md(a.name) + (f" ({', '.join(md(x) for x in a.aliases)})" if a.aliases else "")
        role = md(a.description or "")
        lines.append(f"| {md(key)} | {name} | {a.kind} | {role} | {status_mark(doc, key)} |")
    lines.append("")
    for key, a in actors:
        lines.append(f"- **{md(key)}** evidence: {_evidence(doc, key, a)}")
        lines += _problem_lines(doc, key, "  ")
    return [*lines, ""]


def _claims(doc: SummaryDocument, claims: Keyed, names: dict[str, str]) -> list[str]:
    if not claims:
        return []
    lines = ["## Claims", ""]
    for key, c in claims:
        assert isinstance(c, Claim)
        who = md(names.get(c.speaker_id, c.speaker_id)) if c.speaker_id else "the outlet"
        how = c.attribution.replace("_", " ")
        mark = status_mark(doc, key)
        lines.append(f"- **{md(key)}** {md(c.statement)} — *{who}*, {how} — {mark}")
        if c.quote:
            lines.append(f"  > “{md(c.quote)}”")
        lines += _figures_and_problems(doc, key, c)
    return [*lines, ""]


def _dropped(doc: SummaryDocument) -> list[str]:
    if not doc.dropped:
        return []
    lines = ["## Removed for their problems", ""]
    for d in doc.dropped:
        codes = ", ".join(sorted({p.code for p in d.problems}))
        lines.append(f"- {md(d.key)}: {md(label(d.item))} ({codes})")
    return [*lines, ""]


def _cost(usd: float | None) -> str:
    return "" if usd is None else f" · about ${usd:.4f}"
