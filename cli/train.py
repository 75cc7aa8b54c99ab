"""``llmctl train``: datasets now; pretrain/sft/dpo/validate follow (issue #4)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from llmctl.cli.output import console, not_yet, print_json

train_app = typer.Typer(help="Datasets and training on Accelerate: data (working); validate|pretrain|sft|dpo (issue #4).",
                        no_args_is_help=True)


@train_app.command("data")
def data_command(
    repos: Optional[list[Path]] = typer.Argument(None, help="Repositories to read through the symbol store (default: this one)."),
    text: Optional[list[Path]] = typer.Option(None, "--text", help="Extra pretraining text: a .txt file, or .jsonl with a \"text\" field (repeatable)."),
    out: Path = typer.Option(Path("data"), "--out", "-o", help="Output folder: pretrain/ and sft/ with train|validation|test.jsonl, stats.json."),
    min_chars: int = typer.Option(40, "--min-chars", min=1, help="Drop items shorter than this."),
    min_doc_words: int = typer.Option(4, "--min-doc-words", min=1, help="Instruction pairs need a doc comment of at least this many words."),
    near_dup: float = typer.Option(0.85, "--near-dup-threshold", min=0.1, max=1.0, help="MinHash Jaccard threshold for near-duplicates."),
    no_repo: bool = typer.Option(False, "--no-repo", help="Only the --text files, no repository."),
    json_out: bool = typer.Option(False, "--json", help="Print kept/dropped counts as JSON."),
) -> None:
    """Build pretraining text and code -> doc-comment pairs, cleaned, deduplicated and split 8:1:1.

    Drops empty/short, generated, minified and licence-only items, exact
    duplicates and near-duplicates (MinHash LSH); the split is a stable hash, and
    near-duplicates never straddle splits. The output folder is replaced atomically.
    """
    from llmctl.core.project import open_project
    from llmctl.trainers.data import DataRules, build

    projects = [] if no_repo else [open_project(p) for p in (repos or [None])]
    if no_repo and not text:
        from llmctl.cli.output import fail

        fail("--no-repo needs at least one --text file", "add --text FILE or drop --no-repo")
    rules = DataRules(min_chars=min_chars, min_doc_words=min_doc_words, near_dup_threshold=near_dup)
    stats = build(projects, list(text or []), out, rules)
    if json_out:
        print_json(stats.to_dict())
        return
    from rich.table import Table

    table = Table(title=f"llmctl train data -> {out}", title_justify="left")
    for col in ("dataset", "train", "validation", "test", "dropped (reason: n)"):
        table.add_column(col)
    for ds in ("pretrain", "sft"):
        drops = ", ".join(f"{r}: {n}" for (d, r), n in sorted(stats.dropped.items()) if d == ds) or "none"
        table.add_row(ds, *(f"{stats.kept[(ds, s)]:,}" for s in ("train", "validation", "test")), drops)
    console().print(table)


def _make(name: str):
    def _cmd() -> None:
        not_yet(f"train {name}", 4)
    return _cmd


for _name in ("validate", "pretrain", "sft", "dpo"):
    train_app.command(_name, help=f"train {_name} (not implemented yet: issue #4)")(_make(_name))
