"""The model and its loss as one module: log-probabilities of the targets, never the whole logits tensor.

A causal LM's last matmul (hidden -> vocabulary) and the fp32 log-softmax over
it are the largest tensors of a training step once the vocabulary is big:
Gemma 3's 262,144 entries make 1 GiB of fp32 logits per 1,024 positions. Every
recipe needs only the log-probability of each *labelled* next token (SFT and
DPO label the doc comment, a small share of the sequence). So :class:`TargetLM`
wraps the HF model and returns exactly that:

- **dense labels** (pretraining: every position is a target): the head and the
  log-softmax over all positions, in one graph that ``torch.compile`` fuses
  with the model (the fp32 upcast never lands in memory as a separate pass);
- **sparse labels** (SFT, DPO): the backbone runs over every position, the
  head only over the labelled ones, in chunks of :data:`CHUNK` rows whose
  logits are dropped once used (:class:`_ChunkedTargetLogprob`), so peak
  memory no longer grows with the vocabulary times the sequence.

The engine wraps this module with Accelerate (DDP/FSDP see one module whose
forward returns the targets' log-probabilities) and compiles it when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHUNK = 1024  # labelled positions per head matmul in the sparse path


@dataclass
class Targets:
    """Log-probability of each labelled target (1-D, row-major order) and the batch row it belongs to."""

    logp: Any
    rows: Any

    def per_row(self, n_rows: int):
        """Summed log-probability of each row's targets."""
        import torch

        return torch.zeros(n_rows, dtype=self.logp.dtype, device=self.logp.device).index_add(0, self.rows, self.logp)


def _cap(z, softcap: float | None):
    """Gemma's logit soft-capping (``softcap * tanh(z / softcap)``), or ``z`` when the model has none."""
    import torch

    return torch.tanh(z / softcap) * softcap if softcap else z


def _logits(h, weight, softcap: float | None, dtype=None):
    dtype = dtype or h.dtype
    return _cap((h.to(dtype) @ weight.to(dtype).t()).float(), softcap)


def _dlogp(z, t, softcap: float | None, lse=None):
    """d log p(t) / d (pre-cap logits ``z``), per row: onehot(t) - softmax, times the soft-cap's slope.

    ``lse``: the rows' logsumexp when the caller has it (saves a pass over V columns).
    """
    import torch

    capped = _cap(z, softcap)
    if lse is None:
        lse = torch.logsumexp(capped, dim=-1)
    d = capped.sub(lse[:, None]).exp_().neg_()
    d[torch.arange(len(t), device=d.device), t] += 1
    if softcap:
        d.mul_(1 - torch.tanh(z / softcap) ** 2)
    return d


def _make_chunked():
    import torch

    class _ChunkedTargetLogprob(torch.autograd.Function):
        """log p(target) per row of ``h`` under ``softmax(h @ W.T)``, in chunks of :data:`CHUNK` rows.

        The gradient with respect to ``h`` is a per-row multiple of
        ``(onehot - softmax) @ W``, so the forward pass computes that N x d
        matrix while the chunk's logits are at hand, and backward only scales
        it: with a frozen head (LoRA) the head costs two matmuls per labelled
        position, as with whole logits, and no logits are kept. A trainable
        head's gradient depends on every row's upstream weight, so backward
        recomputes each chunk's logits for it.
        """

        @staticmethod
        def forward(ctx, h, weight, targets, softcap, dtype):
            out = torch.empty(h.shape[0], dtype=torch.float32, device=h.device)
            unit = torch.empty_like(h) if ctx.needs_input_grad[0] else None
            with torch.no_grad(), torch.autocast(h.device.type, enabled=False):
                w = weight.to(dtype)
                for s in range(0, h.shape[0], CHUNK):
                    z = (h[s:s + CHUNK].to(dtype) @ w.t()).float()
                    capped = _cap(z, softcap)
                    t = targets[s:s + CHUNK]
                    lse = torch.logsumexp(capped, dim=-1)
                    out[s:s + CHUNK] = capped.gather(1, t[:, None]).squeeze(1) - lse
                    if unit is not None:
                        unit[s:s + CHUNK] = (_dlogp(z, t, softcap, lse).to(dtype) @ w).to(h.dtype)
            ctx.save_for_backward(h, weight, targets, unit)
            ctx.softcap, ctx.dtype = softcap, dtype
            return out

        @staticmethod
        def backward(ctx, grad_out):
            h, weight, targets, unit = ctx.saved_tensors
            softcap, dtype = ctx.softcap, ctx.dtype
            grad_h = unit * grad_out[:, None].to(unit.dtype) if ctx.needs_input_grad[0] else None
            grad_w = None
            if ctx.needs_input_grad[1]:
                grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device)
                w = weight.to(dtype)
                for s in range(0, h.shape[0], CHUNK):
                    hc = h[s:s + CHUNK].to(dtype)
                    d = _dlogp((hc @ w.t()).float(), targets[s:s + CHUNK], softcap)
                    d.mul_(grad_out[s:s + CHUNK].float()[:, None])
                    grad_w += (d.to(dtype).t() @ hc).float()
                grad_w = grad_w.to(weight.dtype)
            return grad_h, grad_w, None, None, None

    return _ChunkedTargetLogprob


_CHUNKED = None


def target_logprobs(h, weight, targets, softcap: float | None = None):
    """log p(targets[i] | h[i]) for each row of ``h`` (N x d) against the output matrix ``weight`` (V x d)."""
    import torch

    global _CHUNKED
    if _CHUNKED is None:
        _CHUNKED = _make_chunked()
    kind = h.device.type
    dtype = torch.get_autocast_dtype(kind) if torch.is_autocast_enabled(kind) else h.dtype
    return _CHUNKED.apply(h, weight, targets, softcap, dtype)


def causal_lm(model):
    """The HF causal LM inside a PEFT wrapper (or the model itself)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def make_target_lm(model, dense: bool):
    """:class:`TargetLM` around ``model``; ``dense`` when every position is labelled (pretraining)."""
    import torch

    class TargetLM(torch.nn.Module):
        """``forward(input_ids, attention_mask, labels) -> (logp, rows)`` of the labelled positions."""

        def __init__(self, lm, dense: bool):
            super().__init__()
            self.lm, self.dense = lm, dense
            inner = causal_lm(lm)
            self.softcap = getattr(inner.config, "final_logit_softcapping", None)

        def forward(self, input_ids, attention_mask=None, labels=None):
            inner = causal_lm(self.lm)
            backbone = getattr(inner, inner.base_model_prefix)
            h = backbone(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            head = inner.get_output_embeddings()
            rows = torch.arange(h.shape[0], device=h.device)[:, None].expand(labels.shape)
            if self.dense:
                z = _logits(h, head.weight, self.softcap)
                logp = torch.log_softmax(z, dim=-1).gather(-1, labels.clamp_min(0)[..., None]).squeeze(-1)
                keep = labels != -100
                return (logp * keep).reshape(-1), rows.reshape(-1)
            keep = labels != -100
            return target_logprobs(h[keep], head.weight, labels[keep], self.softcap), rows[keep]

    return TargetLM(model, dense)
