"""The article as every layer takes it: its text and what is known of it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from summarizer.contract.models import ArticleMeta


def sha256(text: str) -> str:
    """The hex digest of the text's UTF-8 bytes: the document's `article.sha256`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ArticleInput:
    """One article to summarise: its text, and metadata that is sent to the model with it
    (title, source, published) or only kept in the document (id, url)."""

    text: str
    id: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None

    def meta(self) -> ArticleMeta:
        """The document's `article` block; the id defaults to the text's hash."""
        digest = sha256(self.text)
        return ArticleMeta(
            id=self.id or digest[:16], title=self.title, source=self.source, url=self.url,
            published=self.published, sha256=digest, chars=len(self.text),
        )  # fmt: skip
