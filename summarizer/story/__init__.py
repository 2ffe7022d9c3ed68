"""One story, several outlets: `compare(documents) -> StoryDocument`, a pure function of the
summary documents (no I/O, no model), and the rules every story document satisfies."""
