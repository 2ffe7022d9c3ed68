"""Scores of the story comparison on the development set in tests/story/: link precision
and recall per kind, and figure-verdict accuracy (`python -m summarizer.evaluate --story`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from summarizer.contract.article import ArticleInput
from summarizer.contract.models import SummaryDocument
from summarizer.contract.story import StoryDocument
from summarizer.grounding.checks import validate
from summarizer.story.compare import compare
from summarizer.story.figures import unit_of

KINDS = ("actors", "events", "claims")


@dataclass
class StoryScores:
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    verdicts: int = 0
    verdicts_right: int = 0
    misses: list[str] = field(default_factory=list)

    def precision(self, kind: str) -> float:
        return self.right[kind] / self.found[kind] if self.found[kind] else 1.0

    def recall(self, kind: str) -> float:
        return self.right[kind] / self.gold[kind] if self.gold[kind] else 1.0

    @property
    def verdict_accuracy(self) -> float:
        return self.verdicts_right / self.verdicts if self.verdicts else 1.0


def load(path: Path, root: Path) -> tuple[list[SummaryDocument], dict]:  # type: ignore[type-arg]
    """A development story: its reports as summary documents, and its gold links."""
    data = json.loads(path.read_text(encoding="utf-8"))
    documents = []
    for report in data["reports"]:
        text = report.get("text") or (root / report["article"]).read_text(encoding="utf-8")
        extraction = report.get("extraction")
        if isinstance(extraction, str):
            extraction = json.loads((root / extraction).read_text(encoding="utf-8"))
        documents.append(document(report["id"], report.get("source"), text, extraction))
    return documents, data["gold"]


def document(id: str, source: str | None, text: str, extraction: dict) -> SummaryDocument:  # type: ignore[type-arg]
    """A summary document of `extraction`, checked against `text`, as the tool writes it."""
    provenance = {
        "model": "gold", "prompt_version": "gold", "schema_version": "1",
        "created_at": "2024-11-28T00:00:00+00:00", "attempts": 0,
        "usage": {"prompt_tokens": 0, "completion_tokens": 0},
    }  # fmt: skip
    return SummaryDocument.model_validate({
        "schema_version": "1",
        "article": ArticleInput(text, id=id, source=source).meta().model_dump(),
        "extraction": extraction, "grounding": validate(text, extraction).model_dump(),
        "dropped": [], "provenance": provenance,
    })  # fmt: skip


def _pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in combinations(sorted(g), 2)}


def score(story: StoryDocument, gold: dict, scores: StoryScores, name: str) -> None:  # type: ignore[type-arg]
    for kind in KINDS:
        found = _pairs(
            [[f"{m.article}:{m.item}" for m in s.mentions] for s in getattr(story, kind)]
        )
        expected = _pairs(gold[kind])
        scores.found[kind] += len(found)
        scores.gold[kind] += len(expected)
        scores.right[kind] += len(found & expected)
        scores.misses += [f"{name} {kind}: missed {sorted(p)}" for p in expected - found]
        scores.misses += [f"{name} {kind}: wrong {sorted(p)}" for p in found - expected]
    compared = {(frozenset(f"{v.article}:{v.item}" for v in f.values), f.unit): f.verdict
                for f in story.figures}  # fmt: skip
    for g in gold["figures"]:
        scores.verdicts += 1
        got = compared.get((frozenset(g["mentions"]), unit_of(g["unit"])[0]))
        if got == g["verdict"]:
            scores.verdicts_right += 1
        else:
            scores.misses.append(
                f"{name} figures: {g['mentions']} {g['unit']}: {got} for {g['verdict']}"
            )


def evaluate_stories(directory: Path, root: Path) -> StoryScores:
    scores = StoryScores()
    for path in sorted(directory.glob("*.json")):
        documents, gold = load(path, root)
        score(compare(documents), gold, scores, path.stem)
    return scores


def report(scores: StoryScores) -> str:
    lines = [f"{'links':<8} {'precision':>9} {'recall':>7}"]
    for kind in KINDS:
        lines.append(f"{kind:<8} {scores.precision(kind):>9.3f} {scores.recall(kind):>7.3f}"
                     f"   ({scores.right[kind]} right of {scores.found[kind]} found,"
                     f" {scores.gold[kind]} in gold)")  # fmt: skip
    lines.append(f"figure verdicts: {scores.verdict_accuracy:.3f}"
                 f" ({scores.verdicts_right}/{scores.verdicts})")  # fmt: skip
    return "\n".join(lines)
