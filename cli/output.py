"""Console helpers shared by the command modules: one place for stderr/stdout and errors."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

from llmctl.core.errors import LlmctlError


def console(stderr: bool = False):
    """A rich Console (imported lazily: rich costs start-up time)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def print_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout, for scripts."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def fail(message: str, fix: str | None = None) -> NoReturn:
    """Stop with a one-line usage/environment error and exit code 2."""
    raise LlmctlError(message, fix)


def report_error(err: LlmctlError) -> NoReturn:
    """Print an LlmctlError as one line on stderr and exit with its code."""
    sys.stderr.write(err.line() + "\n")
    raise typer.Exit(err.exit_code)


def progress_bar(label: str, unit: str):
    """A transient rich progress bar on stderr with count, rate (``unit``/s) and ETA."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class _Rate(ProgressColumn):
        def render(self, task):  # noqa: D102 - rich's column protocol
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} {unit}/s" if speed else f"— {unit}/s")

    # No refresh thread (auto_refresh=False): scan forks parser processes, and forking
    # while another thread holds a lock can deadlock the child. Callers refresh.
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), _Rate(), TimeRemainingColumn(),
                    console=console(stderr=True), transient=True, auto_refresh=False)
