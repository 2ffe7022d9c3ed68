"""A batch's HTML pages (`BatchOptions.pages`): `OUTDIR/<id>.html` beside each result, and
`OUTDIR/index.html`, a table of every article with its items' counts, failed ones too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from summarizer.contract.keys import SUMMARY_KEY
from summarizer.contract.models import SummaryDocument
from summarizer.reports.html import IndexRow, batch_index_html, document_html
from summarizer.runs.files import write_atomic
from summarizer.runs.outcomes import Outcome

INDEX_FILE = "index.html"


def write_page(document: SummaryDocument, text: str, result: Path) -> None:
    """The page of a result, beside it (`<id>.html` for `<id>.json`)."""
    write_atomic(result.with_suffix(".html"), document_html(document, text), fsync=False)


def item_counts(data: dict[str, Any]) -> dict[str, int]:
    """How many items of a document (as JSON) are grounded, weak and flagged."""
    statuses = [r["status"] for k, r in data["grounding"]["items"].items() if k != SUMMARY_KEY]
    return {"grounded": statuses.count("grounded"), "weak": statuses.count("weak"),
            "flagged": statuses.count("ungrounded")}  # fmt: skip


def write_index(outdir: Path, outcomes: list[Outcome]) -> None:
    """index.html of the batch, from its outcomes and the results on disk."""
    rows = []
    for o in outcomes:
        row = IndexRow(o.id or o.source, o.source, o.status, error=o.error)
        result = outdir / f"{o.id}.json"
        if o.id and o.status != "failed" and result.exists():
            try:
                row.__dict__.update(item_counts(json.loads(result.read_text(encoding="utf-8"))))
                row.counted = True
            except (OSError, ValueError, KeyError, TypeError):
                pass  # counted as unknown: the page link still says where it is
            if result.with_suffix(".html").exists():
                row.page = f"{o.id}.html"
        rows.append(row)
    write_atomic(outdir / INDEX_FILE, batch_index_html(rows), fsync=False)
