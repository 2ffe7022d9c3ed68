"""Reading files the user names: '-' is standard input; errors are one line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from summarizer.errors import InputError


def read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; name a file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from None


def read_text(path: str) -> str:
    data = read_bytes(path)
    if b"\x00" in data:
        raise InputError(f"{name(path)}: binary data (NUL bytes), not an article's text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{name(path)}: not UTF-8 text (byte {e.start}); convert it to UTF-8 first"
        ) from None


def read_json(path: str) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{name(path)}: not JSON: {e.msg} at line {e.lineno}") from None


def name(path: str) -> str:
    return "<stdin>" if path == "-" else path
