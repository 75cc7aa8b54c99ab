"""DOC401's data and model: examples mined from a real git history, a model trained and used by docs check."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.conftest import git, run_cli, write

BEFORE = '''
def total(items, tax=0.0):
    """Add up the prices of ``items`` and return the sum as a float.

    ``tax`` is a rate added on top.
    """
    return sum(i.price for i in items) * (1 + tax)
'''


def _commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def _history(repo: Path, rounds: int) -> None:
    """A history where half of the body edits also reword the doc comment."""
    write(repo, "shop/cart.py", BEFORE)
    write(repo, "tests/test_cart.py", "def test_total():\n    '''Totals.'''\n    assert True\n")
    _commit(repo, "start")
    for n in range(rounds):
        if n % 2:  # the code drops `tax` and returns a list: the doc is reworded with it
            write(repo, "shop/cart.py", f'''
                def total(items):
                    """Return each item's price, in order ({n})."""
                    return [i.price for i in items]
            ''')
        else:  # a refactor that keeps the meaning: the doc stays
            write(repo, "shop/cart.py", BEFORE.replace("sum(i.price for i in items)", f"sum([i.price for i in items]) + {n} * 0"))
        _commit(repo, f"change {n}")
        write(repo, "shop/cart.py", BEFORE)
        _commit(repo, f"revert {n}")
        # Layout-only and typo-only doc edits are not examples either way.
        write(repo, "shop/cart.py", BEFORE.replace("Add up the prices", "Add  up the prices").replace("return sum", "return  sum"))
        _commit(repo, f"layout {n}")
        write(repo, "shop/cart.py", BEFORE)
        _commit(repo, f"back {n}")


def test_history_is_mined_into_labelled_examples(git_repo: Path):
    from llmctl.trainers.history import mine, substantive

    _history(git_repo, 6)
    examples = list(mine(git_repo, max_commits=100))
    assert {e.path for e in examples} == {"shop/cart.py"}  # tests are skipped
    assert examples and all(len(e.x) == len(examples[0].x) for e in examples)
    changed = [e for e in examples if e.commit and e.new_doc.startswith("Return each item")]
    assert changed and all(e.label == 1 and e.params_changed for e in changed)
    kept = [e for e in examples if e.new_doc == e.old_doc]
    assert kept and all(e.label == 0 for e in kept)
    assert substantive("Add up the prices.", "Add  up the\nprices.") is False
    assert substantive("Add up the prices.", "Add up the pricse.") is None  # a typo fix is not counted
    assert substantive("Add up the prices.\n\n.. versionadded:: 2.0", "Add up the prices.\n\n.. versionadded:: 2.1") is None
    assert substantive("Add up the prices.", "Return the prices as a list.") is True


def test_a_property_setter_does_not_hide_the_getters_doc(git_repo: Path):
    """Getter and setter share one id; the setter has no doc: a getter's body edit is not a doc rewrite."""
    from llmctl.trainers.history import mine

    src = '''
class Box:
    @property
    def size(self):
        """The number of items in the box."""
        return len(self.items)

    @size.setter
    def size(self, value):
        self.items = self.items[:value]
'''
    write(git_repo, "box.py", src)
    _commit(git_repo, "box")
    write(git_repo, "box.py", src.replace("return len(self.items)", "return len(list(self.items))"))
    _commit(git_repo, "getter")
    examples = list(mine(git_repo, max_commits=10))
    assert [(e.symbol.rsplit(".", 1)[-1], e.label, e.new_doc) for e in examples] == [
        ("size", 0, "The number of items in the box.")], examples


def test_twins_sharing_an_id_are_paired_by_their_docs(git_repo: Path):
    """Rust's cfg twins and Java's overloads share an id. An edit elsewhere in the file is no example at all,
    and an edit of one twin pairs it with itself, not with its sibling's doc (which read as a doc rewrite)."""
    from llmctl.trainers.history import mine

    rust = '''
/// Entry.
pub struct Entry { ty: u8 }

impl Entry {
    /// Returns true if this entry is a directory.
    #[cfg(unix)]
    pub fn is_dir(&self) -> bool {
        self.ty == 1
    }

