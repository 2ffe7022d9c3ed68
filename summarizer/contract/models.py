"""Contract v1 as pydantic models: the single source of the JSON Schema files in `schemas/`.

The extraction models are sent to the model as an OpenAI Structured Outputs schema with
`"strict": true`, so they obey strict mode: every object forbids extra keys, every field is
required (optional means "union with null"), and no field has a default.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

SCHEMA_VERSION: Literal["1"] = "1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


ActorKind = Literal[
    "person",
    "organization",
    "armed_group",
    "government",
    "military",
    "state",
    "international_body",
    "media",
    "other",
]

EventType = Literal[
    "armed_clash",
    "air_strike",
    "shelling",
    "attack",
    "territorial_change",
    "violence_against_civilians",
    "protest",
    "arrest",
    "agreement",
    "diplomacy",
    "statement",
    "humanitarian",
    "political",
    "economic",
    "legal",
    "disaster",
    "other",
]

Attribution = Literal["direct_quote", "indirect", "according_to", "unattributed"]

Evidence = Annotated[
    list[str],
    Field(
        min_length=1,
        description="Verbatim excerpts of the article, copied character for character.",
    ),
]


def _compact_number(value: float) -> int | float:
    """Write 182 rather than 182.0: editors' tools compare figures as written."""
    return int(value) if value.is_integer() else value


class Figure(_Strict):
    value: Annotated[float, PlainSerializer(_compact_number)] = Field(
        description='The quantity: 182; 200 for "around 200"; 500000 for "500.000".'
    )
    approximate: bool = Field(
        description='True for "around", "more than", "at least", "nearly", "dozens"...'
    )
    unit: str = Field(description='What is counted or measured ("people killed", "km").')
    as_written: str = Field(
        description='The words of the article that state it ("around 200", "six miles").'
    )


class Actor(_Strict):
    id: str = Field(pattern=r"^A[0-9]+$")
    name: str = Field(description="Fullest name as written in the article.")
    aliases: list[str] = Field(
        description='Other forms this article uses for the same actor ("HTS", "the monitor").'
    )
    kind: ActorKind
    description: str | None = Field(description="Role as the article states it.")
    affiliation_id: str | None = Field(
        description="Id of another actor this one belongs to (a spokesman's ministry)."
    )
    evidence: Evidence


class Event(_Strict):
    id: str = Field(pattern=r"^E[0-9]+$")
    type: EventType
    description: str = Field(description="One sentence.")
    when: str | None = Field(description='As reported ("on Thursday", "in 2015").')
    where: str | None = Field(description="As reported.")
    actor_ids: list[str] = Field(description="Ids of the actors taking part.")
    figures: list[Figure]
    evidence: Evidence


class Claim(_Strict):
    id: str = Field(pattern=r"^C[0-9]+$")
    statement: str = Field(description="Neutral paraphrase of what is claimed.")
    speaker_id: str | None = Field(
        description="Actor who makes the claim; null when the outlet itself asserts it."
    )
    attribution: Attribution
    quote: str | None = Field(
        description="The words inside quotation marks, when attribution is direct_quote."
    )
    figures: list[Figure]
    evidence: Evidence


class Extraction(_Strict):
    """What the model must return."""

    headline: str = Field(description="One line, at most about 15 words, neutral.")
    summary: str = Field(
        description="2-4 sentences, neutral, nothing that the article does not say."
    )
    actors: list[Actor]
    events: list[Event]
    claims: list[Claim]


# --- Grounding report: what `validate` returns -------------------------------------------

ProblemCode = Literal[
    "evidence_not_found",
    "number_not_supported",
    "quote_not_verbatim",
    "speaker_not_supported",
    "actor_not_in_source",
    "entity_not_in_source",
    "dangling_reference",
    "duplicate_id",
]

PROBLEM_CODES: tuple[str, ...] = ProblemCode.__args__  # type: ignore[attr-defined]

Status = Literal["grounded", "weak", "ungrounded"]


class Problem(_Strict):
    code: ProblemCode
    message: str


Span = Annotated[
    list[int],
    Field(
        max_length=2,
        description="[start, end) character offsets of one evidence excerpt; [] where not found.",
    ),
]


class ItemReport(_Strict):
    status: Status
    spans: list[Span] = Field(description="One entry per evidence excerpt, in order.")
    problems: list[Problem]

    @field_validator("spans")
    @classmethod
    def _span_shape(cls, spans: list[list[int]]) -> list[list[int]]:
        for span in spans:
            if len(span) not in (0, 2) or (span and not 0 <= span[0] <= span[1]):
                raise ValueError(f"a span is [start, end] with start <= end, or []: {span}")
        return spans


class GroundingReport(_Strict):
    ok: bool = Field(description="True when no item has a problem.")
    items: dict[str, ItemReport] = Field(
        description='One entry for every actor, event and claim, and one for "summary".'
    )


# --- Summary document: what the tool writes ----------------------------------------------


class ArticleMeta(_Strict):
    id: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    chars: int = Field(ge=0)


class Usage(_Strict):
    prompt_tokens: int = Field(ge=0)
    completion_tokens: int = Field(ge=0)


class Provenance(_Strict):
    model: str
    prompt_version: str
    schema_version: Literal["1"]
    created_at: str = Field(description="ISO 8601 time, UTC.")
    attempts: int = Field(ge=0, description="Model calls made for this article.")
    usage: Usage


class DroppedItem(_Strict):
    """An item removed by `--on-problems drop`, kept here with the problems that removed it."""

    key: str = Field(description="Its key in the grounding report before it was removed.")
    item: Actor | Event | Claim
    problems: list[Problem]


class SummaryDocument(_Strict):
    schema_version: Literal["1"]
    article: ArticleMeta
    extraction: Extraction
    grounding: GroundingReport
    provenance: Provenance
    dropped: list[DroppedItem] = Field(
        description="Items removed for their problems (only with --on-problems drop)."
    )
