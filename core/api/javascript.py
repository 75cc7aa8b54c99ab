"""JavaScript and TypeScript's public API: what a package's entry points export.

A package is a folder with a ``package.json``. Its entry points are the files
its ``exports``, ``main``, ``module``, ``types`` and ``source`` fields name,
mapped back from build output to source (``./distribution/index.js`` ->
``source/index.ts``), else ``index``/``src/index``. From each entry the model
follows ``export * from``, ``export {x as y} from`` and ``module.exports =
require(…)`` to the definitions, and documents them on one page named after
the package (``ky.md``: ``ky.HTTPError``). Files outside any package, or in a
package whose entry cannot be found, fall back to exported symbols per file.
"""

from __future__ import annotations

import json
import posixpath

from llmctl.analyzers.symbols import MODULE, TYPE_KINDS, ParsedDoc, Symbol
from llmctl.core.api import (
    DOCUMENTED_KINDS, ApiPage, Entry, PublicApi, default_entries, member_entries, members_by_parent, value_symbol,
)

_SOURCE_EXTS = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx")
_BUILD_DIRS = ("dist", "distribution", "build", "lib", "out", "esm", "cjs", "es", "umd")
_SOURCE_DIRS = ("src", "source", "lib")


def _targets(value) -> list[str]:
    """Every path string in a package.json ``exports``/``main``-style value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _targets(v)]
    if isinstance(value, list):
        return [t for v in value for t in _targets(v)]
    return []


class _Files:
    """The package's JS/TS files by path, with extension-less lookup the way bundlers resolve."""

    def __init__(self, modules: dict[str, Symbol]):
        self.modules = modules

    def find(self, path: str) -> str | None:
        path = posixpath.normpath(path).lstrip("./") if path not in (".", "./") else ""
        stem = path
        for ext in (".d.ts", ".d.mts", ".d.cts") + _SOURCE_EXTS:
            if stem.endswith(ext):
                stem = stem[: -len(ext)]
                break
        for candidate in [path] + [stem + e for e in _SOURCE_EXTS] + [f"{stem}/index{e}" for e in _SOURCE_EXTS]:
            if candidate in self.modules:
                return candidate
        return None


def _resolve_target(root: str, target: str, files: _Files) -> str | None:
    """The source file of one entry-point path, mapping build output back to its source folder."""
    hit = files.find(posixpath.join(root, target) if root else target)
    head, _, rest = target.lstrip("./").partition("/")
    if hit is None and head in _BUILD_DIRS and rest:
        for src_dir in _SOURCE_DIRS:
            hit = hit or files.find(posixpath.join(root, src_dir, rest))
    return hit


def _entries_of(root: str, meta: dict, files: _Files) -> list[str]:
    """The source files a package's entry points name (``index`` files when it names none we have)."""
    fields = [meta.get(k) for k in ("source", "exports", "module", "main", "types", "typings")]
    wanted = [t for f in fields for t in _targets(f) if not t.startswith(("/", "http"))]
    found: list[str] = []
    for target in wanted or ["./index.js", "./src/index.js", "./source/index.js"]:
        hit = _resolve_target(root, target, files)
        if hit is not None and hit not in found:
            found.append(hit)
    if not found and wanted:
        return _entries_of(root, {}, files)
    return found


def _exports(path: str, files: _Files, own: dict[str, dict[str, list[Symbol]]],
             memo: dict[str, dict[str, list[Symbol]]]) -> dict[str, list[Symbol]]:
    """Name -> definition of everything module ``path`` exports, re-exports followed."""
    if path in memo:
        return memo[path]
    out = memo[path] = dict(own.get(path, {}))  # filled in place: a re-export cycle sees what is known
    mod = files.modules[path]
    for imp in mod.imports:
        if not imp.export or not imp.module.startswith("."):
            continue
        target = files.find(posixpath.join(posixpath.dirname(path), imp.module))
        if target is None:
            continue
        theirs = _exports(target, files, own, memo)
        if imp.name == "" and imp.alias:  # `export * as ns from`, CommonJS `exports.ns = require(…)`
            for n, defs in theirs.items():
                out.setdefault(f"{imp.alias}.{n}", defs)
        elif imp.name == "*":
            for n, defs in theirs.items():
                out.setdefault(n, defs)
        elif imp.name in theirs:
            out.setdefault(imp.alias or imp.name, theirs[imp.name])
    return out


def _value(mod: Symbol, v) -> Symbol:
    """An exported value (``const produce: IProduce``) with its doc comment (analyzers/javascript.py)."""
    from llmctl.analyzers.doccomments import parse_block_tags

    signature = f"{v.kind} {v.name}: {v.annotation}" if v.annotation else f"{v.kind} {v.name} = {v.default}"
    return value_symbol(mod, v, mod.id, signature, parse_block_tags(v.doc, "jsdoc") if v.doc else ParsedDoc())


def _package_name(meta: dict, root: str) -> str:
    name = str(meta.get("name") or posixpath.basename(root) or "package")
    return name.lstrip("@").replace("/", ".").replace("-", "_")


def entries(symbols: list[Symbol], api: PublicApi, read) -> None:
    """One page per package with a findable entry; per-file pages for the rest."""
    modules = {s.path: s for s in symbols if s.kind == MODULE}
    own: dict[str, dict[str, list[Symbol]]] = {}
    for s in symbols:
        mod = modules.get(s.path)
        if mod is not None and s.parent == mod.id and s.is_public and s.kind in DOCUMENTED_KINDS:
            own.setdefault(s.path, {}).setdefault(s.name, []).append(s)
    for mod in modules.values():  # exported values (`export const produce: IProduce = …`): facts, not in the store
        for v in mod.variables:
            own.setdefault(mod.path, {}).setdefault(v.name, [_value(mod, v)])
    files = _Files(modules)
    roots: dict[str, dict] = {}
    for d in sorted({posixpath.dirname(p) for p in modules} | {""}):
        for r in [d] + [d.rsplit("/", i)[0] for i in range(1, d.count("/") + 1)] + [""]:
            if r not in roots:
                data = read(f"{r}/package.json" if r else "package.json")
                try:
                    roots[r] = json.loads(data) if data else None
                except ValueError:
                    roots[r] = None
    covered: set[str] = set()
    children = members_by_parent(symbols)
    for root, meta in sorted(roots.items()):
        if not isinstance(meta, dict):
            continue
        found = _entries_of(root, meta, files)
        if not found:
            continue
        names: dict[str, list[Symbol]] = {}
        memo: dict[str, dict[str, list[Symbol]]] = {}
        for entry in found:
            for n, defs in _exports(entry, files, own, memo).items():
                names.setdefault(n, defs)
        covered |= {p for p in modules if not root or p.startswith(root + "/")}
        pkg = _package_name(meta, root)
        page_entries: list[Entry] = []
        for n, defs in sorted(names.items(), key=lambda kv: (kv[1][0].path, kv[1][0].line)):
            page_entries.append(Entry(f"{pkg}.{n}", defs))
            if defs[-1].kind in TYPE_KINDS:
                page_entries += member_entries(defs[-1], f"{pkg}.{n}", children, 1)
        head = modules[found[0]]
        api.add(ApiPage(f"{pkg}.md", str(meta.get("name") or pkg), head, page_entries))
    rest = [s for s in symbols if s.path not in covered]
    if rest:
        default_entries(rest, api)
