"""The symbol store and `llmctl scan`: incremental re-scans, file selection, bad input."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git, run_cli, write
from llmctl.core.config import Config
from llmctl.core.project import Project, open_project
from llmctl.core.store.scan import scan
from llmctl.core.store.db import Store


def project(root: Path, **cfg) -> Project:
    return Project(root=root, config=Config(**cfg))


def ids(root: Path) -> set[str]:
    with Store(root / ".llmctl") as store:
        return {s.id for s in store.symbols()}


def test_rescan_parses_only_changed_files_and_forgets_deleted(git_repo: Path):
    for i in range(40):
        write(git_repo, f"pkg/m{i}.py", f"def f{i}(x):\n    return x\n")
    p = project(git_repo)
    first = scan(p)
    assert (first.files, first.parsed) == (40, 40)
    # Pretend the scan happened long after the writes, as it does in real use
    # (stat signatures written within the racy window are re-read on purpose).
    with Store(git_repo / ".llmctl") as store:
        store.conn.execute("UPDATE files SET checked_ns = mtime_ns + 10000000000")
    second = scan(p)
    assert (second.parsed, second.unchanged, second.rehashed) == (0, 40, 0)

    write(git_repo, "pkg/m3.py", "def renamed(x, y):\n    return x\n")
    (git_repo / "pkg/m7.py").unlink()
    third = scan(p)
    assert third.parsed == 1 and third.deleted == 1 and third.files == 39
    got = ids(git_repo)
    assert "pkg.m3.renamed" in got and "pkg.m3.f3" not in got
    assert not any(i.startswith("pkg.m7") for i in got)


def test_touched_but_unchanged_file_is_rehashed_not_reparsed(git_repo: Path):
    f = write(git_repo, "a.py", "def a(): ...\n")
    p = project(git_repo)
    scan(p)
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 5_000_000_000))
    again = scan(p)
    assert again.parsed == 0 and again.rehashed == 1


def test_git_mode_lists_tracked_and_untracked_but_not_ignored(git_repo: Path):
    write(git_repo, ".gitignore", "build/\n*_gen.py\n")
    write(git_repo, "tracked.py", "def t(): ...\n")
    git(git_repo, "add", "tracked.py", ".gitignore")
    git(git_repo, "commit", "-qm", "init")
    write(git_repo, "untracked.py", "def u(): ...\n")
    write(git_repo, "build/out.py", "def b(): ...\n")
    write(git_repo, "x_gen.py", "def g(): ...\n")
    scan(project(git_repo))
    got = ids(git_repo)
    assert {"tracked.t", "untracked.u"} <= got
    assert not {"build.out.b", "x_gen.g"} & got


def test_walk_outside_git_honours_nested_gitignore_and_config_globs(tmp_path: Path):
    root = tmp_path / "plain"
    write(root, ".gitignore", "ignored/\n")
    write(root, "sub/.gitignore", "secret.py\n")
    write(root, "keep.py", "def k(): ...\n")
    write(root, "ignored/x.py", "def x(): ...\n")
    write(root, "sub/secret.py", "def s(): ...\n")
    write(root, "sub/ok.py", "def o(): ...\n")
    write(root, "vendor/lib.py", "def v(): ...\n")
    write(root, "tests/test_a.py", "def test(): ...\n")
    write(root, "venv/pyvenv.cfg", "home = /usr\n")
    write(root, "venv/lib/site.py", "def site(): ...\n")
    scan(project(root, exclude=["vendor/"]))
    assert ids(root) == {"keep", "keep.k", "sub.ok", "sub.ok.o", "tests.test_a", "tests.test_a.test"}
    (root / ".llmctl" / "store.db").unlink()
    scan(project(root, include=["tests/"]))
    assert ids(root) == {"tests.test_a", "tests.test_a.test"}


def test_symlink_loops_are_not_followed(tmp_path: Path):
    root = tmp_path / "loop"
    write(root, "a/mod.py", "def m(): ...\n")
    os.symlink(root / "a", root / "a" / "again")  # a/again -> a: a loop
    os.symlink("/", root / "outside")              # never leaves the root
    report = scan(project(root))
    assert report.files == 1 and ids(root) == {"a.mod", "a.mod.m"}


def test_bad_files_are_skipped_and_counted(tmp_path: Path):
    root = tmp_path / "bad"
    write(root, "good.py", "def ok(): ...\n")
    (root / "blob.py").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    (root / "latin.py").write_bytes("# -*- coding: latin-1 -*-\ndef caf\u00e9(): 'd\u00e9j\u00e0'\n".encode("latin-1"))
    (root / "cp1252.js").write_bytes("/** Gr\u00fc\u00dfe aus K\u00f6ln, sch\u00f6ne Stra\u00dfe. */\nfunction gruss() {}\n".encode("cp1252"))
    (root / "utf16.py").write_bytes("def wide(): ...\n".encode("utf-16"))
    write(root, "huge.py", "x = 1\n" * 50)
    write(root, "broken.py", "def fine(): ...\ndef broken(:\n    pass\n")
    os.symlink(root / "missing.py", root / "dangling.py")
    report = scan(project(root, max_file_bytes=200))
    assert report.skipped == {"binary": 1, "oversize": 1, "unreadable": 1}
    assert report.partial == 1
    got = ids(root)
    assert {"good.ok", "latin.café", "cp1252.gruss", "utf16.wide", "broken.fine"} <= got
    with Store(root / ".llmctl") as store:
        enc = {r.path: r.encoding for r in store.files().values()}
    assert enc["latin.py"] == "latin-1" and enc["utf16.py"] == "utf-16"
    # The skips are remembered, and counted again on a re-scan that reads nothing.
    again = scan(project(root, max_file_bytes=200))
    assert again.skipped == report.skipped and again.parsed == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_skipped(tmp_path: Path):
    root = tmp_path / "perm"
    f = write(root, "locked.py", "def x(): ...\n")
    f.chmod(0)
    try:
        assert scan(project(root)).skipped == {"unreadable": 1}
    finally:
        f.chmod(0o644)


def test_permission_error_is_counted_not_fatal(tmp_path: Path, monkeypatch):
    # As root no file is unreadable, so the one fake in this suite: open() refuses.
    root = tmp_path / "perm"
    write(root, "locked.py", "def x(): ...\n")
    write(root, "fine.py", "def y(): ...\n")
    real_open = open

    def refusing_open(path, *a, **k):
        if str(path).endswith("locked.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", refusing_open)
    report = scan(project(root), jobs=1)
    assert report.skipped == {"unreadable": 1} and report.files == 1


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b""])
def test_corrupt_store_is_rebuilt(tmp_path: Path, content: bytes):
    root = tmp_path / "c"
    write(root, "a.py", "def a(): ...\n")
    scan(project(root))
    db = root / ".llmctl" / "store.db"
    for extra in ("store.db-wal", "store.db-shm"):
        (root / ".llmctl" / extra).unlink(missing_ok=True)
    db.write_bytes(content) if content else db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    report = scan(project(root))
    assert report.store_rebuilt and report.parsed == 1
    assert ids(root) == {"a", "a.a"}
    assert any(p.name.startswith("store.db.broken-") for p in (root / ".llmctl").iterdir())


def test_foreign_sqlite_file_is_moved_aside(tmp_path: Path):
    root = tmp_path / "f"
    write(root, "a.py", "def a(): ...\n")
    (root / ".llmctl").mkdir()
    other = sqlite3.connect(root / ".llmctl" / "store.db")
    other.execute("CREATE TABLE notes(x)")
    other.commit()
    other.close()
    report = scan(project(root))
    assert report.store_rebuilt == "not an llmctl store (foreign SQLite file)"
    assert ids(root) == {"a", "a.a"}


def test_concurrent_scans_leave_a_consistent_store(tmp_path: Path):
    root = tmp_path / "busy"
    for i in range(300):
        write(root, f"m{i}.py", f"def f{i}(a, b=1):\n    '''Doc {i}.'''\n    return a\n")
    code = ("import sys; from pathlib import Path; from llmctl.core.project import Project; "
            "from llmctl.core.config import Config; from llmctl.core.store.scan import scan; "
            "print(scan(Project(Path(sys.argv[1]), Config())).files)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0] and outs == ["300"] * 3
    with Store(root / ".llmctl") as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.conn.execute("SELECT COUNT(*) FROM symbols").fetchone()[0] == 600
        assert store.conn.execute("SELECT COUNT(DISTINCT path) FROM symbols").fetchone()[0] == 300


def test_scan_cli_table_and_json(example_copy: Path):
    table = run_cli("scan", cwd=example_copy, check=True)
    for lang in ("python", "javascript", "typescript", "go", "rust", "java"):
        assert lang in table.stdout
    assert "8 files" in table.stdout
    out = run_cli("scan", "--json", cwd=example_copy, check=True)
    data = json.loads(out.stdout)
    assert data["files"] == 8 and data["skipped"] == {}
    by_id = {s["id"]: s for s in data["symbols"]}
    reserve = by_id["inventory.stock.Stock.reserve"]
    assert {"id", "kind", "language", "path", "line", "end_line", "params", "returns", "doc"} <= reserve.keys()
    assert reserve["params"][3] == {"name": "partial", "kind": "keyword_only", "default": "False", "annotation": "bool"}
    assert set(reserve["doc"]) >= {"summary", "params", "returns", "raises"}
    assert reserve["doc"]["raises"][0]["type"] == "OutOfStock"
    assert by_id["engine.Rule.new"]["language"] == "rust"


def test_scan_of_a_subdirectory_keeps_the_rest_of_the_store(example_copy: Path):
    run_cli("scan", cwd=example_copy, check=True)
    run_cli("scan", "inventory", cwd=example_copy, check=True)
    data = json.loads(run_cli("scan", "--json", cwd=example_copy, check=True).stdout)
    assert data["files"] == 8


def test_project_root_is_found_from_a_subdirectory(example_copy: Path):
    assert open_project(example_copy / "web" / "src").root == example_copy.resolve()


def test_an_explicit_path_that_git_ignores_is_scanned_as_its_own_project(git_repo: Path):
    write(git_repo, ".gitignore", "vendor/\n")
    write(git_repo, "vendor/lib/mod.py", "def v(): ...\n")
    proc = run_cli("scan", "--json", "vendor/lib", cwd=git_repo, check=True)
    data = json.loads(proc.stdout)
    assert data["files"] == 1 and data["root"] == str((git_repo / "vendor" / "lib").resolve())
