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
              "re-raises, anything is given the benefit of the doubt), and in Python no function of this "
              "project it calls raises or documents it either (followed three calls deep; calling a class counts "
              "its __init__ and __call__). Severity info by default. In Java "
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
              "exceptions (Python; Javadoc and JSDoc customarily document what callees throw). A documented base "
              "class of a raised exception, an import alias of it, or one a function of this project it calls "
              "raises counts as raised. pydoclint: DOC503.",
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
        by_callees = _raised_by_callees(sym, ctx)
        for r in doc.raises:
            if r.type and _IDENT_NAME.match(_name(r.type)) and _name(r.type) not in by_callees:
                yield DOC301.at(sym, f"doc comment says `{sym.name}` raises `{r.type}`, but neither its body nor "
                                     "a function of this project it calls raises it",
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
        extra = [d for d in extra if d not in _raised_by_callees(sym, ctx)] if extra else extra
        parts = ([f"raises {', '.join(f'`{r}`' for r in missing)} without documenting it"] if missing else []) + (
            [f"documents {', '.join(f'`{r}`' for r in extra)}, which it does not raise itself"] if extra else [])
        if parts:
            yield DOC303.at(sym, f"`{sym.name}` " + " and ".join(parts))


_DEPTH = 3  # calls followed from a documented function


def _raised_by_callees(sym: Symbol, ctx: DocContext) -> set[str]:
    """What the project's functions that ``sym`` calls raise or document raising, followed ``_DEPTH`` calls deep,
    with the base classes of each (a doc may name ``ValueError`` for a callee's subclass of it).

    Why: a docstring documents what its callees raise as much as its own raises (pydoclint's DOC502 says
    otherwise): attrs' ``evolve`` documents the ``NotAnAttrsClassError`` that ``fields()`` raises, and
    DOC301/DOC303 flagged 15 such on attrs and 20 on pydantic. A callee is taken by its name (``fields``,
    ``self._check``: a method of the same class first); where the name is ambiguous, any of them counts.
    """
    out: set[str] = set()
    seen = {sym.id}
    todo = [(sym, 0)]
    while todo:
        caller, depth = todo.pop()
        for written in caller.callees:
            for callee in ctx.callees(caller, written):
                if callee.id in seen:
                    continue
                seen.add(callee.id)
                names = [r for r in (callee.raised or []) if r != "*"]
                names += [_name(r.type) for r in callee.doc.raises if r.type]
                for n in names:
                    out |= _ancestors(_name(n), callee, ctx)
                if depth + 1 < _DEPTH:
                    todo.append((callee, depth + 1))
    return out


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
