"""Rust analyzer (tree-sitter-rust): functions, structs, enums, traits, impl methods.

Methods of ``impl Type`` and ``impl Trait for Type`` are filed under
``<module>.<Type>``; inline ``mod`` blocks extend the module path. Doc comments
are outer ``///`` / ``/** */`` comments, attributes in between allowed; ``//!``
at the top of a file documents the module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tree_sitter_rust
from tree_sitter import Language, Parser

from llmctl.analyzers.base import FileResult, declared, finish_symbol, module_id, module_symbol, one_line, text_of
from llmctl.analyzers.doccomments import clean_block_comment, parse_rustdoc
from llmctl.analyzers.symbols import (
    ENUM, FUNCTION, METHOD, POSITIONAL_ONLY, RECEIVER, STRUCT, TRAIT, TYPE, ImportRef, Param, ParsedDoc, Symbol,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_PARSER = Parser(Language(tree_sitter_rust.language()))
_TYPES = {"struct_item": STRUCT, "union_item": STRUCT, "enum_item": ENUM, "trait_item": TRAIT, "type_item": TYPE}


def analyze(src: bytes, path: str) -> FileResult:
    """Extract the symbols of one Rust file."""
    root = _PARSER.parse(src).root_node
    result = FileResult(has_errors=root.has_error)
    inner: list[str] = []
    for c in root.named_children:
        raw = text_of(c, src).rstrip("\r\n") if c.type == "line_comment" else ""  # the node ends with its newline
        if not raw.startswith("//!"):
            break
        inner.append(raw[4:] if raw.startswith("//! ") else raw[3:])
    doc_raw = "\n".join(inner).strip() or None
    mod = module_symbol(path, "rust", src, root, doc_raw, parse_rustdoc(doc_raw) if doc_raw else ParsedDoc(), False)
    result.symbols.append(mod)
    _walk(root, src, path, module_id(path, "rust"), True, result)
    _module_items(root, src, "", mod)
    return result


def _doc_and_attrs(node: Node, src: bytes) -> tuple[str | None, list[str]]:
    lines: list[str] = []
    attrs: list[str] = []
    prev = node.prev_named_sibling
    expect_row = node.start_point[0] - 1
    while prev is not None and prev.end_point[0] >= expect_row:
        raw = text_of(prev, src).rstrip("\r\n")  # a line comment's node ends with its newline
        if prev.type == "attribute_item":
            attrs.insert(0, one_line(raw)[2:-1])
        elif prev.type == "line_comment" and raw.startswith("///") and not raw.startswith("////"):
            lines.insert(0, raw[4:] if raw.startswith("/// ") else raw[3:])
        elif prev.type == "block_comment" and raw.startswith("/**"):
            lines.insert(0, clean_block_comment(raw))
        else:
            break
        expect_row = prev.start_point[0] - 1
        prev = prev.prev_named_sibling
    text = "\n".join(lines).strip()
    return (text or None), attrs


def _is_pub(node: Node, src: bytes) -> bool:
    for c in node.children:
        if c.type == "visibility_modifier":
            return text_of(c, src).strip() == "pub"
    return False


def _walk(block: Node, src: bytes, path: str, prefix: str, public_scope: bool, result: FileResult) -> None:
    for child in block.named_children:
        t = child.type
        if t in ("function_item", "function_signature_item"):
            _function(child, src, path, prefix, FUNCTION, public_scope and _is_pub(child, src), result)
        elif t in _TYPES:
            sym = _item(child, src, path, prefix, _TYPES[t], public_scope and _is_pub(child, src), result)
            if t == "trait_item":
                body = child.child_by_field_name("body")
                if body is not None:
                    for m in body.named_children:
                        if m.type in ("function_item", "function_signature_item"):
                            _function(m, src, path, sym.id, METHOD, sym.exported, result)
        elif t == "impl_item":
            type_node = child.child_by_field_name("type")
            type_name = one_line(text_of(type_node, src)).split("<", 1)[0].split("::")[-1]
            trait = child.child_by_field_name("trait")
            is_trait_impl = trait is not None
            # The trait it implements, as an attribute of each method ("impl fmt::Debug"): the trait says what it does.
            impl = [f"impl {one_line(text_of(trait, src))}"] if is_trait_impl else []
            body = child.child_by_field_name("body")
            if body is None:
                continue
            for m in body.named_children:
                if m.type == "function_item":
                    pub = public_scope and (is_trait_impl or _is_pub(m, src))
                    _function(m, src, path, f"{prefix}.{type_name}", METHOD, pub, result, impl)
        elif t == "mod_item":
            body = child.child_by_field_name("body")
            name = text_of(child.child_by_field_name("name"), src)
            if body is not None and name:
                _walk(body, src, path, f"{prefix}.{name}", public_scope and _is_pub(child, src), result)


def _is_test_module(node: Node, src: bytes) -> bool:
    _, attrs = _doc_and_attrs(node, src)
    return any(a.replace(" ", "") in ("cfg(test)", "cfg(all(test))") for a in attrs)


def _module_items(block: Node, src: bytes, inner: str, mod: Symbol) -> None:
    """Record ``mod x;`` declarations and ``pub use`` re-exports on the file's module symbol.

    ``inner`` is the path of an inline ``mod`` block inside the file (``a.b``), so
    the public-API model can follow ``pub mod`` chains and re-exports from the crate root.
    """
    for child in block.named_children:
        if child.type == "mod_item":
            name = text_of(child.child_by_field_name("name"), src)
            if not name or _is_test_module(child, src):
                continue
            path = f"{inner}.{name}" if inner else name
            body = child.child_by_field_name("body")
            mod.imports.append(ImportRef(path, "", "mod", _is_pub(child, src)))
            if body is not None:
                _module_items(body, src, path, mod)
        elif child.type == "use_declaration" and _is_pub(child, src):
            arg = child.child_by_field_name("argument")
            for module, name, alias in _use_paths(one_line(text_of(arg, src))):
                mod.imports.append(ImportRef(f"{inner}|{module}" if inner else module, name, alias, True))


def _use_paths(tree: str, base: str = "") -> list[tuple[str, str, str]]:
    """``a::b::{C, D as E, f::*}`` -> [("a::b", "C", ""), ("a::b", "D", "E"), ("a::b::f", "*", "")]."""
    tree = tree.strip()
    if "{" in tree and tree.endswith("}"):
        head, body = tree.split("{", 1)
        prefix = "::".join(p for p in (base, head.rstrip(":").strip()) if p)
        parts, depth, cur = [], 0, ""
        for ch in body[:-1]:
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
                continue
            depth += ch == "{"
            depth -= ch == "}"
            cur += ch
        parts.append(cur)
        return [x for part in parts if part.strip() for x in _use_paths(part, prefix)]
    alias = ""
    if " as " in tree:
        tree, alias = (t.strip() for t in tree.split(" as ", 1))
    full = "::".join(p for p in (base, tree) if p)
    module, _, name = full.rpartition("::")
    return [(module, name, alias)]


def _params(node: Node | None, src: bytes) -> list[Param]:
    out: list[Param] = []
    if node is None:
        return out
    for p in node.named_children:
        if p.type == "self_parameter":
            out.append(Param(name="self", kind=RECEIVER, annotation=one_line(text_of(p, src))))
        elif p.type == "parameter":
            type_node = p.child_by_field_name("type")
            out.append(Param(
                name=one_line(text_of(p.child_by_field_name("pattern"), src)), kind=POSITIONAL_ONLY,
                annotation=one_line(text_of(type_node, src)) if type_node is not None else None,
            ))
        elif p.type == "variadic_parameter":
            out.append(Param(name="...", kind="var_positional"))
    return out


def _function(node: Node, src: bytes, path: str, prefix: str, kind: str, public: bool, result: FileResult,
              extra: list[str] = ()) -> None:
    name = text_of(node.child_by_field_name("name"), src)
    body = node.child_by_field_name("body")
    ret = node.child_by_field_name("return_type")
    doc_raw, attrs = _doc_and_attrs(node, src)
    attrs = [*attrs, *extra]
    sym = declared(
        node, src, language="rust", path=path, prefix=prefix, name=name, kind=kind, body=body, public=public,
        params=_params(node.child_by_field_name("parameters"), src),
        returns=one_line(text_of(ret, src)) if ret is not None else None, decorators=attrs,
        returns_value=ret is not None and text_of(ret, src).strip() != "()", stub=body is None,
        doc_raw=doc_raw, doc=parse_rustdoc(doc_raw) if doc_raw else ParsedDoc(),
    )
    result.symbols.append(finish_symbol(sym, text_of(body, src), False))


def _item(node: Node, src: bytes, path: str, prefix: str, kind: str, public: bool, result: FileResult) -> Symbol:
    body = node.child_by_field_name("body")
    doc_raw, attrs = _doc_and_attrs(node, src)
    sym = declared(
        node, src, language="rust", path=path, prefix=prefix, name=text_of(node.child_by_field_name("name"), src),
        kind=kind, body=body, public=public, decorators=attrs,
        doc_raw=doc_raw, doc=parse_rustdoc(doc_raw) if doc_raw else ParsedDoc(),
    )
    result.symbols.append(finish_symbol(sym, text_of(body, src), False))
    return sym
