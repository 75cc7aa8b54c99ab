"""Scan benchmark: llmctl's tree-sitter scan against a plain ``ast.parse`` loop.

Copies the source files of a real tree (default: this interpreter's
site-packages) into a temp dir, then reports, in one run:

* the ``ast.parse`` baseline: read + parse every Python file, one process;
* a cold ``llmctl scan`` (empty store), files/s and MB/s, and its ratio to the baseline;
* a warm re-scan of the unchanged tree, in-process and as a fresh ``llmctl scan`` process;
* ``llmctl --help`` wall time.

Usage: python bench/scan.py [--tree DIR] [--max-files N] [--repeat K]
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from pathlib import Path

from llmctl.analyzers import language_for
from llmctl.core.config import Config
from llmctl.core.project import Project
from llmctl.core.store.scan import scan


def copy_tree(src: Path, dst: Path, max_files: int) -> list[Path]:
    """Copy up to ``max_files`` parseable source files of ``src`` under ``dst``."""
    copied: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if language_for(name) is None:
                continue
            s = Path(dirpath) / name
            d = dst / s.relative_to(src)
            d.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(s, d)
            except OSError:
                continue
            copied.append(d)
            if len(copied) >= max_files:
                return copied
    return copied


def ast_loop(files: list[Path], max_bytes: int) -> tuple[float, int]:
    """Read and ``ast.parse`` every Python file; seconds and files parsed."""
    t0 = time.perf_counter()
    n = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files:
            if not f.name.endswith(".py"):
                continue
            data = f.read_bytes()
            if len(data) > max_bytes:
                continue
            try:
                ast.parse(data)
            except (SyntaxError, ValueError):
                pass
            n += 1
    return time.perf_counter() - t0, n


def cli_seconds(args: list[str], cwd: Path, env: dict[str, str], repeat: int) -> float:
    """Median wall time of running the ``llmctl`` console script."""
    exe = shutil.which("llmctl", path=str(Path(sys.executable).parent)) or "llmctl"
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([exe, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    ap.add_argument("--max-files", type=int, default=12000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="llmctl-bench-") as tmp:
        tree = Path(tmp) / "tree"
        files = copy_tree(args.tree, tree, args.max_files)
        (tree / "llmctl.toml").write_text("")
        nbytes = sum(f.stat().st_size for f in files)
        cfg = Config()
        project = Project(root=tree, config=cfg, store_override=Path(tmp) / "store")
        print(f"tree: {len(files)} files, {nbytes / 1e6:.1f} MB copied from {args.tree} ({os.cpu_count()} cores)")

        base_s, n_ast = ast_loop(files, cfg.max_file_bytes)
        print(f"ast.parse loop:  {n_ast} Python files in {base_s:.2f}s = {n_ast / base_s:,.0f} files/s")

        cold = scan(project)
        mb = cold.bytes_read / 1e6
        print(f"llmctl cold scan: {cold.files} files ({cold.parsed} parsed, {cold.partial} with syntax errors, "
              f"skipped {dict(cold.skipped)}) in {cold.seconds:.2f}s = {cold.files / cold.seconds:,.0f} files/s, "
              f"{mb / cold.seconds:.1f} MB/s")
        print(f"  ratio cold scan / ast.parse loop (time, files/s adjusted): "
              f"{(cold.seconds / cold.files) / (base_s / n_ast):.2f}x the per-file time (goal <= 1.0)")

        warm = [scan(project).seconds for _ in range(args.repeat)]
        print(f"llmctl warm re-scan (in-process), {cold.files} unchanged files: median {statistics.median(warm):.3f}s")
        env = dict(os.environ, LLMCTL_STORE=str(Path(tmp) / "store"))
        warm_cli = cli_seconds(["scan"], tree, env, args.repeat)
        print(f"llmctl scan as a new process, warm: median {warm_cli:.3f}s (goal < 1 s at 10,000 files)")
        help_s = cli_seconds(["--help"], tree, env, args.repeat)
        print(f"llmctl --help: median {help_s:.3f}s (goal < 0.3 s)")


if __name__ == "__main__":
    main()
