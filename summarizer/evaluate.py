"""Score the validator on a labelled evaluation set.

    python -m summarizer.evaluate [--eval-dir tests/eval] [--articles examples] [-v]

For each `<stem>.labels.json` in the evaluation directory, the article `<stem>.txt` is
validated against `<stem>.faithful.json` and `<stem>.faulty.json`. Labels name the report
items that carry a planted fault and its code; every other item is clean. Printed:
- recall: share of planted faults whose item is reported with any problem;
- exact code: share of planted faults reported with their labelled code;
- false alarms: share of clean items reported with a problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.grounding.checks import validate


@dataclass
class Scores:
    faults: int = 0
    detected: int = 0
    exact: int = 0
    clean: int = 0
    false_alarms: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.detected / self.faults if self.faults else 1.0

    @property
    def exact_share(self) -> float:
        return self.exact / self.faults if self.faults else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0


def evaluate(eval_dir: Path, articles: Path) -> Scores:
    scores = Scores()
    for labels_path in sorted(eval_dir.glob("*.labels.json")):
        stem = labels_path.name.removesuffix(".labels.json")
        text = (articles / f"{stem}.txt").read_text(encoding="utf-8")
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
        faulty_keys = {f["item"] for f in labels["faults"]}
        for variant in ("faithful", "faulty"):
            extraction = json.loads((eval_dir / f"{stem}.{variant}.json").read_text("utf-8"))
            report = validate(text, extraction)
            for key, item in report.items.items():
                if variant == "faulty" and key in faulty_keys:
                    continue
                scores.clean += 1
                if item.problems:
                    scores.false_alarms += 1
                    shown = "; ".join(f"{p.code}: {p.message}" for p in item.problems)
                    scores.misses.append(f"FALSE ALARM {stem}.{variant} {key}: {shown}")
            if variant == "faulty":
                for fault in labels["faults"]:
                    scores.faults += 1
                    item = report.items.get(fault["item"])
                    codes = {p.code for p in item.problems} if item else set()
                    scores.detected += bool(codes)
                    scores.exact += fault["code"] in codes
                    if fault["code"] not in codes:
                        got = ", ".join(sorted(codes)) or "nothing"
                        scores.misses.append(
                            f"MISSED {stem} {fault['item']} {fault['code']} (got {got}):"
                            f" {fault.get('note', '')}"
                        )
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m summarizer.evaluate", description=__doc__)
    parser.add_argument("--eval-dir", type=Path, default=Path("tests/eval"))
    parser.add_argument("--articles", type=Path, default=Path("examples"))
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses")
    parser.add_argument("--story", action="store_true",
                        help="score the story comparison on tests/story instead")  # fmt: skip
    parser.add_argument("--story-dir", type=Path, default=Path("tests/story"))
    args = parser.parse_args(argv)
    if args.story:
        from summarizer.story_evaluation import evaluate_stories, report

        scores = evaluate_stories(args.story_dir, Path("."))
        if args.verbose:
            print("\n".join(scores.misses))
        print(report(scores))
        return 0
    s = evaluate(args.eval_dir, args.articles)
    if args.verbose:
        print("\n".join(s.misses))
    print(f"planted faults: {s.faults}   clean items: {s.clean}")
    print(f"recall:       {s.recall:.3f}  ({s.detected}/{s.faults})")
    print(f"exact code:   {s.exact_share:.3f}  ({s.exact}/{s.faults})")
    print(f"false alarms: {s.false_alarm_rate:.3f}  ({s.false_alarms}/{s.clean})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
