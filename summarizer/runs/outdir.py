"""A batch's output directory: held by one batch at a time, only its own temporary files
cleaned, every result under a name no other article takes, and `errors.jsonl` always whole.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from summarizer.contract.errors import InputError
from summarizer.runs.files import write_atomic

try:  # POSIX; elsewhere a second batch on one OUTDIR is not refused (docs/decisions.md)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

ERRORS_FILE = "errors.jsonl"
#: Names of the files a batch or a story writes beside the results: no article takes them.
RESERVED_NAMES = frozenset({"index", "story", "errors"})
#: Ends the name of a document kept by `--on-problems fail` (`<name>.failed.json`): no
#: article's name ends with it, so that such a document never takes another's name.
FAILED_SUFFIX = ".failed"
#: Held by the batch writing in OUTDIR; the lock goes with the process, however it ends.
LOCK_FILE = ".summarizer.lock"
#: The temporary files `write_atomic` makes (`.<name>.<pid>-<n>.tmp`) for results and
#: errors: the only files a batch removes.
_OWN_TEMPORARY_RE = re.compile(r"^\..+\.jsonl?\.\d+-\d+\.tmp$")
#: Seconds between two rewrites of errors.jsonl while failures come in (and at the end).
ERRORS_WRITE_SECONDS: float = 2.0


class OutputDir:
    """OUTDIR for one batch: `open` it before the first article and `close` it after."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[dict[str, Any]] = []
        self._taken: set[str] = set()
        self._lock: int | None = None
        self._unwritten = True  # errors.jsonl of this run is not on disk yet
        self._written = 0
        self._last_write = 0.0

    def open(self) -> None:
        """Make and lock OUTDIR and clean what a killed run left; an OUTDIR that another
        batch holds, or that cannot be written in, is an `InputError`, before any request."""
        if self.path.exists() and not self.path.is_dir():
            raise InputError(f"-o {self.path}: a file is there; several articles need a directory")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock = os.open(self.path / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW)
        except OSError as e:
            raise InputError(
                f"-o {self.path}: cannot write there ({e.strerror}); choose a writable directory"
            ) from None
        self._hold_lock()
        for stale in self.path.iterdir():  # left by a run that was killed
            if _OWN_TEMPORARY_RE.match(stale.name):
                stale.unlink(missing_ok=True)
        try:
            self.write_errors(force=True)  # this run's list starts empty
        except OSError as e:
            self.close()
            raise InputError(
                f"-o {self.path}: cannot write there ({e.strerror}); choose a writable directory"
            ) from None

    def _hold_lock(self) -> None:
        assert self._lock is not None
        if fcntl is None:
            return
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(self._lock, 32, 0).decode(errors="replace").strip()
            os.close(self._lock)
            self._lock = None
            raise InputError(
                f"-o {self.path}: another batch is writing there"
                + (f" (process {holder})" if holder.isdigit() else "")
                + "; wait for it to end, or choose another directory"
            ) from None
        os.ftruncate(self._lock, 0)
        os.pwrite(self._lock, str(os.getpid()).encode(), 0)

    def close(self) -> None:
        """Let the directory go (errors.jsonl is written by then: see `write_errors`)."""
        if self._lock is not None:
            os.close(self._lock)  # the lock goes with it
            self._lock = None

    def name_for(self, article_id: str | None, digest: str) -> str:
        """A name for the article's result that no other article of this batch has: its id;
        for a later article with the same id, the id and its text's hash, then a count."""
        base = article_id or digest[:16]
        candidates = [base, f"{base}-{digest[:8]}"]
        if base.lower() in RESERVED_NAMES or base.lower().endswith(FAILED_SUFFIX):
            candidates = candidates[1:]  # the batch's index.html, a story's story.json...
        name = next((c for c in candidates if c not in self._taken), None)
        count = 2
        while name is None:
            name = f"{base}-{digest[:8]}-{count}"
            name = None if name in self._taken else name
            count += 1
        self._taken.add(name)
        return name

    def write_errors(self, *, force: bool = False) -> None:
        """Rewrite errors.jsonl atomically (a new file renamed over the old: a crash or a
        full disk leaves the last whole one, and a link planted there is replaced, never
        followed); at most every ERRORS_WRITE_SECONDS unless `force`."""
        now = time.monotonic()
        self._unwritten = self._unwritten or len(self.errors) != self._written
        if not self._unwritten or (not force and now - self._last_write < ERRORS_WRITE_SECONDS):
            return
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.errors)
        write_atomic(self.path / ERRORS_FILE, lines, fsync=False)
        self._unwritten, self._written, self._last_write = False, len(self.errors), now
