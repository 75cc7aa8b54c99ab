"""GEN rules: the generated API reference against the code it was generated from.

Each section ``docs sync`` writes carries the hashes of the signature, doc
comment and body it was made from (core/docs/markers.py); these rules compare
them with the symbol store, so no lock file can be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from llmctl.analyzers.symbols import CALLABLE_KINDS, TYPE_KINDS, Symbol
from llmctl.core.api import PublicApi
from llmctl.core.check.rules import Finding, rule
from llmctl.core.docs.markers import Block, parse_page, section_hashes

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


def check_generated_block(block: Block, symbols: list[Symbol], page_path: str) -> Iterator[Finding]:
    """GEN001/GEN002 for one marked section of a generated page; ``symbols``: what its id names now."""
    if not symbols:
        yield GEN002.finding(page_path, block.line, block.id,
                             f"section documents `{block.id}`, which no longer exists or is no longer public")
        return
    now = section_hashes(symbols)
    changed = [what for what, key in (("signature", "sig"), ("doc comment", "doc"), ("body", "body"))
               if block.attrs.get(key) != now[key]]
    if changed:
        yield GEN001.finding(page_path, block.line, block.id,
                             f"section for `{block.id}` is stale: {' and '.join(changed)} changed since it was generated")


def _blocks(out_dir: Path, rel_dir: str) -> list[tuple[str, Block]]:
    found = []
    for page_path in sorted(out_dir.glob("*.md")):
        for block in parse_page(page_path.read_text("utf-8", "replace")).blocks:
            if block.id != "__index__":
                found.append((f"{rel_dir}/{page_path.name}", block))
    return found


def check_reference(out_dir: Path, rel_dir: str, api: PublicApi) -> list[Finding]:
    """GEN rules over the whole reference against the project's public API."""
    if not out_dir.is_dir():
        return []
    findings: list[Finding] = []
    documented: set[str] = set()
    for rel, block in _blocks(out_dir, rel_dir):
        documented.add(block.id)
        entry = api.by_id.get(block.id)
        findings.extend(check_generated_block(block, entry.symbols if entry else [], rel))
    if documented:
        for entry in api.by_id.values():
            if entry.id not in documented:
                sym = entry.symbol
                findings.append(GEN003.finding(sym.path, sym.line, entry.id,
                                               f"public {sym.kind} `{entry.id}` has no section in the generated reference"))
    return findings


def check_reference_partial(out_dir: Path, rel_dir: str, symbols: list[Symbol], with_id: Callable[[str], list[Symbol]],
                            likely_public: Callable[[Symbol], bool]) -> list[Finding]:
    """GEN rules for a change: the sections of the changed symbols (and of those it removed), and changed
    public symbols with no section. Reads only the pages, not the whole public API (the hook's budget)."""
    if not out_dir.is_dir():
        return []
    in_scope: dict[str, list[Symbol]] = {}
    for s in symbols:
        in_scope.setdefault(s.id, []).append(s)
    prefixes = {s.id.rsplit(".", 1)[0] for s in symbols}
    findings: list[Finding] = []
    documented: set[str] = set()
    blocks = _blocks(out_dir, rel_dir)
    for rel, block in blocks:
        sid = block.attrs.get("src", block.id)
        documented |= {sid, block.id}
        if block.attrs.get("value"):
            continue  # a module value's section (docs sync): the store has no symbol for it to compare with
        if sid in in_scope:
            findings.extend(check_generated_block(block, in_scope[sid], rel))
        elif any(sid.startswith(p + ".") for p in prefixes) and not with_id(sid):
            findings.extend(check_generated_block(block, [], rel))
    if blocks:
        for sid, group in in_scope.items():
            sym = group[-1]
            if sid not in documented and sym.kind in (CALLABLE_KINDS | TYPE_KINDS) and likely_public(sym):
                findings.append(GEN003.at(sym, f"public {sym.kind} `{sid}` has no section in the generated reference"))
    return findings
