"""When two names are one actor's, and on what basis (contract story v1, rule 3).

A general rule, not a list of the examples' names: names are folded (case, diacritics,
hyphens, apostrophes, spacing), transliteration particles are set aside ("al-", "el",
"bin"...), and two names whose consonant skeletons match ("Abdulrahman" / "Abdel Rahman",
"Sheikhoun" / "Shaykhun") are spelling variants; an acronym is read from the initials of a
name's words; country names and exonyms come from country_converter's data set.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

#: Words of Arabic and other transliterations that a name may carry or drop ("al-Assad",
#: "Assad"), and articles before a name ("the Observatory").
PARTICLES = frozenset(
    {"al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "bin", "ibn", "bint", "abu", "abi",
     "the", "de", "da", "di", "van", "von", "der", "le", "la"}
)  # fmt: skip
#: Letters a transliteration spells freely: vowels, and y, w and h after a consonant.
_VOWELS_RE = re.compile(r"[aeiouy]+")
#: The shortest consonant skeleton two names may be matched on (shorter ones collide).
MIN_SKELETON: int = 4
#: The least similarity of two folded names (Levenshtein, normalised) for a spelling variant.
MIN_VARIANT_SIMILARITY: float = 0.75
#: Actor kinds whose names may be countries.
COUNTRY_KINDS = frozenset({"state", "government", "other"})
_WORD_RE = re.compile(r"[^\W_]+")
#: Letters transliterations swap ("Qassem" / "Kassem"), made one.
_SAME_SOUND = {"q": "k", "c": "k"}


@lru_cache(maxsize=65536)
def words(name: str) -> tuple[str, ...]:
    """The name's words, folded: lower case, no diacritics ("Türkiye" -> ("turkiye",));
    memoised: a story compares every name with every other."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return tuple(_WORD_RE.findall(plain.replace("'", "").replace("’", "")))


@lru_cache(maxsize=65536)
def folded(name: str) -> str:
    """Case, diacritics, hyphens, apostrophes and spaces aside ("al-Sham" -> "alsham")."""
    return "".join(words(name))


@lru_cache(maxsize=65536)
def core(name: str) -> str:
    """The folded name without particles ("Bashar al-Assad" -> "basharassad")."""
    kept = [w for w in words(name) if w not in PARTICLES]
    return "".join(kept) or folded(name)


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    """The core's consonants, doubled ones once, the letters transliterations swap made one
    (q and c as k): what the spellings of a name share ("Karimi" / "Qarimi")."""
    return _consonants(core(name))


def _consonants(word: str) -> str:
    word = word.replace("ck", "k").replace("q", "k").replace("c", "k")
    return re.sub(r"(.)\1+", r"\1", _VOWELS_RE.sub("", word))


def acronym(name: str) -> str:
    """Initials of the name's words but particles ("Hayat Tahrir al-Sham" -> "hts")."""
    return "".join(w[0] for w in words(name) if w not in PARTICLES)


def is_acronym_of(short: str, long: str) -> bool:
    short_f = folded(short)
    return 2 <= len(short_f) <= 8 and len(words(long)) >= 2 and short_f == acronym(long)


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], list[tuple[str, re.Pattern[str]]]]:
    """country_converter's maintained data set: every country's short and official names,
    and the regular expression of its other names (the data file is read without importing
    the package, which would load pandas)."""
    spec = importlib.util.find_spec("country_converter")
    assert spec is not None and spec.submodule_search_locations
    data = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    with data.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    names = {folded(r[k]): r["ISO3"] for r in rows for k in ("name_short", "name_official")}
    patterns = [(r["ISO3"], re.compile(r["regex"], re.IGNORECASE)) for r in rows if r["regex"]]
    return names, patterns


@lru_cache(maxsize=65536)
def country(name: str) -> str | None:
    """The ISO code of the country `name` names on its own ("Turkey", "Türkiye": TUR), else
    None ("Turkish security sources" names no country by itself)."""
    plain = " ".join(words(name))
    if not plain or len(plain.split()) > 4:
        return None
    names, patterns = _countries()
    if folded(name) in names:
        return names[folded(name)]
    for code, pattern in patterns:
        match = pattern.search(plain)
        if match and len(match.group()) >= len(plain) - 2:  # the whole name, near enough
            return code
    return None


@dataclass(frozen=True)
class Named:
    """What name matching needs of an actor."""

    name: str
    aliases: tuple[str, ...]
    kind: str

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def name_basis(a: Named, b: Named) -> tuple[list[str], float] | None:
    """Why `a` and `b` are one actor (bases, score), or None. Persons by surname only are
    the caller's to decide (`surname_of`), since that needs the whole story."""
    if (a.kind == "person") != (b.kind == "person"):
        return None
    if a.kind == "person" and not given_names_compatible(surname_of(a)[1], surname_of(b)[1]):
        return None  # "Ali Hassan" and "Samir Hassan", whatever alias they share
    if folded(a.name) == folded(b.name):
        return ["same_name"], 1.0
    if _variant(a.name, b.name) or _reordered(a.name, b.name):
        return ["spelling_variant"], 0.9
    if any(is_acronym_of(x, y) or is_acronym_of(y, x) for x in a.forms for y in b.forms):
        return ["acronym"], 0.85
    fa, fb = {folded(f) for f in a.forms}, {folded(f) for f in b.forms}
    if fa & fb:
        return ["alias"], 0.85
    if a.kind in COUNTRY_KINDS and b.kind in COUNTRY_KINDS:
        codes = {country(f) for f in a.forms} & {country(f) for f in b.forms}
        if codes - {None}:
            return ["alias"], 0.85
    if any(_variant(x, y) for x in a.forms for y in b.forms):
        return ["spelling_variant", "alias"], 0.8
    return None


def _reordered(x: str, y: str) -> bool:
    """The same words in another order ("interior ministry" / "ministry of the interior")."""
    wx = sorted(w for w in words(x) if w not in PARTICLES and w != "of")
    wy = sorted(w for w in words(y) if w not in PARTICLES and w != "of")
    return len(wx) >= 2 and wx == wy


def _variant(x: str, y: str) -> bool:
    """Two spellings of one name: the same core, or the same consonant skeleton and close."""
    if core(x) == core(y):
        return True
    sx, sy = skeleton(x), skeleton(y)
    return (
        len(sx) >= MIN_SKELETON
        and sx == sy
        and Levenshtein.normalized_similarity(core(x), core(y)) >= MIN_VARIANT_SIMILARITY
    )


def surname_of(person: Named) -> tuple[str, list[str]]:
    """A person's surname (skeleton of the last word) and given names (folded)."""
    kept = [w for w in words(person.name) if w not in PARTICLES] or words(person.name)
    last = kept[-1] if kept else ""
    return _consonants(last) or last, kept[:-1]


def given_names_compatible(x: Sequence[str], y: Sequence[str]) -> bool:
    """Given names that may be one person's: "Nick" and "Nicholas", "N." and "Nick",
    "Abdulaziz" and "Abdel Aziz", or one without; "Ali" and "Omar" are not."""
    if not x or not y:
        return True
    jx, jy = "".join(x), "".join(y)
    if _SAME_SOUND.get(jx[0], jx[0]) != _SAME_SOUND.get(jy[0], jy[0]):
        return False
    if len(x[0]) == 1 or len(y[0]) == 1:
        return True  # an initial
    sx, sy = _consonants(jx), _consonants(jy)
    return sx.startswith(sy) or sy.startswith(sx)
