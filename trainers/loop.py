"""The training engine for every ``llmctl train`` recipe, on Hugging Face Accelerate.

What differs between pretrain, sft and dpo lives in ``trainers/recipes/``
(one file each: data, micro-batches, loss); this module is the rest. The same
code runs in-process (one CPU or GPU) and under ``accelerate launch``
(``python -m llmctl.trainers.loop RUN.json``, see launch.py) for several
processes, GPUs or nodes. Two classic bugs of Accelerate scripts are avoided
by construction:

- gradient accumulation is normalised by the number of targets (tokens, or
  pairs for DPO) of the whole optimizer step, summed over micro-batches *and*
  ranks, so k micro-batches give the gradient of one batch k times larger
  (not an average of per-batch means);
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write
from llmctl.trainers.config import RunConfig


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
        """The example indices this rank reads for micro-batch ``micro_index`` of optimizer step ``step``."""
        start = ((step * self.accum + micro_index) * self.world + self.rank) * self.micro
        out = []
        for g in range(start, start + self.micro):
            out.append(self._perm(g // self.n)[g % self.n])
        return out

    def epoch(self, step: int) -> int:
        """The epoch the data position of optimizer step ``step`` falls in."""
        return (step * self.accum * self.world * self.micro) // self.n


def lr_at(step: int, cfg: RunConfig) -> float:
    """Linear warmup, then cosine to min_lr_ratio x lr, as a function of the optimizer step."""
    t = cfg.train
    if t.warmup_steps and step < t.warmup_steps:
        return t.lr * (step + 1) / t.warmup_steps
    span = max(1, t.max_steps - t.warmup_steps)
    progress = min(1.0, (step - t.warmup_steps) / span)
    return t.lr * (t.min_lr_ratio + (1 - t.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def latest_checkpoint(out: Path) -> Path | None:
    """The newest complete checkpoint of a run folder, if any."""
    ckpts = sorted((p for p in (out / "checkpoints").glob("step-*") if (p / "trainer_state.json").is_file()),
                   key=lambda p: int(p.name.split("-")[1]))
    return ckpts[-1] if ckpts else None


@dataclass
class _Run:
    """Everything one training run holds while it steps."""

    cfg: RunConfig
    acc: Any
    recipe: Any
    model: Any
    tokenizer: Any
    opt: Any
    fwd: Any  # the model, or its torch.compile'd wrapper
    batches: Batches
    n_params: int
    say: Callable[[str], None]


def _prepare(cfg: RunConfig, say: Callable[[str], None]) -> _Run:
    """Accelerator, recipe data and model, AdamW with decay groups, prepared for the devices at hand."""
    import torch
    from accelerate import Accelerator

    from llmctl.trainers.recipes import recipe_module

    t = cfg.train
    acc = Accelerator(mixed_precision=t.precision, cpu=not torch.cuda.is_available())
    if not acc.is_main_process:
        say = lambda _m: None  # noqa: E731
    recipe = recipe_module(cfg.kind).Recipe(cfg)
    model, tokenizer = recipe.setup(acc, say)
    if t.activation_checkpointing:
        model.gradient_checkpointing_enable()
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": t.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=t.lr, betas=t.betas)
    model, opt = acc.prepare(model, opt)
    fwd = torch.compile(model) if t.compile else model
    batches = Batches(recipe.n_examples, t.micro_batch, t.grad_accum, acc.num_processes, acc.process_index, t.seed)
    n_params = sum(p.numel() for p in acc.unwrap_model(model).parameters())
    return _Run(cfg, acc, recipe, model, tokenizer, opt, fwd, batches, n_params, say)


def _resume(r: _Run, resume: str | None) -> dict:
    """The run's state: fresh, or restored (with model, optimizer and RNG) from a checkpoint."""
    state = {"step": 0, "tokens": 0, "epoch": 0, "loss": None, "losses": []}
    if not resume:
        return state
    out = Path(r.cfg.out)
    src = latest_checkpoint(out) if resume == "auto" else Path(resume)
    if src is None:
        r.say("no checkpoint to resume from: starting fresh")
        return state
    if not (src / "trainer_state.json").is_file():
        raise LlmctlError(f"--resume {resume}: {src} is not a complete checkpoint", "use --resume auto")
    r.acc.load_state(str(src))
    state = json.loads((src / "trainer_state.json").read_text())
    r.say(f"resumed from {src} at step {state['step']} ({state['tokens']:,} tokens seen)")
    return state


