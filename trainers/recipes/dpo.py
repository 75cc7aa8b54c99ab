"""Preference optimisation (DPO) on (prompt, chosen, rejected) doc-comment pairs.

Pairs come from data/dpo/train.jsonl when present (prompt: the code; chosen
and rejected: answers in the docs-sync task format, "Summary: …" and
"Parameter `x`: …" lines); otherwise chosen = the answer from the repository's
human doc comment and rejected = the base model's own draft of it, from the
same prompt docs sync sends (drafted once, cached in OUT/dpo_pairs.jsonl). The reference is the base model
before training; dpo.beta sets the margin's strength. LoRA by default.
"""

from __future__ import annotations

import json
from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write
from llmctl.trainers.config import RunConfig
from llmctl.core.docs import task
from llmctl.trainers.models import draft_answer, load_base, read_jsonl, task_texts
from llmctl.trainers.recipes import MicroBatch
from llmctl.trainers.recipes import sft
from llmctl.trainers.recipes.sft import collate, sft_examples, with_lora



def dpo_pairs(cfg: RunConfig, model, tokenizer, say) -> list[dict]:
    """(prompt, chosen, rejected): data/dpo/train.jsonl, else human doc vs the base model's own draft.

    Drafting runs once (cached in OUT/dpo_pairs.jsonl): greedy, from the same
    prompt format sft uses, with the base model before any adapter is added.
    """
    data_dir, out = Path(cfg.data.dir), Path(cfg.out)
    given = data_dir / "dpo" / "train.jsonl"
    if given.is_file():
        return read_jsonl(given)
    cache = out / "dpo_pairs.jsonl"
    if cache.is_file():
        return read_jsonl(cache)
    rows = read_jsonl(data_dir / "sft" / "train.jsonl")[: cfg.dpo.max_pairs]
    say(f"drafting {len(rows)} rejected answers with the base model (cached in {cache})")
    pairs = []
    model.eval()
    for r in rows:
        prompt, human = task_texts(r)
        draft = draft_answer(model, tokenizer, prompt, cfg.dpo.draft_tokens, cfg.model.seq_len)
        if draft and draft.strip() != human.strip():
            pairs.append({"prompt": r["prompt"], "language": r.get("language"), "chosen": human, "rejected": draft})
    model.train()
    atomic_write(cache, "".join(json.dumps(p) + "\n" for p in pairs))
    return pairs


def dpo_examples(model, tokenizer, pairs: list[dict], seq_len: int) -> list[tuple]:
    """(chosen, rejected, reference logp chosen, reference logp rejected) per pair; reference = the base model."""
    import torch

    from llmctl.trainers.heads import Targets, make_target_lm

    out = []
    scorer = make_target_lm(model, dense=False)
    model.eval()
    for p in pairs:
        prompt = task.prompt(p.get("language") or "python", task.trim_code(p["prompt"]), context=p.get("context") or ())
        chosen, rejected = sft_examples(tokenizer, [(prompt, p["chosen"]), (prompt, p["rejected"])], seq_len)
        ids, labels, mask = collate([chosen, rejected], tokenizer.pad_token_id)
        with torch.no_grad():
            ref = Targets(*scorer(input_ids=ids[:, :-1], attention_mask=mask[:, :-1], labels=labels[:, 1:])).per_row(2)
        out.append((chosen, rejected, float(ref[0]), float(ref[1])))
    model.train()
    return out


class Recipe(sft.Recipe):
    """DPO: push the policy's log-odds of chosen over rejected above the reference's."""

    def setup(self, acc, say):
        """Pairs (drafted once by the main process), reference log-probs from the base, then LoRA."""
        cfg = self.cfg
        model, tokenizer = load_base(cfg.model.base)
        with acc.main_process_first():
            pairs = dpo_pairs(cfg, model, tokenizer, say)
        self.examples = dpo_examples(model, tokenizer, pairs, cfg.model.seq_len)
        if not self.examples:
            raise LlmctlError(f"{cfg.data.dir}: no preference pairs (data/dpo/train.jsonl is absent and no draft "
                              "differed from its human doc comment)",
                              "run `llmctl train data` on documented code, or provide data/dpo/train.jsonl")
        self.n_examples, self.pad_id = len(self.examples), tokenizer.pad_token_id
        return with_lora(model, cfg), tokenizer

    def micro_batch(self, indices: list[int]) -> MicroBatch:
        """Chosen rows, then rejected rows, of the same pairs; their reference log-probs as extras."""
        import torch

        chosen = [self.examples[i][0] for i in indices]
        rejected = [self.examples[i][1] for i in indices]
        ids, labels, mask = collate(chosen + rejected, self.pad_id)
        refs = torch.tensor([[self.examples[i][2], self.examples[i][3]] for i in indices])
        return MicroBatch(ids[:, :-1], labels[:, 1:], mask[:, :-1], refs)

    def targets(self, mb: MicroBatch) -> int:
        """Preference pairs: the DPO loss is normalised per pair, not per token."""
        return len(mb.extra)

    def loss(self, out, mb: MicroBatch):
        """Summed DPO loss of the micro-batch's pairs."""
        import torch.nn.functional as F

        n = mb.extra.shape[0]
        logp = out.per_row(2 * n)
        refs = mb.extra.to(logp.device)
        margin = (logp[:n] - refs[:, 0]) - (logp[n:] - refs[:, 1])
        return -F.logsigmoid(self.cfg.dpo.beta * margin).sum()
