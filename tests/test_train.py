"""`llmctl train pretrain|sft|validate`, `llmctl eval` and `llmctl export gguf`, with tiny real models.

The corpus is a real one: the sources of an installed library (click), through
`llmctl train data`. Training is real (Accelerate, two gloo processes through
`accelerate launch` for the distributed test); the exported GGUF is loaded by
llama-cpp-python and served by `llmctl serve` for `llmctl docs sync`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import LLMCTL, run_cli

pytestmark = pytest.mark.timeout(900)


def _toml(path: Path, out: Path, data: Path, **train) -> Path:
    t = {"micro_batch": 4, "grad_accum": 1, "max_steps": 12, "lr": 3e-3, "warmup_steps": 2} | train
    lines = ['kind = "pretrain"', f'out = "{out}"', "[model]", 'preset = "tiny"', "seq_len = 128",
             "[data]", f'dir = "{data}"', "[train]"] + [f"{k} = {json.dumps(v)}" for k, v in t.items()] + [
             "[checkpoint]", "every = 3", "keep = 2"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _weights(final: Path):
    from safetensors.torch import load_file

    return load_file(str(final / "model.safetensors"))


def _max_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k].float() - b[k].float()).abs().max()) for k in a)


def _same_training(a: dict, b: dict, tol: float = 1e-4) -> None:
    """Two runs made the same updates: every weight within ``tol``, but for a handful of elements.

    AdamW's first steps move each weight by about lr * sign(gradient). Where a gradient
    is within rounding of zero (an embedding row of a token seen once, say), summing it
    in another order (another batch shape, or gloo's all-reduce) can flip its sign and
    move that one element by up to 2 * lr: measured 1 element in 2.1M, on torch 2.13.
    A real accumulation or scaling bug moves every weight, so the share of weights off
    by more than ``tol`` and the mean difference both expose it.
    """
    assert a.keys() == b.keys()
    n = sum(v.numel() for v in a.values())
    off = sum(int(((a[k].float() - b[k].float()).abs() > tol).sum()) for k in a)
    mean = sum(float((a[k].float() - b[k].float()).abs().sum()) for k in a) / n
    assert off <= max(2, n // 100_000) and mean < tol / 100, (off, n, mean)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    import click

    root = tmp_path_factory.mktemp("corpus")
    repo = root / "repo"
    shutil.copytree(Path(click.__file__).parent, repo / "click", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    run_cli("train", "data", "--out", str(root / "data"), cwd=repo, check=True)
    return root / "data"


@pytest.fixture(scope="module")
def base(corpus: Path, tmp_path_factory) -> Path:
    """A tiny model pretrained on the corpus: loss must fall."""
    root = tmp_path_factory.mktemp("base")
    cfg = _toml(root / "run.toml", root / "run", corpus, max_steps=30)
    proc = run_cli("train", "pretrain", str(cfg), "--json", cwd=root, check=True)
    result = json.loads(proc.stdout)
    losses = result["losses"]
    assert len(losses) == 30
    assert sum(losses[-5:]) / 5 < losses[0] - 1.0, losses  # ln(2048) ~ 7.6 at the start
    assert (root / "run/final/model.safetensors").is_file() and (root / "run/final/tokenizer.json").is_file()
    assert list((root / "run/logs").glob("events.out.tfevents.*")), "no TensorBoard log"
    assert sorted(p.name for p in (root / "run/checkpoints").iterdir()) == ["step-27", "step-30"]  # keep = 2
    return root / "run/final"


def test_validate_reports_the_plan_and_rejects_bad_configs(corpus: Path, tmp_path: Path):
    cfg = _toml(tmp_path / "run.toml", tmp_path / "run", corpus, micro_batch=4, grad_accum=3)
    plan = json.loads(run_cli("train", "validate", str(cfg), "--num-processes", "2", "--json", cwd=tmp_path,
                              check=True).stdout)
    assert plan["batch"]["global_batch"] == 4 * 3 * 2
    assert plan["batch"]["tokens_per_step"] == 24 * 128
    assert 2_000_000 < plan["model"]["parameters"] < 4_000_000 and plan["memory_gib_per_process"] > 0
    bad = tmp_path / "bad.toml"
    bad.write_text(cfg.read_text().replace("lr = 0.003", "lr = -1"))
    proc = run_cli("train", "validate", str(bad), cwd=tmp_path)
    assert proc.returncode == 2 and "train.lr" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    typo = tmp_path / "typo.yaml"
    typo.write_text("kind: pretrain\ntrain:\n  micro_batchh: 4\n")
    proc = run_cli("train", "validate", str(typo), cwd=tmp_path)
    assert proc.returncode == 2 and "micro_batchh" in proc.stderr


def test_accumulation_equals_one_big_batch(base: Path, corpus: Path, tmp_path: Path):
    """SFT pairs differ in length: k micro-batches must give the gradient of one k-times batch."""
    from llmctl.trainers.config import load_run_config
    from llmctl.trainers.loop import run

    common = [f"model.base={json.dumps(str(base))}", f"data.dir={json.dumps(str(corpus))}", "model.seq_len=128",
              "train.max_steps=3", "train.lr=1e-3", "train.warmup_steps=0", "lora.enabled=false", "log.tensorboard=false"]
    a = load_run_config(None, "sft", common + ["train.micro_batch=2", "train.grad_accum=3", f'out="{tmp_path / "a"}"'])
    b = load_run_config(None, "sft", common + ["train.micro_batch=6", "train.grad_accum=1", f'out="{tmp_path / "b"}"'])
    ra, rb = run(a), run(b)
    assert ra["tokens"] == rb["tokens"]
    # Targets are the doc tokens; the model also reads the code before them (timings kept apart).
    assert ra["positions"] > ra["tokens"] > 0
    assert ra["seconds"] >= ra["first_step_s"] + ra["checkpoint_s"] and ra["tokens_per_s"] > 0
    assert abs(ra["loss"] - rb["loss"]) < 1e-4
    _same_training(_weights(tmp_path / "a/final"), _weights(tmp_path / "b/final"), 1e-5)


def test_killed_run_resumes_to_the_same_weights(corpus: Path, tmp_path: Path):
    full = _toml(tmp_path / "full.toml", tmp_path / "full", corpus, max_steps=12)
    run_cli("train", "pretrain", str(full), cwd=tmp_path, check=True)
    cfg = _toml(tmp_path / "killed.toml", tmp_path / "killed", corpus, max_steps=12)
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    proc = subprocess.Popen([LLMCTL, "train", "pretrain", str(cfg)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = tmp_path / "killed/checkpoints/step-6"
    deadline = time.monotonic() + 300
    while not ckpt.is_dir() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "killed/final").exists(), "the run finished before it could be killed"
    proc = run_cli("train", "pretrain", str(cfg), "--resume", "auto", "--json", cwd=tmp_path, check=True)
    assert "resumed from" in proc.stderr
    result = json.loads(proc.stdout)
    assert result["step"] == 12
    assert _max_diff(_weights(tmp_path / "full/final"), _weights(tmp_path / "killed/final")) < 1e-6
    assert json.loads((tmp_path / "full/result.json").read_text())["losses"] == result["losses"]


def test_two_gloo_processes_match_one(corpus: Path, tmp_path: Path):
    one = _toml(tmp_path / "one.toml", tmp_path / "one", corpus, micro_batch=2, grad_accum=2, max_steps=6)
    two = _toml(tmp_path / "two.toml", tmp_path / "two", corpus, micro_batch=2, grad_accum=1, max_steps=6)
    r1 = json.loads(run_cli("train", "pretrain", str(one), "--json", cwd=tmp_path, check=True).stdout)
    proc = run_cli("train", "pretrain", str(two), "--num-processes", "2", "--json", cwd=tmp_path, check=True)
    r2 = json.loads(proc.stdout)
    assert r2["world_size"] == 2 and r1["world_size"] == 1
    assert r1["tokens"] == r2["tokens"]
    assert all(abs(x - y) < 1e-4 for x, y in zip(r1["losses"], r2["losses"])), (r1["losses"], r2["losses"])
    _same_training(_weights(tmp_path / "one/final"), _weights(tmp_path / "two/final"))


def test_two_machines_on_loopback_match_one(corpus: Path, tmp_path: Path):
    """The documented multi-node recipe, with two CPU processes standing in for two machines."""
    from llmctl.core.model.server import free_port

    one = _toml(tmp_path / "one.toml", tmp_path / "one", corpus, micro_batch=2, grad_accum=2, max_steps=4)
    nodes = _toml(tmp_path / "nodes.toml", tmp_path / "nodes", corpus, micro_batch=2, grad_accum=1, max_steps=4)
    r1 = json.loads(run_cli("train", "pretrain", str(one), "--json", cwd=tmp_path, check=True).stdout)
    flags = ["--num-machines", "2", "--main-process-ip", "127.0.0.1", "--main-process-port", str(free_port())]
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    second = subprocess.Popen([LLMCTL, "train", "pretrain", str(nodes), *flags, "--machine-rank", "1"], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = run_cli("train", "pretrain", str(nodes), *flags, "--machine-rank", "0", "--json", cwd=tmp_path)
    out, err = second.communicate(timeout=300)
    assert proc.returncode == 0 and second.returncode == 0, (proc.stderr[-2000:], err[-2000:])
    assert "finished its share" in out
    r2 = json.loads(proc.stdout)
    assert r2["world_size"] == 2 and r1["tokens"] == r2["tokens"]
    assert all(abs(x - y) < 1e-4 for x, y in zip(r1["losses"], r2["losses"])), (r1["losses"], r2["losses"])
    _same_training(_weights(tmp_path / "one/final"), _weights(tmp_path / "nodes/final"))


def test_export_gguf_matches_pytorch_and_serves_docs_sync(base: Path, corpus: Path, tmp_path: Path, example_copy: Path):
    f32 = tmp_path / "tiny-f32.gguf"
    report = json.loads(run_cli("export", "gguf", str(base), "--out", str(f32), "--type", "f32", "--data", str(corpus),
                                "--json", cwd=tmp_path, check=True).stdout)
    check = report["check"]
    assert check["tokenizer_match"] and check["max_abs_logit_diff"] < 1e-2 and check["top1_agreement"] == 1.0
    assert abs(check["perplexity_ratio"] - 1) < 1e-3
    _gguf_base_is_cached_and_loads_as_the_model(base, f32, tmp_path / "cache")
    q8 = tmp_path / "tiny-q8_0.gguf"
    report = json.loads(run_cli("export", "gguf", str(base), "--out", str(q8), "--type", "q8_0", "--data", str(corpus),
                                "--json", cwd=tmp_path, check=True).stdout)
    assert report["check"]["ok"] and report["bytes"] < f32.stat().st_size / 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left

    # `llmctl docs sync` with the exported model: the embedded `llmctl serve` runs it.
    cfg = example_copy / "llmctl.toml"
    cfg.write_text(cfg.read_text() + f'\n[model]\npath = "{q8}"\ncontext = 1024\n')
    proc = run_cli("docs", "sync", "--json", cwd=example_copy, check=True)
    result = json.loads(proc.stdout)
    assert result["model_calls"] > 0 and "tiny-q8_0" in result["model"], result


def _gguf_base_is_cached_and_loads_as_the_model(base: Path, gguf: Path, cache: Path) -> None:
    """A GGUF base (what `train sft --set model.base=x.gguf` loads) is converted once, into the cache."""
    import torch

    from llmctl.trainers.models import load_base

    old = os.environ.get("LLMCTL_CACHE")
    os.environ["LLMCTL_CACHE"] = str(cache)
    try:
        first, tok = load_base(str(gguf))
        converted = list((cache / "bases").iterdir())
        assert len(converted) == 1 and (converted[0] / "config.json").is_file(), converted
        again, _ = load_base(str(gguf))
        want, _ = load_base(str(base))
    finally:
        os.environ.pop("LLMCTL_CACHE") if old is None else os.environ.__setitem__("LLMCTL_CACHE", old)
    ids = torch.tensor([tok("def parse(text):")["input_ids"]])
    with torch.no_grad():
        a, b, c = (m(input_ids=ids).logits for m in (first, again, want))
    assert torch.allclose(a, b) and float((a - c).abs().max()) < 1e-3


def test_lora_adapter_exports_to_gguf_and_is_served(base: Path, corpus: Path, tmp_path: Path):
    from llmctl.core.model.client import ModelClient
    from llmctl.trainers.export import check_lora_export

    run_cli("train", "sft", "--set", f"model.base={json.dumps(str(base))}", "--set", f"data.dir={json.dumps(str(corpus))}",
            "--set", "model.seq_len=128", "--set", "train.lr=1e-2", "--max-steps", "6", "--out", str(tmp_path / "sft"),
            cwd=tmp_path, check=True)
    final = tmp_path / "sft/final"
    assert (final / "adapter/adapter_model.safetensors").is_file() and (final / "model.safetensors").is_file()
    base_gguf, adapter = tmp_path / "base.gguf", tmp_path / "adapter.gguf"
    run_cli("export", "gguf", str(base), "--out", str(base_gguf), "--type", "f32", "--no-check", cwd=tmp_path, check=True)
    # Without a GGUF base to apply it to, the check says how to run it; with --base it runs.
    proc = run_cli("export", "gguf", str(final / "adapter"), "--out", str(adapter), "--json", cwd=tmp_path, check=True)
    assert "--base" in json.loads(proc.stdout)["check"]
    proc = run_cli("export", "gguf", str(final / "adapter"), "--out", str(adapter), "--base", str(base_gguf), "--json",
                   cwd=tmp_path, check=True)
    assert json.loads(proc.stdout)["check"]["top1_agreement"] == 1.0
    report = check_lora_export(final, base_gguf, adapter)
    assert report["adapter_effect"] > 0.05, report  # the adapter changes the model...
    assert report["max_abs_logit_diff"] < 1e-2 and report["top1_agreement"] == 1.0, report  # ...as PyTorch's merge does

    from llmctl.core.model.server import free_port

    port = free_port()
    run_cli("serve", "--model", str(base_gguf), "--lora", str(adapter), "--port", str(port), "--detach",
            cwd=tmp_path, check=True)
    try:
        client = ModelClient(f"http://127.0.0.1:{port}/v1", timeout=60)
        text = client.complete("def parse(", max_tokens=8, temperature=0.0)
        assert isinstance(text, str)
    finally:
        run_cli("serve", "stop", cwd=tmp_path)


def test_dpo_starts_at_ln2_and_prefers_the_human_doc(base: Path, corpus: Path, tmp_path: Path):
    import math

    proc = run_cli("train", "dpo", "--set", f"model.base={json.dumps(str(base))}", "--set", f"data.dir={json.dumps(str(corpus))}",
                   "--set", "model.seq_len=128", "--set", "dpo.max_pairs=24", "--set", "train.lr=5e-3",
                   "--set", "train.warmup_steps=0", "--set", "train.micro_batch=4", "--max-steps", "12",
                   "--out", str(tmp_path / "dpo"), "--json", cwd=tmp_path, check=True)
    result = json.loads(proc.stdout)
    pairs = [json.loads(ln) for ln in (tmp_path / "dpo/dpo_pairs.jsonl").read_text().splitlines()]
    assert 0 < len(pairs) <= 24 and all(p["chosen"] != p["rejected"] for p in pairs)
    # Before any update the policy is the reference: every margin is 0, the loss is ln 2.
    assert abs(result["losses"][0] - math.log(2)) < 1e-3, result["losses"]
    assert sum(result["losses"][-3:]) / 3 < math.log(2) - 0.05, result["losses"]
    assert (tmp_path / "dpo/final/adapter/adapter_config.json").is_file()


def test_sft_in_the_served_task_format_beats_its_base_on_held_out_summaries(base: Path, corpus: Path, tmp_path: Path):
    """The loop closed: train sft teaches the prompt docs sync sends, so the tuned model writes better summaries
    for held-out code than its base, as `eval --gate` scores them (the line after "Summary:", same prompt)."""
    run_cli("train", "sft", "--set", f"model.base={json.dumps(str(base))}", "--set", f"data.dir={json.dumps(str(corpus))}",
            "--set", "model.seq_len=256", "--set", "lora.enabled=false", "--set", "train.lr=3e-3",
            "--set", "train.warmup_steps=2", "--set", "log.tensorboard=false", "--max-steps", "40",
            "--out", str(tmp_path / "sft"), cwd=tmp_path, check=True)
    proc = run_cli("eval", str(tmp_path / "sft/final"), "--baseline", str(base), "--data", str(corpus), "--gate",
                   "--max-items", "12", "--max-new-tokens", "24", "--json", cwd=tmp_path)
    result = json.loads(proc.stdout)
    assert result["gate"]["metric"] == "similarity" and proc.returncode == 0, result["gate"]
    assert result["candidate"]["doc_bpb"] < result["baseline"]["doc_bpb"]
    assert result["candidate"]["similarity"] > result["baseline"]["similarity"] + 0.05, result


def test_eval_gate_exit_code_follows_the_comparison(base: Path, corpus: Path, tmp_path: Path):
    """The same model against itself is not better: --gate exits 1; the metrics are reported for both."""
    proc = run_cli("eval", str(base), "--baseline", str(base), "--data", str(corpus), "--gate", "--max-items", "3",
                   "--max-new-tokens", "8", "--json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    result = json.loads(proc.stdout)
    for side in ("candidate", "baseline"):
        assert result[side]["doc_bpb"] > 0 and result[side]["text_bpb"] > 0 and result[side]["pairs"] == 3
    assert result["candidate"]["doc_bpb"] == result["baseline"]["doc_bpb"]
    assert result["gate"]["passed"] is False and result["gate"]["metric"] == "similarity"  # what docs sync would write
    assert result["candidate"]["similarity"] == result["baseline"]["similarity"]
