"""The settings `llmctl serve` shares with ``[tool.llmctl.model]``, declared once.

``core/config.py`` builds its pydantic fields from this table and
``cli/serve.py`` builds its flags from it, so a setting's name, default,
bounds and help exist in one place. Plain Python on purpose: the CLI reads it
while building ``--help``, where importing pydantic's models would cost more
than the rest of start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PORT = 8077


@dataclass(frozen=True)
class ServeField:
    """One model setting that `llmctl serve` also takes as a flag."""

    name: str  # the key under [tool.llmctl.model]
    flag: str  # the `llmctl serve` option
    default: object
    help: str
    ge: int | None = None
    le: int | None = None


SERVE_FIELDS: dict[str, ServeField] = {f.name: f for f in (
    ServeField("path", "--model", "", "GGUF file to serve; default: the bundled Gemma 3 270M Q4_K_M"),
    ServeField("lora", "--lora", "bundled", "GGUF LoRA adapter over the model; \"bundled\": llmctl's doc-writing "
               "adapter over the bundled model; \"\" or none: no adapter"),
    ServeField("host", "--host", "127.0.0.1", "address to bind; anything but loopback warns"),
    ServeField("port", "--port", DEFAULT_PORT, "port to listen on", ge=1, le=65535),
    ServeField("context", "--context", 2048, "context window to allocate, in tokens", ge=256),
    ServeField("threads", "--threads", 0, "CPU threads; 0 = all cores", ge=0),
)}
