"""Retrieval quality and latency of `llmctl search`, CodeSearchNet-style, on installed libraries.

Corpus: the Python sources of installed libraries nobody here wrote, copied to a
temp dir with every docstring blanked out (line numbers kept). Queries: the
first sentence of each documented function's original docstring; the target
is that function (now without its docstring); every other chunk is a
distractor. The index is built by llmctl's own `refresh` on the copy.

Reports MRR@10, recall@1 and recall@10 for BM25 alone, dense alone, plain
reciprocal-rank fusion, and llmctl's fused ranking; then index build speed,
cold-process `llmctl search` p50 next to `python -c "import torch"`, and
in-process (interactive) query p50.

    python bench/search.py                  # report set (>= 1,000 queries, >= 10,000 chunks)
    (the ranking weights are tuned by `python bench/search_repos.py --tune`)
    python bench/search.py --tokens 64      # a different embedding budget
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPORT_LIBS = ["click", "rich", "jinja2", "pydantic", "accelerate", "werkzeug", "tokenizers"]
DISTRACTOR_LIBS = ["transformers/generation", "transformers/pipelines", "torch/optim", "torch/utils/data",
                   "sentence_transformers", "faiss"]


def lib_dir(name: str) -> Path | None:
    top, _, sub = name.partition("/")
    try:
        mod = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if mod is None or not mod.submodule_search_locations:
        return None
    base = Path(list(mod.submodule_search_locations)[0])
    return base / sub if sub else base


def first_sentence(doc: str) -> str:
    text = " ".join(doc.strip().split("\n\n")[0].split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return (m.group(1) if m else text).strip()


def strip_docstrings(src: str) -> tuple[str, list[tuple[str, int, int, str]]]:
    """Source with docstrings blanked (line count kept), and (name, first line, def line, query) targets."""
    tree = ast.parse(src)
    lines = src.splitlines()
    targets = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            continue
        body = node.body
        if not body or not isinstance(body[0], ast.Expr) or not isinstance(getattr(body[0], "value", None), ast.Constant) \
                or not isinstance(body[0].value.value, str):
            continue
        ds = body[0]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            q = first_sentence(body[0].value.value)
            if len(q.split()) >= 4 and not node.name.startswith("_"):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                targets.append((node.name, first, node.lineno, q))
        indent = lines[ds.lineno - 1][: len(lines[ds.lineno - 1]) - len(lines[ds.lineno - 1].lstrip())]
        only = len(body) == 1
        for i in range(ds.lineno - 1, ds.end_lineno):
            lines[i] = ""
        if only:
            lines[ds.lineno - 1] = indent + "..."
    return "\n".join(lines) + "\n", targets


def build_corpus(root: Path, libs: list[str], with_targets: bool) -> list[tuple[str, str, int, int, str]]:
    """Copy and strip ``libs`` under ``root``; return (path, name, first, def_line, query) targets."""
    targets = []
    for lib in libs:
        src_dir = lib_dir(lib)
        if src_dir is None or not src_dir.is_dir():
            print(f"  (skipping {lib}: not installed)")
            continue
        for py in sorted(src_dir.rglob("*.py")):
            if any(part in ("tests", "test", "__pycache__") for part in py.parts):
                continue
            rel = Path(lib.replace("/", "_")) / py.relative_to(src_dir)
            try:
                stripped, found = strip_docstrings(py.read_text("utf-8"))
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(stripped, "utf-8")
            if with_targets:
                targets.extend((rel.as_posix(), n, a, b, q) for n, a, b, q in found)
    seen: dict[str, int] = {}
    for t in targets:
        seen[t[4]] = seen.get(t[4], 0) + 1
    return [t for t in targets if seen[t[4]] == 1]  # a query two functions share has no single answer


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {"mrr@10": sum(1 / r for r in ranks if r and r <= 10) / n,
            "r@1": sum(1 for r in ranks if r == 1) / n,
            "r@10": sum(1 for r in ranks if r and r <= 10) / n}


def rank_of(hits, target) -> int | None:
    path, name, first, def_line, _ = target
    for i, h in enumerate(hits, 1):
        if h.path == path and first <= h.line <= def_line and h.symbol.rsplit(".", 1)[-1] == name:
            return i
    return None


def rrf(searcher, q: str, k: int = 10, c: int = 60):
    dense = searcher.search(q, 100, mode="dense")
    lex = searcher.search(q, 100, mode="bm25")
    score: dict[tuple, float] = {}
    by_key = {}
    for lst in (dense, lex):
        for r, h in enumerate(lst, 1):
            key = (h.path, h.line, h.symbol)
            score[key] = score.get(key, 0.0) + 1.0 / (c + r)
            by_key[key] = h
    return [by_key[key] for key in sorted(score, key=lambda x: -score[x])[:k]]


def evaluate(searcher, targets, modes=("bm25", "dense", "rrf", "fused")) -> dict[str, dict[str, float]]:
    out = {}
    for mode in modes:
        ranks = []
        for t in targets:
            hits = rrf(searcher, t[4]) if mode == "rrf" else searcher.search(t[4], 10, mode=mode)
            ranks.append(rank_of(hits, t))
        out[mode] = metrics(ranks)
    return out


def make_project(root: Path, tokens: int):
    from llmctl.core.project import open_project

    (root / "llmctl.toml").write_text(f"[search]\nembed_tokens = {tokens}\nexclude = []\n")
    return open_project(root)


def print_table(title: str, res: dict[str, dict[str, float]], n: int) -> None:
    print(f"\n{title} ({n} queries)")
    print(f"  {'ranking':<8} {'MRR@10':>7} {'R@1':>6} {'R@10':>6}")
    for mode, m in res.items():
        print(f"  {mode:<8} {m['mrr@10']:>7.3f} {m['r@1']:>6.3f} {m['r@10']:>6.3f}")


def latency(work: Path, queries: list[str], runs: int) -> None:
    from llmctl.core.project import open_project
    from llmctl.core.search.rank import Searcher

    llmctl = str(Path(sys.executable).with_name("llmctl"))
    # As users run it: with bytecode caching (any value of PYTHONDONTWRITEBYTECODE turns it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cold, torch_t = [], []
    for q in queries[:runs]:
        t = time.perf_counter()
        subprocess.run([llmctl, "search", q, "--json", "-k", "10"], cwd=work, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        torch_t.append(time.perf_counter() - t)
    print(f"\ncold process `llmctl search QUERY --json` (stale check + load + embed + rank), {runs} runs:"
          f" p50 {statistics.median(cold):.3f}s  (max {max(cold):.3f}s)")
    print(f"`python -c 'import torch'` in the same run: p50 {statistics.median(torch_t):.3f}s"
          f"  -> search/import-torch ratio {statistics.median(cold) / statistics.median(torch_t):.2f}")
    s = Searcher(open_project(work))
    s.search("warm up", 10)
    times = []
    for q in queries[:200]:
        t = time.perf_counter()
        s.search(q, 10)
        times.append(time.perf_counter() - t)
    print(f"interactive (model and index loaded) per query: p50 {statistics.median(times) * 1000:.1f} ms, "
          f"p90 {statistics.quantiles(times, n=10)[-1] * 1000:.1f} ms over {len(times)} queries")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=None, help="search.embed_tokens (default: llmctl's default)")
    ap.add_argument("--runs", type=int, default=15, help="cold-process searches to time")
    ap.add_argument("--keep", type=Path, default=None, help="build the corpus here and keep it")
    args = ap.parse_args()
    from llmctl.core.config import SearchConfig

    tokens = args.tokens or SearchConfig().embed_tokens
    from llmctl.core.search.index import refresh
    from llmctl.core.search.rank import Searcher

    work = args.keep or Path(tempfile.mkdtemp(prefix="llmctl-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    targets = build_corpus(work, REPORT_LIBS, True)
    build_corpus(work, DISTRACTOR_LIBS, False)
    print(f"corpus: {work} ({time.perf_counter() - t:.1f}s to copy and strip docstrings); embed_tokens={tokens}")
    project = make_project(work, tokens)
    t = time.perf_counter()
    rep = refresh(project)
    total = time.perf_counter() - t
    print(f"index: {rep.chunks:,} chunks from {rep.files:,} files; full build {total:.1f}s "
          f"(embedding {rep.embed_seconds:.1f}s = {rep.embedded / max(rep.embed_seconds, 1e-9):,.0f} chunks/s)")
    s = Searcher(project)
    res = evaluate(s, targets)
    print_table("retrieval on " + ", ".join(REPORT_LIBS) + f" + distractors {', '.join(DISTRACTOR_LIBS)}", res, len(targets))
    s.close()
    latency(work, [t[4] for t in targets], args.runs)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
