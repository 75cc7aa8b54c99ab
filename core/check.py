"""``llmctl docs check``: run the drift rules over a scope and filter what they find.

Scopes: the whole repository; given paths; ``--staged`` (the staged content
read from the git index, never the work tree, plus the Markdown that mentions
the changed symbols); ``--since REV``. Then: select/ignore and per-path
ignores from config, inline ``llmctl: ignore[CODE]`` comments, a baseline of
accepted findings. Reads no model, writes nothing but the local store (and
llmctl.lock with ``--accept``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

from llmctl.analyzers import analyze, language_for
from llmctl.analyzers.markdown import extract
from llmctl.core import drift
from llmctl.core.drift import Finding, Resolver
from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write
from llmctl.core.globs import match as glob_match
from llmctl.core.markers import parse_page
from llmctl.core.project import Project
from llmctl.core.store import Store
from llmctl.core.symbols import MODULE, TYPE_KINDS, Symbol

_SUPPRESS = re.compile(r"llmctl:\s*ignore(?:\[([A-Z0-9, ]+)\])?")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass
class CheckResult:
    """Findings after filtering, with counts of what was filtered."""

    findings: list[Finding] = field(default_factory=list)
    symbols: int = 0
    markdown_files: int = 0
    suppressed: int = 0
    baselined: int = 0
    scope: str = "repository"

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


class _Context:
    """Symbol lookups over the store, with staged/changed files' symbols laid over it."""

    def __init__(self, store: Store, overlay: dict[str, list[Symbol]]):
        self.store, self.overlay = store, overlay
        self.overlay_ids = {s.id: s for syms in overlay.values() for s in syms}
        self.overlay_names: dict[str, list[Symbol]] = {}
        for s in self.overlay_ids.values():
            self.overlay_names.setdefault(s.name, []).append(s)
        self._all_names: list[str] | None = None

    def _load(self, rows) -> list[Symbol]:
        return [Symbol.from_dict(json.loads(d)) for p, d in rows if p not in self.overlay]

    def by_id(self, sid: str) -> Symbol | None:
        if sid in self.overlay_ids:
            return self.overlay_ids[sid]
        found = self._load(self.store.conn.execute("SELECT path, data FROM symbols WHERE id=?", (sid,)))
        return found[0] if found else None

    def by_name(self, name: str) -> list[Symbol]:
        rows = self.store.conn.execute("SELECT path, data FROM symbols WHERE name=?", (name,))
        return self._load(rows) + self.overlay_names.get(name, [])

    def has_prefix(self, sid: str) -> bool:
        s = self.by_id(sid)
        return s is not None and (s.kind == MODULE or s.kind in TYPE_KINDS)

    def names_like(self, name: str) -> list[str]:
        if self._all_names is None:
            names = {r[0] for r in self.store.conn.execute("SELECT DISTINCT name FROM symbols WHERE kind IN ('function','method')")}
            names |= {s.name for s in self.overlay_ids.values()}
            self._all_names = sorted(names)
        return get_close_matches(name, self._all_names, n=1, cutoff=0.8)


def _code_matches(code: str, patterns: list[str]) -> bool:
    return any(code.startswith(p) for p in patterns)


