"""The terminal views: a grounding report and a summary document as plain lines; every text
from the model or a server shown through `escape.terminal`."""

from __future__ import annotations

from summarizer.contract.keys import SUMMARY_KEY, keyed_items
from summarizer.contract.models import GroundingReport, SummaryDocument
from summarizer.reports.escape import terminal as tty
from summarizer.reports.items import excerpts, label, problems_of, status_mark

#: Widest underline of the headline.
MAX_RULE: int = 78


def report_text(report: GroundingReport, source: str) -> str:
    statuses = [r.status for r in report.items.values()]
    bad = {k: r for k, r in report.items.items() if r.problems}
    n_problems = sum(len(r.problems) for r in bad.values())
    head = (
        f"{tty(source)}: {'ok' if report.ok else f'{n_problems} problem(s) in {len(bad)} item(s)'}"
        f" — {statuses.count('grounded')} grounded, {statuses.count('weak')} weak,"
        f" {statuses.count('ungrounded')} ungrounded of {len(statuses)} items"
    )
    lines = [head]
    for key, item in report.items.items():
        if item.status == "weak":
            lines.append(f"  {tty(key):<8} weak: evidence found only by a fuzzy match")
        for p in item.problems:
            lines.append(f"  {tty(key):<8} {p.code}: {tty(p.message)}")
    return "\n".join(lines)


def document_text(doc: SummaryDocument) -> str:
    """The terminal view: plain lines, statuses and problems."""
    ex = doc.extraction
    headline = tty(ex.headline)
    lines = [headline, "=" * min(len(headline), MAX_RULE), tty(ex.summary), ""]
    keyed = keyed_items(ex)
    for kind, prefix in (("EVENTS", "E"), ("ACTORS", "A"), ("CLAIMS", "C")):
        items = [(k, i) for k, i in keyed if i.id.startswith(prefix)]
        if not items:
            continue
        lines.append(kind)
        for key, item in items:
            lines.append(f"  {tty(key):<5} {status_mark(doc, key):<14} {tty(label(item))}")
            lines += [
                f"        “{tty(text)}”" + ("" if found else "  ✗ not found")
                for text, found in excerpts(doc, key, item)
            ]
            lines += [f"        {p.code}: {tty(p.message)}" for p in problems_of(doc, key)]
        lines.append("")
    lines += [f"  summary {p.code}: {tty(p.message)}" for p in problems_of(doc, SUMMARY_KEY)]
    if doc.dropped:
        keys = ", ".join(tty(d.key) for d in doc.dropped)
        lines.append(f"REMOVED {len(doc.dropped)}: {keys}")
    ok = "ok" if doc.grounding.ok else "problems flagged"
    model, attempts = tty(doc.provenance.model), doc.provenance.attempts
    lines.append(f"grounding: {ok} · {model} · {attempts} request(s)")
    return "\n".join(lines) + "\n"
