"""Contract v1 as pydantic models: the single source of the JSON Schema files in `schemas/`.

The extraction models are sent to the model as an OpenAI Structured Outputs schema with
`"strict": true`, so they obey strict mode: every object forbids extra keys, every field is
required (optional means "union with null"), and no field has a default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from summarizer.contract.limits import (
    MAX_EVIDENCE,
    MAX_LIST,
    MAX_SHORT_CHARS,
    MAX_TEXT_CHARS,
)

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


def _at_most(limit: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"a text of {len(text)} characters; at most {limit} are allowed")
        return text

    return check


#: A sentence or an excerpt (limits in `contract.limits`; not in the schema: strict mode
#: does not take `maxLength`).
Text = Annotated[str, AfterValidator(_at_most(MAX_TEXT_CHARS))]
#: A name, a headline, a unit, a figure as written, a time or a place.
Short = Annotated[str, AfterValidator(_at_most(MAX_SHORT_CHARS))]

Evidence = Annotated[
    list[Text],
    Field(
        min_length=1,
        max_length=MAX_EVIDENCE,
        description="Verbatim excerpts of the article, copied character for character.",
    ),
]


def _compact_number(value: float) -> int | float:
    """Write 182 rather than 182.0: editors' tools compare figures as written."""
    return int(value) if value.is_integer() else value


class Figure(_Strict):
    """A number the article states, with the words that state it."""

    value: Annotated[float, PlainSerializer(_compact_number)] = Field(
        allow_inf_nan=False,
        description='The quantity: 182; 200 for "around 200"; 500000 for "500.000".'
    )
    approximate: bool = Field(
        description='True for "around", "more than", "at least", "nearly", "dozens"...'
    )
    unit: Short = Field(description='What is counted or measured ("people killed", "km").')
    as_written: Short = Field(
        description='The words of the article that state it ("around 200", "six miles").'
    )


class Actor(_Strict):
    """A person, group, body or state that the article names."""

    id: Short = Field(pattern=r"^A[0-9]+$", description='"A1", "A2"...: unique in the extraction.')
    name: Short = Field(description="Fullest name as written in the article.")
    aliases: list[Short] = Field(
        max_length=MAX_LIST,
        description='Other forms this article uses for the same actor ("HTS", "the monitor").'
    )
    kind: ActorKind = Field(description="What sort of actor this is.")
    description: Text | None = Field(description="Role as the article states it.")
    affiliation_id: Short | None = Field(
        description="Id of another actor this one belongs to (a spokesman's ministry)."
    )
    evidence: Evidence


class Event(_Strict):
    """Something that happened, as the article reports it."""

    id: Short = Field(pattern=r"^E[0-9]+$", description='"E1", "E2"...: unique in the extraction.')
    type: EventType = Field(description="What kind of event this is.")
    description: Text = Field(description="One sentence.")
    when: Short | None = Field(description='As reported ("on Thursday", "in 2015").')
    where: Short | None = Field(description="As reported.")
    actor_ids: list[Short] = Field(
        max_length=MAX_LIST, description="Ids of the actors taking part."
    )
    figures: list[Figure] = Field(
        max_length=MAX_LIST, description="The numbers the article gives for it."
    )
    evidence: Evidence


class Claim(_Strict):
    """Something someone asserts in the article (or the outlet itself)."""

    id: Short = Field(pattern=r"^C[0-9]+$", description='"C1", "C2"...: unique in the extraction.')
    statement: Text = Field(description="Neutral paraphrase of what is claimed.")
    speaker_id: Short | None = Field(
        description="Actor who makes the claim; null when the outlet itself asserts it."
    )
    attribution: Attribution = Field(description="How the article attributes the claim.")
    quote: Text | None = Field(
        description="The words inside quotation marks, when attribution is direct_quote."
    )
    figures: list[Figure] = Field(
        max_length=MAX_LIST, description="The numbers the claim states."
    )
    evidence: Evidence


class Extraction(_Strict):
    """What the model must return: the article's events, actors and claims, each with
    verbatim evidence, and a neutral headline and summary."""

    headline: Short = Field(description="One line, at most about 15 words, neutral.")
    summary: Text = Field(
        description="2-4 sentences, neutral, nothing that the article does not say."
    )
    actors: list[Actor] = Field(description="Everyone the events and claims name.")
    events: list[Event] = Field(description="What happened.")
    claims: list[Claim] = Field(description="What is asserted, and by whom.")


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
    """Why an item is not grounded: a code of the contract and a message for people."""

    code: ProblemCode = Field(description="What kind of problem (contract v1, section 3).")
    message: str = Field(description="One line that names what is wrong, for people.")


