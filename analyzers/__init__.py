"""Language analyzers: source bytes -> Symbol records, one module per language.

This folder is the bottom floor of llmctl: it imports nothing from the rest of
the package. :mod:`.symbols` holds the records every other part reads,
:mod:`.languages` the one table of per-language facts. :func:`analyze` runs a
language's analyzer; grammars load on first use, so a scan touching only
Python never loads the Rust grammar.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable

from llmctl.analyzers.languages import EXTENSIONS, LANGUAGE_NAMES, LANGUAGES, language_for

if TYPE_CHECKING:
    from llmctl.analyzers.base import FileResult

__all__ = ["ANALYZER_VERSION", "EXTENSIONS", "LANGUAGES", "LANGUAGE_NAMES", "analyze", "language_for"]

# Bump when any analyzer's output changes: stores written by another version are rebuilt.
ANALYZER_VERSION = 25

_loaded: dict[str, Callable[[bytes, str], FileResult]] = {}


def analyze(src: bytes, path: str, language: str) -> FileResult:
    """Parse ``src`` (UTF-8 bytes) of ``path`` with the analyzer of ``language``."""
    fn = _loaded.get(language)
    if fn is None:
        module, name = LANGUAGES[language].analyzer
        fn = _loaded[language] = getattr(importlib.import_module(module), name)
    return fn(src, path)

