"""The layer rules of docs/architecture.md hold, and `lint-imports` catches a breach."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the copy of the package in `tree`, with the project's contracts."""
    env = {"PYTHONPATH": str(tree), "PATH": str(Path(sys.executable).parent), "COLUMNS": "300"}
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"],
        cwd=tree, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "summarizer", tmp_path / "summarizer",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(tree: Path, module: str, statement: str) -> None:
    path = tree / "summarizer" / module
    path.write_text(path.read_text() + f"\n{statement}  # planted by the test\n")


def test_the_project_keeps_every_contract(tree):
    out = lint_imports(tree)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "7 kept, 0 broken" in out.stdout


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        ("grounding/checks.py", "import openai", "The checks import only the contract"),
        ("grounding/names.py", "from summarizer.providers import chat", "The checks import only"),
        ("runs/outcomes.py", "import summarizer.cli.main", "Nothing imports the CLI"),
        ("reports/markdown.py", "import summarizer.providers.chat", "Reports import no provider"),
        ("sources/articles.py", "import summarizer.providers.chat", "Reading a file imports no"),
        ("contract/models.py", "import summarizer.extraction.steps", "Layers"),
        ("grounding/text.py", "import summarizer.grounding.checks", "No import cycle anywhere"),
        ("story/compare.py", "import summarizer.providers.chat", "The story comparison is pure"),
    ],
    ids=[
        "checks-openai", "checks-provider", "cli", "reports", "sources", "layers", "cycle",
        "story",
    ],
)
def test_a_forbidden_import_breaks_its_contract(tree, module, statement, broken):
    add_import(tree, module, statement)
    out = lint_imports(tree)
    assert out.returncode == 1
    line = next(line for line in out.stdout.splitlines() if line.startswith(broken))
    assert line.endswith("BROKEN")
