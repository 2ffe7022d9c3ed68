"""Time `summarizer.validate` on articles of 5 KB and 100 KB with 40 and 800 items.

    python benchmarks/grounding_speed.py [--repeat 101]

The 5 KB case is a reference article with its evaluation extraction, grown to 40 items.
The 100 KB cases are the two reference articles followed by generated news-like paragraphs
(seeded, so every run validates the same text); their items quote sentences drawn from
across the whole article, with figures, quotes and speakers, as a model's would. Each figure
is the median of repeated runs, each with the checks' memo caches emptied first, as a new
article finds them. Cost per character is printed to show how it grows.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import time
from pathlib import Path

from memos import forget_memos

from summarizer import validate
from summarizer.contract.models import Extraction

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Karim Haddad", "Lina Saleh", "Omar Nasser", "Maya Tannous", "Yusuf Demir"]
PLACES = ["Aleppo", "Idlib", "Hama", "Latakia", "Homs", "Raqqa", "Deir ez-Zor", "Tartus"]
GROUPS = ["the observatory", "the ministry", "the monitor", "the council", "the agency"]


def grown_article(target_chars: int, rng: random.Random) -> str:
    parts = [(ROOT / "examples" / f"aleppo-offensive-{i}.txt").read_text() for i in (1, 2)]
    text = "\n".join(parts)
    while len(text) < target_chars:
        who, place, group = rng.choice(NAMES), rng.choice(PLACES), rng.choice(GROUPS)
        n, m = rng.randint(2, 900), rng.randint(2, 60)
        text += (
            f"\n{who}, a spokesperson for {group}, said that {n} people had fled {place} "
            f'since Monday. "We counted {m} convoys on the road to {place}," {who} said. '
            f"Fighting around {place} continued for a {rng.choice(['second', 'third'])} day, "
            f"according to {group}, while aid groups warned of shortages of fuel and bread."
        )
    return text


def items_for(text: str, n_items: int, rng: random.Random) -> dict:
    """An extraction whose items quote sentences of `text` (a fifth with a typo)."""
    sentences = [s.strip() for s in text.replace("\n", " ").split(". ") if len(s) > 60]
    actors = [
        {"id": f"A{i + 1}", "name": name, "aliases": [], "kind": "person",
         "description": "spokesperson", "affiliation_id": None, "evidence": [name]}
        for i, name in enumerate(NAMES)
    ]  # fmt: skip
    claims = []
    for i in range(n_items - len(actors)):
        sentence = rng.choice(sentences)
        words = sentence.split()
        start = rng.randint(0, max(0, len(words) - 12))
        excerpt = " ".join(words[start : start + 12])
        if i % 5 == 0:  # a typo in an ordinary word: takes the fuzzy path
            excerpt = excerpt.replace("the ", "teh ", 1)
        claims.append(
            {"id": f"C{i + 1}", "statement": "Fighting continued near Aleppo.",
             "speaker_id": rng.choice(actors)["id"], "attribution": "indirect", "quote": None,
             "figures": [], "evidence": [excerpt]}
        )  # fmt: skip
    return {"headline": "Rebels cut the Damascus-Aleppo highway",
            "summary": "Around 200 people were killed in fighting near Aleppo in 2024.",
            "actors": actors, "events": [], "claims": claims}  # fmt: skip


def reference_case(n_items: int) -> tuple[str, Extraction]:
    """Reference article 1 and its evaluation extraction, cut or grown to `n_items`."""
    text = (ROOT / "examples" / "aleppo-offensive-1.txt").read_text()
    data = json.loads((ROOT / "tests" / "eval" / "aleppo-offensive-1.faithful.json").read_text())
    pool = [("actors", a) for a in data["actors"]] + [("events", e) for e in data["events"]]
    pool += [("claims", c) for c in data["claims"]]
    for i in range(max(0, n_items - len(pool))):  # grow with renumbered copies of claims
        c = copy.deepcopy(data["claims"][i % len(data["claims"])])
        c["id"] = f"C{100 + i}"
        pool.append(("claims", c))
    rng = random.Random(7)
    chosen = rng.sample(pool, n_items) if len(pool) > n_items else pool
    kept = {id(item) for _, item in chosen}
    for kind in ("actors", "events", "claims"):
        data[kind] = [item for k, item in pool if k == kind and id(item) in kept]
    return text, Extraction.model_validate(data)


def median_ms(text: str, extraction: Extraction, repeat: int) -> float:
    validate(text, extraction)  # warm what every article shares: imports, word lists
    times = []
    for _ in range(repeat):
        forget_memos()  # but not this article's parsed sentences
        t0 = time.perf_counter()
        validate(text, extraction)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=101)
    args = parser.parse_args()
    rng = random.Random(20241128)
    big = grown_article(100_000, rng)
    cases = [
        ("5 KB article, 40 items", *reference_case(40)),
        ("100 KB article, 40 items", big, Extraction.model_validate(items_for(big, 40, rng))),
        ("100 KB article, 800 items", big, Extraction.model_validate(items_for(big, 800, rng))),
    ]
    print(f"validate(), median of {args.repeat} runs")
    for label, text, extraction in cases:
        n = len(extraction.actors) + len(extraction.events) + len(extraction.claims)
        ms = median_ms(text, extraction, args.repeat)
        print(f"{label:<28} {len(text):>7} chars {n:>4} items {ms:8.2f} ms"
              f"  ({ms * 1000 / len(text):.3f} µs/char)")  # fmt: skip


if __name__ == "__main__":
    main()
