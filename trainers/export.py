"""``llmctl export gguf``: a trained Llama-style model -> GGUF (f32/f16), quantized by llama.cpp.

Written with the ``gguf`` package's writer (it ships no HF converter). The
known traps, handled here:

- the tokenizer: a byte-level BPE with GPT-2's pre-tokenization, declared as
  ``tokenizer.ggml.model = gpt2`` and ``tokenizer.ggml.pre = gpt-2`` (a
  long-standing name every llama.cpp knows);
- Q and K projections get llama.cpp's RoPE row permutation (HF stores the two
  rotary halves apart, llama.cpp interleaves them);
- K-quants need every row length divisible by 256: the presets are sized so.

Every export is checked (``check_export``): the GGUF's tokenizer must encode a
probe text to the same ids as the HF tokenizer, and its next-token logits must
match the PyTorch model's (f32/f16), or its perplexity stay close (quantized).
"""

from __future__ import annotations

import json
import math
from contextlib import contextmanager
from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.core.fsutil import atomic_path

QUANT_TYPES = {"q8_0": 7, "q4_k_m": 15, "q4_0": 2, "q5_k_m": 17, "q6_k": 18}
FLOAT_TYPES = {"f32": 0, "f16": 1}
PROBE = "def parse_header(line):\n    \"\"\"Split one HTTP header line.\"\"\"\n    return line.split(':', 1)  # ünïcode ✓"


@contextmanager
def _atomic_gguf(out: Path, arch: str):
    """A GGUFWriter on a temp file beside ``out``, renamed over it once fully written."""
    import gguf

    with atomic_path(out) as tmp:
        w = gguf.GGUFWriter(str(tmp), arch)
        yield w
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()


