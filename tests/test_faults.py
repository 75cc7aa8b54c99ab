"""Faults and bad input, produced for real: one clear line, exit 2, nothing lost, and the next run heals.

Disk full is a tmpfs mounted small, read-only a read-only bind mount (both need
root and mount; skipped with the reason otherwise); damage is bytes overwritten
in the middle of the real files; kills are SIGKILL at a chosen point (a test
hook env var makes the process wait there). Each test checks the exit code,
one line on stderr naming the file or option and the fix, no traceback, no
half-written file, no process left behind, and that the next ordinary run
succeeds with the result of a clean run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from conftest import LLMCTL, git, run_cli, write

pytestmark = pytest.mark.timeout(600)


def one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    """Assert exit 2 and a single stderr line containing ``words``; return it."""
    err = proc.stderr.strip()
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and len(err.splitlines()) == 1, err
    assert err.startswith("llmctl: error: "), err
    for w in words:
        assert w in err, (w, err)
    return err


def _can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path("/tmp") / f"llmctl-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", str(probe)], check=False)
    probe.rmdir()
    return ok


needs_mount = pytest.mark.skipif(not _can_mount(), reason="needs root and mount (tmpfs, read-only bind mounts)")


@contextmanager
def mounted(target: Path, *args: str):
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", *args, str(target)], check=True)
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def _pid_gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        if Path(f"/proc/{pid}/stat").is_file() and Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return True
        time.sleep(0.2)
    return False


# -- configuration and the store ---------------------------------------------------------

def test_config_that_is_not_utf8(tmp_path: Path):
    (tmp_path / "llmctl.toml").write_bytes(b"jobs = 1\n# caf\xe9 \xff\xfe\n")
    one_line_error(run_cli("scan", cwd=tmp_path), "llmctl.toml", "UTF-8")
    (tmp_path / "llmctl.toml").write_text("jobs = 1\n")
    assert run_cli("scan", cwd=tmp_path).returncode == 0


def test_page_level_corruption_of_the_store_heals(example_copy: Path):
    clean = run_cli("docs", "check", "--format", "json", cwd=example_copy)
    db = example_copy / ".llmctl" / "store.db"
    size = db.stat().st_size
    with db.open("r+b") as fh:  # keep the header, wreck the pages after it
        fh.seek(4096)
        fh.write(os.urandom(min(size - 4096, 16384)))
    first = run_cli("docs", "check", "--format", "json", cwd=example_copy)
    if first.returncode == 2:
        one_line_error(first, "damaged")
        first = run_cli("docs", "check", "--format", "json", cwd=example_copy)
    assert first.returncode == clean.returncode and json.loads(first.stdout)["findings"] == json.loads(clean.stdout)["findings"]


@needs_mount
def test_disk_full_while_creating_the_store_and_writing_pages(example_copy: Path, tmp_path: Path):
    with mounted(tmp_path / "tiny", "-t", "tmpfs", "-o", "size=48k", "tmpfs") as tiny:
        proc = run_cli("scan", "--store", str(tiny / "store"), cwd=example_copy)
        one_line_error(proc, str(tiny / "store"), "free disk space")
    assert run_cli("scan", cwd=example_copy).returncode == 0
    docs = example_copy / "docs"
    with mounted(docs, "-t", "tmpfs", "-o", "size=8k", "tmpfs"):
        proc = run_cli("docs", "sync", "--no-model", cwd=example_copy)
        one_line_error(proc, "free disk space")
        leftovers = [p.name for p in docs.rglob("*") if p.name.endswith(".tmp")]
        assert leftovers == []
    assert run_cli("docs", "sync", "--no-model", cwd=example_copy).returncode == 0


@needs_mount
def test_read_only_filesystem(example_copy: Path, tmp_path: Path, git_repo: Path):
    run_cli("scan", cwd=example_copy, check=True)
    plain = tmp_path / "plain"
    write(plain, "m.py", "def f():\n    pass\n")
    with mounted(tmp_path / "roplain", "--bind", str(plain)) as roplain:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(roplain)], check=True)
        one_line_error(run_cli("init", cwd=roplain), "llmctl.toml", "writ")
    ro = tmp_path / "ro"
    with mounted(ro, "--bind", str(example_copy)):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True)
        proc = run_cli("scan", cwd=ro)
        one_line_error(proc, ".llmctl", "writable")
        assert not list((ro / ".llmctl").glob("store.db.broken-*"))  # a healthy store is not "corrupt"
    with mounted(tmp_path / "rohooks", "--bind", str(git_repo / ".git" / "hooks")):
        subprocess.run(["mount", "-o", "remount,bind,ro", str(tmp_path / "rohooks")], check=True)
        hooks = git_repo / ".git" / "hooks"
        with mounted(hooks, "--bind", str(tmp_path / "rohooks")):
            one_line_error(run_cli("hooks", "install", cwd=git_repo), "pre-commit")
    assert run_cli("hooks", "install", cwd=git_repo).returncode == 0


# -- training commands -------------------------------------------------------------------

def test_eval_and_export_of_what_is_not_there(tmp_path: Path):
    one_line_error(run_cli("eval", "/no/such/model.gguf", cwd=tmp_path), "/no/such/model.gguf")
    (tmp_path / "out").mkdir()
    (tmp_path / "model").mkdir()
    one_line_error(run_cli("export", "gguf", "model", "--out", "out", cwd=tmp_path), "--out", "folder")
    one_line_error(run_cli("export", "gguf", "missing", "--out", "m.gguf", cwd=tmp_path), "missing")


# -- the search index --------------------------------------------------------------------

@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Path:
    import click

    root = tmp_path_factory.mktemp("faults") / "repo"
    shutil.copytree(Path(click.__file__).parent, root / "click", ignore=shutil.ignore_patterns("__pycache__"))
    git(root, "init", "-q")
    run_cli("index", cwd=root, check=True)
    return root


def _top(root: Path, query: str = "parse command line options") -> list[str]:
    proc = run_cli("search", query, "--json", "--no-refresh", "-k", "5", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return [h["symbol"] for h in json.loads(proc.stdout)["results"]]


@pytest.mark.parametrize("victim", ["vectors.npy", "rowids.npy", "manifest.json"])
def test_damaged_index_files_are_verified_and_rebuilt(indexed: Path, victim: str):
    clean = _top(indexed)
    gen = next((indexed / ".llmctl" / "index").glob("gen-*"))
    path = gen / victim
    if victim == "rowids.npy":
        path.write_bytes(b"")
    else:
        data = bytearray(path.read_bytes())
        mid = len(data) // 2
        data[mid:mid + 64] = os.urandom(min(64, len(data) - mid))
        path.write_bytes(bytes(data))
    assert _top(indexed) == clean
    again = json.loads(run_cli("index", "--json", cwd=indexed).stdout)
    assert again["embedded"] == 0


def test_killed_index_resumes_where_it_stopped(tmp_path: Path):
    import click

    root = tmp_path / "repo"
    shutil.copytree(Path(click.__file__).parent, root / "click", ignore=shutil.ignore_patterns("__pycache__"))
    git(root, "init", "-q")
    env = dict(os.environ, HF_HUB_OFFLINE="1", LLMCTL_TEST_PAUSE_AFTER_EMBEDDED="64")
    proc = subprocess.Popen([LLMCTL, "index"], cwd=root, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)
    assert "paused after 64 embedded" in proc.stderr.readline()
    proc.kill()
    proc.wait()
    report = json.loads(run_cli("index", "--json", cwd=root).stdout)
    # Only what the killed run had not committed is embedded (chunks sharing a text share one vector).
    assert report["reused"] >= 64 and 0 < report["embedded"] <= report["chunks"] - report["reused"]
    assert json.loads(run_cli("index", "--json", cwd=root).stdout)["embedded"] == 0


def test_search_rejects_filters_that_match_nothing(indexed: Path):
    one_line_error(run_cli("search", "x", "--lang", "cobol", cwd=indexed), "--lang", "cobol", "python")
    one_line_error(run_cli("search", "x", "--kind", "klass", cwd=indexed), "--kind", "klass", "class")
    one_line_error(run_cli("search", "", cwd=indexed), "empty")
    one_line_error(run_cli("search", "x", "-k", "0", cwd=indexed), "--top", "llmctl search --help")
    one_line_error(run_cli("nosuchcommand", cwd=indexed), "nosuchcommand", "llmctl --help")


def test_stale_index_is_refreshed_with_a_notice(indexed: Path):
    write(indexed, "click/zz_new.py", "def brand_new_helper(x):\n    return x\n")
    proc = run_cli("search", "brand new helper", "--json", cwd=indexed)
    assert proc.returncode == 0 and "refreshing" in proc.stderr
    assert json.loads(proc.stdout)["results"][0]["symbol"] == "click.zz_new.brand_new_helper"


# -- the model server --------------------------------------------------------------------

class _OtherModel(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's protocol
        body = json.dumps({"data": [{"id": "someone-elses-model"}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_embedded_server_takes_a_free_port_and_dies_with_its_parent(example_copy: Path):
    from llmctl.core.config import DEFAULT_PORT
    from llmctl.core.model.files import default_model_path

    other = None
    try:
        other = HTTPServer(("127.0.0.1", DEFAULT_PORT), _OtherModel)
    except OSError:
        pass  # something else listens there already: the test still shows a free port is taken
    if other is not None:
        threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        write(example_copy, "llmctl.toml", f'[model]\npath = "{default_model_path()}"\n')
        proc = subprocess.Popen([LLMCTL, "docs", "sync"], cwd=example_copy, stderr=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
        lease = example_copy / ".llmctl" / "serve-embedded.json"
        deadline = time.monotonic() + 120
        while not lease.is_file() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert lease.is_file(), proc.stderr.read() if proc.poll() is not None else "no lease"
        state = json.loads(lease.read_text())
        assert state["port"] != DEFAULT_PORT
        time.sleep(1.0)
        proc.kill()  # kill -9 of docs sync: the server must not outlive it
        proc.wait()
        assert _pid_gone(state["pid"]), "the embedded server outlived its parent"
    finally:
        if other is not None:
            other.shutdown()
    result = run_cli("docs", "sync", "--no-model", "--json", cwd=example_copy)
    assert result.returncode == 0 and json.loads(result.stdout)["pages_written"] >= 0


def test_served_model_guards_every_route_and_names_itself(tmp_path: Path):
    import urllib.error
    import urllib.request

    from llmctl.core.model.server import free_port, warn_if_public

    assert warn_if_public("0.0.0.0", "k") and "consider --api-key" not in warn_if_public("0.0.0.0", "k")
    port = free_port()
    env = {"LLMCTL_API_KEY": "s3cret"}
    assert run_cli("serve", "--port", str(port), "--detach", cwd=tmp_path, env=env).returncode == 0
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for path in ("/docs", "/openapi.json", "/v1/models"):
            with pytest.raises(urllib.error.HTTPError) as err:
                opener.open(f"http://127.0.0.1:{port}{path}", timeout=10)
            assert err.value.code in (401, 404), path
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/completions", method="POST",
                                     data=json.dumps({"prompt": "def add(a, b):", "max_tokens": 2}).encode(),
                                     headers={"Authorization": "Bearer s3cret", "Content-Type": "application/json"})
        answer = json.loads(opener.open(req, timeout=60).read())
        assert answer["model"].startswith("gemma-3-270m") and "/" not in answer["model"]
    finally:
        run_cli("serve", "stop", cwd=tmp_path)
