"""Drift mutation benchmark: llmctl docs check vs pydoclint on real code no one here wrote.

For each library (one per Python docstring style by default: Google, NumPy,
Sphinx), copies its modules into a temp git repository, records both tools'
findings on the untouched tree, then applies signature mutations without
touching the docs — rename, remove or add a parameter of a function whose
doc comment describes its parameters — and runs both tools again.

* recall: mutations flagged at the right symbol (a new finding there);
* precision: new findings that are real (at a mutated symbol) over all new findings.

Also times `llmctl docs check` on the mutated tree. Usage:
python bench/drift.py [--libs accelerate:google,networkx:numpy,click:sphinx] [--per-lib 120] [--seed 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from llmctl.analyzers import analyze
from llmctl.core.check.run import run_check
from llmctl.core.config import Config
from llmctl.core.project import Project
from llmctl.core.docs.prose import api_params

_PYDOCLINT_LINE = re.compile(r"^\s+(\d+): (DOC\d+): (?:Function|Method) `([^`]+)`")


def pydoclint(root: Path, style: str) -> set[tuple[str, str, str]]:
    """(path, function name, code) of pydoclint's findings on the tree (it reports on stderr).

    Keyed by function name rather than line, so a mutation that moves lines does
    not count against pydoclint.
    """
    exe = Path(sys.executable).parent / "pydoclint"
    proc = subprocess.run([str(exe), f"--style={style}", "--quiet", "--show-filenames-in-every-violation-message=False",
                           str(root)], capture_output=True, text=True)
    out: set[tuple[str, str, str]] = set()
    current = None
    for line in (proc.stdout + "\n" + proc.stderr).splitlines():
        if line.endswith(".py") and not line.startswith(" "):
            current = Path(line.strip()).resolve().relative_to(root.resolve()).as_posix()
            continue
        m = _PYDOCLINT_LINE.match(line)
        if m and current:
            out.add((current, m.group(3), m.group(2)))
    return out


def llmctl_findings(root: Path) -> set[tuple[str, str]]:
    """(rule, symbol) of llmctl's signature-vs-doc findings."""
    result = run_check(Project(root=root, config=Config()))
    return {(f.rule, f.symbol) for f in result.findings if f.rule.startswith("DOC")}


