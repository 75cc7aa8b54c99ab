"""Symbol lookups for the rules: the store, with a change's own symbols laid over it.

In ``--staged`` and ``--since`` runs the changed files' symbols come from the
change (``overlay``: path -> symbols), and the store's rows for those paths
are hidden, so a rule sees the tree as the commit would leave it. Every read
goes through :class:`Store` methods; no SQL lives outside the store.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path

from llmctl.analyzers.symbols import CALLABLE_KINDS, MODULE, TYPE_KINDS, Symbol
from llmctl.core.store.db import Store


class Lookup:
    """Symbol lookups over the store, with staged/changed files' symbols laid over it."""

    def __init__(self, store: Store, overlay: dict[str, list[Symbol]], root: Path | None = None,
                 overlay_texts: dict[str, str] | None = None):
        self.store, self.overlay, self.root = store, overlay, root
        self.overlay_texts = overlay_texts or {}
        self.api = None  # the whole public API, when the check has built it (a whole-tree run)
        self.overlay_ids = {s.id: s for syms in overlay.values() for s in syms}
        self.overlay_names: dict[str, list[Symbol]] = {}
        for s in self.overlay_ids.values():
            self.overlay_names.setdefault(s.name, []).append(s)
        self._all_names: list[str] | None = None

    def by_id(self, sid: str) -> Symbol | None:
        """The symbol with this id (the change's version first)."""
        if sid in self.overlay_ids:
            return self.overlay_ids[sid]
        found = [s for s in self.store.with_id(sid) if s.path not in self.overlay]
        return found[0] if found else None

    def resolve(self, dotted: str) -> Symbol | None:
        """The symbol a dotted name means: a store id, or a public path (``pkg.Client`` re-exported)."""
        found = self.by_id(dotted)
        if found is not None:
            return found
        if self.api is not None:
            hit = self.api.resolve(dotted)
            if hit is not None:
                return hit
        from llmctl.core.api.python import resolve_path

        return resolve_path(dotted, self.all_with_id)

    def mentions(self, sym: Symbol, word: str) -> bool:
        """True when ``word`` appears in ``sym``'s source: a field or attribute the analyzers do not record."""
        import re

        text = self.overlay_texts.get(sym.path)
        if text is None and self.root is not None:
            try:
                text = (self.root / sym.path).read_text("utf-8", "replace")
            except OSError:
                text = ""
        lines = (text or "").splitlines()[sym.line - 1:sym.end_line]
        return re.search(rf"\b{re.escape(word)}\b", "\n".join(lines)) is not None

    def all_with_id(self, sid: str) -> list[Symbol]:
        """Every symbol with this id (overloads share one), as the change leaves them."""
        if sid in self.overlay_ids:
            return [s for syms in self.overlay.values() for s in syms if s.id == sid]
        return [s for s in self.store.with_id(sid) if s.path not in self.overlay]

    def by_name(self, name: str) -> list[Symbol]:
        """Every symbol with this short name."""
        return [s for s in self.store.with_name(name) if s.path not in self.overlay] + self.overlay_names.get(name, [])

    def has_prefix(self, sid: str) -> bool:
        """True when ``sid`` is a module or type of this repository."""
        s = self.by_id(sid)
        return s is not None and (s.kind == MODULE or s.kind in TYPE_KINDS)

    def names_like(self, name: str) -> list[str]:
        """The callable name closest to ``name`` (a typo's likely target), if any is close."""
        if self._all_names is None:
            names = self.store.names(CALLABLE_KINDS)
            names |= {s.name for s in self.overlay_ids.values()}
            self._all_names = sorted(names)
        return get_close_matches(name, self._all_names, n=1, cutoff=0.8)

    def symbols_in(self, path: str) -> list[Symbol]:
        """The symbols of one file, as the change leaves it."""
        if path in self.overlay:
            return self.overlay[path]
        return list(self.store.symbols([path]))
