"""Python analyzer (tree-sitter-python): modules, classes, functions, methods.

Definitions are collected at module and class level, including those inside
``if``/``try``/``with`` blocks there (``if TYPE_CHECKING:``, import fallbacks);
functions nested in function bodies are implementation detail and skipped.
"""

from __future__ import annotations

import ast
import inspect
from typing import TYPE_CHECKING

import tree_sitter_python
from tree_sitter import Language, Parser, Query

from llmctl.analyzers.base import (
    BodyFacts, FileResult, collect_body_facts, finish_symbol, head_text, module_id, module_symbol, one_line, text_of,
)
from llmctl.analyzers.docstrings import parse_python_docstring
from llmctl.analyzers.pymodule import _COMPOUND, attribute_doc, compound_blocks, module_names
from llmctl.analyzers.symbols import (
    CLASS, FUNCTION, KEYWORD_ONLY, METHOD, POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_KEYWORD,
    VAR_POSITIONAL, Param, ParsedDoc, Symbol,
)

if TYPE_CHECKING:
    from tree_sitter import Node

LANGUAGE = Language(tree_sitter_python.language())
_PARSER = Parser(LANGUAGE)
_FACTS = Query(LANGUAGE, "(function_definition) @fn (lambda) @fn (return_statement) @ret (yield) @y (raise_statement) @raise"
                         " (call function: [(identifier) (attribute)] @callee)")


def analyze(src: bytes, path: str) -> FileResult:
    """Extract the symbols of one Python file."""
    tree = _PARSER.parse(src)
    root = tree.root_node
    result = FileResult(has_errors=root.has_error)
    doc_raw, _ = _docstring(root, src)
    mid = module_id(path, "python")
    mod = module_symbol(path, "python", src, root, doc_raw, _parse(doc_raw), True)
    module_names(root, src, mid, path.endswith(("__init__.py", "__init__.pyi")), mod)
    result.symbols.append(mod)
    # A private module (``_compat.py``) keeps everything in it private.
    functions: list[tuple[Symbol, int]] = []
    _walk(root, src, path, mid, False, _visibility(mid.rsplit(".", 1)[-1], False) != "public", result, functions)
    facts = collect_body_facts(_FACTS, root, src, _raise_name)
    for sym, start in functions:
        f = facts.get(start, BodyFacts())
        sym.returns_value, sym.yields, sym.raised = f.returns_value, f.yields, f.raised
        sym.raised_nested, sym.callees = f.raised_nested, f.callees
    return result


def _raise_name(node: Node, src: bytes) -> str:
    if not node.named_child_count:
        # A bare `raise` re-raises what its `except` clause caught: name that type when it names one.
        up = node.parent
        while up is not None and up.type not in ("except_clause", "function_definition"):
            up = up.parent
        if up is not None and up.type == "except_clause":
            caught = next((c for c in up.named_children if c.type not in ("block", "comment")), None)
            if caught is not None and caught.type == "as_pattern":
                caught = caught.named_children[0] if caught.named_child_count else None
            if caught is not None and caught.type in ("identifier", "attribute"):
                return text_of(caught, src).rsplit(".", 1)[-1]
        return "*"
    exc = node.named_children[0]
    called = exc.type == "call"
    while exc.type == "call":  # `raise TypeError(msg).with_traceback(tb)` raises a TypeError
        func = exc.child_by_field_name("function")
        inner = func.child_by_field_name("object") if func is not None and func.type == "attribute" else None
        exc = inner if inner is not None and inner.type == "call" else (func or exc)
        if exc is func:
            break
    name = text_of(exc, src).rsplit(".", 1)[-1]
    variable = not called or text_of(exc, src).startswith(("self.", "cls."))  # `raise self.exc_class(msg)`
    if variable and exc.type in ("identifier", "attribute") and name[:1].islower():
        return "*"  # `raise error`: a variable holding some exception (Flask's handle_url_build_error)
    return name


def _is_stub(body: Node | None, doc_node: Node | None) -> bool:
    if body is None:
        return True
    for stmt in body.named_children:
        if stmt is doc_node or stmt.type in ("comment", "pass_statement"):
            continue
        if stmt.type == "expression_statement" and stmt.named_child_count == 1 and stmt.named_children[0].type == "ellipsis":
            continue
        if stmt.type == "raise_statement" and b"NotImplementedError" in stmt.text:
            continue
        return False
    return True


def _parse(doc: str | None) -> ParsedDoc:
    return parse_python_docstring(doc) if doc else ParsedDoc()


