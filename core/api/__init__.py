"""The public API of a project, as each language defines it, computed from the symbol store.

One model serves ``docs sync`` (which pages, which sections, under which
names), the GEN rules (is a public symbol missing from the reference? what
does a section's id name?), the MD rules (does ```pkg.Client``` exist?) and
search. Per language (``core/api/<language>.py``; a language without a module
of its own gets :func:`default_entries`):

- Python: ``__all__`` when present, else names without a leading ``_``;
  names a package re-exports are documented under the package's path
  (``pkg.Client``, defined in ``pkg/_client.py``); a private module's symbols
  only when re-exported.
- Go: one page per package; exported identifiers; ``internal/`` out.
- JavaScript/TypeScript: what the package's entry points export
  (``package.json``, ``index.ts`` re-exports), else exported symbols.
- Rust: ``pub`` items reachable from the crate root (``pub mod``, ``pub use``).
- Java: ``public`` in ``src/main``; one page per top-level class.

Test, example, benchmark, vendored and generated code is never public
(:func:`excluded`, by each language's conventions plus ``docs.exclude``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from llmctl.analyzers.languages import LANGUAGES
from llmctl.analyzers.symbols import CALLABLE_KINDS, MODULE, TYPE_KINDS, Symbol
from llmctl.core.globs import match as glob_match

# Code the project did not write by hand: vendored copies and build output (axios commits its bundles to
# dist/). Its doc comments are fixed where they come from, so `docs check` leaves it out too.
NOT_OURS = [
    "vendor/", "vendored/", "_vendor/", "third_party/", "third-party/", "node_modules/", "dist/", "build/",
    "*_pb2.py", "*_pb2_grpc.py", "*.pb.go", "*.min.js",
]
# Never documented by default, whatever the language (on top of each language's test conventions).
DEFAULT_EXCLUDE = [
    "examples/", "example/", "benchmarks/", "benchmark/", "bench/", "benches/", "docs/", "doc/",
    "fixtures/", "testdata/", "site/", "setup.py", "noxfile.py", "conftest.py", "*.d.ts", *NOT_OURS,
]
DOCUMENTED_KINDS = CALLABLE_KINDS | TYPE_KINDS


def is_overload(sym: Symbol) -> bool:
    """A ``@typing.overload`` signature (``overload``, ``typing.overload``, ``t.overload``, …)."""
    return any(d == "overload" or d.endswith(".overload") for d in sym.decorators)


_JS_SETTER = re.compile(r"^(?:(?:static|public|protected|private|override)\s+)*set\s")


def is_accessor(sym: Symbol) -> bool:
    """A property's setter or deleter (``@encoding.setter``; ``set status(code)`` in JavaScript/TypeScript)."""
    if sym.language in ("javascript", "typescript"):
        return bool(_JS_SETTER.match(sym.signature))
    return any(d.endswith((".setter", ".deleter")) for d in sym.decorators)


@dataclass
class Entry:
    """One documented name: a section of the reference."""

    id: str  # the public path users look it up by (``httpx.Client``)
    symbols: list[Symbol]  # the definition; several for overloads (``@overload``, TS signatures, Java)
    depth: int = 0  # 0 for a top-level name, 1 for a member of a documented type, …
    aliases: list[str] = field(default_factory=list)  # other public paths of the same definition (``attr.s``)
    # A class's public methods from the project's base classes: (base, its methods), nearest first (docs sync).
    inherited: list = field(default_factory=list)

    @property
    def symbol(self) -> Symbol:
        """The definition whose doc comment and location speak for the entry (the implementation).

        A Python property's getter speaks, not its setter or deleter, which come after it:
        httpx's ``Headers.encoding`` showed its setter, undocumented, and a generated
        "Encode the value as utf8." in place of the getter's doc comment (koa's ``response.status``:
        "Get response status code.", not the setter's "Set response status code."). Of Java's overloads, the
        last documented one speaks: javapoet documents ``subtypeOf(TypeName)``, not the convenience
        ``subtypeOf(Type)`` after it, which was given "Return the subtype of a WildcardTypeName.".
        """
        impl = [s for s in self.symbols if not is_overload(s)] or self.symbols
        speakers = [s for s in impl if not is_accessor(s)] or impl
        return ([s for s in speakers if s.doc.summary] or speakers)[-1]

    @property
    def name(self) -> str:
        """The last part of the public path; for a definition hung on an object (CommonJS ``app.listen =
        function …``), its name with the object's, as users call it."""
        sym = self.symbol
        own = sym.id[len(sym.parent) + 1:] if sym.parent and sym.id.startswith(sym.parent + ".") else ""
        return own if "." in own else self.id.rsplit(".", 1)[-1]


