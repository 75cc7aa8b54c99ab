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
from llmctl.cli import staleness as _staleness  # noqa: F401  (registers `llmctl train staleness`)
from llmctl.core.errors import LlmctlError


def _flag_type(self, ctx):
    # A flag takes no value: showing `<bool>` beside it misleads.
    return None if self.is_flag else _option_type(self, ctx)


_option_type = getattr(typer.core.TyperOption, "display_type_rich", None)
if _option_type is not None:  # typer versions that show one (older ones leave flags bare already)
    typer.core.TyperOption.display_type_rich = _flag_type

app = typer.Typer(
    name="llmctl",
    rich_markup_mode=None,  # help texts quote `[tool.llmctl]`: no markup to swallow it
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
app.command("search", help="Search code and docs in plain words: the implementing file first, then its neighbours; "
                           "Markdown when you ask for docs (or --docs-only); tests and examples after the code.")(
    search_command)
app.add_typer(serve_app, name="serve")

app.add_typer(train_app, name="train")
app.command("eval", help="Compare a trained model with a baseline on held-out data; --gate fails when it is not better.")(
    eval_command)
app.add_typer(export_app, name="export")
app.add_typer(hooks_app, name="hooks")


def _command_path(argv: list[str]) -> str:
    """``llmctl docs check`` for the command a user ran (only real command words, never a query)."""
    import typer.main

    words: list[str] = []
    group = typer.main.get_command(app)
    for a in (w for w in argv if not w.startswith("-")):
        sub = getattr(group, "commands", {}).get(a)
        if sub is None:
            break
        words.append(a)
        group = sub
    return " ".join(["llmctl", *words])


def _environment_line(err: BaseException) -> str | None:
    """One line for the environment errors a user can meet anywhere (disk full, read-only, damaged store)."""
    import errno
    import sqlite3

    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT):
        where = f"{err.filename}: " if err.filename else ""
        fix = {errno.ENOSPC: "free disk space, then run it again", errno.EDQUOT: "free disk space, then run it again",
               errno.EROFS: "run it where the project and its store (store_dir, --store) are writable"}.get(
            err.errno, "check the permissions, or set store_dir / --store to a writable place")
        return f"llmctl: error: {where}{err.strerror} — {fix}"
    if isinstance(err, sqlite3.DatabaseError):
        text = str(err)
        if "full" in text:
            return f"llmctl: error: {text} — free disk space, then run it again"
        if "readonly" in text or "unable to open" in text:
            return f"llmctl: error: {text} — make the store writable (store_dir, --store)"
        return (f"llmctl: error: a database of the store is damaged ({text}) — it is rebuilt on the next run; "
                "run the command again")
    return None


def main() -> None:
    """Console-script entry point: every usage or environment error is one line on stderr and exit code 2."""
    import sys

    from typer._click.exceptions import ClickException, UsageError

    argv = sys.argv[1:]
    try:
        rv = app(standalone_mode=False)
    except LlmctlError as err:
        sys.stderr.write(err.line() + "\n")
        raise SystemExit(err.exit_code) from None
    except UsageError as err:
        sys.stderr.write(f"llmctl: error: {err.format_message()} — see `{_command_path(argv)} --help`\n")
        raise SystemExit(2) from None
    except ClickException as err:
        sys.stderr.write(f"llmctl: error: {err.format_message()}\n")
        raise SystemExit(err.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("llmctl: interrupted\n")
        raise SystemExit(130) from None
    except (OSError, Exception) as err:  # noqa: BLE001 - environment errors become one line; the rest re-raise
        line = _environment_line(err)
        if line is None:
            raise
        _heal(err)
        sys.stderr.write(line + "\n")
        raise SystemExit(2) from None
    raise SystemExit(rv if isinstance(rv, int) else 0)


def _heal(err: BaseException) -> None:
    """A damaged store database is moved aside, so that the next run rebuilds it."""
    import sqlite3

    if not isinstance(err, sqlite3.DatabaseError) or any(w in str(err) for w in ("full", "readonly", "unable to open")):
        return
    from llmctl.core.store.db import quarantine_damaged

    quarantine_damaged()
