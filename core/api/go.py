"""Go's public API: one page per package (a directory), its exported identifiers.

``internal/`` packages cannot be imported from outside their module, so they
are left out, as are ``package main`` commands, ``_test.go`` files and
``testdata/`` (the language table's test conventions). A page is titled with the package's import path
(``go.mod``'s module path plus the directory) and ordered as godoc orders
it: functions, then each type followed by its methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from llmctl.analyzers.symbols import MODULE, TYPE_KINDS, VARIABLE, ParsedDoc, Symbol
from llmctl.core.api import DOCUMENTED_KINDS, ApiPage, Entry, PublicApi, grouped, value_symbol

_MODULE = re.compile(rb"^\s*module\s+(\S+)", re.M)


def _directory(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _module_path(read: Callable[[str], bytes | None], directory: str) -> tuple[str, str]:
    """(module path, its root directory) of the nearest go.mod at or above ``directory``."""
    parts = directory.split("/") if directory else []
    for i in range(len(parts), -1, -1):
        root = "/".join(parts[:i])
        data = read(f"{root}/go.mod" if root else "go.mod")
        if data:
            m = _MODULE.search(data)
            if m:
                return m.group(1).decode("utf-8", "replace"), root
    return "", ""


def entries(symbols: list[Symbol], api: PublicApi, read) -> None:
    """One page per non-internal package with exported identifiers."""
    packages: dict[str, list[Symbol]] = {}
    for s in symbols:
        directory = _directory(s.path)
        if "internal" in directory.split("/"):
            continue
        packages.setdefault(directory, []).append(s)
    for directory in sorted(packages):
        syms = packages[directory]
        files = [s for s in syms if s.kind == MODULE]
        public = [s for s in syms if s.kind in DOCUMENTED_KINDS and s.is_public]
        public += [_value(f, v, _prefix(directory, f)) for f in files for v in f.variables]
        if not files or not public or all(f.signature == "package main" for f in files):
            continue  # a `package main` is a command (urfave/cli's scripts/build.go): nothing to import
        module_path, root = _module_path(read, directory)
        rel = directory[len(root):].strip("/") if root and directory.startswith(root) else directory
        title = "/".join(p for p in (module_path, rel) if p) or public[0].id.rsplit(".", 1)[0]
        page = ApiPage(f"{_page_name(public)}.md", title, _page_file(files, title), _ordered(public))
        api.add(page)


def _prefix(directory: str, file: Symbol) -> str:
    """The symbol-id prefix the Go analyzer gives a file's names (its directory, else its package)."""
    return directory.replace("/", ".").replace("-", "_") if directory else file.signature.split()[-1]


def _value(file: Symbol, v, prefix: str) -> Symbol:
    """An exported ``var``/``const`` with its doc comment: ``const DebugMode = "debug"``, ``var HelpFlag Flag``."""
    from llmctl.analyzers.doccomments import parse_go_doc

    signature = f"{v.kind} {v.name}" + (f" {v.annotation}" if v.annotation else "") + (
        f" = {v.default}" if v.default and not v.annotation else "")
    return value_symbol(file, v, prefix, signature, parse_go_doc(v.doc) if v.doc else ParsedDoc())


def _page_name(public: list[Symbol]) -> str:
    """The package's symbol-id prefix (``gin``, ``binding``): the id all its top-level names share."""
    top = next((s for s in public if s.kind != "method"), public[0])
    return top.id.rsplit(".", 1)[0] if top.kind != "method" else top.parent.rsplit(".", 1)[0]


def _page_file(files: list[Symbol], title: str) -> Symbol:
    """The file whose doc comment heads the page: one with a package doc, else ``<package>.go``, else the first."""
    name = title.rsplit("/", 1)[-1]
    documented = [f for f in files if f.documented]
    if documented:
        return sorted(documented, key=lambda f: (f.path.rsplit("/", 1)[-1] != "doc.go", f.path))[0]
    named = [f for f in files if f.path.rsplit("/", 1)[-1] == f"{name}.go"]
    return (named or sorted(files, key=lambda f: f.path))[0]


def _ordered(public: list[Symbol]) -> list[Entry]:
    """godoc's order: constants and variables as declared, functions by name, then each type by name with its
    methods (and interface methods)."""
    groups = grouped(public)
    types = sorted((g for g in groups.values() if g[0].kind in TYPE_KINDS), key=lambda g: g[0].name)
    type_ids = {g[0].id for g in types}
    funcs = sorted((g for g in groups.values() if g[0].kind == "function"), key=lambda g: g[0].name)
    methods: dict[str, list[list[Symbol]]] = {}
    for g in groups.values():
        if g[0].kind == "method" and g[0].parent in type_ids:
            methods.setdefault(g[0].parent, []).append(g)
    values = [g for g in groups.values() if g[0].kind == VARIABLE]  # godoc lists constants and variables first
    out = [Entry(g[0].id, g) for g in values] + [Entry(g[0].id, g) for g in funcs]
    for g in types:
        out.append(Entry(g[0].id, g))
        out += [Entry(m[0].id, m, 1) for m in sorted(methods.get(g[0].id, []), key=lambda m: m[0].name)]
    return out
