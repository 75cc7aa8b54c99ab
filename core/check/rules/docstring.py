"""DOC rules, arguments (DOC1xx), and the entry point of every doc-comment rule.

Every doc-comment style the analyzers parse (Google, NumPy, Sphinx,
JSDoc/TSDoc, Javadoc, rustdoc) arrives as the same ParsedDoc, so a rule is
written once for all of them. As pydoclint does, a doc comment with no
structured section at all (only a description) is not checked: it promises
nothing. Returns and yields are in ``returns.py`` (DOC2xx), raises in
``raises.py`` (DOC3xx), classes and their ``__init__`` in ``classes.py``
(DOC5xx, DOC6xx). pydoclint's codes map onto these by meaning
(``--explain`` says which).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from llmctl.analyzers.symbols import (
    CALLABLE_KINDS, FUNCTION, METHOD, MODULE, VAR_KEYWORD, VAR_POSITIONAL, DocItem, ParsedDoc, Symbol,
)
from llmctl.core.check.rules import Finding, rule
from llmctl.core.check.rules.types import disagree, doc_type
from llmctl.core.config import CheckConfig
from llmctl.core.docs.prose import api_params

DOC101 = rule("DOC101", "error", "documented parameter not in the signature",
              "The doc comment describes a parameter the function does not have: typically left behind by a "
              "rename or removal. A function taking **kwargs may document the keyword options it passes on "
              "(check.kwargs_options). pydoclint: DOC102, DOC103.",
              "rename or delete the entry in the doc comment")
DOC102 = rule("DOC102", "warning", "parameter missing from the doc comment",
              "The doc comment has sections (Args, Returns, …) but does not describe this parameter; self, cls, "
              "receivers and `_` are exempt, *args/**kwargs unless check.star_arguments is false. pydoclint: DOC101, "
              "DOC103.",
              "describe the parameter")
DOC103 = rule("DOC103", "warning", "documented type contradicts the annotation",
              "The doc comment and the annotation name different types, after normalising Optional/Union, quotes "
              "and typing. prefixes; prose types are not compared (check.type_match = \"builtin\" compares plain "
              "built-in types only). pydoclint: DOC105.",
              "update the doc type, or drop it and let the annotation speak")
DOC104 = rule("DOC104", "warning", "parameters documented in another order than the signature",
              "The doc comment describes exactly the signature's parameters, in a different order. pydoclint: DOC104.",
              "list the parameters in the signature's order")
DOC105 = rule("DOC105", "warning", "documented default differs from the signature's",
              "The doc comment names a default (`int, default=5`, \"Defaults to 5.\") that is not the one in the "
              "signature. Off unless check.check_arg_defaults. pydoclint: --check-arg-defaults.",
              "update the documented default")

_IDENT_NAME = re.compile(r"^\*{0,2}[A-Za-z_$][\w$]*$")
_NAME_IN = re.compile(r"[A-Za-z_$][\w$]*")
_DEFAULTS_TO = re.compile(r"\bDefaults? to:?\s+`{0,2}([^`\s][^`]*?)`{0,2}\.?\s*$", re.I)


_CALLED_ON_A_CLASS = frozenset({"__init__", "__new__", "__post_init__", "__call__"})


@dataclass
class DocContext:
    """What the DOC rules may know beyond one symbol: the options and the symbols around it."""

    cfg: CheckConfig = field(default_factory=CheckConfig)
    by_id: dict[str, Symbol] = field(default_factory=dict)
    members: dict[str, list[Symbol]] = field(default_factory=dict)
    _types: dict[str, list[Symbol]] | None = None
    _modules: dict[str, Symbol] | None = None
    _callables: dict[str, list[Symbol]] | None = None

    def types(self, name: str) -> list[Symbol]:
        """The classes of the scope named ``name`` (the same file's first, as a base class is resolved)."""
        if self._types is None:
            self._types = {}
            for s in self.by_id.values():
                if s.kind == "class":
                    self._types.setdefault(s.name, []).append(s)
        return self._types.get(name, [])

    def callees(self, caller: Symbol, written: str) -> list[Symbol]:
        """The functions of the scope a call written as ``written`` inside ``caller`` may reach (by name; a
        method of the caller's class first for ``self.x``/``cls.x``, a function of its file first for ``x``)."""
        if self._callables is None:
            self._callables = {}
            for s in self.by_id.values():
                if s.kind in CALLABLE_KINDS:
                    self._callables.setdefault(s.name, []).append(s)
        parts = written.split(".")
        cands = [c for c in self._callables.get(parts[-1], []) if c.language == caller.language and c.id != caller.id]
        # Calling a class runs its constructor, and what it returns may be called (a validator factory documents
        # the TypeError its validator's __call__ raises: attrs' instance_of).
        cands += [m for t in self.types(parts[-1]) if t.language == caller.language
                  for m in self.members.get(t.id, []) if m.name in _CALLED_ON_A_CLASS]
        if len(parts) > 1 and parts[-2] in ("self", "cls"):
            return [c for c in cands if c.parent == caller.parent] or cands
        if len(parts) == 1:
            return [c for c in cands if c.path == caller.path and c.kind == FUNCTION] or cands
        return [c for c in cands if c.id.endswith(f"{parts[-2]}.{parts[-1]}")] or cands

    def module_of(self, path: str) -> Symbol | None:
        """The module symbol of the file at ``path``, when the scope has it."""
        if self._modules is None:
            self._modules = {s.path: s for s in self.by_id.values() if s.kind == MODULE}
        return self._modules.get(path)

    @classmethod
    def of(cls, symbols: list[Symbol], cfg: CheckConfig) -> DocContext:
        """A context over ``symbols`` (the scope's, so a class and its ``__init__`` meet)."""
        ctx = cls(cfg)
        for s in symbols:
            ctx.by_id.setdefault(s.id, s)
            if s.parent:
                ctx.members.setdefault(s.parent, []).append(s)
        return ctx


def is_property(sym: Symbol) -> bool:
    """A property getter/setter (its doc describes the value, not call arguments)."""
    return any(d in ("property", "cached_property", "functools.cached_property") or d.endswith((".setter", ".getter",
               ".deleter")) for d in sym.decorators)


_PARAMS_BY_CHOICE = frozenset({"rust", "go"})


def check_doc(sym: Symbol, ctx: DocContext | None = None) -> Iterator[Finding]:
    """Every DOC rule for one symbol."""
    from llmctl.core.check.rules import classes, raises, returns

    ctx = ctx or DocContext()
    if sym.kind not in CALLABLE_KINDS:
        yield from classes.check_class(sym, ctx)
        return
    doc = classes.governing_doc(sym, ctx)
    if doc is None or not doc.has_sections:
        return
    yield from check_args(sym, doc, ctx)
    yield from returns.check_returns(sym, doc, ctx)
    yield from raises.check_raises(sym, doc, ctx)


# Parameters the code takes without naming them (a JavaScript function that reads `arguments`): a doc
# comment may describe them, under any name, and need not.
_IMPLICIT = {"arguments"}


def _key(name: str, sym: Symbol, stars: bool) -> str:
    """How a parameter name is compared: stars kept or not, Rust's unused-marker underscore dropped."""
    if not stars:
        name = name.lstrip("*")
    if sym.language == "rust" and name.startswith("_") and len(name) > 1:
        name = name[1:]
    return name


def _signature_names(sym: Symbol) -> list[tuple[str, object]]:
    out = []
    for p in api_params(sym):
        star = "*" if p.kind == VAR_POSITIONAL else "**" if p.kind == VAR_KEYWORD else ""
        out.append((star + p.name if not p.name.startswith("*") else p.name, p))
    return out


def check_args(sym: Symbol, doc: ParsedDoc, ctx: DocContext) -> Iterator[Finding]:
    """DOC101-DOC105: the doc's parameters against the signature."""
    if is_property(sym):
        return
    cfg = ctx.cfg
    stars = cfg.star_notation == "stars"
    sig = _signature_names(sym)
    sig_keys = {_key(n, sym, stars): p for n, p in sig}
    api = {id(p) for _, p in sig}
    all_names = set(sig_keys) | {p.name for p in sym.params if id(p) not in api}  # self, cls, receivers
    # Only entries that are names: a wrapped description line mis-read as an entry
    # ("A tensor of shape …", "<Tip>") is the parser's problem, not drift.
    documented = [d for d in doc.params if d.name and _IDENT_NAME.match(d.name)]
    doc_keys = [_key(d.name, sym, stars) for d in documented]
    # A rest parameter documented under another name (`@param {...string} type(s)` for `...args`, or for the
    # `arguments` a JavaScript function reads) is that parameter, when the signature has one left undescribed.
    rest = [_key(n, sym, stars) for n, p in sig if p.kind == VAR_POSITIONAL and _key(n, sym, stars) not in doc_keys]
    for i, (d, k) in enumerate(zip(documented, doc_keys)):
        if rest and k not in all_names and (d.type or "").startswith("..."):
            doc_keys[i] = rest.pop(0)
            all_names = all_names | {doc_keys[i]}
    # A destructured parameter (`{allOwnKeys = false} = {}`) is described by its names, or by one entry
    # under any name (`@param {Object} options`).
    inner = {k: set(_NAME_IN.findall(re.sub(r"=[^,}\]]*", "", k))) for k in sig_keys if k[:1] in "{["}
    inside = set().union(*inner.values()) if inner else set()
    described = {k for k, names in inner.items() if names & set(doc_keys)}
    for k in inner.keys() - described:
        i = next((i for i, dk in enumerate(doc_keys) if dk not in all_names and dk not in inside), None)
        if i is not None:
            doc_keys[i] = k
            described.add(k)
    # A function that reads `arguments` takes whatever its doc comment describes.
    implicit = {k for k, p in sig_keys.items() if p.name in _IMPLICIT}
    takes_kwargs = any(p.kind == VAR_KEYWORD for _, p in sig)
    for d, k in zip(documented, doc_keys):
        if k in all_names or k in inside or implicit or (takes_kwargs and cfg.kwargs_options):
            continue
        free = [n for n, _ in sig if _key(n, sym, stars) not in doc_keys]
        close = _closest(d.name, free)
        hint = f" (renamed to `{close}`?)" if close else ""
        yield DOC101.at(sym, f"doc comment describes `{d.name}`, which `{sym.name}` does not take{hint}",
                        f"rename or remove `{d.name}` in the doc comment")
    # rustdoc and Go doc comments have sections (`# Errors`, `# Panics`, `# Examples`) that say
    # nothing of parameters; only a doc that lists some (`# Arguments`) is held to all of them.
    if not documented and sym.language in _PARAMS_BY_CHOICE:
        sig = []
    for name, p in sig:
        k = _key(name, sym, stars)
        variadic = p.kind in (VAR_POSITIONAL, VAR_KEYWORD)
        if k in doc_keys or k in described or p.name == "_" or (variadic and not cfg.star_arguments) \
                or p.name in _IMPLICIT:
            continue
        shown = name if sym.language == "python" else p.name  # Java's `Object... args` is `args`, not `*args`
        yield DOC102.at(sym, f"parameter `{shown}` is not in the doc comment", f"describe `{shown}` in the doc comment")
    yield from _types_order_defaults(sym, documented, doc_keys, sig, sig_keys, ctx)


def _types_order_defaults(sym: Symbol, documented: list[DocItem], doc_keys: list[str], sig, sig_keys: dict,
                          ctx: DocContext) -> Iterator[Finding]:
    cfg = ctx.cfg
    for d, k in zip(documented, doc_keys):
        p = sig_keys.get(k)
        if p is None:
            continue
        if p.kind in (VAR_POSITIONAL, VAR_KEYWORD):
            continue  # the annotation of *args types each element; docs often type the whole
        if p.annotation and d.type and disagree(d.type, p.annotation, cfg.type_match,
                                                 strip_defaults=cfg.check_arg_defaults or not cfg.type_presence):
            yield DOC103.at(sym, f"`{d.name}` is documented as `{d.type}` but annotated `{p.annotation}`",
                            "make the documented type agree with the annotation")
        elif cfg.type_presence and bool(p.annotation) != bool(d.type) and (p.annotation or d.type):
            where = "annotated but not typed in the doc" if p.annotation else "typed in the doc but not annotated"
            yield DOC103.at(sym, f"`{d.name}` is {where}", "give it a type in both places, or in neither")
        if cfg.check_arg_defaults:
            said = doc_type(d.type)[1] if d.type else None
            m = _DEFAULTS_TO.search(d.description or "")
            said = said or (m.group(1) if m else None)
            if said is not None and _literal(said) != _literal(p.default or ""):
                yield DOC105.at(sym, f"`{d.name}` is documented with default `{said}`, but the signature's is "
                                f"`{p.default}`" if p.default else f"`{d.name}` is documented with default `{said}`, "
                                "but the signature gives it none")
    sig_order = [k for k in (_key(n, sym, cfg.star_notation == "stars") for n, _ in sig) if k in doc_keys]
    doc_order = [k for k in doc_keys if k in sig_keys]
    if set(doc_keys) == set(sig_keys) and len(doc_keys) == len(sig_keys) and doc_order != sig_order:
        yield DOC104.at(sym, f"parameters are documented as ({', '.join(doc_order)}) but the signature has "
                             f"({', '.join(sig_order)})")


def _literal(text: str) -> str:
    return re.sub(r"\s+", "", text).strip("`").replace('"', "'").rstrip(".")


def _closest(name: str, candidates: list[str]) -> str | None:
    from difflib import get_close_matches

    found = get_close_matches(name, candidates, n=1, cutoff=0.5)
    return found[0] if found else (candidates[0] if len(candidates) == 1 else None)


def is_constructor(sym: Symbol) -> bool:
    """A constructor (``__init__``, JS ``constructor``, Rust ``new``, a Java method named like its class, or a
    JavaScript function named like a class that returns nothing: ``function AxiosError(message) {…}``, called
    with ``new``)."""
    if sym.kind == FUNCTION and sym.language in ("javascript", "typescript"):
        return sym.name[:1].isupper() and sym.returns_value is False
    return sym.kind == METHOD and (sym.name in ("__init__", "constructor", "new") or (
        sym.parent is not None and sym.name == sym.parent.rsplit(".", 1)[-1]))
