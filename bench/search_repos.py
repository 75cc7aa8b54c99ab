"""Search quality on real repositories: hand-written questions, answers labelled as files, NDCG@10.

Usage: python bench/search_repos.py [--repos DIR] [--only NAME,...] [--model NAME] [--json OUT]
                                    [--modes fused,bm25,dense] [--cold N]

Questions live in ``bench/search_questions.tsv`` (repository, category,
question, the files that answer it), written by hand from each repository's
code and documentation: symbol lookups (``symbol``), "how does X work / where
is X done" (``how``) and how the parts fit (``arch``). Repositories are clones
of the public repositories in ``REPOS`` under ``--repos`` (default
``$LLMCTL_REALCODE`` or ``/work/real``), at whatever commit they are; each is
cloned again into a temp dir and indexed with llmctl's defaults, as a user
would (no configuration), except ``search.embed_model`` when ``--model`` is
given.

A question's ranking is the order in which files first appear in the top 50
results; NDCG@10 counts each labelled file as relevant (binary gains). Printed:
per repository and language, per category, for llmctl's ranking (``fused``)
against BM25 alone and dense alone from the same index; the share of code
lines that lie inside some chunk, per language; index throughput (chunks/s
for a full build, and the time to re-index one changed file); interactive
query p50; and, with ``--cold N``, the p50 of N cold ``llmctl search``
processes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
REPOS = {  # name -> (origin, language)
    "click": ("https://github.com/pallets/click", "python"),
    "requests": ("https://github.com/psf/requests", "python"),
    "httpx": ("https://github.com/encode/httpx", "python"),
    "itsdangerous": ("https://github.com/pallets/itsdangerous", "python"),
    "attrs": ("https://github.com/python-attrs/attrs", "python"),  # typed: each module has a .pyi twin
    "gin": ("https://github.com/gin-gonic/gin", "go"),
    "cobra": ("https://github.com/spf13/cobra", "go"),
    "express": ("https://github.com/expressjs/express", "javascript"),
    "koa": ("https://github.com/koajs/koa", "javascript"),
    "axios": ("https://github.com/axios/axios", "javascript"),
    "ky": ("https://github.com/sindresorhus/ky", "typescript"),
    "anyhow": ("https://github.com/dtolnay/anyhow", "rust"),
    "walkdir": ("https://github.com/BurntSushi/walkdir", "rust"),
    "javapoet": ("https://github.com/square/javapoet", "java"),
}
CODE_EXT = {".py", ".go", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".rs", ".java"}


def load_questions(path: Path) -> dict[str, list[tuple[str, str, list[str]]]]:
    out: dict[str, list[tuple[str, str, list[str]]]] = defaultdict(list)
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        repo, cat, q, files = line.split("\t")
        out[repo].append((cat, q, [f.strip() for f in files.split(",")]))
    return out


def ndcg10(ranked_files: list[str], relevant: list[str]) -> float:
    rel = set(relevant)
    dcg = sum(1 / math.log2(i + 2) for i, f in enumerate(ranked_files[:10]) if f in rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(rel), 10)))
    return dcg / ideal if ideal else 0.0


def files_of(hits) -> list[str]:
    seen: list[str] = []
    for h in hits:
        if h.path not in seen:
            seen.append(h.path)
    return seen


def coverage(project) -> dict[str, tuple[int, int]]:
    """Per language: (non-blank code lines inside some chunk, non-blank code lines)."""
    from llmctl.core.search.index import open_db

    conn = open_db(project)
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    langs: dict[str, str] = {}
    for path, line, end, lang in conn.execute("SELECT path, line, end_line, language FROM chunks"):
        spans[path].append((line, end))
        langs.setdefault(path, lang)
    indexed = [p for (p,) in conn.execute("SELECT path FROM files")]
    conn.close()
    from llmctl.core.store.db import Store

    with Store(project.store_dir) as store:
        for p, rec in store.files().items():
            if rec.status in ("ok", "partial"):
                langs.setdefault(p, rec.language if hasattr(rec, "language") else "?")
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in indexed:
        if Path(path).suffix not in CODE_EXT:
            continue
        try:
            lines = (project.root / path).read_text(errors="replace").splitlines()
        except OSError:
            continue
        covered = set()
        for a, b in spans.get(path, []):
            covered.update(range(a, b + 1))
        lang = langs.get(path, "?")
        for i, ln in enumerate(lines, 1):
            if ln.strip():
                out[lang][1] += 1
                out[lang][0] += i in covered
    return {k: (v[0], v[1]) for k, v in out.items()}


def checkout(src: Path, dest: Path, model: str | None) -> Path:
    """A shallow clone of ``src`` at ``dest`` (reused when there), set to embed with ``model`` (None: llmctl's default)."""
    if not dest.exists():
        subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{src}", str(dest)], check=True)
    if model:
        (dest / "llmctl.toml").write_text(f'[search]\nembed_model = "{model}"\n')
    else:
        (dest / "llmctl.toml").unlink(missing_ok=True)
    return dest


def one_repo(name: str, src: Path, work: Path, questions, modes: list[str], model: str | None) -> dict:
    from llmctl.core.project import open_project
    from llmctl.core.search.index import refresh
    from llmctl.core.search.rank import Searcher

    dest = checkout(src, work / name, model)
    project = open_project(dest)
    t = time.perf_counter()
    rep = refresh(project)
    full = time.perf_counter() - t
    # Incremental: one changed file (the first answering file of the first question).
    target = dest / questions[0][2][0]
    original = target.read_text()
    target.write_text(original + ("\n# touched\n" if target.suffix == ".py" else "\n// touched\n"))
    t = time.perf_counter()
    refresh(project)
    incr = time.perf_counter() - t
    target.write_text(original)
    refresh(project)
    s = Searcher(project)
    s.search("warm up", 10)
    res: dict = {"chunks": rep.chunks, "files": rep.files, "index_s": full, "embed_s": rep.embed_seconds,
                 "incremental_s": incr, "per_question": [], "coverage": coverage(project)}
    times = []
    for cat, q, labels in questions:
        row = {"q": q, "cat": cat, "labels": labels}
        for mode in modes:
            t = time.perf_counter()
            hits = s.search(q, 50, mode=mode)
            if mode == "fused":
                times.append(time.perf_counter() - t)
            ranked = files_of(hits)
            row[mode] = ndcg10(ranked, labels)
            row[mode + "_top"] = ranked[:3]
        res["per_question"].append(row)
    res["query_p50_ms"] = statistics.median(times) * 1000 if times else 0.0
    s.close()
    return res


def cold_p50(repo: Path, queries: list[str], n: int) -> float:
    exe = str(Path(sys.executable).with_name("llmctl"))
    # As users run it: with bytecode caching (any value of PYTHONDONTWRITEBYTECODE turns it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for q in (queries * n)[:n]:
        t = time.perf_counter()
        subprocess.run([exe, "search", q, "--json", "-k", "10"], cwd=repo, env=env, stdout=subprocess.DEVNULL,
                       check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def report(results: dict[str, dict], modes: list[str]) -> dict:
    by_lang: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    by_cat: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    allq: dict[str, list[float]] = defaultdict(list)
    head = "".join(f"{m:>8}" for m in modes)
    print(f"\n{'repository':<14}{'lang':<11}{'qs':>4}{head}{'chunks':>8}{'index s':>9}{'chunks/s':>9}{'1 file s':>9}{'q p50 ms':>9}")
    for name, r in results.items():
        lang = REPOS[name][1]
        per = r["per_question"]
        means = []
        for m in modes:
            vals = [row[m] for row in per]
            means.append(statistics.mean(vals))
            allq[m].extend(vals)
            by_lang[lang][m].extend(vals)
            for row in per:
                by_cat[row["cat"]][m].append(row[m])
        cells = "".join(f"{v:>8.3f}" for v in means)
        print(f"{name:<14}{lang:<11}{len(per):>4}{cells}{r['chunks']:>8}{r['index_s']:>9.2f}"
              f"{r['chunks'] / max(r['index_s'], 1e-9):>9.0f}{r['incremental_s']:>9.2f}{r['query_p50_ms']:>9.1f}")
    summary = {"overall": {m: statistics.mean(v) for m, v in allq.items()},
               "language": {lang: {m: statistics.mean(v) for m, v in d.items()} for lang, d in by_lang.items()},
               "category": {c: {m: statistics.mean(v) for m, v in d.items()} for c, d in by_cat.items()}}
    for title, table in (("language", summary["language"]), ("category", summary["category"])):
        print(f"\n{title:<14}{'qs':>4}{head}")
        for key, d in sorted(table.items()):
            n = len(by_lang[key][modes[0]]) if title == "language" else len(by_cat[key][modes[0]])
            print(f"{key:<14}{n:>4}" + "".join(f"{d[m]:>8.3f}" for m in modes))
    n = len(allq[modes[0]])
    print(f"\n{'mean NDCG@10':<14}{n:>4}" + "".join(f"{summary['overall'][m]:>8.3f}" for m in modes))
    cov: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results.values():
        for lang, (a, b) in r["coverage"].items():
            cov[lang][0] += a
            cov[lang][1] += b
    print("\ncode lines inside some chunk: " + ", ".join(
        f"{lang} {a / b:.1%} ({a}/{b})" for lang, (a, b) in sorted(cov.items()) if b))
    chunks = sum(r["chunks"] for r in results.values())
    secs = sum(r["index_s"] for r in results.values())
    print(f"index: {chunks} chunks in {secs:.1f}s = {chunks / max(secs, 1e-9):.0f} chunks/s (full builds, scan included); "
          f"one changed file: p50 {statistics.median(r['incremental_s'] for r in results.values()):.3f}s; "
          f"interactive query p50 {statistics.median(r['query_p50_ms'] for r in results.values()):.1f} ms")
    summary["coverage"] = {k: v[0] / v[1] for k, v in cov.items() if v[1]}
    summary["chunks_per_s"] = chunks / max(secs, 1e-9)
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repos", type=Path, default=Path(os.environ.get("LLMCTL_REALCODE", "/work/real")))
    ap.add_argument("--only", default="")
    ap.add_argument("--model", default=None, help="search.embed_model for every repository (default: llmctl's)")
    ap.add_argument("--modes", default="fused,bm25,dense")
    ap.add_argument("--json", type=Path, default=None, help="write every question's scores here")
    ap.add_argument("--cold", type=int, default=0, help="time this many cold `llmctl search` processes")
    ap.add_argument("--misses", action="store_true", help="print questions whose fused NDCG@10 is below 1")
    ap.add_argument("--keep", type=Path, default=None, help="clone and index here, and reuse what is there")
    ap.add_argument("--tune", action="store_true", help="grid over the ranking weights: tune on odd questions, report even")
    ap.add_argument("--ablate", action="store_true", help="each ranking signal's gain (mean NDCG@10 with and without it)")
    args = ap.parse_args()
    questions = load_questions(HERE / "search_questions.tsv")
    modes = args.modes.split(",")
    only = set(filter(None, args.only.split(",")))
    work = args.keep or Path(tempfile.mkdtemp(prefix="llmctl-search-repos-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    if args.tune or args.ablate:
        if args.tune:
            tune(args.repos, work, questions, only, args.model)
        else:
            ablate(_loaded(args.repos, work, questions, only, args.model))
        return
    try:
        for name in REPOS:
            if only and name not in only:
                continue
            src = args.repos / name
            if not (src / ".git").exists():
                print(f"skipped {name}: no clone at {src} (git clone {REPOS[name][0]} {src})")
                continue
            results[name] = one_repo(name, src, work, questions[name], modes, args.model)
            print(f"{name}: {results[name]['chunks']} chunks, index {results[name]['index_s']:.1f}s", flush=True)
        summary = report(results, modes)
        if args.misses:
            for name, r in results.items():
                for row in r["per_question"]:
                    if row.get("fused", 1.0) < 1.0:
                        print(f"  {name:<10} {row['fused']:.2f} {row['q'][:60]:<60} want {row['labels'][0]} got {row['fused_top']}")
        if args.cold and results:
            name = next(iter(results))
            p50 = cold_p50(work / name, [q for _, q, _ in questions[name]], args.cold)
            print(f"cold `llmctl search QUERY --json` on {name}: p50 {p50:.3f}s over {args.cold} runs")
            summary["cold_p50_s"] = p50
        if args.json:
            args.json.write_text(json.dumps({"summary": summary, "repos": results}, indent=1))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


GRID = {  # weight -> values tried, one weight at a time, two rounds (coordinate ascent)
    "W_LEXICAL": [0.5, 0.75, 1.0, 1.5], "W_DEFINITION": [0.0, 0.4, 0.8, 1.5], "W_PROSE": [0.0, 0.3, 0.6, 1.0],
    "W_SECONDARY": [0.0, 0.25, 0.5, 1.0], "W_FILE": [0.0, 0.25, 0.5, 1.0], "W_REPEAT": [0.0, 0.05, 0.15, 0.3],
    "W_PATH": [0.0, 0.15, 0.3, 0.6, 1.0],
}


def _loaded(repos: Path, work: Path, questions, only: set[str], model: str | None):
    """(Searcher, questions) per repository, indexed under ``work`` (reused when already there)."""
    from llmctl.core.project import open_project
    from llmctl.core.search.index import refresh
    from llmctl.core.search.rank import Searcher

    out = []
    for name in REPOS:
        if only and name not in only or not (repos / name / ".git").exists():
            continue
        project = open_project(checkout(repos / name, work / name, model))
        refresh(project)
        out.append((Searcher(project), questions[name]))
    return out


def _score(loaded, half: int | None) -> float:
    return statistics.mean(ndcg10(files_of(s.search(q, 50)), labels) for s, qs in loaded
                           for n, (_, q, labels) in enumerate(qs) if half is None or n % 2 == half)


def tune(repos: Path, work: Path, questions, only: set[str], model: str | None) -> None:
    """Coordinate ascent over GRID on the odd-numbered questions (each step also scored on the even ones),
    then each signal's gain: the mean over all questions with, and without, that signal."""
    import llmctl.core.search.signals as R

    loaded = _loaded(repos, work, questions, only, model)
    print(f"start: tune {_score(loaded, 1):.3f} held-out {_score(loaded, 0):.3f}  "
          + " ".join(f"{k}={getattr(R, k)}" for k in GRID))
    for _round in range(2):
        for key, values in GRID.items():
            best = (_score(loaded, 1), getattr(R, key))
            for v in values:
                setattr(R, key, v)
                got = _score(loaded, 1)
                if got > best[0] + 1e-4:
                    best = (got, v)
            setattr(R, key, best[1])
            print(f"  {key}={best[1]:<5} tune {best[0]:.3f} held-out {_score(loaded, 0):.3f}", flush=True)
    print("best: " + " ".join(f"{k}={getattr(R, k)}" for k in GRID))
    ablate(loaded)


def ablate(loaded) -> None:
    """Each signal's measured gain: mean NDCG@10 over all questions with the current weights, and with it at 0."""
    import llmctl.core.search.signals as R

    full = _score(loaded, None)
    print(f"\nall signals: {full:.3f}")
    for key in [k for k in vars(R) if k.startswith("W_")]:
        keep = getattr(R, key)
        setattr(R, key, 0.0)
        print(f"  without {key:<13} {_score(loaded, None):.3f}  (gain {full - _score(loaded, None):+.3f})")
        setattr(R, key, keep)


if __name__ == "__main__":
    main()
