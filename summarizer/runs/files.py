"""Writing results so that a file is either whole or absent, never half-written."""

from __future__ import annotations

import errno
import itertools
import os
from pathlib import Path

_serial = itertools.count()
#: Failures to write that every further file in the directory would meet too (a full disk,
#: a read-only or forbidden directory): a batch stops on them.
NO_ROOM = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT})


def write_atomic(path: Path, text: str, *, fsync: bool = True) -> None:
    """Write to a temporary file beside `path` (named `.<name>.<pid>-<n>.tmp`), then rename
    it over `path`: a process killed at any moment leaves `path` whole or absent.

    `fsync` also flushes the file to disk before the rename, so that it survives a crash of
    the machine. A batch does without it: its resume check reads every result back and
    redoes any that a crash left empty or torn.
    """
    data = text.encode("utf-8")
    made_parent = False
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{next(_serial)}.tmp")
        try:
            # Mode 0o666 less the umask: what any new file of the user's gets.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue  # left by an earlier process with this pid: a new serial is free
        except FileNotFoundError:
            if made_parent:
                raise  # the directory is there and still cannot be written in
            path.parent.mkdir(parents=True, exist_ok=True)
            made_parent = True
            continue
        break
    try:
        with open(fd, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
