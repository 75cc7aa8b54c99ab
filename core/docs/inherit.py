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
"""

from __future__ import annotations

import re

from llmctl.analyzers.symbols import METHOD, TYPE_KINDS, Symbol
from llmctl.core.docs.forward import Forwarded
from llmctl.core.docs.prose import SUMMARY, api_params, described_params

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

    def _direct(self, method: Symbol, owner: Symbol) -> list[Symbol]:
        """The types a method's owner extends; for a Rust method, the trait its ``impl`` block implements."""
        if method.language == "rust":
            names = [_without_generics(d[5:]).rsplit("::", 1)[-1].strip() for d in method.decorators
                     if d.startswith("impl ")]
        else:
            names = supertypes(owner)
        return [t for t in (self._type(n, owner) for n in names) if t is not None and t.id != owner.id]

    @staticmethod
    def _same(method: Symbol, cands: list[Symbol]) -> Symbol | None:
        """The one of ``cands`` (a base's methods of that name) that ``method`` overrides, else None."""
        if len(cands) > 1:  # Java overloads: the parameter types match; Python's @overload stubs: the documented one
            key = [p.annotation for p in method.params]
            cands = ([c for c in cands if [p.annotation for p in c.params] == key]
                     or [c for c in cands if c.doc.summary])
        return cands[0] if len(cands) == 1 else None

    def overridden(self, method: Symbol) -> Symbol | None:
        """The nearest documented method ``method`` overrides, or None."""
        owner = self.by_id.get(method.parent or "")
        if owner is None:
            return None
        todo, seen = [(t, 1) for t in self._direct(method, owner)], {owner.id}
        while todo:
            base, depth = todo.pop(0)
            if base.id in seen:
                continue
            seen.add(base.id)
            found = self._same(method, self.methods.get((base.id, method.name), []))
            if found is not None and found.doc.summary:
                return found
            if depth < _DEPTH:
                todo += [(t, depth + 1) for t in self._direct(method, base)]
        return None


def inherit(fwd: dict[str, dict[str, Forwarded]], targets: list[Symbol], symbols: list[Symbol]) -> int:
    """Add to ``fwd`` (forward.forwarded's map) what each undocumented override of ``targets`` inherits:
    its summary under ``SUMMARY`` (the text is the base's whole description, so the fingerprint follows
    it) and the base's descriptions of parameters its own doc does not describe. Returns how many inherit."""
    bases = Bases(symbols)
    count = 0
    for s in targets:
        if s.kind != METHOD or s.doc.summary:
            continue
        base = bases.overridden(s)
        if base is None:
            continue
        count += 1
        found = fwd.setdefault(s.id, {})
        found[SUMMARY] = Forwarded(base.doc.description or base.doc.summary, base, SUMMARY)
        theirs, own = described_params(base), described_params(s)
        for p in api_params(s):
            if p.name in theirs and p.name not in own:
                found[p.name] = Forwarded(theirs[p.name], base, p.name)
    return count
