"""`summarizer summary` end to end, answered from the cassettes with --replay."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_summarizer
from scenarios import CASSETTES, ROOT, SCENARIOS

from summarizer.contract.models import SummaryDocument

ARTICLE1 = "examples/aleppo-offensive-1.txt"
SECRET = "sk-proj-secret-0123456789abcdefghijklmnop"


#: The command, run in this process.
cli = run_summarizer


def only(name: str, tmp_path: Path) -> Path:
    """A replay directory holding just one scenario's cassette."""
    directory = tmp_path / name
    directory.mkdir()
    shutil.copy(SCENARIOS[name].path, directory)
    return directory


def test_replay_needs_no_key_and_prints_the_document():
    done = cli("summary", ARTICLE1, "--replay", "cassettes")
    assert done.returncode == 0, done.stderr
    doc = SummaryDocument.model_validate_json(done.stdout)  # piped: JSON
    assert doc.grounding.ok and doc.article.id == "aleppo-offensive-1"


def test_markdown_brief_shows_every_item_and_its_status(tmp_path):
    out = tmp_path / "brief.md"
    done = cli("summary", ARTICLE1, "--replay", "cassettes", "-o", str(out))
    assert done.returncode == 0 and done.stdout == ""
    brief = out.read_text()
    doc = json.loads(cli("summary", ARTICLE1, "--replay", "cassettes").stdout)
    assert brief.startswith(f"# {doc['extraction']['headline']}")
    assert "## Events" in brief and "## Actors" in brief and "## Claims" in brief
    n_items = sum(len(doc["extraction"][k]) for k in ("actors", "events", "claims"))
    assert brief.count("✓ grounded") + brief.count("~ weak") == n_items
    assert "> “" in brief  # quotes are shown


def test_text_format_and_stdin_json_article():
    article = {"text": (ROOT / ARTICLE1).read_text()}
    done = cli(
        "summary", "-", "--replay", "cassettes", "--format", "text", stdin=json.dumps(article)
    )
    assert done.returncode == 0, done.stderr
    assert "CLAIMS" in done.stdout and "grounding: ok" in done.stdout


def test_a_request_with_no_recording_says_so():
    done = cli("summary", ARTICLE1, "--replay", "cassettes", "--title", "Another title")
    assert done.returncode == 2 and done.stdout == ""
    assert "no recording in cassettes answers this request" in done.stderr
    assert "Traceback" not in done.stderr


def test_verbose_reports_requests_and_the_bound(tmp_path):
    done = cli("summary", ARTICLE1, "--replay", str(only("repair-fixes", tmp_path)), "-v")
    assert done.returncode == 0
    assert "call 1:" in done.stderr and "call 2: 0 problem(s)" in done.stderr
    assert "2 request(s) to gpt-4.1-mini (at most 8 for an article)" in done.stderr


def test_on_problems_fail_exits_1_and_keeps_the_document(tmp_path):
    out = tmp_path / "doc.json"
    replay = only("repair-does-not-help", tmp_path)
    done = cli(
        "summary", ARTICLE1, "--replay", str(replay), "--on-problems", "fail", "-o", str(out)
    )
    assert done.returncode == 1 and "still have problems" in done.stderr
    assert not SummaryDocument.model_validate_json(out.read_text()).grounding.ok
    dropped = cli("summary", ARTICLE1, "--replay", str(replay), "--on-problems", "drop")
    assert dropped.returncode == 0 and len(json.loads(dropped.stdout)["dropped"]) == 2


@pytest.mark.parametrize("name", ["refusal", "quota", "unauthorized"])
def test_service_failures_exit_3_with_one_line(name, tmp_path):
    done = cli("summary", ARTICLE1, "--replay", str(only(name, tmp_path)))
    assert done.returncode == 3 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_missing_key_and_bad_input_exit_2(tmp_path):
    done = cli("summary", ARTICLE1)
    assert done.returncode == 2 and "OPENAI_API_KEY" in done.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    done = cli("summary", str(empty), "--replay", "cassettes")
    assert done.returncode == 2 and "empty" in done.stderr
    bad = tmp_path / "a.json"
    bad.write_text('{"title": "no text"}')
    done = cli("summary", str(bad), "--replay", "cassettes")
    assert done.returncode == 2 and '"text"' in done.stderr


def test_the_key_never_reaches_output_or_logs(tmp_path):
    out = tmp_path / "doc.md"
    done = cli("summary", ARTICLE1, "--replay", str(only("unauthorized", tmp_path)), "-v",
               env={"OPENAI_API_KEY": SECRET})  # fmt: skip
    assert SECRET not in done.stdout + done.stderr
    done = cli("summary", ARTICLE1, "--replay", "cassettes", "--api-key", SECRET, "-v", "-o",
               str(out))  # fmt: skip
    assert done.returncode == 0 and SECRET not in done.stderr and SECRET not in out.read_text()


def test_no_cassette_holds_a_key_or_an_account_identifier():
    patterns = [
        re.compile(r"sk-(?!\[redacted\])[A-Za-z0-9_\-]{8,}"),
        re.compile(r"(?i)authorization|bearer |openai-organization|openai-project|set-cookie"),
        re.compile(r"\borg-[A-Za-z0-9]{8,}|\bproj_[A-Za-z0-9]{8,}"),
    ]
    cassettes = sorted(CASSETTES.rglob("*.yaml"))
    assert len(cassettes) == len(SCENARIOS)
    for path in cassettes:
        text = path.read_text()
        for pattern in patterns:
            assert not pattern.search(text), f"{path.name}: {pattern.pattern}"


def test_help_does_not_load_the_model_client():
    heavy = ("openai", "httpx2", "pydantic", "rapidfuzz")
    code = f"import sys; import summarizer.cli; print([m for m in {heavy} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert cli("summary", "--help").stdout.count("Exit codes:") == 1


@pytest.mark.parametrize(
    ("example", "article"),
    [("aleppo-offensive-1.brief.md", ARTICLE1),
     ("aleppo-offensive-2.summary.json", "examples/aleppo-offensive-2.txt")],
)  # fmt: skip
def test_the_examples_are_what_the_tool_prints(example, article, tmp_path):
    out = tmp_path / example
    assert cli("summary", article, "--replay", "cassettes", "-o", str(out)).returncode == 0

    def stable(text: str) -> str:  # the creation time differs from run to run
        return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "TIME", text)

    assert stable(out.read_text()) == stable((ROOT / "examples" / example).read_text())


def test_an_unwritable_output_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = cli("summary", ARTICLE1, "--replay", "cassettes", "-o", str(blocker / "doc.json"))
    assert done.returncode == 2 and "cannot write" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
