"""Which files a scan reads.

Inside a git work tree: ``git ls-files`` (tracked plus untracked-not-ignored),
so the user's .gitignore decides. Outside one: a directory walk that honours
every .gitignore on the way, never enters VCS/tool/virtualenv directories and
follows directory symlinks only to targets inside the root, once each (so a
symlink loop ends). Config ``include``/``exclude`` patterns apply on top.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from llmctl.analyzers import language_for
from llmctl.core.git import try_git

ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".llmctl", "node_modules", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


def git_toplevel(path: Path) -> Path | None:
    """The work-tree root of the git repository containing ``path``, if any."""
    out = try_git(path, "rev-parse", "--show-toplevel")
    top = out.decode("utf-8", "surrogateescape").strip() if out else ""
    return Path(top) if top else None


def _git_files(root: Path) -> list[str] | None:
    out = try_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate")
    if out is None:
        return None
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _is_virtualenv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg"))


def _walk(root: Path) -> Iterator[str]:
    """Relative paths under root, honouring nested .gitignore files."""
    root_real = os.path.realpath(root)
    root_st = os.stat(root)
    visited: set[tuple[int, int]] = {(root_st.st_dev, root_st.st_ino)}
    # Each stack entry: (absolute dir, relative dir, list of (base rel dir, spec)).
    import pathspec  # only for walks outside git (importing it costs ~40 ms)

    stack: list[tuple[str, str, list]] = [(str(root), "", [])]
    while stack:
        abs_dir, rel_dir, specs = stack.pop()
        ignore = os.path.join(abs_dir, ".gitignore")
        if os.path.isfile(ignore):
            try:
                with open(ignore, encoding="utf-8", errors="replace") as fh:
                    specs = specs + [(rel_dir, pathspec.GitIgnoreSpec.from_lines(fh))]
            except OSError:
                pass
        try:
            entries = list(os.scandir(abs_dir))
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                continue
            if _ignored(rel, is_dir, specs):
                continue
            if is_dir:
                if entry.name in ALWAYS_SKIPPED_DIRS or _is_virtualenv(entry.path):
                    continue
                try:
                    st = entry.stat(follow_symlinks=True)
                except OSError:
                    continue
                key = (st.st_dev, st.st_ino)
                if key in visited:
                    continue  # seen already: a symlink loop, or two links to one place
                if entry.is_symlink():
                    real = os.path.realpath(entry.path)
                    if not (real + os.sep).startswith(root_real + os.sep):
                        continue
                visited.add(key)
                stack.append((entry.path, rel + "/", specs))
            else:
                yield rel


def _ignored(rel: str, is_dir: bool, specs: list) -> bool:
    for base, spec in specs:
        sub = rel[len(base):]
        if spec.match_file(sub + "/" if is_dir else sub):
            return True
    return False


def scope_prefix(root: Path, scope: Path | None) -> str:
    """``scope`` relative to ``root`` as a posix prefix ('' for the whole root)."""
    if scope is None:
        return ""
    rel = scope.resolve().relative_to(root.resolve()).as_posix()
    return "" if rel == "." else rel


def in_scope(path: str, prefix: str) -> bool:
    """True when the relative ``path`` is ``prefix`` or lies under it ('' takes everything)."""
    return not prefix or path == prefix or path.startswith(prefix + "/")


def list_files(root: Path, use_git: bool = True) -> list[str]:
    """Every file a scan may read, relative to ``root``: git's view inside a work tree, else a walk."""
    paths = _git_files(root) if use_git and ((root / ".git").exists() or git_toplevel(root)) else None
    return list(_walk(root)) if paths is None else paths


def list_source_files(root: Path, languages: set[str], include: list[str], exclude: list[str],
                      scope: Path | None = None, use_git: bool = True) -> list[tuple[str, str]]:
    """``(relative path, language)`` of the files to scan, sorted by path.

    ``scope`` narrows the listing to a subdirectory (or one file) of ``root``;
    ``use_git=False`` walks the directory even inside a git work tree.
    """
    paths = list_files(root, use_git)
    if include or exclude:
        import pathspec
    inc = pathspec.GitIgnoreSpec.from_lines(include) if include else None
    exc = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
    prefix = scope_prefix(root, scope)
    out: list[tuple[str, str]] = []
    for p in paths:
        if not in_scope(p, prefix):
            continue
        lang = language_for(p)
        if lang is None or lang not in languages:
            continue
        if inc is not None and not inc.match_file(p):
            continue
        if exc is not None and exc.match_file(p):
            continue
        out.append((p, lang))
    out.sort()
    return out
