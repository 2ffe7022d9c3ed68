"""The run log: one row per run and per article in SQLite (the standard library's sqlite3),
in the user's data directory (platformdirs) unless --log-db says where; `summarizer logs`
lists and searches it, and Datasette opens it. The API key is never stored.

The schema grows by migrations, applied in order and recorded in `_migrations`, as
simonw/llm does: a database of any earlier version is brought up to date when opened.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from summarizer.runs.outcomes import Outcome

#: The database's file name in the user's data directory.
LOG_FILE = "logs.db"


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("summarizer", appauthor=False)) / LOG_FILE


def _m001_runs_and_articles(db: sqlite3.Connection) -> None:
    db.executescript("""
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            seconds REAL,
            command TEXT NOT NULL,
            model TEXT,
            prompt_version TEXT,
            outdir TEXT,
            batch_id TEXT,
            articles INTEGER NOT NULL,
            requests INTEGER NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            cached_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            cost_usd REAL,
            outcomes TEXT NOT NULL
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            article_id TEXT,
            source TEXT NOT NULL,
            sha256 TEXT,
            model TEXT,
            outcome TEXT NOT NULL,
            requests INTEGER NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            cached_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            cost_usd REAL,
            problems TEXT NOT NULL,
            seconds REAL,
            batch_id TEXT,
            error TEXT
        );
        CREATE INDEX articles_run ON articles(run_id);
    """)


#: Every migration, in order; a new column or table is a new entry, never an edit.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("m001_runs_and_articles", _m001_runs_and_articles),
]


def connect(path: Path) -> sqlite3.Connection:
    """The log at `path`, made and migrated as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {r[0] for r in db.execute("SELECT name FROM _migrations")}
    for name, migrate in MIGRATIONS:
        if name not in done:
            with db:
                migrate(db)
                db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, _now()))
    return db


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def record_run(
    path: Path,
    command: str,
    outcomes: Iterable[Outcome],
    *,
    settings: dict[str, Any],
    seconds: float,
) -> int:
    """Add a run and its articles; the run's id. `settings` names the model, prompt version,
    outdir and batch id (never a key)."""
    outcomes = list(outcomes)
    totals = [sum(o.tokens[i] for o in outcomes) for i in range(3)]
    costs = [o.cost_usd for o in outcomes if o.cost_usd is not None]
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    db = connect(path)
    with db:
        run = db.execute(
            "INSERT INTO runs (started_at, seconds, command, model, prompt_version, outdir,"
            " batch_id, articles, requests, prompt_tokens, cached_tokens, completion_tokens,"
            " cost_usd, outcomes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_now(), round(seconds, 3), command, settings.get("model"),
             settings.get("prompt_version"), settings.get("outdir"), settings.get("batch_id"),
             len(outcomes), sum(o.requests for o in outcomes), *totals,
             round(sum(costs), 6) if costs else None, json.dumps(counts)),
        ).lastrowid  # fmt: skip
        db.executemany(
            "INSERT INTO articles (run_id, article_id, source, sha256, model, outcome, requests,"
            " prompt_tokens, cached_tokens, completion_tokens, cost_usd, problems, seconds,"
            " batch_id, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run, o.id, o.source, o.sha256, o.model, o.status, o.requests, *o.tokens,
              o.cost_usd, json.dumps(o.problems), round(o.seconds, 3),
              settings.get("batch_id"), o.error) for o in outcomes],
        )  # fmt: skip
    db.close()
    assert run is not None
    return run


def recent_runs(path: Path, limit: int, query: str | None = None) -> list[dict[str, Any]]:
    """The last `limit` runs, newest first; with `query`, those with an article whose id,
    source, sha256, outcome or error holds it."""
    db = connect(path)
    sql = "SELECT * FROM runs"
    args: list[Any] = []
    if query:
        sql += (" WHERE id IN (SELECT run_id FROM articles WHERE article_id LIKE ? OR source"
                " LIKE ? OR sha256 LIKE ? OR outcome LIKE ? OR error LIKE ?)")  # fmt: skip
        args = [f"%{query}%"] * 5
    rows = [dict(r) for r in db.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit])]
    db.close()
    return rows
