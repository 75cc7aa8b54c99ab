"""DOC5xx and DOC6xx: a class's docstring, its ``__init__``'s, and its attributes (Python).

Where a class documents its ``__init__`` arguments is a policy
(``check.init_docstring``): ``"class"`` (pydoclint's default) checks the
class docstring against ``__init__``'s signature and flags a docstring on
``__init__`` itself; ``"init"`` the other way round; ``"either"`` takes
whichever documents arguments. The Attributes section is compared with the
class-level attributes (``x: int = 0``), private and dunder names aside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from llmctl.analyzers.symbols import CLASS, DocItem, ParsedDoc, Symbol
from llmctl.core.check.rules import Finding, rule
from llmctl.core.check.rules.docstring import DocContext
from llmctl.core.check.rules.types import disagree
from llmctl.core.docs.inherit import supertypes

DOC501 = rule("DOC501", "info", "__init__ has a docstring of its own",
              "With check.init_docstring = \"class\" (pydoclint's default), a class documents its constructor "
              "arguments in the class docstring; a docstring on __init__ is not checked. pydoclint: DOC301.",
              "move __init__'s docstring into the class docstring, or set check.init_docstring")
DOC502 = rule("DOC502", "warning", "class docstring has a Returns section",
              "__init__ returns nothing; a class docstring has no business with Returns. pydoclint: DOC302.",
              "remove the Returns section")
DOC503 = rule("DOC503", "warning", "__init__ docstring has a Returns section",
              "__init__ returns nothing. pydoclint: DOC303.",
              "remove the Returns section")
DOC504 = rule("DOC504", "info", "class docstring documents arguments, but __init__'s should",
              "With check.init_docstring = \"init\", constructor arguments belong in __init__'s docstring. "
              "pydoclint: DOC304.",
              "move the arguments into __init__'s docstring")
DOC505 = rule("DOC505", "info", "class docstring has a Raises section, but __init__'s should",
              "With check.init_docstring = \"init\", what the constructor raises belongs in __init__'s docstring. "
              "pydoclint: DOC305.",
              "move the Raises section into __init__'s docstring")
DOC506 = rule("DOC506", "warning", "class docstring has a Yields section",
              "__init__ cannot yield. pydoclint: DOC306.",
              "remove the Yields section")
DOC507 = rule("DOC507", "warning", "__init__ docstring has a Yields section",
              "__init__ cannot yield. pydoclint: DOC307.",
              "remove the Yields section")
DOC601 = rule("DOC601", "warning", "documented attribute not in the class",
              "The Attributes section names an attribute the class does not define: not in its body, its "
              "__slots__ or its members, not set on self by its methods, not in a base class (a base outside the "
              "project and Python gets the benefit of the doubt). pydoclint: DOC602, DOC603.",
              "rename or remove the entry")
DOC602 = rule("DOC602", "info", "class attribute missing from the Attributes section",
              "The class docstring has sections, and the class body defines a public attribute it does not list "
              "and that has no doc of its own (a `#:` comment above it or a string after it, as Sphinx reads "
              "them) (check.class_attributes). pydoclint: DOC601, DOC603.",
              "list the attribute in an Attributes section")
DOC604 = rule("DOC604", "warning", "attributes documented in another order than defined",
              "pydoclint: DOC604.",
              "list the attributes in the order the class defines them")
DOC605 = rule("DOC605", "warning", "documented attribute type contradicts the annotation",
              "pydoclint: DOC605.",
              "make the documented type agree with the annotation")


def _init_of(cls: Symbol, ctx: DocContext) -> Symbol | None:
    return next((m for m in ctx.members.get(cls.id, []) if m.name == "__init__" and m.kind == "method"), None)


def governing_doc(sym: Symbol, ctx: DocContext) -> ParsedDoc | None:
    """The doc comment the rules hold a callable to: its own, or for ``__init__`` the class's (by policy)."""
    if sym.name != "__init__" or sym.language != "python":
        return sym.doc if sym.documented else None
    cls = ctx.by_id.get(sym.parent or "")
    policy = ctx.cfg.init_docstring
    class_doc = cls.doc if cls is not None and cls.documented else None
    if policy == "class" or (policy == "either" and not sym.doc.params and class_doc and class_doc.params):
        if class_doc is None:
            return None
        if not class_doc.has_sections:
            return None  # a class docstring of a sentence promises nothing about arguments
        # The class's arguments and raises speak for __init__; its attributes only keep the merged doc
        # counted as "has sections" (a class docstring with, say, only Yields still promises arguments).
        return ParsedDoc(summary=class_doc.summary, params=class_doc.params, raises=class_doc.raises,
                         style=class_doc.style, attributes=class_doc.attributes or [DocItem("__class__")])
    return sym.doc if sym.documented else None


