"""Static embeddings: one vector per vocabulary token, distilled from the bundled MiniLM.

Why: a transformer reads every chunk through six attention layers; on two
cores all-MiniLM-L6-v2 embeds a few hundred chunks a second, so indexing a
mid-sized repository takes minutes, almost all of it embedding. A static model
embeds a text by averaging its tokens' vectors: tens of thousands of chunks a
second, and a query in well under a millisecond.

Distillation, the way model2vec does it and with nothing downloaded: every
token of the model's vocabulary goes through the full model on its own
(``[CLS] token [SEP]``); its mean-pooled output is that token's vector. The
vectors are reduced by PCA (``DIMS``) and weighted by vocabulary rank
(``log(1 + rank)``: WordPiece vocabularies list frequent words first, and
frequent words say little about a text). The result is cached under the
user's cache dir (``$XDG_CACHE_HOME/llmctl/static``), keyed by the source
model's fingerprint, written once (a temp file renamed) and read on every
later use.

Text is split into identifier words before tokenising (``parseHTTPHeader`` ->
"parse http header"), so that code and questions meet in the same tokens.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from llmctl.core.search.tokens import identifier_words

DIMS = 256
STATIC_PREFIX = "static"
_FIRST_WORD_ID = 1996  # BERT uncased: ids below are [PAD], [unusedN], [CLS], ... and single characters


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/llmctl/static`` (``~/.cache`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llmctl" / "static"


class StaticEmbedder:
    """Mean of distilled token vectors, L2-normalised; the same interface as the transformer embedders."""

    def __init__(self, model_dir: Path, *, log=None):
        import numpy as np
        from tokenizers import Tokenizer

        from llmctl.core.search.embed import model_identity

        source = model_identity(model_dir)
        self.identity = f"{STATIC_PREFIX}-{DIMS}:{source}"
        self.max_len = 1 << 30
        path = cache_root() / f"{source.replace(':', '-')}-{DIMS}.npy"
        if not path.is_file():
            distill(model_dir, path, log=log or _stderr)
        self.table = np.load(path, mmap_mode="r", allow_pickle=False)  # pages in the rows a text uses
        self.dim = int(self.table.shape[1])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self._words: dict[str, list[int]] = {}

    def _word_ids(self, word: str) -> list[int]:
        found = self._words.get(word)
        if found is None:
            found = self._words[word] = self.tokenizer.encode(word, add_special_tokens=False).ids
        return found

    def encode(self, texts: list[str], batch_size: int = 0):
        """L2-normalised embeddings of ``texts``, shape (len(texts), dim), float32."""
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        # Only the first max_length tokens count (search.embed_tokens). Text is split into identifier
        # words first; WordPiece splits each word on its own, so each distinct word is tokenised once.
        trunc = self.tokenizer.truncation
        limit = trunc["max_length"] if trunc else 1 << 30
        chars = limit * 8
        per_text: list[list[int]] = []
        for t in texts:
            ids: list[int] = []
            for w in identifier_words(t[:chars]):
                ids.extend(self._word_ids(w))
                if len(ids) >= limit:
                    break
            per_text.append(ids[:limit])
        lengths = np.fromiter((len(x) for x in per_text), dtype=np.int64, count=len(per_text))
        ids = np.fromiter((i for x in per_text for i in x), dtype=np.int64, count=int(lengths.sum()))
        if len(ids) == 0:
            return out
        sums = np.add.reduceat(self.table[ids], np.r_[0, np.cumsum(lengths)[:-1]].clip(max=len(ids) - 1), axis=0)
        nonempty = lengths > 0
        out[nonempty] = sums[nonempty]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def distill(model_dir: Path, path: Path, *, log=_stderr) -> None:
    """Write the token table of the BERT model in ``model_dir`` to ``path`` (see the module doc)."""
    import numpy as np

    from llmctl.core.fsutil import atomic_path
    from llmctl.core.search.embed import NumpyBert

    log(f"distilling a static embedding model from {model_dir} (once; cached in {path.parent})")
    bert = NumpyBert(model_dir)
    vocab = bert.word.shape[0]
    cls_id = bert.tokenizer.token_to_id("[CLS]")
    sep_id = bert.tokenizer.token_to_id("[SEP]")
    ids = np.stack([np.full(vocab, cls_id), np.arange(vocab), np.full(vocab, sep_id)], axis=1).astype(np.int64)
    mask = np.ones_like(ids)
    try:
        import torch  # noqa: F401

        forward = bert._forward_torch
    except ImportError:
        forward = bert._forward
    vecs = np.concatenate([forward(ids[i:i + 1024], mask[i:i + 1024]) for i in range(0, vocab, 1024)])
    vecs = vecs - vecs.mean(0)
    _, _, vt = np.linalg.svd(vecs[_FIRST_WORD_ID:], full_matrices=False)
    table = vecs @ vt[:DIMS].T
    rank = np.maximum(np.arange(vocab) - _FIRST_WORD_ID + 1, 1)
    table *= np.log1p(rank)[:, None]
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.save(fh, table.astype(np.float32), allow_pickle=False)
