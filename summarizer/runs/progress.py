"""Progress of a batch on stderr: a bar on a terminal, a plain line per article when piped."""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TextIO

from summarizer.reports.escape import terminal
from summarizer.runs.outcomes import Outcome

#: Shortest interval between two redraws of the progress bar, in seconds.
PROGRESS_REDRAW: float = 0.1
#: Characters of the progress bar.
BAR_WIDTH: int = 30


class Progress:
    """A bar on a terminal; one plain line per article when stderr is not one."""

    def __init__(self, total: int, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        self.counts[outcome.status] += 1
        if self.quiet:
            return
        if not self.tty:
            detail = f": {terminal(outcome.error)}" if outcome.error else ""
            self.stream.write(
                f"summarizer: [{self.done}/{self.total}] {terminal(outcome.id or outcome.source)}"
                f" {outcome.status}{detail}\n"
            )
            self.stream.flush()
            return
        now = time.monotonic()
        if now - self._drawn < PROGRESS_REDRAW and self.done < self.total:
            return
        self._drawn = now
        width = BAR_WIDTH
        filled = width * self.done // max(1, self.total)
        rate = self.done / max(1e-9, now - self.started)
        counts = " ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
            f"  {counts}  {rate:.1f}/s \x1b[K"
        )
        self.stream.flush()

    def notice(self, text: str) -> None:
        """How an article was read (an encoding guessed, HTML extracted), as for one article."""
        if self.quiet:
            return
        clear = "\r\x1b[K" if self.tty and self.done else ""
        self.stream.write(f"{clear}summarizer: notice: {terminal(text)}\n")
        self.stream.flush()
        self._drawn = 0.0  # the bar is drawn again at the next article

    def close(self) -> None:
        if self.tty and not self.quiet and self.done:
            self.stream.write("\n")
            self.stream.flush()
