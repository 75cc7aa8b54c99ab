"""What a JavaScript/TypeScript file exports: ESM ``export`` statements and re-exports, and CommonJS.

ESM: ``export … from`` and local ``export {a, b as c}`` lists (:func:`module_exports`). CommonJS
(:func:`commonjs`): what ``module.exports``/``exports.x`` reaches, the names ``module.exports`` goes by
(``var app = exports = module.exports = {}``), and whole modules re-exported as namespaces
(``exports.application = require('./application')``). ``core/api/javascript.py`` follows them from a
package's entry points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmctl.analyzers.base import text_of
from llmctl.analyzers.symbols import ImportRef, Symbol

if TYPE_CHECKING:
    from tree_sitter import Node


def specifier(node: Node | None, src: bytes) -> str:
    return text_of(node, src).strip("'\"`") if node is not None else ""


def module_exports(root: Node, src: bytes, mod: Symbol, symbols: list[Symbol]) -> None:
    """Record re-exports (``export … from``, ``module.exports = require(…)``) and local export lists.

    Names a local ``export {a, b as c}`` or ``export default a`` lists are marked exported
    (their declarations carry no ``export`` keyword) and kept in ``all_names``.
    """
    local: list[str] = []
    imported = _imported(root, src)
    for stmt in root.named_children:
        if stmt.type == "export_statement":
            source = specifier(stmt.child_by_field_name("source"), src)
            clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
            if source and clause is None:
                ns = next((c for c in stmt.named_children if c.type == "namespace_export"), None)
                mod.imports.append(ImportRef(source, "" if ns else "*", text_of(ns, src).split()[-1] if ns else "", True))
            elif clause is not None:
                for spec in clause.named_children:
                    name = text_of(spec.child_by_field_name("name"), src)
                    alias = text_of(spec.child_by_field_name("alias"), src)
                    if source:
                        mod.imports.append(ImportRef(source, name, alias, True))
                    elif name in imported:  # `import {Command} from './lib/command.js'; export {Command}`
                        module, theirs = imported[name]
                        public = alias or name
                        mod.imports.append(ImportRef(module, theirs, public if public != theirs else "", True))
                    else:
                        local.append(name)
            elif stmt.child_by_field_name("value") is not None and stmt.child_by_field_name("value").type == "identifier":
                local.append(text_of(stmt.child_by_field_name("value"), src))
        elif stmt.type == "expression_statement" and stmt.named_child_count == 1:
            required = _module_exports_require(stmt.named_children[0], src)
            if required:
                mod.imports.append(ImportRef(required, "*", "", True))
    if local:
        mod.all_names = local
        names = set(local)
        for s in symbols:
            if s.parent == mod.id and s.name in names:
                s.exported, s.visibility = True, "public"


def _imported(root: Node, src: bytes) -> dict[str, tuple[str, str]]:
    """Local name -> (module, the name it has there; "" for a whole module) of the file's ESM imports.

    Why: commander's ``index.js`` imports ``Command`` from ``./lib/command.js`` and exports it in a local
    list, ``export { Command, Option }``; its API page listed three helper functions and none of its classes.
    A default import is left out (what a module exports as default is not followed).
    """
    out: dict[str, tuple[str, str]] = {}
    for stmt in root.named_children:
        if stmt.type != "import_statement":
            continue
        module = specifier(stmt.child_by_field_name("source"), src)
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        for part in clause.named_children if clause is not None and module else []:
            if part.type == "namespace_import":
                out[text_of(part, src).split()[-1]] = (module, "")
            elif part.type == "named_imports":
                for spec in part.named_children:
                    name = text_of(spec.child_by_field_name("name"), src)
                    alias = text_of(spec.child_by_field_name("alias"), src)
                    out[alias or name] = (module, name)
    return out


def assignment_chain(expr: Node | None, src: bytes) -> tuple[list[str], Node | None]:
    """``a = b = value`` -> (["a", "b"], the value's node): the targets, outermost first, and what is assigned."""
    targets = []
    while expr is not None and expr.type == "assignment_expression":
        targets.append(text_of(expr.child_by_field_name("left"), src))
        expr = expr.child_by_field_name("right")
    return targets, expr


def required_module(expr: Node | None, src: bytes) -> str | None:
    """``require('./x')`` -> ``./x``; None for any other expression."""
    if expr is None or expr.type != "call_expression" or text_of(expr.child_by_field_name("function"), src) != "require":
        return None
    args = expr.child_by_field_name("arguments")
    return specifier(args.named_children[0], src) if args is not None and args.named_child_count else None


def _module_exports_require(expr: Node, src: bytes) -> str:
    """``module.exports = require('./x')`` (through ``exports = module.exports = …`` chains) -> ``./x``."""
    targets, value = assignment_chain(expr, src)
    return (required_module(value, src) or "") if targets and targets[-1] == "module.exports" else ""


class CommonJS:
    """What a CommonJS file exports: ``aliases``, the names ``module.exports`` goes by (``var app = exports =
    module.exports = {}``, ``module.exports = res``), whose members it exports; ``named``, the local names it
    exports (``module.exports = createApplication``, ``exports.Router = Router``, ``module.exports = {a, b}``);
    ``namespaces``, public name -> module it re-exports whole (``exports.application = proto`` after ``var
    proto = require('./application')``)."""

    def __init__(self):
        self.aliases: set[str] = set()
        self.named: set[str] = set()
        self.namespaces: dict[str, str] = {}


def commonjs(root: Node, src: bytes) -> CommonJS | None:
    """The exports of a file that assigns ``module.exports``/``exports``; None when it assigns neither."""
    out, found, required = CommonJS(), False, {}
    for stmt in root.named_children:
        exprs: list[tuple[str, Node]] = []
        if stmt.type == "expression_statement" and stmt.named_child_count == 1:
            exprs = [("", stmt.named_children[0])]
        elif stmt.type in ("lexical_declaration", "variable_declaration"):
            exprs = [(text_of(d.child_by_field_name("name"), src), d.child_by_field_name("value"))
                     for d in stmt.named_children if d.type == "variable_declarator"]
        for var, expr in exprs:
            targets, expr = assignment_chain(expr, src)
            if expr is None:
                continue
            value = text_of(expr, src)
            module = required_module(expr, src) if var else None
            if module is not None:
                required[var] = module
            for target in targets:
                if target in ("module.exports", "exports"):
                    found = True
                    out.aliases |= {var} - {""}
                    if expr.type == "identifier":
                        out.aliases.add(value)
                        out.named.add(value)
                    elif expr.type == "object":
                        out.named |= {text_of(c, src) if c.type == "shorthand_property_identifier"
                                      else text_of(c.child_by_field_name("value"), src)
                                      for c in expr.named_children if c.type in ("shorthand_property_identifier", "pair")}
                elif target.startswith(("module.exports.", "exports.")):
                    found = True
                    name = target.rsplit(".", 1)[-1]
                    if expr.type == "identifier" and value in required:
                        out.namespaces[name] = required[value]
                    elif expr.type == "identifier":
                        out.named.add(value)
    return out if found else None
