"""Doc comments a method inherits: an undocumented override means what the method it overrides says.

Python's ``inspect.getdoc``, Javadoc and rustdoc all show a base method's doc
comment for an override that has none; docs sync does the same instead of
asking the model, which got such overrides wrong (itsdangerous's
``NoneAlgorithm.get_signature`` was given "Return the signature of the
given key.", where ``SigningAlgorithm.get_signature`` says "Returns the
signature for the given key and value."). The section marks where the text
came from, and re-renders when the base's doc comment changes (the text is in
the section's ``fwd`` fingerprint).

Supertypes are read from the type's signature (``class B(A)``, ``class B
extends A implements I``) or, for a Rust trait method, from the ``impl Trait``
the analyzer records; each must name exactly one type of the project (the
same file's first). The nearest documented method of the same name along the
chain is taken; among Java overloads, the one with the same parameter types.
Where no project type along the chain declares the method and exactly one
type outside the project must (a Python builtin or ``collections.abc`` class
that defines it; the one outside supertype of a Java ``@Override``), the
summary is the fact "Overrides `MutableMapping.values`.", as a Rust trait
method's is "Implements `fmt::Debug` for `DirEntry`." (prose.called_by).
"""

from __future__ import annotations

import builtins
import collections.abc
import re

from llmctl.analyzers.symbols import METHOD, TYPE_KINDS, Symbol
from llmctl.core.docs.forward import Forwarded
from llmctl.core.docs.prose import SUMMARY, api_params, described_params, implemented_trait

_PY_BASES = re.compile(r"^class\s+\w+\s*(?:\[.*?\])?\s*\((.*)\)\s*:?\s*$", re.S)
_EXTENDS = re.compile(r"\b(?:extends|implements)\s+(.*?)(?=\s+(?:extends|implements)\b|\s*\{?\s*$)", re.S)
_DEPTH = 5  # supertypes followed up the chain


def _without_generics(text: str) -> str:
    """``Map<K, List<V>>`` -> ``Map``: type arguments dropped, nested ones included."""
    out, depth = [], 0
    for ch in text:
        if ch in "<[":
            depth += 1
        elif ch in ">]":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def supertypes(sym: Symbol) -> list[str]:
    """The short names of the types ``sym`` (a type) directly extends or implements, as its signature writes them."""
    sig = _without_generics(sym.signature)
    if sym.language == "python":
        m = _PY_BASES.match(sig.strip())
        parts = m.group(1).split(",") if m else []
        names = [p.strip() for p in parts if "=" not in p and not p.strip().startswith("*")]
    else:
        names = [n.strip() for m in _EXTENDS.finditer(sig) for n in m.group(1).split(",")]
    return [n.rsplit(".", 1)[-1] for n in names if re.fullmatch(r"[A-Za-z_][\w.]*", n)]


class Bases:
    """The project's types by short name and its methods by owner, for walking up from an override."""

    def __init__(self, symbols: list[Symbol]):
        self.types: dict[str, list[Symbol]] = {}
        self.methods: dict[tuple[str, str], list[Symbol]] = {}
        self.by_id: dict[str, Symbol] = {}
        for s in symbols:
            if s.kind in TYPE_KINDS:
                self.types.setdefault(s.name, []).append(s)
                self.by_id.setdefault(s.id, s)
            elif s.kind == METHOD and s.parent:
                self.methods.setdefault((s.parent, s.name), []).append(s)

    def _type(self, name: str, near: Symbol) -> Symbol | None:
        cands = [t for t in self.types.get(name, []) if t.language == near.language]
        same_file = [t for t in cands if t.path == near.path]
        found = same_file if same_file else cands
        return found[0] if len(found) == 1 else None

    @staticmethod
    def _names(method: Symbol, owner: Symbol) -> list[str]:
        """The names of the types a method's owner extends; for a Rust method, the trait its ``impl`` implements."""
        if method.language == "rust":
            trait = implemented_trait(method)
            return [_without_generics(trait).rsplit("::", 1)[-1].strip()] if trait else []
        return supertypes(owner)

    def _direct(self, method: Symbol, owner: Symbol) -> list[Symbol]:
        """The project's types among those ``_names`` gives."""
        return [t for t in (self._type(n, owner) for n in self._names(method, owner))
                if t is not None and t.id != owner.id]

    @staticmethod
    def _same(method: Symbol, cands: list[Symbol]) -> Symbol | None:
        """The one of ``cands`` (a base's methods of that name) that ``method`` overrides, else None."""
        if len(cands) > 1:  # Java overloads: the parameter types match; Python's @overload stubs: the documented one
            key = [p.annotation for p in method.params]
            cands = ([c for c in cands if [p.annotation for p in c.params] == key]
                     or [c for c in cands if c.doc.summary])
        return cands[0] if len(cands) == 1 else None

    def overridden(self, method: Symbol) -> Symbol | str | None:
        """The nearest documented method ``method`` overrides; else the one type outside the project it
        must override (``MutableMapping``, ``Comparable``); else None."""
        owner = self.by_id.get(method.parent or "")
        if owner is None:
            return None
        todo, seen, outside, declared = [(owner, 0)], set(), [], False
        while todo:
            base, depth = todo.pop(0)
            if base.id in seen:
                continue
            seen.add(base.id)
            if depth:
                found = self._same(method, self.methods.get((base.id, method.name), []))
                if found is not None and found.doc.summary:
                    return found
                declared = declared or bool(self.methods.get((base.id, method.name)))
            if depth < _DEPTH:
                todo += [(t, depth + 1) for t in self._direct(method, base)]
                outside += [n for n in self._names(method, base) if n not in self.types]
        if declared or method.language == "rust":
            return None  # an undocumented base declares it; a Rust trait is prose.called_by's
        outside = [n for n in dict.fromkeys(outside) if _declares(n, method)]
        return outside[0] if len(outside) == 1 else None


