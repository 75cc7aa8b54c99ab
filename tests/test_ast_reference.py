"""Correctness against a reference: llmctl's Python symbols vs Python's own ``ast``.

On real installed library code (several site-packages distributions), every
class, function and method that ``ast`` finds at module/class level (including
inside if/try/with blocks, excluding function bodies) must be found by llmctl
with the same qualified name and the same parameter names, and nothing more.
"""

from __future__ import annotations

import ast
import importlib.util
import warnings
from pathlib import Path

import pytest

from llmctl.analyzers import analyze
from llmctl.analyzers.base import module_id

PACKAGES = ["rich", "click", "typer", "pydantic", "jinja2", "pathspec", "filelock", "charset_normalizer", "accelerate"]


def _top_level(symbols):
    """Module- and class-level definitions (functions nested in functions are recorded too, but ast's walk skips them)."""
    functions = {s.id for s in symbols if s.kind in ("function", "method")}
    functions -= {s.id for s in symbols if s.kind == "class"}  # `def X` and `class X` under if/else
    return [s for s in symbols if s.kind != "module" and s.parent not in functions]


def ast_symbols(tree: ast.Module, prefix: str) -> set[tuple[str, tuple[str, ...]]]:
    out: set[tuple[str, tuple[str, ...]]] = set()

    def block(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                names = [x.arg for x in a.posonlyargs + a.args]
                if a.vararg:
                    names.append(a.vararg.arg)
                names += [x.arg for x in a.kwonlyargs]
                if a.kwarg:
                    names.append(a.kwarg.arg)
                out.add((f"{prefix}.{node.name}", tuple(names)))
            elif isinstance(node, ast.ClassDef):
                out.add((f"{prefix}.{node.name}", ()))
                block(node.body, f"{prefix}.{node.name}")
            elif isinstance(node, ast.If):
                block(node.body, prefix)
                block(node.orelse, prefix)
            elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                block(node.body, prefix)
                for h in node.handlers:
                    block(h.body, prefix)
                block(node.orelse, prefix)
                block(node.finalbody, prefix)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                block(node.body, prefix)

    block(tree.body, prefix)
    return out


def package_files(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    return sorted(root.rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_symbols_and_parameters_match_ast(package: str):
    files = package_files(package)
    compared = 0
    mismatches: list[str] = []
    for f in files:
        src = f.read_bytes()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(src)
        except SyntaxError:
            continue
        rel = f.as_posix().split("site-packages/", 1)[-1]
        mid = module_id(rel, "python")
        expected = ast_symbols(tree, mid)
        got = {(s.id, tuple(p.name for p in s.params)) for s in _top_level(analyze(src, rel, "python").symbols)}
        compared += len(expected)
        if got != expected:
            mismatches.append(f"{rel}: missing {sorted(expected - got)[:3]} extra {sorted(got - expected)[:3]}")
    assert compared > 100, f"only {compared} definitions compared in {package}"
    assert not mismatches, "\n".join(mismatches[:10])
