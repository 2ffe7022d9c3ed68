"""Result files are whole or absent: written beside, then renamed over."""

from __future__ import annotations

import os
import stat

import pytest

from summarizer.runs import files as output
from summarizer.runs.files import write_atomic


def test_a_file_is_written_whole_with_the_users_permissions(tmp_path):
    target = tmp_path / "new" / "dir" / "result.json"  # missing directories are made
    old = os.umask(0o027)
    try:
        write_atomic(target, "é" * 10, fsync=False)
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == "é" * 10
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["result.json"]


@pytest.mark.parametrize("fsync", [True, False])
def test_a_write_that_fails_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch,
                                                                      fsync):  # fmt: skip
    target = tmp_path / "result.json"
    write_atomic(target, "old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, "new", fsync=fsync)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_a_temporary_name_left_by_another_process_is_passed_over(tmp_path, monkeypatch):
    target = tmp_path / "result.json"
    monkeypatch.setattr(output, "_serial", iter([0, 1]))
    stale = tmp_path / f".result.json.{os.getpid()}-0.tmp"
    stale.write_text("left by a killed run whose pid was this one")
    write_atomic(target, "fresh", fsync=False)
    assert target.read_text() == "fresh" and stale.exists()


def test_a_directory_that_cannot_be_made_is_an_error_not_a_loop(tmp_path, monkeypatch):
    calls = []

    def no_such_directory(path, flags, mode=0o777):
        calls.append(path)
        if len(calls) > 5:
            raise RuntimeError("write_atomic keeps trying")
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(output.os, "open", no_such_directory)
    with pytest.raises(FileNotFoundError):  # as in a working directory that was deleted
        write_atomic(tmp_path / "result.json", "x")
    assert len(calls) == 2  # once, and once more after making the directory
