"""Rendering one section: facts from the symbol records, prose where the code has none, doc comments as Markdown."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from llmctl.analyzers.languages import lexer_for
from llmctl.analyzers.symbols import VARIABLE, Symbol
from llmctl.core.api import ApiPage, Entry, PublicApi, is_accessor, is_overload
from llmctl.core.docs.docmd import inline_markdown, to_markdown
from llmctl.core.docs.forward import display_name
from llmctl.core.docs.markers import wrap
from llmctl.core.docs.prose import SUMMARY, api_params, called_by, implemented_trait
from llmctl.core.docs.templates import Templates


def source_link(out_dir: Path, root: Path, path: str, line: int, source_url: str = "") -> str:
    """A link to ``path``'s line: absolute under ``docs.source_url``, else relative to the page."""
    if source_url:
        return f"{source_url.rstrip('/')}/{path}#L{line}"
    return os.path.relpath(root / path, out_dir).replace(os.sep, "/") + f"#L{line}"


def anchor(entry_id: str) -> str:
    """The HTML id of a section (links from other sections and pages point here)."""
    return entry_id.replace(" ", "-")


def linker(api: PublicApi, page: ApiPage) -> Callable[[str], str | None]:
    """``name -> URL of its section`` for names a doc comment mentions, resolved from ``page``'s point of view."""
    where = {e.id: p.name for p in api.pages.values() for e in p.entries}
    short: dict[str, list[str]] = {}
    for e in page.entries:
        short.setdefault(e.name, []).append(e.id)

    def link(name: str) -> str | None:
        name = name.strip().lstrip("~!").rstrip("()").replace("::", ".")
        for candidate in (name, api.public_id.get(name), f"{page.title}.{name}"):
            candidate = api.aliases.get(candidate, candidate) if candidate else candidate
            if candidate and candidate in where:
                return f"{where[candidate] if where[candidate] != page.name else ''}#{anchor(candidate)}"
        found = short.get(name.rsplit(".", 1)[-1], [])
        return f"#{anchor(found[0])}" if len(found) == 1 and "." not in name else None

    return link


def _signatures(entry: Entry) -> list[str]:
    """What a caller can write: ``@overload`` signatures (Python) or signature-only declarations
    (TypeScript) when there are any, else every distinct signature (Java overloads, getter and setter)."""
    group = entry.symbols
    marked = [s for s in group if is_overload(s)]
    if not marked and len(group) > 1 and group[0].language == "typescript":
        marked = [s for s in group if s.stub]
    return list(dict.fromkeys(s.signature for s in (marked or group) if s.signature)) or [entry.name]


def _part(sym: Symbol, prose: dict, fwd: dict, generate: str, link) -> tuple[dict, int]:
    """What a section says of one definition: summary, parameters, returns, raises; and its gaps."""
    gaps = 0
    if sym.doc.summary:
        text = to_markdown(sym.doc.description or sym.doc.summary, sym.language, sym.doc.style, link)
        summary = {"text": text or sym.doc.summary, "generated": False, "source": None}
    elif SUMMARY in fwd and fwd[SUMMARY].callee is None:  # it overrides a method outside the project
        summary = {"text": fwd[SUMMARY].text, "generated": False, "source": None}
    elif SUMMARY in fwd:  # the documented method it overrides (inherit.py)
        base = fwd[SUMMARY].callee
        text = to_markdown(base.doc.description or base.doc.summary, base.language, base.doc.style, link)
        summary = {"text": text or base.doc.summary, "generated": False,
                   "source": {"name": display_name(base), "link": link(base.id)}}
    elif fact := called_by(sym):
        summary = {"text": fact, "generated": False, "source": None}
    else:
        summary = {"text": prose.get((sym.id, "summary")), "generated": True, "source": None}
        gaps += summary["text"] is None and sym.kind != VARIABLE  # a variable is never asked (prose.needs)
    described = {p.name.lstrip("*"): inline_markdown(p.description, sym.language, link)
                 for p in sym.doc.params if p.description}
    types = {p.name.lstrip("*"): p.type for p in sym.doc.params if p.type}
    params = []
    for p in api_params(sym):
        source = None
        text = described.get(p.name)
        if text is None and p.name in fwd:
            f = fwd[p.name]
            text = inline_markdown(f.text, f.callee.language, link)
            source = {"name": display_name(f.callee), "link": link(f.callee.id)}
        text = text or prose.get((sym.id, f"param:{p.name}"))
        gaps += text is None and generate == "all"
        params.append({"name": p.name, "annotation": p.annotation or types.get(p.name), "default": p.default,
                       "text": text, "source": source,
                       "generated": p.name not in described and source is None and text is not None})
    ret_type = sym.returns or (sym.doc.returns.type if sym.doc.returns else None)
    ret_desc = inline_markdown(sym.doc.returns.description, sym.language, link) if sym.doc.returns else None
    returns = None
    if (ret_type and ret_type not in ("None", "void", "()")) or ret_desc:
        returns = {"type": ret_type, "description": ret_desc}
    raises = [{"type": r.type, "description": inline_markdown(r.description, sym.language, link)}
              for r in sym.doc.raises]
    return {"sym": sym, "summary": summary, "params": params, "returns": returns, "raises": raises}, gaps


