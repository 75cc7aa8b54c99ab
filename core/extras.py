"""Optional parts of llmctl: a command that needs one says which extra to install.

``pip install llmctl`` (what pre-commit installs for the hook) carries scan,
docs check, the hook and facts-only docs sync; ``llmctl[search]``,
``llmctl[serve]``, ``llmctl[train]`` and ``llmctl[all]`` add the rest.
"""

from __future__ import annotations

import importlib.util

from llmctl.core.errors import LlmctlError

EXTRAS = {
    "search": ("numpy", "faiss", "tokenizers", "safetensors"),
    "watch": ("watchdog",),
    "serve": ("llama_cpp",),
    "train": ("torch", "transformers", "accelerate", "datasketch", "peft"),
}
_EXTRA_OF = {"watch": "search"}


def require(part: str, command: str) -> None:
    """Raise a one-line error naming the extra when a module of ``part`` is not installed."""
    missing = [m for m in EXTRAS[part] if importlib.util.find_spec(m) is None]
    if missing:
        extra = _EXTRA_OF.get(part, part)
        raise LlmctlError(f"`llmctl {command}` needs the {extra} extra ({', '.join(missing)} not installed)",
                          f"pip install 'llmctl[{extra}]'")
