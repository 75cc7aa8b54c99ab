"""``llmctl eval``: a candidate model against a baseline on the held-out split.

Per model:

- ``text_bpb``: bits per byte on ``pretrain/test.jsonl`` (per byte, not per
  token, so models with different tokenizers compare fairly), and the
  perplexity per token of the model's own tokenizer;
- ``doc_bpb``: bits per byte of the human answer (its "Summary:" and
  "Parameter" lines) given the prompt docs sync sends, on ``sft/test.jsonl``;
- what docs sync would write for the same pairs (greedy, the line after
  "Summary:", from the same prompt): ROUGE-L F1 and embedding cosine
  (all-MiniLM-L6-v2) against the human summary.

``--gate`` fails (exit 1) unless the candidate beats the baseline on the gate
metric by the margin: lower for ``*_bpb``, higher for ``rouge_l`` and
``similarity`` (the default: the quality of the summaries docs sync would write).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from llmctl.core.errors import LlmctlError

LOWER_IS_BETTER = {"text_bpb", "doc_bpb", "perplexity"}
METRICS = ("doc_bpb", "text_bpb", "rouge_l", "similarity", "perplexity")


def _rows(path: Path, n: int) -> list[dict]:
    if not path.is_file():
        return []
    rows = [json.loads(ln) for ln in path.read_text("utf-8").splitlines() if ln.strip()]
    return rows[:n]


def _context(model) -> int:
    return int(getattr(model.config, "max_position_embeddings", 2048) or 2048)


def _nll(model, ids: list[int], start: int, torch) -> float:
    """Summed NLL of ids[start:] given what comes before (``ids`` must fit the context)."""
    import torch.nn.functional as F

    if len(ids) < 2:
        return 0.0
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, :-1].float()
    losses = F.cross_entropy(logits, torch.tensor(ids[1:]), reduction="none")
    return float(losses[max(start, 1) - 1:].sum())


def score_model(spec: str, data_dir: Path, max_items: int, max_new_tokens: int, embedder) -> dict:
    import torch

    from llmctl.core.docs.task import summary_of
    from llmctl.trainers.models import bos_prefix, draft_answer, load_base, prompt_ids, task_texts

    model, tok = load_base(spec)
    model.eval()
    out: dict = {"model": spec}
    texts = [r["text"] for r in _rows(data_dir / "pretrain" / "test.jsonl", max_items)]
    if texts:
        nll = nbytes = ntok = 0.0
        ctx = min(_context(model), 512)
        for t in texts:
            bos = bos_prefix(tok)
            ids = tok(t[:8000], add_special_tokens=False)["input_ids"][:2048]
            for w in range(0, len(ids), ctx - len(bos)):
                window = bos + ids[w:w + ctx - len(bos)]  # each window as served: BOS first
                if len(window) < 2:
                    continue
                nll += _nll(model, window, 1, torch)
                nbytes += len(tok.decode(window[1:]).encode("utf-8"))
                ntok += len(window) - 1
        out["text_bpb"] = round(nll / math.log(2) / max(nbytes, 1), 4)
        out["perplexity"] = round(math.exp(nll / max(ntok, 1)), 3)
    pairs = _rows(data_dir / "sft" / "test.jsonl", max_items)
    if pairs:
        from rouge_score import rouge_scorer

        scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
        nll = nbytes = 0.0
        rouge, gens = [], []
        refs = []
        for p in pairs:
            prompt, answer = task_texts(p)
            ctx = min(_context(model), 1024)
            d_ids = tok(answer, add_special_tokens=False)["input_ids"][: ctx // 2] + [tok.eos_token_id]
            p_ids = prompt_ids(tok, prompt, ctx - len(d_ids))
            nll += _nll(model, p_ids + d_ids, len(p_ids), torch)
            nbytes += len(tok.decode(d_ids[:-1]).encode("utf-8")) + 1
            # What docs sync would write: the line after "Summary:", from the same prompt.
            text = draft_answer(model, tok, prompt + "Summary:", max_new_tokens, ctx).split("\n")[0].strip()
            refs.append(summary_of(answer))
            gens.append(text)
            rouge.append(scorer.score(refs[-1], text)["rougeL"].fmeasure)
        out["doc_bpb"] = round(nll / math.log(2) / max(nbytes, 1), 4)
        out["rouge_l"] = round(sum(rouge) / len(rouge), 4)
        a = embedder.encode(refs)
        b = embedder.encode([g or "-" for g in gens])
        out["similarity"] = round(float((a * b).sum(1).mean()), 4)
        out["pairs"] = len(pairs)
        out["examples"] = [{"symbol": p.get("symbol"), "human": r[:200], "generated": g[:200]}
                           for p, r, g in list(zip(pairs, refs, gens))[:3]]
    if len(out) == 1:
        raise LlmctlError(f"{data_dir}: no pretrain/test.jsonl or sft/test.jsonl", "run `llmctl train data` first")
    del model
    return out


def evaluate(candidate: str, baseline: str | None, data_dir: Path, *, max_items: int = 32,
             max_new_tokens: int = 48, gate_metric: str = "similarity", margin: float = 0.0) -> dict:
    from llmctl.core.search.embed import load_embedder

    if gate_metric not in METRICS:
        raise LlmctlError(f"--gate-metric: unknown metric {gate_metric!r}", f"use one of {', '.join(METRICS)}")
    embedder = load_embedder("all-MiniLM-L6-v2")
    result = {"candidate": score_model(candidate, data_dir, max_items, max_new_tokens, embedder)}
    if baseline:
        result["baseline"] = score_model(baseline, data_dir, max_items, max_new_tokens, embedder)
        c, b = result["candidate"].get(gate_metric), result["baseline"].get(gate_metric)
        if c is None or b is None:
            passed = False
            why = f"{gate_metric} is not measurable on this data"
        elif gate_metric in LOWER_IS_BETTER:
            passed = c <= b * (1 - margin) and c < b
            why = f"candidate {c} vs baseline {b} (lower is better; needs <= {b * (1 - margin):.4f})"
        else:
            passed = c >= b + margin and c > b
            why = f"candidate {c} vs baseline {b} (higher is better; needs >= {b + margin:.4f})"
        result["gate"] = {"metric": gate_metric, "margin": margin, "passed": passed, "why": why}
    return result
