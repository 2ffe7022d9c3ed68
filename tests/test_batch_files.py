"""A batch's own files: one batch per OUTDIR, errors.jsonl whole and never a link followed,
names no article takes from another, only its own temporary files cleaned, and a full disk,
a read-only OUTDIR or Ctrl-C stopping with one line on what was saved."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import child_env, run_summarizer
from fakeserver import FakeOpenAI, article_of, echo_reply, last_user_text
from scenarios import ROOT
from test_batch import article, write_articles

from summarizer.runs import outcomes
from summarizer.runs.outdir import ERRORS_FILE, OutputDir


def batch(inputs: Path, outdir: Path, fake: FakeOpenAI, *extra: str):
    return run_summarizer("summary", str(inputs), "-o", str(outdir), *extra, env=fake.env())


def test_a_second_batch_on_the_same_outdir_is_refused_at_once(tmp_path):
    inputs, outdir = write_articles(tmp_path / "in", 2), tmp_path / "out"
    holder = OutputDir(outdir)
    holder.open()
    try:
        with FakeOpenAI() as fake:
            second = batch(inputs, outdir, fake)
            assert fake.requests == []
    finally:
        holder.close()
    assert second.returncode == 2 and "another batch is writing there" in second.stderr
    assert f"(process {os.getpid()})" in second.stderr


def test_the_lock_goes_with_a_killed_process(tmp_path):
    outdir = tmp_path / "out"
    code = (f"from summarizer.runs.outdir import OutputDir; from pathlib import Path; "
            f"OutputDir(Path({str(outdir)!r})).open(); print('held', flush=True); "
            "import time; time.sleep(60)")  # fmt: skip
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(Exception, match="another batch"):
        OutputDir(outdir).open()
    holder.kill()
    holder.wait()
    again = OutputDir(outdir)
    again.open()  # no stale lock to clear by hand
    again.close()


def test_errors_jsonl_replaces_a_planted_link_and_names_the_articles_id(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / ERRORS_FILE).symlink_to(victim)
    source = tmp_path / "wire.jsonl"
    source.write_text(json.dumps({"id": "no-text-here", "title": "t"}) + "\n"
                      + json.dumps({"id": "fine", "text": article(1)}) + "\n")  # fmt: skip
    with FakeOpenAI() as fake:
        done = batch(source, outdir, fake)
    assert done.returncode == 1
    assert victim.read_text() == "do not touch\n" and not (outdir / ERRORS_FILE).is_symlink()
    (record,) = [json.loads(x) for x in (outdir / ERRORS_FILE).read_text().splitlines()]
    assert record["id"] == "no-text-here" and '"text"' in record["error"]


def test_no_article_takes_another_ones_name(tmp_path):
    source = tmp_path / "wire.jsonl"
    lines = [{"id": "x.failed", "text": article(1)}, {"id": "x", "text": "Nobody said anything."}]
    lines += [{"id": "same", "text": article(2)}] * 4
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    bad = {"headline": "Nothing", "summary": "Nothing.", "actors": [], "claims": [],
           "events": [{"id": "E1", "type": "other", "description": "Martians landed.",
                       "when": None, "where": None, "actor_ids": [], "figures": [],
                       "evidence": ["Martians landed in Kafr Nabl"]}]}  # fmt: skip

    def responder(body: dict):
        from fakeserver import ok

        return ok(bad) if "Nobody said" in article_of(body) else echo_reply(body)

    with FakeOpenAI(responder=responder) as fake:
        done = batch(source, tmp_path / "out", fake, "--on-problems", "fail")
    names = sorted(p.name for p in (tmp_path / "out").glob("*.json"))
    assert done.returncode == 1 and len(names) == 6  # 5 results and the kept failed one
    assert "x.failed.json" in names  # x's kept document ...
    assert any(n.startswith("x.failed-") for n in names)  # ... and x.failed's own result
    assert len([n for n in names if n.startswith("same")]) == 4
    kept = json.loads((tmp_path / "out" / "x.failed.json").read_text())
    assert kept["article"]["id"] == "x"


def test_only_the_tools_own_temporary_files_are_cleaned(tmp_path):
    inputs, outdir = write_articles(tmp_path / "in", 1), tmp_path / "out"
    outdir.mkdir()
    (outdir / ".notes.tmp").write_text("mine")
    (outdir / "draft.tmp").write_text("mine too")
    (outdir / ".a001.json.4242-7.tmp").write_text("{half")  # left by a killed batch
    with FakeOpenAI() as fake:
        assert batch(inputs, outdir, fake).returncode == 0
    left = {p.name for p in outdir.iterdir()}
    assert {".notes.tmp", "draft.tmp"} <= left and ".a001.json.4242-7.tmp" not in left


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"])
def test_a_full_disk_stops_the_batch_with_one_line(tmp_path, monkeypatch, code):
    inputs, outdir = write_articles(tmp_path / "in", 6), tmp_path / "out"
    real = outcomes.write_atomic
    written = []

    def filling(path: Path, text: str, **kw) -> None:
        if len(written) >= 2:
            raise OSError(code, os.strerror(code))
        written.append(path)
        real(path, text, **kw)

    monkeypatch.setattr(outcomes, "write_atomic", filling)
    with FakeOpenAI() as fake:
        done = batch(inputs, outdir, fake, "--jobs", "1")
        sent = len(fake.requests)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = [x for x in done.stderr.splitlines() if "result(s) saved" in x]
    assert f"cannot write the result in {outdir}: {os.strerror(code)}" in line
    assert "2 result(s) saved" in line and "4 article(s) not saved" in line
    assert sent <= 4  # the article that met the full disk and the one in hand, no more
    assert "stopped writing" in done.stdout


def test_ctrl_c_says_what_was_saved(tmp_path):
    inputs, outdir = write_articles(tmp_path / "in", 30), tmp_path / "out"
    with FakeOpenAI(latency=0.2) as fake:
        env = {**child_env(), **fake.env()}
        command = [sys.executable, "-m", "summarizer", "summary", str(inputs), "-o", str(outdir),
                   "--jobs", "2", "-q"]  # fmt: skip
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.monotonic() + 30
        while len(list(outdir.glob("*.json"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err
    saved = len(list(outdir.glob("*.json")))
    assert "interrupted" in out and re.search(rf"^ok +{saved}$", out, re.M)
    assert f"interrupted: {saved} result(s) saved in {outdir}" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "nan"], "timeout nan: give a positive number"),
        (["--timeout", "-1"], "timeout -1.0: give a positive number"),
        (["--base-url", "ftp://example.org"], "give an http:// or https:// address"),
        (["--jobs", "4"], "--jobs: only for many articles"),
        (["--no-resume", "--max-requests", "3"], "--max-requests, --no-resume: only for many"),
        (["-o", "{article}"], "is the article itself"),
        (["-o", "{tmp}/no/such/dir/doc.json"], "cannot write in"),
    ],
    ids=["nan-timeout", "negative-timeout", "base-url", "jobs", "batch-options", "o-is-input",
         "o-not-writable"],
)  # fmt: skip
def test_options_are_checked_before_any_request(tmp_path, args, message):
    path = tmp_path / "a.txt"
    path.write_text(article(1))
    args = [a.format(article=path, tmp=tmp_path) for a in args]
    with FakeOpenAI() as fake:
        done = run_summarizer("summary", str(path), *args, env=fake.env())
        assert fake.requests == []
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert path.read_text() == article(1)


def test_an_empty_folder_is_an_error_and_replay_says_which_wins(tmp_path):
    (tmp_path / "empty").mkdir()
    done = run_summarizer("summary", str(tmp_path / "empty"), "-o", str(tmp_path / "out"))
    assert done.returncode == 2 and f"no article in {tmp_path / 'empty'}" in done.stderr
    replayed = run_summarizer("summary", "examples/aleppo-offensive-1.txt", "--replay",
                              "cassettes", "--api-key", "sk-mine", "--base-url",
                              "http://127.0.0.1:9/v1")  # fmt: skip
    assert replayed.returncode == 0
    assert "--base-url and --api-key not used" in replayed.stderr


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the task ended meanwhile
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_a_check_process_that_dies_costs_no_article(tmp_path):
    from test_batch import Run

    killed = []

    def responder(body: dict):
        if "Article 5:" in last_user_text(body) and not killed:
            victim = children_of(os.getpid())[0]  # a pool process (the fake is a thread)
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
        return echo_reply(body)

    with FakeOpenAI(responder=responder) as fake:
        run = Run(fake, [write_articles(tmp_path / "in", 12)], tmp_path / "out", jobs=2,
                  workers=2)  # fmt: skip
    assert killed and run.report.counts["ok"] == 12 and run.errors() == []


def test_a_killed_batch_takes_its_check_processes_with_it(tmp_path):
    inputs, outdir = write_articles(tmp_path / "in", 40), tmp_path / "out"
    with FakeOpenAI(latency=0.2) as fake:
        env = {**child_env(), **fake.env()}
        command = [sys.executable, "-m", "summarizer", "summary", str(inputs), "-o", str(outdir),
                   "--jobs", "4", "--check-processes", "2", "-q"]  # fmt: skip
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while len(list(outdir.glob("*.json"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        pool = children_of(proc.pid)
        assert len(pool) == 2
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 5
        while any(Path(f"/proc/{p}").exists() for p in pool) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert not any(Path(f"/proc/{p}/cmdline").exists() for p in pool)


def test_a_broken_html_reader_costs_only_the_html_article(tmp_path, monkeypatch):
    from summarizer.sources import articles

    def broken(html: str, where: str):
        raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")

    monkeypatch.setattr(articles, "from_html", broken)
    inputs = write_articles(tmp_path / "in", 2)
    (inputs / "page.html").write_text(f"<html><body><p>{article(3)}</p></body></html>")
    with FakeOpenAI() as fake:
        done = batch(inputs, tmp_path / "out", fake)
    assert done.returncode == 1 and "ok                2" in done.stdout
    (record,) = [json.loads(x) for x in (tmp_path / "out" / ERRORS_FILE).read_text().splitlines()]
    assert record["error"].startswith("internal error: ImportError: lxml.html.clean")
