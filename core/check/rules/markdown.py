"""MD rules: hand-written Markdown against the code it names.

Inline code that names a symbol (```pkg.mod.func```, ```Class.method```,
```func()```) and calls in fenced Python examples, resolved through a
:class:`Resolver` over the symbol store (with a staged change laid over it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from llmctl.analyzers.symbols import CALLABLE_KINDS, MODULE, TYPE_KINDS, Symbol
from llmctl.core.check.rules import Finding, rule
from llmctl.core.docs.prose import api_params

MD001 = rule("MD001", "error", "Markdown names a symbol that does not exist",
             "Inline code such as `pkg.mod.func`, `Class.method` or `func()` refers to a symbol of this "
             "repository that is not there (anymore). Dotted names are checked when their first part is a module "
             "or type of this repository; bare `func()` when a similar name exists or the change removed it.",
             "update the reference")
MD002 = rule("MD002", "error", "code example calls a function with arguments it does not accept",
             "A fenced Python example calls a function of this repository with a keyword it does not accept, or "
             "with more positional arguments than it takes.",
             "update the example")


@dataclass
class Resolver:
    """Symbol lookups for Markdown rules (backed by the store, plus staged overrides)."""

    resolve: Callable[[str], Symbol | None]  # a store id or a public path (``pkg.Client``)
    by_name: Callable[[str], list[Symbol]]
    has_prefix: Callable[[str], bool]  # a module or type id of this repository
    names_like: Callable[[str], list[str]]
    removed_names: set[str]
    mentions: Callable[[Symbol, str], bool]  # the word appears in the symbol's source (fields, attributes)


def _missing_member(text: str, resolver: Resolver) -> tuple[str, str] | None:
    """(the known owner, the missing rest) when ``pkg.mod.func`` or ``Class.member`` names nothing, else None."""
    if resolver.resolve(text) is not None:
        return None
    parts = text.split(".")
    owner = None
    for i in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:i])
        sym = resolver.resolve(prefix)
        if sym is not None and (sym.kind == MODULE or sym.kind in TYPE_KINDS):
            owner = sym
            break
        if resolver.has_prefix(prefix):
            owner = resolver.resolve(prefix)
            break
    if owner is None:
        # `Class.method` with a known class name, checked through its name
        owners = [s for s in resolver.by_name(parts[-2]) if s.kind in TYPE_KINDS]
        if not owners or any(resolver.resolve(f"{o.id}.{parts[-1]}") for o in owners):
            return None
        owner, i = owners[0], len(parts) - 1
    # A field, attribute or module constant: not a symbol, but there in the source.
    if resolver.mentions(owner, parts[i]):
        return None
    return owner.id, ".".join(parts[i:])


# Names that stand for any name: a guide that shows how to write a reference ("`attrs.Foo` – not just
# `Foo`", "`attrs.func()` or `attrs.Class.method()`" in attrs' CONTRIBUTING.md) names no code.
_PLACEHOLDERS = frozenset("foo bar baz qux quux spam eggs ham func function method class klass xxx yyy".split())


_FILE_SUFFIXES = frozenset("py pyi java js mjs cjs jsx ts tsx go rs kt c h cpp md rst txt json yml yaml toml cfg "
                           "ini html css xml sh lock".split())


def placeholder(text: str) -> bool:
    """True when a dotted reference's own part (past the package) is a placeholder name (``Foo``, ``func``),
    or when it names a file (``TestServer.java`` in jsoup's test README: a file, not a member ``java``)."""
    parts = text.split(".")
    return parts[-1] in _FILE_SUFFIXES or any(part.lower() in _PLACEHOLDERS for part in parts[1:])


def check_inline(refs, md_path: str, resolver: Resolver) -> Iterator[Finding]:
    """MD001 for inline-code references."""
    for ref in refs:
        text = ref.text
        if "." in text and placeholder(text):
            continue
        if "." in text:
            missing = _missing_member(text, resolver)
            if missing is not None:
                yield MD001.finding(md_path, ref.line, text, f"`{text}` does not exist (`{missing[0]}` has no "
                                    f"`{missing[1]}`)")
        elif ref.call:
            if resolver.by_name(text):
                continue
            if text in resolver.removed_names:
                yield MD001.finding(md_path, ref.line, text, f"`{text}()` was removed by this change")
                continue
            similar = resolver.names_like(text)
            if similar:
                yield MD001.finding(md_path, ref.line, text, f"`{text}()` does not exist; did you mean "
                                    f"`{similar[0]}()`?", f"rename to `{similar[0]}`")


def _callee(call, resolver: Resolver) -> Symbol | None:
    """What an example's call calls, when the example says so (an import, a constructed object) or the
    repository has exactly one function of that name; a class means its ``__init__``."""
    if call.target:
        sym = resolver.resolve(call.target)
    elif not call.method:
        found = {s.id: s for s in resolver.by_name(call.name) if s.kind in CALLABLE_KINDS and s.language == "python"
                 and s.kind == "function"}
        sym = next(iter(found.values())) if len(found) == 1 else None
    else:
        return None  # `obj.method(…)` on an object the example does not build: another library's, perhaps
    if sym is not None and sym.kind in TYPE_KINDS:
        sym = resolver.resolve(f"{sym.id}.__init__")
    return sym if sym is not None and sym.kind in CALLABLE_KINDS and sym.language == "python" else None


def check_calls(calls, md_path: str, resolver: Resolver) -> Iterator[Finding]:
    """MD002 for calls in fenced Python examples."""
    for call in calls:
        if call.star_args:
            continue
        target = _callee(call, resolver)
        problem = _call_problem(target, call) if target is not None else None
        if problem:
            yield MD002.finding(md_path, call.line, target.id, f"example calls `{call.name}` {problem}",
                                f"match the signature: {target.signature}")


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