Span = Annotated[
    list[int],
    Field(
        max_length=2,
        description="[start, end) character offsets of one evidence excerpt; [] where not found.",
    ),
]


class ItemReport(_Strict):
    """The checks' verdict on one item: its status, where its evidence stands, its problems."""

    status: Status = Field(
        description="grounded: every excerpt found as written (case, spacing, quotes aside);"
        " weak: an excerpt found only by a fuzzy match; ungrounded: the item has a problem."
    )
    spans: list[Span] = Field(description="One entry per evidence excerpt, in order.")
    problems: list[Problem] = Field(description="Empty when the item is grounded or weak.")

    @field_validator("spans")
    @classmethod
    def _span_shape(cls, spans: list[list[int]]) -> list[list[int]]:
        for span in spans:
            if len(span) not in (0, 2) or (span and not 0 <= span[0] <= span[1]):
                raise ValueError(f"a span is [start, end] with start <= end, or []: {span}")
        return spans


class GroundingReport(_Strict):
    """What `validate` returns: a verdict for every item of an extraction."""

    ok: bool = Field(description="True when no item has a problem.")
    items: dict[str, ItemReport] = Field(
        description='One entry for every actor, event and claim, keyed by its id ("C4"; a'
        ' later item that reuses an id gets "C4#2"), and one for the headline and summary'
        ' ("summary").'
    )


# --- Summary document: what the tool writes ----------------------------------------------


class ArticleMeta(_Strict):
    """The article a document summarises: what is known of it, and its fingerprint."""

    id: str = Field(description="The file's name, the JSON article's id, or the text's hash.")
    title: str | None = Field(description="As given or found in the page.")
    source: str | None = Field(description="The outlet that published it.")
    url: str | None = Field(description="Where it was published.")
    published: str | None = Field(description="Publication date, as written.")
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="Of the text's UTF-8 bytes: spans index it."
    )
    chars: int = Field(ge=0, description="The text's length in characters (code points).")


class Usage(_Strict):
    """Tokens of every request for the article, as the server counted them."""

    prompt_tokens: int = Field(ge=0, description="Tokens sent.")
    completion_tokens: int = Field(ge=0, description="Tokens of the answers.")
    cached_tokens: int = Field(
        default=0, ge=0,
        description="Of the prompt tokens, those the server read from its prompt cache (a v1"
        " addition: 0 in documents written before it, and where a server does not say).",
    )  # fmt: skip


class Provenance(_Strict):
    """How the document was made: by which model and prompts, when, at what cost."""

    model: str = Field(description="The model that answered.")
    prompt_version: str = Field(description="A hash of the prompt templates.")
    schema_version: Literal["1"] = Field(description="The contract's version.")
    created_at: str = Field(description="ISO 8601 time, UTC.")
    attempts: int = Field(
        ge=0,
        description="HTTP requests sent for this article, retries included: each model call"
        " (the first, and each repair) counts every request it took.",
    )
    usage: Usage = Field(description="Tokens of all those requests.")
    estimated_cost_usd: float | None = Field(
        default=None, ge=0, allow_inf_nan=False,
        description="What those tokens cost, estimated in US dollars from the genai-prices"
        " table (cached input and the Batch API's discount applied); null where the model's"
        " price is unknown (a local model). A v1 addition.",
    )  # fmt: skip


class DroppedItem(_Strict):
    """An item removed by `--on-problems drop`, kept here with the problems that removed it."""

    key: str = Field(description="Its key in the grounding report before it was removed.")
    item: Actor | Event | Claim = Field(description="The item as the model gave it.")
    problems: list[Problem] = Field(description="The problems that removed it.")


class SummaryDocument(_Strict):
    """What `summarize` returns and `summarizer summary` writes (contract summary v1)."""

    schema_version: Literal["1"] = Field(description="The contract's version.")
    article: ArticleMeta = Field(description="The article summarised.")
    extraction: Extraction = Field(description="What the model extracted (after drop).")
    grounding: GroundingReport = Field(description="The checks' verdict on the extraction.")
    provenance: Provenance = Field(description="How the document was made.")
    dropped: list[DroppedItem] = Field(
        description="Items removed for their problems (only with --on-problems drop)."
    )
