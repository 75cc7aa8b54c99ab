"""The git pre-commit hook: install, chaining, uninstall, block/warn, and what it never touches."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import git, run_cli, write

GOOD = 'def add(a, b):\n    """Add.\n\n    Args:\n        a: First.\n        b: Second.\n\n    Returns:\n        The sum.\n    """\n    return a + b\n'
BAD = GOOD.replace("def add(a, b):", "def add(x, b):").replace("return a + b", "return x + b")


def commit(repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@e", NO_COLOR="1")
    return subprocess.run(["git", "commit", "-qm", "change", *extra], cwd=repo, env=env, capture_output=True, text=True)


def setup_repo(repo: Path) -> None:
    write(repo, "m.py", GOOD)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")


def test_hook_blocks_drift_and_no_verify_bypasses(git_repo):
    setup_repo(git_repo)
    run_cli("hooks", "install", cwd=git_repo, check=True)
    write(git_repo, "m.py", BAD)
    git(git_repo, "add", "m.py")
    index_before = git(git_repo, "diff", "--cached")
    blocked = commit(git_repo)
    assert blocked.returncode != 0 and "DOC101" in blocked.stdout + blocked.stderr
    assert git(git_repo, "diff", "--cached") == index_before  # the index is untouched
    assert (git_repo / "m.py").read_text() == BAD            # and so is the work tree
    assert commit(git_repo, "--no-verify").returncode == 0


def test_hook_on_a_never_scanned_repository_and_clean_commit(git_repo):
    setup_repo(git_repo)
    run_cli("hooks", "install", cwd=git_repo, check=True)
    assert not (git_repo / ".llmctl").exists()
    write(git_repo, "m.py", GOOD.replace("return a + b", "return b + a"))
    git(git_repo, "add", "m.py")
    assert commit(git_repo).returncode == 0


def test_warn_mode_reports_but_commits(git_repo):
    setup_repo(git_repo)
    write(git_repo, "llmctl.toml", '[hooks]\nmode = "warn"\n')
    run_cli("hooks", "install", cwd=git_repo, check=True)
    write(git_repo, "m.py", BAD)
    git(git_repo, "add", "m.py", "llmctl.toml")
    done = commit(git_repo)
    assert done.returncode == 0 and "DOC101" in done.stdout + done.stderr


def test_existing_hook_is_chained_and_restored_exactly(git_repo):
    setup_repo(git_repo)
    hook = git_repo / ".git/hooks/pre-commit"
    original = "#!/bin/sh\necho previous-hook-ran\nexit 0\n"
    hook.write_text(original)
    hook.chmod(0o751)
    run_cli("hooks", "install", cwd=git_repo, check=True)
    assert "llmctl pre-commit hook" in hook.read_text()
    write(git_repo, "m.py", GOOD.replace("return a + b", "return b + a"))
    git(git_repo, "add", "m.py")
    done = commit(git_repo)
    assert done.returncode == 0 and "previous-hook-ran" in done.stdout + done.stderr
    run_cli("hooks", "install", cwd=git_repo, check=True)  # twice is fine, and chains nothing new
    run_cli("hooks", "uninstall", cwd=git_repo, check=True)
    assert hook.read_text() == original and oct(hook.stat().st_mode & 0o777) == "0o751"
    assert not (git_repo / ".git/hooks/pre-commit.llmctl-chained").exists()


def test_failing_chained_hook_still_blocks(git_repo):
    setup_repo(git_repo)
    hook = git_repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho no\nexit 3\n")
    hook.chmod(0o755)
    run_cli("hooks", "install", cwd=git_repo, check=True)
    write(git_repo, "m.py", GOOD.replace("return a + b", "return b + a"))
    git(git_repo, "add", "m.py")
    assert commit(git_repo).returncode != 0


def test_uninstall_without_our_hook_and_install_outside_git(tmp_path, git_repo):
    assert run_cli("hooks", "uninstall", cwd=git_repo).returncode == 2
    plain = tmp_path / "plain"
    plain.mkdir()
    proc = run_cli("hooks", "install", cwd=plain)
    assert proc.returncode == 2 and "not inside a git repository" in proc.stderr


def test_core_hookspath_is_honoured(git_repo):
    setup_repo(git_repo)
    git(git_repo, "config", "core.hooksPath", "githooks")
    run_cli("hooks", "install", cwd=git_repo, check=True)
    assert "llmctl pre-commit hook" in (git_repo / "githooks/pre-commit").read_text()


def test_pre_commit_framework_manifest():
    import yaml

    manifest = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"]: h for h in manifest}
    hook = ids["llmctl-docs-check"]
    assert hook["entry"] == "llmctl-pre-commit"
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
