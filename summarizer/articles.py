"""Reading articles: a text file, a `.json` object with `text` and metadata, or stdin."""

from __future__ import annotations

import json
import re
from pathlib import Path

from summarizer.errors import InputError
from summarizer.pipeline import ArticleInput
from summarizer.reading import name, read_text

#: Metadata fields a `.json` article may carry beside `text`.
META_FIELDS = ("id", "title", "source", "url", "published")


def from_json(data: object, where: str) -> ArticleInput:
    if not isinstance(data, dict):
        raise InputError(f'{where}: a JSON article is an object with a "text" field')
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError(f'{where}: a JSON article needs a "text" field holding the article')
    meta = {}
    for field in META_FIELDS:
        value = data.get(field)
        if value is not None and not isinstance(value, str | int):
            raise InputError(f'{where}: field "{field}" must be a string')
        meta[field] = None if value is None else str(value)
    return checked(ArticleInput(text=text, **meta), where)


def checked(article: ArticleInput, where: str) -> ArticleInput:
    if not article.text.strip():
        raise InputError(f"{where}: the article is empty; give it some text")
    return article


def load_article(path: str) -> ArticleInput:
    """The article in `path` ('-' for stdin): JSON when it is a `.json` file, or stdin that
    holds a JSON object; plain text otherwise. Its id is the file's name unless given."""
    text = read_text(path)
    where = name(path)
    looks_json = path.endswith(".json") or (path == "-" and text.lstrip().startswith("{"))
    if looks_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{where}: not JSON: {e.msg} at line {e.lineno}") from None
        article = from_json(data, where)
    else:
        article = checked(ArticleInput(text=text), where)
    if article.id is None and path != "-":
        article = ArticleInput(**{**article.__dict__, "id": safe_id(Path(path).stem)})
    return article


#: Longest article id used as a file name.
MAX_ID_CHARS: int = 80


def safe_id(raw: str) -> str:
    """An id that is safe as a file name: no path separators, no dots at the start."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip(".-")[:MAX_ID_CHARS].strip(".-")
    return cleaned or "article"
