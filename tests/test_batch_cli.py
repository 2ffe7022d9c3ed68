"""Batches through the command line: kill -9 and resume, inputs that are not clean text."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import child_env, run_summarizer
from fakeserver import FakeOpenAI
from scenarios import ROOT
from test_batch import article, write_articles

from summarizer.contract.models import SummaryDocument
from summarizer.runs.outdir import ERRORS_FILE
from summarizer.sources.articles import load_article


def batch_cmd(inputs: Path, outdir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "summarizer", "summary", str(inputs), "-o", str(outdir), *extra]


def env_for(fake: FakeOpenAI) -> dict[str, str]:
    return {**child_env(), **fake.env()}


def pids_naming(marker: str) -> set[int]:
    """Processes whose command line holds `marker`: a batch and its forked workers."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    pids.add(int(entry.name))
            except OSError:
                pass
    return pids


def results(outdir: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in outdir.glob("*.json")}


def test_kill_9_then_resume_gives_the_same_complete_set(tmp_path):
    n = 40
    inputs = write_articles(tmp_path / "in", n)
    killed_out, clean_out = tmp_path / "killed", tmp_path / "clean"
    with FakeOpenAI(latency=0.1) as fake:
        with (tmp_path / "killed.stderr").open("w") as stderr:
            proc = subprocess.Popen(batch_cmd(inputs, killed_out, "--jobs", "4", "-q"),
                                    env=env_for(fake), cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=stderr)  # fmt: skip
        deadline = time.monotonic() + 30
        while len(list(killed_out.glob("*.json"))) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pids_naming(str(killed_out)) == {proc.pid}  # one process: nothing to orphan
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while pids_naming(str(killed_out)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pids_naming(str(killed_out)) == set()
        assert "Traceback" not in (tmp_path / "killed.stderr").read_text()
        # Whatever the kill left is whole: every result parses, nothing is half-written.
        done_at_kill = results(killed_out)
        assert 8 <= len(done_at_kill) < n
        for doc in done_at_kill.values():
            SummaryDocument.model_validate(doc)
        rerun = subprocess.run(batch_cmd(inputs, killed_out, "--jobs", "4", "-q"),
                               env=env_for(fake), cwd=ROOT, capture_output=True, text=True,
                               check=False)  # fmt: skip
        assert rerun.returncode == 0, rerun.stderr
        assert f"skipped    {len(done_at_kill):>8}" in rerun.stdout
        for name in done_at_kill:  # not one finished article was asked for again
            assert fake.count(f"Article {int(name[1:])}:") == 1, name
        clean = subprocess.run(batch_cmd(inputs, clean_out, "--jobs", "8", "-q"),
                               env=env_for(fake), cwd=ROOT, capture_output=True,
                               check=False)  # fmt: skip
        assert clean.returncode == 0
    resumed, fresh = results(killed_out), results(clean_out)
    assert set(resumed) == set(fresh) == {f"a{i:03d}" for i in range(1, n + 1)}
    for name in fresh:
        assert resumed[name]["extraction"] == fresh[name]["extraction"]
        assert resumed[name]["article"] == fresh[name]["article"]
    assert not list(killed_out.glob(".*.tmp"))  # the killed run's temporary files are gone
    assert (killed_out / ERRORS_FILE).read_text() == ""


def test_exit_codes_and_table(tmp_path):
    inputs = write_articles(tmp_path / "in", 3)
    (inputs / "empty.txt").write_text(" \n\t\n")
    (inputs / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with FakeOpenAI() as fake:
        done = run_summarizer(*batch_cmd(inputs, tmp_path / "out")[3:], env=env_for(fake))
        assert len(fake.requests) == 3  # no call for the empty or binary file
    assert done.returncode == 1
    assert "ok                3" in done.stdout and "failed            2" in done.stdout
    errors = [
        json.loads(line) for line in (tmp_path / "out" / ERRORS_FILE).read_text().splitlines()
    ]
    reasons = {Path(e["source"]).name: e["error"] for e in errors}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    # piped stderr: one plain line per article, no progress bar
    assert done.stderr.count("summarizer: [") == 5 and "\r" not in done.stderr


def test_several_articles_need_an_outdir(tmp_path):
    inputs = write_articles(tmp_path / "in", 2)
    done = run_summarizer("summary", str(inputs))
    assert done.returncode == 2 and "-o OUTDIR" in done.stderr


def test_encodings_are_decoded_with_a_notice(tmp_path):
    text = article(1) + " L’armée a déclaré « 200 morts »."
    cases = {
        "utf16.txt": text.encode("utf-16"),
        "bom8.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "cp1252.txt": text.encode("cp1252"),
        "cp1256.txt": (article(2) + " مقتل 200 شخص في حلب، بحسب المرصد السوري.").encode("cp1256"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    loaded, notices = load_article(str(tmp_path / "utf16.txt"))
    assert loaded.text == text and "UTF-16" in notices[0]
    loaded, notices = load_article(str(tmp_path / "bom8.txt"))
    assert loaded.text == text and notices == []
    loaded, notices = load_article(str(tmp_path / "cp1252.txt"))
    assert "déclaré « 200 morts »" in loaded.text and "--encoding" in notices[0]
    loaded, notices = load_article(str(tmp_path / "cp1256.txt"))
    assert "المرصد السوري" in loaded.text and "cp1256" in notices[0].lower()
    loaded, notices = load_article(str(tmp_path / "cp1252.txt"), encoding="cp1252")
    assert loaded.text == text and notices == []


def test_html_pages_give_their_article_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Rebels attack Kafr Nabl</title></head><body>"
        "<nav>Home | World | Sport | Subscribe now</nav><article><h1>Rebels attack Kafr Nabl</h1>"
        f"<p>{article(1)}</p><p>The Local Council said the shelling stopped at dawn.</p>"
        "</article><footer>Cookie settings. Copyright 2024.</footer></body></html>"
    )  # fmt: skip
    loaded, notices = load_article(str(page))
    assert loaded.text.startswith("Article 1: Rebels") and "shelling stopped" in loaded.text
    assert "Subscribe" not in loaded.text and "Cookie" not in loaded.text
    assert loaded.title == "Rebels attack Kafr Nabl" and "HTML" in notices[0]


def test_outputs_never_overwrite_inputs_and_a_directory_is_no_file(tmp_path):
    inputs = tmp_path / "wire"
    inputs.mkdir()
    (inputs / "story.json").write_text(json.dumps({"text": article(1)}))
    (inputs / "other.txt").write_text(article(2))
    done = run_summarizer(*batch_cmd(inputs, inputs)[3:])
    assert done.returncode == 2 and "also an input directory" in done.stderr
    assert json.loads((inputs / "story.json").read_text()) == {"text": article(1)}
    single = run_summarizer("summary", str(inputs / "other.txt"), "-o", str(tmp_path))
    assert single.returncode == 2 and "is a directory" in single.stderr
    assert "Traceback" not in single.stderr


def test_a_batch_tells_how_each_article_was_read_as_one_article_does(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "guessed.txt").write_bytes((article(1) + " L’armée a déclaré.").encode("cp1252"))
    (inputs / "page.html").write_text(f"<html><body><article><p>{article(2)}</p></article></body>")
    (inputs / "plain.txt").write_text(article(3))
    with FakeOpenAI() as fake:
        batch = run_summarizer(*batch_cmd(inputs, tmp_path / "out")[3:], env=env_for(fake))
        one = run_summarizer("summary", str(inputs / "guessed.txt"), env=env_for(fake))
        quiet = run_summarizer(*batch_cmd(inputs, tmp_path / "q")[3:], "-q", env=env_for(fake))
    assert batch.returncode == 0 and quiet.returncode == 0, batch.stderr
    notices = [line for line in batch.stderr.splitlines() if "notice:" in line]
    assert len(notices) == 2
    assert any("guessed.txt: not UTF-8; decoded as" in line for line in notices)
    assert any("page.html: HTML; the article's text was extracted" in line for line in notices)
    assert [line for line in one.stderr.splitlines() if "notice:" in line] == [
        line for line in notices if "guessed.txt" in line
    ]
    assert "notice:" not in quiet.stderr
