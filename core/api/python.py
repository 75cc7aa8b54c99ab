"""Python's public API: ``__all__``, public names, and what packages re-export.

A module is public when no part of its dotted path starts with ``_``. Its
public names are its ``__all__`` when it has one; otherwise the names it
defines without a leading ``_``, plus, in a package's ``__init__``, the names
it imports from its own package (``from .core import Command``) and any
``import x as x`` / ``from y import x as x`` (the explicit re-export idiom).
Each name is followed through imports and star imports to its definition,
and each definition is documented once, under its shortest public path:
``httpx.Client`` (defined in ``httpx/_client.py``), not ``httpx._client.Client``.
"""

from __future__ import annotations

from llmctl.analyzers.docstrings import parse_python_docstring
from llmctl.analyzers.symbols import MODULE, TYPE_KINDS, VARIABLE, ParsedDoc, Symbol
from llmctl.core.api import DOCUMENTED_KINDS, ApiPage, Entry, PublicApi, member_entries, members_by_parent, value_symbol


class _Modules:
    """The project's Python modules and what each defines at top level."""

    def __init__(self, symbols: list[Symbol]):
        self.modules: dict[str, Symbol] = {}
        self.defined: dict[str, dict[str, list[Symbol]]] = {}
        for s in symbols:
            if s.kind == MODULE:
                # Two files with one module id (a .py and its .pyi): the first keeps it.
                self.modules.setdefault(s.id, s)
        for s in symbols:
            if s.kind != MODULE and s.parent in self.modules and s.path == self.modules[s.parent].path:
                self.defined.setdefault(s.parent, {}).setdefault(s.name, []).append(s)
        self.values: dict[str, dict[str, Symbol]] = {
            mid: {v.name: _value(m, v) for v in m.variables} for mid, m in self.modules.items() if m.variables}
        self._exported: dict[str, set[str]] = {}

    def is_package(self, mid: str) -> bool:
        m = self.modules.get(mid)
        return m is not None and m.path.endswith(("__init__.py", "__init__.pyi"))

    def exported(self, mid: str) -> set[str]:
        """The names ``from mid import *`` brings in."""
        if mid not in self._exported:
            self._exported[mid] = set()  # a cycle of star imports ends here
            mod = self.modules.get(mid)
            if mod is None:
                return set()
            if mod.all_names is not None:
                names = set(mod.all_names)
            else:
                names = {n for n in self.defined.get(mid, {}) if not n.startswith("_")}
                for imp in mod.imports:
                    if imp.name == "*":
                        names |= self.exported(imp.module)
                    elif imp.name:
                        local = imp.alias or imp.name
                        if not local.startswith("_"):
                            names.add(local)
            self._exported[mid] = names
        return self._exported[mid]

    def resolve(self, mid: str, name: str, depth: int = 0) -> list[Symbol] | None:
        """The definition ``mid.name`` refers to, through imports and star imports."""
        if depth > 12 or mid not in self.modules:
            return None
        found = self.defined.get(mid, {}).get(name) or ([self.values[mid][name]] if name in self.values.get(mid, {})
                                                         else None)
        if found:
            return found
        mod = self.modules[mid]
        for imp in mod.imports:
            if imp.name and imp.name != "*" and (imp.alias or imp.name) == name:
                hit = self.resolve(imp.module, imp.name, depth + 1)
                if hit:
                    return hit
        for imp in mod.imports:
            if imp.name == "*" and name in self.exported(imp.module):
                hit = self.resolve(imp.module, name, depth + 1)
                if hit:
                    return hit
        return None

    def offers(self, mid: str, name: str, definition: Symbol) -> bool:
        """True when module ``mid`` offers ``definition`` as ``name`` by intent, not only by importing it: a
        second name (``s = attrs``), or one it declares (``__all__``, ``from y import x as x``) outside the file
        that defines it. A package's plain imports (werkzeug.debug's ``Request``) are not listed as names."""
        mod = self.modules[mid]
        if name != definition.name:
            return True
        if mod.path == definition.path:
            return False
        return name in (mod.all_names or ()) or any(imp.name == name and imp.alias == name for imp in mod.imports)

    def public_names(self, mid: str) -> list[str]:
        """The names module ``mid`` offers its users, in declaration order."""
        mod = self.modules[mid]
        if mod.all_names is not None:
            return list(dict.fromkeys(mod.all_names))
        names = [n for n in self.defined.get(mid, {}) if not n.startswith("_")]
        names += [n for n, v in self.values.get(mid, {}).items() if v.doc_raw]  # a value with a doc of its own
        root = mid.split(".")[0]
        for imp in mod.imports:
            if not imp.name or imp.name == "*":
                if imp.name == "*" and self.is_package(mid) and imp.module.split(".")[0] == root:
                    names += sorted(self.exported(imp.module))
                continue
            local = imp.alias or imp.name
            explicit = imp.alias == imp.name  # `from y import x as x`: the explicit re-export idiom
            own = self.is_package(mid) and imp.module.split(".")[0] == root
            second_name = imp.module == mid  # `s = attrs`: a second name for one of its own (_aliases)
            if not local.startswith("_") and (own or explicit or second_name):
                names.append(local)
        return list(dict.fromkeys(names))


