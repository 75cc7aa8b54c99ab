"""Go analyzer (tree-sitter-go): functions, methods, structs, interfaces, named types.

Go scopes names by package (a directory), so symbol ids are
``<package dir dotted>.<Name>`` (``<Type>.<Method>`` for methods); the file
itself is a module symbol whose id is its path. Exported means capitalised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tree_sitter_go
from tree_sitter import Language, Parser

from llmctl.analyzers.base import FileResult, finish_symbol, head_text, module_symbol, one_line, text_of, value_text
from llmctl.analyzers.doccomments import parse_go_doc
from llmctl.analyzers.symbols import (
    FUNCTION, INTERFACE, METHOD, POSITIONAL_ONLY, RECEIVER, STRUCT, TYPE, VAR_POSITIONAL, Param,
    ParsedDoc, Symbol,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_PARSER = Parser(Language(tree_sitter_go.language()))


def analyze(src: bytes, path: str) -> FileResult:
    """Extract the symbols of one Go file."""
    root = _PARSER.parse(src).root_node
    result = FileResult(has_errors=root.has_error)
    package = None
    for c in root.named_children:
        if c.type == "package_clause":
            package = c
            break
    pkg_name = text_of(package.named_children[0], src) if package is not None and package.named_child_count else "main"
    directory = path.rsplit("/", 1)[0] if "/" in path else ""
    prefix = directory.replace("/", ".").replace("-", "_") if directory else pkg_name
    doc_raw = _doc_before(package, src) if package is not None else None
    mod = module_symbol(path, "go", src, root, doc_raw, parse_go_doc(doc_raw) if doc_raw else ParsedDoc(), False)
    mod.id = path
    mod.signature = f"package {pkg_name}"  # `package main` is a command: nothing to import (core/api/go.py)
    result.symbols.append(mod)
    for child in root.named_children:
        if child.type == "function_declaration":
            _function(child, child, src, path, prefix, None, result)
        elif child.type == "method_declaration":
            recv = child.child_by_field_name("receiver")
            _function(child, child, src, path, prefix, _receiver_type(recv, src), result)
        elif child.type == "type_declaration":
            for spec in child.named_children:
                if spec.type in ("type_spec", "type_alias"):
                    outer = child if child.named_child_count == 1 else spec
                    _type(spec, outer, src, path, prefix, result)
        elif child.type in ("var_declaration", "const_declaration"):
            _values(child, src, mod)
    return result


def _values(decl: Node, src: bytes, mod: Symbol) -> None:
    """Exported ``var``/``const`` names, on the file's symbol (``variables``), with their doc comment: the
    spec's own, else the declaration's (cobra's "Annotations for Bash completion." over a ``const (…)`` group).
    Why: godoc lists them (urfave/cli's ``HelpFlag``, gin's ``DebugMode``),
    and the reference had none. core/api/go.py documents them as facts."""
    keyword = "const" if decl.type == "const_declaration" else "var"
    specs = [c for c in decl.named_children if c.type in ("var_spec", "const_spec")]
    for spec in specs:
        names = [text_of(n, src) for n in spec.children_by_field_name("name")]
        typ = spec.child_by_field_name("type")
        value = spec.child_by_field_name("value")
        doc = _doc_before(spec, src) or _doc_before(decl, src)  # a group's doc speaks for each of its names
        for name in names:
            if not _exported(name):
                continue
            mod.variables.append(Param(
                name=name, kind=keyword, annotation=one_line(text_of(typ, src)) if typ is not None else None,
                default=value_text(value, src), doc=doc, line=spec.start_point[0] + 1))


def _doc_before(node: Node, src: bytes) -> str | None:
    lines: list[str] = []
    expect_row = node.start_point[0] - 1
    prev = node.prev_named_sibling
    while prev is not None and prev.type == "comment" and prev.end_point[0] == expect_row:
        raw = text_of(prev, src)
        if raw.startswith("//"):
            lines.insert(0, raw[3:] if raw.startswith("// ") else raw[2:])
        else:
            lines.insert(0, raw[2:-2].strip())
        expect_row = prev.start_point[0] - 1
        prev = prev.prev_named_sibling
    text = "\n".join(lines).strip()
    return text or None


def _receiver_type(recv: Node | None, src: bytes) -> str:
    text = one_line(text_of(recv, src)).strip("()")
    typ = text.split()[-1] if text else ""
    typ = typ.lstrip("*")
    return typ.split("[", 1)[0]


def _exported(name: str) -> bool:
    return name[:1].isupper()


def _params(node: Node | None, src: bytes, kind: str = POSITIONAL_ONLY) -> list[Param]:
    out: list[Param] = []
    if node is None:
        return out
    for p in node.named_children:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        type_node = p.child_by_field_name("type")
        annotation = one_line(text_of(type_node, src)) if type_node is not None else None
        this_kind = kind
        if p.type == "variadic_parameter_declaration":
            this_kind = VAR_POSITIONAL
            annotation = f"...{annotation}"
        names = [c for c in p.children_by_field_name("name")]
        for n in names or [None]:
            out.append(Param(name=text_of(n, src) if n is not None else "_", kind=this_kind, annotation=annotation))
    return out


def _function(node: Node, outer: Node, src: bytes, path: str, prefix: str, recv_type: str | None,
              result: FileResult) -> None:
    name = text_of(node.child_by_field_name("name"), src)
    body = node.child_by_field_name("body")
    result_node = node.child_by_field_name("result")
    head_end = body.start_byte if body is not None else node.end_byte
    params = _params(node.child_by_field_name("receiver"), src, RECEIVER) if recv_type is not None else []
    params += _params(node.child_by_field_name("parameters"), src)
    parent = f"{prefix}.{recv_type}" if recv_type else prefix
    doc_raw = _doc_before(outer, src)
    exported = _exported(name) and (recv_type is None or _exported(recv_type))
    sym = Symbol(
        id=f"{parent}.{name}", name=name, kind=METHOD if recv_type else FUNCTION, language="go", path=path,
        line=node.start_point[0] + 1, end_line=node.end_point[0] + 1, parent=parent,
        signature=head_text(node, src, node.start_byte, head_end), params=params,
        returns=one_line(text_of(result_node, src)) if result_node is not None else None,
        returns_value=result_node is not None, stub=body is None,
        visibility="public" if exported else "private", exported=exported,
        doc_raw=doc_raw, doc=parse_go_doc(doc_raw) if doc_raw else ParsedDoc(),
    )
    result.symbols.append(finish_symbol(sym, text_of(body, src), False))


def _type(spec: Node, outer: Node, src: bytes, path: str, prefix: str, result: FileResult) -> None:
    name = text_of(spec.child_by_field_name("name"), src)
    type_node = spec.child_by_field_name("type")
    kind = {"struct_type": STRUCT, "interface_type": INTERFACE}.get(type_node.type if type_node else "", TYPE)
    doc_raw = _doc_before(outer, src)
    sym = Symbol(
        id=f"{prefix}.{name}", name=name, kind=kind, language="go", path=path,
        line=spec.start_point[0] + 1, end_line=spec.end_point[0] + 1, parent=prefix,
        signature="type " + one_line(text_of(spec, src)).split("{", 1)[0].strip(),
        visibility="public" if _exported(name) else "private", exported=_exported(name),
        doc_raw=doc_raw, doc=parse_go_doc(doc_raw) if doc_raw else ParsedDoc(),
    )
    result.symbols.append(finish_symbol(sym, text_of(type_node, src), False))
    if kind == INTERFACE and type_node is not None:
        for m in type_node.named_children:
            if m.type in ("method_elem", "method_spec"):
                _interface_method(m, src, path, sym, result)


def _interface_method(m: Node, src: bytes, path: str, iface: Symbol, result: FileResult) -> None:
    name = text_of(m.child_by_field_name("name"), src)
    res = m.child_by_field_name("result")
    doc_raw = _doc_before(m, src)
    sym = Symbol(
        id=f"{iface.id}.{name}", name=name, kind=METHOD, language="go", path=path,
        line=m.start_point[0] + 1, end_line=m.end_point[0] + 1, parent=iface.id,
        signature=one_line(text_of(m, src)), params=_params(m.child_by_field_name("parameters"), src),
        returns=one_line(text_of(res, src)) if res is not None else None,
        visibility=iface.visibility, exported=iface.exported and _exported(name),
        doc_raw=doc_raw, doc=parse_go_doc(doc_raw) if doc_raw else ParsedDoc(),
    )
    result.symbols.append(finish_symbol(sym, "", False))
