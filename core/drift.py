"""Drift rules: documentation that no longer matches the code. Pure functions, stable codes.

Each rule is a small function over Symbol records (and parsed pages or
Markdown references) that yields :class:`Finding` objects. Codes never change
meaning; ``llmctl docs check --explain CODE`` prints the rule's text below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from llmctl.core.prose import api_params
from llmctl.core.symbols import CALLABLE_KINDS, MODULE, Symbol, TYPE_KINDS

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Rule:
    """A rule's code, default severity, one-line title and explanation."""

    code: str
    severity: str
    title: str
    explain: str


RULES: dict[str, Rule] = {r.code: r for r in [
    Rule("DOC101", "error", "documented parameter not in the signature",
         "The doc comment describes a parameter the function does not have: typically left behind by a rename "
         "or removal. Fix: rename or delete the entry in the doc comment."),
    Rule("DOC102", "warning", "parameter missing from the doc comment",
         "The doc comment documents parameters, but not this one (self, cls and receivers are exempt). "
         "Fix: describe the parameter."),
    Rule("DOC103", "warning", "documented type contradicts the annotation",
         "The doc comment and the annotation name different built-in types (doc says `str`, code says `int`). "
         "Aliases, classes, unions and generics are not compared, since they may name the same type. "
         "Fix: update the doc type, or drop it and let the annotation speak."),
    Rule("DOC201", "warning", "documented return value, but the function returns nothing",
         "The doc comment has a Returns/@return section, but the function is annotated to return nothing, or "
         "(without an annotation) has no `return <value>` and does not yield. Stubs are exempt. "
         "Fix: remove the section or return the value."),
    Rule("DOC202", "warning", "returns a value that the doc comment does not mention",
         "The doc comment documents parameters but has no Returns section, while the function returns a value. "
         "Properties and constructors are exempt, and so are TypeScript, Go and Rust, whose signatures state "
         "the return type. Fix: add a Returns section."),
    Rule("DOC301", "info", "documented exception is never raised",
         "The doc comment lists an exception, but the body raises nothing at all (a body that raises, or "
         "re-raises, anything is given the benefit of the doubt). Severity info by default: a function may "
         "document what its callees raise. Fix: remove the entry, or raise it."),
    Rule("GEN001", "error", "generated section is stale",
         "A section written by `llmctl docs sync` carries hashes of the signature, doc and body it was made "
         "from; the code has changed since. Fix: `llmctl docs sync` (or `docs check --fix`)."),
    Rule("GEN002", "error", "generated section for a symbol that no longer exists",
         "The generated reference documents a symbol that is gone from the code. Fix: `llmctl docs sync`."),
    Rule("GEN003", "warning", "public symbol missing from the generated reference",
         "The project has a generated API reference, but this public symbol has no section in it. "
         "Fix: `llmctl docs sync`."),
    Rule("MD001", "error", "Markdown names a symbol that does not exist",
         "Inline code such as `pkg.mod.func`, `Class.method` or `func()` refers to a symbol of this repository "
         "that is not there (anymore). Dotted names are checked when their first part is a module or type of "
         "this repository; bare `func()` when a similar name exists or the change removed it. Fix: update the name."),
    Rule("MD002", "error", "code example calls a function with arguments it does not accept",
         "A fenced Python example calls a function of this repository with a keyword it does not accept, or "
         "with more positional arguments than it takes. Fix: update the example."),
    Rule("ANC001", "error", "anchored link to a symbol that does not exist",
         "A link `[text](path/to/file#Symbol.name)` points at a file or symbol that is gone. Fix: update the link."),
    Rule("ANC002", "warning", "anchored link to code that changed since it was confirmed",
         "The linked symbol's signature or body changed since a human last confirmed the text around the link "
         "(recorded in llmctl.lock). Fix: re-read the text, then `llmctl docs check --accept`."),
    Rule("ANC003", "info", "anchored link not yet confirmed",
         "The link has no entry in llmctl.lock yet, so later changes to its symbol cannot be detected. "
         "Fix: `llmctl docs check --accept` after review."),
]}


@dataclass
class Finding:
    """One piece of drift, located and explained."""

    rule: str
    path: str
    line: int
    symbol: str
    message: str
    severity: str = ""
    fix: str = ""

    def to_json(self) -> dict:
        """The ``--format json`` shape (names are an interface)."""
        return {"rule": self.rule, "path": self.path, "line": self.line, "symbol": self.symbol,
                "message": self.message, "severity": self.severity, "fix": self.fix}


def _f(rule: str, sym: Symbol, message: str, fix: str = "", line: int | None = None) -> Finding:
    return Finding(rule, sym.path, line or sym.line, sym.id, message, RULES[rule].severity, fix)


# -- doc comment vs signature -------------------------------------------------------------

