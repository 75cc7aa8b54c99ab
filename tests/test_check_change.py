"""`--staged` and `--since` speak only of the change; wrong input is an error, not a pass."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git, run_cli, write

LEGACY = '''
def area(w, h, unit):
    """Area.

    Args:
        w: Width.
        height: Height (stale since a rename long ago).

    Returns:
        The area.
    """
    return w * h
'''


def _findings(root: Path, *args: str) -> list[tuple[str, str]]:
    proc = run_cli("docs", "check", "--format", "json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((f["rule"], f["symbol"]) for f in json.loads(proc.stdout)["findings"])


def _repo(git_repo: Path) -> Path:
    write(git_repo, "geo.py", LEGACY)
    write(git_repo, "README.md", "Call `geo.volume()`: it was removed long ago.\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "legacy")
    return git_repo


def test_comment_only_edit_passes_the_hook_despite_old_findings(git_repo: Path):
    root = _repo(git_repo)
    assert ("DOC101", "geo.area") in _findings(root)  # the backlog is there for a whole-tree check
    write(root, "geo.py", LEGACY.replace("    return w * h", "    # multiply\n    return w * h"))
    git(root, "add", "geo.py")
    assert _findings(root, "--staged") == []
    assert run_cli("docs", "check", "--staged", cwd=root).returncode == 0


def test_a_rename_reports_only_what_it_breaks(git_repo: Path):
    root = _repo(git_repo)
    write(root, "shapes.py", 'def scale(shape, factor):\n    """Scale.\n\n    Args:\n        shape: What.\n'
                             '        factor: How much.\n    """\n    return shape\n')
    write(root, "docs/guide.md", "Use `scale()` with a factor.\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "scale")
    write(root, "shapes.py", 'def scale(shape, ratio):\n    """Scale.\n\n    Args:\n        shape: What.\n'
                             '        factor: How much.\n    """\n    return shape\n')
    git(root, "add", "shapes.py")
    # README.md's old false reference and geo.py's old drift are not this commit's.
    assert _findings(root, "--staged") == [("DOC101", "shapes.scale"), ("DOC102", "shapes.scale")]
    git(root, "commit", "-qm", "rename", "--no-verify")
    assert _findings(root, "--since", "HEAD~1") == [("DOC101", "shapes.scale"), ("DOC102", "shapes.scale")]


def test_removing_a_function_flags_untouched_markdown_that_names_it(git_repo: Path):
    root = _repo(git_repo)
    write(root, "tool.py", "def render_page(x):\n    return x\n")
    write(root, "docs/usage.md", "Call `render_page()` to draw.\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "tool")
    write(root, "tool.py", "def draw(x):\n    return x\n")
    git(root, "add", "tool.py")
    assert _findings(root, "--staged") == [("MD001", "render_page")]


def test_wrong_input_is_an_error(git_repo: Path, tmp_path: Path):
    root = _repo(git_repo)
    for args, word in ((["no/such/file.py"], "no/such/file.py"), (["--staged", "--since", "HEAD"], "--staged"),
                       (["--since", "no-such-rev"], "no-such-rev")):
        proc = run_cli("docs", "check", *args, cwd=root)
        assert proc.returncode == 2 and word in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, args
    write(root, "llmctl.toml", "[check]\nignore = ['DOC999x']\n")
    proc = run_cli("docs", "check", cwd=root)
    assert proc.returncode == 2 and "DOC999x" in proc.stderr and "llmctl.toml" in proc.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    write(outside, "m.py", "def f():\n    pass\n")
    proc = run_cli("docs", "check", "--staged", cwd=outside)
    assert proc.returncode == 2 and "not inside a git repository" in proc.stderr
