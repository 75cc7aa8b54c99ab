"""Rust's public API: ``pub`` items reachable from the crate root, under the crate's name.

From ``<crate>/src/lib.rs`` the model follows ``pub mod`` declarations (a
private ``mod x;`` hides everything in it) and ``pub use`` re-exports; items
get the public path a user writes (``anyhow::Error`` -> ``anyhow.Error``, the
crate named after Cargo.toml's ``[package] name``). Methods of ``impl`` blocks
anywhere in the crate are documented under their type; ``#[cfg(test)]``
modules, ``#[doc(hidden)]`` items and ``__private`` modules are left out.
A project without a library crate falls back to exported symbols per file.
"""

from __future__ import annotations

import re

from llmctl.analyzers.symbols import MODULE, TYPE_KINDS, Symbol
from llmctl.core.api import DOCUMENTED_KINDS, ApiPage, Entry, PublicApi, default_entries

_NAME = re.compile(rb'^\s*name\s*=\s*"([^"]+)"', re.M)


def _crate_name(read, crate_dir: str) -> str | None:
    data = read(f"{crate_dir}/Cargo.toml" if crate_dir else "Cargo.toml")
    if not data:
        return None
    package = data.split(b"[package]", 1)[-1].split(b"\n[", 1)[0]
    m = _NAME.search(package)
    return m.group(1).decode().replace("-", "_") if m else None


def _hidden(sym: Symbol) -> bool:
    return sym.name.startswith("__") or any(d.replace(" ", "") == "doc(hidden)" for d in sym.decorators)


class _Crate:
    def __init__(self, root: Symbol, symbols: list[Symbol]):
        self.root = root
        self.modules = {s.id: s for s in symbols if s.kind == MODULE}
        self.items: dict[str, list[Symbol]] = {}
        for s in symbols:
            if s.kind in DOCUMENTED_KINDS and s.parent and not _hidden(s):
                self.items.setdefault(s.parent, []).append(s)

    def module_of(self, path: str, here: str) -> str | None:
        """The module id a ``use`` path names, from module ``here`` (``crate::``, ``self::``, ``super::``)."""
        parts = [p for p in path.split("::") if p]
        if not parts:
            return here
        if parts[0] == "crate":
            base, parts = self.root.id, parts[1:]
        elif parts[0] == "self":
            base, parts = here, parts[1:]
        elif parts[0] == "super":
            base = here
            while parts and parts[0] == "super":
                base, parts = base.rsplit(".", 1)[0], parts[1:]
        else:
            base = here  # a sibling module named without `self::` (2015 style), or an external crate
        target = ".".join([base, *parts])
        return target if target in self.modules or target in self.items else None

    def public_items(self, mid: str) -> dict[str, list[Symbol]]:
        """Name -> definition of the public items module ``mid`` (file or inline) defines."""
        out: dict[str, list[Symbol]] = {}
        for s in self.items.get(mid, []):
            if s.is_public and s.kind != "method":
                out.setdefault(s.name, []).append(s)
        return out


def entries(symbols: list[Symbol], api: PublicApi, read) -> None:
    """Pages of each library crate: its root module and every ``pub mod`` reachable from it."""
    roots = [s for s in symbols if s.kind == MODULE and s.path.endswith("src/lib.rs")]
    if not roots:
        default_entries(symbols, api)
        return
    methods: dict[str, list[Symbol]] = {}
    for s in symbols:
        if s.kind == "method" and s.is_public and not _hidden(s) and s.parent:
            methods.setdefault(s.parent.rsplit(".", 1)[-1], []).append(s)
    for root in sorted(roots, key=lambda r: r.path):
        crate_dir = root.path[: -len("src/lib.rs")].rstrip("/")
        name = _crate_name(read, crate_dir) or root.id
        crate = _Crate(root, [s for s in symbols if s.path.startswith(crate_dir)])
        _walk(crate, root.id, name, api, methods, set())


def _walk(crate: _Crate, mid: str, public: str, api: PublicApi, methods: dict[str, list[Symbol]],
          seen: set[str]) -> None:
    if mid in seen:
        return
    seen.add(mid)
    names = crate.public_items(mid)
    file_mod = crate.modules.get(mid) or crate.modules.get(mid.rsplit(".", 1)[0]) or crate.root
    inner = mid[len(file_mod.id) + 1:] if mid != file_mod.id else ""
    children = []
    for imp in file_mod.imports:
        scope, _, module = imp.module.rpartition("|") if "|" in imp.module else ("", "", imp.module)
        if scope != inner:
            continue
        if imp.alias == "mod":
            if imp.export and not module.startswith("__"):
                children.append(module.rsplit(".", 1)[-1])
            continue
        target = crate.module_of(module, mid)
        if target is None:
            continue
        if imp.name == "*":
            for n, defs in crate.public_items(target).items():
                names.setdefault(n, defs)
        else:
            defs = crate.public_items(target).get(imp.name)
            if defs:
                names.setdefault(imp.alias or imp.name, defs)
    page_entries: list[Entry] = []
    for n, defs in sorted(names.items(), key=lambda kv: (kv[1][0].path, kv[1][0].line)):
        eid = f"{public}.{n}"
        page_entries.append(Entry(eid, defs))
        if defs[-1].kind in TYPE_KINDS:
            # A trait's methods, and the type's own: public ones only (walkdir's private
            # ``DirEntry::metadata_internal`` had a section, and the model a summary to write).
            own = [m for m in crate.items.get(defs[-1].id, []) if m.is_public and not _hidden(m)]
            extra = [m for m in methods.get(defs[-1].name, []) if m.path.startswith(crate.root.path[:-10])]
            by_name: dict[str, list[Symbol]] = {}
            for m in own + [m for m in extra if m not in own]:
                by_name.setdefault(m.name, []).append(m)
            for mname, group in by_name.items():
                page_entries.append(Entry(f"{eid}.{mname}", group, 1))
    head = crate.modules.get(mid) or file_mod
    api.add(ApiPage(f"{public}.md", public.replace(".", "::"), head, page_entries))
    for child in children:
        _walk(crate, f"{mid}.{child}", f"{public}.{child}", api, methods, seen)
