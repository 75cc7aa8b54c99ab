"""Install and remove the git pre-commit hook, chaining any hook that is already there.

An existing ``pre-commit`` is moved to ``pre-commit.llmctl-chained`` and run
first by ours; uninstall moves it back byte for byte. ``core.hooksPath`` is
honoured. The hook runs :func:`llmctl.hooks.run.main` with the interpreter
that installed it (by absolute path), so it works from a virtualenv without
activating it, and without the CLI framework's start-up cost.
"""

from __future__ import annotations

import os
import stat
import sys
from importlib.resources import files
from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.core.git import run_git, try_git

MARKER = "llmctl pre-commit hook"
CHAINED = "pre-commit.llmctl-chained"


def hooks_dir(repo: Path) -> Path:
    """The repository's hooks folder (``core.hooksPath`` or ``.git/hooks``)."""
    if not repo.is_dir() or try_git(repo, "rev-parse", "--git-dir") is None:
        raise LlmctlError(f"{repo} is not inside a git repository", "run `git init` first, or cd into the repository")
    path = Path(run_git(repo, "rev-parse", "--git-path", "hooks").decode().strip())
    return path if path.is_absolute() else (repo / path).resolve()


def _script() -> str:
    return files("llmctl.hooks").joinpath("pre-commit.sh").read_text("utf-8").replace("@PYTHON@", sys.executable)


def is_ours(path: Path) -> bool:
    """True when ``path`` is a hook llmctl wrote."""
    try:
        return MARKER in path.read_text("utf-8", "replace")
    except OSError:
        return False


def install(repo: Path) -> str:
    """Install the hook; returns what happened, in words."""
    d = hooks_dir(repo)
    d.mkdir(parents=True, exist_ok=True)
    hook = d / "pre-commit"
    note = "installed"
    if hook.exists() or hook.is_symlink():
        if is_ours(hook):
            note = "updated"
        elif (d / CHAINED).exists():
            raise LlmctlError(f"{d / CHAINED} exists already", "remove or rename it, then install again")
        else:
            os.replace(hook, d / CHAINED)
            note = "installed; your existing hook now runs first (pre-commit.llmctl-chained)"
    tmp = d / ".pre-commit.llmctl.tmp"
    tmp.write_text(_script(), "utf-8")
    tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.replace(tmp, hook)
    return f"{note}: {hook}"


def uninstall(repo: Path) -> str:
    """Remove our hook and put back the one it chained, if any."""
    d = hooks_dir(repo)
    hook = d / "pre-commit"
    if not is_ours(hook):
        raise LlmctlError(f"{hook} is not an llmctl hook", "nothing to uninstall")
    hook.unlink()
    if (d / CHAINED).exists() or (d / CHAINED).is_symlink():
        os.replace(d / CHAINED, hook)
        return f"removed; restored your previous hook at {hook}"
    return f"removed {hook}"