def _walk(block: Node, src: bytes, path: str, prefix: str, in_class: bool, private: bool,
          result: FileResult, functions: list[tuple[Symbol, int]]) -> list[tuple[int, int, Symbol]]:
    """Collect definitions in ``block``; return ``(start, end, symbol)`` of the direct ones.

    ``functions`` receives every function symbol with its node's start byte (for body facts).
    """
    spans: list[tuple[int, int, Symbol]] = []
    for child in block.named_children:
        kind = child.type
        outer = child
        decorators: list[str] = []
        if kind == "decorated_definition":
            decorators = [one_line(text_of(d, src))[1:] for d in child.named_children if d.type == "decorator"]
            child = child.child_by_field_name("definition")
            if child is None:
                continue
            kind = child.type
        if kind == "function_definition":
            sym = _function(child, src, path, prefix, in_class, private, decorators)
            result.symbols.append(sym)
            functions.append((sym, child.start_byte))
            spans.append((outer.start_byte, outer.end_byte, sym))
            _nested(child.child_by_field_name("body"), src, path, sym.id, result, functions)
        elif kind == "class_definition":
            sym, body, doc_node = _class(child, src, path, prefix, private, decorators)
            result.symbols.append(sym)
            members = (_walk(body, src, path, sym.id, True, sym.visibility != "public", result, functions)
                       if body is not None else [])
            # Hash the class body with each member replaced by its own hashes, so that
            # method bodies are not tokenised twice (once for the method, once here).
            finish_symbol(sym, _body_text(body, doc_node, src, members), True)
            spans.append((outer.start_byte, outer.end_byte, sym))
        elif kind in _COMPOUND:
            for sub in compound_blocks(child):
                spans.extend(_walk(sub, src, path, prefix, in_class, private, result, functions))
    return spans


def _nested(body: Node | None, src: bytes, path: str, prefix: str, result: FileResult,
            functions: list[tuple[Symbol, int]]) -> None:
    """Functions defined inside a function body: private symbols under it, so their doc comments are checked too."""
    if body is None:
        return
    for child in body.named_children:
        node, decorators = child, []
        if child.type == "decorated_definition":
            decorators = [one_line(text_of(d, src))[1:] for d in child.named_children if d.type == "decorator"]
            node = child.child_by_field_name("definition")
        if node is None:
            continue
        if node.type == "function_definition":
            sym = _function(node, src, path, prefix, False, True, decorators)
            result.symbols.append(sym)
            functions.append((sym, node.start_byte))
            _nested(node.child_by_field_name("body"), src, path, sym.id, result, functions)
        elif node.type not in ("class_definition", "function_definition", "lambda"):
            for sub in node.named_children:
                if sub.type == "block" or sub.type.endswith("_clause"):
                    _nested(sub if sub.type == "block" else next(
                        (b for b in sub.named_children if b.type == "block"), None), src, path, prefix, result, functions)


def _visibility(name: str, parent_private: bool) -> str:
    if parent_private:
        return "private"
    if name.startswith("__") and name.endswith("__"):
        return "public"
    return "private" if name.startswith("_") else "public"


def _docstring(body: Node | None, src: bytes) -> tuple[str | None, Node | None]:
    """The docstring of a module/class/function body and the node holding it."""
    if body is None:
        return None, None
    for first in body.named_children:
        if first.type == "comment":
            continue
        if first.type == "expression_statement" and first.named_child_count == 1:
            lit = first.named_children[0]
            if lit.type == "string":
                raw = text_of(lit, src)
                try:
                    value = ast.literal_eval(raw)
                except (ValueError, SyntaxError, MemoryError, RecursionError):
                    value = raw.strip("rRbBuUfF").strip("'\"")
                if isinstance(value, bytes):
                    return None, None
                return inspect.cleandoc(value), first
        return None, None
    return None, None


def _body_text(body: Node | None, doc_node: Node | None, src: bytes,
               members: list[tuple[int, int, Symbol]] = ()) -> str:
    if body is None:
        return ""
    pos = doc_node.end_byte if doc_node is not None else body.start_byte
    parts: list[str] = []
    for start, end, sym in members:
        if start < pos:
            continue
        parts.append(src[pos:start].decode("utf-8", "replace"))
        parts.append(f" _{sym.sig_hash}{sym.doc_hash}{sym.body_hash} ")
        pos = end
    parts.append(src[pos:body.end_byte].decode("utf-8", "replace"))
    return "".join(parts)


def _params(node: Node | None, src: bytes) -> list[Param]:
    params: list[Param] = []
    if node is None:
        return params
    kind = POSITIONAL_OR_KEYWORD
    for p in node.named_children:
        t = p.type
        if t == "positional_separator":
            for q in params:
                if q.kind == POSITIONAL_OR_KEYWORD:
                    q.kind = POSITIONAL_ONLY
            continue
        if t == "keyword_separator":
            kind = KEYWORD_ONLY
            continue
        if t in ("comment", "line_continuation"):
            continue
        name_node = p.child_by_field_name("name") if t in ("default_parameter", "typed_default_parameter") else None
        type_node = p.child_by_field_name("type")
        value_node = p.child_by_field_name("value")
        target = name_node or p
        if t == "typed_parameter":
            target = next((c for c in p.named_children if c is not type_node), p)
        this_kind = kind
        if target.type == "list_splat_pattern":
            this_kind, kind = VAR_POSITIONAL, KEYWORD_ONLY
        elif target.type == "dictionary_splat_pattern":
            this_kind = VAR_KEYWORD
        if target.type in ("list_splat_pattern", "dictionary_splat_pattern") and target.named_child_count:
            name = text_of(target.named_children[0], src)  # `* args` is legal too
        else:
            name = text_of(target, src)
        params.append(Param(
            name=name, kind=this_kind,
            default=one_line(text_of(value_node, src)) if value_node is not None else None,
            annotation=one_line(text_of(type_node, src)) if type_node is not None else None,
        ))
    return params


