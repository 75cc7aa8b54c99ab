"""`llmctl docs watch`: time from a file save to the updated index, and a 2,000-file burst.

Builds a repository from an installed library (default: click) in a temp dir,
indexes it, starts the real `llmctl docs watch` process, then:

1. saves a file the way editors do (write a temp file, rename it over the
   original) adding a new function, and times save -> the chunk is in the index
   -> `Searcher` returns it first; repeated ``--saves`` times, median reported;
2. writes ``--burst`` new files at once (a branch switch), times until the
   watcher has parsed them all, stops the watcher with SIGINT and checks the
   index: integrity_check, one chunk per new function, and a following
   `llmctl index` finds nothing to do.

    python bench/watch.py [--lib click] [--saves 5] [--burst 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import lib_dir  # noqa: E402  (bench/search.py)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib", default="click")
    ap.add_argument("--saves", type=int, default=5)
    ap.add_argument("--burst", type=int, default=2000)
    args = ap.parse_args()
    llmctl = str(Path(sys.executable).with_name("llmctl"))
    work = Path(tempfile.mkdtemp(prefix="llmctl-watch-bench-"))
    shutil.copytree(lib_dir(args.lib), work / args.lib, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    t = time.perf_counter()
    out = subprocess.run([llmctl, "index", "--json"], cwd=work, check=True, capture_output=True, text=True).stdout
    stats = json.loads(out)
    print(f"repo: {args.lib} copy, {stats['chunks']:,} chunks indexed in {time.perf_counter() - t:.1f}s")

    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1", COLUMNS="300")
    proc = subprocess.Popen([llmctl, "docs", "watch"], cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(ln) for ln in proc.stdout], daemon=True).start()
    while "watching" not in (proc.stderr.readline() or "watching"):
        pass
    from llmctl.core.project import open_project
    from llmctl.core.search.rank import Searcher

    project = open_project(work)
    db = work / ".llmctl/index/index.db"
    target = sorted((work / args.lib).glob("*.py"))[-1]
    original = target.read_text()
    indexed, found = [], []
    for i in range(args.saves):
        name = f"reverse_the_widget_order_{i}"
        tmp = target.with_name(f".{target.name}.swp")
        tmp.write_text(original + f'\n\ndef {name}(widgets):\n    """Reverse the order of widgets number {i}."""\n'
                       f"    return list(reversed(widgets))\n")
        t0 = time.perf_counter()
        os.replace(tmp, target)
        while True:
            conn = sqlite3.connect(db)
            hit = conn.execute("SELECT count(*) FROM chunks WHERE name=?", (name,)).fetchone()[0]
            conn.close()
            if hit:
                break
            time.sleep(0.01)
        indexed.append(time.perf_counter() - t0)
        s = Searcher(project)
        top = s.search(f"reverse the order of widgets number {i}", 1)
        s.close()
        found.append(time.perf_counter() - t0)
        assert top and top[0].symbol.endswith(name), top
        time.sleep(0.5)
    print(f"save -> chunk in the index: median {statistics.median(indexed):.2f}s (min {min(indexed):.2f}, "
          f"max {max(indexed):.2f}) over {args.saves} saves (debounce 0.3s included)")
    print(f"save -> first search result (index reloaded in-process): median {statistics.median(found):.2f}s")

    before = len(lines)
    burst = work / "burst"
    t0 = time.perf_counter()
    for i in range(args.burst):
        (burst / f"pkg{i // 100}").mkdir(parents=True, exist_ok=True)
        (burst / f"pkg{i // 100}" / f"mod{i}.py").write_text(
            f'def handler_{i}(event):\n    """Handle event number {i}."""\n    return event + {i}\n')
    written = time.perf_counter() - t0
    parsed = 0
    while parsed < args.burst:
        time.sleep(0.05)
        parsed = sum(int(ln.split(" parsed")[0].rsplit(" ", 1)[1]) for ln in lines[before:] if " parsed" in ln)
        if proc.poll() is not None:
            raise SystemExit(f"watch died: {proc.stderr.read()}")
    done = time.perf_counter() - t0
    print(f"burst: {args.burst} files written in {written:.1f}s; watcher done after {done:.1f}s in "
          f"{len(lines) - before} update(s)")
    proc.send_signal(signal.SIGINT)
    rc = proc.wait(timeout=60)
    if rc != 0:
        print("watch stderr:", proc.stderr.read()[-2000:])
    conn = sqlite3.connect(db)
    ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    n = conn.execute("SELECT count(*) FROM chunks WHERE path LIKE 'burst/%'").fetchone()[0]
    conn.close()
    after = json.loads(subprocess.run([llmctl, "index", "--json"], cwd=work, check=True, capture_output=True,
                                      text=True).stdout)
    print(f"after SIGINT: exit {rc}; integrity_check {ok}; burst chunks in the index {n}/{args.burst}; "
          f"a following `llmctl index` changed {after['changed_files']} files, embedded {after['embedded']}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
