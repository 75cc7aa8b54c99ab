"""Does a commit leave a doc comment stale? Detectors measured on real repositories' histories.

Usage: python bench/staleness.py [--repos DIR] [--commits N] [--cache DIR] [--loro]
       [--write-model] [--lm STEPS] [--suggest N [--no-adapter]]

Mines every repository in ``REPOS`` (clones under ``--repos``, default
``$LLMCTL_REALCODE`` or ``/work/real``, with their full history) with
``trainers/history.py``: from each of the last N commits, every documented
symbol whose body or signature changed; positive when the commit also reworded
its doc comment. The features see the code's change only (the doc comment's
lines are cut from both versions), as in the hook, where the doc did not change:
a diff that kept the new doc's lines gave every positive away. Trains the feature model on the ``TRAIN`` repositories and
reports, on the held-out ones, per detector: precision, recall, F1 and AUC at
the natural class ratio, and F1 at a balanced 1:1 ratio (negatives subsampled,
mean of 20 draws). Detectors: ``docs check`` new findings; "parameter list
changed"; the feature model (llmctl's DOC401), and the same model without the
features of the rest of the change in the file (``neighbours_*``: other doc
comments the commit reworded, other symbols it edited), so their share shows.
"F1 1:1" keeps the cut tuned for the natural ratio; "1:1 cut" is the
literature's balanced setting, where the cut is tuned on a balanced sample of
the training repositories. ``--loro`` adds leave-one-repository-out figures
over every mined repository. ``--write-model`` saves the model trained on
every repository as the shipped default. ``--lm STEPS`` trains the bundled
model as a stale/not judge (LoRA on the old doc and the code diff; about 35 s a
step of 8 on 2 CPU cores) and scores it beside the features on the same
held-out rows. ``--suggest N`` asks the served model (the bundled adapter, or
the base with ``--no-adapter``) to rewrite N held-out positives' docs and
compares them with what the maintainers wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPOS = {  # name -> language; TRAIN are trained on, the rest held out
    "click": "python", "requests": "python", "httpx": "python", "itsdangerous": "python",
    "gin": "go", "cobra": "go", "express": "javascript", "koa": "javascript", "axios": "javascript",
    "ky": "typescript", "anyhow": "rust", "walkdir": "rust", "javapoet": "java",
}
TRAIN = {"click", "requests", "gin", "express", "axios", "anyhow", "javapoet"}


def load(repos: Path, cache: Path, commits: int) -> dict[str, list[dict]]:
    from llmctl.analyzers import ANALYZER_VERSION
    from llmctl.trainers.history import mine

    out = {}
    cache.mkdir(parents=True, exist_ok=True)
    for name in REPOS:
        # Keyed by what mining reads: the clone's commit and the analyzers' version (a parser that reads
        # doc comments anew, such as httpx's Markdown parameter lists, changes the examples).
        tag = head(repos / name) if (repos / name / ".git").exists() else "none"
        f = cache / f"{name}-{commits}-analyzers{ANALYZER_VERSION}-{tag}.jsonl"
        if not f.exists():
            if not (repos / name / ".git").exists():
                print(f"skipped {name}: no clone with history at {repos / name}")
                continue
            t = time.perf_counter()
            rows = [e.to_json() for e in mine(repos / name, max_commits=commits, name=name)]
            f.write_text("".join(json.dumps(r) + "\n" for r in rows))
            print(f"mined {name}: {len(rows)} examples in {time.perf_counter() - t:.0f}s", flush=True)
        out[name] = [json.loads(ln) for ln in f.read_text().splitlines()]
    return out


def head(repo: Path) -> str:
    """The commit a clone's history was mined up to, so the shipped model says what it learned from."""
    import subprocess

    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True)
    return out.stdout.strip()[:12] or "unknown"


