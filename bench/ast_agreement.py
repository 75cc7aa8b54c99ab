"""Agreement of llmctl's Python symbols with Python's ``ast`` over a whole tree.

Prints how many definitions (classes, functions, methods, with parameter
names) ``ast`` finds, how many llmctl finds identically, and lists a few
disagreements. Usage: python bench/ast_agreement.py [DIR]
"""

from __future__ import annotations

import ast
import sys
import sysconfig
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_ast_reference import ast_symbols  # noqa: E402

from llmctl.analyzers import analyze  # noqa: E402
from llmctl.analyzers.base import module_id  # noqa: E402


def _top_level(symbols):
    """Module- and class-level definitions (functions nested in functions are recorded too, but not by ast's walk here)."""
    functions = {s.id for s in symbols if s.kind in ("function", "method")}
    functions -= {s.id for s in symbols if s.kind == "class"}  # `def X` and `class X` under if/else
    return [s for s in symbols if s.kind != "module" and s.parent not in functions]


def main() -> None:
    """Compare every parseable .py file under the tree and print the figures."""
    root = Path(sys.argv[1] if len(sys.argv) > 1 else sysconfig.get_paths()["purelib"])
    files = sorted(root.rglob("*.py"))
    total = agree = extra = n_files = 0
    examples: list[str] = []
    for f in files:
        src = f.read_bytes()
        if len(src) > 1_000_000:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(src)
        except (SyntaxError, ValueError):
            continue
        n_files += 1
        rel = f.relative_to(root).as_posix()
        expected = ast_symbols(tree, module_id(rel, "python"))
        got = {(s.id, tuple(p.name for p in s.params)) for s in _top_level(analyze(src, rel, "python").symbols)}
        total += len(expected)
        agree += len(expected & got)
        extra += len(got - expected)
        if got != expected and len(examples) < 10:
            examples.append(f"{rel}: missing {sorted(expected - got)[:2]} extra {sorted(got - expected)[:2]}")
    print(f"{root}: {n_files} files, ast finds {total} definitions; llmctl agrees on {agree} "
          f"({100 * agree / max(total, 1):.3f}%), {extra} extra")
    for e in examples:
        print("  ", e)


if __name__ == "__main__":
    main()
