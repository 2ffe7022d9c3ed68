"""How fast `summarizer --help` starts: the model client and pydantic are imported lazily.

    python benchmarks/startup.py [--repeat 21]

Prints the median wall time of `summarizer --help` (a fresh process each run) and the
cumulative import time of `summarizer.cli` from `python -X importtime`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    command = [sys.executable, "-m", "summarizer", "--help"]
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    trace = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import summarizer.cli"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    cli_us = next(
        int(m.group(1)) for m in re.finditer(r"\|\s*(\d+) \|\s+summarizer\.cli$", trace, re.M)
    )
    loaded = [m for m in ("openai", "httpx2", "pydantic") if re.search(rf"\| {m}$", trace, re.M)]
    print(f"summarizer --help: median {statistics.median(times):.3f} s over {args.repeat} runs")
    print(f"import summarizer.cli: {cli_us / 1000:.1f} ms cumulative; heavy modules loaded: "
          f"{', '.join(loaded) or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
