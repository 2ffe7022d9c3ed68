"""The editor's HTML page of a summary document: one self-contained file (inline CSS and
script, no request to anywhere, works from `file://`), rendered by Jinja2 with
autoescaping, so that no text of the article, the model or a server is ever markup."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from summarizer.contract.models import SummaryDocument
from summarizer.reports.items import label
from summarizer.reports.page import SYMBOLS, anchor, page_view


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("summarizer.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(symbols=SYMBOLS, anchor=anchor, label=label)
    return env


def document_html(doc: SummaryDocument, text: str) -> str:
    """The page of `doc`, whose article is `text` (the caller checks its sha256)."""
    return environment().get_template("page.html.j2").render(doc=doc, view=page_view(doc, text))


@dataclass
class IndexRow:
    """One article of a batch's index: its outcome and, for a result, its items' counts."""

    name: str
    source: str
    status: str
    page: str | None = None
    error: str | None = None
    counted: bool = False
    grounded: int = 0
    weak: int = 0
    flagged: int = 0


def batch_index_html(rows: list[IndexRow]) -> str:
    """index.html of a batch: every article, failed ones included, linking to its page."""
    order = ("ok", "flagged", "dropped", "skipped", "failed")
    totals = [(s, n) for s in order if (n := sum(r.status == s for r in rows))]
    return environment().get_template("index.html.j2").render(rows=rows, totals=totals)