def prf(pred: list[bool], ys: list[int]) -> tuple[float, float, float]:
    from llmctl.trainers.history import metrics

    m = metrics(pred, [0.0] * len(ys), ys)
    return m["precision"], m["recall"], m["f1"]


def balanced_f1(pred: list[bool], ys: list[int], draws: int = 20) -> float:
    pos = [i for i, y in enumerate(ys) if y]
    neg = [i for i, y in enumerate(ys) if not y]
    if not pos or len(neg) < len(pos):
        return float("nan")
    rng = random.Random(0)
    total = 0.0
    for _ in range(draws):
        idx = pos + rng.sample(neg, len(pos))
        total += prf([pred[i] for i in idx], [ys[i] for i in idx])[2]
    return total / draws


NEIGHBOURS = ("neighbours_reworded_log", "neighbours_changed_log")


def without_neighbours(x: list[float]) -> list[float]:
    """A feature vector with the rest of the file's change blanked (a constant feature weighs nothing)."""
    from llmctl.core.check.staleness import FEATURES

    return [0.0 if f in NEIGHBOURS else v for f, v in zip(FEATURES, x)]


def balanced_cut(model, rows: list[dict], blank=None) -> float:
    """The cut with the best F1 on a 1:1 sample of ``rows`` (training rows: the test set never tunes it)."""
    import numpy as np

    from llmctl.trainers.history import best_threshold

    pos = [r for r in rows if r["label"]]
    neg = random.Random(0).sample([r for r in rows if not r["label"]], len(pos))
    probs = np.array([model.probability(blank(r["x"]) if blank else r["x"]) for r in pos + neg])
    return best_threshold(probs, np.array([1] * len(pos) + [0] * len(neg)))


def report(title: str, rows: list[dict], models: dict) -> None:
    """``models``: name -> (model, its 1:1 cut, feature blanking or None)."""
    from llmctl.trainers.history import auc

    ys = [r["label"] for r in rows]
    detectors = {
        "docs check new findings": ([r["check_new"] for r in rows], [float(r["check_new"]) for r in rows], None),
        "parameter list changed": ([r["params_changed"] for r in rows], [float(r["params_changed"]) for r in rows],
                                   None),
    }
    for name, (model, cut, blank) in models.items():
        probs = [model.probability(blank(r["x"]) if blank else r["x"]) for r in rows]
        detectors[name] = ([p >= model.threshold for p in probs], probs, [p >= cut for p in probs])
    print(f"\n{title}: {len(rows)} examples, {sum(ys)} positive ({sum(ys) / max(1, len(ys)):.1%})")
    print(f"  {'detector':<34} {'prec':>6} {'recall':>6} {'F1':>6} {'AUC':>6} {'F1 1:1':>7} {'1:1 cut':>8}")
    for name, (pred, score, pred_bal) in detectors.items():
        p, r, f = prf(pred, ys)
        a = auc(score, ys) if pred_bal else float("nan")  # binary detectors have no ranking
        bal = balanced_f1(pred_bal or pred, ys)
        print(f"  {name:<34} {p:>6.2f} {r:>6.2f} {f:>6.2f} {a:>6.2f} {balanced_f1(pred, ys):>7.2f} {bal:>8.2f}")


def loro(data: dict[str, list[dict]]) -> None:
    """Leave one repository out: train on all the others, score it; then every held-out score pooled."""
    from llmctl.trainers.history import fit, metrics

    print("\nleave one repository out (trained on all the others each time):")
    print(f"  {'repository':<14} {'language':<11} {'examples':>8} {'pos':>4} {'prec':>6} {'recall':>6} {'F1':>6} {'AUC':>6}")
    pooled: tuple[list, list, list] = ([], [], [])
    for name, rows in data.items():
        ys = [r["label"] for r in rows]
        if not sum(ys):
            continue
        train = [r for other, rr in data.items() if other != name for r in rr]
        model = fit([r["x"] for r in train], [r["label"] for r in train])
        probs = [model.probability(r["x"]) for r in rows]
        pred = [p >= model.threshold for p in probs]
        m = metrics(pred, probs, ys)
        print(f"  {name:<14} {REPOS[name]:<11} {len(rows):>8} {sum(ys):>4} {m['precision']:>6.2f} {m['recall']:>6.2f} "
              f"{m['f1']:>6.2f} {m['auc']:>6.2f}")
        for acc, v in zip(pooled, (pred, probs, ys)):
            acc.extend(v)
    m = metrics(*pooled)
    print(f"  {'pooled':<14} {'':<11} {len(pooled[2]):>8} {sum(pooled[2]):>4} {m['precision']:>6.2f} "
          f"{m['recall']:>6.2f} {m['f1']:>6.2f} {m['auc']:>6.2f}")