def run_check(project: Project, *, paths: list[str] | None = None, staged: bool = False, since: str | None = None,
              baseline: Path | None = None) -> CheckResult:
    """Find drift in the chosen scope."""
    from llmctl.core import git
    from llmctl.core.scanner import scan

    cfg = project.config
    root = project.root
    result = CheckResult()
    overlay: dict[str, list[Symbol]] = {}
    removed_names: set[str] = set()
    md_texts: dict[str, str] = {}

    store_dir = project.store_dir
    fresh = not (store_dir / "store.db").exists()
    if staged:
        result.scope = "staged"
        if fresh:
            scan(project)  # a never-scanned repository: build the context once
        changed, deleted = git.staged_changes(root)
        blobs = git.index_blobs(root, changed)
        changed_code = [p for p in changed if language_for(p) and p in blobs]
        with Store(store_dir) as store:
            for p in changed_code + [d for d in deleted if language_for(d)]:
                old = {s.name for s in store.symbols([p])}
                new = analyze(blobs[p], p, language_for(p)).symbols if p in blobs else []
                overlay[p] = new
                removed_names |= old - {s.name for s in new}
        for p in changed:
            if p in blobs and _hand_markdown(project, p):
                md_texts[p] = blobs[p].decode("utf-8", "replace")
        scope_paths = set(overlay)
    else:
        report = scan(project)
        if since:
            result.scope = f"since {since}"
            scope_paths = set(git.changed_since(root, since))
        elif paths:
            result.scope = ", ".join(paths)
            rels = [Path(p).resolve().relative_to(root.resolve()).as_posix() for p in paths]
            scope_paths = {f for f in report.paths if any(f == r or f.startswith(r.rstrip("/") + "/") for r in rels)}
            scope_paths |= {r for r in rels if r.endswith(".md")}
        else:
            scope_paths = None
        if scope_paths is None:
            md_files = _markdown_files(project)
        else:
            md_files = [p for p in scope_paths if _hand_markdown(project, p)]
        for p in md_files:
            try:
                md_texts[p] = (root / p).read_text("utf-8", "replace")
            except OSError:
                continue

    with Store(store_dir) as store:
        ctx = _Context(store, overlay)
        if scope_paths is None:
            symbols = list(store.symbols())
        else:
            code_paths = [p for p in scope_paths if language_for(p)]
            symbols = [s for p in code_paths for s in (overlay[p] if p in overlay else store.symbols([p]))]
        if scope_paths is not None:
            # Markdown elsewhere that mentions the changed symbols is in scope too.
            names = {s.name for s in symbols if s.kind != MODULE} | removed_names
            if names:
                for p in _markdown_files(project):
                    if p in md_texts:
                        continue
                    try:
                        text = (root / p).read_text("utf-8", "replace")
                    except OSError:
                        continue
                    if any(n in text for n in names):
                        md_texts[p] = text
        result.symbols = len(symbols)
        result.markdown_files = len(md_texts)
        resolver = Resolver(ctx.by_id, ctx.by_name, ctx.has_prefix, ctx.names_like, removed_names)
        findings: list[Finding] = []
        for s in symbols:
            findings.extend(drift.check_doc(s))
        findings.extend(_generated(project, symbols, scope_paths is None, ctx))
        lock = _read_lock(root / cfg.check.lock_file)
        for p, text in sorted(md_texts.items()):
            refs = extract(text)
            md_findings = list(drift.check_inline(refs.inline, p, resolver))
            md_findings += drift.check_calls(refs.calls, p, resolver)
            md_findings += _anchors(refs.anchors, p, root, ctx, lock, overlay)
            for f in md_findings:
                codes = refs.suppress.get(f.line, False)
                if codes is False:
                    codes = refs.suppress.get(f.line - 1, False)
                if codes is not False and (codes is None or f.rule in codes):
                    result.suppressed += 1
                    continue
                findings.append(f)
    result.findings = _filter(project, findings, result, overlay)
    if baseline is not None:
        known = _read_baseline(baseline)
        kept = [f for f in result.findings if _fingerprint(f) not in known]
        result.baselined = len(result.findings) - len(kept)
        result.findings = kept
    result.findings.sort(key=lambda f: (f.path, f.line, f.rule))
    return result


def _hand_markdown(project: Project, path: str) -> bool:
    """True for Markdown the check reads (config globs), never the generated reference."""
    out_dir = project.config.docs.out_dir.strip("/") + "/"
    return path.endswith(".md") and glob_match(path, project.config.check.markdown) and not path.startswith(out_dir)


def _markdown_files(project: Project) -> list[str]:
    """Every hand-written Markdown file of the project."""
    from llmctl.core.files import list_files

    return sorted(p for p in list_files(project.root, project.use_git) if _hand_markdown(project, p))


def _generated(project: Project, symbols: list[Symbol], whole: bool, ctx: _Context) -> list[Finding]:
    out_dir = project.root / project.config.docs.out_dir
    if not out_dir.is_dir():
        return []
    in_scope = {s.id: s for s in symbols}
    prefixes = {s.id.rsplit(".", 1)[0] for s in symbols}
    findings: list[Finding] = []
    documented: set[str] = set()
    rel_dir = project.config.docs.out_dir.strip("/")
    for page_path in sorted(out_dir.glob("*.md")):
        page = parse_page(page_path.read_text("utf-8", "replace"))
        rel = f"{rel_dir}/{page_path.name}"
        for block in page.blocks:
            if block.id == "__index__":
                continue
            documented.add(block.id)
            if not whole and block.id not in in_scope:
                # In a partial scope, only sections of the changed files' symbols (and removed ones) count.
                if ctx.by_id(block.id) is not None or not any(block.id.startswith(p) for p in prefixes):
                    continue
            sym = in_scope.get(block.id) or ctx.by_id(block.id)
            findings.extend(drift.check_generated_block(block, sym, rel))
    if documented:
        findings.extend(drift.check_missing_sections([s for s in symbols if s.is_public and s.kind != MODULE],
                                                     documented))
    return findings


def _anchors(anchors, md_path: str, root: Path, ctx: _Context, lock: dict, overlay: dict) -> list[Finding]:
    out = []
    for a in anchors:
        target = _anchor_target(md_path, a.target_path)
        sym = _anchor_symbol(target, a.symbol, ctx, overlay)
        key = _lock_key(md_path, target, a.symbol)
        if sym is None:
            out.append(Finding("ANC001", md_path, a.line, a.symbol, f"link to `{a.symbol}` in {target}: no such "
                               f"{'file' if not (root / target).exists() and target not in overlay else 'symbol'}",
                               drift.RULES["ANC001"].severity, "update the link"))
            continue
        entry = lock.get(key)
        if entry is None:
            out.append(Finding("ANC003", md_path, a.line, sym.id, f"link to `{sym.id}` is not confirmed in the lock file",
                               drift.RULES["ANC003"].severity, "review, then `llmctl docs check --accept`"))
        elif entry.get("sig") != sym.sig_hash or entry.get("body") != sym.body_hash:
            what = " and ".join(w for w, k, v in (("signature", "sig", sym.sig_hash), ("body", "body", sym.body_hash))
                                if entry.get(k) != v)
            out.append(Finding("ANC002", md_path, a.line, sym.id, f"`{sym.id}` {what} changed since this text was "
                               "confirmed", drift.RULES["ANC002"].severity, "re-read it, then `llmctl docs check --accept`"))
    return out


