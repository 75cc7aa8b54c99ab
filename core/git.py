"""Git access for checks and hooks: what is staged, what changed since a revision, blob contents.

Plain ``git`` subprocesses, all started by :func:`try_git` or :func:`run_git`:
a ``git`` process starts in a few milliseconds, while importing GitPython
costs more than the pre-commit hook's whole budget. Nothing here writes to the
index or the work tree.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from llmctl.core.errors import LlmctlError


def try_git(root: Path, *args: str, input: bytes | None = None) -> bytes | None:
    """``git -C root ARGS`` stdout, or None when git is missing or the command fails.

    The one place llmctl starts git: every other git helper goes through here
    or :func:`run_git`.
    """
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, input=input, check=False)
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def run_git(root: Path, *args: str, input: bytes | None = None, fix: str = "run it inside a git repository") -> bytes:
    """``git -C root ARGS`` stdout; a failure is an LlmctlError naming the command, git's reason and ``fix``."""
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, input=input, check=False)
    except OSError as err:
        raise LlmctlError(f"cannot run git: {err.strerror}", "install git") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LlmctlError(f"git {' '.join(args[:2])} failed in {root}: {msg[-1] if msg else proc.returncode}", fix)
    return proc.stdout


def prefix_in_repo(root: Path) -> str:
    """The project root's path inside its git work tree ('' at the top), with a trailing slash."""
    return run_git(root, "rev-parse", "--show-prefix").decode().strip()


def staged_changes(root: Path) -> tuple[list[str], list[str]]:
    """(changed-or-added paths, deleted paths) staged for commit, relative to ``root``."""
    out = try_git(root, "diff", "--cached", "--name-status", "-z", "--no-renames", "--relative")
    if out is None:
        if try_git(root, "rev-parse", "--git-dir") is None:
            raise LlmctlError(f"--staged: {root} is not inside a git repository",
                              "run it in a git repository, or drop --staged")
        out = run_git(root, "diff", "--cached", "--name-status", "-z", "--no-renames", "--relative")
    parts = out.decode("utf-8", "surrogateescape").split("\0")
    changed, deleted = [], []
    for status, path in zip(parts[0::2], parts[1::2]):
        (deleted if status.startswith("D") else changed).append(path)
    return changed, deleted


def changed_since(root: Path, rev: str) -> list[str]:
    """Paths that differ between ``rev`` and the work tree, relative to ``root``."""
    if try_git(root, "rev-parse", "--git-dir") is None:
        raise LlmctlError(f"--since {rev}: {root} is not inside a git repository", "drop --since, or run it in a git repository")
    if resolve_revision(root, rev) is None:
        raise LlmctlError(f"--since {rev}: no such revision in {root}", "name a commit, branch or tag (git log shows them)")
    out = run_git(root, "diff", "--name-only", "-z", "--relative", rev, "--")
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def index_blobs(root: Path, paths: list[str]) -> dict[str, bytes]:
    """The staged (index) content of ``paths``, in one ``git cat-file --batch`` call."""
    return revision_blobs(root, "", paths)


def resolve_revision(root: Path, rev: str) -> str | None:
    """The commit ``rev`` names, or None (an unknown revision; HEAD of a repository with no commit yet)."""
    out = try_git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return out.decode().strip() if out else None


def revision_blobs(root: Path, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The content of ``paths`` at ``rev`` (``""``: the index), in one ``git cat-file --batch`` call.

    Paths the revision does not have are left out.
    """
    if not paths:
        return {}
    prefix = prefix_in_repo(root)
    request = "".join(f"{rev}:{prefix}{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    out = run_git(root, "cat-file", "--batch", input=request)
    blobs: dict[str, bytes] = {}
    pos = 0
    for p in paths:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split()
        pos = nl + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        blobs[p] = out[pos:pos + size]
        pos += size + 1
    return blobs
