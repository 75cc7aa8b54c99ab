"""DOC2xx: what a function gives back, against its Returns and Yields sections."""

from __future__ import annotations

from collections.abc import Iterator

from llmctl.analyzers.languages import LANGUAGES
from llmctl.analyzers.symbols import ParsedDoc, Symbol
from llmctl.core.check.rules import Finding, rule
from llmctl.core.check.rules.docstring import DocContext, is_constructor, is_property
from llmctl.core.check.rules.types import disagree, is_generator_annotation, nothing, yield_type

DOC201 = rule("DOC201", "warning", "documented return value, but the function returns nothing",
              "The doc comment has a Returns/@return section, but the function is annotated to return nothing, or "
              "(without an annotation) has no `return <value>`. A section that itself says None/void is fine. "
              "Stubs are exempt. pydoclint: DOC202.",
              "remove the Returns section, or return the value")
DOC202 = rule("DOC202", "warning", "returns a value that the doc comment does not mention",
              "The doc comment has sections but no Returns, while the function returns a value. Properties, "
              "constructors and generators (see DOC204) are exempt, and so are languages whose signatures state "
              "the return type and whose doc comments customarily do not repeat it (TypeScript, Go, Rust). With "
              "check.returns_for_none, a function annotated -> None needs a Returns section too. pydoclint: DOC201.",
              "add a Returns section")
DOC203 = rule("DOC203", "warning", "documented return type contradicts the annotation",
              "The Returns section names a type the return annotation does not (normalised as for DOC103). "
              "pydoclint: DOC203.",
              "make the documented return type agree with the annotation")
DOC204 = rule("DOC204", "warning", "generator without a Yields section",
              "The function yields, and its doc comment has sections but no Yields (or @yields). pydoclint: DOC402.",
              "add a Yields section")
DOC205 = rule("DOC205", "warning", "Yields section, but the function does not yield",
              "The doc comment documents yielded values, but the body has no yield and the return annotation is "
              "not a Generator/Iterator/Iterable. pydoclint: DOC403.",
              "remove the Yields section, or make it a Returns section")
DOC206 = rule("DOC206", "warning", "documented yield type contradicts the annotation",
              "The Yields section names another type than the annotation's element type (Iterator[int] yields int). "
              "pydoclint: DOC404.",
              "make the documented yield type agree with the annotation")

_VOIDISH = {"none", "void", "undefined", "never", "noreturn", "nothing", "()"}


def _says_nothing(item) -> bool:
    """A Returns section whose type is "nothing" (``@returns {void}``, ``Returns: None``) documents no value."""
    return (item.type or "").strip().strip("{}`.").lower() in _VOIDISH


def check_returns(sym: Symbol, doc: ParsedDoc, ctx: DocContext) -> Iterator[Finding]:
    """DOC201-DOC206 for one documented callable."""
    if sym.stub or is_constructor(sym):
        return
    cfg = ctx.cfg
    generator = sym.yields or is_generator_annotation(sym.returns)
    annotated_nothing = nothing(sym.returns)
    # Annotated -> None, a `return other()` hands on a call's None (rich's `print` returns `console.print(...)`).
    returns_value = (bool(sym.returns_value) and not annotated_nothing) or (
        sym.returns is not None and not annotated_nothing and not generator)
    if doc.returns is not None and not _says_nothing(doc.returns) and not generator and (
            annotated_nothing or (sym.returns is None and sym.returns_value is False)):
        yield DOC201.at(sym, f"doc comment documents a return value, but `{sym.name}` returns nothing",
                        "remove the Returns section, or return the value")
    wants = returns_value or (cfg.returns_for_none and sym.returns is not None and annotated_nothing
                              and sym.returns.rsplit(".", 1)[-1] == "None")
    if (doc.returns is None and wants and not LANGUAGES[sym.language].return_doc_optional
            and not is_property(sym) and not (generator and not sym.returns_value)):
        yield DOC202.at(sym, f"`{sym.name}` returns a value that the doc comment does not describe",
                        "add a Returns section")
    if (doc.returns is not None and doc.returns.type and sym.returns and not sym.yields and not annotated_nothing
            and disagree(doc.returns.type, sym.returns, cfg.type_match)):
        yield DOC203.at(sym, f"Returns says `{doc.returns.type}`, the annotation `{sym.returns}`")
    elif cfg.type_presence and not sym.yields and sym.language == "python":
        typed_doc = doc.returns is not None and bool(doc.returns.type)
        if bool(sym.returns) != typed_doc:
            where = "annotated but has no documented type" if sym.returns else "documents a type but is not annotated"
            yield DOC203.at(sym, f"the return value of `{sym.name}` {where}")
    yield from _yields(sym, doc, ctx, generator)


def _yields(sym: Symbol, doc: ParsedDoc, ctx: DocContext, generator: bool) -> Iterator[Finding]:
    if sym.yields and doc.yields is None and not is_property(sym):
        yield DOC204.at(sym, f"`{sym.name}` yields, but its doc comment has no Yields section")
    if doc.yields is not None and not generator:
        yield DOC205.at(sym, f"doc comment documents yielded values, but `{sym.name}` does not yield")
    element = yield_type(sym.returns) if sym.returns else None
    documented = doc.yields.type if doc.yields is not None else None
    # A Yields section may give the generator's type, as many write it (rich: "Iterable[List[Segment]]" for a
    # generator of lists): then its element type is compared (not in "strict", pydoclint's reading).
    lenient = ctx.cfg.type_match != "strict"
    if documented and element and disagree(documented, element, ctx.cfg.type_match) and not (
            lenient and not disagree(yield_type(documented) or documented, element, ctx.cfg.type_match)):
        yield DOC206.at(sym, f"Yields says `{documented}`, the annotation yields `{element}`")
    elif ctx.cfg.type_presence and sym.yields and sym.language == "python" and bool(documented) != bool(sym.returns):
        where = "annotated but its Yields section gives no type" if sym.returns else \
            "documents a yield type but is not annotated"
        yield DOC206.at(sym, f"`{sym.name}` {where}")