def caught(held: dict[str, list[dict]], model, n: int = 10) -> None:
    """Ten held-out positives the model flags, one per repository in turn, with the feature that weighed most."""
    from llmctl.core.check.staleness import FEATURES

    hits = {name: [r for r in rows if r["label"] and model.probability(r["x"]) >= model.threshold]
            for name, rows in held.items()}
    picked: list[dict] = []
    while len(picked) < n and any(hits.values()):
        for name in list(hits):
            if hits[name] and len(picked) < n:
                picked.append(hits[name].pop(len(hits[name]) // 2))
    print("\nheld-out examples caught (the feature that weighed most):")
    for r in picked:
        top = max(zip(model.contributions(r["x"]), FEATURES))[1]
        print(f"  {r['repo']} {r['commit'][:8]} {r['symbol']}: p={model.probability(r['x']):.2f}, {top}")


STALE_PROMPT = "Doc comment:\n{doc}\n\nCode change:\n{diff}\n\nDoes the doc comment need an update after this change? Answer:"


def lm_detector(train: list[dict], held: list[dict], steps: int, batch: int = 8, seq_len: int = 256,
                lr: float = 3e-4, seed: int = 0) -> list[float]:
    """The bundled model *trained* as a stale/not judge: LoRA (the SFT recipe's settings) on (old doc, code
    diff) -> " yes"/" no", balanced batches of the training repositories' rows; the score of a held-out row
    is P(yes) against P(no) at the answer's position. Returns the held-out scores."""
    import math as _math

    import torch

    from llmctl.trainers.config import RunConfig
    from llmctl.trainers.models import bos_prefix, fit_prompt, load_base
    from llmctl.trainers.recipes.sft import with_lora

    torch.manual_seed(seed)
    model, tok = load_base("default")
    model = with_lora(model, RunConfig())
    yes, no = (tok(w, add_special_tokens=False)["input_ids"][0] for w in (" yes", " no"))
    bos = bos_prefix(tok)

    def ids(r: dict) -> list[int]:
        text = STALE_PROMPT.format(doc=r["old_doc"][:1500], diff=r["diff"][:3000])
        return fit_prompt(bos, tok(text, add_special_tokens=False)["input_ids"], seq_len)

    def logits(rows: list[dict]):
        seqs = [ids(r) for r in rows]
        width = max(map(len, seqs))
        x = torch.full((len(seqs), width), tok.pad_token_id, dtype=torch.long)
        mask = torch.zeros_like(x)
        for i, q in enumerate(seqs):  # left-padded: every answer position is the last one
            x[i, width - len(q):] = torch.tensor(q)
            mask[i, width - len(q):] = 1
        pos = (mask.cumsum(1) - 1).clamp(min=0)
        out = model(input_ids=x, attention_mask=mask, position_ids=pos, logits_to_keep=1).logits[:, -1]
        return out[:, [no, yes]]

    rng = random.Random(seed)
    pos = [r for r in train if r["label"]]
    neg = [r for r in train if not r["label"]]
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    t0, seen = time.perf_counter(), 0
    for step in range(steps):
        rows = rng.sample(pos, batch // 2) + rng.sample(neg, batch // 2)
        loss = torch.nn.functional.cross_entropy(logits(rows), torch.tensor([1] * (batch // 2) + [0] * (batch // 2)))
        loss.backward()
        opt.step()
        opt.zero_grad()
        seen += batch
        if step % 10 == 0 or step == steps - 1:
            print(f"  lm step {step + 1}/{steps}: loss {loss.item():.3f}, {seen / (time.perf_counter() - t0):.1f} rows/s",
                  flush=True)
    model.eval()
    scores = []
    with torch.no_grad():
        for i in range(0, len(held), 16):
            two = logits(held[i:i + 16])
            scores.extend(torch.softmax(two, -1)[:, 1].tolist())
    assert all(not _math.isnan(v) for v in scores)
    return scores


def lm_report(train: list[dict], held: dict[str, list[dict]], model, cut: float, steps: int,
              negatives: int = 3) -> None:
    """The trained LM judge beside the feature model on the same held-out rows: every positive and
    ``negatives`` times as many negatives (AUC does not depend on the ratio; F1 is reported at 1:1, with
    the features' 1:1 cut from the training rows and the judge's 0.5, as it was trained on 1:1 batches)."""
    from llmctl.trainers.history import auc

    rows = [r for rr in held.values() for r in rr]
    rng = random.Random(2)
    pos = [r for r in rows if r["label"]]
    sample = pos + rng.sample([r for r in rows if not r["label"]], negatives * len(pos))
    ys = [r["label"] for r in sample]
    t = time.perf_counter()
    lm = lm_detector(train, sample, steps)
    took = time.perf_counter() - t
    print(f"\ntrained LM judge (Gemma 3 270M + LoRA, {steps} steps of 8, {took:.0f}s on this machine) "
          f"vs the features, held-out: {len(pos)} positive, {len(sample) - len(pos)} negative")
    feats = [model.probability(r["x"]) for r in sample]
    print(f"  {'detector':<28} {'AUC':>6} {'F1 1:1':>7}")
    for name, score, at in (("trained LM judge", lm, 0.5), ("llmctl DOC401 (features)", feats, cut)):
        print(f"  {name:<28} {auc(score, ys):>6.2f} {balanced_f1([v >= at for v in score], ys):>7.2f}")


class _Row:
    """Just what core/check/suggest.py reads of a Change, rebuilt from a mined example."""

    def __init__(self, r: dict):
        from types import SimpleNamespace

        self.old = SimpleNamespace(doc_raw=r["old_doc"])
        self._diff = r["diff"]
        self.new_lines = [ln[1:] for ln in r["diff"].splitlines() if ln[:1] in "+ "]

    def diff(self, limit: int = 60) -> str:
        return "\n".join(self._diff.splitlines()[:limit])


def suggestions(rows: list[dict], n: int, adapter: bool = True) -> None:
    """The model's rewrites beside what maintainers wrote: cosine (static embeddings) and exact match."""
    import tempfile
    from contextlib import ExitStack

    from llmctl.core.check.suggest import suggest
    from llmctl.core.config import load_config
    from llmctl.core.model.connect import connect
    from llmctl.core.project import Project
    from llmctl.core.search.embed import load_embedder

    rows = random.Random(1).sample(rows, min(n, len(rows)))
    emb = load_embedder("static")
    root = Path(tempfile.mkdtemp(prefix="llmctl-suggest-"))
    if not adapter:  # the base model alone (model.lora = ""), as a user would turn the adapter off
        (root / "llmctl.toml").write_text('[model]\nlora = ""\n')
    out = []
    with ExitStack() as stack:
        client = connect(Project(root=root, config=load_config(root)), stack, print)
        for r in rows:
            doc = suggest(client, _Row(r))
            v = emb.encode([r["new_doc"], r["old_doc"], doc or r["old_doc"]])
            out.append((doc, float(v[0] @ v[2]), float(v[0] @ v[1]), r))
    offered = [o for o in out if o[0]]
    print(f"\nsuggestions for {len(out)} held-out positives ({'bundled adapter' if adapter else 'base model'}): "
          f"{len(offered)} offered")
    print(f"  cosine to the maintainers' doc: suggestion (old doc where none) {statistics.mean(o[1] for o in out):.3f}, "
          f"leaving the old doc {statistics.mean(o[2] for o in out):.3f}; exact match "
          f"{sum(1 for o in offered if ' '.join(o[0].split()) == ' '.join(o[3]['new_doc'].split()))}/{len(out)}")
    for doc, cos, base, r in offered[:10]:
        print(f"\n  {r['repo']} {r['symbol']} ({r['commit'][:8]}): cosine {cos:.2f} vs old {base:.2f}")
        print("    suggested: " + " ".join(doc.split())[:160])
        print("    maintainer: " + " ".join(r["new_doc"].split())[:160])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repos", type=Path, default=Path(os.environ.get("LLMCTL_REALCODE", "/work/real")))
    ap.add_argument("--commits", type=int, default=1500)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/llmctl-staleness"))
    ap.add_argument("--loro", action="store_true", help="also leave each repository out in turn")
    ap.add_argument("--write-model", action="store_true", help="save the model trained on every repository as the default")
    ap.add_argument("--no-adapter", action="store_true", help="--suggest with the base model (model.lora = \"\")")
    ap.add_argument("--lm", type=int, default=0, metavar="STEPS",
                    help="also train the bundled model as a stale/not judge for STEPS steps (CPU: slow) and compare")
    ap.add_argument("--suggest", type=int, default=0, metavar="N",
                    help="ask the served model for N held-out positives' new doc and compare with the maintainers'")
    args = ap.parse_args()
    from llmctl.core.check.staleness import SHIPPED
    from llmctl.trainers.history import fit

    data = load(args.repos, args.cache, args.commits)
    train = [r for n, rows in data.items() if n in TRAIN for r in rows]
    held = {n: rows for n, rows in data.items() if n not in TRAIN}
    model = fit([r["x"] for r in train], [r["label"] for r in train], trained_on=sorted(set(data) & TRAIN))
    alone = fit([without_neighbours(r["x"]) for r in train], [r["label"] for r in train])
    models = {"llmctl DOC401 (features)": (model, balanced_cut(model, train), None),
              "  without the file's other changes": (alone, balanced_cut(alone, train, without_neighbours),
                                                      without_neighbours)}
    print(f"trained on {', '.join(sorted(set(data) & TRAIN))}: {len(train)} examples, "
          f"{sum(r['label'] for r in train)} positive; threshold {model.threshold:.3f}, "
          f"1:1 cut {models['llmctl DOC401 (features)'][1]:.3f}")
    report("held-out repositories together", [r for rows in held.values() for r in rows], models)
    caught(held, model)
    for name, rows in held.items():
        report(f"held out: {name} ({REPOS[name]})", rows, models)
    if args.loro:
        loro(data)
    if args.lm:
        lm_report(train, held, model, models["llmctl DOC401 (features)"][1], args.lm)
    if args.suggest:
        suggestions([r for rows in held.values() for r in rows if r["label"] and r["diff"] and r["new_doc"]], args.suggest,
                    not args.no_adapter)
    if args.write_model:
        everything = [r for rows in data.values() for r in rows]
        full = fit([r["x"] for r in everything], [r["label"] for r in everything],
                   trained_on=[f"{n} (last {args.commits} commits to {head(args.repos / n)})" for n in sorted(data)])
        SHIPPED.write_text(json.dumps(full.to_json(), indent=1) + "\n")
        print(f"\nwrote {SHIPPED} (trained on all {len(everything)} examples; threshold {full.threshold:.3f})")


if __name__ == "__main__":
    sys.exit(main())
