"""The house rules of docs/architecture.md: sizes, a public API a Python user can find,
and models whose every field says what it holds."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

import summarizer

PACKAGE = Path(summarizer.__file__).parent
#: Longest module, in lines.
MAX_MODULE_LINES = 400
#: Longest function, in lines (its decorators and docstring included).
MAX_FUNCTION_LINES = 60
#: Most parameters of a function other than `self`/`cls`.
MAX_PARAMETERS = 8
#: Public entry points whose options are keywords: the API's and the CLI command's.
ENTRY_POINTS = {
    "pipeline/article.py": {"summarize", "asummarize"},
    "cli/summary.py": {"summary"},
}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def long_modules(paths: list[Path]) -> dict[str, int]:
    return {str(p): n for p in paths if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}


def function_size(f: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from its first decorator to its last line."""
    return f.end_lineno - min([f.lineno, *(d.lineno for d in f.decorator_list)]) + 1


def parameter_count(f: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Its parameters but self and cls; *args and **kwargs count one each."""
    args = [*f.args.posonlyargs, *f.args.args, *f.args.kwonlyargs]
    named = [a for a in args if a.arg not in ("self", "cls")]
    return len(named) + (f.args.vararg is not None) + (f.args.kwarg is not None)


def long_functions(paths: list[Path]) -> dict[str, int]:
    return {f"{p}:{f.name}": function_size(f) for p in paths for f in functions(p)
            if function_size(f) > MAX_FUNCTION_LINES}  # fmt: skip


def many_parameters(paths: list[Path], allowed: dict[str, set[str]]) -> dict[str, int]:
    return {f"{p}:{f.name}": parameter_count(f) for p in paths for f in functions(p)
            if parameter_count(f) > MAX_PARAMETERS
            and f.name not in allowed.get(str(p.relative_to(PACKAGE)) if p.is_relative_to(PACKAGE)
                                          else p.name, set())}  # fmt: skip


def test_no_module_is_over_400_lines():
    assert long_modules(modules()) == {}


def test_no_function_is_over_60_lines():
    assert long_functions(modules()) == {}


def test_no_function_takes_more_than_8_parameters_but_the_entry_points():
    assert many_parameters(modules(), ENTRY_POINTS) == {}


def test_the_size_rules_catch_what_breaks_them(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    path = tmp_path / "m.py"
    path.write_text(f"def f(a, b, c, d, e, f, g, h, i):\n{body}\n\n\ndef g(a, *b, **c):\n    pass\n"
                    + "\n" * MAX_MODULE_LINES)  # fmt: skip
    assert list(long_functions([path])) == [f"{path}:f"]
    assert list(many_parameters([path], {})) == [f"{path}:f"]
    assert list(many_parameters([path], {"m.py": {"f"}})) == []
    assert list(long_modules([path])) == [str(path)]
    (g,) = [f for f in functions(path) if f.name == "g"]
    assert parameter_count(g) == 3


def test_dir_lists_the_public_api_and_every_name_resolves():
    names = dir(summarizer)
    for name in (
        "summarize",
        "asummarize",
        "validate",
        "run_batch",
        "Options",
        "BatchOptions",
        "SummaryDocument",
        "GroundingReport",
        "Extraction",
        "InputError",
        "ServiceError",
        "GroundingFailed",
        "UserError",
    ):
        assert name in names
    for name in summarizer.__all__:
        assert getattr(summarizer, name).__module__.startswith("summarizer.")
    with pytest.raises(AttributeError):
        summarizer.no_such_name  # noqa: B018


def test_finding_the_api_loads_no_heavy_module():
    code = (
        "import sys, summarizer; dir(summarizer); import summarizer.cli; "
        "print(sorted(m for m in ('openai', 'pydantic', 'httpx2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def public_models() -> list[type[BaseModel]]:
    return [
        m
        for name in summarizer.__all__
        if isinstance(m := getattr(summarizer, name), type) and issubclass(m, BaseModel)
    ]


@pytest.mark.parametrize("model", public_models(), ids=lambda m: m.__name__)
def test_every_public_model_and_field_teaches(model):
    assert model.__doc__ and model.__doc__.strip(), model.__name__
    undescribed = [name for name, field in model.model_fields.items() if not field.description]
    assert undescribed == []
    assert all(f"{name}" in help_text(model) for name in model.model_fields)


def help_text(model: type) -> str:
    import pydoc

    return pydoc.render_doc(model, renderer=pydoc.plaintext)


def test_provenance_attempts_says_what_it_counts():
    from summarizer.contract.models import Provenance

    description = Provenance.model_fields["attempts"].description
    assert "HTTP requests" in description and "retries included" in description
    schema = (PACKAGE.parent / "schemas" / "summary-document.schema.json").read_text()
    assert "HTTP requests sent for this article, retries included" in schema
