"""Instructions per `validate` call: the checks' cost as a count that, unlike time, does not
move with the load of a shared machine.

    python benchmarks/instructions.py [--calls 40] [--article aleppo-offensive-1]

The workload is the local-time case of batch_throughput.py: a reference article (each copy
with its own dateline) and its 52-item evaluation answer (43 items for article 2), with the
checks' memo caches emptied before each call. It runs under valgrind's cachegrind twice,
with 5 calls and with 5 + `--calls`; the difference, divided by `--calls`, leaves out the
interpreter's start-up and imports. Needs valgrind; takes about half a minute.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_CALLS = 5


def workload(article: str, calls: int) -> None:
    from memos import forget_memos

    from summarizer import validate
    from summarizer.contract.models import Extraction

    text = (ROOT / "examples" / f"{article}.txt").read_text(encoding="utf-8")
    answer = json.loads((ROOT / "tests" / "eval" / f"{article}.faithful.json").read_text())
    extraction = Extraction.model_validate(answer)
    for i in range(calls):
        forget_memos()
        validate(f"{text}\nDispatch {i}.\n", extraction)


def instructions(article: str, calls: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
               "--cachegrind-out-file=/dev/null", sys.executable, __file__,
               "--workload", str(calls), "--article", article]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(re.search(r"I\s+refs:\s+([\d,]+)", done.stderr).group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--article", default="aleppo-offensive-1",
                        choices=["aleppo-offensive-1", "aleppo-offensive-2"])  # fmt: skip
    parser.add_argument("--workload", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.workload is not None:
        workload(args.article, args.workload)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: it counts the instructions")
    base = instructions(args.article, WARM_CALLS)
    more = instructions(args.article, WARM_CALLS + args.calls)
    print(f"validate(), {args.article}: {(more - base) / args.calls / 1e6:.2f} million"
          f" instructions per call (memo caches emptied; {args.calls} calls)")  # fmt: skip


if __name__ == "__main__":
    main()
