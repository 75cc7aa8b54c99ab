"""Configuration: ``[tool.llmctl]`` in pyproject.toml or a ``llmctl.toml``.

Validated by core/schema.py (dataclasses: this runs on every command and in
the pre-commit hook, where pydantic's import cost a third of the budget); any
mistake becomes a one-line :class:`LlmctlError` naming the file, the key and
what was expected. ``llmctl.toml`` wins over
pyproject.toml when both exist (it is the more specific file).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from dataclasses import dataclass

from llmctl.analyzers.languages import LANGUAGE_NAMES
from llmctl.core.errors import LlmctlError
from llmctl.core.model.fields import DEFAULT_PORT, SERVE_FIELDS
from llmctl.core.schema import Field, SchemaError
from llmctl.core.schema import Section as _Section

Language = Literal[LANGUAGE_NAMES]


DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}/v1"


def _serve_field(name: str):
    """A config field from the table `llmctl serve` builds its flags from (core/model/fields.py)."""
    f = SERVE_FIELDS[name]
    return Field(default=f.default, description=f.help, ge=f.ge, le=f.le)


@dataclass
class ModelConfig(_Section):
    """``[tool.llmctl.model]``: the model server docs sync talks to, and what `llmctl serve` runs."""

    url: str = Field(default=DEFAULT_URL, pattern=r"^https?://", description="OpenAI-compatible base URL (…/v1)")
    name: str = Field(default="", description="model identity for the generation cache; default: the GGUF file name and size")
    path: str = _serve_field("path")
    lora: str = _serve_field("lora")
    host: str = _serve_field("host")
    port: int = _serve_field("port")
    api_key_env: str = Field(default="LLMCTL_API_KEY", description="environment variable holding the API key, if any")
    timeout: float = Field(default=60.0, gt=0, description="seconds to wait for one model answer")
    retries: int = Field(default=3, ge=0, le=10, description="retries with backoff on a failed request")
    # 1: llama.cpp's server (llmctl serve) answers one request at a time and reuses the last prompt's
    # KV cache; two in flight interleave symbols and lose it (bench/docgen.py: generate="all" on
    # requests, 1.19 symbols/s at 1, 0.87 at 2). Raise it for a server that batches (vLLM).
    max_in_flight: int = Field(default=1, ge=1, le=64, description="model requests sent at once; raise for a batching server (vLLM)")
    context: int = _serve_field("context")
    threads: int = _serve_field("threads")


@dataclass
class DocsConfig(_Section):
    """``[tool.llmctl.docs]``: where and how `llmctl docs sync` writes the API reference."""

    out_dir: str = Field(default="docs/api", min_length=1, description="where pages are written, relative to the root")
    templates_dir: str = Field(default="", description="folder whose *.j2 files override the bundled templates")
    examples: int | Literal["auto"] = Field(
        default="auto", ge=0, le=8, description="few-shot examples per prompt, from the repository's own docs, 0-8; auto: none "
        "when a LoRA adapter is served (it was trained on the prompt without them), 3 for a plain base model")
    max_tokens: int = Field(default=48, ge=8, le=512, description="longest generated answer, in tokens")
    min_confidence: float | Literal["off"] = Field(
        default=-0.89, le=0, description="leave a marked gap where the model's mean token log-probability for a summary "
        "is below this (say nothing rather than something wrong); off: keep every valid answer. The default was tuned "
        "by hand on held-out libraries for the bundled adapter: the fewest wrong summaries (about 1 in 6) with a third "
        "of them kept (bench/docgen.py prints the curve). Parameter descriptions are not gated: the confidence did not "
        "separate right ones from wrong ones")
    # "summaries": read by hand, the bundled adapter's parameter descriptions were wrong about 1 in 5
    # times on httpx (9 of 50) and 1 in 3 on cobra (13 of 40), and no confidence separated them; a
    # parameter a callee documents is still described (forward.py), the rest is left blank.
    generate: Literal["summaries", "all", "none"] = Field(
        default="summaries", description="what the model writes: summaries only, summaries and parameter descriptions, or nothing")
    include: list[str] = Field(default_factory=list, description="gitignore-style patterns; when set, only matching code is documented")
    exclude: list[str] = Field(default_factory=list, description="gitignore-style patterns of code never documented, on top of tests, examples, benchmarks, vendored and generated code")
    source_url: str = Field(default="", description="base URL of the sources (https://github.com/o/r/blob/main/): source links become absolute, as a published site needs")

    @property
    def confidence_floor(self) -> float | None:
        """``min_confidence`` as a number, None when "off"."""
        return None if self.min_confidence == "off" else float(self.min_confidence)


Severity = Literal["info", "warning", "error"]


@dataclass
class CheckConfig(_Section):
    """``[tool.llmctl.check]``: which drift rules run where, and what fails the check."""

    select: list[str] = Field(default_factory=list, description="rule codes or prefixes to run (empty: all)")
    ignore: list[str] = Field(default_factory=list, description="rule codes or prefixes to skip")
    per_path_ignores: dict[str, list[str]] = Field(default_factory=dict, description="gitignore-style glob -> codes to skip there")
    severity: dict[str, Severity] = Field(default_factory=dict, description="rule code -> severity override")
    markdown: list[str] = Field(default_factory=lambda: ["*.md", "docs/**/*.md"], description="hand-written Markdown to check")
    fail_on: Severity = Field(default="warning", description="lowest severity that makes the check exit 1")
    lock_file: str = Field(default="llmctl.lock", min_length=1, description="confirmations of anchored links (commit it)")
    markdown_exclude: list[str] = Field(
        default_factory=lambda: [f"{n}*.md" for n in ("CHANGELOG", "Changelog", "changelog", "CHANGES", "Changes",
                                                         "HISTORY", "History", "history", "NEWS", "News", "RELEASE",
                                                         "Release", "release-notes", "SECURITY")],
        description="Markdown not checked: release notes name what code used to be called")
    # Disputed policies, with pydoclint's defaults.
    star_arguments: bool = Field(default=True, description="*args and **kwargs must be documented (DOC102)")
    star_notation: Literal["either", "stars"] = Field(
        default="either", description="how *args/**kwargs are written in the doc: with or without stars, or with them only")
    kwargs_options: bool = Field(default=True, description="a **kwargs function may document keyword options it passes on (no DOC101)")
    class_attributes: bool = Field(default=True, description="DOC6xx: compare a class's Attributes section with its class-level attributes")
    type_match: Literal["exact", "strict", "builtin"] = Field(
        default="exact", description="DOC103/DOC203/DOC206: whole types, unless the annotation uses a name the doc "
        "does not (an alias); strict: the normalised texts, as pydoclint; builtin: plain built-in types only")
    init_docstring: Literal["class", "init", "either"] = Field(
        default="class", description="where a class documents its __init__ arguments (DOC501/DOC504)")
    type_presence: bool = Field(default=False, description="DOC103 also when only one of the doc and the signature gives a type (pydoclint's --arg-type-hints-* policy)")
    check_arg_defaults: bool = Field(default=False, description="DOC105: documented defaults must match the signature")
    returns_for_none: bool = Field(default=False, description="a Returns section is required even for -> None")


@dataclass
class HooksConfig(_Section):
    """``[tool.llmctl.hooks]``: what the pre-commit hook does with findings."""

    mode: Literal["block", "warn"] = Field(default="block", description="block the commit on findings, or only warn")


NOISE_DEFAULTS = [
    "vendor/", "vendored/", "_vendor/", "third_party/", "third-party/", "node_modules/", "bower_components/",
    "dist/", "build/", "*.min.js", "*.min.mjs", "*.bundle.js", "*_pb2.py", "*_pb2_grpc.py", "*.pb.go",
    "*_generated.*", "*.generated.*", "*.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
    "CHANGELOG.md", "CHANGES.md", "LICENSE.md",
]


SECONDARY_DEFAULTS = [
    "test/", "tests/", "__tests__/", "testing/", "testdata/", "fixtures/", "examples/", "example/", "samples/",
    "benchmarks/", "benchmark/", "bench/", "benches/", "legacy/", "deprecated/", "*deprecated*", "old/",
    "v[0-9]/", "v[0-9][0-9]/", "sandbox/", "scripts/", "bin/", "site/", "docs/", "*.d.ts", "*.d.cts", "*.d.mts",
]


@dataclass
class SearchConfig(_Section):
    """``[tool.llmctl.search]``: what `llmctl index` puts in the search index and how it embeds it."""

    embed_model: str = Field(default="static",
                             description='"static" (token vectors distilled from the bundled MiniLM: fastest), '
                                         '"all-MiniLM-L6-v2" (the transformer), "none" (keywords only), '
                                         'or a local sentence-transformers folder')
    embed_tokens: int = Field(default=64, ge=16, le=512, description="tokens of each chunk the embedding model reads")
    max_chunk_lines: int = Field(default=200, ge=5, description="lines of a symbol's source kept for keyword search and snippets")
    exclude: list[str] = Field(default_factory=lambda: list(NOISE_DEFAULTS),
                               description="gitignore-style patterns kept out of the index (vendored, generated, minified, lock files)")
    markdown: list[str] = Field(default_factory=lambda: ["*.md", "**/*.md"], description="Markdown files whose sections are indexed")
    hnsw_threshold: int = Field(default=50_000, ge=1, description="past this many chunks, FAISS HNSW replaces exact search")
    secondary: list[str] = Field(default_factory=lambda: list(SECONDARY_DEFAULTS),
                                 description="gitignore-style patterns ranked below the implementation: tests (each language's own conventions too), examples, benchmarks, legacy and versioned copies")


@dataclass
class Config(_Section):
    """Everything llmctl reads from configuration, with its defaults."""

    include: list[str] = Field(default_factory=list, description="gitignore-style patterns; when set, only matching files are scanned")
    exclude: list[str] = Field(default_factory=list, description="gitignore-style patterns of files to leave out, on top of .gitignore")
    languages: list[Language] = Field(
        default_factory=lambda: list(LANGUAGE_NAMES),
        description="languages to parse",
    )
    max_file_bytes: int = Field(default=1_000_000, ge=1, description="files larger than this are skipped as oversize")
    store_dir: str = Field(default=".llmctl", min_length=1, description="where the symbol store lives, relative to the project root")
    jobs: int = Field(default=0, ge=0, description="parser processes; 0 means one per CPU core")
    model: ModelConfig = Field(default_factory=ModelConfig)
    docs: DocsConfig = Field(default_factory=DocsConfig)
    check: CheckConfig = Field(default_factory=CheckConfig)
    hooks: HooksConfig = Field(default_factory=HooksConfig)
    search: SearchConfig = Field(default_factory=SearchConfig)

    # Where this configuration came from, for error messages; not a key.
    _source = "defaults"


CONFIG_FILES = ("llmctl.toml", "pyproject.toml")


def _format_error(source: str, err: SchemaError) -> str:
    if err.expected_keys is not None:
        return f"{source}: unknown key '{err.loc}' (expected one of: {', '.join(err.expected_keys)})"
    return f"{source}: bad value for '{err.loc}': {err.message} (got {err.value!r})"


def parse_config(data: dict[str, Any], source: str) -> Config:
    """Validate a ``[tool.llmctl]`` table; raise LlmctlError naming ``source`` on mistakes."""
    try:
        cfg = Config.validate(data)
    except SchemaError as err:
        raise LlmctlError(_format_error(source, err), "fix the key or remove it; `llmctl init --print` shows every key") from None
    cfg._source = source
    return cfg


def read_config_table(path: Path) -> dict[str, Any] | None:
    """The llmctl table of ``path`` (None when a pyproject.toml has none)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise LlmctlError(f"{path}: not valid TOML: {err}", "fix the syntax at that line") from None
    except UnicodeDecodeError:
        raise LlmctlError(f"{path}: not UTF-8 text", "save it as UTF-8 (TOML files are UTF-8)") from None
    except OSError as err:
        raise LlmctlError(f"{path}: cannot read: {err.strerror}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("llmctl")
        if table is not None and not isinstance(table, dict):
            raise LlmctlError(f"{path}: [tool.llmctl] must be a table")
        return table
    return data.get("tool", {}).get("llmctl", data) if "tool" in data else data


def load_config(root: Path) -> Config:
    """Load the configuration of the project at ``root`` (defaults when there is none)."""
    for name in CONFIG_FILES:
        path = root / name
        if path.is_file():
            table = read_config_table(path)
            if table is not None:
                label = f"{path}" + (" [tool.llmctl]" if name == "pyproject.toml" else "")
                return parse_config(table, label)
    return Config()


def has_config(directory: Path) -> bool:
    """True when ``directory`` holds an llmctl.toml or a pyproject.toml with [tool.llmctl]."""
    if (directory / "llmctl.toml").is_file():
        return True
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            return "[tool.llmctl" in pyproject.read_text("utf-8", "replace")
        except OSError:
            return False
    return False
