"""Run configuration for ``llmctl train pretrain|sft``: one YAML/TOML file, flags override.

``llmctl train validate CONFIG`` prints what this module computes before any
compute is spent: the parameter count, a memory estimate and the batch
arithmetic (global batch = micro batch x accumulation x processes).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llmctl.core.errors import LlmctlError

# Llama-style presets. Every input dimension (hidden, intermediate) is a multiple of 256
# so that llama.cpp's K-quants apply to every matrix instead of silently falling back.
PRESETS: dict[str, dict[str, int]] = {
    "tiny": dict(hidden_size=256, intermediate_size=768, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=4, vocab_size=2048),
    "small": dict(hidden_size=512, intermediate_size=1536, num_hidden_layers=8, num_attention_heads=8,
                  num_key_value_heads=8, vocab_size=8192),
    "gpt2-124m": dict(hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12,
                      num_key_value_heads=12, vocab_size=32768),
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSection(_Section):
    preset: Literal["tiny", "small", "gpt2-124m"] = "tiny"
    base: str = Field(default="", description="sft: HF model folder, or a .gguf file (loaded dequantized)")
    vocab_size: int | None = Field(default=None, ge=256, description="pretrain: BPE vocabulary (default: the preset's)")
    seq_len: int = Field(default=256, ge=16, le=32768)
    tie_embeddings: bool = False


class DataSection(_Section):
    dir: str = Field(default="data", description="output of `llmctl train data`")


class TrainSection(_Section):
    micro_batch: int = Field(default=8, ge=1)
    grad_accum: int = Field(default=1, ge=1)
    max_steps: int = Field(default=100, ge=1, description="optimizer steps")
    lr: float = Field(default=3e-4, gt=0, lt=1)
    min_lr_ratio: float = Field(default=0.1, ge=0, le=1)
    warmup_steps: int = Field(default=10, ge=0)
    weight_decay: float = Field(default=0.1, ge=0)
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float = Field(default=1.0, ge=0, description="0 disables clipping")
    precision: Literal["auto", "no", "bf16", "fp16"] = Field(
        default="auto", description="auto: bf16 mixed precision on a GPU that has it, fp32 on CPU")
    seed: int = 1234
    activation_checkpointing: bool = False
    compile: bool = False


class CheckpointSection(_Section):
    every: int = Field(default=50, ge=1, description="optimizer steps between checkpoints")
    keep: int = Field(default=2, ge=1, description="checkpoints kept")


class LoraSection(_Section):
    enabled: bool = True
    r: int = Field(default=8, ge=1)
    alpha: int = Field(default=16, ge=1)
    dropout: float = Field(default=0.0, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])


class DpoSection(_Section):
    beta: float = Field(default=0.1, gt=0, description="strength of the preference margin")
    max_pairs: int = Field(default=256, ge=1, description="pairs drafted from sft/train.jsonl when data/dpo/ is absent")
    draft_tokens: int = Field(default=48, ge=4, description="length of the base model's drafts (the rejected side)")


class LogSection(_Section):
    every: int = Field(default=10, ge=1, description="steps between log lines: the only host syncs of a step")
    tensorboard: bool = True


class RunConfig(_Section):
    kind: str = Field(default="pretrain", description="the recipe: a module of trainers/recipes/")
    out: str = Field(default="runs/run", description="checkpoints, logs and the final model")
    model: ModelSection = Field(default_factory=ModelSection)
    data: DataSection = Field(default_factory=DataSection)
    train: TrainSection = Field(default_factory=TrainSection)
    checkpoint: CheckpointSection = Field(default_factory=CheckpointSection)
    lora: LoraSection = Field(default_factory=LoraSection)
    dpo: DpoSection = Field(default_factory=DpoSection)
    log: LogSection = Field(default_factory=LogSection)


def _set(data: dict, dotted: str, raw: str) -> None:
    parts = dotted.split(".")
    node = data
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    try:
        node[parts[-1]] = json.loads(raw)
    except ValueError:
        node[parts[-1]] = raw


def load_run_config(path: Path | None, kind: str, overrides: list[str]) -> RunConfig:
    """Read a YAML/TOML run config (or none), apply ``key=value`` overrides, validate."""
    data: dict[str, Any] = {}
    source = str(path) if path else "(defaults)"
    if path is not None:
        if not path.is_file():
            raise LlmctlError(f"{path}: no such config file", "give a .toml or .yaml run config")
        text = path.read_text("utf-8")
        try:
            if path.suffix in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text) or {}
            else:
                data = tomllib.loads(text)
        except Exception as err:  # noqa: BLE001 - both parsers' errors become one line
            raise LlmctlError(f"{path}: not valid {'YAML' if path.suffix in ('.yaml', '.yml') else 'TOML'}: "
                              f"{str(err).splitlines()[0]}", "fix the syntax") from None
        if not isinstance(data, dict):
            raise LlmctlError(f"{path}: the config must be a table/mapping")
    data.setdefault("kind", kind)
    for item in overrides:
        if "=" not in item:
            raise LlmctlError(f"--set {item!r}: expected KEY=VALUE", "e.g. --set train.lr=1e-3")
        key, raw = item.split("=", 1)
        _set(data, key.strip(), raw.strip())
    try:
        cfg = RunConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise LlmctlError(f"{source}: bad value for '{loc}': {first['msg'].lower()} (got {first.get('input')!r})",
                          "fix the key; `llmctl train validate --help` lists the sections") from None
    if cfg.kind != kind:
        raise LlmctlError(f"{source}: kind = {cfg.kind!r}, but this is `llmctl train {kind}`",
                          f"use `llmctl train {cfg.kind}` or change kind")
    from llmctl.trainers.recipes import recipe_module

    try:
        recipe = recipe_module(cfg.kind).Recipe
    except ValueError as exc:
        raise LlmctlError(f"{source}: {exc}", "set kind to one of those") from None
    if recipe.needs_base and not cfg.model.base:
        raise LlmctlError(f"{source}: model.base is required for {kind}", "set it to an HF model folder or a .gguf file")
    return cfg


def model_dims(cfg: RunConfig) -> dict[str, int]:
    dims = dict(PRESETS[cfg.model.preset])
    if cfg.model.vocab_size:
        dims["vocab_size"] = cfg.model.vocab_size
    return dims


def param_count(dims: dict[str, int], tie: bool) -> int:
    h, i, n, v = dims["hidden_size"], dims["intermediate_size"], dims["num_hidden_layers"], dims["vocab_size"]
    kv = h * dims["num_key_value_heads"] // dims["num_attention_heads"]
    per_layer = h * h * 2 + h * kv * 2 + 3 * h * i + 2 * h
    return v * h * (1 if tie else 2) + n * per_layer + h


def base_dims(base: str) -> tuple[dict[str, int], int] | None:
    """(dims, exact parameter count) of an sft base: an HF folder's config.json or a GGUF's metadata."""
    path = Path(base).expanduser()
    if base in ("default", "gemma3-270m"):
        from llmctl.core.model.files import default_model_path

        path = default_model_path()
    keys = ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
            "vocab_size")
    if path.is_dir() and (path / "config.json").is_file():
        c = json.loads((path / "config.json").read_text())
        c = c.get("text_config", c)
        dims = {k: int(c.get(k) or c.get("num_attention_heads")) for k in keys}
        return dims, param_count(dims, bool(c.get("tie_word_embeddings")))
    if path.suffix == ".gguf" and path.is_file():
        from gguf import GGUFReader

        r = GGUFReader(str(path))

        def field(name: str):
            f = r.fields.get(name)
            return None if f is None else f.parts[f.data[0]].tolist()

        arch = bytes(field("general.architecture")).decode()
        dims = {"hidden_size": field(f"{arch}.embedding_length")[0],
                "intermediate_size": field(f"{arch}.feed_forward_length")[0],
                "num_hidden_layers": field(f"{arch}.block_count")[0],
                "num_attention_heads": field(f"{arch}.attention.head_count")[0],
                "num_key_value_heads": (field(f"{arch}.attention.head_count_kv") or field(f"{arch}.attention.head_count"))[0],
                "vocab_size": len(r.fields["tokenizer.ggml.tokens"].data)}
        return {k: int(v) for k, v in dims.items()}, int(sum(int(t.n_elements) for t in r.tensors))
    return None


def plan(cfg: RunConfig, world: int) -> dict[str, Any]:
    """Parameter count, memory estimate and batch arithmetic, for `train validate`."""
    dims = model_dims(cfg)
    params = param_count(dims, cfg.model.tie_embeddings)
    from llmctl.trainers.recipes import recipe_module

    fine_tune = recipe_module(cfg.kind).Recipe.needs_base
    if fine_tune:
        found = base_dims(cfg.model.base)
        if found is None:
            raise LlmctlError(f"model.base: {cfg.model.base} is neither a model folder nor a .gguf file",
                              "point it at a run's final/ folder, an HF model folder, or a GGUF")
        dims, params = found
    t = cfg.train
    from llmctl.trainers.loop import resolve_precision

    bytes_per = 2 if resolve_precision(t.precision) in ("bf16", "fp16") else 4
    trainable = params
    if fine_tune and cfg.lora.enabled:
        h = dims["hidden_size"]
        kv = h * dims["num_key_value_heads"] // dims["num_attention_heads"]
        sizes = {"q_proj": (h, h), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (h, h),
                 "gate_proj": (h, dims["intermediate_size"]), "up_proj": (h, dims["intermediate_size"]),
                 "down_proj": (dims["intermediate_size"], h)}
        trainable = dims["num_hidden_layers"] * sum(cfg.lora.r * sum(sizes.get(m, (h, h)))
                                                    for m in cfg.lora.target_modules)
    # weights (+ an fp32 master copy when mixed) + grads + AdamW moments (fp32) + activations
    weights = params * bytes_per + (params * 4 if bytes_per == 2 else 0)
    optim = trainable * (4 + 8)
    act_per_token = dims["num_hidden_layers"] * dims["hidden_size"] * (16 if not t.activation_checkpointing else 2) * bytes_per
    tokens = t.micro_batch * cfg.model.seq_len
    activations = act_per_token * tokens + tokens * dims["vocab_size"] * 4 * 2
    return {
        "model": {**dims, "parameters": params, "trainable_parameters": trainable, "seq_len": cfg.model.seq_len},
        "batch": {"micro_batch": t.micro_batch, "grad_accum": t.grad_accum, "world_size": world,
                  "global_batch": t.micro_batch * t.grad_accum * world,
                  "tokens_per_step": t.micro_batch * t.grad_accum * world * cfg.model.seq_len},
        "memory_gib_per_process": round((weights + optim + activations) / 2**30, 3),
        "steps": t.max_steps, "warmup_steps": t.warmup_steps,
        "tokens_total": t.max_steps * t.micro_batch * t.grad_accum * world * cfg.model.seq_len,
    }