def _permute(w, n_head: int):
    """llama.cpp's row order for rotary Q/K weights (convert_hf_to_gguf.LlamaModel.permute)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _gguf_vocab(tok: dict, n_vocab: int) -> tuple[list[str], list, list[str]]:
    """(tokens, token types, merges) of a byte-level BPE tokenizer.json, padded to ``n_vocab``."""
    import gguf

    added = {t["content"]: t["id"] for t in tok.get("added_tokens", [])}
    id_to_tok = {i: t for t, i in tok["model"]["vocab"].items()}
    id_to_tok.update({i: t for t, i in added.items()})
    tokens, types = [], []
    for i in range(n_vocab):
        t = id_to_tok.get(i)
        if t is None:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        else:
            tokens.append(t)
            types.append(gguf.TokenType.CONTROL if t in added else gguf.TokenType.NORMAL)
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok["model"].get("merges", [])]
    return tokens, types, merges


def _read_llama(model_dir: Path) -> tuple[dict, dict]:
    """(config.json, tokenizer.json) of an exportable model folder; one-line errors for the rest."""
    cfg_path = model_dir / "config.json"
    if not cfg_path.is_file():
        raise LlmctlError(f"{model_dir}: no config.json", "give the final/ folder of a `llmctl train` run")
    cfg = json.loads(cfg_path.read_text())
    if cfg.get("model_type") != "llama":
        raise LlmctlError(f"{model_dir}: model_type {cfg.get('model_type')!r} is not supported for export",
                          "export Llama-style models trained by `llmctl train pretrain` (or merged LoRA runs of them)")
    tok_path = model_dir / "tokenizer.json"
    tok = json.loads(tok_path.read_text())
    if tok.get("model", {}).get("type") != "BPE" or (tok.get("pre_tokenizer") or {}).get("type") != "ByteLevel":
        raise LlmctlError(f"{tok_path}: only byte-level BPE tokenizers export to GGUF here",
                          "train the model with `llmctl train pretrain` (it trains such a tokenizer)")
    return cfg, tok


def _llama_metadata(w, cfg: dict, tok: dict, name: str, ftype: str) -> None:
    n_head = cfg["num_attention_heads"]
    w.add_name(name)
    w.add_context_length(cfg.get("max_position_embeddings", 2048))
    w.add_embedding_length(cfg["hidden_size"])
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_rope_dimension_count(cfg["hidden_size"] // n_head)
    w.add_head_count(n_head)
    w.add_head_count_kv(cfg.get("num_key_value_heads", n_head))
    w.add_layer_norm_rms_eps(cfg.get("rms_norm_eps", 1e-5))
    w.add_rope_freq_base(cfg.get("rope_theta", 10000.0))
    w.add_file_type(FLOAT_TYPES[ftype])
    w.add_vocab_size(cfg["vocab_size"])
    tokens, types, merges = _gguf_vocab(tok, cfg["vocab_size"])
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    eos = cfg.get("eos_token_id")
    if eos is not None:
        w.add_eos_token_id(eos)
        w.add_bos_token_id(cfg.get("bos_token_id", eos))
    w.add_add_bos_token(False)


def _llama_tensors(w, cfg: dict, weights: dict, ftype: str) -> None:
    import numpy as np

    n_head = cfg["num_attention_heads"]
    n_kv = cfg.get("num_key_value_heads", n_head)
    dtype = np.float16 if ftype == "f16" else np.float32

    def put(name: str, arr: np.ndarray) -> None:
        arr = arr.astype(np.float32)
        w.add_tensor(name, arr.astype(dtype) if arr.ndim == 2 else arr)

    put("token_embd.weight", weights["model.embed_tokens.weight"])
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        put(f"blk.{i}.attn_norm.weight", weights[p + "input_layernorm.weight"])
        put(f"blk.{i}.attn_q.weight", _permute(weights[p + "self_attn.q_proj.weight"], n_head))
        put(f"blk.{i}.attn_k.weight", _permute(weights[p + "self_attn.k_proj.weight"], n_kv))
        put(f"blk.{i}.attn_v.weight", weights[p + "self_attn.v_proj.weight"])
        put(f"blk.{i}.attn_output.weight", weights[p + "self_attn.o_proj.weight"])
        put(f"blk.{i}.ffn_norm.weight", weights[p + "post_attention_layernorm.weight"])
        put(f"blk.{i}.ffn_gate.weight", weights[p + "mlp.gate_proj.weight"])
        put(f"blk.{i}.ffn_up.weight", weights[p + "mlp.up_proj.weight"])
        put(f"blk.{i}.ffn_down.weight", weights[p + "mlp.down_proj.weight"])
    put("output_norm.weight", weights["model.norm.weight"])
    if "lm_head.weight" in weights and not cfg.get("tie_word_embeddings"):
        put("output.weight", weights["lm_head.weight"])


def write_gguf(model_dir: Path, out: Path, ftype: str = "f32") -> Path:
    """Write ``model_dir`` (a LlamaForCausalLM saved by `llmctl train`) as GGUF f32 or f16."""
    from safetensors.numpy import load_file

    cfg, tok = _read_llama(model_dir)
    weights: dict = {}
    for f in sorted(model_dir.glob("*.safetensors")):
        weights.update(load_file(str(f)))
    with _atomic_gguf(out, "llama") as w:
        _llama_metadata(w, cfg, tok, model_dir.resolve().parent.name or "llmctl-model", ftype)
        _llama_tensors(w, cfg, weights, ftype)
    return out


def quantize(src: Path, out: Path, qtype: str, threads: int = 0) -> Path:
    """llama.cpp's quantizer (through llama-cpp-python) from an f32/f16 GGUF to ``qtype``."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = QUANT_TYPES[qtype]
    params.nthread = threads
    with atomic_path(out) as tmp:
        rc = llama_cpp.llama_model_quantize(str(src).encode(), str(tmp).encode(), params)
        if rc != 0:
            raise LlmctlError(f"llama.cpp's quantizer failed on {src} ({qtype}, code {rc})")
    return out


