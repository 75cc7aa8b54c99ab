"""Fine-tune a base model (full or LoRA) on code -> doc pairs in the prompt docs sync sends; loss on the answer only.

Each pair becomes the doc-writing task's prompt (the code, as `docs sync`
shows it) and answer ("Summary:" and "Parameter" lines), so the tuned model
is trained on exactly what it is asked when serving.

model.base: an HF model folder (e.g. a pretrain run's final/) or a .gguf file
loaded dequantized through transformers. LoRA runs also save the merged model.
"""

from __future__ import annotations

from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.trainers.config import RunConfig
from llmctl.trainers.models import bos_prefix, fit_prompt, load_base, read_jsonl, task_texts
from llmctl.trainers.recipes import MicroBatch, token_loss, token_targets


def sft_examples(tokenizer, pairs: list[tuple[str, str]], seq_len: int) -> list[tuple[list[int], list[int]]]:
    """(input ids, labels) per (prompt, answer): the loss only on the answer's tokens (and EOS).

    Prompts and answers are tokenized in two batched calls (the fast
    tokenizer's batch path): per-row calls took most of SFT's start-up on
    tens of thousands of pairs.
    """
    bos = bos_prefix(tokenizer)
    answers = tokenizer([a for _p, a in pairs], add_special_tokens=False)["input_ids"]
    prompts = tokenizer([p for p, _a in pairs], add_special_tokens=False)["input_ids"]
    out = []
    for p, c in zip(prompts, answers):
        c = (c + [tokenizer.eos_token_id])[: max(8, seq_len // 2)]
        # BOS first, as served; then the end of a prompt too long for the context.
        p = fit_prompt(bos, p, seq_len - len(c))
        out.append((p + c, [-100] * len(p) + c))
    return out


def collate(examples: list[tuple[list[int], list[int]]], pad_id: int):
    """Right-padded (ids, labels, attention mask) tensors."""
    import torch

    width = max(len(x) for x, _ in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), -100, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for i, (x, y) in enumerate(examples):
        ids[i, : len(x)] = torch.tensor(x)
        labels[i, : len(y)] = torch.tensor(y)
        mask[i, : len(x)] = 1
    return ids, labels, mask


def with_lora(model, cfg: RunConfig):
    """The model with LoRA adapters on ``lora.target_modules`` when ``lora.enabled``."""
    if not cfg.lora.enabled:
        return model
    from peft import LoraConfig, get_peft_model

    return get_peft_model(model, LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha, lora_dropout=cfg.lora.dropout,
                                            target_modules=cfg.lora.target_modules, task_type="CAUSAL_LM"))


class Recipe:
    """Supervised fine-tuning on (code, doc comment) pairs."""

    needs_base = True

    def __init__(self, cfg: RunConfig):
        self.cfg = cfg
        self.n_examples = 0
        self.examples: list = []
        self.pad_id = 0

    def setup(self, acc, say):
        """The base model (LoRA-wrapped if asked) and the tokenised pairs of sft/train.jsonl."""
        cfg = self.cfg
        model, tokenizer = load_base(cfg.model.base)
        path = Path(cfg.data.dir) / "sft" / "train.jsonl"
        self.examples = sft_examples(tokenizer, [task_texts(r) for r in read_jsonl(path)], cfg.model.seq_len)
        if not self.examples:
            raise LlmctlError(f"{path}: no instruction pairs", "run `llmctl train data` on documented code")
        self.n_examples, self.pad_id = len(self.examples), tokenizer.pad_token_id
        return with_lora(model, cfg), tokenizer

    def micro_batch(self, indices: list[int]) -> MicroBatch:
        """Padded pairs, shifted by one."""
        ids, labels, mask = collate([self.examples[i] for i in indices], self.pad_id)
        return MicroBatch(ids[:, :-1], labels[:, 1:], mask[:, :-1])

    targets = staticmethod(token_targets)

    def loss(self, out, mb: MicroBatch):
        """Summed cross-entropy over the doc-comment tokens."""
        return token_loss(out, mb)
