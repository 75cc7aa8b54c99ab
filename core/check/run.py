"""``llmctl docs check``: run the drift rules over a scope and filter what they find.

scope.py decides what is looked at, lookup.py answers the rules' questions
about other symbols, rules/ holds the rules, suppress.py removes what config,
inline comments and the baseline silence. Reads no model, writes nothing but
the local store (and the lock file with ``--accept``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from llmctl.analyzers.markdown import extract
from llmctl.core.api import NOT_OURS, excluded, for_project
from llmctl.core.check.change import changed_docs, introduced
from llmctl.core.check.lookup import Lookup
from llmctl.core.check.report import fails  # noqa: F401  (re-exported: callers ask run.fails)
from llmctl.core.check.rules import Finding
from llmctl.core.check.rules.anchors import check_anchors, read_lock, write_lock
from llmctl.core.check.rules.docstring import DocContext, check_doc
from llmctl.core.check.rules.generated import check_reference, check_reference_partial
from llmctl.core.check.rules.markdown import Resolver, check_calls, check_inline
from llmctl.core.check.scope import (
    Scope, add_mentioning_markdown, markdown_files, scope_symbols, staged_scope, tree_scope,
)
from llmctl.core.check.suppress import (
    Filtered, apply_baseline, apply_filters, markdown_suppressed, write_baseline,  # noqa: F401
)
from llmctl.core.globs import match as glob_match
from llmctl.core.project import Project
from llmctl.core.store.db import Store


@dataclass
class CheckResult:
    """Findings after filtering, with counts of what was filtered."""

    findings: list[Finding] = field(default_factory=list)
    symbols: int = 0
    markdown_files: int = 0
    suppressed: int = 0
    baselined: int = 0
    scope: str = "repository"
    # For a change: each documented symbol whose code it edited and whose doc it left, by (path, id).
    changes: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """The ``summary`` object of ``--format json``."""
        by_rule: dict[str, int] = {}
        by_sev = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
            by_sev[f.severity] += 1
        return {"findings": len(self.findings), "by_rule": dict(sorted(by_rule.items())), "by_severity": by_sev,
                "symbols_checked": self.symbols, "markdown_checked": self.markdown_files,
                "suppressed": self.suppressed, "baselined": self.baselined, "scope": self.scope}


def run_check(project: Project, *, paths: list[str] | None = None, staged: bool = False, since: str | None = None,
              baseline: Path | None = None) -> CheckResult:
    """Find drift in the chosen scope."""
    _validate(project, paths, staged, since)
    scope = staged_scope(project) if staged else tree_scope(project, paths, since)
    out = Filtered()
    with Store(project.store_dir) as store:
        look = Lookup(store, scope.overlay, project.root, scope.overlay_texts)
        symbols = scope_symbols(scope, store)
        add_mentioning_markdown(project, scope, symbols)
        changes = changed_docs(scope, symbols) if scope.base is not None else []
        findings = _run_rules(project, scope, symbols, look, out, changes)
    apply_filters(findings, project.config.check, project.root, scope.overlay_texts, out)
    if baseline is not None:
        apply_baseline(out, baseline)
    out.kept.sort(key=lambda f: (f.path, f.line, f.rule))
    return CheckResult(out.kept, len(symbols), len(scope.md_texts), out.suppressed, out.baselined, scope.name,
                       {(c.new.path, c.new.id): c for c in changes})


def _run_rules(project: Project, scope: Scope, symbols, look: Lookup, out: Filtered, changes: list) -> list[Finding]:
    """Every rule family over the scope; Markdown findings silenced by a comment are counted, not kept.

    For a change (``--staged``, ``--since``), only what the change introduces (change.py).
    """
    root = project.root
    findings: list[Finding] = []
    ctx = DocContext.of(symbols, project.config.check)
    ours = {path for path in {s.path for s in symbols} if not glob_match(path, NOT_OURS)}  # per file, not per symbol
    for s in symbols:
        if s.path in ours:
            findings.extend(check_doc(s, ctx))
    out_dir, rel_dir = root / project.config.docs.out_dir, project.config.docs.out_dir.strip("/")

    def generated(syms: list) -> list[Finding]:
        return check_reference_partial(out_dir, rel_dir, syms, look.all_with_id, lambda s: likely_public(project, s, look))

    if scope.whole:
        look.api = for_project(project, symbols)
        findings.extend(check_reference(out_dir, rel_dir, look.api))
    else:
        findings.extend(generated(symbols))
    resolver = Resolver(look.resolve, look.by_name, look.has_prefix, look.names_like, scope.removed_names,
                        look.mentions)
    lock = read_lock(root / project.config.check.lock_file)

    def file_exists(path: str) -> bool:
        return (root / path).exists() or path in scope.overlay

    for p, text in sorted(scope.md_texts.items()):
        refs = extract(text)
        md_findings = list(check_inline(refs.inline, p, resolver))
        md_findings += check_calls(refs.calls, p, resolver)
        md_findings += check_anchors(refs.anchors, p, lock, look.symbols_in, file_exists)
        for f in md_findings:
            if markdown_suppressed(f, refs.suppress):
                out.suppressed += 1
            else:
                findings.append(f)
    return introduced(findings, scope, symbols, project.config.check, resolver, lock, look.symbols_in, file_exists,
                      generated, changes, project.store_dir)


def _validate(project: Project, paths: list[str] | None, staged: bool, since: str | None) -> None:
    """Refuse what would otherwise pass silently: conflicting scopes, missing paths, unknown rule codes."""
    from llmctl.core.check.rules import known_code
    from llmctl.core.errors import LlmctlError

    if staged and (since or paths):
        raise LlmctlError("--staged checks the git index; it takes neither --since nor paths", "pick one scope")
    if since and paths:
        raise LlmctlError("--since checks what changed since a revision; it takes no paths", "pick one scope")
    for p in paths or []:
        full = Path(p).resolve()
        if not full.exists():
            raise LlmctlError(f"{p}: no such file or directory", "pass files or folders of this project")
        if not full.is_relative_to(project.root.resolve()):
            raise LlmctlError(f"{p}: outside the project at {project.root}", "pass files or folders of this project")
    cfg = project.config.check
    keys = [("select", c) for c in cfg.select] + [("ignore", c) for c in cfg.ignore] + [
        (f"per_path_ignores.{g}", c) for g, codes in cfg.per_path_ignores.items() for c in codes] + [
        ("severity", c) for c in cfg.severity]
    for key, code in keys:
        if not known_code(code):
            raise LlmctlError(f"{project.config._source}: check.{key}: unknown rule code {code!r}",
                              "`llmctl docs check --explain CODE` lists the rules; codes are like DOC101 or prefixes like DOC")


def likely_public(project: Project, sym, look: Lookup) -> bool:
    """Whether a changed symbol belongs in the reference, judged from its own file (the hook's budget).

    The whole public API needs every module of the project; a change is judged by the
    symbol's visibility, its module's ``__all__`` and privacy, and the test conventions.
    """
    docs = project.config.docs
    if not sym.is_public or excluded(sym.path, sym.language, docs.include, docs.exclude):
        return False
    module = next((s for s in look.symbols_in(sym.path) if s.kind == "module"), None)
    if module is None or sym.language != "python":
        return True
    if any(part.startswith("_") for part in module.id.split(".")):
        return False
    return module.all_names is None or sym.parent != module.id or sym.name in module.all_names


def accept(project: Project) -> int:
    """Record every anchored link's current hashes in the lock file; returns how many."""
    from llmctl.core.store.scan import scan

    root = project.root
    scan(project)
    with Store(project.store_dir) as store:
        look = Lookup(store, {})
        texts = {p: (root / p).read_text("utf-8", "replace") for p in markdown_files(project)}
        return write_lock(root / project.config.check.lock_file, texts, look.symbols_in)
