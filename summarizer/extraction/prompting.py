"""The messages sent to the model: the article fenced as data, and the repair request.

The templates live in `prompts/` (installed as `summarizer.prompts`); `PROMPT_VERSION` is a
hash of them, recorded in every document's provenance, so a change of wording is visible.
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from importlib import resources

from summarizer.contract.limits import MAX_ECHOED_ANSWER_CHARS
from summarizer.contract.models import Extraction, GroundingReport

TEMPLATES = ("system.md", "user.md", "repair.md", "invalid.md")
#: Marks that fence the article; an article that contains them has them defused.
FENCE_OPEN, FENCE_CLOSE = "<<<ARTICLE", "ARTICLE>>>"

Message = dict[str, str]


@cache
def template(name: str) -> str:
    return resources.files("summarizer.prompts").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def prompt_version() -> str:
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(name.encode() + b"\0" + template(name).encode() + b"\0")
    return f"v1-{digest.hexdigest()[:12]}"


def _defuse(text: str) -> str:
    """Keep the article from closing its own fence."""
    return text.replace(FENCE_CLOSE, "ARTICLE >>>").replace(FENCE_OPEN, "<<< ARTICLE")


def first_messages(
    text: str,
    *,
    title: str | None = None,
    source: str | None = None,
    published: str | None = None,
    part: tuple[int, int] | None = None,
) -> list[Message]:
    """The first request; `part` = (i, n) when a long article is sent in n parts."""
    meta = [f"{k}: {_defuse(v)}" for k, v in
            (("Title", title), ("Source", source), ("Published", published)) if v]  # fmt: skip
    if part:
        meta.append(f"Part: {part[0]} of {part[1]} of a long article, sent in overlapping parts")
    user = template("user.md").format(
        metadata="\n".join(meta) + ("\n" if meta else ""), article=_defuse(text)
    )
    return [
        {"role": "system", "content": template("system.md")},
        {"role": "user", "content": user},
    ]


def repair_messages(
    first: list[Message], previous: Extraction, report: GroundingReport
) -> list[Message]:
    """The first conversation, the model's answer, and its problems item by item."""
    lines = [
        f"- {key}: {problem.code}: {problem.message}"
        for key, item in report.items.items()
        for problem in item.problems
    ]
    return [
        *first,
        {"role": "assistant", "content": previous.model_dump_json()},
        {"role": "user", "content": template("repair.md").format(problems="\n".join(lines))},
    ]


def invalid_answer_messages(first: list[Message], content: str, problem: str) -> list[Message]:
    """The first conversation, the answer that did not fit the schema (cut to
    `MAX_ECHOED_ANSWER_CHARS`: a huge answer is not paid for twice), and why."""
    if len(content) > MAX_ECHOED_ANSWER_CHARS:
        cut = len(content) - MAX_ECHOED_ANSWER_CHARS
        content = f"{content[:MAX_ECHOED_ANSWER_CHARS]}\n[... {cut:,} more characters cut]"
    return [
        *first,
        {"role": "assistant", "content": content},
        {"role": "user", "content": template("invalid.md").format(problem=problem)},
    ]
