"""What a check looks at: the whole repository, given paths, ``--since REV``, or ``--staged``.

A :class:`Scope` names the code paths in scope (None: everything), the
symbols a change brings (``overlay``; for ``--staged`` parsed from the git
index, never the work tree), the names it removed, and the hand-written
Markdown to read: the files in scope, plus, for a partial scope, Markdown
elsewhere that mentions a symbol of the scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from llmctl.analyzers import analyze, language_for
from llmctl.analyzers.symbols import MODULE, Symbol
from llmctl.core.globs import match as glob_match
from llmctl.core.project import Project
from llmctl.core.store.db import Store


@dataclass
class Scope:
    """The part of the project one check covers."""

    name: str = "repository"
    paths: set[str] | None = None  # None: the whole repository
    overlay: dict[str, list[Symbol]] = field(default_factory=dict)  # path -> symbols as the change has them
    overlay_texts: dict[str, str] = field(default_factory=dict)  # path -> source text as the change has it
    removed_names: set[str] = field(default_factory=set)
    md_texts: dict[str, str] = field(default_factory=dict)  # Markdown path -> text
    # A change (--staged, --since): the changed files as they were before it (HEAD, or REV), so
    # that only the findings the change introduces are reported. None for a tree or paths scope.
    base: dict[str, list[Symbol]] | None = None
    base_md: dict[str, str] = field(default_factory=dict)
    base_texts: dict[str, str] = field(default_factory=dict)  # code path -> source before the change
    after_texts: dict[str, str] = field(default_factory=dict)  # code path -> source after it (index or tree)
    changed_md: set[str] = field(default_factory=set)  # Markdown the change itself touches

    @property
    def whole(self) -> bool:
        """True for a check of the whole repository."""
        return self.paths is None


def hand_markdown(project: Project, path: str) -> bool:
    """True for Markdown the check reads (config globs), never the generated reference."""
    out_dir = project.config.docs.out_dir.strip("/") + "/"
    cfg = project.config.check
    return (path.endswith(".md") and glob_match(path, cfg.markdown) and not glob_match(path, cfg.markdown_exclude)
            and not path.startswith(out_dir))


def markdown_files(project: Project) -> list[str]:
    """Every hand-written Markdown file of the project."""
    from llmctl.core.files import list_files

    return sorted(p for p in list_files(project.root, project.use_git) if hand_markdown(project, p))


def _read(root: Path, path: str) -> str | None:
    try:
        return (root / path).read_text("utf-8", "replace")
    except OSError:
        return None


def staged_scope(project: Project) -> Scope:
    """The staged change: its files parsed from the git index, the names it removes."""
    from llmctl.core import git
    from llmctl.core.store.scan import scan

    if not (project.store_dir / "store.db").exists():
        scan(project)  # a never-scanned repository: build the context once
    scope = Scope(name="staged")
    changed, deleted = git.staged_changes(project.root)
    blobs = git.index_blobs(project.root, changed)
    for p in [c for c in changed if language_for(c) and c in blobs] + [d for d in deleted if language_for(d)]:
        scope.overlay[p] = analyze(blobs[p], p, language_for(p)).symbols if p in blobs else []
        if p in blobs:
            scope.overlay_texts[p] = blobs[p].decode("utf-8", "replace")
    for p in changed:
        if p in blobs and hand_markdown(project, p):
            scope.md_texts[p] = blobs[p].decode("utf-8", "replace")
    scope.paths = set(scope.overlay)
    scope.after_texts = dict(scope.overlay_texts)
    _set_base(project, scope, "HEAD", list(scope.overlay) + list(scope.md_texts))
    for p, before in (scope.base or {}).items():
        scope.removed_names |= {s.name for s in before} - {s.name for s in scope.overlay.get(p, [])}
    return scope


def _set_base(project: Project, scope: Scope, rev: str, paths: list[str]) -> None:
    """Parse the changed files as they were at ``rev`` (a new file, or no commit yet: nothing before)."""
    from llmctl.core import git

    before = git.revision_blobs(project.root, rev, paths)
    scope.base = {}
    scope.changed_md = {p for p in paths if p.endswith(".md")}
    for p in paths:
        lang = language_for(p)
        if lang and p in before:
            scope.base[p] = analyze(before[p], p, lang).symbols
            scope.base_texts[p] = before[p].decode("utf-8", "replace")
        elif p in before:
            scope.base_md[p] = before[p].decode("utf-8", "replace")


def tree_scope(project: Project, paths: list[str] | None, since: str | None) -> Scope:
    """The work tree (scanned first): everything, the given paths, or what changed since a revision."""
    from llmctl.core import git
    from llmctl.core.store.scan import scan

    root = project.root
    report = scan(project)
    scope = Scope()
    if since:
        scope.name = f"since {since}"
        scope.paths = set(git.changed_since(root, since))
        changed_code = [p for p in scope.paths if language_for(p)]
    elif paths:
        scope.name = ", ".join(paths)
        rels = [Path(p).resolve().relative_to(root.resolve()).as_posix() for p in paths]
        scope.paths = {f for f in report.paths if any(f == r or f.startswith(r.rstrip("/") + "/") for r in rels)}
        scope.paths |= {r for r in rels if r.endswith(".md")}
    md_files = markdown_files(project) if scope.whole else [p for p in scope.paths if hand_markdown(project, p)]
    for p in md_files:
        text = _read(root, p)
        if text is not None:
            scope.md_texts[p] = text
    if since:
        _set_base(project, scope, since, changed_code + list(scope.md_texts))
        for p in changed_code:
            text = _read(root, p)
            if text is not None:
                scope.after_texts[p] = text
    return scope


def scope_symbols(scope: Scope, store: Store) -> list[Symbol]:
    """The symbols the scope covers, the change's version where it has one."""
    if scope.whole:
        return list(store.symbols())
    code_paths = [p for p in scope.paths if language_for(p)]
    return [s for p in code_paths for s in (scope.overlay[p] if p in scope.overlay else store.symbols([p]))]


def add_mentioning_markdown(project: Project, scope: Scope, symbols: list[Symbol]) -> None:
    """For a partial scope: Markdown elsewhere that mentions a symbol of the scope is in scope too."""
    if scope.whole:
        return
    names = {s.name for s in symbols if s.kind != MODULE} | scope.removed_names
    if not names:
        return
    for p in markdown_files(project):
        if p in scope.md_texts:
            continue
        text = _read(project.root, p)
        if text is not None and any(n in text for n in names):
            scope.md_texts[p] = text
