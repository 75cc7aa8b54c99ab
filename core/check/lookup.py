"""Symbol lookups for the rules: the store, with a change's own symbols laid over it.

In ``--staged`` and ``--since`` runs the changed files' symbols come from the
change (``overlay``: path -> symbols), and the store's rows for those paths
are hidden, so a rule sees the tree as the commit would leave it. Every read
goes through :class:`Store` methods; no SQL lives outside the store.
"""

from __future__ import annotations

from difflib import get_close_matches

from llmctl.analyzers.symbols import CALLABLE_KINDS, MODULE, TYPE_KINDS, Symbol
from llmctl.core.store.db import Store


class Lookup:
    """Symbol lookups over the store, with staged/changed files' symbols laid over it."""

    def __init__(self, store: Store, overlay: dict[str, list[Symbol]]):
        self.store, self.overlay = store, overlay
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
