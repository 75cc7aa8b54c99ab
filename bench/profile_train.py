"""Where a training step's time goes: torch.profiler over steady steps of `llmctl train`, top ops by self time.

Runs the real engine (`trainers/loop.py`) on `llmctl train data` output of an
installed library and profiles steps 2..N (step 1 is warm-up), on the GPU
when there is one (CUDA activity too), else on the CPU. The figures behind
`bench/train.py`'s docstring came from:

    python bench/profile_train.py --kind sft --steps 4 --micro 4 --seq 512      # LoRA on the default Gemma 3 270M
    python bench/profile_train.py --kind pretrain --preset small --steps 6
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", default="sft", choices=["sft", "pretrain"])
    ap.add_argument("--preset", default="small", help="pretrain: tiny, small or gpt2-124m")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--micro", type=int, default=4)
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--lib", default="click")
    ap.add_argument("--rows", type=int, default=14)
    args = ap.parse_args()
    import torch

    from llmctl.trainers import loop
    from llmctl.trainers.config import load_run_config
    from train import _prepare_data  # bench/train.py

    work = Path(tempfile.mkdtemp(prefix="llmctl-profile-"))
    data = _prepare_data(args.lib, work)
    over = [f'data.dir="{data}"', f"model.seq_len={args.seq}", f"train.micro_batch={args.micro}",
            f"train.max_steps={args.steps}", "train.warmup_steps=1", "log.tensorboard=false",
            "checkpoint.every=100000", f'out="{work / "run"}"']
    over += ['model.base="default"'] if args.kind == "sft" else [f'model.preset="{args.preset}"']
    cfg = load_run_config(None, args.kind, over)
    activities = [torch.profiler.ProfilerActivity.CPU]
    if torch.cuda.is_available():
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    prof = torch.profiler.profile(activities=activities, profile_memory=True)
    step, calls = loop._step, {"n": 0}

    def profiled(r, s):
        calls["n"] += 1
        if calls["n"] == 2:
            prof.__enter__()
        out = step(r, s)
        if calls["n"] == args.steps:
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            prof.__exit__(None, None, None)
        return out

    loop._step = profiled
    result = loop.run(cfg, log=lambda _m: None)
    print(json.dumps({k: result.get(k) for k in ("tokens_per_s", "positions_per_s", "first_step_s", "seconds",
                                                  "tokens", "positions", "loss")}))
    key = "self_cuda_time_total" if torch.cuda.is_available() else "self_cpu_time_total"
    print(prof.key_averages().table(sort_by=key, row_limit=args.rows, max_name_column_width=48))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
