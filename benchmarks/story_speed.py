"""Time of `compare` for stories of 2, 5 and 20 reports of 50 items each, and how it grows.

    python benchmarks/story_speed.py [--runs 5]

The reports are the two reference articles' faithful extractions (52 and 43 items), made
distinct per report by renumbering nothing but the article id, so that every report has
the full set of actors, events and claims to match against every other: the worst case for
the pairwise scoring, where every item has a counterpart in every report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.story.compare import compare  # noqa: E402
from summarizer.story_evaluation import load  # noqa: E402


def reports(n: int) -> list:  # type: ignore[type-arg]
    documents, _ = load(ROOT / "tests" / "story" / "aleppo.json", ROOT)
    out = []
    for i in range(n):
        doc = documents[i % 2]
        out.append(
            doc.model_copy(update={"article": doc.article.model_copy(update={"id": f"r{i}"})})
        )
    return out


def forget_memos() -> None:
    """Empty the comparison's memo caches (folded names, content words, units): the copies
    repeat two reports, whose texts warm memos would read once for all runs."""
    from summarizer.story import figures, linking, names

    for module in (figures, linking, names):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"compare(), median of {args.runs} runs, memo caches emptied before each")
    previous = None
    for n in (2, 5, 20):
        docs = reports(n)
        items = sum(len(d.extraction.actors) + len(d.extraction.events) + len(d.extraction.claims)
                    for d in docs)  # fmt: skip
        times = []
        for _ in range(args.runs):
            forget_memos()
            started = time.perf_counter()
            compare(docs)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        growth = (
            f"  x{median / previous[1]:.1f} for x{n / previous[0]:.1f} reports" if previous else ""
        )
        print(f"  {n:>2} reports, {items:>4} items: {median * 1000:8.1f} ms{growth}")
        previous = (n, median)


if __name__ == "__main__":
    main()
