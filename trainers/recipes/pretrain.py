"""Pretrain a Llama-style model (RMSNorm, RoPE, SwiGLU) from scratch on `train data` output.

Trains a byte-level BPE tokenizer on the data, packs sequences, and runs
AdamW with warmup + cosine on Accelerate. Checkpoints every N steps
(atomic, last N kept); --resume auto continues exactly where a killed run
stopped. TensorBoard logs under OUT/logs; the model lands in OUT/final.
"""

from __future__ import annotations

from pathlib import Path

from llmctl.trainers.config import RunConfig, model_dims
from llmctl.trainers.models import build_model, pack, read_jsonl, train_tokenizer
from llmctl.trainers.recipes import MicroBatch, token_loss, token_targets


class Recipe:
    """Next-token prediction over packed blocks of the pretraining text."""

    needs_base = False
    dense_labels = True

    def __init__(self, cfg: RunConfig):
        self.cfg = cfg
        self.n_examples = 0
        self.blocks = None

    def setup(self, acc, say):
        """Tokenizer (trained once, by the main process), packed blocks, a fresh model."""
        from transformers import PreTrainedTokenizerFast

        cfg = self.cfg
        texts = [r["text"] for r in read_jsonl(Path(cfg.data.dir) / "pretrain" / "train.jsonl")]
        tok_dir = Path(cfg.out) / "tokenizer"
        with acc.main_process_first():
            if acc.is_main_process and not (tok_dir / "tokenizer.json").is_file():
                train_tokenizer(texts, model_dims(cfg)["vocab_size"], tok_dir)
        tokenizer = PreTrainedTokenizerFast.from_pretrained(str(tok_dir))
        self.blocks = pack(tokenizer, texts, cfg.model.seq_len)
        self.n_examples = self.blocks.shape[0]
        return build_model(cfg, len(tokenizer), tokenizer.eos_token_id), tokenizer

    def micro_batch(self, indices: list[int]) -> MicroBatch:
        """Blocks shifted by one: inputs and next-token labels."""
        b = self.blocks[indices]
        return MicroBatch(b[:, :-1], b[:, 1:])

    targets = staticmethod(token_targets)

    def loss(self, out, mb: MicroBatch):
        """Summed cross-entropy over every position."""
        return token_loss(out, mb)
