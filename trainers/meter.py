"""What a training run measures without slowing it: per-step values kept on the device, and its clock."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from llmctl.core.errors import LlmctlError
from llmctl.trainers.checkpoints import latest_checkpoint


class Pending:
    """Per-step values kept on the device until the host needs them (a log line, a checkpoint, the end)."""

    def __init__(self):
        self.rows: list[tuple[int, Any, Any, Any, float]] = []

    def add(self, step: int, loss_sum, counts, gn, lr: float) -> None:
        self.rows.append((step, loss_sum, counts, gn, lr))

    def flush(self, r, state: dict) -> dict:
        """Bring the pending steps to the host (one sync), fold them into ``state``; the last step's values."""
        import torch

        if not self.rows:
            return {}
        dev = r.acc.device
        vals = torch.stack([torch.cat([torch.as_tensor(x, dtype=torch.float32).to(dev).reshape(-1) for x in row[1:4]])
                            for row in self.rows]).cpu().tolist()
        info = {}
        for (step, *_rest, lr), (loss_sum, total, positions, gn) in zip(self.rows, vals):
            loss = loss_sum / max(total, 1.0)
            if not math.isfinite(loss):
                last = latest_checkpoint(Path(r.cfg.out))
                raise LlmctlError(f"loss is {loss} at step {step + 1}: stopped; the last good checkpoint is "
                                  f"{last or '(none yet)'}", "lower train.lr, or resume from it with --resume auto")
            state["tokens"] += int(total)
            state["positions"] = state.get("positions", 0) + int(positions)
            state["losses"] = state.get("losses", []) + [round(loss, 6)]
            state["loss"] = loss
            info = {"loss": loss, "lr": lr, "grad_norm": gn}
        self.rows = []
        return info
class Clock:
    """Time to first step, warm-up (the first step: allocation, compile) and steady-state throughput.

    Steady state is every step after the first, minus the time spent saving
    checkpoints; it is what ``tokens_per_s`` (targets: what the loss counts)
    and ``positions_per_s`` (every position the model processes, padding
    excluded; the same for pretraining) report. Laps are taken only where the
    host already waits for the device (a log line, a checkpoint).
    """

    def __init__(self, started: float):
        self.started, self.mark, self.last = started, time.perf_counter(), (0, 0)
        self.first_step_s = self.warmup_s = None
        self.steady_s, self.steady, self.checkpoint_s = 0.0, [0, 0], 0.0

    def lap(self, tokens: int, positions: int) -> tuple[float, float]:
        """(tokens/s, positions/s) since the previous lap; the first lap, one step, is the warm-up."""
        now = time.perf_counter()
        dt, dn, dp = now - self.mark, tokens - self.last[0], positions - self.last[1]
        if self.warmup_s is None:
            self.first_step_s, self.warmup_s = now - self.started, dt
        else:
            self.steady_s += dt
            self.steady = [self.steady[0] + dn, self.steady[1] + dp]
        self.mark, self.last = now, (tokens, positions)
        return (dn / dt, dp / dt) if dt > 0 else (0.0, 0.0)

    def exclude(self, seconds: float) -> None:
        self.checkpoint_s += seconds
        self.mark += seconds

    def report(self, tokens: int, positions: int) -> dict:
        total = time.perf_counter() - self.started
        if self.steady_s > 0:
            rates = (self.steady[0] / self.steady_s, self.steady[1] / self.steady_s)
        else:
            rates = (tokens / max(total, 1e-9), positions / max(total, 1e-9))
        return {"tokens_per_s": round(rates[0], 1), "positions_per_s": round(rates[1], 1),
                "first_step_s": round(self.first_step_s or 0.0, 3), "warmup_s": round(self.warmup_s or 0.0, 3),
                "checkpoint_s": round(self.checkpoint_s, 3), "seconds": round(total, 3),
                "tokens_per_s_overall": round(tokens / total, 1) if total > 0 else 0.0}