_NOTHING = frozenset({"None", "void", "NoReturn", "Never", "()", "never", "undefined"})
_IDENT_NAME = re.compile(r"^\*{0,2}[A-Za-z_$][\w$]*$")
_TYPE_WORDS = re.compile(r"[A-Za-z_][\w]*")
# DOC103 compares only plain built-in types: an alias or class name (`JustifyMethod`,
# `ArrayNamespace`) may well be the documented type under another name.
_BUILTIN_TYPES = {"int": "int", "integer": "int", "str": "str", "string": "str", "float": "float", "bool": "bool",
                  "boolean": "bool", "bytes": "bytes", "list": "list", "dict": "dict", "tuple": "tuple", "set": "set",
                  "number": "number", "double": "float", "long": "int", "char": "str"}


def _plain_type(text: str) -> str | None:
    """The built-in type a simple annotation or doc type names, else None (unions, generics, aliases)."""
    words = [w.lower() for w in _TYPE_WORDS.findall(text)]
    words = [w for w in words if w not in ("optional", "none", "default")]
    if len(words) != 1:
        return None
    return _BUILTIN_TYPES.get(words[0])


def check_doc(sym: Symbol) -> Iterator[Finding]:
    """DOC1xx-3xx for one callable with a doc comment."""
    if sym.kind not in CALLABLE_KINDS or not sym.documented:
        return
    doc = sym.doc
    params = api_params(sym)
    names = {p.name for p in sym.params}
    variadic = {p.name for p in sym.params if p.kind in ("var_positional", "var_keyword")}
    # Only entries that are names: a wrapped description line mis-read as an entry
    # ("A tensor of shape …", "<Tip>") is the parser's problem, not drift.
    documented = [d for d in doc.params if d.name and _IDENT_NAME.match(d.name)]
    for d in documented:
        if d.name not in names and d.name.lstrip("*") not in names:
            close = _closest(d.name, [p.name for p in params if p.name not in {x.name for x in documented}])
            hint = f" (renamed to `{close}`?)" if close else ""
            yield _f("DOC101", sym, f"doc comment describes `{d.name}`, which `{sym.name}` does not take{hint}",
                     f"rename or remove `{d.name}` in the doc comment")
    if documented:
        doc_names = {d.name.lstrip("*") for d in documented}
        for p in params:
            if p.name not in doc_names and p.name not in ("_",) and not (p.name in variadic and p.name in ("args", "kwargs")):
                yield _f("DOC102", sym, f"parameter `{p.name}` is not in the doc comment",
                         f"describe `{p.name}` in the doc comment")
    by_name = {p.name: p for p in sym.params}
    for d in documented:
        p = by_name.get(d.name)
        if p is not None and p.annotation and d.type:
            a, b = _plain_type(p.annotation), _plain_type(d.type)
            if a and b and a != b and {a, b} not in ({"int", "float"}, {"int", "number"}, {"float", "number"}):
                yield _f("DOC103", sym, f"`{d.name}` is documented as `{d.type}` but annotated `{p.annotation}`",
                         "make the documented type agree with the annotation")
    is_constructor = sym.name in ("__init__", "constructor", "new") or (
        sym.parent is not None and sym.name == sym.parent.rsplit(".", 1)[-1])
    if sym.stub or is_constructor:
        return
    annotated_nothing = sym.returns is not None and sym.returns.strip() in _NOTHING
    returns_something = (sym.returns is not None and not annotated_nothing) or bool(sym.returns_value) or sym.yields
    if doc.returns is not None and (annotated_nothing or (sym.returns is None and sym.returns_value is False
                                                          and not sym.yields)):
        yield _f("DOC201", sym, f"doc comment documents a return value, but `{sym.name}` returns nothing",
                 "remove the Returns section, or return the value")
    # Where the return type is written in the signature (TypeScript, Go, Rust), a doc
    # comment without @returns is house style, not drift.
    if (doc.returns is None and documented and returns_something and doc.style != "plain"
            and sym.language not in ("typescript", "go", "rust")
            and "property" not in sym.decorators and not any(d.endswith(".setter") for d in sym.decorators)):
        yield _f("DOC202", sym, f"`{sym.name}` returns a value that the doc comment does not describe",
                 "add a Returns section")
    if doc.raises and sym.raised is not None and not sym.raised and sym.language != "rust":
        for r in doc.raises:
            if r.type and _IDENT_NAME.match(r.type.strip("`[]~").rsplit(".", 1)[-1]):
                yield _f("DOC301", sym, f"doc comment says `{sym.name}` raises `{r.type}`, but its body raises nothing",
                         f"remove `{r.type}` from the doc comment, or raise it")


def _closest(name: str, candidates: list[str]) -> str | None:
    from difflib import get_close_matches

    found = get_close_matches(name, candidates, n=1, cutoff=0.5)
    return found[0] if found else (candidates[0] if len(candidates) == 1 else None)


