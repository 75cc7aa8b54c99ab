"""Shared test helpers: the real CLI in a subprocess, real git repositories in temp dirs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "inventory"
LLMCTL = shutil.which("llmctl", path=str(Path(sys.executable).parent)) or "llmctl"


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = False,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``llmctl`` console script, as a user would."""
    full_env = dict(os.environ, HF_HUB_OFFLINE="1", NO_COLOR="1", COLUMNS="200")
    full_env.pop("LLMCTL_STORE", None)
    full_env.update(env or {})
    proc = subprocess.run([LLMCTL, *args], cwd=cwd, env=full_env, capture_output=True, text=True, input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"llmctl {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return its stdout."""
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def write(root: Path, rel: str, text: str) -> Path:
    """Write dedented ``text`` to ``root/rel``, creating folders."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """An empty real git repository."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the sample repository (tests may write to it)."""
    dst = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, dst, ignore=shutil.ignore_patterns(".llmctl", "docs"))
    return dst
