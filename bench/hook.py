"""Hook latency: `llmctl docs check --staged` on a one-file change in a 5,000-file repository.

Builds a git repository from installed library code (default 5,000 .py files),
commits it, warms the store with one `llmctl scan`, then repeatedly stages a
small edit of one file and times the command the pre-commit hook runs, next to
`git status` on the same repository. Prints medians (p50) and p90.

Usage: python bench/hook.py [--files 5000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Seconds and exit code of one run."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, proc.returncode


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    src = Path(sysconfig.get_paths()["purelib"])
    # As users run it: with bytecode caching (any value of PYTHONDONTWRITEBYTECODE turns it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = dict(env, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@e", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@e", NO_COLOR="1")
    with tempfile.TemporaryDirectory(prefix="llmctl-hook-") as tmp:
        repo = Path(tmp) / "repo"
        n = 0
        for f in sorted(src.rglob("*.py")):
            if "__pycache__" in f.parts or f.stat().st_size > 200_000:
                continue
            d = repo / f.relative_to(src)
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, d)
            n += 1
            if n >= args.files:
                break
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
        subprocess.run(["git", "commit", "-qm", "init"], cwd=repo, env=env, check=True)
        llmctl = str(Path(sys.executable).parent / "llmctl")
        t0 = time.perf_counter()
        subprocess.run([llmctl, "scan"], cwd=repo, env=env, stdout=subprocess.DEVNULL, check=True)
        subprocess.run([llmctl, "hooks", "install"], cwd=repo, env=env, stderr=subprocess.DEVNULL, check=True)
        print(f"repository: {n} files; warm-up scan {time.perf_counter() - t0:.1f}s")
        victims = sorted(repo.rglob("*.py"))[:: max(1, n // args.runs)][:args.runs]
        hook, status = [], []
        for i, f in enumerate(victims):
            f.write_text(f.read_text("utf-8", "replace") + f"\n\ndef _bench_added_{i}(x):\n    return x\n", "utf-8")
            subprocess.run(["git", "add", str(f)], cwd=repo, check=True)
            hook.append(timed(["sh", ".git/hooks/pre-commit"], repo, env)[0])  # exactly what git runs
            status.append(timed(["git", "status", "--porcelain"], repo, env)[0])
            subprocess.run(["git", "commit", "-qm", f"c{i}", "--no-verify"], cwd=repo, env=env, check=True)

        def p90(xs: list[float]) -> float:
            return sorted(xs)[int(0.9 * (len(xs) - 1))]

        h, g = statistics.median(hook), statistics.median(status)
        print(f"the installed pre-commit hook (docs check --staged), one staged file: p50 {h:.3f}s "
              f"p90 {p90(hook):.3f}s over {len(hook)} commits (goal p50 < 0.25 s)")
        print(f"git status on the same repository:                  p50 {g:.3f}s p90 {p90(status):.3f}s")
        print(f"ratio hook / git status (p50): {h / g:.1f}x (goal <= 15x)")


if __name__ == "__main__":
    main()