# -- generated docs vs code --------------------------------------------------------------

def check_generated_block(block, sym: Symbol | None, page_path: str) -> Iterator[Finding]:
    """GEN001/GEN002 for one marked section of a generated page."""
    if sym is None:
        yield Finding("GEN002", page_path, block.line, block.id,
                      f"section documents `{block.id}`, which no longer exists", RULES["GEN002"].severity,
                      "run `llmctl docs sync`")
        return
    changed = [what for what, key, value in (("signature", "sig", sym.sig_hash), ("doc comment", "doc", sym.doc_hash),
                                               ("body", "body", sym.body_hash)) if block.attrs.get(key) != value]
    if changed:
        yield Finding("GEN001", page_path, block.line, block.id,
                      f"section for `{block.id}` is stale: {' and '.join(changed)} changed since it was generated",
                      RULES["GEN001"].severity, "run `llmctl docs sync` (or `llmctl docs check --fix`)")


def check_missing_sections(public: list[Symbol], documented_ids: set[str]) -> Iterator[Finding]:
    """GEN003: public types and callables without a section in the generated reference."""
    for sym in public:
        if (sym.kind in CALLABLE_KINDS or sym.kind in TYPE_KINDS) and sym.id not in documented_ids:
            yield _f("GEN003", sym, f"public {sym.kind} `{sym.id}` has no section in the generated reference",
                     "run `llmctl docs sync`")


# -- hand-written Markdown vs code -------------------------------------------------------

@dataclass
class Resolver:
    """Symbol lookups for Markdown rules (backed by the store, plus staged overrides)."""

    by_id: Callable[[str], Symbol | None]
    by_name: Callable[[str], list[Symbol]]
    has_prefix: Callable[[str], bool]  # a module or type id of this repository
    names_like: Callable[[str], list[str]]
    removed_names: set[str]


def check_inline(refs, md_path: str, resolver: Resolver) -> Iterator[Finding]:
    """MD001 for inline-code references."""
    for ref in refs:
        text = ref.text
        if "." in text:
            if resolver.by_id(text) is not None:
                continue
            parts = text.split(".")
            known_prefix = next((".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)
                                 if resolver.has_prefix(".".join(parts[:i]))), None)
            if known_prefix is None:
                # `Class.method` with a known class name, checked through its name
                owners = [s for s in resolver.by_name(parts[-2]) if s.kind in TYPE_KINDS]
                if not owners or any(resolver.by_id(f"{o.id}.{parts[-1]}") for o in owners):
                    continue
                known_prefix = owners[0].id
            yield Finding("MD001", md_path, ref.line, text, f"`{text}` does not exist (`{known_prefix}` has no "
                          f"`{text[len(known_prefix) + 1:] if text.startswith(known_prefix) else parts[-1]}`)",
                          RULES["MD001"].severity, "update the reference")
        elif ref.call:
            if resolver.by_name(text):
                continue
            if text in resolver.removed_names:
                yield Finding("MD001", md_path, ref.line, text, f"`{text}()` was removed by this change",
                              RULES["MD001"].severity, "update the reference")
                continue
            similar = resolver.names_like(text)
            if similar:
                yield Finding("MD001", md_path, ref.line, text, f"`{text}()` does not exist; did you mean "
                              f"`{similar[0]}()`?", RULES["MD001"].severity, f"rename to `{similar[0]}`")


def check_calls(calls, md_path: str, resolver: Resolver) -> Iterator[Finding]:
    """MD002 for calls in fenced Python examples."""
    for call in calls:
        targets = [s for s in resolver.by_name(call.name) if s.kind in CALLABLE_KINDS and s.language == "python"
                   and (s.kind == "method") == call.method]
        if not targets or call.star_args:
            continue
        problems = [_call_problem(s, call) for s in targets]
        if all(problems):
            yield Finding("MD002", md_path, call.line, targets[0].id, f"example calls `{call.name}` {problems[0]}",
                          RULES["MD002"].severity, f"match the signature: {targets[0].signature}")


def _call_problem(sym: Symbol, call) -> str | None:
    params = api_params(sym)
    kinds = {p.kind for p in params}
    if "var_keyword" not in kinds:
        accepted = {p.name for p in params if p.kind in ("positional_or_keyword", "keyword_only")}
        bad = [k for k in call.keywords if k not in accepted]
        if bad:
            return f"with keyword `{bad[0]}`, which it does not accept"
    if "var_positional" not in kinds:
        n = sum(1 for p in params if p.kind in ("positional_only", "positional_or_keyword"))
        if call.positional > n:
            return f"with {call.positional} positional arguments; it takes at most {n}"
    return None


def module_kinds() -> frozenset[str]:
    """Kinds a dotted reference may start from."""
    return frozenset({MODULE}) | TYPE_KINDS
