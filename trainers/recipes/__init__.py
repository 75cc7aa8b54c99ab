"""Training recipes: one file each, over one engine (``trainers/loop.py``).

A recipe module defines ``Recipe``, a class built from the run config that
gives the engine what differs between kinds of training:

- ``needs_base`` (class attribute): True when ``model.base`` is required;
- ``setup(acc, say) -> (model, tokenizer)``: data, model and tokenizer, with
  ``n_examples`` set;
- ``micro_batch(indices) -> MicroBatch``: tensors for one micro-batch;
- ``targets(mb) -> int``: what the loss of that micro-batch is normalised by;
- ``loss(out, mb)``: the micro-batch's *summed* loss, from ``out``, a
  ``heads.Targets``: the log-probability of each labelled next token (the
  engine never builds the whole logits tensor, see ``trainers/heads.py``);
- ``dense_labels`` (class attribute, default False): True when every position
  is labelled (pretraining), so the head runs over all of them in one graph.

Adding a recipe is one file here: its module name is the ``kind`` of a run
config and the ``llmctl train <kind>`` command, and its docstring that
command's help. Nothing heavy is imported at module level.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any


@dataclass
class MicroBatch:
    """One micro-batch: model inputs, next-token labels (-100 = no loss), attention mask, recipe extras."""

    inputs: Any
    labels: Any
    mask: Any = None
    extra: Any = None


def recipe_names() -> list[str]:
    """The recipes available (module names in this package)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def recipe_doc(kind: str) -> str:
    """A recipe's docstring, read from its source without importing it (for ``--help``)."""
    import ast
    from pathlib import Path

    source = Path(__path__[0]) / f"{kind}.py"
    return ast.get_docstring(ast.parse(source.read_text("utf-8"))) or kind


def recipe_module(kind: str):
    """The module of recipe ``kind``; ValueError when there is none."""
    if kind not in recipe_names():
        raise ValueError(f"no training recipe {kind!r} (known: {', '.join(recipe_names())})")
    return importlib.import_module(f"{__name__}.{kind}")


def token_loss(out, mb: MicroBatch):
    """Summed cross-entropy over the labelled positions (the language-modelling loss)."""
    return -out.logp.sum()


def token_targets(mb: MicroBatch) -> int:
    """The number of labelled positions in a micro-batch."""
    return int((mb.labels != -100).sum())
