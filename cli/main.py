"""The ``llmctl`` command: one Typer app, a sub-app per command group.

Start-up matters (the git hook runs this on every commit), so this module
imports only typer; every command imports what it needs when it runs.
"""

from __future__ import annotations

import typer

from llmctl.cli.docs import docs_app
from llmctl.cli.hooks import hooks_app
from llmctl.cli.init import init_command
from llmctl.cli.scan import scan_command
from llmctl.cli.search import index_command, search_command
from llmctl.cli.serve import serve_app
from llmctl.cli.train import eval_command, export_app, train_app
from llmctl.core.errors import LlmctlError

app = typer.Typer(
    name="llmctl",
    help="Keep a codebase and its docs in step, with a model your team trains, quantizes and serves itself.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"llmctl {version('llmctl')}")
        except PackageNotFoundError:
            typer.echo("llmctl (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """llmctl: parse, document, check, search, and train on your repository.

    Exit codes: 0 clean, 1 findings, 2 usage or environment error.
    """


app.command("init", help="Write a commented default config: llmctl.toml, or tool.llmctl in pyproject.toml.")(init_command)
app.command("scan", help="Parse the repository (tree-sitter) into the symbol store; report coverage.")(scan_command)

app.add_typer(docs_app, name="docs")
app.command("index", help="Build or refresh the search index (chunks, embeddings, BM25) of the repository.")(index_command)
app.command("search", help="Search code and docs in plain words: embeddings + BM25 over split identifiers, fused.")(
    search_command)
app.add_typer(serve_app, name="serve")

app.add_typer(train_app, name="train")
app.command("eval", help="Compare a trained model with a baseline on held-out data; --gate fails when it is not better.")(
    eval_command)
app.add_typer(export_app, name="export")
app.add_typer(hooks_app, name="hooks")


def main() -> None:
    """Console-script entry point: run the app, turning LlmctlError into exit code 2."""
    from llmctl.cli.output import report_error

    try:
        app()
    except LlmctlError as err:
        try:
            report_error(err)
        except typer.Exit as exit_:
            raise SystemExit(exit_.exit_code) from None
