"""`summarizer render`: a saved summary document as a brief, a terminal view or an HTML
page again, without any model call."""

from __future__ import annotations

from pathlib import Path

import click

from summarizer.cli.emit import default_format, emit
from summarizer.cli.help import EXIT_CODES_HELP
from summarizer.contract.errors import InputError

#: Where an article is looked for when --article does not name it: files named as the
#: document's article id, beside the document and in the current directory.
ARTICLE_SUFFIXES = (".txt", ".md", ".text", ".html", ".htm", ".json")


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("document", metavar="DOC.json")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown", "text"]), default=None,
              help="Default: from -o's suffix, else text on a terminal and markdown when "
              "piped.")  # fmt: skip
@click.option("-o", "--output", metavar="FILE", help="Write to FILE, not stdout.")
@click.option("--article", metavar="FILE", help="The article's text, for the HTML page. "
              "Default: a file named as the article's id beside DOC.json, or here.")  # fmt: skip
def render(document: str, fmt: str | None, output: str | None, article: str | None) -> None:
    """Render a saved summary document (DOC.json, or '-') again: a Markdown brief, the
    terminal view, or the HTML page with the article's evidence highlighted.

    The HTML page needs the article's text: --article FILE, or a file named as the
    document's article id beside it. A text whose sha256 is not the document's is refused.

    \b
    Examples:
      summarizer render results/a001.json --format markdown -o a001.md
      summarizer render summary.json --article article.txt -o summary.html
    """
    from pydantic import ValidationError

    from summarizer.contract.errors import describe_validation_error
    from summarizer.contract.models import SummaryDocument
    from summarizer.sources.reading import name, read_text

    try:
        doc = SummaryDocument.model_validate_json(read_text(document))
    except ValidationError as e:
        raise InputError(describe_validation_error(e, name(document))) from None
    fmt = fmt or default_format(output, piped="markdown")
    text = _article_text(doc, document, article) if fmt == "html" else None
    emit(doc, fmt, output, text)


def _article_text(doc: object, document: str, article: str | None) -> str:
    """The article of `doc`, checked by its sha256."""
    from summarizer.contract.article import sha256
    from summarizer.sources.articles import load_article

    expected = doc.article.sha256  # type: ignore[attr-defined]
    if article:
        text = load_article(article)[0].text
        if sha256(text) != expected:
            raise InputError(
                f"--article {article}: not the document's article (its sha256 differs:"
                " another text, or another version of it)"
            )
        return text
    article_id = doc.article.id  # type: ignore[attr-defined]
    places = [Path(document).parent, Path.cwd()] if document != "-" else [Path.cwd()]
    for place in places:
        for suffix in ARTICLE_SUFFIXES:
            candidate = place / f"{article_id}{suffix}"
            if not candidate.is_file() or candidate.resolve() == Path(document).resolve():
                continue
            try:
                text = load_article(str(candidate))[0].text
            except InputError:
                continue  # not an article: not this one
            if sha256(text) == expected:
                return text
    raise InputError(
        "the HTML page needs the document's article: give it with --article FILE (no file"
        f" named {article_id}.* beside the document or here holds that text)"
    )
