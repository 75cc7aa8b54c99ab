"""Token log-probabilities for completions, without llama.cpp's ``logits_all``.

llama-cpp-python answers ``logprobs`` only for a model loaded with
``logits_all=True``, which computes the whole vocabulary's logits at every
*prompt* position: with Gemma 3's 262k-word vocabulary that made prompts 4-5x
slower here. The model server (core/model/app.py) loads with
``logits_all=False`` and serves ``logprobs`` itself: a logits processor sees
the raw logits of every *generated* step (the sampler hands them over
anyway), and the token the sampler then picks is scored against them. The
cost is one log-sum-exp over the vocabulary per generated token (0.4 ms here).

The answer has OpenAI's completion shape, ``choices[0].logprobs`` with
``tokens``, ``token_logprobs``, ``top_logprobs`` and ``text_offset``, for the
tokens that make up the returned text (a stop sequence's token is left out),
so a client reads it the same from llama.cpp's own server or vLLM.
"""

from __future__ import annotations

import numpy as np


class _Recorder:
    """A logits processor that keeps the last step's logits; ``take`` scores the token picked from them."""

    def __init__(self, top: int):
        self.top = top
        self.last: np.ndarray | None = None
        self.steps: list[tuple[int, float, dict[int, float]]] = []

    def __call__(self, _input_ids, scores):
        self.last = np.array(scores, dtype=np.float32)  # the sampler reuses its buffer
        return scores

    def take(self, token: int) -> None:
        if self.last is None:
            return
        x = self.last
        best = int(x.argmax())
        m = float(x[best])
        lse = m + float(np.log(np.exp(x - m, dtype=np.float32).sum(dtype=np.float64)))
        if self.top <= 1:
            top = {best: m - lse}
        else:
            idx = np.argpartition(-x, self.top - 1)[:self.top]
            top = {int(i): float(x[i]) - lse for i in idx}
        self.steps.append((int(token), float(x[token]) - lse, top))
        self.last = None


def _logprobs(llama, steps: list, prompt_tokens: list[int], text: str) -> dict:
    """OpenAI's ``logprobs`` object for the steps whose text lies inside ``text``."""
    tokens, lps, tops, offsets = [], [], [], []
    prev, offset = list(prompt_tokens), 0
    for token, lp, top in steps:
        if offset >= len(text):
            break
        piece = llama.detokenize([token], prev_tokens=prev).decode("utf-8", "replace")
        prev.append(token)
        tokens.append(piece)
        lps.append(lp)
        tops.append({llama.detokenize([t]).decode("utf-8", "replace"): v for t, v in top.items()})
        offsets.append(offset)
        offset += len(piece)
    return {"tokens": tokens, "token_logprobs": lps, "top_logprobs": tops, "text_offset": offsets}


def serve_logprobs(llama) -> None:
    """Make ``llama`` (a llama_cpp.Llama) answer non-streaming ``logprobs`` requests as described above."""
    import llama_cpp

    base = type(llama)

    class Scored(base):  # type: ignore[misc, valid-type]
        _llmctl_rec: _Recorder | None = None

        def __call__(self, prompt, *args, **kwargs):
            n = kwargs.get("logprobs")
            if n is None or kwargs.get("stream") or kwargs.get("echo") or args:
                return super().__call__(prompt, *args, **kwargs)
            rec = _Recorder(min(int(n), 5))
            # First in line: it sees the model's own logits, before any bias.
            kwargs["logits_processor"] = llama_cpp.LogitsProcessorList([rec, *(kwargs.get("logits_processor") or [])])
            kwargs["logprobs"] = None
            self._llmctl_rec = rec
            try:
                out = super().__call__(prompt, **kwargs)
            finally:
                self._llmctl_rec = None
            choice = out["choices"][0]
            prompt_tokens = self.tokenize(prompt.encode("utf-8")) if isinstance(prompt, str) else list(prompt)
            choice["logprobs"] = _logprobs(self, rec.steps, prompt_tokens, choice.get("text") or "")
            return out

        def generate(self, tokens, *args, **kwargs):
            rec = self._llmctl_rec
            for token in super().generate(tokens, *args, **kwargs):
                if rec is not None:
                    rec.take(token)
                yield token

    llama.__class__ = Scored