def _step(r: _Run, step: int) -> tuple[float, float, Any]:
    """One optimizer step: (loss per target, targets of the whole step, gradient norm)."""
    import torch

    acc, t = r.acc, r.cfg.train
    lr = lr_at(step, r.cfg)
    for g in r.opt.param_groups:
        g["lr"] = lr
    micro = [r.recipe.micro_batch(r.batches.indices(step, m)) for m in range(t.grad_accum)]
    # What the loss is normalised by: the targets of the whole step, over micro-batches and ranks.
    local = sum(r.recipe.targets(mb) for mb in micro)
    total = max(float(acc.reduce(torch.tensor(float(local), device=acc.device), reduction="sum")), 1.0)
    loss_sum = torch.zeros((), device=acc.device)
    world = acc.num_processes
    for m, mb in enumerate(micro):
        mb.inputs, mb.labels = mb.inputs.to(acc.device), mb.labels.to(acc.device)
        mask = None if mb.mask is None else mb.mask.to(acc.device)
        sync = acc.no_sync(r.model) if m < len(micro) - 1 else nullcontext()
        with sync, acc.autocast():
            logits = r.fwd(input_ids=mb.inputs, attention_mask=mask).logits
            s = r.recipe.loss(logits, mb)
            # DDP averages gradients over ranks: scale by world / (targets of the whole step).
            acc.backward(s * world / total)
        loss_sum += s.detach()
    loss = float(acc.reduce(loss_sum, reduction="sum")) / total
    if not math.isfinite(loss):
        last = latest_checkpoint(Path(r.cfg.out))
        raise LlmctlError(f"loss is {loss} at step {step + 1}: stopped; the last good checkpoint is "
                          f"{last or '(none yet)'}", "lower train.lr, or resume from it with --resume auto")
    params = [p for p in r.model.parameters() if p.requires_grad]
    if t.grad_clip > 0:
        gn = acc.clip_grad_norm_(params, t.grad_clip)
    else:
        gn = torch.norm(torch.stack([p.grad.detach().norm() for p in params if p.grad is not None]))
    r.opt.step()
    r.opt.zero_grad(set_to_none=True)
    return loss, total, gn


def _log_step(r: _Run, state: dict, writer, info: dict, progress) -> None:
    """TensorBoard scalars and the progress callback, every ``log.every`` steps and at the end."""
    if not r.acc.is_main_process:
        return
    if state["step"] % r.cfg.log.every != 0 and state["step"] != r.cfg.train.max_steps:
        return
    if writer is not None:
        for key in ("loss", "lr", "grad_norm", "tokens_per_s", "mfu"):
            if info.get(key) is not None:
                writer.add_scalar(f"train/{key}", info[key], state["step"])
    if progress:
        progress({k: v for k, v in state.items() if k != "losses"} | info)


def _tensorboard(r: _Run):
    if not (r.acc.is_main_process and r.cfg.log.tensorboard):
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        r.say("tensorboard is not installed: no TensorBoard logs")
        return None
    return SummaryWriter(str(Path(r.cfg.out) / "logs"))


def run(cfg: RunConfig, resume: str | None = None, log: Callable[[str], None] | None = None,
        progress: Callable[[dict], None] | None = None) -> dict:
    """Train per ``cfg``; returns the final state (step, tokens, loss, tokens/s)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    say = log if log is not None else (lambda m: print(m, file=sys.stderr, flush=True))
    r = _prepare(cfg, say)
    t, acc = cfg.train, r.acc
    out = Path(cfg.out)
    state = _resume(r, resume)
    writer = _tensorboard(r)
    peak = _peak_flops(t.precision) if torch.cuda.is_available() else None
    t_start = time.perf_counter()
    tokens_at_start = state["tokens"]
    while state["step"] < t.max_steps:
        step = state["step"]
        t0 = time.perf_counter()
        loss, total, gn = _step(r, step)
        dt = time.perf_counter() - t0
        state.update(step=step + 1, tokens=state["tokens"] + int(total), epoch=r.batches.epoch(step + 1), loss=loss,
                     losses=state.get("losses", []) + [round(loss, 6)])
        tok_s = total / dt if dt > 0 else 0.0
        mfu = (6 * r.n_params * tok_s / (peak * acc.num_processes)) if peak else None
        _log_step(r, state, writer, {"loss": loss, "lr": lr_at(step, cfg), "grad_norm": float(gn),
                                     "tokens_per_s": tok_s, "mfu": mfu}, progress)
        if state["step"] % cfg.checkpoint.every == 0 or state["step"] == t.max_steps:
            save_checkpoint(acc, out / "checkpoints", state, cfg.checkpoint.keep)
    elapsed = time.perf_counter() - t_start
    acc.wait_for_everyone()
    final = out / "final"
    if acc.is_main_process:
        _save_final(acc.unwrap_model(r.model), r.tokenizer, final, cfg)
    acc.wait_for_everyone()
    if writer is not None:
        writer.close()
    result = {**state, "seconds": round(elapsed, 3),
              "tokens_per_s": round((state["tokens"] - tokens_at_start) / elapsed, 1) if elapsed > 0 else 0.0,
              "world_size": acc.num_processes, "parameters": r.n_params, "final": str(final)}
    if acc.is_main_process:
        atomic_write(out / "result.json", json.dumps(result, indent=2) + "\n")
    return result


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
    """The final model (and a LoRA run's adapter) into ``final``, atomically."""
    tmp = final.with_name(".final.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if _is_lora(model):  # the adapter, and the merged model beside it
        model.save_pretrained(str(tmp / "adapter"))
        merged = model.merge_and_unload()
        merged.save_pretrained(str(tmp), safe_serialization=True)
    else:
        model.save_pretrained(str(tmp), safe_serialization=True)
    tokenizer.save_pretrained(str(tmp))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)


def _is_lora(model) -> bool:
    try:
        from peft import PeftModel
    except ImportError:
        return False
    return isinstance(model, PeftModel)


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
        print(err.line(), file=sys.stderr)
        raise SystemExit(err.exit_code) from None
    print(json.dumps({"result": result}), flush=True)


if __name__ == "__main__":
    main()
