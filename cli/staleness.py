"""``llmctl train staleness``: learn when a change leaves a doc comment stale, from this repository's history."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from llmctl.cli.output import console, print_json
from llmctl.cli.train import train_app


@train_app.command("staleness")
def staleness_command(
    commits: int = typer.Option(2000, "--commits", min=10, help="How many of the latest non-merge commits to learn from."),
    data: Optional[Path] = typer.Option(None, "--data", help="Learn from `llmctl train data --history` output instead (DATA/history/: several repositories, its own held-out split)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Where to write the model (default: <store>/staleness.json, which docs check then uses)."),
    json_out: bool = typer.Option(False, "--json", help="Print the examples, the held-out figures and the path as JSON."),
) -> None:
    """Learn DOC401's weights from this repository's git history.

    Every documented symbol a commit changed is an example; it is positive when
    the commit reworded its doc comment too. The oldest 80% of commits train a
    model that is scored on the newest 20% beside the shipped one; then a model
    trained on everything is written (atomically) for `llmctl docs check`.
    With --data, the examples and the held-out split come from `llmctl train
    data --history` (by time, or by repository).
    """
    from llmctl.core.errors import LlmctlError
    from llmctl.core.project import open_project
    from llmctl.core.fsutil import atomic_write
    from llmctl.trainers.history import evaluate, fit

    project = open_project(None)
    train, test, source, trained_on = _examples(project, data, commits)
    examples = train + test
    positives = sum(e.label for e in examples)
    if positives < 10 or len(examples) - positives < 10:
        raise LlmctlError(f"only {len(examples)} examples ({positives} where the doc was updated) in {source}",
                          "mine more history (--commits, more repositories), or keep the shipped model")
    held_out = evaluate(train, test, "the model learned here")
    model = fit([e.x for e in examples], [e.label for e in examples], trained_on=trained_on)
    target = out or project.store_dir / "staleness.json"
    if out is None:
        from llmctl.core.store.db import Store

        with Store(project.store_dir):
            pass  # the store folder, with its .gitignore, so the model stays out of commits
    import json

    atomic_write(target, json.dumps(model.to_json(), indent=1) + "\n")
    result = {"examples": len(examples), "positive": positives, "held_out": held_out, "model": str(target)}
    if json_out:
        print_json(result)
        return
    c = console()
    c.print(f"{len(examples)} examples, {positives} where the commit updated the doc comment")
    split = "held-out split" if data is not None else "newest 20% of commits"
    for name, m in held_out.items():
        c.print(f"{split}, {name}: precision {m['precision']:.2f} recall {m['recall']:.2f} "
                f"F1 {m['f1']:.2f} AUC {m['auc']:.2f}")
    if out is None:
        c.print(f"wrote {target}: `llmctl docs check --staged` and the hook use it from now on")
    else:
        c.print(f"wrote {target}; copy it to {project.store_dir / 'staleness.json'} for `docs check` and the hook to use it")


def _examples(project, data: Optional[Path], commits: int):
    """(train, held-out test, where they came from, what the model is trained on): mined here or read from --data."""
    from llmctl.core.errors import LlmctlError
    from llmctl.trainers.history import mine, read_history, split_by_time

    if data is not None:
        train, test = read_history(data, "train"), read_history(data, "test")
        return train, test, str(data / "history"), sorted({e.repo for e in train + test})
    if not (project.root / ".git").exists():
        raise LlmctlError(f"{project.root}: not a git repository", "run it in a repository with history")
    with console(stderr=True).status("mining the history…"):
        train, test = split_by_time(list(mine(project.root, max_commits=commits)))
    return train, test, f"the last {commits} commits", [f"{project.root.name} (last {commits} commits)"]
