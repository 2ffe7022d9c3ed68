"""The checks are a pure core: no model client, CLI, terminal or network in them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import summarizer

CORE = [
    "models", "text", "numbers", "alignment", "names", "quotes", "attribution", "grounding",
    "lexicon", "injection",
]  # fmt: skip
FORBIDDEN = (
    "openai", "httpx", "httpx2", "rich", "click", "requests", "vcr",
    "summarizer.cli", "summarizer.client", "summarizer.render", "summarizer.reading",
)  # fmt: skip
PACKAGE = Path(summarizer.__file__).parent


def imported_names(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def forbidden_in(names: set[str]) -> set[str]:
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)}


def test_no_core_module_imports_io_or_the_client():
    for module in CORE:
        assert forbidden_in(imported_names(module) & {*FORBIDDEN, "socket"}) == set(), module
        assert forbidden_in(imported_names(module)) == set(), module


def test_the_check_catches_a_forbidden_import():
    assert forbidden_in({"openai.types", "summarizer.cli", "re"}) == {
        "openai.types",
        "summarizer.cli",
    }


def test_importing_the_core_loads_none_of_them():
    code = (
        "import sys; import summarizer.grounding; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r} "
        f"or m in {FORBIDDEN!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