@dataclass
class ApiPage:
    """One page of the reference: a public module or package, its entries in order."""

    name: str  # file name, ``httpx.md``
    title: str  # the public module/package path
    module: Symbol  # the module symbol whose doc comment heads the page
    entries: list[Entry] = field(default_factory=list)


@dataclass
class PublicApi:
    """The public API: pages, and lookups from a public path or a store id to its entry."""

    pages: dict[str, ApiPage] = field(default_factory=dict)
    by_id: dict[str, Entry] = field(default_factory=dict)
    public_id: dict[str, str] = field(default_factory=dict)  # store id -> public id
    aliases: dict[str, str] = field(default_factory=dict)  # another public path -> the entry's (``attr.s``)

    def add(self, page: ApiPage) -> None:
        """Register a page and its entries (a name already documented elsewhere is not repeated)."""
        page.entries = [e for e in page.entries if e.id not in self.by_id]
        if not page.entries:
            return
        name = page.name
        if name in self.pages:
            name = name[:-3] + f"-{page.module.language}.md"
            page.name = name
        self.pages[name] = page
        for e in page.entries:
            self.by_id[e.id] = e
            for s in e.symbols:
                self.public_id.setdefault(s.id, e.id)
            for a in e.aliases:
                self.aliases.setdefault(a, e.id)

    def resolve(self, dotted: str) -> Symbol | None:
        """The symbol a public path (or another name of it, ``attr.s``) names, if the API has it."""
        entry = self.by_id.get(dotted) or self.by_id.get(self.aliases.get(dotted, ""))
        return entry.symbol if entry is not None else None

    @property
    def symbols(self) -> int:
        """How many sections the reference has."""
        return sum(len(p.entries) for p in self.pages.values())


def excluded(path: str, language: str, include: list[str], exclude: list[str]) -> bool:
    """True for code the reference leaves out: tests, examples, benchmarks, vendored, generated, docs.exclude.

    ``docs.include``, when set, is the only code documented.
    """
    if include and not glob_match(path, include):
        return True
    lang = LANGUAGES.get(language)
    return glob_match(path, DEFAULT_EXCLUDE + list(lang.tests if lang else ()) + list(exclude))


def value_symbol(file: Symbol, v, parent: str, signature: str, doc) -> Symbol:
    """A module value (``file.variables``: Python's ``request: RequestProxy = …``, Go's ``const DebugMode``, an
    exported JS/TS ``const``) as a symbol of the reference, with ``signature`` and its parsed ``doc``. It is not
    in the store: no rule checks it and the model never writes for it (prose.needs)."""
    from llmctl.analyzers.base import finish_symbol
    from llmctl.analyzers.symbols import VARIABLE

    sym = Symbol(id=f"{parent}.{v.name}", name=v.name, kind=VARIABLE, language=file.language, path=file.path,
                 line=v.line, end_line=v.line, parent=parent, signature=signature, doc_raw=v.doc, doc=doc)
    return finish_symbol(sym, v.default or "", file.language == "python")


def _field_symbol(owner: Symbol, v) -> Symbol:
    """A Java field as a value of the reference: ``public static final TypeName INT``, with its Javadoc."""
    from llmctl.analyzers.doccomments import parse_block_tags
    from llmctl.analyzers.symbols import ParsedDoc

    signature = " ".join(p for p in (v.kind, v.annotation, v.name) if p)
    return value_symbol(owner, v, owner.id, signature, parse_block_tags(v.doc, "javadoc") if v.doc else ParsedDoc())


