"""JavaScript, TypeScript and TSX analyzer (tree-sitter-javascript/-typescript).

Functions (declarations, ``const f = () => …``, and the CommonJS and prototype
forms ``app.listen = function …``, ``View.prototype.lookup = …``), classes and
their methods, and for TypeScript interfaces, enums and namespaces. A symbol is
exported when an ``export`` statement declares it; in a CommonJS file, when
``module.exports``/``exports`` reaches it; in a file that does neither (a
script), always. A doc tagged ``@private``/``@internal``/``@api private`` makes
it private, and so does a name that starts with ``_``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Parser, Query

from llmctl.analyzers.base import (
    BodyFacts, FileResult, collect_body_facts, finish_symbol, head_text, module_id, module_symbol, one_line, text_of,
    value_text,
)
from llmctl.analyzers.doccomments import clean_block_comment, parse_block_tags
from llmctl.analyzers.jsexports import assignment_chain, commonjs, module_exports
from llmctl.analyzers.symbols import (
    CLASS, ENUM, FUNCTION, INTERFACE, METHOD, TYPE, ImportRef, POSITIONAL_ONLY, RECEIVER, VAR_POSITIONAL, Param,
    ParsedDoc, Symbol,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_PARSERS = {
    "javascript": Parser(Language(tree_sitter_javascript.language())),
    "typescript": Parser(Language(tree_sitter_typescript.language_typescript())),
    "tsx": Parser(Language(tree_sitter_typescript.language_tsx())),
}
_FACT_QUERY = (
    "[(function_declaration) (generator_function_declaration) (function_expression) (arrow_function)"
    " (method_definition)] @fn (return_statement) @ret (yield_expression) @y (throw_statement) @raise"
    " (call_expression) @call (new_expression) @call"
)
_QUERIES = {g: Query(p.language, _FACT_QUERY) for g, p in _PARSERS.items()}
_FUNC_DECL = frozenset({"function_declaration", "generator_function_declaration", "function_signature"})
_CLASS_DECL = frozenset({"class_declaration", "abstract_class_declaration", "class"})
_FUNC_VALUE = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_METHODS = frozenset({"method_definition", "method_signature", "abstract_method_signature"})


def analyze_javascript(src: bytes, path: str) -> FileResult:
    """Extract the symbols of one JavaScript file."""
    return _analyze(src, path, "javascript", "javascript")


def analyze_typescript(src: bytes, path: str) -> FileResult:
    """Extract the symbols of one TypeScript (or, by extension, TSX) file."""
    grammar = "tsx" if path.endswith(".tsx") else "typescript"
    return _analyze(src, path, "typescript", grammar)


class _Ctx:
    def __init__(self, src: bytes, path: str, language: str, has_exports: bool, result: FileResult):
        self.src, self.path, self.language, self.has_exports, self.result = src, path, language, has_exports, result
        self.functions: list[tuple[Symbol, Node]] = []
        self.aliases: set[str] = set()  # the names a CommonJS file's module.exports goes by


def _throw_name(node: Node, src: bytes) -> str:
    value = node.named_children[0] if node.named_child_count else None
    if value is not None and value.type == "new_expression":
        value = value.child_by_field_name("constructor") or value
    return text_of(value, src).rsplit(".", 1)[-1] if value is not None else "*"


_ARGUMENTS = re.compile(rb"(?<![\w$.])arguments\b")


def _guarded_constructor(sym: Symbol, body: Node | None, src: bytes) -> bool:
    """``function Negotiator(request) { if (!(this instanceof Negotiator)) return new Negotiator(request); …}``:
    a constructor whose only returns make it one when called without ``new``; that is no return value."""
    if sym.kind != FUNCTION or not sym.name[:1].isupper() or body is None:
        return False
    returns = re.findall(rb"\breturn\b[ \t]*([^;\n}]*)", src[body.start_byte:body.end_byte])
    return bool(returns) and all(not r.strip() or r.startswith(b"new " + sym.name.encode()) for r in returns)


def _analyze(src: bytes, path: str, language: str, grammar: str) -> FileResult:
    root = _PARSERS[grammar].parse(src).root_node
    result = FileResult(has_errors=root.has_error)
    first = root.named_children[0] if root.named_child_count else None
    doc_raw = None
    # A file-level doc is a leading /** */ comment carrying @file/@module/@packageDocumentation.
    if first is not None and first.type == "comment":
        raw = text_of(first, src)
        if raw.startswith("/**") and any(t in raw for t in ("@file", "@module", "@packageDocumentation", "@fileoverview")):
            doc_raw = clean_block_comment(raw)
    doc = parse_block_tags(doc_raw, "jsdoc") if doc_raw else ParsedDoc()
    mod = module_symbol(path, language, src, root, doc_raw, doc, False)
    result.symbols.append(mod)
    has_exports = any(c.type == "export_statement" for c in root.named_children)
    ctx = _Ctx(src, path, language, has_exports, result)
    cjs = None if has_exports else commonjs(root, src)
    if cjs is not None:
        ctx.aliases = cjs.aliases
    _walk(root, ctx, module_id(path, language), exported=not has_exports and cjs is None)
    module_exports(root, src, mod, result.symbols)
    if cjs is not None:
        for sym in result.symbols:
            if sym.parent == mod.id and sym.name in cjs.named:
                sym.exported = True
        mod.imports += [ImportRef(module, "", name, True) for name, module in cjs.namespaces.items()]
    facts = collect_body_facts(_QUERIES[grammar], root, src, _throw_name)
    for sym, fn in ctx.functions:
        f = facts.get(fn.start_byte, BodyFacts())
        body = fn.child_by_field_name("body")
        expression_body = fn.type == "arrow_function" and body is not None and body.type != "statement_block"
        sym.returns_value = (f.returns_value or expression_body) and not _guarded_constructor(sym, body, src)
        sym.yields, sym.raised, sym.raised_nested, sym.calls = f.yields, f.raised, f.raised_nested, f.calls
        sym.stub = body is None  # a signature (interface member, overload, declare)
        if fn.type != "arrow_function" and body is not None and _ARGUMENTS.search(src[body.start_byte:body.end_byte]) \
                and not any(p.kind == VAR_POSITIONAL for p in sym.params):
            # `function () { … arguments … }` takes any arguments: express's `req.accepts` documents `type(s)`
            sym.params.append(Param(name="arguments", kind=VAR_POSITIONAL))
    return result


_FILE_TAGS = ("@file", "@module", "@packageDocumentation", "@fileoverview", "@license")
_PRIVATE_TAG = re.compile(r"(?m)^\s*@(?:private|internal|ignore|api\s+private)\b")


def _doc_before(node: Node, ctx: _Ctx) -> str | None:
    """The ``/** … */`` comment right before ``node``: blank lines may stand between (express and koa
    leave one after every doc), code may not, and a file's own doc comment is not its first function's."""
    prev = node.prev_named_sibling
    if prev is None or prev.type != "comment":
        return None
    raw = text_of(prev, ctx.src)
    if not raw.startswith("/**") or raw.startswith("/**/"):
        return None
    gap = ctx.src[prev.end_byte:node.start_byte]
    if gap.strip() or (gap.count(b"\n") > 1 and any(t in raw for t in _FILE_TAGS)):
        return None
    return clean_block_comment(raw)


def _walk(block: Node, ctx: _Ctx, prefix: str, exported: bool) -> None:
    for child in block.named_children:
        _declaration(child, child, ctx, prefix, exported)


def _declaration(node: Node, outer: Node, ctx: _Ctx, prefix: str, exported: bool) -> None:
    """Record ``node``; ``outer`` is the statement the doc comment precedes."""
    t = node.type
    if t == "export_statement":
        inner = node.child_by_field_name("declaration") or node.child_by_field_name("value")
        if inner is not None:
            _declaration(inner, outer, ctx, prefix, True)
        return
    if t == "ambient_declaration":  # `declare function f(): void;`
        for c in node.named_children:
            _declaration(c, outer, ctx, prefix, exported)
        return
    if t in ("internal_module", "module"):  # TS namespaces
        name = text_of(node.child_by_field_name("name"), ctx.src).strip("'\"")
        body = node.child_by_field_name("body")
        if body is not None and name:
            _walk(body, ctx, f"{prefix}.{name}", exported)
        return
    if t in ("expression_statement",) and node.named_child_count == 1:
        node = node.named_children[0]
        t = node.type
    if t in _FUNC_DECL:
        name = text_of(node.child_by_field_name("name"), ctx.src) or "default"
        _function(node, node, name, outer, ctx, prefix, FUNCTION, exported, "public")
    elif t in _CLASS_DECL:
        _class(node, outer, ctx, prefix, exported)
    elif t in ("interface_declaration", "enum_declaration"):
        _type(node, outer, ctx, prefix, exported, INTERFACE if t == "interface_declaration" else ENUM)
    elif t == "type_alias_declaration":
        _type(node, outer, ctx, prefix, exported, TYPE)
    elif t == "assignment_expression":
        _assigned(node, outer, ctx, prefix, exported)
    elif t in ("lexical_declaration", "variable_declaration"):
        for decl in node.named_children:
            value = decl.child_by_field_name("value") if decl.type == "variable_declarator" else None
            if value is None:
                continue
            name = text_of(decl.child_by_field_name("name"), ctx.src)
            if value.type in _FUNC_VALUE:
                _function(value, decl, name, outer, ctx, prefix, FUNCTION, exported, "public")
            elif value.type in _CLASS_DECL:
                _class(value, outer, ctx, prefix, exported, name)
            elif exported and outer.type == "export_statement" and prefix == ctx.result.symbols[0].id \
                    and decl.child_by_field_name("name").type == "identifier":
                _value(node, decl, name, value, outer, ctx)


def _value(node: Node, decl: Node, name: str, value: Node, outer: Node, ctx: _Ctx) -> None:
    """``export const produce: IProduce = immer.produce``: a value, on the module's symbol (``variables``).

    Why: immer's ``produce``, its most used name, is such a value, and the reference had no section for it.
    core/api/javascript.py documents values as facts (their type or value, their doc comment).
    """
    typ = decl.child_by_field_name("type")
    ctx.result.symbols[0].variables.append(Param(
        name=name, kind=text_of(node, ctx.src).split(None, 1)[0],
        annotation=one_line(text_of(typ, ctx.src)).lstrip(":").strip() if typ is not None else None,
        default=value_text(value, ctx.src), doc=_doc_before(outer, ctx),
        line=decl.start_point[0] + 1))


def _assigned(node: Node, outer: Node, ctx: _Ctx, prefix: str, exported: bool) -> None:
    """CommonJS and prototype definitions: ``app.init = function init() {…}`` (``app.init``),
    ``View.prototype.lookup = function …`` (a method of ``View`` when the file defines it), ``exports.f =
    (…) => …`` and ``req.get = req.header = function header(…)`` (named by its first target),
    ``module.exports = class Application …`` and ``module.exports = { get header() {…} }`` (each
    member a function of the module). Express and koa define their whole API this way."""
    src = ctx.src
    target, value = node.child_by_field_name("left"), assignment_chain(node, src)[1]
    if target is None or value is None or target.type not in ("member_expression", "identifier"):
        return
    parts = [p for p in text_of(target, src).split(".") if p != "prototype"]
    if parts[:2] == ["module", "exports"] or parts[:1] == ["exports"]:
        parts = parts[2:] if parts[0] == "module" else parts[1:]
        exported = True
    elif len(parts) > 1 and parts[0] in ctx.aliases:  # `app.listen` where `app` is module.exports
        exported = True
    if not all(p.isidentifier() or p.replace("$", "").isidentifier() for p in parts):
        return  # `obj[key] = …`, a call's result
    if not parts:  # the module's own value
        if value.type in _CLASS_DECL:
            _class(value, outer, ctx, prefix, exported)
        elif value.type in _FUNC_VALUE:  # named as it is required: `is-stream.js` exports `isStream`
            stem = re.sub(r"[-_.](\w)", lambda m: m.group(1).upper(), ctx.path.rsplit("/", 1)[-1].split(".")[0])
            name = text_of(value.child_by_field_name("name"), src) or (stem if stem.isidentifier() else "default")
            _function(value, value, name, outer, ctx, prefix, FUNCTION, exported, "public")
        elif value.type == "object":
            for member in value.named_children:
                if member.type in _METHODS:
                    name = text_of(member.child_by_field_name("name"), src)
                    _function(member, member, name, member, ctx, prefix, FUNCTION, exported, "public")
        return
    if value.type not in _FUNC_VALUE or len(parts) > 3:
        return
    owner, name = ".".join(parts[:-1]), parts[-1]
    ids = {s.id: s for s in ctx.result.symbols}
    if f"{prefix}.{'.'.join(parts)}" in ids:
        return  # defined twice (`if (…) a.f = …; else a.f = …`): the first one is documented
    if owner and ids.get(f"{prefix}.{owner}") is not None and ids[f"{prefix}.{owner}"].kind in (CLASS, FUNCTION):
        _function(value, outer, name, outer, ctx, f"{prefix}.{owner}", METHOD, exported, "public")
        return
    sym = _function(value, outer, name, outer, ctx, prefix, FUNCTION, exported,
                    "private" if name.startswith("_") else "public")
    if owner:  # `app.init`: a function of the module, known by the object it hangs on
        sym.id = f"{prefix}.{owner}.{name}"


def _params(node: Node | None, ctx: _Ctx) -> list[Param]:
    out: list[Param] = []
    if node is None:
        return out
    src = ctx.src
    if node.type == "identifier":  # `x => x + 1`
        return [Param(name=text_of(node, src), kind=POSITIONAL_ONLY)]
    for p in node.named_children:
        t = p.type
        if t == "comment":
            continue
        kind, default, annotation = POSITIONAL_ONLY, None, None
        target = p
        if t in ("required_parameter", "optional_parameter"):
            target = p.child_by_field_name("pattern") or p
            type_node = p.child_by_field_name("type")
            value = p.child_by_field_name("value")
            annotation = one_line(text_of(type_node, src))[1:].strip() if type_node is not None else None
            default = one_line(text_of(value, src)) if value is not None else ("undefined" if t == "optional_parameter" else None)
        if target.type == "assignment_pattern":
            default = one_line(text_of(target.child_by_field_name("right"), src))
            target = target.child_by_field_name("left") or target
        if target.type == "rest_pattern":
            kind = VAR_POSITIONAL
            target = target.named_children[0] if target.named_child_count else target
        name = one_line(text_of(target, src))
        if name == "this":
            kind = RECEIVER
        out.append(Param(name=name, kind=kind, default=default, annotation=annotation))
    return out


def _decorators(node: Node, ctx: _Ctx) -> list[str]:
    decs = [one_line(text_of(c, ctx.src))[1:] for c in node.named_children if c.type == "decorator"]
    prev = node.prev_named_sibling
    while prev is not None and prev.type == "decorator":  # TS class-member decorators are siblings
        decs.insert(0, one_line(text_of(prev, ctx.src))[1:])
        prev = prev.prev_named_sibling
    return decs


def _function(fn: Node, decl: Node, name: str, outer: Node, ctx: _Ctx, prefix: str, kind: str,
              exported: bool, visibility: str) -> Symbol:
    src = ctx.src
    params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    ret = fn.child_by_field_name("return_type")
    body = fn.child_by_field_name("body")
    head_end = body.start_byte if body is not None else fn.end_byte
    signature = head_text(decl, src, decl.start_byte, head_end).removesuffix("=>").rstrip(" ={;")
    doc_raw = _doc_before(outer, ctx)
    sym = Symbol(
        id=f"{prefix}.{name}", name=name, kind=kind, language=ctx.language, path=ctx.path,
        line=decl.start_point[0] + 1, end_line=fn.end_point[0] + 1, parent=prefix, signature=signature,
        params=_params(params, ctx),
        returns=one_line(text_of(ret, src)).lstrip(":").strip() if ret is not None else None,
        decorators=_decorators(fn if fn is decl else decl, ctx), visibility=visibility, exported=exported,
        doc_raw=doc_raw, doc=parse_block_tags(doc_raw, "jsdoc") if doc_raw else ParsedDoc(),
    )
    if doc_raw and _PRIVATE_TAG.search(doc_raw):  # express and koa mark their helpers `@private`/`@api private`
        sym.visibility = "private"
    ctx.result.symbols.append(finish_symbol(sym, text_of(body, src), False))
    ctx.functions.append((sym, fn))
    return sym


def _type(node: Node, outer: Node, ctx: _Ctx, prefix: str, exported: bool, kind: str, name: str | None = None) -> Symbol:
    src = ctx.src
    name = name or text_of(node.child_by_field_name("name"), src) or "default"
    body = node.child_by_field_name("body")
    head_end = body.start_byte if body is not None else node.end_byte
    doc_raw = _doc_before(outer, ctx)
    sym = Symbol(
        id=f"{prefix}.{name}", name=name, kind=kind, language=ctx.language, path=ctx.path,
        line=node.start_point[0] + 1, end_line=node.end_point[0] + 1, parent=prefix,
        signature=head_text(node, src, node.start_byte, head_end).rstrip(";"),
        decorators=_decorators(node, ctx), exported=exported, doc_raw=doc_raw,
        doc=parse_block_tags(doc_raw, "jsdoc") if doc_raw else ParsedDoc(),
    )
    ctx.result.symbols.append(finish_symbol(sym, text_of(body, src), False))
    if kind == INTERFACE and body is not None:
        for member in body.named_children:
            if member.type in _METHODS:
                mname = text_of(member.child_by_field_name("name"), src)
                _function(member, member, mname, member, ctx, sym.id, METHOD, exported, "public")
    return sym


def _class(node: Node, outer: Node, ctx: _Ctx, prefix: str, exported: bool, name: str | None = None) -> None:
    sym = _type(node, outer, ctx, prefix, exported, CLASS, name)
    body = node.child_by_field_name("body")
    if body is None:
        return
    for member in body.named_children:
        fn, mname_node = None, None
        if member.type in _METHODS:
            fn, mname_node = member, member.child_by_field_name("name")
        elif member.type in ("public_field_definition", "field_definition"):
            value = member.child_by_field_name("value")
            if value is not None and value.type in _FUNC_VALUE:
                fn = value
                mname_node = member.child_by_field_name("name") or member.child_by_field_name("property")
        if fn is None or mname_node is None:
            continue
        mname = text_of(mname_node, ctx.src)
        # `#x`, TypeScript's private/protected, and the older convention `_x` (commander's `_findOption`,
        # which its typings leave out) are the class's own business.
        private = mname_node.type == "private_property_identifier" or mname.startswith("_") or any(
            c.type == "accessibility_modifier" and text_of(c, ctx.src) in ("private", "protected")
            for c in member.children
        )
        _function(fn, member, mname, member, ctx, sym.id, METHOD, exported, "private" if private else "public")