    /// Returns true if this entry is a directory.
    ///
    /// This works around a bug in the standard library on Windows.
    #[cfg(windows)]
    pub fn is_dir(&self) -> bool {
        self.ty & 16 != 0
    }
}

/// Counts entries.
pub fn count(n: u32) -> u32 {
    n
}
'''
    java = '''
public final class Builder {
  /** Adds one modifier to the type. */
  public Builder addModifier(Modifier m) {
    modifiers.add(m);
    return this;
  }

  /** Adds every modifier of {@code ms}, in order. */
  public Builder addModifier(Iterable<Modifier> ms) {
    for (Modifier m : ms) modifiers.add(m);
    return this;
  }
}
'''
    write(git_repo, "src/lib.rs", rust)
    write(git_repo, "src/Builder.java", java)
    _commit(git_repo, "twins")
    write(git_repo, "src/lib.rs", rust.replace("    n\n", "    n + 1\n"))  # neither twin touched
    write(git_repo, "src/Builder.java", java.replace("for (Modifier m : ms) modifiers.add(m);",
                                                     "ms.forEach(modifiers::add);"))  # the second overload only
    _commit(git_repo, "edit")
    got = sorted((e.path, e.symbol.rsplit(".", 1)[-1], e.label, e.old_doc.split(",")[0]) for e in mine(git_repo))
    assert got == [("src/Builder.java", "addModifier", 0, "Adds every modifier of {@code ms}"),
                   ("src/lib.rs", "count", 0, "Counts entries.")], got
    # docs check pairs them the same way: the untouched twins are not "changed code under an unchanged doc".
    from llmctl.analyzers import analyze
    from llmctl.analyzers.symbols import paired

    old = analyze(rust.encode(), "src/lib.rs", "rust").symbols
    new = analyze(rust.replace("    n\n", "    n + 1\n").encode(), "src/lib.rs", "rust").symbols
    assert [(a.doc_raw, a.body_hash == b.body_hash) for a, b in paired(old, new) if a.name == "is_dir"] == [
        (a.doc_raw, True) for a in old if a.name == "is_dir"]


def test_the_features_see_the_code_change_not_the_doc_rewrite():
    """A mined example (code and doc changed together) must look like the staged change that forgot the doc:
    a diff that kept the new doc's lines would hand the label to the model (doc words in changed lines)."""
    from llmctl.analyzers import analyze
    from llmctl.core.check.staleness import Change, features

    after_code = BEFORE.replace("items, tax=0.0", "items").replace(
        "sum(i.price for i in items) * (1 + tax)", "[i.price for i in items]")
    rewritten = after_code.replace('"""Add up the prices of ``items`` and return the sum as a float.\n\n'
                                   '    ``tax`` is a rate added on top.\n    """', '"""Return each item\'s price."""')
    assert rewritten != after_code

    def change(new_src: str) -> Change:
        (old,), (new,) = ([s for s in analyze(src.encode(), "cart.py", "python").symbols if s.name == "total"]
                          for src in (BEFORE, new_src))
        return Change.of(old, new, BEFORE.splitlines(), new_src.splitlines())

    mined, staged = change(rewritten), change(after_code)
    assert mined.diff() == staged.diff() and "Return each" not in mined.diff() and "tax" in mined.diff()
    assert features(mined)[0] == features(staged)[0]


def test_train_staleness_learns_from_the_repository_and_docs_check_uses_it(git_repo: Path):
    _history(git_repo, 24)
    proc = run_cli("train", "staleness", "--commits", "200", "--json", cwd=git_repo, check=True)
    result = json.loads(proc.stdout)
    assert result["positive"] >= 10 and result["examples"] - result["positive"] >= 10
    model = json.loads(Path(result["model"]).read_text())
    assert Path(result["model"]) == git_repo / ".llmctl" / "staleness.json" and model["weights"]
    # A staged change like the positives: flagged, with the reason; the doc updated with it: not flagged.
    write(git_repo, "shop/cart.py", '''
        def total(items):
            """Add up the prices of ``items`` and return the sum as a float.

            ``tax`` is a rate added on top.
            """
            return [i.price for i in items]
    ''')
    git(git_repo, "add", "-A")
    proc = run_cli("docs", "check", "--staged", "--format", "json", cwd=git_repo)
    findings = json.loads(proc.stdout)["findings"]
    stale = [f for f in findings if f["rule"] == "DOC401"]
    assert stale and stale[0]["symbol"] == "shop.cart.total" and "`tax`" in stale[0]["message"], findings
    write(git_repo, "shop/cart.py", '''
        def total(items):
            """Return each item's price, in order."""
            return [i.price for i in items]
    ''')
    git(git_repo, "add", "-A")
    proc = run_cli("docs", "check", "--staged", "--format", "json", cwd=git_repo)
    assert not [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "DOC401"]


def test_train_data_history_holds_a_repository_out_and_train_staleness_learns_from_it(git_repo: Path, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    _history(git_repo, 12)
    _history(other, 6)
    data = tmp_path / "data"
    proc = run_cli("train", "data", "--history", str(git_repo), str(other), "--split", "repo", "--out", str(data),
                   "--json", cwd=git_repo, check=True)
    stats = json.loads(proc.stdout)
    rows = {s: [json.loads(ln) for ln in (data / "history" / f"{s}.jsonl").read_text().splitlines()]
            for s in ("train", "test")}
    assert {r["repo"] for r in rows["train"]} == {"repo"} and {r["repo"] for r in rows["test"]} == {"other"}
    assert stats["train_examples"] == len(rows["train"]) and stats["test_positive"] == sum(r["label"] for r in rows["test"])
    assert all("def total" in r["old_code"] and "def total" in r["new_code"] for r in rows["train"])
    # The pretraining/SFT build replaces its folder, but keeps the history next to it.
    run_cli("train", "data", "--out", str(data), cwd=git_repo, check=True)
    assert (data / "sft").is_dir() and (data / "history" / "train.jsonl").is_file()
    proc = run_cli("train", "staleness", "--data", str(data), "--json", cwd=git_repo, check=True)
    result = json.loads(proc.stdout)
    assert result["examples"] == len(rows["train"]) + len(rows["test"])
    assert result["held_out"]["the model learned here"]["auc"] > 0.9, result["held_out"]
    assert json.loads(Path(result["model"]).read_text())["trained_on"] == ["other", "repo"]
    proc = run_cli("train", "data", "--history", str(git_repo), "--split", "repo", "--out", str(data), cwd=git_repo)
    assert proc.returncode == 2 and "--split repo" in proc.stderr


def test_too_little_history_is_a_clear_error(git_repo: Path):
    # A repository without a commit: one line, exit 2 (it ended in git's CalledProcessError traceback).
    proc = run_cli("train", "data", "--history", cwd=git_repo)
    assert proc.returncode == 2 and "no commits to mine" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    write(git_repo, "m.py", BEFORE)
    _commit(git_repo, "one")
    proc = run_cli("train", "staleness", cwd=git_repo)
    assert proc.returncode == 2 and "examples" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_suggest_prints_a_diff_and_writes_only_with_fix(git_repo: Path):
    import ast

    before = (Path(__file__).parent / "data/check/DOC401/change/_before/settings.py").read_text()
    after = (Path(__file__).parent / "data/check/DOC401/change/settings.py").read_text()
    write(git_repo, "settings.py", before)
    _commit(git_repo, "before")
    write(git_repo, "settings.py", after)
    git(git_repo, "add", "-A")
    proc = run_cli("docs", "check", "--staged", "--suggest", cwd=git_repo)
    assert proc.returncode in (0, 1), proc.stderr
    assert "DOC401" in proc.stdout
    offered = "--- a/settings.py" in proc.stdout
    assert offered or "offered no rewrite" in proc.stderr, (proc.stdout, proc.stderr)
    assert (git_repo / "settings.py").read_text() == after  # nothing written without --fix
    proc = run_cli("docs", "check", "--staged", "--suggest", "--fix", cwd=git_repo)
    now = (git_repo / "settings.py").read_text()
    ast.parse(now)
    assert (now != after) == offered
    assert git(git_repo, "diff", "--cached", "--name-only").split() == ["settings.py"]
    assert git(git_repo, "show", ":settings.py") == after  # the index is never touched
    proc = run_cli("docs", "check", "--suggest", cwd=git_repo)
    assert proc.returncode == 2 and "--staged" in proc.stderr


def test_doc401_weighs_what_the_model_learned_from_not_tests(git_repo: Path):
    """The same stale-making change: flagged in library code, not in a test module (the model never saw tests)."""
    before = (Path(__file__).parent / "data/check/DOC401/change/_before/settings.py").read_text()
    after = (Path(__file__).parent / "data/check/DOC401/change/settings.py").read_text()
    for path in ("settings.py", "tests/test_settings.py"):
        write(git_repo, path, before)
    _commit(git_repo, "before")
    for path in ("settings.py", "tests/test_settings.py"):
        write(git_repo, path, after)
    git(git_repo, "add", "-A")
    proc = run_cli("docs", "check", "--staged", "--format", "json", cwd=git_repo)
    stale = {f["path"] for f in json.loads(proc.stdout)["findings"] if f["rule"] == "DOC401"}
    assert stale == {"settings.py"}, proc.stdout


def test_a_class_is_not_its_own_methods_neighbour(git_repo: Path):
    """A method's reworded doc counts as the rest of the change for a function beside it, not for its class;
    and the method's doc lines inside the class's span are not a code change of the class."""
    from llmctl.core.check.staleness import FEATURES
    from llmctl.trainers.history import mine

    src = '''
