"""Human-readable views of reports and documents (plain text; no terminal library)."""

from __future__ import annotations

from summarizer.models import GroundingReport


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
