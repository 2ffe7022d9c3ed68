"""The JSON Schema files in `schemas/`, generated from the pydantic models.

    python -m summarizer.contract.schemas            # write schemas/*.json
    python -m summarizer.contract.schemas --check    # exit 1 if the files drift from the models

`extraction.schema.json` is exactly what is sent to the model as the strict Structured
Outputs schema. All files are JSON Schema draft 2020-12, as pydantic writes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.contract.limits import MAX_ITEMS
from summarizer.contract.models import Extraction, GroundingReport, SummaryDocument
from summarizer.contract.story import LinkAnswer, StoryDocument

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "extraction.schema.json": Extraction,
    "grounding-report.schema.json": GroundingReport,
    "summary-document.schema.json": SummaryDocument,
    "story-document.schema.json": StoryDocument,
    "story-links.schema.json": LinkAnswer,
}
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "schemas"


@lru_cache(maxsize=1)
def extraction_schema() -> dict[str, Any]:
    """The strict schema sent to the model (generated once; treat it as read-only): the
    model's, with the bound on items per answer (`MAX_ITEMS`). A document merged from the
    parts of a long article may hold more, so the documents' schema does not carry it."""
    schema = Extraction.model_json_schema()
    for name in ("actors", "events", "claims"):
        schema["properties"][name]["maxItems"] = MAX_ITEMS
    return schema


def render(model: type[BaseModel]) -> str:
    schema = extraction_schema() if model is Extraction else model.model_json_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def drifted(directory: Path = DEFAULT_DIR) -> list[str]:
    """Names of the schema files that are missing or differ from the models."""
    out = []
    for name, model in SCHEMA_FILES.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != render(model):
            out.append(name)
    return out


def write(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, model in SCHEMA_FILES.items():
        path = directory / name
        path.write_text(render(model), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m summarizer.contract.schemas", description=__doc__
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if files drift")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="schema directory")
    args = parser.parse_args(argv)
    if args.check:
        stale = drifted(args.dir)
        for name in stale:
            print(f"{args.dir / name}: out of date; run: python -m summarizer.contract.schemas")
        return 1 if stale else 0
    for path in write(args.dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