def _texts_for_check(model_dir: Path, data_dir: Path | None, n: int = 4) -> list[str]:
    texts = []
    if data_dir is not None:
        for name in ("pretrain/test.jsonl", "pretrain/validation.jsonl"):
            p = data_dir / name
            if p.is_file():
                texts += [json.loads(ln)["text"] for ln in p.read_text().splitlines()[:n] if ln.strip()]
    return texts[:n] or [PROBE * 4]


def check_export(model_dir: Path, gguf_path: Path, *, quantized: bool, data_dir: Path | None = None,
                 max_tokens: int = 96) -> dict:
    """Tokenizer ids, next-token logits and perplexity of the GGUF against the PyTorch model."""
    import llama_cpp
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

    hf_tok = PreTrainedTokenizerFast.from_pretrained(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    n_ctx = min(int(model.config.max_position_embeddings), 512)
    llm = llama_cpp.Llama(model_path=str(gguf_path), n_ctx=n_ctx, logits_all=True, verbose=False, n_threads=2)
    probe_hf = hf_tok(PROBE, add_special_tokens=False)["input_ids"]
    probe_gg = llm.tokenize(PROBE.encode(), add_bos=False, special=False)
    report = {"tokenizer_match": list(probe_hf) == list(probe_gg), "probe_tokens": len(probe_hf)}
    max_diff, nll_hf, nll_gg, count = 0.0, 0.0, 0.0, 0
    top1_agree, top1_total = 0, 0
    for text in _texts_for_check(model_dir, data_dir):
        ids = hf_tok(text, add_special_tokens=False)["input_ids"][: min(max_tokens, n_ctx)]
        if len(ids) < 2:
            continue
        with torch.no_grad():
            ref = model(torch.tensor([ids])).logits[0].numpy()
        llm.reset()
        llm.eval(ids)
        got = np.array(llm.scores[: len(ids)], dtype=np.float32)
        max_diff = max(max_diff, float(np.abs(got - ref).max()))
        top1_agree += int((got.argmax(-1) == ref.argmax(-1)).sum())
        top1_total += len(ids)
        for lg, store in ((ref, "hf"), (got, "gg")):
            lse = np.log(np.exp(lg[:-1] - lg[:-1].max(-1, keepdims=True)).sum(-1)) + lg[:-1].max(-1)
            nll = float((lse - lg[np.arange(len(ids) - 1), ids[1:]]).sum())
            if store == "hf":
                nll_hf += nll
            else:
                nll_gg += nll
        count += len(ids) - 1
    del llm
    ppl_hf, ppl_gg = math.exp(nll_hf / max(count, 1)), math.exp(nll_gg / max(count, 1))
    report.update(max_abs_logit_diff=round(max_diff, 6), top1_agreement=round(top1_agree / max(top1_total, 1), 4),
                  perplexity_pytorch=round(ppl_hf, 4), perplexity_gguf=round(ppl_gg, 4),
                  perplexity_ratio=round(ppl_gg / ppl_hf, 4), tokens=count)
    if quantized:
        report["ok"] = report["tokenizer_match"] and abs(report["perplexity_ratio"] - 1) < 0.05
    else:
        report["ok"] = report["tokenizer_match"] and max_diff < 1e-2 and abs(report["perplexity_ratio"] - 1) < 1e-3
    return report


_LORA_TARGETS = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
                 "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down"}
_ARCH = {"llama": "llama", "gemma3_text": "gemma3", "gemma3": "gemma3"}


