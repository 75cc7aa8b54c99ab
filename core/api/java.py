"""Java's public API: ``public``/``protected`` types and members outside ``src/test``; one page per top-level type.

Pages are named after the type's qualified name (``com.squareup.javapoet.JavaFile.md``),
as Javadoc names them, not after the file's path under ``src/main/java``.
"""

from __future__ import annotations

from llmctl.analyzers.symbols import TYPE_KINDS, Symbol
from llmctl.core.api import PublicApi, default_entries


def _page_name(mod: Symbol, public: list[Symbol]) -> str:
    top = next((s for s in public if s.kind in TYPE_KINDS and s.parent and "." not in s.id[len(s.parent) + 1:]
                and not any(t.kind in TYPE_KINDS and s.parent == t.id for t in public)), None)
    return top.id if top is not None else mod.path.rsplit(".", 1)[0].replace("/", ".")


def entries(symbols: list[Symbol], api: PublicApi, read) -> None:
    """Public Java symbols, one page per top-level type."""
    default_entries(symbols, api, _page_name)
