"""The schema files are generated from the models, and the extraction schema is strict."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.lib._pydantic import to_strict_json_schema

from summarizer.contract.limits import MAX_ITEMS
from summarizer.contract.models import Extraction
from summarizer.contract.schemas import DEFAULT_DIR, SCHEMA_FILES, drifted, write

#: Keywords OpenAI strict mode rejects.
FORBIDDEN = ("default", "allOf", "not", "if", "then", "else", "oneOf", "patternProperties",
             "dependentRequired", "dependentSchemas")  # fmt: skip
MAX_OBJECT_DEPTH = 10


def strict_violations(schema: dict[str, Any]) -> list[str]:
    """Every place where `schema` breaks an OpenAI strict-mode rule."""
    defs = schema.get("$defs", {})
    out: list[str] = []
    if schema.get("type") != "object" or "anyOf" in schema:
        out.append("root: must be a plain object schema")

    def walk(node: Any, path: str, depth: int, refs: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/$defs/")
            if name not in defs:
                out.append(f"{path}: $ref to unknown {node['$ref']}")
            elif name not in refs:
                walk(defs[name], f"{path}->{name}", depth, (*refs, name))
            return
        for key in FORBIDDEN:
            if key in node:
                out.append(f"{path}: uses '{key}'")
        is_object = node.get("type") == "object" or "properties" in node
        if is_object:
            depth += 1
            if depth > MAX_OBJECT_DEPTH:
                out.append(f"{path}: nesting deeper than {MAX_OBJECT_DEPTH}")
            if node.get("additionalProperties") is not False:
                out.append(f"{path}: additionalProperties must be false")
            props = node.get("properties", {})
            if set(node.get("required", [])) != set(props):
                out.append(f"{path}: every property must be required")
            for name, sub in props.items():
                walk(sub, f"{path}.{name}", depth, refs)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                walk(node[key], f"{path}[{key}]", depth, refs)
        for i, sub in enumerate(node.get("anyOf", [])):
            walk(sub, f"{path}|{i}", depth, refs)

    walk(schema, "$", 0, ())
    return out


def extraction_file() -> dict[str, Any]:
    return json.loads((DEFAULT_DIR / "extraction.schema.json").read_text(encoding="utf-8"))


def test_schema_files_match_the_models():
    assert drifted() == [], "run: python -m summarizer.contract.schemas"


def test_drift_is_detected(tmp_path):
    write(tmp_path)
    assert drifted(tmp_path) == []
    path = tmp_path / "grounding-report.schema.json"
    data = json.loads(path.read_text())
    data["properties"]["ok"]["type"] = "string"
    path.write_text(json.dumps(data, indent=2) + "\n")
    (tmp_path / "extraction.schema.json").unlink()
    assert drifted(tmp_path) == ["extraction.schema.json", "grounding-report.schema.json"]


def test_every_contract_model_has_a_schema_file():
    assert {m.__name__ for m in SCHEMA_FILES.values()} == {
        "Extraction", "GroundingReport", "SummaryDocument", "StoryDocument", "LinkAnswer"
    }  # fmt: skip


def test_extraction_schema_obeys_strict_mode():
    assert strict_violations(extraction_file()) == []


def test_to_strict_json_schema_leaves_the_extraction_schema_unchanged():
    sent = extraction_file()
    for name in ("actors", "events", "claims"):  # the bound on items per answer, added
        assert sent["properties"][name].pop("maxItems") == MAX_ITEMS
    assert to_strict_json_schema(Extraction) == sent


def _nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        node = {"type": "object", "properties": {"x": node}, "required": ["x"],
                "additionalProperties": False}  # fmt: skip
    return node


def _obj(**extra: Any) -> dict[str, Any]:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"],
              "additionalProperties": False}  # fmt: skip
    schema.update(extra)
    return schema


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (_obj(additionalProperties=True), "additionalProperties must be false"),
        (_obj(required=[]), "every property must be required"),
        (_obj(properties={"a": {"type": "string", "default": "x"}}), "uses 'default'"),
        (_obj(properties={"a": {"allOf": [{"type": "string"}]}}), "uses 'allOf'"),
        (_obj(properties={"a": {"not": {"type": "null"}}}), "uses 'not'"),
        (_obj(properties={"a": {"if": {}, "then": {}}}), "uses 'if'"),
        (
            _obj(properties={"a": {"type": "object", "additionalProperties": {"type": "integer"}}}),
            "additionalProperties must be false",
        ),  # what dict[str, int] generates
        (_nested(11), "nesting deeper than 10"),
        ({"anyOf": [_obj()]}, "root: must be a plain object schema"),
    ],
)
def test_the_strict_walker_catches_what_strict_mode_rejects(schema, expected):
    assert any(expected in v for v in strict_violations(schema))


def test_the_walker_accepts_ten_levels():
    assert strict_violations(_nested(10)) == []
