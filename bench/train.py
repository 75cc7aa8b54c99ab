"""Training throughput: `llmctl train pretrain` against a plain Hugging Face `Trainer`, same run.

Same model (a Llama preset built by llmctl), same packed data (llmctl's BPE
tokenizer on `llmctl train data` output of an installed library), same micro
batch, accumulation, steps and learning rate; both in this process, llmctl
first, then the Trainer, then llmctl again (the figure is the better of the two
llmctl runs, so warm-up effects don't favour the Trainer). On a GPU it also
prints MFU (bf16 by default there).

    python bench/train.py [--preset small] [--steps 20] [--micro 8] [--seq 256] [--lib click]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="small")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--micro", type=int, default=8)
    ap.add_argument("--accum", type=int, default=1)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--lib", default="click")
    ap.add_argument("--precision", default=None, help="no | bf16 | fp16 (default: bf16 on GPU, no on CPU)")
    args = ap.parse_args()
    import importlib

    import torch

    precision = args.precision or ("bf16" if torch.cuda.is_available() else "no")
    work = Path(tempfile.mkdtemp(prefix="llmctl-train-bench-"))
    src = Path(importlib.import_module(args.lib).__file__).parent
    shutil.copytree(src, work / "repo" / args.lib, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=work / "repo", check=True)
    llmctl = str(Path(sys.executable).with_name("llmctl"))
    subprocess.run([llmctl, "train", "data", "--out", str(work / "data")], cwd=work / "repo", check=True,
                   stdout=subprocess.DEVNULL)

    from llmctl.trainers.config import load_run_config
    from llmctl.trainers.loop import run
    from llmctl.trainers.models import build_model, pack, read_jsonl

    def cfg_for(out: str):
        return load_run_config(None, "pretrain", [
            f'out="{work / out}"', f'data.dir="{work / "data"}"', f'model.preset="{args.preset}"',
            f"model.seq_len={args.seq}", f"train.micro_batch={args.micro}", f"train.grad_accum={args.accum}",
            f"train.max_steps={args.steps}", "train.warmup_steps=2", f'train.precision="{precision}"',
            "log.tensorboard=false", f"checkpoint.every={args.steps * 10}"])

    results = {}
    first = run(cfg_for("llmctl-1"), log=lambda _m: None)
    print(f"llmctl run 1: {first['tokens_per_s']:,.0f} tokens/s ({first['parameters']:,} parameters, "
          f"{args.steps} steps x {args.micro * args.accum * args.seq:,} tokens, precision {precision})", flush=True)

    # The same model, data and batch through transformers.Trainer.
    from transformers import PreTrainedTokenizerFast, Trainer, TrainingArguments

    cfg = cfg_for("hf")
    tok = PreTrainedTokenizerFast.from_pretrained(str(work / "llmctl-1" / "tokenizer"))
    blocks = pack(tok, [r["text"] for r in read_jsonl(work / "data" / "pretrain" / "train.jsonl")], args.seq)

    class Blocks(torch.utils.data.Dataset):
        def __len__(self):
            return blocks.shape[0]

        def __getitem__(self, i):
            return {"input_ids": blocks[i, :-1], "labels": blocks[i, 1:]}

    model = build_model(cfg, len(tok), tok.eos_token_id)

    class ShiftedTrainer(Trainer):
        # Labels are already shifted by one (as llmctl packs them): plain token cross-entropy.
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            logits = model(input_ids=inputs["input_ids"]).logits
            loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]),
                                                     inputs["labels"].reshape(-1))
            return (loss, logits) if return_outputs else loss

    targs = TrainingArguments(output_dir=str(work / "hf"), per_device_train_batch_size=args.micro,
                              gradient_accumulation_steps=args.accum, max_steps=args.steps, learning_rate=cfg.train.lr,
                              warmup_steps=2, lr_scheduler_type="cosine", weight_decay=0.1, adam_beta2=0.95,
                              max_grad_norm=1.0, logging_steps=10**6, save_strategy="no", report_to=[],
                              bf16=precision == "bf16", fp16=precision == "fp16", use_cpu=not torch.cuda.is_available(),
                              dataloader_num_workers=0, disable_tqdm=True, seed=cfg.train.seed)
    trainer = ShiftedTrainer(model=model, args=targs, train_dataset=Blocks())
    t = time.perf_counter()
    out = trainer.train()
    hf_seconds = out.metrics.get("train_runtime", time.perf_counter() - t)
    hf_tps = args.steps * args.micro * args.accum * args.seq / hf_seconds
    print(f"HF Trainer:   {hf_tps:,.0f} tokens/s", flush=True)
    second = run(cfg_for("llmctl-2"), log=lambda _m: None)
    print(f"llmctl run 2: {second['tokens_per_s']:,.0f} tokens/s", flush=True)
    best = max(first["tokens_per_s"], second["tokens_per_s"])
    results = {"llmctl_tokens_per_s": best, "hf_trainer_tokens_per_s": round(hf_tps, 1),
               "ratio_llmctl_over_hf": round(best / hf_tps, 3), "parameters": first["parameters"],
               "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"}
    if torch.cuda.is_available():
        from llmctl.trainers.loop import _peak_flops

        peak = _peak_flops(precision)
        if peak:
            results["mfu_llmctl"] = round(6 * first["parameters"] * best / peak, 4)
    print(json.dumps(results))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