def members_by_parent(symbols: Iterable[Symbol]) -> dict[str, list[Symbol]]:
    """Symbols grouped by their parent id, in file and source order."""
    out: dict[str, list[Symbol]] = {}
    for s in symbols:
        if s.parent:
            out.setdefault(s.parent, []).append(s)
    return out


def member_entries(owner: Symbol, public_id: str, children: dict[str, list[Symbol]], depth: int,
                   public=lambda s: s.is_public) -> list[Entry]:
    """Entries for the public members of a documented type, nested under its public path."""
    out: list[Entry] = []
    groups: dict[str, list[Symbol]] = {}
    for s in children.get(owner.id, []):
        if s.kind in DOCUMENTED_KINDS and public(s):
            groups.setdefault(s.name, []).append(s)
    for name, group in groups.items():
        eid = f"{public_id}.{name}"
        out.append(Entry(eid, group, depth))
        if group[-1].kind in TYPE_KINDS:
            out += member_entries(group[-1], eid, children, depth + 1, public)
    return out


def grouped(symbols: Iterable[Symbol]) -> dict[str, list[Symbol]]:
    """Symbols by id, in first-seen order: overloads and getter/setter pairs share one id."""
    out: dict[str, list[Symbol]] = {}
    for s in symbols:
        out.setdefault(s.id, []).append(s)
    return out


def default_entries(symbols: list[Symbol], api: PublicApi, page_name=None) -> None:
    """The public surface of a language without rules of its own: exported symbols, one page per file."""
    from llmctl.analyzers.base import module_id

    by_path: dict[str, list[Symbol]] = {}
    modules: dict[str, Symbol] = {}
    for s in symbols:
        if s.kind == MODULE:
            modules[s.path] = s
        else:
            by_path.setdefault(s.path, []).append(s)
    for path, mod in sorted(modules.items()):
        syms = [s for s in by_path.get(path, []) if s.is_public and s.kind in DOCUMENTED_KINDS]
        if not syms:
            continue
        depth: dict[str, int] = {}
        entries = []
        for sid, group in grouped(syms).items():
            s = group[0]
            depth[sid] = depth[s.parent] + 1 if s.parent in depth else 0
            entries.append(Entry(sid, group, depth[sid]))
            # A type's fields (Java's), first among its members as in Javadoc's Field Summary.
            entries += [Entry(f"{sid}.{v.name}", [_field_symbol(s, v)], depth[sid] + 1) for v in s.variables
                        if s.kind in TYPE_KINDS]
        name = page_name(mod, syms) if page_name else module_id(path, mod.language)
        api.add(ApiPage(f"{name}.md", name, mod, entries))


def _no_files(_path: str) -> bytes | None:
    return None


def build(symbols: list[Symbol], *, include: list[str] | None = None, exclude: list[str] | None = None,
          read: Callable[[str], bytes | None] = _no_files) -> PublicApi:
    """The public API of a project's symbols; ``read(path)`` gives project files some languages need
    (``go.mod``, ``package.json``, ``Cargo.toml``), None when absent."""
    kept: dict[str, list[Symbol]] = {}
    for s in symbols:
        if not excluded(s.path, s.language, include or [], exclude or []):
            # TypeScript and JavaScript share packages and entry points: one model for both.
            kept.setdefault("javascript" if s.language == "typescript" else s.language, []).append(s)
    api = PublicApi()
    for language in sorted(kept):
        try:
            rules = importlib.import_module(f"llmctl.core.api.{language}")
        except ModuleNotFoundError as err:
            if err.name != f"llmctl.core.api.{language}":
                raise
            default_entries(kept[language], api)
            continue
        rules.entries(kept[language], api, read)
    return api


def for_project(project, symbols: list[Symbol]) -> PublicApi:
    """The public API of ``project`` (``docs.include``/``docs.exclude`` from its config)."""
    root = project.root

    def read(path: str) -> bytes | None:
        try:
            return (root / path).read_bytes()
        except OSError:
            return None

    return build(symbols, include=project.config.docs.include, exclude=project.config.docs.exclude, read=read)
