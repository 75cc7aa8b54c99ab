"""DOC rules: a doc comment against the signature and body it documents.

Pure functions over one :class:`Symbol` each; every doc-comment style the
analyzers parse (Google, NumPy, Sphinx, JSDoc/TSDoc, Javadoc, rustdoc) arrives
as the same ParsedDoc, so a rule is written once for all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from llmctl.analyzers.languages import LANGUAGES
from llmctl.analyzers.symbols import CALLABLE_KINDS, METHOD, Symbol
from llmctl.core.check.rules import Finding, rule
from llmctl.core.docs.prose import api_params

DOC101 = rule("DOC101", "error", "documented parameter not in the signature",
              "The doc comment describes a parameter the function does not have: typically left behind by a "
              "rename or removal.",
              "rename or delete the entry in the doc comment")
DOC102 = rule("DOC102", "warning", "parameter missing from the doc comment",
              "The doc comment documents parameters, but not this one (self, cls and receivers are exempt).",
              "describe the parameter")
DOC103 = rule("DOC103", "warning", "documented type contradicts the annotation",
              "The doc comment and the annotation name different built-in types (doc says `str`, code says "
              "`int`). Aliases, classes, unions and generics are not compared, since they may name the same type.",
              "update the doc type, or drop it and let the annotation speak")
DOC201 = rule("DOC201", "warning", "documented return value, but the function returns nothing",
              "The doc comment has a Returns/@return section, but the function is annotated to return nothing, "
              "or (without an annotation) has no `return <value>` and does not yield. Stubs are exempt.",
              "remove the Returns section, or return the value")
DOC202 = rule("DOC202", "warning", "returns a value that the doc comment does not mention",
              "The doc comment documents parameters but has no Returns section, while the function returns a "
              "value. Properties and constructors are exempt, and so are languages whose signatures state the "
              "return type and whose doc comments customarily do not repeat it (TypeScript, Go, Rust).",
              "add a Returns section")
DOC301 = rule("DOC301", "info", "documented exception is never raised",
              "The doc comment lists an exception, but the body raises nothing at all (a body that raises, or "
              "re-raises, anything is given the benefit of the doubt). Severity info by default: a function may "
              "document what its callees raise.",
              "remove the entry, or raise it")

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
            yield DOC101.at(sym, f"doc comment describes `{d.name}`, which `{sym.name}` does not take{hint}",
                            f"rename or remove `{d.name}` in the doc comment")
    if documented:
        doc_names = {d.name.lstrip("*") for d in documented}
        for p in params:
            if p.name not in doc_names and p.name not in ("_",) and not (p.name in variadic and p.name in ("args", "kwargs")):
                yield DOC102.at(sym, f"parameter `{p.name}` is not in the doc comment",
                                f"describe `{p.name}` in the doc comment")
    by_name = {p.name: p for p in sym.params}
    for d in documented:
        p = by_name.get(d.name)
        if p is not None and p.annotation and d.type:
            a, b = _plain_type(p.annotation), _plain_type(d.type)
            if a and b and a != b and {a, b} not in ({"int", "float"}, {"int", "number"}, {"float", "number"}):
                yield DOC103.at(sym, f"`{d.name}` is documented as `{d.type}` but annotated `{p.annotation}`",
                                "make the documented type agree with the annotation")
    # A constructor (a method named like its class in Java) returns the new object implicitly.
    is_constructor = sym.kind == METHOD and (sym.name in ("__init__", "constructor", "new") or (
        sym.parent is not None and sym.name == sym.parent.rsplit(".", 1)[-1]))
    if sym.stub or is_constructor:
        return
    annotated_nothing = sym.returns is not None and sym.returns.strip() in _NOTHING
    returns_something = (sym.returns is not None and not annotated_nothing) or bool(sym.returns_value) or sym.yields
    if doc.returns is not None and (annotated_nothing or (sym.returns is None and sym.returns_value is False
                                                          and not sym.yields)):
        yield DOC201.at(sym, f"doc comment documents a return value, but `{sym.name}` returns nothing",
                        "remove the Returns section, or return the value")
    # Where the return type is written in the signature (TypeScript, Go, Rust), a doc
    # comment without @returns is house style, not drift.
    if (doc.returns is None and documented and returns_something and doc.style != "plain"
            and not LANGUAGES[sym.language].return_doc_optional
            and "property" not in sym.decorators and not any(d.endswith(".setter") for d in sym.decorators)):
        yield DOC202.at(sym, f"`{sym.name}` returns a value that the doc comment does not describe",
                        "add a Returns section")
    if doc.raises and sym.raised is not None and not sym.raised and sym.language != "rust":
        for r in doc.raises:
            if r.type and _IDENT_NAME.match(r.type.strip("`[]~").rsplit(".", 1)[-1]):
                yield DOC301.at(sym, f"doc comment says `{sym.name}` raises `{r.type}`, but its body raises nothing",
                                f"remove `{r.type}` from the doc comment, or raise it")


def _closest(name: str, candidates: list[str]) -> str | None:
    from difflib import get_close_matches

    found = get_close_matches(name, candidates, n=1, cutoff=0.5)
    return found[0] if found else (candidates[0] if len(candidates) == 1 else None)
