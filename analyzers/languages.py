"""The one table of the languages llmctl reads.

Everything that differs between languages and is not parsing lives in one row
here: file extensions, the analyzer entry point, the Markdown fence / lexer
name, the line-comment prefix, whether the house style documents the return
value, and the conventions that mark test, example and benchmark code.
Config, docs, search and the drift rules read this table; adding a language
is one analyzer module plus one row. Nothing here imports a grammar.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """What llmctl knows about one language, apart from its analyzer's parsing."""

    name: str
    extensions: tuple[str, ...]
    analyzer: tuple[str, str]  # (module, function): ``function(src: bytes, path: str) -> FileResult``
    fence: str  # Markdown fence info string, also the syntax-highlighting lexer
    comment: str  # line-comment prefix, for ``llmctl: ignore[...]`` comments
    # True where the signature states the return type and doc comments customarily
    # say nothing more (TypeScript, Go, Rust): a missing Returns section is not drift.
    return_doc_optional: bool
    # gitignore-style globs of test code by the language's own conventions.
    tests: tuple[str, ...] = ()


LANGUAGES: dict[str, Language] = {lang.name: lang for lang in (
    Language("python", (".py", ".pyi"), ("llmctl.analyzers.python", "analyze"), "python", "#", False,
             ("tests/", "test/", "testing/", "*_tests/", "test_*.py", "*_test.py", "conftest.py")),
    Language("javascript", (".js", ".mjs", ".cjs", ".jsx"), ("llmctl.analyzers.javascript", "analyze_javascript"),
             "javascript", "//", False,
             ("test/", "tests/", "*_tests/", "__tests__/", "__mocks__/", "*.test.*", "*.spec.*")),
    Language("typescript", (".ts", ".mts", ".cts", ".tsx"), ("llmctl.analyzers.javascript", "analyze_typescript"),
             "typescript", "//", True,
             ("test/", "tests/", "*_tests/", "__tests__/", "__mocks__/", "*.test.*", "*.spec.*", "*.test-d.ts")),
    Language("go", (".go",), ("llmctl.analyzers.go", "analyze"), "go", "//", True, ("*_test.go", "testdata/")),
    Language("rust", (".rs",), ("llmctl.analyzers.rust", "analyze"), "rust", "//", True, ("tests/", "benches/")),
    Language("java", (".java",), ("llmctl.analyzers.java", "analyze"), "java", "//", False,
             ("src/test/", "test/", "*Test.java", "*Tests.java")),
)}
LANGUAGE_NAMES: tuple[str, ...] = tuple(LANGUAGES)
EXTENSIONS: dict[str, str] = {ext: lang.name for lang in LANGUAGES.values() for ext in lang.extensions}


def language_for(path: str) -> str | None:
    """The language of a path by its extension, or None when llmctl doesn't parse it."""
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return EXTENSIONS.get(path[dot:].lower())


def lexer_for(language: str) -> str:
    """The syntax-highlighting lexer for a language name (``markdown`` and unknown ones included)."""
    lang = LANGUAGES.get(language)
    return lang.fence if lang is not None else (language or "text")
