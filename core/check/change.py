"""What a change introduces: the findings of ``--staged`` and ``--since`` minus those that were already there,
plus DOC401 where it edited code and left the doc comment as it was.

A commit is judged by what it changes (DESIGN.md): the rules run on the
changed files as they are now and as they were before the change (HEAD for
``--staged``, REV for ``--since``); a finding both versions have is the
backlog, not the commit's. Markdown the change does not touch speaks only
when it names a symbol the change removed or whose signature it changed.
"""

from __future__ import annotations

from llmctl.analyzers.markdown import extract
from llmctl.analyzers.symbols import MODULE, Symbol
from llmctl.core.check.rules import Finding
from llmctl.core.check.rules.anchors import check_anchors
from llmctl.core.check.rules.docstring import DocContext, check_doc
from llmctl.core.check.rules.markdown import check_calls, check_inline
from llmctl.core.check.rules.stale import check_stale
from llmctl.core.check.scope import Scope
from llmctl.core.config import CheckConfig


def _key(f: Finding) -> tuple:
    # GEN messages say what changed ("signature and body"); the section being stale is what counts.
    return (f.rule, f.symbol) if f.rule.startswith("GEN") else (f.rule, f.path, f.symbol, f.message)


def changed_names(scope: Scope, symbols: list[Symbol]) -> set[str]:
    """Short names of symbols the change removed or whose signature it changed."""
    new = {s.id: s for s in symbols}
    out = set(scope.removed_names)
    for syms in (scope.base or {}).values():
        for old in syms:
            if old.kind == MODULE:
                continue
            now = new.get(old.id)
            if now is None or now.sig_hash != old.sig_hash:
                out.add(old.name)
    return out


def _mentions(f: Finding, names: set[str]) -> bool:
    return any(part.removesuffix("()") in names for part in f.symbol.split("."))


def changed_docs(scope: Scope, symbols: list[Symbol]) -> list:
    """Documented symbols whose code the change edited while it left their doc comment word for word."""
    from llmctl.core.check.staleness import changes, doc_changed, elsewhere, file_counts

    files: dict[str, list[Symbol]] = {}
    for s in symbols:
        files.setdefault(s.path, []).append(s)
    both = {path: olds for path, olds in (scope.base or {}).items()
            if scope.base_texts.get(path) is not None and scope.after_texts.get(path) is not None}
    counts = {path: file_counts(olds, files.get(path, [])) for path, olds in both.items()}
    out = []
    for path, olds in both.items():
        before, after = scope.base_texts[path].splitlines(), scope.after_texts[path].splitlines()
        out += [c for c in changes(olds, files.get(path, []), before, after, elsewhere(counts, path))
                if not doc_changed(c.old.doc_raw, c.new.doc_raw)]
    return out


def staleness_model(store_dir):
    """The team's own model (``<store>/staleness.json``, from ``llmctl train staleness``), else the shipped one."""
    from llmctl.core.check.staleness import SHIPPED, Model

    own = store_dir / "staleness.json" if store_dir is not None else None
    return Model.load(own if own is not None and own.is_file() else SHIPPED)


def introduced(findings: list[Finding], scope: Scope, symbols: list[Symbol], cfg: CheckConfig, resolver,
               lock: dict, symbols_in, file_exists, generated_before, changes: list = (),
               store_dir=None) -> list[Finding]:
    """The findings the change brings, of ``findings`` (all the scope's findings after it);
    ``changes`` are :func:`changed_docs` of the scope, weighed for DOC401."""
    if scope.base is None:
        return findings
    old = [s for syms in scope.base.values() for s in syms]
    ctx = DocContext.of(old, cfg)
    before: set[tuple] = set()
    for s in old:
        before |= {_key(f) for f in check_doc(s, ctx)}
    for path, text in scope.base_md.items():
        refs = extract(text)
        md = list(check_inline(refs.inline, path, resolver)) + list(check_calls(refs.calls, path, resolver))
        md += check_anchors(refs.anchors, path, lock, symbols_in, file_exists)
        before |= {_key(f) for f in md}
    before |= {_key(f) for f in generated_before(old)}
    names = changed_names(scope, symbols)
    kept = []
    for f in findings:
        if _key(f) in before:
            continue
        if f.path.endswith(".md") and f.path not in scope.changed_md and not _mentions(f, names):
            continue
        kept.append(f)
    # DOC401 where no rule has said something more precise about the symbol already (a DOC101 on a
    # renamed parameter is the better finding than "may be stale").
    told = {(f.path, f.symbol) for f in kept if f.rule.startswith("DOC")}
    kept += [f for f in check_stale(changes, staleness_model(store_dir)) if (f.path, f.symbol) not in told]
    return kept
