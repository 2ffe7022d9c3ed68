"""Reading the model's answer: JSON that must fit the extraction schema, checked again here
(fastjsonschema, then pydantic), since local servers enforce a schema only partly. An answer
that does not fit is an `InvalidAnswer`, which the steps may ask about once more."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from summarizer.contract.errors import ServiceError
from summarizer.contract.limits import MAX_ANSWER_CHARS, MAX_DEPTH
from summarizer.contract.models import Extraction
from summarizer.contract.schemas import extraction_schema

#: Characters of a schema-checker message kept in an error.
MAX_SCHEMA_MESSAGE_CHARS: int = 200
#: Digits of an integer in an answer (a figure of 10^20 is no count of anything reported).
MAX_INT_DIGITS: int = 20
#: An escaped UTF-16 surrogate in JSON text: the only way a lone one can come in.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass
class Answer:
    """A usable answer: the extraction, and the JSON it was read from."""

    extraction: Extraction
    content: str


class InvalidAnswer(ServiceError):
    """The model answered, but not with JSON that fits the schema: worth asking again."""

    def __init__(self, message: str, content: str):
        super().__init__(message)
        self.content = content


def parse_answer(content: str | None) -> Answer:
    """The extraction in the model's answer, or `InvalidAnswer` saying what is wrong: not
    JSON, JSON no extraction needs (`NaN`, `Infinity`, numbers too large to be finite,
    duplicate keys, nesting deeper than `MAX_DEPTH`, lone surrogates), an answer over
    `MAX_ANSWER_CHARS`, or one that breaks the schema or the contract's limits."""
    content = content or ""
    if len(content) > MAX_ANSWER_CHARS:
        raise InvalidAnswer(
            f"the model's answer is {len(content):,} characters long; at most"
            f" {MAX_ANSWER_CHARS:,} are taken",
            content,
        )
    if not content.strip():
        raise InvalidAnswer("the model's answer is empty", content)
    data = _json(content)
    problem = schema_problem(data)
    if problem:
        raise InvalidAnswer(f"the model's answer breaks the schema: {problem}", content)
    try:
        extraction = Extraction.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidAnswer(
            f"the model's answer breaks the schema at {where}: {first['msg']}", content
        ) from None
    return Answer(extraction, content)


class _Refused(ValueError):
    """JSON that parses but that no extraction holds."""


def _json(content: str) -> Any:
    try:
        data = json.loads(content, parse_constant=_no_constant, parse_int=_bounded_int,
                          object_pairs_hook=_unique_keys)  # fmt: skip
    except json.JSONDecodeError as e:
        raise InvalidAnswer(
            f"the model's answer is not JSON ({e.msg} at character {e.pos})", content
        ) from None
    except RecursionError:
        raise InvalidAnswer(
            f"the model's answer is nested deeper than any extraction ({MAX_DEPTH} levels)",
            content,
        ) from None
    except ValueError as e:  # _Refused, and Python's own limit on an integer's digits
        raise InvalidAnswer(f"the model's answer is not usable JSON: {e}", content) from None
    if _depth(data) > MAX_DEPTH:
        raise InvalidAnswer(
            f"the model's answer is nested deeper than any extraction ({MAX_DEPTH} levels)",
            content,
        )
    if _SURROGATE_ESCAPE.search(content) and _has_lone_surrogate(data):
        raise InvalidAnswer("the model's answer holds a lone UTF-16 surrogate", content)
    return data


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a finite number")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"a number of {len(digits)} digits")
    return int(digits)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) < len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _Refused(f"the key {twice!r} appears twice in one object")
    return data


def _depth(data: Any) -> int:
    """How deep objects and arrays nest (without recursion: any depth is safe)."""
    deepest, frontier = 0, [(data, 1)]
    while frontier:
        node, depth = frontier.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                values = node.values() if isinstance(node, dict) else node
                frontier += [(v, depth + 1) for v in values]
    return deepest


def _has_lone_surrogate(data: Any) -> bool:
    frontier = [data]
    while frontier:
        node = frontier.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(node, dict):
            frontier += [*node.keys(), *node.values()]
        elif isinstance(node, list):
            frontier += node
    return False


@lru_cache(maxsize=1)
def _schema_validator() -> Callable[[Any], Any]:
    """The extraction schema compiled to Python once (fastjsonschema: ~0.5 ms per answer,
    where the jsonschema package takes ~8 ms on a 50-item extraction)."""
    import fastjsonschema

    return fastjsonschema.compile(extraction_schema())


def schema_problem(data: Any) -> str | None:
    """The first place where `data` breaks the extraction schema, or None."""
    import fastjsonschema

    try:
        _schema_validator()(data)
    except fastjsonschema.JsonSchemaValueException as e:
        where = "/".join(str(p) for p in (e.path or [])[1:]) or "(top level)"
        message = e.message.removeprefix("data.").removeprefix("data ")
        return f"{where}: {message[:MAX_SCHEMA_MESSAGE_CHARS]}"
    return None
