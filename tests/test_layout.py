"""The layout keeps its promises (ARCHITECTURE.md): imports run one way, modules and functions stay small.

Floors, bottom up: ``analyzers`` (imports nothing else of llmctl), ``core``,
then ``trainers`` and ``hooks`` (which never import each other), then ``cli``.
``templates`` is data that anyone may read and that imports nothing. A test
that parses every module finds any import, at module level or inside a
function, that runs back up.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLOORS = {"analyzers": 0, "core": 1, "trainers": 2, "hooks": 2, "cli": 3, "templates": 0}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONG_OK = "# long:"  # a comment on the line above a def that says why it may be longer


def _modules():
    for folder in FLOORS:
        for path in sorted((REPO / folder).rglob("*.py")):
            yield folder, path


def _llmctl_imports(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("llmctl."):
            out.append((node.lineno, node.module.split(".")[1]))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[1]) for a in node.names if a.name.startswith("llmctl.")]
    return out


def test_imports_run_one_way():
    wrong = []
    for folder, path in _modules():
        for line, target in _llmctl_imports(ast.parse(path.read_text())):
            if target == "templates" and folder != "templates":
                continue
            up = FLOORS[target] > FLOORS[folder] or (folder == "templates" and target != "templates")
            sideways = {folder, target} == {"trainers", "hooks"}
            if up or sideways:
                wrong.append(f"{path.relative_to(REPO)}:{line} imports llmctl.{target}")
    assert wrong == []


def test_modules_and_functions_stay_small():
    big = []
    for _folder, path in _modules():
        text = path.read_text()
        lines = text.splitlines()
        if len(lines) > MAX_MODULE_LINES:
            big.append(f"{path.relative_to(REPO)}: {len(lines)} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if n > MAX_FUNCTION_LINES and LONG_OK not in lines[first - 2]:
                    big.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}: {n} lines")
    assert big == []


def test_every_package_folder_is_installed():
    """A non-editable install (pre-commit, a wheel) ships only the packages pyproject.toml lists."""
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for folder in FLOORS:
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO).parts
            found.add(".".join(("llmctl", *rel)))
    assert found <= listed, sorted(found - listed)