class Cart:
    """A cart of items."""

    def total(self):
        """Sum the prices."""
        return sum(self.prices)


def count(items):
    """Count the items."""
    return len(items)
'''
    write(git_repo, "cart.py", src)
    _commit(git_repo, "one")
    two = (src.replace("Sum the prices.", "Sum the prices, in cents.")
           .replace("sum(self.prices)", "sum(self.prices) * 100").replace("len(items)", "len(list(items))"))
    write(git_repo, "cart.py", two)
    _commit(git_repo, "two")
    got = {e.symbol: e for e in mine(git_repo)}
    reworded = FEATURES.index("neighbours_reworded_log")
    assert got["cart.Cart"].x[reworded] == 0 and got["cart.count"].x[reworded] > 0
    assert "Sum the prices" not in got["cart.Cart"].diff and "* 100" in got["cart.Cart"].diff
    # The reason names the doc comments the change did reword, so the reader can compare.
    from llmctl.analyzers import analyze
    from llmctl.core.check.staleness import changes, features

    syms = [analyze(v.encode(), "cart.py", "python").symbols for v in (src, two)]
    count = next(c for c in changes(*syms, src.splitlines(), two.splitlines()) if c.old.name == "count")
    assert "reworded the doc comment of `Cart.total` in this file" in features(count)[1]["neighbours_reworded_log"]
    # A reworded docstring alone is no code change of its class.
    write(git_repo, "cart.py", two.replace("Sum the prices, in cents.", "Add up the prices, in cents."))
    _commit(git_repo, "three")
    assert [e.symbol for e in mine(git_repo, max_commits=1)] == []


def test_a_suggestion_in_docs_syncs_answer_format_is_not_offered():
    """The bundled adapter learned to answer "Summary: …" lines; as a doc comment rewrite that is noise."""
    from llmctl.analyzers import analyze
    from llmctl.core.check.staleness import Change
    from llmctl.core.check.suggest import plausible

    after = BEFORE.replace("items, tax=0.0", "items").replace("sum(i.price for i in items) * (1 + tax)",
                                                               "[i.price for i in items]")
    (old,), (new,) = ([s for s in analyze(src.encode(), "cart.py", "python").symbols if s.name == "total"]
                      for src in (BEFORE, after))
    change = Change.of(old, new, BEFORE.splitlines(), after.splitlines())
    assert plausible("Return the prices of ``items`` as a list.", change)
    assert not plausible("Summary: Return the prices of ``items`` as a list.", change)
    assert not plausible("Return the prices.Summary: Return the prices of ``items``.\nParameter `items`: the items.",
                         change)


def test_a_fields_doc_comment_is_no_code_change_of_its_type():
    """ky's style: JSDoc on interface fields, which no symbol owns, rewritten: the interface's code did not change."""
    from llmctl.analyzers import analyze
    from llmctl.core.check.staleness import Change

    ts = '''/** Options for a request. */