def _value(owner: Symbol, v) -> Symbol:
    """A module variable (``request: RequestProxy = LocalProxy(…)``), or a class attribute, with the doc it has
    where it stands."""
    signature = f"{v.name}: {v.annotation}" if v.annotation else f"{v.name} = {v.default}"
    return value_symbol(owner, v, owner.id, signature, parse_python_docstring(v.doc) if v.doc else ParsedDoc())


def _attribute_entries(cls: Symbol, public_id: str, taken: set[str]) -> list[Entry]:
    """A class's public attributes documented where they stand (``#:`` above, a string after), first among its
    members: Flask's ``request_class``, ``config_class`` and 15 more, which Sphinx lists and users look up."""
    return [Entry(f"{public_id}.{a.name}", [_value(cls, a)], 1) for a in cls.attributes
            if a.doc and not a.name.startswith("_") and f"{public_id}.{a.name}" not in taken]


def public_member(sym: Symbol) -> bool:
    """A member is public by its own name: the module it lives in may be private (``_client.py``)."""
    n = sym.name
    return not n.startswith("_") or (n.startswith("__") and n.endswith("__"))


def _public_module(mid: str) -> bool:
    return not any(part.startswith("_") for part in mid.split("."))


def entries(symbols: list[Symbol], api: PublicApi, read) -> None:
    """Pages for the public modules, each definition under its shortest public path."""
    mods = _Modules(symbols)
    children = members_by_parent(symbols)
    public = sorted((m for m in mods.modules if _public_module(m)), key=lambda m: (m.count("."), m))
    pages: dict[str, ApiPage] = {}
    claimed: dict[str, Entry] = {}
    for mid in public:
        page = ApiPage(f"{mid}.md", mid, mods.modules[mid])
        named = [(name, mods.resolve(mid, name)) for name in mods.public_names(mid)]
        # A definition is documented under its own name where the module offers it so (``attr.attrs``), and
        # its other names there and on later pages are listed with it (``attr.s``, ``attrs.define``).
        named = [(n, f) for n, f in named if f and (f[-1].kind in DOCUMENTED_KINDS or f[-1].kind == VARIABLE)]
        for name, found in sorted(named, key=lambda nf: nf[0] != nf[1][-1].name):
            if found[-1].id in claimed:
                if mods.offers(mid, name, found[-1]):
                    claimed[found[-1].id].aliases.append(f"{mid}.{name}")
                continue
            entry = claimed[found[-1].id] = Entry(f"{mid}.{name}", found)
            page.entries.append(entry)
        pages[mid] = page
    for mid in public:
        page = pages[mid]
        # Source order within each defining file keeps related names together.
        page.entries.sort(key=lambda e: (e.symbol.path != mods.modules[mid].path, e.symbol.path, e.symbol.line))
        expanded: list[Entry] = []
        for e in page.entries:
            expanded.append(e)
            if e.symbol.kind in TYPE_KINDS:
                members = member_entries(e.symbol, e.id, children, 1, public_member)
                expanded += _attribute_entries(e.symbol, e.id, {m.id for m in members}) + members
        page.entries = expanded
        api.add(page)


def resolve_path(dotted: str, with_id, depth: int = 0) -> Symbol | None:
    """The symbol a public path names (``pkg.Client`` re-exported from ``pkg._client``), from the store alone.

    For one name at a time (a Markdown reference, an example's call): follows the
    defining module's imports and star imports, without building the whole API.
    ``with_id(id)`` returns the symbols with that id.
    """
    found = [s for s in with_id(dotted) if s.kind != MODULE]
    if found or depth > 8:
        return found[-1] if found else None
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        mods = [s for s in with_id(".".join(parts[:i])) if s.kind == MODULE]
        if not mods:
            continue
        target = _resolve_name(mods[0], parts[i], with_id, depth)
        if target is None:
            return None
        rest = parts[i + 1:]
        return resolve_path(".".join([target.id, *rest]), with_id, depth + 1) if rest else target
    return None


def _resolve_name(mod: Symbol, name: str, with_id, depth: int) -> Symbol | None:
    hit = [s for s in with_id(f"{mod.id}.{name}") if s.kind != MODULE]
    if hit:
        return hit[-1]
    if depth > 8:
        return None
    for imp in mod.imports:
        if imp.name and imp.name != "*" and (imp.alias or imp.name) == name:
            return resolve_path(f"{imp.module}.{imp.name}", with_id, depth + 1)
    for imp in mod.imports:
        if imp.name == "*":
            found = resolve_path(f"{imp.module}.{name}", with_id, depth + 1)
            if found is not None:
                return found
    return None
