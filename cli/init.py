"""``llmctl init``: write a commented default configuration."""

from __future__ import annotations

from pathlib import Path

import typer

from llmctl.cli.output import console, fail
from llmctl.core.fsutil import atomic_write


def init_command(
    path: Path = typer.Argument(Path("."), help="Project root to configure."),
    print_only: bool = typer.Option(False, "--print", help="Print the default configuration instead of writing it."),
    pyproject: bool = typer.Option(False, "--pyproject", help="Add [tool.llmctl] to pyproject.toml instead of writing llmctl.toml."),
) -> None:
    """Write a commented default configuration (llmctl.toml, or [tool.llmctl] in pyproject.toml).

    An existing configuration is never overwritten. The git hook is installed
    separately with `llmctl hooks install`.
    """
    from llmctl.core.config import has_config, load_config
    from llmctl.templates import read_template

    body = read_template("config.toml")
    if print_only:
        typer.echo(body, nl=False)
        return
    root = path.resolve()
    if not root.is_dir():
        fail(f"{path}: not a directory", "pass the project root")
    if has_config(root):
        load_config(root)  # validate it, so a broken one is reported now
        console().print(f"{root} already has an llmctl configuration; left unchanged.")
        return
    if pyproject:
        target = root / "pyproject.toml"
        if not target.is_file():
            fail(f"{target}: no pyproject.toml here", "drop --pyproject to write llmctl.toml")
        old = target.read_text("utf-8")
        for section in ("model", "docs", "check", "hooks"):
            body = body.replace(f"\n[{section}]\n", f"\n[tool.llmctl.{section}]\n")
        text = old + ("" if old.endswith("\n") else "\n") + "\n[tool.llmctl]\n" + body
    else:
        target = root / "llmctl.toml"
        text = body
    atomic_write(target, text)
    load_config(root)
    console().print(f"wrote {target}")
