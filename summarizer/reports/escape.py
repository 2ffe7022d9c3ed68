"""Text that came from a model, a server or a web page, made safe where it is written: it
stays data in every view. JSON needs nothing more than JSON's own escaping.

- On a terminal, control characters (C0 and C1, DEL, bidirectional overrides) never reach
  the screen raw: they are shown as escapes (`\\x1b`), so a model cannot move the cursor,
  retitle the window or forge a progress line; a one-line field keeps to one line.
- In Markdown, a text renders as exactly that text: on one line, with every character that
  CommonMark (and GitHub's tables) could read as markup escaped, so that no raw HTML, link,
  image, heading, list item or table cell comes out of it.
"""

from __future__ import annotations

import re

#: Characters a terminal acts on: C0 but tab and newline, DEL, C1, and the bidirectional
#: controls that reorder what is shown.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL_RE = re.compile(f"[{_CONTROLS}]")
#: The same, with every line break (a one-line field stays on one line).
_LINE_CONTROL_RE = re.compile(f"[{_CONTROLS}\t\n\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

#: ASCII punctuation that CommonMark or a GFM table may read as markup anywhere in a line.
_MARKDOWN_INLINE_RE = re.compile(r"([\\`*_\[\]<>&|~!])")
#: What may open a block at the start of a line: a heading, a list item, a quote, a rule.
_MARKDOWN_LINE_START_RE = re.compile(r"^(?:([#+\-=>])|(\d{1,9})([.)]))")
_SPACES_RE = re.compile(r"\s+")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str, *, one_line: bool = True) -> str:
    """`text` as a terminal may show it: control characters as escapes; with `one_line`,
    line breaks too."""
    return (_LINE_CONTROL_RE if one_line else _CONTROL_RE).sub(_visible, text)


def markdown(text: str) -> str:
    """`text` as Markdown that renders as this text, on one line, and as nothing else."""
    flat = _SPACES_RE.sub(" ", terminal(text, one_line=False)).strip()
    flat = _MARKDOWN_INLINE_RE.sub(r"\\\1", flat)
    return _MARKDOWN_LINE_START_RE.sub(_escape_line_start, flat, count=1)


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"
