"""Rendering one symbol's section: facts from the symbol record, prose where the code has none."""

from __future__ import annotations

import os
from pathlib import Path

from llmctl.analyzers.languages import lexer_for
from llmctl.analyzers.symbols import Symbol
from llmctl.core.docs.markers import wrap
from llmctl.core.docs.prose import api_params
from llmctl.core.docs.templates import Templates


def source_link(out_dir: Path, root: Path, path: str, line: int) -> str:
    """A link from a page in ``out_dir`` to ``path``'s line, relative so the site can move."""
    return os.path.relpath(root / path, out_dir).replace(os.sep, "/") + f"#L{line}"


def render_symbol(sym: Symbol, depth: int, prose: dict, tpl: Templates, root: Path, out_dir: Path,
                  attrs: dict[str, str], generate: str) -> tuple[str, int]:
    """The marked section of ``sym`` and the number of gaps (prose wanted but missing) in it."""
    gaps = 0
    if sym.doc.summary:
        summary = {"text": sym.doc.description or sym.doc.summary, "generated": False}
    else:
        summary = {"text": prose.get((sym.id, "summary")), "generated": True}
        gaps += summary["text"] is None
    described = {p.name: p.description for p in sym.doc.params if p.description}
    types = {p.name: p.type for p in sym.doc.params if p.type}
    params = []
    for p in api_params(sym):
        text = described.get(p.name) or prose.get((sym.id, f"param:{p.name}"))
        gaps += text is None and generate == "all"
        params.append({"name": p.name, "annotation": p.annotation or types.get(p.name), "default": p.default,
                       "text": text, "generated": p.name not in described and text is not None})
    ret_type = sym.returns or (sym.doc.returns.type if sym.doc.returns else None)
    ret_desc = sym.doc.returns.description if sym.doc.returns else None
    returns = None
    if (ret_type and ret_type not in ("None", "void", "()")) or ret_desc:
        returns = {"type": ret_type, "description": ret_desc}
    body = tpl.render(
        "symbol.md.j2", sym=sym, level=min(6, 2 + depth), fence=lexer_for(sym.language), summary=summary,
        params=params, returns=returns, raises=[{"type": r.type, "description": r.description} for r in sym.doc.raises],
        source_link=source_link(out_dir, root, sym.path, sym.line),
    )
    if gaps:
        attrs = {**attrs, "gaps": str(gaps)}
    return wrap(sym.id, attrs, body), gaps