def _kind(sym: Symbol) -> str:
    """The kind a section's heading names: a value is a Java field or a Go/JS constant where the code says so."""
    if sym.kind != VARIABLE:
        return sym.kind
    if sym.language == "java":
        return "field"
    return "constant" if sym.signature.startswith("const ") else "variable"


def _documented_apart(entry: Entry) -> list[Symbol]:
    """The overloads that get a part of their own: each documented one, when two or more say different things.

    Why: jsoup documents each of ``Jsoup.parse``'s 15 overloads; the section showed the last one's doc
    ("Fetch a URL, and parse it as HTML") for all of them, and 115 of its 1,049 sections were so.
    """
    documented = [s for s in entry.symbols if s.doc.summary and not is_overload(s) and not is_accessor(s)]
    return documented if len({s.doc_raw for s in documented}) > 1 else []


def render_entry(entry: Entry, page: ApiPage, prose: dict, fwd: dict, tpl: Templates, root: Path, out_dir: Path,
                 attrs: dict[str, str], generate: str, source_url: str, link) -> tuple[str, int]:
    """The marked section of ``entry`` and the number of gaps (prose wanted but missing) in it.

    ``fwd``: parameter -> ``forward.Forwarded``, the description of the callee it is passed to or of
    the method it overrides; ``SUMMARY`` -> the overridden method, whose doc comment it inherits.
    Overloads that are documented apart each get a part of their own (``overloads`` in the template),
    from their own doc comments; the undocumented ones go with the one that speaks for the entry.
    """
    sym: Symbol = entry.symbol
    part, gaps = _part(sym, prose, fwd, generate, link)
    traits = list(dict.fromkeys(implemented_trait(s) for s in entry.symbols))
    if len(traits) > 1 and all(traits) and part["summary"]["text"] == called_by(sym):
        # semver's `Version::fmt` implements both Display and Debug; the section named only the last.
        part["summary"]["text"] = ("Implements " + ", ".join(f"`{t}`" for t in traits)
                                   + f" for `{sym.parent.rsplit('.', 1)[-1]}`.")
    signatures = _signatures(entry)
    apart = _documented_apart(entry)
    if apart:
        parts = [_part(s, {}, {}, "none", link)[0] if s is not sym else part for s in apart]
        for p, s in zip(parts, apart):
            p["signatures"] = [s.signature] if s is not sym else (
                [s.signature] + [x.signature for x in entry.symbols if x not in apart and x.signature])
    else:
        parts = [{**part, "signatures": signatures}]
    for p in parts:
        p["source_link"] = source_link(out_dir, root, p["sym"].path, p["sym"].line, source_url)
    body = tpl.render(
        "symbol.md.j2", sym=sym, name=entry.name, kind=_kind(sym), anchor=anchor(entry.id),
        level=min(6, 2 + entry.depth), fence=lexer_for(sym.language), signatures=signatures,
        summary=part["summary"], params=part["params"], returns=part["returns"], raises=part["raises"],
        source_link=source_link(out_dir, root, sym.path, sym.line, source_url),
        aliases=entry.aliases, defined_in=sym.path != page.module.path, overloads=parts,
        inherited=[{"name": display_name(b) if b.kind != "class" else b.name, "link": link(b.id),
                    "members": [{"name": m.name, "link": link(m.id)} for m in ms]} for b, ms in entry.inherited],
    )
    if sym.id != entry.id:
        attrs = {**attrs, "src": sym.id}
    if gaps:
        attrs = {**attrs, "gaps": str(gaps)}
    return wrap(entry.id, attrs, body), gaps
