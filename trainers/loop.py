"""The training loop for ``llmctl train pretrain|sft``, on Hugging Face Accelerate.

The same code runs in-process (one CPU or GPU) and under ``accelerate launch``
(``python -m llmctl.trainers.loop RUN.json``) for several processes, GPUs or
nodes. Two classic bugs of Accelerate scripts are avoided by construction:

- gradient accumulation is normalised by the number of target tokens of the
  whole optimizer step, summed over micro-batches *and* ranks, so k
  micro-batches give the gradient of one batch k times larger (not an average
  of per-batch means);
- the learning rate is a pure function of the optimizer step, set on every
  rank each step (no scheduler stepped once per process).

Which samples a rank reads at (step, micro-batch) is a pure function of the
seed, so a resumed run continues exactly where the killed one stopped; the
model, optimizer and RNG states come back from ``Accelerator.load_state``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Callable

from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write
from llmctl.trainers.config import RunConfig, model_dims

EOS = "<|endoftext|>"
SFT_SEPARATOR = "\n### Documentation:\n"


# -- data ---------------------------------------------------------------------------

def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise LlmctlError(f"{path}: missing", "run `llmctl train data` first, or set data.dir")
    return [json.loads(ln) for ln in path.read_text("utf-8").splitlines() if ln.strip()]


def train_tokenizer(texts: list[str], vocab_size: int, out_dir: Path):
    """A byte-level BPE (GPT-2 pre-tokenizer, which llama.cpp knows as "gpt-2") trained on ``texts``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS], min_frequency=2,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=EOS, eos_token=EOS, pad_token=EOS)
    out_dir.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(str(out_dir))
    return fast


def pack(tokenizer, texts: list[str], seq_len: int):
    """Concatenate the texts (EOS between) and cut them into (seq_len + 1)-token blocks."""
    import torch

    ids: list[int] = []
    eos = tokenizer.eos_token_id
    for enc in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        ids.extend(enc)
        ids.append(eos)
    n = len(ids) // (seq_len + 1)
    if n == 0:
        raise LlmctlError(f"only {len(ids)} tokens of training text: fewer than one sequence of {seq_len + 1}",
                          "add data or lower model.seq_len")
    return torch.tensor(ids[: n * (seq_len + 1)], dtype=torch.long).view(n, seq_len + 1)


def sft_prompt(code: str) -> str:
    """The prompt a doc model is trained on, evaluated with and drafts from: the code, then a separator."""
    return code.rstrip() + SFT_SEPARATOR


def draft_doc(model, tokenizer, code: str, max_new_tokens: int, context: int) -> str:
    """The model's greedy doc comment for ``code`` (the prompt's tail kept to fit ``context``)."""
    import torch

    ids = tokenizer(sft_prompt(code), add_special_tokens=False)["input_ids"][-max(context - max_new_tokens, 8):]
    with torch.no_grad():
        gen = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             max_new_tokens=max_new_tokens, do_sample=False,
                             eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    return tokenizer.decode(gen[0, len(ids):], skip_special_tokens=True).strip()


