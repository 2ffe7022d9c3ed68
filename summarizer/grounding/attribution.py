"""Who the article makes the source of a sentence: "X said", "said X", "according to X",
"X told", "in a statement X", "the monitor said", and "he added" after a sentence that named
the speaker.

The article's sentence is read with its quotations blanked out, so that words inside a quote
are never taken for the attribution. What comes back is the source as the article writes it
("Rami Abdulrahman", "the Britain-based monitor", "Sources"); `names_actor` decides whether a
source is a given actor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from summarizer.grounding.names import CONNECTORS
from summarizer.grounding.text import WORD_RE, ArticleIndex, keys, word_key, words

#: Verbs that attribute speech or a view to a source.
SPEECH_VERBS: frozenset[str] = frozenset(
    {"say", "says", "said", "saying", "tell", "tells", "told", "add", "adds", "added",
     "adding", "state", "states", "stated", "report", "reports", "reported", "announce",
     "announces", "announced", "claim", "claims", "claimed", "warn", "warns", "warned",
     "note", "notes", "noted", "explain", "explains", "explained", "write", "writes",
     "wrote", "believe", "believes", "believed", "assess", "assesses", "assessed", "argue",
     "argues", "argued", "insist", "insists", "insisted", "confirm", "confirms",
     "confirmed", "deny", "denies", "denied", "cite", "cites", "cited", "assert", "asserts",
     "asserted", "estimate", "estimates", "estimated", "declare", "declares", "declared",
     "allege", "alleges", "alleged", "acknowledge", "acknowledges", "acknowledged",
     "predict", "predicts", "predicted", "suggest", "suggests", "suggested", "accuse",
     "accuses", "accused", "describe", "describes", "described", "point", "points",
     "pointed", "quote", "quoted", "urge", "urged", "urges"}
)  # fmt: skip
#: Speech verbs whose following noun phrase is the speaker ("said the observatory"); after
#: "told" or "urged" it is the listener.
INVERTIBLE_VERBS: frozenset[str] = frozenset(
    {"say", "says", "said", "add", "adds", "added", "state", "states", "stated", "report",
     "reports", "reported", "write", "writes", "wrote", "note", "notes", "noted", "explain",
     "explains", "explained", "warn", "warns", "warned", "claim", "claims", "claimed",
     "insist", "insists", "insisted", "announce", "announces", "announced", "declare",
     "declares", "declared", "confirm", "confirms", "confirmed"}
)  # fmt: skip
PRONOUNS: frozenset[str] = frozenset({"he", "she", "they", "it", "we", "i"})
#: Words that open an appositive after a name: "Rami Abdulrahman, director of ...".
_APPOSITIVE_OPENERS: frozenset[str] = frozenset(
    {"a", "an", "the", "who", "which", "whose", "director", "head", "leader", "spokesman",
     "spokeswoman", "spokesperson", "analyst", "chief", "founder", "president", "minister",
     "commander", "member", "one", "its", "his", "her", "their", "of", "from", "at",
     "with", "aged"}
)  # fmt: skip
#: Most words of a source phrase before the verb: longer text is a clause, whose last few
#: words (``CLAUSE_SOURCE_WORDS``) are kept as its subject.
MAX_SOURCE_WORDS: int = 14
CLAUSE_SOURCE_WORDS: int = 4
#: Most words of a speaker named after the verb ("said the Syrian Observatory for Human
#: Rights"); a longer phrase is what was said.
MAX_INVERTED_SPEAKER_WORDS: int = 7
#: Quoted text of at most this many words, with no punctuation closing it, is a term
#: ("salvation government"), not a quotation ("Rates will fall,").
MAX_TERM_WORDS: int = 3
#: Sentences looked back through to resolve "he said".
PRONOUN_LOOKBACK_SENTENCES: int = 4

_QUOTED_RE = re.compile(r'"[^"\n]*"|“[^”\n]*”|«[^»\n]*»|„[^“”\n]*[“”]')
_AFTER_END_RE = re.compile(
    r"[,.;:!?()\"“”«»]|\b(?:that|who|which|whose|on|at|in|during|after|before|as|while|"
    r"when|to|adding|saying|and)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Source:
    """A phrase the article makes the source of a sentence. A pronoun source ("he said")
    is resolved to the speaker named before; one that cannot be is `unresolved`."""

    phrase: str
    pronoun: bool = False
    unresolved: bool = False


def _blank_quotations(sentence: str) -> tuple[str, list[int]]:
    """The sentence with its quotations blanked, and where each quotation ends. A quotation
    may open in the sentence before (a lone closing mark) or run on into the next."""
    plain = sentence
    ends: list[int] = []
    straight = sentence.count('"')
    lone_close = (straight % 2 == 1 and not sentence.lstrip().startswith('"')) or (
        "”" in sentence and "“" not in sentence[: sentence.index("”")]
    )
    if lone_close:
        cut = min(i for i in (sentence.find('"'), sentence.find("”")) if i >= 0) + 1
        plain = " " * cut + plain[cut:]
        ends.append(cut)
    for m in _QUOTED_RE.finditer(plain):
        is_term = len(WORD_RE.findall(m.group())) <= MAX_TERM_WORDS and m.group()[-2] not in ",.!?"
        if not is_term:
            plain = plain[: m.start()] + " " * len(m.group()) + plain[m.end() :]
            ends.append(m.end())
    straight = plain.rfind('"') if plain.count('"') % 2 == 1 else -1
    curly = plain.rfind("“") if plain.rfind("“") > plain.rfind("”") else -1
    opened = max(straight, curly)
    if opened >= 0:  # a quotation that runs on into the next sentence
        plain = plain[:opened] + " " * (len(plain) - opened)
    return plain, sorted(ends)


@lru_cache(maxsize=4096)
def sentence_sources(sentence: str) -> tuple[Source, ...]:
    """The sources that `sentence` names through a speech verb, in order (memoised: a
    pure function of the sentence, asked again for every claim quoting it)."""
    plain, quote_ends = _blank_quotations(sentence)
    sources: list[Source] = []
    for v, start, end in _speech_verbs(plain):
        if v in ("point", "points", "pointed") and not plain[end:].lstrip().startswith("out"):
            continue
        boundary = max([0, *[e for e in quote_ends if e <= start]])
        before = plain[boundary:start]
        after = _phrase_after(plain, end) if v in INVERTIBLE_VERBS else ""
        if v == "according to":
            phrase = _phrase_after(plain, end)
        elif _inverted_speaker(before, plain, end, after):
            phrase = after  # "Prices rose in May, said Jane Doe."
        elif before.strip(' ,;:-—–"“”'):
            phrase = _phrase_before(before)
        else:
            phrase = after
        phrase = phrase.strip(' ,;:-—–"“”')
        if phrase:
            first = phrase.split()[0].lower()
            sources.append(Source(phrase, pronoun=first in PRONOUNS and len(phrase.split()) == 1))
    return tuple(sources)


def _speech_verbs(plain: str) -> Iterator[tuple[str, int, int]]:
    """Each speech verb of a sentence, as its word key, with its span; "according to" is
    one. Read from the sentence's keys: a regex of a hundred alternatives, tried at every
    position, costs several times more."""
    starts, ends, sentence_keys = words(plain)
    if SPEECH_VERBS.isdisjoint(sentence_keys) and "according" not in sentence_keys:
        return
    for i, key in enumerate(sentence_keys):
        if key in SPEECH_VERBS:
            yield key, starts[i], ends[i]
        elif (
            key == "according"
            and sentence_keys[i + 1 : i + 2] == ["to"]
            and plain[ends[i] : starts[i + 1]] == " "
        ):
            yield "according to", starts[i], ends[i + 1]


def _inverted_speaker(before: str, plain: str, start: int, after: str) -> bool:
    """Whether the phrase after a speech verb is its speaker ("Prices rose, said Jane Doe.",
    "..., said the bank, which ..."): the verb follows a comma that does not close an
    appositive ("Jane Doe, a trader, said ..."), and after it comes a short name or "the/a
    ..." noun phrase that runs to the end of the clause, not the start of what was said
    ("said the toll was likely to rise", "said prices rose", "said it")."""
    if not before.rstrip().endswith(","):
        return False
    chunks = [c.strip() for c in re.split(r",\s", before.rstrip().rstrip(","))]
    if (
        len(chunks) >= 2
        and chunks[-1].split()[:1]
        and (chunks[-1].split()[0].lower() in _APPOSITIVE_OPENERS or chunks[-1][0].isdigit())
    ):
        return False
    words = after.split()
    if not words or len(words) > MAX_INVERTED_SPEAKER_WORDS:
        return False
    if not (words[0][0].isupper() or words[0].lower() in ("the", "a", "an")):
        return False
    end = _AFTER_END_RE.search(plain, start)
    return end is None or end.group() in ",.;:!?" or end.group().lower() in ("who", "which")


def _phrase_before(before: str) -> str:
    """The subject of a speech verb: the last comma chunk; the one before an appositive
    ("Nick Heras, an analyst at ..., told"); a pronoun right before the verb ("... that it
    said"); or, for a verb joined by "and", the chunks before ("X, Y's lawyer, called ...
    and said")."""
    words = before.split()
    if words and words[-1].lower() in PRONOUNS:
        return words[-1]
    chunks = [c.strip() for c in re.split(r",\s", before)]
    ends_with_comma = before.rstrip().endswith(",")
    while chunks and not chunks[-1].strip(" ,"):
        chunks.pop()
    if not chunks:
        return ""
    subject = chunks[-1].strip(" ,")
    last_word = subject.split()[-1].lower() if subject.split() else ""
    if last_word in ("and", "but") and len(chunks) >= 2:
        subject = ", ".join(chunks[:-1])
    elif ends_with_comma and len(chunks) >= 2:
        first_word = subject.split()[0].lower() if subject.split() else ""
        if first_word in _APPOSITIVE_OPENERS or first_word[:1].isdigit():
            subject = chunks[-2]  # "Jane Doe, 54, said"; "Jane Doe, of the bank, said"
    words = subject.split()
    return " ".join(words if len(words) <= MAX_SOURCE_WORDS else words[-CLAUSE_SOURCE_WORDS:])


def _phrase_after(plain: str, start: int) -> str:
    rest = plain[start:]
    end = _AFTER_END_RE.search(rest)
    return rest[: end.start() if end else len(rest)][:120]


def sources_for_span(index: ArticleIndex, start: int, end: int) -> list[Source]:
    """The sources of the sentences that hold [start, end), or of the sentences next to them
    when those name none. Pronouns are resolved to the speaker named just before."""
    first = index.sentence_of(start)
    last = index.sentence_of(max(start, end - 1))
    sentences = index.sentences

    def resolved(i: int) -> list[Source]:
        s, e = sentences[i]
        out = []
        found = sentence_sources(index.text[s:e])
        for k, src in enumerate(found):
            if src.pronoun:
                named = [f for f in found[:k] if not f.pronoun]
                antecedent = named[-1] if named else _previous_speaker(index, i)
                out.append(antecedent or Source(src.phrase, pronoun=True, unresolved=True))
            else:
                out.append(src)
        return out

    sources = [src for i in range(first, last + 1) for src in resolved(i)]
    if not sources:
        for i in (last + 1, first - 1):
            if 0 <= i < len(sentences):
                sources.extend(resolved(i))
    return sources


def _previous_speaker(index: ArticleIndex, sentence: int) -> Source | None:
    for i in range(sentence - 1, max(-1, sentence - 1 - PRONOUN_LOOKBACK_SENTENCES), -1):
        s, e = index.sentences[i]
        named = [src for src in sentence_sources(index.text[s:e]) if not src.pronoun]
        if named:
            return named[0]
    return None


@dataclass(frozen=True)
class SpeakerForms:
    """The ways an article may refer to one actor as a source."""

    runs: tuple[tuple[str, ...], ...]  # name and aliases, as word-key runs
    name_words: frozenset[str]  # a person's distinctive name words ("heras")
    head_nouns: frozenset[str]  # words of name and aliases, head of description
    #: Keys of which a phrase naming the actor (not by role) holds one: its name words and
    #: the first key of each run. A quick no for most phrases and actors.
    anchors: frozenset[str]

    @classmethod
    def of(
        cls, name: str, aliases: list[str], description: str | None, person: bool
    ) -> SpeakerForms:
        written = [w for form in (name, *aliases) if (w := WORD_RE.findall(form))]
        runs = tuple(tuple(map(word_key, words)) for words in written)
        name_words = {
            key
            for words, run in zip(written, runs)
            for word, key in zip(words, run)
            if person and word[0].isupper() and len(word) >= 3 and key not in CONNECTORS
        }
        nouns = {_singular(key) for run in runs for key in run}
        if description:
            nouns.add(_head_noun(description))
        anchors = frozenset(name_words | {run[0] for run in runs})
        return cls(runs, frozenset(name_words), frozenset(nouns - CONNECTORS), anchors)


def _singular(key: str) -> str:
    return key[:-1] if len(key) > 3 and key.endswith("s") and not key.endswith("ss") else key


@lru_cache(maxsize=4096)
def _phrase_keys(phrase: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The phrase's word keys, in order and as a set (which rules most names out at once)."""
    phrase_keys = tuple(keys(phrase))
    return phrase_keys, frozenset(phrase_keys)


#: Words after which a source phrase goes on about something else than its head noun.
_HEAD_NOUN_ENDS: frozenset[str] = frozenset(
    {"of", "for", "at", "from", "in", "with", "by", "interviewed", "who", "which", "that"}
)
_CLAUSE_MARK_RE = re.compile(r"[,;(]")


@lru_cache(maxsize=4096)
def _head_noun(phrase: str) -> str:
    """The noun a source phrase is about: "the UK-based Observatory" -> "observatory"; its
    last word before a comma, a parenthesis or one of `_HEAD_NOUN_ENDS`."""
    head = ""
    for word in WORD_RE.findall(_CLAUSE_MARK_RE.split(phrase, maxsplit=1)[0]):
        if word in _HEAD_NOUN_ENDS:
            break
        head = word
    return _singular(word_key(head)) if head else ""


def actors_named(phrase: str, forms: Mapping[str, SpeakerForms]) -> list[str]:
    """The actors (keys of `forms`, in its order) that `phrase` names by name, alias or
    surname: not by a title, which may fit several."""
    key_set = _phrase_keys(phrase)[1]
    return [
        actor
        for actor, f in forms.items()
        if not f.anchors.isdisjoint(key_set) and names_actor(phrase, f, by_role=False)
    ]


def names_actor(phrase: str, forms: SpeakerForms, *, by_role: bool = True) -> bool:
    """Whether the source `phrase` refers to the actor of `forms`: by name or alias, by a
    person's surname, or (when `by_role`) by a title such as "the monitor"."""
    words, key_set = _phrase_keys(phrase)
    if not forms.name_words.isdisjoint(key_set):
        return True
    for run in forms.runs:
        n = len(run)  # never 0: forms without words have no run
        if key_set.issuperset(run) and any(
            words[i : i + n] == run for i in range(len(words) - n + 1)
        ):
            return True
    return by_role and _head_noun(phrase) in forms.head_nouns
