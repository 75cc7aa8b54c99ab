"""``llmctl hooks``: install or remove the git pre-commit hook."""

from __future__ import annotations

from pathlib import Path

import typer

from llmctl.cli.output import console

hooks_app = typer.Typer(help="Git pre-commit hook that runs `llmctl docs check --staged`.", no_args_is_help=True)


@hooks_app.command("install")
def install_command(path: Path = typer.Argument(Path("."), help="A folder inside the repository.")) -> None:
    """Install the pre-commit hook. An existing hook is kept and runs first; nothing is overwritten.

    The hook checks only what is staged, changes no file and reads no model;
    hooks.mode = "warn" in config makes it report without blocking.
    `git commit --no-verify` skips it.
    """
    from llmctl.hooks.install import install

    console(stderr=True).print(install(path.resolve()))


@hooks_app.command("uninstall")
def uninstall_command(path: Path = typer.Argument(Path("."), help="A folder inside the repository.")) -> None:
    """Remove the llmctl hook and restore the hook it chained, exactly as it was."""
    from llmctl.hooks.install import uninstall

    console(stderr=True).print(uninstall(path.resolve()))