def write_lora_gguf(adapter_dir: Path, out: Path, model_config: dict) -> Path:
    """A peft LoRA adapter -> a GGUF adapter that llama.cpp (``llmctl serve --lora``) applies over the base."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    acfg_path = adapter_dir / "adapter_config.json"
    if not acfg_path.is_file():
        raise LlmctlError(f"{adapter_dir}: no adapter_config.json", "give the final/adapter folder of a LoRA sft run")
    acfg = json.loads(acfg_path.read_text())
    mtype = model_config.get("model_type", "")
    arch = _ARCH.get(mtype)
    if arch is None:
        raise LlmctlError(f"{adapter_dir}: base model type {mtype!r} is not supported for adapter export",
                          "supported: Llama-style (llmctl presets) and Gemma 3")
    n_head = model_config["num_attention_heads"]
    n_kv = model_config.get("num_key_value_heads", n_head)
    weights = load_file(str(adapter_dir / "adapter_model.safetensors"))
    with _atomic_gguf(out, arch) as w:
        w.add_type(gguf.GGUFType.ADAPTER)
        w.add_string(gguf.Keys.Adapter.TYPE, "lora")
        w.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(acfg.get("lora_alpha", acfg.get("r", 8))))
        count = 0
        for name, a in sorted(weights.items()):
            if ".lora_A." not in name:
                continue
            b = weights[name.replace(".lora_A.", ".lora_B.")]
            parts = name.split(".")
            layer = int(parts[parts.index("layers") + 1])
            proj = next((p for p in parts if p in _LORA_TARGETS), None)
            if proj is None:
                raise LlmctlError(f"{adapter_dir}: LoRA on an unsupported module ({name})",
                                  f"target only {', '.join(_LORA_TARGETS)}")
            b = b.astype(np.float32)
            if arch == "llama" and proj in ("q_proj", "k_proj"):
                b = _permute(b, n_head if proj == "q_proj" else n_kv)  # rows follow the base weight's order
            base = f"blk.{layer}.{_LORA_TARGETS[proj]}.weight"
            w.add_tensor(f"{base}.lora_a", np.ascontiguousarray(a.astype(np.float32)))
            w.add_tensor(f"{base}.lora_b", np.ascontiguousarray(b))
            count += 1
        if not count:
            raise LlmctlError(f"{adapter_dir}: the adapter holds no LoRA weights")
    return out


def adapter_base_gguf(adapter_dir: Path) -> Path | None:
    """The base GGUF an adapter was trained on, when its PEFT config records one (a .gguf, or the bundled model's folder)."""
    import json

    try:
        base = json.loads((adapter_dir / "adapter_config.json").read_text()).get("base_model_name_or_path") or ""
    except (OSError, ValueError):
        return None
    path = Path(base)
    if path.suffix == ".gguf" and path.is_file():
        return path
    from llmctl.core.model.files import default_model_path

    default = default_model_path()
    return default if path.is_dir() and path.resolve() == default.parent.resolve() else None


def check_lora_export(merged_dir: Path, base_gguf: Path, adapter_gguf: Path, max_tokens: int = 64) -> dict:
    """Logits of base GGUF + GGUF adapter in llama.cpp against the merged PyTorch model."""
    import llama_cpp
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(merged_dir))
    model = AutoModelForCausalLM.from_pretrained(str(merged_dir), dtype=torch.float32).eval()
    ids = tok(PROBE * 3, add_special_tokens=False)["input_ids"][:max_tokens]
    with torch.no_grad():
        ref = model(torch.tensor([ids])).logits[0].numpy()
    llm = llama_cpp.Llama(model_path=str(base_gguf), lora_path=str(adapter_gguf), n_ctx=max(len(ids), 64),
                          logits_all=True, verbose=False, n_threads=2)
    llm.eval(ids)
    got = np.array(llm.scores[: len(ids)], dtype=np.float32)
    del llm
    plain = llama_cpp.Llama(model_path=str(base_gguf), n_ctx=max(len(ids), 64), logits_all=True, verbose=False,
                            n_threads=2)
    plain.eval(ids)
    without = np.array(plain.scores[: len(ids)], dtype=np.float32)
    del plain
    diff = float(np.abs(got - ref).max())
    return {"max_abs_logit_diff": round(diff, 6), "top1_agreement": float((got.argmax(-1) == ref.argmax(-1)).mean()),
            "adapter_effect": round(float(np.abs(without - ref).max()), 6), "tokens": len(ids)}