export interface Options {
\t/**
\tHTTP method used to make the request.
\t*/
\tmethod?: string;
\tretry?: number; /* the attempts */
}
'''
    for new_src, changed in ((ts.replace("HTTP method used", "The HTTP method used"), False),
                             (ts.replace("retry?: number", "retry?: number | boolean"), True)):
        (old,), (new,) = ([s for s in analyze(src.encode(), "src/types.ts", "typescript").symbols
                           if s.name == "Options"] for src in (ts, new_src))
        assert Change.of(old, new, ts.splitlines(), new_src.splitlines()).code_changed is changed


def test_a_suggestion_rewrites_the_summary_and_keeps_the_rest_of_the_doc():
    """Asked for a whole doc comment, the small model answers one sentence (httpx's `request` lost its parameter
    list): the prompt holds the first paragraph only, and the rest of the doc stands as it was."""
    from llmctl.analyzers import analyze
    from llmctl.core.check.staleness import Change
    from llmctl.core.check.suggest import prompt, split_doc

    doc = "Sends an HTTP request.\n\n**Parameters:**\n\n* **method** - HTTP method."
    assert split_doc(doc) == ("Sends an HTTP request.", "\n\n**Parameters:**\n\n* **method** - HTTP method.")
    assert split_doc("One line only.\n\n  \n") == ("One line only.", "")
    src = f'def request(method):\n    """{doc}"""\n    return send(method)\n'
    (old,), (new,) = ([s for s in analyze(v.encode(), "api.py", "python").symbols if s.name == "request"]
                      for v in (src, src.replace("send(method)", "send(method, retries=3)")))
    asked = prompt(Change.of(old, new, src.splitlines(), src.splitlines()))
    assert asked.endswith('New doc comment:\n"""') and '"""Sends an HTTP request."""' in asked
    assert "**Parameters:**" not in asked


def test_doc_comments_reworded_in_other_files_count_for_a_symbol(git_repo: Path):
    """A change that rewords doc comments in one file and leaves another file's alone: the untouched doc's
    symbol sees the rest of the change (held out, this lifted AUC 0.888 -> 0.896), and the reason says so."""
    from llmctl.core.check.staleness import FEATURES
    from llmctl.trainers.history import mine

    write(git_repo, "a.py", 'def f(x):\n    """Double x."""\n    return x * 2\n')
    write(git_repo, "b.py", 'def g(y):\n    """Halve y."""\n    return y / 2\n\n\ndef h(y):\n    """Third of y."""\n'
                            '    return y / 3\n')
    _commit(git_repo, "one")
    write(git_repo, "a.py", 'def f(x):\n    """Double x."""\n    return x * 2.0\n')
    write(git_repo, "b.py", 'def g(y):\n    """Halve y, as a float."""\n    return y / 2.0\n\n\ndef h(y):\n'
                            '    """Third of y, as a float."""\n    return y / 3.0\n')
    _commit(git_repo, "two")
    got = {e.symbol: e for e in mine(git_repo, max_commits=1)}
    reworded, changed = FEATURES.index("elsewhere_reworded_log"), FEATURES.index("elsewhere_changed_log")
    assert got["a.f"].x[reworded] == pytest.approx(math.log1p(2)) and got["a.f"].x[changed] == pytest.approx(math.log1p(2))
    assert got["b.g"].x[reworded] == 0 and got["b.g"].x[changed] == pytest.approx(math.log1p(1))
    # A test file's reworded docs are not counted: mining leaves tests out, and the hook counts alike.
    from llmctl.analyzers import analyze
    from llmctl.core.check.staleness import file_counts

    before, after = ('def test_f():\n    """Checks f."""\n    assert f(1) == 2\n',
                     'def test_f():\n    """Checks f, as a float."""\n    assert f(1) == 2.0\n')
    syms = [analyze(v.encode(), "tests/test_a.py", "python").symbols for v in (before, after)]
    assert file_counts(*syms) == (0, 0)
    assert file_counts(*[analyze(v.encode(), "a.py", "python").symbols for v in (before, after)]) == (1, 1)
