"""Where a project starts: its root directory, configuration and store path."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from llmctl.core.config import Config, has_config, load_config
from llmctl.core.errors import LlmctlError
from llmctl.core.git import try_git


@dataclass
class Project:
    """A project root with its configuration."""

    root: Path
    config: Config
    store_override: Path | None = None
    # False when the root is inside a git work tree that ignores it: list files by walking.
    use_git: bool = True

    @property
    def store_dir(self) -> Path:
        """The directory holding the symbol store (``LLMCTL_STORE`` or ``--store`` win)."""
        if self.store_override is not None:
            return self.store_override
        env = os.environ.get("LLMCTL_STORE")
        if env:
            return Path(env).expanduser().resolve()
        return self.root / self.config.store_dir


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` with llmctl config or ``.git``; else ``start``."""
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for d in (here, *here.parents):
        if has_config(d) or (d / ".git").exists():
            return d
    return here


def _git_ignored(root: Path, path: Path) -> bool:
    if not (root / ".git").exists():
        return False
    return try_git(root, "check-ignore", "-q", str(path)) is not None


def open_project(path: str | os.PathLike[str] | None = None, store: str | None = None) -> Project:
    """Find the project containing ``path`` (default: the current directory) and load its config."""
    start = Path(path or ".")
    if not start.exists():
        raise LlmctlError(f"{start}: no such file or directory", "pass an existing path")
    root = find_root(start)
    resolved = start.resolve()
    if path is not None and resolved.is_dir() and resolved != root and _git_ignored(root, resolved):
        # An explicit path that the enclosing repository ignores (a virtualenv's
        # site-packages, a vendored checkout) is scanned as a project of its own.
        return Project(root=resolved, config=load_config(resolved), use_git=False,
                       store_override=Path(store).expanduser().resolve() if store else None)
    return Project(root=root, config=load_config(root),
                   store_override=Path(store).expanduser().resolve() if store else None)
