"""Writing a summary document in the format asked for, to a file (atomically) or stdout."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from summarizer.contract.errors import InputError

if TYPE_CHECKING:
    from summarizer.contract.models import SummaryDocument

FORMATS = ("json", "markdown", "text", "html")
_BY_SUFFIX = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html",
              ".htm": "html", ".json": "json"}  # fmt: skip


def default_format(output: str | None, *, piped: str) -> str:
    """The format -o's suffix names; else the text view on a terminal, `piped` elsewhere."""
    suffix = Path(output).suffix.lower() if output else ""
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    return "text" if output is None and sys.stdout.isatty() else piped


def emit(document: SummaryDocument, fmt: str, output: str | None, text: str | None) -> None:
    """Write `document` as `fmt` to `output`, or to stdout; `text` is the article, which the
    HTML page shows."""
    write_out(render(document, fmt, text), output)


def write_out(page: str, output: str | Path | None) -> None:
    """`page` to the file `output` (atomically: a failed write leaves no half file), or to
    stdout."""
    from summarizer.runs.files import write_atomic

    if not output:
        click.echo(page, nl=False)
        return
    try:
        write_atomic(Path(output), page)
    except OSError as e:
        raise InputError(
            f"-o {output}: cannot write ({e.strerror}); the result was not saved:"
            " choose a writable place"
        ) from None


def render(document: SummaryDocument, fmt: str, text: str | None) -> str:
    if fmt == "markdown":
        from summarizer.reports.markdown import document_markdown

        return document_markdown(document)
    if fmt == "text":
        from summarizer.reports.text import document_text

        return document_text(document)
    if fmt == "html":
        from summarizer.reports.html import document_html

        if text is None:
            raise InputError("the HTML page needs the article's text: give it with --article")
        return document_html(document, text)
    return document.model_dump_json(indent=2) + "\n"
