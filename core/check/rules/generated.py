"""GEN rules: the generated API reference against the code it was generated from.

Each section ``docs sync`` writes carries the hashes of the signature, doc
comment and body it was made from (core/docs/markers.py); these rules compare
them with the symbol store, so no lock file can be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from llmctl.analyzers.symbols import CALLABLE_KINDS, MODULE, TYPE_KINDS, Symbol
from llmctl.core.check.rules import Finding, rule
from llmctl.core.docs.markers import Block, parse_page

GEN001 = rule("GEN001", "error", "generated section is stale",
              "A section written by `llmctl docs sync` carries hashes of the signature, doc and body it was made "
              "from; the code has changed since.",
              "run `llmctl docs sync` (or `llmctl docs check --fix`)")
GEN002 = rule("GEN002", "error", "generated section for a symbol that no longer exists",
              "The generated reference documents a symbol that is gone from the code.",
              "run `llmctl docs sync`")
GEN003 = rule("GEN003", "warning", "public symbol missing from the generated reference",
              "The project has a generated API reference, but this public symbol has no section in it.",
              "run `llmctl docs sync`")


def check_generated_block(block: Block, sym: Symbol | None, page_path: str) -> Iterator[Finding]:
    """GEN001/GEN002 for one marked section of a generated page."""
    if sym is None:
        yield GEN002.finding(page_path, block.line, block.id, f"section documents `{block.id}`, which no longer exists")
        return
    changed = [what for what, key, value in (("signature", "sig", sym.sig_hash), ("doc comment", "doc", sym.doc_hash),
                                               ("body", "body", sym.body_hash)) if block.attrs.get(key) != value]
    if changed:
        yield GEN001.finding(page_path, block.line, block.id,
                             f"section for `{block.id}` is stale: {' and '.join(changed)} changed since it was generated")


def check_missing_sections(public: list[Symbol], documented_ids: set[str]) -> Iterator[Finding]:
    """GEN003: public types and callables without a section in the generated reference."""
    for sym in public:
        if (sym.kind in CALLABLE_KINDS or sym.kind in TYPE_KINDS) and sym.id not in documented_ids:
            yield GEN003.at(sym, f"public {sym.kind} `{sym.id}` has no section in the generated reference")


def check_reference(out_dir: Path, rel_dir: str, symbols: list[Symbol], whole: bool,
                    by_id: Callable[[str], Symbol | None]) -> list[Finding]:
    """GEN rules over every page of the reference in ``out_dir`` for the symbols in scope.

    In a partial scope (``whole`` false) only sections of the scope's symbols,
    and of symbols that vanished from the scope's modules, are judged.
    """
    if not out_dir.is_dir():
        return []
    in_scope = {s.id: s for s in symbols}
    prefixes = {s.id.rsplit(".", 1)[0] for s in symbols}
    findings: list[Finding] = []
    documented: set[str] = set()
    for page_path in sorted(out_dir.glob("*.md")):
        page = parse_page(page_path.read_text("utf-8", "replace"))
        rel = f"{rel_dir}/{page_path.name}"
        for block in page.blocks:
            if block.id == "__index__":
                continue
            documented.add(block.id)
            if not whole and block.id not in in_scope:
                if by_id(block.id) is not None or not any(block.id.startswith(p) for p in prefixes):
                    continue
            sym = in_scope.get(block.id) or by_id(block.id)
            findings.extend(check_generated_block(block, sym, rel))
    if documented:
        findings.extend(check_missing_sections([s for s in symbols if s.is_public and s.kind != MODULE], documented))
    return findings