def _declares(type_name: str, method: Symbol) -> bool:
    """True when ``type_name``, a type outside the project, is known to declare ``method``: a Python
    builtin or ``collections.abc`` class that defines it, or the one supertype a Java ``@Override`` names.
    Special methods and Java's Object methods are prose.called_by's facts."""
    if method.name.startswith("__") or method.name in ("equals", "hashCode", "toString"):
        return False
    if method.language == "java":
        return "Override" in method.decorators
    if method.language != "python":
        return False
    cls = getattr(collections.abc, type_name, None) or getattr(builtins, type_name, None)
    return (isinstance(cls, type) and cls is not object and callable(getattr(cls, method.name, None))
            and getattr(cls, method.name) is not getattr(object, method.name, None))


def inherit(fwd: dict[str, dict[str, Forwarded]], targets: list[Symbol], symbols: list[Symbol],
            bases: Bases | None = None) -> int:
    """Add to ``fwd`` (forward.forwarded's map) what each undocumented override of ``targets`` inherits:
    its summary under ``SUMMARY`` (the text is the base's whole description, so the fingerprint follows
    it) and the base's descriptions of parameters its own doc does not describe. Returns how many inherit.
    ``bases``: ``Bases(symbols)``, when the caller has it already."""
    bases = bases or Bases(symbols)
    count = 0
    for s in targets:
        if s.kind != METHOD or s.doc.summary:
            continue
        base = bases.overridden(s)
        if base is None:
            continue
        count += 1
        found = fwd.setdefault(s.id, {})
        if isinstance(base, str):  # a fact, as for a Rust trait's method (prose.called_by)
            found[SUMMARY] = Forwarded(f"Overrides `{base}.{s.name}`.", None, SUMMARY)
            continue
        found[SUMMARY] = Forwarded(base.doc.description or base.doc.summary, base, SUMMARY)
        theirs, own = described_params(base), described_params(s)
        for p in api_params(s):
            if p.name in theirs and p.name not in own:
                found[p.name] = Forwarded(theirs[p.name], base, p.name)
    return count


def inherited_members(types: list[Symbol], symbols: list[Symbol],
                      bases: Bases | None = None) -> dict[str, list[tuple[Symbol, list[Symbol]]]]:
    """For each class of ``types`` (by id): the public methods it inherits from the project's classes, base by
    base along its bases (nearest first), less those it or a nearer base defines.

    Why: Flask's page listed 35 methods of ``Flask`` and not ``route``, ``errorhandler`` or
    ``register_blueprint``, which it inherits from ``sansio.App`` and ``Scaffold``: what Sphinx's
    ``:inherited-members:`` and Javadoc's "Methods inherited from" show. Rust's traits are left out.
    ``bases``: ``Bases(symbols)``, when the caller has it already.
    """
    bases = bases or Bases(symbols)
    children: dict[str, list[Symbol]] = {}
    for s in symbols:
        if s.parent and s.kind == METHOD:
            children.setdefault(s.parent, []).append(s)
    out: dict[str, list[tuple[Symbol, list[Symbol]]]] = {}
    for t in types:
        if t.kind not in TYPE_KINDS or t.language == "rust" or t.id in out:
            continue
        known = {m.name for m in children.get(t.id, [])}
        found, todo, seen = [], [(t, 0)], {t.id}
        while todo:
            cls, depth = todo.pop(0)
            for name in supertypes(cls) if depth < _DEPTH else []:
                base = bases._type(name, cls)
                if base is None or base.id in seen:
                    continue
                seen.add(base.id)
                own = children.get(base.id, [])
                members = list({m.name: m for m in own if m.is_public and not m.name.startswith("_")
                                and m.name not in known}.values())
                known |= {m.name for m in own}
                if members:
                    found.append((base, members))
                todo.append((base, depth + 1))
        out[t.id] = found
    return out
