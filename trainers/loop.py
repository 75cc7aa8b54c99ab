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
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write
from llmctl.trainers.config import RunConfig
from llmctl.trainers.checkpoints import latest_checkpoint, save_checkpoint, save_final
from llmctl.trainers.heads import Targets
from llmctl.trainers.meter import Clock, Pending


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


@dataclass
class _Run:
    """Everything one training run holds while it steps."""

    cfg: RunConfig
    acc: Any
    recipe: Any
    model: Any  # the prepared TargetLM (trainers/heads.py) around the HF model
    tokenizer: Any
    opt: Any
    fwd: Any  # the model, or its torch.compile'd wrapper
    batches: Batches
    n_params: int
    say: Callable[[str], None]


def resolve_precision(precision: str) -> str:
    """``auto``: bf16 on a GPU that has it (fp32 weights, bf16 compute), else full fp32."""
    if precision != "auto":
        return precision
    import torch

    return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"


def _optimizer(model, t):
    """AdamW with weight decay on matrices only; fused on a GPU (one kernel for all parameters)."""
    import torch

    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim < 2]
    fused = {"fused": True} if torch.cuda.is_available() else {}
    return torch.optim.AdamW([{"params": decay, "weight_decay": t.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=t.lr, betas=t.betas, **fused)


def _prepare(cfg: RunConfig, say: Callable[[str], None]) -> _Run:
    """Accelerator, recipe data and model (with its loss head), AdamW, prepared for the devices at hand."""
    import torch
    from accelerate import Accelerator

    from llmctl.trainers.heads import make_target_lm
    from llmctl.trainers.recipes import recipe_module

    t = cfg.train
    if torch.cuda.is_available():  # TF32 for what still runs in fp32 (Hopper/Ampere tensor cores)
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    acc = Accelerator(mixed_precision=resolve_precision(t.precision), cpu=not torch.cuda.is_available())
    if not acc.is_main_process:
        say = lambda _m: None  # noqa: E731
    if os.environ.get("ACCELERATE_USE_FSDP", "").lower() == "true" and acc.distributed_type.name != "FSDP":
        say(f"the Accelerate config asks for FSDP, but Accelerate runs FSDP on GPUs only: this run is "
            f"{acc.distributed_type.name} (plain data parallel on CPU), nothing is sharded")
    elif acc.distributed_type.name == "FSDP" and acc.num_processes == 1:
        say("FSDP with one process shards nothing (Accelerate falls back to NO_SHARD): "
            "use --num-processes N or --multi-gpu to shard")
    recipe = recipe_module(cfg.kind).Recipe(cfg)
    model, tokenizer = recipe.setup(acc, say)
    if t.activation_checkpointing:
        model.gradient_checkpointing_enable()
    model = make_target_lm(model, dense=getattr(recipe, "dense_labels", False))
    opt = _optimizer(model, t)
    model, opt = acc.prepare(model, opt)
    fwd = torch.compile(model) if t.compile else model
    batches = Batches(recipe.n_examples, t.micro_batch, t.grad_accum, acc.num_processes, acc.process_index, t.seed)
    n_params = sum(p.numel() for p in acc.unwrap_model(model).parameters())
    return _Run(cfg, acc, recipe, model, tokenizer, opt, fwd, batches, n_params, say)


def _resume(r: _Run, resume: str | None) -> dict:
    """The run's state: fresh, or restored (with model, optimizer and RNG) from a checkpoint."""
    state = {"step": 0, "tokens": 0, "positions": 0, "epoch": 0, "loss": None, "losses": []}
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


def _step(r: _Run, step: int) -> tuple[Any, Any, Any]:
    """One optimizer step: (summed loss, [targets, positions] of the whole step, gradient norm), on the device.

    Nothing here waits for the device: the host reads these values only when
    it logs or checkpoints (:class:`_Pending`).
    """
    import torch

    acc, t = r.acc, r.cfg.train
    lr = lr_at(step, r.cfg)
    for g in r.opt.param_groups:
        g["lr"] = lr
    micro = [r.recipe.micro_batch(r.batches.indices(step, m)) for m in range(t.grad_accum)]
    # What the loss is normalised by: the targets of the whole step, over micro-batches and ranks.
    # Counted on the host from host tensors: no wait for the device (but one all-reduce with several ranks).
    counts = torch.tensor([float(sum(r.recipe.targets(mb) for mb in micro)),
                           float(sum(_positions(mb) for mb in micro))])
    world = acc.num_processes
    if world > 1:
        counts = acc.reduce(counts.to(acc.device), reduction="sum")
        scale = world / counts[0].clamp_min(1.0)
    else:
        scale = 1.0 / max(float(counts[0]), 1.0)
    loss_sum = torch.zeros((), device=acc.device)
    for m, mb in enumerate(micro):
        mb.inputs, mb.labels = _to_device(mb.inputs, acc.device), _to_device(mb.labels, acc.device)
        mask = None if mb.mask is None else _to_device(mb.mask, acc.device)
        sync = acc.no_sync(r.model) if m < len(micro) - 1 else nullcontext()
        with sync, acc.autocast():
            s = r.recipe.loss(Targets(*r.fwd(input_ids=mb.inputs, attention_mask=mask, labels=mb.labels)), mb)
            # DDP averages gradients over ranks: scale by world / (targets of the whole step).
            acc.backward(s * scale)
        loss_sum += s.detach()
    loss_sum = acc.reduce(loss_sum, reduction="sum") if world > 1 else loss_sum
    params = [p for p in r.model.parameters() if p.requires_grad]
    if t.grad_clip > 0:
        gn = acc.clip_grad_norm_(params, t.grad_clip)
    else:
        gn = torch.linalg.vector_norm(torch.stack([p.grad.detach().norm() for p in params if p.grad is not None]))
    r.opt.step()
    r.opt.zero_grad(set_to_none=True)
    return loss_sum, counts, gn


def _to_device(t, device):
    """A host tensor onto the device; to a GPU from pinned memory, so the copy overlaps the step's compute."""
    return t.pin_memory().to(device, non_blocking=True) if device.type == "cuda" else t.to(device)


def _positions(mb) -> int:
    """The positions a micro-batch feeds the model, padding excluded."""
    return int(mb.mask.sum()) if mb.mask is not None else mb.inputs.numel()


def _log_step(r: _Run, state: dict, writer, info: dict, progress) -> None:
    """TensorBoard scalars and the progress callback (the caller decides when: log.every, checkpoints, the end)."""
    if not r.acc.is_main_process:
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


def _flops_per_position(r: _Run) -> float:
    """Training FLOPs per position: 6 per weight when it trains, 4 when frozen (LoRA: no weight gradient)."""
    model = r.acc.unwrap_model(r.model)
    total = trainable = 0
    for p in model.parameters():
        total += p.numel()
        trainable += p.numel() if p.requires_grad else 0
    return 6.0 * trainable + 4.0 * (total - trainable)


def run(cfg: RunConfig, resume: str | None = None, log: Callable[[str], None] | None = None,
        progress: Callable[[dict], None] | None = None) -> dict:
    """Train per ``cfg``; returns the final state (step, tokens, loss, steady tokens/s, warm-up and timings)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    started = time.perf_counter()
    say = log if log is not None else (lambda m: print(m, file=sys.stderr, flush=True))
    r = _prepare(cfg, say)
    t, acc = cfg.train, r.acc
    out = Path(cfg.out)
    state = _resume(r, resume)
    state.setdefault("positions", 0)
    writer = _tensorboard(r)
    peak = peak_flops(resolve_precision(t.precision)) if torch.cuda.is_available() else None
    flops = _flops_per_position(r)
    clock, pending = Clock(started), Pending()
    base = (state["tokens"], state.get("positions", 0))
    while state["step"] < t.max_steps:
        step = state["step"]
        pending.add(step, *_step(r, step), lr_at(step, cfg))
        state.update(step=step + 1, epoch=r.batches.epoch(step + 1))
        ckpt = state["step"] % cfg.checkpoint.every == 0 or state["step"] == t.max_steps
        if ckpt or step == 0 or state["step"] % cfg.log.every == 0:
            info = pending.flush(r, state)  # the one host sync of these steps
            tok_s, pos_s = clock.lap(state["tokens"] - base[0], state["positions"] - base[1])
            mfu = flops * pos_s / (peak * acc.num_processes) if peak else None
            _log_step(r, state, writer, info | {"tokens_per_s": tok_s, "positions_per_s": pos_s, "mfu": mfu},
                      progress)
        if ckpt:
            t0 = time.perf_counter()
            save_checkpoint(acc, out / "checkpoints", state, cfg.checkpoint.keep)
            clock.exclude(time.perf_counter() - t0)
    acc.wait_for_everyone()
    final = out / "final"
    full = None
    if acc.distributed_type.name in ("FSDP", "DEEPSPEED"):  # shards on every rank: gather them (a collective)
        full = {k[len("lm."):]: v for k, v in acc.get_state_dict(r.model).items() if k.startswith("lm.")}
    if acc.is_main_process:
        save_final(acc.unwrap_model(r.model).lm, r.tokenizer, final, full)
    acc.wait_for_everyone()
    if writer is not None:
        writer.close()
    report = clock.report(state["tokens"] - base[0], state["positions"] - base[1])
    if peak:
        report["mfu"] = round(flops * report["positions_per_s"] / (peak * acc.num_processes), 4)
    result = {**state, **report,
              "world_size": acc.num_processes, "parameters": r.n_params, "final": str(final)}
    if acc.is_main_process:
        atomic_write(out / "result.json", json.dumps(result, indent=2) + "\n")
    acc.end_training()
    return result


def peak_flops(precision: str) -> float | None:
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
    if os.environ.get("RANK", "0") == "0":  # the run's main process speaks for all
        print(json.dumps({"result": result}), flush=True)


if __name__ == "__main__":
    main()