def sft_examples(tokenizer, rows: list[dict], seq_len: int) -> list[tuple[list[int], list[int]]]:
    """(input ids, labels) per pair: the loss only on the doc-comment tokens (and EOS)."""
    out = []
    for r in rows:
        p = tokenizer(sft_prompt(r["prompt"]), add_special_tokens=False)["input_ids"]
        c = tokenizer(r["completion"].strip(), add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        c = c[: max(8, seq_len // 2)]
        p = p[-(seq_len - len(c)):]  # keep the end of long code (the signature is lost first only when huge)
        out.append((p + c, [-100] * len(p) + c))
    return out


class Batches:
    """Which examples a rank reads at (optimizer step, micro-batch): a pure function of the seed."""

    def __init__(self, n: int, micro: int, accum: int, world: int, rank: int, seed: int):
        self.n, self.micro, self.accum, self.world, self.rank, self.seed = n, micro, accum, world, rank, seed
        self._perms: dict[int, list[int]] = {}

    def _perm(self, epoch: int) -> list[int]:
        import torch

        if epoch not in self._perms:
            g = torch.Generator().manual_seed(self.seed + epoch)
            self._perms = {epoch: torch.randperm(self.n, generator=g).tolist()}
        return self._perms[epoch]

    def indices(self, step: int, micro_index: int) -> list[int]:
        start = ((step * self.accum + micro_index) * self.world + self.rank) * self.micro
        out = []
        for g in range(start, start + self.micro):
            out.append(self._perm(g // self.n)[g % self.n])
        return out

    def epoch(self, step: int) -> int:
        return (step * self.accum * self.world * self.micro) // self.n


def collate_sft(examples: list[tuple[list[int], list[int]]], pad_id: int):
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


# -- model --------------------------------------------------------------------------

def build_model(cfg: RunConfig, vocab_size: int, eos_id: int):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    dims = model_dims(cfg)
    dims["vocab_size"] = vocab_size
    mc = LlamaConfig(**dims, max_position_embeddings=cfg.model.seq_len, rms_norm_eps=1e-5, rope_theta=10000.0,
                     tie_word_embeddings=cfg.model.tie_embeddings, bos_token_id=eos_id, eos_token_id=eos_id,
                     attention_dropout=0.0, hidden_act="silu")
    torch.manual_seed(cfg.train.seed)
    return LlamaForCausalLM(mc)


def load_base(base: str):
    """An HF model folder, or a GGUF file loaded dequantized through transformers (slow: ~100 s for Gemma 270M)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(base).expanduser()
    if base in ("default", "gemma3-270m"):
        from llmctl.core.model_files import default_model_path

        path = default_model_path()
    if path.suffix == ".gguf":
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype="float32")
        tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        # The weights are dequantized to float32 now: nothing of the GGUF quantization remains,
        # but transformers still flags the model and would refuse to save the merged result.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
    elif path.is_dir():
        model = AutoModelForCausalLM.from_pretrained(str(path), dtype="float32")
        tok = AutoTokenizer.from_pretrained(str(path))
    else:
        raise LlmctlError(f"model.base: {base} is neither a model folder nor a .gguf file",
                          "point it at the final/ folder of a run, an HF model folder, or a GGUF")
    if tok.eos_token_id is None:
        raise LlmctlError(f"model.base: {base}: the tokenizer has no EOS token")
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    return model, tok


# -- the loop -----------------------------------------------------------------------

def lr_at(step: int, cfg: RunConfig) -> float:
    """Linear warmup, then cosine to min_lr_ratio x lr, as a function of the optimizer step."""
    t = cfg.train
    if t.warmup_steps and step < t.warmup_steps:
        return t.lr * (step + 1) / t.warmup_steps
    span = max(1, t.max_steps - t.warmup_steps)
    progress = min(1.0, (step - t.warmup_steps) / span)
    return t.lr * (t.min_lr_ratio + (1 - t.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def latest_checkpoint(out: Path) -> Path | None:
    ckpts = sorted((p for p in (out / "checkpoints").glob("step-*") if (p / "trainer_state.json").is_file()),
                   key=lambda p: int(p.name.split("-")[1]))
    return ckpts[-1] if ckpts else None


def run(cfg: RunConfig, resume: str | None = None, log: Callable[[str], None] | None = None,
        progress: Callable[[dict], None] | None = None) -> dict:
    """Train per ``cfg``; returns the final state (step, tokens, loss, tokens/s)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    import torch.nn.functional as F
    from accelerate import Accelerator

    t = cfg.train
    acc = Accelerator(mixed_precision=t.precision, cpu=not torch.cuda.is_available())
    say = log if log is not None else (lambda m: print(m, file=sys.stderr, flush=True))
    if not acc.is_main_process:
        say = lambda _m: None  # noqa: E731
    out = Path(cfg.out)
    data_dir = Path(cfg.data.dir)
    world, rank = acc.num_processes, acc.process_index

    # Data and model.
    if cfg.kind == "pretrain":
        texts = [r["text"] for r in read_jsonl(data_dir / "pretrain" / "train.jsonl")]
        tok_dir = out / "tokenizer"
        with acc.main_process_first():
            if acc.is_main_process and not (tok_dir / "tokenizer.json").is_file():
                train_tokenizer(texts, model_dims(cfg)["vocab_size"], tok_dir)
        from transformers import PreTrainedTokenizerFast

        tokenizer = PreTrainedTokenizerFast.from_pretrained(str(tok_dir))
        blocks = pack(tokenizer, texts, cfg.model.seq_len)
        n_examples = blocks.shape[0]
        model = build_model(cfg, len(tokenizer), tokenizer.eos_token_id)
    else:
        model, tokenizer = load_base(cfg.model.base)
        if cfg.kind == "dpo":
            with acc.main_process_first():
                pairs = dpo_pairs(cfg, model, tokenizer, data_dir, out, say)
            examples = dpo_examples(model, tokenizer, pairs, cfg.model.seq_len)
        else:
            examples = sft_examples(tokenizer, read_jsonl(data_dir / "sft" / "train.jsonl"), cfg.model.seq_len)
        if not examples:
            raise LlmctlError(f"{data_dir}/sft/train.jsonl: no instruction pairs", "run `llmctl train data` on documented code")
        n_examples = len(examples)
        if cfg.lora.enabled:
            from peft import LoraConfig, get_peft_model

            model = get_peft_model(model, LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha,
                                                     lora_dropout=cfg.lora.dropout,
                                                     target_modules=cfg.lora.target_modules, task_type="CAUSAL_LM"))
    if t.activation_checkpointing:
        model.gradient_checkpointing_enable()
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": t.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=t.lr, betas=t.betas)
    model, opt = acc.prepare(model, opt)
    fwd = torch.compile(model) if t.compile else model
    batches = Batches(n_examples, t.micro_batch, t.grad_accum, world, rank, t.seed)
    n_params = sum(p.numel() for p in acc.unwrap_model(model).parameters())

    state = {"step": 0, "tokens": 0, "epoch": 0, "loss": None, "losses": []}
    ckpt_dir = out / "checkpoints"
    if resume:
        src = latest_checkpoint(out) if resume == "auto" else Path(resume)
        if src is None:
            say("no checkpoint to resume from: starting fresh")
        else:
            if not (src / "trainer_state.json").is_file():
                raise LlmctlError(f"--resume {resume}: {src} is not a complete checkpoint", "use --resume auto")
            acc.load_state(str(src))
            state = json.loads((src / "trainer_state.json").read_text())
            say(f"resumed from {src} at step {state['step']} ({state['tokens']:,} tokens seen)")

    writer = None
    if acc.is_main_process and cfg.log.tensorboard:
        try:
            from torch.utils.tensorboard import SummaryWriter

            writer = SummaryWriter(str(out / "logs"))
        except ImportError:
            say("tensorboard is not installed: no TensorBoard logs")
    peak = _peak_flops(t.precision) if torch.cuda.is_available() else None
    t_start = time.perf_counter()
    tokens_at_start = state["tokens"]
    device = acc.device
    while state["step"] < t.max_steps:
        step = state["step"]
        lr = lr_at(step, cfg)
        for g in opt.param_groups:
            g["lr"] = lr
        micro = []
        for m in range(t.grad_accum):
            idx = batches.indices(step, m)
            if cfg.kind == "pretrain":
                b = blocks[idx]
                micro.append((b[:, :-1], b[:, 1:], None, None))
            elif cfg.kind == "dpo":
                chosen = [examples[i][0] for i in idx]
                rejected = [examples[i][1] for i in idx]
                ids, labels, mask = collate_sft(chosen + rejected, tokenizer.pad_token_id)
                refs = torch.tensor([[examples[i][2], examples[i][3]] for i in idx])
                micro.append((ids[:, :-1], labels[:, 1:], mask[:, :-1], refs))
            else:
                ids, labels, mask = collate_sft([examples[i] for i in idx], tokenizer.pad_token_id)
                micro.append((ids[:, :-1], labels[:, 1:], mask[:, :-1], None))
        # What the loss is normalised by: target tokens, or preference pairs for DPO.
        local_targets = sum(len(r) if r is not None else int((y != -100).sum()) for _, y, _, r in micro)
        total = acc.reduce(torch.tensor(float(local_targets), device=device), reduction="sum")
        total = max(float(total), 1.0)
        loss_sum = torch.zeros((), device=device)
        t0 = time.perf_counter()
        for m, (x, y, mask, refs) in enumerate(micro):
            x, y = x.to(device), y.to(device)
            sync = acc.no_sync(model) if m < len(micro) - 1 else nullcontext()
            with sync, acc.autocast():
                logits = fwd(input_ids=x, attention_mask=None if mask is None else mask.to(device)).logits
                if refs is None:
                    s = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1),
                                        ignore_index=-100, reduction="sum")
                else:
                    logp = _sequence_logprobs(logits, y)
                    n = refs.shape[0]
                    refs = refs.to(device)
                    margin = (logp[:n] - refs[:, 0]) - (logp[n:] - refs[:, 1])
                    s = -F.logsigmoid(cfg.dpo.beta * margin).sum()
                # DDP averages gradients over ranks: scale by world / (targets of the whole step).
                acc.backward(s * world / total)
            loss_sum += s.detach()
        loss = float(acc.reduce(loss_sum, reduction="sum")) / total
        if not math.isfinite(loss):
            last = latest_checkpoint(out)
            raise LlmctlError(f"loss is {loss} at step {step + 1}: stopped; the last good checkpoint is "
                              f"{last or '(none yet)'}", "lower train.lr, or resume from it with --resume auto")
        params = [p for p in model.parameters() if p.requires_grad]
        if t.grad_clip > 0:
            gn = acc.clip_grad_norm_(params, t.grad_clip)
        else:
            gn = torch.norm(torch.stack([p.grad.detach().norm() for p in params if p.grad is not None]))
        opt.step()
        opt.zero_grad(set_to_none=True)
        dt = time.perf_counter() - t0
        state.update(step=step + 1, tokens=state["tokens"] + int(total), epoch=batches.epoch(step + 1), loss=loss,
                     losses=state.get("losses", []) + [round(loss, 6)])
        tok_s = total / dt if dt > 0 else 0.0
        mfu = (6 * n_params * tok_s / (peak * world)) if peak else None
        if acc.is_main_process and (state["step"] % cfg.log.every == 0 or state["step"] == t.max_steps):
            if writer is not None:
                writer.add_scalar("train/loss", loss, state["step"])
                writer.add_scalar("train/lr", lr, state["step"])
                writer.add_scalar("train/grad_norm", float(gn), state["step"])
                writer.add_scalar("train/tokens_per_s", tok_s, state["step"])
                if mfu is not None:
                    writer.add_scalar("train/mfu", mfu, state["step"])
            if progress:
                progress({k: v for k, v in state.items() if k != "losses"} | {"lr": lr, "grad_norm": float(gn), "tokens_per_s": tok_s, "mfu": mfu})
        if state["step"] % cfg.checkpoint.every == 0 or state["step"] == t.max_steps:
            save_checkpoint(acc, ckpt_dir, state, cfg.checkpoint.keep)
    elapsed = time.perf_counter() - t_start
    acc.wait_for_everyone()
    final = out / "final"
    if acc.is_main_process:
        _save_final(acc.unwrap_model(model), tokenizer, final, cfg)
    acc.wait_for_everyone()
    if writer is not None:
        writer.close()
    result = {**state, "seconds": round(elapsed, 3),
              "tokens_per_s": round((state["tokens"] - tokens_at_start) / elapsed, 1) if elapsed > 0 else 0.0,
              "world_size": world, "parameters": n_params, "final": str(final)}
    if acc.is_main_process:
        atomic_write(out / "result.json", json.dumps(result, indent=2) + "\n")
    return result


def _sequence_logprobs(logits, labels):
    """Summed log-probability of each row's target tokens (labels -100 are ignored)."""
    import torch.nn.functional as F

    mask = labels != -100
    logp = -F.cross_entropy(logits.float().transpose(1, 2), labels.clamp_min(0), reduction="none")
    return (logp * mask).sum(-1)


def dpo_pairs(cfg: RunConfig, model, tokenizer, data_dir: Path, out: Path, say) -> list[dict]:
    """(prompt, chosen, rejected): data/dpo/train.jsonl, else human doc vs the base model's own draft.

    Drafting runs once (cached in OUT/dpo_pairs.jsonl): greedy, from the same
    prompt format sft uses, with the base model before any adapter is added.
    """
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
        draft = draft_doc(model, tokenizer, r["prompt"], cfg.dpo.draft_tokens, cfg.model.seq_len)
        if draft and draft != r["completion"].strip():
            pairs.append({"prompt": r["prompt"], "chosen": r["completion"], "rejected": draft})
    model.train()
    atomic_write(cache, "".join(json.dumps(p) + "\n" for p in pairs))
    return pairs


def dpo_examples(model, tokenizer, pairs: list[dict], seq_len: int) -> list[tuple]:
    """(chosen, rejected, reference logp chosen, reference logp rejected) per pair; reference = the base model."""
    import torch

    out = []
    model.eval()
    for p in pairs:
        chosen = sft_examples(tokenizer, [{"prompt": p["prompt"], "completion": p["chosen"]}], seq_len)[0]
        rejected = sft_examples(tokenizer, [{"prompt": p["prompt"], "completion": p["rejected"]}], seq_len)[0]
        ids, labels, mask = collate_sft([chosen, rejected], tokenizer.pad_token_id)
        with torch.no_grad():
            logits = model(input_ids=ids[:, :-1], attention_mask=mask[:, :-1]).logits
        ref = _sequence_logprobs(logits, labels[:, 1:])
        out.append((chosen, rejected, float(ref[0]), float(ref[1])))
    model.train()
    return out


def save_checkpoint(acc, ckpt_dir: Path, state: dict, keep: int) -> Path:
    """``save_state`` on every rank into a temp folder, renamed once all are done; keep the last ``keep``."""
    target = ckpt_dir / f"step-{state['step']}"
    tmp = ckpt_dir / f".tmp-step-{state['step']}"
    if acc.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True, exist_ok=True)
    acc.wait_for_everyone()
    acc.save_state(str(tmp))
    acc.wait_for_everyone()
    if acc.is_main_process:
        (tmp / "trainer_state.json").write_text(json.dumps(state) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
        done = sorted((p for p in ckpt_dir.glob("step-*")), key=lambda p: int(p.name.split("-")[1]))
        for old in done[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    acc.wait_for_everyone()
    return target


def _save_final(model, tokenizer, final: Path, cfg: RunConfig) -> None:
    tmp = final.with_name(".final.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if cfg.kind in ("sft", "dpo") and cfg.lora.enabled:
        model.save_pretrained(str(tmp / "adapter"))
        merged = model.merge_and_unload()
        merged.save_pretrained(str(tmp), safe_serialization=True)
    else:
        model.save_pretrained(str(tmp), safe_serialization=True)
    tokenizer.save_pretrained(str(tmp))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)


def _peak_flops(precision: str) -> float | None:
    """Dense peak FLOP/s of the GPU, where known (for MFU)."""
    import torch

    name = torch.cuda.get_device_name(0)
    table = {"H100": (989e12, 67e12), "H200": (989e12, 67e12), "A100": (312e12, 19.5e12), "L4": (121e12, 30e12)}
    for key, (half, f32) in table.items():
        if key in name:
            return half if precision in ("bf16", "fp16") else f32
    return None


def main() -> None:
    """Entry point under ``accelerate launch``: ``python -m llmctl.trainers.loop RUN.json [--resume X]``."""
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("run_json")
    ap.add_argument("--resume", default=None)
    args = ap.parse_args()
    cfg = RunConfig.model_validate_json(Path(args.run_json).read_text())
    try:
        result = run(cfg, args.resume, progress=lambda s: print(json.dumps({"progress": s}), flush=True))
    except LlmctlError as err:
        print(f"llmctl: error: {err.message}" + (f" — {err.fix}" if err.fix else ""), file=sys.stderr)
        raise SystemExit(2) from None
    print(json.dumps({"result": result}), flush=True)


if __name__ == "__main__":
    main()
