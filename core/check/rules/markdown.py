"""MD rules: hand-written Markdown against the code it names.

Inline code that names a symbol (```pkg.mod.func```, ```Class.method```,
```func()```) and calls in fenced Python examples, resolved through a
:class:`Resolver` over the symbol store (with a staged change laid over it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from llmctl.analyzers.symbols import CALLABLE_KINDS, TYPE_KINDS, Symbol
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
            missing = text[len(known_prefix) + 1:] if text.startswith(known_prefix) else parts[-1]
            yield MD001.finding(md_path, ref.line, text, f"`{text}` does not exist (`{known_prefix}` has no `{missing}`)")
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


def check_calls(calls, md_path: str, resolver: Resolver) -> Iterator[Finding]:
    """MD002 for calls in fenced Python examples."""
    for call in calls:
        targets = [s for s in resolver.by_name(call.name) if s.kind in CALLABLE_KINDS and s.language == "python"
                   and (s.kind == "method") == call.method]
        if not targets or call.star_args:
            continue
        problems = [_call_problem(s, call) for s in targets]
        if all(problems):
            yield MD002.finding(md_path, call.line, targets[0].id, f"example calls `{call.name}` {problems[0]}",
                                f"match the signature: {targets[0].signature}")


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
