"""Language analyzers: source bytes -> Symbol records, one module per language.

:func:`language_for` maps a path to its language by extension and
:func:`analyze` runs that language's analyzer; grammars load on first use so
that a scan touching only Python never loads the Rust grammar.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from llmctl.analyzers.base import FileResult

# Bump when any analyzer's output changes: stores written by another version are rebuilt.
ANALYZER_VERSION = 2

EXTENSIONS: dict[str, str] = {
    ".py": "python", ".pyi": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "typescript",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
}
LANGUAGES: tuple[str, ...] = ("python", "javascript", "typescript", "go", "rust", "java")

_ENTRY: dict[str, tuple[str, str]] = {
    "python": ("llmctl.analyzers.python", "analyze"),
    "javascript": ("llmctl.analyzers.javascript", "analyze_javascript"),
    "typescript": ("llmctl.analyzers.javascript", "analyze_typescript"),
    "go": ("llmctl.analyzers.go", "analyze"),
    "rust": ("llmctl.analyzers.rust", "analyze"),
    "java": ("llmctl.analyzers.java", "analyze"),
}
_loaded: dict[str, Callable[[bytes, str], FileResult]] = {}


def language_for(path: str) -> str | None:
    """The language of a path by its extension, or None when llmctl doesn't parse it."""
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return EXTENSIONS.get(path[dot:].lower())


def analyze(src: bytes, path: str, language: str) -> FileResult:
    """Parse ``src`` (UTF-8 bytes) of ``path`` with the analyzer of ``language``."""
    fn = _loaded.get(language)
    if fn is None:
        module, name = _ENTRY[language]
        fn = _loaded[language] = getattr(importlib.import_module(module), name)
    return fn(src, path)
