"""Shared pieces of the tree-sitter analyzers: node text, hashing, ids.

Every language module exposes ``analyze(source: bytes, path: str) ->
FileResult``; this module holds what they have in common.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmctl.analyzers.symbols import MODULE, ParsedDoc, Symbol

if TYPE_CHECKING:
    from tree_sitter import Node


@dataclass
class FileResult:
    """What an analyzer found in one file."""

    symbols: list[Symbol] = field(default_factory=list)
    has_errors: bool = False


def short_hash(text: str) -> str:
    """A 16-hex-digit content hash (blake2b): stable across runs and machines."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def text_of(node: Node | None, src: bytes) -> str:
    """The source text of ``node`` (empty for None)."""
    if node is None:
        return ""
    return src[node.start_byte:node.end_byte].decode("utf-8", "replace")


# Tokens for whitespace-insensitive body hashing. Strings stay whole so that
# whitespace inside them still counts; newlines are kept as their own token so
# Python's indentation structure can be rebuilt.
_TOKEN = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|`(?:\\.|[^`\\])*`'
    r"|#[^\n]*|\w+|\n[ \t]*|[^\w\s]"
)
# The same without newline tokens, for languages where layout carries no meaning.
# (``#`` starts a comment only in Python; elsewhere it is an ordinary character.)
_TOKEN_FLAT = re.compile(_TOKEN.pattern.replace(r"|\n[ \t]*", "").replace(r"|#[^\n]*", ""))
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")


def normalize_body(text: str, indent_sensitive: bool) -> str:
    """Normalise code so that whitespace-only edits give the same string.

    Brace languages: the token stream, whitespace dropped. Python: the same,
    plus INDENT/DEDENT/NEWLINE markers at bracket depth zero, so re-indenting
    (4 -> 2 spaces) is ignored but moving a statement into a block is not.
    """
    if not indent_sensitive:
        return " ".join(_TOKEN_FLAT.findall(text))
    tokens = _TOKEN.findall(text)
    out: list[str] = []
    stack = [0]
    depth = 0
    pending: str | None = None  # the last newline token seen at depth 0
    for tok in tokens:
        first = tok[0]
        if first == "\n":
            if depth == 0:
                pending = tok
            continue
        if pending is not None:
            if first != "#":  # a comment line does not set the indentation
                width = len(pending.expandtabs(8)) - 1
                if width > stack[-1]:
                    stack.append(width)
                    out.append("<IN>")
                else:
                    while width < stack[-1] and len(stack) > 1:
                        stack.pop()
                        out.append("<DE>")
                    out.append("<NL>")
                pending = None
        if first in _OPEN:
            depth += 1
        elif first in _CLOSE and depth:
            depth -= 1
        out.append(tok)
    return " ".join(out)


def finish_symbol(sym: Symbol, body_text: str, indent_sensitive: bool) -> Symbol:
    """Fill the signature/doc/body hashes of a symbol from its parts."""
    sig = "|".join(
        [sym.kind, sym.name, sym.signature, sym.returns or "", ",".join(sym.decorators),
         ";".join(f"{p.name}:{p.kind}:{p.default}:{p.annotation}" for p in sym.params)]
    )
    sym.sig_hash = short_hash(sig)
    sym.doc_hash = short_hash(" ".join((sym.doc_raw or "").split()))
    sym.body_hash = short_hash(normalize_body(body_text, indent_sensitive))
    return sym


def value_text(node: Node | None, src: bytes, limit: int = 80) -> str:
    """A value's source on one line, cut to ``limit`` characters (``…`` marks the cut): how a page shows a
    module value or field (``Symbol.variables``)."""
    text = one_line(text_of(node, src)) if node is not None else ""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def module_id(path: str, language: str) -> str:
    """Dotted module id for a project-relative path (``pkg/mod.py`` -> ``pkg.mod``)."""
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    parts = [p for p in stem.split("/") if p]
    if language == "python":
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1 and parts[0] in ("src", "lib"):
            parts = parts[1:]
    elif language == "rust" and "src" in parts:
        # Crate layout: <crate>/src/lib.rs (or main.rs) is the crate root, named after its
        # folder ("crate" at the top), src/a/mod.rs is module a, src/a/b.rs is a.b.
        i = parts.index("src")
        inner = parts[i + 1:]
        if inner in (["lib"], ["main"]):
            inner = []
        elif inner and inner[-1] == "mod":
            inner = inner[:-1]
        parts = [parts[i - 1] if i else "crate"] + inner
    elif language in ("javascript", "typescript") and len(parts) > 1 and parts[-1] == "index":
        parts = parts[:-1]
    return ".".join(p.replace(".", "_").replace("-", "_") for p in parts) or "__root__"


def module_symbol(path: str, language: str, src: bytes, root: Node, doc_raw: str | None,
                  doc: ParsedDoc, indent_sensitive: bool) -> Symbol:
    """The module-level symbol that every file yields first."""
    mid = module_id(path, language)
    sym = Symbol(
        id=mid, name=mid.rsplit(".", 1)[-1], kind=MODULE, language=language, path=path,
        line=1, end_line=max(1, root.end_point[0] + (1 if root.end_point[1] else 0)),
        doc_raw=doc_raw, doc=doc,
    )
    return finish_symbol(sym, "", indent_sensitive)


def declared(node: Node, src: bytes, *, language: str, path: str, prefix: str, name: str, kind: str,
             body: Node | None, public: bool, **fields: object) -> Symbol:
    """A Symbol for a declaration node: id, span, and its head (text up to the body) as signature.

    ``public`` sets both visibility and exported, as in languages where one
    keyword (``pub``, ``public``) decides both.
    """
    head_end = body.start_byte if body is not None else node.end_byte
    return Symbol(
        id=f"{prefix}.{name}" if prefix else name, name=name, kind=kind, language=language, path=path,
        line=node.start_point[0] + 1, end_line=node.end_point[0] + 1, parent=prefix or None,
        signature=head_text(node, src, node.start_byte, head_end).rstrip(";"),
        visibility="public" if public else "private", exported=public, **fields,
    )


@dataclass
class BodyFacts:
    """What a function body does, collected for every function of a file in one query."""

    returns_value: bool = False
    yields: bool = False
    raised: list[str] = field(default_factory=list)  # raised in the function itself
    raised_nested: list[str] = field(default_factory=list)  # raised in functions nested inside it
    calls: bool = False  # calls something itself (captured as ``@call``, where the query has it)
    callees: list[str] = field(default_factory=list)  # what it calls, as written (``@callee``: ``self.check``)


def collect_body_facts(query, root: Node, src: bytes, raise_name) -> dict[int, BodyFacts]:
    """Facts per function node (by start byte), each fact credited to its innermost function.

    ``query`` captures ``@fn`` (function-like nodes), ``@ret`` (returns), ``@y``
    (yields) and ``@raise`` (raise/throw); ``raise_name(node, src)`` names what a
    raise raises. Everything belongs to the innermost function; raises are also
    noted as nested raises of every enclosing one. One C-level query per file
    instead of a Python walk per body.
    """
    from bisect import bisect_right

    from tree_sitter import QueryCursor

    caps = QueryCursor(query).captures(root)
    fns = sorted((n.start_byte, n.end_byte) for n in caps.get("fn", []))
    starts = [a for a, _ in fns]
    facts: dict[int, BodyFacts] = {a: BodyFacts() for a, _ in fns}

    def owner(pos: int) -> BodyFacts | None:
        i = bisect_right(starts, pos) - 1
        while i >= 0:
            a, b = fns[i]
            if a <= pos < b:
                return facts[a]
            i -= 1
        return None

    for node in caps.get("ret", []):
        f = owner(node.start_byte)
        if f is not None and node.named_child_count and node.named_children[0].type != "comment":
            f.returns_value = True
    for node in caps.get("y", []):
        f = owner(node.start_byte)
        if f is not None:
            f.yields = True
    for node in caps.get("call", []):
        f = owner(node.start_byte)
        if f is not None:
            f.calls = True
    for node in sorted(caps.get("callee", []), key=lambda n: n.start_byte):
        f = owner(node.start_byte)
        name = text_of(node, src)
        if f is not None and name not in f.callees and len(name) <= 80:
            f.callees.append(name)
    # In source order: the order of one name's captures varied from run to run (PYTHONHASHSEED).
    for node in sorted(caps.get("raise", []), key=lambda n: n.start_byte):
        # The innermost function raises it; every enclosing one gets it as "nested": a raise in
        # a callback or closure (`items.reduce(() => { throw … })`) may be what the outer one documents.
        pos = node.start_byte
        name = raise_name(node, src)
        inner = True
        for i in range(bisect_right(starts, pos) - 1, -1, -1):
            a, b = fns[i]
            if a <= pos < b:
                (facts[a].raised if inner else facts[a].raised_nested).append(name)
                inner = False
    return facts


_COMMENTS = frozenset({"comment", "line_comment", "block_comment"})


def head_text(node: Node, src: bytes, start: int, end: int) -> str:
    """The source between bytes ``start`` and ``end`` of ``node``, less its comments, on one line.

    A signature wrapped over lines may carry comments (``def loads(  # type: ignore[override]``),
    which would otherwise run into the parameters when the head is shown on one line.
    """
    cuts: list[tuple[int, int]] = []
    todo = [node]
    while todo:
        n = todo.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.type in _COMMENTS:
            cuts.append((n.start_byte, n.end_byte))
        else:
            todo.extend(n.children)
    parts, at = [], start
    for a, b in sorted(cuts):
        parts.append(src[at:max(at, a)])
        at = max(at, b)
    parts.append(src[at:end])
    return one_line(b" ".join(parts).decode("utf-8", "replace"))


def one_line(text: str) -> str:
    """Collapse whitespace runs, for signatures and annotations shown on one line.

    A signature wrapped over lines (``def f(\n    a,\n)``) reads as written on one: ``def f(a)``.
    """
    flat = " ".join(text.split())
    return re.sub(r"([(\[]) | ([)\]])|,( [)\]])", lambda m: m.group(1) or m.group(2) or m.group(3)[1:], flat)
