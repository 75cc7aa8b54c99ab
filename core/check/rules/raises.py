"""DOC3xx: the exceptions a function raises, against its Raises/@throws section.

A raise inside a function nested in the body belongs to that nested function,
as pydoclint counts it.
"""

from __future__ import annotations

from collections.abc import Iterator

from llmctl.analyzers.symbols import ParsedDoc, Symbol
from llmctl.core.check.rules import Finding, rule
from llmctl.core.check.rules.docstring import _IDENT_NAME, DocContext
from llmctl.core.docs.inherit import supertypes

DOC301 = rule("DOC301", "info", "documented exception is never raised",
              "The doc comment lists an exception, but the body raises nothing at all (a body that raises, or "
              "re-raises, anything is given the benefit of the doubt; a raise in a nested function is that "
              "function's). Severity info by default: a function may document what its callees raise. In Java "
              "and JavaScript/TypeScript, where a @throws customarily lists what callees, casts and callbacks "
              "throw, a body that calls, constructs or casts anything is given the benefit of the doubt too. "
              "pydoclint: DOC502.",
              "remove the entry, or raise it")
DOC302 = rule("DOC302", "warning", "raises an exception the doc comment does not mention",
              "The body raises, and the doc comment has sections but no Raises section (Python, where a Raises "
              "section is the custom; bare re-raises are not counted). pydoclint: DOC501.",
              "add a Raises section")
DOC303 = rule("DOC303", "warning", "Raises section does not match what the body raises",
              "The doc comment has a Raises/@throws section and the body raises, but they name different "
              "exceptions (Python; Javadoc and JSDoc customarily document what callees throw). pydoclint: DOC503.",
              "list exactly the exceptions the body raises")


def _name(text: str) -> str:
    return text.strip("`[]~ ").rsplit(".", 1)[-1]


def check_raises(sym: Symbol, doc: ParsedDoc, ctx: DocContext) -> Iterator[Finding]:
    """DOC301-DOC303 for one documented callable."""
    if sym.raised is None or sym.language == "rust" or sym.stub:
        return  # the analyzer cannot tell; rustdoc's # Errors and # Panics are not exception types
    documented = {_name(r.type) for r in doc.raises if r.type and _IDENT_NAME.match(_name(r.type))}
    own = {_name(r) for r in sym.raised if r != "*"}
    if doc.raises and not sym.raised:
        if sym.language != "python" and (sym.calls or sym.raised_nested):
            return  # Javadoc/JSDoc list what callees, casts and callbacks throw (gson: 36 such, none wrong)
        for r in doc.raises:
            if r.type and _IDENT_NAME.match(_name(r.type)):
                yield DOC301.at(sym, f"doc comment says `{sym.name}` raises `{r.type}`, but its body raises nothing",
                                f"remove `{r.type}` from the doc comment, or raise it")
        return
    if sym.language != "python":
        return  # Javadoc and JSDoc customarily document what callees throw: nothing to compare exactly
    if own and not doc.raises:
        yield DOC302.at(sym, f"`{sym.name}` raises {', '.join(f'`{r}`' for r in sorted(own))}, which its doc "
                             "comment does not mention")
    names = [_name(r.type) for r in doc.raises if r.type]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        yield DOC303.at(sym, f"the Raises section lists {', '.join(f'`{n}`' for n in twice)} more than once")
    elif own and documented and own != documented and "*" not in (sym.raised or []):
        lineage = {r: _ancestors(r, sym, ctx) for r in own}
        missing = sorted(r for r in own if not lineage[r] & documented)
        extra = sorted(d for d in documented if not any(d in up for up in lineage.values()))
        parts = ([f"raises {', '.join(f'`{r}`' for r in missing)} without documenting it"] if missing else []) + (
            [f"documents {', '.join(f'`{r}`' for r in extra)}, which it does not raise itself"] if extra else [])
        if parts:
            yield DOC303.at(sym, f"`{sym.name}` " + " and ".join(parts))


def _ancestors(name: str, sym: Symbol, ctx: DocContext) -> set[str]:
    """``name`` (an exception ``sym`` raises) and the classes it derives from, as far as the project's classes
    and Python's built-in exceptions tell; an import alias is read as the name it imports.

    Why: a Raises section may name a base class of what is raised: werkzeug's ``MultiDict.__getitem__``
    documents ``KeyError`` and raises ``BadRequestKeyError(BadRequest, KeyError)``; requests' ``Response.json``
    documents ``JSONDecodeError`` and raises it as ``RequestsJSONDecodeError`` (an import alias).
    """
    import builtins

    module = ctx.module_of(sym.path)
    for ref in module.imports if module is not None else []:
        if ref.alias == name and ref.name:
            name = ref.name
    out, todo = {name}, [(name, sym.path, 0)]
    while todo:
        current, near, depth = todo.pop()
        found = ctx.types(current)
        found = [t for t in found if t.path == near] or found
        if len(found) == 1 and depth < 5:
            for base in supertypes(found[0]):
                if base not in out:
                    out.add(base)
                    todo.append((base, found[0].path, depth + 1))
        elif not found and isinstance(getattr(builtins, current, None), type):
            out.update(c.__name__ for c in getattr(builtins, current).__mro__)
    return out
