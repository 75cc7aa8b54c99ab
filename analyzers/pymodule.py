"""What a Python module declares at its top: its imports, ``__all__``, and second names (``s = attrs``).

Recorded on the module's symbol (``imports``, ``all_names``) for the public-API model (core/api/python.py),
including what ``if``/``try``/``with`` blocks at module level declare.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from llmctl.analyzers.base import one_line, text_of, value_text
from llmctl.analyzers.symbols import ImportRef, Param, Symbol

if TYPE_CHECKING:
    from tree_sitter import Node

_COMPOUND = frozenset({"if_statement", "try_statement", "with_statement"})
_CLAUSES = frozenset({"elif_clause", "else_clause", "except_clause", "finally_clause", "except_group_clause"})


def _strings(node: Node | None, src: bytes) -> list[str] | None:
    """The string literals of a list/tuple literal, or None when it is anything else."""
    if node is None or node.type not in ("list", "tuple"):
        return None
    out = []
    for c in node.named_children:
        if c.type != "string":
            return None
        try:
            value = ast.literal_eval(text_of(c, src))
        except (ValueError, SyntaxError):
            return None
        if not isinstance(value, str):
            return None
        out.append(value)
    return out


def _absolute(module_node: Node | None, src: bytes, mid: str, is_package: bool) -> str:
    """The absolute module a ``from X import`` names, relative imports resolved against ``mid``."""
    if module_node is None:
        return ""
    if module_node.type != "relative_import":
        return text_of(module_node, src)
    prefix = next((c for c in module_node.named_children if c.type == "import_prefix"), None)
    dotted = next((c for c in module_node.named_children if c.type == "dotted_name"), None)
    level = len(text_of(prefix, src).strip()) if prefix is not None else 1
    package = mid if is_package else (mid.rsplit(".", 1)[0] if "." in mid else "")
    parts = package.split(".") if package else []
    base = parts[: max(0, len(parts) - (level - 1))]
    name = text_of(dotted, src) if dotted is not None else ""
    return ".".join(base + ([name] if name else []))


def module_names(block: Node, src: bytes, mid: str, is_package: bool, mod: Symbol, top: bool = True) -> None:
    """Record the module's imports and ``__all__`` on its symbol (module level, inside if/try/with too)."""
    for i, stmt in enumerate(block.named_children):
        t = stmt.type
        if t == "import_from_statement":
            module = _absolute(stmt.child_by_field_name("module_name"), src, mid, is_package)
            if any(c.type == "wildcard_import" for c in stmt.named_children):
                mod.imports.append(ImportRef(module, "*"))
            for n in stmt.children_by_field_name("name"):
                if n.type == "aliased_import":
                    name, alias = text_of(n.child_by_field_name("name"), src), text_of(n.child_by_field_name("alias"), src)
                else:
                    name, alias = text_of(n, src), ""
                mod.imports.append(ImportRef(module, name, alias))  # `x as x` kept: the re-export idiom
        elif t == "import_statement":
            for n in stmt.children_by_field_name("name"):
                if n.type == "aliased_import":
                    mod.imports.append(ImportRef(text_of(n.child_by_field_name("name"), src), "",
                                                 text_of(n.child_by_field_name("alias"), src)))
                else:
                    mod.imports.append(ImportRef(text_of(n, src)))
        elif t == "expression_statement" and stmt.named_child_count == 1:
            _all_names(stmt.named_children[0], src, mod)
            if top:
                _variable(block.named_children, i, src, mod)
            if top:  # under `if`/`try` a second name is a shim (pydantic's `if not TYPE_CHECKING:
                _aliases(stmt.named_children[0], src, mid, mod)  # DeprecationWarning = …`), not an API name
        elif t in _COMPOUND:
            for sub in compound_blocks(stmt):
                module_names(sub, src, mid, is_package, mod, False)


_NOT_VALUES = ("TypeVar(", "ParamSpec(", "TypeVarTuple(")  # a type parameter is the signature's business


