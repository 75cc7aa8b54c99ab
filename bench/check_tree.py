"""`llmctl docs check` over a whole installed tree: no crash, time, findings per rule, a sample to review.

Usage: python bench/check_tree.py [DIR] [--sample 20] [--seed 1]
(default DIR: this interpreter's site-packages; the store goes to a temp dir)
"""

from __future__ import annotations

import argparse
import random
import sysconfig
import tempfile
import time
from collections import Counter
from pathlib import Path

from llmctl.core.check.run import run_check
from llmctl.core.config import Config
from llmctl.core.project import Project


def main() -> None:
    """Run the check and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", nargs="?", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="llmctl-check-") as tmp:
        project = Project(root=args.tree.resolve(), config=Config(), store_override=Path(tmp), use_git=False)
        t0 = time.perf_counter()
        result = run_check(project)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_check(project)
        second = time.perf_counter() - t0
    by_rule = Counter(f.rule for f in result.findings)
    print(f"{args.tree}: {result.symbols} symbols, {result.markdown_files} Markdown files; "
          f"{len(result.findings)} findings; {first:.1f}s with a cold store, {second:.1f}s warm")
    for rule, n in sorted(by_rule.items()):
        print(f"  {rule}: {n}")
    rng = random.Random(args.seed)
    for f in rng.sample(result.findings, min(args.sample, len(result.findings))):
        print(f"  {f.path}:{f.line} {f.rule} {f.message}")


if __name__ == "__main__":
    main()
