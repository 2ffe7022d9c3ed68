"""Reading files the user names: '-' is standard input; errors are one line.

Text is UTF-8, with or without a byte order mark; UTF-16 and UTF-32 with a byte order mark
are decoded with a notice; other encodings are guessed (charset-normalizer) and decoded
with a notice that names the guess and `--encoding`, or refused with a message that names
`--encoding`. NUL bytes in what should be text mean binary data: refused.
"""

from __future__ import annotations

import codecs
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.contract.errors import InputError

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", ""),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


@dataclass
class Decoded:
    text: str
    notices: list[str] = field(default_factory=list)


def name(path: str) -> str:
    return "<stdin>" if path == "-" else path


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


def decode(data: bytes, where: str, encoding: str | None = None) -> Decoded:
    """Text from bytes, by the rules in this module's docstring."""
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise InputError(f"--encoding {encoding}: no such encoding") from None
        except UnicodeDecodeError as e:
            raise InputError(f"{where}: not valid {encoding} (byte {e.start})") from None
        return Decoded(_not_binary(text, where))
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as e:
                raise InputError(f"{where}: broken {label or 'UTF-8'} (byte {e.start})") from None
            notices = [f"{where}: decoded as {label} (byte order mark)"] if label else []
            return Decoded(_not_binary(text, where), notices)
    if b"\x00" in data:
        raise InputError(f"{where}: binary data (NUL bytes), not an article's text")
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        bad_byte = e.start
    from charset_normalizer import from_bytes

    guess = from_bytes(data).best()
    if guess is None or not guess.encoding:
        raise InputError(
            f"{where}: not UTF-8 text (byte {bad_byte}); name its encoding with --encoding,"
            " e.g. --encoding cp1252"
        )
    return Decoded(
        _not_binary(str(guess), where),
        [f"{where}: not UTF-8; decoded as {guess.encoding} (a guess: --encoding chooses)"],
    )


def _not_binary(text: str, where: str) -> str:
    if "\x00" in text:
        raise InputError(f"{where}: binary data (NUL characters), not an article's text")
    return text


def read_decoded(path: str, encoding: str | None = None) -> Decoded:
    return decode(read_bytes(path), name(path), encoding)


def read_text(path: str, encoding: str | None = None) -> str:
    return read_decoded(path, encoding).text


def read_json(path: str) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{name(path)}: not JSON: {e.msg} at line {e.lineno}") from None
