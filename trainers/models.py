"""Models and text for training: Llama-style models from a preset, bases from HF folders or GGUF, tokenizers.

Shared by the recipes (recipes/), eval (evaluate.py) and the benchmarks. The
prompt a doc model is trained on, evaluated with and drafts from is the one
docs sync sends (:func:`task_texts`, over core/docs/task.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from llmctl.core.errors import LlmctlError
from llmctl.trainers.config import RunConfig, model_dims

EOS = "<|endoftext|>"


def read_jsonl(path: Path) -> list[dict]:
    """The records of a JSONL file; a missing file names the command that makes it."""
    if not path.is_file():
        raise LlmctlError(f"{path}: missing", "run `llmctl train data` first, or set data.dir")
    return [json.loads(ln) for ln in path.read_text("utf-8").splitlines() if ln.strip()]


def train_tokenizer(texts: list[str], vocab_size: int, out_dir: Path):
    """A byte-level BPE (GPT-2 pre-tokenizer, which llama.cpp knows as "gpt-2") trained on ``texts``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS], min_frequency=2,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=EOS, eos_token=EOS, pad_token=EOS)
    out_dir.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(str(out_dir))
    return fast


def pack(tokenizer, texts: list[str], seq_len: int):
    """Concatenate the texts (EOS between) and cut them into (seq_len + 1)-token blocks."""
    import torch

    ids: list[int] = []
    eos = tokenizer.eos_token_id
    for enc in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        ids.extend(enc)
        ids.append(eos)
    n = len(ids) // (seq_len + 1)
    if n == 0:
        raise LlmctlError(f"only {len(ids)} tokens of training text: fewer than one sequence of {seq_len + 1}",
                          "add data or lower model.seq_len")
    return torch.tensor(ids[: n * (seq_len + 1)], dtype=torch.long).view(n, seq_len + 1)


def task_texts(row: dict, shots: list = ()) -> tuple[str, str]:
    """(prompt, answer) of a (code, doc) pair in the doc-writing task's one format (core/docs/task.py).

    The prompt is what docs sync sends for that symbol (with the same shots);
    the answer, its "Summary:" and "Parameter" lines. Rows of an older
    ``train data`` (no ``summary`` field) answer with the doc's first sentence.
    """
    from llmctl.core.docs import task

    summary = row.get("summary") or task.doc_summary(row["completion"])
    code = task.trim_code(row["prompt"])
    prompt = task.prompt(row.get("language") or "python", code, shots, context=row.get("context") or ())
    return prompt, task.answer(summary, row.get("params") or [])


def bos_prefix(tokenizer) -> list[int]:
    """``[bos]`` when the tokenizer starts every text with it (Gemma's does, and llama.cpp adds it when
    serving the GGUF), else ``[]``: training, drafting and eval must see what the served model sees."""
    bos = getattr(tokenizer, "bos_token_id", None)
    if bos is None:
        return []
    probe = tokenizer("a", add_special_tokens=True)["input_ids"]
    return [bos] if probe and probe[0] == bos else []


def prompt_ids(tokenizer, text: str, keep: int | None = None) -> list[int]:
    """Token ids of a prompt as served: BOS (where the model has one) and, past ``keep`` tokens, the tail."""
    return fit_prompt(bos_prefix(tokenizer), tokenizer(text, add_special_tokens=False)["input_ids"], keep)


def fit_prompt(bos: list[int], ids: list[int], keep: int | None) -> list[int]:
    """``bos`` + the prompt's ids, of which only the last ``keep`` (BOS included) when ``keep`` is given."""
    if keep is not None:
        ids = ids[-max(keep - len(bos), 1):]
    return bos + ids


def draft_answer(model, tokenizer, prompt: str, max_new_tokens: int, context: int) -> str:
    """The model's greedy continuation of a task prompt, up to the end of its answer (a blank line, or the
    next ``Code:``); the prompt's tail kept to fit ``context``."""
    import torch

    ids = prompt_ids(tokenizer, prompt, max(context - max_new_tokens, 8))
    with torch.no_grad():
        gen = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             max_new_tokens=max_new_tokens, do_sample=False,
                             eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    text = tokenizer.decode(gen[0, len(ids):], skip_special_tokens=True)
    return text.split("\n\n")[0].split("\nCode:")[0].rstrip()


def build_model(cfg: RunConfig, vocab_size: int, eos_id: int):
    """A freshly initialised Llama-style model (RMSNorm, RoPE, SwiGLU) of the config's preset."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    dims = model_dims(cfg)
    dims["vocab_size"] = vocab_size
    mc = LlamaConfig(**dims, max_position_embeddings=cfg.model.seq_len, rms_norm_eps=1e-5, rope_theta=10000.0,
                     tie_word_embeddings=cfg.model.tie_embeddings, bos_token_id=eos_id, eos_token_id=eos_id,
                     attention_dropout=0.0, hidden_act="silu")
    torch.manual_seed(cfg.train.seed)
    return LlamaForCausalLM(mc)


def load_base(base: str):
    """An HF model folder, or a GGUF file loaded dequantized through transformers.

    Dequantizing a GGUF and converting its tokenizer takes about a minute for
    Gemma 3 270M on 2 cores; the result is kept as an HF folder in llmctl's
    cache (:func:`gguf_as_hf`), so later runs start in seconds.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(base).expanduser()
    if base in ("default", "gemma3-270m"):
        from llmctl.core.model.files import default_model_path

        path = default_model_path()
    if not path.exists():
        raise LlmctlError(f"{base}: no such model file or folder",
                          "give a run's final/ folder, an HF model folder, a .gguf file, or \"default\"")
    if path.suffix == ".gguf":
        path = gguf_as_hf(path)
    elif not path.is_dir():
        raise LlmctlError(f"model.base: {base} is neither a model folder nor a .gguf file",
                          "point it at the final/ folder of a run, an HF model folder, or a GGUF")
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype="float32")
    tok = AutoTokenizer.from_pretrained(str(path))
    if tok.eos_token_id is None:
        raise LlmctlError(f"model.base: {base}: the tokenizer has no EOS token")
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    return model, tok


def gguf_as_hf(gguf: Path) -> Path:
    """The HF folder (float32 weights, tokenizer) of a GGUF, converted once into llmctl's cache.

    Keyed by the file's path, size and mtime and the transformers version; written
    to a temp folder and renamed, so an interrupted conversion leaves nothing.
    """
    import hashlib
    import shutil

    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from llmctl.core.model.files import cache_dir

    st = gguf.resolve().stat()
    key = hashlib.sha1(f"{gguf.resolve()}|{st.st_size}|{st.st_mtime_ns}|{transformers.__version__}".encode()).hexdigest()
    target = cache_dir() / "bases" / f"{gguf.stem}-{key[:12]}"
    if (target / "config.json").is_file():
        return target
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype="float32")
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # The weights are dequantized to float32 now: nothing of the GGUF quantization remains,
    # but transformers still flags the model and would refuse to save it.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    try:
        model.save_pretrained(str(tmp), safe_serialization=True)
        tok.save_pretrained(str(tmp))
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / "config.json").is_file():  # not another process's finished copy
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LlmctlError(f"could not cache the converted {gguf.name} in {target}: {err}",
                          "free disk space there, or set LLMCTL_CACHE to a folder with room (about 4 bytes per weight)")
    return target