def check_class(cls: Symbol, ctx: DocContext) -> Iterator[Finding]:
    """DOC5xx and DOC6xx for one Python class."""
    if cls.kind != CLASS or cls.language != "python":
        return
    init = _init_of(cls, ctx)
    policy = ctx.cfg.init_docstring
    doc = cls.doc if cls.documented else None
    if init is not None and init.documented:
        if policy == "class":
            yield DOC501.at(init, f"`{cls.name}.__init__` has a docstring; document the constructor in the class")
        if init.doc.returns is not None:
            yield DOC503.at(init, f"`{cls.name}.__init__`'s docstring has a Returns section")
        if init.doc.yields is not None:
            yield DOC507.at(init, f"`{cls.name}.__init__`'s docstring has a Yields section")
    if doc is None:
        return
    if doc.returns is not None:
        yield DOC502.at(cls, f"the docstring of class `{cls.name}` has a Returns section")
    if doc.yields is not None:
        yield DOC506.at(cls, f"the docstring of class `{cls.name}` has a Yields section")
    if policy == "init" and init is not None:
        if doc.params:
            yield DOC504.at(cls, f"the docstring of class `{cls.name}` documents constructor arguments")
        if doc.raises:
            yield DOC505.at(cls, f"the docstring of class `{cls.name}` has a Raises section")
    if ctx.cfg.class_attributes and (doc.has_sections or doc.attributes):
        yield from _attributes(cls, doc, ctx)


_OUTSIDE = ("builtins", "typing", "enum", "abc", "collections.abc")


def _outside_type(name: str) -> type | None:
    """A base class outside the project that Python itself defines (``Exception``, ``Enum``, ``Generic``)."""
    import importlib

    for module in _OUTSIDE:
        found = getattr(importlib.import_module(module), name, None)
        if isinstance(found, type) or (module == "typing" and found is not None):
            return found
    return None


def _defines(cls: Symbol, name: str, ctx: DocContext, depth: int = 0) -> bool:
    """True when ``cls`` may define attribute ``name``: in its body (``x: int``, ``__slots__``), as a member
    (a property, a method), on ``self`` in a method, or in a base class; a base that is neither the project's
    nor Python's own gets the benefit of the doubt.

    Why: DOC601 flagged all 20 of pydantic's and rich's documented attributes that are set in
    ``__init__`` (``self.message = message``), lists in ``__slots__``, defines as a property
    (``Segment.cell_length``) or inherits (``PydanticImportError.message``).
    """
    if name in {a.name for a in cls.attributes} or name in cls.instance_attributes:
        return True
    if any(m.name == name for m in ctx.members.get(cls.id, [])):
        return True
    slots = next((a.default for a in cls.attributes if a.name == "__slots__"), None) or ""
    if re.search(rf"""['"]{re.escape(name)}['"]""", slots):
        return True
    for base in supertypes(cls):
        found = [t for t in ctx.types(base) if t.id != cls.id]
        found = [t for t in found if t.path == cls.path] or found
        if len(found) == 1 and depth < 5:
            if _defines(found[0], name, ctx, depth + 1):
                return True
            continue
        outside = None if found else _outside_type(base)
        if outside is None or (isinstance(outside, type) and hasattr(outside, name)):
            return True  # unknown to the project (or several of that name): cannot tell
    return False


def _attributes(cls: Symbol, doc: ParsedDoc, ctx: DocContext) -> Iterator[Finding]:
    defined = [a for a in cls.attributes if not a.name.startswith("_")]
    names = [a.name for a in defined]
    documented = [d for d in doc.attributes if d.name]
    doc_names = [d.name for d in documented]
    for d in documented:
        if d.name not in names and not d.name.startswith("_") and not _defines(cls, d.name, ctx):
            yield DOC601.at(cls, f"Attributes lists `{d.name}`, which class `{cls.name}` does not define")
    for a in defined:
        if a.name not in doc_names and not a.doc:  # documented where it stands (`#:`, a string after it)
            yield DOC602.at(cls, f"class attribute `{a.name}` is not in the Attributes section")
    by_name = {a.name: a for a in defined}
    for d in documented:
        a = by_name.get(d.name)
        if a is not None and a.annotation and d.type and disagree(d.type, a.annotation, ctx.cfg.type_match):
            yield DOC605.at(cls, f"attribute `{d.name}` is documented as `{d.type}` but annotated `{a.annotation}`")
    shared = [n for n in doc_names if n in by_name]
    if set(doc_names) == set(names) and len(doc_names) == len(names) and shared != [n for n in names if n in shared]:
        yield DOC604.at(cls, f"attributes are documented as ({', '.join(doc_names)}) but defined as ({', '.join(names)})")
