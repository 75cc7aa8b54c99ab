"""Markdown reference extraction for drift checks (pure text in, references out).

Three kinds of reference to code in hand-written Markdown:

* inline code that names a symbol: ```pkg.mod.func```, ```Class.method```, ```func()```;
* anchored links ``[text](path/to/file.py#Symbol.name)`` (any supported language);
* calls in fenced Python examples, with their positional count and keywords.

Fenced blocks are not scanned for inline references; HTML comments are skipped.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from llmctl.analyzers import language_for

_FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(\(\))?$")
_LINK = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)#\s>]+)>?#([A-Za-z_][\w.$]*)\s*\)")
_SUPPRESS = re.compile(r"llmctl:\s*ignore(?:\[([A-Z0-9, ]+)\])?")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass
class Heading:
    """An ATX heading outside fenced code: 0-based line, level 1-6, title text."""

    line: int
    level: int
    title: str


def headings(text: str) -> list[Heading]:
    """The document's headings in order; ``#`` lines inside fenced code are not headings."""
    out: list[Heading] = []
    fence: str | None = None
    for i, line in enumerate(text.splitlines()):
        m = _FENCE.match(line)
        if m:
            mark = m.group(2)
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not m.group(3):
                fence = None
            continue
        if fence is None:
            h = _HEADING.match(line)
            if h:
                out.append(Heading(i, len(h.group(1)), h.group(2)))
    return out


@dataclass
class InlineRef:
    """```name``` in running text that may name a symbol."""

    text: str
    line: int
    call: bool  # written as ``name()``


@dataclass
class AnchorRef:
    """A link to a symbol in a source file."""

    target_path: str  # as written, relative to the Markdown file
    symbol: str
    line: int


@dataclass
class CallRef:
    """A call in a fenced Python example."""

    name: str
    method: bool  # called as ``obj.name(...)``
    positional: int
    keywords: list[str]
    line: int
    star_args: bool = False
    # What the callee is, as far as the example itself says: ``pkg.get`` for ``pkg.get(…)`` or for ``get(…)``
    # after ``from pkg import get``; ``pkg.Client.send`` for ``c.send(…)`` after ``c = pkg.Client(…)``.
    # None: the example does not say (a bare name nobody imported, an object of unknown type).
    target: str | None = None


@dataclass
class MarkdownRefs:
    """Everything one Markdown file refers to, plus its suppression comments by line."""

    inline: list[InlineRef] = field(default_factory=list)
    anchors: list[AnchorRef] = field(default_factory=list)
    calls: list[CallRef] = field(default_factory=list)
    suppress: dict[int, set[str] | None] = field(default_factory=dict)  # line -> codes (None: all)


def extract(text: str) -> MarkdownRefs:
    """Find the references to code in a Markdown document."""
    refs = MarkdownRefs()
    lines = text.splitlines()
    fence: str | None = None
    fence_lang = ""
    block: list[str] = []
    block_start = 0
    in_comment = False
    for i, line in enumerate(lines, 1):
        for m in _SUPPRESS.finditer(line):
            refs.suppress[i] = None if not m.group(1) else {c.strip() for c in m.group(1).split(",")}
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence) and not m.group(3):
                if fence_lang in ("python", "py", "pycon", "python3"):
                    refs.calls += _calls("\n".join(block), block_start)
                fence = None
            else:
                block.append(line)
            continue
        if m:
            fence, fence_lang, block, block_start = m.group(2), m.group(3).lower(), [], i
            continue
        if "<!--" in line and "-->" not in line.split("<!--", 1)[1]:
            in_comment = True
        if in_comment:
            if "-->" in line:
                in_comment = False
            continue
        visible = re.sub(r"<!--.*?-->", "", line)
        for m in _LINK.finditer(visible):
            target = m.group(1)
            # A URL is someone else's page (`https://github.com/o/r#section`), never a file here.
            if "://" not in target and not target.startswith(("//", "mailto:")) and language_for(target) is not None:
                refs.anchors.append(AnchorRef(target, m.group(2), i))
        for m in _INLINE.finditer(visible):
            code = m.group(1).strip()
            if _DOTTED.match(code):
                refs.inline.append(InlineRef(code.removesuffix("()"), i, code.endswith("()")))
    return refs


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


class _Names(ast.NodeVisitor):
    """What the example's names stand for: imports (``from pkg import Client as C``) and objects it builds."""

    def __init__(self) -> None:
        self.alias: dict[str, str] = {}  # local name -> dotted origin
        self.types: dict[str, str] = {}  # variable -> dotted constructor

    def expand(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        base = self.alias.get(head, head)
        return f"{base}.{rest}" if rest else base

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.alias[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for a in node.names:
            if node.module and a.name != "*":
                self.alias[a.asname or a.name] = f"{node.module}.{a.name}"

    def _bind(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Name) and isinstance(value, ast.Call):
            callee = _dotted(value.func)
            if callee:
                self.types[target.id] = self.expand(callee)

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._bind(t, node.value)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind(item.optional_vars, item.context_expr)
        self.generic_visit(node)

    visit_AsyncWith = visit_With


def _target(func: ast.AST, names: _Names) -> str | None:
    dotted = _dotted(func)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if not rest:
        return names.alias.get(head)
    if head in names.types:
        return f"{names.types[head]}.{rest}"
    if head in names.alias:
        return f"{names.alias[head]}.{rest}"
    return None


def _calls(code: str, fence_line: int) -> list[CallRef]:
    """Calls in an example; doctest prompts are stripped; unparsable examples yield nothing."""
    if ">>>" in code:
        code = "\n".join(ln.strip()[4:] for ln in code.splitlines() if ln.strip().startswith((">>> ", "... ")))
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    names = _Names()
    names.visit(tree)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            name, method = node.func.id, False
        elif isinstance(node.func, ast.Attribute):
            name, method = node.func.attr, True
        else:
            continue
        star = any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)
        out.append(CallRef(name, method, len(node.args), [k.arg for k in node.keywords if k.arg], fence_line + node.lineno,
                           star, _target(node.func, names)))
    return out