def _function(node: Node, src: bytes, path: str, prefix: str, in_class: bool, private: bool,
              decorators: list[str]) -> Symbol:
    name = text_of(node.child_by_field_name("name"), src)
    params_node = node.child_by_field_name("parameters")
    ret = node.child_by_field_name("return_type")
    body = node.child_by_field_name("body")
    doc_raw, doc_node = _docstring(body, src)
    is_async = node.children and node.children[0].type == "async"
    head_end = (ret or params_node or node).end_byte
    signature = ("async " if is_async else "") + "def " + head_text(node, src, node.child_by_field_name("name").start_byte, head_end)
    sym = Symbol(
        id=f"{prefix}.{name}", name=name, kind=METHOD if in_class else FUNCTION, language="python",
        path=path, line=node.start_point[0] + 1, end_line=node.end_point[0] + 1, parent=prefix,
        signature=signature, params=_params(params_node, src),
        returns=one_line(text_of(ret, src)) if ret is not None else None, decorators=decorators,
        visibility=_visibility(name, private), doc_raw=doc_raw, doc=_parse(doc_raw),
        stub=_is_stub(body, doc_node),
    )
    return finish_symbol(sym, _body_text(body, doc_node, src), True)


def _class(node: Node, src: bytes, path: str, prefix: str, private: bool,
           decorators: list[str]) -> tuple[Symbol, Node | None, Node | None]:
    """The class symbol (hashes filled in by the caller, after its members) and its body."""
    name = text_of(node.child_by_field_name("name"), src)
    bases = node.child_by_field_name("superclasses")
    body = node.child_by_field_name("body")
    doc_raw, doc_node = _docstring(body, src)
    sym = Symbol(
        id=f"{prefix}.{name}", name=name, kind=CLASS, language="python", path=path,
        line=node.start_point[0] + 1, end_line=node.end_point[0] + 1, parent=prefix,
        signature=f"class {name}{one_line(text_of(bases, src))}", decorators=decorators,
        visibility=_visibility(name, private), doc_raw=doc_raw, doc=_parse(doc_raw),
        attributes=_class_attributes(body, src), instance_attributes=_instance_attributes(body, src),
    )
    return sym, body, doc_node


def _instance_attributes(body: Node | None, src: bytes) -> list[str]:
    """The names the class's own methods assign on their first parameter (``self.x = …``, ``self.a, self.b = …``).

    Why: an Attributes section documents these as much as class-level ones; docs check flagged
    pydantic's ``GenerateJsonSchema.by_alias`` (set in ``__init__``) as not defined by the class.
    """
    out: dict[str, None] = {}
    for stmt in body.named_children if body is not None else []:
        fn = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if fn is None or fn.type != "function_definition":
            continue
        params = fn.child_by_field_name("parameters")
        first = next((c for c in params.named_children), None) if params is not None else None
        if first is not None and first.type != "identifier":
            first = next((c for c in first.named_children if c.type == "identifier"), None)
        if first is None:
            continue
        receiver = text_of(first, src)
        todo = [fn.child_by_field_name("body")]
        while todo:
            node = todo.pop()
            if node is None or node.type in ("function_definition", "class_definition", "lambda"):
                continue  # a nested function's ``self`` is its own
            if node.type in ("assignment", "augmented_assignment"):
                targets = [node.child_by_field_name("left")]
                while targets:
                    t = targets.pop(0)
                    if t is None:
                        continue
                    if t.type in ("pattern_list", "tuple_pattern", "list_pattern"):
                        targets += t.named_children
                    elif t.type == "attribute" and text_of(t.child_by_field_name("object"), src) == receiver:
                        out[text_of(t.child_by_field_name("attribute"), src)] = None
            todo += reversed(node.named_children)
    return list(out)


def _class_attributes(body: Node | None, src: bytes) -> list[Param]:
    """Names assigned or annotated in the class body itself (``x: int = 0``, ``y = 1``), in order."""
    out: list[Param] = []
    seen: set[str] = set()
    stmts = body.named_children if body is not None else []
    for i, stmt in enumerate(stmts):
        if stmt.type != "expression_statement" or not stmt.named_child_count:
            continue
        expr = stmt.named_children[0]
        if expr.type != "assignment":
            continue
        left = expr.child_by_field_name("left")
        if left is None or left.type != "identifier":
            continue
        name = text_of(left, src)
        typ = expr.child_by_field_name("type")
        value = expr.child_by_field_name("right")
        if name not in seen:
            seen.add(name)
            out.append(Param(name=name, annotation=one_line(text_of(typ, src)) if typ is not None else None,
                             default=one_line(text_of(value, src)) if value is not None else None,
                             doc=attribute_doc(stmts, i, src), line=stmt.start_point[0] + 1))
    return out
