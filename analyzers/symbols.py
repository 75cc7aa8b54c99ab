"""The Symbol record: what every llmctl command reads about the code.

Analyzers produce these; the store keeps them; docs, drift checks, search and
training data all consume them. They are plain dataclasses so that they
serialise to JSON (the store and ``--json`` output) without ceremony.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Parameter kinds. The Python names follow ``inspect.Parameter``; other
# languages map onto them, plus "receiver" (Go/Rust ``self``/method receivers).
POSITIONAL_ONLY = "positional_only"
POSITIONAL_OR_KEYWORD = "positional_or_keyword"
VAR_POSITIONAL = "var_positional"
KEYWORD_ONLY = "keyword_only"
VAR_KEYWORD = "var_keyword"
RECEIVER = "receiver"

# Symbol kinds.
MODULE = "module"
CLASS = "class"
STRUCT = "struct"
INTERFACE = "interface"
TRAIT = "trait"
ENUM = "enum"
TYPE = "type"  # a named type that is none of the above (Go `type Duration int64`)
FUNCTION = "function"
VARIABLE = "variable"  # a module-level value (Python), documented as a fact, never asked of the model
METHOD = "method"

CALLABLE_KINDS = frozenset({FUNCTION, METHOD})
TYPE_KINDS = frozenset({CLASS, STRUCT, INTERFACE, TRAIT, ENUM, TYPE})


@dataclass
class Param:
    """One parameter of a callable, as written in the source."""

    name: str
    kind: str = POSITIONAL_OR_KEYWORD
    default: str | None = None
    annotation: str | None = None
    doc: str | None = None  # a class attribute's own doc (``#:`` above it, a string after it); None for parameters
    line: int = 0  # where a module variable is assigned (Symbol.variables)


@dataclass
class DocItem:
    """A documented parameter, return value or raised error."""

    name: str | None = None
    type: str | None = None
    description: str = ""


def _item(item: DocItem) -> dict[str, Any]:
    return {"name": item.name, "type": item.type, "description": item.description}


@dataclass
class ParsedDoc:
    """A doc comment split into its parts; ``style`` names the convention found."""

    summary: str = ""
    description: str = ""
    params: list[DocItem] = field(default_factory=list)
    returns: DocItem | None = None
    raises: list[DocItem] = field(default_factory=list)
    style: str = "plain"
    yields: DocItem | None = None
    attributes: list[DocItem] = field(default_factory=list)

    @property
    def has_sections(self) -> bool:
        """True when the doc comment has any structured section (more than a description)."""
        return bool(self.params or self.returns or self.raises or self.yields or self.attributes)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape used by ``--json`` and the store."""
        # Written out by hand: dataclasses.asdict deep-copies and is ~10x slower,
        # which shows on a 250,000-symbol scan.
        return {
            "summary": self.summary,
            "description": self.description,
            "params": [_item(p) for p in self.params],
            "returns": _item(self.returns) if self.returns is not None else None,
            "raises": [_item(r) for r in self.raises],
            "style": self.style,
            "yields": _item(self.yields) if self.yields is not None else None,
            "attributes": [_item(a) for a in self.attributes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedDoc:
        """Rebuild a ParsedDoc from :meth:`to_dict` output."""
        returns = data.get("returns")
        yields = data.get("yields")
        return cls(
            summary=data.get("summary", ""),
            description=data.get("description", ""),
            params=[DocItem(**p) for p in data.get("params", [])],
            returns=DocItem(**returns) if returns else None,
            raises=[DocItem(**r) for r in data.get("raises", [])],
            style=data.get("style", "plain"),
            yields=DocItem(**yields) if yields else None,
            attributes=[DocItem(**a) for a in data.get("attributes", [])],
        )


@dataclass
class ImportRef:
    """A name a module imports or re-exports (recorded on module symbols, for the public-API model).

    ``module`` is where it comes from: an absolute dotted module for Python
    (relative imports resolved), the specifier as written for JS/TS
    (``./core/Ky.js``), the path for Rust (``crate::error``). ``name`` is the
    imported name, ``*`` for a star import, ``""`` when the module itself is
    imported. ``alias`` is the local name when it differs. ``export`` is True
    for a re-export (JS/TS ``export … from``, Rust ``pub use``, ``pub mod``).
    """

    module: str
    name: str = ""
    alias: str = ""
    export: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape in the store."""
        return {"module": self.module, "name": self.name, "alias": self.alias, "export": self.export}


@dataclass
class Symbol:
    """A module, type or callable found in a source file.

    ``id`` is the qualified name (``pkg.mod.Class.method``); ``path`` is relative
    to the project root with forward slashes; lines are 1-based and inclusive.
    """

    id: str
    name: str
    kind: str
    language: str
    path: str
    line: int
    end_line: int
    parent: str | None = None
    signature: str = ""
    params: list[Param] = field(default_factory=list)
    returns: str | None = None
    decorators: list[str] = field(default_factory=list)
    visibility: str = "public"
    exported: bool = True
    doc_raw: str | None = None
    doc: ParsedDoc = field(default_factory=ParsedDoc)
    sig_hash: str = ""
    doc_hash: str = ""
    body_hash: str = ""
    # Facts about the body, for drift rules; None where the analyzer cannot tell.
    returns_value: bool | None = None
    yields: bool = False
    raised: list[str] | None = None  # exception types raised in the body itself; "*" is a bare re-raise
    raised_nested: list[str] = field(default_factory=list)  # raised inside functions nested in the body
    # The body calls, constructs or casts something, whose exceptions a Javadoc/JSDoc @throws may list
    # (Java, JavaScript/TypeScript); None where the analyzer does not record it.
    calls: bool | None = None
    # Python: what the body calls, as written (``fields``, ``self._check``), for following what callees raise.
    callees: list[str] = field(default_factory=list)
    stub: bool = False  # body is only pass / ... / raise NotImplementedError (abstract, protocol)
    # Module symbols only: what the module imports, and its declared public names (Python
    # ``__all__``; JS/TS local ``export {…}`` lists). None: the module declares none.
    imports: list[ImportRef] = field(default_factory=list)
    all_names: list[str] | None = None
    # Type symbols: attributes declared in the class body (``x: int = 0``), as name/annotation/default.
    attributes: list[Param] = field(default_factory=list)
    # Python classes only: the names its methods assign on their first parameter (``self.x = …``), in order.
    instance_attributes: list[str] = field(default_factory=list)
    # Module/file symbols: the values assigned at top level, with their own doc and line: Python's
    # ``request: Request = LocalProxy(…)`` (core/api/python.py), Go's exported ``var``/``const`` (kind "var" or
    # "const"; core/api/go.py). The public API documents them; they are not symbols of the store.
    variables: list[Param] = field(default_factory=list)

    @property
    def is_public(self) -> bool:
        """True when the symbol is part of the file's public surface."""
        return self.visibility == "public" and self.exported

    @property
    def documented(self) -> bool:
        """True when the symbol carries a non-empty doc comment."""
        return bool(self.doc_raw and self.doc_raw.strip())

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of ``llmctl scan --json`` (plus extra fields)."""
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "language": self.language,
            "path": self.path, "line": self.line, "end_line": self.end_line, "parent": self.parent,
            "signature": self.signature,
            "params": [{"name": p.name, "kind": p.kind, "default": p.default, "annotation": p.annotation}
                       for p in self.params],
            "returns": self.returns, "decorators": self.decorators, "visibility": self.visibility,
            "exported": self.exported, "doc_raw": self.doc_raw, "doc": self.doc.to_dict(),
            "sig_hash": self.sig_hash, "doc_hash": self.doc_hash, "body_hash": self.body_hash,
            "returns_value": self.returns_value, "yields": self.yields, "raised": self.raised, "stub": self.stub,
            "imports": [i.to_dict() for i in self.imports], "all_names": self.all_names,
            "raised_nested": self.raised_nested, "calls": self.calls, "callees": self.callees,
            "attributes": [{"name": p.name, "kind": p.kind, "default": p.default, "annotation": p.annotation,
                            "doc": p.doc, "line": p.line} for p in self.attributes],
            "instance_attributes": self.instance_attributes,
            "variables": [{"name": p.name, "kind": p.kind, "default": p.default, "annotation": p.annotation,
                           "doc": p.doc, "line": p.line} for p in self.variables],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Symbol:
        """Rebuild a Symbol from :meth:`to_dict` output."""
        data = dict(data)
        data["params"] = [Param(**p) for p in data.get("params", [])]
        data["doc"] = ParsedDoc.from_dict(data.get("doc") or {})
        data["imports"] = [ImportRef(**i) for i in data.get("imports") or []]
        data["attributes"] = [Param(**a) for a in data.get("attributes") or []]
        data["variables"] = [Param(**a) for a in data.get("variables") or []]
        return cls(**data)


def paired(old, new) -> list[tuple[Symbol, Symbol]]:
    """Each symbol of ``old`` with its version in ``new`` (those ``new`` lacks are left out).

    A symbol's version is the one with its id. Where several share an id (a
    property's getter and setter, ``@overload`` stubs, Rust's ``#[cfg(unix)]`` and
    ``#[cfg(windows)]`` twins), each old one takes the unclaimed new one whose
    doc comment reads most like its own, then the nearest in order: pairing the
    first with the last made a Windows twin look like an edit of the Unix one.
    """
    import difflib

    groups: dict[str, list[tuple[int, Symbol]]] = {}  # id -> (its place among the id's symbols, symbol)
    for s in new:
        group = groups.setdefault(s.id, [])
        group.append((len(group), s))
    seen: dict[str, int] = {}
    out = []
    for s in old:
        cands = groups.get(s.id)
        if not cands:
            continue
        k = seen[s.id] = seen.get(s.id, -1) + 1
        if len(cands) == 1:
            best = cands[0]
        else:
            best = max(cands, key=lambda c: (difflib.SequenceMatcher(a=s.doc_raw or "", b=c[1].doc_raw or "",
                                                                     autojunk=False).ratio(), -abs(c[0] - k)))
        cands.remove(best)
        out.append((s, best[1]))
    return out
