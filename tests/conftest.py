from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EVAL = ROOT / "tests" / "eval"


@pytest.fixture(autouse=True)
def _no_model_settings_from_the_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests say which server, key and model they use; the machine's settings stay out, and
    runs are logged in the test's own database, never the user's."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "OPENAI_ORG_ID",
                 "OPENAI_PROJECT_ID"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARIZER_LOG_DB", str(tmp_path / "logs.db"))


@pytest.fixture(scope="session")
def article1() -> str:
    return (EXAMPLES / "aleppo-offensive-1.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def article2() -> str:
    return (EXAMPLES / "aleppo-offensive-2.txt").read_text(encoding="utf-8")


def load_eval(name: str) -> dict[str, Any]:
    return json.loads((EVAL / name).read_text(encoding="utf-8"))


def extraction(**parts: Any) -> dict[str, Any]:
    """A minimal valid extraction with the given lists or texts replaced."""
    base: dict[str, Any] = {
        "headline": "Rebels cut the Damascus-Aleppo highway",
        "summary": "Fighting near Aleppo has killed around 200 people.",
        "actors": [],
        "events": [],
        "claims": [],
    }
    base.update(parts)
    return base


def actor(
    id: str,
    name: str,
    aliases: list[str] | None = None,
    *,
    evidence: list[str],
    kind: str = "person",
    description: str | None = None,
    affiliation_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": id, "name": name, "aliases": aliases or [], "kind": kind,
        "description": description, "affiliation_id": affiliation_id, "evidence": evidence,
    }  # fmt: skip


def event(id: str, description: str, evidence: list[str], **kw: Any) -> dict[str, Any]:
    return {
        "id": id, "type": kw.get("type", "armed_clash"), "description": description,
        "when": kw.get("when"), "where": kw.get("where"), "actor_ids": kw.get("actor_ids", []),
        "figures": kw.get("figures", []), "evidence": evidence,
    }  # fmt: skip


def claim(id: str, statement: str, evidence: list[str], **kw: Any) -> dict[str, Any]:
    return {
        "id": id, "statement": statement, "speaker_id": kw.get("speaker_id"),
        "attribution": kw.get("attribution", "indirect"), "quote": kw.get("quote"),
        "figures": kw.get("figures", []), "evidence": evidence,
    }  # fmt: skip


def figure(value: float, as_written: str, approximate: bool = False, unit: str = "people"):
    return {"value": value, "approximate": approximate, "unit": unit, "as_written": as_written}


@dataclass
class Ran:
    """What `summarizer ARGS` did: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_summarizer(*args: str, stdin: str | None = None, env: dict | None = None) -> Ran:
    """`summarizer ARGS` in this process (click's runner), from the project's root, as a user
    at a shell would run it: exit code, stdout and stderr apart. A bug's traceback is not
    caught: the test fails with it."""
    from click.testing import CliRunner

    from summarizer.cli import main

    before = Path.cwd()
    os.chdir(ROOT)
    try:
        with CliRunner().isolation(input=stdin, env=env) as (out, err, _):
            try:
                main(list(args))
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            return Ran(code, out.getvalue().decode(), err.getvalue().decode())
    finally:
        os.chdir(before)


def child_env() -> dict[str, str]:
    """What a test's child process inherits: PATH, and the test's own run log."""
    return {"PATH": os.environ["PATH"], "SUMMARIZER_LOG_DB": os.environ["SUMMARIZER_LOG_DB"]}


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium, once per module: Playwright's sync API keeps an event
    loop running while it lives, which no other module's asyncio may meet."""
    from browser import browser

    with browser() as b:
        yield b
