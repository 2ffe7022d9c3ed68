"""Contract story v1 as pydantic models: the single source of
`schemas/story-document.schema.json`. Several outlets' summary documents of one event lined
up: which actors, events and claims are the same, which only one outlet has, and where
their figures agree or conflict (docs/contract-story-v1.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from summarizer.contract.limits import MAX_ITEMS
from summarizer.contract.models import ActorKind, ArticleMeta, EventType

STORY_SCHEMA_VERSION: Literal["story-1"] = "story-1"

Basis = Literal[
    "same_name", "spelling_variant", "acronym", "alias", "surname", "same_speaker",
    "same_quote", "shared_actors", "same_time", "same_place", "same_figures", "similar_text",
    "model_judgement",
]  # fmt: skip
Qualifier = Literal["exact", "about", "at_least", "more_than", "at_most", "less_than"]
Verdict = Literal["agree", "compatible", "conflict"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleRef(ArticleMeta):
    """A report's `article` object; its id is unique within the story (a repeated id gets a
    suffix, as batch output names do)."""

    @property
    def outlet(self) -> str:
        """How briefs, pages and the model name the report: its source, else its id."""
        return self.source or self.id


class Mention(_Strict):
    """Where a story item stands in one report."""

    article: str = Field(description="The ArticleRef id of the report.")
    item: str = Field(description='The item\'s report key ("C4"; "C4#2" for a repeated id).')
    spans: list[list[int]] = Field(
        description="The item's evidence spans in that report's article ([] where not found)."
    )


class Link(_Strict):
    """Why two mentions of a story item are the same item."""

    a: int = Field(ge=0, description="Index of a mention in `mentions`.")
    b: int = Field(ge=0, description="Index of another mention in `mentions`.")
    basis: list[Basis] = Field(min_length=1, description="What they share.")
    score: float = Field(ge=0, le=1, description="How strongly, from 0 to 1.")


class StoryActor(_Strict):
    """One actor across the reports."""

    id: str = Field(pattern=r"^SA[0-9]+$", description='"SA1", "SA2"...')
    name: str = Field(description="The fullest name among its mentions.")
    forms: list[str] = Field(description="Every distinct name and alias its mentions use.")
    kind: ActorKind = Field(description="The mentions' kind (the most specific if they differ).")
    mentions: list[Mention] = Field(min_length=1, description="At most one per article.")
    links: list[Link] = Field(description="Why the mentions are one actor.")


class StoryEvent(_Strict):
    """One event across the reports."""

    id: str = Field(pattern=r"^SE[0-9]+$", description='"SE1", "SE2"...')
    type: EventType = Field(description="The mentions' type (the most frequent).")
    mentions: list[Mention] = Field(min_length=1, description="At most one per article.")
    actor_ids: list[str] = Field(description="StoryActor ids of the actors taking part.")
    links: list[Link] = Field(description="Why the mentions are one event.")


class StoryClaim(_Strict):
    """One claim across the reports."""

    id: str = Field(pattern=r"^SC[0-9]+$", description='"SC1", "SC2"...')
    speaker_id: str | None = Field(description="StoryActor id of the speaker; null for none.")
    mentions: list[Mention] = Field(min_length=1, description="At most one per article.")
    quotes: Literal["same_words", "different_words"] | None = Field(
        description="Whether two or more direct quotes are word for word the same."
    )
    links: list[Link] = Field(description="Why the mentions are one claim.")


class FigureValue(_Strict):
    """One report's figure in a comparison."""

    article: str = Field(description="The ArticleRef id.")
    item: str = Field(description="The item's report key.")
    value: float = Field(allow_inf_nan=False, description="The figure's value.")
    approximate: bool = Field(description="The figure's `approximate`.")
    qualifier: Qualifier = Field(description='Read from as_written ("around 200" -> about).')
    as_written: str = Field(description="The article's words.")
    span: list[int] = Field(description="Where the item's evidence stands ([] if not found).")


class FigureComparison(_Strict):
    """The figures of one story event or claim that count the same thing."""

    id: str = Field(pattern=r"^SF[0-9]+$", description='"SF1", "SF2"...')
    about: str = Field(description="The StoryEvent or StoryClaim id.")
    unit: str = Field(description="What is counted, normalised.")
    values: list[FigureValue] = Field(min_length=2, description="From two reports or more.")
    verdict: Verdict = Field(description="agree, compatible or conflict (contract section 2).")


class StoryUsage(_Strict):
    """Tokens of the model call that proposed links, if any."""

    prompt_tokens: int = Field(ge=0, description="Tokens sent.")
    completion_tokens: int = Field(ge=0, description="Tokens of the answers.")


class StoryProvenance(_Strict):
    """How the story was made."""

    created_at: str = Field(description="ISO 8601 time, UTC.")
    method: Literal["lexical", "lexical+model"] = Field(description="How links were found.")
    model: str | None = Field(description="The model that proposed links, if one did.")
    prompt_version: str | None = Field(description="Its prompt's version, if a model was asked.")
    attempts: int = Field(ge=0, description="HTTP requests sent, retries included.")
    usage: StoryUsage = Field(description="Tokens of those requests.")
    rejected_links: int = Field(
        ge=0, description="Links a model proposed that broke the contract's rules (dropped)."
    )


class StoryDocument(_Strict):
    """What `compare` returns and `summarizer story` writes (contract story v1)."""

    schema_version: Literal["story-1"] = Field(description="The contract's version.")
    articles: list[ArticleRef] = Field(min_length=1, description="One per report, in order.")
    actors: list[StoryActor] = Field(description="Every actor of every report, once.")
    events: list[StoryEvent] = Field(description="Every event of every report, once.")
    claims: list[StoryClaim] = Field(description="Every claim of every report, once.")
    figures: list[FigureComparison] = Field(description="Figures compared across reports.")
    provenance: StoryProvenance = Field(description="How the story was made.")


# --- What a model may propose (`--link-with-model`) -----------------------------------------


class LinkProposal(_Strict):
    """Two story items a model says are one."""

    a: str = Field(pattern=r"^S[AEC][0-9]+$", description="A story item id.")
    b: str = Field(pattern=r"^S[AEC][0-9]+$", description="Another story item of that kind.")


class LinkAnswer(_Strict):
    """What the model must return when asked for links."""

    links: list[LinkProposal] = Field(
        max_length=MAX_ITEMS, description="The missing links; empty when none is missing."
    )
