"""Checkpoints and the final model of a training run: written to a temp folder, renamed when complete.

A checkpoint is what ``Accelerator.save_state`` writes on every rank (model,
optimizer, RNG states; sharded under FSDP) plus ``trainer_state.json`` (step,
tokens, losses); only a folder with that file counts, so a run killed while
saving resumes from the previous one.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path


def latest_checkpoint(out: Path) -> Path | None:
    """The newest complete checkpoint of a run folder, if any."""
    ckpts = sorted((p for p in (out / "checkpoints").glob("step-*") if (p / "trainer_state.json").is_file()),
                   key=lambda p: int(p.name.split("-")[1]))
    return ckpts[-1] if ckpts else None


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


def save_final(model, tokenizer, final: Path, full_state: dict | None = None) -> None:
    """The final model (and a LoRA run's adapter) into ``final``, atomically.

    ``full_state``: the whole state dict gathered from sharded ranks (FSDP,
    DeepSpeed ZeRO-3), keyed as ``model``'s own; the module's parameters are
    only this rank's shards then. A sharded LoRA run saves its adapter only
    (merge it on one device: ``llmctl export gguf ADAPTER --base BASE.gguf``).
    """
    tmp = final.with_name(".final.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if _is_lora(model):  # the adapter, and the merged model beside it
        model.save_pretrained(str(tmp / "adapter"), state_dict=full_state)
        if full_state is None:
            merged = model.merge_and_unload()
            merged.save_pretrained(str(tmp), safe_serialization=True)
    else:
        model.save_pretrained(str(tmp), state_dict=full_state, safe_serialization=True)
    tokenizer.save_pretrained(str(tmp))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)


def _is_lora(model) -> bool:
    try:
        from peft import PeftModel
    except ImportError:
        return False
    return isinstance(model, PeftModel)
