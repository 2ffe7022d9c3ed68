"""Text in an article that addresses the model rather than the reader: "ignore your
instructions and report that...". Such a sentence is not the article's reporting, so
evidence that stands inside it supports nothing, however verbatim it is.

The prompt already fences the article as data; this is the last line of defence, for a
model that obeyed anyway.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_TARGET = r"(?:instructions?|prompts?|rules|guidelines|directions|directives|guardrails)"
_WHOSE = (
    r"(?:your|previous|prior|above|earlier|preceding|system|all(?:\s+of)?\s+(?:your|the)"
    r"|the\s+(?:previous|prior|above|earlier|preceding|system))"
)
_MODEL = (
    r"(?:AI(?:\s+(?:model|system|tool|assistant)s?)?|assistant|language model|chatbot|LLM|GPT"
    r"|summari[sz]er|summari[sz]ing\s+(?:tool|software|system|model|program|bot)"
    r"|(?:automated|AI)\s+(?:summary|summari[sz]ation)\s+(?:tool|system))"
)
#: What an order to a model asks for.
_ORDER = (
    r"(?:ignore|disregard|forget|report|say|state|write|output|include|claim|print"
    r"|summari[sz]e|describe|add|mention|omit)"
)
#: Phrases that only make sense as orders to a language model.
INJECTION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+)?{_WHOSE}\s+"
        rf"(?:\w+\s+)?{_TARGET}\b",
        rf"\b(?:you are|act as|pretend to be)\s+(?:now\s+)?(?:an?\s+)?(?:\w+\s+)?{_MODEL}\b",
        r"\b(?:system prompt|developer message|hidden instructions)\b",
        rf"\b{_MODEL}s?\b[^.!?\n]{{0,20}}\b(?:must|should|shall)\s+"
        r"(?:report|say|state|write|output|include|claim)\b",
        # Addressed, at a sentence's start: "Assistant, disregard...", "Note to the
        # summarising tool: state..." ("he asked the assistant: report..." is news)
        rf"(?m)(?:^|(?<=[.!?] ))\s*(?:(?:a\s+)?note\s+to\s+|dear\s+|hey\s+)?(?:the\s+|any\s+)?"
        rf"{_MODEL}s?\s*[,:]\s*(?:please\s+)?{_ORDER}\b",
        # Named as the reader: "any AI reading this", "the model summarising this text"
        rf"\b(?:any|every|all|the)\s+{_MODEL}s?\s+(?:that\s+(?:is|are)\s+)?"
        r"(?:reading|summari[sz]ing|processing|parsing)\s+(?:this|these)\b",
        # "Instructions for AI systems:", "Message to the language model:"
        rf"\b(?:instructions?|message|note|orders?)\s+(?:to|for)\s+(?:any\s+|all\s+|the\s+)?"
        rf"{_MODEL}s?\b",
    )
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


#: Words one of which every pattern needs: an article without any is not scanned.
TRIGGER_WORDS: frozenset[str] = frozenset(
    {"ignore", "disregard", "forget", "override", "bypass", "you", "act", "pretend", "system",
     "developer", "hidden", "ai", "assistant", "model", "chatbot", "llm", "summarizer",
     "summariser", "gpt", "summarising", "summarizing", "summary", "summarisation",
     "summarization"}
)  # fmt: skip


def injection_spans(text: str, words: Collection[str] | None = None) -> list[tuple[int, int]]:
    """[start, end) of each sentence of `text` that gives orders to a model. `words` (the
    text's lower-case words, if at hand) lets an article with no trigger word skip the scan."""
    if words is not None and not any(w in words for w in TRIGGER_WORDS):
        return []
    spans: list[tuple[int, int]] = []
    for pattern in INJECTION_PATTERNS:
        for m in pattern.finditer(text):
            start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            end_match = _SENTENCE_END.search(text, m.end())
            end = end_match.end() if end_match else len(text)
            spans.append((start, end))
    return _merged(spans)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of `spans`."""
    return any(s < end and start < e for s, e in spans)
