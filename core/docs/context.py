"""What a doc-writing prompt says about a symbol besides its code: its module, its class, what it calls.

The small model read ``Box.get_top``'s code alone and wrote "Return the top of
a list."; ``MarkdownContext.enter_style`` became "Add a style to the current
console.". The code of a method rarely names what it belongs to, and a helper's
name rarely says what the helper does. So a prompt (core/docs/task.py) starts
with up to four context lines, each a fact from the symbol store:

    Module `rich.box`: Box-drawing characters.
    Class `Box`: Defines characters to render boxes.
    Calls `Segment.line`: Make a new line segment.

the module and class with their doc comment's first sentence where they have
one, and the documented callables the body calls (resolved as forward.py
resolves them, the first two with one summary). ``train data`` stores these
lines with each pair, so training teaches the prompt docs sync sends.
"""

from __future__ import annotations

from llmctl.analyzers.symbols import CALLABLE_KINDS, MODULE, Symbol
from llmctl.core.docs.forward import Callees, calls, display_name
from llmctl.core.docs.task import doc_summary

MAX_CALLEES = 2
MAX_CHARS = 120  # of each context line's summary


def _summary(sym: Symbol) -> str:
    """The first sentence of ``sym``'s doc comment, without a reST title's rule ("pygments.lexers ~~~~"),
    and nothing when that is only the symbol's name."""
    text = " ".join(sym.doc.summary.split()) if sym.doc.summary else (doc_summary(sym.doc_raw) if sym.doc_raw else "")
    text = " ".join(w for w in text.split() if any(ch.isalnum() for ch in w))
    if text.rstrip(".").strip("`") in (sym.id, sym.name):
        return ""
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS].rsplit(" ", 1)[0] + " …"


def _line(kind: str, name: str, sym: Symbol | None) -> str:
    summary = _summary(sym) if sym else ""
    return f"{kind} `{name}`: {summary}" if summary else f"{kind} `{name}`."


class Context:
    """Context lines for the symbols of one project (``symbols``: all of them, the callees' docs included)."""

    def __init__(self, symbols: list[Symbol]):
        self.callees = Callees(symbols)
        self.modules = {s.path: s for s in symbols if s.kind == MODULE}
        self.by_id = {s.id: s for s in symbols}

    def lines(self, sym: Symbol, body: str) -> list[str]:
        """The context lines of ``sym`` whose code (doc comment removed) is ``body``."""
        out = []
        module = self.modules.get(sym.path)
        if module is not None:
            out.append(_line("Module", module.id, module))
        parent = self.by_id.get(sym.parent) if sym.parent else None
        if parent is not None and parent.kind != MODULE:
            out.append(_line("Class", parent.name, parent))
        if sym.kind not in CALLABLE_KINDS:
            return out  # a class's body calls what its methods call: not what the class is
        seen = {sym.id, sym.parent}
        for written, _args in calls(body, sym.name):
            if len(out) >= 2 + MAX_CALLEES or sum(line.startswith("Calls") for line in out) >= MAX_CALLEES:
                break
            if written.split(".")[-1].startswith("__"):
                continue  # ``__init__``, ``__enter__``: what every such method says
            found = [c for c in self.callees.resolve(sym, written) if c.documented and c.id not in seen]
            summaries = {_summary(c) for c in found}
            if len(summaries) == 1 and "" not in summaries:
                callee = found[0]
                seen.update(c.id for c in found)
                out.append(_line("Calls", display_name(callee), callee))
        return out
