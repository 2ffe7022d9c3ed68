"""Bounds on what a model may answer, far beyond any real article's extraction: a hostile
or degenerate answer (a model filling one string until its token cap, a server sending a
megabyte of nesting) is refused as an invalid answer before it costs more than its request,
and never reaches a document, a brief or a terminal. The README's Security section gives
these figures.

Item counts and list lengths go into the extraction schema as `maxItems`, which strict mode
takes; string lengths are checked here (strict mode does not take `maxLength`)."""

from __future__ import annotations

#: Characters of one answer (about 100,000 tokens: ten times a 50-item extraction).
MAX_ANSWER_CHARS: int = 400_000
#: Actors, events or claims in one answer (a dense 48,000-character window has ~60).
MAX_ITEMS: int = 300
#: Excerpts of evidence for one item.
MAX_EVIDENCE: int = 20
#: Aliases of one actor, figures of one event or claim, actors of one event.
MAX_LIST: int = 40
#: Characters of an excerpt, a description, a statement, a quote or the summary.
MAX_TEXT_CHARS: int = 4_000
#: Characters of a headline, a name, an alias, a unit, a figure as written, a time or a place.
MAX_SHORT_CHARS: int = 500
#: Nesting of an answer's JSON: an extraction needs 5 levels.
MAX_DEPTH: int = 12
#: Characters of an unusable answer sent back to the model when asking again.
MAX_ECHOED_ANSWER_CHARS: int = 20_000
#: Characters of a server's or model's words (an error body, a refusal) shown to the user.
MAX_SERVER_TEXT_CHARS: int = 600
