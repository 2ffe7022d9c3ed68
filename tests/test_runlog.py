"""The run log: every run and article in SQLite, `summarizer logs`, migrations, no key."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from conftest import run_summarizer
from fakeserver import FakeOpenAI
from scenarios import TEST_KEY
from test_batch import write_articles

from summarizer.runs import log


def test_a_batch_is_logged_with_its_cost_and_outcomes_and_the_shell_opens_it(tmp_path):
    inputs = write_articles(tmp_path / "in", 3)
    (inputs / "empty.txt").write_text(" ")
    secret = "sk-unusual-secret-0123456789"
    with FakeOpenAI() as fake:
        env = fake.env(secret)
        run_summarizer("summary", str(inputs), "-o", str(tmp_path / "out"), "-q", env=env)
    listed = run_summarizer("logs")
    assert listed.returncode == 0
    assert "4 article(s): failed 1, ok 3" in listed.stdout and "summary" in listed.stdout
    (run,) = json.loads(run_summarizer("logs", "--json", "-q", "a002").stdout)
    assert run["articles"] == 4 and run["requests"] == 3 and run["model"] == "gpt-4.1-mini"
    assert run["cost_usd"] and run["cost_usd"] > 0
    assert json.loads(run_summarizer("logs", "--json", "-q", "no-such-article").stdout) == []
    db = Path(os.environ["SUMMARIZER_LOG_DB"])
    assert secret.encode() not in db.read_bytes() and TEST_KEY.encode() not in db.read_bytes()
    shell = shutil.which("sqlite3")
    assert shell, "the sqlite3 shell (.ci/run installs it)"
    rows = subprocess.run([shell, str(db), "SELECT outcome, count(*) FROM articles GROUP BY"
                           " outcome ORDER BY outcome"], capture_output=True, text=True,
                          check=True).stdout.split()  # fmt: skip
    assert rows == ["failed|1", "ok|3"]


def test_one_article_is_logged_and_no_log_logs_nothing(tmp_path):
    run_summarizer("summary", "examples/aleppo-offensive-1.txt", "--replay", "cassettes")
    run_summarizer("summary", "examples/aleppo-offensive-1.txt", "--replay", "cassettes",
                   "--no-log")  # fmt: skip
    runs = json.loads(run_summarizer("logs", "--json").stdout)
    assert len(runs) == 1 and runs[0]["articles"] == 1 and runs[0]["cost_usd"] == 0.009746
    db = sqlite3.connect(os.environ["SUMMARIZER_LOG_DB"])
    ((sha, problems),) = db.execute("SELECT sha256, problems FROM articles").fetchall()
    assert len(sha) == 64 and json.loads(problems) == {}


def test_migrations_run_once_and_bring_an_old_database_up_to_date(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    log.connect(path).close()
    added = []

    def m002(db: sqlite3.Connection) -> None:
        added.append(1)
        db.execute("ALTER TABLE runs ADD COLUMN note TEXT")

    monkeypatch.setattr(log, "MIGRATIONS", [*log.MIGRATIONS, ("m002_note", m002)])
    log.connect(path).close()
    log.connect(path).close()
    db = sqlite3.connect(path)
    assert added == [1]
    assert "note" in [r[1] for r in db.execute("PRAGMA table_info(runs)")]
    assert [r[0] for r in db.execute("SELECT name FROM _migrations")] == [
        "m001_runs_and_articles", "m002_note"]  # fmt: skip


def test_a_log_that_cannot_be_written_is_a_notice_not_a_failure(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = run_summarizer("summary", "examples/aleppo-offensive-1.txt", "--replay", "cassettes",
                          "--log-db", str(blocker / "logs.db"))  # fmt: skip
    assert done.returncode == 0 and "the run was not logged" in done.stderr


def test_a_file_that_is_no_run_log_is_bad_input(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all " * 40)
    done = run_summarizer("logs", "--log-db", str(junk))
    assert done.returncode == 2 and "not a run log" in done.stderr