def _anchor_target(md_path: str, written: str) -> str:
    """The repository path a link in ``md_path`` points at (``/x`` is relative to the root)."""
    if written.startswith("/"):
        return written.lstrip("/")
    return os.path.normpath(os.path.join(os.path.dirname(md_path), written)).replace(os.sep, "/")


def _lock_key(md_path: str, target: str, symbol: str) -> str:
    """How llmctl.lock names one anchored link."""
    return f"{md_path}#{target}#{symbol}"


def _anchor_symbol(target: str, name: str, ctx: _Context, overlay: dict) -> Symbol | None:
    if target in overlay:
        candidates = overlay[target]
    else:
        candidates = list(ctx.store.symbols([target]))
    for s in candidates:
        if s.kind != MODULE and (s.id == name or s.id.endswith("." + name)):
            return s
    return None


def accept(project: Project) -> int:
    """Record every anchored link's current hashes in the lock file; returns how many."""
    from llmctl.core.scanner import scan

    root = project.root
    scan(project)
    lock: dict[str, dict] = {}
    with Store(project.store_dir) as store:
        ctx = _Context(store, {})
        for p in _markdown_files(project):
            for a in extract((root / p).read_text("utf-8", "replace")).anchors:
                target = _anchor_target(p, a.target_path)
                sym = _anchor_symbol(target, a.symbol, ctx, {})
                if sym is not None:
                    lock[_lock_key(p, target, a.symbol)] = {"symbol": sym.id, "sig": sym.sig_hash, "body": sym.body_hash}
    text = json.dumps({"version": 1, "anchors": dict(sorted(lock.items()))}, indent=2) + "\n"
    atomic_write(root / project.config.check.lock_file, text)
    return len(lock)


def _read_lock(path: Path) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise LlmctlError(f"{path}: not a valid llmctl lock file ({err})", "fix it, or delete it and run --accept") from None
    return data.get("anchors", {}) if isinstance(data, dict) else {}


def _filter(project: Project, findings: list[Finding], result: CheckResult, overlay: dict) -> list[Finding]:
    cfg = project.config.check
    per_path = list(cfg.per_path_ignores.items())
    lines_cache: dict[str, list[str]] = {}
    kept = []
    for f in findings:
        if cfg.select and not _code_matches(f.rule, cfg.select):
            continue
        if _code_matches(f.rule, cfg.ignore):
            continue
        if any(glob_match(f.path, [glob]) and _code_matches(f.rule, codes) for glob, codes in per_path):
            continue
        f.severity = cfg.severity.get(f.rule, f.severity)
        if not f.path.endswith(".md") and _suppressed_in_code(project.root, f, lines_cache, overlay):
            result.suppressed += 1
            continue
        kept.append(f)
    return kept


def _suppressed_in_code(root: Path, f: Finding, cache: dict[str, list[str]], overlay: dict) -> bool:
    if f.path not in cache:
        try:
            cache[f.path] = (root / f.path).read_text("utf-8", "replace").splitlines()
        except OSError:
            cache[f.path] = []
    lines = cache[f.path]
    for ln in (f.line, f.line - 1, f.line + 1):
        if 1 <= ln <= len(lines):
            m = _SUPPRESS.search(lines[ln - 1])
            if m and (not m.group(1) or f.rule in {c.strip() for c in m.group(1).split(",")}):
                return True
    return False


def _fingerprint(f: Finding) -> str:
    return hashlib.sha256("\x1f".join([f.rule, f.path, f.symbol, f.message]).encode()).hexdigest()[:20]


def write_baseline(path: Path, findings: list[Finding]) -> None:
    """Record findings as accepted legacy drift (matched later by rule, path, symbol, message)."""
    data = {"version": 1, "findings": sorted(
        ({"fingerprint": _fingerprint(f), "rule": f.rule, "path": f.path, "symbol": f.symbol} for f in findings),
        key=lambda d: (d["path"], d["rule"], d["symbol"]))}
    atomic_write(path, json.dumps(data, indent=2) + "\n")


def _read_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return {d["fingerprint"] for d in data.get("findings", [])}
    except FileNotFoundError:
        raise LlmctlError(f"{path}: baseline file not found", "create it with --generate-baseline") from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise LlmctlError(f"{path}: not a valid baseline ({err})", "regenerate it with --generate-baseline") from None


def fails(findings: list[Finding], fail_on: str) -> bool:
    """True when any finding is at or above ``fail_on``."""
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in findings)
