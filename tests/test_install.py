"""A light core install: `pip install llmctl` (what pre-commit installs) runs scan, check, the hook and
facts-only docs sync, and a command that needs an extra says which, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, git, write

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_core_install_runs_the_hook_and_names_missing_extras(tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + [str(REPO)], check=True, env=dict(os.environ, PIP_NO_INPUT="1"))
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                               capture_output=True, text=True, check=True).stdout.lower()
    for heavy in ("torch", "transformers", "llama-cpp-python", "faiss-cpu", "sentence-transformers"):
        assert f"{heavy}==" not in installed, heavy
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, "m.py", 'def f(a, c):\n    """Sum.\n\n    Args:\n        a: A.\n        b: B.\n    """\n    return a + c\n')
    env = dict(os.environ, HF_HUB_OFFLINE="1", NO_COLOR="1")
    llmctl = str(venv / "bin" / "llmctl")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([llmctl, *args], cwd=repo, capture_output=True, text=True, env=env)

    assert run("scan").returncode == 0
    assert run("docs", "check").returncode == 1
    assert run("docs", "sync", "--no-model").returncode == 0 and (repo / "docs/api/m.md").is_file()
    git(repo, "add", "m.py")
    hook = subprocess.run([str(venv / "bin" / "llmctl-pre-commit")], cwd=repo, capture_output=True, text=True, env=env)
    assert hook.returncode == 1 and "DOC101" in hook.stdout
    for args, extra in ((["search", "x"], "search"), (["serve"], "serve"), (["train", "data"], "train")):
        proc = run(*args)
        assert proc.returncode == 2 and f"llmctl[{extra}]" in proc.stderr, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1
