"""Parameter descriptions a callable passes on: facts from the code it calls, not prose from the model.

A parameter that a function hands on unchanged to a documented callee
(``confirm(..., err=False)`` calling ``echo(..., err=err)``) means what the
callee says it means, so docs sync shows the callee's description, marked with
where it came from, and asks the model nothing for it. The small model gets
exactly these parameters wrong ("If `err` is True, the prompt will be
ignored."; bench/docgen.py --params), because the meaning lives in the callee.

Calls are read from the body's text with a bracket-aware scan, which serves
every language: keyword arguments (``f(x=p)``), positional ones (``f(a, p)``,
``self.f(p)``, ``module.f(p)``). A callee is taken only when its name resolves
to one description: a method of the same class for ``self``/``cls``/``this``,
the class or module a qualified call names, else the callables of that name
in the project, all of which must agree. Only a parameter passed to a
parameter of the same name counts: measured with bench/forward.py on click,
rich, werkzeug, requests, pydantic, jinja2, axios and ky (their documented
parameters hidden one function at a time), same-name forwarding gave the
real meaning 94% of the time (MiniLM cosine 0.875 to the real description,
0.438 for restating the name); a renamed one was no better than restating
the name (``CompletionItem(incomplete)`` is not "the completion suggestion"). A parameter the body assigns to is not forwarded
(it may no longer be the caller's value).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from llmctl.analyzers.symbols import CALLABLE_KINDS, CLASS, VAR_KEYWORD, VAR_POSITIONAL, Symbol
from llmctl.core.docs.prose import api_params, body_of, described_params

_CALL = re.compile(r"(?<![\w.])((?:[A-Za-z_]\w*\s*\.\s*)*[A-Za-z_]\w*)\s*\(")
_KEYWORD_ARG = re.compile(r"^([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)$")
_NAME = re.compile(r"^[A-Za-z_]\w*$")
_RECEIVERS = frozenset({"self", "cls", "this"})
_NOT_CALLS = frozenset({"if", "for", "while", "switch", "return", "match", "catch", "function", "def", "fn", "func",
                        "elif", "and", "or", "not", "in", "print", "super", "assert", "typeof", "new", "await"})
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_DEFINES = re.compile(r"\b(?:def|function\*?|fn|func|class)\s+$")


@dataclass(frozen=True)
class Forwarded:
    """A parameter's description taken from the callee it is passed to (or the method it overrides, inherit.py)."""

    text: str
    callee: Symbol | None  # whose parameter it is; None only for an inherited summary that is a fact
    param: str  # the callee's parameter


def display_name(sym: Symbol) -> str:
    """How a page names a callee: ``Class.method`` for a method, else its own name."""
    return ".".join(sym.id.split(".")[-2:]) if sym.kind == "method" else sym.name


def _arguments(text: str, start: int) -> list[str] | None:
    """The top-level arguments of the call whose ``(`` ends just before ``start``; None if it never closes."""
    args, depth, quote, buf, i = [], 0, "", [], start
    stack: list[str] = []
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                buf.append(text[i:i + 2])
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch in _CLOSE:
            stack.append(_CLOSE[ch])
            depth += 1
        elif ch in ")]}":
            if not stack:
                if ch == ")":
                    args.append("".join(buf).strip())
                    return [a for a in args if a]
                return None
            stack.pop()
            depth -= 1
        elif ch == "," and depth == 0:
            args.append("".join(buf).strip())
            buf = []
            i += 1
            continue
        buf.append(ch)
        i += 1
    return None


def calls(body: str, own: str | None = None) -> list[tuple[str, list[str]]]:
    """``(callee as written, its arguments)`` for each call in ``body``, outer calls first.

    ``own``: the name the body defines; its first "call" is the definition's own
    header (``def get_tree_icon(self)``, ``func (r *Repo) Name(x int)``), not a call.
    """
    out = []
    for m in _CALL.finditer(body):
        name = re.sub(r"\s+", "", m.group(1))
        if name.split(".")[-1] in _NOT_CALLS:
            continue
        if own is not None and name.split(".")[-1] == own:
            own = None
            continue
        if _DEFINES.search(body, 0, m.start()):
            continue  # a nested definition's header: ``def inner(x):``
        args = _arguments(body, m.end())
        if args is not None:
            out.append((name, args))
    return out


def _reassigned(body: str, name: str) -> bool:
    """True when the body assigns to ``name`` (``x = …``, ``x += …``, ``x := …``), keyword arguments aside."""
    for m in re.finditer(rf"(?<![\w.]){re.escape(name)}\s*(?:[-+*/|&%]|:|\?\?)?=(?![=>])", body):
        before = body[:m.start()].rstrip()
        if not before.endswith(("(", ",")):
            return True
    return False


