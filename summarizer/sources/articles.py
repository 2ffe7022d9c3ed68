"""Articles from what the user names: text files, `.json` objects with `text` and
metadata, HTML pages (the article's text extracted by trafilatura, made for news pages),
JSON Lines files (one article per line), directories of these, or stdin.

`iter_articles` never raises for one bad article: it yields the error in its place, so a
batch records it and goes on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from summarizer.contract.article import ArticleInput
from summarizer.contract.errors import InputError
from summarizer.sources.reading import decode, name, read_bytes, read_decoded

#: Metadata fields a JSON article may carry beside `text`.
META_FIELDS = ("id", "title", "source", "url", "published")
#: Files a directory contributes, by suffix.
ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".text", ".json", ".jsonl", ".html", ".htm"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
#: Longest article id used as a file name (a hash suffix keeps longer ones distinct).
MAX_ID_CHARS: int = 80

_HTML_START_RE = re.compile(r"\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>])", re.IGNORECASE)


@dataclass
class Loaded:
    """One article read, or why it could not be: either `article` or `error` is set."""

    source: str
    article: ArticleInput | None = None
    error: str | None = None
    notices: list[str] = field(default_factory=list)
    #: The article's id when it could not be read but its input named one.
    id: str | None = None


def safe_id(raw: str) -> str:
    """An id safe as a file name in OUTDIR: letters, digits, '.', '_', '-'; no leading dot;
    at most MAX_ID_CHARS. An id that had to change gets a hash of the original, so that two
    different ids never become one ("../../etc/x" -> "etc-x-1a2b3c4d")."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip(".-")
    if cleaned == raw and len(raw) <= MAX_ID_CHARS:
        return raw
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned[: MAX_ID_CHARS - 9].rstrip('.-') or 'article'}-{digest}"


def from_json(data: object, where: str) -> ArticleInput:
    if not isinstance(data, dict):
        raise InputError(f'{where}: a JSON article is an object with a "text" field')
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError(f'{where}: a JSON article needs a "text" field holding the article')
    meta: dict[str, str | None] = {}
    for key in META_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str | int):
            raise InputError(f'{where}: field "{key}" must be a string')
        meta[key] = None if value is None else str(value)
    return checked(ArticleInput(text=text, **meta), where)


def from_html(html: str, where: str) -> ArticleInput:
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False
    )
    text = (getattr(doc, "text", None) or "").strip()
    if not text:
        raise InputError(f"{where}: no article text found in this HTML page")
    title = getattr(doc, "title", None)
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1 :]  # the headline, kept as the title
    return checked(
        ArticleInput(text=text, title=title, source=getattr(doc, "sitename", None),
                     url=getattr(doc, "url", None), published=getattr(doc, "date", None)),
        where,
    )  # fmt: skip


def checked(article: ArticleInput, where: str) -> ArticleInput:
    if not article.text.strip():
        raise InputError(f"{where}: the article is empty; give it some text")
    return article


def load_article(path: str, encoding: str | None = None) -> tuple[ArticleInput, list[str]]:
    """The article in `path` ('-' for stdin), and notices about how it was read."""
    decoded = read_decoded(path, encoding)
    where, text = name(path), decoded.text
    suffix = Path(path).suffix.lower()
    if suffix == ".json" or (path == "-" and text.lstrip().startswith("{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{where}: not JSON: {e.msg} at line {e.lineno}") from None
        article = from_json(data, where)
    elif suffix in HTML_SUFFIXES or _HTML_START_RE.match(text):
        article = from_html(text, where)
        decoded.notices.append(f"{where}: HTML; the article's text was extracted")
    else:
        article = checked(ArticleInput(text=text), where)
    if article.id is None and path != "-":
        article = replace(article, id=Path(path).stem)
    if article.id is not None:
        article = replace(article, id=safe_id(article.id))
    return article, decoded.notices


def expand(inputs: list[str]) -> list[str]:
    """The files named, with each directory replaced by its article files, sorted."""
    out: list[str] = []
    for path in inputs:
        p = Path(path)
        if path != "-" and p.is_dir():
            out += [
                str(f) for f in sorted(p.iterdir())
                if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES
                and not f.name.startswith(".") and f.name != "errors.jsonl"
            ]  # fmt: skip
        else:
            out.append(path)
    return out


def count_articles(files: list[str]) -> int:
    """How many articles `iter_articles` will yield (JSON Lines files count their lines)."""
    total = 0
    for path in files:
        if path.endswith(".jsonl") and Path(path).is_file():
            with open(path, "rb") as f:
                total += sum(1 for line in f if line.strip())
        else:
            total += 1
    return total


def iter_articles(files: list[str], encoding: str | None = None) -> Iterator[Loaded]:
    """Every article of `files` in order, streaming JSON Lines files line by line."""
    for path in files:
        if path.endswith(".jsonl"):
            yield from _jsonl(path)
            continue
        named = safe_id(Path(path).stem) if path != "-" else None
        try:
            article, notices = load_article(path, encoding)
        except InputError as e:
            yield Loaded(source=name(path), error=str(e), id=named)
        except Exception as e:  # a bug (or a broken install) costs this article only
            error = f"internal error: {type(e).__name__}: {e}"
            yield Loaded(source=name(path), error=error, id=named)
        else:
            yield Loaded(source=name(path), article=article, notices=notices)


def _jsonl(path: str) -> Iterator[Loaded]:
    stem = Path(path).stem
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below; lines are streamed
    except OSError:
        try:
            read_bytes(path)  # the one-line error for this file
        except InputError as e:
            yield Loaded(source=path, error=str(e))
        return
    with f:
        for number, raw in enumerate(f, start=1):
            if raw.strip():
                yield _jsonl_line(raw, f"{path}:{number}", f"{stem}-{number}")


def _jsonl_line(raw: bytes, where: str, default_id: str) -> Loaded:
    data: object = None
    try:
        data = json.loads(decode(raw, where).text)
        article = from_json(data, where)
    except json.JSONDecodeError as e:
        return Loaded(source=where, error=f"{where}: not JSON: {e.msg}")
    except InputError as e:
        named = data.get("id") if isinstance(data, dict) else None
        given = safe_id(str(named)) if isinstance(named, str | int) and str(named) else None
        return Loaded(source=where, error=str(e), id=given)
    return Loaded(source=where, article=replace(article, id=safe_id(article.id or default_id)))
