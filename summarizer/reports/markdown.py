"""Human-readable views of reports and documents (plain text; no terminal library)."""

from __future__ import annotations

from summarizer.contract.models import Actor, Claim, Event, Figure, GroundingReport, SummaryDocument


def report_text(report: GroundingReport, source: str) -> str:
    statuses = [r.status for r in report.items.values()]
    bad = {k: r for k, r in report.items.items() if r.problems}
    n_problems = sum(len(r.problems) for r in bad.values())
    head = (
        f"{source}: {'ok' if report.ok else f'{n_problems} problem(s) in {len(bad)} item(s)'}"
        f" — {statuses.count('grounded')} grounded, {statuses.count('weak')} weak,"
        f" {statuses.count('ungrounded')} ungrounded of {len(statuses)} items"
    )
    lines = [head]
    for key, item in report.items.items():
        if item.status == "weak":
            lines.append(f"  {key:<8} weak: evidence found only by a fuzzy match")
        for p in item.problems:
            lines.append(f"  {key:<8} {p.code}: {p.message}")
    return "\n".join(lines)


# --- summary documents ---------------------------------------------------------------------

_MARK = {"grounded": "✓ grounded", "weak": "~ weak (fuzzy evidence)", "ungrounded": "✗ ungrounded"}


def _status(doc: SummaryDocument, key: str) -> str:
    item = doc.grounding.items.get(key)
    return _MARK[item.status] if item else "?"


def _problems(doc: SummaryDocument, key: str, indent: str) -> list[str]:
    item = doc.grounding.items.get(key)
    return [f"{indent}- ✗ `{p.code}`: {p.message}" for p in (item.problems if item else [])]


def _figures_and_problems(doc: SummaryDocument, item: Event | Claim) -> list[str]:
    """The lines under an event or a claim: its figures, then its problems."""
    figures = "; ".join(_figure(f) for f in item.figures)
    return ([f"  - Figures: {figures}"] if figures else []) + _problems(doc, item.id, "  ")


def _figure(f: Figure) -> str:
    return f"{f.as_written} ({f.unit}{', approximate' if f.approximate else ''})"


def document_markdown(doc: SummaryDocument) -> str:
    """A brief for editors: every item with its grounding status and problems visible."""
    ex, art = doc.extraction, doc.article
    names = {a.id: a.name for a in ex.actors}
    bad = [k for k, r in doc.grounding.items.items() if r.problems]
    lines = [f"# {ex.headline}", ""]
    meta = " · ".join(v for v in (art.source, art.published, art.url) if v)
    if meta:
        lines += [f"*{meta}*", ""]
    lines += [ex.summary, ""]
    if bad:
        lines.append(f"**Grounding: {len(bad)} item(s) with problems, marked ✗ below.**")
    else:
        lines.append(
            f"**Grounding: all {len(doc.grounding.items)} items checked against the article.**"
        )
    lines += [*_problems(doc, "summary", ""), ""]
    if ex.events:
        lines += ["## Events", ""]
        for e in ex.events:
            when_where = " · ".join(v for v in (e.when, e.where) if v)
            context = e.type + (f" · {when_where}" if when_where else "")
            lines.append(f"- **{e.id}** {e.description} *({context})* — {_status(doc, e.id)}")
            if e.actor_ids:
                lines.append(f"  - Actors: {', '.join(names.get(a, a) for a in e.actor_ids)}")
            lines += _figures_and_problems(doc, e)
        lines.append("")
    if ex.actors:
        lines += [
            "## Actors",
            "",
            "| id | name | kind | role | grounding |",
            "|---|---|---|---|---|",
        ]
        for a in ex.actors:
            name = a.name + (f" ({', '.join(a.aliases)})" if a.aliases else "")
            lines.append(
                f"| {a.id} | {name} | {a.kind} | {a.description or ''} | {_status(doc, a.id)} |"
            )
        lines.append("")
        for a in ex.actors:
            lines += _problems(doc, a.id, f"{a.id} ")
    if ex.claims:
        lines += ["## Claims", ""]
        for c in ex.claims:
            who = names.get(c.speaker_id, c.speaker_id) if c.speaker_id else "the outlet"
            how = c.attribution.replace("_", " ")
            lines.append(f"- **{c.id}** {c.statement} — *{who}*, {how} — {_status(doc, c.id)}")
            if c.quote:
                lines.append(f"  > “{c.quote}”")
            lines += _figures_and_problems(doc, c)
        lines.append("")
    if doc.dropped:
        lines += ["## Removed for their problems", ""]
        for d in doc.dropped:
            codes = ", ".join(sorted({p.code for p in d.problems}))
            lines.append(f"- {d.key}: {_label(d.item)} ({codes})")
        lines.append("")
    p = doc.provenance
    lines.append(
        f"---\n*{p.model} · prompt {p.prompt_version} · {p.attempts} request(s) · "
        f"{p.usage.prompt_tokens} prompt + {p.usage.completion_tokens} completion tokens · "
        f"{p.created_at}*"
    )
    return "\n".join(lines) + "\n"


def _label(item: Actor | Event | Claim) -> str:
    if isinstance(item, Actor):
        return item.name
    return item.description if isinstance(item, Event) else item.statement


def document_text(doc: SummaryDocument) -> str:
    """The terminal view: plain lines, statuses and problems."""
    ex = doc.extraction
    lines = [ex.headline, "=" * min(len(ex.headline), 78), ex.summary, ""]
    for kind, items in (("EVENTS", ex.events), ("ACTORS", ex.actors), ("CLAIMS", ex.claims)):
        if not items:
            continue
        lines.append(kind)
        for item in items:
            lines.append(f"  {item.id:<5} {_status(doc, item.id):<14} {_label(item)}")
            lines += (
                [f"        {p.code}: {p.message}" for p in doc.grounding.items[item.id].problems]
                if item.id in doc.grounding.items
                else []
            )
        lines.append("")
    lines += [f"  summary {p.code}: {p.message}" for p in doc.grounding.items["summary"].problems]
    if doc.dropped:
        lines.append(f"REMOVED {len(doc.dropped)}: " + ", ".join(d.key for d in doc.dropped))
    ok = "ok" if doc.grounding.ok else "problems flagged"
    lines.append(f"grounding: {ok} · {doc.provenance.model} · {doc.provenance.attempts} request(s)")
    return "\n".join(lines) + "\n"
