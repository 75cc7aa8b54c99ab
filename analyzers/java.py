"""Java analyzer (tree-sitter-java): classes, interfaces, enums, records, methods.

Ids follow Java's own names: ``<package>.<Class>.<method>`` (nested classes
extend the path); the file is a module symbol whose id is its path. Public
means ``public`` or ``protected`` (what Javadoc publishes), and every member
of an interface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tree_sitter_java
from tree_sitter import Language, Parser, Query, QueryCursor

from llmctl.analyzers.base import FileResult, declared, finish_symbol, module_symbol, one_line, text_of, value_text
from llmctl.analyzers.doccomments import clean_block_comment, parse_block_tags
from llmctl.analyzers.symbols import (
    CLASS, ENUM, INTERFACE, METHOD, POSITIONAL_ONLY, RECEIVER, VAR_POSITIONAL, Param, ParsedDoc,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_PARSER = Parser(Language(tree_sitter_java.language()))
class _Throws:
    """Throw statements under a node (a lambda's or local class's count too: rare, harmless), and the calls,
    constructions and casts, whose exceptions a Javadoc ``@throws`` customarily lists too."""

    def __init__(self) -> None:
        self.query = Query(_PARSER.language, "(throw_statement) @t (method_invocation) @c "
                                             "(object_creation_expression) @c (cast_expression) @c")

    def captures(self, node: Node) -> dict:
        return QueryCursor(self.query).captures(node)


_THROWS = _Throws()


def _thrown(node: Node, src: bytes) -> str:
    value = node.named_children[0] if node.named_child_count else None
    if value is not None and value.type == "object_creation_expression":
        value = value.child_by_field_name("type") or value
    return one_line(text_of(value, src)).rsplit(".", 1)[-1] if value is not None else "*"


_TYPES = {
    "class_declaration": CLASS, "interface_declaration": INTERFACE, "enum_declaration": ENUM,
    "record_declaration": CLASS, "annotation_type_declaration": INTERFACE,
}


def analyze(src: bytes, path: str) -> FileResult:
    """Extract the symbols of one Java file."""
    root = _PARSER.parse(src).root_node
    result = FileResult(has_errors=root.has_error)
    package = ""
    for c in root.named_children:
        if c.type == "package_declaration":
            package = one_line(text_of(c, src)).removeprefix("package").rstrip(";").strip()
            break
    mod = module_symbol(path, "java", src, root, None, ParsedDoc(), False)
    mod.id = path
    result.symbols.append(mod)
    _walk(root, src, path, package, True, False, result)
    return result


def _doc(node: Node, src: bytes) -> tuple[str | None, ParsedDoc]:
    prev = node.prev_named_sibling
    if prev is not None and prev.type == "block_comment":
        raw = text_of(prev, src)
        if raw.startswith("/**"):
            text = clean_block_comment(raw)
            return text, parse_block_tags(text, "javadoc")
    return None, ParsedDoc()


def _modifiers(node: Node, src: bytes) -> tuple[set[str], list[str]]:
    words: set[str] = set()
    annotations: list[str] = []
    for c in node.children:
        if c.type == "modifiers":
            for m in c.children:
                if m.type in ("marker_annotation", "annotation"):
                    annotations.append(one_line(text_of(m, src))[1:])
                else:
                    words.add(text_of(m, src))
    return words, annotations


def _public(words: set[str], in_interface: bool) -> bool:
    if "private" in words:
        return False
    return in_interface or bool(words & {"public", "protected"})


def _walk(block: Node, src: bytes, path: str, prefix: str, public_scope: bool, in_interface: bool,
          result: FileResult) -> None:
    for child in block.named_children:
        t = child.type
        if t in _TYPES:
            _type(child, src, path, prefix, public_scope, in_interface, result)
        elif t in ("method_declaration", "constructor_declaration", "compact_constructor_declaration"):
            _method(child, src, path, prefix, public_scope, in_interface, result)
        elif t == "enum_body_declarations":
            _walk(child, src, path, prefix, public_scope, in_interface, result)
        elif t in ("field_declaration", "constant_declaration") and public_scope:
            _field(child, src, prefix, in_interface, result)


def _type(node: Node, src: bytes, path: str, prefix: str, public_scope: bool, in_interface: bool,
          result: FileResult) -> None:
    body = node.child_by_field_name("body")
    words, annotations = _modifiers(node, src)
    public = public_scope and _public(words, in_interface)
    kind = _TYPES[node.type]
    doc_raw, doc = _doc(node, src)
    sym = declared(
        node, src, language="java", path=path, prefix=prefix, name=text_of(node.child_by_field_name("name"), src),
        kind=kind, body=body, public=public,
        params=_params(node.child_by_field_name("parameters"), src) if node.type == "record_declaration" else [],
        decorators=annotations, doc_raw=doc_raw, doc=doc,
    )
    result.symbols.append(finish_symbol(sym, text_of(body, src), False))
    if body is not None:
        _walk(body, src, path, sym.id, public, kind == INTERFACE, result)


def _field(node: Node, src: bytes, owner_id: str, in_interface: bool, result: FileResult) -> None:
    """A public field (``public static final TypeName INT``, ``public final String name``) on its type's symbol
    (``variables``): kind holds its modifiers, annotation its type, default its value.

    Why: javapoet's ``TypeName.INT`` and ``TypeSpec.name`` are what its users read, and the reference had no
    section for a field; Javadoc opens a class with its Field Summary. core/api documents them as facts.
    """
    words, _ = _modifiers(node, src)
    if not _public(words, in_interface):
        return
    owner = next((s for s in reversed(result.symbols) if s.id == owner_id), None)
    typ = node.child_by_field_name("type")
    doc_raw, _ = _doc(node, src)
    shown = [w for w in ("public", "protected", "static", "final") if w in words] or (["public", "static", "final"]
                                                                                      if in_interface else [])
    for decl in node.children_by_field_name("declarator"):
        value = decl.child_by_field_name("value")
        if owner is not None:
            owner.variables.append(Param(
                name=text_of(decl.child_by_field_name("name"), src), kind=" ".join(shown),
                annotation=one_line(text_of(typ, src)) if typ is not None else None,
                default=value_text(value, src), doc=doc_raw, line=decl.start_point[0] + 1))


def _params(node: Node | None, src: bytes) -> list[Param]:
    out: list[Param] = []
    if node is None:
        return out
    for p in node.named_children:
        if p.type == "formal_parameter":
            type_node = p.child_by_field_name("type")
            out.append(Param(name=text_of(p.child_by_field_name("name"), src), kind=POSITIONAL_ONLY,
                             annotation=one_line(text_of(type_node, src)) if type_node is not None else None))
        elif p.type == "spread_parameter":
            typ = next((c for c in p.named_children if c.type not in ("modifiers", "variable_declarator")), None)
            decl = next((c for c in p.named_children if c.type == "variable_declarator"), None)
            name = text_of(decl.child_by_field_name("name"), src) if decl is not None else "args"
            out.append(Param(name=name, kind=VAR_POSITIONAL,
                             annotation=(one_line(text_of(typ, src)) + "...") if typ is not None else None))
        elif p.type == "receiver_parameter":
            out.append(Param(name="this", kind=RECEIVER, annotation=one_line(text_of(p, src))))
    return out


def _method(node: Node, src: bytes, path: str, prefix: str, public_scope: bool, in_interface: bool,
            result: FileResult) -> None:
    body = node.child_by_field_name("body")
    type_node = node.child_by_field_name("type")
    words, annotations = _modifiers(node, src)
    doc_raw, doc = _doc(node, src)
    declared_throws = [one_line(text_of(c, src)).rsplit(".", 1)[-1]
                       for t in node.children if t.type == "throws" for c in t.named_children]
    caps = _THROWS.captures(body) if body is not None else {}
    thrown = [_thrown(n, src) for n in caps.get("t", [])]
    sym = declared(
        node, src, language="java", path=path, prefix=prefix, name=text_of(node.child_by_field_name("name"), src),
        kind=METHOD, body=body, public=public_scope and _public(words, in_interface),
        params=_params(node.child_by_field_name("parameters"), src),
        returns=one_line(text_of(type_node, src)) if type_node is not None else None,
        decorators=annotations, doc_raw=doc_raw, doc=doc,
        returns_value=type_node is not None and text_of(type_node, src) != "void",
        raised=declared_throws + thrown, stub=body is None, calls=bool(caps.get("c")),
    )
    result.symbols.append(finish_symbol(sym, text_of(body, src), False))
