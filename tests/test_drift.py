"""`llmctl docs check` as a whole: docs sync + GEN, --accept, filters, baseline, formats, --staged.

Each rule on its own is tested by the fixture files of tests/test_rules.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import git, run_cli, write
from llmctl.core.check.run import run_check
from llmctl.core.config import Config
from llmctl.core.project import Project


def check(root: Path, **cfg) -> list[tuple[str, str]]:
    """(rule, symbol) of each finding in the repository at ``root``."""
    result = run_check(Project(root=root, config=Config(**cfg)))
    return [(f.rule, f.symbol) for f in result.findings]


PY_STYLES = {
    "google": '''def f(a, c):
    """Sum.

    Args:
        a: The a.
        b: The b.

    Returns:
        int: The sum.
    """
    return a + c
''',
    "numpy": '''def f(a, c):
    """Sum.

    Parameters
    ----------
    a : int
        The a.
    b : int
        The b.

    Returns
    -------
    int
        The sum.
    """
    return a + c
''',
    "sphinx": '''def f(a, c):
    """Sum.

    :param a: The a.
    :param b: The b.
    :returns: The sum.
    """
    return a + c
''',
}


def test_generated_sections_stale_gone_and_missing(example_copy):
    assert run_cli("docs", "sync", "--no-model", cwd=example_copy).returncode == 0
    found = check(example_copy)
    assert not [f for f in found if f[0].startswith("GEN")]
    # cartTotal's @throws {RangeError} is thrown in its reduce callback: JSDoc's custom, not a finding.
    assert ("DOC301", "web.src.cart.cartTotal") not in found
    stock = example_copy / "inventory/stock.py"
    text = stock.read_text()
    text = text.replace("    def available(self, sku: str) -> int:", "    def available(self, sku: str, at: int = 0) -> int:")
    text = text.replace("    def release(self, sku, quantity):", "    def give_back(self, sku, quantity):")
    stock.write_text(text)
    write(example_copy, "inventory/extra.py", "def brand_new(x):\n    return x\n")
    found = check(example_copy)
    # Sections are named by public path: inventory/__init__.py re-exports Stock.
    assert ("GEN001", "inventory.Stock.available") in found
    assert ("GEN002", "inventory.Stock.release") in found
    assert ("GEN003", "inventory.Stock.give_back") in found
    assert ("GEN003", "inventory.extra.brand_new") in found


def test_anchored_links_broken_stale_and_accept(git_repo):
    write(git_repo, "lib/calc.py", "def area(w, h):\n    return w * h\n")
    write(git_repo, "docs/guide.md", "See [area](../lib/calc.py#area) and [gone](../lib/calc.py#volume).\n")
    found = sorted(check(git_repo))
    assert found == [("ANC001", "volume"), ("ANC003", "calc.area")]
    assert run_cli("docs", "check", "--accept", cwd=git_repo).returncode == 0
    lock = json.loads((git_repo / "llmctl.lock").read_text())
    assert list(lock["anchors"]) == ["docs/guide.md#lib/calc.py#area"]
    assert sorted(check(git_repo)) == [("ANC001", "volume")]
    write(git_repo, "lib/calc.py", "def area(w, h):\n    return abs(w) * abs(h)\n")
    assert sorted(check(git_repo)) == [("ANC001", "volume"), ("ANC002", "calc.area")]


def test_select_ignore_per_path_severity_and_inline_suppression(tmp_path):
    write(tmp_path, "src/m.py", PY_STYLES["google"])
    write(tmp_path, "tests/t.py", PY_STYLES["google"])
    write(tmp_path, "src/quiet.py", PY_STYLES["google"].replace("def f(a, c):", "def f(a, c):  # llmctl: ignore[DOC101]"))
    assert sorted(check(tmp_path, check={"select": ["DOC101"]})) == [
        ("DOC101", "m.f"), ("DOC101", "tests.t.f")]
    assert ("DOC102", "m.f") not in check(tmp_path, check={"ignore": ["DOC102"]})
    assert not [s for _, s in check(tmp_path, check={"per_path_ignores": {"tests/**": ["DOC"]}}) if s.startswith("tests")]
    assert ("DOC101", "quiet.f") not in check(tmp_path) and ("DOC102", "quiet.f") in check(tmp_path)
    result = run_check(Project(root=tmp_path, config=Config(check={"severity": {"DOC102": "info"}})))
    assert {f.severity for f in result.findings if f.rule == "DOC102"} == {"info"}


def test_baseline_lets_legacy_drift_pass_and_catches_new(tmp_path):
    write(tmp_path, "m.py", PY_STYLES["google"])
    assert run_cli("docs", "check", "--generate-baseline", "baseline.json", cwd=tmp_path).returncode == 0
    assert run_cli("docs", "check", "--baseline", "baseline.json", cwd=tmp_path).returncode == 0
    write(tmp_path, "n.py", PY_STYLES["numpy"])
    proc = run_cli("docs", "check", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert {f["symbol"] for f in data["findings"]} == {"n.f"} and data["summary"]["baselined"] == 2


def test_output_formats_and_exit_codes(tmp_path):
    write(tmp_path, "m.py", PY_STYLES["google"])
    js = run_cli("docs", "check", "--format", "json", cwd=tmp_path)
    assert js.returncode == 1
    data = json.loads(js.stdout)
    assert set(data["findings"][0]) >= {"rule", "path", "line", "symbol", "message", "severity"}
    assert data["summary"]["by_rule"] == {"DOC101": 1, "DOC102": 1}
    sarif = json.loads(run_cli("docs", "check", "--format", "sarif", cwd=tmp_path).stdout)
    assert sarif["version"] == "2.1.0"
    res = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in res} == {"DOC101", "DOC102"}
    assert res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "m.py"
    gh = run_cli("docs", "check", "--format", "github", cwd=tmp_path).stdout.splitlines()
    assert gh[0].startswith("::error file=m.py,line=1,title=llmctl DOC101::")
    assert run_cli("docs", "check", "--fail-on", "error", "--select", cwd=tmp_path).returncode == 2
    assert run_cli("docs", "check", "--format", "xml", cwd=tmp_path).returncode == 2
    assert run_cli("docs", "check", "--fail-on", "error", cwd=tmp_path).returncode == 1  # DOC101 is an error
    write(tmp_path, "llmctl.toml", "[check]\nignore = ['DOC101']\n")
    assert run_cli("docs", "check", "--fail-on", "error", cwd=tmp_path).returncode == 0
    explain = run_cli("docs", "check", "--explain", "GEN001", cwd=tmp_path)
    assert explain.returncode == 0 and "stale" in explain.stdout


def test_staged_reads_the_index_not_the_work_tree(git_repo):
    write(git_repo, "m.py", PY_STYLES["google"].replace("def f(a, c)", "def f(a, b)").replace("a + c", "a + b"))
    git(git_repo, "add", "m.py")
    git(git_repo, "commit", "-qm", "init")
    assert check(git_repo) == []
    # stage a rename that breaks the doc, then repair the work tree without staging
    write(git_repo, "m.py", PY_STYLES["google"])
    git(git_repo, "add", "m.py")
    write(git_repo, "m.py", PY_STYLES["google"].replace("def f(a, c)", "def f(a, b)").replace("a + c", "a + b"))
    before_index = git(git_repo, "diff", "--cached")
    before_tree = (git_repo / "m.py").read_text()
    staged = json.loads(run_cli("docs", "check", "--staged", "--format", "json", cwd=git_repo).stdout)
    assert {(f["rule"], f["symbol"]) for f in staged["findings"]} == {("DOC101", "m.f"), ("DOC102", "m.f")}
    assert git(git_repo, "diff", "--cached") == before_index and (git_repo / "m.py").read_text() == before_tree
    # and the other way round: a good index with a broken work tree passes --staged
    git(git_repo, "add", "m.py")
    write(git_repo, "m.py", PY_STYLES["google"])
    assert run_cli("docs", "check", "--staged", cwd=git_repo).returncode == 0
    assert run_cli("docs", "check", cwd=git_repo).returncode == 1


def test_staged_includes_markdown_that_mentions_a_removed_function(git_repo):
    write(git_repo, "tool.py", "def render_page(x):\n    return x\n")
    write(git_repo, "README.md", "Call `render_page()` to draw.\n")
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "-qm", "init")
    run_cli("scan", cwd=git_repo, check=True)
    write(git_repo, "tool.py", "def draw(x):\n    return x\n")
    git(git_repo, "add", "tool.py")
    out = json.loads(run_cli("docs", "check", "--staged", "--format", "json", cwd=git_repo).stdout)
    assert [(f["rule"], f["path"], f["symbol"]) for f in out["findings"]] == [("MD001", "README.md", "render_page")]