def mutate(src: str, sym, kind: str, rng: random.Random) -> str | None:
    """Apply one signature mutation to ``sym`` in ``src`` (the doc comment is left alone)."""
    lines = src.splitlines(keepends=True)
    head_start = sym.line - 1
    # The signature runs from the def line to the line ending with ':' at bracket depth 0.
    depth, end = 0, head_start
    for i in range(head_start, min(len(lines), head_start + 60)):
        depth += lines[i].count("(") - lines[i].count(")")
        if depth <= 0 and lines[i].rstrip().endswith(":"):
            end = i
            break
    head = "".join(lines[head_start:end + 1])
    params = api_params(sym)
    named = [p for p in params if p.kind in ("positional_or_keyword", "keyword_only", "positional_only")]
    if kind == "rename":
        if not named:
            return None
        p = rng.choice(named)
        new_head, n = re.subn(rf"\b{re.escape(p.name)}\b", f"{p.name}_renamed", head, count=1)
    elif kind == "remove":
        if not named:
            return None
        p = rng.choice(named)
        pattern = rf"\b{re.escape(p.name)}\b\s*(:\s*[^,=)]+(\[[^\]]*\])?)?\s*(=\s*[^,)]+)?\s*,?\s*"
        new_head, n = re.subn(pattern, "", head, count=1)
        new_head = re.sub(r",\s*\)", ")", new_head)
    else:  # add
        m = re.search(r"\*\*\w+|\*\w*", head)
        if m:
            new_head, n = head[:m.start()] + "added_param=None, " + head[m.start():], 1
        else:
            close = head.rfind(")")
            inner = head[head.index("(") + 1:close].strip()
            sep = "" if not inner or inner.endswith(",") else ", "
            new_head, n = head[:close].rstrip() + sep + "added_param=None" + head[close:], 1
    if not n or new_head == head:
        return None
    return "".join(lines[:head_start]) + new_head + "".join(lines[end + 1:])


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--libs", default="accelerate:google,networkx:numpy,click:sphinx")
    ap.add_argument("--per-lib", type=int, default=120)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    totals = defaultdict(lambda: defaultdict(int))
    for spec_text in args.libs.split(","):
        lib, style = spec_text.split(":")
        spec = importlib.util.find_spec(lib)
        if spec is None or not spec.submodule_search_locations:
            print(f"{lib}: not installed, skipped")
            continue
        with tempfile.TemporaryDirectory(prefix="llmctl-drift-") as tmp:
            root = Path(tmp) / "repo"
            shutil.copytree(Path(next(iter(spec.submodule_search_locations))), root / lib,
                            ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc", "tests", "test_*"))
            subprocess.run(["git", "init", "-q", str(root)], check=True)
            subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
            # candidates: functions whose doc describes every parameter, and neither tool flags yet
            base_ours = llmctl_findings(root)
            base_theirs = pydoclint(root, style)
            candidates = []
            for f in sorted((root / lib).rglob("*.py")):
                rel = f.relative_to(root).as_posix()
                for s in analyze(f.read_bytes(), rel, "python").symbols:
                    if s.kind not in ("function", "method") or not s.doc.params or s.doc.style != style:
                        continue
                    names = {p.name for p in api_params(s)}
                    if not names or {d.name for d in s.doc.params} != names:
                        continue
                    if any(sym == s.id for _, sym in base_ours):
                        continue
                    candidates.append((rel, s))
            rng.shuffle(candidates)
            mutated = []
            used_files: dict[str, int] = {}
            for rel, s in candidates:
                if len(mutated) >= args.per_lib:
                    break
                path = root / rel
                if used_files.get(rel):
                    continue  # one mutation per file keeps line numbers of the others exact
                kind = ("rename", "remove", "add")[len(mutated) % 3]
                new = mutate(path.read_text("utf-8"), s, kind, rng)
                if new is None:
                    continue
                path.write_text(new, "utf-8")
                used_files[rel] = 1
                mutated.append((rel, s, kind))
            t0 = time.perf_counter()
            after_ours = llmctl_findings(root)
            check_s = time.perf_counter() - t0
            after_theirs = pydoclint(root, style)
            new_ours = after_ours - base_ours
            new_theirs = after_theirs - base_theirs
            hit_ours = sum(1 for rel, s, _ in mutated if any(sym == s.id for _, sym in new_ours))
            hit_theirs = sum(1 for rel, s, _ in mutated if any(p == rel and name == s.name for p, name, _ in new_theirs))
            real_ours = sum(1 for _, sym in new_ours if any(sym == s.id for _, s, _ in mutated))
            real_theirs = sum(1 for p, name, _ in new_theirs if any(p == rel and name == s.name for rel, s, _ in mutated))
            n = len(mutated)
            print(f"{lib} ({style}): {n} mutations in {len(used_files)} files; llmctl check {check_s:.2f}s")
            print(f"  llmctl:    recall {hit_ours / n:.3f}  precision {real_ours / max(1, len(new_ours)):.3f} "
                  f"({len(new_ours)} new findings)")
            print(f"  pydoclint: recall {hit_theirs / n:.3f}  precision {real_theirs / max(1, len(new_theirs)):.3f} "
                  f"({len(new_theirs)} new findings)")
            for key, val in (("n", n), ("hit_ours", hit_ours), ("hit_theirs", hit_theirs), ("new_ours", len(new_ours)),
                             ("new_theirs", len(new_theirs)), ("real_ours", real_ours), ("real_theirs", real_theirs)):
                totals["all"][key] += val
    t = totals["all"]
    if t["n"]:
        print(f"all: {t['n']} mutations; llmctl recall {t['hit_ours'] / t['n']:.3f} precision "
              f"{t['real_ours'] / max(1, t['new_ours']):.3f}; pydoclint recall {t['hit_theirs'] / t['n']:.3f} "
              f"precision {t['real_theirs'] / max(1, t['new_theirs']):.3f} (goal for llmctl: both >= 0.95)")


if __name__ == "__main__":
    main()