def _variable(stmts: list[Node], i: int, src: bytes, mod: Symbol) -> None:
    """A top-level ``name[: T] = value`` (one name, not a second name of another): recorded on ``mod.variables``.

    Why: Flask's most looked-up names, ``flask.request``, ``g``, ``session`` and ``current_app``, are values
    (``request: RequestProxy = LocalProxy(…)``), and the reference had no section for any of them.
    """
    expr = stmts[i].named_children[0]
    left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
    if expr.type != "assignment" or left is None or left.type != "identifier" or right is None:
        return
    name, typ, value = text_of(left, src), expr.child_by_field_name("type"), one_line(text_of(right, src))
    if name.startswith("_") or right.type in ("identifier", "assignment") or value.split(".")[-1].startswith(
            _NOT_VALUES) or value.startswith(_NOT_VALUES):
        return
    mod.variables.append(Param(name=name, annotation=one_line(text_of(typ, src)) if typ is not None else None,
                               default=value_text(right, src),
                               doc=attribute_doc(stmts, i, src), line=stmts[i].start_point[0] + 1))


def _aliases(expr: Node, src: bytes, mid: str, mod: Symbol) -> None:
    """``s = attributes = attrs``: each name is recorded as an import of ``attrs`` from the module itself.

    Why: attrs' best-known API is ``attr.s`` and ``attr.ib``, second names of ``attrs`` and ``attrib``; the
    reference knew neither, and a ``from . import s`` elsewhere could not be followed to its definition.
    """
    targets = []
    while expr.type == "assignment" and expr.child_by_field_name("type") is None:
        left = expr.child_by_field_name("left")
        if left is None or left.type != "identifier":
            return
        targets.append(text_of(left, src))
        expr = expr.child_by_field_name("right")
        if expr is None:
            return
    if targets and expr.type == "identifier" and text_of(expr, src) not in targets:
        mod.imports += [ImportRef(mid, text_of(expr, src), name) for name in targets if name != "__all__"]


def _all_names(expr: Node, src: bytes, mod: Symbol) -> None:
    """``__all__ = [...]``, ``__all__ += [...]``, ``__all__.extend([...])``."""
    if expr.type in ("assignment", "augmented_assignment"):
        if text_of(expr.child_by_field_name("left"), src) != "__all__":
            return
        names = _strings(expr.child_by_field_name("right"), src)
        if names is not None:
            mod.all_names = (mod.all_names or []) + names if expr.type == "augmented_assignment" else names
    elif expr.type == "call" and text_of(expr.child_by_field_name("function"), src) in ("__all__.extend",
                                                                                        "__all__.append"):
        args = expr.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_child_count else None
        if first is not None and first.type == "string":
            names = _strings_of_one(first, src)
        else:
            names = _strings(first, src)
        if names is not None:
            mod.all_names = (mod.all_names or []) + names


def _strings_of_one(node: Node, src: bytes) -> list[str] | None:
    try:
        value = ast.literal_eval(text_of(node, src))
    except (ValueError, SyntaxError):
        return None
    return [value] if isinstance(value, str) else None


def compound_blocks(node: Node):
    for c in node.named_children:
        if c.type == "block":
            yield c
        elif c.type in _CLAUSES:
            for cc in c.named_children:
                if cc.type == "block":
                    yield cc


def attribute_doc(stmts: list[Node], i: int, src: bytes) -> str | None:
    """An attribute's own doc, as Sphinx reads it: ``#:`` comment lines just above it, or a string just after.

    Why: Flask documents ``Flask.request_class`` and 21 more so, and DOC602 asked for them in an Attributes
    section. Module variables are read the same way (``variables``)."""
    lines = []
    j = i - 1
    while j >= 0 and stmts[j].type == "comment" and text_of(stmts[j], src).startswith("#:") \
            and stmts[j].end_point[0] >= stmts[j + 1].start_point[0] - 1:
        lines.insert(0, text_of(stmts[j], src)[2:].strip())
        j -= 1
    if lines:
        return " ".join(lines)
    nxt = stmts[i + 1] if i + 1 < len(stmts) else None
    if nxt is not None and nxt.type == "expression_statement" and nxt.named_child_count \
            and nxt.named_children[0].type == "string":
        try:
            value = ast.literal_eval(text_of(nxt.named_children[0], src))
        except (ValueError, SyntaxError):
            return None  # an f-string: not a doc
        return " ".join(str(value).split()) or None
    return None