class Callees:
    """The project's callables by short name, and what each one's parameters say."""

    def __init__(self, symbols: list[Symbol]):
        self.by_name: dict[str, list[Symbol]] = {}
        self.by_id: dict[str, list[Symbol]] = {}
        for s in symbols:
            if s.kind in CALLABLE_KINDS or s.kind == CLASS:
                self.by_name.setdefault(s.name, []).append(s)
                self.by_id.setdefault(s.id, []).append(s)
        self.found: dict[str, dict[str, Forwarded]] = {}  # symbol id -> parameter -> what it forwards to

    def params(self, callee: Symbol) -> list:
        """What a caller passes to ``callee``: a class's constructor parameters, else its own."""
        if callee.kind == CLASS:
            inits = self.by_id.get(f"{callee.id}.__init__") or []
            return api_params(inits[0]) if len(inits) == 1 else []
        return api_params(callee)

    def description(self, callee: Symbol, param: str) -> tuple[str, Symbol, str] | None:
        """What ``callee`` says of ``param`` (its own doc, its constructor's, or what it forwards it to)."""
        owners = [callee] + (self.by_id.get(f"{callee.id}.__init__") or [] if callee.kind == CLASS else [])
        for owner in owners:
            text = without_default(described_params(owner).get(param, ""))
            if text:
                return text, owner, param
            fwd = self.found.get(owner.id, {}).get(param)
            if fwd:
                return fwd.text, fwd.callee, fwd.param
        return None

    def resolve(self, caller: Symbol, written: str) -> list[Symbol]:
        """The callables a call written as ``written`` inside ``caller`` may reach (empty: unknown)."""
        parts = written.split(".")
        name, qualifier = parts[-1], parts[:-1]
        cands = [s for s in self.by_name.get(name, []) if s.id != caller.id and s.language == caller.language]
        if qualifier and qualifier[-1] in _RECEIVERS:
            own = [s for s in cands if caller.parent and s.parent == caller.parent]
            return own or cands
        if not qualifier:
            # A plain call reaches the file's own top-level function or class: one whose parent is the
            # module (or nothing), not a class's method of that name (httpx's ``get`` calls ``request``,
            # not ``Client.request``). Before, only a parent of None counted, which Python never has.
            same_file = [s for s in cands if s.path == caller.path and (s.kind == CLASS or s.parent not in self.by_id)]
            return same_file or cands
        # ``module.f(p)`` or ``Class.f(p)``; a call on some other object (``val.constructor.isBuffer(val)``)
        # may reach anything, a builtin included: not taken.
        return [s for s in cands if s.id.endswith(f"{qualifier[-1]}.{name}")]


_DEFAULT_SENTENCE = re.compile(r"^\(?(?:defaults?|the default is|default value is|by default)\b", re.I)
_DEFAULT_ASIDE = re.compile(r"\s*[(\[][^()\[\]]*\bdefaults?\b[^()\[\]]*[)\]]", re.I)


def without_default(text: str) -> str:
    """``text`` less what it says of the default ("Defaults to 4."): the caller's own default may differ
    (rich's ``Progress(refresh_per_second=10)`` passes it on to ``Live``, whose doc says "Defaults to 4"),
    and the page's table shows the caller's."""
    sentences = re.split(r"(?<=[.!?])\s+", _DEFAULT_ASIDE.sub("", text).strip())
    kept = [s for s in sentences if not _DEFAULT_SENTENCE.match(s)]
    return " ".join(kept).strip()


def _target(callee_params: list, arg_index: int, keyword: str | None) -> str | None:
    """The callee parameter an argument binds to: by keyword, else by position (none past ``*args``)."""
    if keyword is not None:
        return keyword if any(p.name == keyword for p in callee_params) else None
    if arg_index < len(callee_params) and callee_params[arg_index].kind not in (VAR_POSITIONAL, VAR_KEYWORD):
        return callee_params[arg_index].name
    return None


def _forwards(sym: Symbol, body: str, wanted: set[str], callees: Callees) -> dict[str, Forwarded]:
    out: dict[str, Forwarded] = {}
    for written, args in calls(body, sym.name):
        if not wanted - set(out):
            break
        targets = None
        for i, arg in enumerate(args):
            if arg.startswith("*"):
                break  # positions after a splat are unknown
            m = _KEYWORD_ARG.match(arg)
            keyword, value = (m.group(1), m.group(2)) if m else (None, arg)
            if value not in wanted or value in out or not _NAME.match(value) or _reassigned(body, value):
                continue
            if targets is None:
                targets = callees.resolve(sym, written)
            answers = set()
            for callee in targets:
                name = _target(callees.params(callee), i, keyword)
                found = callees.description(callee, name) if name else None
                answers.add(found[0] if found else None)
                if found:
                    hit = Forwarded(found[0], found[1], found[2])
            if len(answers) == 1 and None not in answers and hit.param == value:
                out[value] = hit
    return out


def forwarded(targets: list[Symbol], symbols: list[Symbol], root: Path) -> dict[str, dict[str, Forwarded]]:
    """For each of ``targets``: its undescribed parameters that take a callee's description.

    ``symbols``: every symbol of the project (the callees). Descriptions pass
    along chains (``a`` forwards to ``b``, which forwards to a documented ``c``):
    the scan repeats while it finds more, three times at most.
    """
    callees = Callees(symbols)
    lines_of: dict[str, list[str]] = {}
    todo = []
    for s in targets:
        if s.kind not in CALLABLE_KINDS:
            continue
        described = described_params(s)
        wanted = {p.name for p in api_params(s) if p.name not in described and not p.kind.startswith("var_")}
        if wanted:
            todo.append((s, wanted, body_of(s, root, lines_of)))
    for _ in range(3):
        before = sum(len(v) for v in callees.found.values())
        for s, wanted, body in todo:
            callees.found[s.id] = _forwards(s, body, wanted, callees)
        if sum(len(v) for v in callees.found.values()) == before:
            break
    return {sid: found for sid, found in callees.found.items() if found}


def fingerprint(found: dict[str, Forwarded]) -> str:
    """A short hash of a symbol's forwarded descriptions (a section's marker: it re-renders when a callee's changes)."""
    raw = "\x1f".join(f"{name}\x1e{f.callee.id if f.callee else ''}\x1e{f.text}" for name, f in sorted(found.items()))
    return hashlib.sha256(raw.encode()).hexdigest()[:12]
