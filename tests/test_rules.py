"""Every drift rule against fixture files: ``tests/data/check/<CODE>/<case>`` and ``<case>.expected``.

A case is a file (placed at the root of a fresh project) or a folder (copied, its llmctl.toml read)
as the project). A folder with a ``_before/`` folder is a change: ``_before/`` is committed to a fresh
git repository, the case's other files are laid over it, and the check runs on ``--since HEAD``. ``<case>.expected`` lists every finding the whole check must
report on it, one ``RULE path:line symbol`` per line (``#`` starts a comment),
so a case also proves the other rules stay quiet. Adding a rule means adding
its folder here; a registered rule without one fails the suite.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmctl.core.check.rules import RULES, Finding, rule
from llmctl.core.check.run import run_check
from llmctl.core.config import load_config
from llmctl.core.project import Project

DATA = Path(__file__).parent / "data" / "check"
CASES = sorted(p for d in DATA.iterdir() if d.is_dir() for p in d.iterdir() if not p.name.endswith(".expected"))


def _expected(case: Path) -> set[str]:
    lines = case.with_name(case.name + ".expected").read_text().splitlines()
    return {ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")}


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(case: Path, tmp_path: Path):
    root = tmp_path / "project"
    since = None
    if case.is_dir() and (case / "_before").is_dir():
        from tests.conftest import git

        shutil.copytree(case / "_before", root)
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "before")
        shutil.copytree(case, root, ignore=shutil.ignore_patterns("_before"), dirs_exist_ok=True)
        since = "HEAD"
    elif case.is_dir():
        shutil.copytree(case, root)
    else:
        root.mkdir()
        shutil.copy(case, root / case.name)
    result = run_check(Project(root=root, config=load_config(root)), since=since)
    found = {f"{f.rule} {f.path}:{f.line} {f.symbol}" for f in result.findings}
    assert found == _expected(case)


def test_every_rule_has_a_fixture_that_fires_it():
    fired = {line.split()[0] for case in CASES for line in _expected(case)}
    assert set(RULES) <= {d.name for d in DATA.iterdir() if d.is_dir()}
    assert set(RULES) <= fired


def test_unknown_codes_are_refused():
    with pytest.raises(ValueError):
        Finding("DOC999", "m.py", 1, "m.f", "no such rule")
    with pytest.raises(ValueError):
        rule("XYZ001", "error", "t", "e", "f")  # unknown family
    with pytest.raises(ValueError):
        rule("DOC101", "error", "t", "e", "f")  # declared already
    with pytest.raises(ValueError):
        rule("DOC990", "fatal", "t", "e", "f")  # unknown severity


def test_a_finding_names_a_parameter_as_its_language_writes_it(tmp_path: Path):
    """Java's ``Object... args`` is ``args`` in a finding (the store keeps varargs as ``*args``, Python's way)."""
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "Block.java").write_text(
        "public class Block {\n"
        "  /**\n   * Adds code.\n   *\n   * @param format the format\n   * @return this builder\n   */\n"
        "  public Block add(String format, Object... args) { return this; }\n}\n")
    (root / "calc.py").write_text('def total(*items):\n    """Sum.\n\n    Returns:\n        int: The sum.\n    """\n'
                                  '    return sum(items)\n')
    result = run_check(Project(root=root, config=load_config(root)))
    messages = sorted(f.message for f in result.findings if f.rule == "DOC102")
    assert messages == ["parameter `*items` is not in the doc comment", "parameter `args` is not in the doc comment"]
