"""The provider's Batch API against a local fake of the Files and Batches endpoints: the
same documents as a live batch, nothing paid for twice when killed at any step, the
repair round as a second batch or live, expired batches, and the limits per file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EVAL, ROOT, child_env, run_summarizer
from fakebatches import FakeBatchAPI
from fakeserver import FakeOpenAI, ok, reference_inputs, reference_name
from scenarios import TEST_KEY
from test_batch import write_articles

from summarizer.runs import batch_api


def faithful(body: dict):
    name = reference_name(body)
    return ok(json.loads((EVAL / f"{name}.faithful.json").read_text()))


def same_results(a: Path, b: Path) -> None:
    for name in ("aleppo-offensive-1", "aleppo-offensive-2"):
        x, y = (json.loads((d / f"{name}.json").read_text()) for d in (a, b))
        assert x["extraction"] == y["extraction"] and x["grounding"] == y["grounding"]
        assert x["article"] == y["article"] and x["provenance"]["attempts"] == 1
        assert y["provenance"]["estimated_cost_usd"] == pytest.approx(
            x["provenance"]["estimated_cost_usd"] / 2
        )  # the Batch API's half price


def test_a_batch_api_run_gives_the_documents_of_a_live_batch(tmp_path):
    inputs = reference_inputs(tmp_path)
    with FakeOpenAI(responder=faithful) as fake:
        live = run_summarizer(
            "summary", str(inputs), "-o", str(tmp_path / "live"), env=fake.env()
        )
        api = FakeBatchAPI(fake, polls=2)
        first = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "api"), "--batch-api",
                               env=fake.env())  # fmt: skip
        assert first.returncode == 0 and "summarizer collect" in first.stdout
        waiting = run_summarizer("collect", str(tmp_path / "api"), env=fake.env())
        assert "not ended yet" in waiting.stdout and "in_progress" in waiting.stdout
        done = run_summarizer("collect", str(tmp_path / "api"), env=fake.env())
    assert live.returncode == 0 and done.returncode == 0, done.stderr
    assert (api.uploads, api.creations) == (1, 1)
    same_results(tmp_path / "live", tmp_path / "api")
    assert (tmp_path / "api" / "errors.jsonl").read_text() == ""
    assert "batch-api" in run_summarizer("logs").stdout


@pytest.mark.parametrize("step", ["upload", "create", "retrieve", "content"])
def test_killed_at_any_step_a_rerun_pays_for_nothing_twice(tmp_path, step):
    inputs = reference_inputs(tmp_path)
    out = tmp_path / "out"
    with FakeOpenAI(responder=faithful) as fake:
        api = FakeBatchAPI(fake, polls=1)
        command = [sys.executable, "-m", "summarizer", "summary", str(inputs), "-o", str(out),
                   "--batch-api", "--wait"]  # fmt: skip
        proc = subprocess.Popen(command, env={**child_env(), **fake.env()}, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        api.on[step] = lambda: os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        again = run_summarizer("summary", str(inputs), "-o", str(out), "--batch-api", "--wait",
                               env=fake.env())  # fmt: skip
        if again.returncode != 0 or "ok" not in again.stdout:
            again = run_summarizer("collect", str(out), "--wait", env=fake.env())
    assert again.returncode == 0, again.stdout + again.stderr
    assert (api.uploads, api.creations) == (1, 1)  # nothing submitted twice
    assert {p.name for p in out.glob("aleppo-*.json")} == {
        "aleppo-offensive-1.json", "aleppo-offensive-2.json"}  # fmt: skip


def faulty_then_faithful(body: dict):
    """The first answer has problems; the repair request gets the faithful one."""
    if "could not" in body["messages"][-1]["content"] or len(body["messages"]) > 2:
        return faithful(body)
    name = reference_name(body)
    return ok(json.loads((EVAL / f"{name}.faulty.json").read_text()))


@pytest.mark.parametrize("live", [False, True], ids=["second-batch", "repair-live"])
def test_the_repair_round_is_a_second_batch_or_live(tmp_path, live):
    inputs = reference_inputs(tmp_path)
    extra = ["--repair-live"] if live else []
    with FakeOpenAI(responder=faulty_then_faithful) as fake:
        api = FakeBatchAPI(fake, polls=1)
        done = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "out"), "--batch-api",
                              "--wait", *extra, env=fake.env())  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert api.creations == (1 if live else 2)
    doc = json.loads((tmp_path / "out" / "aleppo-offensive-1.json").read_text())
    assert doc["grounding"]["ok"] and doc["provenance"]["attempts"] == 2


def test_a_live_repair_round_checks_no_article_that_had_ended_again(tmp_path, monkeypatch):
    from summarizer.pipeline import drivers

    checked: list[str] = []

    def counted(check):
        checked.append("aleppo-offensive-1" if "Bonus video" in check.text else "other")
        return run_check(check)

    run_check = drivers.run_check
    monkeypatch.setattr(drivers, "run_check", counted)

    def responder(body: dict):  # the first article is clean, the second needs a repair
        is_first = reference_name(body) == "aleppo-offensive-1"
        return faithful(body) if is_first else faulty_then_faithful(body)

    with FakeOpenAI(responder=responder) as fake:
        FakeBatchAPI(fake, polls=1)
        done = run_summarizer("summary", str(reference_inputs(tmp_path)), "-o",
                              str(tmp_path / "out"), "--batch-api", "--wait", "--repair-live",
                              env=fake.env())  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert checked.count("aleppo-offensive-1") == 1  # ended at once, never checked again


def test_an_expired_batch_keeps_what_completed_and_a_rerun_sends_the_rest(tmp_path):
    inputs = write_articles(tmp_path / "in", 3)
    out = tmp_path / "out"
    with FakeOpenAI() as fake:
        api = FakeBatchAPI(fake, polls=1, expire_after=1)
        first = run_summarizer("summary", str(inputs), "-o", str(out), "--batch-api", "--wait",
                               env=fake.env())  # fmt: skip
        assert first.returncode == 1 and "ok                1" in first.stdout
        errors = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
        assert len(errors) == 2 and all("ended expired" in e["error"] for e in errors)
        api.expire_after = None
        again = run_summarizer("summary", str(inputs), "-o", str(out), "--batch-api", "--wait",
                               env=fake.env())  # fmt: skip
    assert again.returncode == 0 and "skipped           1" in again.stdout
    assert api.creations == 2 and len(list(out.glob("a00*.json"))) == 3


def test_files_keep_within_the_limits(monkeypatch):
    monkeypatch.setattr(batch_api, "MAX_BATCH_REQUESTS", 2)
    pending = [batch_api.Pending(f"x-{i}", b"{}") for i in range(5)]
    assert [len(c) for c in batch_api._chunks(pending)] == [2, 2, 1]
    monkeypatch.setattr(batch_api, "MAX_BATCH_REQUESTS", 50_000)
    monkeypatch.setattr(batch_api, "MAX_BATCH_BYTES", 450)
    assert [len(c) for c in batch_api._chunks(pending)] == [2, 2, 1]


def test_collect_without_a_run_says_how_to_begin_one(tmp_path):
    done = run_summarizer("collect", str(tmp_path))
    assert done.returncode == 2 and "--batch-api" in done.stderr


def test_the_recorded_wire_format_replays_to_the_same_documents(tmp_path):
    """cassettes/scenarios/batch-api-aleppo.yaml: the Files and Batches calls of a run (composed
    against the fake; `python tests/compose_cassettes.py --live` records them from the API)."""
    import vcr
    from scenarios import SCENARIOS

    cassette = SCENARIOS["batch-api-aleppo"].path
    inputs = reference_inputs(tmp_path)
    replay = vcr.VCR(record_mode="none", match_on=("method", "path"))
    with replay.use_cassette(str(cassette)) as played:
        # Composed against a local address, so no prompt_cache_key in the bodies: the same here.
        env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
        done = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "out"), "--batch-api",
                              "--wait", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert played.all_played
    for name in ("aleppo-offensive-1", "aleppo-offensive-2"):
        doc = json.loads((tmp_path / "out" / f"{name}.json").read_text())
        assert doc["grounding"]["ok"] and doc["provenance"]["estimated_cost_usd"] > 0


def test_collect_goes_on_with_the_model_the_run_began_with(tmp_path):
    inputs = write_articles(tmp_path / "in", 2)
    out = tmp_path / "out"
    with FakeOpenAI() as fake:
        api = FakeBatchAPI(fake, polls=2)
        run_summarizer("summary", str(inputs), "-o", str(out), "--batch-api", "--model", "gpt-4o",
                       env=fake.env())  # fmt: skip
        refused = run_summarizer("collect", str(out), "--model", "gpt-4.1", env=fake.env())
        assert refused.returncode == 2 and "began with gpt-4o" in refused.stderr
        run_summarizer("collect", str(out), env=fake.env())
        done = run_summarizer("collect", str(out), env=fake.env())
    assert done.returncode == 0 and (api.uploads, api.creations) == (1, 1)
    assert json.loads((out / "a001.json").read_text())["provenance"]["model"] == "gpt-4o"


def test_a_batch_error_never_shows_the_key(tmp_path):
    from fakeserver import status

    inputs = write_articles(tmp_path / "in", 2)
    with FakeOpenAI() as fake:
        fake.script("Article 1:", status(400, f"Key {TEST_KEY} cannot use this model " + "x" * 900))
        FakeBatchAPI(fake, polls=1)
        done = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "out"), "--batch-api",
                              "--wait", env=fake.env())  # fmt: skip
    errors = (tmp_path / "out" / "errors.jsonl").read_text()
    answers = "".join(p.read_text() for p in (tmp_path / "out" / ".batch-api").rglob("*.json"))
    assert done.returncode == 1 and "[redacted]" in errors
    assert TEST_KEY not in errors + done.stdout + answers and len(errors) < 1200


def test_a_batch_that_answered_nothing_is_sent_again_by_the_next_run(tmp_path):
    inputs = write_articles(tmp_path / "in", 2)
    out = tmp_path / "out"
    with FakeOpenAI() as fake:
        api = FakeBatchAPI(fake, polls=1, expire_after=0)
        first = run_summarizer("summary", str(inputs), "-o", str(out), "--batch-api", "--wait",
                               env=fake.env())  # fmt: skip
        assert first.returncode == 1 and "failed            2" in first.stdout
        api.expire_after = None
        again = run_summarizer("summary", str(inputs), "-o", str(out), "--batch-api", "--wait",
                               env=fake.env())  # fmt: skip
    assert again.returncode == 0 and (api.uploads, api.creations) == (2, 2)


def test_one_text_twice_is_one_request_and_two_results(tmp_path):
    source = tmp_path / "wire.jsonl"
    same = "reuters-2024-11-28-syria-aleppo-offensive-"
    text = "Rebels attacked Kafr Nabl on Monday."
    lines = [{"id": f"{same}{'x' * 10}-{n}", "text": text} for n in "ab"]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines))
    with FakeOpenAI() as fake:
        api = FakeBatchAPI(fake, polls=1)
        done = run_summarizer("summary", str(source), "-o", str(tmp_path / "out"), "--batch-api",
                              "--wait", env=fake.env())  # fmt: skip
        uploaded = [f["data"] for f in api.files.values() if f["meta"]["purpose"] == "batch"]
    assert done.returncode == 0 and "ok                2" in done.stdout
    (data,) = uploaded
    ids = [json.loads(x)["custom_id"] for x in data.decode().splitlines()]
    assert len(ids) == len(set(ids)) == 1


def test_max_requests_is_refused_with_the_batch_api(tmp_path):
    inputs = write_articles(tmp_path / "in", 2)
    done = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "o"), "--batch-api",
                          "--max-requests", "1")  # fmt: skip
    assert done.returncode == 2 and "--max-requests" in done.stderr
