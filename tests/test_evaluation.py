"""The development evaluation set: the figures may not fall below what was reached."""

from __future__ import annotations

import pytest
from conftest import EVAL, EXAMPLES

from summarizer.evaluate import evaluate

#: Reached on the development set and the held-out set (tests/heldout: three articles on
#: other subjects, written without sight of the rules) when these thresholds were set; a
#: change that lowers any of them fails. Raise them when the validator improves.
MIN_RECALL = 1.0
MIN_EXACT_CODE = 1.0
MAX_FALSE_ALARMS = 0.0


HELDOUT = EVAL.parent / "heldout"


@pytest.mark.parametrize(("eval_dir", "articles"), [(EVAL, EXAMPLES), (HELDOUT, HELDOUT)])
def test_evaluation_scores(eval_dir, articles):
    scores = evaluate(eval_dir, articles)
    assert scores.faults >= 40 and scores.clean >= 100
    assert scores.recall >= MIN_RECALL, scores.misses
    assert scores.exact_share >= MIN_EXACT_CODE, scores.misses
    assert scores.false_alarm_rate <= MAX_FALSE_ALARMS, scores.misses


def test_every_code_is_planted_at_least_four_times():
    import json
    from collections import Counter

    counts: Counter[str] = Counter()
    for labels in EVAL.glob("*.labels.json"):
        counts.update(f["code"] for f in json.loads(labels.read_text())["faults"])
    from summarizer.contract.models import PROBLEM_CODES

    assert all(counts[code] >= 4 for code in PROBLEM_CODES), counts
