"""Running a training run in several processes through ``accelerate launch``.

The protocol between this process and the workers: the validated run config
is written to ``OUT/run.json``; each worker runs ``python -m
llmctl.trainers.loop OUT/run.json [--resume X]`` and prints, on stdout, one
``{"progress": {...}}`` line per logged step and one ``{"result": {...}}``
line at the end (main process only). Anything else a worker prints is passed
through. :func:`launch` starts them and turns that stream back into calls.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_write
from llmctl.trainers.config import RunConfig
from llmctl.trainers.loop import resolve_precision


class LaunchFailed(LlmctlError):
    """The workers exited without a result."""

    def __init__(self, returncode: int):
        super().__init__(f"the training processes exited with code {returncode} and no result",
                         "see the output above")
        self.exit_code = returncode or 1


@dataclass
class Nodes:
    """Where this machine stands among the machines of one run (``accelerate launch``'s multi-node flags)."""

    machines: int = 1
    rank: int = 0
    main_ip: str = "127.0.0.1"
    main_port: int = 29500


def command(cfg: RunConfig, run_json: Path, num_processes: int, accelerate_config: Path | None,
            resume: str | None, nodes: Nodes | None = None) -> list[str]:
    """The ``accelerate launch`` command line.

    Without a config file: ``--multi_gpu`` even on CPU, because ``accelerate
    launch --cpu --num_processes N`` silently starts one process; with it,
    gloo runs N CPU processes (and NCCL one per GPU). With several machines,
    ``num_processes`` is this machine's share; Accelerate is given the total.
    """
    nodes = nodes or Nodes()
    cmd = [str(Path(sys.executable).with_name("accelerate")), "launch"]
    if accelerate_config is not None:
        cmd += ["--config_file", str(accelerate_config)]
    else:
        cmd += ["--multi_gpu", "--num_processes", str(num_processes * nodes.machines),
                "--num_machines", str(nodes.machines), "--mixed_precision", resolve_precision(cfg.train.precision),
                "--dynamo_backend", "no"]
    if nodes.machines > 1:
        cmd += ["--machine_rank", str(nodes.rank), "--main_process_ip", nodes.main_ip,
                "--main_process_port", str(nodes.main_port)]
    return cmd + ["-m", "llmctl.trainers.loop", str(run_json)] + (["--resume", resume] if resume else [])


def launch(cfg: RunConfig, num_processes: int, accelerate_config: Path | None, resume: str | None,
           on_progress: Callable[[dict], None], nodes: Nodes | None = None) -> dict:
    """Run ``cfg`` in worker processes; returns the main process's result."""
    run_json = Path(cfg.out) / "run.json"
    atomic_write(run_json, cfg.model_dump_json(indent=2))
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    proc = subprocess.Popen(command(cfg, run_json, num_processes, accelerate_config, resume, nodes),
                            stdout=subprocess.PIPE, text=True, env=env)
    result = None
    for line in proc.stdout:
        if line.startswith('{"progress"'):
            on_progress(json.loads(line)["progress"])
        elif line.startswith('{"result"'):
            result = json.loads(line)["result"]
        else:
            sys.stdout.write(line)
    rc = proc.wait()
    if rc == 0 and result is None and nodes is not None and nodes.rank > 0:
        return {"machine_rank": nodes.rank}  # the run's result is printed by machine 0
    if rc != 0 or result is None:
        raise LaunchFailed(rc)
    return result
